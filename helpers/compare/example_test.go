package compare_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/gotl/gotl/helpers/compare"
)

// The methods a preset compares, in the order notebook 04 runs them.
func ExampleSettings_Plan() {
	s := compare.CPUSettings
	fmt.Println(s.Seeds, "seeds:", s.SeedList())
	for _, m := range s.Plan() {
		fmt.Printf("%-18s %4d steps: %s\n", m.Name, m.Steps, m.Trains)
	}
	// Output:
	// 10 seeds: [4 5 6 7 8 9 10 11 12 13]
	// retrain             200 steps: new softmax layer only, on cached bottlenecks
	// retrain 4000 steps 4000 steps: new softmax layer only, on cached bottlenecks
	// fine-tune all       200 steps: every layer + new softmax layer
	// fine-tune top 2     200 steps: top 2 layers + new softmax layer
}

// The whole comparison at a toy size: images for two seeds, every method
// on each, and the conclusion's first line.
func ExampleExperiment() {
	dir, _ := os.MkdirTemp("", "compare-example")
	defer os.RemoveAll(dir)
	s := compare.CPUSettings
	s.PerClass, s.Steps, s.EvalEvery, s.Batch, s.LongRetrainSteps, s.Seeds = 12, 6, 3, 4, 30, 2
	e := &compare.Experiment{Settings: s, Dir: dir} // Progress: nb.Bars in a notebook
	if err := e.Prepare(); err != nil {
		panic(err)
	}
	for _, m := range s.Plan() {
		if _, err := e.RunSeeds(m.ID); err != nil {
			panic(err)
		}
	}
	sums, err := e.Summaries()
	if err != nil {
		panic(err)
	}
	for _, sum := range sums {
		fmt.Printf("%s: %d seeds, %d test predictions\n", sum.Name, len(sum.Seeds), sum.Test.N)
	}
	first, _, _ := strings.Cut(compare.Conclusion("the pure-Go backend", s, sums), "\n")
	fmt.Println(first)
	// Output:
	// retrain: 2 seeds, 16 test predictions
	// retrain 30 steps: 2 seeds, 16 test predictions
	// fine-tune all: 2 seeds, 16 test predictions
	// fine-tune top 2: 2 seeds, 16 test predictions
	// On the pure-Go backend, over 2 seeds (each draws new images, initial weights and batches), every method trained for 6 steps of 4 images and was tested on the 8 test images of each seed (16 predictions in all):
}
