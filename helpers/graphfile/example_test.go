package graphfile_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/tensor"
)

// A tiny graph in text format: y = x * w, with w a Const and x an input of
// shape [?, 3].
const tinyGraph = `
node { name: "x" op: "Placeholder"
  attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 3 } } } } }
node { name: "w" op: "Const"
  attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } } float_val: 0.5 } } } }
node { name: "y" op: "Mul" input: "x" input: "w"
  attr { key: "T" value { type: DT_FLOAT } } }
`

// Listing a graph's nodes, inputs and outputs, and reading a constant.
func ExampleParse() {
	g, err := graphfile.Parse([]byte(tinyGraph), "tiny.pbtxt")
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range g.Nodes() {
		fmt.Println(n.Name, n.Op)
	}
	for _, p := range g.Placeholders() {
		fmt.Println("input:", p.Name, p.DType, p.Shape.Dims)
	}
	fmt.Println("outputs:", g.Outputs(), "encoding:", g.Encoding)
	w, err := g.Const("w:0")
	if err != nil {
		log.Fatal(err)
	}
	v, _ := w.Float32s()
	fmt.Println("w =", v) // one stored value, repeated as TensorFlow does
	// Output:
	// x Placeholder
	// w Const
	// y Mul
	// input: x DT_FLOAT [-1 3]
	// outputs: [y] encoding: text
	// w = [0.5 0.5 0.5]
}

// Old graphs omit attributes that later TensorFlow versions added; the
// accessors fall back on the op's registered default.
func ExampleNode_IntsAttr() {
	g, err := graphfile.Parse([]byte(`
node { name: "conv" op: "Conv2D" input: "x" input: "k"
  attr { key: "strides" value { list { i: 1 i: 2 i: 2 i: 1 } } }
  attr { key: "padding" value { s: "SAME" } } }`), "old.pbtxt")
	if err != nil {
		log.Fatal(err)
	}
	conv, _ := g.Node("conv")
	strides, _ := conv.IntsAttr("strides")
	dilations, _ := conv.IntsAttr("dilations")
	format, _ := conv.StringAttr("data_format")
	padding, _ := conv.StringAttr("padding")
	fmt.Println(strides, dilations, format, padding, conv.HasDefault("dilations"))
	// Output: [1 2 2 1] [1 1 1 1] NHWC SAME true
}

// variables is a VariableSource; a *checkpoint.Reader is the usual one.
type variables map[string]*tensor.Tensor

func (v variables) Tensor(name string) (*tensor.Tensor, error) {
	if t, ok := v[name]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("no variable %q", name)
}

// Freezing replaces variables by constants holding their values and drops
// what the outputs do not need (here the initializer).
func ExampleFreeze() {
	g, err := graphfile.Parse([]byte(`
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "w" op: "VariableV2" attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "shape" value { shape { } } } }
node { name: "w/read" op: "Identity" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "w/init" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { } float_val: 0 } } } }
node { name: "w/Assign" op: "Assign" input: "w" input: "w/init" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "y" op: "Mul" input: "x" input: "w/read" attr { key: "T" value { type: DT_FLOAT } } }
`), "train.pbtxt")
	if err != nil {
		log.Fatal(err)
	}
	trained, _ := tensor.FromFloat32s(nil, []float32{0.25})
	frozen, err := graphfile.Freeze(g, variables{"w": trained}, "y")
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range frozen.Nodes() {
		fmt.Println(n.Name, n.Op)
	}
	w, _ := frozen.Const("w")
	v, _ := w.Float32s()
	fmt.Println("w =", v)
	// Output:
	// x Placeholder
	// w Const
	// w/read Identity
	// y Mul
	// w = [0.25]
}

// WriteGraph writes text like tf.train.write_graph(..., as_text=True).
func ExampleWriteGraph() {
	g, err := graphfile.Parse([]byte(`node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_INT32 } } }`), "c.pbtxt")
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "graphfile-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path, err := graphfile.WriteGraph(g, dir, "graph.pbtxt", true)
	if err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	fmt.Print(filepath.Base(path), "\n", string(b))
	// Output:
	// graph.pbtxt
	// node {
	//   name: "c"
	//   op: "Const"
	//   attr {
	//     key: "dtype"
	//     value {
	//       type: DT_INT32
	//     }
	//   }
	// }
}

// Pruning keeps what an output needs, control dependencies included.
func ExampleGraph_Prune() {
	g, err := graphfile.Parse([]byte(tinyGraph+`
node { name: "unused" op: "Identity" input: "w" }
node { name: "z" op: "Identity" input: "y" input: "^unused" }`), "g.pbtxt")
	if err != nil {
		log.Fatal(err)
	}
	y, _ := g.Prune("y:0")
	z, _ := g.Prune("z")
	fmt.Println(y.NodeNames())
	fmt.Println(z.NodeNames())
	// Output:
	// [x w y]
	// [x w y unused z]
}

// Exporting a frozen graph for TensorFlow Serving (or graphrun) as a
// SavedModel with a prediction signature.
func ExampleWriteSavedModel() {
	g, err := graphfile.Parse([]byte(tinyGraph), "tiny.pbtxt")
	if err != nil {
		log.Fatal(err)
	}
	sig, err := graphfile.NewSignature(g, graphfile.PredictMethod,
		map[string]string{"x": "x:0"}, map[string]string{"y": "y:0"})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "graphfile-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	export := filepath.Join(dir, "model", "1")
	err = graphfile.WriteSavedModel(export, &graphfile.MetaGraph{
		Tags:       []string{"serve"},
		Graph:      g,
		Signatures: map[string]graphfile.Signature{"serving_default": sig},
	})
	if err != nil {
		log.Fatal(err)
	}
	sm, err := graphfile.LoadSavedModel(export)
	if err != nil {
		log.Fatal(err)
	}
	mg, _ := sm.MetaGraph("serve")
	in := mg.Signatures["serving_default"].Inputs["x"]
	fmt.Println(mg.Tags, in.Name, in.DType, in.Shape.Dims, mg.Graph.Len())
	// Output: [serve] x:0 DT_FLOAT [-1 3] 3
}
