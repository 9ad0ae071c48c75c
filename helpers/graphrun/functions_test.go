package graphrun

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	funcpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/function_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	opdefpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/op_def_go_proto"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

// A GraphDef shaped like a frozen TF2 SavedModel: the outputs come from
// calls into the function library, with the weight w passed as a resource.
//
//	pc = outer(x, w, b):  y = scale(x, w) + b, passthrough = b
//	scale(u, r) = u * ReadVariableOp(r)
const functionGraph = `
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 3 float_val: -1 } } } }
node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { } float_val: 0.25 } } } }
node { name: "pc" op: "StatefulPartitionedCall" input: "x" input: "w" input: "b" input: "^x"
  attr { key: "Tin" value { list { type: DT_FLOAT type: DT_RESOURCE type: DT_FLOAT } } }
  attr { key: "Tout" value { list { type: DT_FLOAT type: DT_FLOAT } } }
  attr { key: "f" value { func { name: "outer" } } } }
node { name: "direct" op: "scale" input: "x" input: "w" }
node { name: "to_int" op: "poly" input: "x" attr { key: "OutT" value { type: DT_INT32 } } }
node { name: "no_attr" op: "poly" input: "x" }
node { name: "misnamed_call" op: "PartitionedCall" input: "x"
  attr { key: "Tout" value { list { type: DT_FLOAT } } } attr { key: "f" value { func { name: "misnamed" } } } }
node { name: "recursive_call" op: "PartitionedCall" input: "x"
  attr { key: "Tout" value { list { type: DT_FLOAT } } } attr { key: "f" value { func { name: "loop" } } } }
node { name: "fancy_call" op: "PartitionedCall" input: "x"
  attr { key: "Tout" value { list { type: DT_FLOAT } } } attr { key: "f" value { func { name: "fancy" } } } }
node { name: "missing_call" op: "PartitionedCall" input: "x"
  attr { key: "Tout" value { list { type: DT_FLOAT } } } attr { key: "f" value { func { name: "nowhere" } } } }
library {
  function {
    signature { name: "scale"
      input_arg { name: "u" type: DT_FLOAT } input_arg { name: "r" type: DT_RESOURCE }
      output_arg { name: "scaled" type: DT_FLOAT } }
    node_def { name: "read" op: "ReadVariableOp" input: "r" attr { key: "dtype" value { type: DT_FLOAT } } }
    node_def { name: "m" op: "Mul" input: "u" input: "read:value:0" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "scaled" value: "m:z:0" }
  }
  function {
    signature { name: "outer"
      input_arg { name: "x" type: DT_FLOAT } input_arg { name: "v" type: DT_RESOURCE } input_arg { name: "c" type: DT_FLOAT }
      output_arg { name: "y" type: DT_FLOAT } output_arg { name: "passthrough" type: DT_FLOAT }
      control_output: "NoOp" }
    node_def { name: "call" op: "StatefulPartitionedCall" input: "x" input: "v"
      attr { key: "Tin" value { list { type: DT_FLOAT type: DT_RESOURCE } } }
      attr { key: "Tout" value { list { type: DT_FLOAT } } }
      attr { key: "f" value { func { name: "scale" } } } }
    node_def { name: "both" op: "IdentityN" input: "call:output:0" input: "c"
      attr { key: "T" value { list { type: DT_FLOAT type: DT_FLOAT } } } }
    node_def { name: "add" op: "AddV2" input: "both:output:0" input: "both:output:1" attr { key: "T" value { type: DT_FLOAT } } }
    node_def { name: "NoOp" op: "NoOp" input: "^call" }
    node_def { name: "res" op: "Identity" input: "add:z:0" input: "^NoOp" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "res:output:0" }
    ret { key: "passthrough" value: "both:output:1" }
    control_ret { key: "NoOp" value: "NoOp" }
  }
  function {
    signature { name: "poly" input_arg { name: "u" type: DT_FLOAT } output_arg { name: "out" type_attr: "OutT" }
      attr { name: "OutT" type: "type" } }
    node_def { name: "cast" op: "Cast" input: "u"
      attr { key: "SrcT" value { type: DT_FLOAT } } attr { key: "DstT" value { placeholder: "OutT" } } }
    ret { key: "out" value: "cast:y:0" }
  }
  function {
    signature { name: "misnamed" input_arg { name: "u" type: DT_FLOAT } output_arg { name: "out" type: DT_FLOAT } }
    node_def { name: "m" op: "Mul" input: "u" input: "u" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "out" value: "m:product:0" }
  }
  function {
    signature { name: "loop" input_arg { name: "u" type: DT_FLOAT } output_arg { name: "out" type: DT_FLOAT } }
    node_def { name: "again" op: "PartitionedCall" input: "u"
      attr { key: "Tout" value { list { type: DT_FLOAT } } } attr { key: "f" value { func { name: "loop" } } } }
    ret { key: "out" value: "again:output:0" }
  }
  function {
    signature { name: "fancy" input_arg { name: "u" type: DT_FLOAT } output_arg { name: "out" type: DT_FLOAT } }
    node_def { name: "f" op: "FancyOp" input: "u" }
    node_def { name: "unused" op: "OtherFancyOp" input: "u" }
    ret { key: "out" value: "f:y:0" }
  }
}
`

