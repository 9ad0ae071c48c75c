// Package gapfill wraps a GoMLX v0.26.0 backend (in practice simplego, the
// pure-Go one) and supplies the backend ops it lacks or mishandles, expressed
// with ops it does implement. It exists so that gradients of convolutions,
// pooling and slicing work on the pure-Go backend without forking GoMLX.
//
// Filled or fixed ops:
//   - ConvGeneral: nil strides/dilations are replaced by ones (simplego's
//     shape inference reads nil strides as 0, and nil kernel dilations crash
//     grouped convolutions); the conv VJP always passes nil.
//   - Slice: nil strides are replaced by ones (simplego rejects nil).
//   - Reverse: one Gather per reversed axis (the conv VJP reverses kernels).
//   - Pad: Concatenate with broadcast fill values, Slice for negative pads,
//     Reshape+Concatenate for interior padding (Slice and AvgPool VJPs).
//   - SelectAndScatterMax/Min: window views by strided Slice, a first-match
//     mask, and strided (interior) Pad back (the MaxPool VJP).
//   - BatchNormForInference: plain arithmetic.
//   - ScatterSum/Max/Min with update windows: rewritten as point scatters
//     (simplego walks windows with the operand's dimensions, so Gather
//     gradients along inner axes came out wrong).
//   - DynamicSlice / DynamicUpdateSlice: Gather / ScatterSum of one window
//     at the clamped start indices.
package gapfill

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Backend is a backends.Backend whose builders fill the gaps of the wrapped one.
type Backend struct {
	backends.Backend

	// Config is the configuration the inner backend was created with, kept
	// for descriptions (e.g. "go:ops_sequential").
	Config string
}

// Wrap returns inner with its gaps filled. Wrapping an already wrapped backend
// returns it unchanged. Tensors belong to one backend instance: use the
// returned backend, not inner, for everything afterwards.
func Wrap(inner backends.Backend, config string) backends.Backend {
	if w, ok := inner.(*Backend); ok {
		return w
	}
	RegisterGradients()
	return &Backend{Backend: inner, Config: config}
}

// Unwrap returns the backend b wraps, or b itself if it is not a wrapper.
func Unwrap(b backends.Backend) backends.Backend {
	if w, ok := b.(*Backend); ok {
		return w.Backend
	}
	return b
}

// FilledOps lists the op types the wrapper implements itself.
var FilledOps = []backends.OpType{
	backends.OpTypePad,
	backends.OpTypeReverse,
	backends.OpTypeSelectAndScatterMax,
	backends.OpTypeSelectAndScatterMin,
	backends.OpTypeBatchNormForInference,
	backends.OpTypeDynamicSlice,
	backends.OpTypeDynamicUpdateSlice,
}

// Capabilities reports the inner capabilities plus the filled ops.
func (b *Backend) Capabilities() backends.Capabilities {
	c := b.Backend.Capabilities().Clone()
	for _, op := range FilledOps {
		c.Operations[op] = true
	}
	return c
}

// Description says that the backend is wrapped.
func (b *Backend) Description() string {
	return b.Backend.Description() + " + gotl gap-fill"
}

// Builder returns a gap-filling builder.
func (b *Backend) Builder(name string) backends.Builder {
	return &Builder{Builder: b.Backend.Builder(name)}
}

