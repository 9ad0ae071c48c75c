package plots

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

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
}

// ImageGrid lays tiles out in rows of columns pictures (columns ≤ 0 picks a
// near-square grid), each scaled to fit its cell with its aspect ratio kept
// and its caption above it. SetTitle adds a title.
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
	c := &Chart{Width: DefaultWidth, DPI: DefaultDPI, draw: g.draw, grid: g}
	// Square picture cells plus captions.
	cell := (c.Width - 2*gridMargin) / vg.Length(columns)
	c.Height = 2*gridMargin + vg.Length(g.rows)*(cell+g.captionHeight())
	return c, nil
}

// PredictionGrid is ImageGrid for a classifier's results: each caption reads
// "true: …" and "pred: …" with class names, and tiles whose prediction is
// wrong are marked in red.
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
			Image:   img,
			Caption: "true: " + classNames[t] + "\npred: " + classNames[p],
			Mistake: t != p,
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

// imageGrid is the layout of ImageGrid.
type imageGrid struct {
	tiles         []Tile
	columns, rows int
	captionLines  int
	title         string
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
	area := draw.Crop(c, gridMargin, -gridMargin, gridMargin, -gridMargin)
	if g.title != "" {
		ts := g.titleStyle()
		area.FillText(ts, vg.Point{X: area.Center().X, Y: area.Max.Y}, g.title)
		area.Max.Y -= ts.Height(g.title) + gridGap
	}
	cellW := (area.Max.X - area.Min.X) / vg.Length(g.columns)
	cellH := (area.Max.Y - area.Min.Y) / vg.Length(g.rows)
	capH := g.captionHeight()
	sty := g.captionStyle()
	lineH := sty.Height("M") * 1.15
	for i, t := range g.tiles {
		col, row := i%g.columns, i/g.columns
		x0 := area.Min.X + vg.Length(col)*cellW
		yTop := area.Max.Y - vg.Length(row)*cellH
		sty.Color = color.Gray{Y: 0x30}
		if t.Mistake {
			sty.Color = mistakeColor
		}
		for k, line := range captionLines(t.Caption) {
			c.FillText(sty, vg.Point{X: x0 + cellW/2, Y: yTop - vg.Length(k)*lineH}, fitText(sty, line, cellW-gridGap))
		}
		// The picture's box: below the caption, inset by half a gap.
		boxW := cellW - gridGap
		boxH := cellH - capH - gridGap
		if boxW <= 0 || boxH <= 0 {
			continue
		}
		b := t.Image.Bounds()
		scale := math.Min(float64(boxW)/float64(b.Dx()), float64(boxH)/float64(b.Dy()))
		w, h := vg.Length(float64(b.Dx())*scale), vg.Length(float64(b.Dy())*scale)
		cx := x0 + cellW/2
		cy := yTop - capH - boxH/2
		r := vg.Rectangle{Min: vg.Point{X: cx - w/2, Y: cy - h/2}, Max: vg.Point{X: cx + w/2, Y: cy + h/2}}
		c.DrawImage(r, t.Image)
		if t.Mistake {
			c.SetLineStyle(draw.LineStyle{Color: mistakeColor, Width: vg.Points(2.5)})
			c.Stroke(r.Path())
		}
	}
}
