package compute

import (
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"

	"github.com/gotl/gotl/helpers/compute/internal/lower"
)

// ConvImpl chooses how Conv2D and DepthwiseConv2dNative are computed.
type ConvImpl int

const (
	// ConvAuto: on the pure-Go backend with the CPU fast path active,
	// float32 convolutions (and depthwise ones with multiplier 1) are
	// single ConvGeneral ops the fast executors run; otherwise Conv2D is
	// lowered to a matrix product on the pure-Go backend and uses GoMLX's
	// native convolution elsewhere (XLA), and depthwise convolutions are
	// lowered, because GoMLX v0.26.0's grouped-convolution gradient splits
	// the layer into one convolution per channel (thousands of ops for
	// MobileNet).
	ConvAuto ConvImpl = iota
	// ConvLowered always uses im2col + Dot (Conv2D) or shifted slices
	// (depthwise).
	ConvLowered
	// ConvNative always uses graph.Convolve.
	ConvNative
)

// ConvAttrs are a TensorFlow Conv2D / DepthwiseConv2dNative node's
// attributes, as stored in the GraphDef. Zero values mean TF's registered
// defaults, so attributes missing from old graphs can be left empty.
type ConvAttrs struct {
	// Strides is TF's "strides": 4 values in DataFormat order; the batch and
	// channel ones must be 1. Nil means all 1.
	Strides []int
	// Dilations is TF's "dilations", same layout. Nil means all 1.
	Dilations []int
	// Padding is "SAME", "VALID" or "EXPLICIT".
	Padding string
	// ExplicitPaddings is TF's "explicit_paddings" (8 values: before/after
	// for each axis in DataFormat order), used only with "EXPLICIT".
	ExplicitPaddings []int
	// DataFormat is "NHWC" (the default when empty) or "NCHW".
	DataFormat string
	// Impl picks the implementation; the default ConvAuto is right for
	// almost every use.
	Impl ConvImpl
}

// PoolAttrs are a TensorFlow MaxPool / AvgPool node's attributes.
type PoolAttrs struct {
	// Ksize is TF's "ksize": 4 values in DataFormat order (batch and channel
	// must be 1).
	Ksize []int
	// Strides is TF's "strides", same layout; nil means all 1.
	Strides []int
	// Padding is "SAME" or "VALID" (MaxPool also accepts "EXPLICIT").
	Padding string
	// ExplicitPaddings is MaxPool's "explicit_paddings" (8 values).
	ExplicitPaddings []int
	// DataFormat is "NHWC" (default when empty) or "NCHW".
	DataFormat string
	// Impl: ConvAuto (default) computes float32/float64 pooling as
	// max/sum of shifted slices on the pure-Go backend (simplego's
	// ReduceWindow is ~20x slower) and with ReduceWindow elsewhere;
	// ConvLowered and ConvNative force one or the other.
	Impl ConvImpl
}

// SamePadding returns TensorFlow's SAME output size and (before, after)
// padding for one spatial axis: out = ceil(in/stride), total padding
// max((out-1)*stride + (k-1)*dilation + 1 - in, 0), the odd element after.
func SamePadding(in, k, stride, dilation int) (out, before, after int) {
	out = (in + stride - 1) / stride
	kEff := (k-1)*dilation + 1
	total := max((out-1)*stride+kEff-in, 0)
	return out, total / 2, total - total/2
}

// spatialIndices returns the H and W axis positions for a data format.
func spatialIndices(op, format string) (h, w int, nchw bool, err error) {
	switch format {
	case "", "NHWC":
		return 1, 2, false, nil
	case "NCHW":
		return 2, 3, true, nil
	}
	return 0, 0, false, errorf(op, "data_format %q not supported (NHWC, NCHW)", format)
}

