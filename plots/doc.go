// Package plots draws the charts of gotl's tutorials with gonum/plot and
// shows them inline in GoNB notebooks.
//
// Every constructor validates its input (empty data, NaN or infinite values,
// mismatched lengths and out-of-range labels are errors naming the series,
// path or example at fault) and returns a *Chart with one surface:
//
//	chart.Show()            // inline image/png output in a notebook
//	chart.ShowSVG()         // inline image/svg+xml output
//	chart.ShowIn(cell)      // redraw in place (nb.Cell), e.g. every epoch
//	chart.Save("loss.pdf")  // .png, .svg, .pdf, .jpg, .tif by extension
//	data, err := chart.Render("png")
//	plots.ShowSideBySide(loss, acc) // several charts in one row (SideBySideHTML)
//
// Outside a notebook Show does nothing, so the same code runs in tests and
// command-line tools. Chart.Plot is the underlying *plot.Plot (nil for image
// grids) for further adjustments: axis ranges, extra plotters, LogY.
//
// # Charts
//
//	Lines(title, xLabel, yLabel, series...)       loss/accuracy vs step, train vs validation
//	Trajectories(title, f, xRange, yRange, paths...) optimizer paths over a heat map + contours of f
//	ConfusionMatrix(counts, classNames)           cells coloured by row-normalised value, counts written
//	ConfusionMatrixFromLabels(truth, predicted, classNames)
//	ImageGrid(tiles, columns)                     pictures with captions, mistakes framed in red
//	PredictionGrid(images, truth, predicted, classNames, columns)
//	Histogram(title, xLabel, values, bins)        weights, activations
//	Bars(title, yLabel, bars...)                  a few named values (with intervals, class colours)
//	Scatter(title, xLabel, yLabel, points, labels, classNames)
//	PCAScatter(vectors, labels, classNames)       embeddings on their 2 principal components
//
// NewReplay(title, f, xRange, yRange, params...) is Trajectories for
// stepping: the cell adds every step of each path, for every combination of
// the parameters (learning rate, momentum …), and the reader steps through
// them in the browser with buttons and sliders after the cell has ended, so
// "Run All" never waits on it (see Replay).
//
// NewLive(title, xLabel, yLabel) is a line chart that grows during training
// and redraws in place in the notebook, at most once per MinInterval:
//
//	live := plots.NewLive("Training", "step", "loss")
//	for step := range 1000 {
//		live.Add("train", float64(step), trainStep())
//	}
//	live.Done()
//
// # Readable by design
//
// Legends sit in a column right of the data area, so they never cover data.
// Series colours come from Palette (twelve colours); beyond twelve, colours
// repeat with Dashes (SeriesStyle), so no two series look alike. Classes
// have one colour in every chart (ClassColors): a class named after a
// colour ("red_disc", "cyan_ring") is drawn in that colour, the others take
// unused palette colours; scatter plots colour the points, confusion
// matrices and prediction grids mark the class names with it. Image grids
// enlarge small pictures by a whole factor, pixel for pixel, towards
// PictureTarget (a 32×32 image is shown at 160×160), instead of stretching
// them to the chart width. Trajectories switches to logarithmic colour and
// contour levels for steep functions such as Rosenbrock's.
//
// A notebook cell:
//
//	import "github.com/gotl/gotl/plots"
//
//	%%
//	chart, err := plots.Lines("Loss", "step", "loss",
//		plots.Series{Name: "train", Y: trainLoss},
//		plots.Series{Name: "validation", X: valSteps, Y: valLoss})
//	if err != nil {
//		panic(err)
//	}
//	chart.LogY().Show()
//
// Charts are not safe for concurrent rendering.
//
// Tests compare each chart kind with a golden image in testdata
// (regenerate with go test ./plots -run TestChartsRenderPNG -regen, then look
// at the images); PLOTS_PREVIEW=dir writes the test charts to dir.
package plots
