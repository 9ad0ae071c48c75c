package graphrun

import (
	"fmt"

	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// opStridedSlice implements tf.strided_slice with all five masks.
func opStridedSlice(c *converter, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	x := c.node(in[0])
	begin, err := staticInts(in[1], "begin")
	if err != nil {
		return nil, err
	}
	end, err := staticInts(in[2], "end")
	if err != nil {
		return nil, err
	}
	strides, err := staticInts(in[3], "strides")
	if err != nil {
		return nil, err
	}
	if len(begin) != len(end) || len(begin) != len(strides) {
		return nil, fmt.Errorf("begin, end and strides have different lengths (%d, %d, %d)", len(begin), len(end), len(strides))
	}
	bm, em := attrInt(n, "begin_mask", 0), attrInt(n, "end_mask", 0)
	ellm, nam, sam := attrInt(n, "ellipsis_mask", 0), attrInt(n, "new_axis_mask", 0), attrInt(n, "shrink_axis_mask", 0)
	bit := func(mask int64, i int) bool { return mask&(1<<uint(i)) != 0 }

	// Count the input axes the sparse spec names explicitly.
	explicit := 0
	hasEllipsis := false
	for i := range begin {
		if bit(ellm, i) {
			if hasEllipsis {
				return nil, fmt.Errorf("more than one ellipsis")
			}
			hasEllipsis = true
		} else if !bit(nam, i) {
			explicit++
		}
	}
	rank := x.Rank()
	if explicit > rank {
		return nil, fmt.Errorf("slice spec names %d axes, input %s has %d", explicit, x.Shape(), rank)
	}
	specs := make([]graph.SliceAxisSpec, 0, rank)
	var outDims []int
	reverse := []int{}
	axis := 0
	addFull := func() {
		specs = append(specs, graph.AxisRange())
		outDims = append(outDims, x.Shape().Dimensions[axis])
		axis++
	}
	for i := range begin {
		switch {
		case bit(ellm, i):
			for k := 0; k < rank-explicit; k++ {
				addFull()
			}
			continue
		case bit(nam, i):
			outDims = append(outDims, 1)
			continue
		}
		dim := x.Shape().Dimensions[axis]
		s := int(strides[i])
		if s == 0 {
			return nil, fmt.Errorf("stride 0 at position %d", i)
		}
		b, e := int(begin[i]), int(end[i])
		if bit(sam, i) {
			if b < 0 {
				b += dim
			}
			if b < 0 || b >= dim {
				return nil, fmt.Errorf("index %d out of range for axis %d of size %d", begin[i], axis, dim)
			}
			specs = append(specs, graph.AxisRange(b, b+1))
			axis++
			continue
		}
		clamp := func(v, lo, hi int) int { return min(max(v, lo), hi) }
		if s > 0 {
			if bit(bm, i) {
				b = 0
			} else if b < 0 {
				b += dim
			}
			if bit(em, i) {
				e = dim
			} else if e < 0 {
				e += dim
			}
			b, e = clamp(b, 0, dim), clamp(e, 0, dim)
		} else {
			if bit(bm, i) {
				b = dim - 1
			} else if b < 0 {
				b += dim
			}
			if bit(em, i) {
				e = -1
			} else if e < 0 {
				e += dim
			}
			b, e = clamp(b, -1, dim-1), clamp(e, -1, dim-1)
			// Walk the reversed axis forward: index j of the reversed axis is dim-1-j.
			reverse = append(reverse, axis)
			b, e, s = dim-1-b, dim-1-e, -s
		}
		size := 0
		if e > b {
			size = (e - b + s - 1) / s
		}
		if size == 0 {
			return nil, fmt.Errorf("empty slices are not supported (axis %d)", axis)
		}
		specs = append(specs, graph.AxisRange(b, b+(size-1)*s+1).Stride(s))
		outDims = append(outDims, size)
		axis++
	}
	for axis < rank {
		addFull()
	}
	if len(reverse) > 0 {
		x = reverseAxes(x, reverse...)
	}
	y := graph.Slice(x, specs...)
	return one(graph.Reshape(y, outDims...)), nil
}
