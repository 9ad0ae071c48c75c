package finetune

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/helpers/zoo"
)

// tinyData returns preprocessed synthetic images of the given classes.
func tinyData(t testing.TB, classes, perClass int, seed uint64) []imageExample {
	t.Helper()
	set, err := dataset.Synthetic(dataset.SyntheticOptions{Classes: classes, PerClass: perClass, Height: zoo.TinyNetInfo.Height, Width: zoo.TinyNetInfo.Width, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	pre := zoo.TinyNetInfo.Preprocess()
	var d []imageExample
	for i, img := range set.Images {
		d = append(d, imageExample{Input: pre.Apply(dataset.FromImage(img)), Label: set.Labels[i], Name: set.Names[i]})
	}
	return d
}

// splits puts examples into training, validation and test splits of
// classes "a" and "b".
func splits(training, validation, test []imageExample) *train.Images {
	return &train.Images{Labels: []string{"a", "b"}, Training: training, Validation: validation, Testing: test}
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
	cfg := DefaultConfig()
	cfg.Graph, cfg.InputTensor, cfg.BottleneckTensor = g, zoo.TinyNetInfo.Input, zoo.TinyNetInfo.Bottleneck
	cfg.Labels, cfg.BatchSize, cfg.Steps, cfg.EvalStepInterval, cfg.Seed = []string{"a", "b"}, 8, 12, 4, 3
	cfg.Optimizer = optim.Config{Optimizer: "Adam", LearningRate: 0.01}
	return cfg
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
	if _, err := tu.Train(splits(data, nil, nil)); err != nil {
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
	res, err := tu.Train(splits(train, test, test))
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
	if res.GlobalStep != 30 || res.TestCount != len(test) {
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
	m, err := graphrun.NewModel(exported, []string{zoo.TinyNetInfo.Input}, []string{"final_result:0"})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := tu.Predict(test)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range test[:6] {
		x, err := tensor.FromFloat32s([]int64{1, int64(zoo.TinyNetInfo.Height), int64(zoo.TinyNetInfo.Width), 3}, e.Input.Pix)
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
	if prefix, err := tu2.RestoreLatest(cfg.CheckpointDir); err != nil || prefix != filepath.Join(cfg.CheckpointDir, "model.ckpt-30") {
		t.Fatalf("RestoreLatest: %q, %v", prefix, err)
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
	wrong := []imageExample{{Input: dataset.NewFloatImage(10, 10), Label: 0}}
	if _, err := tu.Train(splits(wrong, nil, nil)); err == nil {
		t.Error("10x10 images were accepted by a 32x32 network")
	}
	badLabel := tinyData(t, 2, 2, 1)
	badLabel[0].Label = 7
	if _, err := tu.Train(splits(badLabel, nil, nil)); err == nil {
		t.Error("label 7 was accepted with 2 classes")
	}
	if _, err := tu.Train(splits(nil, badLabel[1:], nil)); err == nil {
		t.Error("no training images accepted")
	}
	cfg.BatchSize = 0
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "DefaultConfig") {
		t.Errorf("batch size 0: %v", err)
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

// The pretrained weights step at PretrainedLearningRateScale times the
// learning rate, the new layer at the full rate: with GradientDescent, one
// step moves a pretrained weight exactly half as far at scale 0.5 as at 1,
// and the new layer as far.
func TestPretrainedLearningRateScale(t *testing.T) {
	g := randomTinyNet(t)
	batch := tinyData(t, 2, 4, 9)
	moves := map[float64]map[string]float64{}
	for _, scale := range []float64{1, 0.5} {
		cfg := baseConfig(g)
		cfg.Optimizer = optim.Config{Optimizer: "GradientDescent", LearningRate: 1} // large steps: float32 rounding of w-Δw stays far below Δw
		cfg.PretrainedLearningRateScale = scale
		tu, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := tu.PretrainedWeights()
		headBefore, _ := tu.Head()
		if _, _, err := tu.Step(batch); err != nil {
			t.Fatal(err)
		}
		after, _ := tu.PretrainedWeights()
		headAfter, _ := tu.Head()
		moves[scale] = map[string]float64{"conv4/weights": maxAbsDiff(t, before["conv4/weights"], after["conv4/weights"])}
		d := 0.0
		for i := range headBefore.Weights {
			d = math.Max(d, math.Abs(float64(headAfter.Weights[i]-headBefore.Weights[i])))
		}
		moves[scale]["head"] = d
	}
	if full, half := moves[1]["conv4/weights"], moves[0.5]["conv4/weights"]; !(full > 0) || math.Abs(half/full-0.5) > 1e-3 {
		t.Errorf("pretrained weight moved %g at scale 1 and %g at scale 0.5", full, half)
	}
	if a, b := moves[1]["head"], moves[0.5]["head"]; !(a > 0) || math.Abs(a-b) > 1e-6*a {
		t.Errorf("new layer moved %g and %g: the scale must not apply to it", a, b)
	}
}
