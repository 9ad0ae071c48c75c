package testfunc

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gotl/gotl/internal/util"
)

// ReachDistance is how close to one of Function.Minima a run must end to
// have reached a global minimum.
const ReachDistance = 1e-2

// StationaryGradient is the gradient norm below which a run that ends away
// from every global minimum has stopped at a stationary point (a local
// minimum or a saddle): more steps of a gradient method would barely move
// it.
const StationaryGradient = 1e-3

// Outcome says where a run ended.
type Outcome int

const (
	// Moving: still on its way, or circling, when the steps ran out.
	Moving Outcome = iota
	// Reached: within ReachDistance of a global minimum.
	Reached
	// Stationary: at a point that is not a global minimum, where the
	// gradient has (nearly) vanished.
	Stationary
	// Diverged: the run left the finite world or the DivergeNorm ball.
	Diverged
)

// String names the outcome.
func (o Outcome) String() string {
	switch o {
	case Reached:
		return "reached"
	case Stationary:
		return "stationary"
	case Diverged:
		return "diverged"
	}
	return "moving"
}

// Distance is the distance from the run's last point to the nearest global
// minimiser of fn.
func (t Trajectory) Distance(fn Function) float64 {
	last := t.X[len(t.X)-1]
	d := math.Inf(1)
	for _, m := range fn.Minima {
		d = math.Min(d, math.Hypot(last[0]-m[0], last[1]-m[1]))
	}
	return d
}

// Outcome classifies where the run ended on fn.
func (t Trajectory) Outcome(fn Function) Outcome {
	if t.Diverged {
		return Diverged
	}
	if t.Distance(fn) < ReachDistance {
		return Reached
	}
	g := make([]float64, 2)
	fn.Grad(g, t.X[len(t.X)-1])
	if math.Hypot(g[0], g[1]) < StationaryGradient {
		return Stationary
	}
	return Moving
}

// Rises counts the kept steps after step from whose loss is higher than
// the step before, and how many steps were looked at: a run that
// descends steadily has none, one that zigzags across a valley about half.
func (t Trajectory) Rises(from int) (rises, of int) {
	for i := 1; i < len(t.Loss); i++ {
		if t.Steps[i] <= from {
			continue
		}
		of++
		if t.Loss[i] > t.Loss[i-1] {
			rises++
		}
	}
	return rises, of
}

// Points returns the run's positions; a diverged run's last, non-finite or
// far-away point is left out, so what remains can be drawn.
func (t Trajectory) Points() [][2]float64 {
	var pts [][2]float64
	for _, x := range t.X {
		if math.IsNaN(x[0]) || math.IsNaN(x[1]) || math.Hypot(x[0], x[1]) > DivergeNorm {
			break
		}
		pts = append(pts, [2]float64{x[0], x[1]})
	}
	return pts
}

// StateRows returns, for each of Points, the loss and the optimizer's
// state (every slot's two values, and beta1_power for Adam) as text: the
// table a step-by-step view shows beside the chart.
func (t Trajectory) StateRows() [][]string {
	n := len(t.Points())
	rows := make([][]string, 0, n)
	for _, rec := range t.Recorder.Records[:n] {
		var slots []string
		names := make([]string, 0, len(rec.Slots["x"]))
		for s := range rec.Slots["x"] {
			names = append(names, s)
		}
		sort.Strings(names)
		for _, s := range names {
			v := rec.Slots["x"][s]
			slots = append(slots, fmt.Sprintf("%s = (%.3g, %.3g)", s, v[0], v[1]))
		}
		if p, ok := rec.NonSlot["beta1_power"]; ok {
			slots = append(slots, fmt.Sprintf("beta1_power = %.3g", p))
		}
		rows = append(rows, []string{fmt.Sprintf("%.4g", rec.Loss), strings.Join(slots, "; ")})
	}
	return rows
}

// point writes a 2-D point for text: "(1, 1)", "(-2.81, 3.13)".
func point(x []float64) string { return fmt.Sprintf("(%.3g, %.3g)", x[0]+0, x[1]+0) } // +0: no "-0"

// minimumName is how the text names fn's global minimum.
func minimumName(fn Function) string {
	if len(fn.Minima) == 1 {
		return "the minimum at " + point(fn.Minima[0])
	}
	return fmt.Sprintf("one of its %d global minima", len(fn.Minima))
}

