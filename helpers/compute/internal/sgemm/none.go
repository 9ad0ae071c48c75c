//go:build !openblas

// Package sgemm gives the benchmarks OpenBLAS's SGEMM as the machine's
// matrix-multiplication ceiling. Built only with -tags openblas (needs
// libopenblas-dev); without the tag Available is false.
package sgemm

// Available reports whether OpenBLAS is linked in.
const Available = false

// Multiply panics: the package was built without -tags openblas.
func Multiply(m, n, k int, a, b, out []float32) {
	panic("sgemm: built without -tags openblas")
}
