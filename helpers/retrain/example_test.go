package retrain_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/retrain"
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
