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

func checkNHWC(n *nodepb.NodeDef) error {
	if f := attrString(n, "data_format", "NHWC"); f != "NHWC" {
		return fmt.Errorf("data_format %s is not supported (only NHWC; freeze the graph for CPU inference)", f)
	}
	return nil
}
