package fastpath

import (
	"math"
	"reflect"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/gotl/gotl/helpers/compute/internal/kernels"
)

var binaryOps = map[backends.OpType]kernels.Op{
	backends.OpTypeAdd: kernels.Add, backends.OpTypeSub: kernels.Sub, backends.OpTypeMul: kernels.Mul,
	backends.OpTypeDiv: kernels.Div, backends.OpTypeMax: kernels.Max, backends.OpTypeMin: kernels.Min,
}

func binaryExecutors() map[backends.OpType]executor {
	out := map[backends.OpType]executor{}
	for opType, op := range binaryOps {
		out[opType] = func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
			return execBinary(opType, op, backend, node, inputs, owned)
		}
	}
	return out
}

// broadcastKind says how an operand of a binary op maps onto the output.
type broadcastKind int

const (
	bcNone   broadcastKind = iota // not handled
	bcSame                        // same shape
	bcScalar                      // one element
	bcRow                         // [1,…,1, d_j,…] : repeats every `inner` elements
	bcColumn                      // [d_0,…,d_j, 1,…,1]: one value per run of `inner` elements
)

// classify returns how s broadcasts to out and the run length: for bcRow
// the operand's size, for bcColumn the number of output elements per
// operand element.
func classify(s, out shapes.Shape) (broadcastKind, int) {
	switch {
	case s.Equal(out):
		return bcSame, 0
	case s.Size() == 1:
		return bcScalar, 0
	case s.Rank() != out.Rank():
		return bcNone, 0
	}
	r := s.Rank()
	// Row: 1s, then the output's dimensions.
	j := 0
	for j < r && s.Dimensions[j] == 1 {
		j++
	}
	ok := true
	for a := j; a < r; a++ {
		ok = ok && s.Dimensions[a] == out.Dimensions[a]
	}
	if ok {
		return bcRow, s.Size()
	}
	// Column: the output's dimensions, then 1s.
	j = r
	for j > 0 && s.Dimensions[j-1] == 1 {
		j--
	}
	for a := 0; a < j; a++ {
		if s.Dimensions[a] != out.Dimensions[a] {
			return bcNone, 0
		}
	}
	return bcColumn, out.Size() / s.Size()
}

// chunks splits [0, n) into pieces of a multiple of unit and runs fn on
// them, on two or more goroutines when n is large.
func chunks(n, unit int, fn func(lo, hi int)) {
	const minPar = 1 << 16
	threads := kernels.Threads()
	if n < minPar || threads < 2 || n/unit < threads {
		fn(0, n)
		return
	}
	per := (n/unit + threads - 1) / threads * unit
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		wg.Add(1)
		go func() { defer wg.Done(); fn(lo, hi) }()
	}
	wg.Wait()
}

func execBinary(opType backends.OpType, op kernels.Op, backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	name := op.String()
	set := active.Load()
	outShape := shapeOf(node)
	if set == nil || outShape.DType != dtypes.Float32 {
		return passStock(opType, name, backend, node, inputs, owned)
	}
	ls, rs := bufShape(backend, inputs[0]), bufShape(backend, inputs[1])
	lk, lrun := classify(ls, outShape)
	rk, rrun := classify(rs, outShape)
	if lk == bcNone || rk == bcNone || (lk != bcSame && rk != bcSame) {
		return passStock(opType, name, backend, node, inputs, owned)
	}
	count(name, true)
	l, r := float32s(backend, inputs[0]), float32s(backend, inputs[1])
	var out *simplego.Buffer
	switch {
	case owned[0] && lk == bcSame:
		out, inputs[0] = inputs[0], nil
	case owned[1] && rk == bcSame:
		out, inputs[1] = inputs[1], nil
	default:
		out = backend.NewBuffer(outShape)
	}
	o := float32s(backend, out)
	n := len(o)
	switch {
	case lk == bcSame && rk == bcSame:
		chunks(n, 1, func(lo, hi int) { set.VV(op, o[lo:hi], l[lo:hi], r[lo:hi]) })
	case rk == bcScalar:
		chunks(n, 1, func(lo, hi int) { set.VS(op, o[lo:hi], l[lo:hi], r[0]) })
	case lk == bcScalar:
		chunks(n, 1, func(lo, hi int) { set.SV(op, o[lo:hi], l[0], r[lo:hi]) })
	case rk == bcRow:
		chunks(n, rrun, func(lo, hi int) {
			for s := lo; s < hi; s += rrun {
				set.VV(op, o[s:s+rrun], l[s:s+rrun], r)
			}
		})
	case lk == bcRow:
		chunks(n, lrun, func(lo, hi int) {
			for s := lo; s < hi; s += lrun {
				set.VV(op, o[s:s+lrun], l, r[s:s+lrun])
			}
		})
	case rk == bcColumn:
		chunks(n, rrun, func(lo, hi int) {
			for s := lo; s < hi; s += rrun {
				set.VS(op, o[s:s+rrun], l[s:s+rrun], r[s/rrun])
			}
		})
	default: // lk == bcColumn
		chunks(n, lrun, func(lo, hi int) {
			for s := lo; s < hi; s += lrun {
				set.SV(op, o[s:s+lrun], l[s/lrun], r[s:s+lrun])
			}
		})
	}
	return out, nil
}

