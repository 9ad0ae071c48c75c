package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"
)

// regen is cmpimg's -regen flag (registered by that package): with it,
// checkGolden rewrites plots/testdata/*_golden.png from the current rendering.
var regen = cmpimg.GenerateTestData

// goldenDelta is the tolerance of cmpimg.EqualApprox (a YIQ colour distance
// per pixel, 0..1): loose enough for antialiasing differences between
// platforms, tight enough that a moved line or a changed colour fails.
const goldenDelta = 0.05

// Deterministic test data, shared by the chart cases below.

func lossCurves() []Series {
	var train, val []float64
	for i := range 120 {
		x := float64(i)
		train = append(train, 2*math.Exp(-x/30)+0.1+0.04*math.Sin(x))
		val = append(val, 2*math.Exp(-x/40)+0.25)
	}
	return []Series{{Name: "train", Y: train}, {Name: "validation", Y: val}}
}

func rosenbrock(x, y float64) float64 { return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x) }

// descend runs n steps of gradient descent with momentum on Rosenbrock
// from (x, y).
func descend(x, y, lr, momentum float64, n int) [][2]float64 {
	vx, vy := 0.0, 0.0
	var path [][2]float64
	for range n {
		path = append(path, [2]float64{x, y})
		gx := -2*(1-x) - 400*x*(y-x*x)
		gy := 200 * (y - x*x)
		vx, vy = momentum*vx-lr*gx, momentum*vy-lr*gy
		x, y = x+vx, y+vy
	}
	return path
}

func testImages(n int) []image.Image {
	imgs := make([]image.Image, n)
	for i := range imgs {
		img := image.NewRGBA(image.Rect(0, 0, 24, 24))
		for y := range 24 {
			for x := range 24 {
				img.Set(x, y, color.RGBA{R: uint8(10 * x), G: uint8(10 * y), B: uint8(40 * i), A: 255})
			}
		}
		imgs[i] = img
	}
	return imgs
}

// chartCase is one chart kind with the text its SVG must contain, the
// colours its PNG must show (one per series, class or marking), and the
// least fraction of the central half of the image that must be drawn on.
type chartCase struct {
	name    string
	build   func() (*Chart, error)
	texts   []string
	colours []color.Color
	minInk  float64
}

