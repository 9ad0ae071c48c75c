package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gotl/gotl/internal/tfdata"
)

// inspect runs "gotl inspect ARGS" in-process.
func inspect(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runMain(append([]string{"inspect"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func inspectJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	code, out, errOut := inspect(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("inspect %q: exit %d: %s", args, code, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("inspect %q: bad JSON: %v\n%s", args, err, out)
	}
}

// expectedFacts reads facts[file] of a set's expected.json.
func expectedFacts(t *testing.T, set, file string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(tfdata.Path(t, set, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Facts map[string]map[string]any `json:"facts"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	f, ok := e.Facts[file]
	if !ok {
		t.Fatalf("%s/expected.json has no facts for %s", set, file)
	}
	return f
}

type graphOut struct {
	Kind      string `json:"kind"`
	Encoding  string `json:"encoding"`
	NodeCount int    `json:"node_count"`
	Nodes     []struct {
		Name   string   `json:"name"`
		Op     string   `json:"op"`
		Inputs []string `json:"inputs"`
	} `json:"nodes"`
	OpCounts     map[string]int `json:"op_counts"`
	Placeholders []struct {
		Name  string  `json:"name"`
		DType string  `json:"dtype"`
		Shape []int64 `json:"shape"`
	} `json:"placeholders"`
	Outputs []string `json:"outputs"`
}

type variablesOut map[string]struct {
	DType string  `json:"dtype"`
	Shape []int64 `json:"shape"`
}

// checkGraphJSON compares inspect's graphdef form with expected.json facts.
func checkGraphJSON(t *testing.T, g graphOut, f map[string]any) {
	t.Helper()
	if g.Kind != "graphdef" || float64(g.NodeCount) != f["node_count"] || len(g.Nodes) != g.NodeCount {
		t.Errorf("kind %q, node_count %d, %d nodes; want graphdef, %v", g.Kind, g.NodeCount, len(g.Nodes), f["node_count"])
		return
	}
	if enc, ok := f["encoding"]; ok && g.Encoding != enc {
		t.Errorf("encoding %q, want %v", g.Encoding, enc)
	}
	for i, w := range f["first_nodes"].([]any) {
		w := w.(map[string]any)
		if g.Nodes[i].Name != w["name"] || g.Nodes[i].Op != w["op"] {
			t.Errorf("node %d = %s %s, want %v", i, g.Nodes[i].Name, g.Nodes[i].Op, w)
		}
	}
	last := f["last_nodes"].([]any)
	for i, w := range last {
		w := w.(map[string]any)
		n := g.Nodes[len(g.Nodes)-len(last)+i]
		if n.Name != w["name"] || n.Op != w["op"] {
			t.Errorf("node %s %s, want %v", n.Name, n.Op, w)
		}
	}
	edges := 0
	for _, n := range g.Nodes {
		if n.Inputs == nil {
			t.Errorf("node %s: inputs is null, want a list", n.Name)
		}
		edges += len(n.Inputs)
	}
	if float64(edges) != f["data_input_edges"].(float64)+f["control_input_edges"].(float64) {
		t.Errorf("%d inputs in total, want %v data + %v control", edges, f["data_input_edges"], f["control_input_edges"])
	}
	want := f["op_counts"].(map[string]any)
	if len(g.OpCounts) != len(want) {
		t.Errorf("op_counts %v, want %v", g.OpCounts, want)
	}
	for op, n := range want {
		if float64(g.OpCounts[op]) != n {
			t.Errorf("op_counts[%s] = %d, want %v", op, g.OpCounts[op], n)
		}
	}
	ph := f["placeholders"].([]any)
	if len(g.Placeholders) != len(ph) {
		t.Errorf("placeholders %+v, want %v", g.Placeholders, ph)
	} else {
		for i, w := range ph {
			w := w.(map[string]any)
			p := g.Placeholders[i]
			shapeOK := false
			if w["shape"] == "unknown_rank" {
				shapeOK = p.Shape == nil
			} else if ws, ok := w["shape"].([]any); ok && p.Shape != nil && len(ws) == len(p.Shape) {
				shapeOK = true
				for j := range ws {
					shapeOK = shapeOK && float64(p.Shape[j]) == ws[j]
				}
			}
			if p.Name != w["name"] || p.DType != w["dtype"] || !shapeOK {
				t.Errorf("placeholder %+v, want %v", p, w)
			}
		}
	}
	var sinks []string
	for _, s := range f["sink_nodes"].([]any) {
		sinks = append(sinks, s.(string))
	}
	if !slices.Equal(g.Outputs, sinks) {
		t.Errorf("outputs %q, want %q", g.Outputs, sinks)
	}
}

func checkVariablesJSON(t *testing.T, got variablesOut, f map[string]any) {
	t.Helper()
	want := f["variables"].(map[string]any)
	if len(got) != len(want) {
		t.Errorf("variables %v, want %v", got, want)
	}
	for name, wv := range want {
		w := wv.(map[string]any)
		v, ok := got[name]
		if !ok || v.DType != w["dtype"] || v.Shape == nil || len(v.Shape) != len(w["shape"].([]any)) {
			t.Errorf("variable %s = %+v, want %v", name, v, w)
		}
	}
}

func TestInspectGraphDefJSON(t *testing.T) {
	for _, c := range []struct{ set, file string }{
		{"crystal_graph_twin", "graph.pb"},
		{"crystal_graph_twin", "graph.pbtxt"},
		{"onnx_regression", "graphdef/frozen.pb"},
		{"onnx_lstm_frozen", "frozen.pb"},
		{"retrain_poets_mobilenet025_128", "retrained_graph.pb"},
		{"mobilenet_v1_025_128_quantized", "quantized_graph.pb"},
	} {
		t.Run(c.set+"/"+c.file, func(t *testing.T) {
			var g graphOut
			inspectJSON(t, &g, tfdata.Path(t, c.set, c.file))
			checkGraphJSON(t, g, expectedFacts(t, c.set, c.file))
		})
	}
}

func TestInspectCheckpointJSON(t *testing.T) {
	for _, c := range []struct{ set, path, fact, format string }{
		{"onnx_regression", "checkpoint", "checkpoint/model", "v2"},                                         // directory with a state file
		{"onnx_regression", "checkpoint/model.index", "checkpoint/model", "v2"},                             // index file
		{"serving_half_plus_two_tf1", "00000123/variables/variables", "00000123/variables/variables", "v2"}, // prefix
		{"serving_session_bundle_v1", "00000123/export-00000-of-00001", "00000123/export-00000-of-00001", "v1"},
	} {
		t.Run(c.path, func(t *testing.T) {
			var out struct {
				Kind      string       `json:"kind"`
				Format    string       `json:"format"`
				Variables variablesOut `json:"variables"`
			}
			inspectJSON(t, &out, tfdata.Path(t, c.set)+"/"+c.path)
			if out.Kind != "checkpoint" || out.Format != c.format {
				t.Errorf("kind %q format %q, want checkpoint %s", out.Kind, out.Format, c.format)
			}
			checkVariablesJSON(t, out.Variables, expectedFacts(t, c.set, c.fact))
		})
	}
}

func TestInspectSavedModelJSON(t *testing.T) {
	for _, set := range []string{"serving_half_plus_two_tf1", "serving_half_plus_two_tf2"} {
		t.Run(set, func(t *testing.T) {
			var out struct {
				Kind       string `json:"kind"`
				MetaGraphs []struct {
					Tags       []string `json:"tags"`
					Signatures map[string]struct {
						MethodName string `json:"method_name"`
						Inputs     map[string]struct {
							Name  string  `json:"name"`
							DType string  `json:"dtype"`
							Shape []int64 `json:"shape"`
						} `json:"inputs"`
						Outputs map[string]struct {
							Name  string `json:"name"`
							DType string `json:"dtype"`
						} `json:"outputs"`
					} `json:"signatures"`
					Graph graphOut `json:"graph"`
				} `json:"meta_graphs"`
				Variables variablesOut `json:"variables"`
			}
			inspectJSON(t, &out, tfdata.Path(t, set, "00000123"))
			facts := expectedFacts(t, set, "00000123/saved_model.pb")
			mgFacts := facts["meta_graphs"].([]any)[0].(map[string]any)
			if out.Kind != "saved_model" || len(out.MetaGraphs) != 1 {
				t.Fatalf("kind %q with %d meta graphs", out.Kind, len(out.MetaGraphs))
			}
			mg := out.MetaGraphs[0]
			if !slices.Equal(mg.Tags, []string{"serve"}) {
				t.Errorf("tags %q", mg.Tags)
			}
			sigs := mgFacts["signature_def"].(map[string]any)
			if len(mg.Signatures) != len(sigs) {
				t.Errorf("%d signatures, want %d", len(mg.Signatures), len(sigs))
			}
			for key, sv := range sigs {
				s := sv.(map[string]any)
				got := mg.Signatures[key]
				if got.MethodName != s["method_name"] {
					t.Errorf("%s: method %q, want %v", key, got.MethodName, s["method_name"])
				}
				for k, iv := range s["inputs"].(map[string]any) {
					in := iv.(map[string]any)
					if g := got.Inputs[k]; g.Name != in["name"] || g.DType != in["dtype"] || (in["shape"] == "unknown_rank") != (g.Shape == nil) {
						t.Errorf("%s input %s = %+v, want %v", key, k, g, in)
					}
				}
				for k, ov := range s["outputs"].(map[string]any) {
					o := ov.(map[string]any)
					if g := got.Outputs[k]; g.Name != o["name"] || g.DType != o["dtype"] {
						t.Errorf("%s output %s = %+v, want %v", key, k, g, o)
					}
				}
			}
			checkGraphJSON(t, mg.Graph, mgFacts["graph"].(map[string]any))
			checkVariablesJSON(t, out.Variables, expectedFacts(t, set, "00000123/variables/variables"))
		})
	}
}

func TestInspectMetaGraphJSON(t *testing.T) {
	var out struct {
		Kind  string   `json:"kind"`
		Graph graphOut `json:"graph"`
	}
	inspectJSON(t, &out, tfdata.Path(t, "onnx_regression", "checkpoint", "model.meta"))
	if out.Kind != "meta_graph" {
		t.Errorf("kind %q", out.Kind)
	}
	checkGraphJSON(t, out.Graph, expectedFacts(t, "onnx_regression", "checkpoint/model.meta")["graph"].(map[string]any))
}

type tensorOut struct {
	Name   string  `json:"name"`
	DType  string  `json:"dtype"`
	Shape  []int64 `json:"shape"`
	Values []any   `json:"values"`
}

func TestInspectTensorJSON(t *testing.T) {
	cases := []struct {
		path, name, dtype string
		shape             []int64
		first             []any
		count             int
	}{
		// A checkpoint variable (float32 0.21396178 widened exactly).
		{tfdata.Path(t, "onnx_regression", "checkpoint"), "W", "DT_FLOAT", []int64{}, []any{float64(float32(0.21396178007125854))}, 1},
		// A SavedModel variable, and a Const of its graph (strings).
		{tfdata.Path(t, "serving_half_plus_two_tf1", "00000123"), "c", "DT_FLOAT", []int64{}, []any{3.0}, 1},
		{tfdata.Path(t, "serving_half_plus_two_tf1", "00000123"), "save/SaveV2/tensor_names", "DT_STRING", []int64{5}, []any{"a", "a2", "b", "c", "c2"}, 5},
		// A variable of a .meta graph, read from the checkpoint beside it.
		{tfdata.Path(t, "onnx_regression", "checkpoint", "model.meta"), "b", "DT_FLOAT", []int64{}, []any{float64(float32(1.0495253801345825))}, 1},
		// A V1 checkpoint.
		{tfdata.Path(t, "serving_session_bundle_v1", "00000123", "export-00000-of-00001"), "b", "DT_FLOAT", []int64{}, []any{2.0}, 1},
		// Quantized weights come out as their raw integers.
		{tfdata.Path(t, "mobilenet_v1_025_128_quantized", "quantized_graph.pb"), "MobilenetV1/Logits/Conv2d_1c_1x1/weights/read/_1__cf__1_quantized_const:0",
			"DT_QUINT8", []int64{1, 1, 256, 1001}, []any{88.0, 105.0, 93.0, 94.0, 80.0, 72.0, 70.0, 59.0}, 256256},
		{tfdata.Path(t, "mobilenet_v1_025_128_quantized", "quantized_graph.pb"), "MobilenetV1/Predictions/Shape", "DT_INT32", []int64{2}, []any{1.0, 1001.0}, 2},
	}
	for _, c := range cases {
		var out tensorOut
		inspectJSON(t, &out, c.path, "--tensor", c.name)
		if out.Name != c.name || out.DType != c.dtype || !slices.Equal(out.Shape, c.shape) || len(out.Values) != c.count {
			t.Errorf("--tensor %s: %s %s %v, %d values; want %s %v, %d", c.name, out.Name, out.DType, out.Shape, len(out.Values), c.dtype, c.shape, c.count)
			continue
		}
		for i, want := range c.first {
			if out.Values[i] != want {
				t.Errorf("--tensor %s: value %d = %v, want %v", c.name, i, out.Values[i], want)
			}
		}
	}
	// The quantized tensor's integers add up to expected.json's sum.
	var out tensorOut
	inspectJSON(t, &out, cases[5].path, "--tensor", cases[5].name)
	sum := 0.0
	for _, v := range out.Values {
		sum += v.(float64)
	}
	if sum != 22809899 {
		t.Errorf("quantized weights sum to %v, want 22809899", sum)
	}
}

// The human listing names every node with its op, like the classic script.
func TestInspectListsEveryNode(t *testing.T) {
	path := tfdata.Path(t, "retrain_poets_mobilenet025_128", "retrained_graph.pb")
	code, out, errOut := inspect(t, path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var g graphOut
	inspectJSON(t, &g, path)
	lines := strings.Split(out, "\n")
	i := 0
	for _, n := range g.Nodes {
		for i < len(lines) && !(strings.HasPrefix(lines[i], n.Name+" ") && strings.HasSuffix(lines[i], " "+n.Op)) {
			i++
		}
		if i == len(lines) {
			t.Fatalf("listing lacks %q (%s) in file order", n.Name, n.Op)
		}
	}
	for _, want := range []string{"560 nodes", "input  DT_FLOAT [1,128,128,3]", "input_1/BottleneckInputPlaceholder  DT_FLOAT [?,1001]", "Outputs: final_result"} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q", want)
		}
	}
}

func TestInspectHumanCheckpointAndSavedModel(t *testing.T) {
	code, out, errOut := inspect(t, tfdata.Path(t, "onnx_regression", "checkpoint"))
	if code != 0 || !strings.Contains(out, "checkpoint V2, 2 tensors") || !strings.Contains(out, "W  DT_FLOAT []") || !strings.Contains(out, "b  DT_FLOAT []") {
		t.Errorf("checkpoint listing (exit %d, %s):\n%s", code, errOut, out)
	}
	code, out, errOut = inspect(t, tfdata.Path(t, "serving_half_plus_two_tf1", "00000123"))
	for _, want := range []string{"tag-set: 'serve'", "signature_def['serving_default']", "inputs['x']  DT_FLOAT [?,1]  name: x:0", "outputs['y']  DT_FLOAT [?,1]  name: y:0", "a2  DT_FLOAT []"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("SavedModel listing lacks %q (exit %d, %s):\n%s", want, code, errOut, out)
		}
	}
	code, out, _ = inspect(t, tfdata.Path(t, "onnx_regression", "checkpoint"), "--tensor", "b")
	if code != 0 || !strings.Contains(out, "b  DT_FLOAT []  (1 values)\n1.0495253801345825\n") {
		t.Errorf("--tensor listing:\n%s", out)
	}
}

// copyTo copies files into dir, returning dir.
func copyTo(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Broken files fail with exit status 1 and one line naming the file and
// the problem; nothing panics.
func TestInspectErrors(t *testing.T) {
	ckptDir := tfdata.Path(t, "onnx_regression", "checkpoint")
	dir := t.TempDir()

	truncated := filepath.Join(dir, "truncated.pb")
	good, err := os.ReadFile(tfdata.Path(t, "onnx_lstm_frozen", "frozen.pb"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(truncated, good[:len(good)-5], 0o644) // cut inside the last node

	// A checkpoint whose tensor data is corrupted.
	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o755)
	copyTo(t, bad, ckptDir+"/model.index", ckptDir+"/model.data-00000-of-00001")
	data := filepath.Join(bad, "model.data-00000-of-00001")
	b, _ := os.ReadFile(data)
	b[0] ^= 0xff
	os.WriteFile(data, b, 0o644)

	// A checkpoint with its data shard missing.
	noShard := filepath.Join(dir, "noshard")
	os.Mkdir(noShard, 0o755)
	copyTo(t, noShard, ckptDir+"/model.index")

	// An index file that is not a table.
	badMagic := filepath.Join(dir, "magic")
	os.Mkdir(badMagic, 0o755)
	os.WriteFile(filepath.Join(badMagic, "model.index"), bytes.Repeat([]byte("not a table "), 10), 0o644)

	// A SavedModel directory whose saved_model.pb is garbage.
	badModel := filepath.Join(dir, "model")
	os.Mkdir(badModel, 0o755)
	os.WriteFile(filepath.Join(badModel, "saved_model.pb"), []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}, 0o644)

	cases := []struct {
		args []string
		want []string
	}{
		{[]string{filepath.Join(dir, "missing.pb")}, []string{"missing.pb", "no such file"}},
		{[]string{filepath.Join(dir, "missing")}, []string{"missing", "no such file"}},
		{[]string{truncated}, []string{"truncated.pb", "not a valid GraphDef"}},
		{[]string{bad + "/model", "--tensor", "W"}, []string{"model", "checksum"}},
		{[]string{noShard + "/model"}, []string{"model.data-00000-of-00001"}},
		{[]string{badMagic + "/model"}, []string{"model.index"}},
		{[]string{badModel}, []string{"saved_model.pb", "not a valid SavedModel"}},
		{[]string{ckptDir, "--tensor", "bb"}, []string{`"bb"`, `did you mean "b"`}},
		{[]string{tfdata.Path(t, "onnx_regression", "graphdef", "frozen.pb"), "--tensor", "W/reed"}, []string{"frozen.pb", `"W/read"`}},
		{[]string{tfdata.Path(t, "serving_half_plus_two_tf1", "00000123"), "--tensor", "a3"}, []string{"00000123", `"a"`}},
	}
	for _, c := range cases {
		code, out, errOut := inspect(t, c.args...)
		if code != 1 {
			t.Errorf("inspect %q: exit %d, want 1 (stdout %q)", c.args, code, out)
		}
		if !strings.HasPrefix(errOut, "gotl inspect: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("inspect %q: stderr %q is not one 'gotl inspect:' line", c.args, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("inspect %q: stderr %q lacks %q", c.args, errOut, w)
			}
		}
	}
	if code, _, errOut := inspect(t); code != 2 || !strings.Contains(errOut, "PATH") {
		t.Errorf("no PATH: exit %d, %q", code, errOut)
	}
	if code, _, _ := inspect(t, "a", "b"); code != 2 {
		t.Errorf("two paths: exit %d, want 2", code)
	}
}

// The real binary behaves like runMain.
func TestInspectBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the gotl binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	path := tfdata.Path(t, "onnx_regression", "graphdef", "frozen.pb")
	bin := filepath.Join(t.TempDir(), "gotl")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "inspect", "--json", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	var g graphOut
	if err := json.Unmarshal(out, &g); err != nil || g.NodeCount != 8 || !slices.Equal(g.Outputs, []string{"pred"}) {
		t.Errorf("binary output %s (%v)", out, err)
	}
	cmd := exec.Command(bin, "inspect", path+".missing")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.HasPrefix(stderr.String(), "gotl inspect: ") {
		t.Errorf("missing file: %v, stderr %q", err, stderr.String())
	}
}
