package finetune

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/optim/gomlxopt"
	"github.com/gotl/gotl/helpers/progress"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/internal/util"
)

// Config describes a fine-tuning run. Graph, InputTensor, BottleneckTensor
// and Labels have no defaults; start from DefaultConfig for the others.
type Config struct {
	Graph            *graphrun.Graph // pretrained network, weights as Consts (see LoadGraph)
	InputTensor      string          // e.g. "input:0"
	BottleneckTensor string          // [batch, size] tensor the new layer reads, e.g. "pool_3:0"
	Labels           []string        // the new classes

	// ImageSize is the size of the images fed to InputTensor where its
	// placeholder leaves it open; zero takes the placeholder's static size
	// (see graphrun.Graph.FeedImageSize: a disagreement is an error).
	ImageSize graphrun.ImageSize

	// Trainable selects, by regular expression over node names, the
	// pretrained weights that move ("" means all of them). TopLayers > 0
	// further restricts them to the weights of the last TopLayers layers
	// below the bottleneck. Batch-norm statistics never move.
	Trainable string
	TopLayers int
	// FreezePretrained keeps every pretrained weight fixed: only the new
	// layer trains, through the whole forward pass (a slow retrain; the
	// baseline fine-tuning is compared with).
	FreezePretrained bool

	// Head initialises the new final layer (for example from a retrained
	// one); default: truncated normal with stddev 0.001 and zero biases, as
	// retrain.py.
	Head *retrain.Layer

	// Optimizer updates every trainable weight, at Optimizer.LearningRate
	// for the new layer; default Momentum 0.9 at 0.002 (fine-tuning moves a
	// whole network: smaller steps than retrain.py's 0.01).
	Optimizer optim.Config
	// PretrainedLearningRateScale multiplies the learning rate of pretrained
	// weights (default 0.1: they start out good, the new layer does not).
	PretrainedLearningRateScale float64

	BatchSize int // images per step; default 32
	// Steps is the total number of training steps, resumed ones included,
	// as TensorFlow's max_steps: resuming at step 30 with Steps 40 trains
	// 10 more, and resuming at or past Steps trains none. Default 100; at
	// most limits.Steps.
	Steps               int
	EvalStepInterval    int // evaluate after every step that is a multiple of this, and after the last; default 10
	ValidationBatchSize int // validation examples per evaluation; ≤ 0 (the default): all

	// CheckpointDir, when set, is where V2 checkpoints are written
	// (model.ckpt-STEP, and the `checkpoint` state file naming the latest),
	// and Train resumes from the checkpoint its state file names. A
	// directory that does not exist or holds no checkpoint is a fresh
	// start; one whose checkpoints cannot be resumed from is an error
	// (ErrCannotResume) unless StartOver is set.
	CheckpointDir string
	// StartOver ignores the checkpoints in CheckpointDir: training starts
	// at step 0, and the checkpoints it writes replace same-named files and
	// the state file.
	StartOver       bool
	CheckpointEvery int // checkpoint after every step that is a multiple of this, and after the last; default 50

	Seed     uint64            // head initialisation and batch sampling
	Backend  backends.Backend  // default graphrun.DefaultBackend()
	Progress progress.Reporter // shown the steps and evaluations (nb.Bars draws a bar)
	OnEval   func(train.EvalPoint)
}

// DefaultConfig returns the defaults of every field that has one.
func DefaultConfig() Config {
	return Config{
		Optimizer:                   optim.Config{Optimizer: "Momentum", LearningRate: 0.002, Params: map[string]any{"momentum": 0.9}},
		PretrainedLearningRateScale: 0.1,
		BatchSize:                   32, Steps: 100, EvalStepInterval: 10, ValidationBatchSize: -1, CheckpointEvery: 50,
	}
}

// Result is the outcome of Train: the common training result (its Steps
// are this call's, resumed steps excluded; evaluation steps count resumed
// steps too), plus what fine-tuning adds.
type Result struct {
	train.Result
	GlobalStep  int      // total steps, resumed ones included
	ResumedFrom string   // the checkpoint training resumed from; "" if it started at step 0
	Trainable   []string // pretrained weights that moved
}

