package compute

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

func TestSamePadding(t *testing.T) {
	for _, c := range []struct{ in, k, s, d, out, before, after int }{
		{4, 3, 2, 1, 2, 0, 1},  // odd total: the extra element goes after (bottom/right)
		{7, 3, 2, 1, 4, 1, 1},  // (4-1)*2+3-7 = 2
		{8, 3, 1, 1, 8, 1, 1},  // stride 1 keeps the size
		{5, 1, 2, 1, 3, 0, 0},  // 1x1 never pads
		{9, 3, 1, 2, 9, 2, 2},  // dilation 2: effective kernel 5
		{6, 2, 2, 1, 3, 0, 0},  // exact tiling
		{2, 5, 1, 1, 2, 2, 2},  // kernel larger than input
		{3, 4, 1, 1, 3, 1, 2},  // even kernel
		{1, 3, 3, 1, 1, 1, 1},  // single pixel
		{10, 3, 3, 1, 4, 1, 1}, // (4-1)*3+3-10 = 2
	} {
		out, b, a := SamePadding(c.in, c.k, c.s, c.d)
		if out != c.out || b != c.before || a != c.after {
			t.Errorf("SamePadding(in=%d,k=%d,s=%d,d=%d) = %d,%d,%d; want %d,%d,%d", c.in, c.k, c.s, c.d, out, b, a, c.out, c.before, c.after)
		}
	}
}

// The reference itself, on a case computed by hand: 3x3 ones convolved with
// a 3x3 ones kernel, SAME, counts the in-image neighbours.
func TestConvReferenceByHand(t *testing.T) {
	x, f := newArr(1, 3, 3, 1), newArr(3, 3, 1, 1)
	for i := range x.data {
		x.data[i] = 1
	}
	for i := range f.data {
		f.data[i] = 1
	}
	got := conv2DRef(x, f, geom{strides: [2]int{1, 1}, dilations: [2]int{1, 1}, padding: "SAME"})
	want := []float64{4, 6, 4, 6, 9, 6, 4, 6, 4}
	for i := range want {
		if got.data[i] != want[i] {
			t.Fatalf("reference conv = %v, want %v", got.data, want)
		}
	}
}

type convCase struct {
	n, h, w, c, kh, kw, o int
	g                     geom
}

func (c convCase) attrs(impl ConvImpl) ConvAttrs {
	a := ConvAttrs{
		Strides:   []int{1, c.g.strides[0], c.g.strides[1], 1},
		Dilations: []int{1, c.g.dilations[0], c.g.dilations[1], 1},
		Padding:   c.g.padding,
		Impl:      impl,
	}
	if c.g.padding == "EXPLICIT" {
		e := c.g.explicit
		a.ExplicitPaddings = []int{0, 0, e[0][0], e[0][1], e[1][0], e[1][1], 0, 0}
	}
	return a
}

func (c convCase) String() string {
	return fmt.Sprintf("%dx%dx%dx%d_k%dx%dx%d_s%v_d%v_%s", c.n, c.h, c.w, c.c, c.kh, c.kw, c.o, c.g.strides, c.g.dilations, c.g.padding)
}

func g2(s0, s1, d0, d1 int, padding string) geom {
	return geom{strides: [2]int{s0, s1}, dilations: [2]int{d0, d1}, padding: padding}
}

