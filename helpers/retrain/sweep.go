package retrain

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/progress"
	"github.com/gotl/gotl/helpers/train"
)

// Sweep compares optimizers on one retraining task under one budget: it
// trains the final layer with every optimizer at every learning rate, once
// per seed (initial weights and batches), and picks each optimizer's rate
// on the validation split.
//
// The rate chosen is the stable one: the lowest validation cross-entropy,
// averaged over the evaluations of the second half of training and over
// the seeds (SweepChoice.Score); a rate at which any run diverged is out,
// and ties go to the smaller rate. Cross-entropy, unlike accuracy, does
// not saturate once every validation image is right, and it punishes the
// confident mistakes a too-large rate makes; averaging over the second
// half rewards runs that have settled rather than ones that happen to end
// well. The test split is never used to choose.
type Sweep struct {
	// Base holds what every run shares: steps, batch sizes, evaluation
	// interval (set ValidationBatchSize < 0 to evaluate on the whole
	// validation split). Its Optimizer, Seed and Progress are replaced.
	Base Config
	// Optimizers are compared; each one's learning rate is replaced by
	// those of LearningRates. They are named by Config.Label.
	Optimizers    []optim.Config
	LearningRates []float64
	Seeds         []uint64
	// Workers run that many trainings at once (0: one per CPU).
	Workers int
	// Progress, when set, is shown one step per training run.
	Progress progress.Reporter
}

// SweepRun is one training run of a sweep.
type SweepRun struct {
	LearningRate float64
	Seed         uint64
	// Result is nil when training failed (Err): the layer diverged.
	Result *Result
	Err    error
}

// settled is the mean validation cross-entropy of the run's evaluations
// after the first half of its steps; NaN without any.
func (r *SweepRun) settled() float64 {
	if r.Result == nil {
		return math.NaN()
	}
	sum, n := 0.0, 0
	for _, p := range r.Result.History {
		if p.Step > r.Result.Steps/2 {
			sum += p.ValidationCrossEntropy
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// SweepChoice is one optimizer's outcome.
type SweepChoice struct {
	Name string // Config.Label of the optimizer
	// Config is the optimizer at its chosen rate.
	Config optim.Config
	// LearningRate is the chosen rate; NaN when every rate failed.
	LearningRate float64
	// AtEdge is true when it is the grid's smallest or largest rate: the
	// optimizer might do better outside it.
	AtEdge bool
	// Scores holds, for each of Sweep.LearningRates, the mean validation
	// cross-entropy over the second half of training and the seeds; NaN
	// where a run diverged. Score is the chosen rate's.
	Scores []float64
	Score  float64
	// Runs are the chosen rate's runs, one per seed; All every run,
	// All[rate][seed].
	Runs []*SweepRun
	All  [][]*SweepRun
}

// SweepResult is a finished sweep.
type SweepResult struct {
	Sweep    Sweep
	Choices  []SweepChoice // in Sweep.Optimizers order
	Duration time.Duration
}

// Run trains every combination (spread over Workers goroutines) on data
// and chooses each optimizer's rate. It is an error if the sweep has no
// optimizer, rate or seed, or if a run fails for another reason than
// diverging.
func (s Sweep) Run(data *train.Bottlenecks) (*SweepResult, error) {
	if len(s.Optimizers) == 0 || len(s.LearningRates) == 0 || len(s.Seeds) == 0 {
		return nil, fmt.Errorf("retrain: a sweep needs optimizers (%d), learning rates (%d) and seeds (%d)",
			len(s.Optimizers), len(s.LearningRates), len(s.Seeds))
	}
	start := time.Now()
	all := make([][][]*SweepRun, len(s.Optimizers))
	type job struct{ o, i, k int }
	jobs := make(chan job)
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	task := progress.Start(s.Progress, "retraining sweep", len(s.Optimizers)*len(s.LearningRates)*len(s.Seeds))
	defer task.Done()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				cfg := s.Base
				cfg.Optimizer = s.Optimizers[j.o].WithLearningRate(s.LearningRates[j.i])
				cfg.Seed, cfg.Progress, cfg.OnEval = s.Seeds[j.k], nil, nil
				res, err := Train(data, cfg)
				run := &SweepRun{LearningRate: s.LearningRates[j.i], Seed: s.Seeds[j.k], Result: res, Err: err}
				mu.Lock()
				all[j.o][j.i][j.k] = run
				if err != nil && !diverged(err) && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				task.Add(1)
			}
		}()
	}
	for o := range s.Optimizers {
		all[o] = make([][]*SweepRun, len(s.LearningRates))
		for i := range s.LearningRates {
			all[o][i] = make([]*SweepRun, len(s.Seeds))
			for k := range s.Seeds {
				jobs <- job{o, i, k}
			}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	res := &SweepResult{Sweep: s, Duration: time.Since(start)}
	for o, cfg := range s.Optimizers {
		res.Choices = append(res.Choices, s.choose(cfg, all[o]))
	}
	return res, nil
}

// ErrDiverged marks a training run that stopped because the layer or its
// loss stopped being finite: a learning rate too high. Train's errors for
// it wrap ErrDiverged.
var ErrDiverged = errors.New("training diverged")

func diverged(err error) bool { return errors.Is(err, ErrDiverged) }

// choose applies the selection rule (see Sweep) to one optimizer's runs.
func (s Sweep) choose(cfg optim.Config, runs [][]*SweepRun) SweepChoice {
	c := SweepChoice{Name: cfg.Label(), LearningRate: math.NaN(), Score: math.NaN(), All: runs}
	for i, lr := range s.LearningRates {
		score := 0.0
		for _, r := range runs[i] {
			score += r.settled() / float64(len(runs[i]))
		}
		c.Scores = append(c.Scores, score)
		if math.IsNaN(score) || math.IsInf(score, 0) {
			continue
		}
		if math.IsNaN(c.Score) || score < c.Score || score == c.Score && lr < c.LearningRate {
			c.Score, c.LearningRate, c.Runs = score, lr, runs[i]
		}
	}
	if !math.IsNaN(c.LearningRate) {
		c.Config = cfg.WithLearningRate(c.LearningRate)
		c.AtEdge = len(s.LearningRates) > 1 && (c.LearningRate == slices.Min(s.LearningRates) || c.LearningRate == slices.Max(s.LearningRates))
	}
	return c
}
