package bottleneck

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gotl/gotl/helpers/dataset"
)

// A cold pass computes and writes every vector, a warm one reads them all;
// each Pass counts only its own call, survives a Save and Load (a notebook's
// next cell), and Cache.Path names the entry a damaged file is recomputed
// from.
func TestTimedPasses(t *testing.T) {
	f := synthFolder(t, 2, 5)
	cache, _ := Open(t.TempDir())
	ex := &Extractor{Model: &meanColorModel{}, Cache: cache, Preprocess: dataset.Preprocess{Height: 16, Width: 16, Mean: 0, Std: 1}}
	_, cold, err := ex.TimedFiles(f.Paths())
	if err != nil {
		t.Fatal(err)
	}
	if cold.Images != 10 || cold.Cache.Misses != 10 || cold.Cache.Writes != 10 || cold.Cache.Hits != 0 || cold.Duration <= 0 || cold.ImagesPerSecond() <= 0 {
		t.Errorf("cold pass %+v", cold)
	}
	saved := filepath.Join(t.TempDir(), "cold.json")
	if err := cold.Save(saved); err != nil {
		t.Fatal(err)
	}
	back, err := LoadPass(saved)
	if err != nil || back != cold {
		t.Errorf("LoadPass = %+v, %v; saved %+v", back, err, cold)
	}
	_, warm, err := ex.TimedFiles(f.Paths())
	if err != nil || warm.Cache.Hits != 10 || warm.Cache.Misses != 0 || warm.Images != 10 {
		t.Errorf("warm pass %+v, %v", warm, err)
	}

	h, err := HashFile(f.Images[3].Path)
	if err != nil {
		t.Fatal(err)
	}
	entry := cache.Path(ex.Key(), h)
	data, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("Cache.Path names no entry: %v", err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(entry, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, p, err := ex.TimedFiles([]string{f.Images[3].Path})
	if err != nil || p.Cache.Corrupt != 1 || p.Cache.Writes != 1 {
		t.Errorf("damaged entry: %+v, %v", p, err)
	}
	if _, err := LoadPass(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadPass of a missing file: no error")
	}
}
