package testfunc

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/optim"
)

// DivergeNorm is the distance from the origin beyond which a run counts as
// diverged.
const DivergeNorm = 1e6

// Trajectory is one optimizer's run on a Function.
type Trajectory struct {
	Function string
	Config   optim.Config
	// X are the points, X[0] the start, X[i] after Steps[i] steps; Loss is
	// F at each. A run of up to limits.HistoryPoints steps keeps every step
	// (Steps[i] = i); a longer one keeps every second, fourth, … step and
	// the last, at most about limits.HistoryPoints points: what a plot or a
	// table can show, in bounded memory.
	X     [][]float64
	Loss  []float64
	Steps []int
	// Diverged is true when a point or loss stopped being finite or left
	// the DivergeNorm ball; the run stops there (DivergedAt is that step).
	Diverged   bool
	DivergedAt int
	// Recorder holds the variable, gradient and slots (variable "x") of
	// the steps kept, parallel to X.
	Recorder *optim.Recorder[float64]
}

// Final returns the last loss.
func (t Trajectory) Final() float64 { return t.Loss[len(t.Loss)-1] }

// Run applies steps steps of the optimizer cfg describes to fn from start
// (nil means fn.Start), in float64, recording the steps Trajectory keeps.
// steps may be at most limits.Steps.
func Run(fn Function, cfg optim.Config, start []float64, steps int) (Trajectory, error) {
	if start == nil {
		start = fn.Start
	}
	if len(start) != 2 {
		return Trajectory{}, fmt.Errorf("testfunc: %s: start needs 2 coordinates, got %d", fn.Name, len(start))
	}
	if steps < 0 {
		return Trajectory{}, fmt.Errorf("testfunc: negative step count %d", steps)
	}
	if err := limits.Steps.Check(int64(steps), "testfunc: a run on "+fn.Name); err != nil {
		return Trajectory{}, err
	}
	opt, err := optim.New[float64](cfg)
	if err != nil {
		return Trajectory{}, err
	}
	if err := opt.AddVar("x", start); err != nil {
		return Trajectory{}, err
	}
	tr := Trajectory{Function: fn.Name, Config: cfg, Recorder: &optim.Recorder[float64]{}}
	tr.Recorder.Record(opt, fn.F(start), nil)
	g := make([]float64, 2)
	for i := 1; i <= steps; i++ {
		fn.Grad(g, opt.Var("x"))
		grads := map[string]optim.Grad[float64]{"x": optim.Dense(g)}
		if err := opt.Step(grads); err != nil {
			return Trajectory{}, err
		}
		x := opt.Var("x")
		f := fn.F(x)
		tr.Recorder.Record(opt, f, grads)
		if math.IsNaN(f) || math.IsInf(f, 0) || math.IsNaN(x[0]) || math.IsNaN(x[1]) || math.Hypot(x[0], x[1]) > DivergeNorm {
			tr.Diverged, tr.DivergedAt = true, i
			break
		}
	}
	for _, rec := range tr.Recorder.Records {
		tr.X = append(tr.X, rec.Vars["x"])
		tr.Loss = append(tr.Loss, rec.Loss)
		tr.Steps = append(tr.Steps, int(rec.Step))
	}
	return tr, nil
}

// SweepPoint is one learning rate tried by Sweep.
type SweepPoint struct {
	LearningRate float64
	FinalLoss    float64
	// SettledLoss is the highest loss over the second half of the run (the
	// steps from steps/2 on): Sweep's score, how badly the run still does
	// once it has had time to settle. +Inf for a run that diverged.
	SettledLoss float64
	// PeakLoss is the highest loss after the start. Spiked is true when it
	// exceeds the starting loss: somewhere on the way the run overshot to
	// a point worse than where it began. +Inf for a run that diverged.
	PeakLoss float64
	Spiked   bool
	Diverged bool
}

// Stable reports whether the run neither diverged nor spiked: the runs
// Sweep chooses from.
func (p SweepPoint) Stable() bool { return !p.Diverged && !p.Spiked }

// SweepResult is an optimizer's best run over a grid of learning rates.
type SweepResult struct {
	Optimizer    string
	LearningRate float64    // the best rate; NaN when no rate gave a stable run
	Best         Trajectory // the run with that rate
	Tried        []SweepPoint
	// AtEdge is true when the best rate is the smallest or largest of the
	// grid: the optimizer might do better outside it.
	AtEdge bool
}

