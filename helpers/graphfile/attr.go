package graphfile

import (
	"fmt"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	shapepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_shape_go_proto"

	"github.com/gotl/gotl/helpers/tensor"
)

// LookupAttr returns the attribute called name: the node's own value, or,
// when the node lacks it, the default TensorFlow registers for its op (old
// graphs omit attributes added later, such as dilations on Conv2D). ok is
// false when neither exists.
func (n Node) LookupAttr(name string) (v *attrpb.AttrValue, ok bool) {
	if v, ok := n.Attr[name]; ok && v != nil {
		return v, true
	}
	v, ok = defaultAttrs[n.Op][name]
	return v, ok
}

// HasDefault reports whether the value of attribute name comes from the op's
// registered default rather than from the node.
func (n Node) HasDefault(name string) bool {
	if _, own := n.Attr[name]; own {
		return false
	}
	_, ok := defaultAttrs[n.Op][name]
	return ok
}

func (n Node) attr(name string) (*attrpb.AttrValue, error) {
	v, ok := n.LookupAttr(name)
	if !ok {
		return nil, fmt.Errorf("graphfile: node %q (%s) has no attribute %q", n.Name, n.Op, name)
	}
	return v, nil
}

func (n Node) wrongKind(name, want string) error {
	return fmt.Errorf("graphfile: node %q (%s): attribute %q is not a %s", n.Name, n.Op, name, want)
}

// IntAttr returns an int attribute.
func (n Node) IntAttr(name string) (int64, error) {
	v, err := n.attr(name)
	if err != nil {
		return 0, err
	}
	x, ok := v.Value.(*attrpb.AttrValue_I)
	if !ok {
		return 0, n.wrongKind(name, "int")
	}
	return x.I, nil
}

// FloatAttr returns a float attribute.
func (n Node) FloatAttr(name string) (float32, error) {
	v, err := n.attr(name)
	if err != nil {
		return 0, err
	}
	x, ok := v.Value.(*attrpb.AttrValue_F)
	if !ok {
		return 0, n.wrongKind(name, "float")
	}
	return x.F, nil
}

// BoolAttr returns a bool attribute.
func (n Node) BoolAttr(name string) (bool, error) {
	v, err := n.attr(name)
	if err != nil {
		return false, err
	}
	x, ok := v.Value.(*attrpb.AttrValue_B)
	if !ok {
		return false, n.wrongKind(name, "bool")
	}
	return x.B, nil
}

// StringAttr returns a string attribute (padding, data_format, mode, …).
func (n Node) StringAttr(name string) (string, error) {
	v, err := n.attr(name)
	if err != nil {
		return "", err
	}
	x, ok := v.Value.(*attrpb.AttrValue_S)
	if !ok {
		return "", n.wrongKind(name, "string")
	}
	return string(x.S), nil
}

// TypeAttr returns a type attribute (T, dtype, …), without any _REF flag.
func (n Node) TypeAttr(name string) (tensor.DType, error) {
	v, err := n.attr(name)
	if err != nil {
		return tensor.Invalid, err
	}
	x, ok := v.Value.(*attrpb.AttrValue_Type)
	if !ok {
		return tensor.Invalid, n.wrongKind(name, "type")
	}
	return tensor.BaseType(x.Type), nil
}

// ShapeAttr returns a shape attribute, with -1 for unknown dimensions.
func (n Node) ShapeAttr(name string) (tensor.Shape, error) {
	v, err := n.attr(name)
	if err != nil {
		return tensor.Shape{}, err
	}
	x, ok := v.Value.(*attrpb.AttrValue_Shape)
	if !ok {
		return tensor.Shape{}, n.wrongKind(name, "shape")
	}
	return tensor.ShapeFromProto(x.Shape), nil
}

// IntsAttr returns a list(int) attribute (strides, ksize, dilations, …).
// An empty list is returned as an empty, non-nil slice.
func (n Node) IntsAttr(name string) ([]int64, error) {
	l, err := n.listAttr(name, "list(int)")
	if err != nil {
		return nil, err
	}
	return append([]int64{}, l.I...), nil
}

// FloatsAttr returns a list(float) attribute.
func (n Node) FloatsAttr(name string) ([]float32, error) {
	l, err := n.listAttr(name, "list(float)")
	if err != nil {
		return nil, err
	}
	return append([]float32{}, l.F...), nil
}

// StringsAttr returns a list(string) attribute.
func (n Node) StringsAttr(name string) ([]string, error) {
	l, err := n.listAttr(name, "list(string)")
	if err != nil {
		return nil, err
	}
	out := make([]string, len(l.S))
	for i, s := range l.S {
		out[i] = string(s)
	}
	return out, nil
}

// TypesAttr returns a list(type) attribute.
func (n Node) TypesAttr(name string) ([]tensor.DType, error) {
	l, err := n.listAttr(name, "list(type)")
	if err != nil {
		return nil, err
	}
	out := make([]tensor.DType, len(l.Type))
	for i, t := range l.Type {
		out[i] = tensor.BaseType(t)
	}
	return out, nil
}

// ShapesAttr returns a list(shape) attribute (such as _output_shapes).
func (n Node) ShapesAttr(name string) ([]tensor.Shape, error) {
	l, err := n.listAttr(name, "list(shape)")
	if err != nil {
		return nil, err
	}
	out := make([]tensor.Shape, len(l.Shape))
	for i, s := range l.Shape {
		out[i] = tensor.ShapeFromProto(s)
	}
	return out, nil
}

func (n Node) listAttr(name, want string) (*attrpb.AttrValue_ListValue, error) {
	v, err := n.attr(name)
	if err != nil {
		return nil, err
	}
	x, ok := v.Value.(*attrpb.AttrValue_List)
	if !ok {
		return nil, n.wrongKind(name, want)
	}
	if x.List == nil {
		return &attrpb.AttrValue_ListValue{}, nil
	}
	return x.List, nil
}

// TensorAttr decodes a tensor attribute (a Const's value) with TensorFlow's
// rules for short value lists.
func (n Node) TensorAttr(name string) (*tensor.Tensor, error) {
	v, err := n.attr(name)
	if err != nil {
		return nil, err
	}
	x, ok := v.Value.(*attrpb.AttrValue_Tensor)
	if !ok {
		return nil, n.wrongKind(name, "tensor")
	}
	t, err := tensor.FromProto(x.Tensor)
	if err != nil {
		return nil, fmt.Errorf("graphfile: node %q (%s) attribute %q: %w", n.Name, n.Op, name, err)
	}
	return t, nil
}

// Attribute value constructors, used for the defaults table and by Freeze.

func attrInts(v ...int64) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_List{List: &attrpb.AttrValue_ListValue{I: v}}}
}
func attrString(s string) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_S{S: []byte(s)}}
}
func attrInt(i int64) *attrpb.AttrValue { return &attrpb.AttrValue{Value: &attrpb.AttrValue_I{I: i}} }
func attrFloat(f float32) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_F{F: f}}
}
func attrBool(b bool) *attrpb.AttrValue { return &attrpb.AttrValue{Value: &attrpb.AttrValue_B{B: b}} }
func attrType(t tensor.DType) *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_Type{Type: t}}
}
func attrUnknownShape() *attrpb.AttrValue {
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_Shape{Shape: &shapepb.TensorShapeProto{UnknownRank: true}}}
}