// Tuner holds a network being fine-tuned.
type Tuner struct {
	cfg        Config
	model      *graphrun.Model
	ctx        *context.Context
	backend    backends.Backend
	opt        *gomlxopt.Optimizer
	trainable  []string
	height     int
	width      int
	trainExec  *context.Exec
	logitsExec *context.Exec
	rng        *rand.Rand
	headInit   *retrain.Layer
	step       int
	// resumed is set once Resume has run; resumedFrom is the checkpoint it
	// restored, if any.
	resumed     bool
	resumedFrom string
}

const (
	headScope   = "final_training_ops"
	weightsPath = "weights"
	biasesPath  = "biases"
)

// New prepares cfg's network for fine-tuning: it converts the graph up to
// the bottleneck, adds the new layer and compiles the training step.
func New(cfg Config) (*Tuner, error) {
	if cfg.Graph == nil {
		return nil, errors.New("finetune: Config.Graph is nil")
	}
	if cfg.InputTensor == "" || cfg.BottleneckTensor == "" {
		return nil, errors.New("finetune: Config.InputTensor and Config.BottleneckTensor are required")
	}
	if len(cfg.Labels) < 2 {
		return nil, fmt.Errorf("finetune: need at least 2 labels, got %d", len(cfg.Labels))
	}
	if cfg.BatchSize < 1 || cfg.Steps < 0 || cfg.EvalStepInterval < 1 || cfg.CheckpointEvery < 1 || !(cfg.PretrainedLearningRateScale >= 0) {
		return nil, fmt.Errorf("finetune: bad config (start from DefaultConfig): batch %d, steps %d, eval interval %d, checkpoint every %d, lr scale %g",
			cfg.BatchSize, cfg.Steps, cfg.EvalStepInterval, cfg.CheckpointEvery, cfg.PretrainedLearningRateScale)
	}
	if err := limits.Steps.Check(int64(cfg.Steps), "fine-tuning"); err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	opt, err := gomlxopt.New(cfg.Optimizer)
	if err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	bottleneckNode, _, err := graphrun.ParseTensorName(cfg.BottleneckTensor)
	if err != nil {
		return nil, fmt.Errorf("finetune: bottleneck tensor: %w", err)
	}
	weights, bnStats, err := pretrainedWeights(cfg.Graph.GraphDef(), bottleneckNode)
	if err != nil {
		return nil, err
	}
	pattern, trainable := "", []string(nil)
	if !cfg.FreezePretrained {
		if pattern, trainable, err = trainablePattern(weights, bnStats, cfg.Trainable, cfg.TopLayers); err != nil {
			return nil, err
		}
	}
	backend := cfg.Backend
	if backend == nil {
		if backend, err = graphrun.DefaultBackend(); err != nil {
			return nil, err
		}
	}
	model, err := graphrun.NewModel(cfg.Graph, []string{cfg.InputTensor}, []string{cfg.BottleneckTensor},
		graphrun.Trainable(pattern), graphrun.WithBackend(backend))
	if err != nil {
		return nil, err
	}
	size, err := cfg.Graph.FeedImageSize(cfg.InputTensor, cfg.ImageSize, graphrun.ImageSize{})
	if err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	height, width := size.Height, size.Width
	t := &Tuner{
		cfg: cfg, model: model, ctx: context.New(), backend: backend, trainable: trainable,
		height: height, width: width, rng: rand.New(rand.NewPCG(cfg.Seed, 0xf17e)), headInit: cfg.Head,
	}
	scale := cfg.PretrainedLearningRateScale
	t.opt = opt.WithLearningRateScale(func(v *context.Variable) float64 {
		if model.Owns(v) {
			return scale
		}
		return 1
	})
	t.trainExec, err = context.NewExec(backend, t.ctx, t.trainStepGraph)
	if err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	t.logitsExec, err = context.NewExec(backend, t.ctx, t.logits)
	if err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	// Run the network once, so the pretrained weights and the new layer exist
	// as variables before Restore or Train. (Exec.PreCompile would not do:
	// in GoMLX v0.26 it drops the values of the variables a graph updates.)
	x, _ := t.batchTensors([]imageExample{{Input: dataset.NewFloatImage(height, width)}})
	if err := catch(func() error { _, err := t.logitsExec.Exec(x); return err }); err != nil {
		return nil, fmt.Errorf("finetune: building the network: %w", err)
	}
	return t, nil
}

