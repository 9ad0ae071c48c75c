package fastpath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/gotl/gotl/helpers/compute/internal/kernels"
)

var testBackend backends.Backend

func TestMain(m *testing.M) {
	if err := Install(nil); err != nil {
		fmt.Println("fastpath not installable:", err)
		os.Exit(1)
	}
	EnableCounters(true)
	b, err := simplego.New("ops_sequential")
	if err != nil {
		panic(err)
	}
	testBackend = b
	os.Exit(m.Run())
}

func testSets(t *testing.T) []*kernels.Set {
	var out []*kernels.Set
	for _, l := range []kernels.Level{kernels.AVX2, kernels.AVX512} {
		if s := kernels.For(l); s != nil {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		t.Skip("no SIMD kernels on this machine")
	}
	return out
}

func randTensor(r *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = r.Float32()*2 - 1
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// compare runs fn on args with the stock executors and with each kernel
// set, and requires the fast results to match (relative to the largest
// magnitude of the stock result) and the fast executor named op to run.
func compare(t *testing.T, name, op string, fn any, args ...*tensors.Tensor) {
	t.Helper()
	run := func(set *kernels.Set) []float32 {
		SetLevel(set)
		defer SetLevel(nil)
		exec, err := graph.NewExecAny(testBackend, fn)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer exec.Finalize()
		in := make([]any, len(args))
		for i, a := range args {
			in[i] = a
		}
		ReadCounters(true)
		outs, err := exec.Exec(in...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c := ReadCounters(true)
		if set != nil && c.Fast[op] == 0 {
			t.Fatalf("%s (%s): fast %s did not run: %+v", name, set.Level(), op, c)
		}
		return flat(t, outs[0])
	}
	want := run(nil)
	scale := 1e-30
	for _, v := range want {
		if !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
			scale = max(scale, math.Abs(float64(v)))
		}
	}
	for _, set := range testSets(t) {
		got := run(set)
		if len(got) != len(want) {
			t.Fatalf("%s (%s): %d values, want %d", name, set.Level(), len(got), len(want))
		}
		for i := range got {
			g, w := float64(got[i]), float64(want[i])
			if math.IsNaN(w) || math.IsNaN(g) || math.IsInf(w, 0) || math.IsInf(g, 0) {
				if !(math.IsNaN(w) && math.IsNaN(g)) && g != w {
					t.Fatalf("%s (%s): [%d] = %g, stock %g", name, set.Level(), i, g, w)
				}
				continue
			}
			if math.Abs(g-w) > 2e-5*scale {
				t.Fatalf("%s (%s): [%d] = %g, stock %g (scale %g)", name, set.Level(), i, g, w, scale)
			}
		}
	}
}

func TestDotGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	type tc struct {
		lhs, rhs       []int
		lc, lb, rc, rb []int
	}
	cases := []tc{
		{[]int{5, 7}, []int{7, 3}, []int{1}, nil, []int{0}, nil},
		{[]int{1, 2048}, []int{2048, 1008}, []int{1}, nil, []int{0}, nil},
		{[]int{37, 300}, []int{300, 45}, []int{1}, nil, []int{0}, nil},
		{[]int{300, 37}, []int{300, 45}, []int{0}, nil, []int{0}, nil},               // dW = xᵀ·dy
		{[]int{37, 300}, []int{45, 300}, []int{1}, nil, []int{1}, nil},               // dx = dy·Wᵀ
		{[]int{4, 13, 29}, []int{4, 29, 17}, []int{2}, []int{0}, []int{1}, []int{0}}, // batched
		{[]int{13, 4, 29}, []int{29, 17, 4}, []int{2}, []int{1}, []int{0}, []int{2}}, // batch axes inside
		{[]int{3, 5, 7, 2}, []int{7, 3, 11}, []int{2, 0}, nil, []int{0, 1}, nil},     // contracting out of order
	}
	for i, c := range cases {
		fn := func(a, b *graph.Node) *graph.Node { return graph.DotGeneral(a, c.lc, c.lb, b, c.rc, c.rb) }
		a, b := randTensor(r, c.lhs...), randTensor(r, c.rhs...)
		compare(t, fmt.Sprintf("dot case %d", i), "DotGeneral", fn, a, b)
	}
	// NaN and Inf propagate.
	a, b := randTensor(r, 9, 20), randTensor(r, 20, 40)
	a.MutableFlatData(func(flat any) {
		f := flat.([]float32)
		f[3] = float32(math.NaN())
		f[25] = float32(math.Inf(1))
	})
	compare(t, "dot NaN/Inf", "DotGeneral", func(x, y *graph.Node) *graph.Node { return graph.Dot(x, y) }, a, b)
}

func outDim(in, k, stride, dil, inDil, lo, hi int) int {
	span := (in-1)*inDil + 1 + lo + hi - ((k-1)*dil + 1)
	if span < 0 {
		return 0
	}
	return span/stride + 1
}

func TestConvGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	perm := func() []int { return r.Perm(4) }
	for iter := 0; iter < 60; {
		n, h, w, cin, o := 1+r.IntN(3), 1+r.IntN(8), 1+r.IntN(8), 1+r.IntN(13), 1+r.IntN(37)
		kh, kw := 1+r.IntN(3), 1+r.IntN(3)
		strides := []int{1 + r.IntN(2), 1 + r.IntN(2)}
		dil := []int{1 + r.IntN(2), 1 + r.IntN(2)}
		inDil := []int{1, 1}
		if iter%3 == 2 {
			inDil = []int{1 + r.IntN(2), 1 + r.IntN(2)}
		}
		pads := [][2]int{{r.IntN(3), r.IntN(3)}, {r.IntN(3), r.IntN(3)}}
		if outDim(h, kh, strides[0], dil[0], inDil[0], pads[0][0], pads[0][1]) == 0 ||
			outDim(w, kw, strides[1], dil[1], inDil[1], pads[1][0], pads[1][1]) == 0 {
			continue
		}
		// Random axis layouts, the output's channel axis last.
		ip, kp := perm(), perm()
		op := append(r.Perm(3), 3)
		axes := backends.ConvolveAxesConfig{
			InputBatch: ip[0], InputChannels: ip[1], InputSpatial: []int{ip[2], ip[3]},
			KernelInputChannels: kp[0], KernelOutputChannels: kp[1], KernelSpatial: []int{kp[2], kp[3]},
			OutputBatch: op[0], OutputSpatial: []int{op[1], op[2]}, OutputChannels: 3}
		if iter%4 == 0 { // NHWC / HWIO, the forward layout
			axes = backends.ConvolveAxesConfig{InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
				KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
				OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2}}
		}
		xd := make([]int, 4)
		xd[axes.InputBatch], xd[axes.InputChannels], xd[axes.InputSpatial[0]], xd[axes.InputSpatial[1]] = n, cin, h, w
		kd := make([]int, 4)
		kd[axes.KernelInputChannels], kd[axes.KernelOutputChannels], kd[axes.KernelSpatial[0]], kd[axes.KernelSpatial[1]] = cin, o, kh, kw
		x, k := randTensor(r, xd...), randTensor(r, kd...)
		if iter%5 == 0 {
			x.MutableFlatData(func(flat any) { flat.([]float32)[r.IntN(x.Size())] = float32(math.NaN()) })
		}
		fn := func(x, k *graph.Node) *graph.Node {
			return graph.ConvGeneral(x, k, axes, strides, pads, inDil, dil, 1, 1)
		}
		compare(t, fmt.Sprintf("conv %d x%v k%v axes %+v s%v d%v id%v p%v", iter, xd, kd, axes, strides, dil, inDil, pads), "ConvGeneral", fn, x, k)
		iter++
	}
}

