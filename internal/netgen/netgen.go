// Package netgen writes GraphDefs shaped like well-known networks (MobileNet
// v1, Inception v3) with random weights, for graphrun's benchmarks, GPU
// checks and `gotl bench`: the published architectures and op sets (including TF1's
// BatchNormWithGlobalNormalization for Inception and FusedBatchNorm + Relu6
// for MobileNet), without downloading any model.
package netgen

import (
	"fmt"
	"math"
	"math/rand/v2"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gotl/gotl/helpers/tensor"
)

type builder struct {
	def *graphpb.GraphDef
	r   *rand.Rand
}

func ints(v ...int64) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_List{List: &attrpb.AttrValue_ListValue{I: v}}}
}
func str(s string) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_S{S: []byte(s)}}
}
func flt(f float32) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_F{F: f}}
}
func boolean(b bool) *attrpb.AttrValue { return &attrpb.AttrValue{Value: &attrpb.AttrValue_B{B: b}} }
func dtype(d tensor.DType) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_Type{Type: d}}
}

func (b *builder) node(name, op string, inputs []string, attrs map[string]*attrpb.AttrValue) string {
	if attrs == nil {
		attrs = map[string]*attrpb.AttrValue{}
	}
	if _, ok := attrs["T"]; !ok && op != "Const" && op != "Placeholder" {
		attrs["T"] = dtype(tensor.Float)
	}
	b.def.Node = append(b.def.Node, &nodepb.NodeDef{Name: name, Op: op, Input: inputs, Attr: attrs})
	return name
}

func (b *builder) constT(name string, t *tensor.Tensor) string {
	return b.node(name, "Const", nil, map[string]*attrpb.AttrValue{
		"dtype": dtype(t.DType), "value": {Value: &attrpb.AttrValue_Tensor{Tensor: t.ToProto()}}})
}

// weights returns a float Const of the given shape, uniform in ±scale.
func (b *builder) weights(name string, scale float64, shape ...int64) string {
	v := make([]float32, tensor.NumElements(shape))
	for i := range v {
		v[i] = float32((b.r.Float64()*2 - 1) * scale)
	}
	t, _ := tensor.FromFloat32s(shape, v)
	return b.constT(name, t)
}

func (b *builder) intConst(name string, v ...int32) string {
	t, _ := tensor.FromInt32s([]int64{int64(len(v))}, v)
	return b.constT(name, t)
}

func (b *builder) placeholder(name string, shape ...int64) string {
	return b.node(name, "Placeholder", nil, map[string]*attrpb.AttrValue{
		"dtype": dtype(tensor.Float), "shape": {Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto(shape)}}})
}

