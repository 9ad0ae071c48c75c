package compute

import (
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/gotl/gotl/helpers/compute/internal/sgemm"
)

var ceilingInputs = sync.OnceValues(func() ([]float32, []float32) {
	r := rand.New(rand.NewPCG(3, 3))
	return randF32(r, ceilingN*ceilingN), randF32(r, ceilingN*ceilingN)
})

const ceilingN = 512

// sgemmCeiling measures OpenBLAS SGEMM (512³, default threads) right now,
// as the median GFLOP/s of 7 calls; 0 without -tags openblas. Each benchmark
// calls it right after its own timing so that both see the same machine
// load (shared CI machines vary a lot from minute to minute).
func sgemmCeiling() float64 {
	if !sgemm.Available {
		return 0
	}
	a, b := ceilingInputs()
	out := make([]float32, ceilingN*ceilingN)
	sgemm.Multiply(ceilingN, ceilingN, ceilingN, a, b, out) // warm up
	rates := make([]float64, 7)
	for i := range rates {
		start := time.Now()
		sgemm.Multiply(ceilingN, ceilingN, ceilingN, a, b, out)
		rates[i] = 2 * ceilingN * ceilingN * ceilingN / time.Since(start).Seconds() / 1e9
	}
	sort.Float64s(rates)
	return rates[len(rates)/2]
}