func TestDepthwise(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	nhwc := backends.ConvolveAxesConfig{InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2}}
	for iter := 0; iter < 40; {
		n, h, w, c := 1+r.IntN(3), 1+r.IntN(9), 1+r.IntN(9), []int{1, 8, 13, 16, 32, 40}[r.IntN(6)]
		kh, kw := 1+r.IntN(3), 1+r.IntN(3)
		strides := []int{1 + r.IntN(2), 1 + r.IntN(2)}
		dil := []int{1 + r.IntN(2), 1 + r.IntN(2)}
		inDil := []int{1 + r.IntN(2), 1 + r.IntN(2)}
		pads := [][2]int{{r.IntN(3), r.IntN(3)}, {r.IntN(3), r.IntN(3)}}
		if outDim(h, kh, strides[0], dil[0], inDil[0], pads[0][0], pads[0][1]) == 0 ||
			outDim(w, kw, strides[1], dil[1], inDil[1], pads[1][0], pads[1][1]) == 0 {
			continue
		}
		x, k := randTensor(r, n, h, w, c), randTensor(r, kh, kw, 1, c)
		fn := func(x, k *graph.Node) *graph.Node {
			return graph.ConvGeneral(x, k, nhwc, strides, pads, inDil, dil, c, 1)
		}
		op := "DepthwiseConv"
		if c == 1 {
			op = "ConvGeneral" // one group: an ordinary convolution
		}
		compare(t, fmt.Sprintf("depthwise %d", iter), op, fn, x, k)
		iter++
	}
}

