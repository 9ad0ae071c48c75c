package graphrun

import (
	"fmt"
	"math"

	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/helpers/tensor"
)

type Node = graph.Node

// ops maps TensorFlow op names to converters. Supported reports its keys.
var ops = map[string]opFunc{}

func init() {
	// Plumbing.
	for _, op := range []string{"Identity", "Snapshot", "StopGradient", "PreventGradient", "CheckNumerics"} {
		ops[op] = opIdentity
	}
	ops["IdentityN"] = func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) { return in, nil }
	ops["Const"] = opConst
	ops["Placeholder"] = opPlaceholder
	ops["PlaceholderWithDefault"] = opIdentity // fed ones never get here
	ops["NoOp"] = func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) { return nil, nil }

	// Elementwise binary ops with NumPy broadcasting.
	bin := map[string]func(x, y *Node) *Node{
		"Add": graph.Add, "AddV2": graph.Add, "Sub": graph.Sub, "Mul": graph.Mul,
		"RealDiv": graph.Div, "Maximum": graph.Max, "Minimum": graph.Min, "Pow": graph.Pow,
		"SquaredDifference": func(x, y *Node) *Node { return graph.Square(graph.Sub(x, y)) },
		"Less":              graph.LessThan, "LessEqual": graph.LessOrEqual, "Greater": graph.GreaterThan,
		"GreaterEqual": graph.GreaterOrEqual, "Equal": equal, "NotEqual": notEqual,
		"LogicalAnd": graph.LogicalAnd, "LogicalOr": graph.LogicalOr,
		"Div":      divTF,
		"FloorDiv": floorDiv,
		"FloorMod": floorMod,
	}
	for name, f := range bin {
		ops[name] = binaryOp(f)
	}
	ops["Mul"] = opMul
	ops["AddN"] = func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		if len(in) == 0 {
			return nil, fmt.Errorf("AddN without inputs")
		}
		sum := c.node(in[0])
		for _, v := range in[1:] {
			sum = graph.Add(sum, c.node(v))
		}
		return one(sum), nil
	}

	// Elementwise unary ops.
	un := map[string]func(x *Node) *Node{
		"Neg": graph.Neg, "Abs": graph.Abs, "Exp": graph.Exp, "Log": graph.Log, "Log1p": graph.Log1p,
		"Sqrt": graph.Sqrt, "Tanh": graph.Tanh, "Sigmoid": graph.Sigmoid, "Floor": graph.Floor,
		"Ceil": graph.Ceil, "Square": graph.Square, "Sign": graph.Sign, "LogicalNot": graph.LogicalNot,
		"Round": roundHalfEven, "Sin": graph.Sin, "Cos": graph.Cos, "Erf": graph.Erf,
		// 1/sqrt(x) rather than the backend Rsqrt: GoMLX v0.26 has no Rsqrt gradient.
		"Rsqrt":      func(x *Node) *Node { return graph.Inverse(graph.Sqrt(x)) },
		"Reciprocal": graph.Inverse, "Inv": graph.Inverse,
		"Relu":  func(x *Node) *Node { return graph.Max(x, graph.ScalarZero(x.Graph(), x.DType())) },
		"Relu6": compute.Relu6,
		// exp(x)-1 as TF's kernel computes it (and GoMLX's Expm1 has no gradient).
		"Elu": func(x *Node) *Node {
			return graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, graph.Sub(graph.Exp(x), graph.OnesLike(x)))
		},
		"Softplus": graph.Softplus,
		"Selu": func(x *Node) *Node {
			const alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
			neg := graph.MulScalar(graph.Sub(graph.Exp(x), graph.OnesLike(x)), alpha)
			return graph.MulScalar(graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, neg), scale)
		},
		"Softsign":  func(x *Node) *Node { return graph.Div(x, graph.OnePlus(graph.Abs(x))) },
		"ZerosLike": graph.ZerosLike, "OnesLike": graph.OnesLike,
	}
	for name, f := range un {
		ops[name] = unaryOp(f)
	}
	ops["LeakyRelu"] = func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		x := c.node(in[0])
		alpha := graph.Scalar(x.Graph(), x.DType(), float64(attrFloat(n, "alpha", 0.2)))
		return one(graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, graph.Mul(x, alpha))), nil
	}
	ops["Cast"] = opCast
	ops["Softmax"] = func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		x := c.node(in[0])
		return one(graph.Softmax(x, -1)), nil
	}
	ops["LogSoftmax"] = func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		return one(graph.LogSoftmax(c.node(in[0]), -1)), nil
	}
	ops["BiasAdd"] = opBiasAdd
	ops["BiasAddV1"] = opBiasAdd
	ops["MatMul"] = opMatMul
	ops["BatchMatMul"] = opBatchMatMul
	ops["BatchMatMulV2"] = opBatchMatMul

	// Shapes.
	ops["Shape"] = opShape
	ops["Size"] = opSize
	ops["Rank"] = opRank
	ops["Reshape"] = opReshape
	ops["ExpandDims"] = opExpandDims
	ops["Squeeze"] = opSqueeze
	ops["Transpose"] = opTranspose
	ops["Fill"] = opFill
	ops["Pack"] = opPack
	ops["Unpack"] = opUnpack
	ops["ConcatV2"] = opConcat(false)
	ops["Concat"] = opConcat(true)
	ops["Split"] = opSplit
	ops["SplitV"] = opSplitV
	ops["StridedSlice"] = opStridedSlice
	ops["Slice"] = opSlice
	ops["Pad"] = opPad
	ops["PadV2"] = opPad
	ops["Tile"] = opTile
	ops["Range"] = opRange
	ops["Select"] = opSelect
	ops["GatherV2"] = opGather
	ops["Gather"] = opGather
	ops["MirrorPad"] = opMirrorPad
	ops["ClipByValue"] = func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		x := c.node(in[0])
		lo := graph.ConvertDType(c.node(in[1]), x.DType())
		hi := graph.ConvertDType(c.node(in[2]), x.DType())
		x1, lo := sameRank(x, lo)
		x2, hi := sameRank(x1, hi)
		return one(graph.Min(graph.Max(x2, lo), hi)), nil
	}
	ops["SelectV2"] = opSelect

	// Reductions.
	ops["Mean"] = reduceOp(graph.ReduceMean)
	ops["Sum"] = reduceOp(graph.ReduceSum)
	ops["Max"] = reduceOp(graph.ReduceMax)
	ops["Min"] = reduceOp(graph.ReduceMin)
	ops["Prod"] = reduceOp(reduceProd)
	ops["ArgMax"] = opArgMax(true)
	ops["ArgMin"] = opArgMax(false)

	// Images and convolutions.
	ops["Conv2D"] = opConv2D
	ops["DepthwiseConv2dNative"] = opDepthwise
	ops["MaxPool"] = poolOp(true)
	ops["AvgPool"] = poolOp(false)
	ops["FusedBatchNorm"] = opFusedBatchNorm
	ops["FusedBatchNormV2"] = opFusedBatchNorm
	ops["FusedBatchNormV3"] = opFusedBatchNorm
	ops["BatchNormWithGlobalNormalization"] = opBatchNormGlobal
	ops["ResizeBilinear"] = opResizeBilinear
	ops["Dequantize"] = opDequantize
	ops["RandomUniform"] = opRandomUniform
	ops["DecodeJpeg"] = opDecodeJpeg
}

