package compute

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// arr is a dense float64 array for reference computations.
type arr struct {
	dims []int
	data []float64
}

func newArr(dims ...int) arr {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return arr{dims: slices.Clone(dims), data: make([]float64, n)}
}

func randArr(r *rand.Rand, dims ...int) arr {
	a := newArr(dims...)
	for i := range a.data {
		a.data[i] = r.Float64()*2 - 1
	}
	return a
}

// at4 returns the flat index of (i, j, k, l) in a rank-4 array.
func (a arr) at4(i, j, k, l int) int {
	return ((i*a.dims[1]+j)*a.dims[2]+k)*a.dims[3] + l
}

func (a arr) tensor() *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(slices.Clone(a.data), a.dims...)
}

func fromTensor(t *tensors.Tensor) arr {
	return arr{dims: t.Shape().Dimensions, data: tensors.MustCopyFlatData[float64](t)}
}

func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := Backend()
	if err != nil {
		t.Fatalf("Backend: %v", err)
	}
	return b
}

// run executes fn on float64 inputs.
func run(t testing.TB, b backends.Backend, fn func(ins []*graph.Node) []*graph.Node, ins ...arr) []arr {
	t.Helper()
	exec, err := graph.NewExec(b, fn)
	if err != nil {
		t.Fatalf("NewExec: %v", err)
	}
	args := make([]any, len(ins))
	for i, in := range ins {
		args[i] = in.tensor()
	}
	outs, err := exec.Exec(args...)
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	res := make([]arr, len(outs))
	for i, o := range outs {
		res[i] = fromTensor(o)
	}
	return res
}

// op1 adapts a single-output op that returns an error.
func op1(t testing.TB, fn func(ins []*graph.Node) (*graph.Node, error)) func(ins []*graph.Node) *graph.Node {
	return func(ins []*graph.Node) *graph.Node {
		out, err := fn(ins)
		if err != nil {
			t.Fatalf("op: %v", err)
		}
		return out
	}
}

func assertClose(t testing.TB, name string, got, want arr, tol float64) {
	t.Helper()
	if !slices.Equal(got.dims, want.dims) {
		t.Fatalf("%s: shape %v, want %v", name, got.dims, want.dims)
	}
	worst, at := 0.0, -1
	for i := range got.data {
		d := math.Abs(got.data[i] - want.data[i])
		if !(d <= tol*(1+math.Abs(want.data[i]))) && (d > worst || at < 0) {
			worst, at = d, i
		}
	}
	if at >= 0 {
		t.Fatalf("%s: element %d = %v, want %v (diff %g > tol %g)", name, at, got.data[at], want.data[at], worst, tol)
	}
}

// checkGrad compares the gradients of loss = Σ op(ins)·R (R random) with
// central finite differences along a random direction for each input.
func checkGrad(t *testing.T, name string, b backends.Backend, op func(ins []*graph.Node) *graph.Node, ins ...arr) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, uint64(len(name))))
	out := run(t, b, func(x []*graph.Node) []*graph.Node { return []*graph.Node{op(x)} }, ins...)[0]
	weights := randArr(r, out.dims...)
	loss := func(x []*graph.Node) *graph.Node {
		w := graph.Const(x[0].Graph(), weights.tensor())
		return graph.ReduceAllSum(graph.Mul(op(x), w))
	}
	grads := run(t, b, func(x []*graph.Node) []*graph.Node {
		return graph.Gradient(loss(x), x...)
	}, ins...)
	lossExec, err := graph.NewExec(b, func(x []*graph.Node) *graph.Node { return loss(x) })
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	eval := func(xs []arr) float64 {
		args := make([]any, len(xs))
		for i, x := range xs {
			args[i] = x.tensor()
		}
		o, err := lossExec.Exec(args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return tensors.MustCopyFlatData[float64](o[0])[0]
	}
	const eps = 1e-5
	for k := range ins {
		dir := randArr(r, ins[k].dims...)
		analytic := 0.0
		for i := range dir.data {
			analytic += grads[k].data[i] * dir.data[i]
		}
		shifted := func(sign float64) []arr {
			xs := slices.Clone(ins)
			x := newArr(ins[k].dims...)
			for i := range x.data {
				x.data[i] = ins[k].data[i] + sign*eps*dir.data[i]
			}
			xs[k] = x
			return xs
		}
		fd := (eval(shifted(1)) - eval(shifted(-1))) / (2 * eps)
		if math.Abs(fd-analytic) > 1e-6*(1+math.Abs(fd)) {
			t.Errorf("%s: input %d: analytic directional derivative %.10g, finite differences %.10g", name, k, analytic, fd)
		}
	}
}
