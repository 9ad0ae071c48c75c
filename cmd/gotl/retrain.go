package main

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/train"
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
	Classes   []string       `json:"classes"`
	Images    map[string]int `json:"images"`
	Steps     int            `json:"steps"`
	Optimizer string         `json:"optimizer"`
	trainingMetrics
	Cache     map[string]int64 `json:"cache"`
	Distorted bool             `json:"distorted"`
	trainingOutputs
	Checkpoint string       `json:"checkpoint,omitempty"`
	History    []evaluation `json:"history"`
}

func runRetrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("retrain", "--graph G.pb --image_dir DIR [retrain.py flags]", stderr)
	var mf modelFlags
	mf.register(fs)
	def := retrain.DefaultConfig()
	imageDir := fs.String("image_dir", "", "folder with one sub-folder of images per class (required)")
	outputGraph := fs.String("output_graph", "/tmp/output_graph.pb", "where to save the retrained graph")
	outputLabels := fs.String("output_labels", "/tmp/output_labels.txt", "where to save the labels")
	finalName := fs.String("final_tensor_name", retrain.DefaultFinalTensor, "name of the new softmax node")
	checkpointPath := fs.String("checkpoint_path", "", "also save the new layer as a V2 checkpoint with this prefix")
	steps := fs.Int("how_many_training_steps", def.Steps, "training steps")
	var split splitFlags
	split.register(fs)
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
	var opt optimizerFlags
	opt.register(fs, def.Optimizer, "learning rate")
	seed := fs.Uint64("seed", def.Seed, "seed of the weight initialisation, batch sampling and distortions")
	logEvals := registerLogFlag(fs)
	asJSON := fs.Bool("json", false, "print a JSON summary on stdout (progress lines go to stderr)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkTrainingArgs(rest, *imageDir, opt.name); err != nil {
		return err
	}
	if err := dist.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	log := stdout
	if *asJSON {
		log = stderr
	}
	t0 := time.Now()
	folder, err := split.load(*imageDir)
	if err != nil {
		return err
	}
	ex, model, err := mf.extractor()
	if err != nil {
		return err
	}
	// A graph that cannot take the new layer fails now, not after the
	// bottlenecks and the training run.
	if err := retrain.CheckExportable(model.Graph(), mf.bottleneck, retrain.ExportOptions{FinalTensorName: *finalName}); err != nil {
		return err
	}
	// Cached bottlenecks for every image, except training images when
	// distorting: those are recomputed each step and bypass the cache, as
	// in retrain.py.
	var data *train.Bottlenecks
	if dist.Enabled() {
		data, err = ex.Splits(folder, dataset.Validation, dataset.Testing)
	} else {
		data, err = ex.Splits(folder)
	}
	if err != nil {
		return err
	}
	tBottlenecks := time.Since(t0)
	cfg := def
	cfg.Steps, cfg.TrainBatchSize, cfg.ValidationBatchSize, cfg.TestBatchSize = *steps, *trainBatch, *valBatch, *testBatch
	cfg.EvalStepInterval, cfg.Seed, cfg.Optimizer, cfg.Progress = *evalEvery, *seed, opt.config(), trainingBars
	if dist.Enabled() {
		cfg.TrainBatch = retrain.DistortedBatches(folder, ex, dist)
	}
	validation := retrainSample(*valBatch, len(data.Validation))
	test := retrainSample(*testBatch, len(data.Testing))
	evals := newEvalLogger(log, 0, *steps, *evalEvery, *logEvals)
	cfg.OnEval = func(p train.EvalPoint) {
		i := p.Step - 1 // retrain.py logs the 0-based index of the step just taken
		lines := []string{
			fmt.Sprintf("Step %d: Train accuracy = %.1f%%", i, 100*p.TrainAccuracy),
			fmt.Sprintf("Step %d: Cross entropy = %f", i, p.CrossEntropy),
		}
		if !math.IsNaN(p.ValidationAccuracy) {
			lines = append(lines, fmt.Sprintf("Step %d: Validation accuracy = %.1f%% (%v)", i, 100*p.ValidationAccuracy, validation))
		}
		evals.log(p, lines...)
	}
	res, err := retrain.Train(data, cfg)
	if err != nil {
		return err
	}
	reportResult(log, &res.Result, test, data.Labels, *printMis)
	rank, err := model.OutputRank(ex.Preprocess.Height, ex.Preprocess.Width)
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
	st := ex.Cache.Stats()
	counts := data.Counts()
	if dist.Enabled() {
		counts["training"] = len(folder.Split(dataset.Training))
	}
	return writeIndentedJSON(stdout, retrainSummary{
		Classes: data.Labels, Images: counts, Steps: res.Steps, Optimizer: opt.name,
		trainingMetrics: metricsOf(&res.Result, validation, test),
		Cache:           map[string]int64{"hits": st.Hits, "misses": st.Misses, "corrupt": st.Corrupt, "written": st.Writes},
		Distorted:       dist.Enabled(),
		trainingOutputs: trainingOutputs{
			Seconds: map[string]float64{"bottlenecks": tBottlenecks.Seconds(), "training": res.Duration.Seconds(),
				"total": time.Since(t0).Seconds()},
			StepsPerSecond: res.StepsPerSecond, OutputGraph: *outputGraph, OutputLabels: *outputLabels,
		},
		Checkpoint: *checkpointPath, History: historyOf(&res.Result),
	})
}
