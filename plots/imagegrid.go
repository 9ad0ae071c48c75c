package plots

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"unicode"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Tile is one picture of an image grid.
type Tile struct {
	Image image.Image
	// Caption is written above the picture; "\n" separates lines.
	Caption string
	// Mistake draws the tile with a red frame and caption.
	Mistake bool
	// Swatches, if not nil, puts a small square of Swatches[i] (nil: none)
	// before caption line i: a class's colour, as in Scatter and
	// ConfusionMatrix. When nil, a caption line whose first word is a colour
	// (a class name such as "red_disc" or "cyan ring") gets that colour's
	// swatch.
	Swatches []color.Color
}

// Sizes of the pictures of an image grid, in pixels at DefaultDPI.
const (
	// PictureTarget is the size ImageGrid enlarges small pictures towards:
	// by the largest whole factor that keeps their longer side within it,
	// drawing each pixel as a k×k block (nearest neighbour), so a 32×32
	// image is shown at 160×160, crisp.
	PictureTarget = 160
	// PictureMax is the longest side a picture is shown at; larger images
	// are scaled down (smoothly) to it.
	PictureMax = 192
	// GridMaxWidth bounds a grid's width: pictures get a smaller whole
	// factor (down to 1) rather than make a row wider than this.
	GridMaxWidth = 900
)

// ImageGrid lays tiles out in rows of columns pictures (columns ≤ 0 picks a
// near-square grid), each with its caption above it. Every picture is
// scaled by the same factor, chosen from the largest one: small images are
// enlarged by a whole factor towards PictureTarget pixels with nearest-
// neighbour sampling, large ones reduced to PictureMax, and a row stays
// within GridMaxWidth when it can. The chart's size follows from that (see
// PictureTarget); SetTitle adds a title.
//
// It returns an error if there are no tiles or a tile has a nil or empty
// image.
func ImageGrid(tiles []Tile, columns int) (*Chart, error) {
	if len(tiles) == 0 {
		return nil, errors.New("plots: ImageGrid: no tiles")
	}
	for i, t := range tiles {
		if t.Image == nil || t.Image.Bounds().Empty() {
			return nil, fmt.Errorf("plots: ImageGrid: tile %d (%q) has no image", i, t.Caption)
		}
	}
	if columns <= 0 {
		columns = int(math.Ceil(math.Sqrt(float64(len(tiles)))))
	}
	columns = min(columns, len(tiles))
	g := &imageGrid{tiles: tiles, columns: columns, rows: (len(tiles) + columns - 1) / columns}
	for _, t := range tiles {
		g.captionLines = max(g.captionLines, len(captionLines(t.Caption)))
	}
	g.layout()
	c := &Chart{DPI: DefaultDPI, draw: g.draw, grid: g}
	c.Width, c.Height = g.size()
	return c, nil
}

// PredictionGrid is ImageGrid for a classifier's results: each caption reads
// "true: …" and "pred: …" with class names, each after a swatch of the
// class's colour (ClassColors), and tiles whose prediction is wrong are
// marked in red.
//
// It returns an error if the slices differ in length, are empty, or hold a
// label outside [0, len(classNames)).
func PredictionGrid(images []image.Image, trueLabels, predicted []int, classNames []string, columns int) (*Chart, error) {
	if len(images) != len(trueLabels) || len(images) != len(predicted) {
		return nil, fmt.Errorf("plots: PredictionGrid: %d images, %d true labels and %d predictions (want equal counts)",
			len(images), len(trueLabels), len(predicted))
	}
	if len(images) == 0 {
		return nil, errors.New("plots: PredictionGrid: no images")
	}
	tiles := make([]Tile, len(images))
	colours := ClassColors(classNames)
	wrong := 0
	for i, img := range images {
		t, p := trueLabels[i], predicted[i]
		if t < 0 || t >= len(classNames) {
			return nil, fmt.Errorf("plots: PredictionGrid: true label %d of image %d is outside [0, %d)", t, i, len(classNames))
		}
		if p < 0 || p >= len(classNames) {
			return nil, fmt.Errorf("plots: PredictionGrid: predicted label %d of image %d is outside [0, %d)", p, i, len(classNames))
		}
		tiles[i] = Tile{
			Image:    img,
			Caption:  "true: " + classNames[t] + "\npred: " + classNames[p],
			Mistake:  t != p,
			Swatches: []color.Color{colours[t], colours[p]},
		}
		if t != p {
			wrong++
		}
	}
	c, err := ImageGrid(tiles, columns)
	if err != nil {
		return nil, errors.New(strings.Replace(err.Error(), "ImageGrid", "PredictionGrid", 1))
	}
	return c.SetTitle(fmt.Sprintf("%d of %d correct (mistakes in red)", len(images)-wrong, len(images))), nil
}

