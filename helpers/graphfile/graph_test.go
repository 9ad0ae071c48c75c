package graphfile

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

func TestBinaryAndTextTwinsAreEqual(t *testing.T) {
	bin, err := Load(tfdata.Path(t, "crystal_graph_twin/graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	txt, err := Load(tfdata.Path(t, "crystal_graph_twin/graph.pbtxt"))
	if err != nil {
		t.Fatal(err)
	}
	if bin.Encoding != Binary || txt.Encoding != Text {
		t.Errorf("encodings %v, %v; want binary, text", bin.Encoding, txt.Encoding)
	}
	if !proto.Equal(bin.Def, txt.Def) {
		t.Error("graph.pb and graph.pbtxt decode to different GraphDefs")
	}
}

// Every real graph survives write → read unchanged, in both encodings.
func TestWriteReadRoundTrip(t *testing.T) {
	files := []string{
		"crystal_graph_twin/graph.pb",
		"crystal_graph_twin/graph.pbtxt",
		"onnx_regression/graphdef/frozen.pb",
		"onnx_lstm_frozen/frozen.pb",
		"mobilenet_v1_025_128_quantized/quantized_graph.pb",
	}
	out := t.TempDir()
	for _, f := range files {
		g, err := Load(tfdata.Path(t, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, enc := range []Encoding{Binary, Text} {
			p := filepath.Join(out, strings.ReplaceAll(f, "/", "_")+"."+enc.String())
			if err := g.WriteFile(p, enc); err != nil {
				t.Fatal(err)
			}
			back, err := Load(p)
			if err != nil {
				t.Fatalf("reading back %s: %v", p, err)
			}
			if back.Encoding != enc {
				t.Errorf("%s: written as %v, detected as %v", f, enc, back.Encoding)
			}
			if !proto.Equal(g.Def, back.Def) {
				t.Errorf("%s: %v round trip changed the graph", f, enc)
			}
		}
	}
	// The temporary files of the atomic writes are gone.
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover temporary file %s", e.Name())
		}
	}
}

// TensorFlow serializes fields in number order, as Go does; for a graph
// without attribute-map ordering ambiguity, our bytes equal TF's.
func TestBinaryOutputMatchesTensorFlowBytes(t *testing.T) {
	path := tfdata.Path(t, "onnx_regression/graphdef/frozen.pb")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse(want, path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Marshal(Binary)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("re-encoded %d bytes differ from TensorFlow's %d", len(got), len(want))
	}
}

// Text output is byte-identical to tf.train.write_graph's.
func TestTextOutputMatchesTensorFlow(t *testing.T) {
	path := tfdata.Path(t, "crystal_graph_twin/graph.pbtxt")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load(tfdata.Path(t, "crystal_graph_twin/graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Marshal(Text)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("text output differs from TensorFlow's graph.pbtxt:\n%s", got)
	}
}

func TestPythonFloat(t *testing.T) {
	cases := []struct {
		x    float64
		bits int
		want string
	}{
		{5, 32, "5.0"}, {0.1, 32, "0.1"}, {float64(float32(0.1)), 32, "0.1"}, {1e-5, 64, "1e-05"},
		{0.0001, 64, "0.0001"}, {1e16, 64, "1e+16"}, {123456789, 64, "123456789.0"}, {-2.5e-7, 32, "-2.5e-07"},
		{1.5e300, 64, "1.5e+300"}, {math.Inf(-1), 32, "-inf"}, {0, 32, "0.0"}, {12.25, 64, "12.25"},
	}
	for _, c := range cases {
		if got := pythonFloat(c.x, c.bits); got != c.want {
			t.Errorf("pythonFloat(%v, %d) = %q, want %q", c.x, c.bits, got, c.want)
		}
	}
}

func TestWriteGraphLikeTensorFlow(t *testing.T) {
	g, err := Load(tfdata.Path(t, "crystal_graph_twin/graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "new", "dir")
	p, err := WriteGraph(g, dir, "graph.pbtxt", true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("node {")) || DetectEncoding(b) != Text {
		t.Errorf("text output starts %q", b[:min(20, len(b))])
	}
}

func TestWriteFailureKeepsOldFile(t *testing.T) {
	g, err := Load(tfdata.Path(t, "crystal_graph_twin/graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	err = g.WriteFile(filepath.Join(t.TempDir(), "no-such-dir", "g.pb"), Binary)
	if err == nil || !strings.HasPrefix(err.Error(), "graphfile:") {
		t.Errorf("writing into a missing directory: %v", err)
	}
}

func TestDetectEncoding(t *testing.T) {
	cases := []struct {
		data string
		want Encoding
	}{
		{"node {\n  name: \"a\"\n  op: \"Const\"\n}\n", Text},
		{"# comment\nnode { name: \"é\" op: \"NoOp\" }", Text},
		{"\n\x03abc\x12\x05Const", Binary},
		{"\xff\xfe", Binary},
		{"   \n", Binary},
	}
	for _, c := range cases {
		if got := DetectEncoding([]byte(c.data)); got != c.want {
			t.Errorf("DetectEncoding(%q) = %v, want %v", c.data, got, c.want)
		}
	}
}

// Bad files give one error naming the file and the problem.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, err := os.ReadFile(tfdata.Path(t, "onnx_lstm_frozen/frozen.pb"))
	if err != nil {
		t.Fatal(err)
	}
	dup := &graphpb.GraphDef{Node: []*nodepb.NodeDef{{Name: "a", Op: "NoOp"}, {Name: "a", Op: "NoOp"}}}
	dupBytes, _ := proto.Marshal(dup)
	noOp := &graphpb.GraphDef{Node: []*nodepb.NodeDef{{Name: "a"}}}
	noOpBytes, _ := proto.Marshal(noOp)
	cases := []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing.pb"), "no such file"},
		{write("empty.pb", nil), "empty file"},
		{dir, "is a directory"},
		{filepath.Join(dir, "x.meta"), "use LoadMetaGraph"},
		{tfdata.Path(t, "serving_half_plus_two_tf1/00000123"), "use LoadSavedModel"},
		{write("truncated.pb", good[:len(good)/2]), "not a valid GraphDef (binary protobuf, truncated or corrupt): cannot parse invalid wire-format data"},
		{write("bad.pbtxt", []byte("node { name: \"a\" op: \n")), "not a valid GraphDef (text protobuf)"},
		{write("unknown.pbtxt", []byte("hello: world\n")), ""}, // unknown fields are skipped: an empty graph
		{write("dup.pb", dupBytes), `both named "a"`},
		{write("noop.pb", noOpBytes), `node "a" has no op`},
		{write("junk.pb", []byte{0x78, 0x01, 0x02, 0x03}), "not a valid GraphDef"},
		{write("unknown.pb", []byte{0x78, 0x01}), "not a GraphDef: no node"},
	}
	for _, c := range cases {
		_, err := Load(c.path)
		if c.want == "" {
			if err != nil {
				t.Errorf("Load(%s): %v", filepath.Base(c.path), err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Load(%s) succeeded, want error containing %q", filepath.Base(c.path), c.want)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "graphfile:") || !strings.Contains(msg, c.path) || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("Load(%s) error %q: want one line with the path and %q", filepath.Base(c.path), msg, c.want)
		}
	}
}

// Google's quantized MobileNet predates the dilations attribute: the
// registered default is used.
func TestAttrDefaultsForOldGraphs(t *testing.T) {
	g, err := Load(tfdata.Path(t, "mobilenet_v1_025_128_quantized/quantized_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	n, ok := g.Node("MobilenetV1/MobilenetV1/Conv2d_0/BatchNorm/batchnorm/mul_1:0")
	if !ok || n.Op != "Conv2D" {
		t.Fatalf("conv node not found: %v", n)
	}
	if _, own := n.Attr["dilations"]; own {
		t.Fatal("test premise: this graph's Conv2D has no dilations attribute")
	}
	d, err := n.IntsAttr("dilations")
	if err != nil || !slices.Equal(d, []int64{1, 1, 1, 1}) || !n.HasDefault("dilations") {
		t.Errorf("dilations = %v, %v (default %v); want [1 1 1 1] from the registry", d, err, n.HasDefault("dilations"))
	}
	s, err := n.IntsAttr("strides")
	if err != nil || !slices.Equal(s, []int64{1, 2, 2, 1}) || n.HasDefault("strides") {
		t.Errorf("strides = %v, %v", s, err)
	}
	if _, err := n.IntsAttr("padding"); err == nil || !strings.Contains(err.Error(), "not a list(int)") {
		t.Errorf("padding as ints: %v", err)
	}
	if _, err := n.IntAttr("no_such_attr"); err == nil || !strings.Contains(err.Error(), `no attribute "no_such_attr"`) {
		t.Errorf("missing attribute: %v", err)
	}
	dq, _ := g.Node("MobilenetV1/Conv2d_13_pointwise/weights/read/_4__cf__4")
	if mode, err := dq.StringAttr("mode"); err != nil || mode != "MIN_FIRST" {
		t.Errorf("Dequantize mode %q, %v", mode, err)
	}
	if dt, err := dq.TypeAttr("T"); err != nil || dt != tensor.Quint8 {
		t.Errorf("Dequantize T %v, %v", dt, err)
	}
}

func TestParseInput(t *testing.T) {
	cases := []struct {
		in      string
		node    string
		output  int
		control bool
	}{
		{"a", "a", 0, false},
		{"a:2", "a", 2, false},
		{"^scope/a", "scope/a", -1, true},
		{"split:x", "split:x", 0, false},
	}
	for _, c := range cases {
		n, o, ctl := ParseInput(c.in)
		if n != c.node || o != c.output || ctl != c.control {
			t.Errorf("ParseInput(%q) = %q %d %v", c.in, n, o, ctl)
		}
	}
}

func TestPruneKeepsDependenciesInFileOrder(t *testing.T) {
	g, err := Load(tfdata.Path(t, "crystal_graph_twin/graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.Prune("c:0")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.NodeNames(), []string{"a", "a/read", "b", "b/read", "c"}; !slices.Equal(got, want) {
		t.Errorf("prune to c: %q, want %q", got, want)
	}
	// init depends on the assigns only through control inputs.
	p, err = g.Prune("init")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.NodeNames(), []string{"a/initial_value", "a", "a/Assign", "b/initial_value", "b", "b/Assign", "init"}; !slices.Equal(got, want) {
		t.Errorf("prune to init: %q, want %q", got, want)
	}
	// The pruned graph is a copy.
	p.Def.Node[0].Name = "changed"
	if g.Def.Node[0].Name != "a/initial_value" {
		t.Error("Prune shares nodes with the original graph")
	}
	if _, err := g.Prune("cc"); err == nil || !strings.Contains(err.Error(), `did you mean "c"`) {
		t.Errorf("prune to a missing node: %v", err)
	}
	if _, err := g.Prune(); err == nil {
		t.Error("prune with no outputs succeeded")
	}
}

// mapSource is a VariableSource backed by a map.
type mapSource map[string]*tensor.Tensor

var errNoVar = errors.New("no such variable")

func (m mapSource) Tensor(name string) (*tensor.Tensor, error) {
	if t, ok := m[name]; ok {
		return t, nil
	}
	return nil, errNoVar
}

func scalar(t *testing.T, v float32) *tensor.Tensor {
	t.Helper()
	x, err := tensor.FromFloat32s(nil, []float32{v})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestFreezeVariableV2(t *testing.T) {
	g, err := Load(tfdata.Path(t, "crystal_graph_twin/graph.pbtxt"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Freeze(g, mapSource{"a": scalar(t, 5), "b": scalar(t, 6)}, "c")
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]string{}
	for _, n := range f.Nodes() {
		ops[n.Name] = n.Op
	}
	want := map[string]string{"a": "Const", "a/read": "Identity", "b": "Const", "b/read": "Identity", "c": "Mul"}
	if len(ops) != len(want) {
		t.Errorf("frozen nodes %v, want %v", ops, want)
	}
	for k, v := range want {
		if ops[k] != v {
			t.Errorf("node %s is %q, want %s", k, ops[k], v)
		}
	}
	for name, v := range map[string]float32{"a": 5, "b": 6} {
		c, err := f.Const(name)
		if err != nil {
			t.Fatal(err)
		}
		if x, _ := c.Float32s(); len(x) != 1 || x[0] != v || len(c.Shape) != 0 {
			t.Errorf("frozen %s = %v %v, want scalar %v", name, c.Shape, x, v)
		}
	}
	// The source graph is unchanged.
	if n, _ := g.Node("a"); n.Op != "VariableV2" {
		t.Errorf("Freeze changed the input graph: a is %s", n.Op)
	}
	// Errors: missing value, wrong dtype, wrong shape.
	if _, err := Freeze(g, mapSource{"a": scalar(t, 5)}, "c"); !errors.Is(err, errNoVar) || !strings.Contains(err.Error(), `variable "b"`) {
		t.Errorf("missing variable: %v", err)
	}
	i, _ := tensor.FromInt32s(nil, []int32{1})
	if _, err := Freeze(g, mapSource{"a": scalar(t, 5), "b": i}, "c"); err == nil || !strings.Contains(err.Error(), "DT_INT32") {
		t.Errorf("dtype mismatch: %v", err)
	}
	v2, _ := tensor.FromFloat32s([]int64{2}, []float32{1, 2})
	if _, err := Freeze(g, mapSource{"a": scalar(t, 5), "b": v2}, "c"); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("shape mismatch: %v", err)
	}
}

// A TF2-style resource variable: VarHandleOp → Identity (resource) →
// ReadVariableOp → consumer.
func TestFreezeResourceVariable(t *testing.T) {
	typ := func(dt tensor.DType) *attrpb.AttrValue { return attrType(dt) }
	def := &graphpb.GraphDef{Node: []*nodepb.NodeDef{
		{Name: "x", Op: "Placeholder", Attr: map[string]*attrpb.AttrValue{"dtype": typ(tensor.Float)}},
		{Name: "out", Op: "Mul", Input: []string{"x", "w/Read/ReadVariableOp"}, Attr: map[string]*attrpb.AttrValue{"T": typ(tensor.Float)}},
		{Name: "w/Read/ReadVariableOp", Op: "ReadVariableOp", Input: []string{"w/handle_copy"}, Attr: map[string]*attrpb.AttrValue{"dtype": typ(tensor.Float)}},
		{Name: "w/handle_copy", Op: "Identity", Input: []string{"w"}, Attr: map[string]*attrpb.AttrValue{"T": typ(tensor.Resource)}},
		{Name: "w", Op: "VarHandleOp", Attr: map[string]*attrpb.AttrValue{
			"dtype": typ(tensor.Float), "shared_name": attrString("weights"),
			"shape": {Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto([]int64{2})}},
		}},
		{Name: "w/Assign", Op: "AssignVariableOp", Input: []string{"w", "x"}},
	}}
	g, err := NewGraph(def)
	if err != nil {
		t.Fatal(err)
	}
	val, _ := tensor.FromFloat32s([]int64{2}, []float32{3, 4})
	f, err := Freeze(g, mapSource{"weights" + tf2Suffix: val}, "out")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.NodeNames(); !slices.Equal(got, []string{"x", "out", "w/Read/ReadVariableOp", "w/handle_copy", "w"}) {
		t.Errorf("frozen nodes %q", got)
	}
	read, _ := f.Node("w/Read/ReadVariableOp")
	if dt, err := read.TypeAttr("T"); read.Op != "Identity" || err != nil || dt != tensor.Float {
		t.Errorf("ReadVariableOp became %s with T %v (%v)", read.Op, dt, err)
	}
	cp, _ := f.Node("w/handle_copy")
	if dt, _ := cp.TypeAttr("T"); dt != tensor.Float {
		t.Errorf("resource Identity has T %v, want DT_FLOAT", dt)
	}
	c, err := f.Const("w")
	if err != nil {
		t.Fatal(err)
	}
	if x, _ := c.Float32s(); !slices.Equal(x, []float32{3, 4}) {
		t.Errorf("w = %v", x)
	}
}

func TestConstErrorsSuggestNames(t *testing.T) {
	g, err := Load(tfdata.Path(t, "onnx_regression/graphdef/frozen.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Const("W/reed"); err == nil || !strings.Contains(err.Error(), `"W/read"`) {
		t.Errorf("Const of a misspelled name: %v", err)
	}
	if _, err := g.Const("Mul"); err == nil || !strings.Contains(err.Error(), "is a Mul, not a Const") {
		t.Errorf("Const of a Mul: %v", err)
	}
	if c, err := g.Const("W:0"); err != nil || c.DType != tensor.Float {
		t.Errorf("Const(W:0) = %v, %v", c, err)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"final_result", "final_training_ops/weights/final_weights", "input", "MobilenetV1/Logits/Conv2d_1c_1x1/weights"}
	if got := Suggest("final_reslt", names, 2); len(got) == 0 || got[0] != "final_result" {
		t.Errorf("Suggest(final_reslt) = %q", got)
	}
	if got := Suggest("final_weights", names, 3); len(got) == 0 || got[0] != "final_training_ops/weights/final_weights" {
		t.Errorf("Suggest(final_weights) = %q", got)
	}
	if got := Suggest("zzzzzzzzzz", names, 3); len(got) != 0 {
		t.Errorf("Suggest(zzz) = %q, want nothing", got)
	}
}

// A few bytes cannot make Const allocate gigabytes: a short value list may
// expand only up to limits.TensorElements elements.
func TestHostileConstIsBounded(t *testing.T) {
	text := `node { name: "big" op: "Const" attr { key: "value" value { tensor {
	  dtype: DT_FLOAT tensor_shape { dim { size: 1000000 } dim { size: 1000000 } } float_val: 1 } } } }
node { name: "huge_strings" op: "Const" attr { key: "value" value { tensor {
	  dtype: DT_STRING tensor_shape { dim { size: 100000000 } } string_val: "x" } } } }
node { name: "ok" op: "Const" attr { key: "value" value { tensor {
	  dtype: DT_FLOAT tensor_shape { dim { size: 1000 } dim { size: 1000 } } float_val: 0 } } } }`
	if len(text) > 1024 {
		t.Fatalf("test premise: the hostile file should be under 1 KiB, is %d bytes", len(text))
	}
	g, err := Parse([]byte(text), "hostile.pbtxt")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"big", "huge_strings"} {
		if _, err := g.Const(name); err == nil || !errors.Is(err, limits.ErrExceeded) || !strings.HasPrefix(err.Error(), `graphfile: hostile.pbtxt: node "`+name+`" (Const) attribute "value": tensor: `) {
			t.Errorf("Const(%s): %v", name, err)
		}
	}
	// 4 MB of zeros from one value is what real graphs do; it is allowed.
	c, err := g.Const("ok")
	if err != nil || c.NumElements() != 1e6 {
		t.Errorf("Const(ok) = %v, %v", c, err)
	}
}
