package compare

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/finetune"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/progress"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/helpers/zoo"
	"github.com/gotl/gotl/internal/procstat"
	"github.com/gotl/gotl/internal/util"
)

// Record is one method's run on one seed: the train.Run notebooks and
// tools keep, with what this package adds.
type Record struct {
	train.Run
	Method string `json:"method"` // Method.ID
	Seed   uint64 `json:"seed"`
	// User+system CPU seconds of this process during the preparation
	// (Run.Prep) and the training call (Run.Duration): on a shared machine
	// wall time also measures the other processes.
	PrepCPUSeconds  float64 `json:"prep_cpu_seconds"`
	TrainCPUSeconds float64 `json:"train_cpu_seconds"`
	// SecondsPerStep is the steady rate (Run.SecondsPerStep).
	SecondsPerStep float64 `json:"seconds_per_step"`
}

// Experiment runs the comparison in a work directory:
//
//	Dir/seed-N/images/   the image folder of seed N (Prepare)
//	Dir/bottlenecks/     the bottleneck cache, shared (entries are keyed by content)
//	Dir/runs/ID-N.json   the Record of method ID on seed N (Save)
type Experiment struct {
	Settings Settings
	Dir      string
	// Progress shows RunSeeds going through the seeds (nb.Bars draws a
	// bar per method); nil shows nothing.
	Progress progress.Reporter
	// Log, when set, gets one line per run: its preparation, speed and
	// accuracies.
	Log io.Writer

	heads map[uint64]*retrain.Layer // retrained layers, for Settings.InitHead
}

func (e *Experiment) logf(format string, args ...any) {
	if e.Log != nil {
		fmt.Fprintf(e.Log, format+"\n", args...)
	}
}

// imageDir is the image folder of a seed.
func (e *Experiment) imageDir(seed uint64) string {
	return filepath.Join(e.Dir, fmt.Sprintf("seed-%d", seed), "images")
}

// Prepare starts afresh: it removes the images, the cache and the saved
// runs an earlier experiment left in Dir (nothing else there) and writes
// the image folder of every seed.
func (e *Experiment) Prepare() error {
	if err := e.Settings.Check(); err != nil {
		return err
	}
	if !filepath.IsAbs(e.Dir) {
		return fmt.Errorf("compare: the work directory must be an absolute path, not %q", e.Dir)
	}
	old, err := filepath.Glob(filepath.Join(e.Dir, "seed-*"))
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	for _, p := range append(old, filepath.Join(e.Dir, "bottlenecks"), filepath.Join(e.Dir, "runs")) {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("compare: %w", err)
		}
	}
	for _, seed := range e.Settings.SeedList() {
		_, err := dataset.WriteSyntheticClasses(e.imageDir(seed), zoo.TinyNetTargetClasses, dataset.SyntheticOptions{
			PerClass: e.Settings.PerClass, Height: e.Settings.ImageSize, Width: e.Settings.ImageSize, Noise: e.Settings.Noise, Seed: seed})
		if err != nil {
			return fmt.Errorf("compare: images of seed %d: %w", seed, err)
		}
	}
	return nil
}

// Folder loads the image folder of a seed, split as retrain.py splits the
// relative path "images" (dataset.FolderOptions.HashDir): the same split
// for every seed and on every machine.
func (e *Experiment) Folder(seed uint64) (*dataset.Folder, error) {
	opts := dataset.DefaultFolderOptions()
	opts.ValidationPercentage, opts.TestingPercentage, opts.HashDir = e.Settings.ValidationPercent, e.Settings.TestPercent, "images"
	f, err := dataset.LoadFolder(e.imageDir(seed), opts)
	if err != nil {
		return nil, fmt.Errorf("compare: seed %d (run Prepare first): %w", seed, err)
	}
	return f, nil
}

