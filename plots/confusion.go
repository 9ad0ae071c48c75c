package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ConfusionMatrix draws counts[t][p] (examples of true class t predicted as
// class p) as a grid of cells coloured by the row-normalised value, so each
// row shows where one class's examples went, with the count written in each
// cell. Rows (true classes) run top to bottom, columns (predicted) left to
// right, both labelled with classNames and marked with a strip of each
// class's colour (ClassColors, as in Scatter and PredictionGrid). The title
// reports the accuracy.
//
// It returns an error if counts is empty or not square, its size differs
// from len(classNames), or a count is negative.
func ConfusionMatrix(counts [][]int, classNames []string) (*Chart, error) {
	n := len(counts)
	if n == 0 {
		return nil, errors.New("plots: ConfusionMatrix: no classes (empty counts)")
	}
	if len(classNames) != n {
		return nil, fmt.Errorf("plots: ConfusionMatrix: %d rows of counts but %d class names", n, len(classNames))
	}
	total, correct := 0, 0
	for t, row := range counts {
		if len(row) != n {
			return nil, fmt.Errorf("plots: ConfusionMatrix: row %d (%q) has %d counts, want %d (matrix must be square)", t, classNames[t], len(row), n)
		}
		for p, v := range row {
			if v < 0 {
				return nil, fmt.Errorf("plots: ConfusionMatrix: count [%d][%d] (true %q, predicted %q) is negative: %d", t, p, classNames[t], classNames[p], v)
			}
			total += v
			if t == p {
				correct += v
			}
		}
	}

	title := "Confusion matrix"
	if total > 0 {
		title = fmt.Sprintf("Confusion matrix · accuracy %.1f%% (%d/%d)", 100*float64(correct)/float64(total), correct, total)
	}
	p := newPlot(title, "predicted", "true")
	p.Add(&confusionCells{counts: counts, colours: ClassColors(classNames)})
	xTicks := make([]plot.Tick, n)
	yTicks := make([]plot.Tick, n)
	longest := 0
	for i, name := range classNames {
		xTicks[i] = plot.Tick{Value: float64(i) + 0.5, Label: name}
		yTicks[i] = plot.Tick{Value: float64(n-1-i) + 0.5, Label: name}
		longest = max(longest, len([]rune(name)))
	}
	p.X.Tick.Marker = plot.ConstantTicks(xTicks)
	p.Y.Tick.Marker = plot.ConstantTicks(yTicks)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	p.X.LineStyle.Width, p.Y.LineStyle.Width = 0, 0
	p.X.Padding, p.Y.Padding = 0, 0
	if longest*n > 40 { // names would overlap side by side: slant them
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
	p.X.Min, p.X.Max = -classStrip, float64(n)
	p.Y.Min, p.Y.Max = 0, float64(n)+classStrip

	c := newChart(p)
	side := max(12*vg.Centimeter, min(30*vg.Centimeter, vg.Length(n)*1.3*vg.Centimeter))
	c.Width, c.Height = side+vg.Length(longest)*0.18*vg.Centimeter, side
	return c, nil
}

// ConfusionMatrixFromLabels counts (trueLabels[i], predicted[i]) pairs and
// draws them with ConfusionMatrix. Labels index classNames.
//
// It returns an error if the slices differ in length, are empty, or hold a
// label outside [0, len(classNames)).
func ConfusionMatrixFromLabels(trueLabels, predicted []int, classNames []string) (*Chart, error) {
	counts, err := CountConfusions(trueLabels, predicted, len(classNames))
	if err != nil {
		return nil, err
	}
	return ConfusionMatrix(counts, classNames)
}

// CountConfusions returns the numClasses × numClasses matrix whose [t][p]
// entry counts the examples i with trueLabels[i] == t and predicted[i] == p.
//
// It returns an error if the slices differ in length, are empty, or hold a
// label outside [0, numClasses).
func CountConfusions(trueLabels, predicted []int, numClasses int) ([][]int, error) {
	if len(trueLabels) != len(predicted) {
		return nil, fmt.Errorf("plots: %d true labels but %d predictions", len(trueLabels), len(predicted))
	}
	if len(trueLabels) == 0 {
		return nil, errors.New("plots: no labels")
	}
	if numClasses <= 0 {
		return nil, errors.New("plots: no classes")
	}
	counts := make([][]int, numClasses)
	for i := range counts {
		counts[i] = make([]int, numClasses)
	}
	for i, t := range trueLabels {
		p := predicted[i]
		if t < 0 || t >= numClasses {
			return nil, fmt.Errorf("plots: true label %d (example %d) is outside [0, %d)", t, i, numClasses)
		}
		if p < 0 || p >= numClasses {
			return nil, fmt.Errorf("plots: predicted label %d (example %d) is outside [0, %d)", p, i, numClasses)
		}
		counts[t][p]++
	}
	return counts, nil
}

// confusionCells is the plotter of ConfusionMatrix. Cell (t, p) spans
// [p, p+1] × [n−1−t, n−t] in data coordinates, so row 0 is at the top; the
// class colour strips lie left of the rows and above the columns.
type confusionCells struct {
	counts  [][]int
	colours []color.Color
}

// classStrip is the width of the class colour strips, in cells; the strip
// itself fills its middle three fifths.
const classStrip = 0.15

// confusionLow and confusionHigh are the colours of a row fraction of 0 and 1.
var (
	confusionLow  = rgb(0xf7, 0xfb, 0xff)
	confusionHigh = rgb(0x08, 0x45, 0x94)
)

func (cc *confusionCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	n := float64(len(cc.counts))
	return -classStrip, n, 0, n + classStrip
}

func (cc *confusionCells) Plot(c draw.Canvas, p *plot.Plot) {
	n := len(cc.counts)
	trX, trY := p.Transforms(&c)
	cellW := trX(1) - trX(0)
	cellH := trY(1) - trY(0)
	sty := p.Y.Tick.Label // sans, unrotated
	sty.Font.Size = min(vg.Points(12), min(cellW, cellH)*0.35)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	for k, col := range cc.colours {
		c.SetColor(col)
		lo, hi := classStrip/5, classStrip*4/5
		row := vg.Rectangle{ // left of row k
			Min: vg.Point{X: trX(-hi), Y: trY(float64(n-1-k) + 0.04)},
			Max: vg.Point{X: trX(-lo), Y: trY(float64(n-k) - 0.04)},
		}
		column := vg.Rectangle{ // above column k
			Min: vg.Point{X: trX(float64(k) + 0.04), Y: trY(float64(n) + lo)},
			Max: vg.Point{X: trX(float64(k+1) - 0.04), Y: trY(float64(n) + hi)},
		}
		c.Fill(row.Path())
		c.Fill(column.Path())
	}
	for t, row := range cc.counts {
		sum := 0
		for _, v := range row {
			sum += v
		}
		for q, v := range row {
			frac := 0.0
			if sum > 0 {
				frac = float64(v) / float64(sum)
			}
			r := vg.Rectangle{
				Min: vg.Point{X: trX(float64(q)), Y: trY(float64(n - 1 - t))},
				Max: vg.Point{X: trX(float64(q + 1)), Y: trY(float64(n - t))},
			}
			c.SetColor(lerpColor(confusionLow, confusionHigh, frac))
			c.Fill(r.Path())
			c.SetLineStyle(draw.LineStyle{Color: color.White, Width: vg.Points(1)})
			c.Stroke(r.Path())
			sty.Color = color.Black
			if frac > 0.5 {
				sty.Color = color.White
			}
			c.FillText(sty, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}, strconv.Itoa(v))
		}
	}
}
