package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConstructorsRejectBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	flat := func(x, y float64) float64 { return x + y }
	cases := []struct {
		name string
		call func() (*Chart, error)
		want string // substring of the error
	}{
		{"lines no series", func() (*Chart, error) { return Lines("t", "x", "y") }, "no series"},
		{"lines empty", func() (*Chart, error) { return Lines("t", "x", "y", Series{Name: "a"}) }, `series "a": no values`},
		{"lines NaN", func() (*Chart, error) { return Lines("t", "x", "y", Series{Name: "a", Y: []float64{1, nan}}) }, `series "a" Y: value 1 is NaN`},
		{"lines Inf X", func() (*Chart, error) {
			return Lines("t", "x", "y", Series{Name: "a", X: []float64{0, inf}, Y: []float64{1, 2}})
		}, `series "a" X: value 1 is +Inf`},
		{"lines length", func() (*Chart, error) {
			return Lines("t", "x", "y", Series{Name: "a", X: []float64{0}, Y: []float64{1, 2}})
		}, "1 X values but 2 Y values"},
		{"traj nil f", func() (*Chart, error) { return Trajectories("t", nil, Range{0, 1}, Range{0, 1}) }, "nil function"},
		{"traj empty range", func() (*Chart, error) { return Trajectories("t", flat, Range{1, 1}, Range{0, 1}) }, "x range [1, 1] is empty"},
		{"traj NaN range", func() (*Chart, error) { return Trajectories("t", flat, Range{0, 1}, Range{nan, 1}) }, "y range [NaN, 1] is not finite"},
		{"traj empty path", func() (*Chart, error) {
			return Trajectories("t", flat, Range{0, 1}, Range{0, 1}, Path{Name: "adam"})
		}, `path 0 ("adam") has no points`},
		{"traj NaN point", func() (*Chart, error) {
			return Trajectories("t", flat, Range{0, 1}, Range{0, 1}, Path{"adam", [][2]float64{{0, 0}, {nan, 1}}})
		}, `path 0 ("adam") point 1: value 0 is NaN`},
		{"traj f NaN everywhere", func() (*Chart, error) {
			return Trajectories("t", func(x, y float64) float64 { return nan }, Range{0, 1}, Range{0, 1})
		}, "NaN or infinite everywhere"},
		{"confusion empty", func() (*Chart, error) { return ConfusionMatrix(nil, nil) }, "empty counts"},
		{"confusion names", func() (*Chart, error) { return ConfusionMatrix([][]int{{1}}, []string{"a", "b"}) }, "1 rows of counts but 2 class names"},
		{"confusion ragged", func() (*Chart, error) {
			return ConfusionMatrix([][]int{{1, 2}, {3}}, []string{"a", "b"})
		}, `row 1 ("b") has 1 counts, want 2`},
		{"confusion negative", func() (*Chart, error) {
			return ConfusionMatrix([][]int{{1, -2}, {3, 4}}, []string{"a", "b"})
		}, `true "a", predicted "b") is negative`},
		{"confusion labels length", func() (*Chart, error) {
			return ConfusionMatrixFromLabels([]int{0, 1}, []int{0}, []string{"a", "b"})
		}, "2 true labels but 1 predictions"},
		{"confusion label range", func() (*Chart, error) {
			return ConfusionMatrixFromLabels([]int{0, 2}, []int{0, 1}, []string{"a", "b"})
		}, "true label 2 (example 1) is outside [0, 2)"},
		{"grid no tiles", func() (*Chart, error) { return ImageGrid(nil, 3) }, "no tiles"},
		{"grid nil image", func() (*Chart, error) { return ImageGrid([]Tile{{Caption: "x"}}, 3) }, `tile 0 ("x") has no image`},
		{"prediction lengths", func() (*Chart, error) {
			return PredictionGrid([]image.Image{img}, []int{0, 1}, []int{0}, []string{"a", "b"}, 0)
		}, "1 images, 2 true labels and 1 predictions"},
		{"prediction label", func() (*Chart, error) {
			return PredictionGrid([]image.Image{img}, []int{0}, []int{5}, []string{"a", "b"}, 0)
		}, "predicted label 5 of image 0 is outside [0, 2)"},
		{"prediction nil image", func() (*Chart, error) {
			return PredictionGrid([]image.Image{nil}, []int{0}, []int{0}, []string{"a"}, 0)
		}, "PredictionGrid: tile 0"},
		{"histogram empty", func() (*Chart, error) { return Histogram("t", "x", nil, 10) }, "no values"},
		{"histogram Inf", func() (*Chart, error) { return Histogram("t", "x", []float64{1, -inf}, 10) }, "value 1 is -Inf"},
		{"scatter empty", func() (*Chart, error) { return Scatter("t", "x", "y", nil, nil, nil) }, "no points"},
		{"scatter labels", func() (*Chart, error) {
			return Scatter("t", "x", "y", [][2]float64{{0, 0}}, []int{0, 1}, []string{"a"})
		}, "1 points but 2 labels"},
		{"scatter label range", func() (*Chart, error) {
			return Scatter("t", "x", "y", [][2]float64{{0, 0}}, []int{-1}, []string{"a"})
		}, "label -1 of point 0 is outside [0, 1)"},
		{"pca one vector", func() (*Chart, error) { return PCAScatter([][]float64{{1, 2}}, []int{0}, []string{"a"}) }, "need at least 2 vectors, got 1"},
		{"pca 1-D", func() (*Chart, error) { return PCAScatter([][]float64{{1}, {2}}, []int{0, 0}, []string{"a"}) }, "1 dimensions, need at least 2"},
		{"pca ragged", func() (*Chart, error) {
			return PCAScatter([][]float64{{1, 2}, {2}}, []int{0, 0}, []string{"a"})
		}, "vector 1 has 1 dimensions, vector 0 has 2"},
		{"pca NaN", func() (*Chart, error) {
			return PCAScatter([][]float64{{1, 2}, {2, nan}}, []int{0, 0}, []string{"a"})
		}, "vector 1: value 1 is NaN"},
		{"pca labels", func() (*Chart, error) {
			return PCAScatter([][]float64{{1, 2}, {2, 3}, {0, 1}}, []int{0, 0}, []string{"a"})
		}, "PCAScatter: 3 points but 2 labels"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.call()
			if err == nil {
				t.Fatalf("no error (chart %v)", c)
			}
			if c != nil {
				t.Errorf("got a chart along with error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "plots: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want prefix \"plots: \" and %q", err, tc.want)
			}
		})
	}
}

