package graphfile

import (
	"fmt"
	"slices"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"

	"github.com/gotl/gotl/helpers/tensor"
)

// VariableSource supplies variable values by checkpoint name;
// *checkpoint.Reader implements it.
type VariableSource interface {
	Tensor(name string) (*tensor.Tensor, error)
}

// tf2Suffix is how TF2 object-based checkpoints key a variable's value.
const tf2Suffix = "/.ATTRIBUTES/VARIABLE_VALUE"

// VariableName returns the checkpoint name of a variable node: the node name
// for Variable and VariableV2 (what tf.train.Saver writes), and for
// VarHandleOp its shared_name attribute, or the node name when that is empty.
// ok is false for other ops.
func VariableName(n Node) (name string, ok bool) {
	switch n.Op {
	case "Variable", "VariableV2":
		return n.Name, true
	case "VarHandleOp":
		if s, err := n.StringAttr("shared_name"); err == nil && s != "" {
			return s, true
		}
		return n.Name, true
	}
	return "", false
}

// Freeze returns the part of g that outputs need, with every variable
// replaced by a Const holding its value from vars, like TensorFlow's
// convert_variables_to_constants:
//
//   - Variable, VariableV2 and VarHandleOp nodes become Const nodes of the
//     same name (dtype and value attributes only);
//   - ReadVariableOp nodes reading such a handle (directly or through
//     Identity nodes) become Identity nodes with T set to the variable's
//     dtype, and resource-typed Identity nodes on the way get that dtype too.
//
// The graph is pruned to outputs first, so assign, save and restore ops
// that the outputs do not need are dropped. A variable's value is looked up
// by VariableName; when vars has no such tensor, the TF2 object-based key
// NAME/.ATTRIBUTES/VARIABLE_VALUE is tried. A missing value, or one whose
// dtype or shape disagrees with the variable's declaration, is an error.
func Freeze(g *Graph, vars VariableSource, outputs ...string) (*Graph, error) {
	return FreezeWith(g, vars, FreezeOptions{}, outputs...)
}

// FreezeOptions are the choices of convert_variables_to_constants and
// freeze_graph.py beyond the outputs.
type FreezeOptions struct {
	// Whitelist, when not empty, limits the variables converted to these
	// node names (variable_names_whitelist).
	Whitelist []string
	// Blacklist names variable nodes left as variables
	// (variable_names_blacklist).
	Blacklist []string
	// ClearDevices empties every node's device (freeze_graph.py's
	// --clear_devices, on by default there).
	ClearDevices bool
}

// converts reports whether the variable node name is to become a Const.
func (o FreezeOptions) converts(name string) bool {
	if len(o.Whitelist) > 0 && !slices.Contains(o.Whitelist, name) {
		return false
	}
	return !slices.Contains(o.Blacklist, name)
}

// FreezeWith is Freeze with FreezeOptions: variables left out by the white
// or black list stay variables in the result, as in TensorFlow.
func FreezeWith(g *Graph, vars VariableSource, opts FreezeOptions, outputs ...string) (*Graph, error) {
	pruned, err := g.Prune(outputs...)
	if err != nil {
		return nil, err
	}
	if opts.ClearDevices {
		for _, n := range pruned.Def.Node {
			n.Device = ""
		}
	}
	// Pass 1: variables to constants.
	dtypes := map[string]tensor.DType{} // converted handle/variable node → dtype
	for i, n := range pruned.Def.Node {
		node := Node{n}
		ckptName, ok := VariableName(node)
		if !ok || !opts.converts(n.Name) {
			continue
		}
		dt, err := node.TypeAttr("dtype")
		if err != nil {
			return nil, pruned.errorf("freeze: variable %q: %w", n.Name, err)
		}
		val, err := vars.Tensor(ckptName)
		if err != nil {
			alt, err2 := vars.Tensor(ckptName + tf2Suffix)
			if err2 != nil {
				return nil, pruned.errorf("freeze: value of variable %q: %w", n.Name, err)
			}
			val = alt
		}
		if tensor.BaseType(val.DType) != dt {
			return nil, pruned.errorf("freeze: variable %q is %v but its checkpoint value %q is %v", n.Name, dt, ckptName, val.DType)
		}
		if shape, err := node.ShapeAttr("shape"); err == nil && !shape.UnknownRank && !slices.Contains(shape.Dims, -1) {
			if !slices.Equal(shape.Dims, val.Shape) && !(len(shape.Dims) == 0 && len(val.Shape) == 0) {
				return nil, pruned.errorf("freeze: variable %q has shape %v but its checkpoint value %q has shape %v", n.Name, shape.Dims, ckptName, val.Shape)
			}
		}
		pruned.Def.Node[i] = &nodepb.NodeDef{
			Name: n.Name,
			Op:   "Const",
			Attr: map[string]*attrpb.AttrValue{
				"dtype": attrType(dt),
				"value": {Value: &attrpb.AttrValue_Tensor{Tensor: val.ToProto()}},
			},
		}
		dtypes[n.Name] = dt
	}
	// Pass 2: reads of resource handles. File order is not topological in
	// general, so follow Identity chains back to their source explicitly.
	var handleDType func(name string, depth int) (tensor.DType, bool)
	handleDType = func(name string, depth int) (tensor.DType, bool) {
		if dt, ok := dtypes[name]; ok {
			return dt, true
		}
		n, ok := pruned.Node(name)
		if !ok || n.Op != "Identity" || depth > len(pruned.Def.Node) {
			return 0, false
		}
		ins := n.DataInputs()
		if len(ins) != 1 {
			return 0, false
		}
		src, _, _ := ParseInput(ins[0])
		return handleDType(src, depth+1)
	}
	for _, n := range pruned.Def.Node {
		ins := Node{n}.DataInputs()
		if len(ins) != 1 {
			continue
		}
		src, _, _ := ParseInput(ins[0])
		dt, ok := handleDType(src, 0)
		if !ok {
			continue
		}
		switch n.Op {
		case "ReadVariableOp":
			n.Op = "Identity"
			attrs := map[string]*attrpb.AttrValue{"T": attrType(dt)}
			if c, ok := n.Attr["_class"]; ok {
				attrs["_class"] = c
			}
			n.Attr = attrs
		case "Identity":
			if t, err := (Node{n}).TypeAttr("T"); err == nil && t == tensor.Resource {
				n.Attr["T"] = attrType(dt)
			}
		}
	}
	frozen, err := newGraph(pruned.Def, g.Source, g.Encoding)
	if err != nil {
		return nil, fmt.Errorf("graphfile: freeze: %w", err)
	}
	return frozen, nil
}
