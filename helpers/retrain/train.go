package retrain

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/blas/blas32"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/progress"
)

// Example is one bottleneck vector with its class and a name to report it by
// (usually the image path).
type Example struct {
	Vector []float32
	Label  int
	Name   string
}

// Data holds the bottlenecks of the three splits.
type Data struct {
	Labels                        []string // class names, index = label
	Training, Validation, Testing []Example
}

// Config holds retrain.py's training flags.
type Config struct {
	Steps               int     // --how_many_training_steps (4000)
	LearningRate        float64 // --learning_rate (0.01); overrides Optimizer.Params["learning_rate"] when > 0
	TrainBatchSize      int     // --train_batch_size (100)
	ValidationBatchSize int     // --validation_batch_size (100); < 0: the whole split
	TestBatchSize       int     // --test_batch_size (-1: the whole split)
	EvalStepInterval    int     // --eval_step_interval (10)
	// Optimizer is any helpers/optim optimizer; default GradientDescent,
	// retrain.py's.
	Optimizer optim.Config
	Seed      uint64 // weight initialisation and batch sampling
	// TrainBatch, when set, replaces sampling from Data.Training: it must
	// return n fresh examples (for example bottlenecks of distorted images,
	// which bypass the cache).
	TrainBatch func(rng *rand.Rand, n int) ([]Example, error)
	// OnEval, when set, is called with each evaluation as it happens.
	OnEval func(EvalPoint)
	// Progress, when set, is shown the steps and the latest evaluation
	// (nb.Bars draws a progress bar).
	Progress progress.Reporter
}

// DefaultConfig returns retrain.py's defaults (TF-Hub version: test on the
// whole test split).
func DefaultConfig() Config {
	return Config{Steps: 4000, LearningRate: 0.01, TrainBatchSize: 100, ValidationBatchSize: 100,
		TestBatchSize: -1, EvalStepInterval: 10, Optimizer: optim.Config{Optimizer: "GradientDescent"}}
}

// EvalPoint is one of retrain.py's periodic evaluations.
type EvalPoint struct {
	Step               int     `json:"step"`
	TrainAccuracy      float64 `json:"train_accuracy"`
	CrossEntropy       float64 `json:"cross_entropy"`
	ValidationAccuracy float64 `json:"validation_accuracy"`
}

// Misclassified is a test image the trained layer got wrong.
type Misclassified struct {
	Name      string `json:"name"`
	Label     int    `json:"label"`
	Predicted int    `json:"predicted"`
}

// Result is the outcome of Train.
type Result struct {
	Layer          *Layer
	History        []EvalPoint
	TestAccuracy   float64
	TestCount      int
	Misclassified  []Misclassified
	TestLabels     []int // true labels of the test examples evaluated
	TestPredicted  []int // predictions for them
	Steps          int
	Duration       time.Duration
	StepsPerSecond float64
}

// byClass groups examples per label, for retrain.py's class-first sampling.
func byClass(ex []Example, classes int) [][]Example {
	g := make([][]Example, classes)
	for _, e := range ex {
		g[e.Label] = append(g[e.Label], e)
	}
	return g
}

// sample draws n examples as retrain.py's get_random_cached_bottlenecks:
// a uniform class, then a uniform image of that class (with replacement).
// n < 0 returns all examples in order. retrain.py stops when a class has no
// image in the split; here that is an error for the training split only,
// while validation and test batches draw from the classes that have images.
func sample(rng *rand.Rand, groups [][]Example, all []Example, n int, split string) ([]Example, error) {
	if n < 0 {
		return all, nil
	}
	var usable []int
	for c, g := range groups {
		if len(g) > 0 {
			usable = append(usable, c)
		} else if split == "training" {
			return nil, fmt.Errorf("retrain: class %d has no %s images; add images or change the percentages", c, split)
		}
	}
	if len(usable) == 0 {
		return nil, fmt.Errorf("retrain: no %s images", split)
	}
	out := make([]Example, n)
	for i := range out {
		c := usable[rng.IntN(len(usable))]
		out[i] = groups[c][rng.IntN(len(groups[c]))]
	}
	return out, nil
}