func TestSaveFormats(t *testing.T) {
	c, err := Lines("t", "x", "y", Series{Name: "a", Y: []float64{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	magic := map[string]string{
		"png": "\x89PNG", "svg": "<?xml", "pdf": "%PDF",
		"jpg": "\xff\xd8\xff", "tif": "II*\x00",
	}
	for ext, prefix := range magic {
		path := filepath.Join(dir, "chart."+ext)
		if err := c.Save(path); err != nil {
			t.Fatalf("Save(%s): %v", path, err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), prefix) {
			t.Errorf("%s starts with %q, want %q", ext, data[:min(8, len(data))], prefix)
		}
	}
	for _, bad := range []string{"chart.gif", "chart.eps", "chart"} {
		if err := c.Save(filepath.Join(dir, bad)); err == nil {
			t.Errorf("Save(%s) succeeded, want an error", bad)
		}
	}
	// Only the good files: failed saves and temporaries leave nothing.
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(magic) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the %d saved charts", names, len(magic))
	}
	if err := c.Save(filepath.Join(dir, "missing", "chart.png")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Save into a missing directory: error %v, want one naming the path", err)
	}
}

func TestRenderErrors(t *testing.T) {
	c, _ := Lines("t", "x", "y", Series{Name: "a", Y: []float64{-1, 2}})
	c.LogY() // -1 cannot be drawn on a log axis
	if _, err := c.Render("png"); err == nil || !strings.HasPrefix(err.Error(), "plots: ") {
		t.Errorf("log axis with a negative value: error %v, want a plots: error", err)
	}
	c2, _ := Lines("t", "x", "y", Series{Name: "a", Y: []float64{1, 2}})
	if _, err := c2.Render("bmp"); err == nil || !strings.Contains(err.Error(), `unknown format "bmp"`) {
		t.Errorf("Render(bmp): error %v", err)
	}
	c2.SetSize(0, 10)
	if _, err := c2.Render("png"); err == nil {
		t.Error("Render with zero width succeeded")
	}
}

func TestLogLevelsChosenForSteepFunctions(t *testing.T) {
	_, logRosen, err := sampleSurface(rosenbrock, Range{-2, 2}, Range{-1, 3}, 40)
	if err != nil {
		t.Fatal(err)
	}
	_, logBowl, err := sampleSurface(func(x, y float64) float64 { return x*x + 10*y*y }, Range{-1, 1}, Range{-1, 1}, 40)
	if err != nil {
		t.Fatal(err)
	}
	if !logRosen || logBowl {
		t.Errorf("log scale: Rosenbrock %v (want true), quadratic bowl %v (want false)", logRosen, logBowl)
	}
}

func TestCountConfusionsAndAutoBins(t *testing.T) {
	counts, err := CountConfusions([]int{0, 0, 1, 2, 2, 2}, []int{0, 1, 1, 2, 0, 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{1, 1, 0}, {0, 1, 0}, {1, 0, 2}}
	for i := range want {
		for j := range want[i] {
			if counts[i][j] != want[i][j] {
				t.Fatalf("counts %v, want %v", counts, want)
			}
		}
	}
	// Freedman–Diaconis on 1000 evenly spread values in [0, 1): IQR = 0.5,
	// width = 2·0.5·1000^(−1/3) = 0.1, so 10 bins.
	v := make([]float64, 1000)
	for i := range v {
		v[i] = float64(i) / 1000
	}
	if got := autoBins(v); got != 10 {
		t.Errorf("autoBins = %d, want 10", got)
	}
	// A single repeated value still gets a drawable histogram.
	if _, err := Histogram("t", "x", []float64{3, 3, 3}, 0); err != nil {
		t.Errorf("constant values: %v", err)
	}
}

func TestSeriesStylesDistinct(t *testing.T) {
	// Twenty series (two passes over the palette) must all look different.
	seen := map[string]int{}
	for i := range 2 * len(Palette) {
		col, dash := SeriesStyle(i)
		key := fmt.Sprint(col, dash)
		if j, dup := seen[key]; dup {
			t.Errorf("series %d and %d share colour and dashes %s", j, i, key)
		}
		seen[key] = i
	}
}

// Bottlenecks come as float32: PCAScatter draws them as their float64
// values.
func TestPCAScatterFloat32(t *testing.T) {
	v32 := [][]float32{{1, 2, 0}, {2, 3, 1}, {0, 1, 5}, {4, 0, 2}}
	v64 := make([][]float64, len(v32))
	for i, v := range v32 {
		for _, x := range v {
			v64[i] = append(v64[i], float64(x))
		}
	}
	labels, names := []int{0, 0, 1, 1}, []string{"a", "b"}
	a, err := PCAScatter(v32, labels, names)
	if err != nil {
		t.Fatal(err)
	}
	b, err := PCAScatter(v64, labels, names)
	if err != nil {
		t.Fatal(err)
	}
	pa, _ := a.Render("svg")
	pb, _ := b.Render("svg")
	if string(pa) != string(pb) {
		t.Error("float32 and float64 vectors draw different charts")
	}
	if _, err := PCAScatter([][]float32{{1, 2}, {2, float32(math.NaN())}}, []int{0, 0}, []string{"a"}); err == nil {
		t.Error("NaN in float32 vectors: no error")
	}
}

// A bar standing for a class is drawn in the class's colour.
func TestBarColor(t *testing.T) {
	colors := ClassColors([]string{"red_disc", "cyan_ring"})
	c, err := Bars("p", "", Bar{Label: "red disc", Value: 1, Color: colors[0]}, Bar{Label: "cyan ring", Value: 1, Color: colors[1]}, Bar{Label: "other", Value: 1})
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.Render("png")
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// Count pixels of each bar colour: every bar shows its own.
	want := []color.Color{colors[0], colors[1], Palette[0]}
	for i, w := range want {
		wr, wg, wb, _ := w.RGBA()
		n := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				if r>>8 == wr>>8 && g>>8 == wg>>8 && bl>>8 == wb>>8 {
					n++
				}
			}
		}
		if n < 500 {
			t.Errorf("bar %d: %d pixels of its colour %v", i, n, w)
		}
	}
}
