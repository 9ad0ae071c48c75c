package retrain

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/train"
)

// One NaN in a bottleneck used to make every weight NaN, and the exported
// graph with it (issue 12): now training refuses it, naming the image.
func TestTrainRefusesNonFiniteBottlenecks(t *testing.T) {
	for _, split := range []string{"training", "validation", "testing"} {
		d := clusters(2, 8, 10, 3)
		e := map[string][]example{"training": d.Training, "validation": d.Validation, "testing": d.Testing}[split][1]
		e.Input[5] = float32(math.Inf(1))
		_, err := Train(d, DefaultConfig())
		if err == nil || err.Error() != "retrain: bottleneck of "+e.Name+" holds +Inf (value 5 of 8); nothing non-finite is trained on" {
			t.Errorf("+Inf in a %s bottleneck: %v", split, err)
		}
	}
	// Distorted batches are checked as they come.
	d := clusters(2, 8, 10, 3)
	cfg := DefaultConfig()
	cfg.TrainBatch = func(rng *rand.Rand, n int) ([]train.Example[[]float32], error) {
		b := append([]example(nil), d.Training[:n]...)
		b[0].Input = append([]float32(nil), b[0].Input...)
		b[0].Input[2] = float32(math.NaN())
		return b, nil
	}
	cfg.TrainBatchSize = 4
	if _, err := Train(d, cfg); err == nil || !strings.HasPrefix(err.Error(), "step 1: retrain: bottleneck of "+d.Training[0].Name+" holds NaN (value 2 of 8)") {
		t.Errorf("NaN in a distorted batch: %v", err)
	}
}

// A learning rate far too high makes the layer diverge: training stops at
// the step where it does, and the diverged layer cannot be exported or
// saved.
func TestTrainStopsWhenTheLayerDiverges(t *testing.T) {
	d := clusters(3, 16, 20, 4)
	for _, c := range []struct {
		lr   float64
		want string
	}{
		// Huge finite weights: the logits overflow.
		{1e38, "retrain: step 1: cross-entropy is NaN: training diverged (learning rate 1e+38 too high?)"},
		// Infinite weights (the rate is +Inf in float32).
		{1e300, "retrain: the layer's " + WeightsName + " holds "},
	} {
		cfg := DefaultConfig()
		cfg.Optimizer.LearningRate = c.lr
		cfg.Steps = 50
		_, err := Train(d, cfg)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || !strings.Contains(err.Error(), "step 1") || !errors.Is(err, ErrDiverged) {
			t.Errorf("learning rate %g: got %v; want %q… naming the step", c.lr, err, c.want)
		}
		t.Log(err)
	}

	l := &Layer{Inputs: 2, Classes: 2, Weights: []float32{1, 2, 3, 4}, Biases: []float32{0, float32(math.NaN())}}
	def := &graphpb.GraphDef{Node: []*nodepb.NodeDef{{Name: "pool", Op: "Placeholder"}}}
	if _, err := ExportGraph(def, "pool:0", l, ExportOptions{}); err == nil || err.Error() != "retrain: the layer's "+BiasesName+" holds NaN (value 1 of 2); not exporting it" {
		t.Errorf("ExportGraph of a NaN layer: %v", err)
	}
	prefix := filepath.Join(t.TempDir(), "layer.ckpt")
	if err := l.SaveCheckpoint(prefix); err == nil || !strings.Contains(err.Error(), "not saving "+prefix) {
		t.Errorf("SaveCheckpoint of a NaN layer: %v", err)
	}
	if m, _ := filepath.Glob(prefix + "*"); len(m) > 0 {
		t.Errorf("files written for a NaN layer: %v", m)
	}
	if _, err := os.Stat(filepath.Dir(prefix)); err != nil {
		t.Fatal(err)
	}
}

func TestTrainStepsAreLimited(t *testing.T) {
	defer limits.Steps.Set(limits.Steps.Set(100))
	cfg := DefaultConfig()
	cfg.Steps = 101
	_, err := Train(clusters(2, 4, 5, 1), cfg)
	if !errors.Is(err, limits.ErrExceeded) || !strings.HasPrefix(err.Error(), "retrain: training needs 101 steps, more than the limit of 100 (optimizer steps; raise it with GOTL_MAX_STEPS)") {
		t.Errorf("101 steps under a limit of 100: %v", err)
	}
}

// Distorted training keeps decoded images only up to its byte budget
// (limits.DecodeMemory): beyond, images are decoded again when drawn
// instead of filling memory with every photo of the folder.
func TestDecodedImagesAreBounded(t *testing.T) {
	dir := t.TempDir()
	set, err := dataset.WriteSynthetic(dir, dataset.SyntheticOptions{Classes: 2, PerClass: 5, Height: 20, Width: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	const imageBytes = 20 * 20 * 3 * 4
	d := newDecodedImages(3*imageBytes + imageBytes/2)
	for round := 0; round < 2; round++ {
		for _, name := range set.Names {
			img, err := d.load(filepath.Join(dir, name))
			if err != nil || img.Height != 20 {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	if len(d.images) != 3 || d.held != 3*imageBytes {
		t.Errorf("kept %d images (%d bytes); want 3 within %d bytes", len(d.images), d.held, d.max)
	}
}
