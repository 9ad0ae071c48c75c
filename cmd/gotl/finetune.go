package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/finetune"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/nb"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/helpers/zoo"
)

func init() {
	register(&command{
		name:    "finetune",
		summary: "fine-tune a pretrained graph end to end on an image folder (retrain's flags); export output_graph.pb + labels",
		run:     runFinetune,
	})
}

// finetuneSummary is what --json prints.
type finetuneSummary struct {
	Classes          []string       `json:"classes"`
	Images           map[string]int `json:"images"`
	Backend          string         `json:"backend"`
	Steps            int            `json:"steps"`
	GlobalStep       int            `json:"global_step"`
	Optimizer        string         `json:"optimizer"`
	TrainableWeights []string       `json:"trainable_weights"`
	trainingMetrics
	trainingOutputs
	CheckpointDir string       `json:"checkpoint_dir,omitempty"`
	ResumedFrom   string       `json:"resumed_from,omitempty"`
	History       []evaluation `json:"history"`
}

func runFinetune(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("finetune", "--image_dir DIR [--graph G.pb [--checkpoint CKPT]] [flags]", stderr)
	def := finetune.DefaultConfig()
	imageDir := fs.String("image_dir", "", "folder with one sub-folder of images per class (required)")
	graphPath := fs.String("graph", "", "pretrained GraphDef: frozen, or with variables plus --checkpoint (default: gotl's offline TinyNet)")
	ckpt := fs.String("checkpoint", "", "checkpoint prefix holding --graph's variables (for a graph that is not frozen)")
	input := fs.String("input_tensor", zoo.TinyNetInfo.Input, "input placeholder [N,H,W,3] fed with preprocessed images")
	bottleneckT := fs.String("bottleneck_tensor", zoo.TinyNetInfo.Bottleneck, "[N, size] tensor the new final layer reads")
	size := fs.String("input_size", "", inputSizeUsage)
	mean := fs.Float64("input_mean", float64(zoo.TinyNetInfo.Mean), "subtracted from every pixel value (0..255) after resizing")
	std := fs.Float64("input_std", float64(zoo.TinyNetInfo.Std), "pixel values are divided by it after subtracting the mean")
	steps := fs.Int("how_many_training_steps", def.Steps, "training steps in total, resumed ones included, like TF's max_steps: resumed at step 30, 40 means 10 more; at or past it, nothing is trained and the checkpoint's network is exported (each step is a forward and backward pass of the whole network)")
	var opt optimizerFlags
	opt.register(fs, def.Optimizer, "learning rate of the new final layer")
	lrScale := fs.Float64("pretrained_learning_rate_scale", def.PretrainedLearningRateScale, "the pretrained layers' learning rate is learning_rate times this")
	batch := fs.Int("train_batch_size", def.BatchSize, "images per training step")
	valBatch := fs.Int("validation_batch_size", def.ValidationBatchSize, "validation images per evaluation (-1: all)")
	var split splitFlags
	split.register(fs)
	evalEvery := fs.Int("eval_step_interval", def.EvalStepInterval, "evaluate every this many steps")
	trainable := fs.String("trainable", def.Trainable, "regular expression selecting the pretrained weights that move (default: all)")
	topLayers := fs.Int("top_layers", def.TopLayers, "if > 0, fine-tune only the last N layers below the bottleneck")
	initFrom := fs.String("init_from_retrained", "", "output_graph.pb of a `gotl retrain` run whose final layer starts the new one")
	ckptDir := fs.String("checkpoint_dir", "", "write V2 checkpoints here, and resume from the one its `checkpoint` state file names; a directory with checkpoints that cannot be resumed (damaged or missing state file, missing or damaged files) is an error unless --start_over")
	startOver := fs.Bool("start_over", false, "with --checkpoint_dir: ignore the checkpoints there and train from step 0 (new checkpoints replace same-named files and the state file)")
	ckptEvery := fs.Int("checkpoint_every", def.CheckpointEvery, "checkpoint every this many steps")
	outputGraph := fs.String("output_graph", "/tmp/finetuned_graph.pb", "where to save the fine-tuned frozen graph")
	outputLabels := fs.String("output_labels", "/tmp/finetuned_labels.txt", "where to save the labels")
	finalName := fs.String("final_tensor_name", retrain.DefaultFinalTensor, "name of the new softmax node")
	seed := fs.Uint64("seed", def.Seed, "seed of the new layer's initialisation and of batch sampling")
	printMis := fs.Bool("print_misclassified_test_images", false, "list the misclassified test images")
	logEvals := registerLogFlag(fs)
	asJSON := fs.Bool("json", false, "print a JSON summary on stdout (progress goes to stderr)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkTrainingArgs(rest, *imageDir, opt.name); err != nil {
		return err
	}
	asked, err := parseInputSize(*size)
	if err != nil {
		return err
	}
	log := stdout
	if *asJSON {
		log = stderr
	}
	// Before anything slow: a checkpoint directory that cannot be resumed
	// is an error, unless the user asks to start over.
	if *ckptDir != "" && !*startOver {
		if _, err := finetune.LatestCheckpoint(*ckptDir); err != nil {
			return resumeHint(err)
		}
	}
	t0 := time.Now()
	if *graphPath == "" {
		files, err := zoo.TinyNet()
		if err != nil {
			return err
		}
		*graphPath = files.Frozen
		fmt.Fprintf(log, "Using gotl's offline TinyNet (%s)\n", files.Dir)
	}
	bottleneckNode, _, err := graphrun.ParseTensorName(*bottleneckT)
	if err != nil {
		return fmt.Errorf("%w: --bottleneck_tensor: %w", errUsage, err)
	}
	g, err := finetune.LoadGraph(*graphPath, *ckpt, bottleneckNode)
	if err != nil {
		return err
	}
	imageSize, err := g.FeedImageSize(*input, asked, graphrun.ImageSize{})
	if err != nil {
		return sizeFlagsError(err, *graphPath, inputSizeFlags)
	}
	prep := dataset.Preprocess{Height: imageSize.Height, Width: imageSize.Width, Mean: float32(*mean), Std: float32(*std)}
	folder, err := split.load(*imageDir)
	if err != nil {
		return err
	}
	data, err := finetune.LoadImages(folder, prep, nb.Bars)
	if err != nil {
		return err
	}
	tLoad := time.Since(t0)
	cfg := def
	if *initFrom != "" {
		rg, err := graphrun.Load(*initFrom)
		if err != nil {
			return err
		}
		if cfg.Head, err = retrain.LayerFromGraph(rg.GraphDef()); err != nil {
			return err
		}
	}
	cfg.Graph, cfg.InputTensor, cfg.ImageSize, cfg.BottleneckTensor, cfg.Labels = g, *input, imageSize, *bottleneckT, data.Labels
	cfg.Trainable, cfg.TopLayers, cfg.Optimizer, cfg.PretrainedLearningRateScale = *trainable, *topLayers, opt.config(), *lrScale
	cfg.BatchSize, cfg.Steps, cfg.EvalStepInterval, cfg.ValidationBatchSize = *batch, *steps, *evalEvery, *valBatch
	cfg.CheckpointDir, cfg.StartOver, cfg.CheckpointEvery, cfg.Seed, cfg.Progress = *ckptDir, *startOver, *ckptEvery, *seed, trainingBars
	// Validation batches are subsets without replacement, tests the whole
	// split.
	validation := sampled{count: len(data.Validation), images: len(data.Validation)}
	if n := *valBatch; n > 0 && n < len(data.Validation) {
		validation.count = n
	}
	test := sampled{count: len(data.Testing), images: len(data.Testing)}
	var evals *evalLogger // made once the resumed step is known
	cfg.OnEval = func(p train.EvalPoint) {
		line := fmt.Sprintf("Step %d: Train accuracy = %.1f%%, Cross entropy = %f", p.Step, 100*p.TrainAccuracy, p.CrossEntropy)
		if !math.IsNaN(p.ValidationAccuracy) {
			line += fmt.Sprintf(", Validation accuracy = %.1f%% (%v)", 100*p.ValidationAccuracy, validation)
		}
		evals.log(p, line)
	}
	tuner, err := finetune.New(cfg)
	if err != nil {
		return err
	}
	backend, err := graphrun.DefaultBackend()
	if err != nil {
		return err
	}
	resumed, err := tuner.Resume()
	if err != nil {
		return resumeHint(err)
	}
	if resumed != "" {
		fmt.Fprintf(log, "Resumed from step %d (%s)\n", tuner.GlobalStep(), resumed)
	}
	if tuner.GlobalStep() >= *steps {
		// As tf.estimator's "Skipping training since max_steps has already
		// saved": the count is a total.
		fmt.Fprintf(log, "Skipping training: step %d reaches --how_many_training_steps %d, which counts resumed steps too\n", tuner.GlobalStep(), *steps)
	} else {
		fmt.Fprintf(log, "Fine-tuning %d pretrained weights and a new %d-class layer on %s, steps %d to %d\n",
			len(tuner.TrainableWeights()), len(data.Labels), compute.Describe(backend), tuner.GlobalStep()+1, *steps)
	}
	evals = newEvalLogger(log, tuner.GlobalStep(), *steps, *evalEvery, *logEvals)
	res, err := tuner.Train(data)
	if err != nil {
		return err
	}
	reportResult(log, &res.Result, test, data.Labels, *printMis)
	if err := tuner.Export(*outputGraph, *outputLabels, *finalName); err != nil {
		return err
	}
	fmt.Fprintf(log, "Wrote %s (output %s:0) and %s\n", *outputGraph, *finalName, *outputLabels)
	if !*asJSON {
		return nil
	}
	return writeIndentedJSON(stdout, finetuneSummary{
		Classes: data.Labels, Images: data.Counts(), Backend: compute.Describe(backend),
		Steps: res.Steps, GlobalStep: res.GlobalStep, Optimizer: opt.name, TrainableWeights: res.Trainable,
		trainingMetrics: metricsOf(&res.Result, validation, test),
		trainingOutputs: trainingOutputs{
			Seconds:        map[string]float64{"loading": tLoad.Seconds(), "training": res.Duration.Seconds(), "total": time.Since(t0).Seconds()},
			StepsPerSecond: res.StepsPerSecond, OutputGraph: *outputGraph, OutputLabels: *outputLabels,
		},
		CheckpointDir: *ckptDir, ResumedFrom: res.ResumedFrom, History: historyOf(&res.Result),
	})
}

// resumeHint adds to an error about a checkpoint directory that cannot be
// resumed how to start over instead.
func resumeHint(err error) error {
	if errors.Is(err, finetune.ErrCannotResume) {
		return fmt.Errorf("%w; --start_over trains from step 0 instead", err)
	}
	return err
}