var convCases = []convCase{
	{2, 7, 6, 3, 3, 3, 4, g2(1, 1, 1, 1, "SAME")},
	{1, 7, 7, 2, 3, 3, 3, g2(2, 2, 1, 1, "SAME")}, // odd size, stride 2: asymmetric
	{1, 8, 5, 3, 3, 2, 2, g2(2, 1, 1, 1, "SAME")}, // even kernel width
	{1, 9, 9, 2, 3, 3, 2, g2(1, 1, 2, 2, "SAME")}, // dilated
	{2, 7, 6, 3, 1, 1, 4, g2(1, 1, 1, 1, "VALID")},
	{1, 9, 8, 2, 5, 3, 3, g2(2, 3, 1, 1, "VALID")},
	{1, 6, 7, 2, 1, 7, 2, g2(1, 1, 1, 1, "SAME")}, // Inception's 1x7
	{1, 7, 6, 2, 7, 1, 2, g2(1, 1, 1, 1, "SAME")}, // and 7x1
	{1, 5, 6, 2, 3, 3, 2, geom{strides: [2]int{2, 2}, dilations: [2]int{1, 1}, padding: "EXPLICIT", explicit: [2][2]int{{1, 2}, {0, 3}}}},
	{1, 5, 5, 2, 1, 1, 3, g2(2, 2, 1, 1, "SAME")}, // strided 1x1
}

func TestConv2DForward(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range convCases {
		x := randArr(r, c.n, c.h, c.w, c.c)
		f := randArr(r, c.kh, c.kw, c.c, c.o)
		want := conv2DRef(x, f, c.g)
		for _, impl := range []ConvImpl{ConvLowered, ConvNative} {
			got := run(t, b, func(in []*graph.Node) []*graph.Node {
				out, err := Conv2D(in[0], in[1], c.attrs(impl))
				if err != nil {
					t.Fatal(err)
				}
				return []*graph.Node{out}
			}, x, f)[0]
			assertClose(t, fmt.Sprintf("%v impl=%d", c, impl), got, want, 1e-12)
		}
	}
}

func TestConv2DNCHW(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(3, 4))
	c := convCases[1]
	x := randArr(r, c.n, c.h, c.w, c.c)
	f := randArr(r, c.kh, c.kw, c.c, c.o)
	want := conv2DRef(x, f, c.g)
	got := run(t, b, func(in []*graph.Node) []*graph.Node {
		a := c.attrs(ConvAuto)
		a.DataFormat = "NCHW"
		a.Strides = []int{1, 1, c.g.strides[0], c.g.strides[1]}
		a.Dilations = nil
		out, err := Conv2D(graph.TransposeAllAxes(in[0], 0, 3, 1, 2), in[1], a)
		if err != nil {
			t.Fatal(err)
		}
		return []*graph.Node{graph.TransposeAllAxes(out, 0, 2, 3, 1)}
	}, x, f)[0]
	assertClose(t, "NCHW", got, want, 1e-12)
}

func TestConv2DGradients(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []convCase{convCases[1], convCases[3], convCases[5], convCases[8], convCases[9]} {
		x := randArr(r, c.n, c.h, c.w, c.c)
		f := randArr(r, c.kh, c.kw, c.c, c.o)
		for _, impl := range []ConvImpl{ConvLowered, ConvNative} {
			checkGrad(t, fmt.Sprintf("Conv2D %v impl=%d", c, impl), b, op1(t, func(in []*graph.Node) (*graph.Node, error) {
				return Conv2D(in[0], in[1], c.attrs(impl))
			}), x, f)
		}
	}
}

var depthwiseCases = []convCase{
	{2, 7, 6, 3, 3, 3, 1, g2(1, 1, 1, 1, "SAME")},
	{1, 7, 7, 4, 3, 3, 1, g2(2, 2, 1, 1, "SAME")},
	{1, 8, 7, 2, 3, 3, 2, g2(2, 1, 1, 1, "SAME")}, // channel multiplier 2
	{1, 9, 8, 3, 3, 3, 3, g2(1, 2, 1, 1, "VALID")},
	{1, 9, 9, 2, 3, 3, 1, g2(1, 1, 2, 2, "SAME")},
}

func TestDepthwiseForward(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range depthwiseCases {
		x := randArr(r, c.n, c.h, c.w, c.c)
		f := randArr(r, c.kh, c.kw, c.c, c.o)
		want := depthwiseRef(x, f, c.g)
		for _, impl := range []ConvImpl{ConvLowered, ConvNative} {
			got := run(t, b, func(in []*graph.Node) []*graph.Node {
				return []*graph.Node{op1(t, func(in []*graph.Node) (*graph.Node, error) {
					return DepthwiseConv2dNative(in[0], in[1], c.attrs(impl))
				})(in)}
			}, x, f)[0]
			assertClose(t, fmt.Sprintf("depthwise %v impl=%d", c, impl), got, want, 1e-12)
		}
	}
}

