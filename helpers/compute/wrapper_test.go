package compute

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// These tests show each gap of simplego v0.26.0 and that the wrapper fills
// it. They need the pure-Go backend.

func pureGo(t *testing.T) backends.Backend {
	t.Helper()
	b := testBackend(t)
	if !IsPureGo(b) {
		t.Skip("the gap-fill wrapper is only used on the pure-Go backend")
	}
	return b
}

// stockFails checks that fn cannot be built or run on an unwrapped simplego.
func stockFails(t *testing.T, name string, fn func(ins []*graph.Node) *graph.Node, ins ...arr) {
	t.Helper()
	stock, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	defer stock.Finalize()
	err = func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		exec, err := graph.NewExec(stock, fn)
		if err != nil {
			return err
		}
		args := make([]any, len(ins))
		for i, in := range ins {
			args[i] = in.tensor()
		}
		_, err = exec.Exec(args...)
		return err
	}()
	if err == nil {
		t.Errorf("%s: stock simplego now works; the wrapper's override may be unnecessary", name)
	}
}

func TestWrapperReverse(t *testing.T) {
	b := pureGo(t)
	r := rand.New(rand.NewPCG(21, 22))
	x := randArr(r, 2, 3, 4)
	fn := func(in []*graph.Node) *graph.Node { return graph.Reverse(in[0], 0, 2) }
	stockFails(t, "Reverse", fn, x)
	got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, x)[0]
	want := newArr(2, 3, 4)
	for i := range 2 {
		for j := range 3 {
			for k := range 4 {
				want.data[(i*3+j)*4+k] = x.data[((1-i)*3+j)*4+(3-k)]
			}
		}
	}
	assertClose(t, "Reverse", got, want, 0)
}

func TestWrapperPad(t *testing.T) {
	b := pureGo(t)
	x := arr{dims: []int{2, 3}, data: []float64{1, 2, 3, 4, 5, 6}}
	fn := func(in []*graph.Node) *graph.Node {
		fill := graph.Scalar(in[0].Graph(), in[0].DType(), -1)
		return graph.Pad(in[0], fill, backends.PadAxis{Start: 1, End: 0, Interior: 1}, backends.PadAxis{Start: -1, End: 2, Interior: 2})
	}
	stockFails(t, "Pad", fn, x)
	got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, x)[0]
	// Rows: fill, row0, fill(interior), row1. Columns of each row r: interior
	// 2 gives r0 f f r1 f f r2, drop the first, then 2 fills.
	want := arr{dims: []int{4, 8}}
	fillRow := []float64{-1, -1, -1, -1, -1, -1, -1, -1}
	want.data = append(want.data, fillRow...)
	want.data = append(want.data, -1, -1, 2, -1, -1, 3, -1, -1)
	want.data = append(want.data, fillRow...)
	want.data = append(want.data, -1, -1, 5, -1, -1, 6, -1, -1)
	assertClose(t, "Pad", got, want, 0)
}

// Slice's gradient is a Pad (with interior padding for strided slices).
func TestWrapperSliceGradient(t *testing.T) {
	b := pureGo(t)
	r := rand.New(rand.NewPCG(23, 24))
	x := randArr(r, 7, 6)
	fn := func(in []*graph.Node) *graph.Node {
		return graph.Slice(in[0], graph.AxisRange(1, 7).Stride(2), graph.AxisRange(0, 5).Stride(3))
	}
	stockFails(t, "Slice gradient", func(in []*graph.Node) *graph.Node {
		return graph.Gradient(graph.ReduceAllSum(fn(in)), in[0])[0]
	}, x)
	checkGrad(t, "Slice", b, fn, x)
}

// MaxPool's gradient needs SelectAndScatterMax, AvgPool's needs Pad.
func TestWrapperPoolGradients(t *testing.T) {
	b := pureGo(t)
	r := rand.New(rand.NewPCG(25, 26))
	x := randArr(r, 1, 7, 7, 2)
	for _, mean := range []bool{false, true} {
		fn := func(in []*graph.Node) *graph.Node {
			if mean {
				return graph.MeanPool(in[0]).Window(3).Strides(2).PadSame().Done()
			}
			return graph.MaxPool(in[0]).Window(3).Strides(2).PadSame().Done()
		}
		name := fmt.Sprintf("pool mean=%v", mean)
		stockFails(t, name+" gradient", func(in []*graph.Node) *graph.Node {
			return graph.Gradient(graph.ReduceAllSum(fn(in)), in[0])[0]
		}, x)
		checkGrad(t, name, b, fn, x)
	}
}

