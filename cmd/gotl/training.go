package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gotl/gotl/helpers/dataset"
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

func (o *optimizerFlags) register(fs *flag.FlagSet, def optim.Config, lrDoc string) {
	o.def, o.params = def, paramFlags{}
	fs.StringVar(&o.name, "optimizer", def.Optimizer, "TF1 optimizer: "+strings.Join(optim.Names(), ", "))
	fs.Float64Var(&o.lr, "learning_rate", def.LearningRate, lrDoc)
	doc := "optimizer argument with its TF1 name, e.g. momentum=0.9 (repeatable)"
	if len(def.Params) > 0 {
		doc += fmt.Sprintf("; %s defaults to %v", def.Optimizer, map[string]any(def.Params))
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
// about a run, in this order.
type trainingMetrics struct {
	TrainAccuracy      float64               `json:"train_accuracy"`
	ValidationAccuracy *float64              `json:"validation_accuracy"`
	CrossEntropy       float64               `json:"cross_entropy"`
	TestAccuracy       *float64              `json:"test_accuracy"`
	TestCount          int                   `json:"test_count"`
	Misclassified      []train.Misclassified `json:"misclassified,omitempty"`
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

func metricsOf(r *train.Result) trainingMetrics {
	last := r.Last()
	m := trainingMetrics{TrainAccuracy: last.TrainAccuracy, ValidationAccuracy: nanToNil(last.ValidationAccuracy),
		CrossEntropy: last.CrossEntropy, TestCount: r.TestCount, Misclassified: r.Misclassified}
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

// reportResult prints the final test accuracy and, when asked, the
// misclassified test images as retrain.py's --print_misclassified_test_images
// does.
func reportResult(w io.Writer, r *train.Result, labels []string, printMisclassified bool) {
	if r.TestCount > 0 {
		fmt.Fprintf(w, "Final test accuracy = %.1f%% (N=%d)\n", 100*r.TestAccuracy, r.TestCount)
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
