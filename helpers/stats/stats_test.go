package stats

import (
	"encoding/json"
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Published values: R. G. Newcombe, "Two-sided confidence intervals for the
// single proportion: comparison of seven methods", Statistics in Medicine
// 17 (1998), Table II (score method without continuity correction), and
// the companion paper on differences (method 10, example (a)).
func TestWilsonPublished(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
	} {
		iv := Proportion{c.k, c.n}.Wilson()
		if !near(iv.Lo, c.lo, 5e-5) || !near(iv.Hi, c.hi, 5e-5) {
			t.Errorf("Wilson(%d/%d) = [%.4f, %.4f], want [%.4f, %.4f]", c.k, c.n, iv.Lo, iv.Hi, c.lo, c.hi)
		}
	}
}

func TestWilsonEdges(t *testing.T) {
	all := Proportion{76, 76}
	if iv := all.Wilson(); iv.Hi != 1 || !(iv.Lo > 0.95 && iv.Lo < 0.96) {
		t.Errorf("76/76: %v, want [0.952, 1]", iv)
	}
	if iv := (Proportion{0, 0}).Wilson(); iv != (Interval{0, 1}) {
		t.Errorf("0/0: %v, want [0, 1]", iv)
	}
	if !math.IsNaN(Proportion{}.Value()) {
		t.Error("0/0 has a value")
	}
	// More images, narrower interval, same rate.
	small, big := Proportion{19, 20}.Wilson(), Proportion{190, 200}.Wilson()
	if !(big.Hi-big.Lo < small.Hi-small.Lo) || !big.Contains(0.95) || !small.Contains(0.95) {
		t.Errorf("19/20 %v, 190/200 %v", small, big)
	}
	if got := (Proportion{72, 76}).String(); got != "94.7% (72/76; 95% CI 87.2–97.9%)" {
		t.Errorf("String = %q", got)
	}
}

func TestNewcombePublished(t *testing.T) {
	// One seed: the interval is Newcombe's method 10. Example (a): 56/70
	// against 48/80, interval 0.0524 to 0.3339.
	d, err := Compare([]Proportion{{56, 70}}, []Proportion{{48, 80}})
	if err != nil {
		t.Fatal(err)
	}
	if !near(d.Delta, 0.2, 1e-12) || !near(d.Interval.Lo, 0.0524, 5e-5) || !near(d.Interval.Hi, 0.3339, 5e-5) {
		t.Errorf("56/70 - 48/80: %v %v, want 0.2 [0.0524, 0.3339]", d.Delta, d.Interval)
	}
	if d.WithinNoise() {
		t.Error("a difference whose interval excludes 0 is called noise")
	}
}

