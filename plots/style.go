package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
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

// newPlot returns a plot with gotl's defaults: title, axis labels, a light
// grid-free look and the legend inside the top right corner.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	return p
}
