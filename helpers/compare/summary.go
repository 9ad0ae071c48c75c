package compare

import (
	"errors"
	"fmt"
	"math"

	"github.com/gotl/gotl/helpers/stats"
	"github.com/gotl/gotl/helpers/train"
)

// Summary is one method over all seeds.
type Summary struct {
	Method string   `json:"method"` // Method.ID
	Name   string   `json:"name"`
	Trains string   `json:"trains"`
	Steps  int      `json:"steps"`
	Batch  int      `json:"batch"`
	Seeds  []uint64 `json:"seeds"`
	// TestPerSeed are the test accuracies, one per seed; Test pools them,
	// and TestInterval is its 95% Wilson interval.
	TestPerSeed  []stats.Proportion `json:"test_per_seed"`
	Test         stats.Proportion   `json:"test"`
	TestInterval stats.Interval     `json:"test_interval"`
	// Validation is the validation accuracy after the last step.
	Validation stats.Summary `json:"validation"`
	// MsPerStep is the steady speed; Prep, Train and Total are seconds of
	// preparation, of the training call, and both.
	MsPerStep stats.Summary `json:"ms_per_step"`
	Prep      stats.Summary `json:"prep_seconds"`
	Train     stats.Summary `json:"train_seconds"`
	Total     stats.Summary `json:"total_seconds"`
	// Mistakes is the number of misclassified test images per seed.
	Mistakes stats.Summary `json:"mistakes"`
}

// Summarize pools the records of one method, one per seed. It is an error
// if there are none or they come from different methods.
func Summarize(records []*Record) (Summary, error) {
	if len(records) == 0 {
		return Summary{}, errors.New("compare: Summarize: no records")
	}
	first := records[0]
	s := Summary{Method: first.Method, Name: first.Name, Trains: first.Trains, Steps: first.Steps, Batch: first.Batch}
	var val, ms, prep, tr, total, mistakes []float64
	for _, r := range records {
		if r.Method != first.Method {
			return Summary{}, fmt.Errorf("compare: Summarize: records of %s and %s", first.Method, r.Method)
		}
		s.Seeds = append(s.Seeds, r.Seed)
		s.TestPerSeed = append(s.TestPerSeed, stats.Proportion{K: r.Correct(), N: r.TestCount})
		val = append(val, r.Last().ValidationAccuracy)
		ms = append(ms, 1000*r.SecondsPerStep)
		prep, tr = append(prep, r.Prep.Seconds()), append(tr, r.Duration.Seconds())
		total = append(total, r.Prep.Seconds()+r.Duration.Seconds())
		mistakes = append(mistakes, float64(r.TestCount-r.Correct()))
	}
	s.Test = stats.Pool(s.TestPerSeed)
	s.TestInterval = s.Test.Wilson()
	s.Validation, s.MsPerStep = stats.Summarize(val), stats.Summarize(ms)
	s.Prep, s.Train, s.Total = stats.Summarize(prep), stats.Summarize(tr), stats.Summarize(total)
	s.Mistakes = stats.Summarize(mistakes)
	return s, nil
}

// Curve averages a method's evaluations over its records (one per seed):
// xs[i] and ys[i] are the means of x and y at the i-th evaluation of every
// record. Records with fewer evaluations than the first are an error.
func Curve(records []*Record, x, y func(*Record, train.EvalPoint) float64) (xs, ys []float64, err error) {
	if len(records) == 0 {
		return nil, nil, errors.New("compare: Curve: no records")
	}
	n := len(records[0].History)
	for _, r := range records {
		if len(r.History) != n {
			return nil, nil, fmt.Errorf("compare: Curve: %s has %d evaluations on seed %d, %d on seed %d", r.Name, len(r.History), r.Seed, n, records[0].Seed)
		}
	}
	for i := range n {
		sx, sy := 0.0, 0.0
		for _, r := range records {
			sx, sy = sx+x(r, r.History[i]), sy+y(r, r.History[i])
		}
		xs, ys = append(xs, sx/float64(len(records))), append(ys, sy/float64(len(records)))
	}
	return xs, ys, nil
}