func one(n *Node) []*value { return []*value{{n: n}} }

func opIdentity(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	if len(in) < 1 {
		return nil, fmt.Errorf("needs one input")
	}
	return in[:1], nil
}

func opConst(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	a, ok := n.Attr["value"]
	if !ok {
		return nil, fmt.Errorf("Const without a value attribute")
	}
	t, err := c.m.constTensor(n.Name, a.GetTensor())
	if err != nil {
		return nil, err
	}
	v := &value{st: t}
	if c.m.isWeight(n.Name, t) {
		v.weight = n.Name
	}
	return []*value{v}, nil
}

func opPlaceholder(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	return nil, fmt.Errorf("placeholder is not fed; add it to the Model's feeds")
}

// sameRank left-pads the smaller-rank operand with 1s so GoMLX's
// broadcasting (equal ranks, dimensions 1 or equal) matches NumPy's.
func sameRank(x, y *Node) (*Node, *Node) {
	if x.Rank() < y.Rank() && x.Rank() > 0 {
		x = graph.ExpandLeftToRank(x, y.Rank())
	} else if y.Rank() < x.Rank() && y.Rank() > 0 {
		y = graph.ExpandLeftToRank(y, x.Rank())
	}
	return x, y
}

func binaryOp(f func(x, y *Node) *Node) opFunc {
	return func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		if len(in) != 2 {
			return nil, fmt.Errorf("needs 2 inputs, got %d", len(in))
		}
		x, y := sameRank(c.node(in[0]), c.node(in[1]))
		return one(f(x, y)), nil
	}
}

