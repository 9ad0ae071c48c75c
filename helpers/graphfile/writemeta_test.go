package graphfile

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

func sameMetaGraph(t *testing.T, label string, a, b *MetaGraph) {
	t.Helper()
	if !proto.Equal(a.Graph.Def, b.Graph.Def) {
		t.Errorf("%s: graphs differ", label)
	}
	if !slices.Equal(a.Tags, b.Tags) || !reflect.DeepEqual(a.Info, b.Info) || !reflect.DeepEqual(a.Saver, b.Saver) ||
		!reflect.DeepEqual(a.Signatures, b.Signatures) || !reflect.DeepEqual(a.Collections, b.Collections) || !reflect.DeepEqual(a.Assets, b.Assets) {
		t.Errorf("%s: meta graphs differ:\n%+v\n%+v", label, a, b)
	}
}

// Real TF1 meta graphs and SavedModels survive write → read.
func TestWriteMetaGraphAndSavedModelRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"onnx_regression/checkpoint/model.meta", "serving_session_bundle_v1/00000123/export.meta"} {
		mg, err := LoadMetaGraph(tfdata.Path(t, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, enc := range []Encoding{Binary, Text} {
			p := filepath.Join(dir, strings.ReplaceAll(f, "/", "_")+"."+enc.String())
			if err := mg.WriteFile(p, enc); err != nil {
				t.Fatal(err)
			}
			back, err := LoadMetaGraph(p)
			if err != nil {
				t.Fatal(err)
			}
			sameMetaGraph(t, f+" "+enc.String(), mg, back)
		}
	}
	sm, err := LoadSavedModel(tfdata.Path(t, "serving_half_plus_two_tf1/00000123"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "copy", "00000123")
	if err := WriteSavedModel(out, sm.MetaGraphs...); err != nil {
		t.Fatal(err)
	}
	back, err := LoadSavedModel(out)
	if err != nil {
		t.Fatal(err)
	}
	if back.SchemaVersion != 1 || len(back.MetaGraphs) != 1 {
		t.Fatalf("schema %d, %d meta graphs", back.SchemaVersion, len(back.MetaGraphs))
	}
	sameMetaGraph(t, "SavedModel", sm.MetaGraphs[0], back.MetaGraphs[0])
	if err := WriteSavedModel(out, sm.MetaGraphs...); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("writing over an existing SavedModel: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("temporary directories left behind: %v", entries)
	}
}

// What a retrain export does: serve a frozen retrained graph as a SavedModel
// with an image → prediction signature.
func TestExportFrozenGraphAsSavedModel(t *testing.T) {
	g, err := Load(tfdata.Path(t, "retrain_poets_mobilenet025_128/retrained_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := NewSignature(g, PredictMethod, map[string]string{"image": "input"}, map[string]string{"prediction": "final_result:0"})
	if err != nil {
		t.Fatal(err)
	}
	in, out := sig.Inputs["image"], sig.Outputs["prediction"]
	if in.Name != "input:0" || in.DType != tensor.Float || !slices.Equal(in.Shape.Dims, []int64{1, 128, 128, 3}) {
		t.Errorf("image input %+v", in)
	}
	if out.Name != "final_result:0" || out.DType != tensor.Float || !out.Shape.UnknownRank {
		t.Errorf("prediction output %+v", out)
	}
	dir := filepath.Join(t.TempDir(), "export", "1")
	mg := &MetaGraph{Tags: []string{"serve"}, Graph: g, Signatures: map[string]Signature{"serving_default": sig}}
	if err := WriteSavedModel(dir, mg); err != nil {
		t.Fatal(err)
	}
	sm, err := LoadSavedModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sm.MetaGraph("serve")
	if err != nil {
		t.Fatal(err)
	}
	if got.Graph.Len() != 560 || !reflect.DeepEqual(got.Signatures, mg.Signatures) || sm.HasVariables() {
		t.Errorf("exported model: %d nodes, signatures %+v, variables %v", got.Graph.Len(), got.Signatures, sm.HasVariables())
	}
	if _, err := NewSignature(g, PredictMethod, map[string]string{"image": "inptu:0"}, nil); err == nil || !strings.Contains(err.Error(), `"input"`) {
		t.Errorf("unknown tensor: %v", err)
	}
	if err := WriteSavedModel(filepath.Join(t.TempDir(), "m"), &MetaGraph{Graph: g}); err == nil || !strings.Contains(err.Error(), "no tags") {
		t.Errorf("untagged meta graph: %v", err)
	}
}
