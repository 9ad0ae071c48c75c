package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/nb"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/train"
)

// What retrain and finetune share: both take retrain.py's image folder,
// split and optimizer flags, and report the same way.

// checkTrainingArgs checks the arguments both training commands require.
func checkTrainingArgs(rest []string, imageDir, optimizer string) error {
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, rest)
	}
	if imageDir == "" {
		return fmt.Errorf("%w: --image_dir is required", errUsage)
	}
	if _, err := optim.Lookup(optimizer); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	return nil
}

// splitFlags are retrain.py's --validation_percentage and
// --testing_percentage, with dataset.DefaultFolderOptions' defaults.
type splitFlags struct{ validation, testing float64 }

func (s *splitFlags) register(fs *flag.FlagSet) {
	def := dataset.DefaultFolderOptions()
	fs.Float64Var(&s.testing, "testing_percentage", def.TestingPercentage, "percentage of images used as the test set")
	fs.Float64Var(&s.validation, "validation_percentage", def.ValidationPercentage, "percentage of images used as the validation set")
}

// load reads an image folder with retrain.py's split.
func (s *splitFlags) load(dir string) (*dataset.Folder, error) {
	opts := dataset.DefaultFolderOptions()
	opts.ValidationPercentage, opts.TestingPercentage = s.validation, s.testing
	return dataset.LoadFolder(dir, opts)
}

// optimizerFlags are --optimizer, --learning_rate and --optimizer_param,
// with defaults from a trainer's DefaultConfig.
type optimizerFlags struct {
	name   string
	lr     float64
	params paramFlags
	def    optim.Config
}

// registerLogFlag registers --log_evaluations.
func registerLogFlag(fs *flag.FlagSet) *int {
	return fs.Int("log_evaluations", maxLoggedEvaluations,
		"log about this many evaluations, evenly spaced, besides the first and the last (-1: every one, as retrain.py)")
}

func (o *optimizerFlags) register(fs *flag.FlagSet, def optim.Config, lrDoc string) {
	o.def, o.params = def, paramFlags{}
	fs.StringVar(&o.name, "optimizer", def.Optimizer, "TF1 optimizer: "+strings.Join(optim.Names(), ", "))
	fs.Float64Var(&o.lr, "learning_rate", def.LearningRate, lrDoc)
	doc := "optimizer argument with its TF1 name, e.g. momentum=0.9 (repeatable)"
	if len(def.Params) > 0 {
		doc += "; the default is " + def.String()
	}
	fs.Var(o.params, "optimizer_param", doc)
}

// config is the optimizer the flags name: the default's parameters when it
// is the default optimizer, overridden by --optimizer_param.
func (o *optimizerFlags) config() optim.Config {
	cfg := optim.Config{Optimizer: o.name, LearningRate: o.lr, Params: map[string]any{}}
	if a, err := optim.Lookup(o.name); err == nil {
		if b, err := optim.Lookup(o.def.Optimizer); err == nil && a.Name == b.Name {
			for k, v := range o.def.Params {
				cfg.Params[k] = v
			}
		}
	}
	for k, v := range o.params {
		cfg.Params[k] = v
	}
	return cfg
}

// trainingMetrics are the numbers both commands' --json summaries report
// about a run, in this order. Counts say what each accuracy was measured
// on: ValidationCount examples per evaluation out of ValidationImages
// images (retrain draws with replacement, as retrain.py), TestCount
// examples out of TestImages.
type trainingMetrics struct {
	TrainAccuracy      float64               `json:"train_accuracy"`
	ValidationAccuracy *float64              `json:"validation_accuracy"`
	ValidationCount    int                   `json:"validation_count"`
	ValidationImages   int                   `json:"validation_images"`
	CrossEntropy       float64               `json:"cross_entropy"`
	TestAccuracy       *float64              `json:"test_accuracy"`
	TestCount          int                   `json:"test_count"`
	TestImages         int                   `json:"test_images"`
	Misclassified      []train.Misclassified `json:"misclassified,omitempty"`
}

// sampled says how many examples of a split an accuracy was measured on.
type sampled struct {
	count, images int
	replacement   bool // drawn with replacement (retrain.py's batches)
}

// retrainSample is what retrain measures a batch of batch examples on
// (retrain.py: < 0, the whole split, else drawn with replacement).
func retrainSample(batch, images int) sampled {
	if batch < 0 {
		return sampled{images, images, false}
	}
	return sampled{batch, images, true}
}

