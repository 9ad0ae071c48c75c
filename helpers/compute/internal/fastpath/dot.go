package fastpath

import (
	"reflect"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/gotl/gotl/helpers/compute/internal/kernels"
)

const dtypeFloat32 = dtypes.Float32

// dotNode mirrors simplego's dotGeneralNodeData (v0.26.0).
type dotNode struct {
	lhsContractingAxes, lhsBatchAxes                       []int
	rhsContractingAxes, rhsBatchAxes                       []int
	batchSize, lhsCrossSize, rhsCrossSize, contractingSize int
	lhsBlockedShape, rhsBlockedShape, outputBlockedShape   shapes.Shape
}

// operandView is an operand of DotGeneral seen as [batch, cross, contract]
// with one stride per group.
type operandView struct {
	batch, cross, contract int // strides
}

// groupStride returns the stride of the flattened index over axes (in the
// given order) if they are consecutive in memory, ignoring size-1 axes.
func groupStride(dims, strides, axes []int) (int, bool) {
	var kept []int
	for _, a := range axes {
		if dims[a] != 1 {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		return 0, true
	}
	for i := 1; i < len(kept); i++ {
		// Consecutive in memory: stride[prev] = stride[next]*dim[next].
		if strides[kept[i-1]] != strides[kept[i]]*dims[kept[i]] {
			return 0, false
		}
	}
	return strides[kept[len(kept)-1]], true
}

// crossAxes returns, in order, the axes of a rank-rank operand that are
// neither contracting nor batch axes.
func crossAxes(rank int, contracting, batch []int) []int {
	used := make([]bool, rank)
	for _, a := range contracting {
		used[a] = true
	}
	for _, a := range batch {
		used[a] = true
	}
	var cross []int
	for a := range rank {
		if !used[a] {
			cross = append(cross, a)
		}
	}
	return cross
}

// view returns the operand's strides if each group is addressable with
// one stride.
func view(shape shapes.Shape, contracting, batch []int) (operandView, bool) {
	dims := shape.Dimensions
	strides := shape.Strides()
	cross := crossAxes(len(dims), contracting, batch)
	var v operandView
	var ok1, ok2, ok3 bool
	v.batch, ok1 = groupStride(dims, strides, batch)
	v.cross, ok2 = groupStride(dims, strides, cross)
	v.contract, ok3 = groupStride(dims, strides, contracting)
	return v, ok1 && ok2 && ok3
}

// canonical copies an operand into [batch, cross, contract] order.
func canonical(shape shapes.Shape, data []float32, contracting, batch []int, bs, cs, ks int) []float32 {
	dims := shape.Dimensions
	strides := shape.Strides()
	var axes []int
	axes = append(axes, batch...)
	axes = append(axes, crossAxes(len(dims), contracting, batch)...)
	axes = append(axes, contracting...)
	out := make([]float32, bs*cs*ks)
	idx := make([]int, len(axes))
	src := 0
	for i := range out {
		out[i] = data[src]
		for p := len(axes) - 1; p >= 0; p-- {
			a := axes[p]
			idx[p]++
			src += strides[a]
			if idx[p] < dims[a] {
				break
			}
			src -= strides[a] * dims[a]
			idx[p] = 0
		}
	}
	return out
}

func execDot(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	const name = "DotGeneral"
	set := active.Load()
	lhsShape := bufShape(backend, inputs[0])
	if set == nil || lhsShape.DType != dtypes.Float32 {
		return passStock(backends.OpTypeDotGeneral, name, backend, node, inputs, owned)
	}
	data := dataOf(node)
	if reflect.TypeOf(data).String() != "*simplego.dotGeneralNodeData" {
		return passStock(backends.OpTypeDotGeneral, name, backend, node, inputs, owned)
	}
	p := (*dotNode)(reflect.ValueOf(data).UnsafePointer())
	rhsShape := bufShape(backend, inputs[1])
	lhs, rhs := float32s(backend, inputs[0]), float32s(backend, inputs[1])
	bsz, m, n, k := p.batchSize, p.lhsCrossSize, p.rhsCrossSize, p.contractingSize

	lv, ok := view(lhsShape, p.lhsContractingAxes, p.lhsBatchAxes)
	if !ok {
		lhs = canonical(lhsShape, lhs, p.lhsContractingAxes, p.lhsBatchAxes, bsz, m, k)
		lv = operandView{batch: m * k, cross: k, contract: 1}
	}
	rv, ok := view(rhsShape, p.rhsContractingAxes, p.rhsBatchAxes)
	if !ok {
		rhs = canonical(rhsShape, rhs, p.rhsContractingAxes, p.rhsBatchAxes, bsz, n, k)
		rv = operandView{batch: n * k, cross: k, contract: 1}
	}
	count(name, true)
	out := backend.NewBuffer(shapeOf(node))
	c := float32s(backend, out)
	var cached *kernels.PackedB
	if bsz == 1 {
		cached = cachedPack(set, node, 1, k, n, func() kernels.BSource {
			return kernels.Dense{Data: rhs, RowStride: rv.contract, ColStride: rv.cross}
		})
	}
	for b := range bsz {
		a := kernels.Dense{Data: lhs, Off: b * lv.batch, RowStride: lv.cross, ColStride: lv.contract}
		if cached != nil {
			set.GemmPacked(m, a, cached, c[b*m*n:], n, false)
			continue
		}
		bm := kernels.Dense{Data: rhs, Off: b * rv.batch, RowStride: rv.contract, ColStride: rv.cross}
		set.Gemm(m, n, k, a, bm, c[b*m*n:], n, false)
	}
	return out, nil
}
