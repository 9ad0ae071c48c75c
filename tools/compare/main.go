// Command compare is the script form of notebooks/04_retrain_vs_finetune.ipynb,
// built from the same calls and keeping the same records (train.Run). On one
// synthetic image folder (TinyNet's transfer target classes, written by
// dataset.WriteSyntheticClasses and split by dataset.LoadFolder exactly as
// retrain.py splits) it
//
//	(a) retrains only a new softmax layer on cached TinyNet bottlenecks
//	    (helpers/bottleneck + helpers/retrain),
//	(b) fine-tunes TinyNet end to end (helpers/finetune), and
//	(c) fine-tunes only its top N layers (--top_layers, 0 to skip),
//
// then prints, for each, steps per second, seconds per step, the time spent
// preparing data and training, and the final train, validation and test
// accuracies: a table, or JSON with --json.
//
//	go run ./tools/compare
//	go run ./tools/compare --json > cpu.json
//	GOMLX_BACKEND=xla:cuda go run ./tools/compare --json
//
// The defaults are the notebook's presets (a test checks that they match):
// small settings on the pure-Go backend, and bigger ones (more images and
// steps, larger batches) when the backend is a GPU (compute.IsGPU). Every setting can be overridden by a flag, and
// --settings=cpu|gpu picks a preset regardless of the backend.
//
// Speed is reported two ways. "steady" rates come from the time between the
// first and the last periodic evaluation (train.Result.SecondsPerStep), so
// they leave out graph compilation (XLA compiles on the first step) and data
// preparation; "train s" is the whole training call. CPU seconds (user+system of this process) are printed
// beside wall seconds, because on a shared machine wall time also measures
// the other processes.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/finetune"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/nb"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/helpers/zoo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// Settings are the experiment's knobs. The notebook uses the same presets.
type Settings struct {
	PerClass     int     `json:"per_class"`     // images written per class
	ImageSize    int     `json:"image_size"`    // written images are ImageSize×ImageSize
	Noise        float64 `json:"noise"`         // per-pixel noise stddev of the synthetic images, in levels
	Steps        int     `json:"steps"`         // training steps of every method
	Batch        int     `json:"batch"`         // training batch size of every method
	LearningRate float64 `json:"learning_rate"` // Momentum(0.9) learning rate of the new layer
	EvalEvery    int     `json:"eval_every"`    // evaluation interval, in steps
	TopLayers    int     `json:"top_layers"`    // the partial fine-tuning variant; 0 skips it
	// LongRetrainSteps is a second retrain run with retrain.py's default step
	// count, to show whether more steps would close the gap (0 skips it).
	LongRetrainSteps int    `json:"long_retrain_steps"`
	Seed             uint64 `json:"seed"` // images, initialisation and batches
	// PretrainedScale multiplies the learning rate of pretrained weights
	// during fine-tuning (finetune.Config.PretrainedLearningRateScale).
	PretrainedScale float64 `json:"pretrained_lr_scale"`
	// ValidationPercent and TestPercent are retrain.py's
	// --validation_percentage and --testing_percentage.
	ValidationPercent float64 `json:"validation_percentage"`
	TestPercent       float64 `json:"testing_percentage"`
	// InitHead starts fine-tuning's new layer from the retrained one
	// (finetune.Config.Head) instead of a random initialisation.
	InitHead bool `json:"init_head"`
	// Optimizer is every method's TF1 optimizer; Momentum gets momentum 0.9.
	Optimizer string `json:"optimizer"`
}

// CPUSettings finish in about a minute of training on two CPU cores and still
// separate the methods; GPUSettings are a bigger run of the same experiment.
var (
	CPUSettings = Settings{PerClass: 100, ImageSize: 32, Noise: 70, Steps: 200, Batch: 16, LearningRate: 0.002, EvalEvery: 10,
		TopLayers: 2, LongRetrainSteps: 4000, Seed: 4, PretrainedScale: 0.1, ValidationPercent: 10, TestPercent: 20, Optimizer: "Momentum"}
	GPUSettings = Settings{PerClass: 400, ImageSize: 32, Noise: 70, Steps: 1000, Batch: 64, LearningRate: 0.002, EvalEvery: 25,
		TopLayers: 2, LongRetrainSteps: 4000, Seed: 4, PretrainedScale: 0.1, ValidationPercent: 10, TestPercent: 20, Optimizer: "Momentum"}
)

// Method is one training method's run, as the notebook keeps it, with the
// CPU time it used.
type Method struct {
	train.Run
	// User+system CPU seconds of this process during the preparation
	// (Run.Prep) and the training call (Run.Duration).
	PrepCPUSeconds  float64 `json:"prep_cpu_seconds"`
	TrainCPUSeconds float64 `json:"train_cpu_seconds"`
	// SecondsPerStep is the steady rate (Run.SecondsPerStep).
	SecondsPerStep float64 `json:"seconds_per_step"`
}

