package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/finetune"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/nb"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/zoo"
)

func init() {
	register(&command{
		name:    "finetune",
		summary: "fine-tune a pretrained graph end to end on an image folder (retrain's flags); export output_graph.pb + labels",
		run:     runFinetune,
	})
}

type finetuneSummary struct {
	Classes            []string                `json:"classes"`
	Images             map[string]int          `json:"images"`
	Backend            string                  `json:"backend"`
	Steps              int                     `json:"steps"`
	GlobalStep         int                     `json:"global_step"`
	Optimizer          string                  `json:"optimizer"`
	TrainableWeights   []string                `json:"trainable_weights"`
	TrainAccuracy      float64                 `json:"train_accuracy"`
	ValidationAccuracy *float64                `json:"validation_accuracy"`
	CrossEntropy       float64                 `json:"cross_entropy"`
	TestAccuracy       *float64                `json:"test_accuracy"`
	TestCount          int                     `json:"test_count"`
	Misclassified      []retrain.Misclassified `json:"misclassified,omitempty"`
	Seconds            map[string]float64      `json:"seconds"`
	StepsPerSecond     float64                 `json:"steps_per_second"`
	OutputGraph        string                  `json:"output_graph"`
	OutputLabels       string                  `json:"output_labels"`
	CheckpointDir      string                  `json:"checkpoint_dir,omitempty"`
	History            []retrain.EvalPoint     `json:"history"`
}