// four checks a TF 4-vector attribute in data-format order and returns its
// H and W values; nil means all 1. Batch and channel entries must be 1.
func four(op, name string, v []int, h, w int) ([2]int, error) {
	if v == nil {
		return [2]int{1, 1}, nil
	}
	if len(v) != 4 {
		return [2]int{}, errorf(op, "%s must have 4 values, got %v", name, v)
	}
	for i, x := range v {
		if i != h && i != w && x != 1 {
			return [2]int{}, errorf(op, "%s %v: batch and channel entries must be 1", name, v)
		}
		if x < 1 {
			return [2]int{}, errorf(op, "%s %v: values must be >= 1", name, v)
		}
	}
	return [2]int{v[h], v[w]}, nil
}

// resolve computes output size and paddings for an NHWC input of spatial
// size in and kernel size k.
func resolve(op string, in, k, strides, dilations [2]int, padding string, explicit []int, h, w int) (lower.Spatial, error) {
	sp := lower.Spatial{Strides: strides, Dilations: dilations}
	switch padding {
	case "SAME":
		for a := range 2 {
			sp.Out[a], sp.Pads[a][0], sp.Pads[a][1] = SamePadding(in[a], k[a], strides[a], dilations[a])
		}
	case "VALID", "EXPLICIT":
		if padding == "EXPLICIT" {
			if len(explicit) != 8 {
				return sp, errorf(op, "explicit_paddings must have 8 values, got %v", explicit)
			}
			for a, axis := range []int{h, w} {
				sp.Pads[a] = [2]int{explicit[2*axis], explicit[2*axis+1]}
				if sp.Pads[a][0] < 0 || sp.Pads[a][1] < 0 {
					return sp, errorf(op, "explicit_paddings %v must not be negative", explicit)
				}
			}
		}
		for a := range 2 {
			kEff := (k[a]-1)*dilations[a] + 1
			span := in[a] + sp.Pads[a][0] + sp.Pads[a][1] - kEff
			if span < 0 {
				return sp, errorf(op, "%s padding: kernel %d (dilated %d) larger than input %d", padding, k[a], kEff, in[a])
			}
			sp.Out[a] = span/strides[a] + 1
		}
	default:
		return sp, errorf(op, "padding %q not supported (SAME, VALID, EXPLICIT)", padding)
	}
	return sp, nil
}

func toNHWC(x *graph.Node, nchw bool) *graph.Node {
	if nchw {
		return graph.TransposeAllAxes(x, 0, 2, 3, 1)
	}
	return x
}

func fromNHWC(x *graph.Node, nchw bool) *graph.Node {
	if nchw {
		return graph.TransposeAllAxes(x, 0, 3, 1, 2)
	}
	return x
}

// useLowered reports whether impl computes x's op in its lowered form:
// ConvAuto lowers on the pure-Go backend unless the fast path computes
// the single op directly (float32).
func useLowered(x *graph.Node, impl ConvImpl) bool {
	switch impl {
	case ConvLowered:
		return true
	case ConvNative:
		return false
	}
	return IsPureGo(x.Graph().Backend()) && !fastFloat32(x.Graph(), x)
}

// convSetup validates a conv's operands and attributes and returns the
// NHWC input and resolved geometry.
func convSetup(op string, x, filter *graph.Node, attrs ConvAttrs) (*graph.Node, lower.Spatial, bool, error) {
	var sp lower.Spatial
	if x.Rank() != 4 || filter.Rank() != 4 {
		return nil, sp, false, errorf(op, "input %s and filter %s must both have rank 4", x.Shape(), filter.Shape())
	}
	if !x.DType().IsFloat() || filter.DType() != x.DType() {
		return nil, sp, false, errorf(op, "input %s and filter %s must have the same float dtype", x.Shape(), filter.Shape())
	}
	h, w, nchw, err := spatialIndices(op, attrs.DataFormat)
	if err != nil {
		return nil, sp, false, err
	}
	strides, err := four(op, "strides", attrs.Strides, h, w)
	if err != nil {
		return nil, sp, false, err
	}
	dilations, err := four(op, "dilations", attrs.Dilations, h, w)
	if err != nil {
		return nil, sp, false, err
	}
	x = toNHWC(x, nchw)
	xd := x.Shape().Dimensions
	fd := filter.Shape().Dimensions
	sp, err = resolve(op, [2]int{xd[1], xd[2]}, [2]int{fd[0], fd[1]}, strides, dilations, attrs.Padding, attrs.ExplicitPaddings, h, w)
	return x, sp, nchw, err
}

