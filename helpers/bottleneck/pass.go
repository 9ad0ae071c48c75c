package bottleneck

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/internal/util"
)

// Pass is one timed Files call: how many images, how long it took and what
// the cache did meanwhile. A cold pass computes every vector, a warm one
// reads them back. Passes are JSON, so a notebook can compare passes made in
// different cells (every GoNB cell is a new process).
type Pass struct {
	Images   int           `json:"images"`
	Duration time.Duration `json:"duration"`
	Cache    Stats         `json:"cache"` // counted during the call only
}

// ImagesPerSecond is the pass's rate.
func (p Pass) ImagesPerSecond() float64 {
	if p.Duration <= 0 {
		return 0
	}
	return float64(p.Images) / p.Duration.Seconds()
}

// TimedFiles is Files, timed: it also returns the Pass, with the cache's
// counters during this call (zero without a cache).
func (e *Extractor) TimedFiles(paths []string) ([][]float32, Pass, error) {
	var before Stats
	if e.Cache != nil {
		before = e.Cache.Stats()
	}
	start := time.Now()
	vectors, err := e.Files(paths)
	p := Pass{Images: len(paths), Duration: time.Since(start)}
	if e.Cache != nil {
		after := e.Cache.Stats()
		p.Cache = Stats{Hits: after.Hits - before.Hits, Misses: after.Misses - before.Misses,
			Corrupt: after.Corrupt - before.Corrupt, Writes: after.Writes - before.Writes,
			StaleTemps: after.StaleTemps - before.StaleTemps}
	}
	return vectors, p, err
}

// Save writes the pass as JSON to path, atomically.
func (p Pass) Save(path string) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("bottleneck: %w", err)
	}
	if err := util.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("bottleneck: saving pass: %w", err)
	}
	return nil
}

// LoadPass reads a pass Save wrote.
func LoadPass(path string) (Pass, error) {
	var p Pass
	data, err := limits.ReadFileMax(path, 1<<16)
	if err != nil {
		return p, fmt.Errorf("bottleneck: %w", err)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("bottleneck: %s: %w", path, err)
	}
	return p, nil
}