// runName is how the text names a sweep's best run.
func runName(r SweepResult) string { return fmt.Sprintf("%s (lr %.3g)", r.Optimizer, r.LearningRate) }

// PathNotes describes the best runs of a Compare on fn as a chart of their
// paths shows them: which reached the global minimum, which were still
// descending (steadily or zigzagging), which stopped elsewhere, which had
// no stable rate, which paths coincide, and where AdagradDA's first step
// went. One Markdown sentence per item.
func PathNotes(fn Function, results []SweepResult) []string {
	var reached, steady, bumpy, zigzag, none []string
	stationary := map[string][]string{} // where → runs
	var places []string
	steps := 0
	for _, r := range results {
		if math.IsNaN(r.LearningRate) {
			none = append(none, r.Optimizer)
			continue
		}
		t := r.Best
		last := t.Steps[len(t.Steps)-1]
		steps = max(steps, last)
		where := fmt.Sprintf("%.2g from the minimum, loss %.3g", t.Distance(fn), t.Final())
		switch t.Outcome(fn) {
		case Reached:
			reached = append(reached, runName(r))
		case Stationary:
			at := fmt.Sprintf("%s, loss %.3g", point(t.X[len(t.X)-1]), t.Final())
			if stationary[at] == nil {
				places = append(places, at)
			}
			stationary[at] = append(stationary[at], runName(r))
		default:
			rises, of := t.Rises(last / 2)
			switch {
			case rises == 0:
				steady = append(steady, fmt.Sprintf("%s: %s", runName(r), where))
			case rises <= of/4:
				bumpy = append(bumpy, fmt.Sprintf("%s: %s; %d rises", runName(r), where, rises))
			default:
				zigzag = append(zigzag, fmt.Sprintf("%s: %s; it rose at %d of them", runName(r), where, rises))
			}
		}
	}
	half := steps - steps/2
	var notes []string
	if len(reached) > 0 {
		notes = append(notes, fmt.Sprintf("**Reach %s** (within %g) in %d steps: %s.", minimumName(fn), ReachDistance, steps, util.JoinAnd(reached)))
	}
	if len(steady) > 0 {
		notes = append(notes, fmt.Sprintf("**Still descending steadily** after %d steps, the loss falling at every one of the last %d "+
			"(a crawl): %s.", steps, half, strings.Join(steady, "; ")))
	}
	if len(bumpy) > 0 {
		notes = append(notes, fmt.Sprintf("**Still descending, with a few rises** in the last %d steps: %s.", half, strings.Join(bumpy, "; ")))
	}
	if len(zigzag) > 0 {
		notes = append(notes, fmt.Sprintf("**Zigzagging**: the loss rose at more than a quarter of the last %d steps: %s.", half, strings.Join(zigzag, "; ")))
	}
	for _, at := range places {
		runs := stationary[at]
		notes = append(notes, fmt.Sprintf("**Stopped at %s**, where the gradient vanishes above the global minimum of %g "+
			"(a local minimum or a saddle): %s.", at, fn.Min, util.JoinAnd(runs)))
	}
	if len(none) > 0 {
		notes = append(notes, fmt.Sprintf("**No stable learning rate** on the grid (every run diverged or rose above its starting loss): %s.", util.JoinAnd(none)))
	}
	notes = append(notes, samePaths(fn, results)...)
	for _, r := range results {
		if r.Optimizer != "AdagradDA" || math.IsNaN(r.LearningRate) || len(r.Best.X) < 2 {
			continue
		}
		a, b := r.Best.X[0], r.Best.X[1]
		notes = append(notes, fmt.Sprintf("AdagradDA's first step goes from %s to %s, %.2g away: its variable is computed from the "+
			"accumulated gradients alone, so the starting point is forgotten.", point(a), point(b), math.Hypot(b[0]-a[0], b[1]-a[1])))
	}
	return notes
}

