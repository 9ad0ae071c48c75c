package checkpoint

import (
	"fmt"
	"strings"

	"github.com/gotl/gotl/helpers/checkpoint/internal/bundlepb"
	"github.com/gotl/gotl/helpers/tensor"
)

// sliceString writes a slice the way TensorFlow prints it: "0,2:-".
func sliceString(s bundlepb.Slice) string {
	if len(s) == 0 {
		return "(full)"
	}
	parts := make([]string, len(s))
	for i, e := range s {
		if e.HasLength {
			parts[i] = fmt.Sprintf("%d,%d", e.Start, e.Length)
		} else {
			parts[i] = "-"
		}
	}
	return strings.Join(parts, ":")
}

// sliceBounds returns the start and length of s in every dimension of
// full, checking that it lies inside. A slice with no extents is full.
func sliceBounds(s bundlepb.Slice, full []int64) (starts, lens []int64, err error) {
	starts = make([]int64, len(full))
	lens = append([]int64{}, full...)
	if len(s) == 0 {
		return starts, lens, nil
	}
	if len(s) != len(full) {
		return nil, nil, fmt.Errorf("slice %s has rank %d, tensor has shape %v", sliceString(s), len(s), full)
	}
	for d, e := range s {
		if !e.HasLength {
			continue
		}
		if e.Start < 0 || e.Length < 0 || e.Start > full[d] || e.Length > full[d]-e.Start {
			return nil, nil, fmt.Errorf("slice %s lies outside shape %v", sliceString(s), full)
		}
		starts[d], lens[d] = e.Start, e.Length
	}
	return starts, lens, nil
}

// copyRuns calls run(dstOffset, srcOffset, count), in elements, for every
// contiguous row of a slice (starts, lens) of a row-major tensor of shape
// full, the slice itself being stored densely.
func copyRuns(full, starts, lens []int64, run func(dst, src, n int64)) {
	rank := len(full)
	if rank == 0 {
		run(0, 0, 1)
		return
	}
	for _, l := range lens {
		if l == 0 {
			return
		}
	}
	strides := make([]int64, rank)
	st := int64(1)
	for d := rank - 1; d >= 0; d-- {
		strides[d] = st
		st *= full[d]
	}
	idx := make([]int64, rank-1)
	inner := lens[rank-1]
	var src int64
	for {
		dst := starts[rank-1]
		for d := 0; d < rank-1; d++ {
			dst += (starts[d] + idx[d]) * strides[d]
		}
		run(dst, src, inner)
		src += inner
		d := rank - 2
		for ; d >= 0; d-- {
			idx[d]++
			if idx[d] < lens[d] {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// assembleSlices builds the full tensor vr from its slices, reading each
// with readSlice(slice, sliceDims). limit (the checkpoint's data size)
// bounds the full tensor's element count before it is allocated.
func assembleSlices(vr Variable, slices []bundlepb.Slice, limit int64, file string, readSlice func(s bundlepb.Slice, dims []int64) (*tensor.Tensor, error)) (*tensor.Tensor, error) {
	dt := tensor.BaseType(vr.DType)
	n, err := elements(vr.Shape, max(limit, 1))
	if err != nil {
		return nil, shapeError(file, vr.Name, err)
	}
	elem := int64(tensor.ElemSize(dt))
	if dt != tensor.String && elem == 0 {
		return nil, fmt.Errorf("checkpoint: %s: tensor %q has dtype %v, which gotl cannot read", file, vr.Name, vr.DType)
	}
	if dt != tensor.String && n*elem > limit {
		return nil, corruptf("%s: tensor %q: %v %v needs %d bytes, more than the checkpoint holds", file, vr.Name, dt, vr.Shape, n*elem)
	}
	// One slice covering everything: no copy.
	if len(slices) == 1 {
		if _, lens, err := sliceBounds(slices[0], vr.Shape); err == nil && tensor.NumElements(lens) == n {
			t, err := readSlice(slices[0], vr.Shape)
			if err != nil {
				return nil, err
			}
			return t, nil
		}
	}
	// TensorFlow's slices partition the tensor: more elements than the
	// tensor has means overlaps (or a hostile file asking for many reads).
	var declared int64
	for _, s := range slices {
		_, lens, err := sliceBounds(s, vr.Shape)
		if err != nil {
			return nil, corruptf("%s: tensor %q: %v", file, vr.Name, err)
		}
		if declared += tensor.NumElements(lens); declared > n {
			return nil, corruptf("%s: tensor %q: its %d slices overlap (more than its %d elements)", file, vr.Name, len(slices), n)
		}
	}
	out := &tensor.Tensor{DType: dt, Shape: append([]int64{}, vr.Shape...)}
	if dt == tensor.String {
		out.Strings = make([][]byte, n)
	} else {
		out.Data = make([]byte, n*elem)
	}
	var covered int64
	for _, s := range slices {
		starts, lens, err := sliceBounds(s, vr.Shape)
		if err != nil {
			return nil, corruptf("%s: tensor %q: %v", file, vr.Name, err)
		}
		if tensor.NumElements(lens) == 0 {
			continue
		}
		part, err := readSlice(s, lens)
		if err != nil {
			return nil, err
		}
		covered += tensor.NumElements(lens)
		copyRuns(vr.Shape, starts, lens, func(dst, src, k int64) {
			if dt == tensor.String {
				copy(out.Strings[dst:dst+k], part.Strings[src:src+k])
			} else {
				copy(out.Data[dst*elem:(dst+k)*elem], part.Data[src*elem:(src+k)*elem])
			}
		})
	}
	if covered < n {
		return nil, corruptf("%s: tensor %q: its %d slices cover %d of %d elements", file, vr.Name, len(slices), covered, n)
	}
	return out, nil
}