func TestDepthwiseGradients(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(9, 10))
	for _, c := range depthwiseCases[1:4] {
		x := randArr(r, c.n, c.h, c.w, c.c)
		f := randArr(r, c.kh, c.kw, c.c, c.o)
		for _, impl := range []ConvImpl{ConvLowered, ConvNative} {
			checkGrad(t, fmt.Sprintf("depthwise %v impl=%d", c, impl), b, op1(t, func(in []*graph.Node) (*graph.Node, error) {
				return DepthwiseConv2dNative(in[0], in[1], c.attrs(impl))
			}), x, f)
		}
	}
}

type poolCase struct {
	n, h, w, c int
	k          [2]int
	g          geom
}

var poolCases = []poolCase{
	{2, 7, 7, 3, [2]int{3, 3}, g2(2, 2, 1, 1, "SAME")}, // asymmetric padding
	{1, 8, 8, 2, [2]int{3, 3}, g2(2, 2, 1, 1, "SAME")},
	{1, 8, 6, 2, [2]int{2, 2}, g2(2, 2, 1, 1, "VALID")},
	{1, 7, 6, 2, [2]int{3, 3}, g2(1, 1, 1, 1, "SAME")}, // Inception's 3x3/1 avg pool
	{1, 9, 9, 2, [2]int{3, 3}, g2(2, 2, 1, 1, "VALID")},
	{1, 5, 7, 1, [2]int{2, 3}, g2(1, 2, 1, 1, "SAME")},
}

func (c poolCase) attrs() PoolAttrs {
	return PoolAttrs{Ksize: []int{1, c.k[0], c.k[1], 1}, Strides: []int{1, c.g.strides[0], c.g.strides[1], 1}, Padding: c.g.padding}
}

func TestPoolForwardAndGradients(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range poolCases {
		x := randArr(r, c.n, c.h, c.w, c.c)
		for _, isMax := range []bool{true, false} {
			for _, impl := range []ConvImpl{ConvLowered, ConvNative} {
				pool := AvgPool
				if isMax {
					pool = MaxPool
				}
				name := fmt.Sprintf("pool max=%v impl=%d %dx%d k%v s%v %s", isMax, impl, c.h, c.w, c.k, c.g.strides, c.g.padding)
				attrs := c.attrs()
				attrs.Impl = impl
				fn := op1(t, func(in []*graph.Node) (*graph.Node, error) { return pool(in[0], attrs) })
				got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, x)[0]
				assertClose(t, name, got, poolRef(x, c.k, c.g, isMax), 1e-14)
				checkGrad(t, name, b, fn, x)
			}
		}
	}
}