// Run trains method m on one seed's folder.
func (e *Experiment) Run(m Method, seed uint64) (*Record, error) {
	if err := e.Settings.Check(); err != nil {
		return nil, err
	}
	folder, err := e.Folder(seed)
	if err != nil {
		return nil, err
	}
	files, err := zoo.TinyNet()
	if err != nil {
		return nil, err
	}
	r := &Record{Run: train.Run{Name: m.Name, Trains: m.Trains, Batch: e.Settings.Batch}, Method: m.ID, Seed: seed}
	var prep string // what the preparation did, for the log
	if m.FineTune {
		prep, err = e.fineTune(r, m, folder, files)
	} else {
		prep, err = e.retrain(r, m, folder, files)
	}
	if err != nil {
		return nil, fmt.Errorf("compare: %s, seed %d: %w", m.Name, seed, err)
	}
	r.SecondsPerStep = r.Result.SecondsPerStep()
	e.logf("%s, seed %d: %s; %d steps in %.2f s (%.3g ms/step), validation %.1f%%, test %d of %d right",
		m.Name, seed, prep, r.Steps, r.Duration.Seconds(), 1000*r.SecondsPerStep, 100*r.Last().ValidationAccuracy, r.Correct(), r.TestCount)
	return r, nil
}

func (e *Experiment) retrain(r *Record, m Method, folder *dataset.Folder, files *zoo.Files) (string, error) {
	t0, c0 := time.Now(), procstat.CPUSeconds()
	model, err := bottleneck.LoadGraphModel(files.Frozen, zoo.TinyNetInfo.Input, zoo.TinyNetInfo.Bottleneck)
	if err != nil {
		return "", err
	}
	cache, err := bottleneck.Open(filepath.Join(e.Dir, "bottlenecks"))
	if err != nil {
		return "", err
	}
	ex := &bottleneck.Extractor{Model: model, Preprocess: zoo.TinyNetInfo.Preprocess(), Cache: cache, BatchSize: 64}
	data, err := ex.Splits(folder)
	if err != nil {
		return "", err
	}
	r.Prep, r.PrepCPUSeconds = time.Since(t0), procstat.CPUSeconds()-c0
	var sum, largest float64
	n := 0
	for _, x := range data.All() {
		for _, v := range x.Input {
			sum, largest, n = sum+float64(v), max(largest, float64(v)), n+1
		}
	}
	st := cache.Stats()
	prep := fmt.Sprintf("%d bottlenecks in %.2f s (%d computed, %d from the cache), values %.1f on average, at most %.1f",
		data.Len(), r.Prep.Seconds(), st.Writes, st.Hits, sum/float64(n), largest)

	cfg := retrain.DefaultConfig()
	cfg.Steps, cfg.TrainBatchSize, cfg.ValidationBatchSize, cfg.EvalStepInterval = m.Steps, e.Settings.Batch, -1, e.Settings.EvalEvery
	cfg.Optimizer, cfg.Seed = e.Settings.OptimizerConfig(), r.Seed
	c1 := procstat.CPUSeconds()
	res, err := retrain.Train(data, cfg)
	if err != nil {
		return "", err
	}
	r.Result, r.TrainCPUSeconds = res.Result, procstat.CPUSeconds()-c1
	if m.ID == Retrain {
		if e.heads == nil {
			e.heads = map[uint64]*retrain.Layer{}
		}
		e.heads[r.Seed] = res.Layer
	}
	return prep, nil
}

