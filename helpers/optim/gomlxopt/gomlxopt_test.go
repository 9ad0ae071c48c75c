package gomlxopt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // pure-Go backend: no plugins, no downloads
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gotl/gotl/helpers/optim"
)

func newBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := backends.NewWithConfig("go")
	if err != nil {
		t.Fatalf("pure-Go backend: %v", err)
	}
	return b
}

func cfg(name string, kv ...any) optim.Config {
	p := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		p[kv[i].(string)] = kv[i+1]
	}
	return optim.Config{Optimizer: name, Params: p}
}

// configs covers every optimizer and every branch of its update.
var configs = []optim.Config{
	cfg("GradientDescent", "learning_rate", 0.1),
	cfg("Momentum", "learning_rate", 0.05, "momentum", 0.9),
	cfg("Momentum", "learning_rate", 0.05, "momentum", 0.9, "use_nesterov", true),
	cfg("Adam", "learning_rate", 0.01),
	cfg("Adagrad", "learning_rate", 0.5),
	cfg("AdagradDA", "learning_rate", 0.5),
	cfg("AdagradDA", "learning_rate", 0.5, "l1_regularization_strength", 0.01, "l2_regularization_strength", 0.1),
	cfg("Adadelta", "learning_rate", 1.0),
	cfg("RMSProp", "learning_rate", 0.01),
	cfg("RMSProp", "learning_rate", 0.01, "momentum", 0.5, "centered", true),
	cfg("Ftrl", "learning_rate", 0.5),
	cfg("Ftrl", "learning_rate", 0.5, "l1_regularization_strength", 0.01, "l2_regularization_strength", 0.1,
		"l2_shrinkage_regularization_strength", 0.05, "learning_rate_power", -0.3, "beta", 0.2),
	cfg("ProximalAdagrad", "learning_rate", 0.5),
	cfg("ProximalAdagrad", "learning_rate", 0.5, "l1_regularization_strength", 0.01, "l2_regularization_strength", 0.1),
	cfg("ProximalGradientDescent", "learning_rate", 0.1),
	cfg("ProximalGradientDescent", "learning_rate", 0.1, "l1_regularization_strength", 0.01, "l2_regularization_strength", 0.1),
}

func label(c optim.Config) string {
	var kv []string
	for k, v := range c.Params {
		kv = append(kv, fmt.Sprintf("%s=%v", k, v))
	}
	return c.Optimizer + "(" + strings.Join(sortStrings(kv), ",") + ")"
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// relDiff is |a-b| / max(1, |b|).
func relDiff(a, b float64) float64 { return math.Abs(a-b) / math.Max(1, math.Abs(b)) }

// Feeding the same gradients to the GoMLX optimizer (a float32 [2,3]
// variable and a float64 [3] one, in a graph run on the pure-Go backend) and
// to helpers/optim gives the same variables and slots after every step.
func TestMatchesHelpersOptimOnFixedGradients(t *testing.T) {
	backend := newBackend(t)
	const steps = 6
	for _, c := range configs {
		t.Run(label(c), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 11))
			w0 := []float32{0.5, -1, 1.5, 2, -0.25, 0}
			b0 := []float64{0.1, -0.2, 0.3}
			ref32, ref64 := optim.MustNew[float32](c), optim.MustNew[float64](c)
			ref32.AddVar("w", w0, 2, 3)
			ref64.AddVar("b", b0)

			opt := MustNew(c)
			ctx := context.New()
			wVar := ctx.In("layer").VariableWithValue("w", tensors.FromFlatDataAndDimensions(append([]float32(nil), w0...), 2, 3))
			bVar := ctx.In("layer").VariableWithValue("b", append([]float64(nil), b0...))
			exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, gw, gb *graph.Node) *graph.Node {
				g := gw.Graph()
				_ = wVar.ValueGraph(g) // mark both as used by the graph
				_ = bVar.ValueGraph(g)
				opt.UpdateGraphWithGradients(ctx, []*graph.Node{gw, gb}, gw.DType())
				return graph.ReduceAllSum(gw)
			})
			if err != nil {
				t.Fatal(err)
			}
			// IterVariables order: check which gradient goes with which variable.
			var order []string
			for v := range ctx.IterVariables() {
				if v.Trainable {
					order = append(order, v.Name())
				}
			}
			if strings.Join(order, ",") != "w,b" {
				t.Fatalf("trainable variable order %v; the test feeds gradients as w, b", order)
			}
			var maxDiff32, maxDiff64 float64
			for step := 1; step <= steps; step++ {
				gw := make([]float32, 6)
				for i := range gw {
					gw[i] = float32(rng.NormFloat64())
				}
				gb := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
				if _, err := exec.Exec(tensors.FromFlatDataAndDimensions(gw, 2, 3), gb); err != nil {
					t.Fatal(err)
				}
				if err := ref32.Step(map[string]optim.Grad[float32]{"w": optim.Dense(gw)}); err != nil {
					t.Fatal(err)
				}
				if err := ref64.Step(map[string]optim.Grad[float64]{"b": optim.Dense(gb)}); err != nil {
					t.Fatal(err)
				}
				cmp32 := func(what string, got []float32, want []float32) {
					for i := range want {
						d := relDiff(float64(got[i]), float64(want[i]))
						maxDiff32 = math.Max(maxDiff32, d)
						if d > 1e-6 {
							t.Errorf("step %d %s[%d]: GoMLX %.9g, optim %.9g", step, what, i, got[i], want[i])
						}
					}
				}
				cmp64 := func(what string, got, want []float64) {
					for i := range want {
						d := relDiff(got[i], want[i])
						maxDiff64 = math.Max(maxDiff64, d)
						if d > 1e-14 {
							t.Errorf("step %d %s[%d]: GoMLX %.17g, optim %.17g", step, what, i, got[i], want[i])
						}
					}
				}
				cmp32("w", tensors.MustCopyFlatData[float32](wVar.MustValue()), ref32.Var("w"))
				cmp64("b", tensors.MustCopyFlatData[float64](bVar.MustValue()), ref64.Var("b"))
				for _, s := range opt.SlotNames() {
					sw, sb := opt.SlotVariable(ctx, wVar, s), opt.SlotVariable(ctx, bVar, s)
					if sw == nil || sb == nil {
						t.Fatalf("slot %q missing", s)
					}
					cmp32("w."+s, tensors.MustCopyFlatData[float32](sw.MustValue()), ref32.Slot("w", s))
					cmp64("b."+s, tensors.MustCopyFlatData[float64](sb.MustValue()), ref64.Slot("b", s))
				}
				if c.Optimizer == "Adam" {
					got := opt.StateVariable(ctx, "beta1_power").MustValue().Value().(float32)
					if want := float32(ref32.NonSlot()["beta1_power"]); got != want {
						t.Errorf("step %d beta1_power %v, want %v", step, got, want)
					}
				}
				if got := opt.StateVariable(ctx, "step").MustValue().Value().(int64); got != int64(step) {
					t.Errorf("step counter %d, want %d", got, step)
				}
			}
			t.Logf("max relative difference: float32 %.2g, float64 %.2g", maxDiff32, maxDiff64)
		})
	}
}

