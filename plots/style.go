package plots

import (
	"image/color"
	"math"
	"strconv"
	"strings"
	"unicode"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Palette holds the series colours, in order: Tableau's ten categorical
// colours, chosen for being told apart on screen and in print, then near
// black and navy, so that twelve series all have their own colour. Series
// beyond twelve reuse the colours with a dash pattern (see SeriesStyle).
var Palette = []color.Color{
	rgb(0x1f, 0x77, 0xb4), // blue
	rgb(0xff, 0x7f, 0x0e), // orange
	rgb(0x2c, 0xa0, 0x2c), // green
	rgb(0xd6, 0x27, 0x28), // red
	rgb(0x94, 0x67, 0xbd), // purple
	rgb(0x8c, 0x56, 0x4b), // brown
	rgb(0xe3, 0x77, 0xc2), // pink
	rgb(0x7f, 0x7f, 0x7f), // grey
	rgb(0xbc, 0xbd, 0x22), // olive
	rgb(0x17, 0xbe, 0xcf), // cyan
	rgb(0x22, 0x22, 0x22), // near black
	rgb(0x39, 0x3b, 0x79), // navy
}

// mistakeColor marks wrong predictions in image grids.
var mistakeColor = rgb(0xd6, 0x27, 0x28)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

// Dashes are the line patterns of series beyond the palette's length: the
// first pass over Palette is solid, the next ones dashed, dotted and
// dash-dotted, so 48 series stay distinct in colour or pattern.
var Dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(1.5), vg.Points(3)},
}

// SeriesStyle returns the colour and dash pattern (nil: solid) of the i-th
// series of a chart. No two of the first len(Palette)·len(Dashes) series
// share both.
func SeriesStyle(i int) (color.Color, []vg.Length) {
	i = max(i, 0)
	return Palette[i%len(Palette)], Dashes[(i/len(Palette))%len(Dashes)]
}

// namedColors maps colour words to the colour a class so named is drawn in:
// Palette's shade where it has one (so class and series colours agree), a
// darker yellow and a light grey for yellow and white, which would vanish
// on a white background.
var namedColors = map[string]color.Color{
	"blue": Palette[0], "orange": Palette[1], "green": Palette[2], "red": Palette[3],
	"purple": Palette[4], "violet": Palette[4], "brown": Palette[5], "pink": Palette[6],
	"grey": Palette[7], "gray": Palette[7], "olive": Palette[8], "cyan": Palette[9],
	"black": Palette[10], "navy": Palette[11],
	"yellow":  rgb(0xe0, 0xb4, 0x00),
	"gold":    rgb(0xe0, 0xb4, 0x00),
	"white":   rgb(0xb8, 0xb8, 0xb8),
	"magenta": rgb(0xc4, 0x1e, 0xb4),
	"teal":    rgb(0x00, 0x80, 0x80),
	"lime":    rgb(0x7c, 0xcc, 0x1c),
}

// NamedColor returns the colour named by a word of name, if any: words are
// separated by anything but letters, and the first colour word wins
// ("red_disc" and "Red disc" give red, "cyan_ring" cyan, "daisy" none).
// White is drawn light grey and yellow darker, to show on white paper.
func NamedColor(name string) (color.Color, bool) {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range words {
		if c, ok := namedColors[w]; ok {
			return c, true
		}
	}
	return nil, false
}

// ClassColors returns one colour per class, the same in every chart of
// this package that draws classes (scatter plots, confusion matrices,
// prediction grids): the colour a class's name names (NamedColor), else the
// next Palette colour no other class uses. Beyond the palette, colours
// repeat (scatter plots then vary the marker shape).
func ClassColors(classNames []string) []color.Color {
	out := make([]color.Color, len(classNames))
	used := map[color.RGBA]bool{}
	for i, name := range classNames {
		if c, ok := NamedColor(name); ok && !used[toRGBA(c)] {
			out[i] = c
			used[toRGBA(c)] = true
		}
	}
	next := 0
	for i := range classNames {
		if out[i] != nil {
			continue
		}
		for tries := 0; tries < len(Palette) && used[toRGBA(Palette[next%len(Palette)])]; tries++ {
			next++
		}
		out[i] = Palette[next%len(Palette)]
		used[toRGBA(out[i])] = true
		next++
	}
	return out
}