func TestBiasAddAndBatchNorms(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(13, 14))
	x := randArr(r, 2, 3, 4, 5)
	vec := func() arr { return randArr(r, 5) }
	bias, mean, beta, gamma := vec(), vec(), vec(), vec()
	variance := vec()
	for i := range variance.data {
		variance.data[i] = variance.data[i]*variance.data[i] + 0.1
	}
	const eps = 1e-3
	want := newArr(x.dims...)
	wantBN := newArr(x.dims...)
	wantBNnoScale := newArr(x.dims...)
	for i, v := range x.data {
		ch := i % 5
		want.data[i] = v + bias.data[ch]
		norm := (v - mean.data[ch]) / sqrt(variance.data[ch]+eps)
		wantBN.data[i] = norm*gamma.data[ch] + beta.data[ch]
		wantBNnoScale.data[i] = norm + beta.data[ch]
	}
	bias4 := op1(t, func(in []*graph.Node) (*graph.Node, error) { return BiasAdd(in[0], in[1], "NHWC") })
	got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{bias4(in)} }, x, bias)[0]
	assertClose(t, "BiasAdd", got, want, 1e-14)
	checkGrad(t, "BiasAdd", b, bias4, x, bias)

	global := func(scale bool) func(in []*graph.Node) *graph.Node {
		return op1(t, func(in []*graph.Node) (*graph.Node, error) {
			return BatchNormWithGlobalNormalization(in[0], in[1], in[2], in[3], in[4], eps, scale)
		})
	}
	got = run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{global(true)(in)} }, x, mean, variance, beta, gamma)[0]
	assertClose(t, "BatchNormWithGlobalNormalization", got, wantBN, 1e-12)
	got = run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{global(false)(in)} }, x, mean, variance, beta, gamma)[0]
	assertClose(t, "BatchNormWithGlobalNormalization no scale", got, wantBNnoScale, 1e-12)
	checkGrad(t, "BatchNormWithGlobalNormalization", b, global(true), x, mean, variance, beta, gamma)

	fused := op1(t, func(in []*graph.Node) (*graph.Node, error) {
		return FusedBatchNormInference(in[0], in[1], in[2], in[3], in[4], eps, "")
	})
	got = run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fused(in)} }, x, gamma, beta, mean, variance)[0]
	assertClose(t, "FusedBatchNormInference", got, wantBN, 1e-12)
	checkGrad(t, "FusedBatchNormInference", b, fused, x, gamma, beta, mean, variance)

	// NCHW: channels on axis 1.
	xc := randArr(r, 2, 5, 3, 2)
	wantC := newArr(xc.dims...)
	for i, v := range xc.data {
		ch := (i / 6) % 5
		wantC.data[i] = (v-mean.data[ch])/sqrt(variance.data[ch]+eps)*gamma.data[ch] + beta.data[ch]
	}
	got = run(t, b, func(in []*graph.Node) []*graph.Node {
		return []*graph.Node{op1(t, func(in []*graph.Node) (*graph.Node, error) {
			return FusedBatchNormInference(in[0], in[1], in[2], in[3], in[4], eps, "NCHW")
		})(in)}
	}, xc, gamma, beta, mean, variance)[0]
	assertClose(t, "FusedBatchNormInference NCHW", got, wantC, 1e-12)
}

func sqrt(v float64) float64 { return mathSqrt(v) }

func TestFusedBatchNormTraining(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(15, 16))
	x := randArr(r, 2, 3, 2, 4)
	scale, offset := randArr(r, 4), randArr(r, 4)
	const eps = 1e-3
	mean, m2 := make([]float64, 4), make([]float64, 4)
	n := float64(len(x.data) / 4)
	for i, v := range x.data {
		mean[i%4] += v / n
	}
	for i, v := range x.data {
		m2[i%4] += (v - mean[i%4]) * (v - mean[i%4])
	}
	want := newArr(x.dims...)
	for i, v := range x.data {
		ch := i % 4
		want.data[i] = (v-mean[ch])/sqrt(m2[ch]/n+eps)*scale.data[ch] + offset.data[ch]
	}
	outs := run(t, b, func(in []*graph.Node) []*graph.Node {
		y, bm, bv, err := FusedBatchNormTraining(in[0], in[1], in[2], eps, "NHWC")
		if err != nil {
			t.Fatal(err)
		}
		return []*graph.Node{y, bm, bv}
	}, x, scale, offset)
	assertClose(t, "FusedBatchNormTraining y", outs[0], want, 1e-12)
	assertClose(t, "FusedBatchNormTraining mean", outs[1], arr{dims: []int{4}, data: mean}, 1e-12)
	bessel := make([]float64, 4)
	for i := range bessel {
		bessel[i] = m2[i] / (n - 1)
	}
	assertClose(t, "FusedBatchNormTraining variance", outs[2], arr{dims: []int{4}, data: bessel}, 1e-12)
	checkGrad(t, "FusedBatchNormTraining", b, func(in []*graph.Node) *graph.Node {
		y, _, _, err := FusedBatchNormTraining(in[0], in[1], in[2], eps, "NHWC")
		if err != nil {
			t.Fatal(err)
		}
		return y
	}, x, scale, offset)
}

