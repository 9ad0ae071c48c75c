package retrain

import (
	"os"
	"path/filepath"
	"testing"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/internal/tfdata"
)

// TestExportMatchesRetrainPyGraph takes a graph written by TF for Poets'
// retrain.py (MobileNet v1 0.25/128 + a retrained 6-class layer), removes the
// layer retrain.py added, and exports the layer again onto the remaining
// graph: every added node must equal TensorFlow's, attribute for attribute.
func TestExportMatchesRetrainPyGraph(t *testing.T) {
	dir := tfdata.Path(t, "retrain_poets_mobilenet025_128")
	data, err := os.ReadFile(filepath.Join(dir, "retrained_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	var tf graphpb.GraphDef
	if err := proto.Unmarshal(data, &tf); err != nil {
		t.Fatal(err)
	}
	layer, err := LayerFromGraph(&tf)
	if err != nil {
		t.Fatal(err)
	}
	if layer.Inputs != 1001 || layer.Classes != 6 {
		t.Fatalf("layer %dx%d, want 1001x6", layer.Inputs, layer.Classes)
	}
	const added = 8 // placeholder, 2×(Const, read), MatMul, Add, Softmax
	n := len(tf.Node)
	base := &graphpb.GraphDef{Node: tf.Node[:n-added], Versions: tf.Versions}
	if got := BottleneckInput(base); got != "input_1/BottleneckInputPlaceholder" {
		t.Errorf("BottleneckInput = %q, TF used input_1/BottleneckInputPlaceholder", got)
	}
	out, err := ExportGraph(base, "MobilenetV1/Predictions/Reshape:0", layer, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Node) != n {
		t.Fatalf("exported %d nodes, TF's graph has %d", len(out.Node), n)
	}
	byName := map[string]int{}
	for i, nd := range out.Node[n-added:] {
		byName[nd.Name] = i
	}
	for _, want := range tf.Node[n-added:] {
		i, ok := byName[want.Name]
		if !ok {
			t.Errorf("node %s (%s) missing from the export", want.Name, want.Op)
			continue
		}
		if got := out.Node[n-added+i]; !proto.Equal(got, want) {
			t.Errorf("node %s differs:\n got %v\nwant %v", want.Name, brief(got), brief(want))
		}
	}
}

func brief(m proto.Message) string {
	s := prototext.MarshalOptions{}.Format(m)
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