// opMul folds a per-channel factor into a preceding convolution's kernel
// (TF1 graphs write batch norm as Mul + Add after the convolution).
func opMul(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	if len(in) == 2 {
		for i := 0; i < 2; i++ {
			if in[i].conv != nil {
				if v, ok := c.foldScale(in[i], c.node(in[1-i])); ok {
					return []*value{v}, nil
				}
			}
		}
	}
	return binaryOp(graph.Mul)(c, n, in)
}

func unaryOp(f func(x *Node) *Node) opFunc {
	return func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		if len(in) != 1 {
			return nil, fmt.Errorf("needs 1 input, got %d", len(in))
		}
		return one(f(c.node(in[0]))), nil
	}
}

// divTF is TF's Div: true division for floats; for integers TF's kernel
// truncates toward zero (C semantics), as GoMLX's Div does.
func divTF(x, y *Node) *Node { return graph.Div(x, y) }

// equal and notEqual also take booleans (the pure-Go backend's Equal does not).
func equal(x, y *Node) *Node {
	if x.DType() == dtypes.Bool {
		return graph.LogicalOr(graph.LogicalAnd(x, y), graph.LogicalNot(graph.LogicalOr(x, y)))
	}
	return graph.Equal(x, y)
}

func notEqual(x, y *Node) *Node {
	if x.DType() == dtypes.Bool {
		return graph.LogicalXor(x, y)
	}
	return graph.NotEqual(x, y)
}

// roundHalfEven is TF's Round: halves go to the even neighbour (banker's
// rounding); GoMLX's Round takes them away from zero.
func roundHalfEven(x *Node) *Node {
	if !x.DType().IsFloat() {
		return x
	}
	f := graph.Floor(x)
	d := graph.Sub(x, f)
	half := graph.Scalar(x.Graph(), x.DType(), 0.5)
	fIsOdd := graph.Sub(f, graph.MulScalar(graph.Floor(graph.DivScalar(f, 2)), 2)) // 0 or 1
	up := graph.Add(f, graph.OnesLike(f))
	tie := graph.Add(f, fIsOdd)
	return graph.Where(graph.GreaterThan(d, half), up, graph.Where(graph.LessThan(d, half), f, tie))
}

// floorDiv rounds toward negative infinity, as TensorFlow's FloorDiv does.
func floorDiv(x, y *Node) *Node {
	if x.DType().IsFloat() {
		return graph.Floor(graph.Div(x, y))
	}
	q := graph.Div(x, y) // truncates
	r := graph.Sub(x, graph.Mul(q, y))
	adjust := graph.LogicalAnd(graph.NotEqual(r, graph.ZerosLike(r)),
		graph.LogicalXor(graph.LessThan(r, graph.ZerosLike(r)), graph.LessThan(y, graph.ZerosLike(y))))
	return graph.Where(adjust, graph.Sub(q, graph.OnesLike(q)), q)
}

// floorMod has the sign of the divisor, as TensorFlow's FloorMod.
func floorMod(x, y *Node) *Node {
	r := graph.Rem(x, y)
	adjust := graph.LogicalAnd(graph.NotEqual(r, graph.ZerosLike(r)),
		graph.LogicalXor(graph.LessThan(r, graph.ZerosLike(r)), graph.LessThan(y, graph.ZerosLike(y))))
	return graph.Where(adjust, graph.Add(r, y), r)
}

func opCast(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	to, err := gomlxDType(attrType(n, "DstT", tensor.Float))
	if err != nil {
		return nil, err
	}
	x := c.node(in[0])
	if x.DType() == to {
		return one(x), nil
	}
	if to == dtypes.Bool {
		return one(graph.NotEqual(x, graph.ZerosLike(x))), nil
	}
	// Float to int truncates toward zero, as in TF.
	return one(graph.ConvertDType(x, to)), nil
}

func opBiasAdd(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("needs 2 inputs (value, bias), got %d", len(in))
	}
	y, err := compute.BiasAdd(c.node(in[0]), c.node(in[1]), attrString(n, "data_format", "NHWC"))
	if err != nil {
		return nil, err
	}
	return one(y), nil
}

func opMatMul(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	a, b := c.node(in[0]), c.node(in[1])
	if a.Rank() != 2 || b.Rank() != 2 {
		return nil, fmt.Errorf("MatMul needs matrices, got %s and %s", a.Shape(), b.Shape())
	}
	if attrBool(n, "transpose_a", false) {
		a = graph.Transpose(a, 0, 1)
	}
	if attrBool(n, "transpose_b", false) {
		b = graph.Transpose(b, 0, 1)
	}
	if a.Shape().Dim(1) != b.Shape().Dim(0) {
		return nil, fmt.Errorf("MatMul inner dimensions differ: %s × %s", a.Shape(), b.Shape())
	}
	return one(graph.Dot(a, b)), nil
}

