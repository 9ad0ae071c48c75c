package graphrun

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/util"
)

// value is one converted TensorFlow tensor: a GoMLX node, a value known when
// the graph is built (Consts and shape arithmetic), or both.
type value struct {
	n *graph.Node
	// st is set when the value is known at conversion time. Ops that need
	// static arguments (Reshape's shape, Mean's axes, …) read it.
	st *tensor.Tensor
	// weight names the Const (or folded Dequantize) node this value comes
	// from, when it is a float weight that becomes a context variable.
	weight string
	// conv records how a convolution output was built, so that a following
	// per-channel scale (batch norm) can be folded into its kernel.
	conv *convRecord
}

// opFunc converts one node given its data inputs. It may panic (GoMLX graph
// building reports errors by panicking); the converter turns panics into
// errors naming the node.
type opFunc func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error)

// converter builds the GoMLX nodes for one Model call into one graph.
type converter struct {
	m     *Model
	ctx   *context.Context // nil when building a private static-evaluation graph
	g     *graph.Graph
	feeds map[tensorRef]*value
	done  map[string][]*value
	macs  int64    // multiply-adds of convolutions and matrix products built so far
	calls []string // library functions being inlined, for depth and recursion checks
	// frozen makes weights graph constants instead of context variables,
	// and lets batch norms fold into convolution kernels at conversion.
	frozen bool
}

// opError wraps an error with the node it happened at.
func opError(n *nodepb.NodeDef, err error) error {
	var oe *NodeError
	if errors.As(err, &oe) {
		return err
	}
	return &NodeError{Node: n.Name, Op: n.Op, Err: err}
}

// NodeError is a conversion failure at one node of the GraphDef.
type NodeError struct {
	Node, Op string
	Err      error
}

func (e *NodeError) Error() string {
	return fmt.Sprintf("graphrun: node %q (op %s): %v", e.Node, e.Op, e.Err)
}

func (e *NodeError) Unwrap() error { return e.Err }

// output returns the converted tensor ref.
func (c *converter) output(ref tensorRef) (*value, error) {
	if v, ok := c.feeds[ref]; ok {
		return v, nil
	}
	outs, err := c.convert(ref.node)
	if err != nil {
		return nil, err
	}
	if ref.output >= len(outs) || outs[ref.output] == nil {
		n := c.m.graph.nodes[ref.node]
		return nil, opError(n, fmt.Errorf("output %d requested, but the op has %d outputs here", ref.output, len(outs)))
	}
	return outs[ref.output], nil
}

// convert converts node name after every node it needs. The walk is an
// explicit depth-first stack, not recursion: time and memory stay linear in
// the number of nodes, and a chain of millions of nodes cannot exhaust the
// goroutine stack. A node met again while it waits for its inputs closes a
// cycle, an error (control-flow loops are not supported).
func (c *converter) convert(name string) ([]*value, error) {
	if outs, ok := c.done[name]; ok {
		return outs, nil
	}
	type frame struct {
		n    *nodepb.NodeDef
		next int // index of the next input to look at
	}
	var stack []frame
	waiting := map[string]bool{}
	push := func(name string) error {
		n := c.m.graph.nodes[name]
		if n == nil {
			return fmt.Errorf("graphrun: no node named %q", name)
		}
		stack = append(stack, frame{n: n})
		waiting[name] = true
		return nil
	}
	if err := push(name); err != nil {
		return nil, err
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		var need string // an input node still to convert
		for need == "" && f.next < len(f.n.Input) {
			ref, _ := parseInput(f.n.Input[f.next]) // validated by FromGraphDef
			f.next++
			if ref.control {
				continue // control dependencies order side effects; a pure forward pass has none
			}
			if _, fed := c.feeds[ref]; fed {
				continue
			}
			if _, ok := c.done[ref.node]; !ok {
				need = ref.node
			}
		}
		if need != "" {
			if waiting[need] {
				path := []string{need}
				for i := len(stack) - 1; i >= 0 && stack[i].n.Name != need; i-- {
					path = append(path, stack[i].n.Name)
				}
				slices.Reverse(path)
				return nil, opError(c.m.graph.nodes[need], fmt.Errorf("cycle in the graph (%s → %s); control-flow loops are not supported", strings.Join(path, " → "), need))
			}
			if err := push(need); err != nil {
				return nil, err
			}
			continue
		}
		outs, err := c.convertNode(f.n)
		if err != nil {
			return nil, err
		}
		c.done[f.n.Name] = outs
		delete(waiting, f.n.Name)
		stack = stack[:len(stack)-1]
	}
	return c.done[name], nil
}

