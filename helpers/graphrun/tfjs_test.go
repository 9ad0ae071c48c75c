package graphrun

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gotl/gotl/helpers/tensor"
)

// A fixture written by tools/tfjsref/gen.js: a tiny graph, its inputs, and
// TensorFlow.js's output and gradients.
type tfjsFixture struct {
	Name  string `json:"name"`
	Nodes []struct {
		Name   string                    `json:"name"`
		Op     string                    `json:"op"`
		Inputs []string                  `json:"inputs"`
		Attrs  map[string]map[string]any `json:"attrs"`
	} `json:"nodes"`
	Feeds            map[string]json.RawMessage `json:"feeds"`
	Consts           map[string]json.RawMessage `json:"consts"`
	Fetch            string                     `json:"fetch"`
	Output           json.RawMessage            `json:"output"`
	DY               json.RawMessage            `json:"dy"`
	Grads            map[string]json.RawMessage `json:"grads"`
	GradsUnavailable string                     `json:"grads_unavailable"`
}

func loadFixtures(t *testing.T) []*tfjsFixture {
	t.Helper()
	files, err := filepath.Glob("testdata/tfjs/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata/tfjs (regenerate with tools/tfjsref): %v", err)
	}
	var out []*tfjsFixture
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fx := &tfjsFixture{}
		if err := json.Unmarshal(data, fx); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, fx)
	}
	return out
}

func mustJSONTensor(t *testing.T, raw json.RawMessage) *tensor.Tensor {
	t.Helper()
	tt, err := tensor.FromJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

func attrFromJSON(t *testing.T, m map[string]any) *attrpb.AttrValue {
	t.Helper()
	for k, v := range m {
		switch k {
		case "i":
			return &attrpb.AttrValue{Value: &attrpb.AttrValue_I{I: int64(v.(float64))}}
		case "f":
			return &attrpb.AttrValue{Value: &attrpb.AttrValue_F{F: float32(v.(float64))}}
		case "b":
			return &attrpb.AttrValue{Value: &attrpb.AttrValue_B{B: v.(bool)}}
		case "s":
			return &attrpb.AttrValue{Value: &attrpb.AttrValue_S{S: []byte(v.(string))}}
		case "type":
			dt, err := tensor.ParseDType(v.(string))
			if err != nil {
				t.Fatal(err)
			}
			return &attrpb.AttrValue{Value: &attrpb.AttrValue_Type{Type: dt}}
		case "ints":
			var is []int64
			for _, x := range v.([]any) {
				is = append(is, int64(x.(float64)))
			}
			return &attrpb.AttrValue{Value: &attrpb.AttrValue_List{List: &attrpb.AttrValue_ListValue{I: is}}}
		}
	}
	t.Fatalf("unknown attribute form %v", m)
	return nil
}

// toDouble converts a float32 tensor to float64 (for finite differences).
func toDouble(t *testing.T, x *tensor.Tensor) *tensor.Tensor {
	if x.DType != tensor.Float {
		return x
	}
	v, _ := x.Float64s()
	d, err := tensor.FromFloat64s(x.Shape, v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// build returns the fixture's GraphDef (feeds as Placeholders, consts as
// Const nodes) and its sorted feed names and tensors. double turns float
// feeds into float64.
func (fx *tfjsFixture) build(t *testing.T, double bool) (*Graph, []string, []*tensor.Tensor) {
	t.Helper()
	def := &graphpb.GraphDef{}
	var names []string
	for name := range fx.Feeds {
		names = append(names, name)
	}
	sort.Strings(names)
	var feeds []*tensor.Tensor
	for _, name := range names {
		x := mustJSONTensor(t, fx.Feeds[name])
		if double {
			x = toDouble(t, x)
		}
		feeds = append(feeds, x)
		def.Node = append(def.Node, &nodepb.NodeDef{Name: name, Op: "Placeholder",
			Attr: map[string]*attrpb.AttrValue{"dtype": {Value: &attrpb.AttrValue_Type{Type: x.DType}}}})
	}
	for name, raw := range fx.Consts {
		c := mustJSONTensor(t, raw)
		def.Node = append(def.Node, &nodepb.NodeDef{Name: name, Op: "Const", Attr: map[string]*attrpb.AttrValue{
			"dtype": {Value: &attrpb.AttrValue_Type{Type: c.DType}},
			"value": {Value: &attrpb.AttrValue_Tensor{Tensor: c.ToProto()}},
		}})
	}
	for _, n := range fx.Nodes {
		nd := &nodepb.NodeDef{Name: n.Name, Op: n.Op, Input: n.Inputs, Attr: map[string]*attrpb.AttrValue{}}
		for k, v := range n.Attrs {
			nd.Attr[k] = attrFromJSON(t, v)
		}
		def.Node = append(def.Node, nd)
	}
	g, err := FromGraphDef(def)
	if err != nil {
		t.Fatal(err)
	}
	return g, names, feeds
}

func compareTensors(t *testing.T, what string, got, want *tensor.Tensor, atol, rtol float64) {
	t.Helper()
	if got.DType != want.DType && !(tensor.IsInteger(got.DType) && tensor.IsInteger(want.DType)) {
		t.Errorf("%s: dtype %s, want %s", what, got.DType, want.DType)
		return
	}
	if fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) && !(len(got.Shape) == 0 && len(want.Shape) == 0) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape, want.Shape)
		return
	}
	g, err1 := got.Float64s()
	w, err2 := want.Float64s()
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: %v %v", what, err1, err2)
	}
	worst, at := 0.0, -1
	for i := range w {
		d := math.Abs(g[i] - w[i])
		if d > atol+rtol*math.Abs(w[i]) && d > worst {
			worst, at = d, i
		}
	}
	if at >= 0 {
		t.Errorf("%s: element %d = %v, want %v (|diff| %.3g)", what, at, g[at], w[at], worst)
	}
}