const (
	gridMargin = 4 * vg.Millimeter
	gridGap    = 2 * vg.Millimeter
)

// pixel is one pixel at DefaultDPI.
const pixel = vg.Inch / DefaultDPI

// imageGrid is the layout of ImageGrid.
type imageGrid struct {
	tiles         []Tile
	columns, rows int
	captionLines  int
	title         string

	// Set by layout: the scale of every picture (k > 1 means k×k blocks),
	// the largest picture's box and a cell's width, in pixels.
	scale        float64
	box          int
	cellW, cellH int
}

// layout picks the picture scale and the cell size.
func (g *imageGrid) layout() {
	side := 0
	for _, t := range g.tiles {
		b := t.Image.Bounds()
		side = max(side, b.Dx(), b.Dy())
	}
	gap := int(math.Ceil(float64(gridGap / pixel)))
	captionW := 0
	sty := g.captionStyle()
	for _, t := range g.tiles {
		for _, line := range captionLines(t.Caption) {
			captionW = max(captionW, int(math.Ceil(float64((sty.Width(line)+swatchRoom(sty))/pixel))))
		}
	}
	cell := func(box int) int {
		// Captions may widen a cell up to 1.6 pictures; longer ones are cut.
		return max(box, min(captionW, box*8/5)) + gap
	}
	if side > PictureMax {
		g.scale = float64(PictureMax) / float64(side)
	} else {
		k := max(1, PictureTarget/side)
		for k > 1 && g.columns*cell(k*side) > GridMaxWidth {
			k--
		}
		g.scale = float64(k)
	}
	g.box = int(math.Round(float64(side) * g.scale))
	g.cellW = cell(g.box)
	g.cellH = ceilPx(g.captionHeight()) + g.box + gap
}

// size returns the chart size: the cells, the title and the margins.
func (g *imageGrid) size() (w, h vg.Length) {
	margin := ceilPx(gridMargin)
	wPx := g.columns*g.cellW + 2*margin
	hPx := g.rows*g.cellH + 2*margin
	if g.title != "" {
		wPx = max(wPx, ceilPx(g.titleStyle().Width(g.title))+2*margin)
		hPx += g.titlePx()
	}
	return vg.Length(wPx) * pixel, vg.Length(hPx) * pixel
}

// ceilPx is l in whole pixels, rounded up: sizes and draw agree on it, so
// that pictures land on whole pixels.
func ceilPx(l vg.Length) int { return int(math.Ceil(float64(l / pixel))) }

// titlePx is the height the title and the gap below it take, in pixels.
func (g *imageGrid) titlePx() int {
	return ceilPx(g.titleStyle().Height(g.title) + gridGap)
}

// swatchRoom is the width a caption swatch and its gap take.
func swatchRoom(sty text.Style) vg.Length { return sty.Height("M") * 1.3 }

// scaled returns img as drawn: enlarged by the whole factor k with each
// pixel a k×k block, or unchanged (DrawImage then scales it smoothly).
func scaled(img image.Image, scale float64) image.Image {
	k := int(scale)
	if float64(k) != scale || k <= 1 {
		return img
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()*k, b.Dy()*k))
	for y := range b.Dy() {
		for x := range b.Dx() {
			c := color.RGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
			for dy := range k {
				row := out.Pix[out.PixOffset(x*k, y*k+dy):]
				for dx := range k {
					copy(row[4*dx:4*dx+4], []uint8{c.R, c.G, c.B, c.A})
				}
			}
		}
	}
	return out
}

func (g *imageGrid) captionStyle() text.Style {
	return text.Style{
		Color:   color.Gray{Y: 0x30},
		Font:    font.From(sans, vg.Points(9)),
		Handler: plot.DefaultTextHandler,
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
	}
}

