package retrain

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/train"
)

// DistortedBatches returns a Config.TrainBatch for retrain.py's distortions
// (--flip_left_right, --random_crop, --random_scale, --random_brightness):
// it draws training images of f as retrain.py does (a uniform class, then a
// uniform image of that class), distorts them with d, preprocesses them as
// ex does and computes their bottlenecks with ex.Model in batches of
// ex.BatchSize, bypassing the cache: distorted pixels differ at every step.
// Decoded images are kept in memory up to limits.DecodeMemory bytes
// (GOTL_DECODE_MEMORY), so each file is decoded once when they fit; beyond
// that, the others are decoded again whenever they are drawn.
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
	decoded := newDecodedImages(limits.DecodeMemory.Get())
	return func(rng *rand.Rand, n int) ([]train.Example[[]float32], error) {
		imgs := make([]*dataset.FloatImage, n)
		batch := make([]train.Example[[]float32], n)
		for i := range imgs {
			c := rng.IntN(len(byClass))
			if len(byClass[c]) == 0 {
				return nil, fmt.Errorf("retrain: class %q has no training images", f.Classes[c].Label)
			}
			img := byClass[c][rng.IntN(len(byClass[c]))]
			src, err := decoded.load(img.Path)
			if err != nil {
				return nil, fmt.Errorf("retrain: %w", err)
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

// decodedImages keeps decoded image files while they fit in max bytes.
type decodedImages struct {
	mu     sync.Mutex
	images map[string]*dataset.FloatImage
	held   int64
	max    int64
}

func newDecodedImages(max int64) *decodedImages {
	return &decodedImages{images: map[string]*dataset.FloatImage{}, max: max}
}

// load returns the decoded image at path, decoding it unless it is kept.
func (d *decodedImages) load(path string) (*dataset.FloatImage, error) {
	d.mu.Lock()
	img, ok := d.images[path]
	d.mu.Unlock()
	if ok {
		return img, nil
	}
	img, err := dataset.Load(path)
	if err != nil {
		return nil, err
	}
	size := 4 * int64(len(img.Pix))
	d.mu.Lock()
	if _, ok := d.images[path]; !ok && d.held+size <= d.max {
		d.images[path] = img
		d.held += size
	}
	d.mu.Unlock()
	return img, nil
}
