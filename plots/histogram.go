package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Histogram draws the distribution of values (weights, activations) in bins
// equal-width bins (bins ≤ 0 picks a count from the data: the
// Freedman–Diaconis rule, kept within [10, 100]), with the count, mean and
// standard deviation (n−1 denominator) under the title.
//
// It returns an error if values is empty or holds NaN or infinite values.
func Histogram(title, xLabel string, values []float64, bins int) (*Chart, error) {
	if len(values) == 0 {
		return nil, errors.New("plots: Histogram: no values")
	}
	if err := checkFinite("Histogram: values", values); err != nil {
		return nil, err
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	lo, hi := sorted[0], sorted[len(sorted)-1]
	if bins <= 0 {
		bins = autoBins(sorted)
	}
	if lo == hi { // one value: one bin of unit width around it
		lo, hi, bins = lo-0.5, hi+0.5, 1
	}
	width := (hi - lo) / float64(bins)
	h := &plotter.Histogram{Width: width, Bins: make([]plotter.HistogramBin, bins)}
	for i := range h.Bins {
		h.Bins[i].Min = lo + float64(i)*width
		h.Bins[i].Max = lo + float64(i+1)*width
	}
	for _, v := range sorted {
		i := min(bins-1, int((v-lo)/width))
		h.Bins[i].Weight++
	}
	col := Palette[0].(color.RGBA)
	h.FillColor = color.NRGBA{R: col.R, G: col.G, B: col.B, A: 0xc0}
	h.LineStyle.Color = color.White
	h.LineStyle.Width = vg.Points(0.5)

	p := newPlot(title, xLabel, "count")
	p.Add(plotter.NewGrid(), h)
	mean, std := MeanStd(values)
	// The summary is a second title line: a legend beside the bars would
	// take a third of the width for one entry.
	p.Title.Text = strings.TrimSpace(title + "\n" + fmt.Sprintf("n=%d  mean=%.4g  std=%.4g", len(values), mean, std))
	tallest := 0.0
	for _, b := range h.Bins {
		tallest = max(tallest, b.Weight)
	}
	p.Y.Min, p.Y.Max = 0, tallest*1.05
	return newChart(p), nil
}

// MeanStd returns the mean and standard deviation of values as Histogram's
// title shows them: the sample standard deviation, with n−1 in the
// denominator (0 for fewer than two values). Text beside a histogram should
// quote these, so that the two never disagree.
func MeanStd(values []float64) (mean, std float64) {
	if len(values) == 0 {
		return math.NaN(), math.NaN()
	}
	mean, std = stat.MeanStdDev(values, nil)
	if len(values) < 2 {
		std = 0
	}
	return mean, std
}

// autoBins applies the Freedman–Diaconis rule (bin width 2·IQR·n^(−1/3)) to
// sorted data, within [10, 100] bins; with no spread it falls back to √n.
func autoBins(sorted []float64) int {
	n := float64(len(sorted))
	iqr := stat.Quantile(0.75, stat.Empirical, sorted, nil) - stat.Quantile(0.25, stat.Empirical, sorted, nil)
	span := sorted[len(sorted)-1] - sorted[0]
	bins := math.Sqrt(n)
	if iqr > 0 && span > 0 {
		bins = span / (2 * iqr * math.Cbrt(1/n))
	}
	return int(math.Max(10, math.Min(100, math.Ceil(bins))))
}
