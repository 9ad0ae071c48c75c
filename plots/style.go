package plots

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Palette holds the series colours, in order: Tableau's ten categorical
// colours, chosen for being told apart on screen and in print. Series beyond
// ten reuse the colours with a dash pattern (see seriesStyle), so twenty
// series stay distinguishable.
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
}

// mistakeColor marks wrong predictions in image grids.
var mistakeColor = rgb(0xd6, 0x27, 0x28)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

// dashes cycles once per full pass over Palette.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
}

// seriesStyle returns the colour and dash pattern of the i-th series.
func seriesStyle(i int) (color.Color, []vg.Length) {
	return Palette[i%len(Palette)], dashes[(i/len(Palette))%len(dashes)]
}

// sans is the chart font: Liberation Sans, embedded in gonum/plot, so
// charts look the same on every machine.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns a plot with gotl's defaults: title, axis labels, and the
// legend inside the top right corner (drawn on a box by drawPlot).
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
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), -vg.Points(5)
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Padding = vg.Points(2)
	p.X.Tick.Marker = plainTicks{plot.DefaultTicks{}}
	p.Y.Tick.Marker = plainTicks{plot.DefaultTicks{}}
	return p
}

// drawPlot draws p with its legend on a translucent white box, so the
// legend stays readable over lines and heat maps. (gonum/plot draws legends
// without a background.)
func drawPlot(p *plot.Plot, dc draw.Canvas) {
	dc, restoreLabel := drawYLabelOutside(p, dc)
	defer restoreLabel()
	legend := p.Legend
	p.Legend = plot.NewLegend() // empty: nothing drawn by p.Draw
	p.Draw(dc)
	p.Legend = legend
	data := p.DataCanvas(dc)
	// Legend.Rectangle sizes the legend right but mirrors its horizontal
	// position, so place the box from the size.
	size := legend.Rectangle(data).Size()
	if size.X <= 0 || size.Y <= 0 {
		return
	}
	var r vg.Rectangle
	if legend.Left {
		r.Min.X = data.Min.X + legend.XOffs
		r.Max.X = r.Min.X + size.X
	} else {
		r.Max.X = data.Max.X + legend.XOffs
		r.Min.X = r.Max.X - size.X
	}
	if legend.Top {
		r.Max.Y = data.Max.Y + legend.YOffs
		r.Min.Y = r.Max.Y - size.Y
	} else {
		r.Min.Y = data.Min.Y + legend.YOffs
		r.Max.Y = r.Min.Y + size.Y
	}
	pad := vg.Points(3)
	box := vg.Rectangle{
		Min: vg.Point{X: r.Min.X - pad, Y: r.Min.Y - pad},
		Max: vg.Point{X: r.Max.X + pad, Y: r.Max.Y + pad},
	}
	// Legend.Rectangle undercounts the text width by about one space.
	if legend.Left {
		box.Max.X += legend.TextStyle.Width(" ")
	} else {
		box.Min.X -= legend.TextStyle.Width(" ")
	}
	data.SetColor(color.NRGBA{R: 255, G: 255, B: 255, A: 0xd8})
	data.Fill(box.Path())
	data.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 0xc8}, Width: vg.Points(0.5)})
	data.Stroke(box.Path())
	legend.Draw(data)
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
