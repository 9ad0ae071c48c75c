package testfunc

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/optim"
)

func cfg(name string, lr float64, kv ...any) optim.Config {
	p := map[string]any{"learning_rate": lr}
	for i := 0; i < len(kv); i += 2 {
		p[kv[i].(string)] = kv[i+1]
	}
	return optim.Config{Optimizer: name, Params: p}
}

func TestOutcome(t *testing.T) {
	for _, c := range []struct {
		fn    Function
		cfg   optim.Config
		steps int
		want  Outcome
	}{
		{Quadratic(10), cfg("Momentum", 0.05, "momentum", 0.9), 300, Reached},
		{Rastrigin(), cfg("GradientDescent", 0.001), 500, Stationary}, // the local minimum near the start
		{Rosenbrock(), cfg("GradientDescent", 0.0001), 100, Moving},
		{Rosenbrock(), cfg("GradientDescent", 0.1), 100, Diverged},
	} {
		tr, err := Run(c.fn, c.cfg, nil, c.steps)
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.Outcome(c.fn); got != c.want {
			t.Errorf("%s %v on %s: %v (distance %g), want %v", c.cfg.Optimizer, c.cfg.Params, c.fn.Name, got, tr.Distance(c.fn), c.want)
		}
	}
}

func TestPointsAndStateRows(t *testing.T) {
	tr, err := Run(Rosenbrock(), cfg("GradientDescent", 0.1), nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	pts := tr.Points()
	if len(pts) != len(tr.X)-1 || len(tr.StateRows()) != len(pts) {
		t.Errorf("diverged run: %d points, %d rows, of %d recorded; want the last (diverged) one left out", len(pts), len(tr.StateRows()), len(tr.X))
	}
	tr, err = Run(Rosenbrock(), cfg("Adam", 0.1), nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	rows := tr.StateRows()
	if len(rows) != 4 || rows[0][0] != "24.2" || !strings.Contains(rows[1][1], "m = (") || !strings.Contains(rows[1][1], "v = (") ||
		!strings.Contains(rows[1][1], "beta1_power = 0.81") {
		t.Errorf("Adam rows: %q", rows)
	}
}

// PathNotes names every optimizer once among the outcomes, with what its
// run did, and states what is true of the runs.
func TestPathNotesRosenbrock(t *testing.T) {
	fn := Rosenbrock()
	res, err := Compare(fn, DefaultOptimizers(), nil, 500, nil)
	if err != nil {
		t.Fatal(err)
	}
	notes := PathNotes(fn, res)
	text := strings.Join(notes, "\n")
	for _, r := range res {
		if n := len(regexp.MustCompile(`(?:^|\s)`+regexp.QuoteMeta(runName(r))).FindAllString(text, -1)); n != 1 {
			t.Errorf("%s named %d times among the outcomes:\n%s", runName(r), n, text)
		}
		switch o := r.Best.Outcome(fn); o {
		case Reached:
			if !regexp.MustCompile(`\*\*Reach the minimum at \(1, 1\)\*\*[^\n]*` + regexp.QuoteMeta(runName(r))).MatchString(text) {
				t.Errorf("%s reached the minimum; the notes do not say so", runName(r))
			}
		case Moving:
			rises, _ := r.Best.Rises(250)
			if rises == 0 && !regexp.MustCompile(`\*\*Still descending steadily\*\*[^\n]*`+regexp.QuoteMeta(runName(r))).MatchString(text) {
				t.Errorf("%s descends steadily; the notes do not say so", runName(r))
			}
		}
	}
	if !strings.Contains(text, "ProximalGradientDescent retraces the path of GradientDescent") {
		t.Errorf("GD and proximal GD coincide without regularisation:\n%s", text)
	}
	if !strings.Contains(text, "AdagradDA's first step goes from (-1.2, 1) to") {
		t.Errorf("no AdagradDA note:\n%s", text)
	}
}

func TestTableAndRateNotes(t *testing.T) {
	fns := []Function{Quadratic(100), Rastrigin()}
	cfgs := []optim.Config{{Optimizer: "GradientDescent"}, {Optimizer: "Momentum", Params: map[string]any{"momentum": 0.9}},
		{Optimizer: "Adam"}}
	lrs := []float64{0.0001, 0.001, 0.01, 0.1}
	var all [][]SweepResult
	for _, fn := range fns {
		res, err := Compare(fn, cfgs, nil, 300, lrs)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, res)
	}
	text := strings.Join(TableNotes(fns, all), "\n")
	gd, mom := all[0][0].Best.Final(), all[0][1].Best.Final()
	if !(mom < gd/1e3) || !strings.Contains(text, "On the quadratic (condition number 100), GradientDescent ends at a loss of") ||
		!strings.Contains(text, "orders of magnitude lower") {
		t.Errorf("GD %g vs Momentum %g on the quadratic:\n%s", gd, mom, text)
	}
	stuck := 0
	for _, r := range all[1] {
		if r.Best.Outcome(fns[1]) == Stationary {
			stuck++
		}
	}
	if hasNote := strings.Contains(text, "On rastrigin, "); hasNote != (stuck > 1) {
		t.Errorf("%d runs stationary on Rastrigin; note present: %v\n%s", stuck, hasNote, text)
	}
	if !strings.Contains(text, "**Reach the global minimum** (within 0.01), of 3 optimizers: quadratic:100 ") {
		t.Errorf("no reach counts:\n%s", text)
	}

	notes := RateNotes(fns[0], all[0])
	start := fns[0].F(fns[0].Start)
	for _, r := range all[0] {
		stable := 0
		for _, p := range r.Tried {
			if p.Stable() {
				stable++
			}
		}
		good := r.GoodRates(start)
		for _, lr := range good {
			if p := r.Tried[indexOf(r.Tried, lr)]; !p.Stable() || p.SettledLoss >= start/GoodRateFactor {
				t.Errorf("%s: rate %g counted good: %+v", r.Optimizer, lr, p)
			}
		}
		want := regexp.MustCompile(regexp.QuoteMeta(r.Optimizer) + ` (\d+)`).FindStringSubmatch(notes[0])
		if want == nil || want[1] != strconv.Itoa(stable) {
			t.Errorf("%s stable at %d rates; notes: %s", r.Optimizer, stable, notes[0])
		}
	}
	if math.IsNaN(all[0][2].LearningRate) {
		t.Error("Adam found no stable rate on the quadratic")
	}
}
