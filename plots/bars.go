package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bar is one category of a bar chart.
type Bar struct {
	Label string
	Value float64
	// Low and High, when Low < High, are drawn as an interval (error bar)
	// around the value: a confidence interval, or the spread of several
	// runs.
	Low, High float64
	// Color fills the bar; nil: the palette's first colour. Bars that stand
	// for classes take the class's colour (ClassColors).
	Color color.Color
}

// Bars draws one bar per category, labelled below and with its value
// written above it: the chart for a few numbers whose x axis is a list of
// names (a cold and a warm pass, one accuracy per method), where a line
// would suggest values between the categories. Bars start at zero.
//
// It returns an error if there are no bars, or a value or interval bound
// is NaN or infinite, or an interval has Low > High.
func Bars(title, yLabel string, bars ...Bar) (*Chart, error) {
	if len(bars) == 0 {
		return nil, errors.New("plots: Bars: no bars")
	}
	longest := 0
	for i, b := range bars {
		what := fmt.Sprintf("Bars: bar %d (%q)", i, b.Label)
		if err := checkFinite(what, []float64{b.Value, b.Low, b.High}); err != nil {
			return nil, err
		}
		if b.Low > b.High {
			return nil, fmt.Errorf("plots: %s: interval [%v, %v] has Low above High", what, b.Low, b.High)
		}
		longest = max(longest, len([]rune(b.Label)))
	}
	p := newPlot(title, "", yLabel)
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil // categories have no grid lines
	bp := &barPlotter{bars: bars}
	p.Add(grid, bp)
	_, _, lo, hi := bp.DataRange()
	ticks := make([]plot.Tick, len(bars))
	for i, b := range bars {
		ticks[i] = plot.Tick{Value: float64(i), Label: b.Label}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Length = 0
	if longest*len(bars) > 60 { // names would overlap side by side: slant them
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
	p.X.Min, p.X.Max = -0.6, float64(len(bars))-0.4
	// Room above (and below) for the value labels.
	span := hi - lo
	if span == 0 {
		span = 1
	}
	p.Y.Min, p.Y.Max = lo, hi+0.12*span
	if lo < 0 {
		p.Y.Min = lo - 0.12*span
	}
	c := newChart(p)
	c.Width = min(DefaultWidth, vg.Length(len(bars))*2.8*vg.Centimeter+4*vg.Centimeter)
	return c, nil
}

// barPlotter draws the bars of Bars at x = 0, 1, 2, …
type barPlotter struct{ bars []Bar }

const barWidth = 0.6 // in categories

// DataRange spans the categories and, vertically, 0, every value and
// every interval.
func (bp *barPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = 0, 0
	for _, b := range bp.bars {
		ymin, ymax = math.Min(ymin, b.Value), math.Max(ymax, b.Value)
		if b.Low < b.High {
			ymin, ymax = math.Min(ymin, b.Low), math.Max(ymax, b.High)
		}
	}
	return -0.5, float64(len(bp.bars)) - 0.5, ymin, ymax
}

func (bp *barPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := p.Y.Tick.Label
	sty.Font.Size = vg.Points(10)
	sty.XAlign = draw.XCenter
	line := draw.LineStyle{Color: Palette[10], Width: vg.Points(1.2)}
	for i, b := range bp.bars {
		x := float64(i)
		r := vg.Rectangle{
			Min: vg.Point{X: trX(x - barWidth/2), Y: trY(math.Min(0, b.Value))},
			Max: vg.Point{X: trX(x + barWidth/2), Y: trY(math.Max(0, b.Value))},
		}
		fill := b.Color
		if fill == nil {
			fill = Palette[0]
		}
		c.SetColor(fill)
		c.Fill(r.Path())
		top := b.Value
		if b.Low < b.High {
			whisker := (trX(x+barWidth/6) - trX(x-barWidth/6)) / 2
			xm := trX(x)
			c.StrokeLine2(line, xm, trY(b.Low), xm, trY(b.High))
			c.StrokeLine2(line, xm-whisker, trY(b.Low), xm+whisker, trY(b.Low))
			c.StrokeLine2(line, xm-whisker, trY(b.High), xm+whisker, trY(b.High))
			if b.Value >= 0 {
				top = math.Max(top, b.High)
			} else {
				top = math.Min(top, b.Low)
			}
		}
		label := strconv.FormatFloat(b.Value, 'g', 3, 64)
		if b.Value >= 0 {
			sty.YAlign = draw.YBottom
			c.FillText(sty, vg.Point{X: trX(x), Y: trY(top) + vg.Points(3)}, label)
		} else {
			sty.YAlign = draw.YTop
			c.FillText(sty, vg.Point{X: trX(x), Y: trY(top) - vg.Points(3)}, label)
		}
	}
}