// Builder embeds the inner builder and overrides the ops it cannot do.
type Builder struct {
	backends.Builder
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// ConvGeneral fills in nil strides and dilations before delegating.
func (b *Builder) ConvGeneral(input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	strides []int, paddings [][2]int, inputDilations, kernelDilations []int,
	channelGroupCount, batchGroupCount int) (backends.Op, error) {
	n := len(axes.InputSpatial)
	if len(strides) == 0 {
		strides = ones(n)
	}
	if len(inputDilations) == 0 {
		inputDilations = ones(n)
	}
	if len(kernelDilations) == 0 {
		kernelDilations = ones(n)
	}
	if len(paddings) == 0 {
		paddings = make([][2]int, n)
	}
	return b.Builder.ConvGeneral(input, kernel, axes, strides, paddings, inputDilations, kernelDilations,
		max(channelGroupCount, 1), max(batchGroupCount, 1))
}

// Slice fills in nil strides before delegating.
func (b *Builder) Slice(x backends.Op, starts, limits, strides []int) (backends.Op, error) {
	if len(strides) == 0 {
		strides = ones(len(starts))
	}
	return b.Builder.Slice(x, starts, limits, strides)
}

// Reverse reverses each axis with a Gather of indices n-1…0 along it; the
// gathered (batch) axis lands where the axis was, so no transpose is needed.
func (b *Builder) Reverse(x backends.Op, axes ...int) (backends.Op, error) {
	shape, err := b.OpShape(x)
	if err != nil {
		return nil, err
	}
	rank := shape.Rank()
	out := x
	for _, axis := range axes {
		if axis < 0 {
			axis += rank
		}
		if axis < 0 || axis >= rank {
			return nil, fmt.Errorf("gapfill: Reverse: axis out of range for shape %s", shape)
		}
		n := shape.Dimensions[axis]
		if n <= 1 {
			continue
		}
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = int32(n - 1 - i)
		}
		indices, err := b.Constant(idx, n, 1)
		if err != nil {
			return nil, err
		}
		var offsetAxes []int
		sizes := slices.Clone(shape.Dimensions)
		sizes[axis] = 1
		for a := 0; a < rank; a++ {
			if a != axis {
				offsetAxes = append(offsetAxes, a)
			}
		}
		out, err = b.Gather(out, indices, 1, offsetAxes, []int{axis}, []int{axis}, sizes, false)
		if err != nil {
			return nil, err
		}
	}
	if len(axes) == 0 || out == x {
		return b.Identity(x)
	}
	return out, nil
}

// fill returns fillValue (a scalar op) broadcast to shape.
func (b *Builder) fill(fillValue backends.Op, shape shapes.Shape) (backends.Op, error) {
	return b.BroadcastInDim(fillValue, shape, nil)
}

// Pad implements padding with Concatenate, Slice and Reshape.
func (b *Builder) Pad(x, fillValue backends.Op, axesConfig ...backends.PadAxis) (backends.Op, error) {
	shape, err := b.OpShape(x)
	if err != nil {
		return nil, err
	}
	if len(axesConfig) > shape.Rank() {
		return nil, fmt.Errorf("gapfill: Pad: %d axes configured for shape %s", len(axesConfig), shape)
	}
	out := x
	for axis, cfg := range axesConfig {
		if cfg.Interior < 0 {
			return nil, fmt.Errorf("gapfill: Pad: negative interior padding %d on axis %d", cfg.Interior, axis)
		}
		if cfg.Interior > 0 && shape.Dimensions[axis] > 1 {
			out, shape, err = b.padInterior(out, fillValue, shape, axis, cfg.Interior)
			if err != nil {
				return nil, err
			}
		}
		out, shape, err = b.padEdges(out, fillValue, shape, axis, cfg.Start, cfg.End)
		if err != nil {
			return nil, err
		}
	}
	if out == x {
		return b.Identity(x)
	}
	return out, nil
}

// padInterior inserts p fill values between consecutive elements of axis.
func (b *Builder) padInterior(x, fillValue backends.Op, shape shapes.Shape, axis, p int) (backends.Op, shapes.Shape, error) {
	n := shape.Dimensions[axis]
	// [pre, n, post] -> [pre, n, 1, post] ++ fill [pre, n, p, post] -> [pre, n*(1+p), post] -> drop last p.
	expanded := slices.Insert(slices.Clone(shape.Dimensions), axis+1, 1)
	xr, err := b.Reshape(x, expanded...)
	if err != nil {
		return nil, shape, err
	}
	fillDims := slices.Clone(expanded)
	fillDims[axis+1] = p
	f, err := b.fill(fillValue, shapes.Make(shape.DType, fillDims...))
	if err != nil {
		return nil, shape, err
	}
	cat, err := b.Concatenate(axis+1, xr, f)
	if err != nil {
		return nil, shape, err
	}
	flat := slices.Clone(shape.Dimensions)
	flat[axis] = n * (1 + p)
	if cat, err = b.Reshape(cat, flat...); err != nil {
		return nil, shape, err
	}
	newShape := shape.Clone()
	newShape.Dimensions[axis] = (n-1)*(1+p) + 1
	starts := make([]int, shape.Rank())
	out, err := b.Slice(cat, starts, newShape.Dimensions, nil)
	return out, newShape, err
}

