package retrain

import (
	"fmt"
	"math"
	"strings"

	"github.com/gotl/gotl/helpers/stats"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/internal/util"
)

// MeanCurve returns the steps of the chosen runs' evaluations and, at
// each, value averaged over the seeds: the curve a chart draws for the
// optimizer. Both are nil when no rate was chosen.
func (c SweepChoice) MeanCurve(value func(train.EvalPoint) float64) (steps, values []float64) {
	if len(c.Runs) == 0 {
		return nil, nil
	}
	for i, p := range c.Runs[0].Result.History {
		sum := 0.0
		for _, r := range c.Runs {
			sum += value(r.Result.History[i])
		}
		steps, values = append(steps, float64(p.Step)), append(values, sum/float64(len(c.Runs)))
	}
	return steps, values
}

// FirstStepAbove is the first evaluated step at which the validation
// accuracy, averaged over the seeds, reaches mark; -1 if it never does.
func (c SweepChoice) FirstStepAbove(mark float64) int {
	steps, acc := c.MeanCurve(func(p train.EvalPoint) float64 { return p.ValidationAccuracy })
	for i, a := range acc {
		if a >= mark-1e-9 {
			return int(steps[i])
		}
	}
	return -1
}

// TestAccuracies are the chosen runs' test accuracies, one per seed.
func (c SweepChoice) TestAccuracies() []stats.Proportion {
	var ps []stats.Proportion
	for _, r := range c.Runs {
		ps = append(ps, stats.Proportion{K: r.Result.Correct(), N: r.Result.TestCount})
	}
	return ps
}

// Groups lists the choices that behaved identically, as index groups in
// Choices order: same chosen rate, and training cross-entropies within
// 0.1% of each other at every evaluation of every seed (a proximal method
// without regularisation is its plain counterpart). Choices without a
// rate are alone.
func (r *SweepResult) Groups() [][]int {
	var groups [][]int
	taken := make([]bool, len(r.Choices))
	for i, a := range r.Choices {
		if taken[i] {
			continue
		}
		g := []int{i}
		for j := i + 1; j < len(r.Choices); j++ {
			if b := r.Choices[j]; !taken[j] && !math.IsNaN(a.LearningRate) && a.LearningRate == b.LearningRate && sameRuns(a.Runs, b.Runs) {
				g, taken[j] = append(g, j), true
			}
		}
		groups = append(groups, g)
	}
	return groups
}

func sameRuns(a, b []*SweepRun) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		ha, hb := a[k].Result.History, b[k].Result.History
		if len(ha) != len(hb) {
			return false
		}
		for i := range ha {
			x, y := ha[i].CrossEntropy, hb[i].CrossEntropy
			if math.Abs(x-y) > 1e-3*math.Max(math.Abs(x), math.Abs(y))+1e-7 {
				return false
			}
		}
	}
	return true
}

// GroupName names a group of Groups: "ProximalGradientDescent =
// GradientDescent" (names joined by " = ").
func (r *SweepResult) GroupName(group []int) string {
	var names []string
	for _, i := range group {
		names = append(names, r.Choices[i].Name)
	}
	return strings.Join(names, " = ")
}

