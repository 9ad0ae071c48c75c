package main

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/zoo"
	"github.com/gotl/gotl/internal/tfdata"
)

// runFetch runs gotl run with args and returns the values of fetch.
func runFetch(t *testing.T, fetch string, args ...string) []float64 {
	t.Helper()
	code, out, errOut := runGotl(t, append(append([]string{"run"}, args...), "--fetch", fetch, "--json")...)
	if code != 0 {
		t.Fatalf("gotl run %v: exit %d: %s", args, code, errOut)
	}
	var res runOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return res.Outputs[fetch].Values
}

func sameValues(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: value %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestFreezeRegressionLikeTensorFlow freezes tensorflow-onnx's regression
// model (TF 1.11 .meta and V2 checkpoint) and compares with the frozen.pb
// TensorFlow wrote from the same model.
func TestFreezeRegressionLikeTensorFlow(t *testing.T) {
	dir := tfdata.Path(t, "onnx_regression")
	meta, ckpt := filepath.Join(dir, "checkpoint", "model.meta"), filepath.Join(dir, "checkpoint", "model")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "frozen.pb")
	code, text, errOut := runGotl(t, "freeze", "--input_meta_graph", meta, "--input_checkpoint", ckpt,
		"--output_node_names", "pred", "--output_graph", out)
	if code != 0 || !strings.Contains(text, "8 ops") {
		t.Fatalf("exit %d: %s%s", code, text, errOut)
	}
	ours, err := graphfile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	tfs, err := graphfile.Load(filepath.Join(dir, "graphdef", "frozen.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if ours.Encoding != graphfile.Binary || ours.Len() != tfs.Len() {
		t.Fatalf("%s graph of %d nodes, TensorFlow's has %d", ours.Encoding, ours.Len(), tfs.Len())
	}
	for _, n := range tfs.Nodes() {
		o, ok := ours.Node(n.Name)
		if !ok || o.Op != n.Op {
			t.Errorf("node %s (%s): ours %v %s", n.Name, n.Op, ok, o.Op)
			continue
		}
		if n.Op == "Const" {
			a, _ := ours.Const(n.Name)
			b, _ := tfs.Const(n.Name)
			av, _ := a.Float32s()
			bv, _ := b.Float32s()
			if len(av) != 1 || av[0] != bv[0] {
				t.Errorf("constant %s: %v, TensorFlow froze %v", n.Name, av, bv)
			}
		}
	}
	x := writeFile(t, tmp, "x.json", `{"dtype":"float32","shape":[4],"values":[1,-2,0.5,3e3]}`)
	want := runFetch(t, "pred:0", filepath.Join(dir, "graphdef", "frozen.pb"), "--feed", "X:0="+x)
	sameValues(t, "frozen by gotl", runFetch(t, "pred:0", out, "--feed", "X:0="+x), want)
	sameValues(t, "gotl run --meta", runFetch(t, "pred:0", "--meta", meta, "--checkpoint", ckpt, "--feed", "X:0="+x), want)

	// The meta graph's GraphDef as a text --input_graph, written as text,
	// with b left a variable.
	mg, err := graphfile.LoadMetaGraph(meta)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(tmp, "graph.pbtxt")
	if err := mg.Graph.WriteFile(in, graphfile.Text); err != nil {
		t.Fatal(err)
	}
	txt := filepath.Join(tmp, "frozen.pbtxt")
	if code, _, errOut := runGotl(t, "freeze", "--input_graph", in, "--input_checkpoint", ckpt, "--output_node_names", "pred",
		"--output_graph", txt, "--variable_names_blacklist", "b"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	g, err := graphfile.Load(txt)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := g.Node("W")
	b, _ := g.Node("b")
	if g.Encoding != graphfile.Text || w.Op != "Const" || b.Op != "VariableV2" {
		t.Errorf("%s output with W a %s and b a %s, want text, Const, VariableV2", g.Encoding, w.Op, b.Op)
	}
}

// TestFreezeTinyNet freezes TinyNet's variables GraphDef with its checkpoint:
// the result computes what TinyNet's own frozen graph computes.
func TestFreezeTinyNet(t *testing.T) {
	files, err := zoo.TinyNet()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	out := filepath.Join(tmp, "tiny.pb")
	if code, _, errOut := runGotl(t, "freeze", "--input_graph", files.Graph, "--input_checkpoint", files.Checkpoint,
		"--output_node_names", strings.TrimSuffix(zoo.TinyNetInfo.Output, ":0"), "--output_graph", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rng := rand.New(rand.NewSource(3))
	vals := make([]string, 2*32*32*3)
	for i := range vals {
		vals[i] = fmtFloat(rng.Float64()*2 - 1)
	}
	x := writeFile(t, tmp, "x.json", `{"dtype":"float32","shape":[2,32,32,3],"values":[`+strings.Join(vals, ",")+`]}`)
	want := runFetch(t, zoo.TinyNetInfo.Output, files.Frozen, "--feed", zoo.TinyNetInfo.Input+"="+x)
	sameValues(t, "TinyNet frozen by gotl", runFetch(t, zoo.TinyNetInfo.Output, out, "--feed", zoo.TinyNetInfo.Input+"="+x), want)
}

func fmtFloat(f float64) string {
	b, _ := json.Marshal(float32(f))
	return string(b)
}

func TestFreezeErrors(t *testing.T) {
	dir := tfdata.Path(t, "onnx_regression")
	meta := filepath.Join(dir, "checkpoint", "model.meta")
	out := filepath.Join(t.TempDir(), "f.pb")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--input_meta_graph", meta, "--input_checkpoint", "/nonexistent/model", "--output_node_names", "pred", "--output_graph", out}, "doesn't exist"},
		{[]string{"--input_meta_graph", meta, "--input_checkpoint", filepath.Join(dir, "checkpoint", "model"), "--output_graph", out}, "--output_node_names"},
		{[]string{"--input_meta_graph", meta, "--input_graph", meta, "--input_checkpoint", "x", "--output_node_names", "pred", "--output_graph", out}, "exactly one"},
		{[]string{"--input_meta_graph", meta, "--input_checkpoint", filepath.Join(dir, "checkpoint", "model"), "--output_node_names", "prediction", "--output_graph", out}, "prediction"},
	} {
		code, _, errOut := runGotl(t, append([]string{"freeze"}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, %q (want one line about %q)", c.args, code, errOut, c.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed freeze wrote its output")
	}
}

// TestFreezeSavedModel freezes TF-Serving's half_plus_two SavedModel (its
// variables checkpoint by default): y = 0.5·x + 2.
func TestFreezeSavedModel(t *testing.T) {
	dir := tfdata.Path(t, "serving_half_plus_two_tf1", "00000123")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "frozen.pb")
	if code, _, errOut := runGotl(t, "freeze", "--input_saved_model_dir", dir, "--saved_model_tags", "serve",
		"--output_node_names", "y,y3", "--output_graph", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	g, err := graphfile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := g.OpCounts()["VariableV2"]; n != 0 {
		t.Errorf("%d variables left in the frozen graph", n)
	}
	x := writeFile(t, tmp, "x.json", `{"dtype":"float32","shape":[3,1],"values":[1,2,-6]}`)
	sameValues(t, "half_plus_two", runFetch(t, "y:0", out, "--feed", "x:0="+x), []float64{2.5, 3, -1})
}