// padEdges adds (or, if negative, removes) start/end elements along axis.
func (b *Builder) padEdges(x, fillValue backends.Op, shape shapes.Shape, axis, start, end int) (backends.Op, shapes.Shape, error) {
	var err error
	if start < 0 || end < 0 {
		starts := make([]int, shape.Rank())
		limits := slices.Clone(shape.Dimensions)
		if start < 0 {
			starts[axis] = -start
			start = 0
		}
		if end < 0 {
			limits[axis] += end
			end = 0
		}
		if limits[axis] < starts[axis] {
			return nil, shape, fmt.Errorf("gapfill: Pad: negative padding removes more than axis %d of %s holds", axis, shape)
		}
		if x, err = b.Slice(x, starts, limits, nil); err != nil {
			return nil, shape, err
		}
		shape = shape.Clone()
		shape.Dimensions[axis] = limits[axis] - starts[axis]
	}
	if start == 0 && end == 0 {
		return x, shape, nil
	}
	parts := make([]backends.Op, 0, 3)
	for i, amount := range []int{start, -1, end} {
		if i == 1 {
			parts = append(parts, x)
			continue
		}
		if amount == 0 {
			continue
		}
		dims := slices.Clone(shape.Dimensions)
		dims[axis] = amount
		f, err := b.fill(fillValue, shapes.Make(shape.DType, dims...))
		if err != nil {
			return nil, shape, err
		}
		parts = append(parts, f)
	}
	out, err := b.Concatenate(axis, parts...)
	if err != nil {
		return nil, shape, err
	}
	shape = shape.Clone()
	shape.Dimensions[axis] += start + end
	return out, shape, nil
}

// SelectAndScatterMax scatters each source value onto the first maximum of
// its window, like TensorFlow's MaxPoolGrad.
func (b *Builder) SelectAndScatterMax(operand, source backends.Op, windowDimensions, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	return b.selectAndScatter(operand, source, windowDimensions, windowStrides, paddings, true)
}

// SelectAndScatterMin scatters each source value onto the first minimum of its window.
func (b *Builder) SelectAndScatterMin(operand, source backends.Op, windowDimensions, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	return b.selectAndScatter(operand, source, windowDimensions, windowStrides, paddings, false)
}

func (b *Builder) scalar(dtype dtypes.DType, v float64) (backends.Op, error) {
	switch dtype {
	case dtypes.Float32:
		return b.Constant([]float32{float32(v)})
	case dtypes.Float64:
		return b.Constant([]float64{v})
	}
	return nil, fmt.Errorf("gapfill: dtype %s not supported (float32, float64)", dtype)
}

// FastSelectAndScatter, when set (by compute, with the CPU fast path),
// builds SelectAndScatterMax/Min as one op of the inner builder and reports
// whether it could; otherwise the window-view emulation below is used.
var FastSelectAndScatter func(inner backends.Builder, operand, source backends.Op, window, strides []int, paddings [][2]int, isMax bool) (backends.Op, bool)

