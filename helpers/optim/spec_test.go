package optim

import (
	"strings"
	"testing"
)

// RequiresLearningRate says what New does: a Config without a learning
// rate is refused exactly by the optimizers it names (other required
// arguments, such as Momentum's momentum, given).
func TestRequiresLearningRateMatchesNew(t *testing.T) {
	for _, s := range Specs() {
		params := map[string]any{}
		for _, p := range s.Params {
			if p.Required && p.Name != "learning_rate" {
				params[p.Name] = 0.5
			}
		}
		_, err := New[float64](Config{Optimizer: s.Name, Params: params})
		refused := err != nil && strings.Contains(err.Error(), "learning_rate")
		if refused != s.RequiresLearningRate() {
			t.Errorf("%s: RequiresLearningRate %v, New without one: %v", s.Name, s.RequiresLearningRate(), err)
		}
	}
}

func TestRecorderTextRows(t *testing.T) {
	opt, err := New[float64](Config{Optimizer: "Adagrad", LearningRate: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.AddVar("x", []float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	r := &Recorder[float64]{}
	r.Record(opt, 5, nil)
	g := map[string]Grad[float64]{"x": Dense([]float64{0.5, 1})}
	if err := opt.Step(g); err != nil {
		t.Fatal(err)
	}
	r.Record(opt, 4, g)
	rows := r.TextRows()
	if len(rows) != 2 || len(rows[0]) != len(r.Columns()) || rows[0][0] != "0" || rows[0][1] != "5" || rows[0][3] != "" || rows[1][3] != "0.5" {
		t.Errorf("columns %q, rows %q", r.Columns(), rows)
	}
}
