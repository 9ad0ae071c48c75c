package gomlxopt_test

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"

	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/optim/gomlxopt"
)

// Fitting y = 2x - 1 with a GoMLX Trainer and TF1's Nesterov momentum.
func Example() {
	backend, err := backends.NewWithConfig("go")
	if err != nil {
		panic(err)
	}
	opt, err := gomlxopt.New(optim.Config{Optimizer: "Momentum", Params: map[string]any{"learning_rate": 0.05, "momentum": 0.9, "use_nesterov": true}})
	if err != nil {
		panic(err)
	}
	ctx := context.New()
	model := func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		g := inputs[0].Graph()
		w := ctx.In("linear").VariableWithValue("w", float32(0)).ValueGraph(g)
		b := ctx.In("linear").VariableWithValue("b", float32(0)).ValueGraph(g)
		return []*graph.Node{graph.Add(graph.Mul(inputs[0], w), b)}
	}
	trainer := train.NewTrainer(backend, ctx, model, losses.MeanSquaredError, opt, nil, nil)
	x := tensors.FromFlatDataAndDimensions([]float32{-1, 0, 1, 2}, 4, 1)
	y := tensors.FromFlatDataAndDimensions([]float32{-3, -1, 1, 3}, 4, 1)
	for i := 0; i < 400; i++ {
		if _, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y}); err != nil {
			panic(err)
		}
	}
	w := ctx.GetVariableByScopeAndName("/linear", "w")
	b := ctx.GetVariableByScopeAndName("/linear", "b")
	fmt.Printf("w=%.2f b=%.2f, slots %v\n", w.MustValue().Value(), b.MustValue().Value(), opt.SlotNames())
	fmt.Printf("momentum slot of w is a variable: %v\n", opt.SlotVariable(ctx, w, "momentum") != nil)
	// Output:
	// w=2.00 b=-1.00, slots [momentum]
	// momentum slot of w is a variable: true
}
