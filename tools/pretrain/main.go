// Command pretrain rebuilds helpers/zoo's TinyNet files: it trains TinyNet
// from a fixed seed on the synthetic source classes and writes the frozen
// graph, the graph with variables, its V2 checkpoint, the labels and a
// MODEL.md describing the run. Run it with `go generate ./helpers/zoo`
// (it writes into helpers/zoo/tinynet).
package main

import (
	"flag"
	"fmt"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/finetune"
	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/nb"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/helpers/zoo"
)

func main() {
	out := flag.String("out", "tinynet", "output directory")
	steps := flag.Int("steps", 300, "training steps")
	perClass := flag.Int("per_class", 150, "training images per source class")
	seed := flag.Uint64("seed", zoo.TinyNetSeed, "seed for data, initial weights and batches")
	flag.Parse()
	if err := run(*out, *steps, *perClass, *seed); err != nil {
		log.Fatalf("pretrain: %v", err)
	}
}

func data(classes, perClass int, seed uint64) ([]train.Example[*dataset.FloatImage], error) {
	set, err := dataset.Synthetic(dataset.SyntheticOptions{Classes: classes, PerClass: perClass,
		Height: zoo.TinyNetInfo.Height, Width: zoo.TinyNetInfo.Width, Seed: seed})
	if err != nil {
		return nil, err
	}
	pre := zoo.TinyNetInfo.Preprocess()
	var d []train.Example[*dataset.FloatImage]
	for i, img := range set.Images {
		d = append(d, train.Example[*dataset.FloatImage]{Input: pre.Apply(dataset.FromImage(img)), Label: set.Labels[i], Name: set.Names[i]})
	}
	return d, nil
}

func run(out string, steps, perClass int, seed uint64) error {
	classes := len(zoo.TinyNetSourceClasses)
	examples, err := data(classes, perClass, seed)
	if err != nil {
		return err
	}
	test, err := data(classes, 40, seed+1)
	if err != nil {
		return err
	}
	initial, err := zoo.RandomTinyNetWeights(seed, classes)
	if err != nil {
		return err
	}
	def, err := zoo.TinyNetGraph(initial, false)
	if err != nil {
		return err
	}
	g, err := graphrun.FromGraphDef(def)
	if err != nil {
		return err
	}
	// Pretraining is fine-tuning from random weights: every layer learns at
	// the same rate, and the new final layer becomes TinyNet's classifier.
	cfg := finetune.DefaultConfig()
	cfg.Graph, cfg.InputTensor, cfg.BottleneckTensor = g, zoo.TinyNetInfo.Input, zoo.TinyNetInfo.Bottleneck
	cfg.Labels, cfg.PretrainedLearningRateScale = zoo.TinyNetSourceClasses, 1
	cfg.Optimizer = optim.Config{Optimizer: "Adam", LearningRate: 0.003}
	cfg.BatchSize, cfg.Steps, cfg.EvalStepInterval, cfg.Seed, cfg.Progress = 16, steps, 50, seed, nb.Bars
	tuner, err := finetune.New(cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := tuner.Train(&train.Images{Labels: zoo.TinyNetSourceClasses, Training: examples, Validation: test, Testing: test})
	if err != nil {
		return err
	}
	weights, err := tuner.PretrainedWeights()
	if err != nil {
		return err
	}
	head, err := tuner.Head()
	if err != nil {
		return err
	}
	hw, err := tensor.FromFloat32s([]int64{int64(head.Inputs), int64(head.Classes)}, head.Weights)
	if err != nil {
		return err
	}
	hb, err := tensor.FromFloat32s([]int64{int64(head.Classes)}, head.Biases)
	if err != nil {
		return err
	}
	weights["logits/weights"], weights["logits/biases"] = hw, hb
	for _, name := range zoo.TinyNetWeightNames() {
		if weights[name] == nil {
			return fmt.Errorf("trained weights lack %s", name)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	frozen, err := zoo.TinyNetGraph(weights, false)
	if err != nil {
		return err
	}
	withVars, err := zoo.TinyNetGraph(weights, true)
	if err != nil {
		return err
	}
	for name, d := range map[string]*graphfile.Graph{zoo.FrozenFile: mustGraph(frozen), zoo.GraphFile: mustGraph(withVars)} {
		if err := d.WriteFile(filepath.Join(out, name), graphfile.Binary); err != nil {
			return err
		}
	}
	vars := map[string]*tensor.Tensor{}
	for _, name := range zoo.TinyNetWeightNames() {
		vars[name] = weights[name]
	}
	if err := checkpoint.Write(filepath.Join(out, zoo.CheckpointPrefix), vars); err != nil {
		return err
	}
	if err := retrain.WriteLabels(filepath.Join(out, zoo.LabelsFile), zoo.TinyNetSourceClasses); err != nil {
		return err
	}
	var hist strings.Builder
	for _, p := range res.History {
		fmt.Fprintf(&hist, "| %d | %.4f | %.3f | %.3f |\n", p.Step, p.CrossEntropy, p.TrainAccuracy, p.ValidationAccuracy)
	}
	md := fmt.Sprintf(`# TinyNet (generated)

Written by tools/pretrain (`+"`go generate ./helpers/zoo`"+`); do not edit.

- Task: %d synthetic source classes (%s), %d training images per class, %dx%d.
- Training: Adam (learning_rate 0.003), batch 16, %d steps, seed %d, %s backend, %d CPUs, %.0f s.
- Held-out accuracy on the source classes: %.3f (%d images).

| step | cross-entropy | train accuracy | validation accuracy |
|---|---|---|---|
%s`, classes, strings.Join(zoo.TinyNetSourceClasses, ", "), perClass, zoo.TinyNetInfo.Height, zoo.TinyNetInfo.Width,
		steps, seed, "GoMLX", runtime.NumCPU(), time.Since(start).Seconds(), res.TestAccuracy, res.TestCount, hist.String())
	if err := os.WriteFile(filepath.Join(out, "MODEL.md"), []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Printf("TinyNet: source accuracy %.3f after %d steps (%.0f s); files in %s\n", res.TestAccuracy, steps, time.Since(start).Seconds(), out)
	return nil
}

func mustGraph(def *graphpb.GraphDef) *graphfile.Graph {
	g, err := graphfile.NewGraph(def)
	if err != nil {
		log.Fatal(err)
	}
	return g
}
