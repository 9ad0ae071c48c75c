package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/nb"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/retrain"
)

func init() {
	register(&command{
		name:    "retrain",
		summary: "retrain a new final layer on cached bottlenecks (TF's retrain.py flags); export output_graph.pb + labels",
		run:     runRetrain,
	})
}

// retrainSummary is what --json prints.
type retrainSummary struct {
	Classes            []string                `json:"classes"`
	Images             map[string]int          `json:"images"`
	Steps              int                     `json:"steps"`
	Optimizer          string                  `json:"optimizer"`
	TrainAccuracy      float64                 `json:"train_accuracy"`
	ValidationAccuracy *float64                `json:"validation_accuracy"`
	CrossEntropy       float64                 `json:"cross_entropy"`
	TestAccuracy       *float64                `json:"test_accuracy"`
	TestCount          int                     `json:"test_count"`
	Misclassified      []retrain.Misclassified `json:"misclassified,omitempty"`
	Cache              map[string]int64        `json:"cache"`
	Distorted          bool                    `json:"distorted"`
	Seconds            map[string]float64      `json:"seconds"`
	StepsPerSecond     float64                 `json:"steps_per_second"`
	OutputGraph        string                  `json:"output_graph"`
	OutputLabels       string                  `json:"output_labels"`
	Checkpoint         string                  `json:"checkpoint,omitempty"`
	History            []retrain.EvalPoint     `json:"history"`
}

func nanToNil(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}

func runRetrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("retrain", "--graph G.pb --image_dir DIR [retrain.py flags]", stderr)
	var mf modelFlags
	mf.register(fs)
	def := retrain.DefaultConfig()
	imageDir := fs.String("image_dir", "", "folder with one sub-folder of images per class (required)")
	cacheDir := fs.String("bottleneck_dir", "/tmp/bottleneck", "bottleneck cache directory")
	outputGraph := fs.String("output_graph", "/tmp/output_graph.pb", "where to save the retrained graph")
	outputLabels := fs.String("output_labels", "/tmp/output_labels.txt", "where to save the labels")
	finalName := fs.String("final_tensor_name", retrain.DefaultFinalTensor, "name of the new softmax node")
	checkpointPath := fs.String("checkpoint_path", "", "also save the new layer as a V2 checkpoint with this prefix")
	steps := fs.Int("how_many_training_steps", def.Steps, "training steps")
	lr := fs.Float64("learning_rate", def.LearningRate, "learning rate")
	testPct := fs.Float64("testing_percentage", 10, "percentage of images used as the test set")
	valPct := fs.Float64("validation_percentage", 10, "percentage of images used as the validation set")
	evalEvery := fs.Int("eval_step_interval", def.EvalStepInterval, "evaluate every this many steps")
	trainBatch := fs.Int("train_batch_size", def.TrainBatchSize, "images per training step")
	testBatch := fs.Int("test_batch_size", def.TestBatchSize, "test images (-1: the whole test set)")
	valBatch := fs.Int("validation_batch_size", def.ValidationBatchSize, "validation images per evaluation (-1: all)")
	printMis := fs.Bool("print_misclassified_test_images", false, "list the misclassified test images")
	var dist dataset.Distortions
	fs.BoolVar(&dist.FlipLeftRight, "flip_left_right", false, "randomly mirror half of the training images")
	fs.Float64Var(&dist.RandomCrop, "random_crop", 0, "margin percentage to randomly crop off the training images")
	fs.Float64Var(&dist.RandomScale, "random_scale", 0, "percentage to randomly scale up the training images")
	fs.Float64Var(&dist.RandomBrightness, "random_brightness", 0, "percentage to randomly multiply the pixel values by")
	optimizer := fs.String("optimizer", "GradientDescent", "TF1 optimizer for the new layer")
	params := paramFlags{}
	fs.Var(params, "optimizer_param", "optimizer argument with its TF1 name, e.g. momentum=0.9 (repeatable)")
	seed := fs.Uint64("seed", 0, "seed of the weight initialisation, batch sampling and distortions")
	asJSON := fs.Bool("json", false, "print a JSON summary on stdout (progress lines go to stderr)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkTrainingArgs(rest, *imageDir, *optimizer); err != nil {
		return err
	}
	if err := dist.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	log := stdout
	if *asJSON {
		log = stderr
	}
	t0 := time.Now()
	folder, err := loadSplitFolder(*imageDir, *valPct, *testPct)
	if err != nil {
		return err
	}
	model, prep, err := mf.load()
	if err != nil {
		return err
	}
	cache, err := bottleneck.Open(*cacheDir)
	if err != nil {
		return err
	}
	ex := &bottleneck.Extractor{Model: model, Preprocess: prep, Cache: cache, BatchSize: mf.batch, Progress: nb.Bars}
	// Cached bottlenecks for every image, except training images when
	// distorting: those are recomputed each step and bypass the cache, as
	// in retrain.py.
	var cachedIdx []int
	for i, img := range folder.Images {
		if !dist.Enabled() || img.Split != dataset.Training {
			cachedIdx = append(cachedIdx, i)
		}
	}
	paths := make([]string, len(cachedIdx))
	for k, i := range cachedIdx {
		paths[k] = folder.Images[i].Path
	}
	vs, err := ex.Files(paths)
	if err != nil {
		return err
	}
	vectors := make([][]float32, len(folder.Images))
	for k, i := range cachedIdx {
		vectors[i] = vs[k]
	}
	tBottlenecks := time.Since(t0)
	data, err := retrain.FromFolder(folder, vectors)
	if err != nil {
		return err
	}
	cfg := retrain.Config{
		Steps: *steps, LearningRate: *lr, TrainBatchSize: *trainBatch, ValidationBatchSize: *valBatch,
		TestBatchSize: *testBatch, EvalStepInterval: *evalEvery, Seed: *seed, Progress: nb.Bars,
		Optimizer: optim.Config{Optimizer: *optimizer, Params: params},
	}
	if dist.Enabled() {
		cfg.TrainBatch = distortedBatches(folder, ex, prep, dist)
	}
	cfg.OnEval = func(p retrain.EvalPoint) {
		fmt.Fprintf(log, "Step %d: Train accuracy = %.1f%%\n", p.Step, 100*p.TrainAccuracy)
		fmt.Fprintf(log, "Step %d: Cross entropy = %f\n", p.Step, p.CrossEntropy)
		if !math.IsNaN(p.ValidationAccuracy) {
			fmt.Fprintf(log, "Step %d: Validation accuracy = %.1f%% (N=%d)\n", p.Step, 100*p.ValidationAccuracy, valN(*valBatch, len(data.Validation)))
		}
	}
	res, err := retrain.Train(data, cfg)
	if err != nil {
		return err
	}
	if res.TestCount > 0 {
		fmt.Fprintf(log, "Final test accuracy = %.1f%% (N=%d)\n", 100*res.TestAccuracy, res.TestCount)
	}
	if *printMis {
		printMisclassified(log, res.Misclassified, data.Labels)
	}
	rank, err := model.OutputRank(prep.Height, prep.Width)
	if err != nil {
		return err
	}
	out, err := retrain.ExportGraph(model.Graph(), mf.bottleneck, res.Layer, retrain.ExportOptions{FinalTensorName: *finalName, Flatten: rank != 2})
	if err != nil {
		return err
	}
	if err := retrain.WriteGraph(*outputGraph, out); err != nil {
		return err
	}
	if err := retrain.WriteLabels(*outputLabels, data.Labels); err != nil {
		return err
	}
	if *checkpointPath != "" {
		if err := res.Layer.SaveCheckpoint(*checkpointPath); err != nil {
			return err
		}
	}
	fmt.Fprintf(log, "Wrote %s (output %s:0) and %s\n", *outputGraph, *finalName, *outputLabels)
	if !*asJSON {
		return nil
	}
	last := res.History[len(res.History)-1]
	st := cache.Stats()
	counts := map[string]int{"training": len(data.Training), "validation": len(data.Validation), "testing": len(data.Testing)}
	if dist.Enabled() {
		counts["training"] = len(folder.Split(dataset.Training))
	}
	var testAcc *float64
	if res.TestCount > 0 {
		testAcc = &res.TestAccuracy
	}
	s := retrainSummary{
		Classes: data.Labels, Images: counts, Steps: res.Steps, Optimizer: *optimizer,
		TrainAccuracy: last.TrainAccuracy, ValidationAccuracy: nanToNil(last.ValidationAccuracy), CrossEntropy: last.CrossEntropy,
		TestAccuracy: testAcc, TestCount: res.TestCount, Misclassified: res.Misclassified,
		Cache:     map[string]int64{"hits": st.Hits, "misses": st.Misses, "corrupt": st.Corrupt, "written": st.Writes},
		Distorted: dist.Enabled(),
		Seconds: map[string]float64{"bottlenecks": tBottlenecks.Seconds(), "training": res.Duration.Seconds(),
			"total": time.Since(t0).Seconds()},
		StepsPerSecond: res.StepsPerSecond, OutputGraph: *outputGraph, OutputLabels: *outputLabels,
		Checkpoint: *checkpointPath, History: res.History,
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

func valN(batch, all int) int {
	if batch < 0 {
		return all
	}
	return batch
}

// distortedBatches returns a retrain.Config.TrainBatch that draws training
// images like retrain.py (uniform class, then uniform image), distorts them
// and computes their bottlenecks without the cache. Decoded images are kept
// in memory, so each file is read once.
func distortedBatches(f *dataset.Folder, ex *bottleneck.Extractor, prep dataset.Preprocess, d dataset.Distortions) func(*rand.Rand, int) ([]retrain.Example, error) {
	byClass := make([][]dataset.Image, len(f.Classes))
	for _, img := range f.Split(dataset.Training) {
		byClass[img.Label] = append(byClass[img.Label], img)
	}
	var mu sync.Mutex
	decoded := map[string]*dataset.FloatImage{}
	return func(rng *rand.Rand, n int) ([]retrain.Example, error) {
		imgs := make([]*dataset.FloatImage, n)
		ex2 := make([]retrain.Example, n)
		for i := range imgs {
			c := rng.IntN(len(byClass))
			if len(byClass[c]) == 0 {
				return nil, fmt.Errorf("class %q has no training images", f.Classes[c].Label)
			}
			img := byClass[c][rng.IntN(len(byClass[c]))]
			mu.Lock()
			src, ok := decoded[img.Path]
			mu.Unlock()
			if !ok {
				var err error
				if src, err = dataset.Load(img.Path); err != nil {
					return nil, err
				}
				mu.Lock()
				decoded[img.Path] = src
				mu.Unlock()
			}
			out := d.Apply(src, prep.Height, prep.Width, rng)
			prep.Normalize(out)
			imgs[i] = out
			ex2[i] = retrain.Example{Label: c, Name: img.Path}
		}
		batch := ex.BatchSize
		if batch <= 0 {
			batch = 16
		}
		for b := 0; b < n; b += batch {
			vs, err := ex.Model.Bottlenecks(imgs[b:min(b+batch, n)])
			if err != nil {
				return nil, err
			}
			for k, v := range vs {
				ex2[b+k].Vector = v
			}
		}
		return ex2, nil
	}
}