func opBatchMatMul(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	a, b := c.node(in[0]), c.node(in[1])
	if attrBool(n, "adj_x", false) {
		a = graph.Transpose(a, -1, -2)
	}
	if attrBool(n, "adj_y", false) {
		b = graph.Transpose(b, -1, -2)
	}
	r := a.Rank()
	if r != b.Rank() || r < 2 {
		return nil, fmt.Errorf("BatchMatMul with shapes %s and %s is not supported (equal ranks ≥ 2 needed)", a.Shape(), b.Shape())
	}
	var batch [][2]int
	for i := 0; i < r-2; i++ {
		if a.Shape().Dimensions[i] != b.Shape().Dimensions[i] {
			return nil, fmt.Errorf("BatchMatMul batch dimensions differ (%s, %s); broadcasting them is not supported", a.Shape(), b.Shape())
		}
		batch = append(batch, [2]int{i, i})
	}
	return one(graph.EinsumAxes(a, b, [][2]int{{r - 1, r - 2}}, batch)), nil
}

// ---- shapes ----

func dimsOf(x *Node) []int64 {
	d := x.Shape().Dimensions
	out := make([]int64, len(d))
	for i, v := range d {
		out[i] = int64(v)
	}
	return out
}

func intTensor(dt tensor.DType, shape []int64, vals []int64) (*tensor.Tensor, error) {
	switch dt {
	case tensor.Int64:
		return tensor.FromInt64s(shape, vals)
	default:
		v32 := make([]int32, len(vals))
		for i, v := range vals {
			if v > math.MaxInt32 || v < math.MinInt32 {
				return nil, fmt.Errorf("value %d does not fit in int32", v)
			}
			v32[i] = int32(v)
		}
		return tensor.FromInt32s(shape, v32)
	}
}

// shapeOf is the static shape of v without materializing static values.
func (c *converter) shapeOf(v *value) []int64 {
	if v.n != nil {
		return dimsOf(v.n)
	}
	return append([]int64{}, v.st.Shape...)
}

func opShape(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	d := c.shapeOf(in[0])
	t, err := intTensor(attrType(n, "out_type", tensor.Int32), []int64{int64(len(d))}, d)
	if err != nil {
		return nil, err
	}
	return []*value{{st: t}}, nil
}

func opSize(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	t, err := intTensor(attrType(n, "out_type", tensor.Int32), nil, []int64{tensor.NumElements(c.shapeOf(in[0]))})
	if err != nil {
		return nil, err
	}
	return []*value{{st: t}}, nil
}

func opRank(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	t, _ := tensor.FromInt32s(nil, []int32{int32(len(c.shapeOf(in[0])))})
	return []*value{{st: t}}, nil
}

func toInts(xs []int64) []int {
	if len(xs) == 0 {
		return nil
	}
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x)
	}
	return out
}

func opReshape(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	dims, err := staticInts(in[1], "the target shape")
	if err != nil {
		return nil, err
	}
	size := x.Shape().Size()
	known, unknown := 1, -1
	out := toInts(dims)
	for i, d := range out {
		switch {
		case d == -1 && unknown < 0:
			unknown = i
		case d < 0:
			return nil, fmt.Errorf("bad target shape %v", dims)
		default:
			known *= d
		}
	}
	if unknown >= 0 {
		if known == 0 || size%known != 0 {
			return nil, fmt.Errorf("cannot reshape %s into %v", x.Shape(), dims)
		}
		out[unknown] = size / known
	} else if known != size {
		return nil, fmt.Errorf("cannot reshape %s (%d elements) into %v", x.Shape(), size, dims)
	}
	return one(graph.Reshape(x, out...)), nil
}

func normAxis(axis, rank int) (int, error) {
	if axis < -rank || axis >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += rank
	}
	return axis, nil
}

func opExpandDims(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	d, err := staticInt(in[1], "the axis")
	if err != nil {
		return nil, err
	}
	axis, err := normAxis(d, x.Rank()+1)
	if err != nil {
		return nil, err
	}
	dims := append([]int{}, x.Shape().Dimensions...)
	dims = append(dims[:axis], append([]int{1}, dims[axis:]...)...)
	return one(graph.Reshape(x, dims...)), nil
}