// TestDepthwiseFilterGrad checks the batch-grouped form against a naive
// loop (simplego's own batch-group convolution disagrees with XLA's
// semantics, so it is no reference here).
func TestDepthwiseFilterGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	axes := backends.ConvolveAxesConfig{InputBatch: 3, InputChannels: 0, InputSpatial: []int{1, 2},
		KernelInputChannels: 0, KernelOutputChannels: 3, KernelSpatial: []int{1, 2},
		OutputBatch: 2, OutputChannels: 3, OutputSpatial: []int{0, 1}}
	for _, set := range testSets(t) {
		for iter := 0; iter < 30; {
			n, h, w, c := 1+r.IntN(3), 2+r.IntN(9), 2+r.IntN(9), []int{1, 8, 13, 16, 40}[r.IntN(5)]
			kh, kw, s, d := 1+r.IntN(3), 1+r.IntN(3), 1+r.IntN(2), 1+r.IntN(2)
			pt, pl := r.IntN(2), r.IntN(2)
			oh, ow := outDim(h, kh, s, d, 1, pt, r.IntN(2)), outDim(w, kw, s, d, 1, pl, r.IntN(2))
			if oh == 0 || ow == 0 {
				continue
			}
			iter++
			x, dy := randTensor(r, n, h, w, c), randTensor(r, n, oh, ow, c)
			// Padding after, so that the output's spatial size is the kernel's.
			ph := [2]int{pt, (kh-1)*d + (oh-1)*s + 1 - h - pt}
			pw := [2]int{pl, (kw-1)*d + (ow-1)*s + 1 - w - pl}
			if ph[1] < 0 || pw[1] < 0 {
				continue
			}
			fn := func(x, dy *graph.Node) *graph.Node {
				return graph.ConvGeneral(x, dy, axes, []int{d, d}, [][2]int{ph, pw}, nil, []int{s, s}, 1, c)
			}
			SetLevel(set)
			exec, err := graph.NewExec(testBackend, fn)
			if err != nil {
				t.Fatal(err)
			}
			outs, err := exec.Exec(x, dy)
			SetLevel(nil)
			if err != nil {
				t.Fatal(err)
			}
			got := flat(t, outs[0])
			xs, dys := flat(t, x), flat(t, dy)
			for i := range kh {
				for j := range kw {
					for ch := range c {
						sum, abs := 0.0, 0.0
						for b := range n {
							for oy := range oh {
								for ox := range ow {
									y, xx := oy*s+i*d-pt, ox*s+j*d-pl
									if y < 0 || xx < 0 || y >= h || xx >= w {
										continue
									}
									p := float64(xs[((b*h+y)*w+xx)*c+ch]) * float64(dys[((b*oh+oy)*ow+ox)*c+ch])
									sum += p
									abs += math.Abs(p)
								}
							}
						}
						if g := float64(got[(i*kw+j)*c+ch]); math.Abs(g-sum) > 1e-5*(abs+1) {
							t.Fatalf("%s iter %d: df[%d,%d,%d] = %g, want %g", set.Level(), iter, i, j, ch, g, sum)
						}
					}
				}
			}
		}
	}
}

