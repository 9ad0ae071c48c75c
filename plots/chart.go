package plots

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gotl/gotl/helpers/nb"
	"github.com/gotl/gotl/internal/util"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default sizes of a chart. 16 cm × 10 cm at 96 DPI is 605 × 378 pixels:
// wide enough for a legend beside the data, small enough for a notebook
// column.
const (
	DefaultWidth  = 16 * vg.Centimeter
	DefaultHeight = 10 * vg.Centimeter
	DefaultDPI    = 96
)

// Chart is a figure ready to render: one gonum plot, or several panels (an
// image grid). Every constructor in this package returns a *Chart, so all
// charts share one surface: Show and ShowSVG display inline in a notebook,
// Save writes a file, Render returns the encoded bytes.
//
// Plot, when not nil, is the underlying gonum plot; it can be adjusted (axis
// ranges, title, extra plotters) before rendering.
type Chart struct {
	// Plot is the chart's gonum plot; nil for multi-panel charts.
	Plot *plot.Plot
	// Width and Height are the size of the rendered chart.
	Width, Height vg.Length
	// DPI is the resolution of raster formats (PNG, JPEG, TIFF).
	DPI int

	// draw paints the whole chart on a canvas; nil means Plot.Draw.
	draw func(draw.Canvas)
	// grid is the layout of an image grid (its title lives there).
	grid *imageGrid
	// dataArea is where the last paint drew Plot's data range.
	dataArea vg.Rectangle
}

// newChart wraps p with the default size.
func newChart(p *plot.Plot) *Chart {
	return &Chart{Plot: p, Width: DefaultWidth, Height: DefaultHeight, DPI: DefaultDPI}
}

// SetTitle sets the chart's title and returns the chart.
func (c *Chart) SetTitle(title string) *Chart {
	if c.Plot != nil {
		c.Plot.Title.Text = title
	}
	if c.grid != nil {
		// The grid keeps its pictures' size and grows to fit the title.
		c.grid.title = title
		c.Width, c.Height = c.grid.size()
	}
	return c
}

// SetSize sets the rendered size and returns the chart.
func (c *Chart) SetSize(width, height vg.Length) *Chart {
	c.Width, c.Height = width, height
	return c
}

// Formats lists the formats Render and Save accept (Save picks one from the
// file's extension).
var Formats = []string{"png", "svg", "pdf", "jpg", "jpeg", "tif", "tiff"}

// Render encodes the chart in the given format: "png", "svg", "pdf",
// "jpg"/"jpeg" or "tif"/"tiff". (gonum's EPS writer emits a malformed
// header, so EPS is not offered.)
func (c *Chart) Render(format string) ([]byte, error) {
	var buf bytes.Buffer
	if err := c.write(&buf, strings.ToLower(format)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// renderWithArea is Render for a plot, also returning where its data area
// was drawn, in the canvas's coordinates (points from the bottom left).
func (c *Chart) renderWithArea(format string) ([]byte, vg.Rectangle, error) {
	if c.Plot == nil {
		return nil, vg.Rectangle{}, errors.New("plots: chart has no plot, so no data area")
	}
	data, err := c.Render(format)
	return data, c.dataArea, err
}

func (c *Chart) write(w io.Writer, format string) error {
	if c.Width <= 0 || c.Height <= 0 {
		return fmt.Errorf("plots: chart size %v × %v is not positive", c.Width, c.Height)
	}
	dpi := c.DPI
	if dpi <= 0 {
		dpi = DefaultDPI
	}
	raster := func() *vgimg.Canvas {
		return vgimg.NewWith(vgimg.UseWH(c.Width, c.Height), vgimg.UseDPI(dpi))
	}
	var canvas interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch format {
	case "png":
		canvas = vgimg.PngCanvas{Canvas: raster()}
	case "jpg", "jpeg":
		canvas = vgimg.JpegCanvas{Canvas: raster()}
	case "tif", "tiff":
		canvas = vgimg.TiffCanvas{Canvas: raster()}
	case "svg":
		canvas = vgsvg.New(c.Width, c.Height)
	case "pdf":
		canvas = vgpdf.New(c.Width, c.Height)
	default:
		return fmt.Errorf("plots: unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	if err := c.paint(draw.New(canvas)); err != nil {
		return err
	}
	if _, err := canvas.WriteTo(w); err != nil {
		return fmt.Errorf("plots: encoding %s: %w", format, err)
	}
	return nil
}

// paint draws the chart, turning a panic inside gonum/plot (which panics on
// some impossible layouts, e.g. a canvas too small for its labels) into an
// error.
func (c *Chart) paint(dc draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plots: drawing chart: %v", r)
		}
	}()
	switch {
	case c.draw != nil:
		c.draw(dc)
	case c.Plot != nil:
		c.dataArea = drawPlot(c.Plot, dc).Rectangle
	default:
		return errors.New("plots: empty chart (no plot)")
	}
	return nil
}

// Save writes the chart to path in the format named by its extension (.png,
// .svg, .pdf, .jpg, .tif). The file is written to a temporary name in
// the same directory and renamed, so a failure never leaves a partial file.
func (c *Chart) Save(path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format == "" {
		return fmt.Errorf("plots: saving %s: no file extension to choose the format", path)
	}
	data, err := c.Render(format)
	if err != nil {
		return fmt.Errorf("plots: saving %s: %w", path, err)
	}
	return writeFileAtomic(path, data)
}

func writeFileAtomic(path string, data []byte) error {
	if err := util.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("plots: saving: %w", err)
	}
	return nil
}

// Show displays the chart inline in a GoNB notebook as an image/png output.
// Outside a notebook it does nothing (and does not render).
func (c *Chart) Show() error {
	if !nb.IsNotebook() {
		return nil
	}
	png, err := c.Render("png")
	if err != nil {
		return err
	}
	nb.DisplayPNG(png)
	return nil
}

// ShowSVG displays the chart inline as an image/svg+xml output: sharp at
// any zoom, but larger in the saved notebook for dense charts (heat maps).
// Outside a notebook it does nothing.
func (c *Chart) ShowSVG() error {
	if !nb.IsNotebook() {
		return nil
	}
	svg, err := c.Render("svg")
	if err != nil {
		return err
	}
	nb.DisplaySVG(string(svg))
	return nil
}

// ShowIn draws the chart as a PNG into cell, replacing what it showed before:
// use it to redraw a chart in place while training runs. Outside a notebook
// it does nothing.
func (c *Chart) ShowIn(cell *nb.Cell) error {
	if !nb.IsNotebook() {
		return nil
	}
	png, err := c.Render("png")
	if err != nil {
		return err
	}
	cell.UpdatePNG(png)
	return nil
}
