package graphfile

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/graphfile/internal/tfproto"
	"github.com/gotl/gotl/internal/tfdata"
)

// Freezing the regression model's training graph with its checkpoint gives
// the frozen graph tensorflow-onnx produced with TensorFlow: same nodes,
// ops, inputs and constant values.
func TestFreezeMatchesTensorFlowFrozenGraph(t *testing.T) {
	mg, err := LoadMetaGraph(tfdata.Path(t, "onnx_regression/checkpoint/model.meta"))
	if err != nil {
		t.Fatal(err)
	}
	ckpt, err := checkpoint.Open(tfdata.Path(t, "onnx_regression/checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	defer ckpt.Close()
	want, err := Load(tfdata.Path(t, "onnx_regression/graphdef/frozen.pb"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Freeze(mg.Graph, ckpt, "pred")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.NodeNames(), want.NodeNames()) {
		t.Fatalf("frozen nodes %q, want %q", got.NodeNames(), want.NodeNames())
	}
	for i, n := range got.Nodes() {
		w := want.Nodes()[i]
		if n.Op != w.Op || !slices.Equal(n.Input, w.Input) {
			t.Errorf("node %s: %s %q, want %s %q", n.Name, n.Op, n.Input, w.Op, w.Input)
		}
		if n.Op != "Const" {
			continue
		}
		gc, err := got.Const(n.Name)
		if err != nil {
			t.Fatal(err)
		}
		wc, err := want.Const(n.Name)
		if err != nil {
			t.Fatal(err)
		}
		gv, _ := gc.Float32s()
		wv, _ := wc.Float32s()
		if gc.DType != wc.DType || !slices.Equal(gc.Shape, wc.Shape) || !slices.Equal(gv, wv) {
			t.Errorf("Const %s = %v %v %v, want %v %v %v", n.Name, gc.DType, gc.Shape, gv, wc.DType, wc.Shape, wv)
		}
	}
	// And the frozen graph writes and reads back.
	p := t.TempDir() + "/frozen.pb"
	if err := got.WriteFile(p, Binary); err != nil {
		t.Fatal(err)
	}
	if back, err := Load(p); err != nil || back.Len() != got.Len() {
		t.Errorf("reading the frozen graph back: %v", err)
	}
}

// A SavedModel's variables open through the checkpoint package, and
// freezing its serving graph gives constants with the documented values
// (y = 0.5 x + 2).
func TestSavedModelVariablesAndFreeze(t *testing.T) {
	sm, err := LoadSavedModel(tfdata.Path(t, "serving_half_plus_two_tf1/00000123"))
	if err != nil {
		t.Fatal(err)
	}
	vars, err := sm.Variables()
	if err != nil {
		t.Fatal(err)
	}
	defer vars.Close()
	if got := vars.Names(); !slices.Equal(got, []string{"a", "a2", "b", "c", "c2"}) {
		t.Errorf("variables %q", got)
	}
	mg, err := sm.MetaGraph()
	if err != nil {
		t.Fatal(err)
	}
	out := mg.Signatures["serving_default"].Outputs["y"].Name
	f, err := Freeze(mg.Graph, vars, out)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float32{"a": 0.5, "b": 2} {
		c, err := f.Const(name)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := c.Float32s(); len(v) != 1 || v[0] != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
	for _, n := range f.Nodes() {
		if n.Op == "VariableV2" || n.Op == "Assign" {
			t.Errorf("frozen graph still has %s %s", n.Op, n.Name)
		}
	}
	// The TF2 model keeps variables under object-based keys.
	sm2, err := LoadSavedModel(tfdata.Path(t, "serving_half_plus_two_tf2/00000123/saved_model.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sm2.MetaGraphs[0].Assets) != 1 || sm2.AssetPath(sm2.MetaGraphs[0].Assets[0]) != sm2.Dir+"/assets/foo.txt" {
		t.Errorf("assets %+v", sm2.MetaGraphs[0].Assets)
	}
	v2, err := sm2.Variables()
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if !v2.Has("a/.ATTRIBUTES/VARIABLE_VALUE") {
		t.Errorf("TF2 variables %q", v2.Names())
	}
}

// SavedModels and meta graphs may be stored as text (saved_model.pbtxt,
// export_meta_graph(as_text=True)); both read the same as binary.
func TestTextSavedModelAndMetaGraph(t *testing.T) {
	src := tfdata.Path(t, "serving_half_plus_two_tf1/00000123")
	data, err := os.ReadFile(filepath.Join(src, "saved_model.pb"))
	if err != nil {
		t.Fatal(err)
	}
	m := &tfproto.SavedModel{}
	if err := proto.Unmarshal(data, m); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "saved_model.pbtxt"), marshalTextTF(m.ProtoReflect()), 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := LoadSavedModel(src)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := LoadSavedModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	if txt.Encoding != Text || bin.Encoding != Binary || filepath.Base(txt.File) != "saved_model.pbtxt" {
		t.Errorf("encodings %v %v, file %s", bin.Encoding, txt.Encoding, txt.File)
	}
	a, b := bin.MetaGraphs[0], txt.MetaGraphs[0]
	if !proto.Equal(a.Graph.Def, b.Graph.Def) || !reflect.DeepEqual(a.Signatures, b.Signatures) || !reflect.DeepEqual(a.Collections, b.Collections) ||
		!reflect.DeepEqual(a.Saver, b.Saver) || !reflect.DeepEqual(a.Info, b.Info) || !slices.Equal(a.Tags, b.Tags) {
		t.Error("text SavedModel reads differently from its binary original")
	}
	if txt.HasVariables() {
		t.Error("a SavedModel without variables/ claims to have them")
	}
	if _, err := txt.Variables(); err == nil || !strings.Contains(err.Error(), "no variables checkpoint") {
		t.Errorf("Variables of a model without them: %v", err)
	}

	meta := filepath.Join(dir, "model.meta")
	if err := os.WriteFile(meta, marshalTextTF(m.MetaGraphs[0].ProtoReflect()), 0o644); err != nil {
		t.Fatal(err)
	}
	mg, err := LoadMetaGraph(meta)
	if err != nil {
		t.Fatal(err)
	}
	if mg.Graph.Encoding != Text || !proto.Equal(mg.Graph.Def, a.Graph.Def) || !reflect.DeepEqual(mg.Signatures, a.Signatures) {
		t.Error("text meta graph reads differently from its binary original")
	}
	if _, err := LoadSavedModel(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a SavedModel directory") {
		t.Errorf("empty directory: %v", err)
	}
}
