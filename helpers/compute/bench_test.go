package compute

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/gotl/gotl/helpers/compute/internal/sgemm"
)

// Benchmarks report GFLOP/s (2 FLOPs per multiply-add) and, when built with
// -tags openblas, the ratio to OpenBLAS SGEMM measured in the same run
// (sgemmCeiling), the machine's practical ceiling:
//
//	go test -run XXX -bench . ./helpers/compute/
//	go test -tags openblas -run XXX -bench . ./helpers/compute/

func randF32(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// reportFLOPs adds GFLOP/s and the ratio to SGEMM to a benchmark.
func reportFLOPs(b *testing.B, flopsPerOp float64, elapsed time.Duration) {
	gflops := flopsPerOp * float64(b.N) / elapsed.Seconds() / 1e9
	b.ReportMetric(gflops, "GFLOP/s")
	if ceiling := sgemmCeiling(); ceiling > 0 {
		b.ReportMetric(ceiling, "sgemm_GFLOP/s")
		b.ReportMetric(gflops/ceiling, "x_sgemm")
	}
}

// timeExec runs exec b.N times on args, reports GFLOP/s and returns the
// time taken.
func timeExec(b *testing.B, exec *graph.Exec, flopsPerOp float64, args ...any) time.Duration {
	b.Helper()
	if _, err := exec.Exec(args...); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		outs, err := exec.Exec(args...)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outs {
			o.FinalizeAll()
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	reportFLOPs(b, flopsPerOp, elapsed)
	return elapsed
}

func benchBackend(b *testing.B) backends.Backend {
	be, err := Backend()
	if err != nil {
		b.Fatal(err)
	}
	return be
}

func BenchmarkSGEMM(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{512, 1024} {
		a, c := randF32(r, n*n), randF32(r, n*n)
		flops := 2 * float64(n) * float64(n) * float64(n)
		b.Run(fmt.Sprintf("gomlx_Dot/N=%d", n), func(b *testing.B) {
			exec, err := graph.NewExec(benchBackend(b), func(x, y *graph.Node) *graph.Node { return graph.Dot(x, y) })
			if err != nil {
				b.Fatal(err)
			}
			timeExec(b, exec, flops,
				tensors.FromFlatDataAndDimensions(a, n, n), tensors.FromFlatDataAndDimensions(c, n, n))
		})
		b.Run(fmt.Sprintf("gonum_blas32/N=%d", n), func(b *testing.B) {
			out := make([]float32, n*n)
			ga := blas32.General{Rows: n, Cols: n, Stride: n, Data: a}
			gc := blas32.General{Rows: n, Cols: n, Stride: n, Data: c}
			go_ := blas32.General{Rows: n, Cols: n, Stride: n, Data: out}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, ga, gc, 0, go_)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			reportFLOPs(b, flops, elapsed)
		})
		if sgemm.Available {
			b.Run(fmt.Sprintf("openblas/N=%d", n), func(b *testing.B) {
				out := make([]float32, n*n)
				b.ResetTimer()
				start := time.Now()
				for range b.N {
					sgemm.Multiply(n, n, n, a, c, out)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				reportFLOPs(b, flops, elapsed)
			})
		}
	}
}

// Layer shapes from Inception v3 and MobileNet v1 (batch 1).
type benchLayer struct {
	name       string
	h, w, c    int
	k, o       int // kernel size; output channels (depthwise: multiplier)
	stride     int
	depthwise  bool
	nativeSlow bool // skip native fwd+bwd on pure Go: 10 s to minutes per iteration
}

var benchLayers = []benchLayer{
	{name: "inception_35x35x192_3x3x64", h: 35, w: 35, c: 192, k: 3, o: 64, stride: 1},
	{name: "inception_17x17x768_1x1x192", h: 17, w: 17, c: 768, k: 1, o: 192, stride: 1, nativeSlow: true},
	{name: "inception_147x147x32_3x3x64", h: 147, w: 147, c: 32, k: 3, o: 64, stride: 1, nativeSlow: true},
	{name: "inception_35x35x288_3x3x384_s2", h: 35, w: 35, c: 288, k: 3, o: 384, stride: 2, nativeSlow: true},
	{name: "mobilenet_112x112x32_dw3x3", h: 112, w: 112, c: 32, k: 3, o: 1, stride: 1, depthwise: true},
	{name: "mobilenet_112x112x32_1x1x64", h: 112, w: 112, c: 32, k: 1, o: 64, stride: 1, nativeSlow: true},
	{name: "mobilenet_14x14x512_dw3x3", h: 14, w: 14, c: 512, k: 3, o: 1, stride: 1, depthwise: true},
	{name: "mobilenet_14x14x512_1x1x512", h: 14, w: 14, c: 512, k: 1, o: 512, stride: 1, nativeSlow: true},
}

func (l benchLayer) macs() float64 {
	oh, ow := (l.h+l.stride-1)/l.stride, (l.w+l.stride-1)/l.stride
	if l.depthwise {
		return float64(oh * ow * l.c * l.o * l.k * l.k)
	}
	return float64(oh * ow * l.o * l.k * l.k * l.c)
}

func BenchmarkConv(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, l := range benchLayers {
		x := tensors.FromFlatDataAndDimensions(randF32(r, l.h*l.w*l.c), 1, l.h, l.w, l.c)
		k := tensors.FromFlatDataAndDimensions(randF32(r, l.k*l.k*l.c*l.o), l.k, l.k, l.c, l.o)
		attrs := ConvAttrs{Strides: []int{1, l.stride, l.stride, 1}, Padding: "SAME"}
		conv := func(impl ConvImpl) func(x, k *graph.Node) *graph.Node {
			return func(x, k *graph.Node) *graph.Node {
				a := attrs
				a.Impl = impl
				var out *graph.Node
				var err error
				if l.depthwise {
					out, err = DepthwiseConv2dNative(x, k, a)
				} else {
					out, err = Conv2D(x, k, a)
				}
				if err != nil {
					panic(err)
				}
				return out
			}
		}
		for _, impl := range []struct {
			name string
			impl ConvImpl
		}{{"lowered", ConvLowered}, {"native", ConvNative}} {
			fn := conv(impl.impl)
			b.Run(l.name+"/"+impl.name+"/fwd", func(b *testing.B) {
				exec, err := graph.NewExec(benchBackend(b), fn)
				if err != nil {
					b.Fatal(err)
				}
				timeExec(b, exec, 2*l.macs(), x, k)
			})
			if impl.impl == ConvNative && l.nativeSlow && IsPureGo(benchBackend(b)) {
				continue
			}
			b.Run(l.name+"/"+impl.name+"/fwd+bwd", func(b *testing.B) {
				exec, err := graph.NewExec(benchBackend(b), func(x, k *graph.Node) []*graph.Node {
					return graph.Gradient(graph.ReduceAllSum(fn(x, k)), x, k)
				})
				if err != nil {
					b.Fatal(err)
				}
				timeExec(b, exec, 3*2*l.macs(), x, k)
			})
		}
	}
}
