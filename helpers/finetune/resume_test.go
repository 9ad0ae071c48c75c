package finetune

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/optim"
)

// Config.Steps is the total, as TF's max_steps: a run resumed at step 20
// with Steps 30 trains 10 more, one resumed at 30 trains none, and
// evaluations and checkpoints fall on multiples of the global step.
func TestResumeCountsStepsInTotal(t *testing.T) {
	g := randomTinyNet(t)
	cfg := baseConfig(g)
	cfg.Steps, cfg.EvalStepInterval, cfg.CheckpointEvery = 20, 8, 10
	cfg.CheckpointDir = filepath.Join(t.TempDir(), "ckpt") // created by the first checkpoint
	data := splits(tinyData(t, 2, 10, 5), nil, tinyData(t, 2, 4, 6))
	run := func(steps int) *Result {
		t.Helper()
		c := cfg
		c.Steps = steps
		tu, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		res, err := tu.Train(data)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	steps := func(r *Result) (s []int) {
		for _, p := range r.History {
			s = append(s, p.Step)
		}
		return s
	}
	first := run(20)
	if first.ResumedFrom != "" || first.Steps != 20 || first.GlobalStep != 20 || !reflect.DeepEqual(steps(first), []int{8, 16, 20}) {
		t.Errorf("fresh run: resumed from %q, %d steps to %d, evaluations at %v", first.ResumedFrom, first.Steps, first.GlobalStep, steps(first))
	}
	prefixes, _ := checkpointPrefixes(cfg.CheckpointDir)
	if !reflect.DeepEqual(prefixes, []string{"model.ckpt-10", "model.ckpt-20"}) {
		t.Errorf("checkpoints %v", prefixes)
	}
	second := run(30)
	if want := filepath.Join(cfg.CheckpointDir, "model.ckpt-20"); second.ResumedFrom != want || second.Steps != 10 || second.GlobalStep != 30 || !reflect.DeepEqual(steps(second), []int{24, 30}) {
		t.Errorf("resumed run: from %q, %d steps to %d, evaluations at %v; want from %s, 10 steps to 30, evaluations at [24 30]",
			second.ResumedFrom, second.Steps, second.GlobalStep, steps(second), want)
	}
	third := run(30)
	if third.Steps != 0 || third.GlobalStep != 30 || len(third.History) != 0 || third.TestCount != len(data.Testing) || third.TestAccuracy != second.TestAccuracy {
		t.Errorf("run resumed at its total: %d steps to %d, %d evaluations, test accuracy %v on %d (was %v)",
			third.Steps, third.GlobalStep, len(third.History), third.TestAccuracy, third.TestCount, second.TestAccuracy)
	}
}

// A checkpoint directory that cannot be resumed from is an error naming
// the problem, and nothing in it changes (it used to be a silent restart
// from step 1 that rewrote the state file); StartOver trains from step 0.
func TestDamagedCheckpointDirIsAnError(t *testing.T) {
	g := randomTinyNet(t)
	cfg := baseConfig(g)
	cfg.Steps, cfg.CheckpointEvery = 4, 2
	data := splits(tinyData(t, 2, 6, 5), nil, nil)
	good := t.TempDir()
	cfg.CheckpointDir = good
	tu, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tu.Train(data); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(good, checkpoint.StateFile)
	for _, c := range []struct {
		name   string
		damage func(dir string)
		want   string
	}{
		{"garbage state file", func(dir string) { os.WriteFile(filepath.Join(dir, "checkpoint"), []byte("\x00garbage\n"), 0o644) },
			`: cannot resume from DIR: checkpoint: DIR/checkpoint:1: expected ` + "`field: value`" + `, got "\x00garbage"`},
		{"empty state file", func(dir string) { os.WriteFile(filepath.Join(dir, "checkpoint"), nil, 0o644) },
			`: cannot resume from DIR: checkpoint: DIR/checkpoint has no model_checkpoint_path`},
		{"dangling state file", func(dir string) {
			os.WriteFile(filepath.Join(dir, "checkpoint"), []byte(`model_checkpoint_path: "model.ckpt-50"`+"\n"), 0o644)
		}, `: cannot resume from DIR: checkpoint: DIR/checkpoint names "model.ckpt-50", but DIR/model.ckpt-50.index (V2) and DIR/model.ckpt-50 (V1) are missing`},
		{"no state file", func(dir string) { os.Remove(filepath.Join(dir, "checkpoint")) },
			`: cannot resume from DIR: it holds checkpoints (2 of them, model.ckpt-2 … model.ckpt-4) but no "checkpoint" state file naming the one to resume from (write one: model_checkpoint_path: "model.ckpt-4")`},
		{"damaged checkpoint", func(dir string) { os.WriteFile(filepath.Join(dir, "model.ckpt-4.index"), []byte("not a table"), 0o644) },
			`: cannot resume from DIR: checkpoint: `},
		{"state file is a directory", func(dir string) {
			os.Remove(filepath.Join(dir, "checkpoint"))
			os.Mkdir(filepath.Join(dir, "checkpoint"), 0o755)
		},
			`: cannot resume from DIR: checkpoint: no checkpoint state in DIR: DIR/checkpoint: is a directory, not a regular file`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, good, dir)
			c.damage(dir)
			before := listDir(t, dir)
			cfg := cfg
			cfg.CheckpointDir = dir
			tu, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tu.Train(data)
			want := "finetune" + strings.ReplaceAll(c.want, "DIR", dir)
			if !errors.Is(err, ErrCannotResume) || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("got %v\nwant %s…", err, want)
			}
			if after := listDir(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("the directory changed:\n%v\n→ %v", before, after)
			}
			// StartOver trains from step 0 and writes a state file that
			// resumes.
			if c.name == "state file is a directory" {
				return
			}
			cfg.StartOver = true
			tu, err = New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := tu.Train(data)
			if err != nil || res.ResumedFrom != "" || res.GlobalStep != 4 || res.Steps != 4 {
				t.Fatalf("start over: %v; resumed from %q, %d steps to %d", err, res.ResumedFrom, res.Steps, res.GlobalStep)
			}
			if p, err := LatestCheckpoint(dir); err != nil || p != filepath.Join(dir, "model.ckpt-4") {
				t.Errorf("after starting over, LatestCheckpoint = %q, %v", p, err)
			}
		})
	}
	// A fresh start: no directory, an empty one, or one without checkpoint
	// files.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("x"), 0o644)
	for _, dir := range []string{filepath.Join(t.TempDir(), "new"), t.TempDir(), other} {
		if p, err := LatestCheckpoint(dir); p != "" || err != nil {
			t.Errorf("%s: LatestCheckpoint = %q, %v; want a fresh start", dir, p, err)
		}
	}
	if _, err := LatestCheckpoint(state); !errors.Is(err, ErrCannotResume) || !strings.HasSuffix(err.Error(), "not a directory") {
		t.Errorf("a file as the directory: %v", err)
	}
}

