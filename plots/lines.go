package plots

import (
	"errors"
	"fmt"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Series is one named curve of a line chart, e.g. training loss per step.
type Series struct {
	Name string
	// X holds the horizontal positions; nil means 0, 1, 2, … (steps).
	X []float64
	// Y holds the values; it must not be empty.
	Y []float64
}

// Lines returns a line chart with one curve per series, each with its own
// colour (and, beyond ten series, dash pattern) and a legend entry. Use it
// for loss or accuracy against step, or train against validation.
//
// It returns an error if there are no series, a series is empty, X and Y
// differ in length, or a value is NaN or infinite.
func Lines(title, xLabel, yLabel string, series ...Series) (*Chart, error) {
	if len(series) == 0 {
		return nil, errors.New("plots: Lines: no series")
	}
	p := newPlot(title, xLabel, yLabel)
	p.Add(plotter.NewGrid())
	for i, s := range series {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("series %d", i)
		}
		what := fmt.Sprintf("Lines: series %q", name)
		if len(s.Y) == 0 {
			return nil, fmt.Errorf("plots: %s: no values", what)
		}
		if s.X != nil && len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("plots: %s: %d X values but %d Y values", what, len(s.X), len(s.Y))
		}
		if err := checkFinite(what+" X", s.X); err != nil {
			return nil, err
		}
		if err := checkFinite(what+" Y", s.Y); err != nil {
			return nil, err
		}
		xys := make(plotter.XYs, len(s.Y))
		for j, y := range s.Y {
			xys[j].X = float64(j)
			if s.X != nil {
				xys[j].X = s.X[j]
			}
			xys[j].Y = y
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("plots: %s: %w", what, err)
		}
		line.Color, line.Dashes = SeriesStyle(i)
		line.Width = vg.Points(1.5)
		p.Add(line)
		if s.Name != "" {
			p.Legend.Add(s.Name, line)
		}
	}
	return newChart(p), nil
}

// LogY switches the vertical axis to a logarithmic scale, the usual view of
// a loss that falls over decades. All values must then be positive: Render
// returns an error otherwise. It does nothing for multi-panel charts.
func (c *Chart) LogY() *Chart {
	if c.Plot != nil {
		c.Plot.Y.Scale = plot.LogScale{}
		c.Plot.Y.Tick.Marker = logTicks{}
	}
	return c
}

// LogX switches the horizontal axis to a logarithmic scale, for X values
// spread over decades (seconds for one method, minutes for another). All X
// values must then be positive: Render returns an error otherwise. It does
// nothing for multi-panel charts.
func (c *Chart) LogX() *Chart {
	if c.Plot != nil {
		c.Plot.X.Scale = plot.LogScale{}
		c.Plot.X.Tick.Marker = logTicks{}
	}
	return c
}

// logTicks is gonum's LogTicks with labels rounded to 6 significant digits:
// its powers of ten come from math.Pow and would otherwise print as
// "1000.0000000000007".
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for _, t := range (plot.LogTicks{Prec: -1}).Ticks(min, max) {
		// LogTicks rounds out to whole decades; a tick beyond the data range
		// makes gonum pad the axis as if it were drawn there, squeezing the
		// data into part of the chart.
		if t.Value < min*(1-1e-9) || t.Value > max*(1+1e-9) {
			continue
		}
		if t.Label != "" {
			t.Label = strconv.FormatFloat(t.Value, 'g', 6, 64)
		}
		ticks = append(ticks, t)
	}
	labelled := false
	for _, t := range ticks {
		labelled = labelled || t.Label != ""
	}
	if !labelled { // less than a decade: label the in-between ticks
		for i := range ticks {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 6, 64)
		}
	}
	return ticks
}
