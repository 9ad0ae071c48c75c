package bottleneck

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	tfpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_go_proto"
	versionspb "github.com/galeone/tensorflow/tensorflow/go/core/framework/versions_go_proto"

	"github.com/gotl/gotl/helpers/tensor"
)

// ConvNetOptions configures RandomConvNet.
type ConvNetOptions struct {
	Height, Width int    // input size; default 32×32
	Channels      []int  // output channels of each 3×3 stride-2 conv; default [16, 32]
	Classes       int    // outputs of the original classifier head; default 10
	Seed          uint64 // weights are drawn from it
}

// Tensor names in a RandomConvNet graph.
const (
	ConvNetInput      = "input:0"
	ConvNetBottleneck = "pool/Mean:0"
	ConvNetOutput     = "softmax:0"
)

// RandomConvNet builds a small frozen TensorFlow GraphDef with random (He
// normal) weights, shaped like the classic image classifiers:
//
//	input [N,H,W,3] → (conv_k/Conv2D 3×3 stride 2 SAME → BiasAdd → Relu)×k
//	→ pool/Mean over H,W (the bottleneck, [N, C]) → logits/MatMul → BiasAdd → softmax
//
// A random network is a fair feature extractor for coloured synthetic
// images, so tests and offline tutorials use it where Inception v3 would be
// used online.
func RandomConvNet(opts ConvNetOptions) (*graphpb.GraphDef, error) {
	if opts.Height == 0 {
		opts.Height = 32
	}
	if opts.Width == 0 {
		opts.Width = 32
	}
	if len(opts.Channels) == 0 {
		opts.Channels = []int{16, 32}
	}
	if opts.Classes == 0 {
		opts.Classes = 10
	}
	if opts.Height < 1 || opts.Width < 1 || opts.Classes < 1 {
		return nil, fmt.Errorf("bottleneck: bad conv net size %dx%d, %d classes", opts.Height, opts.Width, opts.Classes)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0xc0de))
	floatT := &attrpb.AttrValue{Value: &attrpb.AttrValue_Type{Type: tensor.Float}}
	ints := func(v ...int64) *attrpb.AttrValue {
		return &attrpb.AttrValue{Value: &attrpb.AttrValue_List{List: &attrpb.AttrValue_ListValue{I: v}}}
	}
	str := func(s string) *attrpb.AttrValue { return &attrpb.AttrValue{Value: &attrpb.AttrValue_S{S: []byte(s)}} }
	def := &graphpb.GraphDef{Versions: &versionspb.VersionDef{Producer: 27}}
	add := func(n *nodepb.NodeDef) { def.Node = append(def.Node, n) }
	constant := func(name string, dt tensor.DType, shape []int64, content []byte) {
		add(&nodepb.NodeDef{Name: name, Op: "Const", Attr: map[string]*attrpb.AttrValue{
			"dtype": {Value: &attrpb.AttrValue_Type{Type: dt}},
			"value": {Value: &attrpb.AttrValue_Tensor{Tensor: &tfpb.TensorProto{Dtype: dt, TensorShape: tensor.ShapeToProto(shape), TensorContent: content}}},
		}})
	}
	randn := func(n int, std float64) []byte {
		b := make([]byte, 4*n)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(std*rng.NormFloat64())))
		}
		return b
	}
	add(&nodepb.NodeDef{Name: "input", Op: "Placeholder", Attr: map[string]*attrpb.AttrValue{
		"dtype": floatT,
		"shape": {Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto([]int64{-1, int64(opts.Height), int64(opts.Width), 3})}},
	}})
	prev, inC := "input", 3
	for k, c := range opts.Channels {
		p := fmt.Sprintf("conv_%d", k+1)
		constant(p+"/weights", tensor.Float, []int64{3, 3, int64(inC), int64(c)}, randn(9*inC*c, math.Sqrt(2/float64(9*inC))))
		constant(p+"/biases", tensor.Float, []int64{int64(c)}, randn(c, 0.1))
		add(&nodepb.NodeDef{Name: p + "/Conv2D", Op: "Conv2D", Input: []string{prev, p + "/weights"}, Attr: map[string]*attrpb.AttrValue{
			"T": floatT, "strides": ints(1, 2, 2, 1), "padding": str("SAME"), "data_format": str("NHWC"),
			"dilations": ints(1, 1, 1, 1), "use_cudnn_on_gpu": {Value: &attrpb.AttrValue_B{B: true}},
		}})
		add(&nodepb.NodeDef{Name: p + "/BiasAdd", Op: "BiasAdd", Input: []string{p + "/Conv2D", p + "/biases"}, Attr: map[string]*attrpb.AttrValue{"T": floatT, "data_format": str("NHWC")}})
		add(&nodepb.NodeDef{Name: p + "/Relu", Op: "Relu", Input: []string{p + "/BiasAdd"}, Attr: map[string]*attrpb.AttrValue{"T": floatT}})
		prev, inC = p+"/Relu", c
	}
	axes := make([]byte, 8)
	binary.LittleEndian.PutUint32(axes, 1)
	binary.LittleEndian.PutUint32(axes[4:], 2)
	constant("pool/reduction_indices", tensor.Int32, []int64{2}, axes)
	add(&nodepb.NodeDef{Name: "pool/Mean", Op: "Mean", Input: []string{prev, "pool/reduction_indices"}, Attr: map[string]*attrpb.AttrValue{
		"T": floatT, "Tidx": {Value: &attrpb.AttrValue_Type{Type: tensor.Int32}}, "keep_dims": {Value: &attrpb.AttrValue_B{B: false}},
	}})
	constant("logits/weights", tensor.Float, []int64{int64(inC), int64(opts.Classes)}, randn(inC*opts.Classes, math.Sqrt(1/float64(inC))))
	constant("logits/biases", tensor.Float, []int64{int64(opts.Classes)}, randn(opts.Classes, 0))
	add(&nodepb.NodeDef{Name: "logits/MatMul", Op: "MatMul", Input: []string{"pool/Mean", "logits/weights"}, Attr: map[string]*attrpb.AttrValue{
		"T": floatT, "transpose_a": {Value: &attrpb.AttrValue_B{}}, "transpose_b": {Value: &attrpb.AttrValue_B{}},
	}})
	add(&nodepb.NodeDef{Name: "logits/BiasAdd", Op: "BiasAdd", Input: []string{"logits/MatMul", "logits/biases"}, Attr: map[string]*attrpb.AttrValue{"T": floatT, "data_format": str("NHWC")}})
	add(&nodepb.NodeDef{Name: "softmax", Op: "Softmax", Input: []string{"logits/BiasAdd"}, Attr: map[string]*attrpb.AttrValue{"T": floatT}})
	return def, nil
}