// Table returns a header and one row per optimizer: the chosen rate (★ at
// the edge of the grid), its score, the validation accuracy after the last
// step (mean ± standard deviation over the seeds), the first step at which
// the mean validation accuracy reaches mark, and the test accuracy averaged
// over the seeds with its 95% Wilson interval on the test images (every
// seed tests the same images, so they count once).
func (r *SweepResult) Table(mark float64) (header []string, rows [][]string) {
	seeds := len(r.Sweep.Seeds)
	header = []string{"optimizer", "chosen lr", fmt.Sprintf("validation cross-entropy, 2nd half (mean of %d)", seeds),
		"validation accuracy at the end", fmt.Sprintf("first step ≥ %.0f%% validation", 100*mark),
		fmt.Sprintf("test accuracy (mean of %d seeds, 95%% CI)", seeds)}
	for _, c := range r.Choices {
		if math.IsNaN(c.LearningRate) {
			rows = append(rows, []string{c.Name, "every rate diverged", "", "", "", ""})
			continue
		}
		lr := fmt.Sprintf("%.3g", c.LearningRate)
		if c.AtEdge {
			lr += " ★"
		}
		var final []float64
		for _, run := range c.Runs {
			final = append(final, 100*run.Result.Last().ValidationAccuracy)
		}
		v := stats.Summarize(final)
		reach := "never"
		if s := c.FirstStepAbove(mark); s >= 0 {
			reach = fmt.Sprint(s)
		}
		test, n := stats.Mean(c.TestAccuracies())
		rows = append(rows, []string{c.Name, lr, fmt.Sprintf("%.3f", c.Score), fmt.Sprintf("%.1f ± %.1f%%", v.Mean, v.SD), reach,
			fmt.Sprintf("%.1f%% (%s)", 100*test, stats.Wilson(test, n).Percent())})
	}
	return header, rows
}

