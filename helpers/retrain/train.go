package retrain

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/blas/blas32"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/progress"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/internal/util"
)

// example is a bottleneck vector with its label.
type example = train.Example[[]float32]

// Config holds retrain.py's training flags.
type Config struct {
	Steps               int // --how_many_training_steps (4000)
	TrainBatchSize      int // --train_batch_size (100)
	ValidationBatchSize int // --validation_batch_size (100); < 0: the whole split
	TestBatchSize       int // --test_batch_size (-1: the whole split)
	EvalStepInterval    int // --eval_step_interval (10)
	// Optimizer is any helpers/optim optimizer, with its learning rate in
	// Optimizer.LearningRate (--learning_rate): retrain.py's
	// GradientDescent at 0.01 by default.
	Optimizer optim.Config
	Seed      uint64 // weight initialisation and batch sampling
	// TrainBatch, when set, replaces sampling from the training split: it
	// must return n fresh examples (DistortedBatches: bottlenecks of
	// distorted images, which bypass the cache).
	TrainBatch func(rng *rand.Rand, n int) ([]train.Example[[]float32], error)
	// OnEval, when set, is called with each evaluation as it happens.
	OnEval func(train.EvalPoint)
	// Progress, when set, is shown the steps and the latest evaluation
	// (nb.Bars draws a progress bar).
	Progress progress.Reporter
}

// DefaultConfig returns retrain.py's defaults (TF-Hub version: test on the
// whole test split).
func DefaultConfig() Config {
	return Config{Steps: 4000, TrainBatchSize: 100, ValidationBatchSize: 100, TestBatchSize: -1, EvalStepInterval: 10,
		Optimizer: optim.Config{Optimizer: "GradientDescent", LearningRate: 0.01}}
}

// Result is the outcome of Train: the common training result and the
// trained layer.
type Result struct {
	train.Result
	Layer *Layer
}

