package graphfile

import (
	funcpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/function_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	versionspb "github.com/galeone/tensorflow/tensorflow/go/core/framework/versions_go_proto"
	"google.golang.org/protobuf/proto"
)

// Prune returns the sub-graph that computing outputs needs: the named nodes
// and everything they depend on through data and control inputs, in the
// original file order (tf.compat.v1.graph_util.extract_sub_graph). Output
// names may be tensor names ("softmax:0"). The nodes are copies; the
// function library and versions are kept.
func (g *Graph) Prune(outputs ...string) (*Graph, error) {
	if len(outputs) == 0 {
		return nil, g.errorf("prune: no output nodes given")
	}
	keep := make([]bool, len(g.Def.Node))
	var stack []int
	for _, out := range outputs {
		name, _, _ := ParseInput(out)
		i, ok := g.index[name]
		if !ok {
			return nil, g.errorf("prune: no output node named %q%s", out, suggestSuffix(name, g.NodeNames()))
		}
		if !keep[i] {
			keep[i] = true
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := g.Def.Node[i]
		for _, in := range n.Input {
			name, _, _ := ParseInput(in)
			j, ok := g.index[name]
			if !ok {
				return nil, g.errorf("prune: node %q has input %q, but there is no node %q", n.Name, in, name)
			}
			if !keep[j] {
				keep[j] = true
				stack = append(stack, j)
			}
		}
	}
	def := &graphpb.GraphDef{
		Versions: g.Def.Versions,
		Version:  g.Def.Version,
		Library:  g.Def.Library,
	}
	if def.Versions != nil {
		def.Versions = proto.Clone(def.Versions).(*versionspb.VersionDef)
	}
	if def.Library != nil {
		def.Library = proto.Clone(def.Library).(*funcpb.FunctionDefLibrary)
	}
	for i, n := range g.Def.Node {
		if keep[i] {
			def.Node = append(def.Node, proto.Clone(n).(*nodepb.NodeDef))
		}
	}
	return newGraph(def, g.Source, g.Encoding)
}
