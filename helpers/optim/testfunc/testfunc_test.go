package testfunc

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/optim"
)

func all() []Function {
	return []Function{Rosenbrock(), Beale(), Booth(), Himmelblau(), Quadratic(100), Rastrigin()}
}

// Analytic gradients agree with central differences at several points.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	pts := [][]float64{{-1.2, 1}, {0.3, -0.7}, {1.5, 2.5}, {-2, 0.1}}
	for _, fn := range all() {
		for _, p := range pts {
			g := make([]float64, 2)
			fn.Grad(g, p)
			for i := 0; i < 2; i++ {
				const h = 1e-6
				a, b := append([]float64(nil), p...), append([]float64(nil), p...)
				a[i] += h
				b[i] -= h
				fd := (fn.F(a) - fn.F(b)) / (2 * h)
				if math.Abs(fd-g[i]) > 1e-4*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s at %v: ∂%d = %g, finite difference %g", fn.Name, p, i, g[i], fd)
				}
			}
		}
	}
}

func TestAt(t *testing.T) {
	fn := Rosenbrock()
	if fn.At(-1.2, 1) != fn.F([]float64{-1.2, 1}) || fn.At(1, 1) != 0 {
		t.Errorf("At(-1.2, 1) = %v, At(1, 1) = %v", fn.At(-1.2, 1), fn.At(1, 1))
	}
}

func TestMinimaAreMinima(t *testing.T) {
	for _, fn := range all() {
		for _, m := range fn.Minima {
			if f := fn.F(m); math.Abs(f-fn.Min) > 1e-9 {
				t.Errorf("%s(%v) = %g, want %g", fn.Name, m, f, fn.Min)
			}
			g := make([]float64, 2)
			fn.Grad(g, m)
			if math.Hypot(g[0], g[1]) > 1e-4 {
				t.Errorf("%s: gradient at minimum %v is %v", fn.Name, m, g)
			}
		}
	}
}

func TestQuadraticCondition(t *testing.T) {
	// Hessian columns from the gradient of a quadratic (exact), eigenvalues 1 and κ.
	q := Quadratic(50)
	g0, g1 := make([]float64, 2), make([]float64, 2)
	q.Grad(g0, []float64{1, 0})
	q.Grad(g1, []float64{0, 1})
	tr, det := g0[0]+g1[1], g0[0]*g1[1]-g0[1]*g1[0]
	disc := math.Sqrt(tr*tr/4 - det)
	if lmax, lmin := tr/2+disc, tr/2-disc; math.Abs(lmax/lmin-50) > 1e-9 {
		t.Errorf("condition number %g, want 50", lmax/lmin)
	}
}

func TestByName(t *testing.T) {
	for _, n := range append(Names(), "quadratic:1000", "Rosenbrock") {
		if _, err := ByName(n); err != nil {
			t.Error(err)
		}
	}
	_, err := ByName("sphere")
	if err == nil || !strings.Contains(err.Error(), "rosenbrock") {
		t.Errorf("unknown function error %v does not list the valid names", err)
	}
	if _, err := ByName("quadratic:0.5"); err == nil {
		t.Error("condition number < 1 accepted")
	}
}

func TestRunRecordsEveryStep(t *testing.T) {
	tr, err := Run(Rosenbrock(), optim.Config{Optimizer: "Adam", Params: map[string]any{"learning_rate": 0.01}}, nil, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.X) != 21 || len(tr.Loss) != 21 || len(tr.Recorder.Records) != 21 {
		t.Fatalf("lengths %d %d %d, want 21", len(tr.X), len(tr.Loss), len(tr.Recorder.Records))
	}
	if tr.X[0][0] != -1.2 || math.Abs(tr.Loss[0]-24.2) > 1e-12 {
		t.Errorf("start %v loss %v, want (-1.2, 1) and 24.2", tr.X[0], tr.Loss[0])
	}
	if !(tr.Final() < tr.Loss[0]) {
		t.Errorf("loss did not fall: %v → %v", tr.Loss[0], tr.Final())
	}
	if m := tr.Recorder.Records[20].Slots["x"]["m"]; m[0] == 0 {
		t.Error("Adam's m slot not recorded")
	}
}

