//go:build openblas

// Package sgemm gives the benchmarks OpenBLAS's SGEMM as the machine's
// matrix-multiplication ceiling. Built only with -tags openblas (needs
// libopenblas-dev); without the tag Available is false.
package sgemm

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import "unsafe"

// Available reports whether OpenBLAS is linked in.
const Available = true

// Multiply computes out = a·b for row-major [m,k]·[k,n] float32 matrices
// with OpenBLAS (its default thread count).
func Multiply(m, n, k int, a, b, out []float32) {
	C.cblas_sgemm(C.CblasRowMajor, C.CblasNoTrans, C.CblasNoTrans, C.blasint(m), C.blasint(n), C.blasint(k),
		1, (*C.float)(unsafe.Pointer(&a[0])), C.blasint(k), (*C.float)(unsafe.Pointer(&b[0])), C.blasint(n),
		0, (*C.float)(unsafe.Pointer(&out[0])), C.blasint(n))
}