// byClass groups examples per label, for retrain.py's class-first sampling.
func byClass(ex []example, classes int) [][]example {
	g := make([][]example, classes)
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
func sample(rng *rand.Rand, groups [][]example, all []example, n int, split string) ([]example, error) {
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
	out := make([]example, n)
	for i := range out {
		c := usable[rng.IntN(len(usable))]
		out[i] = groups[c][rng.IntN(len(groups[c]))]
	}
	return out, nil
}

// checkVectors returns the bottleneck size, after checking that every
// vector has it and holds only finite values.
func checkVectors(d *train.Bottlenecks) (inputs int, err error) {
	for _, split := range [][]example{d.Training, d.Validation, d.Testing} {
		for _, e := range split {
			if inputs == 0 {
				inputs = len(e.Input)
			}
			if len(e.Input) != inputs || inputs == 0 {
				return 0, fmt.Errorf("retrain: bottleneck of %s has %d values, others %d", e.Name, len(e.Input), inputs)
			}
			if err := checkFinite(e); err != nil {
				return 0, err
			}
		}
	}
	if inputs == 0 {
		return 0, errors.New("retrain: no bottlenecks")
	}
	return inputs, nil
}

// checkFinite refuses a bottleneck holding NaN or ±Inf, naming its image:
// one such value makes every weight NaN within a step.
func checkFinite(e example) error {
	if i := util.FirstNonFinite(e.Input); i >= 0 {
		return fmt.Errorf("retrain: bottleneck of %s holds %v (value %d of %d); nothing non-finite is trained on", e.Name, e.Input[i], i, len(e.Input))
	}
	return nil
}

// Train trains a new final layer on data (see the package documentation).
// It stops with an error naming the step if the layer diverges (a weight,
// bias or cross-entropy becomes NaN or ±Inf, as a learning rate far too high
// makes it do), and refuses inputs that are not finite; Steps is held to
// limits.Steps.
func Train(data *train.Bottlenecks, cfg Config) (*Result, error) {
	if err := data.Check(); err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	inputs, err := checkVectors(data)
	if err != nil {
		return nil, err
	}
	if cfg.Steps <= 0 || cfg.TrainBatchSize <= 0 || cfg.EvalStepInterval <= 0 {
		return nil, fmt.Errorf("retrain: steps (%d), train batch size (%d) and eval step interval (%d) must be positive", cfg.Steps, cfg.TrainBatchSize, cfg.EvalStepInterval)
	}
	if err := limits.Steps.Check(int64(cfg.Steps), "training"); err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	opt, err := optim.New[float32](cfg.Optimizer)
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
		var batch []example
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
		if cfg.TrainBatch != nil {
			for _, e := range batch {
				if len(e.Input) != inputs {
					return nil, fmt.Errorf("retrain: step %d: bottleneck of %s has %d values, others %d", step+1, e.Name, len(e.Input), inputs)
				}
				if err := checkFinite(e); err != nil {
					return nil, fmt.Errorf("step %d: %w", step+1, err)
				}
			}
		}
		g.compute(layer, batch)
		if err := opt.Step(map[string]optim.Grad[float32]{
			WeightsName: optim.Dense(g.dW), BiasesName: optim.Dense(g.db),
		}); err != nil {
			return nil, fmt.Errorf("retrain: step %d: %w", step+1, err)
		}
		copy(layer.Weights, opt.Var(WeightsName))
		copy(layer.Biases, opt.Var(BiasesName))
		if err := layer.CheckFinite(); err != nil {
			return nil, fmt.Errorf("%w after step %d: %w (learning rate %g too high?)", err, step+1, ErrDiverged, cfg.Optimizer.LearningRate)
		}
		// retrain.py evaluates after the first step, then every
		// EvalStepInterval steps, and after the last.
		if step%cfg.EvalStepInterval == 0 || step+1 == cfg.Steps {
			// As retrain.py: accuracy and loss of the same training batch,
			// after the step, then a fresh validation batch.
			acc, xent := evaluate(layer, batch)
			if math.IsNaN(xent) || math.IsInf(xent, 0) {
				return nil, fmt.Errorf("retrain: step %d: cross-entropy is %v: %w (learning rate %g too high?)", step+1, xent, ErrDiverged, cfg.Optimizer.LearningRate)
			}
			p := train.EvalPoint{Step: step + 1, TrainAccuracy: acc, CrossEntropy: xent, ValidationAccuracy: math.NaN(), ValidationCrossEntropy: math.NaN()}
			if len(data.Validation) > 0 {
				vb, err := sample(rng, valGroups, data.Validation, cfg.ValidationBatchSize, "validation")
				if err != nil {
					return nil, err
				}
				p.ValidationAccuracy, p.ValidationCrossEntropy = evaluate(layer, vb)
			}
			p.Seconds = time.Since(start).Seconds()
			res.History = append(res.History, p)
			if cfg.OnEval != nil {
				cfg.OnEval(p)
			}
			prog.SetMessage(p.String())
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
		pred := make([]int, len(tb))
		for i, e := range tb {
			pred[i] = layer.Predict(e.Input)
		}
		train.SetTest(&res.Result, tb, pred)
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
func (g *gradBuf) compute(l *Layer, batch []example) {
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
			g.probs[c] = l.Biases[c] + impl.Sdot(in, e.Input, 1, g.wT[c*in:(c+1)*in], 1)
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
			impl.Saxpy(in, d, e.Input, 1, g.dWT[c*in:(c+1)*in], 1)
		}
	}
	for c := 0; c < k; c++ {
		for i := 0; i < in; i++ {
			g.dW[i*k+c] = g.dWT[c*in+i]
		}
	}
}

// Evaluate returns the accuracy and the mean softmax cross-entropy of the
// layer on examples, as Train measures its evaluations: the cross-entropy
// is computed from the logits in float64 (log-sum-exp), so a confident
// mistake counts in full instead of underflowing. Both are NaN for no
// examples.
func (l *Layer) Evaluate(examples []train.Example[[]float32]) (accuracy, crossEntropy float64) {
	if len(examples) == 0 {
		return math.NaN(), math.NaN()
	}
	return evaluate(l, examples)
}

// evaluate returns accuracy and mean cross-entropy of l on batch.
func evaluate(l *Layer, batch []example) (acc, xent float64) {
	p := make([]float32, l.Classes)
	correct := 0
	for _, e := range batch {
		l.Logits(e.Input, p)
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