// catch turns a panic of GoMLX's graph building into an error.
func catch(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return fn()
}

// logits is the network plus the new layer, inside a GoMLX graph.
func (t *Tuner) logits(ctx *context.Context, x *graph.Node) *graph.Node {
	bottleneck := t.model.Call(ctx, x)[0]
	if bottleneck.Rank() != 2 {
		panic(fmt.Sprintf("bottleneck %s has shape %s; fine-tuning needs [batch, size]", t.cfg.BottleneckTensor, bottleneck.Shape()))
	}
	size := bottleneck.Shape().Dimensions[1]
	head := t.headInit
	if head == nil {
		var err error
		if head, err = retrain.NewLayer(size, len(t.cfg.Labels), rand.New(rand.NewPCG(t.cfg.Seed, 0x4ead))); err != nil {
			panic(err)
		}
	}
	if head.Inputs != size || head.Classes != len(t.cfg.Labels) {
		panic(fmt.Sprintf("initial head is %d×%d, the network needs %d×%d", head.Inputs, head.Classes, size, len(t.cfg.Labels)))
	}
	hctx := ctx.In(headScope).Checked(false)
	w := hctx.In(weightsPath).VariableWithValue("final_weights", tensors.FromFlatDataAndDimensions(append([]float32(nil), head.Weights...), size, head.Classes))
	b := hctx.In(biasesPath).VariableWithValue("final_biases", append([]float32(nil), head.Biases...))
	g := x.Graph()
	return graph.Add(graph.Dot(bottleneck, w.ValueGraph(g)), graph.InsertAxes(b.ValueGraph(g), 0))
}

// trainStepGraph computes the mean cross-entropy of a batch, applies the
// optimizer, and returns the loss and the number of correct predictions.
func (t *Tuner) trainStepGraph(ctx *context.Context, x, labels *graph.Node) (loss, correct *graph.Node) {
	logits := t.logits(ctx, x)
	loss = graph.ReduceAllMean(losses.SparseCategoricalCrossEntropyLogits([]*graph.Node{labels}, []*graph.Node{logits}))
	t.opt.UpdateGraph(ctx, x.Graph(), loss)
	predicted := graph.ArgMax(logits, -1, dtypes.Int32)
	correct = graph.ReduceAllSum(graph.ConvertDType(graph.Equal(predicted, graph.Reshape(labels, -1)), dtypes.Float32))
	return loss, correct
}

// batchTensors copies a batch of examples into an input batch and a [n, 1]
// int32 label batch.
func (t *Tuner) batchTensors(batch []imageExample) (*tensors.Tensor, *tensors.Tensor) {
	pixels := t.height * t.width * 3
	x := make([]float32, len(batch)*pixels)
	y := make([]int32, len(batch))
	for i, e := range batch {
		copy(x[i*pixels:(i+1)*pixels], e.Input.Pix)
		y[i] = int32(e.Label)
	}
	return tensors.FromFlatDataAndDimensions(x, len(batch), t.height, t.width, 3), tensors.FromFlatDataAndDimensions(y, len(batch), 1)
}

// checkImages checks that examples fit the network and hold only finite
// values. (Their labels Train has checked already, with data.Check.)
func (t *Tuner) checkImages(examples []imageExample, split string) error {
	for i, e := range examples {
		img := e.Input
		if img == nil || img.Height != t.height || img.Width != t.width || len(img.Pix) != t.height*t.width*3 {
			size := "missing"
			if img != nil {
				size = fmt.Sprintf("%dx%d", img.Height, img.Width)
			}
			return fmt.Errorf("finetune: %s image %d (%s) is %s; the network takes %dx%d (preprocess it first)", split, i, e.Name, size, t.height, t.width)
		}
		if k := util.FirstNonFinite(img.Pix); k >= 0 {
			return fmt.Errorf("finetune: %s image %d (%s) holds %v (value %d); nothing non-finite is trained on", split, i, e.Name, img.Pix[k], k)
		}
	}
	return nil
}