// reduceWindowNode mirrors simplego's reduceWindowNode (v0.26.0).
type reduceWindowNode struct {
	reductionType                                             backends.ReduceOpType
	windowDimensions, strides, baseDilations, windowDilations []int
	paddings                                                  [][2]int
}

func allOne(s []int) bool {
	for _, v := range s {
		if v != 1 {
			return false
		}
	}
	return true
}

// execReduceWindow runs float32 NHWC max and sum pooling (windows over
// axes 1 and 2 only, no dilations); padded positions do not take part.
func execReduceWindow(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	const name = "ReduceWindow"
	set := active.Load()
	inShape := bufShape(backend, inputs[0])
	data := dataOf(node)
	if set == nil || inShape.DType != dtypes.Float32 || inShape.Rank() != 4 ||
		reflect.TypeOf(data).String() != "*simplego.reduceWindowNode" {
		return passStock(backends.OpTypeReduceWindow, name, backend, node, inputs, owned)
	}
	p := (*reduceWindowNode)(reflect.ValueOf(data).UnsafePointer())
	var op kernels.Op
	var empty float32
	switch p.reductionType {
	case backends.ReduceOpMax:
		op, empty = kernels.Max, float32(math.Inf(-1))
	case backends.ReduceOpSum:
		op = kernels.Add
	default:
		return passStock(backends.OpTypeReduceWindow, name, backend, node, inputs, owned)
	}
	wd, st := p.windowDimensions, p.strides
	if len(st) == 0 {
		st = wd
	}
	if len(wd) != 4 || wd[0] != 1 || wd[3] != 1 || len(st) != 4 || st[0] != 1 || st[3] != 1 ||
		!allOne(p.baseDilations) || !allOne(p.windowDilations) ||
		(len(p.paddings) != 0 && (len(p.paddings) != 4 || p.paddings[0] != [2]int{} || p.paddings[3] != [2]int{})) {
		return passStock(backends.OpTypeReduceWindow, name, backend, node, inputs, owned)
	}
	count(name, true)
	var pt, pl int
	if len(p.paddings) == 4 {
		pt, pl = p.paddings[1][0], p.paddings[2][0]
	}
	outShape := shapeOf(node)
	out := backend.NewBuffer(outShape)
	o, x := float32s(backend, out), float32s(backend, inputs[0])
	d, od := inShape.Dimensions, outShape.Dimensions
	h, w, c := d[1], d[2], d[3]
	oh, ow := od[1], od[2]
	chunks(len(o), ow*c, func(lo, hi int) {
		for row := lo / (ow * c); row < hi/(ow*c); row++ {
			n, oy := row/oh, row%oh
			y0, y1 := max(oy*st[1]-pt, 0), min(oy*st[1]-pt+wd[1], h)
			for ox := range ow {
				x0, x1 := max(ox*st[2]-pl, 0), min(ox*st[2]-pl+wd[2], w)
				dst := o[(row*ow+ox)*c : (row*ow+ox+1)*c]
				first := true
				for y := y0; y < y1; y++ {
					for xx := x0; xx < x1; xx++ {
						src := x[((n*h+y)*w+xx)*c : ((n*h+y)*w+xx+1)*c]
						if first {
							copy(dst, src)
							first = false
						} else {
							set.VV(op, dst, dst, src)
						}
					}
				}
				if first {
					for i := range dst {
						dst[i] = empty
					}
				}
			}
		}
	})
	return out, nil
}

// execSign is float32 Sign (GoMLX builds ReLU and max gradients from it:
// NonNegativeIndicator(x) = Sign(Sign(x)+1)) as a loop the compiler turns
// into conditional moves; simplego's generic one branches on data. Like
// simplego's, zero and NaN map to 0.
func execSign(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	const name = "Sign"
	if active.Load() == nil || shapeOf(node).DType != dtypes.Float32 {
		return passStock(backends.OpTypeSign, name, backend, node, inputs, owned)
	}
	count(name, true)
	in := float32s(backend, inputs[0])
	out := inputs[0]
	if owned[0] {
		inputs[0] = nil
	} else {
		out = backend.NewBuffer(shapeOf(node))
	}
	o := float32s(backend, out)
	chunks(len(o), 1, func(lo, hi int) { signFloat32(o[lo:hi], in[lo:hi]) })
	return out, nil
}

func signFloat32(out, in []float32) {
	out = out[:len(in)]
	for i, v := range in {
		r := float32(0)
		if v > 0 {
			r = 1
		}
		if v < 0 {
			r = -1
		}
		out[i] = r
	}
}