// samePaths names the runs whose paths coincide with an earlier one's:
// at the same rate, exactly or to within 1% of the plotting window's
// diagonal.
func samePaths(fn Function, results []SweepResult) []string {
	diag := math.Hypot(fn.Bounds[1]-fn.Bounds[0], fn.Bounds[3]-fn.Bounds[2])
	var notes []string
	taken := make([]bool, len(results))
	for i, a := range results {
		if taken[i] || math.IsNaN(a.LearningRate) {
			continue
		}
		var exact, close []string
		closest := 0.0
		for j := i + 1; j < len(results); j++ {
			b := results[j]
			if taken[j] || b.LearningRate != a.LearningRate || len(b.Best.X) != len(a.Best.X) {
				continue
			}
			d := 0.0
			for k := range a.Best.X {
				d = math.Max(d, math.Hypot(a.Best.X[k][0]-b.Best.X[k][0], a.Best.X[k][1]-b.Best.X[k][1]))
			}
			switch {
			case d <= 1e-9*diag:
				exact, taken[j] = append(exact, b.Optimizer), true
			case d < 0.01*diag:
				close, taken[j], closest = append(close, b.Optimizer), true, math.Max(closest, d)
			}
		}
		if len(exact) > 0 {
			notes = append(notes, fmt.Sprintf("%s %s the path of %s, at the same rate (to rounding).", util.JoinAnd(exact),
				util.Plural(len(exact), "retraces", "retrace"), a.Optimizer))
		}
		if len(close) > 0 {
			notes = append(notes, fmt.Sprintf("%s %s within %.2g of %s's path at every step.", util.JoinAnd(close),
				util.Plural(len(close), "stays", "stay"), closest, a.Optimizer))
		}
	}
	return notes
}

// TableNotes describes a table of Compare results, results[i] being the
// sweeps on fns[i], all with the same optimizers in the same order: which
// optimizer ends lowest on each function (and whether one does on all),
// how many reach the global minimum, where several stop at the same other
// point, whose best rates sit at the edge of the grid, and, for an
// ill-conditioned Quadratic, what momentum gains over gradient descent.
func TableNotes(fns []Function, results [][]SweepResult) []string {
	var notes, lowest, counts []string
	wins := map[string]int{}
	for i, fn := range fns {
		best := math.Inf(1)
		for _, r := range results[i] {
			if !math.IsNaN(r.LearningRate) {
				best = math.Min(best, r.Best.Final())
			}
		}
		var winners []string
		reached := 0
		for _, r := range results[i] {
			if math.IsNaN(r.LearningRate) {
				continue
			}
			if r.Best.Final() == best {
				winners = append(winners, r.Optimizer)
				wins[r.Optimizer]++
			}
			if r.Best.Outcome(fn) == Reached {
				reached++
			}
		}
		lowest = append(lowest, fmt.Sprintf("%s: %s (%.2g)", fn.Name, util.JoinAnd(winners), best))
		counts = append(counts, fmt.Sprintf("%s %d", fn.Name, reached))
	}
	var everywhere []string
	for _, r := range results[0] {
		if wins[r.Optimizer] == len(fns) {
			everywhere = append(everywhere, r.Optimizer)
		}
	}
	if len(everywhere) == 0 {
		notes = append(notes, fmt.Sprintf("**No optimizer ends lowest on every function.** Lowest final loss: %s.", strings.Join(lowest, "; ")))
	} else {
		notes = append(notes, fmt.Sprintf("**%s %s lowest on every function**: %s.", util.JoinAnd(everywhere),
			util.Plural(len(everywhere), "ends", "end"), strings.Join(lowest, "; ")))
	}
	notes = append(notes, fmt.Sprintf("**Reach the global minimum** (within %g), of %d optimizers: %s.", ReachDistance, len(results[0]), strings.Join(counts, ", ")))

	for i, fn := range fns {
		at := map[string][]string{}
		var places []string
		for _, r := range results[i] {
			if !math.IsNaN(r.LearningRate) && r.Best.Outcome(fn) == Stationary {
				p := fmt.Sprintf("%s, loss %.3g", point(r.Best.X[len(r.Best.X)-1]), r.Best.Final())
				if at[p] == nil {
					places = append(places, p)
				}
				at[p] = append(at[p], r.Optimizer)
			}
		}
		for _, p := range places {
			if n := len(at[p]); n > 1 {
				notes = append(notes, fmt.Sprintf("On %s, %d of %d optimizers stop at the same point, %s, where the gradient vanishes: "+
					"a local minimum, not the global one (%g).", fn.Name, n, len(results[i]), p, fn.Min))
			}
		}
	}

	edges := map[string][]string{}
	var edgeOrder []string
	for i, fn := range fns {
		for _, r := range results[i] {
			if r.AtEdge {
				if edges[r.Optimizer] == nil {
					edgeOrder = append(edgeOrder, r.Optimizer)
				}
				edges[r.Optimizer] = append(edges[r.Optimizer], fn.Name)
			}
		}
	}
	if len(edgeOrder) > 0 {
		var parts []string
		for _, o := range edgeOrder {
			where := "on " + util.JoinAnd(edges[o])
			if len(edges[o]) == len(fns) && len(fns) > 1 {
				where = fmt.Sprintf("on all %d functions", len(fns))
			}
			parts = append(parts, o+" "+where)
		}
		notes = append(notes, fmt.Sprintf("**Best rate at the edge of the grid** (★; it might do better outside it): %s.", strings.Join(parts, "; ")))
	}

	for i, fn := range fns {
		if !strings.HasPrefix(fn.Name, "quadratic:") {
			continue
		}
		gd, mom := find(results[i], "GradientDescent"), find(results[i], "Momentum")
		if gd == nil || mom == nil || math.IsNaN(gd.LearningRate) || math.IsNaN(mom.LearningRate) {
			continue
		}
		a, b := gd.Best.Final(), mom.Best.Final()
		var verdict string
		switch orders := math.Log10(a / b); {
		case !(b < a):
			verdict = "momentum does not end lower here"
		case orders >= 1.5:
			verdict = fmt.Sprintf("about %.0f orders of magnitude lower, the gain momentum brings on an ill-conditioned problem", orders)
		default:
			verdict = fmt.Sprintf("%.2g times lower", a/b)
		}
		notes = append(notes, fmt.Sprintf("On the %s (condition number %s), GradientDescent ends at a loss of %.2g and Momentum at %.2g: %s.",
			"quadratic", strings.TrimPrefix(fn.Name, "quadratic:"), a, b, verdict))
	}
	return notes
}

