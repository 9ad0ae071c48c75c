package zoo

import (
	"fmt"
	"math"
	"math/rand/v2"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	versionspb "github.com/galeone/tensorflow/tensorflow/go/core/framework/versions_go_proto"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/tensor"
)

// TinyNetInfo describes TinyNet as the registry describes Inception v3 and
// MobileNet, in the terms retrain.py and label_image.py use: its files in
// the directory TinyNet returns, and its tensors. gotl's commands take their
// defaults from it.
var TinyNetInfo = ModelInfo{
	Frozen:         FrozenFile,
	Labels:         LabelsFile,
	Input:          "input:0",  // [N, 32, 32, 3] float32, (pixel-127.5)/127.5
	Bottleneck:     "pool_3:0", // [N, 64]: global average of the last conv layer
	BottleneckSize: 64,
	Output:         "softmax:0", // [N, 4] over TinyNetSourceClasses
	Height:         32, Width: 32, Mean: 127.5, Std: 127.5,
	// BatchSize 0: any batch size.
}

// TinyNetSeed is the seed tools/pretrain trained the shipped TinyNet from:
// the convolution weights of RandomTinyNetWeights(TinyNetSeed,
// len(TinyNetSourceClasses)) are TinyNet's before pretraining, to compare
// the trained ones with. (Its classifier started as a new final layer.)
const TinyNetSeed = 2026

// TinyNetSourceClasses are the synthetic classes TinyNet was pretrained on.
// The remaining dataset.SyntheticClasses are the transfer targets.
var TinyNetSourceClasses = dataset.SyntheticClasses[:4]

// TinyNetTargetClasses are the synthetic classes TinyNet never saw, used by
// the tutorials to retrain and fine-tune it.
var TinyNetTargetClasses = dataset.SyntheticClasses[4:]

// tinyNetLayers lists the conv layers: name and output channels. Each is a
// 3×3 stride-1 SAME convolution with bias and ReLU; the first three are
// followed by 2×2 max pooling, so 32×32 becomes 4×4 before pool_3.
var tinyNetLayers = []struct {
	name     string
	channels int
	pool     bool
}{
	{"conv1", 16, true},
	{"conv2", 32, true},
	{"conv3", 64, true},
	{"conv4", TinyNetInfo.BottleneckSize, false},
}

// TinyNetWeightNames lists the trainable weights in layer order: for each
// conv layer "NAME/weights" [3,3,in,out] and "NAME/biases" [out], then
// "logits/weights" [64, classes] and "logits/biases" [classes].
func TinyNetWeightNames() []string {
	var names []string
	for _, l := range tinyNetLayers {
		names = append(names, l.name+"/weights", l.name+"/biases")
	}
	return append(names, "logits/weights", "logits/biases")
}

// RandomTinyNetWeights draws TinyNet's initial weights from seed: He-normal
// convolution kernels, zero biases, and a small normal classifier.
func RandomTinyNetWeights(seed uint64, classes int) (map[string]*tensor.Tensor, error) {
	rng := rand.New(rand.NewPCG(seed, 0x7111))
	w := map[string]*tensor.Tensor{}
	normal := func(name string, shape []int64, std float64) error {
		v := make([]float32, tensor.NumElements(shape))
		for i := range v {
			v[i] = float32(std * rng.NormFloat64())
		}
		t, err := tensor.FromFloat32s(shape, v)
		w[name] = t
		return err
	}
	in := 3
	for _, l := range tinyNetLayers {
		if err := normal(l.name+"/weights", []int64{3, 3, int64(in), int64(l.channels)}, math.Sqrt(2/float64(9*in))); err != nil {
			return nil, err
		}
		if err := normal(l.name+"/biases", []int64{int64(l.channels)}, 0); err != nil {
			return nil, err
		}
		in = l.channels
	}
	if err := normal("logits/weights", []int64{int64(in), int64(classes)}, 0.01); err != nil {
		return nil, err
	}
	if err := normal("logits/biases", []int64{int64(classes)}, 0); err != nil {
		return nil, err
	}
	return w, nil
}