// Training through UpdateGraph (autodiff gradients) on a quadratic loss
// reaches the minimum, and Clear removes the optimizer's variables.
func TestUpdateGraphMinimizes(t *testing.T) {
	backend := newBackend(t)
	opt := MustNew(cfg("Momentum", "learning_rate", 0.1, "momentum", 0.5))
	ctx := context.New()
	w := ctx.In("model").VariableWithValue("w", []float32{3, -3})
	target := []float32{1, 2}
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		d := graph.Sub(w.ValueGraph(g), graph.Const(g, target))
		loss := graph.ReduceAllSum(graph.Mul(d, d))
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 60; i++ {
		exec.MustExec()
	}
	got := tensors.MustCopyFlatData[float32](w.MustValue())
	for i := range got {
		if math.Abs(float64(got[i]-target[i])) > 1e-3 {
			t.Errorf("w = %v, want %v", got, target)
		}
	}
	if opt.SlotVariable(ctx, w, "momentum") == nil {
		t.Fatal("no momentum slot")
	}
	if err := opt.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if opt.SlotVariable(ctx, w, "momentum") != nil || opt.StateVariable(ctx, "step") != nil {
		t.Error("Clear left optimizer variables behind")
	}
}

func TestNewErrors(t *testing.T) {
	_, err := New(cfg("Adamax"))
	if err == nil || !strings.Contains(err.Error(), "gomlxopt") || !strings.Contains(err.Error(), "RMSProp") {
		t.Errorf("error %v", err)
	}
	_, err = New(cfg("RMSProp", "learning_rate", 0.1, "rho", 0.9))
	if err == nil || !strings.Contains(err.Error(), `no parameter "rho"`) || !strings.Contains(err.Error(), "decay") {
		t.Errorf("error %v", err)
	}
}

func TestCompare(t *testing.T) {
	backend := newBackend(t)
	for _, c := range configs {
		cmp, err := Compare(backend, c, 5, 3)
		if err != nil {
			t.Fatal(err)
		}
		if cmp.Steps != 5 || cmp.MaxRelDiff32 > 1e-6 || cmp.MaxRelDiff64 > 1e-14 {
			t.Errorf("%s: %+v", label(c), cmp)
		}
	}
	if _, err := Compare(backend, cfg("Nadam"), 1, 1); err == nil {
		t.Error("unknown optimizer accepted")
	}
}
