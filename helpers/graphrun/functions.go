package graphrun

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	funcpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/function_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"

	"github.com/gotl/gotl/internal/util"
)

// TF2 SavedModels keep their computation in the GraphDef's function library:
// a serving signature's output is a StatefulPartitionedCall whose "f"
// attribute names a FunctionDef, with the model's variables passed in as
// resource arguments. graphrun inlines such calls: the function body is
// converted like the rest of the graph, with its arguments bound to the
// call's converted inputs. After graphfile.Freeze (LoadSavedModel) a
// variable handle is a Const holding the variable's value, so reading it
// (ReadVariableOp) is the identity.

// maxCallDepth bounds nested function calls; TF libraries may be recursive
// only through control flow, which graphrun does not support.
const maxCallDepth = 32

func init() {
	ops["PartitionedCall"] = opFunctionCall
	ops["StatefulPartitionedCall"] = opFunctionCall
	ops["ReadVariableOp"] = opIdentity
}

// indexLibrary indexes the GraphDef's FunctionDefs by name.
func (g *Graph) indexLibrary() error {
	fns := g.def.GetLibrary().GetFunction()
	if len(fns) == 0 {
		return nil
	}
	g.funcs = make(map[string]*funcpb.FunctionDef, len(fns))
	for _, f := range fns {
		name := f.GetSignature().GetName()
		if name == "" {
			return fmt.Errorf("graphrun: the function library has a function without a name")
		}
		if _, dup := g.funcs[name]; dup {
			return fmt.Errorf("graphrun: function %q appears twice in the library", name)
		}
		g.funcs[name] = f
	}
	return nil
}

// opFor returns the converter of n's op: a registered op, or the inlining of
// a library function called by name (a node whose op is the function).
func (c *converter) opFor(n *nodepb.NodeDef) opFunc {
	if fn := ops[n.Op]; fn != nil {
		return fn
	}
	if c.m.graph.funcs[n.Op] != nil {
		return opFunctionCall
	}
	return nil
}

// callee returns the name of the library function that call node n runs, or
// "" when n is not a function call.
func (g *Graph) callee(n *nodepb.NodeDef) string {
	switch n.Op {
	case "PartitionedCall", "StatefulPartitionedCall":
		return n.Attr["f"].GetFunc().GetName()
	}
	if g.funcs[n.Op] != nil {
		return n.Op
	}
	return ""
}

// opFunctionCall inlines the body of the function that n calls.
func opFunctionCall(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	name := c.m.graph.callee(n)
	if name == "" {
		return nil, fmt.Errorf("call has no function attribute \"f\"")
	}
	fn := c.m.graph.funcs[name]
	if fn == nil {
		return nil, fmt.Errorf("function %q is not in the graph's function library", name)
	}
	if len(c.calls) >= maxCallDepth {
		return nil, fmt.Errorf("function calls nested deeper than %d (%s → %s)", maxCallDepth, strings.Join(c.calls, " → "), name)
	}
	for _, f := range c.calls {
		if f == name {
			return nil, fmt.Errorf("function %q calls itself (%s → %s); recursion is not supported", name, strings.Join(c.calls, " → "), name)
		}
	}
	c.calls = append(c.calls, name)
	defer func() { c.calls = c.calls[:len(c.calls)-1] }()

	sig := fn.GetSignature()
	if len(in) != len(sig.GetInputArg()) {
		return nil, fmt.Errorf("function %q takes %d inputs, the call gives %d", name, len(sig.GetInputArg()), len(in))
	}
	fr := &funcFrame{
		c: c, call: n, fn: fn, name: name,
		args:  map[string]*value{},
		nodes: map[string]*nodepb.NodeDef{},
		done:  map[string][]*value{},
		busy:  map[string]bool{},
	}
	for i, a := range sig.GetInputArg() {
		if a.GetNumberAttr() != "" || a.GetTypeListAttr() != "" {
			return nil, fmt.Errorf("function %q: list argument %q is not supported", name, a.GetName())
		}
		fr.args[a.GetName()] = in[i]
	}
	for _, b := range fn.GetNodeDef() {
		if _, dup := fr.nodes[b.Name]; dup {
			return nil, fmt.Errorf("function %q: node name %q appears twice", name, b.Name)
		}
		fr.nodes[b.Name] = b
	}
	var outs []*value
	for _, a := range sig.GetOutputArg() {
		if a.GetNumberAttr() != "" || a.GetTypeListAttr() != "" {
			return nil, fmt.Errorf("function %q: list output %q is not supported", name, a.GetName())
		}
		ret, ok := fn.GetRet()[a.GetName()]
		if !ok {
			return nil, fmt.Errorf("function %q: output %q has no ret entry", name, a.GetName())
		}
		v, err := fr.resolve(ret)
		if err != nil {
			return nil, err
		}
		outs = append(outs, v)
	}
	return outs, nil
}

// funcFrame is one inlined call: the function's body nodes, converted on
// demand, and its arguments bound to the call's inputs.
type funcFrame struct {
	c     *converter
	call  *nodepb.NodeDef
	fn    *funcpb.FunctionDef
	name  string
	args  map[string]*value
	nodes map[string]*nodepb.NodeDef
	done  map[string][]*value
	busy  map[string]bool // body nodes being converted, for cycle detection
}

