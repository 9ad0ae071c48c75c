// Command graphdef2tfjs writes a frozen GraphDef in TensorFlow.js's
// graph-model layout (model.json + one weights file), so that gen_graphs.js
// can execute the very same graph with tfjs-converter as an independent
// reference. Every Const value moves to the weights file; the nodes are
// TensorFlow's NodeDef messages in protobuf JSON, which is what tfjs's
// modelTopology holds.
//
// Usage: go run ./tools/tfjsref/graphdef2tfjs -graph retrained_graph.pb -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/tensor"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

func main() {
	graphPath := flag.String("graph", "", "frozen GraphDef (.pb/.pbtxt)")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if err := convert(*graphPath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "graphdef2tfjs:", err)
		os.Exit(1)
	}
}

func convert(graphPath, out string) error {
	g, err := graphfile.Load(graphPath)
	if err != nil {
		return err
	}
	// tfjs's executor disposes weights it reaches through Identity nodes
	// (TF1's "weights/read"), so Identity nodes of Consts are bypassed.
	byName := map[string]*nodepb.NodeDef{}
	for _, n := range g.Def.Node {
		byName[n.Name] = n
	}
	constOf := func(ref string) (string, bool) {
		for {
			node, _, control := graphfile.ParseInput(ref)
			n := byName[node]
			if control || n == nil {
				return "", false
			}
			switch n.Op {
			case "Const":
				return n.Name, true
			case "Identity":
				ref = n.Input[0]
			default:
				return "", false
			}
		}
	}
	var nodes []json.RawMessage
	var specs []map[string]any
	var weights []byte
	for _, n := range g.Def.Node {
		if _, ok := constOf(n.Name); ok && n.Op == "Identity" {
			continue
		}
		n = proto.Clone(n).(*nodepb.NodeDef)
		for i, in := range n.Input {
			if c, ok := constOf(in); ok {
				n.Input[i] = c
			}
		}
		if n.Op == "PlaceholderWithDefault" {
			// Unfed, it is its input; tfjs aliases that input without a
			// reference and frees it early, so export it as an Identity.
			n.Op = "Identity"
			n.Attr = map[string]*attrpb.AttrValue{"T": n.Attr["dtype"]}
		}
		if n.Op == "Const" {
			t, err := tensor.FromProto(n.Attr["value"].GetTensor())
			if err != nil {
				return fmt.Errorf("%s: %w", n.Name, err)
			}
			dt := ""
			switch t.DType {
			case tensor.Float:
				dt = "float32"
			case tensor.Int32:
				dt = "int32"
			default:
				return fmt.Errorf("%s: dtype %s not handled", n.Name, t.DType)
			}
			specs = append(specs, map[string]any{"name": n.Name, "shape": t.Shape, "dtype": dt})
			weights = append(weights, t.Data...)
			delete(n.Attr, "value") // the value lives in weights.bin
		}
		b, err := protojson.Marshal(n)
		if err != nil {
			return err
		}
		nodes = append(nodes, b)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	model := map[string]any{
		"format":        "graph-model",
		"generatedBy":   "gotl graphdef2tfjs",
		"modelTopology": map[string]any{"node": nodes, "library": map[string]any{}, "versions": map[string]any{}},
		"weightsManifest": []map[string]any{{
			"paths":   []string{"weights.bin"},
			"weights": specs,
		}},
	}
	mj, err := json.Marshal(model)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "model.json"), mj, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "weights.bin"), weights, 0o644)
}
