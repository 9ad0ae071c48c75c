package gapfill

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// startVector clamps each start index to [0, dim-size] (XLA's rule) and
// packs them into one int32 vector [rank], as Gather/Scatter want.
func (b *Builder) startVector(op string, shape shapes.Shape, starts []backends.Op, sizes []int) (backends.Op, error) {
	rank := shape.Rank()
	if len(starts) != rank || len(sizes) != rank {
		return nil, fmt.Errorf("gapfill: %s: %d start indices and %d sizes for operand %s", op, len(starts), len(sizes), shape)
	}
	parts := make([]backends.Op, rank)
	for a := range rank {
		if sizes[a] < 0 || sizes[a] > shape.Dimensions[a] {
			return nil, fmt.Errorf("gapfill: %s: size %d out of range for axis %d of %s", op, sizes[a], a, shape)
		}
		s, err := b.ConvertDType(starts[a], dtypes.Int32)
		if err != nil {
			return nil, err
		}
		lo, err := b.Constant([]int32{0})
		if err != nil {
			return nil, err
		}
		hi, err := b.Constant([]int32{int32(shape.Dimensions[a] - sizes[a])})
		if err != nil {
			return nil, err
		}
		if s, err = b.Max(s, lo); err != nil {
			return nil, err
		}
		if s, err = b.Min(s, hi); err != nil {
			return nil, err
		}
		if parts[a], err = b.Reshape(s, 1); err != nil {
			return nil, err
		}
	}
	return b.Concatenate(0, parts...)
}

func iota(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// DynamicSlice gathers one window at the (clamped) start indices.
func (b *Builder) DynamicSlice(operand backends.Op, startIndices []backends.Op, sliceDims []int) (backends.Op, error) {
	shape, err := b.OpShape(operand)
	if err != nil {
		return nil, err
	}
	idx, err := b.startVector("DynamicSlice", shape, startIndices, sliceDims)
	if err != nil {
		return nil, err
	}
	rank := shape.Rank()
	return b.Gather(operand, idx, 0, iota(rank), nil, iota(rank), sliceDims, false)
}

// DynamicUpdateSlice overwrites the window at the (clamped) start indices:
// a point scatter of the update and of a mask (simplego's ScatterSum
// mishandles multi-axis update windows), then a select.
func (b *Builder) DynamicUpdateSlice(operand, update backends.Op, startIndices []backends.Op) (backends.Op, error) {
	shape, err := b.OpShape(operand)
	if err != nil {
		return nil, err
	}
	uShape, err := b.OpShape(update)
	if err != nil {
		return nil, err
	}
	start, err := b.startVector("DynamicUpdateSlice", shape, startIndices, uShape.Dimensions)
	if err != nil {
		return nil, err
	}
	rank := shape.Rank()
	n := uShape.Size()
	// indices[p] = start + (row-major position of element p in the update).
	offsets := make([]int32, n*rank)
	for p := range n {
		rem := p
		for a := rank - 1; a >= 0; a-- {
			offsets[p*rank+a] = int32(rem % uShape.Dimensions[a])
			rem /= uShape.Dimensions[a]
		}
	}
	off, err := b.Constant(offsets, n, rank)
	if err != nil {
		return nil, err
	}
	startB, err := b.BroadcastInDim(start, shapes.Make(dtypes.Int32, n, rank), []int{1})
	if err != nil {
		return nil, err
	}
	indices, err := b.Add(off, startB)
	if err != nil {
		return nil, err
	}
	flatUpdate, err := b.Reshape(update, n)
	if err != nil {
		return nil, err
	}
	zero, err := b.scalarOf(shape.DType, 0)
	if err != nil {
		return nil, err
	}
	one, err := b.scalarOf(shape.DType, 1)
	if err != nil {
		return nil, err
	}
	zeros, err := b.fill(zero, shape)
	if err != nil {
		return nil, err
	}
	ones, err := b.fill(one, shapes.Make(shape.DType, n))
	if err != nil {
		return nil, err
	}
	axes := iota(rank)
	placed, err := b.ScatterSum(zeros, indices, flatUpdate, 1, nil, axes, axes, true, true)
	if err != nil {
		return nil, err
	}
	mask, err := b.ScatterSum(zeros, indices, ones, 1, nil, axes, axes, true, true)
	if err != nil {
		return nil, err
	}
	inside, err := b.GreaterThan(mask, zeros)
	if err != nil {
		return nil, err
	}
	return b.Where(inside, placed, operand)
}

// scalarOf makes a scalar constant of any numeric dtype.
func (b *Builder) scalarOf(dtype dtypes.DType, v float64) (backends.Op, error) {
	f, err := b.Constant([]float64{v})
	if err != nil {
		return nil, err
	}
	if dtype == dtypes.Float64 {
		return f, nil
	}
	return b.ConvertDType(f, dtype)
}