func runFinetune(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("finetune", "--image_dir DIR [--graph G.pb [--checkpoint CKPT]] [flags]", stderr)
	imageDir := fs.String("image_dir", "", "folder with one sub-folder of images per class (required)")
	graphPath := fs.String("graph", "", "pretrained GraphDef: frozen, or with variables plus --checkpoint (default: gotl's offline TinyNet)")
	ckpt := fs.String("checkpoint", "", "checkpoint prefix holding --graph's variables (for a graph that is not frozen)")
	input := fs.String("input_tensor", zoo.TinyNetInput, "input placeholder [N,H,W,3] fed with preprocessed images")
	bottleneckT := fs.String("bottleneck_tensor", zoo.TinyNetBottleneck, "[N, size] tensor the new final layer reads")
	size := fs.String("input_size", "", "input size HxW (default: the input placeholder's shape)")
	mean := fs.Float64("input_mean", zoo.TinyNetMean, "subtracted from every pixel value (0..255) after resizing")
	std := fs.Float64("input_std", zoo.TinyNetStd, "pixel values are divided by it after subtracting the mean")
	steps := fs.Int("how_many_training_steps", 100, "training steps (each a forward and backward pass of the whole network)")
	lr := fs.Float64("learning_rate", 0.002, "learning rate of the new final layer")
	lrScale := fs.Float64("pretrained_learning_rate_scale", 0.1, "the pretrained layers' learning rate is learning_rate times this")
	batch := fs.Int("train_batch_size", 32, "images per training step")
	valBatch := fs.Int("validation_batch_size", -1, "validation images per evaluation (-1: all)")
	testPct := fs.Float64("testing_percentage", 10, "percentage of images used as the test set")
	valPct := fs.Float64("validation_percentage", 10, "percentage of images used as the validation set")
	evalEvery := fs.Int("eval_step_interval", 10, "evaluate every this many steps")
	trainable := fs.String("trainable", "", "regular expression selecting the pretrained weights that move (default: all)")
	topLayers := fs.Int("top_layers", 0, "if > 0, fine-tune only the last N layers below the bottleneck")
	initFrom := fs.String("init_from_retrained", "", "output_graph.pb of a `gotl retrain` run whose final layer starts the new one")
	ckptDir := fs.String("checkpoint_dir", "", "write V2 checkpoints here, and resume from the latest one")
	ckptEvery := fs.Int("checkpoint_every", 50, "checkpoint every this many steps")
	outputGraph := fs.String("output_graph", "/tmp/finetuned_graph.pb", "where to save the fine-tuned frozen graph")
	outputLabels := fs.String("output_labels", "/tmp/finetuned_labels.txt", "where to save the labels")
	finalName := fs.String("final_tensor_name", retrain.DefaultFinalTensor, "name of the new softmax node")
	optimizer := fs.String("optimizer", "Momentum", "TF1 optimizer")
	params := paramFlags{}
	fs.Var(params, "optimizer_param", "optimizer argument with its TF1 name, e.g. momentum=0.9 (repeatable; Momentum defaults to momentum=0.9)")
	seed := fs.Uint64("seed", 0, "seed of the new layer's initialisation and of batch sampling")
	printMis := fs.Bool("print_misclassified_test_images", false, "list the misclassified test images")
	asJSON := fs.Bool("json", false, "print a JSON summary on stdout (progress goes to stderr)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkTrainingArgs(rest, *imageDir, *optimizer); err != nil {
		return err
	}
	if *optimizer == "Momentum" && params["momentum"] == nil {
		params["momentum"] = 0.9
	}
	log := stdout
	if *asJSON {
		log = stderr
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
		return fmt.Errorf("%w: --bottleneck_tensor: %v", errUsage, err)
	}
	g, err := finetune.LoadGraph(*graphPath, *ckpt, bottleneckNode)
	if err != nil {
		return err
	}
	prep := dataset.Preprocess{Mean: float32(*mean), Std: float32(*std)}
	if *size != "" {
		if prep.Height, prep.Width, err = parseSize(*size); err != nil {
			return err
		}
	} else if prep.Height, prep.Width, err = placeholderSize(g, *input); err != nil {
		return err
	}
	folder, err := loadSplitFolder(*imageDir, *valPct, *testPct)
	if err != nil {
		return err
	}
	train, val, test, err := finetune.FromFolder(folder, prep, nb.Bars)
	if err != nil {
		return err
	}
	tLoad := time.Since(t0)
	var head *retrain.Layer
	if *initFrom != "" {
		rg, err := graphrun.Load(*initFrom)
		if err != nil {
			return err
		}
		if head, err = retrain.LayerFromGraph(rg.GraphDef()); err != nil {
			return err
		}
	}
	tuner, err := finetune.New(finetune.Config{
		Graph: g, InputTensor: *input, BottleneckTensor: *bottleneckT, Labels: folder.Labels(),
		Trainable: *trainable, TopLayers: *topLayers, Head: head,
		Optimizer: optim.Config{Optimizer: *optimizer, Params: params}, LearningRate: *lr,
		PretrainedLearningRateScale: *lrScale, BatchSize: *batch, Steps: *steps, EvalStepInterval: *evalEvery,
		ValidationBatchSize: *valBatch, CheckpointDir: *ckptDir, CheckpointEvery: *ckptEvery, Seed: *seed,
		Progress: nb.Bars,
		OnEval: func(p retrain.EvalPoint) {
			fmt.Fprintf(log, "Step %d: Train accuracy = %.1f%%, Cross entropy = %f", p.Step, 100*p.TrainAccuracy, p.CrossEntropy)
			if !math.IsNaN(p.ValidationAccuracy) {
				fmt.Fprintf(log, ", Validation accuracy = %.1f%%", 100*p.ValidationAccuracy)
			}
			fmt.Fprintln(log)
		},
	})
	if err != nil {
		return err
	}
	backend, err := graphrun.DefaultBackend()
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "Fine-tuning %d pretrained weights and a new %d-class layer on %s\n", len(tuner.TrainableWeights()), len(folder.Labels()), compute.Describe(backend))
	res, err := tuner.Train(train, val, test)
	if err != nil {
		return err
	}
	if res.TestCount > 0 {
		fmt.Fprintf(log, "Final test accuracy = %.1f%% (N=%d)\n", 100*res.TestAccuracy, res.TestCount)
	}
	if *printMis {
		printMisclassified(log, res.Misclassified, folder.Labels())
	}
	if err := tuner.Export(*outputGraph, *outputLabels, *finalName); err != nil {
		return err
	}
	fmt.Fprintf(log, "Wrote %s (output %s:0) and %s\n", *outputGraph, *finalName, *outputLabels)
	if !*asJSON {
		return nil
	}
	var last retrain.EvalPoint
	if len(res.History) > 0 {
		last = res.History[len(res.History)-1]
	}
	var testAcc *float64
	if res.TestCount > 0 {
		testAcc = &res.TestAccuracy
	}
	s := finetuneSummary{
		Classes: folder.Labels(), Images: map[string]int{"training": train.Len(), "validation": val.Len(), "testing": test.Len()},
		Backend: compute.Describe(backend), Steps: res.Steps, GlobalStep: res.GlobalStep, Optimizer: *optimizer,
		TrainableWeights: res.Trainable, TrainAccuracy: last.TrainAccuracy, ValidationAccuracy: nanToNil(last.ValidationAccuracy),
		CrossEntropy: last.CrossEntropy, TestAccuracy: testAcc, TestCount: res.TestCount, Misclassified: res.Misclassified,
		Seconds:        map[string]float64{"loading": tLoad.Seconds(), "training": res.Duration.Seconds(), "total": time.Since(t0).Seconds()},
		StepsPerSecond: res.StepsPerSecond, OutputGraph: *outputGraph, OutputLabels: *outputLabels, CheckpointDir: *ckptDir,
		History: res.History,
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// parseSize reads "HxW".
func parseSize(s string) (int, int, error) {
	var h, w int
	if _, err := fmt.Sscanf(strings.ToLower(s), "%dx%d", &h, &w); err != nil || h < 1 || w < 1 {
		return 0, 0, fmt.Errorf("%w: --input_size %q: want HxW, e.g. 299x299", errUsage, s)
	}
	return h, w, nil
}
