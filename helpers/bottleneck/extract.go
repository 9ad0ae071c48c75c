package bottleneck

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/progress"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/internal/util"
)

// DefaultBatchSize is the number of images per Model call when
// Extractor.BatchSize is not set (and gotl bottlenecks' --batch_size). On
// the CPU fast path a batch computes no faster per image than one image,
// while peak memory grows by 8 MB (MobileNet 0.25/224) to 50 MB (Inception
// v3) per image in the batch (docs/benchmarks.md); 4 keeps memory near
// batch 1's.
const DefaultBatchSize = 4

// Model computes bottleneck vectors for a batch of preprocessed images
// (dataset.Preprocess output, all of one size).
type Model interface {
	// Fingerprint identifies the model's graph and weights; it is part of
	// every cache key. Fingerprint(graphBytes) is the usual choice.
	Fingerprint() string
	// OutputName names the bottleneck tensor ("pool_3/_reshape:0").
	OutputName() string
	// Bottlenecks returns one vector per image, all of one length.
	Bottlenecks(images []*dataset.FloatImage) ([][]float32, error)
}

// FuncModel adapts a Go function to Model; tests and tutorials use it for
// hand-written feature extractors.
type FuncModel struct {
	ID     string // fingerprint; change it whenever Fn changes
	Output string
	Fn     func(images []*dataset.FloatImage) ([][]float32, error)
}

func (m FuncModel) Fingerprint() string { return m.ID }
func (m FuncModel) OutputName() string  { return m.Output }
func (m FuncModel) Bottlenecks(images []*dataset.FloatImage) ([][]float32, error) {
	return m.Fn(images)
}

// Extractor computes bottleneck vectors for image files through a Model,
// in batches, reading and writing a Cache when one is set.
type Extractor struct {
	Model      Model
	Preprocess dataset.Preprocess
	Cache      *Cache // nil: always compute
	BatchSize  int    // images per Model call; default DefaultBatchSize
	Workers    int    // goroutines reading and decoding; default GOMAXPROCS
	// DecodeBudget bounds the memory of the images that the workers decode
	// at once: each decode first acquires dataset.DecodeBytes of its
	// image's header, and releases it once the image is preprocessed, so
	// that many workers on large photos stay within the budget (one image
	// larger than the whole budget is decoded alone). Default:
	// limits.DecodeBudget(), GOTL_DECODE_MEMORY bytes shared by the whole
	// process.
	DecodeBudget *limits.Budget
	// Progress, when set, is shown the extraction (one unit per image);
	// nb.Bars draws it in a notebook or terminal.
	Progress progress.Reporter
	Label    string // the progress task's label; default "bottlenecks"
}

// Key is the cache key of e's vectors.
func (e *Extractor) Key() Key {
	return Key{Model: e.Model.Fingerprint(), Tensor: e.Model.OutputName(), Preprocess: e.Preprocess.String()}
}

func (e *Extractor) check() error {
	if e.Model == nil {
		return errors.New("bottleneck: Extractor has no Model")
	}
	return e.Preprocess.Validate()
}

// Files returns the bottleneck vector of each image file, in order: cached
// vectors are read, the others computed and cached. Image files are read as
// regular files only (limits.ReadFile), and decoded within DecodeBudget. A
// vector with NaN or ±Inf is an error naming its image.
func (e *Extractor) Files(paths []string) ([][]float32, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	batch := e.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	workers := e.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	label := e.Label
	if label == "" {
		label = "bottlenecks"
	}
	budget := e.DecodeBudget
	if budget == nil {
		budget = limits.DecodeBudget()
	}
	prog := progress.Start(e.Progress, label, len(paths))
	defer prog.Done()
	key := e.Key()
	out := make([][]float32, len(paths))
	hashes := make([]ContentHash, len(paths))
	// Chunks of a few batches bound the memory of decoded images.
	chunk := batch * 4
	for start := 0; start < len(paths); start += chunk {
		end := min(start+chunk, len(paths))
		var (
			mu     sync.Mutex
			misses []int
			inputs = map[int]*dataset.FloatImage{}
			errs   = make([]error, end-start)
		)
		parallel(end-start, workers, func(j int) {
			i := start + j
			data, err := limits.ReadFile(paths[i])
			if err != nil {
				errs[j] = fmt.Errorf("bottleneck: %w", err)
				return
			}
			hashes[i] = HashContent(data)
			if e.Cache != nil {
				if v, ok := e.Cache.Get(key, hashes[i]); ok {
					out[i] = v
					return
				}
			}
			in, err := e.decode(data, budget)
			if err != nil {
				errs[j] = fmt.Errorf("%w (file %s)", err, paths[i])
				return
			}
			mu.Lock()
			misses = append(misses, i)
			inputs[i] = in
			mu.Unlock()
		})
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		sortInts(misses)
		prog.Add(end - start - len(misses))
		for b := 0; b < len(misses); b += batch {
			idx := misses[b:min(b+batch, len(misses))]
			imgs := make([]*dataset.FloatImage, len(idx))
			for k, i := range idx {
				imgs[k] = inputs[i]
			}
			vs, err := e.run(imgs, func(k int) string { return paths[idx[k]] })
			if err != nil {
				return nil, err
			}
			for k, i := range idx {
				out[i] = vs[k]
				if e.Cache != nil {
					if err := e.Cache.Put(key, hashes[i], vs[k]); err != nil {
						return nil, err
					}
				}
			}
			prog.Add(len(idx))
		}
	}
	return out, nil
}

