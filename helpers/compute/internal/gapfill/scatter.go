package gapfill

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// simplego v0.26.0's scatter walks the operand window with the operand's
// own dimensions instead of the update window's, so any window narrower
// than the operand on a non-leading axis lands in the wrong elements (this
// breaks the gradient of Gather/GatherSlices along an inner axis, and of
// Interpolate). The overrides rewrite windowed scatters as point scatters:
// one full index per update element.

// ScatterSum rewrites windowed scatters as point scatters.
func (b *Builder) ScatterSum(operand, indices, updates backends.Op, indexVectorAxis int,
	updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes []int, sorted, unique bool) (backends.Op, error) {
	return b.scatter(0, b.Builder.ScatterSum, operand, indices, updates, indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, sorted, unique)
}

// ScatterMax rewrites windowed scatters as point scatters.
func (b *Builder) ScatterMax(operand, indices, updates backends.Op, indexVectorAxis int,
	updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes []int, sorted, unique bool) (backends.Op, error) {
	return b.scatter(math.Inf(-1), b.Builder.ScatterMax, operand, indices, updates, indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, sorted, unique)
}

// ScatterMin rewrites windowed scatters as point scatters.
func (b *Builder) ScatterMin(operand, indices, updates backends.Op, indexVectorAxis int,
	updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes []int, sorted, unique bool) (backends.Op, error) {
	return b.scatter(math.Inf(1), b.Builder.ScatterMin, operand, indices, updates, indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, sorted, unique)
}

type scatterFn func(operand, indices, updates backends.Op, indexVectorAxis int,
	updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes []int, sorted, unique bool) (backends.Op, error)

