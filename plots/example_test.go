package plots_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/gotl/gotl/plots"
)

// A loss curve for training and validation, rendered as PNG. In a notebook,
// chart.Show() displays it inline instead.
func ExampleLines() {
	train := []float64{2.3, 1.1, 0.7, 0.5, 0.42, 0.38}
	validation := []float64{2.3, 1.3, 0.9, 0.8, 0.78, 0.79}
	chart, err := plots.Lines("Loss", "epoch", "cross-entropy",
		plots.Series{Name: "train", Y: train},
		plots.Series{Name: "validation", Y: validation})
	if err != nil {
		log.Fatal(err)
	}
	data, err := chart.Render("png")
	if err != nil {
		log.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("PNG size:", img.Bounds().Size())
	// Output:
	// PNG size: (605,378)
}

// Constructors check their input and say what is wrong.
func ExampleLines_badInput() {
	_, err := plots.Lines("Loss", "step", "loss",
		plots.Series{Name: "train", Y: []float64{0.9, 0.5}, X: []float64{0, 1, 2}})
	fmt.Println(err)
	// Output:
	// plots: Lines: series "train": 3 X values but 2 Y values
}

// Two optimizers on the Rosenbrock function, saved as SVG.
func ExampleTrajectories() {
	rosenbrock := func(x, y float64) float64 { return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x) }
	sgd := [][2]float64{{-1.5, 2}, {-1.2, 1.5}, {-0.8, 0.7}, {-0.3, 0.1}, {0.4, 0.15}, {0.8, 0.6}}
	adam := [][2]float64{{1.5, -0.5}, {1.2, 0.6}, {1.1, 1.1}, {1.02, 1.04}, {1, 1}}
	chart, err := plots.Trajectories("Rosenbrock", rosenbrock,
		plots.Range{Min: -2, Max: 2}, plots.Range{Min: -1, Max: 3},
		plots.Path{Name: "sgd", Points: sgd}, plots.Path{Name: "adam", Points: adam})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "plots")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "rosenbrock.svg")
	if err := chart.Save(path); err != nil {
		log.Fatal(err)
	}
	info, err := os.Stat(path)
	fmt.Println("saved:", err == nil && info.Size() > 0)
	// Output:
	// saved: true
}

// A confusion matrix from labels; the title reports the accuracy.
func ExampleConfusionMatrixFromLabels() {
	classes := []string{"daisy", "rose", "tulip"}
	truth := []int{0, 0, 1, 1, 2, 2, 2, 2}
	predicted := []int{0, 1, 1, 1, 2, 2, 0, 2}
	chart, err := plots.ConfusionMatrixFromLabels(truth, predicted, classes)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(chart.Plot.Title.Text)
	counts, _ := plots.CountConfusions(truth, predicted, len(classes))
	fmt.Println(counts)
	// Output:
	// Confusion matrix · accuracy 75.0% (6/8)
	// [[1 1 0] [0 2 0] [1 0 3]]
}

// The first principal component of points along a line carries all the
// variance.
func ExamplePCA2() {
	vectors := [][]float64{{0, 0, 0}, {1, 2, 3}, {2, 4, 6}, {3, 6, 9}}
	_, share, err := plots.PCA2(vectors)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("PC1 %.2f, PC2 %.2f\n", share[0], share[1])
	// Output:
	// PC1 1.00, PC2 0.00
}

// A histogram of values; the legend reports count, mean and spread.
func ExampleHistogram() {
	weights := []float64{-0.2, -0.1, -0.1, 0, 0, 0, 0.1, 0.1, 0.2}
	chart, err := plots.Histogram("Weights", "value", weights, 5)
	if err != nil {
		log.Fatal(err)
	}
	svg, err := chart.Render("svg")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bytes.Contains(svg, []byte("n=9  mean=0  std=0.1225")))
	// Output:
	// true
}

// The numbers a histogram's title shows, for the text beside it.
func ExampleMeanStd() {
	mean, std := plots.MeanStd([]float64{-0.2, -0.1, -0.1, 0, 0, 0, 0.1, 0.1, 0.2})
	fmt.Printf("mean=%.4g  std=%.4g\n", mean, std)
	// Output:
	// mean=0  std=0.1225
}

// A few named numbers are bars, not a line: the x axis is a list of
// categories. Low and High add an interval, e.g. the spread over seeds.
func ExampleBars() {
	chart, err := plots.Bars("Time to get all bottlenecks", "seconds",
		plots.Bar{Label: "cold (computed)", Value: 12.5},
		plots.Bar{Label: "warm (cached)", Value: 0.42, Low: 0.38, High: 0.47})
	if err != nil {
		log.Fatal(err)
	}
	_, err = chart.Render("svg")
	fmt.Println(err)
	_, err = plots.Bars("accuracy", "", plots.Bar{Label: "retrain", Value: 0.9, Low: 0.95, High: 0.85})
	fmt.Println(err)
	// Output:
	// <nil>
	// plots: Bars: bar 0 ("retrain"): interval [0.95, 0.85] has Low above High
}

// Classes named after colours are drawn in them, in every chart; other
// names take the palette's unused colours.
func ExampleClassColors() {
	for i, c := range plots.ClassColors([]string{"red_disc", "daisy", "white_dots"}) {
		r, g, b, _ := c.RGBA()
		fmt.Printf("%d: #%02x%02x%02x\n", i, r>>8, g>>8, b>>8)
	}
	// Output:
	// 0: #d62728
	// 1: #1f77b4
	// 2: #b8b8b8
}

// A stepper for a notebook: the cell computes gradient descent's path on a
// bowl for each learning rate, and the reader steps through them in the
// browser (Step, Back, Play, a learning-rate slider) after the cell ended.
func ExampleNewReplay() {
	bowl := func(x, y float64) float64 { return x*x + 4*y*y }
	rates := []float64{0.05, 0.1, 0.2}
	replay, err := plots.NewReplay("bowl", bowl, plots.Range{Min: -2, Max: 2}, plots.Range{Min: -2, Max: 2},
		plots.ReplayParam{Name: "learning rate", Values: rates, Start: 1})
	if err != nil {
		log.Fatal(err)
	}
	replay.SetColumns("loss")
	for i, lr := range rates {
		x, y := 1.8, 1.5
		var points [][2]float64
		var rows [][]string
		for range 21 {
			points = append(points, [2]float64{x, y})
			rows = append(rows, []string{fmt.Sprintf("%.3g", bowl(x, y))})
			x, y = x-lr*2*x, y-lr*8*y
		}
		if err := replay.Add("gradient descent", []int{i}, points, rows); err != nil {
			log.Fatal(err)
		}
	}
	html, err := replay.HTML() // what replay.Show() displays in a notebook
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(replay.Steps(), "steps;", strings.Count(html, "<button"), "buttons")
	// Output:
	// 20 steps; 5 buttons
}
