package finetune

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/zoo"
)

// tinyData returns preprocessed synthetic images of the given classes.
func tinyData(t testing.TB, classes, perClass int, seed uint64) *Data {
	t.Helper()
	set, err := dataset.Synthetic(dataset.SyntheticOptions{Classes: classes, PerClass: perClass, Height: zoo.TinyNetSize, Width: zoo.TinyNetSize, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	pre := zoo.TinyNetPreprocess()
	d := &Data{}
	for i, img := range set.Images {
		d.Images = append(d.Images, pre.Apply(dataset.FromImage(img)))
		d.Labels = append(d.Labels, set.Labels[i])
		d.Names = append(d.Names, set.Names[i])
	}
	return d
}

func randomTinyNet(t testing.TB) *graphrun.Graph {
	t.Helper()
	w, err := zoo.RandomTinyNetWeights(1, 4)
	if err != nil {
		t.Fatal(err)
	}
	def, err := zoo.TinyNetGraph(w, false)
	if err != nil {
		t.Fatal(err)
	}
	g, err := graphrun.FromGraphDef(def)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func baseConfig(g *graphrun.Graph) Config {
	return Config{
		Graph: g, InputTensor: zoo.TinyNetInput, BottleneckTensor: zoo.TinyNetBottleneck,
		Labels: []string{"a", "b"}, BatchSize: 8, Steps: 12, EvalStepInterval: 4, Seed: 3,
		Optimizer: optim.Config{Optimizer: "Adam", Params: map[string]any{"learning_rate": 0.01}},
	}
}

func TestTopLayersMoveOthersStay(t *testing.T) {
	g := randomTinyNet(t)
	cfg := baseConfig(g)
	cfg.TopLayers = 1
	tu, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"conv4/weights", "conv4/biases"}
	if got := tu.TrainableWeights(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("TopLayers=1 trains %v, want %v", got, want)
	}
	before, err := tu.PretrainedWeights()
	if err != nil {
		t.Fatal(err)
	}
	data := tinyData(t, 2, 8, 5)
	if _, err := tu.Train(data, nil, nil); err != nil {
		t.Fatal(err)
	}
	after, err := tu.PretrainedWeights()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range before {
		moved := maxAbsDiff(t, b, after[name]) > 0
		if trains := name == want[0] || name == want[1]; moved != trains {
			t.Errorf("%s: moved=%v, want %v", name, moved, trains)
		}
	}
}

func TestFineTuningLearnsAndExports(t *testing.T) {
	g := randomTinyNet(t)
	cfg := baseConfig(g)
	cfg.Steps = 30
	cfg.CheckpointDir = t.TempDir()
	cfg.CheckpointEvery = 15
	train, test := tinyData(t, 2, 24, 7), tinyData(t, 2, 10, 8)
	tu, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tu.Train(train, test, test)
	if err != nil {
		t.Fatal(err)
	}
	first, last := res.History[0], res.History[len(res.History)-1]
	t.Logf("cross-entropy %.3f → %.3f, test accuracy %.2f, %.1f steps/s", first.CrossEntropy, last.CrossEntropy, res.TestAccuracy, res.StepsPerSecond)
	if last.CrossEntropy >= first.CrossEntropy {
		t.Errorf("cross-entropy did not fall: %v → %v", first.CrossEntropy, last.CrossEntropy)
	}
	if res.TestAccuracy < 0.8 {
		t.Errorf("test accuracy %.2f after fine-tuning on two easy classes, want ≥ 0.8", res.TestAccuracy)
	}
	if res.GlobalStep != 30 || res.TestCount != test.Len() {
		t.Errorf("global step %d, test count %d", res.GlobalStep, res.TestCount)
	}

	// The exported frozen graph classifies exactly like the tuner.
	dir := t.TempDir()
	graphPath, labelsPath := filepath.Join(dir, "output_graph.pb"), filepath.Join(dir, "output_labels.txt")
	if err := tu.Export(graphPath, labelsPath, ""); err != nil {
		t.Fatal(err)
	}
	exported, err := graphrun.Load(graphPath)
	if err != nil {
		t.Fatal(err)
	}
	m, err := graphrun.NewModel(exported, []string{zoo.TinyNetInput}, []string{"final_result:0"})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := tu.Predict(test)
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range test.Images[:6] {
		x, err := tensor.FromFloat32s([]int64{1, zoo.TinyNetSize, zoo.TinyNetSize, 3}, img.Pix)
		if err != nil {
			t.Fatal(err)
		}
		out, err := m.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := out[0].Float32s()
		best := 0
		for c := range p {
			if p[c] > p[best] {
				best = c
			}
		}
		if best != pred[i] {
			t.Errorf("image %d: exported graph predicts %d (%v), tuner %d", i, best, p, pred[i])
		}
	}

	// A new tuner resumes from the last checkpoint with the same predictions.
	tu2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := tu2.RestoreLatest(cfg.CheckpointDir); err != nil || !ok {
		t.Fatalf("RestoreLatest: %v, %v", ok, err)
	}
	if tu2.GlobalStep() != 30 {
		t.Errorf("resumed at step %d, want 30", tu2.GlobalStep())
	}
	pred2, err := tu2.Predict(test)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pred {
		if pred[i] != pred2[i] {
			t.Fatalf("restored tuner predicts %v, original %v", pred2, pred)
		}
	}
}

func TestBadConfigAndData(t *testing.T) {
	g := randomTinyNet(t)
	cfg := baseConfig(g)
	cfg.BottleneckTensor = "no_such_node:0"
	if _, err := New(cfg); err == nil {
		t.Error("a missing bottleneck node was accepted")
	}
	cfg = baseConfig(g)
	tu, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	wrong := &Data{Images: []*dataset.FloatImage{dataset.NewFloatImage(10, 10)}, Labels: []int{0}}
	if _, err := tu.Train(wrong, nil, nil); err == nil {
		t.Error("10x10 images were accepted by a 48x48 network")
	}
	badLabel := tinyData(t, 2, 2, 1)
	badLabel.Labels[0] = 7
	if _, err := tu.Train(badLabel, nil, nil); err == nil {
		t.Error("label 7 was accepted with 2 classes")
	}
}

func maxAbsDiff(t testing.TB, a, b *tensor.Tensor) float64 {
	t.Helper()
	x, err := a.Float64s()
	if err != nil {
		t.Fatal(err)
	}
	y, err := b.Float64s()
	if err != nil {
		t.Fatal(err)
	}
	d := 0.0
	for i := range x {
		d = math.Max(d, math.Abs(x[i]-y[i]))
	}
	return d
}