// scatter does the rewrite; neutral is the combiner's identity, used for
// skipped (out-of-bounds) windows.
func (b *Builder) scatter(neutral float64, inner scatterFn, operand, indices, updates backends.Op, indexVectorAxis int,
	updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes []int, sorted, unique bool) (backends.Op, error) {
	dtypeShape, err := b.OpShape(operand)
	if err != nil {
		return nil, err
	}
	if len(updateWindowAxes) == 0 || !dtypeShape.DType.IsFloat() {
		return inner(operand, indices, updates, indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, sorted, unique)
	}
	opShape, err := b.OpShape(operand)
	if err != nil {
		return nil, err
	}
	idxShape, err := b.OpShape(indices)
	if err != nil {
		return nil, err
	}
	upShape, err := b.OpShape(updates)
	if err != nil {
		return nil, err
	}
	rank := opShape.Rank()
	uRank := upShape.Rank()
	// Operand axes that receive window coordinates, in order.
	var windowOperandAxes []int
	for a := range rank {
		if !slices.Contains(insertedWindowAxes, a) {
			windowOperandAxes = append(windowOperandAxes, a)
		}
	}
	if len(windowOperandAxes) != len(updateWindowAxes) {
		return nil, fmt.Errorf("gapfill: scatter: %d update window axes but %d operand window axes", len(updateWindowAxes), len(windowOperandAxes))
	}
	var updateBatchAxes []int
	for a := range uRank {
		if !slices.Contains(updateWindowAxes, a) {
			updateBatchAxes = append(updateBatchAxes, a)
		}
	}
	// Indices as [batch..., K], K = len(scatterAxesToOperandAxes).
	k := len(scatterAxesToOperandAxes)
	idx, err := b.ConvertDType(indices, dtypes.Int32)
	if err != nil {
		return nil, err
	}
	var idxBatchDims []int
	if indexVectorAxis == idxShape.Rank() {
		idxBatchDims = slices.Clone(idxShape.Dimensions)
	} else {
		perm := make([]int, 0, idxShape.Rank())
		for a := range idxShape.Rank() {
			if a != indexVectorAxis {
				perm = append(perm, a)
				idxBatchDims = append(idxBatchDims, idxShape.Dimensions[a])
			}
		}
		perm = append(perm, indexVectorAxis)
		if idx, err = b.Transpose(idx, perm...); err != nil {
			return nil, err
		}
	}
	if idx, err = b.Reshape(idx, append(slices.Clone(idxBatchDims), k)...); err != nil {
		return nil, err
	}
	if len(idxBatchDims) != len(updateBatchAxes) {
		return nil, fmt.Errorf("gapfill: scatter: indices %s (vector axis %d) do not match updates %s", idxShape, indexVectorAxis, upShape)
	}
	// Broadcast to [updates..., K]: batch axes map to the update batch axes.
	bcastAxes := append(slices.Clone(updateBatchAxes), uRank)
	full := shapes.Make(dtypes.Int32, append(slices.Clone(upShape.Dimensions), k)...)
	if idx, err = b.BroadcastInDim(idx, full, bcastAxes); err != nil {
		return nil, err
	}
	p := upShape.Size()
	if idx, err = b.Reshape(idx, p, k); err != nil {
		return nil, err
	}
	// Window offsets per update element, laid out [P, rank].
	offsets := make([]int32, p*rank)
	coord := make([]int, uRank)
	for e := range p {
		rem := e
		for a := uRank - 1; a >= 0; a-- {
			coord[a] = rem % upShape.Dimensions[a]
			rem /= upShape.Dimensions[a]
		}
		for j, ua := range updateWindowAxes {
			offsets[e*rank+windowOperandAxes[j]] = int32(coord[ua])
		}
	}
	full2, err := b.Constant(offsets, p, rank)
	if err != nil {
		return nil, err
	}
	// Add each index component to its operand axis column.
	for c, axis := range scatterAxesToOperandAxes {
		col, err := b.Slice(idx, []int{0, c}, []int{p, c + 1}, []int{1, 1})
		if err != nil {
			return nil, err
		}
		// Pad the column into position `axis` of a [P, rank] matrix.
		zero, err := b.Constant([]int32{0})
		if err != nil {
			return nil, err
		}
		if col, err = b.Pad(col, zero, backends.PadAxis{}, backends.PadAxis{Start: axis, End: rank - axis - 1}); err != nil {
			return nil, err
		}
		if full2, err = b.Add(full2, col); err != nil {
			return nil, err
		}
	}
	flatUpdates, err := b.Reshape(updates, p)
	if err != nil {
		return nil, err
	}
	// XLA skips windows that do not fit in the operand; gather clamps them
	// instead, so such indices do occur in gather gradients. Mask them out.
	maxStart := make([]int32, k)
	for c, axis := range scatterAxesToOperandAxes {
		size := 1
		if j := slices.Index(windowOperandAxes, axis); j >= 0 {
			size = upShape.Dimensions[updateWindowAxes[j]]
		}
		maxStart[c] = int32(opShape.Dimensions[axis] - size)
	}
	hi, err := b.Constant(maxStart, 1, k)
	if err != nil {
		return nil, err
	}
	lo, err := b.Constant(make([]int32, k), 1, k)
	if err != nil {
		return nil, err
	}
	pk := shapes.Make(dtypes.Int32, p, k)
	if hi, err = b.BroadcastInDim(hi, pk, []int{0, 1}); err != nil {
		return nil, err
	}
	if lo, err = b.BroadcastInDim(lo, pk, []int{0, 1}); err != nil {
		return nil, err
	}
	geLo, err := b.GreaterOrEqual(idx, lo)
	if err != nil {
		return nil, err
	}
	leHi, err := b.LessOrEqual(idx, hi)
	if err != nil {
		return nil, err
	}
	inside, err := b.LogicalAnd(geLo, leHi)
	if err != nil {
		return nil, err
	}
	valid, err := b.ReduceLogicalAnd(inside, 1) // [P]
	if err != nil {
		return nil, err
	}
	neutralOp, err := b.scalarOf(opShape.DType, neutral)
	if err != nil {
		return nil, err
	}
	if neutralOp, err = b.fill(neutralOp, shapes.Make(opShape.DType, p)); err != nil {
		return nil, err
	}
	if flatUpdates, err = b.Where(valid, flatUpdates, neutralOp); err != nil {
		return nil, err
	}
	validPR, err := b.BroadcastInDim(valid, shapes.Make(dtypes.Bool, p, rank), []int{0})
	if err != nil {
		return nil, err
	}
	zerosPR, err := b.Constant(make([]int32, p*rank), p, rank)
	if err != nil {
		return nil, err
	}
	if full2, err = b.Where(validPR, full2, zerosPR); err != nil {
		return nil, err
	}
	all := make([]int, rank)
	for i := range all {
		all[i] = i
	}
	return inner(operand, full2, flatUpdates, 1, nil, all, all, false, unique && sorted)
}
