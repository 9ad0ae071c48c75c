package finetune

import (
	"strings"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"

	"github.com/gotl/gotl/helpers/tensor"
)

// bnGraph is input → conv (weights) → FusedBatchNorm (gamma, beta,
// moving_mean, moving_variance, the last two read through Identity as
// convert_variables_to_constants leaves them) → Relu → conv2 → Mean.
func bnGraph(t *testing.T) *graphpb.GraphDef {
	t.Helper()
	def := &graphpb.GraphDef{}
	node := func(name, op string, inputs ...string) {
		def.Node = append(def.Node, &nodepb.NodeDef{Name: name, Op: op, Input: inputs, Attr: map[string]*attrpb.AttrValue{}})
	}
	constant := func(name string, shape ...int64) {
		v := make([]float32, tensor.NumElements(shape))
		c, err := tensor.FromFloat32s(shape, v)
		if err != nil {
			t.Fatal(err)
		}
		def.Node = append(def.Node, &nodepb.NodeDef{Name: name, Op: "Const", Attr: map[string]*attrpb.AttrValue{
			"dtype": {Value: &attrpb.AttrValue_Type{Type: tensor.Float}},
			"value": {Value: &attrpb.AttrValue_Tensor{Tensor: c.ToProto()}},
		}})
	}
	node("input", "Placeholder")
	constant("conv1/weights", 3, 3, 3, 8)
	node("conv1/Conv2D", "Conv2D", "input", "conv1/weights")
	for _, p := range []string{"gamma", "beta", "moving_mean", "moving_variance"} {
		constant("conv1/BatchNorm/"+p, 8)
	}
	node("conv1/BatchNorm/moving_mean/read", "Identity", "conv1/BatchNorm/moving_mean")
	node("conv1/BatchNorm/FusedBatchNormV3", "FusedBatchNormV3", "conv1/Conv2D", "conv1/BatchNorm/gamma",
		"conv1/BatchNorm/beta", "conv1/BatchNorm/moving_mean/read", "conv1/BatchNorm/moving_variance")
	node("conv1/Relu", "Relu", "conv1/BatchNorm/FusedBatchNormV3")
	constant("conv2/weights", 1, 1, 8, 4)
	constant("conv2/biases", 4)
	node("conv2/Conv2D", "Conv2D", "conv1/Relu", "conv2/weights")
	node("conv2/BiasAdd", "BiasAdd", "conv2/Conv2D", "conv2/biases")
	constant("head/weights", 4, 2) // above the bottleneck: never a pretrained weight here
	node("pool", "Mean", "conv2/BiasAdd")
	node("head/MatMul", "MatMul", "pool", "head/weights")
	return def
}

func TestBatchNormStatisticsStayFrozen(t *testing.T) {
	weights, bn, err := pretrainedWeights(bnGraph(t), "pool")
	if err != nil {
		t.Fatal(err)
	}
	if !bn["conv1/BatchNorm/moving_mean"] || !bn["conv1/BatchNorm/moving_variance"] || len(bn) != 2 {
		t.Errorf("batch-norm statistics found: %v; want the moving mean (through its Identity) and variance", bn)
	}
	var names []string
	for _, w := range weights {
		names = append(names, w.name+"@"+w.layer)
	}
	got := strings.Join(names, " ")
	want := "conv1/weights@conv1 conv1/BatchNorm/gamma@conv1 conv1/BatchNorm/beta@conv1 conv1/BatchNorm/moving_mean@conv1 conv1/BatchNorm/moving_variance@conv1 conv2/weights@conv2 conv2/biases@conv2"
	if got != want {
		t.Errorf("weights below the bottleneck, bottom first:\n got %s\nwant %s", got, want)
	}

	pattern, trainable, err := trainablePattern(weights, bn, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pattern, "moving") || len(trainable) != 5 {
		t.Errorf("all layers: trainable %v (pattern %q); the statistics must stay frozen", trainable, pattern)
	}
	_, top, err := trainablePattern(weights, bn, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(top, " ") != "conv2/weights conv2/biases" {
		t.Errorf("top layer: %v", top)
	}
	_, some, err := trainablePattern(weights, bn, "BatchNorm", 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(some, " ") != "conv1/BatchNorm/gamma conv1/BatchNorm/beta" {
		t.Errorf("pattern BatchNorm: %v", some)
	}
	if _, _, err := trainablePattern(weights, bn, "(", 0); err == nil {
		t.Error("a bad regular expression was accepted")
	}
}