func TestRelu6(t *testing.T) {
	b := testBackend(t)
	x := arr{dims: []int{8}, data: []float64{-3, -0.5, 0.25, 1, 5.5, 5.99, 6.5, 100}}
	want := arr{dims: []int{8}, data: []float64{0, 0, 0.25, 1, 5.5, 5.99, 6, 6}}
	got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{Relu6(in[0])} }, x)[0]
	assertClose(t, "Relu6", got, want, 0)
	grad := run(t, b, func(in []*graph.Node) []*graph.Node {
		return graph.Gradient(graph.ReduceAllSum(Relu6(in[0])), in[0])
	}, x)[0]
	assertClose(t, "Relu6 gradient", grad, arr{dims: []int{8}, data: []float64{0, 0, 1, 1, 1, 1, 0, 0}}, 0)
}

func TestMatMul(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(17, 18))
	a, bm := randArr(r, 3, 4), randArr(r, 4, 5)
	want := newArr(3, 5)
	for i := range 3 {
		for j := range 5 {
			for k := range 4 {
				want.data[i*5+j] += a.data[i*4+k] * bm.data[k*5+j]
			}
		}
	}
	transpose := func(x arr) arr {
		o := newArr(x.dims[1], x.dims[0])
		for i := range x.dims[0] {
			for j := range x.dims[1] {
				o.data[j*x.dims[0]+i] = x.data[i*x.dims[1]+j]
			}
		}
		return o
	}
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			ia, ib := a, bm
			if ta {
				ia = transpose(a)
			}
			if tb {
				ib = transpose(bm)
			}
			fn := op1(t, func(in []*graph.Node) (*graph.Node, error) { return MatMul(in[0], in[1], ta, tb) })
			name := fmt.Sprintf("MatMul ta=%v tb=%v", ta, tb)
			got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, ia, ib)[0]
			assertClose(t, name, got, want, 1e-14)
			checkGrad(t, name, b, fn, ia, ib)
		}
	}
}

func TestPadOp(t *testing.T) {
	b := testBackend(t)
	x := arr{dims: []int{2, 2}, data: []float64{1, 2, 3, 4}}
	fn := op1(t, func(in []*graph.Node) (*graph.Node, error) { return Pad(in[0], [][2]int{{1, 0}, {0, 2}}, 9) })
	got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, x)[0]
	want := arr{dims: []int{3, 4}, data: []float64{9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9}}
	assertClose(t, "Pad", got, want, 0)
	checkGrad(t, "Pad", b, fn, x)
}

func TestResizeBilinear(t *testing.T) {
	b := testBackend(t)
	r := rand.New(rand.NewPCG(19, 20))
	x := randArr(r, 2, 5, 4, 2)
	for _, size := range [][2]int{{9, 7}, {3, 2}, {5, 4}, {1, 1}, {8, 3}} {
		for _, mode := range [][2]bool{{false, false}, {true, false}, {false, true}} {
			name := fmt.Sprintf("ResizeBilinear %v align=%v half=%v", size, mode[0], mode[1])
			fn := op1(t, func(in []*graph.Node) (*graph.Node, error) {
				return ResizeBilinear(in[0], size[0], size[1], mode[0], mode[1])
			})
			got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, x)[0]
			assertClose(t, name, got, resizeBilinearRef(x, size[0], size[1], mode[0], mode[1]), 1e-13)
			if size == [2]int{9, 7} || size == [2]int{3, 2} {
				checkGrad(t, name, b, fn, x)
			}
		}
	}
}

