package plots

import (
	"errors"
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// classGlyphs tell apart classes that share a colour (beyond the palette):
// the n-th class of a colour gets the n-th shape.
var classGlyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{}, draw.CrossGlyph{},
}

// Scatter draws 2-D points coloured by class, with one legend entry per
// class named by classNames (labels index it). Class colours come from
// ClassColors: a class named after a colour ("red_disc") is drawn in it.
//
// It returns an error if points is empty, labels has a different length, a
// label is outside [0, len(classNames)), or a coordinate is NaN or infinite.
func Scatter(title, xLabel, yLabel string, points [][2]float64, labels []int, classNames []string) (*Chart, error) {
	if len(points) == 0 {
		return nil, errors.New("plots: Scatter: no points")
	}
	if len(labels) != len(points) {
		return nil, fmt.Errorf("plots: Scatter: %d points but %d labels", len(points), len(labels))
	}
	byClass := make([]plotter.XYs, len(classNames))
	for i, pt := range points {
		if err := checkFinite(fmt.Sprintf("Scatter: point %d", i), pt[:]); err != nil {
			return nil, err
		}
		l := labels[i]
		if l < 0 || l >= len(classNames) {
			return nil, fmt.Errorf("plots: Scatter: label %d of point %d is outside [0, %d)", l, i, len(classNames))
		}
		byClass[l] = append(byClass[l], plotter.XY{X: pt[0], Y: pt[1]})
	}
	p := newPlot(title, xLabel, yLabel)
	p.Add(plotter.NewGrid())
	colours := ClassColors(classNames)
	sameColour := map[color.RGBA]int{}
	for k, xys := range byClass {
		shape := sameColour[toRGBA(colours[k])]
		sameColour[toRGBA(colours[k])]++
		if len(xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, fmt.Errorf("plots: Scatter: class %q: %w", classNames[k], err)
		}
		s.GlyphStyle = draw.GlyphStyle{
			Color:  colours[k],
			Radius: vg.Points(2.5),
			Shape:  classGlyphs[shape%len(classGlyphs)],
		}
		p.Add(s)
		p.Legend.Add(classNames[k], s)
	}
	return newChart(p), nil
}

// PCAScatter projects vectors (e.g. bottleneck embeddings, one per example,
// float32 as models return them or float64) onto their first two principal
// components (gonum/stat.PC) and draws them with Scatter; axis labels give
// each component's share of the variance.
//
// It returns an error if there are fewer than two vectors, they differ in
// length or have fewer than two dimensions, a value is NaN or infinite,
// labels has a different length, or a label is outside
// [0, len(classNames)).
func PCAScatter[F float32 | float64](vectors [][]F, labels []int, classNames []string) (*Chart, error) {
	points, share, err := PCA2(toFloat64s(vectors))
	if err != nil {
		return nil, err
	}
	c, err := Scatter("Embeddings projected on 2 principal components",
		fmt.Sprintf("PC1 (%.1f%% of variance)", 100*share[0]),
		fmt.Sprintf("PC2 (%.1f%% of variance)", 100*share[1]),
		points, labels, classNames)
	if err != nil {
		return nil, errors.New(strings.Replace(err.Error(), "plots: Scatter:", "plots: PCAScatter:", 1))
	}
	return c, nil
}

// toFloat64s converts vectors to float64 (a float64 input is returned as
// is).
func toFloat64s[F float32 | float64](vectors [][]F) [][]float64 {
	if v, ok := any(vectors).([][]float64); ok {
		return v
	}
	out := make([][]float64, len(vectors))
	for i, v := range vectors {
		out[i] = make([]float64, len(v))
		for j, x := range v {
			out[i][j] = float64(x)
		}
	}
	return out
}

// PCA2 returns the projection of vectors onto their first two principal
// components and the share of the total variance each explains.
//
// It returns an error if there are fewer than two vectors, they differ in
// length or have fewer than two dimensions, or a value is NaN or infinite.
func PCA2(vectors [][]float64) (points [][2]float64, varianceShare [2]float64, err error) {
	n := len(vectors)
	if n < 2 {
		return nil, varianceShare, fmt.Errorf("plots: PCA: need at least 2 vectors, got %d", n)
	}
	d := len(vectors[0])
	if d < 2 {
		return nil, varianceShare, fmt.Errorf("plots: PCA: vectors have %d dimensions, need at least 2", d)
	}
	data := mat.NewDense(n, d, nil)
	for i, v := range vectors {
		if len(v) != d {
			return nil, varianceShare, fmt.Errorf("plots: PCA: vector %d has %d dimensions, vector 0 has %d", i, len(v), d)
		}
		if err := checkFinite(fmt.Sprintf("PCA: vector %d", i), v); err != nil {
			return nil, varianceShare, err
		}
		data.SetRow(i, v)
	}
	var pc stat.PC
	if !pc.PrincipalComponents(data, nil) {
		return nil, varianceShare, errors.New("plots: PCA: singular value decomposition failed")
	}
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	if total > 0 {
		varianceShare = [2]float64{vars[0] / total, vars[1] / total}
	}
	var basis mat.Dense
	pc.VectorsTo(&basis)
	// Centre the data, then project on the first two components.
	means := make([]float64, d)
	for j := range d {
		means[j] = stat.Mean(mat.Col(nil, j, data), nil)
	}
	points = make([][2]float64, n)
	for i, v := range vectors {
		for j, x := range v {
			x -= means[j]
			points[i][0] += x * basis.At(j, 0)
			points[i][1] += x * basis.At(j, 1)
		}
	}
	return points, varianceShare, nil
}
