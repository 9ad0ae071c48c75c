package graphrun

import (
	"fmt"

	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gotl/gotl/helpers/tensor"
)

// Attribute readers apply TensorFlow's registered defaults when old graphs
// omit an attribute (dilations, data_format, …).

func attrInt(n *nodepb.NodeDef, name string, def int64) int64 {
	if a, ok := n.Attr[name]; ok {
		return a.GetI()
	}
	return def
}

func attrFloat(n *nodepb.NodeDef, name string, def float32) float32 {
	if a, ok := n.Attr[name]; ok {
		return a.GetF()
	}
	return def
}

func attrBool(n *nodepb.NodeDef, name string, def bool) bool {
	if a, ok := n.Attr[name]; ok {
		return a.GetB()
	}
	return def
}

func attrString(n *nodepb.NodeDef, name, def string) string {
	if a, ok := n.Attr[name]; ok {
		return string(a.GetS())
	}
	return def
}

func attrInts(n *nodepb.NodeDef, name string, def []int64) []int64 {
	if a, ok := n.Attr[name]; ok && a.GetList() != nil {
		return a.GetList().GetI()
	}
	return def
}

func attrType(n *nodepb.NodeDef, name string, def tensor.DType) tensor.DType {
	if a, ok := n.Attr[name]; ok {
		return a.GetType()
	}
	return def
}

// nhwc4 reads a 4-element NHWC attribute (strides, ksize, dilations) and
// returns its spatial (H, W) part, refusing batch or channel values other
// than 1, which TensorFlow's CPU kernels reject too.
func nhwc4(n *nodepb.NodeDef, name string, def []int64) ([2]int, error) {
	v := attrInts(n, name, def)
	if len(v) != 4 {
		return [2]int{}, fmt.Errorf("attribute %s has %d values, want 4", name, len(v))
	}
	if v[0] != 1 || v[3] != 1 {
		return [2]int{}, fmt.Errorf("attribute %s = %v: only the spatial (H, W) values may differ from 1", name, v)
	}
	if v[1] < 1 || v[2] < 1 {
		return [2]int{}, fmt.Errorf("attribute %s = %v must be positive", name, v)
	}
	return [2]int{int(v[1]), int(v[2])}, nil
}

// samePads returns TensorFlow's SAME padding for one spatial dimension: the
// output is ceil(in/stride) and the odd element of padding goes after.
func samePads(in, k, stride, dilation int) [2]int {
	keff := (k-1)*dilation + 1
	out := (in + stride - 1) / stride
	total := (out-1)*stride + keff - in
	if total < 0 {
		total = 0
	}
	return [2]int{total / 2, total - total/2}
}

// spatialPads resolves the padding attribute ("SAME", "VALID", "EXPLICIT")
// for an NHWC input of spatial size in and window k.
func spatialPads(n *nodepb.NodeDef, in, k, strides, dil [2]int) ([][2]int, error) {
	switch p := attrString(n, "padding", ""); p {
	case "SAME":
		return [][2]int{samePads(in[0], k[0], strides[0], dil[0]), samePads(in[1], k[1], strides[1], dil[1])}, nil
	case "VALID":
		return [][2]int{{0, 0}, {0, 0}}, nil
	case "EXPLICIT":
		e := attrInts(n, "explicit_paddings", nil)
		if len(e) != 8 {
			return nil, fmt.Errorf("padding EXPLICIT needs 8 explicit_paddings, got %d", len(e))
		}
		return [][2]int{{int(e[2]), int(e[3])}, {int(e[4]), int(e[5])}}, nil
	default:
		return nil, fmt.Errorf("unknown padding %q", p)
	}
}

func checkNHWC(n *nodepb.NodeDef) error {
	if f := attrString(n, "data_format", "NHWC"); f != "NHWC" {
		return fmt.Errorf("data_format %s is not supported (only NHWC; freeze the graph for CPU inference)", f)
	}
	return nil
}