// DefaultLearningRates is a log grid from 1e-4 to 10, three points a decade.
func DefaultLearningRates() []float64 {
	var lrs []float64
	for e := -4.0; e <= 1+1e-9; e += 1.0 / 3 {
		lrs = append(lrs, math.Round(math.Pow(10, e)*1e6)/1e6)
	}
	return lrs
}

// Sweep runs cfg on fn with each learning rate (replacing cfg's
// learning_rate) for the same number of steps and keeps the best stable
// run; lrs nil means DefaultLearningRates.
//
// A run is stable when it neither diverges nor spikes: its loss never rises
// above the loss it started from. Among stable runs the best is the one
// whose loss over the second half of the run is lowest at its worst
// (SweepPoint.SettledLoss); ties go to the smaller rate. Judging the final
// loss alone would reward rates at the edge of stability, whose runs bounce
// across a valley and happen to end low; judging the settled half rewards
// runs that have converged or are still descending steadily.
func Sweep(fn Function, cfg optim.Config, start []float64, steps int, lrs []float64) (SweepResult, error) {
	if lrs == nil {
		lrs = DefaultLearningRates()
	}
	res := SweepResult{Optimizer: cfg.Optimizer, LearningRate: math.NaN()}
	bestScore := math.Inf(1)
	for _, lr := range lrs {
		c := optim.Config{Optimizer: cfg.Optimizer, Params: map[string]any{}}
		for k, v := range cfg.Params {
			c.Params[k] = v
		}
		c.Params["learning_rate"] = lr
		tr, err := Run(fn, c, start, steps)
		if err != nil {
			return SweepResult{}, err
		}
		p := tr.sweepPoint(lr, steps)
		res.Tried = append(res.Tried, p)
		if p.Stable() && (p.SettledLoss < bestScore || p.SettledLoss == bestScore && lr < res.LearningRate) {
			bestScore, res.LearningRate, res.Best = p.SettledLoss, lr, tr
		}
	}
	if len(lrs) > 1 && !math.IsNaN(res.LearningRate) {
		res.AtEdge = res.LearningRate == slices.Min(lrs) || res.LearningRate == slices.Max(lrs)
	}
	return res, nil
}

// sweepPoint scores a run of the given number of steps for Sweep.
func (t Trajectory) sweepPoint(lr float64, steps int) SweepPoint {
	p := SweepPoint{LearningRate: lr, FinalLoss: t.Final(), Diverged: t.Diverged}
	if t.Diverged {
		p.SettledLoss, p.PeakLoss, p.Spiked = math.Inf(1), math.Inf(1), true
		return p
	}
	p.SettledLoss, p.PeakLoss = math.Inf(-1), math.Inf(-1)
	for i, l := range t.Loss {
		if t.Steps[i] >= steps/2 {
			p.SettledLoss = math.Max(p.SettledLoss, l)
		}
		if i > 0 {
			p.PeakLoss = math.Max(p.PeakLoss, l)
		}
	}
	if len(t.Loss) == 1 { // no steps
		p.PeakLoss = t.Loss[0]
	}
	p.Spiked = p.PeakLoss > t.Loss[0]
	return p
}

// DefaultOptimizers returns one configuration per TF1 optimizer with the
// non-learning-rate settings people usually start from; Sweep sets the rate.
func DefaultOptimizers() []optim.Config {
	c := func(name string, kv ...any) optim.Config {
		p := map[string]any{"learning_rate": 0.01}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i].(string)] = kv[i+1]
		}
		return optim.Config{Optimizer: name, Params: p}
	}
	return []optim.Config{
		c("GradientDescent"),
		c("Momentum", "momentum", 0.9),
		c("Momentum", "momentum", 0.9, "use_nesterov", true),
		c("Adam"),
		c("Adagrad"),
		c("AdagradDA"),
		c("Adadelta"),
		c("RMSProp"),
		c("RMSProp", "momentum", 0.9, "centered", true),
		c("Ftrl"),
		c("ProximalAdagrad"),
		c("ProximalGradientDescent"),
	}
}

// Compare sweeps every configuration on fn with the same budget and grid.
func Compare(fn Function, cfgs []optim.Config, start []float64, steps int, lrs []float64) ([]SweepResult, error) {
	out := make([]SweepResult, 0, len(cfgs))
	for _, c := range cfgs {
		r, err := Sweep(fn, c, start, steps, lrs)
		if err != nil {
			return nil, err
		}
		r.Optimizer = c.Label()
		out = append(out, r)
	}
	return out, nil
}
