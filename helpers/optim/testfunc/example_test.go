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

// Gradient descent on Rosenbrock's valley: the rate with the lowest final
// loss bounces across the valley (its loss rises above the start), so
// Sweep keeps the best stable rate instead.
func ExampleSweep() {
	r, _ := testfunc.Sweep(testfunc.Rosenbrock(), optim.Config{Optimizer: "GradientDescent"}, nil, 500, nil)
	for _, p := range r.Tried {
		if !p.Diverged {
			fmt.Printf("lr %-8g final %-6.3g settled %-6.3g peak %-6.3g stable %v\n", p.LearningRate, p.FinalLoss, p.SettledLoss, p.PeakLoss, p.Stable())
		}
	}
	fmt.Println("chosen:", r.LearningRate)
	// Output:
	// lr 0.0001   final 3.98   settled 4.06   peak 19.2   stable true
	// lr 0.000215 final 3.79   settled 3.97   peak 14.4   stable true
	// lr 0.000464 final 3.36   settled 3.76   peak 7.27   stable true
	// lr 0.001    final 2.28   settled 3.28   peak 5.35   stable true
	// lr 0.002154 final 0.277  settled 1.49   peak 45.1   stable false
	// lr 0.004642 final 0.222  settled 27.2   peak 189    stable false
	// chosen: 0.001
}

// What a chart of the best paths shows, in words.
func ExamplePathNotes() {
	fn := testfunc.Quadratic(100)
	cfgs := []optim.Config{{Optimizer: "GradientDescent"}, {Optimizer: "Momentum", Params: map[string]any{"momentum": 0.9}}}
	res, _ := testfunc.Compare(fn, cfgs, nil, 200, nil)
	for _, note := range testfunc.PathNotes(fn, res) {
		fmt.Println(note)
	}
	// Output:
	// **Reach the minimum at (0, 0)** (within 0.01) in 200 steps: Momentum (lr 0.01).
	// **Still descending steadily** after 200 steps, the loss falling at every one of the last 100 (a crawl): GradientDescent (lr 0.01): 0.3 from the minimum, loss 0.0447.
}