// MobileNetV1 returns MobileNet v1 with width multiplier alpha for size×size
// RGB input "input" and the softmax "MobilenetV1/Predictions/Softmax" over
// 1001 classes; convolutions use FusedBatchNorm (inference) and Relu6 as in
// Keras/TF2 frozen graphs.
func MobileNetV1(alpha float64, size int, seed uint64) *graphpb.GraphDef {
	b := &builder{def: &graphpb.GraphDef{}, r: rand.New(rand.NewPCG(seed, 1))}
	x := b.placeholder("input", -1, int64(size), int64(size), 3)
	ch := func(c int) int64 { return int64(math.Max(8, float64(int(float64(c)*alpha)))) }
	bnRelu6 := func(scope, in string, c int64) string {
		bn := b.node(scope+"/BatchNorm", "FusedBatchNorm", []string{in,
			b.weights(scope+"/gamma", 0.2, c), b.weights(scope+"/beta", 0.1, c),
			b.weights(scope+"/moving_mean", 0.1, c), b.weights(scope+"/moving_variance", 0.1, c)},
			map[string]*attrpb.AttrValue{"epsilon": flt(0.001), "is_training": boolean(false), "data_format": str("NHWC")})
		return b.node(scope+"/Relu6", "Relu6", []string{bn}, nil)
	}
	in, cin := x, int64(3)
	c0 := ch(32)
	conv := b.node("MobilenetV1/Conv2d_0/Conv2D", "Conv2D", []string{in, b.weights("MobilenetV1/Conv2d_0/weights", math.Sqrt(6/float64(9*cin)), 3, 3, cin, c0)},
		map[string]*attrpb.AttrValue{"strides": ints(1, 2, 2, 1), "padding": str("SAME")})
	in, cin = bnRelu6("MobilenetV1/Conv2d_0", conv, c0), c0
	blocks := []struct{ stride, out int }{{1, 64}, {2, 128}, {1, 128}, {2, 256}, {1, 256}, {2, 512},
		{1, 512}, {1, 512}, {1, 512}, {1, 512}, {1, 512}, {2, 1024}, {1, 1024}}
	for i, bl := range blocks {
		s := fmt.Sprintf("MobilenetV1/Conv2d_%d", i+1)
		dw := b.node(s+"_depthwise/depthwise", "DepthwiseConv2dNative", []string{in, b.weights(s+"_depthwise/depthwise_weights", math.Sqrt(6.0/9), 3, 3, cin, 1)},
			map[string]*attrpb.AttrValue{"strides": ints(1, int64(bl.stride), int64(bl.stride), 1), "padding": str("SAME")})
		in = bnRelu6(s+"_depthwise", dw, cin)
		co := ch(bl.out)
		pw := b.node(s+"_pointwise/Conv2D", "Conv2D", []string{in, b.weights(s+"_pointwise/weights", math.Sqrt(6/float64(cin)), 1, 1, cin, co)},
			map[string]*attrpb.AttrValue{"strides": ints(1, 1, 1, 1), "padding": str("SAME")})
		in, cin = bnRelu6(s+"_pointwise", pw, co), co
	}
	k := int64(size / 32)
	pool := b.node("MobilenetV1/Logits/AvgPool_1a/AvgPool", "AvgPool", []string{in},
		map[string]*attrpb.AttrValue{"ksize": ints(1, k, k, 1), "strides": ints(1, 2, 2, 1), "padding": str("VALID")})
	logits := b.node("MobilenetV1/Logits/Conv2d_1c_1x1/Conv2D", "Conv2D", []string{pool, b.weights("MobilenetV1/Logits/Conv2d_1c_1x1/weights", math.Sqrt(6/float64(cin)), 1, 1, cin, 1001)},
		map[string]*attrpb.AttrValue{"strides": ints(1, 1, 1, 1), "padding": str("SAME")})
	logits = b.node("MobilenetV1/Logits/Conv2d_1c_1x1/BiasAdd", "BiasAdd", []string{logits, b.weights("MobilenetV1/Logits/Conv2d_1c_1x1/biases", 0.1, 1001)}, nil)
	sq := b.node("MobilenetV1/Logits/SpatialSqueeze", "Squeeze", []string{logits}, map[string]*attrpb.AttrValue{"squeeze_dims": ints(1, 2)})
	b.node("MobilenetV1/Predictions/Softmax", "Softmax", []string{sq}, nil)
	b.fixVariances()
	return b.def
}

