package compute

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// mobileNetV1 describes MobileNet v1 1.0/224: a 3x3/2 conv to 32 channels,
// then 13 depthwise-separable blocks (depthwise stride, pointwise outputs),
// global average pool and a 1001-way classifier. 0.569 G multiply-adds.
var mobileNetBlocks = []struct{ stride, out int }{
	{1, 64}, {2, 128}, {1, 128}, {2, 256}, {1, 256}, {2, 512},
	{1, 512}, {1, 512}, {1, 512}, {1, 512}, {1, 512}, {2, 1024}, {1, 1024},
}

// mobileNetWeights returns random weights (kernels and folded-BN biases)
// in the order mobileNet consumes them, and the network's multiply-adds.
func mobileNetWeights(r *rand.Rand) ([]*tensors.Tensor, float64) {
	var ws []*tensors.Tensor
	macs := 0.0
	add := func(scale float32, dims ...int) {
		n := 1
		for _, d := range dims {
			n *= d
		}
		data := randF32(r, n)
		for i := range data {
			data[i] *= scale
		}
		ws = append(ws, tensors.FromFlatDataAndDimensions(data, dims...))
	}
	size, c := 112, 32
	add(0.3, 3, 3, 3, 32)
	add(0.1, 32)
	macs += float64(size * size * 32 * 27)
	for _, blk := range mobileNetBlocks {
		size = (size + blk.stride - 1) / blk.stride
		add(0.3, 3, 3, c, 1)
		add(0.1, c)
		add(1/float32(c), 1, 1, c, blk.out)
		add(0.1, blk.out)
		macs += float64(size*size*c*9) + float64(size*size*c*blk.out)
		c = blk.out
	}
	add(1/float32(c), c, 1001)
	add(0.1, 1001)
	macs += float64(c * 1001)
	return ws, macs
}

// mobileNet builds the forward graph: x [N,224,224,3], then weights.
func mobileNet(x *graph.Node, w []*graph.Node) *graph.Node {
	must := func(n *graph.Node, err error) *graph.Node {
		if err != nil {
			panic(err)
		}
		return n
	}
	same := func(s int) ConvAttrs { return ConvAttrs{Strides: []int{1, s, s, 1}, Padding: "SAME"} }
	h := Relu6(must(BiasAdd(must(Conv2D(x, w[0], same(2))), w[1], "")))
	i := 2
	for _, blk := range mobileNetBlocks {
		h = Relu6(must(BiasAdd(must(DepthwiseConv2dNative(h, w[i], same(blk.stride))), w[i+1], "")))
		h = Relu6(must(BiasAdd(must(Conv2D(h, w[i+2], same(1))), w[i+3], "")))
		i += 4
	}
	pooled := must(AvgPool(h, PoolAttrs{Ksize: []int{1, 7, 7, 1}, Strides: []int{1, 2, 2, 1}, Padding: "VALID"}))
	flat := graph.Reshape(pooled, x.Shape().Dimensions[0], -1)
	return must(BiasAdd(must(MatMul(flat, w[i], false, false)), w[i+1], ""))
}

// BenchmarkMobileNetV1 runs the whole network (batch 1) forward, and
// forward+backward (gradients for every weight and the input, FLOPs
// counted as 3x forward), reporting images/s and GFLOP/s.
func BenchmarkMobileNetV1(b *testing.B) {
	r := rand.New(rand.NewPCG(4, 4))
	weights, macs := mobileNetWeights(r)
	img := tensors.FromFlatDataAndDimensions(randF32(r, 224*224*3), 1, 224, 224, 3)
	args := append([]any{img}, anySlice(weights)...)
	b.Run("fwd", func(b *testing.B) {
		exec, err := graph.NewExec(benchBackend(b), func(in []*graph.Node) *graph.Node { return mobileNet(in[0], in[1:]) })
		if err != nil {
			b.Fatal(err)
		}
		elapsed := timeExec(b, exec, 2*macs, args...)
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "images/s")
	})
	b.Run("fwd+bwd", func(b *testing.B) {
		exec, err := graph.NewExec(benchBackend(b), func(in []*graph.Node) []*graph.Node {
			return graph.Gradient(graph.ReduceAllSum(mobileNet(in[0], in[1:])), in...)
		})
		if err != nil {
			b.Fatal(err)
		}
		elapsed := timeExec(b, exec, 3*2*macs, args...)
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "images/s")
	})
}

func anySlice(ts []*tensors.Tensor) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}

// TestMobileNetShape keeps the benchmark's network honest: the published
// multiply-add count and the classifier shape.
func TestMobileNetShape(t *testing.T) {
	_, macs := mobileNetWeights(rand.New(rand.NewPCG(4, 4)))
	if macs < 0.568e9 || macs > 0.570e9 {
		t.Errorf("MobileNet v1 multiply-adds = %.4g, want 0.569e9", macs)
	}
}
