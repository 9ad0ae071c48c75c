package retrain

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/train"
)

// DistortedBatches returns a Config.TrainBatch for retrain.py's distortions
// (--flip_left_right, --random_crop, --random_scale, --random_brightness):
// it draws training images of f as retrain.py does (a uniform class, then a
// uniform image of that class), distorts them with d, preprocesses them as
// ex does and computes their bottlenecks with ex.Model in batches of
// ex.BatchSize, bypassing the cache: distorted pixels differ at every step.
// Each image file is decoded once and kept in memory.
//
// With distortions, the training split's cached bottlenecks are not needed:
// ex.Splits(f, dataset.Validation, dataset.Testing) computes only the
// others.
func DistortedBatches(f *dataset.Folder, ex *bottleneck.Extractor, d dataset.Distortions) func(*rand.Rand, int) ([]train.Example[[]float32], error) {
	byClass := make([][]dataset.Image, len(f.Classes))
	for _, img := range f.Split(dataset.Training) {
		byClass[img.Label] = append(byClass[img.Label], img)
	}
	prep := ex.Preprocess
	var mu sync.Mutex
	decoded := map[string]*dataset.FloatImage{}
	return func(rng *rand.Rand, n int) ([]train.Example[[]float32], error) {
		imgs := make([]*dataset.FloatImage, n)
		batch := make([]train.Example[[]float32], n)
		for i := range imgs {
			c := rng.IntN(len(byClass))
			if len(byClass[c]) == 0 {
				return nil, fmt.Errorf("retrain: class %q has no training images", f.Classes[c].Label)
			}
			img := byClass[c][rng.IntN(len(byClass[c]))]
			mu.Lock()
			src, ok := decoded[img.Path]
			mu.Unlock()
			if !ok {
				var err error
				if src, err = dataset.Load(img.Path); err != nil {
					return nil, fmt.Errorf("retrain: %w", err)
				}
				mu.Lock()
				decoded[img.Path] = src
				mu.Unlock()
			}
			out := d.Apply(src, prep.Height, prep.Width, rng)
			prep.Normalize(out)
			imgs[i] = out
			batch[i] = train.Example[[]float32]{Label: c, Name: img.Path}
		}
		size := ex.BatchSize
		if size <= 0 {
			size = bottleneck.DefaultBatchSize
		}
		for b := 0; b < n; b += size {
			vs, err := ex.Model.Bottlenecks(imgs[b:min(b+size, n)])
			if err != nil {
				return nil, fmt.Errorf("retrain: distorted batch: %w", err)
			}
			for k, v := range vs {
				batch[b+k].Input = v
			}
		}
		return batch, nil
	}
}