func (d *Data) check() (inputs int, err error) {
	if len(d.Labels) < 2 {
		return 0, fmt.Errorf("retrain: need at least 2 classes, have %d", len(d.Labels))
	}
	for _, split := range [][]Example{d.Training, d.Validation, d.Testing} {
		for _, e := range split {
			if inputs == 0 {
				inputs = len(e.Vector)
			}
			if len(e.Vector) != inputs || inputs == 0 {
				return 0, fmt.Errorf("retrain: bottleneck of %s has %d values, others %d", e.Name, len(e.Vector), inputs)
			}
			if e.Label < 0 || e.Label >= len(d.Labels) {
				return 0, fmt.Errorf("retrain: %s has label %d, outside 0..%d", e.Name, e.Label, len(d.Labels)-1)
			}
		}
	}
	if inputs == 0 {
		return 0, errors.New("retrain: no bottlenecks")
	}
	return inputs, nil
}

// Train trains a new final layer on data (see the package documentation).
func Train(data *Data, cfg Config) (*Result, error) {
	inputs, err := data.check()
	if err != nil {
		return nil, err
	}
	if cfg.Steps <= 0 || cfg.TrainBatchSize <= 0 || cfg.EvalStepInterval <= 0 {
		return nil, fmt.Errorf("retrain: steps (%d), train batch size (%d) and eval step interval (%d) must be positive", cfg.Steps, cfg.TrainBatchSize, cfg.EvalStepInterval)
	}
	if cfg.Optimizer.Optimizer == "" {
		cfg.Optimizer.Optimizer = "GradientDescent"
	}
	params := map[string]any{}
	for k, v := range cfg.Optimizer.Params {
		params[k] = v
	}
	if cfg.LearningRate > 0 {
		params["learning_rate"] = cfg.LearningRate
	}
	opt, err := optim.New[float32](optim.Config{Optimizer: cfg.Optimizer.Optimizer, Params: params})
	if err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	classes := len(data.Labels)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	layer, err := NewLayer(inputs, classes, rng)
	if err != nil {
		return nil, err
	}
	if err := opt.AddVar(WeightsName, layer.Weights, inputs, classes); err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	if err := opt.AddVar(BiasesName, layer.Biases); err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	trainGroups := byClass(data.Training, classes)
	valGroups := byClass(data.Validation, classes)
	res := &Result{}
	prog := progress.Start(cfg.Progress, "retrain", cfg.Steps)
	defer prog.Done()
	g := newGradBuf(inputs, classes)
	start := time.Now()
	for step := 0; step < cfg.Steps; step++ {
		var batch []Example
		if cfg.TrainBatch != nil {
			batch, err = cfg.TrainBatch(rng, cfg.TrainBatchSize)
		} else {
			batch, err = sample(rng, trainGroups, data.Training, cfg.TrainBatchSize, "training")
		}
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			return nil, errors.New("retrain: empty training batch")
		}
		g.compute(layer, batch)
		if err := opt.Step(map[string]optim.Grad[float32]{
			WeightsName: optim.Dense(g.dW), BiasesName: optim.Dense(g.db),
		}); err != nil {
			return nil, fmt.Errorf("retrain: step %d: %w", step, err)
		}
		copy(layer.Weights, opt.Var(WeightsName))
		copy(layer.Biases, opt.Var(BiasesName))
		if step%cfg.EvalStepInterval == 0 || step+1 == cfg.Steps {
			// As retrain.py: accuracy and loss of the same training batch,
			// after the step, then a fresh validation batch.
			acc, xent := evaluate(layer, batch)
			p := EvalPoint{Step: step, TrainAccuracy: acc, CrossEntropy: xent, ValidationAccuracy: math.NaN()}
			if len(data.Validation) > 0 {
				vb, err := sample(rng, valGroups, data.Validation, cfg.ValidationBatchSize, "validation")
				if err != nil {
					return nil, err
				}
				p.ValidationAccuracy, _ = evaluate(layer, vb)
			}
			res.History = append(res.History, p)
			if cfg.OnEval != nil {
				cfg.OnEval(p)
			}
			prog.SetMessage(fmt.Sprintf("train %.1f%% validation %.1f%% cross-entropy %.4f", 100*p.TrainAccuracy, 100*p.ValidationAccuracy, p.CrossEntropy))
		}
		prog.Add(1)
	}
	res.Duration = time.Since(start)
	res.Steps = cfg.Steps
	res.StepsPerSecond = float64(cfg.Steps) / res.Duration.Seconds()
	res.Layer = layer
	if len(data.Testing) > 0 {
		tb, err := sample(rng, byClass(data.Testing, classes), data.Testing, cfg.TestBatchSize, "testing")
		if err != nil {
			return nil, err
		}
		correct := 0
		for _, e := range tb {
			pred := layer.Predict(e.Vector)
			res.TestLabels = append(res.TestLabels, e.Label)
			res.TestPredicted = append(res.TestPredicted, pred)
			if pred == e.Label {
				correct++
			} else {
				res.Misclassified = append(res.Misclassified, Misclassified{Name: e.Name, Label: e.Label, Predicted: pred})
			}
		}
		res.TestCount = len(tb)
		res.TestAccuracy = float64(correct) / float64(len(tb))
	}
	return res, nil
}

