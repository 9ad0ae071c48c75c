package compute

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"

	"github.com/gotl/gotl/helpers/compute/internal/fastpath"
	"github.com/gotl/gotl/helpers/compute/internal/kernels"
)

// fastGradCheck runs out = op(ins) and the gradients of Σ out·R with
// respect to every input twice: in float32 with ConvAuto (the fast
// executors, when active) and in float64 with the lowered forms (checked
// against references and finite differences elsewhere); the float32 values
// must match to float32 precision. It returns the fast executors' counts.
func fastGradCheck(t *testing.T, name string, op func(ins []*graph.Node, impl ConvImpl) *graph.Node, ins ...arr) fastpath.Counters {
	t.Helper()
	b := testBackend(t)
	fn := func(dt dtypes.DType, impl ConvImpl) func(in []*graph.Node) []*graph.Node {
		return func(in []*graph.Node) []*graph.Node {
			cast := make([]*graph.Node, len(in))
			for i, x := range in {
				cast[i] = graph.ConvertDType(x, dt)
			}
			out := op(cast, impl)
			w := make([]float64, out.Shape().Size())
			for i := range w {
				w[i] = float64(i%7) - 3 + 0.1*float64(i%3)
			}
			weights := graph.ConvertDType(graph.Reshape(graph.Const(out.Graph(), w), out.Shape().Dimensions...), dt)
			loss := graph.ReduceAllSum(graph.Mul(out, weights))
			grads := graph.Gradient(loss, cast...)
			res := []*graph.Node{graph.ConvertDType(out, dtypes.Float64)}
			for _, g := range grads {
				res = append(res, graph.ConvertDType(g, dtypes.Float64))
			}
			return res
		}
	}
	want := run(t, b, fn(dtypes.Float64, ConvLowered), ins...)
	fastpath.EnableCounters(true)
	defer fastpath.EnableCounters(false)
	fastpath.ReadCounters(true)
	got := run(t, b, fn(dtypes.Float32, ConvAuto), ins...)
	counts := fastpath.ReadCounters(true)
	for i := range want {
		scale := 1e-30
		for _, v := range want[i].data {
			scale = max(scale, math.Abs(v))
		}
		for j := range want[i].data {
			if d := math.Abs(got[i].data[j] - want[i].data[j]); d > 3e-5*scale {
				t.Fatalf("%s: output %d element %d = %g, float64 lowered %g (scale %g)", name, i, j, got[i].data[j], want[i].data[j], scale)
			}
		}
	}
	return counts
}

