package graphrun

import (
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"

	"github.com/gotl/gotl/helpers/tensor"
)

func placeholderNode(name string, shape ...int64) *nodepb.NodeDef {
	return &nodepb.NodeDef{Name: name, Op: "Placeholder", Attr: map[string]*attrpb.AttrValue{
		"dtype": {Value: &attrpb.AttrValue_Type{Type: tensor.Float}},
		"shape": {Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto(shape)}},
	}}
}

func TestImageInputSize(t *testing.T) {
	g, err := FromGraphDef(&graphpb.GraphDef{Node: []*nodepb.NodeDef{
		placeholderNode("image", -1, 24, 32, 3), placeholderNode("any_channels", 1, 8, 8, -1),
		placeholderNode("flat", -1, 10), placeholderNode("unknown_size", -1, -1, -1, 3),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if h, w, err := g.ImageInputSize("image:0"); err != nil || h != 24 || w != 32 {
		t.Errorf("image:0: %dx%d, %v", h, w, err)
	}
	if h, w, err := g.ImageInputSize("any_channels"); err != nil || h != 8 || w != 8 {
		t.Errorf("any_channels: %dx%d, %v", h, w, err)
	}
	for _, bad := range []string{"flat:0", "unknown_size:0", "missing:0"} {
		if _, _, err := g.ImageInputSize(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// Owns tells the Model's weights from variables added around it.
func TestModelOwns(t *testing.T) {
	w, _ := tensor.FromFloat32s([]int64{2, 2}, []float32{1, 2, 3, 4})
	g, err := FromGraphDef(&graphpb.GraphDef{Node: []*nodepb.NodeDef{
		placeholderNode("x", -1, 2),
		{Name: "layer/w", Op: "Const", Attr: map[string]*attrpb.AttrValue{
			"dtype": {Value: &attrpb.AttrValue_Type{Type: tensor.Float}},
			"value": {Value: &attrpb.AttrValue_Tensor{Tensor: w.ToProto()}},
		}},
		{Name: "y", Op: "MatMul", Input: []string{"x", "layer/w"}, Attr: map[string]*attrpb.AttrValue{
			"T": {Value: &attrpb.AttrValue_Type{Type: tensor.Float}},
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(g, []string{"x:0"}, []string{"y:0"})
	if err != nil {
		t.Fatal(err)
	}
	x, _ := tensor.FromFloat32s([]int64{1, 2}, []float32{1, 1})
	if _, err := m.Run(x); err != nil {
		t.Fatal(err)
	}
	ctx := m.Context()
	vars := m.Variables(ctx)
	if len(vars) != 1 || vars["layer/w"] == nil || !m.Owns(vars["layer/w"]) {
		t.Fatalf("variables %v", vars)
	}
	other := ctx.In("final_training_ops").VariableWithValue("w", float32(1))
	if m.Owns(other) {
		t.Error("a variable outside the Model's scope is owned")
	}
}