// Notes says what the sweep found, computed from it: how far apart the
// optimizers' test accuracies are and whether that is within noise, how
// far apart their chosen rates are, which rates sit at the edge of the
// grid, which optimizer's mean validation accuracy reached mark first,
// how retrain.py's default (DefaultConfig's GradientDescent at 0.01)
// compares with the sweep's choice for it, and which optimizers behaved
// identically. One Markdown sentence per item.
func (r *SweepResult) Notes(mark float64) []string {
	var ok []SweepChoice
	var failed []string
	for _, c := range r.Choices {
		if math.IsNaN(c.LearningRate) {
			failed = append(failed, c.Name)
		} else {
			ok = append(ok, c)
		}
	}
	var notes []string
	if len(failed) > 0 {
		notes = append(notes, fmt.Sprintf("%s diverged at every rate.", util.JoinAnd(failed)))
	}
	if len(ok) == 0 {
		return notes
	}
	notes = append(notes, r.testNote(ok))

	names := func(keep func(SweepChoice) bool) string {
		var n []string
		for _, c := range ok {
			if keep(c) {
				n = append(n, c.Name)
			}
		}
		return util.JoinAnd(n)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range ok {
		lo, hi = math.Min(lo, c.LearningRate), math.Max(hi, c.LearningRate)
	}
	if hi > lo {
		notes = append(notes, fmt.Sprintf("**The chosen learning rates span %.1f decades**, from %.3g (%s) to %.3g (%s): at any one shared "+
			"rate some of these optimizers would be far from their best, which is why each was swept.",
			math.Log10(hi/lo), lo, names(func(c SweepChoice) bool { return c.LearningRate == lo }),
			hi, names(func(c SweepChoice) bool { return c.LearningRate == hi })))
	}
	if edge := names(func(c SweepChoice) bool { return c.AtEdge }); edge != "" {
		notes = append(notes, fmt.Sprintf("%s: chosen rate at the edge of the grid (★), so a rate outside it might do better.", edge))
	}

	first, last := -1, -1
	for _, c := range ok {
		if s := c.FirstStepAbove(mark); s >= 0 {
			if first < 0 || s < first {
				first = s
			}
			last = max(last, s)
		}
	}
	if first >= 0 {
		note := fmt.Sprintf("**Speed:** averaged over the seeds, %s reached %.0f%% validation accuracy first, at step %d",
			names(func(c SweepChoice) bool { return c.FirstStepAbove(mark) == first }), 100*mark, first)
		if last > first {
			note += fmt.Sprintf("; %s took until step %d", names(func(c SweepChoice) bool { return c.FirstStepAbove(mark) == last }), last)
		}
		if never := names(func(c SweepChoice) bool { return c.FirstStepAbove(mark) < 0 }); never != "" {
			note += fmt.Sprintf("; %s never did within %d steps", never, r.Sweep.Base.Steps)
		}
		notes = append(notes, note+".")
	}

	if n := r.referenceNote(); n != "" {
		notes = append(notes, n)
	}
	for _, g := range r.Groups() {
		if len(g) < 2 {
			continue
		}
		var group []string
		proximal := false
		for _, i := range g {
			group = append(group, r.Choices[i].Name)
			proximal = proximal || strings.HasPrefix(r.Choices[i].Name, "Proximal")
		}
		note := fmt.Sprintf("%s chose the same rate and trained identically (training cross-entropy within 0.1%% at every evaluation of every seed)", util.JoinAnd(group))
		if proximal {
			note += ": without l1/l2 regularisation a proximal method is its plain counterpart"
		}
		notes = append(notes, note+".")
	}
	return notes
}

// testNote compares the best and the worst mean test accuracies.
func (r *SweepResult) testNote(ok []SweepChoice) string {
	mean := func(c SweepChoice) float64 { m, _ := stats.Mean(c.TestAccuracies()); return m }
	best, worst := ok[0], ok[0]
	for _, c := range ok {
		if m := mean(c); m > mean(best) {
			best = c
		} else if m < mean(worst) {
			worst = c
		}
	}
	at := func(v float64) string {
		var n []string
		for _, c := range ok {
			if mean(c) == v {
				n = append(n, c.Name)
			}
		}
		return util.JoinAnd(n)
	}
	b, w := mean(best), mean(worst)
	_, images := stats.Mean(best.TestAccuracies())
	head := fmt.Sprintf("**Test accuracy**, the mean of %d %s on the same %d test images: ", len(r.Sweep.Seeds),
		util.Plural(len(r.Sweep.Seeds), "seed", "seeds"), images)
	if b == w {
		return head + fmt.Sprintf("every optimizer reached %.1f%% (95%% CI %s).", 100*b, stats.Wilson(b, images).Percent())
	}
	d, err := stats.CompareSameImages(best.TestAccuracies(), worst.TestAccuracies())
	if err != nil {
		return head + err.Error()
	}
	s := head + fmt.Sprintf("from %.1f%% (%s) to %.1f%% (%s). ", 100*w, at(w), 100*b, at(b))
	ci := d.Points()
	if d.WithinNoise() {
		return s + fmt.Sprintf("Even the largest difference (%s) is within noise: on this task the optimizers cannot be ranked by test accuracy.", ci)
	}
	return s + fmt.Sprintf("%s is better than %s beyond noise (%s).", best.Name, worst.Name, ci)
}

// referenceNote compares retrain.py's default optimizer and rate with the
// sweep's choice for the same optimizer, when both were run.
func (r *SweepResult) referenceNote() string {
	def := DefaultConfig().Optimizer
	for o, cfg := range r.Sweep.Optimizers {
		c := r.Choices[o]
		if cfg.Label() != def.Label() || math.IsNaN(c.LearningRate) {
			continue
		}
		near := 0
		for i, lr := range r.Sweep.LearningRates {
			if math.Abs(math.Log(lr/def.LearningRate)) < math.Abs(math.Log(r.Sweep.LearningRates[near]/def.LearningRate)) {
				near = i
			}
		}
		lr := r.Sweep.LearningRates[near]
		if math.Abs(math.Log10(lr/def.LearningRate)) > 0.1 {
			return ""
		}
		if lr == c.LearningRate {
			return fmt.Sprintf("retrain.py's default, %s at %.3g, is also the sweep's choice here.", c.Name, lr)
		}
		return fmt.Sprintf("retrain.py's default, %s at %.3g, scores %.3f (validation cross-entropy over the second half); the sweep's "+
			"choice for it, %.3g, scores %.3f.", c.Name, lr, c.Scores[near], c.LearningRate, c.Score)
	}
	return ""
}
