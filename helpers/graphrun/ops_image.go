package graphrun

import (
	"fmt"
	"math"

	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/helpers/tensor"
)

func convAttrs(n *nodepb.NodeDef) compute.ConvAttrs {
	return compute.ConvAttrs{
		Strides:          toInts(attrInts(n, "strides", nil)),
		Dilations:        toInts(attrInts(n, "dilations", nil)),
		Padding:          attrString(n, "padding", ""),
		ExplicitPaddings: toInts(attrInts(n, "explicit_paddings", nil)),
		DataFormat:       attrString(n, "data_format", "NHWC"),
	}
}

// convRecord is how a Conv2D / DepthwiseConv2dNative output was computed.
type convRecord struct {
	x, k      *Node
	attrs     compute.ConvAttrs
	depthwise bool
	ref       tensorRef
	// kst is the kernel's value when it is a weight known at conversion
	// and the converter freezes weights (see foldBatchNormStatic).
	kst *tensor.Tensor
}

func (r *convRecord) build(k *Node) (*Node, error) {
	if r.depthwise {
		return compute.DepthwiseConv2dNative(r.x, k, r.attrs)
	}
	return compute.Conv2D(r.x, k, r.attrs)
}

func opConv2D(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	return convOp(c, n, in, false)
}

func opDepthwise(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	return convOp(c, n, in, true)
}

func convOp(c *converter, n *nodepb.NodeDef, in []*value, depthwise bool) ([]*value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("needs 2 inputs (input, filter), got %d", len(in))
	}
	r := &convRecord{x: c.node(in[0]), k: c.node(in[1]), attrs: convAttrs(n), depthwise: depthwise, ref: tensorRef{node: n.Name}}
	if c.frozen && in[1].st != nil && in[1].st.DType == tensor.Float {
		r.kst = in[1].st
	}
	y, err := r.build(r.k)
	if err != nil {
		return nil, err
	}
	return []*value{{n: y, conv: r}}, nil
}

// foldScale returns conv·f computed as a convolution with a scaled kernel,
// when v is a convolution output used only here and f holds one factor per
// output channel (shape [C] or [1, …, 1, C]): batch norm then costs a pass
// over the small kernel instead of the large activations. Gradients are
// unchanged (it is the same function of the same variables).
func (c *converter) foldScale(v *value, f *Node) (*value, bool) {
	if v.conv == nil || v.n == nil || c.m.consumers[v.conv.ref] != 1 || !f.DType().IsFloat() {
		return nil, false
	}
	cout := v.n.Shape().Dimensions[v.n.Rank()-1]
	if f.Shape().Size() != cout || (f.Rank() > 0 && f.Shape().Dimensions[f.Rank()-1] != cout) {
		return nil, false
	}
	if v.conv.attrs.DataFormat != "" && v.conv.attrs.DataFormat != "NHWC" {
		return nil, false
	}
	kd := v.conv.k.Shape().Dimensions
	var fk *Node
	if v.conv.depthwise {
		fk = graph.Reshape(f, 1, 1, kd[2], kd[3])
	} else {
		fk = graph.Reshape(f, 1, 1, 1, cout)
	}
	k := graph.Mul(v.conv.k, fk)
	y, err := v.conv.build(k)
	if err != nil {
		return nil, false
	}
	r := *v.conv
	r.k = k
	return &value{n: y, conv: &r}, true
}

func poolOp(isMax bool) opFunc {
	return func(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
		attrs := compute.PoolAttrs{
			Ksize:            toInts(attrInts(n, "ksize", nil)),
			Strides:          toInts(attrInts(n, "strides", nil)),
			Padding:          attrString(n, "padding", ""),
			ExplicitPaddings: toInts(attrInts(n, "explicit_paddings", nil)),
			DataFormat:       attrString(n, "data_format", "NHWC"),
		}
		var y *Node
		var err error
		if isMax {
			y, err = compute.MaxPool(c.node(in[0]), attrs)
		} else {
			y, err = compute.AvgPool(c.node(in[0]), attrs)
		}
		if err != nil {
			return nil, err
		}
		return one(y), nil
	}
}

