package optim

import (
	"encoding/json"
	"strings"
	"testing"
)

func runCaseJSON(t *testing.T, js string) (CaseResult, error) {
	t.Helper()
	c, err := ParseCase(strings.NewReader(js), "test.json")
	if err != nil {
		return CaseResult{}, err
	}
	return RunCase(c)
}

// FTRL testFtrlWithL1_L2_L2ShrinkageSparse as a case file.
func TestCaseSparseFtrl(t *testing.T) {
	r, err := runCaseJSON(t, `{"optimizer":"Ftrl",
	 "params":{"learning_rate":3.0,"initial_accumulator_value":0.1,"l1_regularization_strength":0.001,
	           "l2_regularization_strength":2.0,"l2_shrinkage_regularization_strength":0.1},
	 "initial_vars":{"var0":[1,2],"var1":[4,3]}, "var_shapes":{"var0":[2,1],"var1":[2,1]},
	 "grads":{"var0":{"indices":[0],"values":[[0.1]]},"var1":{"indices":[1],"values":[[0.02]]}},
	 "steps":10,"dtype":"float32"}`)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "var0", r.Vars["var0"], []float64{-0.22578995, 2}, tfTol)
	assertClose(t, "var1", r.Vars["var1"], []float64{4, -0.13229476}, tfTol)
	if len(r.Slots["var0"]["accum"]) != 2 || len(r.Slots["var0"]["linear"]) != 2 {
		t.Errorf("slots %v", r.Slots)
	}
	out, _ := json.Marshal(r)
	if !strings.HasPrefix(string(out), `{"vars":{"var0":[-0.22578995,2],"var1":[4,-0.13229476]},"slots":{"var0":{"accum":[`) {
		t.Errorf("JSON %s", out)
	}
}

// Per-step gradients: the Nesterov momentum example with cost 5·var0² is
// replayed from recorded gradients and must give the same end point.
func TestCasePerStep(t *testing.T) {
	o := MustNew[float64](params("Momentum", "learning_rate", 0.1, "momentum", 0.9, "use_nesterov", true))
	o.AddVar("w", []float64{1, 2})
	var gs [][]float64
	for i := 0; i < 4; i++ {
		g := []float64{10 * o.Var("w")[0], 10 * o.Var("w")[1]}
		gs = append(gs, g)
		o.Step(map[string]Grad[float64]{"w": Dense(g)})
	}
	gj, _ := json.Marshal(gs)
	r, err := runCaseJSON(t, `{"optimizer":"MomentumOptimizer","params":{"learning_rate":0.1,"momentum":0.9,"use_nesterov":true},
	  "initial_vars":{"w":[1,2]},"grads":{"w":`+string(gj)+`},"grads_mode":"per_step","dtype":"float64"}`)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "w", r.Vars["w"], o.Var("w"), 1e-15)
	assertClose(t, "momentum", r.Slots["w"]["momentum"], o.Slot("w", "momentum"), 1e-15)
}

func TestCaseErrors(t *testing.T) {
	for _, c := range []struct{ js, want string }{
		{`{"optimizer":"Adam","initial_vars":{"a":[1]},"grads":{"a":[1]},"steps":1,"bogus":1}`, `unknown field "bogus"`},
		{`{"optimizer":"Nadam","initial_vars":{"a":[1]},"grads":{"a":[1]},"steps":1}`, "unknown optimizer"},
		{`{"optimizer":"Adam","initial_vars":{"a":[1]},"grads":{"b":[1]},"steps":1}`, `grads names "b"`},
		{`{"optimizer":"Adam","initial_vars":{"a":[1]},"grads":{"a":[1,2]},"steps":1}`, "gradient has 2 values"},
		{`{"optimizer":"Adam","initial_vars":{"a":[1]},"grads":{"a":[1]}}`, "steps is missing"},
		{`{"optimizer":"Adam","initial_vars":{"a":[1]},"grads":{"a":[[1]]},"grads_mode":"per_step","steps":2}`, "1 per-step gradients for 2 steps"},
		{`{"optimizer":"Adam","initial_vars":{"a":[1,2]},"var_shapes":{"a":[3]},"grads":{"a":[1]},"steps":1}`, "shape [3] holds 3 values"},
		{`{"optimizer":"Adam","initial_vars":{"a":[1,2]},"grads":{"a":{"indices":[5],"values":[[1]]}},"steps":1}`, "index 5 out of range"},
		{`{"optimizer":"Adam","initial_vars":{"a":["x"]},"grads":{"a":[1]},"steps":1}`, "initial_vars.a"},
		{`{"optimizer":"Adam","initial_vars":{"a":[1]},"grads":{"a":[1]},"steps":1,"dtype":"float16"}`, `dtype "float16"`},
		{`{"optimizer":"Adam","initial_vars":{"a":[1]},"grads":{"a":[1]},"steps":1} {}`, "trailing data"},
		// Steps are bounded by limits.Steps (2^63-1 used to run forever).
		{`{"optimizer":"Adam","initial_vars":{"a":[1]},"grads":{"a":[1]},"steps":9223372036854775807}`, "optim: case needs 9223372036854775807 steps, more than the limit of 1000000 (optimizer steps; raise it with GOTL_MAX_STEPS)"},
	} {
		_, err := runCaseJSON(t, c.js)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.js, err, c.want)
		}
	}
}

func FuzzCase(f *testing.F) {
	f.Add(`{"optimizer":"Adam","initial_vars":{"a":[1,2]},"grads":{"a":[0.1,0.2]},"steps":3}`)
	f.Add(`{"optimizer":"Ftrl","params":{"learning_rate":1},"initial_vars":{"a":[1,2]},"var_shapes":{"a":[2,1]},"grads":{"a":{"indices":[1,1],"values":[[1],[2]]}},"steps":2,"dtype":"float64"}`)
	f.Add(`{"optimizer":"RMSProp","params":{"learning_rate":1,"centered":true},"initial_vars":{"a":[[1,2],[3,4]]},"var_shapes":{"a":[2,2]},"grads":{"a":[[[1,2],[3,4]]]},"grads_mode":"per_step"}`)
	f.Fuzz(func(t *testing.T, js string) {
		c, err := ParseCase(strings.NewReader(js), "fuzz")
		if err != nil {
			return
		}
		if c.Steps != nil && *c.Steps > 1000 {
			return // bounded work per input
		}
		r, err := RunCase(c)
		if err != nil {
			return
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}
