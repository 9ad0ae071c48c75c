// Package lower expresses NHWC convolutions with ops that GoMLX's pure-Go
// backend runs fast: im2col (strided slices concatenated on channels) plus
// one matrix multiplication for regular convolutions, and a sum of shifted
// slices times per-channel weights for depthwise ones. On simplego v0.26.0
// its ConvGeneral is a single-threaded direct loop, 7–14× slower forward and
// much slower backward than these forms.
//
// Everything is built from Slice, Concatenate, Reshape, Mul, Add and Dot,
// whose gradients GoMLX (plus the gap filler) provides, so the lowered forms
// are differentiable.
package lower

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Spatial holds resolved 2-D convolution geometry (NHWC, H then W).
type Spatial struct {
	Strides   [2]int
	Dilations [2]int
	Pads      [2][2]int // (before, after) for H and W
	Out       [2]int    // output H and W
}

// PadConst pads the spatial axes (1 and 2) of an NHWC tensor with value,
// using Concatenate so that the result is differentiable.
func PadConst(x *Node, pads [2][2]int, value float64) *Node {
	for i, axis := range []int{1, 2} {
		before, after := pads[i][0], pads[i][1]
		if before == 0 && after == 0 {
			continue
		}
		parts := make([]*Node, 0, 3)
		dims := x.Shape().Clone().Dimensions
		if before > 0 {
			dims[axis] = before
			parts = append(parts, constFill(x, dims, value))
		}
		parts = append(parts, x)
		if after > 0 {
			dims[axis] = after
			parts = append(parts, constFill(x, dims, value))
		}
		x = Concatenate(parts, axis)
	}
	return x
}

func constFill(x *Node, dims []int, value float64) *Node {
	s := shapes.Make(x.DType(), dims...)
	if value == 0 {
		return Zeros(x.Graph(), s)
	}
	return BroadcastToShape(Scalar(x.Graph(), x.DType(), value), s)
}

// window returns the [N, outH, outW, C] view of padded input xp seen by
// kernel tap (i, j).
func window(xp *Node, sp Spatial, i, j int) *Node {
	h0 := i * sp.Dilations[0]
	w0 := j * sp.Dilations[1]
	return Slice(xp,
		AxisRange(),
		AxisRange(h0, h0+(sp.Out[0]-1)*sp.Strides[0]+1).Stride(sp.Strides[0]),
		AxisRange(w0, w0+(sp.Out[1]-1)*sp.Strides[1]+1).Stride(sp.Strides[1]),
		AxisRange())
}

// Conv2D computes an NHWC×HWIO convolution as im2col + one matrix product.
func Conv2D(x, filter *Node, sp Spatial) *Node {
	dims := x.Shape().Dimensions
	n, c := dims[0], dims[3]
	fd := filter.Shape().Dimensions
	kh, kw, o := fd[0], fd[1], fd[3]
	xp := PadConst(x, sp.Pads, 0)
	var cols *Node
	if kh == 1 && kw == 1 && sp.Strides == [2]int{1, 1} && sp.Pads == [2][2]int{} {
		cols = x // a 1x1 convolution is already a matrix product
	} else if kh == 1 && kw == 1 {
		cols = window(xp, sp, 0, 0)
	} else {
		patches := make([]*Node, 0, kh*kw)
		for i := range kh {
			for j := range kw {
				patches = append(patches, window(xp, sp, i, j))
			}
		}
		cols = Concatenate(patches, 3) // [N, oh, ow, kh*kw*C], (i, j, c) order = filter's
	}
	rows := n * sp.Out[0] * sp.Out[1]
	out := Dot(Reshape(cols, rows, kh*kw*c), Reshape(filter, kh*kw*c, o))
	return Reshape(out, n, sp.Out[0], sp.Out[1], o)
}

// DepthwiseConv2D computes TensorFlow's DepthwiseConv2dNative (filter
// [kh, kw, C, M], output channel c*M+m) as a sum over kernel taps of shifted
// windows times per-channel weights.
func DepthwiseConv2D(x, filter *Node, sp Spatial) *Node {
	dims := x.Shape().Dimensions
	n, c := dims[0], dims[3]
	fd := filter.Shape().Dimensions
	kh, kw, m := fd[0], fd[1], fd[3]
	xp := PadConst(x, sp.Pads, 0)
	outShape := shapes.Make(x.DType(), n, sp.Out[0], sp.Out[1], c, m)
	var sum *Node
	for i := range kh {
		for j := range kw {
			win := window(xp, sp, i, j)
			tap := Slice(filter, AxisElem(i), AxisElem(j), AxisRange(), AxisRange()) // [1,1,C,M]
			var term *Node
			if m == 1 {
				// Broadcasting explicitly to the full shape avoids simplego's
				// slow implicit-broadcast path in Mul.
				term = Mul(win, BroadcastToDims(Reshape(tap, 1, 1, 1, c), n, sp.Out[0], sp.Out[1], c))
			} else {
				term = Mul(BroadcastToShape(InsertAxes(win, -1), outShape),
					BroadcastToShape(Reshape(tap, 1, 1, 1, c, m), outShape))
			}
			if sum == nil {
				sum = term
			} else {
				sum = Add(sum, term)
			}
		}
	}
	return Reshape(sum, n, sp.Out[0], sp.Out[1], c*m)
}

// Pool computes max or average pooling (TF semantics: padding never wins a
// max and is not counted in an average) as an elementwise max / sum over
// the kernel's shifted windows; simplego's ReduceWindow is far slower. The
// max chain Max(Max(w0, w1), w2)… sends gradients on ties to the earliest
// window, i.e. to the first maximum in row-major order, as TF's MaxPoolGrad.
// counts holds, for an average, the number of real elements per output
// position ([1, outH, outW, 1]).
func Pool(x *Node, sp Spatial, k [2]int, isMax bool, counts *Node) *Node {
	fill := 0.0
	if isMax {
		fill = lowest(x)
	}
	xp := PadConst(x, sp.Pads, fill)
	var acc *Node
	for i := range k[0] {
		for j := range k[1] {
			w := window(xp, sp, i, j)
			switch {
			case acc == nil:
				acc = w
			case isMax:
				acc = Max(acc, w)
			default:
				acc = Add(acc, w)
			}
		}
	}
	if isMax {
		return acc
	}
	return Div(acc, BroadcastToShape(counts, acc.Shape()))
}

// lowest is the most negative finite value of x's dtype: finite so that the
// Max gradient's (a-b) stays defined between two padded positions.
func lowest(x *Node) float64 {
	if x.DType() == dtypes.Float64 {
		return -math.MaxFloat64
	}
	return -math.MaxFloat32
}
