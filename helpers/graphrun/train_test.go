package graphrun

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gotl/gotl/internal/tfdata"
)

// TestFineTuneGradients builds a loss on the retrained MobileNet inside a
// GoMLX context function, takes gradients of the trainable weights only, and
// checks two of them against finite differences of the converted forward
// pass.
func TestFineTuneGradients(t *testing.T) {
	g, err := Load(tfdata.Path(t, "retrain_poets_mobilenet025_128/retrained_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	pattern := `final_training_ops/weights|Conv2d_13_pointwise/weights`
	m, err := NewModel(g, []string{"input:0"}, []string{"final_training_ops/Wx_plus_b/add:0"}, Trainable(pattern))
	if err != nil {
		t.Fatal(err)
	}
	backend, err := DefaultBackend()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	img, err := ToGoMLX(syntheticImage(t, 1, 128, 128, 5))
	if err != nil {
		t.Fatal(err)
	}
	// loss = sum(logits · c) for a fixed c, so the gradient is easy to check.
	coef := []float32{0.3, -1, 0.5, 2, -0.7, 1.1}
	lossFn := func(ctx *context.Context, x *graph.Node) *graph.Node {
		logits := m.Call(ctx, x)[0]
		return graph.ReduceAllSum(graph.Mul(logits, graph.Const(x.Graph(), [][]float32{coef})))
	}
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
		loss := lossFn(ctx, x)
		return append([]*graph.Node{loss}, ctx.BuildTrainableVariablesGradientsGraph(loss)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exec.Exec(img)
	if err != nil {
		t.Fatal(err)
	}
	vars := m.Variables(ctx)
	var trainable []string
	for name, v := range vars {
		if v.Trainable {
			trainable = append(trainable, name)
		}
	}
	if len(trainable) != 2 || len(outs) != 3 {
		t.Fatalf("trainable variables %v, %d gradients; want the 2 matching %q", trainable, len(outs)-1, pattern)
	}
	if len(vars) < 50 {
		t.Errorf("only %d weight variables; the MobileNet weights should all be variables", len(vars))
	}
	// Gradients come in ctx.IterVariables order among trainable ones.
	var order []*context.Variable
	for v := range ctx.IterVariables() {
		if v.Trainable {
			order = append(order, v)
		}
	}
	lossAt := func() float64 {
		o, err := context.NewExec(backend, ctx, lossFn)
		if err != nil {
			t.Fatal(err)
		}
		r, err := o.Exec(img)
		if err != nil {
			t.Fatal(err)
		}
		return float64(tensors.MustCopyFlatData[float32](r[0])[0])
	}
	for i, v := range order {
		grad := tensors.MustCopyFlatData[float32](outs[1+i])
		orig := v.MustValue()
		w := tensors.MustCopyFlatData[float32](orig)
		dims := orig.Shape().Dimensions
		// Perturb the element with the largest gradient.
		k := 0
		for j := range grad {
			if math.Abs(float64(grad[j])) > math.Abs(float64(grad[k])) {
				k = j
			}
		}
		if grad[k] == 0 {
			t.Fatalf("%s: gradient is all zeros", v.ParameterName())
		}
		const h = 1e-2
		fd := func(delta float32) float64 {
			w2 := append([]float32(nil), w...)
			w2[k] += delta
			v.MustSetValue(tensors.FromFlatDataAndDimensions(w2, dims...))
			return lossAt()
		}
		num := (fd(h) - fd(-h)) / (2 * h)
		v.MustSetValue(tensors.FromFlatDataAndDimensions(w, dims...))
		// float32 finite differences across ReLU6 kinks are only good to a few
		// percent; the float64 op-level tests check gradients tightly.
		if math.Abs(num-float64(grad[k])) > 0.05*math.Abs(num)+1e-3 {
			t.Errorf("%s[%d]: gradient %v, finite difference %v", v.ParameterName(), k, grad[k], num)
		}
		t.Logf("%s[%d]: gradient %v, finite difference %v", v.ParameterName(), k, grad[k], num)
	}
}
