package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestRunJSON runs the whole comparison at a toy size and checks the report:
// every method ran the requested steps on the same split, and the numbers are
// measurements, not placeholders.
func TestRunJSON(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd) // run changes into the work directory
	var out, errOut bytes.Buffer
	args := []string{"--json", "--settings=cpu", "--per_class=12", "--steps=6", "--eval_every=3", "--batch=4",
		"--long_retrain_steps=30", "--top_layers=1", "--validation_percentage=25", "--testing_percentage=25",
		"--work_dir=" + t.TempDir()}
	if err := run(args, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out.String())
	}
	if len(rep.Classes) != 4 || rep.Classes[0] != "cyan ring" {
		t.Errorf("classes = %v, want TinyNet's 4 target classes in folder order", rep.Classes)
	}
	total := rep.Images["training"] + rep.Images["validation"] + rep.Images["testing"]
	if total != 4*12 || rep.Images["testing"] == 0 || rep.Images["validation"] == 0 {
		t.Errorf("images = %v, want 48 split over training/validation/testing", rep.Images)
	}
	wantNames := []string{"retrain", "retrain 30 steps", "fine-tune all", "fine-tune top 1"}
	wantSteps := []int{6, 30, 6, 6}
	if len(rep.Methods) != len(wantNames) {
		t.Fatalf("%d methods, want %d: %+v", len(rep.Methods), len(wantNames), rep.Methods)
	}
	for i, m := range rep.Methods {
		if m.Name != wantNames[i] || m.Steps != wantSteps[i] {
			t.Errorf("method %d: %q with %d steps, want %q with %d", i, m.Name, m.Steps, wantNames[i], wantSteps[i])
		}
		if m.TestCount != rep.Images["testing"] {
			t.Errorf("%s: tested on %d images, want the whole test split (%d)", m.Name, m.TestCount, rep.Images["testing"])
		}
		last := m.Last()
		for what, v := range map[string]float64{"test": m.TestAccuracy, "validation": last.ValidationAccuracy, "train": last.TrainAccuracy} {
			if !(v >= 0 && v <= 1) {
				t.Errorf("%s: %s accuracy %v outside [0, 1]", m.Name, what, v)
			}
		}
		if !(m.SecondsPerStep > 0) || !(m.StepsPerSecond > 0) || m.Duration <= 0 || m.Batch != 4 {
			t.Errorf("%s: speed not measured: %+v", m.Name, m)
		}
		if len(m.History) < 2 {
			t.Errorf("%s: %d evaluations, want at least 2", m.Name, len(m.History))
		}
	}
	// Both fine-tuning runs do a forward and backward pass per step: they
	// cannot be faster per step than the softmax alone.
	if rep.Methods[2].SecondsPerStep <= rep.Methods[0].SecondsPerStep {
		t.Errorf("fine-tuning (%g s/step) measured faster than retraining (%g s/step)", rep.Methods[2].SecondsPerStep, rep.Methods[0].SecondsPerStep)
	}
	if !strings.Contains(errOut.String(), "Backend:") {
		t.Errorf("with --json the log goes to stderr; got %q", errOut.String())
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--settings=tpu"},
		{"--methods=retrain,magic"},
		{"--steps=5", "--eval_every=10"},
		{"extra"},
	} {
		var out, errOut bytes.Buffer
		if err := run(append(args, "--work_dir="+t.TempDir()), &out, &errOut); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}

// The notebook's presets are the program's: it runs the same experiment.
func TestNotebookPresetsMatch(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "notebooks", "04_retrain_vs_finetune.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Source []string `json:"source"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	var code strings.Builder
	for _, c := range nb.Cells {
		code.WriteString(strings.Join(c.Source, ""))
	}
	for name, want := range map[string]Settings{"cpuSettings": CPUSettings, "gpuSettings": GPUSettings} {
		m := regexp.MustCompile(name + `\s*=\s*settings\{([^}]*)\}`).FindStringSubmatch(code.String())
		if m == nil {
			t.Fatalf("notebook 04 has no %s = settings{…}", name)
		}
		fields := regexp.MustCompile(`(\w+):\s*([0-9.]+)`).FindAllStringSubmatch(m[1], -1)
		if len(fields) < 8 {
			t.Fatalf("%s: only %d fields found in %q", name, len(fields), m[1])
		}
		v := reflect.ValueOf(want)
		for _, kv := range fields {
			f := v.FieldByName(kv[1])
			if !f.IsValid() {
				t.Errorf("%s.%s: no such Settings field", name, kv[1])
				continue
			}
			if got := fmt.Sprint(f.Interface()); got != kv[2] {
				t.Errorf("%s.%s: notebook %s, compare %s", name, kv[1], kv[2], got)
			}
		}
	}
}
