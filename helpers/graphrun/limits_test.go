package graphrun

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
)

func parseText(t testing.TB, text string) (*Graph, error) {
	t.Helper()
	gf, err := graphfile.Parse([]byte(text), "test.pbtxt")
	if err != nil {
		t.Fatal(err)
	}
	return FromGraphDef(gf.Def)
}

const placeholderX = `node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "shape" value { shape { dim { size: 1 } } } } }
`

// A cycle of control edges used to run with exit status 0 (conversion
// skips control edges); TensorFlow refuses any cycle that is not a while
// loop's NextIteration → Merge edge, and so does FromGraphDef.
func TestCyclesAreRefused(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"control": {placeholderX + `
node { name: "a" op: "Identity" input: "x" input: "^b" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "b" op: "Identity" input: "x" input: "^a" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "y" op: "Identity" input: "a" attr { key: "T" value { type: DT_FLOAT } } }`,
			"graphrun: the graph has a cycle, a → ^b → ^a (each node has the next as an input; ^ marks a control input); 3 nodes are in or behind cycles"},
		"data": {placeholderX + `
node { name: "a" op: "AddV2" input: "x" input: "c" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "b" op: "Relu" input: "a" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "c" op: "Relu" input: "b" attr { key: "T" value { type: DT_FLOAT } } }`,
			"graphrun: the graph has a cycle, a → c → b → a"},
		"self": {placeholderX + `node { name: "a" op: "Identity" input: "x" input: "^a" }`,
			"graphrun: the graph has a cycle, a → ^a "},
	} {
		_, err := parseText(t, tc.text)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s cycle: %v\nwant prefix %q", name, err, tc.want)
		}
	}
	// A TF1 while loop's back edge is not a cycle for this check; graphs
	// holding one still load (their loop cannot be converted).
	loop := placeholderX + `
node { name: "enter" op: "Enter" input: "x" }
node { name: "merge" op: "Merge" input: "enter" input: "next" }
node { name: "body" op: "Relu" input: "merge" }
node { name: "next" op: "NextIteration" input: "body" }`
	if _, err := parseText(t, loop); err != nil {
		t.Errorf("while loop: %v", err)
	}
}

// An input "x:7" on a Placeholder names its missing output, instead of
// "placeholder is not fed".
func TestBadOutputIndexIsNamed(t *testing.T) {
	_, err := parseText(t, placeholderX+`node { name: "y" op: "Identity" input: "x:7" attr { key: "T" value { type: DT_FLOAT } } }`)
	want := `graphrun: node "y" has input "x:7", but "x" is a Placeholder, which has one output (x:0)`
	if err == nil || err.Error() != want {
		t.Errorf("input x:7: %v\nwant %s", err, want)
	}
	g, err := parseText(t, placeholderX+`node { name: "y" op: "Identity" input: "x" attr { key: "T" value { type: DT_FLOAT } } }`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewModel(g, []string{"x:7"}, []string{"y"})
	want = `graphrun: "x:7" names output 7 of "x", a Placeholder, which has one output (x:0)`
	if err == nil || err.Error() != want {
		t.Errorf("feed x:7: %v\nwant %s", err, want)
	}
}

// identityChain is x → i0 → i1 → … → i(n-1).
func identityChain(n int) *graphpb.GraphDef {
	f := &attrpb.AttrValue{Value: &attrpb.AttrValue_Type{Type: tensor.Float}}
	def := &graphpb.GraphDef{Node: []*nodepb.NodeDef{{Name: "x", Op: "Placeholder", Attr: map[string]*attrpb.AttrValue{"dtype": f}}}}
	prev := "x"
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("i%d", i)
		def.Node = append(def.Node, &nodepb.NodeDef{Name: name, Op: "Identity", Input: []string{prev}, Attr: map[string]*attrpb.AttrValue{"T": f}})
		prev = name
	}
	return def
}

func runChain(t testing.TB, def *graphpb.GraphDef) {
	g, err := FromGraphDef(def)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(g, []string{"x:0"}, []string{def.Node[len(def.Node)-1].Name})
	if err != nil {
		t.Fatal(err)
	}
	x, _ := tensor.FromFloat32s([]int64{1}, []float32{3})
	out, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := out[0].Float32s(); v[0] != 3 {
		t.Fatalf("chain output %v", v)
	}
}

// Conversion walks the graph with an explicit stack: a long chain needs no
// goroutine stack proportional to its length (the recursive converter used
// about 300 bytes of stack per node, and a cycle check that rescanned the
// path, quadratic time: 85 s for a 200k-node chain). Under a 16 MB stack
// limit a 100k-node chain must convert; a recursive walk would crash.
func TestLongChainConvertsWithBoundedStack(t *testing.T) {
	if testing.Short() {
		t.Skip("converts a 100,000-node graph (about 1 s)")
	}
	def := identityChain(100000)
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	runChain(t, def)
}

// BenchmarkChainConversion converts Identity chains of 20k and 200k nodes
// in the same run and reports the time per node of each and their ratio
// (≈1 when conversion is linear; it was ≈10 before).
//
//	go test -run XXX -bench ChainConversion -benchtime 1x ./helpers/graphrun/
func BenchmarkChainConversion(b *testing.B) {
	small, large := identityChain(20000), identityChain(200000)
	perNode := func(def *graphpb.GraphDef) float64 {
		t0 := time.Now()
		runChain(b, def)
		return float64(time.Since(t0).Nanoseconds()) / float64(len(def.Node))
	}
	for i := 0; i < b.N; i++ {
		s, l := perNode(small), perNode(large)
		b.ReportMetric(s, "ns/node-20k")
		b.ReportMetric(l, "ns/node-200k")
		b.ReportMetric(l/s, "ratio")
	}
}

// Tensors computed from constants only are held to limits.TensorElements,
// like the Consts themselves: a Fill of a constant shape cannot allocate
// gigabytes while the graph is converted or run.
func TestConstantOnlyTensorsAreBounded(t *testing.T) {
	fill := `node { name: "dims" op: "Const" attr { key: "dtype" value { type: DT_INT32 } } attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 100000 int_val: 100000 } } } }
node { name: "v" op: "Const" attr { key: "dtype" value { type: %s } } attr { key: "value" value { tensor { dtype: %s tensor_shape { } %s: 1 } } } }
node { name: "f" op: "Fill" input: "dims" input: "v" attr { key: "T" value { type: %s } } }`
	for _, dt := range []struct{ name, field string }{{"DT_FLOAT", "float_val"}, {"DT_INT32", "int_val"}} {
		g, err := parseText(t, fmt.Sprintf(fill, dt.name, dt.name, dt.field, dt.name))
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(g, nil, []string{"f"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Run()
		if !errors.Is(err, limits.ErrExceeded) || !strings.Contains(err.Error(), `node "f" (op Fill)`) || !strings.Contains(err.Error(), "output of shape [100000 100000] computed from constants needs 10000000000 elements") {
			t.Errorf("%s Fill: %v", dt.name, err)
		}
	}
	// The 217-byte Const: shape [100000000], one float_val.
	g, err := parseText(t, `node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 100000000 } } float_val: 1 } } } }`)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(g, nil, []string{"c"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err = m.Run(); !errors.Is(err, limits.ErrExceeded) || !strings.Contains(err.Error(), "DT_FLOAT tensor of shape [100000000] needs 100000000 elements") {
		t.Errorf("big Const: %v", err)
	}
}