// Step runs one training step on batch and returns the batch's mean
// cross-entropy and accuracy.
func (t *Tuner) Step(batch []train.Example[*dataset.FloatImage]) (crossEntropy, accuracy float64, err error) {
	x, y := t.batchTensors(batch)
	var out []*tensors.Tensor
	if err := catch(func() (err error) { out, err = t.trainExec.Exec(x, y); return err }); err != nil {
		return 0, 0, fmt.Errorf("finetune: step %d: %w", t.step+1, err)
	}
	t.step++
	loss := float64(tensors.MustCopyFlatData[float32](out[0])[0])
	correct := float64(tensors.MustCopyFlatData[float32](out[1])[0])
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, 0, fmt.Errorf("finetune: step %d: cross-entropy is %v (learning rate too high?)", t.step, loss)
	}
	return loss, correct / float64(len(batch)), nil
}

// Predict returns the predicted class of each example.
func (t *Tuner) Predict(examples []train.Example[*dataset.FloatImage]) ([]int, error) {
	pred := make([]int, 0, len(examples))
	size := t.cfg.BatchSize
	for start := 0; start < len(examples); start += size {
		batch := append([]imageExample(nil), examples[start:min(start+size, len(examples))]...)
		n := len(batch)
		for len(batch) < size { // keep one compiled shape: pad with the first example
			batch = append(batch, batch[0])
		}
		x, _ := t.batchTensors(batch)
		var out []*tensors.Tensor
		if err := catch(func() (err error) { out, err = t.logitsExec.Exec(x); return err }); err != nil {
			return nil, fmt.Errorf("finetune: predicting: %w", err)
		}
		logits := tensors.MustCopyFlatData[float32](out[0])
		classes := len(t.cfg.Labels)
		for i := 0; i < n; i++ {
			best := 0
			for c := 1; c < classes; c++ {
				if logits[i*classes+c] > logits[i*classes+best] {
					best = c
				}
			}
			pred = append(pred, best)
		}
	}
	return pred, nil
}

// Accuracy is the fraction of examples that the network classifies
// correctly.
func (t *Tuner) Accuracy(examples []train.Example[*dataset.FloatImage]) (float64, error) {
	pred, err := t.Predict(examples)
	if err != nil {
		return 0, err
	}
	correct := 0
	for i, p := range pred {
		if p == examples[i].Label {
			correct++
		}
	}
	return float64(correct) / float64(len(pred)), nil
}

// GlobalStep is the number of training steps taken, restored ones included.
func (t *Tuner) GlobalStep() int { return t.step }

// TrainableWeights lists the pretrained weights that fine-tuning moves.
func (t *Tuner) TrainableWeights() []string { return append([]string(nil), t.trainable...) }

