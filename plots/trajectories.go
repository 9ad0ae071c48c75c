package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Range is the closed interval [Min, Max] of one axis.
type Range struct{ Min, Max float64 }

// Path is a named sequence of points in the plane, e.g. the iterates of one
// optimizer on a 2-D test function.
type Path struct {
	Name   string
	Points [][2]float64
}

// surfaceResolution is the number of samples of f along each axis: 120² =
// 14 400 evaluations, smooth at the default size and fast to draw.
const surfaceResolution = 120

// contourLevels is the number of contour lines.
const contourLevels = 12

// logSpanThreshold decides log-scaled levels: when the largest excess
// f − min(f) is more than this many times the median excess, most of the
// window is a steep wall and linear levels would leave the valley (where the
// optimizers are) blank.
const logSpanThreshold = 10

// logFloorFraction bounds the log scale from below at this fraction of the
// largest excess, i.e. the colours span four decades.
const logFloorFraction = 1e-4

// surfaceColors runs from pale yellow (low) through green-blue to blue
// (high), after ColorBrewer's YlGnBu, kept light so paths stand out.
var surfaceColors = []color.Color{
	rgb(0xff, 0xff, 0xf0), rgb(0xf3, 0xfa, 0xd0), rgb(0xdd, 0xf1, 0xd5),
	rgb(0xb2, 0xe1, 0xd6), rgb(0x8d, 0xd3, 0xdc), rgb(0x77, 0xb9, 0xd9),
}

// gradient is a smooth palette interpolated between stops.
type gradient struct{ stops []color.Color }

func (g gradient) Colors() []color.Color {
	const n = 128
	out := make([]color.Color, n)
	for i := range out {
		t := float64(i) / (n - 1) * float64(len(g.stops)-1)
		k := min(int(t), len(g.stops)-2)
		out[i] = lerpColor(g.stops[k], g.stops[k+1], t-float64(k))
	}
	return out
}

func lerpColor(a, b color.Color, t float64) color.Color {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	mix := func(x, y uint32) uint8 { return uint8((float64(x)*(1-t) + float64(y)*t) / 257) }
	return color.RGBA{R: mix(ar, br), G: mix(ag, bg), B: mix(ab, bb), A: 0xff}
}

// surface is f sampled on a regular grid; it implements plotter.GridXYZ.
// z[r][c] is the (transformed) value at (xs[c], ys[r]); NaN marks points
// where f was not finite.
type surface struct {
	xs, ys []float64
	z      [][]float64
}

func (s *surface) Dims() (c, r int)   { return len(s.xs), len(s.ys) }
func (s *surface) Z(c, r int) float64 { return s.z[r][c] }
func (s *surface) X(c int) float64    { return s.xs[c] }
func (s *surface) Y(r int) float64    { return s.ys[r] }

// sampleSurface evaluates f on an n×n grid spanning the ranges and
// transforms it for display (see Trajectories). It reports whether the log
// scale was chosen.
func sampleSurface(f func(x, y float64) float64, xr, yr Range, n int) (*surface, bool, error) {
	s := &surface{xs: linspace(xr, n), ys: linspace(yr, n), z: make([][]float64, n)}
	var finite []float64
	for r, y := range s.ys {
		s.z[r] = make([]float64, n)
		for c, x := range s.xs {
			v := f(x, y)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				v = math.NaN()
			} else {
				finite = append(finite, v)
			}
			s.z[r][c] = v
		}
	}
	if len(finite) == 0 {
		return nil, false, errors.New("f is NaN or infinite everywhere on the window")
	}
	slices.Sort(finite)
	lo, hi := finite[0], finite[len(finite)-1]
	median := finite[len(finite)/2] - lo
	excess := hi - lo
	useLog := excess > 0 && (median == 0 || excess/median > logSpanThreshold)
	if useLog {
		floor := excess * logFloorFraction
		for _, row := range s.z {
			for c, v := range row {
				if !math.IsNaN(v) {
					row[c] = math.Log10(v - lo + floor)
				}
			}
		}
	}
	return s, useLog, nil
}

func linspace(r Range, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = r.Min + (r.Max-r.Min)*float64(i)/float64(n-1)
	}
	return out
}