// fixVariances makes every moving_variance / variance Const positive.
func (b *builder) fixVariances() {
	for _, n := range b.def.Node {
		if n.Op != "Const" || !(hasSuffix(n.Name, "moving_variance") || hasSuffix(n.Name, "/variance")) {
			continue
		}
		t, _ := tensor.FromProto(n.Attr["value"].GetTensor())
		v, _ := t.Float32s()
		for i := range v {
			v[i] = 0.5 + float32(math.Abs(float64(v[i])))
		}
		t2, _ := tensor.FromFloat32s(t.Shape, v)
		n.Attr["value"] = &attrpb.AttrValue{Value: &attrpb.AttrValue_Tensor{Tensor: t2.ToProto()}}
	}
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// InceptionV3 returns Inception v3 for 299×299 input "input" (already
// scaled) with softmax "softmax" over 1008 classes, built like Google's
// classify_image_graph_def.pb: Conv2D + BatchNormWithGlobalNormalization +
// Relu, MaxPool, AvgPool, ConcatV2, Reshape, MatMul, BiasAdd, Softmax.
func InceptionV3(seed uint64) *graphpb.GraphDef {
	b := &builder{def: &graphpb.GraphDef{}, r: rand.New(rand.NewPCG(seed, 2))}
	type t4 struct {
		name string
		c    int64
	}
	n := 0
	conv := func(in t4, kh, kw, cout, stride int64, pad string) t4 {
		n++
		s := fmt.Sprintf("conv%d", n)
		c := b.node(s+"/Conv2D", "Conv2D", []string{in.name, b.weights(s+"/weights", math.Sqrt(6/float64(kh*kw*in.c)), kh, kw, in.c, cout)},
			map[string]*attrpb.AttrValue{"strides": ints(1, stride, stride, 1), "padding": str(pad)})
		bn := b.node(s+"/batchnorm", "BatchNormWithGlobalNormalization", []string{c,
			b.weights(s+"/moving_mean", 0.1, cout), b.weights(s+"/variance", 0.1, cout),
			b.weights(s+"/beta", 0.1, cout), b.weights(s+"/gamma", 0.2, cout)},
			map[string]*attrpb.AttrValue{"variance_epsilon": flt(0.001), "scale_after_normalization": boolean(false)})
		return t4{b.node(s+"/Relu", "Relu", []string{bn}, nil), cout}
	}
	pool := func(op string, in t4, k, stride int64, pad string) t4 {
		n++
		return t4{b.node(fmt.Sprintf("pool%d", n), op, []string{in.name},
			map[string]*attrpb.AttrValue{"ksize": ints(1, k, k, 1), "strides": ints(1, stride, stride, 1), "padding": str(pad)}), in.c}
	}
	axis := b.intConst("concat_axis", 3)
	concat := func(parts ...t4) t4 {
		n++
		var names []string
		c := int64(0)
		for _, p := range parts {
			names = append(names, p.name)
			c += p.c
		}
		return t4{b.node(fmt.Sprintf("mixed%d", n), "ConcatV2", append(names, axis),
			map[string]*attrpb.AttrValue{"N": {Value: &attrpb.AttrValue_I{I: int64(len(parts))}}, "Tidx": dtype(tensor.Int32)}), c}
	}
	x := t4{b.placeholder("input", -1, 299, 299, 3), 3}
	x = conv(x, 3, 3, 32, 2, "VALID")
	x = conv(x, 3, 3, 32, 1, "VALID")
	x = conv(x, 3, 3, 64, 1, "SAME")
	x = pool("MaxPool", x, 3, 2, "VALID")
	x = conv(x, 1, 1, 80, 1, "VALID")
	x = conv(x, 3, 3, 192, 1, "VALID")
	x = pool("MaxPool", x, 3, 2, "VALID")
	for _, poolC := range []int64{32, 64, 64} {
		b1 := conv(x, 1, 1, 64, 1, "SAME")
		b2 := conv(conv(x, 1, 1, 48, 1, "SAME"), 5, 5, 64, 1, "SAME")
		b3 := conv(conv(conv(x, 1, 1, 64, 1, "SAME"), 3, 3, 96, 1, "SAME"), 3, 3, 96, 1, "SAME")
		b4 := conv(pool("AvgPool", x, 3, 1, "SAME"), 1, 1, poolC, 1, "SAME")
		x = concat(b1, b2, b3, b4)
	}
	{
		b1 := conv(x, 3, 3, 384, 2, "VALID")
		b2 := conv(conv(conv(x, 1, 1, 64, 1, "SAME"), 3, 3, 96, 1, "SAME"), 3, 3, 96, 2, "VALID")
		x = concat(b1, b2, pool("MaxPool", x, 3, 2, "VALID"))
	}
	for _, c7 := range []int64{128, 160, 160, 192} {
		b1 := conv(x, 1, 1, 192, 1, "SAME")
		b2 := conv(conv(conv(x, 1, 1, c7, 1, "SAME"), 1, 7, c7, 1, "SAME"), 7, 1, 192, 1, "SAME")
		b3 := conv(x, 1, 1, c7, 1, "SAME")
		b3 = conv(conv(conv(conv(b3, 7, 1, c7, 1, "SAME"), 1, 7, c7, 1, "SAME"), 7, 1, c7, 1, "SAME"), 1, 7, 192, 1, "SAME")
		b4 := conv(pool("AvgPool", x, 3, 1, "SAME"), 1, 1, 192, 1, "SAME")
		x = concat(b1, b2, b3, b4)
	}
	{
		b1 := conv(conv(x, 1, 1, 192, 1, "SAME"), 3, 3, 320, 2, "VALID")
		b2 := conv(conv(conv(conv(x, 1, 1, 192, 1, "SAME"), 1, 7, 192, 1, "SAME"), 7, 1, 192, 1, "SAME"), 3, 3, 192, 2, "VALID")
		x = concat(b1, b2, pool("MaxPool", x, 3, 2, "VALID"))
	}
	for range 2 {
		b1 := conv(x, 1, 1, 320, 1, "SAME")
		b2 := conv(x, 1, 1, 384, 1, "SAME")
		b2 = concat(conv(b2, 1, 3, 384, 1, "SAME"), conv(b2, 3, 1, 384, 1, "SAME"))
		b3 := conv(conv(x, 1, 1, 448, 1, "SAME"), 3, 3, 384, 1, "SAME")
		b3 = concat(conv(b3, 1, 3, 384, 1, "SAME"), conv(b3, 3, 1, 384, 1, "SAME"))
		b4 := conv(pool("AvgPool", x, 3, 1, "SAME"), 1, 1, 192, 1, "SAME")
		x = concat(b1, b2, b3, b4)
	}
	x = pool("AvgPool", x, 8, 1, "VALID")
	flat := b.node("pool_3/_reshape", "Reshape", []string{x.name, b.intConst("pool_3/shape", -1, 2048)}, map[string]*attrpb.AttrValue{"Tshape": dtype(tensor.Int32)})
	mm := b.node("softmax/logits/MatMul", "MatMul", []string{flat, b.weights("softmax/weights", math.Sqrt(6.0/2048), 2048, 1008)}, nil)
	logits := b.node("softmax/logits", "BiasAdd", []string{mm, b.weights("softmax/biases", 0.1, 1008)}, nil)
	b.node("softmax", "Softmax", []string{logits}, nil)
	b.fixVariances()
	return b.def
}
