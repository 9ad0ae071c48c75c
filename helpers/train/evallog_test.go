package train_test

import (
	"fmt"
	"testing"

	"github.com/gotl/gotl/helpers/train"
)

// The evaluations a log keeps: retrain.py's schedule (steps taken 1, 11, 21,
// …, and the last), about max of them.
func TestEvalLog(t *testing.T) {
	retrainSteps := func(steps, interval int) []int { // EvalPoint.Step of retrain's evaluations
		var s []int
		for i := 0; i < steps; i++ {
			if i%interval == 0 || i+1 == steps {
				s = append(s, i+1)
			}
		}
		return s
	}
	finetuneSteps := func(first, last, interval int) []int {
		var s []int
		for g := first + 1; g <= last; g++ {
			if g%interval == 0 || g == last {
				s = append(s, g)
			}
		}
		return s
	}
	for _, c := range []struct {
		name          string
		first, last   int
		interval, max int
		steps         []int
		want          []int
	}{
		// 4,000 steps: every 400th (retrain.py's 0-based 0, 400, …, 3600, 3999).
		{"retrain 4000", 0, 4000, 10, 10, retrainSteps(4000, 10),
			[]int{1, 401, 801, 1201, 1601, 2001, 2401, 2801, 3201, 3601, 4000}},
		{"retrain 300", 0, 300, 10, 10, retrainSteps(300, 10),
			[]int{1, 31, 61, 91, 121, 151, 181, 211, 241, 271, 300}},
		{"short run: all", 0, 60, 10, 10, retrainSteps(60, 10), retrainSteps(60, 10)},
		{"max 0: all", 0, 4000, 10, 0, retrainSteps(4000, 10), retrainSteps(4000, 10)},
		{"finetune resumed at 30", 30, 100, 10, 3, finetuneSteps(30, 100, 10), []int{40, 60, 90, 100}},
	} {
		l := train.NewEvalLog(c.first, c.last, c.interval, c.max)
		var got []int
		for _, s := range c.steps {
			if l.Keep(s) {
				got = append(got, s)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: logged %v, want %v (every %d)", c.name, got, c.want, l.Every)
		}
		if thinned := len(got) < len(c.steps); l.Thinned() != thinned {
			t.Errorf("%s: Thinned %v, but %d of %d logged", c.name, l.Thinned(), len(got), len(c.steps))
		}
	}
}