func functionTestGraph(t *testing.T) *Graph {
	t.Helper()
	def := &graphpb.GraphDef{}
	if err := prototext.Unmarshal([]byte(functionGraph), def); err != nil {
		t.Fatal(err)
	}
	g, err := FromGraphDef(def)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func runFetches(t *testing.T, g *Graph, fetches []string, feeds ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	t.Helper()
	m, err := NewModel(g, []string{"x:0"}, fetches)
	if err != nil {
		t.Fatal(err)
	}
	return m.Run(feeds...)
}

func TestFunctionCallInlining(t *testing.T) {
	g := functionTestGraph(t)
	x, _ := tensor.FromFloat32s([]int64{2}, []float32{1, 2})
	out, err := runFetches(t, g, []string{"pc:0", "pc:1", "direct:0"}, x)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		name  string
		shape []int64
		want  []float32
	}{
		{"pc:0 = x*w + b (nested call, IdentityN's second output)", []int64{2}, []float32{3.25, -1.75}},
		{"pc:1 = b (flat output 1)", nil, []float32{0.25}},
		{"direct:0 = x*w (call by function name)", []int64{2}, []float32{3, -2}},
	} {
		got := floats(t, out[i])
		if fmt.Sprint(out[i].Shape) != fmt.Sprint(c.shape) || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v %v, want %v %v", c.name, out[i].Shape, got, c.shape, c.want)
		}
	}
}

func TestFunctionAttrPlaceholders(t *testing.T) {
	g := functionTestGraph(t)
	x, _ := tensor.FromFloat32s([]int64{3}, []float32{1.9, -2.5, 7})
	out, err := runFetches(t, g, []string{"to_int:0"}, x)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].DType != tensor.Int32 {
		t.Fatalf("$OutT = DT_INT32 not applied: got %v", out[0].DType)
	}
	if got, _ := out[0].Int64s(); fmt.Sprint(got) != "[1 -2 7]" {
		t.Errorf("Cast to int32: got %v, want [1 -2 7]", got)
	}
	_, err = runFetches(t, g, []string{"no_attr:0"}, x)
	if err == nil || !strings.Contains(err.Error(), `no_attr/cast`) || !strings.Contains(err.Error(), "$OutT") {
		t.Errorf("a call without the attribute a placeholder needs: got %v", err)
	}
}

func TestFunctionWeightsStayTrainable(t *testing.T) {
	g := functionTestGraph(t)
	m, err := NewModel(g, []string{"x:0"}, []string{"pc:0"}, Trainable(`^w$`))
	if err != nil {
		t.Fatal(err)
	}
	backend, err := DefaultBackend()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	gradFn, err := context.NewExec(backend, ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
		loss := graph.ReduceAllSum(m.Call(ctx, x)[0])
		return ctx.BuildTrainableVariablesGradientsGraph(loss)
	})
	if err != nil {
		t.Fatal(err)
	}
	grads, err := gradFn.Exec([]float32{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if v := m.Variables(ctx)["w"]; v == nil || !v.Trainable {
		t.Fatalf("w, passed into the function as a resource, should be a trainable variable: %v", m.Variables(ctx))
	}
	if got := fmt.Sprint(grads[0].Value()); got != "[1 2]" {
		t.Errorf("d sum(x*w+b)/dw = %s, want [1 2]", got)
	}
}

func TestFunctionErrors(t *testing.T) {
	g := functionTestGraph(t)
	x, _ := tensor.FromFloat32s([]int64{1}, []float32{1})
	for _, c := range []struct{ fetch, want string }{
		{"misnamed_call:0", `op Mul has no output argument "product" (its outputs: z)`},
		{"recursive_call:0", `function "loop" calls itself`},
		{"missing_call:0", `function "nowhere" is not in the graph's function library`},
	} {
		_, err := runFetches(t, g, []string{c.fetch}, x)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one mentioning %q", c.fetch, err, c.want)
		}
	}
	// Unsupported ops inside functions are listed by NewModel, with the
	// function's name, and only those the outputs need.
	_, err := NewModel(g, []string{"x:0"}, []string{"fancy_call:0"})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "FancyOp (fancy/f)") || len(ue.Ops["OtherFancyOp"]) != 0 {
		t.Errorf("want an UnsupportedError naming FancyOp (fancy/f) only, got %v", err)
	}
}

