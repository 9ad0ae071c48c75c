package compare

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/stats"
	"github.com/gotl/gotl/helpers/train"
)

// fake makes one record per entry of correct (test images right of n on
// that seed), with a steady speed of ms milliseconds per step.
func fake(id, name string, steps int, n int, ms float64, correct ...int) []*Record {
	var rs []*Record
	for k, c := range correct {
		r := &Record{Run: train.Run{Name: name, Batch: 16, Prep: 500 * time.Millisecond}, Method: id, Seed: uint64(4 + k)}
		r.Steps, r.Duration, r.SecondsPerStep = steps, time.Duration(float64(steps)*ms*float64(time.Millisecond)), ms/1000
		r.History = []train.EvalPoint{{Step: 1, ValidationAccuracy: 0.5}, {Step: steps, ValidationAccuracy: float64(c) / float64(n), Seconds: 1}}
		r.TestCount = n
		for i := range n {
			r.TestLabels = append(r.TestLabels, i%4)
			p := i % 4
			if i >= c {
				p = (i + 1) % 4
			}
			r.TestPredicted = append(r.TestPredicted, p)
		}
		rs = append(rs, r)
	}
	return rs
}

func summaries(t *testing.T, sets ...[]*Record) []Summary {
	t.Helper()
	var out []Summary
	for _, rs := range sets {
		s, err := Summarize(rs)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestSummarize(t *testing.T) {
	s := summaries(t, fake(FineTune, "fine-tune all", 200, 76, 30, 76, 75, 74))[0]
	if s.Test.K != 225 || s.Test.N != 228 || len(s.TestPerSeed) != 3 || s.TestPerSeed[1].K != 75 || s.Mistakes.Mean != 2-1 {
		t.Errorf("%+v", s)
	}
	if !s.TestInterval.Contains(s.Test.Value()) || s.MsPerStep.Mean != 30 || s.Total.Mean != 0.5+6 {
		t.Errorf("interval %v, ms %v, total %v", s.TestInterval, s.MsPerStep, s.Total)
	}
	if _, err := Summarize(append(fake(Retrain, "retrain", 200, 76, 1, 70), fake(FineTune, "fine-tune all", 200, 76, 30, 76)...)); err == nil {
		t.Error("records of two methods: no error")
	}
	if _, err := Summarize(nil); err == nil {
		t.Error("no records: no error")
	}
}

func TestConclusion(t *testing.T) {
	s := CPUSettings
	for _, c := range []struct {
		name      string
		sets      [][]*Record
		want, not []string
	}{{
		name: "fine-tuning ahead on five seeds, long retrain still behind, top 2 as good",
		sets: [][]*Record{
			fake(Retrain, "retrain", 200, 76, 0.01, 72, 71, 73, 72, 70),
			fake(RetrainLong, "retrain 4000 steps", 4000, 76, 0.01, 73, 72, 73, 73, 71),
			fake(FineTune, "fine-tune all", 200, 76, 40, 76, 76, 75, 76, 76),
			fake(FineTuneTop, "fine-tune top 2", 200, 76, 20, 76, 75, 76, 76, 75),
		},
		want: []string{"over 5 seeds", "tested on the 76 test images of each seed (380 predictions in all)",
			"fine-tuning is ahead by more than noise", "stays below fine-tuning by more than noise",
			"20 times more training of the softmax does not close the gap", "within noise of fine-tuning every layer",
			"The top 2 layers alone were enough", "about 4000× slower", "2.0× cheaper per step"},
		not: []string{"is **within noise**"},
	}, {
		name: "one seed: 100% against 94.7% is within noise",
		sets: [][]*Record{
			fake(Retrain, "retrain", 200, 76, 0.01, 72),
			fake(FineTune, "fine-tune all", 200, 76, 40, 76),
		},
		want: []string{"over 1 seed ", "The difference (+5.3 points, 95% CI -0.5 to +12.8) is **within noise**",
			"bought no accuracy these runs can show"},
		not: []string{"ahead by more than noise", "frozen features"},
	}, {
		name: "retraining ahead",
		sets: [][]*Record{
			fake(Retrain, "retrain", 200, 76, 0.01, 75, 76, 75, 76, 75),
			fake(FineTune, "fine-tune all", 200, 76, 40, 60, 62, 58, 61, 60),
		},
		want: []string{"retraining is ahead by more than noise", "fine-tuning's much higher cost per step bought nothing"},
	}, {
		name: "the long retrain closes the gap",
		sets: [][]*Record{
			fake(Retrain, "retrain", 200, 76, 0.01, 66, 65, 67, 66, 64),
			fake(RetrainLong, "retrain 4000 steps", 4000, 76, 0.01, 76, 75, 76, 76, 75),
			fake(FineTune, "fine-tune all", 200, 76, 40, 76, 76, 75, 76, 76),
		},
		want: []string{"fine-tuning is ahead by more than noise", "the change (+", "is more than noise, and it is within noise of fine-tuning",
			"its lead over the 4000-step retrain is within noise"},
		not: []string{"frozen features"},
	}, {
		name: "top layers not enough",
		sets: [][]*Record{
			fake(Retrain, "retrain", 200, 76, 0.01, 66, 65, 67, 66, 64),
			fake(FineTune, "fine-tune all", 200, 76, 40, 76, 76, 75, 76, 76),
			fake(FineTuneTop, "fine-tune top 2", 200, 76, 20, 68, 67, 69, 66, 68),
		},
		want: []string{"below fine-tuning every layer by more than noise", "fine-tuning every layer got them"},
	}} {
		text := Conclusion("test backend", s, summaries(t, c.sets...))
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: conclusion lacks %q:\n%s", c.name, w, text)
			}
		}
		for _, w := range c.not {
			if strings.Contains(text, w) {
				t.Errorf("%s: conclusion says %q:\n%s", c.name, w, text)
			}
		}
	}
	if text := Conclusion("b", s, summaries(t, fake(Retrain, "retrain", 200, 76, 0.01, 70))); !strings.Contains(text, "only these ran: retrain 92.1%") {
		t.Errorf("retrain only: %s", text)
	}
}

func TestNumberFormats(t *testing.T) {
	sum := func(mean, sd float64) stats.Summary { return stats.Summary{N: 10, Mean: mean, SD: sd} }
	for _, c := range []struct{ got, want string }{
		{spread(sum(15.4, 2.04), 1), "15.4 ± 2.0"},
		{spread(sum(5.2201, 0.0812), 1), "5.220 ± 0.081"},
		{spread(sum(1234, 123), 1), "1234 ± 123"},
		{spread(sum(0.42, 0), 1), "0.42"},
		{spread(sum(math.NaN(), 0), 1), "–"},
		{stepTime(sum(0.00769, 0.0049)), "7.7 ± 4.9 µs"},
		{stepTime(sum(15.4, 2.04)), "15.4 ± 2.0 ms"},
		{stepTime(sum(2500, 310)), "2.50 ± 0.31 s"},
		{times(2001), "2000×"},
		{times(14.7), "15×"},
		{times(234), "230×"},
		{times(2.94), "2.9×"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