// resolve returns the value of a FunctionDef data input: "arg" (a function
// argument) or "node:out:idx" (output idx of node's output argument out).
func (fr *funcFrame) resolve(s string) (*value, error) {
	parts := strings.Split(s, ":")
	if len(parts) == 1 {
		v, ok := fr.args[s]
		if !ok {
			return nil, fmt.Errorf("function %q: %q is neither an argument nor node:output:index", fr.name, s)
		}
		return v, nil
	}
	if len(parts) > 3 {
		return nil, fmt.Errorf("function %q: malformed input %q", fr.name, s)
	}
	idx := 0
	if len(parts) == 3 {
		i, err := strconv.Atoi(parts[2])
		if err != nil || i < 0 {
			return nil, fmt.Errorf("function %q: input %q has a bad index", fr.name, s)
		}
		idx = i
	}
	b := fr.nodes[parts[0]]
	if b == nil {
		return nil, fmt.Errorf("function %q: input %q names no node of the function", fr.name, s)
	}
	outs, inlined, err := fr.convert(b)
	if err != nil {
		return nil, err
	}
	flat, err := fr.c.m.graph.outputIndex(b, parts[1], idx)
	if err != nil {
		return nil, opError(inlined, fmt.Errorf("input %q of function %q: %v", s, fr.name, err))
	}
	if flat >= len(outs) || outs[flat] == nil {
		return nil, opError(inlined, fmt.Errorf("output %q (flat index %d) requested, but the op has %d outputs here", s, flat, len(outs)))
	}
	return outs[flat], nil
}

// convert converts body node b once. The inlined node is a copy named
// CALL/NODE (so constants and errors are distinct per call site) with
// attribute placeholders replaced by the call's attributes.
func (fr *funcFrame) convert(b *nodepb.NodeDef) ([]*value, *nodepb.NodeDef, error) {
	inlined := &nodepb.NodeDef{Name: fr.call.Name + "/" + b.Name, Op: b.Op, Attr: b.Attr}
	if outs, ok := fr.done[b.Name]; ok {
		return outs, inlined, nil
	}
	if fr.busy[b.Name] {
		return nil, inlined, opError(inlined, fmt.Errorf("cycle in the body of function %q; control-flow loops are not supported", fr.name))
	}
	fr.busy[b.Name] = true
	defer delete(fr.busy, b.Name)

	copied := false
	for k, a := range b.Attr {
		p := a.GetPlaceholder()
		if p == "" {
			continue
		}
		ca, ok := fr.call.Attr[p]
		if !ok {
			return nil, inlined, opError(inlined, fmt.Errorf("attribute %s refers to $%s, which the call to %q does not set", k, p, fr.name))
		}
		if !copied { // the body's NodeDef is shared by every call site
			inlined.Attr = make(map[string]*attrpb.AttrValue, len(b.Attr))
			for k2, v2 := range b.Attr {
				inlined.Attr[k2] = v2
			}
			copied = true
		}
		inlined.Attr[k] = ca
	}
	var in []*value
	for _, s := range b.Input {
		if strings.HasPrefix(s, "^") {
			continue // control dependencies order side effects; a pure forward pass has none
		}
		v, err := fr.resolve(s)
		if err != nil {
			return nil, inlined, err
		}
		in = append(in, v)
	}
	fn := fr.c.opFor(b)
	if fn == nil {
		return nil, inlined, opError(inlined, fmt.Errorf("op %s is not supported (in function %q)", b.Op, fr.name))
	}
	outs, err := fr.c.call(fn, inlined, in)
	if err != nil {
		return nil, inlined, err
	}
	fr.c.countMACs(inlined, in, outs)
	fr.done[b.Name] = outs
	return outs, inlined, nil
}

// outArg is one output argument of an op's OpDef: a single tensor, or a list
// whose length is an int attribute (count) or the length of a type-list
// attribute (types).
type outArg struct {
	name, count, types string
}

// outputArgs lists the OpDef output arguments of the ops graphrun converts,
// which FunctionDef bodies name in their inputs ("Mul:z:0").
var outputArgs = map[string][]outArg{}

