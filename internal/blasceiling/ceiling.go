// Package blasceiling measures OpenBLAS SGEMM as the machine's float32
// matrix-multiplication ceiling for gotl's benchmarks. It needs
// -tags openblas and Debian's libopenblas-dev; without the tag GFLOPS
// returns 0. Benchmarks of any gotl package use it (helpers/compute keeps
// its own copy in internal/sgemm).
package blasceiling

import (
	"sort"
	"time"
)

// GFLOPS returns the median GFLOP/s of 7 SGEMMs of n×n matrices with
// OpenBLAS's default threads, or 0 when OpenBLAS is not linked in.
func GFLOPS(n int) float64 {
	if !Available {
		return 0
	}
	a, b, out := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i] = float32(i%7) - 3
		b[i] = float32(i%5) - 2
	}
	sgemm(n, a, b, out)
	rates := make([]float64, 7)
	for i := range rates {
		start := time.Now()
		sgemm(n, a, b, out)
		rates[i] = 2 * float64(n) * float64(n) * float64(n) / time.Since(start).Seconds() / 1e9
	}
	sort.Float64s(rates)
	return rates[len(rates)/2]
}