// Ties: the gradient goes to the first maximum of each window only.
func TestWrapperMaxPoolGradientTies(t *testing.T) {
	b := pureGo(t)
	x := arr{dims: []int{1, 2, 4, 1}, data: []float64{1, 1, 0, 2, 1, 1, 2, 2}}
	got := run(t, b, func(in []*graph.Node) []*graph.Node {
		y := graph.MaxPool(in[0]).Window(2).Strides(2).Done()
		return graph.Gradient(graph.ReduceAllSum(y), in[0])
	}, x)[0]
	assertClose(t, "MaxPool ties", got, arr{dims: x.dims, data: []float64{1, 0, 0, 1, 0, 0, 0, 0}}, 0)
}

// Conv gradients need Reverse and explicit strides (the VJP passes none);
// a conv built without .Strides() fails on stock simplego.
func TestWrapperConvolveDefaults(t *testing.T) {
	b := pureGo(t)
	r := rand.New(rand.NewPCG(27, 28))
	x, k := randArr(r, 1, 5, 5, 2), randArr(r, 3, 3, 2, 3)
	fn := func(in []*graph.Node) *graph.Node { return graph.Convolve(in[0], in[1]).PadSame().Done() }
	stockFails(t, "Convolve without strides", fn, x, k)
	got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, x, k)[0]
	assertClose(t, "Convolve defaults", got, conv2DRef(x, k, g2(1, 1, 1, 1, "SAME")), 1e-12)
	checkGrad(t, "Convolve defaults", b, fn, x, k)
}

func TestWrapperBatchNormForInference(t *testing.T) {
	b := pureGo(t)
	r := rand.New(rand.NewPCG(29, 30))
	x := randArr(r, 2, 3, 4)
	scale, offset, mean := randArr(r, 4), randArr(r, 4), randArr(r, 4)
	variance := randArr(r, 4)
	for i := range variance.data {
		variance.data[i] = variance.data[i]*variance.data[i] + 0.5
	}
	fn := func(in []*graph.Node) *graph.Node {
		return graph.InternalBatchNormForInference(in[0], in[1], in[2], in[3], in[4], 1e-3, -1)
	}
	stockFails(t, "BatchNormForInference", fn, x, scale, offset, mean, variance)
	got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, x, scale, offset, mean, variance)[0]
	want := newArr(x.dims...)
	for i, v := range x.data {
		c := i % 4
		want.data[i] = (v-mean.data[c])/mathSqrt(variance.data[c]+1e-3)*scale.data[c] + offset.data[c]
	}
	assertClose(t, "BatchNormForInference", got, want, 1e-6) // epsilon is a float32 in GoMLX's API
}

