package stats

import (
	"encoding/json"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the level of every interval of this package.
const Confidence = 0.95

// z is the standard normal quantile of (1+Confidence)/2.
var z = distuv.UnitNormal.Quantile((1 + Confidence) / 2)

// Interval is a closed interval [Lo, Hi].
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Contains reports whether x lies in the interval, ends included.
func (i Interval) Contains(x float64) bool { return i.Lo <= x && x <= i.Hi }

// Percent writes a fraction's interval in percent: "87.2–97.9%".
func (i Interval) Percent() string { return fmt.Sprintf("%.1f–%.1f%%", 100*i.Lo, 100*i.Hi) }

// Proportion is K successes in N trials: K test images of N classified
// right.
type Proportion struct {
	K int `json:"k"`
	N int `json:"n"`
}

// Value is K/N, NaN when N is 0.
func (p Proportion) Value() float64 {
	if p.N == 0 {
		return math.NaN()
	}
	return float64(p.K) / float64(p.N)
}

// Wilson is the 95% Wilson score interval of the proportion: the values of
// the true rate that a test at the 5% level would not reject having seen K
// of N. It is [0, 1] when N is 0.
func (p Proportion) Wilson() Interval {
	iv := Wilson(p.Value(), p.N)
	// At K = 0 or K = N one end is exactly the observed value; rounding
	// must not move it.
	if p.N > 0 && p.K == 0 {
		iv.Lo = 0
	}
	if p.N > 0 && p.K == p.N {
		iv.Hi = 1
	}
	return iv
}

// Wilson is the 95% Wilson score interval of a rate phat observed on n
// trials; phat need not be a whole number of successes over n (the mean
// accuracy of several runs on the same n images). It is [0, 1] when n is
// 0 or phat is NaN.
func Wilson(phat float64, n int) Interval {
	if n <= 0 || math.IsNaN(phat) {
		return Interval{0, 1}
	}
	nf := float64(n)
	z2 := z * z
	centre := (phat + z2/(2*nf)) / (1 + z2/nf)
	half := z / (1 + z2/nf) * math.Sqrt(phat*(1-phat)/nf+z2/(4*nf*nf))
	return Interval{math.Max(0, centre-half), math.Min(1, centre+half)}
}

// Mean is the mean of the proportions' values and the largest N among
// them: several runs on the same N test images, as one rate observed on N
// images (Wilson(Mean(ps)) is its interval).
func Mean(ps []Proportion) (float64, int) {
	sum, n := 0.0, 0
	for _, p := range ps {
		sum += p.Value()
		n = max(n, p.N)
	}
	if len(ps) == 0 {
		return math.NaN(), 0
	}
	return sum / float64(len(ps)), n
}

// String is "94.7% (72/76; 95% CI 87.2–97.9%)".
func (p Proportion) String() string {
	return fmt.Sprintf("%.1f%% (%d/%d; 95%% CI %s)", 100*p.Value(), p.K, p.N, p.Wilson().Percent())
}

// Pool adds up proportions measured on separate samples (one per seed)
// into one: their K and N summed.
func Pool(ps []Proportion) Proportion {
	var sum Proportion
	for _, p := range ps {
		sum.K += p.K
		sum.N += p.N
	}
	return sum
}

// Summary describes repeated measurements of one quantity, one per seed.
type Summary struct {
	N        int
	Mean, SD float64 // SD: the sample standard deviation (n-1); 0 for one value
	Min, Max float64
}

// MarshalJSON writes {"n":…,"mean":…,"sd":…,"min":…,"max":…}, with null
// for a value that is not finite (an empty summary), which JSON cannot
// hold.
func (s Summary) MarshalJSON() ([]byte, error) {
	return json.Marshal(summaryJSON{N: s.N, Mean: finite(s.Mean), SD: finite(s.SD), Min: finite(s.Min), Max: finite(s.Max)})
}

// UnmarshalJSON reads what MarshalJSON writes (null: NaN).
func (s *Summary) UnmarshalJSON(data []byte) error {
	var v summaryJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*s = Summary{N: v.N, Mean: orNaN(v.Mean), SD: orNaN(v.SD), Min: orNaN(v.Min), Max: orNaN(v.Max)}
	return nil
}

type summaryJSON struct {
	N    int      `json:"n"`
	Mean *float64 `json:"mean"`
	SD   *float64 `json:"sd"`
	Min  *float64 `json:"min"`
	Max  *float64 `json:"max"`
}

func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func orNaN(x *float64) float64 {
	if x == nil {
		return math.NaN()
	}
	return *x
}

// Summarize returns the summary of xs; Mean, SD, Min and Max are NaN when
// xs is empty.
func Summarize(xs []float64) Summary {
	s := Summary{N: len(xs), Mean: math.NaN(), SD: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	if len(xs) == 0 {
		return s
	}
	s.Min, s.Max = math.Inf(1), math.Inf(-1)
	sum := 0.0
	for _, x := range xs {
		sum += x
		s.Min, s.Max = math.Min(s.Min, x), math.Max(s.Max, x)
	}
	s.Mean = sum / float64(len(xs))
	s.SD = 0
	if len(xs) > 1 {
		ss := 0.0
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(ss / float64(len(xs)-1))
	}
	return s
}

// MeanInterval is the 95% Student-t interval of the mean: where the mean
// of many more runs would fall. With one value it is the whole real line.
func (s Summary) MeanInterval() Interval {
	if s.N < 2 {
		return Interval{math.Inf(-1), math.Inf(1)}
	}
	half := tQuantile(s.N-1) * s.SD / math.Sqrt(float64(s.N))
	return Interval{s.Mean - half, s.Mean + half}
}

// tQuantile is Student's t quantile of (1+Confidence)/2 with df degrees of
// freedom: 12.71 for one, 4.30 for two, 1.96 in the limit.
func tQuantile(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile((1 + Confidence) / 2)
}

// Difference compares two methods, A and B, run on the same seeds, each
// seed's accuracy measured on the same test images for both.
type Difference struct {
	A, B Proportion // pooled over the seeds
	// Delta is A's pooled accuracy minus B's (with the same images on
	// every seed, the mean accuracies' difference, which is the same when
	// every seed has as many images).
	Delta float64
	// PerSeed holds each seed's difference of accuracies, A minus B.
	PerSeed []float64
	// Interval is a 95% interval for the difference of the true
	// accuracies. It covers both kinds of noise: the finite test sample
	// (Newcombe's hybrid score interval from the two pooled Wilson
	// intervals: R. G. Newcombe, "Interval estimation for the difference
	// between independent proportions", Statistics in Medicine 17, 1998,
	// method 10) and, with two or more seeds, how much the difference
	// itself varies from seed to seed (Student's t interval of the mean
	// per-seed difference). Each end is the farther of the two.
	Interval Interval
}

// WithinNoise reports whether the interval holds 0: the data do not show
// which method is better.
func (d Difference) WithinNoise() bool { return d.Interval.Contains(0) }

// Points writes the difference and its interval in percentage points:
// "+5.3 points, 95% CI -0.5 to +12.8".
func (d Difference) Points() string {
	return fmt.Sprintf("%+.1f points, 95%% CI %+.1f to %+.1f", 100*d.Delta, 100*d.Interval.Lo, 100*d.Interval.Hi)
}

// Compare returns the difference between methods A and B from their
// accuracies on each seed, a[i] and b[i] measured on the same seed, each
// seed with test images of its own (drawn anew), so that the seeds' counts
// pool into one larger sample. It is an error if a and b are empty, differ
// in length or hold an empty proportion.
func Compare(a, b []Proportion) (Difference, error) {
	return compare(a, b, true)
}

// CompareSameImages is Compare for seeds that all test on the same images
// (only the training differs): the seeds' counts are not independent
// samples, so the finite test set counts once. The test-set part of the
// interval is Newcombe's for the mean accuracies over the seeds, each as if
// observed on the N images once.
func CompareSameImages(a, b []Proportion) (Difference, error) {
	return compare(a, b, false)
}

func compare(a, b []Proportion, pooled bool) (Difference, error) {
	if len(a) == 0 || len(a) != len(b) {
		return Difference{}, fmt.Errorf("stats: Compare needs the same number (at least one) of accuracies for both methods, got %d and %d", len(a), len(b))
	}
	d := Difference{A: Pool(a), B: Pool(b)}
	for i := range a {
		if a[i].N <= 0 || b[i].N <= 0 || a[i].K < 0 || b[i].K < 0 || a[i].K > a[i].N || b[i].K > b[i].N {
			return Difference{}, fmt.Errorf("stats: Compare: seed %d has accuracies %d/%d and %d/%d", i, a[i].K, a[i].N, b[i].K, b[i].N)
		}
		d.PerSeed = append(d.PerSeed, a[i].Value()-b[i].Value())
	}
	p1, p2 := d.A.Value(), d.B.Value()
	w1, w2 := d.A.Wilson(), d.B.Wilson()
	if !pooled {
		var n1, n2 int
		p1, n1 = Mean(a)
		p2, n2 = Mean(b)
		w1, w2 = Wilson(p1, n1), Wilson(p2, n2)
	}
	d.Delta = p1 - p2
	d.Interval = Interval{
		Lo: d.Delta - math.Sqrt((p1-w1.Lo)*(p1-w1.Lo)+(w2.Hi-p2)*(w2.Hi-p2)),
		Hi: d.Delta + math.Sqrt((w1.Hi-p1)*(w1.Hi-p1)+(p2-w2.Lo)*(p2-w2.Lo)),
	}
	if len(a) > 1 {
		t := Summarize(d.PerSeed).MeanInterval()
		d.Interval.Lo, d.Interval.Hi = math.Min(d.Interval.Lo, t.Lo), math.Max(d.Interval.Hi, t.Hi)
	}
	return d, nil
}
