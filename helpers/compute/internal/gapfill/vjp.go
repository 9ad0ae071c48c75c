package gapfill

import (
	"fmt"
	"reflect"
	"sync"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL reads better unqualified.
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

var registerOnce sync.Once

// stockDotGeneralVJP keeps GoMLX's own DotGeneral VJP, used when the node's
// parameters cannot be read (a GoMLX layout change).
var stockDotGeneralVJP VJP

// RegisterGradients installs, once, the gradients GoMLX v0.26.0 lacks or
// computes wastefully, in graph.VJPRegistration (so they apply on every
// backend):
//   - Rsqrt: missing; d/dx x^-½ = -½·y³.
//   - Dot and DotGeneral: the stock VJPs broadcast to the full [M,K,N]
//     product and reduce it (hundreds of MB per layer, OOM for Inception
//     fine-tuning); these use two GEMMs instead.
//   - Reverse: missing; the gradient is the same reversal.
//   - ConvGeneral: GoMLX's VJP fails on common TF geometries; see
//     convGeneralVJP.
func RegisterGradients() {
	registerOnce.Do(func() {
		stockDotGeneralVJP = VJPRegistration[NodeTypeDotGeneral]
		VJPRegistration[NodeTypeRsqrt] = single(rsqrtVJP)
		VJPRegistration[NodeTypeDot] = single(dotVJP)
		VJPRegistration[NodeTypeDotGeneral] = dotGeneralVJP
		VJPRegistration[NodeTypeConvGeneral] = convGeneralVJP(VJPRegistration[NodeTypeConvGeneral])
		VJPRegistration[NodeTypeReverse] = single(reverseVJP)
	})
}

func single(fn func(node, v *Node) []*Node) VJP {
	return func(node *Node, vjpOutputs []*Node, _ shapes.Shape) []*Node {
		return fn(node, vjpOutputs[0])
	}
}

func rsqrtVJP(node, v *Node) []*Node {
	y := node
	return []*Node{Mul(v, MulScalar(Mul(y, Mul(y, y)), -0.5))}
}

// dotVJP handles graph.Dot: vector·vector, matrix·vector, matrix·matrix.
func dotVJP(node, v *Node) []*Node {
	a, b := node.Inputs()[0], node.Inputs()[1]
	switch {
	case a.Rank() == 1 && b.Rank() == 1: // scalar output
		return []*Node{Mul(v, b), Mul(v, a)}
	case a.Rank() == 2 && b.Rank() == 1: // [M,K]·[K] -> [M]
		// dA[m,k] = v[m]·b[k]; dB[k] = Σm v[m]·a[m,k]
		return []*Node{
			Mul(InsertAxes(v, -1), InsertAxes(b, 0)),
			DotGeneral(a, []int{0}, nil, v, []int{0}, nil),
		}
	default: // [M,K]·[K,N] -> [M,N]
		// dA = v·Bᵀ (contract N), dB = Aᵀ·v (contract M).
		return []*Node{
			DotGeneral(v, []int{1}, nil, b, []int{1}, nil),
			DotGeneral(a, []int{0}, nil, v, []int{0}, nil),
		}
	}
}

// dotGeneralParams reads the contracting/batch axes of a DotGeneral node.
// GoMLX v0.26.0 keeps them in unexported fields; reflection reads them (read
// only) so the VJP can be expressed as two DotGenerals.
func dotGeneralParams(node *Node) (lc, lb, rc, rb []int, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	inputs := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !inputs.IsValid() || inputs.IsNil() {
		return nil, nil, nil, nil, false
	}
	params := inputs.Elem()
	if params.Kind() == reflect.Pointer {
		params = params.Elem()
	}
	read := func(name string) []int {
		f := params.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.Slice {
			panic("missing field " + name)
		}
		out := make([]int, f.Len())
		for i := range out {
			out[i] = int(f.Index(i).Int())
		}
		return out
	}
	return read("lhsContractingAxes"), read("lhsBatchAxes"), read("rhsContractingAxes"), read("rhsBatchAxes"), true
}

func otherAxes(rank int, used ...[]int) []int {
	mark := make([]bool, rank)
	for _, u := range used {
		for _, a := range u {
			mark[a] = true
		}
	}
	var out []int
	for a := range rank {
		if !mark[a] {
			out = append(out, a)
		}
	}
	return out
}

func dotGeneralVJP(node *Node, vjpOutputs []*Node, outputShape shapes.Shape) []*Node {
	lc, lb, rc, rb, ok := dotGeneralParams(node)
	if !ok {
		return stockDotGeneralVJP(node, vjpOutputs, outputShape)
	}
	v := vjpOutputs[0]
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	lCross := otherAxes(lhs.Rank(), lc, lb)
	rCross := otherAxes(rhs.Rank(), rc, rb)
	nb := len(lb)
	// v axes: [batch (nb), lhs cross, rhs cross].
	vBatch := make([]int, nb)
	for i := range vBatch {
		vBatch[i] = i
	}
	vLCross := make([]int, len(lCross))
	for i := range vLCross {
		vLCross[i] = nb + i
	}
	vRCross := make([]int, len(rCross))
	for i := range vRCross {
		vRCross[i] = nb + len(lCross) + i
	}
	// grad wrt one side = DotGeneral(v, other) contracting the other side's
	// cross axes; result axes [batch, this cross, other's contracting axes in
	// ascending order], then transposed back to this side's layout.
	grad := func(this *Node, thisC, thisB, thisCross []int, vThisCross, vOtherCross []int,
		other *Node, otherC, otherB, otherCross []int) *Node {
		g := DotGeneral(v, vOtherCross, vBatch, other, otherCross, otherB)
		// Map result axis -> this axis.
		resultToThis := make([]int, 0, this.Rank())
		resultToThis = append(resultToThis, thisB...)
		resultToThis = append(resultToThis, thisCross...)
		sortedOtherC := append([]int(nil), otherC...)
		for i := 1; i < len(sortedOtherC); i++ { // tiny insertion sort
			for j := i; j > 0 && sortedOtherC[j] < sortedOtherC[j-1]; j-- {
				sortedOtherC[j], sortedOtherC[j-1] = sortedOtherC[j-1], sortedOtherC[j]
			}
		}
		for _, oc := range sortedOtherC {
			for i, c := range otherC {
				if c == oc {
					resultToThis = append(resultToThis, thisC[i])
					break
				}
			}
		}
		perm := make([]int, this.Rank())
		identity := true
		for p, a := range resultToThis {
			perm[a] = p
			if a != p {
				identity = false
			}
		}
		if !identity {
			g = TransposeAllAxes(g, perm...)
		}
		return g
	}
	_ = vLCross
	dl := grad(lhs, lc, lb, lCross, vLCross, vRCross, rhs, rc, rb, rCross)
	dr := grad(rhs, rc, rb, rCross, vRCross, vLCross, lhs, lc, lb, lCross)
	if dl.DType() != lhs.DType() {
		dl = ConvertDType(dl, lhs.DType())
	}
	if dr.DType() != rhs.DType() {
		dr = ConvertDType(dr, rhs.DType())
	}
	return []*Node{dl, dr}
}

func reverseVJP(node, v *Node) []*Node {
	axes, ok := reverseAxes(node)
	if !ok {
		panic(fmt.Sprintf("gapfill: cannot read the axes of Reverse node %s", node))
	}
	return []*Node{Reverse(v, axes...)}
}

func reverseAxes(node *Node) (axes []int, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	f := reflect.ValueOf(node).Elem().FieldByName("inputs").Elem().Elem().FieldByName("axes")
	axes = make([]int, f.Len())
	for i := range axes {
		axes[i] = int(f.Index(i).Int())
	}
	return axes, true
}