func opSqueeze(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	axes := attrInts(n, "squeeze_dims", nil)
	if a := attrInts(n, "axis", nil); len(axes) == 0 && len(a) > 0 {
		axes = a
	}
	drop := map[int]bool{}
	for _, a := range axes {
		ax, err := normAxis(int(a), x.Rank())
		if err != nil {
			return nil, err
		}
		if x.Shape().Dimensions[ax] != 1 {
			return nil, fmt.Errorf("cannot squeeze axis %d of shape %s: size is not 1", a, x.Shape())
		}
		drop[ax] = true
	}
	var dims []int
	for i, d := range x.Shape().Dimensions {
		if (len(axes) == 0 && d == 1) || drop[i] {
			continue
		}
		dims = append(dims, d)
	}
	return one(graph.Reshape(x, dims...)), nil
}

func opTranspose(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	perm, err := staticInts(in[1], "the permutation")
	if err != nil {
		return nil, err
	}
	if len(perm) != x.Rank() {
		return nil, fmt.Errorf("permutation %v does not match rank %d", perm, x.Rank())
	}
	return one(graph.TransposeAllDims(x, toInts(perm)...)), nil
}

func opFill(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	dims, err := staticInts(in[0], "the dims")
	if err != nil {
		return nil, err
	}
	v := c.node(in[1])
	if v.Rank() != 0 {
		return nil, fmt.Errorf("fill value must be a scalar, got %s", v.Shape())
	}
	return one(graph.BroadcastToDims(v, toInts(dims)...)), nil
}

func opPack(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("Pack without inputs")
	}
	nodes := make([]*Node, len(in))
	for i, v := range in {
		nodes[i] = c.node(v)
	}
	axis, err := normAxis(int(attrInt(n, "axis", 0)), nodes[0].Rank()+1)
	if err != nil {
		return nil, err
	}
	for i, x := range nodes {
		dims := append([]int{}, x.Shape().Dimensions...)
		dims = append(dims[:axis], append([]int{1}, dims[axis:]...)...)
		nodes[i] = graph.Reshape(x, dims...)
	}
	if len(nodes) == 1 {
		return one(nodes[0]), nil
	}
	return one(graph.Concatenate(nodes, axis)), nil
}

func opUnpack(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	axis, err := normAxis(int(attrInt(n, "axis", 0)), x.Rank())
	if err != nil {
		return nil, err
	}
	num := x.Shape().Dimensions[axis]
	dims := append([]int{}, x.Shape().Dimensions...)
	dims = append(dims[:axis], dims[axis+1:]...)
	outs := make([]*value, num)
	for i := 0; i < num; i++ {
		outs[i] = &value{n: graph.Reshape(graph.SliceAxis(x, axis, graph.AxisRange(i, i+1)), dims...)}
	}
	return outs, nil
}

func opConcat(axisFirst bool) opFunc {
	return func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		if len(in) < 2 {
			return nil, fmt.Errorf("needs values and an axis")
		}
		axisV, vals := in[len(in)-1], in[:len(in)-1]
		if axisFirst {
			axisV, vals = in[0], in[1:]
		}
		a, err := staticInt(axisV, "the axis")
		if err != nil {
			return nil, err
		}
		nodes := make([]*Node, len(vals))
		for i, v := range vals {
			nodes[i] = c.node(v)
		}
		axis, err := normAxis(a, nodes[0].Rank())
		if err != nil {
			return nil, err
		}
		if len(nodes) == 1 {
			return one(nodes[0]), nil
		}
		return one(graph.Concatenate(nodes, axis)), nil
	}
}

func splitAt(x *Node, axis int, sizes []int) []*value {
	outs := make([]*value, len(sizes))
	start := 0
	for i, s := range sizes {
		outs[i] = &value{n: graph.SliceAxis(x, axis, graph.AxisRange(start, start+s))}
		start += s
	}
	return outs
}

func opSplit(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	a, err := staticInt(in[0], "split_dim")
	if err != nil {
		return nil, err
	}
	x := c.node(in[1])
	axis, err := normAxis(a, x.Rank())
	if err != nil {
		return nil, err
	}
	num := int(attrInt(n, "num_split", 1))
	d := x.Shape().Dimensions[axis]
	if num < 1 || d%num != 0 {
		return nil, fmt.Errorf("cannot split dimension %d of size %d into %d parts", axis, d, num)
	}
	sizes := make([]int, num)
	for i := range sizes {
		sizes[i] = d / num
	}
	return splitAt(x, axis, sizes), nil
}

