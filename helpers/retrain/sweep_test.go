package retrain

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/train"
)

func smallSweep() Sweep {
	base := DefaultConfig()
	base.Steps, base.TrainBatchSize, base.EvalStepInterval, base.ValidationBatchSize = 60, 20, 10, -1
	return Sweep{
		Base: base,
		Optimizers: []optim.Config{{Optimizer: "GradientDescent"}, {Optimizer: "Momentum", Params: map[string]any{"momentum": 0.9}},
			{Optimizer: "ProximalGradientDescent"}},
		LearningRates: []float64{0.001, 0.03, 1, 1e38},
		Seeds:         []uint64{1, 2},
	}
}

func TestSweepChoosesLowestSettledValidationCrossEntropy(t *testing.T) {
	d := clusters(3, 16, 30, 4)
	res, err := smallSweep().Run(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Choices) != 3 || res.Duration <= 0 {
		t.Fatalf("%d choices", len(res.Choices))
	}
	for _, c := range res.Choices {
		if len(c.All) != 4 || len(c.All[0]) != 2 || len(c.Scores) != 4 {
			t.Fatalf("%s: runs %d×%d, scores %d", c.Name, len(c.All), len(c.All[0]), len(c.Scores))
		}
		// 1e38 diverges: an error wrapping ErrDiverged, no result, no score.
		for _, run := range c.All[3] {
			if run.Result != nil || !errors.Is(run.Err, ErrDiverged) {
				t.Errorf("%s at 1e38: result %v, error %v", c.Name, run.Result != nil, run.Err)
			}
		}
		if !math.IsNaN(c.Scores[3]) {
			t.Errorf("%s: a diverged rate scored %v", c.Name, c.Scores[3])
		}
		// Each score is the mean over seeds of the mean validation
		// cross-entropy after step 30.
		for i, runs := range c.All[:3] {
			want := 0.0
			for _, run := range runs {
				sum, n := 0.0, 0
				for _, p := range run.Result.History {
					if p.Step > 30 {
						sum, n = sum+p.ValidationCrossEntropy, n+1
					}
				}
				want += sum / float64(n) / 2
			}
			if math.Abs(c.Scores[i]-want) > 1e-12 {
				t.Errorf("%s lr %g: score %v, want %v", c.Name, res.Sweep.LearningRates[i], c.Scores[i], want)
			}
			if c.Scores[i] < c.Score {
				t.Errorf("%s: lr %g scores %v, below the chosen %g's %v", c.Name, res.Sweep.LearningRates[i], c.Scores[i], c.LearningRate, c.Score)
			}
		}
		if c.Config.LearningRate != c.LearningRate || c.Runs[0].LearningRate != c.LearningRate || len(c.Runs) != 2 {
			t.Errorf("%s: chosen %g, config %+v, runs at %g", c.Name, c.LearningRate, c.Config, c.Runs[0].LearningRate)
		}
	}
	if g := res.Groups(); !reflect.DeepEqual(g, [][]int{{0, 2}, {1}}) {
		t.Errorf("groups %v, want GradientDescent with ProximalGradientDescent", g)
	}
	if name := res.GroupName([]int{0, 2}); name != "GradientDescent = ProximalGradientDescent" {
		t.Errorf("group name %q", name)
	}

	// Same seeds, another number of workers: the same runs.
	s := smallSweep()
	s.Workers = 1
	again, err := s.Run(d)
	if err != nil {
		t.Fatal(err)
	}
	for o := range res.Choices {
		if again.Choices[o].LearningRate != res.Choices[o].LearningRate ||
			!reflect.DeepEqual(again.Choices[o].Runs[1].Result.Layer, res.Choices[o].Runs[1].Result.Layer) {
			t.Errorf("%s: not reproducible", res.Choices[o].Name)
		}
	}

	header, rows := res.Table(0.9)
	if len(rows) != 3 || len(rows[0]) != len(header) || !strings.HasSuffix(rows[0][5], "%)") {
		t.Errorf("table %q %q", header, rows)
	}
	text := strings.Join(res.Notes(0.9), "\n")
	for _, want := range []string{"**Test accuracy**, the mean of 2 seeds on the same 18 test images", "GradientDescent and ProximalGradientDescent chose the same rate",
		"a proximal method is its plain counterpart"} {
		if !strings.Contains(text, want) {
			t.Errorf("notes lack %q:\n%s", want, text)
		}
	}
}

func TestSweepErrors(t *testing.T) {
	d := clusters(3, 16, 30, 4)
	s := smallSweep()
	s.Seeds = nil
	if _, err := s.Run(d); err == nil {
		t.Error("no seeds: no error")
	}
	s = smallSweep()
	s.Optimizers = []optim.Config{{Optimizer: "NoSuch"}}
	if _, err := s.Run(d); err == nil || errors.Is(err, ErrDiverged) {
		t.Errorf("unknown optimizer: %v", err)
	}
	if _, err := smallSweep().Run(&train.Bottlenecks{Labels: []string{"a"}}); err == nil {
		t.Error("one class: no error")
	}
}
