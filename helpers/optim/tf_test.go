package optim

// Tests that reproduce the expectations hard-coded in TensorFlow's own
// optimizer unit tests (tensorflow/python/training/*_test.py and, for FTRL's
// beta, tensorflow/python/keras/optimizer_v2/ftrl_test.py). Inputs and
// expected numbers are facts taken from those files; where a TF test compares
// against a NumPy reference formula, the formula is re-stated here in plain
// float64 Go.

import (
	"fmt"
	"math"
	"testing"
)

type twoVars struct {
	var0, var1     []float64
	shape0, shape1 []int
	g0, g1         Grad[float64] // float64 gradients, converted per dtype
}

// tfTol is assertAllClose's default: |got-want| <= 1e-6 + 1e-6·|want|.
const tfTol = 1e-6

func closeTo(got, want, rtol, atol float64) bool {
	return math.Abs(got-want) <= atol+rtol*math.Abs(want)
}

func assertClose[T Float](t *testing.T, what string, got []T, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range want {
		if !closeTo(float64(got[i]), want[i], tol, tol) {
			t.Errorf("%s[%d] = %.9g, want %.9g (tol %g)", what, i, float64(got[i]), want[i], tol)
		}
	}
}

func convGrad[T Float](g Grad[float64]) Grad[T] {
	return Grad[T]{Dense: conv[T](g.Dense), Indices: g.Indices, Values: conv[T](g.Values)}
}