// String is the N an accuracy line reports: the images when the batch is
// the whole split, else the draws and the images they come from, since
// 100 draws from 20 images say no more than those 20 images do.
func (s sampled) String() string {
	switch {
	case s.replacement:
		return fmt.Sprintf("N=%d draws from %d images", s.count, s.images)
	case s.count < s.images:
		return fmt.Sprintf("N=%d of %d images", s.count, s.images)
	default:
		return fmt.Sprintf("N=%d", s.count)
	}
}

// maxLoggedEvaluations is --log_evaluations' default: a 4,000-step retrain
// logs 11 evaluations (33 lines), not 401 (1,203 lines).
const maxLoggedEvaluations = 10

// trainingBars shows training steps as a bar only where it updates in
// place (a terminal, a notebook): in a log the evaluation lines are the
// progress.
var trainingBars = nb.BarsWith(nb.ProgressConfig{OnlyInPlace: true})

// evalLogger prints a training run's evaluations at retrain.py's steps, at
// most about --log_evaluations of them (train.EvalLog), above the bar a
// terminal shows.
type evalLogger struct {
	w    io.Writer
	keep *train.EvalLog
}

// newEvalLogger says, when the log leaves evaluations out, which ones it
// shows.
func newEvalLogger(w io.Writer, first, last, interval, max int) *evalLogger {
	l := &evalLogger{w: w, keep: train.NewEvalLog(first, last, interval, max)}
	if l.keep.Thinned() {
		fmt.Fprintf(w, "Evaluating every %d steps; logging one evaluation per %d steps and the last (--log_evaluations -1: all; --json: all in history)\n",
			interval, l.keep.Every)
	}
	return l
}

// log prints the evaluation's lines if the log keeps it.
func (l *evalLogger) log(p train.EvalPoint, lines ...string) {
	if !l.keep.Keep(p.Step) {
		return
	}
	nb.PrintAbove(l.w, strings.Join(lines, "\n"))
}

// trainingOutputs are the timings and files both summaries report.
type trainingOutputs struct {
	Seconds        map[string]float64 `json:"seconds"`
	StepsPerSecond float64            `json:"steps_per_second"`
	OutputGraph    string             `json:"output_graph"`
	OutputLabels   string             `json:"output_labels"`
}

// evaluation is a train.EvalPoint as the summaries' history lists it:
// retrain.py's numbers, without timings.
type evaluation struct {
	Step               int      `json:"step"`
	TrainAccuracy      float64  `json:"train_accuracy"`
	CrossEntropy       float64  `json:"cross_entropy"`
	ValidationAccuracy *float64 `json:"validation_accuracy"`
}

func nanToNil(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}

func metricsOf(r *train.Result, validation, test sampled) trainingMetrics {
	last := r.Last()
	m := trainingMetrics{TrainAccuracy: last.TrainAccuracy, ValidationAccuracy: nanToNil(last.ValidationAccuracy),
		ValidationCount: validation.count, ValidationImages: validation.images,
		CrossEntropy: last.CrossEntropy, TestCount: r.TestCount, TestImages: test.images, Misclassified: r.Misclassified}
	if r.TestCount > 0 {
		m.TestAccuracy = &r.TestAccuracy
	}
	return m
}

func historyOf(r *train.Result) []evaluation {
	h := make([]evaluation, len(r.History))
	for i, p := range r.History {
		h[i] = evaluation{Step: p.Step, TrainAccuracy: p.TrainAccuracy, CrossEntropy: p.CrossEntropy, ValidationAccuracy: nanToNil(p.ValidationAccuracy)}
	}
	return h
}

// reportResult prints the final test accuracy, measured on test, and, when
// asked, the misclassified test images as retrain.py's
// --print_misclassified_test_images does.
func reportResult(w io.Writer, r *train.Result, test sampled, labels []string, printMisclassified bool) {
	if r.TestCount > 0 {
		fmt.Fprintf(w, "Final test accuracy = %.1f%% (%v)\n", 100*r.TestAccuracy, test)
	}
	if !printMisclassified || len(r.Misclassified) == 0 {
		return
	}
	fmt.Fprintln(w, "=== MISCLASSIFIED TEST IMAGES ===")
	for _, m := range r.Misclassified {
		fmt.Fprintf(w, "%70s  %s\n", m.Name, labels[m.Predicted])
	}
}

// writeIndentedJSON prints a --json summary.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