func init() {
	single := map[string][]string{
		"output": {"Identity", "Snapshot", "StopGradient", "PreventGradient", "CheckNumerics", "Const",
			"Placeholder", "PlaceholderWithDefault", "BiasAdd", "BiasAddV1", "BatchMatMul", "BatchMatMulV2",
			"Shape", "Size", "Rank", "Reshape", "ExpandDims", "Squeeze", "Fill", "Pack", "ConcatV2", "Concat",
			"StridedSlice", "Slice", "Pad", "PadV2", "Tile", "Range", "Select", "SelectV2", "GatherV2", "Gather",
			"MirrorPad", "ClipByValue", "Mean", "Sum", "Max", "Min", "Prod", "ArgMax", "ArgMin", "Conv2D",
			"DepthwiseConv2dNative", "MaxPool", "AvgPool", "Dequantize", "RandomUniform"},
		"z": {"Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "FloorDiv", "FloorMod", "Maximum", "Minimum",
			"Pow", "SquaredDifference", "Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual",
			"LogicalAnd", "LogicalOr"},
		"y": {"Neg", "Abs", "Exp", "Log", "Log1p", "Sqrt", "Rsqrt", "Tanh", "Sigmoid", "Floor", "Ceil",
			"Square", "Sign", "LogicalNot", "Round", "Sin", "Cos", "Erf", "Reciprocal", "Inv", "ZerosLike",
			"OnesLike", "Cast", "Transpose"},
		"activations":    {"Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign", "LeakyRelu"},
		"sum":            {"AddN"},
		"softmax":        {"Softmax"},
		"logsoftmax":     {"LogSoftmax"},
		"product":        {"MatMul"},
		"result":         {"BatchNormWithGlobalNormalization"},
		"resized_images": {"ResizeBilinear"},
		"image":          {"DecodeJpeg"},
		"value":          {"ReadVariableOp"},
	}
	for name, list := range single {
		for _, op := range list {
			outputArgs[op] = []outArg{{name: name}}
		}
	}
	outputArgs["NoOp"] = nil
	outputArgs["Unpack"] = []outArg{{name: "output", count: "num"}}
	outputArgs["Split"] = []outArg{{name: "output", count: "num_split"}}
	outputArgs["SplitV"] = []outArg{{name: "output", count: "num_split"}}
	outputArgs["IdentityN"] = []outArg{{name: "output", types: "T"}}
	outputArgs["PartitionedCall"] = []outArg{{name: "output", types: "Tout"}}
	outputArgs["StatefulPartitionedCall"] = []outArg{{name: "output", types: "Tout"}}
	bn := []outArg{{name: "y"}, {name: "batch_mean"}, {name: "batch_variance"}, {name: "reserve_space_1"}, {name: "reserve_space_2"}}
	outputArgs["FusedBatchNorm"] = bn
	outputArgs["FusedBatchNormV2"] = bn
	outputArgs["FusedBatchNormV3"] = append(append([]outArg(nil), bn...), outArg{name: "reserve_space_3"})
}

// outputIndex maps output idx of n's output argument arg to the flat output
// index graphrun's converters use. Calls of library functions by name take
// their output arguments from the function's signature.
func (g *Graph) outputIndex(n *nodepb.NodeDef, arg string, idx int) (int, error) {
	args, known := outputArgs[n.Op]
	if !known {
		f := g.funcs[n.Op]
		if f == nil {
			return 0, fmt.Errorf("graphrun does not know the output argument names of op %s (asked for %q)", n.Op, arg)
		}
		for _, a := range f.GetSignature().GetOutputArg() {
			args = append(args, outArg{name: a.GetName()})
		}
	}
	off := 0
	var names []string
	for _, a := range args {
		count := 1
		switch {
		case a.count != "":
			count = int(attrInt(n, a.count, 0))
		case a.types != "":
			count = len(n.Attr[a.types].GetList().GetType())
		}
		if a.name == arg {
			if idx >= count {
				return 0, fmt.Errorf("op %s output %q has %d tensors, index %d requested", n.Op, arg, count, idx)
			}
			return off + idx, nil
		}
		off += count
		names = append(names, a.name)
	}
	if len(names) == 0 {
		return 0, fmt.Errorf("op %s has no outputs (asked for %q)", n.Op, arg)
	}
	return 0, fmt.Errorf("op %s has no output argument %q (its outputs: %s)", n.Op, arg, strings.Join(names, ", "))
}

// functionSupport adds to unsupported the unsupported ops in the body of
// the function that n calls (and in functions it calls), as FUNCTION/NODE,
// walking only what the function's outputs need.
func (g *Graph) functionSupport(n *nodepb.NodeDef, unsupported map[string][]string, seen map[string]bool) {
	name := g.callee(n)
	f := g.funcs[name]
	if f == nil || seen[name] {
		return // a missing function is reported, with the call node, when converted
	}
	seen[name] = true
	body := map[string]*nodepb.NodeDef{}
	for _, b := range f.GetNodeDef() {
		body[b.Name] = b
	}
	// Body references are "node:arg:index"; names not in the body are the
	// function's arguments.
	bodyNode := func(s string) string {
		node, _, _ := strings.Cut(s, ":")
		return node
	}
	rets := make([]string, 0, len(f.GetRet()))
	for _, r := range f.GetRet() {
		rets = append(rets, bodyNode(r))
	}
	sort.Strings(rets)
	util.WalkAncestors(rets, func(node string, follow func(string)) {
		b := body[node]
		if b == nil {
			return
		}
		if ops[b.Op] == nil && g.funcs[b.Op] == nil {
			unsupported[b.Op] = append(unsupported[b.Op], name+"/"+b.Name)
		}
		g.functionSupport(b, unsupported, seen)
		for _, s := range b.Input {
			if !strings.HasPrefix(s, "^") {
				follow(bodyNode(s))
			}
		}
	})
}