// Long runs keep what a plot shows: a bounded, evenly spaced trajectory
// that ends at the last step; beyond limits.Steps a run is refused.
func TestLongRunsAreBounded(t *testing.T) {
	defer limits.HistoryPoints.Set(limits.HistoryPoints.Set(100))
	cfg := optim.Config{Optimizer: "GradientDescent", Params: map[string]any{"learning_rate": 0.001}}
	tr, err := Run(Quadratic(10), cfg, nil, 5000)
	if err != nil {
		t.Fatal(err)
	}
	n := len(tr.X)
	if n > 102 || len(tr.Loss) != n || len(tr.Steps) != n || len(tr.Recorder.Records) != n {
		t.Fatalf("5000 steps under a 100-point history: %d points (%d losses, %d steps)", n, len(tr.Loss), len(tr.Steps))
	}
	if tr.Steps[0] != 0 || tr.Steps[n-1] != 5000 {
		t.Errorf("steps kept run from %d to %d, want 0 to 5000", tr.Steps[0], tr.Steps[n-1])
	}
	// The kept points are the run's own: replaying to a kept step lands there.
	short, _ := Run(Quadratic(10), cfg, nil, tr.Steps[n/2])
	if got, want := short.X[len(short.X)-1], tr.X[n/2]; got[0] != want[0] || got[1] != want[1] {
		t.Errorf("point kept for step %d is %v, a run of that many steps ends at %v", tr.Steps[n/2], want, got)
	}
	defer limits.Steps.Set(limits.Steps.Set(1000))
	_, err = Run(Quadratic(10), cfg, nil, 1001)
	if !errors.Is(err, limits.ErrExceeded) || !strings.Contains(err.Error(), "testfunc: a run on quadratic:10 needs 1001 steps, more than the limit of 1000 (optimizer steps; raise it with GOTL_MAX_STEPS)") {
		t.Errorf("1001 steps under a limit of 1000: %v", err)
	}
}

func TestRunDetectsDivergence(t *testing.T) {
	tr, err := Run(Rosenbrock(), optim.Config{Optimizer: "GradientDescent", Params: map[string]any{"learning_rate": 0.1}}, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Diverged || tr.DivergedAt == 0 || len(tr.X) != tr.DivergedAt+1 {
		t.Errorf("GD with lr 0.1 on Rosenbrock: diverged=%v at %d (%d points)", tr.Diverged, tr.DivergedAt, len(tr.X))
	}
}

// The sweep keeps stable runs only: on Booth with GD the largest rate
// diverges and is flagged, and the best is the largest stable one.
func TestSweepFlagsDivergence(t *testing.T) {
	lrs := []float64{0.001, 0.01, 0.1, 1}
	r, err := Sweep(Booth(), optim.Config{Optimizer: "GradientDescent"}, nil, 100, lrs)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tried) != 4 || !r.Tried[3].Diverged || r.Tried[3].Stable() || r.Tried[0].Diverged || !math.IsInf(r.Tried[3].SettledLoss, 1) {
		t.Fatalf("tried %+v", r.Tried)
	}
	if r.AtEdge || r.LearningRate != 0.1 || r.Best.Final() != r.Tried[2].FinalLoss {
		t.Errorf("best lr %g (at edge %v), want 0.1 inside the grid", r.LearningRate, r.AtEdge)
	}
}

// The reason for the stability rule: on Rosenbrock, gradient descent at
// 0.00464 ends with a lower loss than at any smaller rate, but it gets
// there by bouncing across the valley (its loss climbs above the start and
// keeps jumping up and down to the end). Judged by its final loss it would
// win; Sweep must pick a rate whose run descends without spikes.
func TestSweepPicksStableRatesNotTheEdgeOfStability(t *testing.T) {
	fn := Rosenbrock()
	r, err := Sweep(fn, optim.Config{Optimizer: "GradientDescent"}, nil, 500, nil)
	if err != nil {
		t.Fatal(err)
	}
	var edge SweepPoint
	lowestFinal := math.Inf(1)
	for _, p := range r.Tried {
		if !p.Diverged && p.FinalLoss < lowestFinal {
			lowestFinal, edge = p.FinalLoss, p
		}
	}
	if edge.LearningRate != 0.004642 || !edge.Spiked || edge.PeakLoss <= fn.F(fn.Start) {
		t.Fatalf("the lowest final loss is at lr %g (peak %g, spiked %v); the test expects the bouncing run at 0.004642",
			edge.LearningRate, edge.PeakLoss, edge.Spiked)
	}
	if !(r.LearningRate < edge.LearningRate) {
		t.Fatalf("Sweep chose %g, the edge of stability", r.LearningRate)
	}
	// The chosen run never rises above its start and descends steadily
	// over its second half.
	if peak := maxOf(r.Best.Loss[1:]); peak > r.Best.Loss[0] {
		t.Errorf("chosen run (lr %g) peaks at %g above its start %g", r.LearningRate, peak, r.Best.Loss[0])
	}
	if rises, of := r.Best.Rises(250); rises != 0 || of != 250 {
		t.Errorf("chosen run rises at %d of the last %d steps", rises, of)
	}
	// And it is the stable run whose settled loss is lowest.
	for _, p := range r.Tried {
		if p.Stable() && p.SettledLoss < r.Tried[indexOf(r.Tried, r.LearningRate)].SettledLoss {
			t.Errorf("lr %g is stable with settled loss %g, below the chosen one's", p.LearningRate, p.SettledLoss)
		}
	}
}