// Conv2D is TensorFlow's Conv2D: input [N,H,W,C] (or NCHW), filter
// [kh,kw,C,O] (HWIO), TF's strides, dilations and SAME/VALID/EXPLICIT
// padding (SAME puts the odd padding element at the bottom/right).
// Differentiable with respect to both operands.
func Conv2D(x, filter *graph.Node, attrs ConvAttrs) (out *graph.Node, err error) {
	const op = "Conv2D"
	defer catch(op, &err)
	x, sp, nchw, err := convSetup(op, x, filter, attrs)
	if err != nil {
		return nil, err
	}
	if c, fc := x.Shape().Dimensions[3], filter.Shape().Dimensions[2]; c != fc {
		return nil, errorf(op, "input has %d channels but filter %s expects %d (grouped convolution is not supported)", c, filter.Shape(), fc)
	}
	if useLowered(x, attrs.Impl) {
		out = lower.Conv2D(x, filter, sp)
	} else {
		out = graph.Convolve(x, filter).
			StridePerAxis(sp.Strides[:]...).
			DilationPerAxis(sp.Dilations[:]...).
			PaddingPerDim([][2]int{sp.Pads[0], sp.Pads[1]}).
			Done()
	}
	return fromNHWC(out, nchw), nil
}

// DepthwiseConv2dNative is TensorFlow's DepthwiseConv2dNative: input
// [N,H,W,C], filter [kh,kw,C,M] (channel multiplier M), output
// [N,oh,ow,C*M] with channel c*M+m; attributes as in Conv2D.
// Differentiable with respect to both operands.
func DepthwiseConv2dNative(x, filter *graph.Node, attrs ConvAttrs) (out *graph.Node, err error) {
	const op = "DepthwiseConv2dNative"
	defer catch(op, &err)
	x, sp, nchw, err := convSetup(op, x, filter, attrs)
	if err != nil {
		return nil, err
	}
	c := x.Shape().Dimensions[3]
	fd := filter.Shape().Dimensions
	if fd[2] != c {
		return nil, errorf(op, "input has %d channels but filter %s expects %d", c, filter.Shape(), fd[2])
	}
	native := attrs.Impl == ConvNative || (attrs.Impl == ConvAuto && fd[3] == 1 && fastFloat32(x.Graph(), x))
	if !native {
		out = lower.DepthwiseConv2D(x, filter, sp)
	} else {
		out = graph.Convolve(x, graph.Reshape(filter, fd[0], fd[1], 1, c*fd[3])).
			FeatureGroupCount(c).
			StridePerAxis(sp.Strides[:]...).
			DilationPerAxis(sp.Dilations[:]...).
			PaddingPerDim([][2]int{sp.Pads[0], sp.Pads[1]}).
			Done()
	}
	return fromNHWC(out, nchw), nil
}

// poolSetup validates pooling attributes and returns the NHWC input and
// geometry (Dilations all 1).
func poolSetup(op string, x *graph.Node, attrs PoolAttrs, explicitOK bool) (*graph.Node, lower.Spatial, [2]int, bool, error) {
	var sp lower.Spatial
	if x.Rank() != 4 {
		return nil, sp, [2]int{}, false, errorf(op, "input %s must have rank 4", x.Shape())
	}
	if !x.DType().IsFloat() {
		return nil, sp, [2]int{}, false, errorf(op, "input %s must be float", x.Shape())
	}
	h, w, nchw, err := spatialIndices(op, attrs.DataFormat)
	if err != nil {
		return nil, sp, [2]int{}, false, err
	}
	if attrs.Ksize == nil {
		return nil, sp, [2]int{}, false, errorf(op, "ksize is required")
	}
	k, err := four(op, "ksize", attrs.Ksize, h, w)
	if err != nil {
		return nil, sp, k, false, err
	}
	strides, err := four(op, "strides", attrs.Strides, h, w)
	if err != nil {
		return nil, sp, k, false, err
	}
	if attrs.Padding == "EXPLICIT" && !explicitOK {
		return nil, sp, k, false, errorf(op, "padding EXPLICIT not supported")
	}
	x = toNHWC(x, nchw)
	xd := x.Shape().Dimensions
	sp, err = resolve(op, [2]int{xd[1], xd[2]}, k, strides, [2]int{1, 1}, attrs.Padding, attrs.ExplicitPaddings, h, w)
	return x, sp, k, nchw, err
}