func (e *Experiment) fineTune(r *Record, m Method, folder *dataset.Folder, files *zoo.Files) (string, error) {
	var head *retrain.Layer
	if e.Settings.InitHead {
		if head = e.heads[r.Seed]; head == nil {
			if _, err := e.Run(e.Settings.Plan()[0], r.Seed); err != nil {
				return "", err
			}
			head = e.heads[r.Seed]
		}
	}
	t0, c0 := time.Now(), procstat.CPUSeconds()
	g, err := finetune.LoadGraph(files.Frozen, "", strings.TrimSuffix(zoo.TinyNetInfo.Bottleneck, ":0"))
	if err != nil {
		return "", err
	}
	images, err := finetune.LoadImages(folder, zoo.TinyNetInfo.Preprocess(), nil)
	if err != nil {
		return "", err
	}
	cfg := finetune.DefaultConfig()
	cfg.Graph, cfg.InputTensor, cfg.BottleneckTensor = g, zoo.TinyNetInfo.Input, zoo.TinyNetInfo.Bottleneck
	cfg.Labels, cfg.TopLayers, cfg.Head, cfg.Optimizer = images.Labels, m.TopLayers, head, e.Settings.OptimizerConfig()
	cfg.PretrainedLearningRateScale, cfg.BatchSize, cfg.Steps, cfg.EvalStepInterval = e.Settings.PretrainedScale, e.Settings.Batch, m.Steps, e.Settings.EvalEvery
	cfg.Seed = r.Seed
	tuner, err := finetune.New(cfg)
	if err != nil {
		return "", err
	}
	if r.Seed == e.Settings.Seed {
		e.logf("%s: %d pretrained weights move: %s", m.Name, len(tuner.TrainableWeights()), strings.Join(tuner.TrainableWeights(), ", "))
	}
	r.Prep, r.PrepCPUSeconds = time.Since(t0), procstat.CPUSeconds()-c0
	c1 := procstat.CPUSeconds()
	res, err := tuner.Train(images)
	if err != nil {
		return "", err
	}
	r.Result, r.TrainCPUSeconds = res.Result, procstat.CPUSeconds()-c1
	return fmt.Sprintf("%d images decoded and the graph built in %.2f s", images.Len(), r.Prep.Seconds()), nil
}

// recordPath is where Save keeps a record.
func (e *Experiment) recordPath(id string, seed uint64) string {
	return filepath.Join(e.Dir, "runs", fmt.Sprintf("%s-%d.json", id, seed))
}

// Save writes r to Dir/runs, atomically.
func (e *Experiment) Save(r *Record) error {
	data, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return fmt.Errorf("compare: saving %s, seed %d: %w", r.Name, r.Seed, err)
	}
	if err := os.MkdirAll(filepath.Join(e.Dir, "runs"), 0o755); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if err := util.WriteFileAtomic(e.recordPath(r.Method, r.Seed), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	return nil
}

// ErrNotRun is wrapped by Load's error when the run was not saved.
var ErrNotRun = errors.New("not run yet")

// Load reads the record Save wrote for method id on seed.
func (e *Experiment) Load(id string, seed uint64) (*Record, error) {
	path := e.recordPath(id, seed)
	data, err := limits.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("compare: %s, seed %d: %w (%s)", id, seed, ErrNotRun, path)
	}
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	r := &Record{}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, fmt.Errorf("compare: %s: %w", path, err)
	}
	return r, nil
}

// RunSeeds trains method id on every seed, saves each record and returns
// them in SeedList order.
func (e *Experiment) RunSeeds(id string) ([]*Record, error) {
	m, err := e.Settings.Method(id)
	if err != nil {
		return nil, err
	}
	task := progress.Start(e.Progress, m.Name+", seeds", e.Settings.Seeds)
	defer task.Done()
	var records []*Record
	for _, seed := range e.Settings.SeedList() {
		r, err := e.Run(m, seed)
		if err != nil {
			return nil, err
		}
		if err := e.Save(r); err != nil {
			return nil, err
		}
		records = append(records, r)
		task.SetMessage(fmt.Sprintf("seed %d: test %d of %d right", seed, r.Correct(), r.TestCount))
		task.Add(1)
	}
	return records, nil
}

// Records loads the saved records of method id, one per seed.
func (e *Experiment) Records(id string) ([]*Record, error) {
	var records []*Record
	for _, seed := range e.Settings.SeedList() {
		r, err := e.Load(id, seed)
		if err != nil {
			return nil, err
		}
		records = append(records, r)
	}
	return records, nil
}

// Summaries summarises every planned method from its saved records, in
// Plan order; methods not run yet are left out.
func (e *Experiment) Summaries() ([]Summary, error) {
	var sums []Summary
	for _, m := range e.Settings.Plan() {
		records, err := e.Records(m.ID)
		if errors.Is(err, ErrNotRun) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s, err := Summarize(records)
		if err != nil {
			return nil, err
		}
		sums = append(sums, s)
	}
	return sums, nil
}
