package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/zoo"
)

func writeGraph(t *testing.T, path string, def *graphpb.GraphDef) {
	t.Helper()
	g, err := graphfile.NewGraph(def)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.WriteFile(path, graphfile.Binary); err != nil {
		t.Fatal(err)
	}
}

// gotl finetune on a graph with variables + its checkpoint, then gotl
// classify on the exported graph.
func TestFinetuneCommand(t *testing.T) {
	dir := t.TempDir()
	images := filepath.Join(dir, "images")
	set, err := dataset.WriteSynthetic(images, dataset.SyntheticOptions{Classes: 2, PerClass: 12, Height: 40, Width: 40, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	weights, err := zoo.RandomTinyNetWeights(9, 4)
	if err != nil {
		t.Fatal(err)
	}
	withVars, err := zoo.TinyNetGraph(weights, true)
	if err != nil {
		t.Fatal(err)
	}
	graphPath := filepath.Join(dir, "graph.pb")
	writeGraph(t, graphPath, withVars)
	ckpt := filepath.Join(dir, "model.ckpt")
	if err := checkpoint.Write(ckpt, weights); err != nil {
		t.Fatal(err)
	}
	out, labels := filepath.Join(dir, "out.pb"), filepath.Join(dir, "labels.txt")
	var stdout, stderr bytes.Buffer
	code := runMain([]string{"finetune", "--image_dir", images, "--graph", graphPath, "--checkpoint", ckpt,
		"--how_many_training_steps", "6", "--train_batch_size", "8", "--eval_step_interval", "3", "--top_layers", "2",
		"--validation_percentage", "20", "--testing_percentage", "20",
		"--output_graph", out, "--output_labels", labels, "--json"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var s finetuneSummary
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatalf("bad JSON %q: %v", stdout.String(), err)
	}
	if s.Steps != 6 || len(s.History) != 2 || len(s.Classes) != 2 {
		t.Errorf("summary: steps %d, %d evaluations, classes %v", s.Steps, len(s.History), s.Classes)
	}
	// Validation is the whole split, and the lines say how large it is.
	opts := dataset.DefaultFolderOptions()
	opts.ValidationPercentage, opts.TestingPercentage = 20, 20
	folder, err := dataset.LoadFolder(images, opts)
	if err != nil {
		t.Fatal(err)
	}
	nVal := len(folder.Split(dataset.Validation))
	if s.ValidationImages != nVal || s.ValidationCount != nVal || s.TestImages != s.TestCount {
		t.Errorf("--json: validation %d of %d images (want %d), test %d of %d", s.ValidationCount, s.ValidationImages, nVal, s.TestCount, s.TestImages)
	}
	valLine := regexp.MustCompile(fmt.Sprintf(`Validation accuracy = [\d.]+%% \(N=%d\)\n`, nVal))
	if n := len(valLine.FindAllString(stderr.String(), -1)); n != 2 {
		t.Errorf("%d evaluation lines say N=%d, want 2:\n%s", n, nVal, stderr.String())
	}
	if want := []string{"conv3/weights", "conv3/biases", "conv4/weights", "conv4/biases"}; strings.Join(s.TrainableWeights, ",") != strings.Join(want, ",") {
		t.Errorf("--top_layers 2 trained %v, want %v", s.TrainableWeights, want)
	}
	stdout.Reset()
	stderr.Reset()
	img := filepath.Join(images, set.Names[0])
	code = runMain([]string{"classify", "--graph", out, "--labels", labels, "--image", img,
		"--input_layer", "input", "--output_layer", "final_result", "--input_height", "32", "--input_width", "32",
		"--input_mean", "127.5", "--input_std", "127.5"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("classify of the fine-tuned graph: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), dataset.LabelName(set.Classes[0])) || !strings.Contains(stdout.String(), dataset.LabelName(set.Classes[1])) {
		t.Errorf("classify output does not list both labels:\n%s", stdout.String())
	}
}

func TestFinetuneCommandErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"finetune"}, "--image_dir is required"},
		{[]string{"finetune", "--image_dir", "x", "--optimizer", "Adamax"}, "Adamax"},
		{[]string{"finetune", "--image_dir", t.TempDir(), "--graph", "/no/such.pb"}, "/no/such.pb"},
	} {
		var stdout, stderr bytes.Buffer
		if code := runMain(c.args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error mentioning %q", c.args, code, stderr.String(), c.want)
		}
	}
}

// --how_many_training_steps is a total, as TF's max_steps: a resumed run
// says where it resumed and trains the rest; one already there trains
// nothing and exits 0; --start_over ignores a damaged checkpoint directory
// (which is otherwise an error, see TestNoSilentTrainingFailures).
func TestFinetuneResumesToTheTotal(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GOTL_CACHE_DIR", filepath.Join(dir, "cache"))
	images := filepath.Join(dir, "images")
	if _, err := dataset.WriteSynthetic(images, dataset.SyntheticOptions{Classes: 2, PerClass: 6, Height: 32, Width: 32, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(dir, "ckpt")
	run := func(steps string, extra ...string) (finetuneSummary, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args := append([]string{"finetune", "--image_dir", images, "--checkpoint_dir", ckpt, "--how_many_training_steps", steps,
			"--train_batch_size", "4", "--eval_step_interval", "2", "--checkpoint_every", "2",
			"--output_graph", filepath.Join(dir, "out.pb"), "--output_labels", filepath.Join(dir, "labels.txt"), "--json"}, extra...)
		if code := runMain(args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
		var s finetuneSummary
		if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
			t.Fatalf("bad JSON %q: %v", stdout.String(), err)
		}
		return s, stderr.String()
	}
	s, log := run("4")
	if s.Steps != 4 || s.GlobalStep != 4 || s.ResumedFrom != "" || strings.Contains(log, "Resumed") || !strings.Contains(log, "steps 1 to 4\n") {
		t.Errorf("fresh run: %d steps to %d, resumed from %q; log:\n%s", s.Steps, s.GlobalStep, s.ResumedFrom, log)
	}
	s, log = run("6")
	from := filepath.Join(ckpt, "model.ckpt-4")
	if s.Steps != 2 || s.GlobalStep != 6 || s.ResumedFrom != from || !strings.Contains(log, "Resumed from step 4 ("+from+")\n") || !strings.Contains(log, "steps 5 to 6\n") {
		t.Errorf("resumed run: %d steps to %d, resumed from %q; log:\n%s", s.Steps, s.GlobalStep, s.ResumedFrom, log)
	}
	s, log = run("6")
	if s.Steps != 0 || s.GlobalStep != 6 || len(s.History) != 0 ||
		!strings.Contains(log, "Skipping training: step 6 reaches --how_many_training_steps 6, which counts resumed steps too\n") {
		t.Errorf("run at its total: %d steps to %d, %d evaluations; log:\n%s", s.Steps, s.GlobalStep, len(s.History), log)
	}
	if err := os.WriteFile(filepath.Join(ckpt, "checkpoint"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ = run("2", "--start_over")
	if s.Steps != 2 || s.GlobalStep != 2 || s.ResumedFrom != "" {
		t.Errorf("--start_over: %d steps to %d, resumed from %q", s.Steps, s.GlobalStep, s.ResumedFrom)
	}
	if st, err := checkpoint.ReadState(ckpt); err != nil || st.ModelCheckpointPath != "model.ckpt-2" {
		t.Errorf("state after --start_over: %+v, %v", st, err)
	}
	// -h says so.
	var stdout, stderr bytes.Buffer
	runMain([]string{"finetune", "-h"}, &stdout, &stderr)
	for _, want := range []string{"-start_over", "training steps in total, resumed ones included, like TF's max_steps"} {
		if !strings.Contains(stderr.String()+stdout.String(), want) {
			t.Errorf("finetune -h lacks %q", want)
		}
	}
}
