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

// The sweep picks the lowest non-diverged final loss; on Booth with GD the
// largest stable rates win and the unstable ones are flagged.
func TestSweepPicksLowestFinalLossAmongStable(t *testing.T) {
	lrs := []float64{0.001, 0.01, 0.1, 1}
	r, err := Sweep(Booth(), optim.Config{Optimizer: "GradientDescent"}, nil, 100, lrs)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tried) != 4 || !r.Tried[3].Diverged || r.Tried[0].Diverged {
		t.Fatalf("tried %+v", r.Tried)
	}
	best := math.Inf(1)
	for _, p := range r.Tried {
		if !p.Diverged && p.FinalLoss < best {
			best = p.FinalLoss
		}
	}
	if r.AtEdge {
		t.Error("0.1 is inside the grid, AtEdge is true")
	}
	if r.Best.Final() != best || r.LearningRate != 0.1 {
		t.Errorf("best lr %g loss %g, want 0.1 and %g", r.LearningRate, r.Best.Final(), best)
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