var chartCases = []chartCase{
	{"lines", func() (*Chart, error) { return Lines("Loss", "step", "loss", lossCurves()...) },
		[]string{"Loss", "step", "train", "validation"}, Palette[:2], 0.01},
	{"lines_log", func() (*Chart, error) {
		c, err := Lines("Loss (log)", "step", "loss", lossCurves()...)
		if err != nil {
			return nil, err
		}
		return c.LogY(), nil
	}, []string{"Loss (log)"}, Palette[:2], 0.01},
	{"trajectories", func() (*Chart, error) {
		return Trajectories("Rosenbrock", rosenbrock, Range{-2, 2}, Range{-1, 3},
			Path{"sgd", descend(-1.5, 2, 0.001, 0, 200)}, Path{"momentum", descend(1.5, -0.5, 0.0005, 0.9, 200)})
	}, []string{"Rosenbrock", "log f", "sgd", "momentum", "start", "end"}, Palette[:2], 0.9},
	{"trajectories_long_legend", func() (*Chart, error) {
		// Long legend entries and a long title, as in notebook 05: the map
		// keeps its size, the legend widens the chart, the title stays on it.
		var paths []Path
		for i, name := range []string{"Adam (lr 1)", "RMSProp(centered,momentum) (lr 0.000464)", "ProximalAdagrad (lr 2.15)"} {
			paths = append(paths, Path{name, descend(-1.5+0.5*float64(i), 2, 0.0005, 0.5, 100)})
		}
		return Trajectories("Rosenbrock: adaptive methods, each at its best learning rate", rosenbrock, Range{-2, 2}, Range{-1, 3}, paths...)
	}, []string{"Rosenbrock: adaptive methods", "RMSProp(centered,momentum) (lr 0.000464)"}, Palette[:3], 0.7},
	{"confusion", func() (*Chart, error) {
		return ConfusionMatrix([][]int{{50, 2, 0}, {5, 40, 5}, {0, 10, 38}}, []string{"cat", "dog", "horse"})
	}, []string{"accuracy 85.3% (128/150)", "cat", "horse", "predicted", "true", "38"}, []color.Color{confusionLow}, 0.3},
	{"prediction_grid", func() (*Chart, error) {
		return PredictionGrid(testImages(6), []int{0, 1, 2, 0, 1, 2}, []int{0, 1, 1, 0, 2, 2}, []string{"daisy", "rose", "tulip"}, 3)
	}, []string{"4 of 6 correct", "true: tulip", "pred: rose"}, []color.Color{mistakeColor}, 0.3},
	{"histogram", func() (*Chart, error) {
		rng := rand.New(rand.NewPCG(1, 2))
		v := make([]float64, 2000)
		for i := range v {
			v[i] = rng.NormFloat64() * 0.1
		}
		return Histogram("Weights", "weight", v, 0)
	}, []string{"Weights", "n=2000", "count"}, nil, 0.2},
	{"pca_scatter", func() (*Chart, error) {
		rng := rand.New(rand.NewPCG(3, 4))
		var vecs [][]float64
		var labels []int
		for i := range 150 {
			k := i % 3
			v := make([]float64, 8)
			for j := range v {
				v[j] = rng.NormFloat64() + 3*float64(k*(j%2))
			}
			vecs = append(vecs, v)
			labels = append(labels, k)
		}
		return PCAScatter(vecs, labels, []string{"daisy", "rose", "tulip"})
	}, []string{"PC1 (", "% of variance)", "daisy", "tulip"}, Palette[:3], 0.02},
	{"pca_named_classes", func() (*Chart, error) {
		// Synthetic classes named after colours are drawn in those colours.
		names := []string{"red_disc", "green_square", "blue_hstripes", "yellow_vstripes",
			"purple_checker", "cyan_ring", "orange_cross", "white_dots"}
		rng := rand.New(rand.NewPCG(5, 6))
		var vecs [][]float64
		var labels []int
		for i := range 240 {
			k := i % len(names)
			angle := 2 * math.Pi * float64(k) / float64(len(names))
			v := make([]float64, 6)
			for j := range v {
				v[j] = 0.4 * rng.NormFloat64()
			}
			v[0] += 4 * math.Cos(angle)
			v[1] += 4 * math.Sin(angle)
			vecs = append(vecs, v)
			labels = append(labels, k)
		}
		return PCAScatter(vecs, labels, names)
	}, []string{"red_disc", "white_dots"}, []color.Color{namedColors["red"], namedColors["cyan"], namedColors["yellow"], namedColors["white"]}, 0.01},
	{"lines_many", func() (*Chart, error) {
		// Fourteen series: twelve colours, then the palette again dashed.
		var series []Series
		for i := range 14 {
			y := make([]float64, 60)
			for j := range y {
				y[j] = math.Exp(-float64(j)*float64(i+1)/60) + 0.05*float64(i)
			}
			series = append(series, Series{Name: fmt.Sprintf("optimizer %d", i), Y: y})
		}
		return Lines("Fourteen series", "step", "loss", series...)
	}, []string{"optimizer 0", "optimizer 13"}, Palette, 0.02},
	{"bars", func() (*Chart, error) {
		return Bars("Time to get all bottlenecks", "seconds",
			Bar{Label: "cold (computed)", Value: 12.5}, Bar{Label: "warm (cached)", Value: 0.42})
	}, []string{"Time to get all bottlenecks", "cold (computed)", "warm (cached)", "12.5", "0.42", "seconds"}, Palette[:1], 0.05},
	{"bars_intervals", func() (*Chart, error) {
		return Bars("Test accuracy, 5 seeds", "accuracy",
			Bar{Label: "retrain", Value: 0.947, Low: 0.90, High: 0.98},
			Bar{Label: "fine-tune", Value: 0.962, Low: 0.93, High: 0.99},
			Bar{Label: "from scratch", Value: 0.61, Low: 0.52, High: 0.70})
	}, []string{"retrain", "from scratch", "0.947"}, Palette[:1], 0.05},
	{"image_grid_small", func() (*Chart, error) {
		// One 32×32 picture: shown at 160×160 pixels, not stretched to the chart width.
		img := image.NewRGBA(image.Rect(0, 0, 32, 32))
		for y := range 32 {
			for x := range 32 {
				img.Set(x, y, color.RGBA{R: uint8(8 * x), G: uint8(8 * y), B: uint8(255 * ((x / 4) % 2)), A: 255})
			}
		}
		return ImageGrid([]Tile{{Image: img, Caption: "red_disc"}}, 1)
	}, []string{"red_disc"}, []color.Color{namedColors["red"]}, 0.3},
}

