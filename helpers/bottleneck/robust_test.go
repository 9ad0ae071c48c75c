package bottleneck

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/internal/util"
)

// writePNGs writes n distinct w×h PNG files and returns their paths.
func writePNGs(t *testing.T, n, w, h int) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := 0; i < n; i++ {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		img.Set(i%w, 0, color.NRGBA{R: 255, A: 255})
		p := filepath.Join(dir, "img"+string(rune('a'+i))+".png")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, p)
	}
	return paths
}

// The decode budget, not the number of workers, bounds how many images are
// decoded at once: with room for one image (or two), eight workers decode
// one (or two) at a time; with room for all, they overlap. Each instrumented
// decode lingers, so that workers that could overlap do.
func TestExtractorDecodeBudgetLimitsConcurrency(t *testing.T) {
	const n, side = 12, 64
	paths := writePNGs(t, n, side, side)
	cost := limits.DecodeBytes(image.Config{ColorModel: color.NRGBAModel, Width: side, Height: side}, 12)
	var inFlight, peak atomic.Int64
	decodeImage = func(data []byte) (*dataset.FloatImage, error) {
		now := inFlight.Add(1)
		for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
		}
		time.Sleep(15 * time.Millisecond)
		defer inFlight.Add(-1)
		return dataset.Decode(data)
	}
	defer func() { decodeImage = dataset.Decode }()
	for _, c := range []struct {
		budget   int64
		max, min int64
	}{
		{cost + cost/2, 1, 1}, // room for one
		{2*cost + cost/2, 2, 2},
		{cost / 2, 1, 1},   // an image larger than the budget runs alone
		{100 * cost, 8, 3}, // room for every worker: the budget is not what serializes
	} {
		peak.Store(0)
		b := limits.NewBudget(c.budget)
		ex := &Extractor{Model: &meanColorModel{}, Preprocess: dataset.Preprocess{Height: 8, Width: 8, Std: 1},
			Workers: 8, DecodeBudget: b}
		if _, err := ex.Files(paths); err != nil {
			t.Fatal(err)
		}
		if got := peak.Load(); got < c.min || got > c.max {
			t.Errorf("budget of %d bytes (%.1f images): %d decodes at once, want %d..%d", c.budget, float64(c.budget)/float64(cost), got, c.min, c.max)
		}
		// Everything was given back.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		taken, err := b.Acquire(ctx, b.Total())
		cancel()
		if err != nil {
			t.Errorf("budget of %d bytes not released after Files: %v", c.budget, err)
		} else {
			b.Release(taken)
		}
	}
}

// A model that computes NaN or Inf for an image is an error naming the
// image, and nothing is cached for it.
func TestExtractorRefusesNonFiniteVectors(t *testing.T) {
	f := synthFolder(t, 2, 3)
	paths := f.Paths()
	cache, _ := Open(t.TempDir())
	calls := 0
	ex := &Extractor{Cache: cache, Preprocess: dataset.Preprocess{Height: 8, Width: 8, Std: 1}, BatchSize: 2,
		Model: FuncModel{ID: "nan-at-3", Output: "out:0", Fn: func(imgs []*dataset.FloatImage) ([][]float32, error) {
			out := make([][]float32, len(imgs))
			for k := range imgs {
				out[k] = []float32{1, 2}
				if calls*2+k == 3 {
					out[k][1] = float32(math.NaN())
				}
			}
			calls++
			return out, nil
		}}}
	_, err := ex.Files(paths)
	if err == nil || !strings.Contains(err.Error(), paths[3]) || !strings.Contains(err.Error(), "NaN (value 1 of 2)") {
		t.Fatalf("got %v; want an error naming %s and the NaN", err, paths[3])
	}
	if n, _ := cache.Len(ex.Key()); n != 2 {
		t.Errorf("%d entries cached; want the 2 of the batch before the NaN", n)
	}
	if err := cache.Put(testKey, HashContent([]byte("x")), []float32{0, float32(math.Inf(-1))}); err == nil || !strings.Contains(err.Error(), "value 1 is -Inf") {
		t.Errorf("Put of -Inf: %v", err)
	}
	// An entry holding NaN (not written by Put) is corrupt: a miss, recomputed.
	h := HashContent([]byte("y"))
	p := cache.path(testKey.namespace(), h)
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, encodeEntry(entryID(testKey.namespace(), h), []float32{float32(math.NaN())}), 0o644)
	cache.ResetStats()
	if _, ok := cache.Get(testKey, h); ok || cache.Stats().Corrupt != 1 {
		t.Errorf("NaN entry read as a hit; stats %v", cache.Stats())
	}
}

// "nan" or "inf" in a text bottleneck stops the import with an error naming
// the file (retrain.py's files are comma-separated floats; strconv accepts
// both words).
func TestImportTextRefusesNonFinite(t *testing.T) {
	f := synthFolder(t, 2, 2)
	dir := t.TempDir()
	ex := &Extractor{Model: &meanColorModel{}, Preprocess: dataset.Preprocess{Height: 8, Width: 8, Std: 1}}
	vs, err := ex.Files(f.Paths())
	if err != nil {
		t.Fatal(err)
	}
	if err := ExportText(dir, f, vs, ""); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"nan", "-Inf", "infinity", "1e39"} {
		p := TextPath(dir, f, f.Images[2], "")
		if err := os.WriteFile(p, []byte("0.5,"+bad+",1"), 0o644); err != nil {
			t.Fatal(err)
		}
		ex.Cache, _ = Open(t.TempDir())
		_, err := ex.ImportTextToCache(dir, f, "")
		if err == nil || !strings.Contains(err.Error(), "value 1") || !strings.HasSuffix(err.Error(), "(file "+p+")") {
			t.Errorf("%s: got %v; want an error about value 1 naming %s", bad, err, p)
		}
		if n, _ := ex.Cache.Len(ex.Key()); n != 0 {
			t.Errorf("%s: %d entries imported before the error", bad, n)
		}
	}
}

// Put removes the temporary files of killed writers from the directories it
// writes to: old ones nobody holds, never a young one.
func TestCacheRemovesStaleTemps(t *testing.T) {
	c, _ := Open(t.TempDir())
	h := HashContent([]byte("image"))
	ns := testKey.namespace()
	entryDir := filepath.Dir(c.path(ns, h))
	nsDir := filepath.Join(c.Dir(), ns[:16])
	os.MkdirAll(entryDir, 0o755)
	old := time.Now().Add(-2 * util.StaleTempAge)
	plant := func(dir, name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, nil, 0o600)
		os.Chtimes(p, mtime, mtime)
		return p
	}
	killed := plant(entryDir, ".0123.bn.tmp-4242", old)
	killedKey := plant(nsDir, ".key.json.tmp-17", old)
	live := plant(entryDir, ".4567.bn.tmp-99", time.Now())
	if err := c.Put(testKey, h, []float32{1}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{killed, killedKey} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: stale temporary file kept (%v)", p, err)
		}
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a young temporary file was removed: %v", err)
	}
	if s := c.Stats(); s.StaleTemps != 2 || !strings.HasSuffix(s.String(), ", 2 stale temporary files removed") {
		t.Errorf("stats %v", s)
	}
}