// A loss that becomes NaN stops training at its step, and neither the
// checkpoint directory nor an export receives a non-finite weight.
func TestDivergenceStopsTrainingAndWritesNothing(t *testing.T) {
	g := randomTinyNet(t)
	cfg := baseConfig(g)
	cfg.Optimizer = optim.Config{Optimizer: "GradientDescent", LearningRate: 1e30}
	cfg.Steps, cfg.CheckpointEvery = 10, 1
	cfg.CheckpointDir = t.TempDir()
	tu, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tu.Train(splits(tinyData(t, 2, 6, 5), nil, nil))
	if err == nil || !strings.HasPrefix(err.Error(), "finetune: ") || !strings.Contains(err.Error(), "step ") {
		t.Fatalf("a learning rate of 1e30 trained without error: %v", err)
	}
	t.Log(err)
	if m, _ := filepath.Glob(filepath.Join(cfg.CheckpointDir, "*")); len(m) > 0 {
		prefix, lerr := LatestCheckpoint(cfg.CheckpointDir)
		if lerr != nil {
			t.Fatalf("checkpoint directory left unusable: %v", lerr)
		}
		r, err := checkpoint.Open(prefix)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for _, name := range r.Names() {
			v, _ := r.Tensor(name)
			if err := checkFinite(name, v); err != nil {
				t.Errorf("checkpoint %s: %v", prefix, err)
			}
		}
	}
	// A rate that is +Inf in float32 makes the first update non-finite
	// although the first loss, computed before it, is finite: the
	// checkpoint after step 1 is refused.
	cfg.Optimizer.LearningRate = 1e300
	cfg.CheckpointDir = t.TempDir()
	tuInf, _ := New(cfg)
	_, err = tuInf.Train(splits(tinyData(t, 2, 6, 5), nil, nil))
	if err == nil || !strings.HasSuffix(err.Error(), "at step 1: not saving a checkpoint") {
		t.Errorf("infinite update: %v", err)
	}
	t.Log(err)
	if m, _ := filepath.Glob(filepath.Join(cfg.CheckpointDir, "*")); len(m) > 0 {
		t.Errorf("files written for a non-finite checkpoint: %v", m)
	}
	// Without checkpoints, Train checks the weights after its last step.
	cfg.CheckpointDir, cfg.Steps = "", 1
	tuInf, _ = New(cfg)
	if _, err := tuInf.Train(splits(tinyData(t, 2, 6, 5), nil, nil)); err == nil || !strings.HasSuffix(err.Error(), "after step 1: training diverged (learning rate too high?)") {
		t.Errorf("non-finite weights after the last step: %v", err)
	}
	dir := t.TempDir()
	err = tu.Export(filepath.Join(dir, "g.pb"), filepath.Join(dir, "l.txt"), "")
	if err == nil || !strings.Contains(err.Error(), "not export") {
		t.Errorf("export of a diverged network: %v", err)
	}
	t.Log(err)
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) > 0 {
		t.Errorf("files written by a failed export: %v", m)
	}
	// Non-finite pixels are refused before training, naming the image.
	data := splits(tinyData(t, 2, 3, 5), nil, nil)
	data.Training[2].Input.Pix[7] = float32(math.NaN())
	cfg.CheckpointDir = ""
	tu, _ = New(cfg)
	if _, err := tu.Train(data); err == nil || !strings.Contains(err.Error(), "training image 2 ("+data.Training[2].Name+") holds NaN (value 7)") {
		t.Errorf("NaN pixel: %v", err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// listDir describes a directory's files: names, sizes and contents' hashes.
func listDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = string(data)
	}
	return out
}