func toRGBA(c color.Color) color.RGBA { return color.RGBAModel.Convert(c).(color.RGBA) }

// sans is the chart font: Liberation Sans, embedded in gonum/plot, so
// charts look the same on every machine.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns a plot with gotl's defaults: title, axis labels, plain
// tick labels, and a legend that drawPlot puts outside the data area.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	for _, ts := range []*draw.TextStyle{
		&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle,
	} {
		ts.Font.Typeface, ts.Font.Variant = sans.Typeface, sans.Variant
	}
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Padding = vg.Points(2)
	p.Legend.ThumbnailWidth = vg.Points(24) // long enough to show a dash pattern
	p.X.Tick.Marker = plainTicks{plot.DefaultTicks{}}
	p.Y.Tick.Marker = plainTicks{plot.DefaultTicks{}}
	return p
}

// legendGap separates the data area from the legend on its right.
const legendGap = 8 * vg.Millimeter / 2

// drawPlot draws p on dc with its legend, if any, in a column to the right
// of the data area, top-aligned with it: a legend never covers data, and
// the plot shrinks by the legend's width instead. (gonum/plot draws legends
// inside the data area.) It returns the data area, where gonum drew the
// axes' data range.
func drawPlot(p *plot.Plot, dc draw.Canvas) draw.Canvas {
	data, _ := drawPlotLegend(p, dc)
	return data
}

// drawPlotLegend is drawPlot, also returning the legend's box (empty when
// there is no legend).
func drawPlotLegend(p *plot.Plot, dc draw.Canvas) (draw.Canvas, vg.Rectangle) {
	dc, restoreLabel := drawYLabelOutside(p, dc)
	defer restoreLabel()
	dc, restoreXLabel := drawXLabelOutside(p, dc)
	defer restoreXLabel()
	legend := p.Legend
	p.Legend = plot.NewLegend() // empty: nothing drawn by p.Draw
	defer func() { p.Legend = legend }()

	size := legend.Rectangle(dc).Size()
	pad := legendPad
	width := legendWidth(legend, size)
	hasLegend := size.X > 0 && size.Y > 0
	plotArea := dc
	if hasLegend {
		plotArea.Max.X -= width + legendGap
	}
	plotArea, restoreTitle := drawWideTitle(p, dc, plotArea)
	defer restoreTitle()
	p.Draw(plotArea)
	data := p.DataCanvas(plotArea)
	if !hasLegend {
		return data, vg.Rectangle{}
	}
	box := vg.Rectangle{
		Min: vg.Point{X: plotArea.Max.X + legendGap, Y: data.Max.Y - size.Y - 2*pad},
		Max: vg.Point{X: plotArea.Max.X + legendGap + width, Y: data.Max.Y},
	}
	dc.SetColor(color.White)
	dc.Fill(box.Path())
	dc.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 0xc8}, Width: vg.Points(0.5)})
	dc.Stroke(box.Path())
	inner := dc
	inner.Rectangle = vg.Rectangle{
		Min: vg.Point{X: box.Min.X + pad, Y: box.Min.Y + pad},
		Max: vg.Point{X: box.Max.X - pad, Y: box.Max.Y - pad},
	}
	legend.XOffs, legend.YOffs = 0, 0
	legend.Draw(inner)
	return data, box
}

// legendPad is the space between the legend's box and its entries.
var legendPad = vg.Points(3)

// legendWidth is the width of the box drawPlot draws around a legend whose
// entries take size.
func legendWidth(l plot.Legend, size vg.Point) vg.Length {
	// Legend.Rectangle undercounts the text width by about one space.
	return size.X + l.TextStyle.Width(" ") + 2*legendPad
}