func channelVec(v *Node, rank int) *Node {
	return graph.ExpandLeftToRank(v, rank)
}

func opFusedBatchNorm(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	if err := checkNHWC(n); err != nil {
		return nil, err
	}
	if len(in) != 5 {
		return nil, fmt.Errorf("needs 5 inputs (x, scale, offset, mean, variance), got %d", len(in))
	}
	x := c.node(in[0])
	scale, offset := c.node(in[1]), c.node(in[2])
	eps := float64(attrFloat(n, "epsilon", 1e-4))
	var mean, variance *Node
	if attrBool(n, "is_training", true) {
		// Batch statistics (population variance), as TF computes in training mode.
		axes := []int{0, 1, 2}[:x.Rank()-1]
		mean = graph.ReduceMean(x, axes...)
		variance = graph.ReduceMean(graph.Square(graph.Sub(x, channelVec(mean, x.Rank()))), axes...)
	} else {
		mean, variance = c.node(in[3]), c.node(in[4])
	}
	var y *Node
	if !attrBool(n, "is_training", true) {
		y = c.foldBatchNormStatic(in[0], in[3], in[4], in[2], in[1], eps)
	}
	if y == nil {
		y = c.batchNormFolded(in[0], x, mean, variance, offset, scale, eps)
	}
	return []*value{{n: y}, {n: mean}, {n: variance}, {n: mean}, {n: variance}, {n: mean}}, nil
}

// batchNorm computes (x - mean) · scale/√(variance+ε) + offset per channel
// (last axis); scale may be nil. It is arranged as x·f + (offset - mean·f),
// so only two operations touch the activations; the rest is per-channel.
func batchNorm(x, mean, variance, offset, scale *Node, eps float64) *Node {
	r := x.Rank()
	f := graph.Inverse(graph.Sqrt(graph.AddScalar(variance, eps)))
	if scale != nil {
		f = graph.Mul(f, scale)
	}
	shift := graph.Sub(offset, graph.Mul(mean, f))
	return graph.Add(graph.Mul(x, channelVec(f, r)), channelVec(shift, r))
}

// batchNormFolded is batchNorm, with the scale folded into the kernel of a
// preceding convolution when possible (see foldScale).
func (c *converter) batchNormFolded(xv *value, x, mean, variance, offset, scale *Node, eps float64) *Node {
	f := graph.Inverse(graph.Sqrt(graph.AddScalar(variance, eps)))
	if scale != nil {
		f = graph.Mul(f, scale)
	}
	if folded, ok := c.foldScale(xv, f); ok {
		return graph.Add(folded.n, channelVec(graph.Sub(offset, graph.Mul(mean, f)), x.Rank()))
	}
	return batchNorm(x, mean, variance, offset, scale, eps)
}

func opBatchNormGlobal(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	if len(in) != 5 {
		return nil, fmt.Errorf("needs 5 inputs (t, m, v, beta, gamma), got %d", len(in))
	}
	eps := float64(attrFloat(n, "variance_epsilon", 0))
	gammaV := in[4]
	if !attrBool(n, "scale_after_normalization", false) {
		gammaV = nil
	}
	if y := c.foldBatchNormStatic(in[0], in[1], in[2], in[3], gammaV, eps); y != nil {
		return one(y), nil
	}
	x, m, v, beta, gamma := c.node(in[0]), c.node(in[1]), c.node(in[2]), c.node(in[3]), c.node(in[4])
	if gammaV == nil {
		gamma = nil
	}
	return one(c.batchNormFolded(in[0], x, m, v, beta, gamma, eps)), nil
}