func TestBinary(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	ops := map[string]func(a, b *graph.Node) *graph.Node{
		"Add": graph.Add, "Sub": graph.Sub, "Mul": graph.Mul, "Div": graph.Div, "Max": graph.Max, "Min": graph.Min,
	}
	pairs := [][2][]int{
		{{4, 5, 6, 19}, {4, 5, 6, 19}}, {{4, 5, 6, 19}, {1, 1, 1, 19}}, {{1, 1, 1, 19}, {4, 5, 6, 19}},
		{{4, 5, 6, 19}, {4, 1, 1, 1}}, {{4, 1, 1, 1}, {4, 5, 6, 19}}, {{4, 5, 6, 19}, {1, 5, 6, 19}},
		{{1, 6, 5, 19}, {1, 1, 1, 19}}, {{1, 6, 5, 19}, {1, 6, 5, 1}}, {{1, 6, 5, 19}, {1, 1, 5, 19}},
		{{300, 301}, {300, 301}}, // large: split across goroutines
	}
	for name, op := range ops {
		for _, p := range pairs {
			a, b := randTensor(r, p[0]...), randTensor(r, p[1]...)
			a.MutableFlatData(func(flat any) { flat.([]float32)[1] = float32(math.NaN()) })
			b.MutableFlatData(func(flat any) { flat.([]float32)[0] = float32(math.Inf(-1)) })
			compare(t, fmt.Sprintf("%s %v %v", name, p[0], p[1]), name, op, a, b)
		}
		// Scalars.
		a := randTensor(r, 3, 50)
		compare(t, name+" scalar", name, func(x *graph.Node) *graph.Node { return op(x, graph.Const(x.Graph(), float32(0.25))) }, a)
		compare(t, name+" scalar first", name, func(x *graph.Node) *graph.Node { return op(graph.Const(x.Graph(), float32(0.25)), x) }, a)
	}
}

func TestReduceWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for iter := range 30 {
		n, h, w, c := 1+r.IntN(2), 1+r.IntN(9), 1+r.IntN(9), 1+r.IntN(20)
		kh, kw, sh, sw := 1+r.IntN(3), 1+r.IntN(3), 1+r.IntN(2), 1+r.IntN(2)
		pads := [][2]int{{0, 0}, {r.IntN(kh), r.IntN(kh)}, {r.IntN(kw), r.IntN(kw)}, {0, 0}}
		if h+pads[1][0]+pads[1][1] < kh || w+pads[2][0]+pads[2][1] < kw {
			continue
		}
		x := randTensor(r, n, h, w, c)
		for _, red := range []backends.ReduceOpType{backends.ReduceOpMax, backends.ReduceOpSum} {
			fn := func(x *graph.Node) *graph.Node {
				return graph.BackendReduceWindow(x, red, []int{1, kh, kw, 1}, []int{1, sh, sw, 1}, nil, nil, pads)
			}
			compare(t, fmt.Sprintf("reduce window %d %s", iter, red), "ReduceWindow", fn, x)
		}
	}
}

// TestPackCache checks that a constant weight is packed once per
// executable and reused, and that results stay right.
func TestPackCache(t *testing.T) {
	sets := testSets(t)
	r := rand.New(rand.NewPCG(7, 7))
	wt := randTensor(r, 64, 48)
	x := randTensor(r, 10, 64)
	SetLevel(sets[0])
	defer SetLevel(nil)
	exec, err := graph.NewExec(testBackend, func(x *graph.Node) *graph.Node { return graph.Dot(x, graph.ConstTensor(x.Graph(), wt)) })
	if err != nil {
		t.Fatal(err)
	}
	h0, m0 := CacheStats()
	var first []float32
	for i := range 3 {
		outs, err := exec.Exec(x)
		if err != nil {
			t.Fatal(err)
		}
		got := flat(t, outs[0])
		if i == 0 {
			first = got
		} else {
			for j := range got {
				if got[j] != first[j] {
					t.Fatalf("call %d differs from call 0 at %d", i, j)
				}
			}
		}
	}
	h1, m1 := CacheStats()
	if m1-m0 != 1 || h1-h0 != 2 {
		t.Fatalf("cache: %d misses and %d hits over 3 calls, want 1 and 2", m1-m0, h1-h0)
	}
}

func flat(t *testing.T, x *tensors.Tensor) []float32 {
	t.Helper()
	f, err := tensors.CopyFlatData[float32](x)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSign(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	x := randTensor(r, 7, 301)
	x.MutableFlatData(func(flat any) {
		f := flat.([]float32)
		f[0], f[1], f[2], f[3] = 0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(-1))
	})
	compare(t, "sign", "Sign", func(x *graph.Node) *graph.Node { return graph.Sign(x) }, x)
	compare(t, "non-negative indicator", "Sign", func(x *graph.Node) *graph.Node { return graph.NonNegativeIndicator(x) }, x)
}