// legendColumn returns the width drawPlot takes for p's legend, beside the
// data: zero without a legend.
func legendColumn(p *plot.Plot) vg.Length {
	size := p.Legend.Rectangle(draw.Canvas{}).Size()
	if size.X <= 0 || size.Y <= 0 {
		return 0
	}
	return legendWidth(p.Legend, size) + legendGap
}

// drawWideTitle draws a title too wide for the plot area (which gonum
// centres over it, letting it run off the chart) across the whole chart
// instead, and returns the plot area left below it and a function that
// puts the title back.
func drawWideTitle(p *plot.Plot, chart, plotArea draw.Canvas) (draw.Canvas, func()) {
	title := p.Title
	if title.Text == "" || title.TextStyle.Width(title.Text) <= plotArea.Max.X-plotArea.Min.X {
		return plotArea, func() {}
	}
	sty := title.TextStyle
	sty.YAlign = draw.YTop
	x := chart.Center().X
	if sty.Width(title.Text) > chart.Max.X-chart.Min.X {
		sty.XAlign, x = draw.XLeft, chart.Min.X
	} else {
		sty.XAlign = draw.XCenter
	}
	chart.FillText(sty, vg.Point{X: x, Y: chart.Max.Y}, title.Text)
	plotArea.Max.Y -= sty.Height(title.Text) + title.Padding
	p.Title.Text = ""
	return plotArea, func() { p.Title.Text = title.Text }
}

// plainTicks relabels another Ticker's major ticks in the shortest form
// ("25", "0.6", "1e+06"), where gonum/plot pads labels to a shared precision
// ("0.00", "25.00").
type plainTicks struct{ plot.Ticker }

func (t plainTicks) Ticks(min, max float64) []plot.Tick {
	ticks := t.Ticker.Ticks(min, max)
	for i, tick := range ticks {
		if tick.Label != "" {
			v := tick.Value
			if math.Abs(v) < 1e-9*(max-min) { // rounding residue of a zero tick
				v = 0
			}
			ticks[i].Label = strconv.FormatFloat(v, 'g', 6, 64)
		}
	}
	return ticks
}

// drawYLabelOutside draws the Y axis label of a plot with a non-linear Y
// scale itself, in a strip on the left, and returns the canvas left for the
// plot and a function that puts the label back. gonum/plot v0.17 reserves
// room for a centred Y label at the data midpoint (Max+Min)/2, which on a
// log axis lies near the top, so it pads the top of the plot by half the
// label's length: an empty band under the title.
func drawYLabelOutside(p *plot.Plot, dc draw.Canvas) (draw.Canvas, func()) {
	label := p.Y.Label
	if _, linear := p.Y.Scale.(plot.LinearScale); linear || label.Text == "" || label.Position != draw.PosCenter {
		return dc, func() {}
	}
	sty := label.TextStyle
	sty.Rotation += math.Pi / 2
	x := dc.Min.X + label.TextStyle.Height(label.Text)
	dc.FillText(sty, vg.Point{X: x, Y: dc.Center().Y}, label.Text)
	rest := dc
	rest.Min.X += label.TextStyle.Height(label.Text) + label.Padding
	p.Y.Label.Text = ""
	return rest, func() { p.Y.Label.Text = label.Text }
}

// drawXLabelOutside is drawYLabelOutside for the X axis: gonum/plot v0.17
// centres a log X axis's label at the data midpoint, near the right end,
// and then narrows the data area to fit it. The label goes in a strip at
// the bottom instead, centred on the chart.
func drawXLabelOutside(p *plot.Plot, dc draw.Canvas) (draw.Canvas, func()) {
	label := p.X.Label
	if _, linear := p.X.Scale.(plot.LinearScale); linear || label.Text == "" || label.Position != draw.PosCenter {
		return dc, func() {}
	}
	sty := label.TextStyle
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
	descent := sty.FontExtents().Descent
	dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Min.Y + descent}, label.Text)
	rest := dc
	rest.Min.Y += label.TextStyle.Height(label.Text) + descent + label.Padding
	p.X.Label.Text = ""
	return rest, func() { p.X.Label.Text = label.Text }
}