func TestFunctionCallDepthIsBounded(t *testing.T) {
	const n = maxCallDepth + 3
	floatT := &attrpb.AttrValue{Value: &attrpb.AttrValue_List{List: &attrpb.AttrValue_ListValue{Type: []tensor.DType{tensor.Float}}}}
	lib := &funcpb.FunctionDefLibrary{}
	for i := 0; i < n; i++ {
		body := &nodepb.NodeDef{Name: "id", Op: "Identity", Input: []string{"u"}}
		ret := "id:output:0"
		if i+1 < n {
			body = &nodepb.NodeDef{Name: "next", Op: "PartitionedCall", Input: []string{"u"}, Attr: map[string]*attrpb.AttrValue{
				"Tout": floatT, "f": {Value: &attrpb.AttrValue_Func{Func: &attrpb.NameAttrList{Name: fmt.Sprintf("f%d", i+1)}}}}}
			ret = "next:output:0"
		}
		lib.Function = append(lib.Function, &funcpb.FunctionDef{
			Signature: &opdefpb.OpDef{Name: fmt.Sprintf("f%d", i),
				InputArg:  []*opdefpb.OpDef_ArgDef{{Name: "u", Type: tensor.Float}},
				OutputArg: []*opdefpb.OpDef_ArgDef{{Name: "out", Type: tensor.Float}}},
			NodeDef: []*nodepb.NodeDef{body},
			Ret:     map[string]string{"out": ret},
		})
	}
	def := &graphpb.GraphDef{Library: lib, Node: []*nodepb.NodeDef{
		{Name: "x", Op: "Placeholder", Attr: map[string]*attrpb.AttrValue{"dtype": {Value: &attrpb.AttrValue_Type{Type: tensor.Float}}}},
		{Name: "y", Op: "f0", Input: []string{"x"}},
	}}
	g, err := FromGraphDef(def)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := tensor.FromFloat32s([]int64{1}, []float32{1})
	_, err = runFetches(t, g, []string{"y:0"}, x)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("nested deeper than %d", maxCallDepth)) {
		t.Errorf("want the depth guard's error, got %v", err)
	}
}

func TestOutputIndex(t *testing.T) {
	g := functionTestGraph(t)
	split := &nodepb.NodeDef{Op: "Split", Attr: map[string]*attrpb.AttrValue{"num_split": {Value: &attrpb.AttrValue_I{I: 3}}}}
	bn := &nodepb.NodeDef{Op: "FusedBatchNormV3"}
	call := g.Node("pc")
	for _, c := range []struct {
		n    *nodepb.NodeDef
		arg  string
		idx  int
		want int
		err  string
	}{
		{split, "output", 2, 2, ""},
		{split, "output", 3, 0, "has 3 tensors, index 3 requested"},
		{bn, "batch_variance", 0, 2, ""},
		{bn, "reserve_space_3", 0, 5, ""},
		{call, "output", 1, 1, ""},
		{&nodepb.NodeDef{Op: "scale"}, "scaled", 0, 0, ""},
		{&nodepb.NodeDef{Op: "NoOp"}, "output", 0, 0, "op NoOp has no outputs"},
		{&nodepb.NodeDef{Op: "FancyOp"}, "out", 0, 0, `output argument names of op FancyOp (asked for "out")`},
	} {
		got, err := g.outputIndex(c.n, c.arg, c.idx)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %s:%d: got %d, %v; want error %q", c.n.Op, c.arg, c.idx, got, err, c.err)
			}
		} else if err != nil || got != c.want {
			t.Errorf("%s %s:%d: got %d, %v; want %d", c.n.Op, c.arg, c.idx, got, err, c.want)
		}
	}
}