// gradients returns, on the default backend, loss = Σ out·dy and its
// gradients with respect to every feed.
func gradients(t *testing.T, m *Model, feeds []*tensor.Tensor, dy *tensor.Tensor) (float64, []*tensor.Tensor) {
	t.Helper()
	b, err := DefaultBackend()
	if err != nil {
		t.Fatal(err)
	}
	dyG, err := ToGoMLX(dy)
	if err != nil {
		t.Fatal(err)
	}
	e, err := context.NewExec(b, context.New(), func(ctx *context.Context, inputs []*graph.Node) []*graph.Node {
		out := m.Call(ctx, inputs...)[0]
		d := graph.ConstTensor(out.Graph(), dyG)
		if d.DType() != out.DType() {
			d = graph.ConvertDType(d, out.DType())
		}
		loss := graph.ReduceAllSum(graph.Mul(out, d))
		return append([]*graph.Node{loss}, graph.Gradient(loss, inputs...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	args := make([]any, len(feeds))
	for i, f := range feeds {
		if args[i], err = ToGoMLX(f); err != nil {
			t.Fatal(err)
		}
	}
	outs, err := e.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	res := make([]*tensor.Tensor, len(feeds))
	for i := range feeds {
		if res[i], err = FromGoMLX(outs[1+i]); err != nil {
			t.Fatal(err)
		}
	}
	l, _ := FromGoMLX(outs[0])
	lv, _ := l.Float64s()
	return lv[0], res
}

func TestTFJSFixtures(t *testing.T) {
	covered := map[string]bool{}
	for _, fx := range loadFixtures(t) {
		t.Run(fx.Name, func(t *testing.T) {
			for _, n := range fx.Nodes {
				covered[n.Op] = true
			}
			g, names, feeds := fx.build(t, false)
			m, err := NewModel(g, names, []string{fx.Fetch})
			if err != nil {
				t.Fatal(err)
			}
			out, err := m.Run(feeds...)
			if err != nil {
				t.Fatal(err)
			}
			compareTensors(t, "output", out[0], mustJSONTensor(t, fx.Output), 2e-5, 1e-4)
			if len(fx.DY) == 0 {
				return
			}
			dy := mustJSONTensor(t, fx.DY)
			_, grads := gradients(t, m, feeds, dy)
			for i, name := range names {
				// Two tfjs gradients are wrong, and are skipped (graphrun's are
				// checked by finite differences below): AvgPool with SAME padding
				// divides by the full window where TF's AvgPoolGrad divides by the
				// real element count; MirrorPad's drops the mirrored parts.
				skip := strings.HasPrefix(fx.Name, "avgpool_same") || strings.HasPrefix(fx.Name, "mirror_pad")
				if raw, ok := fx.Grads[name]; ok && !skip {
					compareTensors(t, "tfjs gradient wrt "+name, grads[i], mustJSONTensor(t, raw), 1e-4, 1e-3)
				}
			}
			checkFiniteDifferences(t, fx, names, dy)
		})
	}
	// Every op a fixture uses is one graphrun claims to support (and the
	// fixtures exercise most of them).
	for op := range covered {
		if ops[op] == nil {
			t.Errorf("fixture op %s is not in the op table", op)
		}
	}
	t.Logf("tfjs fixtures cover %d of %d supported ops", len(covered), len(ops))
}

// checkFiniteDifferences compares the float64 gradient with central
// differences of the float64 forward pass at a few random elements.
func checkFiniteDifferences(t *testing.T, fx *tfjsFixture, names []string, dy *tensor.Tensor) {
	g, _, feeds := fx.build(t, true)
	m, err := NewModel(g, names, []string{fx.Fetch})
	if err != nil {
		t.Fatal(err)
	}
	dy64 := toDouble(t, dy)
	_, grads := gradients(t, m, feeds, dy64)
	lossAt := func() float64 {
		outs, err := m.Run(feeds...)
		if err != nil {
			t.Fatal(err)
		}
		o, _ := outs[0].Float64s()
		d, _ := dy64.Float64s()
		s := 0.0
		for i := range o {
			s += o[i] * d[i]
		}
		return s
	}
	r := rand.New(rand.NewPCG(uint64(len(fx.Name)), 1))
	for i, name := range names {
		x := feeds[i]
		if x.DType != tensor.Double {
			continue
		}
		gv, _ := grads[i].Float64s()
		xv, _ := x.Float64s()
		for k := 0; k < 3 && k < len(xv); k++ {
			j := r.IntN(len(xv))
			const h = 1e-5
			set := func(v float64) {
				xv2 := append([]float64(nil), xv...)
				xv2[j] = v
				nt, _ := tensor.FromFloat64s(x.Shape, xv2)
				feeds[i] = nt
			}
			set(xv[j] + h)
			up := lossAt()
			set(xv[j] - h)
			down := lossAt()
			feeds[i] = x
			fd := (up - down) / (2 * h)
			if math.Abs(fd-gv[j]) > 1e-5+1e-4*math.Abs(fd) {
				t.Errorf("d loss / d %s[%d]: gradient %.8g, finite difference %.8g", name, j, gv[j], fd)
			}
		}
	}
}

func TestSupportedListsOps(t *testing.T) {
	s := Supported()
	if len(s) < 80 || !sort.StringsAreSorted(s) {
		t.Fatalf("Supported() = %d ops, sorted=%v", len(s), sort.StringsAreSorted(s))
	}
	for _, op := range []string{"Conv2D", "DepthwiseConv2dNative", "FusedBatchNormV3", "Dequantize", "StridedSlice", "DecodeJpeg", "PlaceholderWithDefault"} {
		if !strings.Contains(strings.Join(s, ","), op) {
			t.Errorf("Supported() lacks %s", op)
		}
	}
}