func maxOf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	return m
}

func indexOf(ps []SweepPoint, lr float64) int {
	for i, p := range ps {
		if p.LearningRate == lr {
			return i
		}
	}
	return -1
}

// The scores of one run: the settled loss is the worst of the second
// half, the peak the worst after the start.
func TestSweepPointScores(t *testing.T) {
	tr := Trajectory{Loss: []float64{10, 12, 4, 3, 5, 2, 1}, Steps: []int{0, 1, 2, 3, 4, 5, 6}, X: make([][]float64, 7)}
	p := tr.sweepPoint(0.1, 6)
	if p.SettledLoss != 5 || p.PeakLoss != 12 || !p.Spiked || p.Stable() || p.FinalLoss != 1 {
		t.Errorf("%+v: want settled 5 (steps 3..6), peak 12, spiked", p)
	}
	tr.Loss[1] = 9
	if p = tr.sweepPoint(0.1, 6); p.Spiked || !p.Stable() || p.PeakLoss != 9 {
		t.Errorf("%+v: want stable, peak 9", p)
	}
}

// Equal scores go to the smaller rate; no stable rate gives NaN.
func TestSweepTiesAndNoStableRate(t *testing.T) {
	flat := Function{Name: "flat", F: func([]float64) float64 { return 0 }, Grad: func(g, _ []float64) { g[0], g[1] = 0, 0 },
		Start: []float64{1, 1}, Minima: [][]float64{{0, 0}}, Bounds: [4]float64{-1, 1, -1, 1}}
	r, err := Sweep(flat, optim.Config{Optimizer: "GradientDescent"}, nil, 10, []float64{0.3, 0.1, 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if r.LearningRate != 0.1 {
		t.Errorf("tie went to %g, want the smallest rate 0.1", r.LearningRate)
	}
	r, err = Sweep(Rosenbrock(), optim.Config{Optimizer: "GradientDescent"}, nil, 100, []float64{0.1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(r.LearningRate) || r.AtEdge {
		t.Errorf("every rate diverged, yet best lr %g (at edge %v)", r.LearningRate, r.AtEdge)
	}
}

// With equal budgets and swept rates, momentum methods beat plain gradient
// descent on the ill-conditioned quadratic (κ = 100), as theory says
// (rate ~ 1-1/√κ instead of 1-1/κ).
func TestCompareMomentumBeatsGDOnIllConditioned(t *testing.T) {
	cfgs := []optim.Config{{Optimizer: "GradientDescent"}, {Optimizer: "Momentum", Params: map[string]any{"momentum": 0.9}}}
	res, err := Compare(Quadratic(100), cfgs, nil, 100, DefaultLearningRates())
	if err != nil {
		t.Fatal(err)
	}
	if !(res[1].Best.Final() < res[0].Best.Final()/100) {
		t.Errorf("momentum %g vs GD %g after 100 steps", res[1].Best.Final(), res[0].Best.Final())
	}
}

func TestDefaultOptimizersAllRun(t *testing.T) {
	res, err := Compare(Beale(), DefaultOptimizers(), nil, 50, []float64{0.01, 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(DefaultOptimizers()) {
		t.Fatalf("%d results", len(res))
	}
	for _, r := range res {
		if math.IsNaN(r.LearningRate) {
			t.Errorf("%s diverged at every rate", r.Optimizer)
		}
	}
}