// TinyNetGraph builds TinyNet's GraphDef around the given weights. With
// variables false every weight is a Const (a frozen graph, as
// convert_variables_to_constants writes it); with variables true it is a TF1
// VariableV2 whose value lives in a checkpoint, read through an Identity
// "NAME/read" as tf.Variable does. Both forms keep the "/read" nodes, so
// freezing the second gives the first.
func TinyNetGraph(weights map[string]*tensor.Tensor, variables bool) (*graphpb.GraphDef, error) {
	for _, name := range TinyNetWeightNames() {
		if weights[name] == nil {
			return nil, fmt.Errorf("zoo: TinyNet weight %q missing", name)
		}
	}
	b := &builder{def: &graphpb.GraphDef{Versions: &versionspb.VersionDef{Producer: 27}}}
	b.node("input", "Placeholder", nil, map[string]*attrpb.AttrValue{
		"dtype": typeAttr(tensor.Float),
		"shape": {Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto([]int64{-1, int64(TinyNetInfo.Height), int64(TinyNetInfo.Width), 3})}},
	})
	weight := func(name string) string {
		t := weights[name]
		if variables {
			b.node(name, "VariableV2", nil, map[string]*attrpb.AttrValue{
				"dtype":       typeAttr(t.DType),
				"shape":       {Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto(t.Shape)}},
				"container":   strAttr(""),
				"shared_name": strAttr(""),
			})
		} else {
			b.constant(name, t)
		}
		b.node(name+"/read", "Identity", []string{name}, map[string]*attrpb.AttrValue{"T": typeAttr(t.DType)})
		return name + "/read"
	}
	prev := "input"
	for _, l := range tinyNetLayers {
		w := weight(l.name + "/weights")
		bias := weight(l.name + "/biases")
		b.node(l.name+"/Conv2D", "Conv2D", []string{prev, w}, map[string]*attrpb.AttrValue{
			"T": typeAttr(tensor.Float), "strides": intsAttr(1, 1, 1, 1), "padding": strAttr("SAME"),
			"data_format": strAttr("NHWC"), "dilations": intsAttr(1, 1, 1, 1), "use_cudnn_on_gpu": boolAttr(true),
		})
		b.node(l.name+"/BiasAdd", "BiasAdd", []string{l.name + "/Conv2D", bias}, map[string]*attrpb.AttrValue{
			"T": typeAttr(tensor.Float), "data_format": strAttr("NHWC"),
		})
		b.node(l.name+"/Relu", "Relu", []string{l.name + "/BiasAdd"}, map[string]*attrpb.AttrValue{"T": typeAttr(tensor.Float)})
		prev = l.name + "/Relu"
		if l.pool {
			b.node(l.name+"/MaxPool", "MaxPool", []string{prev}, map[string]*attrpb.AttrValue{
				"T": typeAttr(tensor.Float), "ksize": intsAttr(1, 2, 2, 1), "strides": intsAttr(1, 2, 2, 1),
				"padding": strAttr("VALID"), "data_format": strAttr("NHWC"),
			})
			prev = l.name + "/MaxPool"
		}
	}
	axes, err := tensor.FromInt32s([]int64{2}, []int32{1, 2})
	if err != nil {
		return nil, err
	}
	b.constant("pool_3/reduction_indices", axes)
	b.node("pool_3", "Mean", []string{prev, "pool_3/reduction_indices"}, map[string]*attrpb.AttrValue{
		"T": typeAttr(tensor.Float), "Tidx": typeAttr(tensor.Int32), "keep_dims": boolAttr(false),
	})
	w := weight("logits/weights")
	bias := weight("logits/biases")
	b.node("logits/MatMul", "MatMul", []string{"pool_3", w}, map[string]*attrpb.AttrValue{
		"T": typeAttr(tensor.Float), "transpose_a": boolAttr(false), "transpose_b": boolAttr(false),
	})
	b.node("logits/BiasAdd", "BiasAdd", []string{"logits/MatMul", bias}, map[string]*attrpb.AttrValue{
		"T": typeAttr(tensor.Float), "data_format": strAttr("NHWC"),
	})
	b.node("softmax", "Softmax", []string{"logits/BiasAdd"}, map[string]*attrpb.AttrValue{"T": typeAttr(tensor.Float)})
	return b.def, nil
}

// builder appends NodeDefs to a GraphDef.
type builder struct{ def *graphpb.GraphDef }

func (b *builder) node(name, op string, inputs []string, attrs map[string]*attrpb.AttrValue) {
	b.def.Node = append(b.def.Node, &nodepb.NodeDef{Name: name, Op: op, Input: inputs, Attr: attrs})
}

func (b *builder) constant(name string, t *tensor.Tensor) {
	b.node(name, "Const", nil, map[string]*attrpb.AttrValue{
		"dtype": typeAttr(t.DType),
		"value": {Value: &attrpb.AttrValue_Tensor{Tensor: t.ToProto()}},
	})
}

func typeAttr(dt tensor.DType) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_Type{Type: dt}}
}
func strAttr(s string) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_S{S: []byte(s)}}
}
func boolAttr(v bool) *attrpb.AttrValue { return &attrpb.AttrValue{Value: &attrpb.AttrValue_B{B: v}} }
func intsAttr(v ...int64) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_List{List: &attrpb.AttrValue_ListValue{I: v}}}
}
