package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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
		"--seeds=2", "--work_dir=" + t.TempDir()}
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
	// Every seed's runs, summarised, and the conclusion drawn from them.
	if len(rep.Seeds) != 2 || len(rep.Runs) != 4 || len(rep.Summary) != 4 || rep.Settings.Seeds != 2 {
		t.Fatalf("seeds %v, %d run lists, %d summaries", rep.Seeds, len(rep.Runs), len(rep.Summary))
	}
	for i, runs := range rep.Runs {
		if len(runs) != 2 || runs[0].Seed != rep.Seeds[0] || runs[1].Seed != rep.Seeds[1] || runs[0].Name != rep.Methods[i].Name {
			t.Errorf("runs of %s: %d, seeds %d and %d", rep.Methods[i].Name, len(runs), runs[0].Seed, runs[len(runs)-1].Seed)
		}
		sum := rep.Summary[i]
		if sum.Test.N != 2*rep.Images["testing"] || sum.Test.K != runs[0].Correct()+runs[1].Correct() || !sum.TestInterval.Contains(sum.Test.Value()) {
			t.Errorf("%s: pooled test %+v, interval %v", sum.Name, sum.Test, sum.TestInterval)
		}
	}
	if !strings.Contains(rep.Conclusion, "over 2 seeds") {
		t.Errorf("conclusion: %s", rep.Conclusion)
	}
}

// --markdown prints the tables docs/retrain_vs_finetune.md shows.
func TestRunMarkdown(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errOut bytes.Buffer
	args := []string{"--markdown", "--settings=cpu", "--per_class=12", "--steps=6", "--eval_every=3", "--batch=4",
		"--long_retrain_steps=0", "--top_layers=0", "--methods=retrain", "--seeds=2", "--work_dir=" + t.TempDir()}
	if err := run(args, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"| method | trains | steps | ms/step |", "| retrain | new softmax layer only", "| method | seed 4 | seed 5 |",
		"only these ran: retrain"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--settings=tpu"},
		{"--methods=retrain,magic"},
		{"--steps=5", "--eval_every=10"},
		{"extra"},
		{"--json", "--markdown"},
		{"--optimizer=Adamant"},
	} {
		var out, errOut bytes.Buffer
		if err := run(append(args, "--work_dir="+t.TempDir()), &out, &errOut); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}

// The notebook runs the same experiment: it takes its settings from
// helpers/compare, as this program does, instead of repeating them.
func TestNotebookUsesComparePresets(t *testing.T) {
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
	if !strings.Contains(code.String(), "compare.Preset(") || regexp.MustCompile(`Settings\{`).MatchString(code.String()) {
		t.Error("notebook 04 does not take its settings from compare.Preset, or defines its own")
	}
}