func (s *surface) zRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, row := range s.z {
		for _, v := range row {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo, hi
}

func checkRange(fn, what string, r Range) error {
	if math.IsNaN(r.Min) || math.IsNaN(r.Max) || math.IsInf(r.Min, 0) || math.IsInf(r.Max, 0) {
		return fmt.Errorf("plots: %s: %s range [%v, %v] is not finite", fn, what, r.Min, r.Max)
	}
	if !(r.Min < r.Max) {
		return fmt.Errorf("plots: %s: %s range [%v, %v] is empty (Min must be below Max)", fn, what, r.Min, r.Max)
	}
	return nil
}

// Trajectories draws f over xRange × yRange as a heat map with contour lines
// and overlays the paths, each with its own colour, a circle at its start, a
// cross at its end, and a legend entry. The axes show exactly the given
// ranges; path segments outside them are clipped.
//
// When f is steep over most of the window (Rosenbrock-like valleys: the
// largest excess over min(f) is more than ten times the median excess),
// colours and contour levels are spaced logarithmically in f − min(f), over
// four decades; otherwise linearly.
//
// It returns an error for a nil f, an empty or non-finite range, a path
// with no points or a non-finite point, or when f is NaN or infinite
// everywhere on the window.
func Trajectories(title string, f func(x, y float64) float64, xRange, yRange Range, paths ...Path) (*Chart, error) {
	if f == nil {
		return nil, errors.New("plots: Trajectories: nil function")
	}
	if err := checkRange("Trajectories", "x", xRange); err != nil {
		return nil, err
	}
	if err := checkRange("Trajectories", "y", yRange); err != nil {
		return nil, err
	}
	for i, path := range paths {
		if len(path.Points) == 0 {
			return nil, fmt.Errorf("plots: Trajectories: path %d (%q) has no points", i, path.Name)
		}
		for j, pt := range path.Points {
			if err := checkFinite(fmt.Sprintf("Trajectories: path %d (%q) point %d", i, path.Name, j), pt[:]); err != nil {
				return nil, err
			}
		}
	}
	grid, logScale, err := sampleSurface(f, xRange, yRange, surfaceResolution)
	if err != nil {
		return nil, fmt.Errorf("plots: Trajectories: %w", err)
	}

	p := newPlot(title, "x", "y")
	zlo, zhi := grid.zRange()
	heat := plotter.NewHeatMap(grid, gradient{surfaceColors})
	heat.Min, heat.Max = zlo, zhi
	heat.Rasterized = true
	heat.NaN = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
	p.Add(heat)
	if zhi > zlo {
		levels := make([]float64, contourLevels)
		for i := range levels {
			levels[i] = zlo + (zhi-zlo)*float64(i+1)/float64(contourLevels+1)
		}
		contour := plotter.NewContour(grid, levels, nil)
		contour.LineStyles = []draw.LineStyle{{
			Color: color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0x90},
			Width: vg.Points(0.6),
		}}
		p.Add(contour)
	}

	for i, path := range paths {
		xys := make(plotter.XYs, len(path.Points))
		for j, pt := range path.Points {
			xys[j].X, xys[j].Y = pt[0], pt[1]
		}
		col, dash := SeriesStyle(i)
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("plots: Trajectories: path %q: %w", path.Name, err)
		}
		line.Color, line.Dashes, line.Width = col, dash, vg.Points(1.8)
		points, _ := plotter.NewScatter(xys)
		points.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(1.3), Shape: draw.CircleGlyph{}}
		start, _ := plotter.NewScatter(xys[:1])
		start.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: draw.RingGlyph{}}
		end, _ := plotter.NewScatter(xys[len(xys)-1:])
		end.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(5), Shape: draw.CrossGlyph{}}
		p.Add(line, points, start, end)
		name := path.Name
		if name == "" {
			name = fmt.Sprintf("path %d", i)
		}
		p.Legend.Add(name, line)
	}
	if len(paths) > 0 {
		p.Legend.Add("start", markerThumb{draw.RingGlyph{}, vg.Points(4.5)})
		p.Legend.Add("end", markerThumb{draw.CrossGlyph{}, vg.Points(5)})
	}
	p.X.Min, p.X.Max = xRange.Min, xRange.Max
	p.Y.Min, p.Y.Max = yRange.Min, yRange.Max
	if logScale {
		p.Title.Text = title + "  (colour: log f)"
		if title == "" {
			p.Title.Text = "colour: log f"
		}
	}
	c := newChart(p)
	// The map keeps its size; the legend widens the chart.
	c.Height = c.Width * 3 / 4
	c.Width += legendColumn(p)
	return c, nil
}

// markerThumb draws a black glyph in the legend, explaining the start and
// end markers without tying them to one path's colour.
type markerThumb struct {
	shape  draw.GlyphDrawer
	radius vg.Length
}

func (m markerThumb) Thumbnail(c *draw.Canvas) {
	center := vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}
	c.DrawGlyph(draw.GlyphStyle{Color: color.Black, Radius: m.radius, Shape: m.shape}, center)
}
