package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/tensor"
)

// retrainFixture writes a synthetic image folder and a random conv net
// GraphDef (input 24x24, bottleneck pool/Mean:0) into a temp dir.
func retrainFixture(t *testing.T) (imageDir, graphPath string) {
	t.Helper()
	dir := t.TempDir()
	imageDir = filepath.Join(dir, "images")
	if _, err := dataset.WriteSynthetic(imageDir, dataset.SyntheticOptions{Classes: 3, PerClass: 30, Height: 28, Width: 28, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	def, err := bottleneck.RandomConvNet(bottleneck.ConvNetOptions{Height: 24, Width: 24, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := proto.Marshal(def)
	graphPath = filepath.Join(dir, "net.pb")
	if err := os.WriteFile(graphPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return imageDir, graphPath
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runMain(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestBottlenecksCommandColdThenWarm(t *testing.T) {
	images, graph := retrainFixture(t)
	cache := filepath.Join(t.TempDir(), "cache")
	text := filepath.Join(t.TempDir(), "text")
	args := []string{"bottlenecks", "--graph", graph, "--input_tensor", "input:0", "--bottleneck_tensor", "pool/Mean:0",
		"--input_mean", "127.5", "--input_std", "127.5", "--image_dir", images, "--bottleneck_dir", cache, "--json"}
	var sum struct {
		Images int
		Cache  map[string]int
	}
	out, errOut, code := run(t, append(args, "--export_text", text)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Images != 90 || sum.Cache["misses"] != 90 || sum.Cache["written"] != 90 {
		t.Fatalf("cold run summary %s (%v)", out, err)
	}
	if _, err := os.Stat(filepath.Join(text, "red_disc", "red_disc_0000.png.txt")); err != nil {
		t.Errorf("text export: %v", err)
	}
	out, _, _ = run(t, args...)
	json.Unmarshal([]byte(out), &sum)
	if sum.Cache["hits"] != 90 || sum.Cache["misses"] != 0 {
		t.Errorf("warm run: %s", out)
	}
	// Text bottlenecks imported into a fresh cache are hits.
	args[len(args)-2] = filepath.Join(t.TempDir(), "cache2")
	out, errOut, code = run(t, append(args, "--import_text", text)...)
	json.Unmarshal([]byte(out), &sum)
	if code != 0 || sum.Cache["hits"] != 90 {
		t.Errorf("import text: %d %s %s", code, out, errOut)
	}
	// Input size comes from the placeholder; a wrong tensor is a clear error.
	_, errOut, code = run(t, "bottlenecks", "--graph", graph, "--input_tensor", "input:0", "--bottleneck_tensor", "nope:0", "--image_dir", images, "--bottleneck_dir", cache)
	if code != 1 || !strings.Contains(errOut, "gotl bottlenecks:") || !strings.Contains(errOut, "nope") {
		t.Errorf("unknown tensor: exit %d, %q", code, errOut)
	}
	// Without --graph, the offline TinyNet is the model, with its own input,
	// bottleneck and preprocessing.
	t.Setenv("GOTL_CACHE_DIR", t.TempDir())
	out, errOut, code = run(t, "bottlenecks", "--image_dir", images, "--bottleneck_dir", filepath.Join(t.TempDir(), "tiny"), "--json")
	sum.Cache = nil
	if err := json.Unmarshal([]byte(out), &sum); code != 0 || err != nil || sum.Images != 90 || sum.Cache["misses"] != 90 {
		t.Errorf("TinyNet default: exit %d, %s %s", code, out, errOut)
	}
	if !strings.Contains(out, "tinynet") || !strings.Contains(out, `"vector_size": 64`) {
		t.Errorf("TinyNet default: summary does not show TinyNet's graph and 64-value bottlenecks: %s", out)
	}
}

func TestRetrainCommand(t *testing.T) {
	images, graph := retrainFixture(t)
	outDir := t.TempDir()
	outGraph := filepath.Join(outDir, "output_graph.pb")
	labels := filepath.Join(outDir, "output_labels.txt")
	ckpt := filepath.Join(outDir, "_retrain_checkpoint")
	base := []string{"retrain", "--graph", graph, "--input_tensor", "input:0", "--bottleneck_tensor", "pool/Mean:0",
		"--input_mean", "127.5", "--input_std", "127.5", "--image_dir", images, "--bottleneck_dir", filepath.Join(outDir, "bn"),
		"--output_graph", outGraph, "--output_labels", labels, "--eval_step_interval", "50", "--train_batch_size", "30"}
	out, errOut, code := run(t, append(base, "--how_many_training_steps", "200", "--learning_rate", "0.05",
		"--optimizer", "Adam", "--checkpoint_path", ckpt, "--print_misclassified_test_images", "--json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s retrainSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("summary %q: %v", out, err)
	}
	if s.Steps != 200 || len(s.History) != 5 || s.TestAccuracy == nil || *s.TestAccuracy < 0.7 || s.Cache["misses"] != 90 {
		t.Errorf("summary: %+v", s)
	}
	if !strings.Contains(errOut, "Step 199: Validation accuracy") || !strings.Contains(errOut, "Final test accuracy") {
		t.Errorf("progress lines missing from stderr: %s", errOut)
	}
	lab, _ := os.ReadFile(labels)
	if string(lab) != "blue hstripes\ngreen square\nred disc\n" {
		t.Errorf("labels %q", lab)
	}
	layer, err := retrain.LoadCheckpoint(ckpt)
	if err != nil || layer.Inputs != 32 || layer.Classes != 3 {
		t.Fatalf("checkpoint: %v", err)
	}
	// The exported graph runs from an image to final_result and agrees with
	// the checkpointed layer on the bottleneck.
	g, err := graphrun.Load(outGraph)
	if err != nil {
		t.Fatal(err)
	}
	m, err := graphrun.NewModel(g, []string{"input:0"}, []string{"final_result:0", "pool/Mean:0"})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := dataset.Load(filepath.Join(images, "red_disc", "red_disc_0003.png"))
	in := dataset.Preprocess{Height: 24, Width: 24, Mean: 127.5, Std: 127.5}.Apply(img)
	x, _ := tensor.FromFloat32s([]int64{1, 24, 24, 3}, in.Pix)
	outs, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	probs, _ := outs[0].Float32s()
	bn, _ := outs[1].Float32s()
	want := layer.Probabilities(bn)
	for c := range want {
		if d := probs[c] - want[c]; d > 1e-5 || d < -1e-5 {
			t.Errorf("class %d: graph %v, checkpoint layer %v", c, probs[c], want[c])
		}
	}

	// gotl classify (label_image.py semantics) runs the exported graph and
	// ranks the same class first.
	best := 0
	for c := range want {
		if want[c] > want[best] {
			best = c
		}
	}
	out, errOut, code = run(t, "classify", "--graph", outGraph, "--labels", labels, "--image", filepath.Join(images, "red_disc", "red_disc_0003.png"),
		"--input_layer", "input", "--input_height", "24", "--input_width", "24", "--input_mean", "127.5", "--input_std", "127.5", "--json")
	if code != 0 {
		t.Fatalf("classify: exit %d: %s", code, errOut)
	}
	var cl struct {
		Top []struct {
			Label string
			Index int
			Score float32
		}
	}
	if err := json.Unmarshal([]byte(out), &cl); err != nil || len(cl.Top) == 0 {
		t.Fatalf("classify output %q: %v", out, err)
	}
	if cl.Top[0].Index != best || cl.Top[0].Label != strings.Split(string(lab), "\n")[best] {
		t.Errorf("classify ranks %+v first; the layer ranks class %d", cl.Top[0], best)
	}

	// Warm cache, and distortions bypass it for training images.
	out, errOut, code = run(t, append(base, "--how_many_training_steps", "3", "--random_brightness", "10", "--flip_left_right", "--random_crop", "10", "--json")...)
	if code != 0 {
		t.Fatalf("distorted: exit %d: %s", code, errOut)
	}
	json.Unmarshal([]byte(out), &s)
	if !s.Distorted || s.Cache["misses"] != 0 || s.Cache["hits"] >= 90 || s.Cache["hits"] == 0 {
		t.Errorf("distorted run should read only validation+test bottlenecks from the cache: %+v", s.Cache)
	}

	for _, bad := range [][]string{
		{"retrain", "--graph", graph},
		{"retrain", "--graph", graph, "--image_dir", images, "--optimizer", "Nope"},
		{"retrain", "--graph", graph, "--image_dir", images, "--random_crop", "-5"},
	} {
		if _, _, code := run(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

// A graph retrained before cannot take another final layer: gotl retrain
// says so before computing any bottleneck, not after training.
func TestRetrainRefusesARetrainedGraphFirst(t *testing.T) {
	images, graph := retrainFixture(t)
	outDir := t.TempDir()
	retrained := filepath.Join(outDir, "output_graph.pb")
	args := func(graph, bn string) []string {
		return []string{"retrain", "--graph", graph, "--input_tensor", "input:0", "--bottleneck_tensor", "pool/Mean:0",
			"--input_mean", "127.5", "--input_std", "127.5", "--image_dir", images, "--bottleneck_dir", bn,
			"--output_graph", retrained, "--output_labels", filepath.Join(outDir, "labels.txt"), "--how_many_training_steps", "10"}
	}
	if _, errOut, code := run(t, args(graph, filepath.Join(outDir, "bn1"))...); code != 0 {
		t.Fatalf("first retrain: exit %d: %s", code, errOut)
	}
	bn2 := filepath.Join(outDir, "bn2")
	_, errOut, code := run(t, args(retrained, bn2)...)
	if code == 0 || !strings.Contains(errOut, `already has a node "final_training_ops/weights/final_weights"`) {
		t.Fatalf("retraining a retrained graph: exit %d, %s", code, errOut)
	}
	if entries, err := os.ReadDir(bn2); err == nil && len(entries) > 0 {
		t.Errorf("bottlenecks were computed (%d entries in %s) before the graph was refused", len(entries), bn2)
	}
	if strings.Contains(errOut, "Step ") {
		t.Errorf("training ran before the graph was refused:\n%s", errOut)
	}
}