// Registered gradients: Rsqrt (missing in GoMLX), Dot and DotGeneral (GEMM
// forms) for every axis arrangement.
func TestRegisteredGradients(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(31, 32))
	pos := randArr(r, 3, 4)
	for i := range pos.data {
		pos.data[i] = pos.data[i]*pos.data[i] + 0.3
	}
	checkGrad(t, "Rsqrt", b, func(in []*graph.Node) *graph.Node { return graph.Rsqrt(in[0]) }, pos)
	dot := func(in []*graph.Node) *graph.Node { return graph.Dot(in[0], in[1]) }
	checkGrad(t, "Dot mat·mat", b, dot, randArr(r, 3, 4), randArr(r, 4, 5))
	checkGrad(t, "Dot mat·vec", b, dot, randArr(r, 3, 4), randArr(r, 4))
	checkGrad(t, "Dot vec·vec", b, dot, randArr(r, 4), randArr(r, 4))
	for _, c := range []struct {
		name           string
		lhs, rhs       []int
		lc, lb, rc, rb []int
	}{
		{"batched matmul", []int{2, 3, 4}, []int{2, 4, 5}, []int{2}, []int{0}, []int{1}, []int{0}},
		{"permuted contractions", []int{2, 3, 4, 5}, []int{2, 5, 6, 3}, []int{3, 1}, []int{0}, []int{1, 3}, []int{0}},
		{"batch not first", []int{3, 2, 4}, []int{4, 5, 2}, []int{2}, []int{1}, []int{0}, []int{2}},
		{"outer product", []int{3}, []int{4}, nil, nil, nil, nil},
		{"transposed both", []int{4, 3}, []int{5, 4}, []int{0}, nil, []int{1}, nil},
	} {
		fn := func(in []*graph.Node) *graph.Node {
			return graph.DotGeneral(in[0], c.lc, c.lb, in[1], c.rc, c.rb)
		}
		checkGrad(t, "DotGeneral "+c.name, b, fn, randArr(r, c.lhs...), randArr(r, c.rhs...))
	}
}

func TestBackendSelection(t *testing.T) {
	t.Setenv(ConfigEnv, "")
	if got := EffectiveConfig(""); got != DefaultConfig {
		t.Errorf("EffectiveConfig with empty env = %q, want %q", got, DefaultConfig)
	}
	b, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	if !IsPureGo(b) || IsGPU(b) {
		t.Errorf("default backend %q: IsPureGo=%v IsGPU=%v", b.Description(), IsPureGo(b), IsGPU(b))
	}
	if d := Describe(b); !strings.Contains(d, "pure Go (go:ops_sequential, gap-filled, fast path "+FastPath().String()+")") {
		t.Errorf("Describe = %q", d)
	}
	if !b.Capabilities().Operations[backends.OpTypePad] {
		t.Errorf("wrapped backend does not report Pad")
	}

	t.Setenv(ConfigEnv, "go:parallelism=1")
	b2, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Finalize()
	if d := Describe(b2); !strings.Contains(d, "go:parallelism=1,ops_sequential") {
		t.Errorf("GOMLX_BACKEND=go:parallelism=1: Describe = %q", d)
	}
	b3, err := NewBackend("go:ops_parallel")
	if err != nil {
		t.Fatal(err)
	}
	defer b3.Finalize()
	if d := Describe(b3); strings.Contains(d, "ops_sequential") {
		t.Errorf("ops_parallel asked for, got %q", d)
	}

	if _, err := NewBackend("nosuch:x"); err == nil || !strings.Contains(err.Error(), `"nosuch" is not compiled in`) {
		t.Errorf("unknown backend: err = %v", err)
	}
	if _, err := NewBackend("go:bogus_option"); err == nil || !strings.HasPrefix(err.Error(), "compute: ") {
		t.Errorf("bad option: err = %v", err)
	}
	if Wrap(b) != b {
		t.Errorf("Wrap of a wrapped backend must return it unchanged")
	}
	if IsPureGo(nil) || IsGPU(nil) || Describe(nil) != "no backend" {
		t.Errorf("nil backend handling")
	}
}

// XLA without an installed plugin must fail with a message, never try a
// download (auto-install is off), and never hang.
func TestXLAWithoutPluginFails(t *testing.T) {
	if !strings.Contains(strings.Join(backends.List(), ","), "xla") {
		t.Skip("built without XLA")
	}
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir())
	_, err := NewBackend("xla:cuda")
	if err == nil {
		t.Skip("a CUDA PJRT plugin is installed here")
	}
	if strings.Contains(err.Error(), "auto-install") || !strings.HasPrefix(err.Error(), "compute: backend \"xla:cuda\"") {
		t.Errorf("err = %v", err)
	}
}