// TestFastPathOps checks the float32 ops that the fast path changes (the
// graph forms and the executors) against the float64 lowered forms,
// forward and backward, on every level this CPU supports.
func TestFastPathOps(t *testing.T) {
	if FastPath().Path == "stock" {
		t.Skipf("fast path not active: %s", FastPath())
	}
	defer fastpath.SetLevel(kernels.For(levelFromPath(setupFastPath().Path)))
	r := rand.New(rand.NewPCG(21, 22))
	for _, level := range []kernels.Level{kernels.AVX2, kernels.AVX512} {
		set := kernels.For(level)
		if set == nil {
			continue
		}
		fastpath.SetLevel(set)
		for _, c := range convCases {
			x, f := randArr(r, c.n, c.h, c.w, c.c), randArr(r, c.kh, c.kw, c.c, c.o)
			counts := fastGradCheck(t, fmt.Sprintf("%s Conv2D %v", level, c), func(in []*graph.Node, impl ConvImpl) *graph.Node {
				return must(Conv2D(in[0], in[1], c.attrs(impl)))
			}, x, f)
			if counts.Fast["ConvGeneral"] < 3 || counts.Stock["ConvGeneral"] > 0 {
				t.Fatalf("%s Conv2D %v: forward, input and filter gradients should all run fast: %+v", level, c, counts)
			}
		}
		for _, c := range depthwiseCases {
			x, f := randArr(r, c.n, c.h, c.w, c.c), randArr(r, c.kh, c.kw, c.c, c.o)
			counts := fastGradCheck(t, fmt.Sprintf("%s depthwise %v", level, c), func(in []*graph.Node, impl ConvImpl) *graph.Node {
				return must(DepthwiseConv2dNative(in[0], in[1], c.attrs(impl)))
			}, x, f)
			if c.o == 1 && (counts.Fast["DepthwiseConv"] < 2 || counts.Fast["DepthwiseFilterGrad"] < 1 || counts.Stock["ConvGeneral"] > 0) {
				t.Fatalf("%s depthwise %v: forward and gradients should run fast: %+v", level, c, counts)
			}
		}
		for _, c := range poolCases {
			x := randArr(r, c.n, c.h, c.w, c.c)
			for _, isMax := range []bool{true, false} {
				pool := AvgPool
				if isMax {
					pool = MaxPool
				}
				counts := fastGradCheck(t, fmt.Sprintf("%s pool max=%v %v", level, isMax, c), func(in []*graph.Node, impl ConvImpl) *graph.Node {
					a := c.attrs()
					a.Impl = impl
					return must(pool(in[0], a))
				}, x)
				if counts.Fast["ReduceWindow"] < 1 || isMax && counts.Fast["SelectAndScatter"] < 1 {
					t.Fatalf("%s pool %v: ReduceWindow (and the max-pool gradient) did not run fast: %+v", level, c, counts)
				}
			}
		}
		// Ties: the max-pool gradient goes to the first maximum of each
		// window, as TF's MaxPoolGrad (and the lowered form) do.
		ties := randArr(r, 2, 7, 7, 3)
		for i := range ties.data {
			ties.data[i] = math.Round(ties.data[i])
		}
		for _, c := range poolCases[:3] {
			a := c.attrs()
			fastGradCheck(t, fmt.Sprintf("%s max pool ties %v", level, c), func(in []*graph.Node, impl ConvImpl) *graph.Node {
				a.Impl = impl
				return must(MaxPool(in[0], a))
			}, ties)
		}
		x, bias := randArr(r, 2, 5, 4, 19), randArr(r, 19)
		fastGradCheck(t, fmt.Sprintf("%s BiasAdd+Relu6", level), func(in []*graph.Node, impl ConvImpl) *graph.Node {
			return Relu6(graph.MulScalar(must(BiasAdd(in[0], in[1], "")), 4))
		}, x, bias)
		a, m := randArr(r, 3, 70), randArr(r, 70, 33)
		fastGradCheck(t, fmt.Sprintf("%s MatMul", level), func(in []*graph.Node, impl ConvImpl) *graph.Node {
			return must(MatMul(in[0], in[1], false, false))
		}, a, m)
	}
}

func must(n *graph.Node, err error) *graph.Node {
	if err != nil {
		panic(err)
	}
	return n
}

// TestStockPath re-runs this package's tests in a child process with
// GOTL_FASTPATH=0, so that one `go test` checks both paths (CI included).
func TestStockPath(t *testing.T) {
	if os.Getenv(FastPathEnv) != "" {
		t.Skipf("%s=%s: this run already chose a path", FastPathEnv, os.Getenv(FastPathEnv))
	}
	if testing.Short() {
		t.Skip("-short: the stock path is checked by the full run")
	}
	args := []string{"-test.run", "^Test", "-test.skip", "^TestStockPath$"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), FastPathEnv+"=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tests with %s=0 failed: %v\n%s", FastPathEnv, err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("tests with %s=0 did not pass:\n%s", FastPathEnv, out)
	}
}

// TestFastPathEnv checks GOTL_FASTPATH parsing (without installing).
func TestFastPathEnv(t *testing.T) {
	if got := installFastPath("0"); got.Path != "stock" || !strings.Contains(got.Reason, FastPathEnv) {
		t.Errorf("GOTL_FASTPATH=0: %+v", got)
	}
	if got := installFastPath("off"); got.Path != "stock" {
		t.Errorf("GOTL_FASTPATH=off: %+v", got)
	}
	if kernels.Supported(kernels.AVX2) {
		if got := installFastPath("avx2"); got.Path != "avx2" {
			t.Errorf("GOTL_FASTPATH=avx2: %+v", got)
		}
		if got := installFastPath(""); got.Path != kernels.Detected().String() {
			t.Errorf("GOTL_FASTPATH unset: %+v, want %s", got, kernels.Detected())
		}
	}
	// Restore what the process runs with.
	fastpath.SetLevel(kernels.For(levelFromPath(setupFastPath().Path)))
}

func levelFromPath(p string) kernels.Level {
	l, _ := kernels.ParseLevel(p)
	return l
}
