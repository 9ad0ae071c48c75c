package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/limits"
)

// convergenceConfigs are settings under which every optimizer should solve a
// small convex quadratic.
var convergenceConfigs = []Config{
	params("GradientDescent", "learning_rate", 0.1),
	params("Momentum", "learning_rate", 0.05, "momentum", 0.9),
	params("Momentum", "learning_rate", 0.05, "momentum", 0.9, "use_nesterov", true),
	params("Adam", "learning_rate", 0.05),
	params("Adagrad", "learning_rate", 0.5),
	params("AdagradDA", "learning_rate", 0.5),
	params("Adadelta", "learning_rate", 1.0, "rho", 0.9, "epsilon", 1e-6),
	params("RMSProp", "learning_rate", 0.01),
	params("RMSProp", "learning_rate", 0.01, "momentum", 0.5, "centered", true),
	params("Ftrl", "learning_rate", 0.5),
	params("ProximalAdagrad", "learning_rate", 0.5),
	params("ProximalGradientDescent", "learning_rate", 0.1),
}

// f(x) = ½ Σ a_i (x_i - c_i)², a in [1, 4]: every optimizer should get
// within 0.05 of the minimum in 3000 steps.
func TestConvergesOnConvexQuadratic(t *testing.T) {
	a := []float64{1, 2, 4}
	c := []float64{1, -2, 0.5}
	for _, cfg := range convergenceConfigs {
		t.Run(fmt.Sprint(cfg.Optimizer, cfg.Params), func(t *testing.T) {
			o := MustNew[float64](cfg)
			o.AddVar("x", []float64{3, 3, 3})
			g := make([]float64, 3)
			for step := 0; step < 3000; step++ {
				x := o.Var("x")
				for i := range g {
					g[i] = a[i] * (x[i] - c[i])
				}
				if err := o.Step(map[string]Grad[float64]{"x": Dense(g)}); err != nil {
					t.Fatal(err)
				}
			}
			for i, x := range o.Var("x") {
				if math.Abs(x-c[i]) > 0.05 {
					t.Errorf("x[%d] = %g, want ≈ %g", i, x, c[i])
				}
			}
		})
	}
}

// allConfigs has every optimizer with non-trivial settings.
var allConfigs = append(convergenceConfigs,
	params("Ftrl", "learning_rate", 0.5, "l1_regularization_strength", 0.01, "l2_regularization_strength", 0.1,
		"l2_shrinkage_regularization_strength", 0.05, "learning_rate_power", -0.3, "beta", 0.2),
	params("Ftrl", "learning_rate", 0.5, "l1_regularization_strength", 0.01),
	params("AdagradDA", "learning_rate", 0.5, "l1_regularization_strength", 0.01, "l2_regularization_strength", 0.1),
	params("ProximalAdagrad", "learning_rate", 0.5, "l1_regularization_strength", 0.01, "l2_regularization_strength", 0.1),
	params("ProximalGradientDescent", "learning_rate", 0.1, "l1_regularization_strength", 0.01, "l2_regularization_strength", 0.1),
)

// A sparse gradient listing every row once (in shuffled order, some rows
// split into two pieces that must be summed) equals the dense update.
func TestSparseEqualsDenseWhenEveryRowPresent(t *testing.T) {
	const rows, cols = 5, 3
	rng := rand.New(rand.NewPCG(1, 2))
	for _, cfg := range allConfigs {
		t.Run(fmt.Sprint(cfg.Optimizer, cfg.Params), func(t *testing.T) {
			d, s := MustNew[float64](cfg), MustNew[float64](cfg)
			init := make([]float64, rows*cols)
			for i := range init {
				init[i] = rng.NormFloat64()
			}
			d.AddVar("w", init, rows, cols)
			s.AddVar("w", init, rows, cols)
			for step := 0; step < 5; step++ {
				g := make([]float64, rows*cols)
				for i := range g {
					g[i] = rng.NormFloat64()
				}
				var idx []int
				var vals []float64
				for _, r := range rng.Perm(rows) {
					row := g[r*cols : (r+1)*cols]
					if r%2 == 0 { // split into halves that dedup must re-add
						idx = append(idx, r, r)
						for _, x := range row {
							vals = append(vals, x/2)
						}
						for _, x := range row {
							vals = append(vals, x-x/2)
						}
						continue
					}
					idx = append(idx, r)
					vals = append(vals, row...)
				}
				d.Step(map[string]Grad[float64]{"w": Dense(g)})
				s.Step(map[string]Grad[float64]{"w": Sparse(idx, vals)})
			}
			assertClose(t, "w", s.Var("w"), d.Var("w"), 1e-12)
			for _, sn := range d.SlotNames() {
				assertClose(t, sn, s.Slot("w", sn), d.Slot("w", sn), 1e-12)
			}
		})
	}
}

