package compare

import (
	"errors"
	"fmt"

	"github.com/gotl/gotl/helpers/optim"
)

// Settings are the experiment's knobs, shared by every method.
type Settings struct {
	PerClass     int     `json:"per_class"`     // images written per class
	ImageSize    int     `json:"image_size"`    // written images are ImageSize×ImageSize
	Noise        float64 `json:"noise"`         // per-pixel noise stddev of the synthetic images, in levels
	Steps        int     `json:"steps"`         // training steps of every method
	Batch        int     `json:"batch"`         // training batch size of every method
	LearningRate float64 `json:"learning_rate"` // learning rate of the new layer
	EvalEvery    int     `json:"eval_every"`    // evaluation interval, in steps
	TopLayers    int     `json:"top_layers"`    // the partial fine-tuning variant; 0 skips it
	// LongRetrainSteps is a second retrain run with retrain.py's default step
	// count, to show whether more steps would close the gap (0 skips it).
	LongRetrainSteps int `json:"long_retrain_steps"`
	// Seed is the first seed; Seeds runs use Seed, Seed+1, … (SeedList).
	// A seed draws the images, the initial weights and the batches.
	Seed  uint64 `json:"seed"`
	Seeds int    `json:"seeds"`
	// PretrainedScale multiplies the learning rate of pretrained weights
	// during fine-tuning (finetune.Config.PretrainedLearningRateScale).
	PretrainedScale float64 `json:"pretrained_lr_scale"`
	// ValidationPercent and TestPercent are retrain.py's
	// --validation_percentage and --testing_percentage.
	ValidationPercent float64 `json:"validation_percentage"`
	TestPercent       float64 `json:"testing_percentage"`
	// InitHead starts fine-tuning's new layer from the same seed's
	// retrained one (finetune.Config.Head) instead of a random one.
	InitHead bool `json:"init_head"`
	// Optimizer is every method's TF1 optimizer; Momentum gets momentum 0.9.
	Optimizer string `json:"optimizer"`
}

// CPUSettings suit two CPU cores: ten seeds of the whole comparison take
// about a minute and a half on the pure-Go backend's fast path. GPUSettings
// are a bigger run of the same experiment (more images and steps, larger
// batches), on five seeds.
var (
	CPUSettings = Settings{PerClass: 100, ImageSize: 32, Noise: 70, Steps: 200, Batch: 16, LearningRate: 0.002, EvalEvery: 10,
		TopLayers: 2, LongRetrainSteps: 4000, Seed: 4, Seeds: 10, PretrainedScale: 0.1, ValidationPercent: 10, TestPercent: 20,
		Optimizer: "Momentum"}
	GPUSettings = Settings{PerClass: 400, ImageSize: 32, Noise: 70, Steps: 1000, Batch: 64, LearningRate: 0.002, EvalEvery: 25,
		TopLayers: 2, LongRetrainSteps: 4000, Seed: 4, Seeds: 5, PretrainedScale: 0.1, ValidationPercent: 10, TestPercent: 20,
		Optimizer: "Momentum"}
)

// Preset returns GPUSettings on a GPU, else CPUSettings.
func Preset(gpu bool) Settings {
	if gpu {
		return GPUSettings
	}
	return CPUSettings
}

// SeedList returns the seeds of the runs: Seed, Seed+1, …, Seeds of them.
func (s Settings) SeedList() []uint64 {
	seeds := make([]uint64, s.Seeds)
	for i := range seeds {
		seeds[i] = s.Seed + uint64(i)
	}
	return seeds
}

// OptimizerConfig is every method's optimizer at the new layer's learning
// rate (fine-tuning scales it for pretrained weights); Momentum gets
// momentum 0.9.
func (s Settings) OptimizerConfig() optim.Config {
	cfg := optim.Config{Optimizer: s.Optimizer, LearningRate: s.LearningRate, Params: map[string]any{}}
	if s.Optimizer == "Momentum" {
		cfg.Params["momentum"] = 0.9
	}
	return cfg
}

// Check reports settings that cannot run.
func (s Settings) Check() error {
	switch {
	case s.PerClass < 1 || s.ImageSize < 1 || s.Steps < 1 || s.Batch < 1 || s.EvalEvery < 1 || s.Seeds < 1:
		return fmt.Errorf("compare: per_class (%d), image_size (%d), steps (%d), batch (%d), eval_every (%d) and seeds (%d) must be positive",
			s.PerClass, s.ImageSize, s.Steps, s.Batch, s.EvalEvery, s.Seeds)
	case s.EvalEvery >= s.Steps:
		return fmt.Errorf("compare: eval_every %d is not below steps %d: the steady speed needs two evaluations", s.EvalEvery, s.Steps)
	case !(s.LearningRate > 0) || !(s.PretrainedScale > 0):
		return errors.New("compare: the learning rate and its scale for pretrained weights must be positive")
	case s.TopLayers < 0 || s.LongRetrainSteps < 0:
		return errors.New("compare: top_layers and long_retrain_steps must not be negative")
	}
	if _, err := optim.Lookup(s.Optimizer); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	return nil
}

// The methods' identifiers: Record.Method, the names of saved runs.
const (
	Retrain     = "retrain"
	RetrainLong = "retrain_long"
	FineTune    = "finetune"
	FineTuneTop = "finetune_top"
)

// Method is one training method of the comparison.
type Method struct {
	ID     string // Retrain, RetrainLong, FineTune or FineTuneTop
	Name   string // for tables and legends: "retrain 4000 steps"
	Trains string // what moves, in words
	Steps  int
	// FineTune is true for the fine-tuning methods, which train TopLayers
	// layers below the bottleneck (0: all of them).
	FineTune  bool
	TopLayers int
}

// Plan lists the methods the settings run, in order: retrain, the long
// retrain (when LongRetrainSteps > 0), fine-tune all, fine-tune top
// TopLayers (when > 0).
func (s Settings) Plan() []Method {
	ms := []Method{{ID: Retrain, Name: "retrain", Trains: "new softmax layer only, on cached bottlenecks", Steps: s.Steps}}
	if s.LongRetrainSteps > 0 {
		ms = append(ms, Method{ID: RetrainLong, Name: fmt.Sprintf("retrain %d steps", s.LongRetrainSteps),
			Trains: "new softmax layer only, on cached bottlenecks", Steps: s.LongRetrainSteps})
	}
	ms = append(ms, Method{ID: FineTune, Name: "fine-tune all", Trains: "every layer + new softmax layer", Steps: s.Steps, FineTune: true})
	if s.TopLayers > 0 {
		ms = append(ms, Method{ID: FineTuneTop, Name: fmt.Sprintf("fine-tune top %d", s.TopLayers),
			Trains: fmt.Sprintf("top %d layers + new softmax layer", s.TopLayers), Steps: s.Steps, FineTune: true, TopLayers: s.TopLayers})
	}
	return ms
}

// Method returns the planned method with the given ID.
func (s Settings) Method(id string) (Method, error) {
	for _, m := range s.Plan() {
		if m.ID == id {
			return m, nil
		}
	}
	return Method{}, fmt.Errorf("compare: no method %q in the plan (%d long retrain steps, top %d layers)", id, s.LongRetrainSteps, s.TopLayers)
}
