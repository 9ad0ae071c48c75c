package retrain

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	tfpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/util"
)

// Node names of the exported layer, as retrain.py names them.
const (
	// BottleneckInputName is the placeholder's name when the graph has no
	// node named "input"; otherwise TensorFlow's name scope becomes
	// "input_1" (as in TF for Poets' MobileNet graphs), see BottleneckInput.
	BottleneckInputName = "input/BottleneckInputPlaceholder"
	MatMulName          = "final_training_ops/Wx_plus_b/MatMul"
	AddName             = "final_training_ops/Wx_plus_b/add"
	DefaultFinalTensor  = "final_result"
)

// BottleneckInput returns the name retrain.py's
// tf.name_scope('input') gives the bottleneck placeholder in def: the scope
// "input" is made unique against existing node names ("input_1", …), as
// TensorFlow's Graph.unique_name does.
func BottleneckInput(def *graphpb.GraphDef) string {
	used := map[string]bool{}
	for _, n := range def.Node {
		used[strings.ToLower(n.Name)] = true
		for i := strings.IndexByte(n.Name, '/'); i >= 0; i = nextSlash(n.Name, i) {
			used[strings.ToLower(n.Name[:i])] = true
		}
	}
	scope := "input"
	for i := 1; used[scope]; i++ {
		scope = fmt.Sprintf("input_%d", i)
	}
	return scope + "/BottleneckInputPlaceholder"
}

func nextSlash(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// ExportOptions configures ExportGraph.
type ExportOptions struct {
	// FinalTensorName names the softmax node (--final_tensor_name);
	// default "final_result".
	FinalTensorName string
	// Flatten inserts a Reshape to [-1, Inputs] before the placeholder,
	// for bottleneck tensors that are not already [batch, size] (for example
	// a Mean with keep_dims, shaped [batch, 1, 1, size]).
	Flatten bool
}

// CheckExportable reports whether ExportGraph can add a layer to def after
// bottleneckTensor: the bottleneck's node exists and none of the nodes it
// would add is in def already (a graph retrained before has them). Call it
// before training, so that a graph that cannot be exported fails at once
// rather than after the bottlenecks and the training run.
func CheckExportable(def *graphpb.GraphDef, bottleneckTensor string, opts ExportOptions) error {
	final := opts.FinalTensorName
	if final == "" {
		final = DefaultFinalTensor
	}
	bnNode, _ := splitTensorName(bottleneckTensor)
	names := map[string]bool{}
	for _, n := range def.Node {
		names[n.Name] = true
	}
	if !names[bnNode] {
		return fmt.Errorf("retrain: bottleneck tensor %s: the graph has no node %q", bottleneckTensor, bnNode)
	}
	placeholder := BottleneckInput(def)
	scope := strings.TrimSuffix(placeholder, "/BottleneckInputPlaceholder")
	newNames := []string{placeholder, WeightsName, WeightsName + "/read", BiasesName, BiasesName + "/read", MatMulName, AddName, final}
	if opts.Flatten {
		newNames = append(newNames, scope+"/BottleneckReshape", scope+"/BottleneckReshape/shape")
	}
	for _, n := range newNames {
		if names[n] {
			return fmt.Errorf("retrain: the graph already has a node %q (was it retrained before? export from the original graph)", n)
		}
	}
	return nil
}

// splitTensorName splits "node:port" into node and port ("0" if absent).
func splitTensorName(name string) (node, port string) {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return name, "0"
}

// ExportGraph returns a copy of def with the layer appended after the
// bottleneck tensor (see the package documentation), ready to be written
// as output_graph.pb. def must be frozen (weights as Const), as a graph
// gotl runs is. A layer holding NaN or ±Inf is refused (see
// Layer.CheckFinite).
func ExportGraph(def *graphpb.GraphDef, bottleneckTensor string, l *Layer, opts ExportOptions) (*graphpb.GraphDef, error) {
	if err := l.CheckFinite(); err != nil {
		return nil, fmt.Errorf("%w; not exporting it", err)
	}
	final := opts.FinalTensorName
	if final == "" {
		final = DefaultFinalTensor
	}
	if err := CheckExportable(def, bottleneckTensor, opts); err != nil {
		return nil, err
	}
	bnNode, port := splitTensorName(bottleneckTensor)
	input := bnNode
	if port != "0" {
		input = bnNode + ":" + port
	}
	out := proto.Clone(def).(*graphpb.GraphDef)
	placeholder := BottleneckInput(out)
	scope := strings.TrimSuffix(placeholder, "/BottleneckInputPlaceholder")
	flattenName, flattenShapeName := scope+"/BottleneckReshape", scope+"/BottleneckReshape/shape"
	floatT := typeAttr(tensor.Float)
	if opts.Flatten {
		shape, err := constNode(flattenShapeName, tensor.Int32, []int64{2}, int32Bytes(-1, int32(l.Inputs)))
		if err != nil {
			return nil, err
		}
		out.Node = append(out.Node, shape, &nodepb.NodeDef{
			Name: flattenName, Op: "Reshape", Input: []string{input, flattenShapeName},
			Attr: map[string]*attrpb.AttrValue{"T": floatT, "Tshape": typeAttr(tensor.Int32)},
		})
		input = flattenName
	}
	w, err := constNode(WeightsName, tensor.Float, []int64{int64(l.Inputs), int64(l.Classes)}, float32Bytes(l.Weights))
	if err != nil {
		return nil, err
	}
	b, err := constNode(BiasesName, tensor.Float, []int64{int64(l.Classes)}, float32Bytes(l.Biases))
	if err != nil {
		return nil, err
	}
	read := func(v string) *nodepb.NodeDef {
		// Freezing keeps each variable's read Identity, with its colocation
		// attribute.
		return &nodepb.NodeDef{Name: v + "/read", Op: "Identity", Input: []string{v}, Attr: map[string]*attrpb.AttrValue{
			"T":      floatT,
			"_class": {Value: &attrpb.AttrValue_List{List: &attrpb.AttrValue_ListValue{S: [][]byte{[]byte("loc:@" + v)}}}},
		}}
	}
	out.Node = append(out.Node,
		&nodepb.NodeDef{Name: placeholder, Op: "PlaceholderWithDefault", Input: []string{input},
			Attr: map[string]*attrpb.AttrValue{
				"dtype": floatT,
				"shape": {Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto([]int64{-1, int64(l.Inputs)})}},
			}},
		w, read(WeightsName), b, read(BiasesName),
		&nodepb.NodeDef{Name: MatMulName, Op: "MatMul", Input: []string{placeholder, WeightsName + "/read"},
			Attr: map[string]*attrpb.AttrValue{"T": floatT,
				"transpose_a": {Value: &attrpb.AttrValue_B{B: false}}, "transpose_b": {Value: &attrpb.AttrValue_B{B: false}}}},
		&nodepb.NodeDef{Name: AddName, Op: "Add", Input: []string{MatMulName, BiasesName + "/read"},
			Attr: map[string]*attrpb.AttrValue{"T": floatT}},
		&nodepb.NodeDef{Name: final, Op: "Softmax", Input: []string{AddName},
			Attr: map[string]*attrpb.AttrValue{"T": floatT}},
	)
	return out, nil
}