// Every op graphrun converts can appear in a function body, so each needs
// its output argument names.
func TestEverySupportedOpHasOutputNames(t *testing.T) {
	for _, op := range Supported() {
		if _, ok := outputArgs[op]; !ok {
			t.Errorf("op %s has no entry in outputArgs", op)
		}
	}
}

func TestDuplicateFunctionNames(t *testing.T) {
	f := &funcpb.FunctionDef{Signature: &opdefpb.OpDef{Name: "twice"}}
	_, err := FromGraphDef(&graphpb.GraphDef{Library: &funcpb.FunctionDefLibrary{Function: []*funcpb.FunctionDef{f, f}}})
	if err == nil || !strings.Contains(err.Error(), `function "twice" appears twice`) {
		t.Errorf("got %v", err)
	}
}

// The TF2 half_plus_two SavedModel keeps y = a*x + b in functions called
// through StatefulPartitionedCall, with a and b passed as resources.
func TestHalfPlusTwoTF2SavedModel(t *testing.T) {
	dir := tfdata.Path(t, "serving_half_plus_two_tf2/00000123")
	for _, c := range []struct {
		feed, fetch string
		add         float32
	}{
		{"serving_default_x:0", "StatefulPartitionedCall_5:0", 2},       // serving_default: a*x + b
		{"regress_x2_to_y3_inputs:0", "StatefulPartitionedCall_2:0", 3}, // a*x + c
		{"classify_x2_to_y3_inputs:0", "StatefulPartitionedCall:0", 3},
	} {
		node, _, _ := ParseTensorName(c.fetch)
		g, err := LoadSavedModel(dir, nil, node)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(g, []string{c.feed}, []string{c.fetch})
		if err != nil {
			t.Fatal(err)
		}
		for _, xv := range []float32{0, 1, -3.5, 1e6} {
			x, _ := tensor.FromFloat32s([]int64{1}, []float32{xv})
			out, err := m.Run(x)
			if err != nil {
				t.Fatal(err)
			}
			if got := floats(t, out[0]); len(got) != 1 || got[0] != 0.5*xv+c.add {
				t.Errorf("%s(%v) = %v, want %v exactly", c.fetch, xv, got, 0.5*xv+c.add)
			}
		}
	}
	// The string signatures parse tf.Examples: reported, inside the function.
	g, err := LoadSavedModel(dir, nil, "StatefulPartitionedCall_3")
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewModel(g, []string{"regress_x_to_y_inputs:0"}, []string{"StatefulPartitionedCall_3:0"})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || len(ue.Ops["ParseExampleV2"]) == 0 {
		t.Errorf("want ParseExampleV2 reported as unsupported, got %v", err)
	}
	// The unfrozen graph's variables are VarHandleOps: reported, not run.
	sm, err := graphfile.LoadSavedModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	mg, err := sm.MetaGraph("serve")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := FromGraphDef(mg.Graph.Def)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewModel(raw, []string{"serving_default_x:0"}, []string{"StatefulPartitionedCall_5:0"}); err == nil || !strings.Contains(err.Error(), "VarHandleOp (a, b)") {
		t.Errorf("unfrozen: want VarHandleOp (a, b) reported, got %v", err)
	}
}

// FuzzFunctionCalls: hostile function libraries give errors, never panics
// or endless recursion.
func FuzzFunctionCalls(f *testing.F) {
	def := &graphpb.GraphDef{}
	if err := prototext.Unmarshal([]byte(functionGraph), def); err != nil {
		f.Fatal(err)
	}
	seed, _ := proto.Marshal(def)
	f.Add(seed, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, fetch uint8) {
		def := &graphpb.GraphDef{}
		if proto.Unmarshal(data, def) != nil || len(def.Node) == 0 || len(def.Node) > 64 || len(def.GetLibrary().GetFunction()) > 64 {
			return
		}
		g, err := FromGraphDef(def)
		if err != nil || g.Node("x") == nil {
			return
		}
		m, err := NewModel(g, []string{"x:0"}, []string{def.Node[int(fetch)%len(def.Node)].Name})
		if err != nil {
			return
		}
		_, _ = m.MultiplyAdds([]int{2})
	})
}
