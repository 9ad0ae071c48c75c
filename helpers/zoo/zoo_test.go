package zoo_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/zoo"
)

func tinyNet(t *testing.T) *zoo.Files {
	t.Helper()
	t.Setenv("GOTL_CACHE_DIR", t.TempDir())
	f, err := zoo.TinyNet()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The shipped TinyNet is pretrained: it recognises held-out images of its
// source classes, which a random network would get right 25% of the time.
func TestTinyNetIsPretrained(t *testing.T) {
	f := tinyNet(t)
	g, err := graphrun.Load(f.Frozen)
	if err != nil {
		t.Fatal(err)
	}
	m, err := graphrun.NewModel(g, []string{zoo.TinyNetInfo.Input}, []string{zoo.TinyNetInfo.Output, zoo.TinyNetInfo.Bottleneck})
	if err != nil {
		t.Fatal(err)
	}
	// TinyNetInfo tells the truth about the files.
	if h, w, err := g.ImageInputSize(zoo.TinyNetInfo.Input); err != nil || h != zoo.TinyNetInfo.Height || w != zoo.TinyNetInfo.Width {
		t.Errorf("input %dx%d (%v), TinyNetInfo says %dx%d", h, w, err, zoo.TinyNetInfo.Height, zoo.TinyNetInfo.Width)
	}
	if filepath.Join(f.Dir, zoo.TinyNetInfo.Frozen) != f.Frozen || filepath.Join(f.Dir, zoo.TinyNetInfo.Labels) != f.Labels {
		t.Errorf("TinyNetInfo names %s and %s; the files are %s and %s", zoo.TinyNetInfo.Frozen, zoo.TinyNetInfo.Labels, f.Frozen, f.Labels)
	}
	const perClass = 10
	set, err := dataset.Synthetic(dataset.SyntheticOptions{Classes: len(zoo.TinyNetSourceClasses), PerClass: perClass,
		Height: zoo.TinyNetInfo.Height, Width: zoo.TinyNetInfo.Width, Seed: 987654}) // a seed pretraining never used
	if err != nil {
		t.Fatal(err)
	}
	pre := zoo.TinyNetInfo.Preprocess()
	n := len(set.Images)
	pix := make([]float32, 0, n*zoo.TinyNetInfo.Height*zoo.TinyNetInfo.Width*3)
	for _, img := range set.Images {
		pix = append(pix, pre.Apply(dataset.FromImage(img)).Pix...)
	}
	x, err := tensor.FromFloat32s([]int64{int64(n), int64(zoo.TinyNetInfo.Height), int64(zoo.TinyNetInfo.Width), 3}, pix)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	probs, _ := out[0].Float32s()
	if got := out[1].Shape; len(got) != 2 || got[1] != int64(zoo.TinyNetInfo.BottleneckSize) {
		t.Errorf("bottleneck shape %v, want [%d %d]", got, n, zoo.TinyNetInfo.BottleneckSize)
	}
	classes := len(zoo.TinyNetSourceClasses)
	correct := 0
	for i := 0; i < n; i++ {
		best := 0
		for c := 1; c < classes; c++ {
			if probs[i*classes+c] > probs[i*classes+best] {
				best = c
			}
		}
		if best == set.Labels[i] {
			correct++
		}
	}
	if acc := float64(correct) / float64(n); acc < 0.9 {
		t.Errorf("TinyNet classifies %.0f%% of held-out source images correctly, want ≥ 90%%", 100*acc)
	}
}

// The variables form plus its checkpoint, frozen by graphfile.Freeze, gives
// exactly the shipped frozen graph's weights: the two files agree.
func TestTinyNetCheckpointMatchesFrozenGraph(t *testing.T) {
	f := tinyNet(t)
	frozen, err := graphfile.Load(f.Frozen)
	if err != nil {
		t.Fatal(err)
	}
	withVars, err := graphfile.Load(f.Graph)
	if err != nil {
		t.Fatal(err)
	}
	ckpt, err := checkpoint.Open(f.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	defer ckpt.Close()
	refrozen, err := graphfile.Freeze(withVars, ckpt, "softmax")
	if err != nil {
		t.Fatal(err)
	}
	names := zoo.TinyNetWeightNames()
	if got := len(ckpt.Names()); got != len(names) {
		t.Errorf("checkpoint has %d variables, want %d", got, len(names))
	}
	for _, name := range names {
		a, err := frozen.Const(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := refrozen.Const(name)
		if err != nil {
			t.Fatal(err)
		}
		x, _ := a.Float64s()
		y, _ := b.Float64s()
		if len(x) != len(y) {
			t.Fatalf("%s: %d vs %d values", name, len(x), len(y))
		}
		for i := range x {
			if x[i] != y[i] || math.IsNaN(x[i]) {
				t.Fatalf("%s[%d]: frozen %v, checkpoint %v", name, i, x[i], y[i])
			}
		}
	}
	labels, err := readLines(f.Labels)
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) != len(zoo.TinyNetSourceClasses) {
		t.Errorf("labels %v, want %v", labels, zoo.TinyNetSourceClasses)
	}
}

func TestTinyNetGraphNeedsEveryWeight(t *testing.T) {
	w, err := zoo.RandomTinyNetWeights(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	delete(w, "conv2/biases")
	if _, err := zoo.TinyNetGraph(w, false); err == nil {
		t.Error("a graph without conv2/biases was built")
	}
}

// TinyNetSeed names the initial convolution weights the shipped TinyNet
// was trained from: pretraining moved them, but not far. (Its classifier
// started as finetune's new layer, not from these weights.)
func TestTinyNetSeedGivesTheInitialWeights(t *testing.T) {
	f := tinyNet(t)
	r, err := checkpoint.Open(f.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	initial, err := zoo.RandomTinyNetWeights(zoo.TinyNetSeed, len(zoo.TinyNetSourceClasses))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"conv1/weights", "conv2/weights", "conv3/weights", "conv4/weights"} {
		trained, err := r.Tensor(name)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := initial[name].Float32s()
		b, _ := trained.Float32s()
		if len(a) != len(b) {
			t.Fatalf("%s: %d initial values, %d trained", name, len(a), len(b))
		}
		// Adam moved each weight by at most a few hundred steps of
		// learning_rate 0.003; initial and trained values stay correlated.
		var dot, na, nb float64
		for i := range a {
			dot += float64(a[i]) * float64(b[i])
			na += float64(a[i]) * float64(a[i])
			nb += float64(b[i]) * float64(b[i])
		}
		if c := dot / math.Sqrt(na*nb); c < 0.5 || c > 0.999999 {
			t.Errorf("%s: correlation of initial and trained weights %.4f, want in [0.5, 1): not the seed TinyNet started from?", name, c)
		}
	}
}