// Sparse updates leave untouched rows alone, except Adam (whose Python
// composite decays every row).
func TestSparseLeavesOtherRowsAlone(t *testing.T) {
	for _, cfg := range allConfigs {
		o := MustNew[float64](cfg)
		o.AddVar("w", []float64{1, 2, 3, 4}, 2, 2)
		// A dense step first gives Adam non-zero moments on every row.
		o.Step(map[string]Grad[float64]{"w": Dense([]float64{0.1, 0.2, 0.3, 0.4})})
		before := append([]float64(nil), o.Var("w")...)
		for i := 0; i < 3; i++ {
			o.Step(map[string]Grad[float64]{"w": Sparse([]int{0}, []float64{0.5, -0.5})})
		}
		w := o.Var("w")
		moved := w[2] != before[2] || w[3] != before[3]
		if want := cfg.Optimizer == "Adam"; moved != want {
			t.Errorf("%s: untouched row moved=%v (%v), want %v", cfg.Optimizer, moved, w, want)
		}
	}
}

// float32 runs stay within float32 rounding of float64 runs.
func TestFloat32CloseToFloat64(t *testing.T) {
	for _, cfg := range allConfigs {
		t.Run(fmt.Sprint(cfg.Optimizer, cfg.Params), func(t *testing.T) {
			o32, o64 := MustNew[float32](cfg), MustNew[float64](cfg)
			o32.AddVar("x", []float32{1, -2})
			o64.AddVar("x", []float64{1, -2})
			for step := 0; step < 50; step++ {
				x := o64.Var("x")
				// The same float32-representable gradient for both.
				g := []float64{float64(float32(2 * x[0])), float64(float32(0.5 * x[1]))}
				o64.Step(map[string]Grad[float64]{"x": Dense(g)})
				o32.Step(map[string]Grad[float32]{"x": Dense(conv[float32](g))})
			}
			assertClose(t, "x", o32.Var("x"), o64.Var("x"), 1e-4)
		})
	}
}

// Hyper-parameters go through float32 even for float64 variables, as TF
// casts its float32 hyper-parameter tensors.
func TestHyperParametersRoundedThroughFloat32(t *testing.T) {
	o := MustNew[float64](params("GradientDescent", "learning_rate", 0.001))
	o.AddVar("x", []float64{0})
	o.Step(map[string]Grad[float64]{"x": Dense([]float64{1})})
	if got, want := -o.Var("x")[0], 0.0010000000474974513; got != want {
		t.Errorf("step = %.19g, want float64(float32(0.001)) = %.19g", got, want)
	}
}

// WithLearningRate replaces both ways of giving the rate and leaves the
// original alone.
func TestConfigWithLearningRate(t *testing.T) {
	orig := Config{Optimizer: "Momentum", LearningRate: 0.5, Params: map[string]any{"learning_rate": 7, "momentum": 0.9}}
	c := orig.WithLearningRate(0.25)
	if c.Optimizer != "Momentum" || c.LearningRate != 0.25 || len(c.Params) != 1 || c.Params["momentum"] != 0.9 {
		t.Errorf("WithLearningRate(0.25) = %+v", c)
	}
	if _, h, err := c.Resolve(); err != nil || h["learning_rate"] != 0.25 || h["momentum"] != 0.9 {
		t.Errorf("%+v resolves to %v, %v", c, h, err)
	}
	c.Params["momentum"] = 0.5
	if orig.LearningRate != 0.5 || orig.Params["learning_rate"] != 7 || orig.Params["momentum"] != 0.9 {
		t.Errorf("WithLearningRate changed the original: %+v", orig)
	}
	if c := (Config{Optimizer: "Adam"}).WithLearningRate(0.1); c.String() != "Adam(learning_rate=0.1)" || c.Params == nil {
		t.Errorf("Adam.WithLearningRate(0.1) = %v (%#v)", c, c.Params)
	}
}

