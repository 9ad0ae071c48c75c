package compute

import (
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// StridedSliceMasks are TensorFlow StridedSlice's bit masks; bit i refers
// to entry i of begin/end/strides.
type StridedSliceMasks struct {
	Begin, End, Ellipsis, NewAxis, ShrinkAxis int
}

// StridedSlice is TensorFlow's StridedSlice with constant begin, end and
// strides (as the converter materialises them) and all five masks:
// negative indices count from the end, out-of-range indices are clamped,
// negative strides walk backwards, a missing ellipsis is implied at the
// end, new_axis inserts size-1 axes and shrink_axis drops axes indexed by a
// single element. Differentiable (Slice and Reverse gradients).
// Empty results are reported as an error (GoMLX has no empty tensors).
func StridedSlice(x *graph.Node, begin, end, strides []int, masks StridedSliceMasks) (out *graph.Node, err error) {
	const op = "StridedSlice"
	defer catch(op, &err)
	m := len(begin)
	if len(end) != m || len(strides) != m {
		return nil, errorf(op, "begin %v, end %v and strides %v must have the same length", begin, end, strides)
	}
	bit := func(mask, i int) bool { return mask&(1<<i) != 0 }
	ellipsisSeen := false
	used := 0 // spec entries consuming an input axis
	for i := range m {
		if strides[i] == 0 {
			return nil, errorf(op, "strides %v must be non-zero", strides)
		}
		switch {
		case bit(masks.Ellipsis, i):
			if ellipsisSeen {
				return nil, errorf(op, "more than one ellipsis in ellipsis_mask %#b", masks.Ellipsis)
			}
			ellipsisSeen = true
		case bit(masks.NewAxis, i):
		default:
			used++
		}
	}
	rank := x.Rank()
	if used > rank {
		return nil, errorf(op, "%d indexed axes for input %s of rank %d", used, x.Shape(), rank)
	}
	dims := x.Shape().Dimensions
	type axisSlice struct{ start, stride, count int }
	slices := make([]axisSlice, rank)
	var outDims []int
	axis := 0
	full := func() {
		slices[axis] = axisSlice{0, 1, dims[axis]}
		outDims = append(outDims, dims[axis])
		axis++
	}
	for i := 0; i <= m; i++ {
		if i == m {
			if !ellipsisSeen { // implicit ellipsis: the rest unchanged
				for axis < rank {
					full()
				}
			}
			break
		}
		switch {
		case bit(masks.Ellipsis, i):
			for range rank - used {
				full()
			}
			continue
		case bit(masks.NewAxis, i):
			outDims = append(outDims, 1)
			continue
		}
		d, s := dims[axis], strides[i]
		if bit(masks.ShrinkAxis, i) {
			idx := begin[i]
			if idx < 0 {
				idx += d
			}
			if idx < 0 || idx >= d {
				return nil, errorf(op, "index %d out of range for axis %d of size %d (shrink_axis_mask)", begin[i], axis, d)
			}
			slices[axis] = axisSlice{idx, 1, 1}
			axis++
			continue
		}
		lo, hi := 0, d // clamping range for positive strides
		if s < 0 {
			lo, hi = -1, d-1
		}
		resolve := func(v int, masked bool, maskedValue int) int {
			if masked {
				return maskedValue
			}
			if v < 0 {
				v += d
			}
			return min(max(v, lo), hi)
		}
		var b, e int
		if s > 0 {
			b = resolve(begin[i], bit(masks.Begin, i), 0)
			e = resolve(end[i], bit(masks.End, i), d)
		} else {
			b = resolve(begin[i], bit(masks.Begin, i), d-1)
			e = resolve(end[i], bit(masks.End, i), -1)
		}
		var count int
		if s > 0 && e > b {
			count = (e - b + s - 1) / s
		} else if s < 0 && b > e {
			count = (b - e - s - 1) / -s
		}
		if count == 0 {
			return nil, errorf(op, "empty result on axis %d (begin %d, end %d, stride %d): not supported", axis, begin[i], end[i], s)
		}
		slices[axis] = axisSlice{b, s, count}
		outDims = append(outDims, count)
		axis++
	}

	// Negative strides: reverse those axes first, then slice forwards.
	var reversed []int
	for a, sl := range slices {
		if sl.stride < 0 {
			reversed = append(reversed, a)
		}
	}
	out = x
	if len(reversed) > 0 {
		out = graph.Reverse(out, reversed...)
	}
	specs := make([]graph.SliceAxisSpec, rank)
	identity := true
	for a, sl := range slices {
		start, stride := sl.start, sl.stride
		if stride < 0 {
			start, stride = dims[a]-1-start, -stride
		}
		specs[a] = graph.AxisRange(start, start+(sl.count-1)*stride+1).Stride(stride)
		if start != 0 || stride != 1 || sl.count != dims[a] {
			identity = false
		}
	}
	if !identity {
		out = graph.Slice(out, specs...)
	}
	if len(outDims) == 0 {
		return graph.Reshape(out), nil // scalar
	}
	return graph.Reshape(out, outDims...), nil
}