func typeAttr(dt tensor.DType) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_Type{Type: dt}}
}

func constNode(name string, dt tensor.DType, shape []int64, content []byte) (*nodepb.NodeDef, error) {
	if int64(len(content)) != tensor.NumElements(shape)*int64(tensor.ElemSize(dt)) {
		return nil, fmt.Errorf("retrain: const %s: %d bytes for shape %v", name, len(content), shape)
	}
	return &nodepb.NodeDef{Name: name, Op: "Const", Attr: map[string]*attrpb.AttrValue{
		"dtype": typeAttr(dt),
		"value": {Value: &attrpb.AttrValue_Tensor{Tensor: &tfpb.TensorProto{
			Dtype: dt, TensorShape: tensor.ShapeToProto(shape), TensorContent: content}}},
	}}, nil
}

func float32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func int32Bytes(v ...int32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return b
}

// LayerFromGraph extracts the final layer from a graph exported by
// ExportGraph or by retrain.py (after freezing).
func LayerFromGraph(def *graphpb.GraphDef) (*Layer, error) {
	var w, b *tensor.Tensor
	for _, n := range def.Node {
		if n.Op != "Const" || (n.Name != WeightsName && n.Name != BiasesName) {
			continue
		}
		t, err := tensor.FromProto(n.Attr["value"].GetTensor())
		if err != nil {
			return nil, fmt.Errorf("retrain: node %s: %w", n.Name, err)
		}
		if n.Name == WeightsName {
			w = t
		} else {
			b = t
		}
	}
	if w == nil || b == nil {
		return nil, fmt.Errorf("retrain: graph has no %s and %s constants", WeightsName, BiasesName)
	}
	return layerFromTensors(w, b, "graph")
}

// WriteGraph serializes def to path atomically (temporary file + rename).
func WriteGraph(path string, def *graphpb.GraphDef) error {
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(def)
	if err != nil {
		return fmt.Errorf("retrain: serializing graph: %w", err)
	}
	return writeFileAtomic(path, data)
}

// WriteLabels writes output_labels.txt: one label per line, in class order,
// ending with a newline, as retrain.py does.
func WriteLabels(path string, labels []string) error {
	return writeFileAtomic(path, []byte(strings.Join(labels, "\n")+"\n"))
}

func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("retrain: %w", err)
	}
	if err := util.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("retrain: %w", err)
	}
	return nil
}