// gradBuf holds the gradients of the mean cross-entropy and scratch space.
// The work is done on transposed weights (one row of Inputs values per
// class), so both passes run long unit-stride dot products and axpys, which
// gonum's assembly kernels handle well for any number of classes.
type gradBuf struct {
	dW, db    []float32 // gradients in TF's layout
	wT, dWT   []float32 // Classes×Inputs
	probs     []float32
	inputs, k int
}

func newGradBuf(inputs, classes int) *gradBuf {
	return &gradBuf{dW: make([]float32, inputs*classes), db: make([]float32, classes),
		wT: make([]float32, inputs*classes), dWT: make([]float32, inputs*classes),
		probs: make([]float32, classes), inputs: inputs, k: classes}
}

// compute sets dW = Xᵀ(P - Y)/B and db = Σ(P - Y)/B, the gradients of
// mean softmax cross-entropy, where P = softmax(XW + b).
func (g *gradBuf) compute(l *Layer, batch []Example) {
	in, k := g.inputs, g.k
	for i := 0; i < in; i++ {
		for c := 0; c < k; c++ {
			g.wT[c*in+i] = l.Weights[i*k+c]
		}
	}
	clear(g.dWT)
	clear(g.db)
	impl := blas32.Implementation()
	inv := 1 / float32(len(batch))
	for _, e := range batch {
		for c := 0; c < k; c++ {
			g.probs[c] = l.Biases[c] + impl.Sdot(in, e.Vector, 1, g.wT[c*in:(c+1)*in], 1)
		}
		softmax(g.probs)
		g.probs[e.Label] -= 1
		for c := 0; c < k; c++ {
			d := g.probs[c] * inv
			if d > -1e-30 && d < 1e-30 {
				// A confident prediction leaves gradients far below float32's
				// normal range; their subnormal products would be exact
				// no-ops that cost ~100× a normal multiply (TensorFlow flushes
				// subnormals to zero on CPU too).
				continue
			}
			g.db[c] += d
			impl.Saxpy(in, d, e.Vector, 1, g.dWT[c*in:(c+1)*in], 1)
		}
	}
	for c := 0; c < k; c++ {
		for i := 0; i < in; i++ {
			g.dW[i*k+c] = g.dWT[c*in+i]
		}
	}
}

// evaluate returns accuracy and mean cross-entropy of l on batch.
func evaluate(l *Layer, batch []Example) (acc, xent float64) {
	p := make([]float32, l.Classes)
	correct := 0
	for _, e := range batch {
		l.Logits(e.Vector, p)
		if argmax(p) == e.Label {
			correct++
		}
		// log-softmax in float64 for a finite loss even when p underflows.
		m := float64(p[0])
		for _, x := range p {
			m = math.Max(m, float64(x))
		}
		s := 0.0
		for _, x := range p {
			s += math.Exp(float64(x) - m)
		}
		xent += -(float64(p[e.Label]) - m - math.Log(s))
	}
	return float64(correct) / float64(len(batch)), xent / float64(len(batch))
}

// FromFolder pairs an image folder with its bottleneck vectors (aligned
// with f.Images) into training data; images without a vector are skipped.
func FromFolder(f *dataset.Folder, vectors [][]float32) (*Data, error) {
	if len(vectors) != len(f.Images) {
		return nil, fmt.Errorf("retrain: %d vectors for %d images", len(vectors), len(f.Images))
	}
	d := &Data{Labels: f.Labels()}
	for i, img := range f.Images {
		if vectors[i] == nil {
			continue
		}
		e := Example{Vector: vectors[i], Label: img.Label, Name: img.Path}
		switch img.Split {
		case dataset.Training:
			d.Training = append(d.Training, e)
		case dataset.Validation:
			d.Validation = append(d.Validation, e)
		default:
			d.Testing = append(d.Testing, e)
		}
	}
	return d, nil
}
