package graphrun_test

import (
	"fmt"
	"sort"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/tensor"
	"google.golang.org/protobuf/encoding/prototext"
)

// A tiny frozen graph: y = Relu6(x·w + b).
const tinyGraph = `
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } }
    float_val: 1 float_val: 2 float_val: 3 float_val: 4 } } } }
node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: -8 float_val: 0 } } } }
node { name: "w/read" op: "Identity" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "matmul" op: "MatMul" input: "x" input: "w/read" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "add" op: "BiasAdd" input: "matmul" input: "b" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "y" op: "Relu6" input: "add" attr { key: "T" value { type: DT_FLOAT } } }
`

func tinyModelGraph() *graphrun.Graph {
	def := &graphpb.GraphDef{}
	if err := prototext.Unmarshal([]byte(tinyGraph), def); err != nil {
		panic(err)
	}
	g, err := graphrun.FromGraphDef(def)
	if err != nil {
		panic(err)
	}
	return g
}

func Example() {
	g := tinyModelGraph() // usually: g, err := graphrun.Load("retrained_graph.pb")
	m, err := graphrun.NewModel(g, []string{"x:0"}, []string{"y:0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	x, _ := tensor.FromFloat32s([]int64{2, 2}, []float32{1, 2, 0, 1})
	out, err := m.Run(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	y, _ := out[0].Float32s()
	fmt.Println(out[0].Shape, y)
	// Output: [2 2] [0 6 0 4]
}

// Fine-tuning: weights whose names match Trainable become trainable
// context variables; Call builds the graph inside any GoMLX graph function,
// where the usual gradient machinery applies.
func ExampleModel_Call() {
	g := tinyModelGraph()
	m, err := graphrun.NewModel(g, []string{"x:0"}, []string{"y:0"}, graphrun.Trainable(`^w$`))
	if err != nil {
		fmt.Println(err)
		return
	}
	backend, err := graphrun.DefaultBackend()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.New()
	gradFn, err := context.NewExec(backend, ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
		loss := graph.ReduceAllSum(m.Call(ctx, x)[0])
		return ctx.BuildTrainableVariablesGradientsGraph(loss)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	grads, err := gradFn.Exec([][]float32{{1, 0.5}})
	if err != nil {
		fmt.Println(err)
		return
	}
	vars := m.Variables(ctx)
	var names []string
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Printf("%s trainable=%v\n", name, vars[name].Trainable)
	}
	fmt.Println("d loss/d w =", grads[0].Value())
	// Output:
	// b trainable=false
	// w trainable=true
	// d loss/d w = [[0 1] [0 0.5]]
}

func ExampleDequantize() {
	// quint8 weights 0, 1, 128, 255 stored for the range [-1, 1]. TF's
	// MIN_FIRST uses steps of 2·256/255/256 and snaps -1 to a whole number
	// of them (in float32, -1/step rounds to -127), so 0 does not decode to
	// -1 as the textbook formula min + q·(max-min)/255 would say.
	q, _ := tensor.FromRaw(tensor.Quint8, []int64{4}, []byte{0, 1, 128, 255})
	w, err := graphrun.Dequantize(q, -1, 1, "MIN_FIRST")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := w.Float32s()
	fmt.Printf("%.6f\n", v)
	// Output: [-0.996078 -0.988235 0.007843 1.003922]
}