func opSplitV(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	sz, err := staticInts(in[1], "size_splits")
	if err != nil {
		return nil, err
	}
	a, err := staticInt(in[2], "split_dim")
	if err != nil {
		return nil, err
	}
	axis, err := normAxis(a, x.Rank())
	if err != nil {
		return nil, err
	}
	sizes, unknown, total := toInts(sz), -1, 0
	for i, s := range sizes {
		if s == -1 {
			unknown = i
		} else {
			total += s
		}
	}
	if unknown >= 0 {
		sizes[unknown] = x.Shape().Dimensions[axis] - total
		total += sizes[unknown]
	}
	if total != x.Shape().Dimensions[axis] {
		return nil, fmt.Errorf("size_splits %v do not add up to dimension %d", sz, x.Shape().Dimensions[axis])
	}
	return splitAt(x, axis, sizes), nil
}

func opSlice(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	begin, err := staticInts(in[1], "begin")
	if err != nil {
		return nil, err
	}
	size, err := staticInts(in[2], "size")
	if err != nil {
		return nil, err
	}
	if len(begin) != x.Rank() || len(size) != x.Rank() {
		return nil, fmt.Errorf("begin %v and size %v must have one value per axis of %s", begin, size, x.Shape())
	}
	specs := make([]graph.SliceAxisSpec, x.Rank())
	for i := range specs {
		b, s := int(begin[i]), int(size[i])
		if s == -1 {
			s = x.Shape().Dimensions[i] - b
		}
		if b < 0 || s < 0 || b+s > x.Shape().Dimensions[i] {
			return nil, fmt.Errorf("slice [%d, %d+%d) out of range for axis %d of %s", b, b, s, i, x.Shape())
		}
		specs[i] = graph.AxisRange(b, b+s)
	}
	return one(graph.Slice(x, specs...)), nil
}

func opPad(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	p, err := staticInts(in[1], "paddings")
	if err != nil {
		return nil, err
	}
	if len(p) != 2*x.Rank() {
		return nil, fmt.Errorf("paddings has %d values, want %d for %s", len(p), 2*x.Rank(), x.Shape())
	}
	fill := 0.0
	var fillNode *Node
	if len(in) > 2 {
		fillNode = c.node(in[2])
	}
	pads := make([][2]int, x.Rank())
	for i := range pads {
		pads[i] = [2]int{int(p[2*i]), int(p[2*i+1])}
		if pads[i][0] < 0 || pads[i][1] < 0 {
			return nil, fmt.Errorf("negative paddings %v", p)
		}
	}
	return one(padConst(x, pads, fill, fillNode)), nil
}

// padConst pads x with a constant by concatenation, which every backend
// supports (GoMLX v0.26's pure-Go backend lacks the Pad op).
func padConst(x *Node, pads [][2]int, fill float64, fillNode *Node) *Node {
	g := x.Graph()
	for axis, p := range pads {
		if p[0] == 0 && p[1] == 0 {
			continue
		}
		parts := []*Node{}
		mk := func(k int) *Node {
			dims := append([]int{}, x.Shape().Dimensions...)
			dims[axis] = k
			if fillNode != nil {
				return graph.BroadcastToDims(graph.ConvertDType(fillNode, x.DType()), dims...)
			}
			return graph.BroadcastToDims(graph.Scalar(g, x.DType(), fill), dims...)
		}
		if p[0] > 0 {
			parts = append(parts, mk(p[0]))
		}
		parts = append(parts, x)
		if p[1] > 0 {
			parts = append(parts, mk(p[1]))
		}
		x = graph.Concatenate(parts, axis)
	}
	return x
}

func opTile(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	m, err := staticInts(in[1], "multiples")
	if err != nil {
		return nil, err
	}
	if len(m) != x.Rank() {
		return nil, fmt.Errorf("multiples %v must have one value per axis of %s", m, x.Shape())
	}
	for axis, k := range m {
		if k == 1 {
			continue
		}
		parts := make([]*Node, k)
		for i := range parts {
			parts[i] = x
		}
		x = graph.Concatenate(parts, axis)
	}
	return one(x), nil
}

