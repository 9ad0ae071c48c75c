package retrain_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/train"
)

// The whole recipe on an image folder: cached bottlenecks in retrain.py's
// splits, then a new final layer trained on them. The result's fields are
// helpers/train's, the same a fine-tuning run returns.
func ExampleTrain_imageFolder() {
	tmp, _ := os.MkdirTemp("", "retrain-example")
	defer os.RemoveAll(tmp)
	images := filepath.Join(tmp, "images")
	if _, err := dataset.WriteSyntheticClasses(images, []string{"red_disc", "blue_hstripes", "cyan_ring"},
		dataset.SyntheticOptions{PerClass: 30, Height: 24, Width: 24}); err != nil {
		panic(err)
	}
	folder, _ := dataset.LoadFolder(images, dataset.DefaultFolderOptions())

	// A random conv net stands in for Inception v3 here.
	def, _ := bottleneck.RandomConvNet(bottleneck.ConvNetOptions{Height: 24, Width: 24})
	model, _ := bottleneck.NewGraphModel(def, bottleneck.ConvNetInput, bottleneck.ConvNetBottleneck)
	cache, _ := bottleneck.Open(filepath.Join(tmp, "cache"))
	ex := &bottleneck.Extractor{Model: model, Cache: cache, // Progress: nb.Bars in a notebook
		Preprocess: dataset.Preprocess{Height: 24, Width: 24, Mean: 127.5, Std: 127.5}}
	data, err := ex.Splits(folder)
	if err != nil {
		panic(err)
	}
	// (The split hashes each path, temporary directory included: its sizes
	// vary from run to run here.)
	fmt.Println(data.Len(), "bottlenecks of", len(data.Training[0].Input), "values; classes:", data.Labels)

	cfg := retrain.DefaultConfig()
	cfg.Steps, cfg.EvalStepInterval = 200, 50
	res, err := retrain.Train(data, cfg)
	if err != nil {
		panic(err)
	}
	var steps []int
	for _, p := range res.History {
		steps = append(steps, p.Step)
	}
	fmt.Println("evaluated after steps", steps)
	fmt.Println("tested on the whole test split:", res.TestCount == len(data.Testing))
	// Output:
	// 90 bottlenecks of 32 values; classes: [blue hstripes cyan ring red disc]
	// evaluated after steps [1 51 101 151 200]
	// tested on the whole test split: true
}

// Two optimizers on one task, each at its stable rate: three rates, two
// seeds, one budget. The rate far too high diverges and is out.
func ExampleSweep() {
	data := &train.Bottlenecks{Labels: []string{"low", "high"}}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 120 {
		label := i % 2
		x := []float32{float32(label) + 0.4*float32(rng.NormFloat64()), float32(rng.NormFloat64())}
		data.Add([]dataset.Split{dataset.Training, dataset.Training, dataset.Validation, dataset.Testing}[i%4],
			train.Example[[]float32]{Input: x, Label: label})
	}
	base := retrain.DefaultConfig()
	base.Steps, base.TrainBatchSize, base.ValidationBatchSize = 100, 16, -1
	res, err := retrain.Sweep{
		Base:          base,
		Optimizers:    []optim.Config{{Optimizer: "GradientDescent"}, {Optimizer: "Adam"}},
		LearningRates: []float64{0.003, 0.1, 1e300},
		Seeds:         []uint64{1, 2},
	}.Run(data)
	if err != nil {
		panic(err)
	}
	for _, c := range res.Choices {
		fmt.Printf("%s: lr %g (diverged at 1e300: %v)\n", c.Name, c.LearningRate, math.IsNaN(c.Scores[2]))
	}
	// Output:
	// GradientDescent: lr 0.1 (diverged at 1e300: true)
	// Adam: lr 0.1 (diverged at 1e300: true)
}
