package stats_test

import (
	"fmt"

	"github.com/gotl/gotl/helpers/stats"
)

// An accuracy on 76 test images, and whether a perfect score on the same
// images is better: with one seed, not yet; with five seeds that agree,
// yes.
func ExampleCompare() {
	retrained := stats.Proportion{K: 72, N: 76}
	fmt.Println("retrained:", retrained)

	d, _ := stats.Compare([]stats.Proportion{{K: 76, N: 76}}, []stats.Proportion{retrained})
	fmt.Printf("one seed: %s, within noise: %v\n", d.Points(), d.WithinNoise())

	fineTuned := []stats.Proportion{{K: 76, N: 76}, {K: 76, N: 76}, {K: 75, N: 76}, {K: 76, N: 76}, {K: 76, N: 76}}
	retrainedSeeds := []stats.Proportion{{K: 72, N: 76}, {K: 73, N: 76}, {K: 71, N: 76}, {K: 72, N: 76}, {K: 74, N: 76}}
	d, _ = stats.Compare(fineTuned, retrainedSeeds)
	fmt.Printf("five seeds: %s, within noise: %v\n", d.Points(), d.WithinNoise())
	// Output:
	// retrained: 94.7% (72/76; 95% CI 87.2–97.9%)
	// one seed: +5.3 points, 95% CI -0.5 to +12.8, within noise: true
	// five seeds: +4.5 points, 95% CI +2.4 to +7.1, within noise: false
}

// Timings of five seeds: mean and spread.
func ExampleSummarize() {
	s := stats.Summarize([]float64{31.2, 29.8, 33.0, 30.4, 30.9})
	fmt.Printf("%.1f ± %.1f ms per step (%.1f–%.1f, %d runs)\n", s.Mean, s.SD, s.Min, s.Max, s.N)
	// Output: 31.1 ± 1.2 ms per step (29.8–33.0, 5 runs)
}