func opResizeBilinear(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	if x.Rank() != 4 {
		return nil, fmt.Errorf("images must be [batch, height, width, channels], got %s", x.Shape())
	}
	size, err := staticInts(in[1], "the size")
	if err != nil {
		return nil, err
	}
	if len(size) != 2 || size[0] < 1 || size[1] < 1 {
		return nil, fmt.Errorf("size must be two positive values, got %v", size)
	}
	return one(ResizeBilinear(x, int(size[0]), int(size[1]),
		attrBool(n, "align_corners", false), attrBool(n, "half_pixel_centers", false))), nil
}

// ResizeBilinear resizes NHWC images like tf.image.resize_bilinear (see
// compute.ResizeBilinear); the result is float32 for integer inputs.
func ResizeBilinear(images *Node, height, width int, alignCorners, halfPixelCenters bool) *Node {
	x := images
	if !x.DType().IsFloat() {
		x = graph.ConvertDType(x, dtypes.Float32)
	}
	y, err := compute.ResizeBilinear(x, height, width, alignCorners, halfPixelCenters)
	if err != nil {
		panic(err)
	}
	return y
}

// opDequantize folds quantized Const weights into float32 when the graph is
// built, with TensorFlow's formulas (see Dequantize).
func opDequantize(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("needs 3 inputs (input, min_range, max_range), got %d", len(in))
	}
	if !allStatic(in) {
		return nil, fmt.Errorf("only Dequantize of constant (weight) tensors is supported")
	}
	if dt := attrType(n, "dtype", tensor.Float); dt != tensor.Float {
		return nil, fmt.Errorf("output dtype %s is not supported (float32 only)", dt)
	}
	if attrInt(n, "axis", -1) != -1 {
		return nil, fmt.Errorf("per-axis Dequantize is not supported")
	}
	mins, err := in[1].st.Float64s()
	if err != nil {
		return nil, err
	}
	maxs, err := in[2].st.Float64s()
	if err != nil {
		return nil, err
	}
	if len(mins) != 1 || len(maxs) != 1 {
		return nil, fmt.Errorf("min_range and max_range must be scalars")
	}
	out, err := Dequantize(in[0].st, float32(mins[0]), float32(maxs[0]), attrString(n, "mode", "MIN_COMBINED"))
	if err != nil {
		return nil, err
	}
	return []*value{{st: out, weight: n.Name}}, nil
}

// Dequantize converts a quantized tensor (quint8, qint8, quint16, qint16)
// to float32 exactly as TensorFlow's CPU kernel does, for modes MIN_FIRST
// and MIN_COMBINED. MIN_FIRST snaps the minimum to a whole number of steps:
// scale = (max-min)·2^b/(2^b-1)/2^b (rounded to float32), minRounded =
// round(min/scale)·scale, result = minRounded + (q - lowest)·scale.
func Dequantize(q *tensor.Tensor, minRange, maxRange float32, mode string) (*tensor.Tensor, error) {
	var bits int
	var lowest int64
	switch q.DType {
	case tensor.Quint8:
		bits = 8
	case tensor.Qint8:
		bits, lowest = 8, -128
	case tensor.Quint16:
		bits = 16
	case tensor.Qint16:
		bits, lowest = 16, -32768
	default:
		return nil, fmt.Errorf("graphrun: Dequantize of %s is not supported", q.DType)
	}
	qs, err := q.Int64s()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(qs))
	steps := float64(int64(1) << bits)
	switch mode {
	case "MIN_FIRST":
		if minRange == maxRange {
			for i := range out {
				out[i] = minRange
			}
			break
		}
		rng := (float64(maxRange) - float64(minRange)) * (steps / (steps - 1))
		scale := float32(rng / steps)
		// As in TF's kernel, the snap is computed in float32.
		minRounded := float32(math.Round(float64(minRange/scale))) * scale
		for i, v := range qs {
			out[i] = float32(float64(minRounded) + float64(v-lowest)*float64(scale))
		}
	case "MIN_COMBINED":
		scale := (float64(maxRange) - float64(minRange)) / (steps - 1)
		half := 0.0
		if lowest != 0 {
			half = steps / 2
		}
		for i, v := range qs {
			out[i] = float32((float64(v)+half)*scale + float64(minRange))
		}
	default:
		return nil, fmt.Errorf("graphrun: Dequantize mode %q is not supported (MIN_FIRST, MIN_COMBINED)", mode)
	}
	return tensor.FromFloat32s(q.Shape, out)
}