// Splits returns the bottleneck vectors of f's images in f's retrain.py
// splits (see Files: cached vectors are read, the others computed and
// cached), ready for retrain.Train. Only the splits named in which are
// computed, all three when which is empty: with distorted training images
// the training split's vectors are not needed.
func (e *Extractor) Splits(f *dataset.Folder, which ...dataset.Split) (*train.Bottlenecks, error) {
	want := map[dataset.Split]bool{dataset.Training: true, dataset.Validation: true, dataset.Testing: true}
	if len(which) > 0 {
		want = map[dataset.Split]bool{}
		for _, s := range which {
			want[s] = true
		}
	}
	var images []dataset.Image
	var paths []string
	for _, img := range f.Images {
		if want[img.Split] {
			images = append(images, img)
			paths = append(paths, img.Path)
		}
	}
	vectors, err := e.Files(paths)
	if err != nil {
		return nil, err
	}
	s := &train.Bottlenecks{Labels: f.Labels()}
	for i, img := range images {
		s.Add(img.Split, train.Example[[]float32]{Input: vectors[i], Label: img.Label, Name: img.Path})
	}
	return s, nil
}

// Images computes bottlenecks of decoded images (values in [0, 255], any
// size), preprocessing them first; nothing is cached: the path for images
// that do not come from a file as they are. (retrain.DistortedBatches,
// whose distorted images already have the model's size, calls
// Model.Bottlenecks itself, so that Train names each bad vector's image
// file.)
func (e *Extractor) Images(images []*dataset.FloatImage) ([][]float32, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	batch := e.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	out := make([][]float32, 0, len(images))
	for b := 0; b < len(images); b += batch {
		in := make([]*dataset.FloatImage, 0, batch)
		for _, img := range images[b:min(b+batch, len(images))] {
			in = append(in, e.Preprocess.Apply(img))
		}
		vs, err := e.run(in, func(k int) string { return fmt.Sprintf("image %d", b+k) })
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// decodeImage is dataset.Decode; tests instrument it.
var decodeImage = dataset.Decode

// decode decodes and preprocesses one image file's bytes, holding its
// decoding memory (dataset.DecodeBytes: what the decoder holds and the
// float copy) from budget meanwhile.
func (e *Extractor) decode(data []byte, budget *limits.Budget) (*dataset.FloatImage, error) {
	taken, err := budget.Acquire(context.Background(), dataset.DecodeBytes(data))
	if err != nil {
		return nil, err
	}
	defer budget.Release(taken)
	img, err := decodeImage(data)
	if err != nil {
		return nil, err
	}
	return e.Preprocess.Apply(img), nil
}

// run computes the vectors of a batch; name(k) names the kth image in
// errors.
func (e *Extractor) run(imgs []*dataset.FloatImage, name func(k int) string) ([][]float32, error) {
	vs, err := e.Model.Bottlenecks(imgs)
	if err != nil {
		return nil, fmt.Errorf("bottleneck: model %s: %w (batch starting with %s)", e.Model.OutputName(), err, name(0))
	}
	if len(vs) != len(imgs) {
		return nil, fmt.Errorf("bottleneck: model %s returned %d vectors for %d images", e.Model.OutputName(), len(vs), len(imgs))
	}
	for k, v := range vs {
		if len(v) == 0 || len(v) != len(vs[0]) {
			return nil, fmt.Errorf("bottleneck: model %s returned vectors of lengths %d and %d", e.Model.OutputName(), len(vs[0]), len(v))
		}
		if i := util.FirstNonFinite(v); i >= 0 {
			return nil, fmt.Errorf("bottleneck: model %s computed %v (value %d of %d) for %s; nothing non-finite is cached or trained on", e.Model.OutputName(), v[i], i, len(v), name(k))
		}
	}
	return vs, nil
}

func parallel(n, workers int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