// The registered Dot/DotGeneral gradients never build the [M,K,N] product
// that GoMLX's own VJPs materialise.
func TestDotGradientsStayGEMMSized(t *testing.T) {
	b := testBackend(t)
	const m, k, n = 6, 7, 5
	for _, general := range []bool{false, true} {
		g := graph.NewGraph(b, "dotgrad")
		x := graph.Parameter(g, "x", shapeF32(m, k))
		w := graph.Parameter(g, "w", shapeF32(k, n))
		var y *graph.Node
		if general {
			y = graph.DotGeneral(x, []int{1}, nil, w, []int{0}, nil)
		} else {
			y = graph.Dot(x, w)
		}
		before := len(g.Nodes())
		graph.Gradient(graph.ReduceAllSum(y), x, w)
		for _, node := range g.Nodes()[before:] {
			if node.Shape().Size() >= m*k*n {
				t.Errorf("general=%v: gradient node %s has shape %s (the [M,K,N] broadcast)", general, node.Type(), node.Shape())
			}
		}
		g.Finalize()
	}
}

func TestWrapperDynamicSlice(t *testing.T) {
	b := pureGo(t)
	x := newArr(4, 5)
	for i := range x.data {
		x.data[i] = float64(i)
	}
	// Starts (3, 1) for a 2x3 window: row 3 is clamped to 2 (4-2), as XLA does.
	fn := func(in []*graph.Node) *graph.Node {
		g := in[0].Graph()
		return graph.DynamicSlice(in[0], []*graph.Node{graph.Const(g, int32(3)), graph.Const(g, int32(1))}, []int{2, 3})
	}
	stockFails(t, "DynamicSlice", fn, x)
	got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, x)[0]
	assertClose(t, "DynamicSlice", got, arr{dims: []int{2, 3}, data: []float64{11, 12, 13, 16, 17, 18}}, 0)
	upd := arr{dims: []int{1, 2}, data: []float64{-1, -2}}
	got = run(t, b, func(in []*graph.Node) []*graph.Node {
		g := in[0].Graph()
		return []*graph.Node{graph.DynamicUpdateSlice(in[0], in[1], []*graph.Node{graph.Const(g, int32(1)), graph.Const(g, int32(4))})}
	}, x, upd)[0]
	want := newArr(4, 5)
	copy(want.data, x.data)
	want.data[1*5+3], want.data[1*5+4] = -1, -2 // column 4 clamped to 3
	assertClose(t, "DynamicUpdateSlice", got, want, 0)
	// A 2-D window (simplego's own ScatterSum would lay it out flat).
	upd2 := arr{dims: []int{2, 3}, data: []float64{1, 2, 3, 4, 5, 6}}
	got = run(t, b, func(in []*graph.Node) []*graph.Node {
		g := in[0].Graph()
		return []*graph.Node{graph.DynamicUpdateSlice(in[0], in[1], []*graph.Node{graph.Const(g, int32(3)), graph.Const(g, int32(1))})}
	}, newArr(4, 5), upd2)[0]
	assertClose(t, "DynamicUpdateSlice 2-D", got, arr{dims: []int{4, 5}, data: []float64{
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0}}, 0)
	// DynamicSlice's gradient is a DynamicUpdateSlice.
	checkGrad(t, "DynamicSlice", b, fn, x)
}

// Gather gradients are scatters; simplego put windows narrower than the
// operand on inner axes into the wrong elements. Bilinear Interpolate's
// gradient went wrong the same way.
func TestWrapperGatherGradients(t *testing.T) {
	b := pureGo(t)
	r := rand.New(rand.NewPCG(35, 36))
	x := randArr(r, 3, 4, 2)
	checkGrad(t, "GatherSlices inner axis", b, func(in []*graph.Node) *graph.Node {
		idx := graph.Const(in[0].Graph(), [][]int32{{2}, {0}, {1}})
		return graph.GatherSlices(in[0], []int{1}, idx, []int{2}, true)
	}, x)
	checkGrad(t, "Gather rows", b, func(in []*graph.Node) *graph.Node {
		idx := graph.Const(in[0].Graph(), [][]int32{{2}, {0}, {2}})
		return graph.Gather(in[0], idx)
	}, x)
	img := randArr(r, 1, 3, 4, 2)
	checkGrad(t, "Interpolate bilinear", b, func(in []*graph.Node) *graph.Node {
		return graph.Interpolate(in[0], -1, 5, 7, -1).Bilinear().Done()
	}, img)
}
