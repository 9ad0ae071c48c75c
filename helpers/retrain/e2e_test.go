package retrain

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/tensor"
)

// TestEndToEnd: synthetic image folder → random conv net bottlenecks
// (cached) → retrain → export → the exported graph classifies images like
// the in-memory layer.
func TestEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "images")
	if _, err := dataset.WriteSynthetic(dir, dataset.SyntheticOptions{Classes: 4, PerClass: 30, Height: 24, Width: 24, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	folder, err := dataset.LoadFolder(dir, dataset.DefaultFolderOptions())
	if err != nil {
		t.Fatal(err)
	}
	def, err := bottleneck.RandomConvNet(bottleneck.ConvNetOptions{Height: 24, Width: 24, Channels: []int{16, 32}, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	model, err := bottleneck.NewGraphModel(def, bottleneck.ConvNetInput, bottleneck.ConvNetBottleneck)
	if err != nil {
		t.Fatal(err)
	}
	cache, _ := bottleneck.Open(t.TempDir())
	prep := dataset.Preprocess{Height: 24, Width: 24, Mean: 127.5, Std: 127.5}
	ex := &bottleneck.Extractor{Model: model, Preprocess: prep, Cache: cache}
	data, err := ex.Splits(folder)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Steps = 400
	cfg.Optimizer = optim.Config{Optimizer: "Adam", LearningRate: 0.05}
	cfg.TrainBatchSize = 32
	cfg.EvalStepInterval = 100
	res, err := Train(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Chance is 25%; random conv features separate the colours well.
	if res.TestAccuracy < 0.75 || res.History[len(res.History)-1].ValidationAccuracy < 0.75 {
		t.Errorf("test accuracy %.2f, history %+v", res.TestAccuracy, res.History)
	}
	t.Logf("test accuracy %.3f on %d images, %.0f steps/s", res.TestAccuracy, res.TestCount, res.StepsPerSecond)

	out, err := ExportGraph(def, bottleneck.ConvNetBottleneck, res.Layer, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gpath := filepath.Join(t.TempDir(), "output_graph.pb")
	if err := WriteGraph(gpath, out); err != nil {
		t.Fatal(err)
	}
	g, err := graphrun.Load(gpath)
	if err != nil {
		t.Fatal(err)
	}
	run, err := graphrun.NewModel(g, []string{bottleneck.ConvNetInput}, []string{"final_result:0"})
	if err != nil {
		t.Fatal(err)
	}
	all := data.All()
	for _, i := range []int{0, 40, 77, 119} {
		img, err := dataset.Load(all[i].Name)
		if err != nil {
			t.Fatal(err)
		}
		in := prep.Apply(img)
		x, _ := tensor.FromFloat32s([]int64{1, 24, 24, 3}, in.Pix)
		outs, err := run.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := outs[0].Float32s()
		want := res.Layer.Probabilities(all[i].Input)
		for c := range want {
			if math.Abs(float64(got[c]-want[c])) > 1e-4 {
				t.Errorf("image %d class %d: graph %v, layer %v", i, c, got[c], want[c])
			}
		}
	}
	// Feeding a bottleneck to the placeholder skips the conv net.
	fed, err := graphrun.NewModel(g, []string{BottleneckInput(def) + ":0"}, []string{"final_result:0"})
	if err != nil {
		t.Fatal(err)
	}
	bn, _ := tensor.FromFloat32s([]int64{1, int64(len(all[5].Input))}, all[5].Input)
	outs, err := fed.Run(bn)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := outs[0].Float32s()
	if want := res.Layer.Probabilities(all[5].Input); math.Abs(float64(got[1]-want[1])) > 1e-5 {
		t.Errorf("fed bottleneck: %v, want %v", got, want)
	}
	// The layer comes back out of the graph unchanged.
	back, err := LayerFromGraph(out)
	if err != nil || !reflect.DeepEqual(back, res.Layer) {
		t.Errorf("LayerFromGraph: %v", err)
	}
}

func TestExportGraphNodes(t *testing.T) {
	def, _ := bottleneck.RandomConvNet(bottleneck.ConvNetOptions{Height: 8, Width: 8, Channels: []int{4}})
	l := &Layer{Inputs: 4, Classes: 2, Weights: make([]float32, 8), Biases: []float32{1, 2}}
	out, err := ExportGraph(def, "pool/Mean:0", l, ExportOptions{FinalTensorName: "my_result", Flatten: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(def.Node)+10 != len(out.Node) {
		t.Errorf("original graph changed or wrong node count: %d → %d", len(def.Node), len(out.Node))
	}
	byName := map[string]string{}
	for _, n := range out.Node {
		byName[n.Name] = n.Op
	}
	want := map[string]string{
		// The graph has a node "input", so TF's scope is input_1.
		"input_1/BottleneckInputPlaceholder": "PlaceholderWithDefault", WeightsName: "Const", BiasesName: "Const",
		WeightsName + "/read": "Identity", MatMulName: "MatMul", AddName: "Add", "my_result": "Softmax",
		"input_1/BottleneckReshape": "Reshape",
	}
	for n, op := range want {
		if byName[n] != op {
			t.Errorf("node %s: op %q, want %q", n, byName[n], op)
		}
	}
	if _, err := ExportGraph(def, "nosuch:0", l, ExportOptions{}); err == nil {
		t.Error("unknown bottleneck accepted")
	}
	if _, err := ExportGraph(out, "pool/Mean:0", l, ExportOptions{FinalTensorName: "my_result"}); err == nil {
		t.Error("exporting twice accepted")
	}
	// CheckExportable tells the same before any training.
	if err := CheckExportable(def, "pool/Mean:0", ExportOptions{FinalTensorName: "my_result", Flatten: true}); err != nil {
		t.Errorf("CheckExportable on the original graph: %v", err)
	}
	if err := CheckExportable(out, "pool/Mean:0", ExportOptions{}); err == nil || !strings.Contains(err.Error(), `already has a node "`+WeightsName+`"`) {
		t.Errorf("CheckExportable on the exported graph: %v", err)
	}
	if err := CheckExportable(def, "nosuch:0", ExportOptions{}); err == nil || !strings.Contains(err.Error(), `no node "nosuch"`) {
		t.Errorf("CheckExportable with an unknown bottleneck: %v", err)
	}
	var parsed graphpb.GraphDef
	p := filepath.Join(t.TempDir(), "g.pb")
	if err := WriteGraph(p, out); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	if err := proto.Unmarshal(data, &parsed); err != nil || len(parsed.Node) != len(out.Node) {
		t.Errorf("written graph does not parse: %v", err)
	}
	lp := filepath.Join(t.TempDir(), "output_labels.txt")
	if err := WriteLabels(lp, []string{"daisy", "sun flowers"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(lp); string(b) != "daisy\nsun flowers\n" {
		t.Errorf("labels file %q", b)
	}
}

// DistortedBatches draws training images class-first, distorts them and
// computes their bottlenecks without the cache.
func TestDistortedBatches(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "images")
	if _, err := dataset.WriteSynthetic(dir, dataset.SyntheticOptions{Classes: 2, PerClass: 20, Height: 16, Width: 16, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	folder, err := dataset.LoadFolder(dir, dataset.DefaultFolderOptions())
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	model := bottleneck.FuncModel{ID: "mean", Output: "mean:0", Fn: func(imgs []*dataset.FloatImage) ([][]float32, error) {
		calls++
		out := make([][]float32, len(imgs))
		for i, img := range imgs {
			var s float32
			for _, v := range img.Pix {
				s += v
			}
			out[i] = []float32{s / float32(len(img.Pix))}
		}
		return out, nil
	}}
	cache, _ := bottleneck.Open(t.TempDir())
	ex := &bottleneck.Extractor{Model: model, Preprocess: dataset.Preprocess{Height: 8, Width: 8, Std: 1}, Cache: cache, BatchSize: 4}
	batches := DistortedBatches(folder, ex, dataset.Distortions{FlipLeftRight: true, RandomBrightness: 30})
	rng := rand.New(rand.NewPCG(1, 2))
	a, err := batches(rng, 10)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := batches(rng, 10)
	training := map[string]int{}
	for _, img := range folder.Split(dataset.Training) {
		training[img.Path] = img.Label
	}
	for _, e := range a {
		if label, ok := training[e.Name]; !ok || label != e.Label || len(e.Input) != 1 {
			t.Fatalf("%+v is not a training image with its label and a vector", e)
		}
	}
	if calls != 6 || cache.Stats().Writes != 0 { // 2 batches of 10 in calls of at most 4 images
		t.Errorf("%d model calls, %d cached vectors", calls, cache.Stats().Writes)
	}
	if reflect.DeepEqual(a, b) {
		t.Error("two distorted batches are identical")
	}
}