func TestCompareSeeds(t *testing.T) {
	// One seed, 76 images: 100% against 94.7% is not yet a difference.
	d, _ := Compare([]Proportion{{76, 76}}, []Proportion{{72, 76}})
	if !d.WithinNoise() {
		t.Errorf("76/76 vs 72/76 on one seed: %v, want within noise", d.Interval)
	}
	// Five seeds agreeing: the same rates on 380 images are.
	a := []Proportion{{76, 76}, {76, 76}, {76, 76}, {76, 76}, {76, 76}}
	b := []Proportion{{72, 76}, {73, 76}, {71, 76}, {72, 76}, {72, 76}}
	d, _ = Compare(a, b)
	if d.WithinNoise() || d.Interval.Lo <= 0 || d.A != (Proportion{380, 380}) || d.B != (Proportion{360, 380}) || len(d.PerSeed) != 5 {
		t.Errorf("five agreeing seeds: %+v, want a difference", d)
	}
	// Seeds that disagree in sign: within noise even though the pooled
	// counts, 380 images each, differ by 8 images.
	a = []Proportion{{76, 76}, {60, 76}, {76, 76}, {58, 76}, {76, 76}}
	b = []Proportion{{66, 76}, {74, 76}, {68, 76}, {74, 76}, {70, 76}}
	d, _ = Compare(a, b)
	if !d.WithinNoise() {
		t.Errorf("seeds disagree: %+v, want within noise", d)
	}
	// The per-seed spread widens the interval beyond Newcombe's.
	n, _ := Compare([]Proportion{Pool(a)}, []Proportion{Pool(b)})
	if !(d.Interval.Lo < n.Interval.Lo && d.Interval.Hi > n.Interval.Hi) {
		t.Errorf("seed spread did not widen %v (pooled alone %v)", d.Interval, n.Interval)
	}
	for _, bad := range [][2][]Proportion{
		{nil, nil},
		{{{1, 2}}, {{1, 2}, {1, 2}}},
		{{{1, 0}}, {{1, 2}}},
		{{{3, 2}}, {{1, 2}}},
	} {
		if _, err := Compare(bad[0], bad[1]); err == nil {
			t.Errorf("Compare(%v, %v): no error", bad[0], bad[1])
		}
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if s.N != 8 || s.Mean != 5 || !near(s.SD, math.Sqrt(32.0/7), 1e-12) || s.Min != 2 || s.Max != 9 {
		t.Errorf("%+v", s)
	}
	// t(0.975, 7) = 2.3646: the mean's interval.
	iv := s.MeanInterval()
	if half := 2.364624 * s.SD / math.Sqrt(8); !near(iv.Lo, 5-half, 1e-5) || !near(iv.Hi, 5+half, 1e-5) {
		t.Errorf("MeanInterval = %v, want 5 ± %.4f", iv, half)
	}
	one := Summarize([]float64{3})
	if one.SD != 0 || one.Mean != 3 || !math.IsInf(one.MeanInterval().Hi, 1) {
		t.Errorf("one value: %+v %v", one, one.MeanInterval())
	}
	if e := Summarize(nil); e.N != 0 || !math.IsNaN(e.Mean) {
		t.Errorf("empty: %+v", e)
	}
	if q := tQuantile(2); !near(q, 4.302653, 1e-5) {
		t.Errorf("t(0.975, 2) = %v, want 4.3027", q)
	}
}

func TestSummaryJSON(t *testing.T) {
	for _, s := range []Summary{Summarize([]float64{1, 2, 4}), Summarize(nil)} {
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Summary
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if back.N != s.N || !same(back.Mean, s.Mean) || !same(back.SD, s.SD) || !same(back.Min, s.Min) || !same(back.Max, s.Max) {
			t.Errorf("%s came back as %+v, want %+v", data, back, s)
		}
	}
	if data, _ := json.Marshal(Summarize(nil)); string(data) != `{"n":0,"mean":null,"sd":null,"min":null,"max":null}` {
		t.Errorf("empty summary: %s", data)
	}
	if data, _ := json.Marshal(Proportion{3, 4}); string(data) != `{"k":3,"n":4}` {
		t.Errorf("proportion: %s", data)
	}
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// Five seeds on the same 71 test images: Adadelta misses one image on
// every seed, another optimizer none. Pooled as if the seeds had drawn
// their own images that would look like 355 independent trials; on one
// shared test set it is one image of 71, within noise.
func TestCompareSameImages(t *testing.T) {
	a := []Proportion{{71, 71}, {71, 71}, {71, 71}, {71, 71}, {71, 71}}
	b := []Proportion{{70, 71}, {70, 71}, {69, 71}, {70, 71}, {69, 71}}
	pooled, _ := Compare(a, b)
	shared, err := CompareSameImages(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if pooled.WithinNoise() || !shared.WithinNoise() {
		t.Errorf("pooled %v (noise %v), same images %v (noise %v)", pooled.Interval, pooled.WithinNoise(), shared.Interval, shared.WithinNoise())
	}
	if !near(shared.Delta, pooled.Delta, 1e-12) || !(shared.Interval.Lo < pooled.Interval.Lo) {
		t.Errorf("same images: delta %v, interval %v; pooled %v, %v", shared.Delta, shared.Interval, pooled.Delta, pooled.Interval)
	}
	// One seed: the two are the same.
	x, _ := Compare(a[:1], b[:1])
	y, _ := CompareSameImages(a[:1], b[:1])
	if x.Interval != y.Interval {
		t.Errorf("one seed: %v vs %v", x.Interval, y.Interval)
	}
	if m, n := Mean(b); !near(m, 348.0/355, 1e-12) || n != 71 {
		t.Errorf("Mean = %v, %d", m, n)
	}
	if iv := Wilson(348.0/355, 71); !iv.Contains(348.0/355) || iv.Lo > 0.95 || iv.Hi < 0.99 {
		t.Errorf("Wilson(0.980, 71) = %v", iv)
	}
}

func TestDifferencePoints(t *testing.T) {
	d := Difference{Delta: -0.0526, Interval: Interval{Lo: -0.128, Hi: 0.005}}
	if got := d.Points(); got != "-5.3 points, 95% CI -12.8 to +0.5" {
		t.Errorf("Points = %q", got)
	}
}
