package bottleneck

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/limits"
)

// TextPath is where retrain.py keeps the text bottleneck of img:
// <dir>/<class folder>/<file name>.txt, or with a module name (the
// TF-Hub version of retrain.py) <file name>_<module>.txt, where "://", "/",
// ":" and "\" in the module name become "~".
func TextPath(dir string, f *dataset.Folder, img dataset.Image, module string) string {
	name := img.Name
	if module != "" {
		for _, s := range []string{"://", "/", ":", "\\"} {
			module = strings.ReplaceAll(module, s, "~")
		}
		name += "_" + module
	}
	return filepath.Join(dir, f.Classes[img.Label].Dir, name+".txt")
}

// maxTextBytes bounds a text bottleneck file (a 2048-float Inception
// vector is about 25 KB).
const maxTextBytes = 64 << 20

// ExportText writes vectors (aligned with f.Images; nil entries are
// skipped) in retrain.py's text layout under dir, each file atomically.
func ExportText(dir string, f *dataset.Folder, vectors [][]float32, module string) error {
	if len(vectors) != len(f.Images) {
		return fmt.Errorf("bottleneck: %d vectors for %d images", len(vectors), len(f.Images))
	}
	for i, img := range f.Images {
		if vectors[i] == nil {
			continue
		}
		p := TextPath(dir, f, img, module)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("bottleneck: %w", err)
		}
		var b strings.Builder
		for j, x := range vectors[i] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
		}
		if err := writeAtomic(p, []byte(b.String())); err != nil {
			return err
		}
	}
	return nil
}

// ParseText parses one retrain.py bottleneck file: comma-separated floats,
// all finite: "nan" and "inf", which strconv would accept, are errors, so
// that a damaged file stops the import instead of training on NaN.
func ParseText(data []byte) ([]float32, error) {
	s := strings.TrimSpace(string(data))
	if s == "" {
		return nil, errors.New("bottleneck: empty text bottleneck")
	}
	parts := strings.Split(s, ",")
	v := make([]float32, len(parts))
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return nil, fmt.Errorf("bottleneck: value %d: %w", i, err)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("bottleneck: value %d is %q, not a finite number", i, strings.TrimSpace(p))
		}
		v[i] = float32(x)
	}
	return v, nil
}

// ImportText reads retrain.py text bottlenecks for f's images from dir. The
// result is aligned with f.Images; images without a file get nil and are
// counted in missing. A file that does not parse (see ParseText), that is
// not a regular file, or whose length differs from the others, is an error
// naming it.
func ImportText(dir string, f *dataset.Folder, module string) (vectors [][]float32, missing int, err error) {
	vectors = make([][]float32, len(f.Images))
	for i, img := range f.Images {
		p := TextPath(dir, f, img, module)
		data, err := limits.ReadFileMax(p, maxTextBytes)
		if errors.Is(err, fs.ErrNotExist) {
			missing++
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("bottleneck: text bottleneck %w", err)
		}
		v, err := ParseText(data)
		if err != nil {
			return nil, 0, fmt.Errorf("%w (file %s)", err, p)
		}
		for _, prev := range vectors[:i] {
			if prev != nil && len(prev) != len(v) {
				return nil, 0, fmt.Errorf("bottleneck: %s has %d values, earlier files %d", p, len(v), len(prev))
			}
			if prev != nil {
				break
			}
		}
		vectors[i] = v
	}
	return vectors, missing, nil
}

// ImportTextToCache puts the retrain.py text bottlenecks of f's images found
// in dir (see ImportText) into e's cache under e's key, so that Files and
// Splits find them as hits, and returns how many it stored. The cache's
// counters are reset afterwards.
func (e *Extractor) ImportTextToCache(dir string, f *dataset.Folder, module string) (int, error) {
	if e.Cache == nil {
		return 0, errors.New("bottleneck: ImportTextToCache needs an Extractor with a Cache")
	}
	if err := e.check(); err != nil {
		return 0, err
	}
	vectors, _, err := ImportText(dir, f, module)
	if err != nil {
		return 0, err
	}
	n := 0
	for i, v := range vectors {
		if v == nil {
			continue
		}
		h, err := HashFile(f.Images[i].Path)
		if err != nil {
			return n, err
		}
		if err := e.Cache.Put(e.Key(), h, v); err != nil {
			return n, err
		}
		n++
	}
	e.Cache.ResetStats()
	return n, nil
}