// convertNode converts n, whose data inputs are all converted or fed.
func (c *converter) convertNode(n *nodepb.NodeDef) ([]*value, error) {
	var in []*value
	for _, s := range n.Input {
		ref, _ := parseInput(s)
		if ref.control {
			continue
		}
		v, err := c.output(ref)
		if err != nil {
			return nil, err
		}
		in = append(in, v)
	}
	fn := c.opFor(n)
	if fn == nil {
		return nil, opError(n, fmt.Errorf("op %s is not supported", n.Op))
	}
	outs, err := c.call(fn, n, in)
	if err != nil {
		return nil, err
	}
	c.countMACs(n, in, outs)
	return outs, nil
}

// call runs fn, converting GoMLX panics into errors naming the node.
func (c *converter) call(fn opFunc, n *nodepb.NodeDef, in []*value) (outs []*value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = opError(n, fmt.Errorf("%v", r))
		}
	}()
	static := allStatic(in)
	if c.ctx != nil && static && foldable(n, in) {
		outs, err = c.m.foldStatic(fn, n, in)
	} else {
		outs, err = fn(c, n, in)
	}
	if err == nil && static {
		err = checkConstantSizes(outs)
	}
	if err != nil {
		return nil, opError(n, err)
	}
	return outs, nil
}

// checkConstantSizes holds the outputs of a node computed from constants
// only (a Fill or Tile of Consts, a RandomUniform of a constant shape) to
// limits.TensorElements, as Consts themselves are: such tensors are sized by
// the file, not by the data fed, and a few bytes of graph could otherwise
// ask for gigabytes.
func checkConstantSizes(outs []*value) error {
	for _, v := range outs {
		if v == nil || v.n == nil {
			continue // static tensors were checked when they were decoded or folded
		}
		s := v.n.Shape()
		if err := limits.TensorElements.Check(int64(s.Size()), fmt.Sprintf("output of shape %v computed from constants", s.Dimensions)); err != nil {
			return err
		}
	}
	return nil
}

func allStatic(in []*value) bool {
	for _, v := range in {
		if v.st == nil {
			return false
		}
	}
	return true
}

// foldable reports whether n, given static inputs, is computed when the graph
// is built: integer and boolean arithmetic (shapes, axes, sizes), which later
// ops need as Go values. Float math stays in the graph so weights remain
// variables and gradients flow.
func foldable(n *nodepb.NodeDef, in []*value) bool {
	switch n.Op {
	case "Const", "Placeholder", "PlaceholderWithDefault", "Identity", "Snapshot", "StopGradient",
		"RandomUniform", "RandomStandardNormal", "TruncatedNormal", "Dequantize", "DecodeJpeg",
		"Shape", "Size", "Rank", "Range":
		return false
	}
	for _, k := range []string{"out_type", "DstT", "output_type", "T"} {
		if a, ok := n.Attr[k]; ok {
			dt := a.GetType()
			return tensor.IsInteger(dt) || dt == tensor.Bool
		}
	}
	// No dtype attribute (hand-written graphs): judge by the inputs.
	for _, v := range in {
		if !tensor.IsInteger(v.st.DType) && v.st.DType != tensor.Bool {
			return false
		}
	}
	return len(in) > 0
}

// node materializes v in the graph being built.
func (c *converter) node(v *value) *graph.Node {
	if v.n != nil && v.n.Graph() == c.g {
		return v.n
	}
	if v.st == nil {
		panic(fmt.Sprintf("graphrun: internal error: value has neither node nor static tensor"))
	}
	if v.weight != "" && c.ctx != nil && !c.frozen {
		v.n = c.m.weightNode(c.ctx, c.g, v.weight, v.st)
		return v.n
	}
	t, err := ToGoMLX(v.st)
	if err != nil {
		panic(err)
	}
	n := graph.ConstTensor(c.g, t)
	if c.ctx != nil {
		v.n = n // only cache nodes of the Model's graph, not of private folding graphs
	}
	return n
}