func TestOpErrors(t *testing.T) {
	b := testBackend(t)
	g := graph.NewGraph(b, "errors")
	x := graph.Zeros(g, shapeF32(1, 5, 5, 2))
	f := graph.Zeros(g, shapeF32(3, 3, 3, 4))
	for _, c := range []struct {
		err  error
		want string
	}{
		{second(Conv2D(x, f, ConvAttrs{Padding: "SAME"})), "Conv2D: input has 2 channels"},
		{second(Conv2D(x, graph.Zeros(g, shapeF32(3, 3, 2, 4)), ConvAttrs{Padding: "FULL"})), `Conv2D: padding "FULL"`},
		{second(Conv2D(x, graph.Zeros(g, shapeF32(3, 3, 2, 4)), ConvAttrs{Padding: "SAME", Strides: []int{2, 1, 1, 1}})), "batch and channel entries must be 1"},
		{second(Conv2D(x, graph.Zeros(g, shapeF32(7, 7, 2, 4)), ConvAttrs{Padding: "VALID"})), "larger than input"},
		{second(Conv2D(x, graph.Zeros(g, shapeF32(3, 3, 2, 4)), ConvAttrs{Padding: "EXPLICIT", ExplicitPaddings: []int{1, 2}})), "explicit_paddings must have 8 values"},
		{second(DepthwiseConv2dNative(x, f, ConvAttrs{Padding: "SAME"})), "DepthwiseConv2dNative: input has 2 channels"},
		{second(MaxPool(x, PoolAttrs{Padding: "SAME"})), "ksize is required"},
		{second(AvgPool(x, PoolAttrs{Ksize: []int{1, 2, 2, 1}, Padding: "SAME", DataFormat: "NCDHW"})), "data_format"},
		{second(BiasAdd(x, graph.Zeros(g, shapeF32(3)), "NHWC")), "bias"},
		{second(MatMul(graph.Zeros(g, shapeF32(2, 3)), graph.Zeros(g, shapeF32(2, 3)), false, false)), "inner dimensions differ"},
		{second(ResizeBilinear(x, 4, 4, true, true)), "cannot both be true"},
		{second(Pad(x, [][2]int{{0, 0}}, 0)), "1 paddings"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) || !strings.HasPrefix(c.err.Error(), "compute: ") {
			t.Errorf("error %v, want one containing %q", c.err, c.want)
		}
	}
}

func second(_ *graph.Node, err error) error { return err }

// Ties (common after ReLU: all-zero windows) send the gradient to the first
// maximum in row-major window order only, as TF's MaxPoolGrad does, for both
// implementations; negative inputs never lose to SAME padding.
func TestMaxPoolTies(t *testing.T) {
	b := testBackend(t)
	x := arr{dims: []int{1, 2, 4, 1}, data: []float64{0, 0, -1, 2, 0, 0, 2, 2}}
	y := arr{dims: []int{1, 3, 3, 1}, data: []float64{-5, -4, -6, -3, -9, -9, -9, -9, -2}}
	for _, impl := range []ConvImpl{ConvLowered, ConvNative} {
		got := run(t, b, func(in []*graph.Node) []*graph.Node {
			p, err := MaxPool(in[0], PoolAttrs{Ksize: []int{1, 2, 2, 1}, Strides: []int{1, 2, 2, 1}, Padding: "VALID", Impl: impl})
			if err != nil {
				t.Fatal(err)
			}
			return graph.Gradient(graph.ReduceAllSum(p), in[0])
		}, x)[0]
		assertClose(t, fmt.Sprintf("MaxPool ties impl=%d", impl), got, arr{dims: x.dims, data: []float64{1, 0, 0, 1, 0, 0, 0, 0}}, 0)
		got = run(t, b, func(in []*graph.Node) []*graph.Node {
			p, err := MaxPool(in[0], PoolAttrs{Ksize: []int{1, 3, 3, 1}, Strides: []int{1, 2, 2, 1}, Padding: "SAME", Impl: impl})
			if err != nil {
				t.Fatal(err)
			}
			return []*graph.Node{p}
		}, y)[0]
		assertClose(t, fmt.Sprintf("MaxPool negative SAME impl=%d", impl), got, arr{dims: []int{1, 2, 2, 1}, data: []float64{-3, -4, -3, -2}}, 0)
	}
}
