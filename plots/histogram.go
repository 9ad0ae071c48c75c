package plots

import "errors"

// Histogram draws the distribution of values (weights, activations) in bins
// equal-width bins (bins ≤ 0 picks a count from the data size), with the
// mean and standard deviation in the legend.
//
// It returns an error if values is empty or holds NaN or infinite values.
func Histogram(title, xLabel string, values []float64, bins int) (*Chart, error) {
	return nil, errors.New("plots: Histogram: not implemented yet")
}