// Spread returns, at each evaluation, the lowest and the highest y over
// the records (one per seed), with x averaged as Curve does: the envelope
// that shows how far one run can stray from the mean.
func Spread(records []*Record, x, y func(*Record, train.EvalPoint) float64) (xs, lo, hi []float64, err error) {
	xs, _, err = Curve(records, x, y)
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range xs {
		l, h := math.Inf(1), math.Inf(-1)
		for _, r := range records {
			v := y(r, r.History[i])
			l, h = math.Min(l, v), math.Max(h, v)
		}
		lo, hi = append(lo, l), append(hi, h)
	}
	return xs, lo, hi, nil
}

// Step is a Curve axis: the steps taken.
func Step(_ *Record, p train.EvalPoint) float64 { return float64(p.Step) }

// ValidationAccuracy is a Curve axis: the accuracy on the validation split.
func ValidationAccuracy(_ *Record, p train.EvalPoint) float64 { return p.ValidationAccuracy }

// CrossEntropy is a Curve axis: the training batch's cross-entropy.
func CrossEntropy(_ *Record, p train.EvalPoint) float64 { return p.CrossEntropy }

// Elapsed is a Curve axis: the seconds since the method started,
// preparation included.
func Elapsed(r *Record, p train.EvalPoint) float64 { return r.Prep.Seconds() + p.Seconds }

// TrainingTime is a Curve axis: the seconds since the training call
// started, preparation excluded.
func TrainingTime(_ *Record, p train.EvalPoint) float64 { return p.Seconds }

// Predictions returns the test labels and predictions of every record,
// one seed after the other: a confusion matrix over all seeds.
func Predictions(records []*Record) (labels, predicted []int) {
	for _, r := range records {
		labels, predicted = append(labels, r.TestLabels...), append(predicted, r.TestPredicted...)
	}
	return labels, predicted
}

// Table returns a header and one row per summary: what trains, the steps,
// the steady milliseconds per step, the seconds of preparation, training
// and both (means over the seeds), the validation accuracy after the last
// step (mean ± standard deviation), and the test accuracy pooled over the
// seeds with its 95% interval.
func Table(sums []Summary) (header []string, rows [][]string) {
	header = []string{"method", "trains", "steps", "ms/step", "prep s", "train s", "total s", "validation (mean ± sd)", "test, pooled (95% CI)"}
	for _, s := range sums {
		rows = append(rows, []string{s.Name, s.Trains, fmt.Sprint(s.Steps), spread(s.MsPerStep, 1),
			fmt.Sprintf("%.2f", s.Prep.Mean), fmt.Sprintf("%.2f", s.Train.Mean), fmt.Sprintf("%.2f", s.Total.Mean),
			fmt.Sprintf("%.1f ± %.1f%%", 100*s.Validation.Mean, 100*s.Validation.SD),
			fmt.Sprintf("%.1f%% of %d (%s)", 100*s.Test.Value(), s.Test.N, s.TestInterval.Percent())})
	}
	return header, rows
}

// spread writes mean ± sd, the sd to two significant digits and the mean
// to the same decimal place ("15.4 ± 2.0", "5.220 ± 0.081"): digits below
// the spread's are noise. Without a spread (one seed, or all equal) the
// mean gets three significant digits.
func spread(s stats.Summary, scale float64) string {
	m, sd := s.Mean*scale, s.SD*scale
	if math.IsNaN(m) {
		return "–"
	}
	if math.IsNaN(sd) || sd == 0 || math.IsInf(sd, 0) {
		return fmt.Sprintf("%.3g", m)
	}
	decimals := max(0, min(9, 1-int(math.Floor(math.Log10(sd)))))
	return fmt.Sprintf("%.*f ± %.*f", decimals, m, decimals, sd)
}

// stepTime writes a time per step given in milliseconds as mean ± sd in
// the unit that keeps the numbers readable: µs below 1 ms, s from 1000 ms.
func stepTime(ms stats.Summary) string {
	switch m := math.Abs(ms.Mean); {
	case m < 1:
		return spread(ms, 1000) + " µs"
	case m >= 1000:
		return spread(ms, 0.001) + " s"
	}
	return spread(ms, 1) + " ms"
}