func (g *imageGrid) titleStyle() text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(sans, vg.Points(13)),
		Handler: plot.DefaultTextHandler,
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
	}
}

func (g *imageGrid) captionHeight() vg.Length {
	if g.captionLines == 0 {
		return gridGap
	}
	return vg.Length(g.captionLines)*g.captionStyle().Height("M")*1.15 + gridGap
}

func captionLines(caption string) []string {
	if caption == "" {
		return nil
	}
	return strings.Split(caption, "\n")
}

// fitText shortens s with an ellipsis until it is at most width wide.
func fitText(sty text.Style, s string, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && sty.Width(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func (g *imageGrid) draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	margin := vg.Length(ceilPx(gridMargin)) * pixel
	top := c.Max.Y - margin
	if g.title != "" {
		c.FillText(g.titleStyle(), vg.Point{X: c.Center().X, Y: top}, g.title)
		top -= vg.Length(g.titlePx()) * pixel
	}
	// Centre the cells when the title made the chart wider.
	left := c.Center().X - vg.Length(g.columns*g.cellW/2)*pixel
	left = vg.Length(math.Round(float64(left/pixel))) * pixel
	cellW, cellH := vg.Length(g.cellW)*pixel, vg.Length(g.cellH)*pixel
	capH := vg.Length(ceilPx(g.captionHeight())) * pixel
	sty := g.captionStyle()
	lineH := sty.Height("M") * 1.15
	for i, t := range g.tiles {
		col, row := i%g.columns, i/g.columns
		x0 := left + vg.Length(col)*cellW
		yTop := top - vg.Length(row)*cellH
		sty.Color = color.Gray{Y: 0x30}
		if t.Mistake {
			sty.Color = mistakeColor
		}
		for k, line := range captionLines(t.Caption) {
			g.drawCaptionLine(c, sty, line, swatch(t, k, line), vg.Point{X: x0 + cellW/2, Y: yTop - vg.Length(k)*lineH}, cellW-gridGap)
		}
		b := t.Image.Bounds()
		wPx := int(math.Round(float64(b.Dx()) * g.scale))
		hPx := int(math.Round(float64(b.Dy()) * g.scale))
		// Whole pixels, so an enlarged picture is copied, not resampled.
		px := vg.Length(math.Round(float64((x0+cellW/2)/pixel)) - float64(wPx/2))
		py := vg.Length(math.Round(float64((yTop-capH-vg.Length(g.box)*pixel/2)/pixel)) - float64(hPx/2))
		r := vg.Rectangle{Min: vg.Point{X: px * pixel, Y: py * pixel}}
		r.Max = vg.Point{X: r.Min.X + vg.Length(wPx)*pixel, Y: r.Min.Y + vg.Length(hPx)*pixel}
		c.DrawImage(r, scaled(t.Image, g.scale))
		if t.Mistake {
			c.SetLineStyle(draw.LineStyle{Color: mistakeColor, Width: vg.Points(2.5)})
			c.Stroke(r.Path())
		}
	}
}

// swatch returns the colour of caption line k's swatch, or nil.
func swatch(t Tile, k int, line string) color.Color {
	if t.Swatches != nil {
		if k < len(t.Swatches) {
			return t.Swatches[k]
		}
		return nil
	}
	words := strings.FieldsFunc(line, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) == 0 {
		return nil
	}
	c, _ := NamedColor(words[0])
	return c
}

// drawCaptionLine writes one caption line centred at top, shortened to
// width, with a colour swatch before it when col is not nil.
func (g *imageGrid) drawCaptionLine(c draw.Canvas, sty text.Style, line string, col color.Color, top vg.Point, width vg.Length) {
	if col == nil {
		c.FillText(sty, top, fitText(sty, line, width))
		return
	}
	room := swatchRoom(sty)
	line = fitText(sty, line, width-room)
	x := top.X - (sty.Width(line)+room)/2
	h := sty.Height("M") * 0.8
	sq := vg.Rectangle{Min: vg.Point{X: x, Y: top.Y - h*1.2}, Max: vg.Point{X: x + h, Y: top.Y - h*0.2}}
	c.SetColor(col)
	c.Fill(sq.Path())
	sty.XAlign = draw.XLeft
	c.FillText(sty, vg.Point{X: x + room, Y: top.Y}, line)
}
