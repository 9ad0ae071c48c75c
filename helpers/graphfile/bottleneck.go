package graphfile

import "fmt"

// Bottleneck returns the bottleneck tensor of a classifier graph: the tensor
// its final linear layer reads, which transfer learning keeps and retrains a
// new layer on. A GraphDef does not label it; as retrain.py's users found it
// by hand, Bottleneck walks back from output (a node or tensor name, usually
// the softmax) along each node's first data input to the first MatMul
// (Inception v3, retrain.py's exports) or 1×1 Conv2D (MobileNet's
// classifier), and returns the tensor feeding it, looking through Identity
// nodes (dropout and /read in frozen graphs) and retrain.py's
// BottleneckInputPlaceholder (a PlaceholderWithDefault). It is an error if
// the walk ends, loops or meets no such layer.
func (g *Graph) Bottleneck(output string) (string, error) {
	name, _, _ := ParseInput(output)
	seen := map[string]bool{}
	for {
		n, ok := g.Node(name)
		if !ok {
			return "", g.errorf("bottleneck of %s: no node named %q%s", output, name, suggestSuffix(name, g.NodeNames()))
		}
		if seen[name] {
			return "", g.errorf("bottleneck of %s: the inputs loop at %q", output, name)
		}
		seen[name] = true
		in := n.DataInputs()
		if len(in) == 0 {
			return "", g.errorf("bottleneck of %s: no MatMul or 1×1 Conv2D above it (the walk ended at %s %q)", output, n.Op, name)
		}
		if n.Op == "MatMul" || n.Op == "Conv2D" && g.isOneByOne(n) {
			return g.throughPassThrough(in[0]), nil
		}
		name, _, _ = ParseInput(in[0])
	}
}

// isOneByOne reports whether a Conv2D's filter is a Const (or a variable
// read) of shape [1, 1, in, out].
func (g *Graph) isOneByOne(conv Node) bool {
	in := conv.DataInputs()
	if len(in) < 2 {
		return false
	}
	name, _, _ := ParseInput(in[1])
	for range 4 { // filter ← /read Identity ← Const or variable
		n, ok := g.Node(name)
		if !ok {
			return false
		}
		switch n.Op {
		case "Const":
			t, err := n.TensorAttr("value")
			return err == nil && len(t.Shape) == 4 && t.Shape[0] == 1 && t.Shape[1] == 1
		case "VariableV2", "Variable", "VarHandleOp":
			s, err := n.ShapeAttr("shape")
			return err == nil && len(s.Dims) == 4 && s.Dims[0] == 1 && s.Dims[1] == 1
		case "Identity", "ReadVariableOp":
			if d := n.DataInputs(); len(d) > 0 {
				name, _, _ = ParseInput(d[0])
				continue
			}
		}
		return false
	}
	return false
}

// throughPassThrough follows Identity and PlaceholderWithDefault nodes from
// the tensor in back to the tensor that computes the value, and names it
// "node:k".
func (g *Graph) throughPassThrough(in string) string {
	name, port, _ := ParseInput(in)
	for range 100 {
		n, ok := g.Node(name)
		if !ok || n.Op != "Identity" && n.Op != "PlaceholderWithDefault" {
			break
		}
		d := n.DataInputs()
		if len(d) == 0 {
			break
		}
		name, port, _ = ParseInput(d[0])
	}
	return fmt.Sprintf("%s:%d", name, port)
}
