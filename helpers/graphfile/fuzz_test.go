package graphfile

import (
	"os"
	"path/filepath"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/internal/tfdata"
	"google.golang.org/protobuf/proto"
)

// Run a target with, for example:
//
//	go test -run XXX -fuzz '^FuzzParseGraphDef$' -fuzztime 30s -fuzzminimizetime 2s ./helpers/graphfile/
//
// A short -fuzzminimizetime matters: minimizing a new 20 KB meta graph input
// takes the default 60 s, during which the exec counter stands still.

// addSeeds adds the small real files of the shared test data (when present)
// and a few hand-made inputs to the fuzz corpus.
func addSeeds(f *testing.F, files ...string) {
	// Expanding constants of up to 2^26 elements is correct but slow under
	// the fuzzer's instrumentation; 2^18 exercises the same code.
	prev := limits.TensorElements.Set(1 << 18)
	f.Cleanup(func() { limits.TensorElements.Set(prev) })
	if dir, _ := tfdata.Find(); dir != "" {
		for _, name := range files {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				f.Add(b)
			}
		}
	}
	tiny := &graphpb.GraphDef{Node: []*nodepb.NodeDef{
		{Name: "x", Op: "Placeholder", Attr: map[string]*attrpb.AttrValue{"dtype": attrType(1), "shape": attrUnknownShape()}},
		{Name: "w", Op: "Const", Attr: map[string]*attrpb.AttrValue{"dtype": attrType(1)}},
		{Name: "y", Op: "MatMul", Input: []string{"x", "w:0", "^x"}, Attr: map[string]*attrpb.AttrValue{"T": attrType(1)}},
	}}
	b, _ := proto.Marshal(tiny)
	f.Add(b)
	f.Add(marshalTextTF(tiny.ProtoReflect()))
	f.Add([]byte("node { name: \"a\" op: \"Const\" attr { key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } } float_val: 1 } } } }"))
}

// exerciseGraph calls every read-only accessor; none may panic, and the
// graph must survive both encodings.
func exerciseGraph(t *testing.T, g *Graph) {
	g.NodeNames()
	g.OpCounts()
	g.Placeholders()
	outs := g.Outputs()
	for _, n := range g.Nodes() {
		n.DataInputs()
		n.ControlInputs()
		for name := range n.Attr {
			n.IntsAttr(name)
			n.ShapeAttr(name)
			n.StringAttr(name)
			n.TypeAttr(name)
		}
		if n.Op == "Const" {
			g.Const(n.Name) // bounded by limits.TensorElements; errors are fine
		}
	}
	if len(outs) > 0 {
		g.Prune(outs...)
		Freeze(g, mapSource{}, outs...)
	}
	for _, enc := range []Encoding{Binary, Text} {
		b, err := g.Marshal(enc)
		if err != nil {
			t.Fatalf("re-encoding a parsed graph as %v: %v", enc, err)
		}
		if g.Len() == 0 {
			continue // Parse refuses node-less graphs made of unknown fields only
		}
		back, err := Parse(b, "re-encoded")
		if err != nil {
			t.Fatalf("parsing our own %v output: %v", enc, err)
		}
		if back.Len() != g.Len() {
			t.Fatalf("%v round trip: %d nodes, want %d", enc, back.Len(), g.Len())
		}
		for i, n := range back.Def.Node {
			if n.Name != g.Def.Node[i].Name || n.Op != g.Def.Node[i].Op {
				t.Fatalf("%v round trip changed node %d: %q %q", enc, i, n.Name, n.Op)
			}
		}
	}
}

func FuzzParseGraphDef(f *testing.F) {
	addSeeds(f, "crystal_graph_twin/graph.pb", "crystal_graph_twin/graph.pbtxt", "onnx_regression/graphdef/frozen.pb")
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Parse(data, "fuzz")
		if err != nil {
			return
		}
		exerciseGraph(t, g)
	})
}

func FuzzParseMetaGraph(f *testing.F) {
	addSeeds(f, "onnx_regression/checkpoint/model.meta", "serving_session_bundle_v1/00000123/export.meta")
	f.Fuzz(func(t *testing.T, data []byte) {
		mg, err := ParseMetaGraph(data, "fuzz")
		if err != nil {
			return
		}
		exerciseGraph(t, mg.Graph)
	})
}

func FuzzParseSavedModel(f *testing.F) {
	addSeeds(f, "serving_half_plus_two_tf1/00000123/saved_model.pb", "serving_half_plus_two_tf2/00000123/saved_model.pb")
	f.Fuzz(func(t *testing.T, data []byte) {
		sm, err := parseSavedModel(data, "dir", "fuzz")
		if err != nil {
			return
		}
		sm.MetaGraph()
		for _, mg := range sm.MetaGraphs {
			exerciseGraph(t, mg.Graph)
		}
	})
}
