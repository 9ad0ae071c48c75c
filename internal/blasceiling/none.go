//go:build !openblas

package blasceiling

// Available reports whether OpenBLAS is linked in (-tags openblas).
const Available = false

func sgemm(n int, a, b, out []float32) { panic("blasceiling: built without -tags openblas") }
