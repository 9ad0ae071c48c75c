package testfunc_test

import (
	"fmt"

	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/optim/testfunc"
)

// Adam on Rosenbrock from (-1.2, 1).
func ExampleRun() {
	tr, err := testfunc.Run(testfunc.Rosenbrock(), optim.Config{Optimizer: "Adam", Params: map[string]any{"learning_rate": 0.05}}, nil, 2000)
	if err != nil {
		panic(err)
	}
	last := tr.X[len(tr.X)-1]
	fmt.Printf("start loss %.1f, after 2000 steps (%.2f, %.2f) loss < 1e-3: %v\n", tr.Loss[0], last[0], last[1], tr.Final() < 1e-3)
	// Output: start loss 24.2, after 2000 steps (1.00, 1.00) loss < 1e-3: true
}

// A fair comparison: each optimizer at its own best learning rate.
func ExampleCompare() {
	cfgs := []optim.Config{{Optimizer: "GradientDescent"}, {Optimizer: "Momentum", Params: map[string]any{"momentum": 0.9}}}
	res, _ := testfunc.Compare(testfunc.Quadratic(100), cfgs, nil, 100, []float64{0.001, 0.003, 0.01, 0.03})
	for _, r := range res {
		fmt.Printf("%s: best lr %g\n", r.Optimizer, r.LearningRate)
	}
	// Output:
	// GradientDescent: best lr 0.01
	// Momentum: best lr 0.01
}
