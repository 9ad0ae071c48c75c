package graphrun

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// maxGraphBytes bounds the GraphDef files Load reads (protobuf's own 2 GiB limit).
const maxGraphBytes = 2 << 30

// Graph is a TensorFlow GraphDef indexed by node name, ready to be converted
// into GoMLX computations with NewModel. A Graph is read-only after
// construction and may be shared by several Models.
type Graph struct {
	def   *graphpb.GraphDef
	nodes map[string]*nodepb.NodeDef
}

// Load reads a frozen GraphDef: binary protobuf (.pb) or, when the name ends
// in .pbtxt or .txt, text format.
func Load(path string) (*Graph, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("graphrun: %w", err)
	}
	if st.Size() > maxGraphBytes {
		return nil, fmt.Errorf("graphrun: %s: %d bytes is larger than a GraphDef can be (2 GiB)", path, st.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("graphrun: %w", err)
	}
	def := &graphpb.GraphDef{}
	if strings.HasSuffix(path, ".pbtxt") || strings.HasSuffix(path, ".txt") {
		err = prototext.Unmarshal(data, def)
	} else {
		err = proto.Unmarshal(data, def)
	}
	if err != nil {
		return nil, fmt.Errorf("graphrun: %s is not a GraphDef: %v", path, err)
	}
	g, err := FromGraphDef(def)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return g, nil
}

// FromGraphDef indexes def. It fails on duplicate or empty node names and on
// inputs that name nodes missing from the graph.
func FromGraphDef(def *graphpb.GraphDef) (*Graph, error) {
	if def == nil {
		return nil, fmt.Errorf("graphrun: nil GraphDef")
	}
	if len(def.GetLibrary().GetFunction()) > 0 {
		// Functions are only reached through call ops, which NewModel reports
		// as unsupported if a fetch needs them; the rest of the graph still runs.
	}
	g := &Graph{def: def, nodes: make(map[string]*nodepb.NodeDef, len(def.Node))}
	for _, n := range def.Node {
		if n.Name == "" {
			return nil, fmt.Errorf("graphrun: a node of op %q has no name", n.Op)
		}
		if _, dup := g.nodes[n.Name]; dup {
			return nil, fmt.Errorf("graphrun: node name %q appears twice", n.Name)
		}
		g.nodes[n.Name] = n
	}
	for _, n := range def.Node {
		for _, in := range n.Input {
			ref, err := parseInput(in)
			if err != nil {
				return nil, fmt.Errorf("graphrun: node %q: %v", n.Name, err)
			}
			if _, ok := g.nodes[ref.node]; !ok {
				return nil, fmt.Errorf("graphrun: node %q has input %q, but the graph has no node %q", n.Name, in, ref.node)
			}
		}
	}
	return g, nil
}

// GraphDef returns the underlying message (not a copy).
func (g *Graph) GraphDef() *graphpb.GraphDef { return g.def }

// Node returns the node named name, or nil.
func (g *Graph) Node(name string) *nodepb.NodeDef { return g.nodes[name] }

// NumNodes is the number of nodes in the graph.
func (g *Graph) NumNodes() int { return len(g.def.Node) }

// tensorRef names one output of a node ("conv/Relu:0"), or a control
// dependency ("^init") when control is set.
type tensorRef struct {
	node    string
	output  int
	control bool
}

func (r tensorRef) String() string {
	if r.control {
		return "^" + r.node
	}
	return r.node + ":" + strconv.Itoa(r.output)
}

// parseInput parses a NodeDef input or a user's tensor name: "node",
// "node:1" or "^node".
func parseInput(s string) (tensorRef, error) {
	if strings.HasPrefix(s, "^") {
		if len(s) == 1 {
			return tensorRef{}, fmt.Errorf("empty control input")
		}
		return tensorRef{node: s[1:], control: true}, nil
	}
	if s == "" {
		return tensorRef{}, fmt.Errorf("empty tensor name")
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		idx, err := strconv.Atoi(s[i+1:])
		if err == nil {
			if idx < 0 {
				return tensorRef{}, fmt.Errorf("tensor name %q has a negative output index", s)
			}
			return tensorRef{node: s[:i], output: idx}, nil
		}
	}
	return tensorRef{node: s}, nil
}

// ParseTensorName splits "node:1" into the node name and output index
// ("node" alone means output 0).
func ParseTensorName(name string) (node string, output int, err error) {
	r, err := parseInput(name)
	if err != nil {
		return "", 0, fmt.Errorf("graphrun: %v", err)
	}
	if r.control {
		return "", 0, fmt.Errorf("graphrun: %q is a control dependency, not a tensor", name)
	}
	return r.node, r.output, nil
}