func opRange(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	start, err := staticInt(in[0], "start")
	if err != nil {
		return nil, err
	}
	limit, err := staticInt(in[1], "limit")
	if err != nil {
		return nil, err
	}
	delta, err := staticInt(in[2], "delta")
	if err != nil {
		return nil, err
	}
	if delta == 0 {
		return nil, fmt.Errorf("delta is 0")
	}
	var vals []int64
	for v := start; (delta > 0 && v < limit) || (delta < 0 && v > limit); v += delta {
		vals = append(vals, int64(v))
		if len(vals) > 1<<24 {
			return nil, fmt.Errorf("range too long")
		}
	}
	t, err := intTensor(attrType(n, "Tidx", tensor.Int32), []int64{int64(len(vals))}, vals)
	if err != nil {
		return nil, err
	}
	return []*value{{st: t}}, nil
}

func opSelect(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	cond, x, y := c.node(in[0]), c.node(in[1]), c.node(in[2])
	x, y = sameRank(x, y)
	if cond.Rank() == 1 && x.Rank() > 1 && n.Op == "Select" {
		cond = graph.ExpandAxes(cond, toInts(seq(1, x.Rank()))...)
	}
	if cond.Rank() < x.Rank() {
		cond = graph.ExpandLeftToRank(cond, x.Rank())
	}
	outDims := make([]int, x.Rank())
	for i := range outDims {
		outDims[i] = max(cond.Shape().Dimensions[i], x.Shape().Dimensions[i], y.Shape().Dimensions[i])
	}
	bc := func(v *Node) *Node {
		if v.Shape().Size() == 1 && v.Rank() > 0 {
			v = graph.Reshape(v)
		}
		return graph.BroadcastToDims(v, outDims...)
	}
	return one(graph.Where(bc(cond), bc(x), bc(y))), nil
}

func seq(from, to int) []int64 {
	var s []int64
	for i := from; i < to; i++ {
		s = append(s, int64(i))
	}
	return s
}

// ---- reductions ----

func reduceOp(f func(x *Node, axes ...int) *Node) opFunc {
	return func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		x := c.node(in[0])
		ax, err := staticInts(in[1], "the reduction axes")
		if err != nil {
			return nil, err
		}
		seen := map[int]bool{}
		var axes []int
		for _, a := range ax {
			a2, err := normAxis(int(a), x.Rank())
			if err != nil {
				return nil, err
			}
			if !seen[a2] {
				seen[a2] = true
				axes = append(axes, a2)
			}
		}
		if len(axes) == 0 {
			return one(x), nil
		}
		y := f(x, axes...)
		if attrBool(n, "keep_dims", false) || attrBool(n, "keepdims", false) {
			dims := append([]int{}, x.Shape().Dimensions...)
			for _, a := range axes {
				dims[a] = 1
			}
			y = graph.Reshape(y, dims...)
		}
		return one(y), nil
	}
}

func opArgMax(isMax bool) opFunc {
	return func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		x := c.node(in[0])
		a, err := staticInt(in[1], "the axis")
		if err != nil {
			return nil, err
		}
		axis, err := normAxis(a, x.Rank())
		if err != nil {
			return nil, err
		}
		dt, err := gomlxDType(attrType(n, "output_type", tensor.Int64))
		if err != nil {
			return nil, err
		}
		if isMax {
			return one(graph.ArgMax(x, axis, dt)), nil
		}
		return one(graph.ArgMin(x, axis, dt)), nil
	}
}

// ---- random ----

func opRandomUniform(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	dims, err := staticInts(in[0], "the shape")
	if err != nil {
		return nil, err
	}
	dt, err := gomlxDType(attrType(n, "dtype", tensor.Float))
	if err != nil {
		return nil, err
	}
	if c.ctx == nil {
		return nil, fmt.Errorf("random ops need a context")
	}
	// Uniform in [0, 1) like TF's; TF's seeds are not reproduced (different generator).
	return one(c.ctx.RandomUniform(c.g, shapes.Make(dt, toInts(dims)...))), nil
}

// reduceProd multiplies along axes. Small reductions are unrolled into
// products of slices so they have a gradient (GoMLX v0.26 has none for
// ReduceMultiply).
func reduceProd(x *Node, axes ...int) *Node {
	k := 1
	for _, a := range axes {
		k *= x.Shape().Dimensions[a]
	}
	if k > 64 {
		return graph.ReduceMultiply(x, axes...)
	}
	isReduced := map[int]bool{}
	for _, a := range axes {
		isReduced[a] = true
	}
	var perm, keptDims []int
	for i, d := range x.Shape().Dimensions {
		if !isReduced[i] {
			perm = append(perm, i)
			keptDims = append(keptDims, d)
		}
	}
	perm = append(perm, axes...)
	y := graph.Reshape(graph.TransposeAllDims(x, perm...), append(append([]int{}, keptDims...), k)...)
	last := len(keptDims)
	prod := graph.SliceAxis(y, last, graph.AxisElem(0))
	for i := 1; i < k; i++ {
		prod = graph.Mul(prod, graph.SliceAxis(y, last, graph.AxisElem(i)))
	}
	return graph.Reshape(prod, keptDims...)
}

