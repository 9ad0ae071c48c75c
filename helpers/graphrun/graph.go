package graphrun

import (
	"fmt"
	"strconv"
	"strings"

	funcpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/function_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gotl/gotl/helpers/graphfile"
)

// Graph is a TensorFlow GraphDef indexed by node name, ready to be converted
// into GoMLX computations with NewModel. A Graph is read-only after
// construction and may be shared by several Models.
type Graph struct {
	def   *graphpb.GraphDef
	nodes map[string]*nodepb.NodeDef
	funcs map[string]*funcpb.FunctionDef // the function library, by name (functions.go)
}

// Load reads a frozen GraphDef, binary or text (detected from the content),
// with graphfile.Load.
func Load(path string) (*Graph, error) {
	gf, err := graphfile.Load(path)
	if err != nil {
		return nil, err
	}
	g, err := FromGraphDef(gf.Def)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return g, nil
}

// LoadSavedModel loads the MetaGraph with tags (default "serve") of the
// SavedModel in dir and freezes its variables to Consts, keeping what
// outputs (node names) need.
func LoadSavedModel(dir string, tags []string, outputs ...string) (*Graph, error) {
	sm, err := graphfile.LoadSavedModel(dir)
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		tags = []string{"serve"}
	}
	mg, err := sm.MetaGraph(tags...)
	if err != nil {
		return nil, err
	}
	gf := mg.Graph
	if sm.HasVariables() {
		vars, err := sm.Variables()
		if err != nil {
			return nil, err
		}
		defer vars.Close()
		if gf, err = graphfile.Freeze(mg.Graph, vars, outputs...); err != nil {
			return nil, err
		}
	}
	return FromGraphDef(gf.Def)
}

// FromGraphDef indexes def. It fails on duplicate or empty node names, on
// inputs that name nodes missing from the graph, and on cycles of data or
// control edges (other than while loops' NextIteration → Merge edges).
func FromGraphDef(def *graphpb.GraphDef) (*Graph, error) {
	if def == nil {
		return nil, fmt.Errorf("graphrun: nil GraphDef")
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
	if err := g.indexLibrary(); err != nil {
		return nil, err
	}
	for _, n := range def.Node {
		for _, in := range n.Input {
			ref, err := parseInput(in)
			if err != nil {
				return nil, fmt.Errorf("graphrun: node %q: %w", n.Name, err)
			}
			if _, ok := g.nodes[ref.node]; !ok {
				return nil, fmt.Errorf("graphrun: node %q has input %q, but the graph has no node %q", n.Name, in, ref.node)
			}
			if src := g.nodes[ref.node]; !ref.control && ref.output > 0 && singleOutput[src.Op] {
				return nil, fmt.Errorf("graphrun: node %q has input %q, but %q is a %s, which has one output (%s:0)", n.Name, in, src.Name, src.Op, src.Name)
			}
		}
	}
	if err := g.checkAcyclic(); err != nil {
		return nil, err
	}
	return g, nil
}

// singleOutput lists ops with exactly one output, whose inputs "node:k" with
// k > 0 TensorFlow's graph import refuses ("invalid output"). Without this
// check, "x:7" on a fed Placeholder x was reported as "placeholder is not
// fed".
var singleOutput = map[string]bool{
	"Placeholder": true, "PlaceholderV2": true, "PlaceholderWithDefault": true,
	"Const": true, "Identity": true, "VariableV2": true, "Variable": true,
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
		return "", 0, fmt.Errorf("graphrun: %w", err)
	}
	if r.control {
		return "", 0, fmt.Errorf("graphrun: %q is a control dependency, not a tensor", name)
	}
	return r.node, r.output, nil
}
