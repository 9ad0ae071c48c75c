package gomlxopt

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gotl/gotl/helpers/optim"
)

// Two variables with the same gradient: the one scaled by 0.25 must take
// exactly a quarter of the other's GradientDescent step, and an Adam step
// with a scaled learning rate must equal helpers/optim's Adam with that rate.
func TestLearningRateScale(t *testing.T) {
	backend := newBackend(t)
	for _, c := range []optim.Config{cfg("GradientDescent", "learning_rate", 0.5), cfg("Adam", "learning_rate", 0.5)} {
		ctx := context.New()
		a := ctx.In("pretrained").VariableWithValue("w", []float32{1, 2})
		b := ctx.In("head").VariableWithValue("w", []float32{1, 2})
		opt := MustNew(c).WithLearningRateScale(func(v *context.Variable) float64 {
			if v.Scope() == "/pretrained" {
				return 0.25
			}
			return 1
		})
		exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
			loss := graph.Add(graph.ReduceAllSum(a.ValueGraph(g)), graph.ReduceAllSum(b.ValueGraph(g)))
			opt.UpdateGraph(ctx, g, loss)
			return loss
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := exec.Exec(); err != nil {
			t.Fatal(err)
		}
		got := tensors.MustCopyFlatData[float32](a.MustValue())
		full := tensors.MustCopyFlatData[float32](b.MustValue())
		// Expected pretrained value from helpers/optim with learning_rate × 0.25.
		scaled := cfg(c.Optimizer, "learning_rate", 0.125)
		o, err := optim.New[float32](scaled)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.AddVar("w", []float32{1, 2}); err != nil {
			t.Fatal(err)
		}
		if err := o.Step(map[string]optim.Grad[float32]{"w": optim.Dense([]float32{1, 1})}); err != nil {
			t.Fatal(err)
		}
		want := o.Var("w")
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: scaled variable %v, want %v (unscaled %v)", c.Optimizer, got, want, full)
				break
			}
		}
		if full[0] == got[0] {
			t.Errorf("%s: the scale changed nothing", c.Optimizer)
		}
	}
}