// RandomConvNetVariables is RandomConvNet as a TF1 training graph would
// store it: every weight is a VariableV2 node (with its X/read Identity that
// the ops consume), and the values come separately, keyed by variable name,
// ready for checkpoint.Write. graphfile.Freeze turns the pair back into
// RandomConvNet's frozen graph.
func RandomConvNetVariables(opts ConvNetOptions) (*graphpb.GraphDef, map[string]*tensor.Tensor, error) {
	frozen, err := RandomConvNet(opts)
	if err != nil {
		return nil, nil, err
	}
	values := map[string]*tensor.Tensor{}
	out := &graphpb.GraphDef{Versions: frozen.Versions}
	for _, n := range frozen.Node {
		t := n.Attr["value"].GetTensor()
		if n.Op != "Const" || t.GetDtype() != tensor.Float {
			out.Node = append(out.Node, n)
			continue
		}
		v, err := tensor.FromProto(t)
		if err != nil {
			return nil, nil, fmt.Errorf("bottleneck: %s: %w", n.Name, err)
		}
		values[n.Name] = v
		dt := &attrpb.AttrValue{Value: &attrpb.AttrValue_Type{Type: tensor.Float}}
		out.Node = append(out.Node,
			&nodepb.NodeDef{Name: n.Name, Op: "VariableV2", Attr: map[string]*attrpb.AttrValue{
				"dtype":       dt,
				"shape":       {Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto(v.Shape)}},
				"container":   {Value: &attrpb.AttrValue_S{S: []byte{}}},
				"shared_name": {Value: &attrpb.AttrValue_S{S: []byte{}}},
			}},
			&nodepb.NodeDef{Name: n.Name + "/read", Op: "Identity", Input: []string{n.Name}, Attr: map[string]*attrpb.AttrValue{
				"T":      dt,
				"_class": {Value: &attrpb.AttrValue_List{List: &attrpb.AttrValue_ListValue{S: [][]byte{[]byte("loc:@" + n.Name)}}}},
			}})
	}
	for _, n := range out.Node {
		for i, in := range n.Input {
			if _, ok := values[in]; ok && n.Op != "Identity" {
				n.Input[i] = in + "/read"
			}
		}
	}
	return out, values, nil
}
