package bottleneck_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
)

// A cold pass computes and stores every vector; a second pass (here a new
// Extractor, as a new notebook cell would make) only reads the cache.
func ExampleExtractor() {
	tmp, _ := os.MkdirTemp("", "bottleneck-example")
	defer os.RemoveAll(tmp)
	images := filepath.Join(tmp, "images")
	if _, err := dataset.WriteSynthetic(images, dataset.SyntheticOptions{Classes: 2, PerClass: 3, Height: 16, Width: 16}); err != nil {
		panic(err)
	}
	folder, _ := dataset.LoadFolder(images, dataset.DefaultFolderOptions())
	var paths []string
	for _, img := range folder.Images {
		paths = append(paths, img.Path)
	}
	def, _ := bottleneck.RandomConvNet(bottleneck.ConvNetOptions{Height: 16, Width: 16})
	model, err := bottleneck.NewGraphModel(def, bottleneck.ConvNetInput, bottleneck.ConvNetBottleneck)
	if err != nil {
		panic(err)
	}
	for pass := 0; pass < 2; pass++ {
		cache, _ := bottleneck.Open(filepath.Join(tmp, "cache"))
		ex := &bottleneck.Extractor{Model: model, Cache: cache,
			Preprocess: dataset.Preprocess{Height: 16, Width: 16, Mean: 127.5, Std: 127.5}}
		vectors, err := ex.Files(paths)
		if err != nil {
			panic(err)
		}
		fmt.Printf("pass %d: %d vectors of %d values; %v\n", pass, len(vectors), len(vectors[0]), cache.Stats())
	}
	// Output:
	// pass 0: 6 vectors of 32 values; 0 hits, 6 misses (0 corrupt), 6 written
	// pass 1: 6 vectors of 32 values; 6 hits, 0 misses (0 corrupt), 0 written
}