func poolLowered(x *graph.Node, impl ConvImpl) bool {
	if dt := x.DType(); dt != dtypes.Float32 && dt != dtypes.Float64 {
		return false
	}
	return useLowered(x, impl) // fast path (ConvAuto): ReduceWindow, not lowered
}

func rank4(sp lower.Spatial, k [2]int) (window, strides []int, pads [][2]int) {
	return []int{1, k[0], k[1], 1}, []int{1, sp.Strides[0], sp.Strides[1], 1},
		[][2]int{{0, 0}, sp.Pads[0], sp.Pads[1], {0, 0}}
}

// MaxPool is TensorFlow's MaxPool (padding never wins: padded positions
// count as -inf). Its gradient sends each output gradient to the first
// maximum of its window, as TF's MaxPoolGrad does.
func MaxPool(x *graph.Node, attrs PoolAttrs) (out *graph.Node, err error) {
	const op = "MaxPool"
	defer catch(op, &err)
	x, sp, k, nchw, err := poolSetup(op, x, attrs, true)
	if err != nil {
		return nil, err
	}
	if poolLowered(x, attrs.Impl) {
		return fromNHWC(lower.Pool(x, sp, k, true, nil), nchw), nil
	}
	window, strides, pads := rank4(sp, k)
	out = graph.BackendReduceWindow(x, backends.ReduceOpMax, window, strides, nil, nil, pads)
	return fromNHWC(out, nchw), nil
}

// AvgPool is TensorFlow's AvgPool: each output is the mean of the window's
// real (unpadded) elements.
func AvgPool(x *graph.Node, attrs PoolAttrs) (out *graph.Node, err error) {
	const op = "AvgPool"
	defer catch(op, &err)
	x, sp, k, nchw, err := poolSetup(op, x, attrs, false)
	if err != nil {
		return nil, err
	}
	counts := make([]float64, sp.Out[0]*sp.Out[1])
	in := x.Shape().Dimensions
	for oy := range sp.Out[0] {
		y0 := oy*sp.Strides[0] - sp.Pads[0][0]
		ny := min(y0+k[0], in[1]) - max(y0, 0)
		for ox := range sp.Out[1] {
			x0 := ox*sp.Strides[1] - sp.Pads[1][0]
			nx := min(x0+k[1], in[2]) - max(x0, 0)
			counts[oy*sp.Out[1]+ox] = float64(max(ny*nx, 1))
		}
	}
	if poolLowered(x, attrs.Impl) {
		div := graph.ConvertDType(graph.Reshape(graph.Const(x.Graph(), counts), 1, sp.Out[0], sp.Out[1], 1), x.DType())
		return fromNHWC(lower.Pool(x, sp, k, false, div), nchw), nil
	}
	window, strides, pads := rank4(sp, k)
	sum := graph.BackendReduceWindow(x, backends.ReduceOpSum, window, strides, nil, nil, pads)
	allSame := !slices.ContainsFunc(counts, func(c float64) bool { return c != counts[0] })
	if allSame {
		out = graph.DivScalar(sum, counts[0])
	} else {
		div := graph.ConvertDType(graph.Reshape(graph.Const(x.Graph(), counts), 1, sp.Out[0], sp.Out[1], 1), x.DType())
		out = graph.Div(sum, graph.BroadcastToShape(div, sum.Shape()))
	}
	return fromNHWC(out, nchw), nil
}