// Config.LearningRate is learning_rate, and wins over Params.
func TestConfigLearningRate(t *testing.T) {
	for _, cfg := range []Config{
		{Optimizer: "GradientDescent", LearningRate: 0.25},
		{Optimizer: "GradientDescent", LearningRate: 0.25, Params: map[string]any{"learning_rate": 7}},
	} {
		_, h, err := cfg.Resolve()
		if err != nil || h["learning_rate"] != 0.25 {
			t.Errorf("%+v: learning_rate %v, %v", cfg, h["learning_rate"], err)
		}
	}
	if _, h, _ := (Config{Optimizer: "Adam"}).Resolve(); h["learning_rate"] != 0.001 {
		t.Errorf("Adam without LearningRate: learning_rate %v, want TF's default 0.001", h["learning_rate"])
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want []string
	}{
		{Config{Optimizer: "Adamax"}, []string{`unknown optimizer "Adamax"`, "GradientDescent", "ProximalGradientDescent"}},
		{params("Adam", "lr", 0.1), []string{`Adam has no parameter "lr"`, "learning_rate", "beta1", "epsilon"}},
		{Config{Optimizer: "GradientDescent"}, []string{"needs parameter learning_rate"}},
		{params("Adagrad", "learning_rate", 1, "initial_accumulator_value", 0), []string{"initial_accumulator_value must be positive"}},
		{params("Ftrl", "learning_rate", 1, "learning_rate_power", 0.5), []string{"learning_rate_power"}},
		{params("Momentum", "learning_rate", 1, "momentum", "fast"), []string{"momentum", `want a number, got "fast"`}},
		{params("Momentum", "learning_rate", 1, "momentum", 0.9, "use_nesterov", 3), []string{"use_nesterov", "true or false"}},
		{Config{Optimizer: "Adam", LearningRate: -0.1}, []string{"LearningRate must be a positive number", "-0.1"}},
		{Config{Optimizer: "Adam", LearningRate: math.Inf(1)}, []string{"LearningRate must be a positive number"}},
	} {
		_, err := New[float64](c.cfg)
		if err == nil {
			t.Errorf("%v: no error", c.cfg)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", c.cfg, err, w)
			}
		}
	}
	// Accepted spellings and ignored TF arguments.
	for _, name := range []string{"AdamOptimizer", "adam", "ADAM"} {
		if _, err := New[float32](params(name, "use_locking", true, "name", "x")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestStepErrorsLeaveStateUntouched(t *testing.T) {
	o := MustNew[float64](params("Adagrad", "learning_rate", 1))
	o.AddVar("a", []float64{1, 2})
	o.AddVar("b", []float64{1, 2, 3, 4}, 2, 2)
	for _, g := range []map[string]Grad[float64]{
		{"a": Dense([]float64{1, 1}), "b": Dense([]float64{1})},
		{"a": Dense([]float64{1, 1}), "b": Sparse([]int{2}, []float64{1, 1})},
		{"a": Dense([]float64{1, 1}), "b": Sparse([]int{0}, []float64{1})},
		{"a": Dense([]float64{1, 1}), "c": Dense([]float64{1})},
	} {
		if err := o.Step(g); err == nil {
			t.Errorf("%v: no error", g)
		}
	}
	if o.Steps() != 0 || o.Var("a")[0] != 1 || o.Slot("a", "accumulator")[0] != float64(float32(0.1)) {
		t.Errorf("failed steps changed the state: steps %d, a %v", o.Steps(), o.Var("a"))
	}
	if err := o.AddVar("a", []float64{1}); err == nil {
		t.Error("duplicate variable accepted")
	}
	if err := o.AddVar("c", []float64{1, 2, 3}, 2, 2); err == nil {
		t.Error("shape/value mismatch accepted")
	}
}

func TestRecorder(t *testing.T) {
	o := MustNew[float64](Config{Optimizer: "Adam", Params: map[string]any{"learning_rate": 0.1}})
	o.AddVar("x", []float64{1, -1})
	var rec Recorder[float64]
	loss := func(x []float64) float64 { return x[0]*x[0] + x[1]*x[1] }
	rec.Record(o, loss(o.Var("x")), nil)
	for i := 0; i < 3; i++ {
		x := o.Var("x")
		g := map[string]Grad[float64]{"x": Dense([]float64{2 * x[0], 2 * x[1]})}
		o.Step(g)
		rec.Record(o, loss(o.Var("x")), g)
	}
	if len(rec.Records) != 4 || rec.Records[3].Step != 3 {
		t.Fatalf("records %d", len(rec.Records))
	}
	cols := rec.Columns()
	want := "step loss x[0] x[0].grad x[0].m x[0].v x[1] x[1].grad x[1].m x[1].v"
	if strings.Join(cols, " ") != want {
		t.Fatalf("columns %v, want %s", cols, want)
	}
	rows := rec.Rows()
	if !math.IsNaN(rows[0][3]) || rows[1][3] != 2 || rows[1][4] != o.Hyper()["beta1"]*0+rec.Records[1].Slots["x"]["m"][0] {
		t.Errorf("row data wrong: %v / %v", rows[0], rows[1])
	}
	// Snapshots are copies.
	if rec.Records[1].Vars["x"][0] == o.Var("x")[0] {
		t.Error("record aliases the live variable")
	}
	if l := rec.Losses(); !(l[3] < l[0]) {
		t.Errorf("loss did not fall: %v", l)
	}
	if s := rec.Series("x", "m", 0); len(s) != 4 || s[0] != 0 || s[1] == 0 {
		t.Errorf("series %v", s)
	}
}

func TestSetHyper(t *testing.T) {
	// Changing Momentum's learning rate rescales the accumulated velocity:
	// the next step is new_lr·(μ·a + g).
	o := MustNew[float64](params("Momentum", "learning_rate", 1.0, "momentum", 0.5))
	o.AddVar("x", []float64{0})
	o.Step(map[string]Grad[float64]{"x": Dense([]float64{1})}) // a = 1, x = -1
	if err := o.SetHyper("learning_rate", 0.5); err != nil {
		t.Fatal(err)
	}
	o.Step(map[string]Grad[float64]{"x": Dense([]float64{1})}) // a = 1.5, x = -1 - 0.75
	if x := o.Var("x")[0]; x != -1.75 || o.Steps() != 2 || o.Slot("x", "momentum")[0] != 1.5 {
		t.Errorf("x %v, steps %d, a %v", x, o.Steps(), o.Slot("x", "momentum"))
	}
	// Adam keeps its β powers across a change.
	a := MustNew[float32](params("Adam", "learning_rate", 0.1))
	a.AddVar("x", []float32{1})
	a.Step(map[string]Grad[float32]{"x": Dense([]float32{1})})
	before := a.NonSlot()["beta1_power"]
	if err := a.SetHyper("learning_rate", 0.01); err != nil {
		t.Fatal(err)
	}
	if a.NonSlot()["beta1_power"] != before || a.Hyper()["learning_rate"] != 0.01 {
		t.Errorf("beta1_power %v → %v", before, a.NonSlot()["beta1_power"])
	}
	r := MustNew[float32](params("RMSProp", "learning_rate", 0.1))
	if err := r.SetHyper("centered", true); err == nil {
		t.Error("changing centered accepted")
	}
	if err := r.SetHyper("rho", 0.5); err == nil || !strings.Contains(err.Error(), "decay") {
		t.Errorf("unknown parameter: %v", err)
	}
	if err := r.SetHyper("momentum", 0.9); err != nil {
		t.Error(err)
	}
}

func TestSyncReplicasFromParams(t *testing.T) {
	o := MustNew[float64](params("GradientDescent", "learning_rate", 1.0))
	o.AddVar("v", []float64{0})
	s, err := NewSyncReplicasFromParams(o, map[string]any{"replicas_to_aggregate": 2, "total_num_replicas": 3, "name": "sync"})
	if err != nil {
		t.Fatal(err)
	}
	if s.replicasToAggregate != 2 || s.totalNumReplicas != 3 {
		t.Errorf("%d %d", s.replicasToAggregate, s.totalNumReplicas)
	}
	for _, c := range []struct {
		p    map[string]any
		want string
	}{
		{map[string]any{}, "needs parameter replicas_to_aggregate"},
		{map[string]any{"replicas_to_aggregate": 1.5}, "want an integer"},
		{map[string]any{"replicas_to_aggregate": 0}, "at least 1"},
		{map[string]any{"replicas_to_aggregate": 2, "replicas": 2}, "valid: replicas_to_aggregate, total_num_replicas"},
	} {
		if _, err := NewSyncReplicasFromParams(o, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.p, err, c.want)
		}
	}
	// Dense gradients are averaged, sparse ones row by row over the pushes that touched the row.
	w := MustNew[float64](params("GradientDescent", "learning_rate", 1.0))
	w.AddVar("e", []float64{0, 0, 0}, 3, 1)
	sw, _ := NewSyncReplicas(w, 2, 0)
	sw.Push(0, map[string]Grad[float64]{"e": Sparse([]int{0, 1}, []float64{1, 2})})
	sw.Push(0, map[string]Grad[float64]{"e": Sparse([]int{1}, []float64{4})})
	assertClose(t, "e", w.Var("e"), []float64{-1, -3, 0}, 1e-15)
	if _, err := sw.Push(1, map[string]Grad[float64]{"e": Dense([]float64{1, 1})}); err == nil {
		t.Error("wrong-size gradient accepted")
	}
}

// A Recorder's memory is bounded however long the run: it keeps at most
// MaxRecords+2 snapshots, evenly spaced, always the first and the latest.
// (gotl optimize --steps 10000000 used to grow to 24 GB, 2.8 KB per step.)
func TestRecorderKeepsABoundedHistory(t *testing.T) {
	for _, tc := range []struct{ max, steps int }{{10, 10}, {10, 11}, {10, 12}, {10, 1000}, {7, 1001}, {100, 100000}} {
		o := MustNew[float64](Config{Optimizer: "GradientDescent", Params: map[string]any{"learning_rate": 0.1}})
		o.AddVar("x", []float64{1})
		rec := Recorder[float64]{MaxRecords: tc.max}
		rec.Record(o, 0, nil)
		g := map[string]Grad[float64]{"x": Dense([]float64{1})}
		for i := 1; i <= tc.steps; i++ {
			o.Step(g)
			rec.Record(o, float64(i), g)
		}
		n := len(rec.Records)
		if n > tc.max+2 || (tc.steps <= tc.max && n != tc.steps+1) || n < tc.max/2 {
			t.Errorf("max %d, %d steps: %d records", tc.max, tc.steps, n)
		}
		if rec.Records[0].Step != 0 || rec.Records[n-1].Step != int64(tc.steps) || rec.Records[n-1].Loss != float64(tc.steps) {
			t.Errorf("max %d, %d steps: first step %d, last step %d", tc.max, tc.steps, rec.Records[0].Step, rec.Records[n-1].Step)
		}
		// Evenly spaced: every gap but the last (to the latest state) is the same.
		stride := rec.Records[1].Step - rec.Records[0].Step
		for i := 1; i < n-1; i++ {
			if d := rec.Records[i].Step - rec.Records[i-1].Step; d != stride {
				t.Fatalf("max %d, %d steps: gap %d at record %d, want %d", tc.max, tc.steps, d, i, stride)
			}
		}
		if last := rec.Records[n-1].Step - rec.Records[n-2].Step; last < 1 || last > stride {
			t.Errorf("max %d, %d steps: last gap %d, stride %d", tc.max, tc.steps, last, stride)
		}
	}
	// The default bound is the policy's.
	defer limits.HistoryPoints.Set(limits.HistoryPoints.Set(50))
	o := MustNew[float64](Config{Optimizer: "GradientDescent", Params: map[string]any{"learning_rate": 0.1}})
	o.AddVar("x", []float64{1})
	var rec Recorder[float64]
	for i := 0; i < 1000; i++ {
		rec.Record(o, 0, nil)
	}
	if n := len(rec.Records); n > 52 || n < 25 {
		t.Errorf("default bound 50: %d records", n)
	}
}
