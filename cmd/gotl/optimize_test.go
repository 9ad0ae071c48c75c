package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runGotl(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runMain(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// The FTRL l1 case of TF's ftrl_test.py (testFtrlWithL1), as a case file.
func TestOptimizeCase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ftrl.json")
	os.WriteFile(path, []byte(`{"optimizer":"Ftrl","params":{"learning_rate":3.0,"initial_accumulator_value":0.1,
	  "l1_regularization_strength":0.001},"initial_vars":{"var0":[1,2],"var1":[4,3]},
	  "grads":{"var0":[0.1,0.2],"var1":[0.01,0.02]},"grads_mode":"constant","steps":10,"dtype":"float32"}`), 0o644)
	code, out, errOut := runGotl(t, "optimize", "--case", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Vars  map[string][]float64            `json:"vars"`
		Slots map[string]map[string][]float64 `json:"slots"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	want := map[string][]float64{"var0": {-7.66718769, -10.91273689}, "var1": {-0.93460727, -1.86147261}}
	for n, w := range want {
		for i := range w {
			if math.Abs(res.Vars[n][i]-w[i]) > 1e-6*(1+math.Abs(w[i])) {
				t.Errorf("%s[%d] = %g, want %g", n, i, res.Vars[n][i], w[i])
			}
		}
		if len(res.Slots[n]["accum"]) != 2 || len(res.Slots[n]["linear"]) != 2 {
			t.Errorf("slots of %s: %v", n, res.Slots[n])
		}
	}
}

func TestOptimizeCaseErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(path, []byte(`{"optimizer":"Adam","params":{"lr":0.1},"initial_vars":{"a":[1]},"grads":{"a":[1]},"steps":1}`), 0o644)
	code, _, errOut := runGotl(t, "optimize", "--case", path)
	if code != 1 || !strings.Contains(errOut, `gotl optimize: `) || !strings.Contains(errOut, `no parameter "lr"`) ||
		!strings.Contains(errOut, "learning_rate, beta1, beta2, epsilon") || !strings.Contains(errOut, "bad.json") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runGotl(t, "optimize", "--case", filepath.Join(t.TempDir(), "missing.json"))
	if code != 1 || !strings.Contains(errOut, "missing.json") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
}

func TestOptimizeFunctionText(t *testing.T) {
	code, out, errOut := runGotl(t, "optimize", "--function", "rosenbrock", "--optimizer", "adam",
		"--param", "learning_rate=0.01", "--steps", "500", "--start", "-1.2,1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// comment, header, 501 points, final line.
	if len(lines) != 504 || !strings.HasPrefix(lines[0], "# Adam on rosenbrock from (-1.2, 1), 500 steps; learning_rate=0.01") {
		t.Fatalf("%d lines, first %q", len(lines), lines[0])
	}
	if f := strings.Fields(lines[2]); f[0] != "0" || f[1] != "-1.2" || f[2] != "1" || f[3] != "24.2" {
		t.Errorf("first point %q", lines[2])
	}
	if !strings.HasPrefix(lines[503], "# final loss ") {
		t.Errorf("last line %q", lines[503])
	}
}

func TestOptimizeFunctionJSON(t *testing.T) {
	code, out, errOut := runGotl(t, "optimize", "--function", "booth", "--optimizer", "MomentumOptimizer",
		"--param", "learning_rate=0.01", "--param", "momentum=0.9", "--param", "use_nesterov=true", "--steps", "200", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var tr struct {
		Function, Optimizer string
		Params              map[string]float64
		Diverged            bool
		Points              []struct {
			Step  int
			X, Y  float64
			Loss  *float64
			Slots map[string]map[string][]float64
		}
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Function != "booth" || tr.Optimizer != "Momentum" || tr.Params["use_nesterov"] != 1 || len(tr.Points) != 201 {
		t.Fatalf("%s %s %v %d points", tr.Function, tr.Optimizer, tr.Params, len(tr.Points))
	}
	last := tr.Points[200]
	if math.Abs(last.X-1) > 1e-3 || math.Abs(last.Y-3) > 1e-3 || *last.Loss > 1e-6 {
		t.Errorf("did not reach Booth's minimum (1, 3): %+v", last)
	}
	if len(last.Slots["x"]["momentum"]) != 2 {
		t.Errorf("momentum slot missing: %v", last.Slots)
	}
}

func TestOptimizeUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"optimize", "--function", "rosenbrock", "--optimizer", "nadam"}, 1, []string{`unknown optimizer "nadam"`, "GradientDescent", "Adam", "Ftrl"}},
		{[]string{"optimize", "--function", "rosenbrock", "--optimizer", "adam", "--param", "lr=0.1"}, 1, []string{`no parameter "lr"`, "learning_rate"}},
		{[]string{"optimize", "--function", "sphere", "--optimizer", "adam"}, 1, []string{`unknown function "sphere"`, "rosenbrock", "himmelblau"}},
		{[]string{"optimize", "--function", "rosenbrock"}, 2, []string{"--optimizer is required", "Adam"}},
		{[]string{"optimize"}, 2, []string{"--case", "--function"}},
		{[]string{"optimize", "--function", "beale", "--optimizer", "adam", "--start", "1"}, 2, []string{"--start wants x,y"}},
		{[]string{"optimize", "--function", "beale", "--optimizer", "adam", "--param", "noequals"}, 2, []string{"name=value"}},
		{[]string{"optimize", "--function", "beale", "--case", "x.json"}, 2, []string{"exclusive"}},
	} {
		code, _, errOut := runGotl(t, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, c.code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, errOut, w)
			}
		}
	}
}