// reverseAxes reverses x along axes with Gather, which has a gradient on
// every backend (GoMLX v0.26's Reverse has none).
func reverseAxes(x *Node, axes ...int) *Node {
	for _, a := range axes {
		d := x.Shape().Dimensions[a]
		idx := make([][]int32, d)
		for i := range idx {
			idx[i] = []int32{int32(d - 1 - i)}
		}
		perm := []int{a}
		for i := 0; i < x.Rank(); i++ {
			if i != a {
				perm = append(perm, i)
			}
		}
		inv := make([]int, len(perm))
		for i, p := range perm {
			inv[p] = i
		}
		xt := graph.TransposeAllDims(x, perm...)
		g := graph.Gather(xt, graph.Const(x.Graph(), idx))
		x = graph.TransposeAllDims(g, inv...)
	}
	return x
}

// opGather is TF's Gather / GatherV2 (batch_dims 0): output shape
// params[:axis] + indices + params[axis+1:]. Indices must be in range (TF
// reports out-of-range indices on CPU; GoMLX clamps them).
func opGather(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	params, indices := c.node(in[0]), c.node(in[1])
	axis := 0
	if len(in) > 2 {
		a, err := staticInt(in[2], "the axis")
		if err != nil {
			return nil, err
		}
		if axis, err = normAxis(a, params.Rank()); err != nil {
			return nil, err
		}
	}
	if attrInt(n, "batch_dims", 0) != 0 {
		return nil, fmt.Errorf("batch_dims other than 0 is not supported")
	}
	if indices.DType().IsFloat() {
		return nil, fmt.Errorf("indices must be integers, got %s", indices.DType())
	}
	pd := params.Shape().Dimensions
	perm := []int{axis}
	for i := range pd {
		if i != axis {
			perm = append(perm, i)
		}
	}
	pt := graph.TransposeAllDims(params, perm...)
	idxDims := indices.Shape().Dimensions
	flat := graph.Reshape(indices, indices.Shape().Size(), 1)
	gathered := graph.Gather(pt, flat) // [numIndices, rest...]
	var rest []int
	for i, d := range pd {
		if i != axis {
			rest = append(rest, d)
		}
	}
	out := graph.Reshape(gathered, append(append([]int{}, idxDims...), rest...)...)
	// Move params' leading axes (before axis) back in front of the indices' axes.
	if axis > 0 {
		ni := len(idxDims)
		var p2 []int
		for i := 0; i < axis; i++ {
			p2 = append(p2, ni+i)
		}
		for i := 0; i < ni; i++ {
			p2 = append(p2, i)
		}
		for i := ni + axis; i < out.Rank(); i++ {
			p2 = append(p2, i)
		}
		out = graph.TransposeAllDims(out, p2...)
	}
	return one(out), nil
}

// opMirrorPad is TF's MirrorPad: REFLECT excludes the edge, SYMMETRIC
// repeats it.
func opMirrorPad(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	p, err := staticInts(in[1], "paddings")
	if err != nil {
		return nil, err
	}
	if len(p) != 2*x.Rank() {
		return nil, fmt.Errorf("paddings has %d values, want %d", len(p), 2*x.Rank())
	}
	mode := attrString(n, "mode", "")
	off := 0
	switch mode {
	case "REFLECT":
		off = 1
	case "SYMMETRIC":
	default:
		return nil, fmt.Errorf("unknown mode %q", mode)
	}
	for axis := 0; axis < x.Rank(); axis++ {
		before, after := int(p[2*axis]), int(p[2*axis+1])
		d := x.Shape().Dimensions[axis]
		if before < 0 || after < 0 || before > d-off || after > d-off {
			return nil, fmt.Errorf("paddings %v too large for %s in %s mode", p, x.Shape(), mode)
		}
		parts := []*Node{}
		if before > 0 {
			parts = append(parts, reverseAxes(graph.SliceAxis(x, axis, graph.AxisRange(off, off+before)), axis))
		}
		parts = append(parts, x)
		if after > 0 {
			parts = append(parts, reverseAxes(graph.SliceAxis(x, axis, graph.AxisRange(d-off-after, d-off)), axis))
		}
		if len(parts) > 1 {
			x = graph.Concatenate(parts, axis)
		}
	}
	return one(x), nil
}