// Report is the --json output.
type Report struct {
	Backend  string         `json:"backend"`
	GPU      bool           `json:"gpu"`
	Settings Settings       `json:"settings"`
	Classes  []string       `json:"classes"`
	Images   map[string]int `json:"images"`
	Methods  []Method       `json:"methods"`
	Seconds  float64        `json:"seconds"` // whole run
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	preset := fs.String("settings", "auto", "preset: cpu, gpu, or auto (gpu when the backend is a GPU)")
	perClass := fs.Int("per_class", 0, "images per class (default: the preset's)")
	imageSize := fs.Int("image_size", 0, "size of the written images, resized to TinyNet's 32×32 input (default: the preset's)")
	noise := fs.Float64("noise", 0, "per-pixel noise stddev of the synthetic images, in levels (default: the preset's)")
	steps := fs.Int("steps", 0, "training steps of each method (default: the preset's)")
	batch := fs.Int("batch", 0, "training batch size of each method (default: the preset's)")
	lr := fs.Float64("learning_rate", 0, "learning rate of the new layer; pretrained layers get a tenth (default: the preset's)")
	evalEvery := fs.Int("eval_every", 0, "evaluate every this many steps (default: the preset's)")
	topLayers := fs.Int("top_layers", -1, "also fine-tune only the top N layers; 0 skips it (default: the preset's)")
	longSteps := fs.Int("long_retrain_steps", -1, "also retrain for this many steps; 0 skips it (default: the preset's)")
	scale := fs.Float64("pretrained_lr_scale", 0, "learning rate scale of pretrained weights when fine-tuning (default: the preset's)")
	valPct := fs.Float64("validation_percentage", 0, "percentage of images in the validation split (default: the preset's)")
	testPct := fs.Float64("testing_percentage", 0, "percentage of images in the test split (default: the preset's)")
	initHead := fs.String("init_head", "", "true: fine-tuning starts from the retrained softmax; false: from a random one (default: the preset's)")
	optName := fs.String("optimizer", "", "TF1 optimizer of every method, e.g. Momentum (with momentum 0.9), Adam, GradientDescent (default: the preset's)")
	methods := fs.String("methods", "retrain,finetune", "methods to run, comma-separated: retrain (also the long retrain) and finetune (also top N)")
	seed := fs.Uint64("seed", 0, "seed of images, initialisation and batches (default: the preset's)")
	workDir := fs.String("work_dir", "", "keep the images and the bottleneck cache here (default: a temporary directory, removed)")
	asJSON := fs.Bool("json", false, "print the report as JSON on stdout (progress goes to stderr)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: compare [flags]\n\nRetrain a softmax on TinyNet bottlenecks vs fine-tune TinyNet, on one synthetic dataset.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	selected := map[string]bool{}
	for _, m := range strings.Split(*methods, ",") {
		switch m = strings.TrimSpace(m); m {
		case "retrain", "finetune":
			selected[m] = true
		default:
			return fmt.Errorf("--methods: unknown method %q (want retrain, finetune)", m)
		}
	}
	start := time.Now()
	backend, err := graphrun.DefaultBackend()
	if err != nil {
		return err
	}
	gpu := compute.IsGPU(backend)
	var s Settings
	switch *preset {
	case "auto":
		s = CPUSettings
		if gpu {
			s = GPUSettings
		}
	case "cpu":
		s = CPUSettings
	case "gpu":
		s = GPUSettings
	default:
		return fmt.Errorf("--settings %q: want cpu, gpu or auto", *preset)
	}
	override := func(dst *int, v int) {
		if v > 0 {
			*dst = v
		}
	}
	override(&s.PerClass, *perClass)
	override(&s.ImageSize, *imageSize)
	override(&s.Steps, *steps)
	override(&s.Batch, *batch)
	override(&s.EvalEvery, *evalEvery)
	if *topLayers >= 0 {
		s.TopLayers = *topLayers
	}
	if *longSteps >= 0 {
		s.LongRetrainSteps = *longSteps
	}
	if *valPct > 0 {
		s.ValidationPercent = *valPct
	}
	if *testPct > 0 {
		s.TestPercent = *testPct
	}
	switch *initHead {
	case "":
	case "true", "false":
		s.InitHead = *initHead == "true"
	default:
		return fmt.Errorf("--init_head %q: want true or false", *initHead)
	}
	if *optName != "" {
		s.Optimizer = *optName
	}
	if _, err := optim.Lookup(s.Optimizer); err != nil {
		return fmt.Errorf("--optimizer: %w", err)
	}
	if *scale > 0 {
		s.PretrainedScale = *scale
	}
	if *noise > 0 {
		s.Noise = *noise
	}
	if *lr > 0 {
		s.LearningRate = *lr
	}
	if *seed > 0 {
		s.Seed = *seed
	}
	if s.EvalEvery >= s.Steps {
		return fmt.Errorf("--eval_every %d is not below --steps %d: the steady speed needs two evaluations", s.EvalEvery, s.Steps)
	}

	log := stdout
	if *asJSON {
		log = stderr
	}
	dir := *workDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "gotl-compare-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(log, "Backend: %s\nSettings: %+v\n", compute.Describe(backend), s)

	folder, err := writeTargets(dir, s)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, c := range folder.Counts() {
		counts["training"] += c[dataset.Training]
		counts["validation"] += c[dataset.Validation]
		counts["testing"] += c[dataset.Testing]
	}
	fmt.Fprintf(log, "Images: %d classes %v, split %v\n", len(folder.Classes), folder.Labels(), counts)

	files, err := zoo.TinyNet()
	if err != nil {
		return err
	}
	rep := Report{Backend: compute.Describe(backend), GPU: gpu, Settings: s, Classes: folder.Labels(), Images: counts}

	retrainSteps := []int{s.Steps}
	if s.LongRetrainSteps > 0 {
		retrainSteps = append(retrainSteps, s.LongRetrainSteps)
	}
	if !selected["retrain"] {
		retrainSteps = nil
	}
	var head *retrain.Layer
	for _, n := range retrainSteps {
		m, layer, err := retrainMethod(folder, files, filepath.Join(dir, "bottlenecks"), s, n)
		if err != nil {
			return err
		}
		if head == nil {
			head = layer
		}
		rep.Methods = append(rep.Methods, *m)
		fmt.Fprintf(log, "%s: test accuracy %.1f%%, %.0f steps/s\n", m.Name, 100*m.TestAccuracy, 1/m.SecondsPerStep)
	}

	variants := []int{0}
	if s.TopLayers > 0 {
		variants = append(variants, s.TopLayers)
	}
	if !selected["finetune"] {
		variants = nil
	}
	if !s.InitHead {
		head = nil
	} else if head == nil && len(variants) > 0 {
		return errors.New("--init_head=true needs the retrain method")
	}
	for _, top := range variants {
		m, err := finetuneMethod(folder, files, s, top, head)
		if err != nil {
			return err
		}
		rep.Methods = append(rep.Methods, *m)
		fmt.Fprintf(log, "%s: test accuracy %.1f%%, %.2f steps/s\n", m.Name, 100*m.TestAccuracy, 1/m.SecondsPerStep)
	}
	rep.Seconds = time.Since(start).Seconds()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return printTable(stdout, rep)
}

// writeTargets writes TinyNet's target classes (the synthetic classes it
// was not pretrained on) as the image folder workDir/images and loads it with
// retrain.py's split.
//
// retrain.py hashes each image's path as given, directory included, so the
// folder is loaded as the relative path "images" from workDir (this process
// changes into it): the split is then the same on every machine and in the
// notebook.
func writeTargets(workDir string, s Settings) (*dataset.Folder, error) {
	if err := os.Chdir(workDir); err != nil {
		return nil, err
	}
	const dir = "images"
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if _, err := dataset.WriteSyntheticClasses(dir, zoo.TinyNetTargetClasses, dataset.SyntheticOptions{
		PerClass: s.PerClass, Height: s.ImageSize, Width: s.ImageSize, Noise: s.Noise, Seed: s.Seed,
	}); err != nil {
		return nil, err
	}
	opts := dataset.DefaultFolderOptions()
	opts.ValidationPercentage, opts.TestingPercentage = s.ValidationPercent, s.TestPercent
	return dataset.LoadFolder(dir, opts)
}

// optimizer is the same for every method, at the new layer's learning rate
// (fine-tuning scales it down for pretrained weights); Momentum gets
// momentum 0.9.
func optimizer(s Settings) optim.Config {
	cfg := optim.Config{Optimizer: s.Optimizer, LearningRate: s.LearningRate, Params: map[string]any{}}
	if s.Optimizer == "Momentum" {
		cfg.Params["momentum"] = 0.9
	}
	return cfg
}

// retrainMethod computes (or reads from the cache) every image's TinyNet
// bottleneck, then trains only a new softmax layer on them.
func retrainMethod(folder *dataset.Folder, files *zoo.Files, cacheDir string, s Settings, steps int) (*Method, *retrain.Layer, error) {
	m := &Method{Run: train.Run{Name: "retrain", Trains: "new softmax layer only, on cached bottlenecks", Batch: s.Batch}}
	if steps != s.Steps {
		m.Name = fmt.Sprintf("retrain %d steps", steps)
	}
	t0, c0 := time.Now(), cpuSeconds()
	model, err := bottleneck.LoadGraphModel(files.Frozen, zoo.TinyNetInfo.Input, zoo.TinyNetInfo.Bottleneck)
	if err != nil {
		return nil, nil, err
	}
	cache, err := bottleneck.Open(cacheDir)
	if err != nil {
		return nil, nil, err
	}
	ex := &bottleneck.Extractor{Model: model, Preprocess: zoo.TinyNetInfo.Preprocess(), Cache: cache, BatchSize: 64, Progress: nb.Bars}
	data, err := ex.Splits(folder)
	if err != nil {
		return nil, nil, err
	}
	m.Prep, m.PrepCPUSeconds = time.Since(t0), cpuSeconds()-c0

	cfg := retrain.DefaultConfig()
	cfg.Steps, cfg.TrainBatchSize, cfg.ValidationBatchSize, cfg.EvalStepInterval = steps, s.Batch, -1, s.EvalEvery
	cfg.Optimizer, cfg.Seed = optimizer(s), s.Seed
	c1 := cpuSeconds()
	res, err := retrain.Train(data, cfg)
	if err != nil {
		return nil, nil, err
	}
	m.Result, m.TrainCPUSeconds, m.SecondsPerStep = res.Result, cpuSeconds()-c1, res.SecondsPerStep()
	return m, res.Layer, nil
}

// finetuneMethod fine-tunes TinyNet with a new softmax layer: every layer
// when top is 0, else only the top layers below the bottleneck.
func finetuneMethod(folder *dataset.Folder, files *zoo.Files, s Settings, top int, head *retrain.Layer) (*Method, error) {
	m := &Method{Run: train.Run{Name: "fine-tune all", Trains: "every layer + new softmax layer", Batch: s.Batch}}
	if top > 0 {
		m.Name, m.Trains = fmt.Sprintf("fine-tune top %d", top), fmt.Sprintf("top %d layers + new softmax layer", top)
	}
	t0, c0 := time.Now(), cpuSeconds()
	g, err := finetune.LoadGraph(files.Frozen, "", strings.TrimSuffix(zoo.TinyNetInfo.Bottleneck, ":0"))
	if err != nil {
		return nil, err
	}
	images, err := finetune.LoadImages(folder, zoo.TinyNetInfo.Preprocess(), nil)
	if err != nil {
		return nil, err
	}
	cfg := finetune.DefaultConfig()
	cfg.Graph, cfg.InputTensor, cfg.BottleneckTensor = g, zoo.TinyNetInfo.Input, zoo.TinyNetInfo.Bottleneck
	cfg.Labels, cfg.TopLayers, cfg.Head, cfg.Optimizer, cfg.PretrainedLearningRateScale = images.Labels, top, head, optimizer(s), s.PretrainedScale
	cfg.BatchSize, cfg.Steps, cfg.EvalStepInterval, cfg.Seed, cfg.Progress = s.Batch, s.Steps, s.EvalEvery, s.Seed, nb.Bars
	tuner, err := finetune.New(cfg)
	if err != nil {
		return nil, err
	}
	m.Prep, m.PrepCPUSeconds = time.Since(t0), cpuSeconds()-c0
	c1 := cpuSeconds()
	res, err := tuner.Train(images)
	if err != nil {
		return nil, err
	}
	m.Result, m.TrainCPUSeconds, m.SecondsPerStep = res.Result, cpuSeconds()-c1, res.SecondsPerStep()
	return m, nil
}

func printTable(w io.Writer, rep Report) error {
	fmt.Fprintf(w, "\nBackend: %s\n", rep.Backend)
	fmt.Fprintf(w, "Data: %d classes, %d training / %d validation / %d test images; batches of %d\n",
		len(rep.Classes), rep.Images["training"], rep.Images["validation"], rep.Images["testing"], rep.Settings.Batch)
	fmt.Fprintf(w, "Settings: %+v\n\n", rep.Settings)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tsteps\tsteps/s\tms/step\tprep s (cpu)\ttrain s (cpu)\ttotal s\ttrain acc\tval acc\ttest acc\t")
	for _, m := range rep.Methods {
		last := m.Last()
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.2f (%.2f)\t%.2f (%.2f)\t%.2f\t%.1f%%\t%.1f%%\t%.1f%% of %d\t\n",
			m.Name, m.Steps, 1/m.SecondsPerStep, 1000*m.SecondsPerStep, m.Prep.Seconds(), m.PrepCPUSeconds,
			m.Duration.Seconds(), m.TrainCPUSeconds, m.Prep.Seconds()+m.Duration.Seconds(),
			100*last.TrainAccuracy, 100*last.ValidationAccuracy, 100*m.TestAccuracy, m.TestCount)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nwhole run: %.1f s\n", rep.Seconds)
	return nil
}
