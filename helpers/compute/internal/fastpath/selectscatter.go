package fastpath

import (
	"fmt"
	"sync"
	_ "unsafe" // go:linkname

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/gotl/gotl/helpers/compute/internal/kernels"
)

// simplego v0.26.0 has no SelectAndScatterMax/Min (the max-pool gradient);
// gapfill emulates it with strided slices, comparisons and pads, which cost
// more than the rest of a small network's training step. SelectAndScatter
// instead adds a real SelectAndScatter node to a simplego graph (with
// simplego's own unexported node constructor) that gotl's executor runs in
// one pass. Only this package creates such nodes, so the executor serves
// them whether or not the fast kernels are active.

//go:linkname newNode github.com/gomlx/gomlx/backends/simplego.(*Builder).newNode
func newNode(b *simplego.Builder, opType backends.OpType, shape shapes.Shape, inputs ...*simplego.Node) *simplego.Node

// scatterData is the data of the SelectAndScatter nodes this package makes.
type scatterData struct {
	window, strides [2]int
	padTop, padLeft int
	isMax           bool
}

// SelectAndScatter builds SelectAndScatterMax (isMax) or Min on an NHWC
// float32 operand with windows over axes 1 and 2, returning false (and
// building nothing) for anything else or before Install.
func SelectAndScatter(b backends.Builder, operand, source backends.Op, window, strides []int, paddings [][2]int, isMax bool) (backends.Op, bool) {
	ok := installed.Load()
	sb, isSimple := b.(*simplego.Builder)
	x, okX := operand.(*simplego.Node)
	s, okS := source.(*simplego.Node)
	if !ok || !isSimple || !okX || !okS {
		return nil, false
	}
	xs, ss := shapeOf(x), shapeOf(s)
	if xs.DType != dtypes.Float32 || ss.DType != dtypes.Float32 || xs.Rank() != 4 || ss.Rank() != 4 ||
		len(window) != 4 || len(strides) != 4 || len(paddings) != 4 ||
		window[0] != 1 || window[3] != 1 || strides[0] != 1 || strides[3] != 1 ||
		paddings[0] != [2]int{} || paddings[3] != [2]int{} || ss.Dimensions[0] != xs.Dimensions[0] || ss.Dimensions[3] != xs.Dimensions[3] {
		return nil, false
	}
	for a := 1; a <= 2; a++ {
		span := xs.Dimensions[a] + paddings[a][0] + paddings[a][1] - window[a]
		if span < 0 || span/strides[a]+1 != ss.Dimensions[a] {
			return nil, false
		}
	}
	node := newNode(sb, opScatter(isMax), xs, x, s)
	*(*any)(field(node, offData)) = &scatterData{window: [2]int{window[1], window[2]}, strides: [2]int{strides[1], strides[2]},
		padTop: paddings[1][0], padLeft: paddings[2][0], isMax: isMax}
	return node, true
}

func opScatter(isMax bool) backends.OpType {
	if isMax {
		return backends.OpTypeSelectAndScatterMax
	}
	return backends.OpTypeSelectAndScatterMin
}

// execSelectAndScatter adds each source value to the first maximum (or
// minimum), in row-major window order, of its window; padded positions
// never win (TF's MaxPoolGrad).
func execSelectAndScatter(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, _ []bool) (*simplego.Buffer, error) {
	p, ok := dataOf(node).(*scatterData)
	if !ok {
		return nil, fmt.Errorf("fastpath: SelectAndScatter node without gotl's parameters (%T)", dataOf(node))
	}
	count("SelectAndScatter", true)
	xs, ss := bufShape(backend, inputs[0]), bufShape(backend, inputs[1])
	x, src := float32s(backend, inputs[0]), float32s(backend, inputs[1])
	out := backend.NewBuffer(xs)
	o := float32s(backend, out)
	clear(o)
	n, h, w, c := xs.Dimensions[0], xs.Dimensions[1], xs.Dimensions[2], xs.Dimensions[3]
	oh, ow := ss.Dimensions[1], ss.Dimensions[2]
	// Batches are independent (overlapping windows of one image add to the
	// same inputs), so they are the unit of parallelism.
	parts := 1
	if len(x) >= 1<<15 {
		parts = min(kernels.Threads(), n)
	}
	per := (n + parts - 1) / parts
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += per {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			scatterBatches(p, x, src, o, lo, hi, h, w, c, oh, ow)
		}(lo, min(lo+per, n))
	}
	wg.Wait()
	return out, nil
}

func scatterBatches(p *scatterData, x, src, o []float32, lo, hi, h, w, c, oh, ow int) {
	best := make([]float32, c)
	at := make([]int, c)
	for b := lo; b < hi; b++ {
		for oy := range oh {
			y0, y1 := max(oy*p.strides[0]-p.padTop, 0), min(oy*p.strides[0]-p.padTop+p.window[0], h)
			for ox := range ow {
				x0, x1 := max(ox*p.strides[1]-p.padLeft, 0), min(ox*p.strides[1]-p.padLeft+p.window[1], w)
				if y0 >= y1 || x0 >= x1 {
					continue
				}
				first := ((b*h+y0)*w + x0) * c
				copy(best, x[first:first+c])
				for ch := range at {
					at[ch] = first + ch
				}
				for y := y0; y < y1; y++ {
					for xx := x0; xx < x1; xx++ {
						off := ((b*h+y)*w + xx) * c
						for ch, v := range x[off : off+c] {
							if p.isMax && v > best[ch] || !p.isMax && v < best[ch] {
								best[ch], at[ch] = v, off+ch
							}
						}
					}
				}
				s := src[((b*oh+oy)*ow+ox)*c:]
				for ch, i := range at {
					o[i] += s[ch]
				}
			}
		}
	}
}