// staticInts returns v's elements as int64; v must be known at build time.
func staticInts(v *value, what string) ([]int64, error) {
	if v.st == nil {
		return nil, fmt.Errorf("%s must be known when the graph is built, but it depends on a fed or computed float tensor", what)
	}
	xs, err := v.st.Int64s()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return xs, nil
}

func staticInt(v *value, what string) (int, error) {
	xs, err := staticInts(v, what)
	if err != nil {
		return 0, err
	}
	if len(xs) != 1 {
		return 0, fmt.Errorf("%s must be a scalar, got %d values", what, len(xs))
	}
	return int(xs[0]), nil
}

// checkSupport walks the sub-graph that fetches need (stopping at feeds) and
// returns one error listing every unsupported op with its nodes.
func checkSupport(g *Graph, fetches []tensorRef, feeds map[tensorRef]bool) error {
	inlinedSeen := map[string]bool{} // library functions already checked
	unsupported := map[string][]string{}
	util.WalkAncestors(fetchNodes(fetches), func(name string, follow func(string)) {
		n := g.nodes[name]
		if feeds[tensorRef{node: name}] && isFeedable(n) {
			return
		}
		if ops[n.Op] == nil && g.funcs[n.Op] == nil {
			unsupported[n.Op] = append(unsupported[n.Op], n.Name)
		}
		g.functionSupport(n, unsupported, inlinedSeen)
		for _, s := range n.Input {
			if ref, _ := parseInput(s); !ref.control && !feeds[ref] {
				follow(ref.node)
			}
		}
	})
	if len(unsupported) == 0 {
		return nil
	}
	var opsList []string
	for op := range unsupported {
		opsList = append(opsList, op)
	}
	sort.Strings(opsList)
	var b strings.Builder
	fmt.Fprintf(&b, "graphrun: %d unsupported op type(s) needed by the fetches:", len(opsList))
	for _, op := range opsList {
		names := unsupported[op]
		sort.Strings(names)
		more := ""
		if len(names) > 5 {
			more = fmt.Sprintf(" and %d more", len(names)-5)
			names = names[:5]
		}
		fmt.Fprintf(&b, " %s (%s%s);", op, strings.Join(names, ", "), more)
	}
	return &UnsupportedError{Ops: unsupported, msg: strings.TrimSuffix(b.String(), ";")}
}

// fetchNodes returns the node of each fetch, the roots of a walk up the graph.
func fetchNodes(fetches []tensorRef) []string {
	nodes := make([]string, len(fetches))
	for i, f := range fetches {
		nodes[i] = f.node
	}
	return nodes
}

// isFeedable reports whether feeding output 0 of n replaces the whole node.
func isFeedable(n *nodepb.NodeDef) bool {
	return n.Op == "Placeholder" || n.Op == "PlaceholderWithDefault" || strings.HasPrefix(n.Op, "Decode") ||
		len(n.Input) == 0 || n.Op == "Identity"
}

// UnsupportedError lists the op types a Model would need but graphrun cannot
// convert, with the names of the nodes using them.
type UnsupportedError struct {
	Ops map[string][]string // op type → node names
	msg string
}

func (e *UnsupportedError) Error() string { return e.msg }

// countMACs adds the multiply-adds of n (convolutions and matrix products,
// which dominate CNN cost) to c.macs.
func (c *converter) countMACs(n *nodepb.NodeDef, in []*value, outs []*value) {
	if len(outs) == 0 || outs[0].n == nil || len(in) < 2 {
		return
	}
	out := int64(outs[0].n.Shape().Size())
	k := c.shapeOf(in[1])
	switch n.Op {
	case "Conv2D":
		if len(k) == 4 {
			c.macs += out * k[0] * k[1] * k[2]
		}
	case "DepthwiseConv2dNative":
		if len(k) == 4 {
			c.macs += out * k[0] * k[1]
		}
	case "MatMul", "BatchMatMul", "BatchMatMulV2":
		a := c.shapeOf(in[0])
		inner := a[len(a)-1]
		if attrBool(n, "transpose_a", false) || attrBool(n, "adj_x", false) {
			inner = a[len(a)-2]
		}
		c.macs += out * inner
	}
}