// find returns the result of the named optimizer, or nil.
func find(results []SweepResult, optimizer string) *SweepResult {
	for i := range results {
		if results[i].Optimizer == optimizer {
			return &results[i]
		}
	}
	return nil
}

// GoodRateFactor is how far below its start a stable run's settled loss
// must be for RateNotes to count its rate as good.
const GoodRateFactor = 10

// GoodRates returns the learning rates of r's sweep whose runs were stable
// and whose settled loss is below the starting loss divided by
// GoodRateFactor.
func (r SweepResult) GoodRates(startLoss float64) []float64 {
	var good []float64
	for _, p := range r.Tried {
		if p.Stable() && p.SettledLoss < startLoss/GoodRateFactor {
			good = append(good, p.LearningRate)
		}
	}
	return good
}

// RateNotes says, for each optimizer of a Compare on fn, at how many of
// the grid's rates its runs were stable and how many of those were good
// (see GoodRates): how wide its range of usable rates is. Widest first.
func RateNotes(fn Function, results []SweepResult) []string {
	start := fn.F(fn.Start)
	type width struct {
		name         string
		stable, good []float64
	}
	var ws []width
	for _, r := range results {
		w := width{name: r.Optimizer, good: r.GoodRates(start)}
		for _, p := range r.Tried {
			if p.Stable() {
				w.stable = append(w.stable, p.LearningRate)
			}
		}
		ws = append(ws, w)
	}
	sort.SliceStable(ws, func(i, j int) bool { return len(ws[i].stable) > len(ws[j].stable) })
	span := func(lrs []float64) string {
		if len(lrs) == 1 {
			return fmt.Sprintf(" (%.3g)", lrs[0])
		}
		return fmt.Sprintf(" (%.3g to %.3g)", lrs[0], lrs[len(lrs)-1])
	}
	var parts []string
	for _, w := range ws {
		if len(w.stable) == 0 {
			parts = append(parts, w.name+" none")
			continue
		}
		part := fmt.Sprintf("%s %d%s", w.name, len(w.stable), span(w.stable))
		if len(w.good) > 0 {
			part += fmt.Sprintf(", %d good%s", len(w.good), span(w.good))
		} else {
			part += ", none good"
		}
		parts = append(parts, part)
	}
	grid := 0
	if len(results) > 0 {
		grid = len(results[0].Tried)
	}
	return []string{fmt.Sprintf("**Stable rates, of the %d tried** (no divergence, the loss never above its start), and of those the "+
		"good ones (the loss settled below 1/%d of its start, %.3g): %s.", grid, GoodRateFactor, start/GoodRateFactor, strings.Join(parts, "; "))}
}
