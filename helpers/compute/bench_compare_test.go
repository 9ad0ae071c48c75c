package compute

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/gotl/gotl/helpers/compute/internal/sgemm"
)

// BenchmarkConvCompare interleaves, per round (one b.N iteration), the
// lowered forward, the native forward and an OpenBLAS SGEMM of the same
// FLOPs (with -tags openblas), so that all three see the same machine load;
// on a shared machine this gives far steadier ratios than separate
// benchmarks. Metrics are medians over rounds: lowered and native GFLOP/s,
// lowered/native speed-up, and lowered/SGEMM.
func BenchmarkConvCompare(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, l := range benchLayers {
		if l.nativeSlow && l.h > 100 {
			continue // native forward alone takes ~10 s per round
		}
		b.Run(l.name, func(b *testing.B) {
			be := benchBackend(b)
			x := tensors.FromFlatDataAndDimensions(randF32(r, l.h*l.w*l.c), 1, l.h, l.w, l.c)
			k := tensors.FromFlatDataAndDimensions(randF32(r, l.k*l.k*l.c*l.o), l.k, l.k, l.c, l.o)
			execs := make([]*graph.Exec, 2)
			for i, impl := range []ConvImpl{ConvLowered, ConvNative} {
				attrs := ConvAttrs{Strides: []int{1, l.stride, l.stride, 1}, Padding: "SAME", Impl: impl}
				e, err := graph.NewExec(be, func(x, k *graph.Node) *graph.Node {
					var out *graph.Node
					var err error
					if l.depthwise {
						out, err = DepthwiseConv2dNative(x, k, attrs)
					} else {
						out, err = Conv2D(x, k, attrs)
					}
					if err != nil {
						panic(err)
					}
					return out
				})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.Exec(x, k); err != nil {
					b.Fatal(err)
				}
				execs[i] = e
			}
			// An SGEMM with the layer's multiply-adds: [P, K]·[K, O].
			oh, ow := (l.h+l.stride-1)/l.stride, (l.w+l.stride-1)/l.stride
			p, kk, o := oh*ow, l.k*l.k*l.c, l.o
			if l.depthwise {
				kk, o = l.k*l.k, l.c // same MACs as a [P,9]·[9,C] product
			}
			var ga, gb, gout []float32
			if sgemm.Available {
				ga, gb, gout = randF32(r, p*kk), randF32(r, kk*o), make([]float32, p*o)
			}
			flops := 2 * l.macs()
			var lowered, native, blas []float64
			timeIt := func(fn func()) float64 {
				start := time.Now()
				fn()
				return flops / time.Since(start).Seconds() / 1e9
			}
			run := func(e *graph.Exec) func() {
				return func() {
					outs, err := e.Exec(x, k)
					if err != nil {
						b.Fatal(err)
					}
					outs[0].FinalizeAll()
				}
			}
			b.ResetTimer()
			for range b.N {
				lowered = append(lowered, timeIt(run(execs[0])))
				native = append(native, timeIt(run(execs[1])))
				if sgemm.Available {
					blas = append(blas, timeIt(func() { sgemm.Multiply(p, o, kk, ga, gb, gout) }))
				}
			}
			b.StopTimer()
			ratios := func(a, c []float64) []float64 {
				out := make([]float64, len(a))
				for i := range a {
					out[i] = a[i] / c[i]
				}
				return out
			}
			b.ReportMetric(median(lowered), "lowered_GFLOP/s")
			b.ReportMetric(median(native), "native_GFLOP/s")
			b.ReportMetric(median(ratios(lowered, native)), "lowered/native")
			if sgemm.Available {
				b.ReportMetric(median(blas), "sgemm_GFLOP/s")
				b.ReportMetric(median(ratios(lowered, blas)), "lowered/sgemm")
			}
		})
	}
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