// run builds the optimizer, adds var0/var1 and applies the constant
// gradients steps times.
func run[T Float](t *testing.T, cfg Config, c twoVars, steps int) *Optimizer[T] {
	t.Helper()
	o, err := New[T](cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.AddVar("var0", conv[T](c.var0), c.shape0...); err != nil {
		t.Fatal(err)
	}
	if err := o.AddVar("var1", conv[T](c.var1), c.shape1...); err != nil {
		t.Fatal(err)
	}
	g := map[string]Grad[T]{"var0": convGrad[T](c.g0), "var1": convGrad[T](c.g1)}
	for i := 0; i < steps; i++ {
		if err := o.Step(g); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func params(opt string, kv ...any) Config {
	p := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		p[kv[i].(string)] = kv[i+1]
	}
	return Config{Optimizer: opt, Params: p}
}

// bothTypes runs f for float32 and float64.
func bothTypes(t *testing.T, f func(t *testing.T, dtype string)) {
	for _, dt := range []string{"float32", "float64"} {
		t.Run(dt, func(t *testing.T) { f(t, dt) })
	}
}

// check runs case c with cfg for steps and compares var0/var1 with TF's numbers.
func check(t *testing.T, cfg Config, c twoVars, steps int, want0, want1 []float64, tol float64) {
	bothTypes(t, func(t *testing.T, dt string) {
		if dt == "float32" {
			o := run[float32](t, cfg, c, steps)
			assertClose(t, "var0", o.Var("var0"), want0, tol)
			assertClose(t, "var1", o.Var("var1"), want1, tol)
		} else {
			o := run[float64](t, cfg, c, steps)
			assertClose(t, "var0", o.Var("var0"), want0, tol)
			assertClose(t, "var1", o.Var("var1"), want1, tol)
		}
	})
}

var (
	basic12_34  = twoVars{var0: []float64{1, 2}, var1: []float64{3, 4}, g0: Dense([]float64{0.1, 0.1}), g1: Dense([]float64{0.01, 0.01})}
	zeros       = twoVars{var0: []float64{0, 0}, var1: []float64{0, 0}, g0: Dense([]float64{0.1, 0.2}), g1: Dense([]float64{0.01, 0.02})}
	from12_43   = twoVars{var0: []float64{1, 2}, var1: []float64{4, 3}, g0: Dense([]float64{0.1, 0.2}), g1: Dense([]float64{0.01, 0.02})}
	from12_34b  = twoVars{var0: []float64{1, 2}, var1: []float64{3, 4}, g0: Dense([]float64{0.1, 0.2}), g1: Dense([]float64{0.01, 0.02})}
	sparseBasic = twoVars{var0: []float64{1, 2}, var1: []float64{3, 4}, shape0: []int{2, 1}, shape1: []int{2, 1},
		g0: Sparse([]int{0}, []float64{0.1}), g1: Sparse([]int{1}, []float64{0.01})}
)

// minimizeSparse is testMinimizeSparseResourceVariable: var0 = [[1, 2]],
// loss = (embedding_lookup(var0, [0]) · [4, 5])², one step.
func minimizeSparse(t *testing.T, cfg Config, want []float64, rtol, atol float64) {
	bothTypes(t, func(t *testing.T, dt string) {
		w := []float64{1, 2}
		pred := w[0]*4 + w[1]*5
		g := []float64{2 * pred * 4, 2 * pred * 5}
		c := func(got []float64) {
			for i := range want {
				if !closeTo(got[i], want[i], rtol, atol) {
					t.Errorf("var0[%d] = %g, want %g", i, got[i], want[i])
				}
			}
		}
		if dt == "float32" {
			o := MustNew[float32](cfg)
			o.AddVar("var0", conv[float32](w), 1, 2)
			if err := o.Step(map[string]Grad[float32]{"var0": Sparse([]int{0}, conv[float32](g))}); err != nil {
				t.Fatal(err)
			}
			c([]float64{float64(o.Var("var0")[0]), float64(o.Var("var0")[1])})
		} else {
			o := MustNew[float64](cfg)
			o.AddVar("var0", w, 1, 2)
			if err := o.Step(map[string]Grad[float64]{"var0": Sparse([]int{0}, g)}); err != nil {
				t.Fatal(err)
			}
			c(o.Var("var0"))
		}
	})
}

// gradient_descent_test.py
func TestTFGradientDescent(t *testing.T) {
	t.Run("Basic", func(t *testing.T) {
		check(t, params("GradientDescent", "learning_rate", 3.0), basic12_34, 1,
			[]float64{1 - 3*0.1, 2 - 3*0.1}, []float64{3 - 3*0.01, 4 - 3*0.01}, tfTol)
	})
	t.Run("SparseBasic", func(t *testing.T) {
		check(t, params("GradientDescent", "learning_rate", 3.0), sparseBasic, 1,
			[]float64{1 - 3*0.1, 2}, []float64{3, 4 - 3*0.01}, tfTol)
	})
	t.Run("MinimizeSparseResourceVariable", func(t *testing.T) {
		minimizeSparse(t, params("GradientDescent", "learning_rate", 1.0), []float64{-111, -138}, 1e-6, 1e-6)
	})
}

// momentum_test.py
func TestTFMomentum(t *testing.T) {
	cfg := params("Momentum", "learning_rate", 2.0, "momentum", 0.9)
	t.Run("Basic", func(t *testing.T) {
		bothTypes(t, func(t *testing.T, dt string) {
			o := MustNew[float64](cfg)
			if dt == "float32" {
				testMomentumBasic[float32](t, cfg)
				return
			}
			_ = o
			testMomentumBasic[float64](t, cfg)
		})
	})
	// testNesterovMomentum: cost = 5·var0² + 3·var1, reference
	// _update_nesterov_momentum_numpy, 4 steps.
	nest := func(v, a, g, lr, mu float64) (float64, float64) {
		v = v + a*lr*mu
		a = a*mu + g
		v = v - lr*a
		v = v - a*lr*mu
		return v, a
	}
	for _, sparse := range []bool{false, true} {
		t.Run(fmt.Sprintf("Nesterov/sparse=%v", sparse), func(t *testing.T) {
			bothTypes(t, func(t *testing.T, dt string) {
				ncfg := params("Momentum", "learning_rate", 2.0, "momentum", 0.9, "use_nesterov", true)
				v0, v1 := []float64{1, 2}, []float64{3, 4}
				a0, a1 := []float64{0, 0}, []float64{0, 0}
				o32, o64 := MustNew[float32](ncfg), MustNew[float64](ncfg)
				o32.AddVar("var0", conv[float32](v0))
				o32.AddVar("var1", conv[float32](v1))
				o64.AddVar("var0", v0)
				o64.AddVar("var1", v1)
				for step := 1; step <= 4; step++ {
					// Gradient of 5·var0² at the current (TF) value; the
					// reference uses its own var0 for it, as the test does.
					g0 := []float64{v0[0] * 10, v0[1] * 10}
					var got0, got1 []float64
					if dt == "float32" {
						gr := Dense(conv[float32](g0))
						if sparse {
							gr = Sparse([]int{0, 1}, conv[float32](g0))
						}
						if err := o32.Step(map[string]Grad[float32]{"var0": gr, "var1": Dense([]float32{3, 3})}); err != nil {
							t.Fatal(err)
						}
						got0, got1 = conv[float64](toF64(o32.Var("var0"))), toF64(o32.Var("var1"))
					} else {
						gr := Dense(g0)
						if sparse {
							gr = Sparse([]int{0, 1}, g0)
						}
						if err := o64.Step(map[string]Grad[float64]{"var0": gr, "var1": Dense([]float64{3, 3})}); err != nil {
							t.Fatal(err)
						}
						got0, got1 = o64.Var("var0"), o64.Var("var1")
					}
					for i := range v0 {
						v0[i], a0[i] = nest(v0[i], a0[i], g0[i], 2, 0.9)
						v1[i], a1[i] = nest(v1[i], a1[i], 3, 2, 0.9)
					}
					assertClose(t, fmt.Sprintf("step %d var0", step), got0, v0, tfTol)
					assertClose(t, fmt.Sprintf("step %d var1", step), got1, v1, tfTol)
				}
			})
		})
	}
	t.Run("MinimizeSparseResourceVariable", func(t *testing.T) {
		minimizeSparse(t, params("Momentum", "learning_rate", 1.0, "momentum", 0.0), []float64{-111, -138}, 1e-6, 1e-6)
	})
	t.Run("MinimizeWith2DIndicesForEmbeddingLookup", func(t *testing.T) {
		o := MustNew[float32](params("Momentum", "learning_rate", 1.0, "momentum", 0.0))
		o.AddVar("var0", []float32{1, 1, 1, 1}, 2, 2)
		if err := o.Step(map[string]Grad[float32]{"var0": Sparse([]int{1}, []float32{1, 1})}); err != nil {
			t.Fatal(err)
		}
		assertClose(t, "var0", o.Var("var0"), []float64{1, 1, 0, 0}, tfTol)
	})
}

func toAny[T Float](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// testMomentumBasic is doTestBasic: slot and variable values after steps 1 and 2.
func testMomentumBasic[T Float](t *testing.T, cfg Config) {
	o := run[T](t, cfg, basic12_34, 0)
	if got := o.SlotNames(); len(got) != 1 || got[0] != "momentum" {
		t.Fatalf("slot names %v, want [momentum]", got)
	}
	g := map[string]Grad[T]{"var0": Dense(conv[T]([]float64{0.1, 0.1})), "var1": Dense(conv[T]([]float64{0.01, 0.01}))}
	o.Step(g)
	assertClose(t, "slot0", o.Slot("var0", "momentum"), []float64{0.1, 0.1}, tfTol)
	assertClose(t, "slot1", o.Slot("var1", "momentum"), []float64{0.01, 0.01}, tfTol)
	assertClose(t, "var0", o.Var("var0"), []float64{1 - 0.1*2, 2 - 0.1*2}, tfTol)
	assertClose(t, "var1", o.Var("var1"), []float64{3 - 0.01*2, 4 - 0.01*2}, tfTol)
	o.Step(g)
	assertClose(t, "slot0", o.Slot("var0", "momentum"), []float64{0.9*0.1 + 0.1, 0.9*0.1 + 0.1}, tfTol)
	assertClose(t, "slot1", o.Slot("var1", "momentum"), []float64{0.9*0.01 + 0.01, 0.9*0.01 + 0.01}, tfTol)
	assertClose(t, "var0", o.Var("var0"), []float64{1 - 0.1*2 - (0.9*0.1+0.1)*2, 2 - 0.1*2 - (0.9*0.1+0.1)*2}, tfTol)
	assertClose(t, "var1", o.Var("var1"), []float64{2.98 - (0.9*0.01+0.01)*2, 3.98 - (0.9*0.01+0.01)*2}, tfTol)
}

// adam_test.py: compared with adam_update_numpy over 3 steps, dense and
// sparse (indices [0, 1]); beta1_power = 0.9^(t+1), beta2_power = 0.999^(t+1).
func TestTFAdam(t *testing.T) {
	ref := func(p, g float64, tt int, m, v float64) (float64, float64, float64) {
		alpha := 0.001 * math.Sqrt(1-math.Pow(0.999, float64(tt))) / (1 - math.Pow(0.9, float64(tt)))
		m = 0.9*m + (1-0.9)*g
		v = 0.999*v + (1-0.999)*g*g
		return p - alpha*m/(math.Sqrt(v)+1e-8), m, v
	}
	for _, sparse := range []bool{false, true} {
		t.Run(fmt.Sprintf("sparse=%v", sparse), func(t *testing.T) {
			bothTypes(t, func(t *testing.T, dt string) {
				c := basic12_34
				if sparse {
					c.g0 = Sparse([]int{0, 1}, []float64{0.1, 0.1})
					c.g1 = Sparse([]int{0, 1}, []float64{0.01, 0.01})
				}
				v0, v1 := []float64{1, 2}, []float64{3, 4}
				m0, m1, s0, s1 := make([]float64, 2), make([]float64, 2), make([]float64, 2), make([]float64, 2)
				var o32 *Optimizer[float32]
				var o64 *Optimizer[float64]
				if dt == "float32" {
					o32 = run[float32](t, Config{Optimizer: "Adam"}, c, 0)
				} else {
					o64 = run[float64](t, Config{Optimizer: "Adam"}, c, 0)
				}
				for step := 1; step <= 3; step++ {
					var got0, got1 []float64
					var ns map[string]float64
					if o32 != nil {
						o32.Step(map[string]Grad[float32]{"var0": convGrad[float32](c.g0), "var1": convGrad[float32](c.g1)})
						got0, got1, ns = toAny(o32.Var("var0")), toAny(o32.Var("var1")), o32.NonSlot()
					} else {
						o64.Step(map[string]Grad[float64]{"var0": c.g0, "var1": c.g1})
						got0, got1, ns = o64.Var("var0"), o64.Var("var1"), o64.NonSlot()
					}
					if !closeTo(ns["beta1_power"], math.Pow(0.9, float64(step+1)), tfTol, tfTol) ||
						!closeTo(ns["beta2_power"], math.Pow(0.999, float64(step+1)), tfTol, tfTol) {
						t.Errorf("step %d: beta powers %v, want 0.9^%d, 0.999^%d", step, ns, step+1, step+1)
					}
					for i := 0; i < 2; i++ {
						v0[i], m0[i], s0[i] = ref(v0[i], 0.1, step, m0[i], s0[i])
						v1[i], m1[i], s1[i] = ref(v1[i], 0.01, step, m1[i], s1[i])
					}
					assertClose(t, fmt.Sprintf("step %d var0", step), got0, v0, tfTol)
					assertClose(t, fmt.Sprintf("step %d var1", step), got1, v1, tfTol)
				}
			})
		})
	}
	// testSparseRepeatedIndices: two rows [1, 1] of 0.1 behave as one 0.2.
	t.Run("SparseRepeatedIndices", func(t *testing.T) { repeatedIndices(t, Config{Optimizer: "Adam"}) })
}

// repeatedIndices is the testSparseRepeatedIndices pattern shared by Adam
// and Adagrad.
func repeatedIndices(t *testing.T, cfg Config) {
	a, b := MustNew[float64](cfg), MustNew[float64](cfg)
	a.AddVar("v", []float64{1, 2}, 2, 1)
	b.AddVar("v", []float64{1, 2}, 2, 1)
	for i := 0; i < 3; i++ {
		a.Step(map[string]Grad[float64]{"v": Sparse([]int{1, 1}, []float64{0.1, 0.1})})
		b.Step(map[string]Grad[float64]{"v": Sparse([]int{1}, []float64{0.2})})
		assertClose(t, "repeated", a.Var("v"), b.Var("v"), tfTol)
	}
}

// adagrad_test.py
func TestTFAdagrad(t *testing.T) {
	cfg := params("Adagrad", "learning_rate", 3.0, "initial_accumulator_value", 0.1)
	t.Run("Basic", func(t *testing.T) {
		check(t, cfg, basic12_34, 3, []float64{-1.6026098728179932, -0.6026098728179932}, []float64{2.715679168701172, 3.715679168701172}, tfTol)
	})
	t.Run("SparseBasic", func(t *testing.T) {
		check(t, cfg, sparseBasic, 3, []float64{-1.6026098728179932, 2.0}, []float64{3.0, 3.715679168701172}, tfTol)
	})
	t.Run("SparseRepeatedIndices", func(t *testing.T) { repeatedIndices(t, params("Adagrad", "learning_rate", 3.0)) })
	t.Run("SparseStability", func(t *testing.T) {
		bothTypes(t, func(t *testing.T, dt string) {
			v := []float64{0.00872496, -0.106952, 0.110467, 0.226505, -0.0147257, -0.0105945}
			g := []float64{-5.91278e-05, 5.31673e-05, -2.5779e-06, 4.29153e-05, -8.4877e-05, -9.48906e-05}
			want := []float64{0.00891194, -0.10712013, 0.11047515, 0.22636929, -0.0144573, -0.01029443}
			c := params("Adagrad", "learning_rate", 1.0, "initial_accumulator_value", 0.1)
			if dt == "float32" {
				o := MustNew[float32](c)
				o.AddVar("var0", conv[float32](v), 1, 6)
				o.Step(map[string]Grad[float32]{"var0": Sparse([]int{0}, conv[float32](g))})
				assertClose(t, "accumulator", o.Slot("var0", "accumulator"), []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, tfTol)
				assertClose(t, "var0", o.Var("var0"), want, tfTol)
			} else {
				o := MustNew[float64](c)
				o.AddVar("var0", v, 1, 6)
				o.Step(map[string]Grad[float64]{"var0": Sparse([]int{0}, g)})
				assertClose(t, "accumulator", o.Slot("var0", "accumulator"), []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, tfTol)
				assertClose(t, "var0", o.Var("var0"), want, tfTol)
			}
		})
	})
}

// adagrad_da_test.py (one step, global_step starting at 0).
func TestTFAdagradDA(t *testing.T) {
	cfg := func(l1, l2 float64) Config {
		return params("AdagradDA", "learning_rate", 3.0, "initial_gradient_squared_accumulator_value", 0.1,
			"l1_regularization_strength", l1, "l2_regularization_strength", l2)
	}
	t.Run("WithoutRegularizationBasic1", func(t *testing.T) {
		check(t, cfg(0, 0), zeros, 1, []float64{-0.904534, -1.603567}, []float64{-0.094821, -0.189358}, tfTol)
	})
	t.Run("WithoutRegularizationBasic2", func(t *testing.T) {
		check(t, cfg(0, 0), from12_43, 1, []float64{-0.904534, -1.603567}, []float64{-0.094821, -0.189358}, tfTol)
	})
	t.Run("WithL1", func(t *testing.T) {
		check(t, cfg(0.001, 0), from12_43, 1, []float64{-0.895489, -1.59555}, []float64{-0.085339, -0.17989}, tfTol)
	})
	t.Run("WithL1_L2", func(t *testing.T) {
		check(t, cfg(0.001, 2.0), from12_43, 1, []float64{-0.046907, -0.093659}, []float64{-0.004275, -0.009023}, tfTol)
	})
	t.Run("MinimizeSparseResourceVariable", func(t *testing.T) {
		minimizeSparse(t, params("AdagradDA", "learning_rate", 1.0), []float64{-1, -1}, 0.01, 1e-6)
	})
}

// adadelta_test.py: NumPy reference over 4 steps for every (grad, lr).
func TestTFAdadelta(t *testing.T) {
	for _, grad := range []float64{0.2, 0.1, 0.01} {
		for _, lr := range []float64{1.0, 0.5, 0.1} {
			t.Run(fmt.Sprintf("grad=%v/lr=%v", grad, lr), func(t *testing.T) {
				bothTypes(t, func(t *testing.T, dt string) {
					cfg := params("Adadelta", "learning_rate", lr, "rho", 0.95, "epsilon", 1e-8)
					c := twoVars{var0: []float64{1, 2}, var1: []float64{3, 4}, g0: Dense([]float64{grad, grad}), g1: Dense([]float64{grad, grad})}
					var o32 *Optimizer[float32]
					var o64 *Optimizer[float64]
					if dt == "float32" {
						o32 = run[float32](t, cfg, c, 0)
					} else {
						o64 = run[float64](t, cfg, c, 0)
					}
					accum, accumUpdate, tot := 0.0, 0.0, 0.0
					for step := 0; step < 4; step++ {
						accum = accum*0.95 + grad*grad*(1-0.95)
						u := math.Sqrt(accumUpdate+1e-8) * (1 / math.Sqrt(accum+1e-8)) * grad
						accumUpdate = accumUpdate*0.95 + u*u*(1-0.95)
						tot += u * lr
						var got0, got1, acc, au []float64
						if o32 != nil {
							o32.Step(map[string]Grad[float32]{"var0": convGrad[float32](c.g0), "var1": convGrad[float32](c.g1)})
							got0, got1 = toAny(o32.Var("var0")), toAny(o32.Var("var1"))
							acc, au = toAny(o32.Slot("var1", "accum")), toAny(o32.Slot("var1", "accum_update"))
						} else {
							o64.Step(map[string]Grad[float64]{"var0": c.g0, "var1": c.g1})
							got0, got1 = o64.Var("var0"), o64.Var("var1")
							acc, au = o64.Slot("var1", "accum"), o64.Slot("var1", "accum_update")
						}
						// TF checks with rtol 1e-3; float32 slots reach ~1e-6 relative here.
						assertClose(t, "accum", acc, []float64{accum, accum}, 1e-5)
						assertClose(t, "accum_update", au, []float64{accumUpdate, accumUpdate}, 1e-4)
						assertClose(t, "var0", got0, []float64{1 - tot, 2 - tot}, tfTol)
						assertClose(t, "var1", got1, []float64{3 - tot, 4 - tot}, tfTol)
					}
				})
			})
		}
	}
	t.Run("MinimizeSparseResourceVariable", func(t *testing.T) {
		minimizeSparse(t, params("Adadelta", "learning_rate", 1.0, "rho", 1.0, "epsilon", 1.0), []float64{-111, -138}, 1e-6, 1e-6)
	})
}

// rmsprop_test.py: NumPy references (_rmsprop_update_numpy and the sparse
// variant) over 4 steps for each _TEST_PARAM_VALUES row, plus the
// hard-coded WithoutMomentum/WithMomentum expectations.
func TestTFRMSProp(t *testing.T) {
	type hp struct {
		lr, decay, mom, eps float64
		centered            bool
	}
	cases := []hp{{0.5, 0.9, 0.0, 1e-3, true}, {0.5, 0.9, 0.0, 1e-3, false}, {0.1, 0.9, 0.0, 1e-3, true},
		{0.5, 0.95, 0.0, 1e-3, false}, {0.5, 0.95, 0.0, 1e-5, true}, {0.5, 0.95, 0.9, 1e-5, true}}
	upd := func(h hp, v, g, mg, rms, mom float64) (float64, float64, float64, float64) {
		rms = rms*h.decay + (1-h.decay)*g*g
		den := rms + h.eps
		if h.centered {
			mg = mg*h.decay + (1-h.decay)*g
			den -= mg * mg
		}
		mom = h.mom*mom + h.lr*g/math.Sqrt(den)
		return v - mom, mg, rms, mom
	}
	for _, h := range cases {
		for _, sparse := range []bool{false, true} {
			t.Run(fmt.Sprintf("%+v/sparse=%v", h, sparse), func(t *testing.T) {
				cfg := params("RMSProp", "learning_rate", h.lr, "decay", h.decay, "momentum", h.mom, "epsilon", h.eps, "centered", h.centered)
				c := twoVars{var0: []float64{1, 2}, var1: []float64{3, 4}, g0: Dense([]float64{0.1, 0.2}), g1: Dense([]float64{0.01, 0.2})}
				touched0, touched1 := []bool{true, true}, []bool{true, true}
				if sparse {
					c.g0, c.g1 = Sparse([]int{0}, []float64{0.1}), Sparse([]int{1}, []float64{0.01})
					touched0, touched1 = []bool{true, false}, []bool{false, true}
				}
				gv0, gv1 := []float64{0.1, 0.2}, []float64{0.01, 0.2}
				if sparse {
					gv0, gv1 = []float64{0.1, 0}, []float64{0, 0.01}
				}
				o := run[float32](t, cfg, c, 0)
				v := [][]float64{{1, 2}, {3, 4}}
				mg := [][]float64{{0, 0}, {0, 0}}
				rms := [][]float64{{1, 1}, {1, 1}}
				mom := [][]float64{{0, 0}, {0, 0}}
				for step := 1; step <= 4; step++ {
					o.Step(map[string]Grad[float32]{"var0": convGrad[float32](c.g0), "var1": convGrad[float32](c.g1)})
					for k, gv := range [][]float64{gv0, gv1} {
						tch := [][]bool{touched0, touched1}[k]
						for i := 0; i < 2; i++ {
							if tch[i] {
								v[k][i], mg[k][i], rms[k][i], mom[k][i] = upd(h, v[k][i], gv[i], mg[k][i], rms[k][i], mom[k][i])
							}
						}
					}
					for k, name := range []string{"var0", "var1"} {
						assertClose(t, name, o.Var(name), v[k], tfTol)
						assertClose(t, name+".rms", o.Slot(name, "rms"), rms[k], tfTol)
						assertClose(t, name+".momentum", o.Slot(name, "momentum"), mom[k], tfTol)
						if h.centered {
							assertClose(t, name+".mg", o.Slot(name, "mg"), mg[k], tfTol)
						} else if o.Slot(name, "mg") != nil {
							t.Errorf("non-centered RMSProp has an mg slot")
						}
					}
				}
			})
		}
	}
	t.Run("WithoutMomentum", func(t *testing.T) {
		o := run[float32](t, params("RMSProp", "learning_rate", 2.0, "decay", 0.9, "momentum", 0.0, "epsilon", 1.0), basic12_34, 1)
		assertClose(t, "rms0", o.Slot("var0", "rms"), []float64{0.901, 0.901}, tfTol)
		assertClose(t, "rms1", o.Slot("var1", "rms"), []float64{0.90001, 0.90001}, tfTol)
		d0, d1 := 0.1*2.0/math.Sqrt(0.901+1.0), 0.01*2.0/math.Sqrt(0.90001+1.0)
		assertClose(t, "var0", o.Var("var0"), []float64{1 - d0, 2 - d0}, tfTol)
		assertClose(t, "var1", o.Var("var1"), []float64{3 - d1, 4 - d1}, tfTol)
		o.Step(map[string]Grad[float32]{"var0": Dense([]float32{0.1, 0.1}), "var1": Dense([]float32{0.01, 0.01})})
		assertClose(t, "rms0", o.Slot("var0", "rms"), []float64{0.901*0.9 + 0.001, 0.901*0.9 + 0.001}, tfTol)
		assertClose(t, "rms1", o.Slot("var1", "rms"), []float64{0.90001*0.9 + 1e-5, 0.90001*0.9 + 1e-5}, tfTol)
		e0, e1 := 0.1*2.0/math.Sqrt(0.901*0.9+0.001+1.0), 0.01*2.0/math.Sqrt(0.90001*0.9+1e-5+1.0)
		assertClose(t, "var0", o.Var("var0"), []float64{1 - d0 - e0, 2 - d0 - e0}, tfTol)
		assertClose(t, "var1", o.Var("var1"), []float64{3 - d1 - e1, 4 - d1 - e1}, tfTol)
	})
	t.Run("WithMomentum", func(t *testing.T) {
		o := run[float32](t, params("RMSProp", "learning_rate", 2.0, "decay", 0.9, "momentum", 0.5, "epsilon", 1e-5), basic12_34, 1)
		d0, d1 := 0.1*2.0/math.Sqrt(0.901+1e-5), 0.01*2.0/math.Sqrt(0.90001+1e-5)
		assertClose(t, "mom0", o.Slot("var0", "momentum"), []float64{d0, d0}, tfTol)
		assertClose(t, "mom1", o.Slot("var1", "momentum"), []float64{d1, d1}, tfTol)
		assertClose(t, "var0", o.Var("var0"), []float64{1 - d0, 2 - d0}, tfTol)
		assertClose(t, "var1", o.Var("var1"), []float64{3 - d1, 4 - d1}, tfTol)
		o.Step(map[string]Grad[float32]{"var0": Dense([]float32{0.1, 0.1}), "var1": Dense([]float32{0.01, 0.01})})
		m0 := 0.5*d0 + 0.1*2.0/math.Sqrt(0.901*0.9+0.001+1e-5)
		m1 := 0.5*d1 + 0.01*2.0/math.Sqrt(0.90001*0.9+2e-5)
		assertClose(t, "mom0", o.Slot("var0", "momentum"), []float64{m0, m0}, tfTol)
		assertClose(t, "mom1", o.Slot("var1", "momentum"), []float64{m1, m1}, tfTol)
		assertClose(t, "var0", o.Var("var0"), []float64{1 - d0 - m0, 2 - d0 - m0}, tfTol)
		assertClose(t, "var1", o.Var("var1"), []float64{3 - d1 - m1, 4 - d1 - m1}, tfTol)
	})
}

// ftrl_test.py (and keras optimizer_v2/ftrl_test.py for beta).
func TestTFFtrl(t *testing.T) {
	cfg := func(kv ...any) Config {
		return params("Ftrl", append([]any{"learning_rate", 3.0, "initial_accumulator_value", 0.1}, kv...)...)
	}
	t.Run("WithoutRegularization", func(t *testing.T) {
		check(t, cfg(), zeros, 3, []float64{-2.60260963, -4.29698515}, []float64{-0.28432083, -0.56694895}, tfTol)
	})
	t.Run("WithoutRegularization2", func(t *testing.T) {
		check(t, cfg(), from12_43, 3, []float64{-2.55607247, -3.98729396}, []float64{-0.28232238, -0.56096673}, tfTol)
	})
	t.Run("MinimizeSparseResourceVariable", func(t *testing.T) {
		minimizeSparse(t, params("Ftrl", "learning_rate", 1.0), []float64{0, 1}, 0, 0.01)
	})
	t.Run("WithL1", func(t *testing.T) {
		check(t, cfg("l1_regularization_strength", 0.001), from12_43, 10, []float64{-7.66718769, -10.91273689}, []float64{-0.93460727, -1.86147261}, tfTol)
	})
	t.Run("WithL1_L2", func(t *testing.T) {
		check(t, cfg("l1_regularization_strength", 0.001, "l2_regularization_strength", 2.0), from12_43, 10,
			[]float64{-0.24059935, -0.46829352}, []float64{-0.02406147, -0.04830509}, tfTol)
	})
	shrink := cfg("l1_regularization_strength", 0.001, "l2_regularization_strength", 2.0, "l2_shrinkage_regularization_strength", 0.1)
	t.Run("WithL1_L2_L2Shrinkage", func(t *testing.T) {
		check(t, shrink, from12_43, 10, []float64{-0.22578995, -0.44345796}, []float64{-0.14378493, -0.13229476}, tfTol)
	})
	t.Run("WithL1_L2_L2ShrinkageSparse", func(t *testing.T) {
		c := twoVars{var0: []float64{1, 2}, var1: []float64{4, 3}, shape0: []int{2, 1}, shape1: []int{2, 1},
			g0: Sparse([]int{0}, []float64{0.1}), g1: Sparse([]int{1}, []float64{0.02})}
		check(t, shrink, c, 10, []float64{-0.22578995, 2}, []float64{4, -0.13229476}, tfTol)
	})
	t.Run("WithL2ShrinkageDoesNotChangeLrSchedule", func(t *testing.T) {
		c := twoVars{var0: []float64{1, 2}, var1: []float64{1, 2}, g0: Dense([]float64{0.1, 0.2}), g1: Dense([]float64{0.1, 0.2})}
		a := run[float32](t, shrink, c, 10)
		b := run[float32](t, cfg("l1_regularization_strength", 0.001, "l2_regularization_strength", 2.0), c, 10)
		for i := range 2 {
			if v0, v1 := a.Var("var0")[i], b.Var("var0")[i]; !(v0*v0 < v1*v1) {
				t.Errorf("shrinkage var %v not smaller than %v", v0, v1)
			}
		}
		assertClose(t, "accum", a.Slot("var0", "accum"), toAny(b.Slot("var0", "accum")), tfTol)
	})
	t.Run("WithBeta", func(t *testing.T) {
		check(t, cfg("beta", 0.1), from12_43, 10, []float64{-6.096838, -9.162214}, []float64{-0.717741, -1.425132}, tfTol)
	})
	t.Run("WithL2_Beta", func(t *testing.T) {
		check(t, cfg("l2_regularization_strength", 0.1, "beta", 0.1), from12_43, 10, []float64{-2.735487, -4.704625}, []float64{-0.294335, -0.586556}, tfTol)
	})
	// Equivalences: from zero, lr_power -0.5 equals Adagrad, lr_power 0
	// equals GradientDescent (5 steps; sparse var1 gradient 0.02).
	sparseZeros := twoVars{var0: []float64{0, 0}, var1: []float64{0, 0}, shape0: []int{2, 1}, shape1: []int{2, 1},
		g0: Sparse([]int{0}, []float64{0.1}), g1: Sparse([]int{1}, []float64{0.02})}
	for _, c := range []struct {
		name  string
		power float64
		other Config
	}{{"Adagrad", -0.5, params("Adagrad", "learning_rate", 3.0, "initial_accumulator_value", 0.1)},
		{"GradientDescent", -0.0, params("GradientDescent", "learning_rate", 3.0)}} {
		for _, tv := range []twoVars{zeros, sparseZeros} {
			t.Run("Equiv"+c.name, func(t *testing.T) {
				a := run[float32](t, cfg("learning_rate_power", c.power), tv, 5)
				b := run[float32](t, c.other, tv, 5)
				assertClose(t, "var0", a.Var("var0"), toAny(b.Var("var0")), tfTol)
				assertClose(t, "var1", a.Var("var1"), toAny(b.Var("var1")), tfTol)
			})
		}
	}
}

// proximal_adagrad_test.py
func TestTFProximalAdagrad(t *testing.T) {
	cfg := func(l1, l2 float64) Config {
		return params("ProximalAdagrad", "learning_rate", 3.0, "initial_accumulator_value", 0.1,
			"l1_regularization_strength", l1, "l2_regularization_strength", l2)
	}
	t.Run("WithoutRegularization", func(t *testing.T) {
		check(t, cfg(0, 0), zeros, 3, []float64{-2.60260963, -4.29698515}, []float64{-0.28432083, -0.56694895}, tfTol)
	})
	t.Run("WithoutRegularization2", func(t *testing.T) {
		check(t, cfg(0, 0), from12_43, 3, []float64{-1.60261, -2.296985}, []float64{3.715679, 2.433051}, tfTol)
	})
	t.Run("MinimizeSparseResourceVariable", func(t *testing.T) {
		minimizeSparse(t, params("ProximalAdagrad", "learning_rate", 1.0), []float64{0, 1}, 0, 0.01)
	})
	t.Run("WithL1", func(t *testing.T) {
		check(t, cfg(0.001, 0), from12_43, 10, []float64{-6.663634, -9.190331}, []float64{2.959304, 1.029232}, tfTol)
	})
	t.Run("WithL1_L2", func(t *testing.T) {
		check(t, cfg(0.001, 2.0), from12_43, 10, []float64{-0.0495, -0.0995}, []float64{-0.0045, -0.0095}, tfTol)
	})
	for _, tv := range []twoVars{from12_34b, {var0: []float64{1, 2}, var1: []float64{3, 4}, shape0: []int{2, 1}, shape1: []int{2, 1},
		g0: Sparse([]int{0}, []float64{0.1}), g1: Sparse([]int{1}, []float64{0.02})}} {
		t.Run("EquivAdagrad", func(t *testing.T) {
			a := run[float32](t, cfg(0, 0), tv, 5)
			b := run[float32](t, params("Adagrad", "learning_rate", 3.0, "initial_accumulator_value", 0.1), tv, 5)
			assertClose(t, "var0", a.Var("var0"), toAny(b.Var("var0")), tfTol)
			assertClose(t, "var1", a.Var("var1"), toAny(b.Var("var1")), tfTol)
		})
	}
}

// proximal_gradient_descent_test.py (and compiler/tests' copy).
func TestTFProximalGradientDescent(t *testing.T) {
	cfg := func(l1, l2 float64) Config {
		return params("ProximalGradientDescent", "learning_rate", 3.0, "l1_regularization_strength", l1, "l2_regularization_strength", l2)
	}
	t.Run("WithoutRegularization", func(t *testing.T) {
		check(t, cfg(0, 0), zeros, 3, []float64{-0.9, -1.8}, []float64{-0.09, -0.18}, tfTol)
	})
	t.Run("WithoutRegularization2", func(t *testing.T) {
		check(t, cfg(0, 0), from12_43, 3, []float64{0.1, 0.2}, []float64{3.91, 2.82}, tfTol)
	})
	t.Run("MinimizeSparseResourceVariable", func(t *testing.T) {
		minimizeSparse(t, params("ProximalGradientDescent", "learning_rate", 1.0), []float64{-111, -138}, 0, 0.01)
	})
	t.Run("WithL1_L2", func(t *testing.T) {
		check(t, cfg(0.001, 2.0), from12_43, 10, []float64{-0.0495, -0.0995}, []float64{-0.0045, -0.0095}, tfTol)
	})
	for _, tv := range []twoVars{from12_34b, {var0: []float64{1, 2}, var1: []float64{3, 4}, shape0: []int{2, 1}, shape1: []int{2, 1},
		g0: Sparse([]int{0}, []float64{0.1}), g1: Sparse([]int{1}, []float64{0.02})}} {
		t.Run("EquivGradientDescent", func(t *testing.T) {
			a := run[float32](t, cfg(0, 0), tv, 5)
			b := run[float32](t, params("GradientDescent", "learning_rate", 3.0), tv, 5)
			assertClose(t, "var0", a.Var("var0"), toAny(b.Var("var0")), tfTol)
			assertClose(t, "var1", a.Var("var1"), toAny(b.Var("var1")), tfTol)
		})
	}
}

// sync_replicas_optimizer_test.py: GradientDescent(2.0) wrapped; worker w
// pushes grads_0 = 0.1+0.2w, grads_1 = 0.9+0.2w and a sparse row 1 of
// 0.1+0.2w.
func TestTFSyncReplicas(t *testing.T) {
	setup := func(t *testing.T, toAggregate, total int) *SyncReplicas[float32] {
		o := MustNew[float32](params("GradientDescent", "learning_rate", 2.0))
		o.AddVar("v0", []float32{0}, []int{}...)
		o.AddVar("v1", []float32{1})
		o.AddVar("v_sparse", []float32{3, 4}, 2, 1)
		s, err := NewSyncReplicas(o, toAggregate, total)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	grads := func(w int) map[string]Grad[float32] {
		x := float32(0.1 + 0.2*float64(w))
		return map[string]Grad[float32]{"v0": Dense([]float32{x}), "v1": Dense([]float32{float32(0.9 + 0.2*float64(w))}),
			"v_sparse": Sparse([]int{1}, []float32{x})}
	}
	push := func(t *testing.T, s *SyncReplicas[float32], local int64, w int, want PushResult) {
		t.Helper()
		got, err := s.Push(local, grads(w))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("push from worker %d at local step %d: %v, want %v", w, local, got, want)
		}
	}
	t.Run("2Workers", func(t *testing.T) {
		s := setup(t, 2, 2)
		o := s.Optimizer()
		push(t, s, 0, 0, Accumulated)
		push(t, s, 0, 1, Applied)
		assertClose(t, "v0", o.Var("v0"), []float64{0 - (0.1+0.3)/2*2.0}, tfTol)
		assertClose(t, "v1", o.Var("v1"), []float64{1 - (0.9+1.1)/2*2.0}, tfTol)
		assertClose(t, "v_sparse", o.Var("v_sparse"), []float64{3, 4 - (0.1+0.3)/2*2.0}, tfTol)
		// TF's start-up tokens hold local step 0: the next round is wasted.
		push(t, s, 0, 0, Stale)
		push(t, s, 0, 1, Stale)
		push(t, s, 1, 0, Accumulated)
		push(t, s, 1, 1, Applied)
		if s.GlobalStep() != 2 {
			t.Fatalf("global step %d, want 2", s.GlobalStep())
		}
		assertClose(t, "v0", o.Var("v0"), []float64{0 - 2*(0.1+0.3)/2*2.0}, tfTol)
		assertClose(t, "v1", o.Var("v1"), []float64{1 - 2*(0.9+1.1)/2*2.0}, tfTol)
	})
	t.Run("3Workers1Backup", func(t *testing.T) {
		s := setup(t, 2, 3)
		o := s.Optimizer()
		push(t, s, 0, 0, Accumulated)
		push(t, s, 0, 2, Applied)
		assertClose(t, "v0", o.Var("v0"), []float64{0 - (0.1+0.5)/2*2.0}, tfTol)
		assertClose(t, "v1", o.Var("v1"), []float64{1 - (0.9+1.3)/2*2.0}, tfTol)
		push(t, s, 0, 1, Stale) // worker 1 finished late: dropped
		for _, w := range []int{0, 1, 2} {
			push(t, s, 0, w, Stale)
		}
		push(t, s, 1, 0, Accumulated)
		push(t, s, 1, 1, Applied)
		if s.GlobalStep() != 2 || s.Dropped() != 4 {
			t.Fatalf("global step %d dropped %d, want 2 and 4", s.GlobalStep(), s.Dropped())
		}
		assertClose(t, "v0", o.Var("v0"), []float64{-0.6 - (0.1+0.3)/2*2.0}, tfTol)
		assertClose(t, "v1", o.Var("v1"), []float64{-1.2 - (0.9+1.1)/2*2.0}, tfTol)
	})
}