func opDecodeJpeg(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	if in[0].st == nil || in[0].st.DType != tensor.String || len(in[0].st.Strings) != 1 {
		return nil, fmt.Errorf("the JPEG contents must be fed as the decoded image: feed %q with the file's bytes and graphrun decodes it in Go", n.Name+"/contents:0")
	}
	img, err := decodeForNode(n, in[0].st.Strings[0])
	if err != nil {
		return nil, err
	}
	return []*value{{st: img}}, nil
}

// foldBatchNormStatic folds an inference batch norm into the preceding
// convolution when the converter freezes weights and every parameter is
// known at conversion: kernel·f and offset − mean·f (f = scale/√(var+ε))
// are computed in Go, in float64, and the graph gets one convolution with
// a constant kernel plus a per-channel add. The result differs from
// normalizing the convolution's output by float32 rounding only (the
// folded kernel is rounded once; TestFrozenBatchNormFolding measures the
// difference). It returns nil when it does not apply.
func (c *converter) foldBatchNormStatic(xv, meanV, varV, offsetV, scaleV *value, eps float64) *Node {
	if !c.frozen || xv.conv == nil || xv.conv.kst == nil || xv.n == nil || c.m.consumers[xv.conv.ref] != 1 {
		return nil
	}
	if f := xv.conv.attrs.DataFormat; f != "" && f != "NHWC" {
		return nil
	}
	k := xv.conv.kst
	if len(k.Shape) != 4 {
		return nil
	}
	cout := int(k.Shape[3])
	if xv.conv.depthwise {
		cout *= int(k.Shape[2])
	}
	vec := func(v *value) []float32 {
		if v == nil || v.st == nil || v.st.DType != tensor.Float || v.st.NumElements() != int64(cout) {
			return nil
		}
		xs, err := v.st.Float32s()
		if err != nil {
			return nil
		}
		return xs
	}
	mean, variance, offset := vec(meanV), vec(varV), vec(offsetV)
	scale := vec(scaleV)
	if mean == nil || variance == nil || offset == nil || (scaleV != nil && scale == nil) {
		return nil
	}
	kw, err := k.Float32s()
	if err != nil {
		return nil
	}
	f := make([]float64, cout)
	shift := make([]float32, cout)
	for i := range f {
		f[i] = 1 / math.Sqrt(float64(variance[i])+eps)
		if scale != nil {
			f[i] *= float64(scale[i])
		}
		shift[i] = float32(float64(offset[i]) - float64(mean[i])*f[i])
	}
	folded := make([]float32, len(kw))
	// HWIO (Conv2D) and HWCM (depthwise, output channel c·M+m) both keep
	// the output channel index in the kernel's innermost position(s).
	for i, w := range kw {
		folded[i] = float32(float64(w) * f[i%cout])
	}
	kt, err := tensor.FromFloat32s(k.Shape, folded)
	if err != nil {
		return nil
	}
	gk, err := ToGoMLX(kt)
	if err != nil {
		return nil
	}
	y, err := xv.conv.build(graph.ConstTensor(c.g, gk))
	if err != nil {
		return nil
	}
	st, err := tensor.FromFloat32s([]int64{1, 1, 1, int64(cout)}, shift)
	if err != nil {
		return nil
	}
	gs, err := ToGoMLX(st)
	if err != nil {
		return nil
	}
	return graph.Add(y, graph.ConstTensor(c.g, gs))
}