func (b *Builder) selectAndScatter(operand, source backends.Op, window, strides []int, paddings [][2]int, isMax bool) (backends.Op, error) {
	xShape, err := b.OpShape(operand)
	if err != nil {
		return nil, err
	}
	srcShape, err := b.OpShape(source)
	if err != nil {
		return nil, err
	}
	rank := xShape.Rank()
	if len(window) != rank || srcShape.Rank() != rank {
		return nil, fmt.Errorf("gapfill: SelectAndScatter: window %v / source %s do not match operand %s", window, srcShape, xShape)
	}
	if len(strides) == 0 {
		strides = slices.Clone(window)
	}
	if len(paddings) == 0 {
		paddings = make([][2]int, rank)
	}
	if FastSelectAndScatter != nil {
		if op, ok := FastSelectAndScatter(b.Builder, operand, source, window, strides, paddings, isMax); ok {
			return op, nil
		}
	}
	dtype := xShape.DType
	worst := math.Inf(-1)
	if !isMax {
		worst = math.Inf(1)
	}
	worstOp, err := b.scalar(dtype, worst)
	if err != nil {
		return nil, err
	}
	zero, err := b.scalar(dtype, 0)
	if err != nil {
		return nil, err
	}
	padCfg := make([]backends.PadAxis, rank)
	paddedDims := slices.Clone(xShape.Dimensions)
	for a := range rank {
		padCfg[a] = backends.PadAxis{Start: paddings[a][0], End: paddings[a][1]}
		paddedDims[a] += paddings[a][0] + paddings[a][1]
	}
	padded, err := b.Pad(operand, worstOp, padCfg...)
	if err != nil {
		return nil, err
	}

	// Enumerate window offsets in row-major order: the first match wins.
	numOffsets := 1
	for _, w := range window {
		numOffsets *= w
	}
	views := make([]backends.Op, numOffsets)
	offsets := make([][]int, numOffsets)
	for k := range numOffsets {
		off := make([]int, rank)
		rem := k
		for a := rank - 1; a >= 0; a-- {
			off[a] = rem % window[a]
			rem /= window[a]
		}
		offsets[k] = off
		limits := make([]int, rank)
		for a := range rank {
			limits[a] = off[a] + (srcShape.Dimensions[a]-1)*strides[a] + 1
		}
		if views[k], err = b.Slice(padded, off, limits, strides); err != nil {
			return nil, err
		}
	}
	best := views[0]
	for _, v := range views[1:] {
		if isMax {
			best, err = b.Max(best, v)
		} else {
			best, err = b.Min(best, v)
		}
		if err != nil {
			return nil, err
		}
	}
	var taken backends.Op // positions whose source value was already placed
	var total backends.Op
	for k, v := range views {
		hit, err := b.Equal(v, best)
		if err != nil {
			return nil, err
		}
		if taken != nil {
			notTaken, err := b.LogicalNot(taken)
			if err != nil {
				return nil, err
			}
			if hit, err = b.LogicalAnd(hit, notTaken); err != nil {
				return nil, err
			}
			if taken, err = b.LogicalOr(taken, hit); err != nil {
				return nil, err
			}
		} else {
			taken = hit
		}
		zeros, err := b.fill(zero, srcShape)
		if err != nil {
			return nil, err
		}
		contrib, err := b.Where(hit, source, zeros)
		if err != nil {
			return nil, err
		}
		// Place contrib[o] at padded position off + o*stride.
		cfg := make([]backends.PadAxis, rank)
		for a := range rank {
			span := (srcShape.Dimensions[a]-1)*strides[a] + 1
			cfg[a] = backends.PadAxis{Start: offsets[k][a], End: paddedDims[a] - offsets[k][a] - span, Interior: strides[a] - 1}
		}
		placed, err := b.Pad(contrib, zero, cfg...)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = placed
		} else if total, err = b.Add(total, placed); err != nil {
			return nil, err
		}
	}
	// Drop the padding.
	starts := make([]int, rank)
	limits := make([]int, rank)
	for a := range rank {
		starts[a] = paddings[a][0]
		limits[a] = paddings[a][0] + xShape.Dimensions[a]
	}
	return b.Slice(total, starts, limits, nil)
}

// BatchNormForInference computes (x-mean)/sqrt(variance+epsilon)*scale+offset
// along featureAxis.
func (b *Builder) BatchNormForInference(operand, scale, offset, mean, variance backends.Op, epsilon float32, featureAxis int) (backends.Op, error) {
	shape, err := b.OpShape(operand)
	if err != nil {
		return nil, err
	}
	if featureAxis < 0 {
		featureAxis += shape.Rank()
	}
	eps, err := b.scalar(shape.DType, float64(epsilon))
	if err != nil {
		return nil, err
	}
	// Per-feature factor and shift, then broadcast once each.
	v, err := b.Add(variance, eps)
	if err != nil {
		return nil, err
	}
	if v, err = b.Rsqrt(v); err != nil {
		return nil, err
	}
	factor, err := b.Mul(v, scale)
	if err != nil {
		return nil, err
	}
	shift, err := b.Mul(mean, factor)
	if err != nil {
		return nil, err
	}
	if shift, err = b.Sub(offset, shift); err != nil {
		return nil, err
	}
	if factor, err = b.BroadcastInDim(factor, shape, []int{featureAxis}); err != nil {
		return nil, err
	}
	if shift, err = b.BroadcastInDim(shift, shape, []int{featureAxis}); err != nil {
		return nil, err
	}
	out, err := b.Mul(operand, factor)
	if err != nil {
		return nil, err
	}
	return b.Add(out, shift)
}