// checker returns an n×n black and white checkerboard of squares of side sq.
func checker(n, sq int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			c := color.RGBA{255, 255, 255, 255}
			if (x/sq+y/sq)%2 == 0 {
				c = color.RGBA{0, 0, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func TestChartsRenderPNG(t *testing.T) {
	for _, tc := range chartCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			data, err := c.Render("png")
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("rendered PNG does not decode: %v", err)
			}
			wantW := int(math.Ceil(c.Width.Dots(float64(c.DPI))))
			wantH := int(math.Ceil(c.Height.Dots(float64(c.DPI))))
			if got := img.Bounds().Size(); abs(got.X-wantW) > 1 || abs(got.Y-wantH) > 1 {
				t.Errorf("PNG is %v, want %dx%d", got, wantW, wantH)
			}
			// The central half of the image is where the data is drawn in
			// every chart kind; it must not be blank.
			inked, colours := inkStats(img, centralHalf(img.Bounds()))
			if inked < tc.minInk {
				t.Errorf("only %.1f%% of the data area is drawn, want ≥ %.0f%%", 100*inked, 100*tc.minInk)
			}
			if colours < 3 {
				t.Errorf("data area has %d distinct colours, want several", colours)
			}
			for _, want := range tc.colours {
				// 30 pixels: a few millimetres of line, far more than
				// antialiasing of another colour could produce.
				if n := countColour(img, want); n < 30 {
					t.Errorf("colour %v appears in %d pixels, want ≥ 30", want, n)
				}
			}
			checkGolden(t, tc.name, data)
			if dir := os.Getenv("PLOTS_PREVIEW"); dir != "" {
				// For looking at the charts: PLOTS_PREVIEW=/tmp/x go test ./plots
				if err := c.Save(filepath.Join(dir, tc.name+".png")); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestChartsSVGText(t *testing.T) {
	for _, tc := range chartCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			svg, err := c.Render("svg")
			if err != nil {
				t.Fatal(err)
			}
			s := string(svg)
			if !strings.Contains(s, "<svg") {
				t.Fatalf("output is not SVG: %.80q", s)
			}
			for _, want := range tc.texts {
				if !strings.Contains(s, xmlEscape(want)) {
					t.Errorf("SVG lacks text %q", want)
				}
			}
		})
	}
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xmlEscapeTo(&b, s)
	return b.String()
}

func abs(x int) int { return max(x, -x) }

func centralHalf(r image.Rectangle) image.Rectangle {
	dx, dy := r.Dx()/4, r.Dy()/4
	return image.Rect(r.Min.X+dx, r.Min.Y+dy, r.Max.X-dx, r.Max.Y-dy)
}

// inkStats returns the fraction of non-white pixels in r and the number of
// distinct colours there.
func inkStats(img image.Image, r image.Rectangle) (inked float64, colours int) {
	seen := map[color.RGBA]bool{}
	n, ink := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			seen[c] = true
			n++
			if c.R < 250 || c.G < 250 || c.B < 250 {
				ink++
			}
		}
	}
	return float64(ink) / float64(n), len(seen)
}

// countColour counts pixels within a small distance of want.
func countColour(img image.Image, want color.Color) int {
	w := color.RGBAModel.Convert(want).(color.RGBA)
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if absDiff(c.R, w.R)+absDiff(c.G, w.G)+absDiff(c.B, w.B) <= 12 {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint8) int { return abs(int(a) - int(b)) }

// checkGolden compares a rendered PNG with testdata/NAME_golden.png, or
// rewrites the golden file with -regen. On a mismatch it saves the rendering
// as $TMPDIR/plots_NAME_got.png for inspection.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+"_golden.png")
	if *regen {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden image (run go test ./plots -run TestChartsRenderPNG -regen): %v", err)
	}
	ok, err := cmpimg.EqualApprox("png", got, want, goldenDelta)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		gotPath := filepath.Join(os.TempDir(), "plots_"+name+"_got.png") // kept for inspection
		_ = os.WriteFile(gotPath, got, 0o644)
		t.Errorf("rendering differs from %s beyond tolerance; got written to %s", path, gotPath)
	}
}