// Train resumes from Config.CheckpointDir (see Resume), trains until step
// Config.Steps on data's training split (batches drawn at random with
// replacement), evaluates on its validation split after every
// EvalStepInterval-th step and after the last, checkpoints, and finally
// measures accuracy on its test split. The validation and test splits may
// be empty. Steps count the steps of resumed runs too; a run resumed at or
// past Config.Steps trains nothing and only measures the test accuracy.
//
// Training stops with an error naming the step when the cross-entropy
// becomes NaN or ±Inf, and it never leaves non-finite weights behind: a
// checkpoint that would hold one is not written, and Train checks the
// weights that moved after its last step.
func (t *Tuner) Train(data *train.Images) (*Result, error) {
	if err := data.Check(); err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	if len(data.Labels) != len(t.cfg.Labels) {
		return nil, fmt.Errorf("finetune: the data has %d classes, the new layer %d", len(data.Labels), len(t.cfg.Labels))
	}
	if len(data.Training) == 0 {
		return nil, errors.New("finetune: no training images")
	}
	for _, split := range []struct {
		name     string
		examples []imageExample
	}{{"training", data.Training}, {"validation", data.Validation}, {"test", data.Testing}} {
		if err := t.checkImages(split.examples, split.name); err != nil {
			return nil, err
		}
	}
	resumed, err := t.Resume()
	if err != nil {
		return nil, err
	}
	res := &Result{Trainable: t.TrainableWeights(), ResumedFrom: resumed}
	start := time.Now()
	todo := max(0, t.cfg.Steps-t.step)
	bar := progress.Start(t.cfg.Progress, "fine-tuning", todo)
	defer bar.Done()
	for s := 0; s < todo; s++ {
		batch := make([]imageExample, t.cfg.BatchSize)
		for i := range batch {
			batch[i] = data.Training[t.rng.IntN(len(data.Training))]
		}
		loss, acc, err := t.Step(batch)
		if err != nil {
			return nil, err
		}
		res.Steps++
		last := s == todo-1
		if t.step%t.cfg.EvalStepInterval == 0 || last {
			p := train.EvalPoint{Step: t.step, TrainAccuracy: acc, CrossEntropy: loss, ValidationAccuracy: math.NaN(), ValidationCrossEntropy: math.NaN()}
			if v := data.Validation; len(v) > 0 {
				if n := t.cfg.ValidationBatchSize; n > 0 && n < len(v) {
					v = t.sample(v, n)
				}
				if p.ValidationAccuracy, err = t.Accuracy(v); err != nil {
					return nil, err
				}
			}
			p.Seconds = time.Since(start).Seconds()
			res.History = append(res.History, p)
			if t.cfg.OnEval != nil {
				t.cfg.OnEval(p)
			}
			bar.SetMessage(p.String())
		}
		if t.cfg.CheckpointDir != "" && (t.step%t.cfg.CheckpointEvery == 0 || last) {
			if _, err := t.SaveCheckpoint(t.cfg.CheckpointDir); err != nil {
				return nil, err
			}
		}
		bar.Add(1)
	}
	bar.Done()
	// With a CheckpointDir the last step's SaveCheckpoint has checked every
	// variable already.
	if todo > 0 && t.cfg.CheckpointDir == "" {
		if err := t.checkTrainedFinite(); err != nil {
			return nil, err
		}
	}
	res.Duration = time.Since(start)
	if res.Steps > 0 {
		res.StepsPerSecond = float64(res.Steps) / res.Duration.Seconds()
	}
	res.GlobalStep = t.step
	if len(data.Testing) > 0 {
		pred, err := t.Predict(data.Testing)
		if err != nil {
			return nil, err
		}
		train.SetTest(&res.Result, data.Testing, pred)
	}
	return res, nil
}

// checkTrainedFinite checks the weights training moves, which the last
// step may have made non-finite although its cross-entropy, computed before
// the update, was finite.
func (t *Tuner) checkTrainedFinite() error {
	moved := map[string]bool{retrain.WeightsName: true, retrain.BiasesName: true}
	for _, name := range t.trainable {
		moved[name] = true
	}
	for name, v := range t.checkpointNames() {
		if !moved[name] {
			continue
		}
		val, err := v.Value()
		if err != nil {
			return fmt.Errorf("finetune: reading variable %s: %w", name, err)
		}
		w, err := graphrun.FromGoMLX(val)
		if err != nil {
			return fmt.Errorf("finetune: variable %s: %w", name, err)
		}
		if err := checkFinite(name, w); err != nil {
			return fmt.Errorf("%w after step %d: training diverged (learning rate too high?)", err, t.step)
		}
	}
	return nil
}

// sample draws n examples without replacement.
func (t *Tuner) sample(examples []imageExample, n int) []imageExample {
	out := make([]imageExample, 0, n)
	for _, k := range t.rng.Perm(len(examples))[:n] {
		out = append(out, examples[k])
	}
	return out
}
