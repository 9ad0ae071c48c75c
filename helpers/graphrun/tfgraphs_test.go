package graphrun

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

func TestQuantizedMobileNet(t *testing.T) {
	gq, err := Load(tfdata.Path(t, "mobilenet_v1_025_128_quantized/quantized_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	// Dequantize MIN_FIRST, checked element by element against TF's formula
	// written out here independently (float64 steps, snapped minimum).
	for _, n := range gq.def.Node {
		if n.Op != "Dequantize" {
			continue
		}
		if got := attrString(n, "mode", ""); got != "MIN_FIRST" {
			t.Fatalf("%s: mode %q, want MIN_FIRST", n.Name, got)
		}
		get := func(name string) *tensor.Tensor {
			tt, err := tensor.FromProto(gq.nodes[name].Attr["value"].GetTensor())
			if err != nil {
				t.Fatal(err)
			}
			return tt
		}
		q := get(strings.TrimSuffix(n.Input[0], ":0"))
		lo, _ := get(n.Input[1]).Float64s()
		hi, _ := get(n.Input[2]).Float64s()
		out, err := Dequantize(q, float32(lo[0]), float32(hi[0]), "MIN_FIRST")
		if err != nil {
			t.Fatal(err)
		}
		qs, _ := q.Int64s()
		got := floats(t, out)
		scale := float32((hi[0] - lo[0]) * 256 / 255 / 256)
		minR := float32(math.Round(float64(float32(lo[0])/scale))) * scale
		textbookDiff := 0.0
		for i, v := range qs {
			want := float32(float64(minR) + float64(v)*float64(scale))
			if got[i] != want {
				t.Fatalf("%s[%d] = %v, want %v", n.Name, i, got[i], want)
			}
			textbook := lo[0] + float64(v)*(hi[0]-lo[0])/255
			textbookDiff = math.Max(textbookDiff, math.Abs(textbook-float64(got[i])))
		}
		if textbookDiff == 0 {
			t.Errorf("%s: snapped minimum changed nothing; the test data should exercise it", n.Name)
		}
		t.Logf("%s: %d values, max |TF - textbook| = %.3g", n.Name, len(qs), textbookDiff)
	}

	mq, err := NewModel(gq, []string{"input:0"}, []string{"MobilenetV1/Predictions/Reshape:0", "MobilenetV1/Predictions/Reshape_1:0"})
	if err != nil {
		t.Fatal(err)
	}
	gf, err := Load(tfdata.Path(t, "retrain_poets_mobilenet025_128/retrained_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	mf, err := NewModel(gf, []string{"input:0"}, []string{"MobilenetV1/Predictions/Reshape:0"})
	if err != nil {
		t.Fatal(err)
	}
	img := syntheticImage(t, 1, 128, 128, 3)
	oq, err := mq.Run(img)
	if err != nil {
		t.Fatal(err)
	}
	of, err := mf.Run(img)
	if err != nil {
		t.Fatal(err)
	}
	lq, lf, pq := floats(t, oq[0]), floats(t, of[0]), floats(t, oq[1])
	if len(lq) != 1001 || len(lf) != 1001 {
		t.Fatalf("logits have %d and %d values, want 1001", len(lq), len(lf))
	}
	sum := 0.0
	for _, p := range pq {
		sum += float64(p)
	}
	if math.Abs(sum-1) > 1e-4 {
		t.Errorf("quantized graph's softmax sums to %v", sum)
	}
	// The quantized graph is Google's quantization of the same checkpoint the
	// retrain graph embeds in float: logits should agree closely.
	argmax := func(v []float32) int {
		best := 0
		for i := range v {
			if v[i] > v[best] {
				best = i
			}
		}
		return best
	}
	var maxDiff, maxAbs float64
	for i := range lq {
		maxDiff = math.Max(maxDiff, math.Abs(float64(lq[i]-lf[i])))
		maxAbs = math.Max(maxAbs, math.Abs(float64(lf[i])))
	}
	t.Logf("logits: quantized top-1 %d, float top-1 %d, max |diff| %.3g (max |logit| %.3g)", argmax(lq), argmax(lf), maxDiff, maxAbs)
	if argmax(lq) != argmax(lf) || maxDiff > 0.2*maxAbs {
		t.Errorf("quantized and float logits disagree: top-1 %d vs %d, max diff %.3g of %.3g", argmax(lq), argmax(lf), maxDiff, maxAbs)
	}
}

// runLSTM runs the tfdata LSTM graph on its fixed 3-row input, the one the
// TensorFlow.js fixture lstm.json was computed from.
func runLSTM(t *testing.T) (m *Model, x []float32, keep *tensor.Tensor, out []*tensor.Tensor) {
	t.Helper()
	g, err := Load(tfdata.Path(t, "onnx_lstm_frozen/frozen.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if m, err = NewModel(g, []string{"X:0", "keep_prob:0"}, []string{"output:0"}); err != nil {
		t.Fatal(err)
	}
	x = make([]float32, 3*784)
	for i := range x {
		x[i] = float32((i*37)%255) / 255
	}
	xt, _ := tensor.FromFloat32s([]int64{3, 784}, x)
	keep, _ = tensor.FromFloat32s(nil, []float32{1})
	if out, err = m.Run(xt, keep); err != nil {
		t.Fatal(err)
	}
	return m, x, keep, out
}

func TestLSTMGraph(t *testing.T) {
	m, x, keep, out := runLSTM(t)
	if s := out[0].Shape; len(s) != 2 || s[0] != 3 {
		t.Fatalf("output shape %v, want [3, classes]", s)
	}
	// keep_prob = 1 makes dropout the identity, so the result is
	// deterministic and each row independent of the others.
	row, _ := tensor.FromFloat32s([]int64{1, 784}, x[784:2*784])
	out1, err := m.Run(row, keep)
	if err != nil {
		t.Fatal(err)
	}
	all, one := floats(t, out[0]), floats(t, out1[0])
	k := int(out[0].Shape[1])
	for i := 0; i < k; i++ {
		if d := math.Abs(float64(all[k+i] - one[i])); d > 1e-5 {
			t.Errorf("class %d: batch %v vs single %v", i, all[k+i], one[i])
		}
	}
	t.Logf("LSTM output row 1: %v", one)
}

func TestRegressionGraph(t *testing.T) {
	g, err := Load(tfdata.Path(t, "onnx_regression/graphdef/frozen.pb"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(g, []string{"X:0"}, []string{"pred:0"})
	if err != nil {
		t.Fatal(err)
	}
	// W and b come from the graph; check y = W·x + b against them.
	var w, b float64
	for _, n := range g.def.Node {
		if n.Op == "Const" {
			tt, _ := tensor.FromProto(n.Attr["value"].GetTensor())
			v, _ := tt.Float64s()
			switch {
			case strings.HasPrefix(n.Name, "W"):
				w = v[0]
			case strings.HasPrefix(n.Name, "b"):
				b = v[0]
			}
		}
	}
	x, _ := tensor.FromFloat32s([]int64{4}, []float32{-1, 0, 1.5, 10})
	out, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, y := range floats(t, out[0]) {
		xv := []float32{-1, 0, 1.5, 10}[i]
		if want := float32(w)*xv + float32(b); y != want {
			t.Errorf("pred(%v) = %v, want %v", xv, y, want)
		}
	}
}

func TestHalfPlusTwoSavedModel(t *testing.T) {
	dir := filepath.Dir(tfdata.Path(t, "serving_half_plus_two_tf1/00000123/saved_model.pb"))
	sm, err := graphfile.LoadSavedModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	mg, err := sm.MetaGraph("serve")
	if err != nil {
		t.Fatal(err)
	}
	vars, err := sm.Variables()
	if err != nil {
		t.Fatal(err)
	}
	defer vars.Close()
	frozen, err := graphfile.Freeze(mg.Graph, vars, "y")
	if err != nil {
		t.Fatal(err)
	}
	g, err := FromGraphDef(frozen.Def)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(g, []string{"x:0"}, []string{"y:0"})
	if err != nil {
		t.Fatal(err)
	}
	xs := []float32{0, 1, 2, 5, -3.5, 1e6}
	x, _ := tensor.FromFloat32s([]int64{int64(len(xs)), 1}, xs)
	out, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, y := range floats(t, out[0]) {
		if want := 0.5*xs[i] + 2; y != want {
			t.Errorf("y(%v) = %v, want %v exactly", xs[i], y, want)
		}
	}
}

func TestUnsupportedOpsListedTogether(t *testing.T) {
	dir := filepath.Dir(tfdata.Path(t, "serving_half_plus_two_tf1/00000123/saved_model.pb"))
	sm, err := graphfile.LoadSavedModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	mg, err := sm.MetaGraph("serve")
	if err != nil {
		t.Fatal(err)
	}
	g, err := FromGraphDef(mg.Graph.Def)
	if err != nil {
		t.Fatal(err)
	}
	// Unfrozen, y needs variables, and tf_example needs ParseExample.
	_, err = NewModel(g, []string{"tf_example:0"}, []string{"y:0", "y2:0"})
	var ue *UnsupportedError
	if !errors.As(err, &ue) {
		t.Fatalf("want an UnsupportedError, got %v", err)
	}
	for _, op := range []string{"ParseExample", "VariableV2"} {
		if len(ue.Ops[op]) == 0 {
			t.Errorf("error does not list %s: %v", op, err)
		}
	}
	if !strings.Contains(err.Error(), "ParseExample (ParseExample/ParseExample") {
		t.Errorf("error should name the nodes: %v", err)
	}
	t.Log(err)
}

func TestFeedErrors(t *testing.T) {
	g, err := Load(tfdata.Path(t, "retrain_poets_mobilenet025_128/retrained_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewModel(g, nil, []string{"final_result:0"}); err == nil || !strings.Contains(err.Error(), "input") {
		t.Errorf("unfed placeholder: got %v", err)
	}
	if _, err := NewModel(g, []string{"input:0"}, []string{"no_such_node:0"}); err == nil || !strings.Contains(err.Error(), "no_such_node") {
		t.Errorf("missing fetch: got %v", err)
	}
	m, err := NewModel(g, []string{"input:0"}, []string{"final_result:0"})
	if err != nil {
		t.Fatal(err)
	}
	bad, _ := tensor.FromFloat32s([]int64{1, 64, 64, 3}, make([]float32, 64*64*3))
	if _, err := m.Run(bad); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("wrong image size: got %v", err)
	}
	i32, _ := tensor.FromInt32s([]int64{1, 128, 128, 3}, make([]int32, 128*128*3))
	if _, err := m.Run(i32); err == nil || !strings.Contains(err.Error(), "dtype") {
		t.Errorf("wrong dtype: got %v", err)
	}
	// Feeding the bottleneck placeholder skips the whole MobileNet.
	mb, err := NewModel(g, []string{"input_1/BottleneckInputPlaceholder:0"}, []string{"final_result:0"})
	if err != nil {
		t.Fatal(err)
	}
	bn, _ := tensor.FromFloat32s([]int64{2, 1001}, make([]float32, 2002))
	out, err := mb.Run(bn)
	if err != nil {
		t.Fatal(err)
	}
	if s := out[0].Shape; s[0] != 2 || s[1] != 6 {
		t.Errorf("bottleneck-fed output shape %v", s)
	}
}
