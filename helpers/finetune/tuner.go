package finetune

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/optim/gomlxopt"
	"github.com/gotl/gotl/helpers/progress"
	"github.com/gotl/gotl/helpers/retrain"
)

// Config describes a fine-tuning run. Graph, InputTensor, BottleneckTensor
// and Labels are required; every other zero field takes the default shown.
type Config struct {
	Graph            *graphrun.Graph // pretrained network, weights as Consts (see LoadGraph)
	InputTensor      string          // e.g. "input:0"
	BottleneckTensor string          // [batch, size] tensor the new layer reads, e.g. "pool_3:0"
	Labels           []string        // the new classes

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

	Optimizer    optim.Config // default Momentum, learning_rate 0.002, momentum 0.9 (fine-tuning moves a whole network: smaller steps than retrain.py's 0.01)
	LearningRate float64      // overrides Optimizer.Params["learning_rate"] when > 0
	// PretrainedLearningRateScale multiplies the learning rate of pretrained
	// weights (default 0.1).
	PretrainedLearningRateScale float64

	BatchSize           int // default 32
	Steps               int // default 100
	EvalStepInterval    int // default 10; also the last step is evaluated
	ValidationBatchSize int // validation examples per evaluation (default: all)

	CheckpointDir   string // when set, V2 checkpoints are written here and Train resumes from the latest
	CheckpointEvery int    // default 50 steps (and the last step)

	Seed     uint64            // head initialisation and batch sampling
	Backend  backends.Backend  // default graphrun.DefaultBackend()
	Progress progress.Reporter // shown the steps and evaluations (nb.Bars draws a bar)
	OnEval   func(retrain.EvalPoint)
}

// Data is a labelled set of preprocessed images (resized to the network's
// input and normalised, as dataset.Preprocess.Apply returns them).
type Data struct {
	Images []*dataset.FloatImage
	Labels []int
	Names  []string // optional, reported for misclassified test images
}

// Len is the number of examples.
func (d *Data) Len() int {
	if d == nil {
		return 0
	}
	return len(d.Images)
}

// Result is the outcome of Train.
type Result struct {
	History        []retrain.EvalPoint
	TestAccuracy   float64
	TestCount      int
	TestLabels     []int
	TestPredicted  []int
	Misclassified  []retrain.Misclassified
	Steps          int // steps run by this call (resumed steps excluded)
	GlobalStep     int // total steps, resumed ones included
	Duration       time.Duration
	StepsPerSecond float64
	Trainable      []string // pretrained weights that moved
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
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 32
	}
	if cfg.Steps == 0 {
		cfg.Steps = 100
	}
	if cfg.EvalStepInterval == 0 {
		cfg.EvalStepInterval = 10
	}
	if cfg.CheckpointEvery == 0 {
		cfg.CheckpointEvery = 50
	}
	if cfg.PretrainedLearningRateScale == 0 {
		cfg.PretrainedLearningRateScale = 0.1
	}
	if cfg.BatchSize < 1 || cfg.Steps < 0 || cfg.EvalStepInterval < 1 || cfg.CheckpointEvery < 1 || cfg.PretrainedLearningRateScale < 0 {
		return nil, fmt.Errorf("finetune: bad config: batch %d, steps %d, eval interval %d, checkpoint every %d, lr scale %g",
			cfg.BatchSize, cfg.Steps, cfg.EvalStepInterval, cfg.CheckpointEvery, cfg.PretrainedLearningRateScale)
	}
	if cfg.Optimizer.Optimizer == "" {
		cfg.Optimizer = optim.Config{Optimizer: "Momentum", Params: map[string]any{"learning_rate": 0.002, "momentum": 0.9}}
	}
	if cfg.LearningRate > 0 {
		params := map[string]any{}
		for k, v := range cfg.Optimizer.Params {
			params[k] = v
		}
		params["learning_rate"] = cfg.LearningRate
		cfg.Optimizer.Params = params
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
	height, width, err := inputSize(cfg.Graph, cfg.InputTensor)
	if err != nil {
		return nil, err
	}
	t := &Tuner{
		cfg: cfg, model: model, ctx: context.New(), backend: backend, trainable: trainable,
		height: height, width: width, rng: rand.New(rand.NewPCG(cfg.Seed, 0xf17e)), headInit: cfg.Head,
	}
	scale := cfg.PretrainedLearningRateScale
	pretrainedScope := context.RootScope + graphrun.DefaultScope
	t.opt = opt.WithLearningRateScale(func(v *context.Variable) float64 {
		if v.Scope() == pretrainedScope || strings.HasPrefix(v.Scope(), pretrainedScope+"/") {
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
	x, _ := t.batchTensors([]int{0}, &Data{Images: []*dataset.FloatImage{dataset.NewFloatImage(height, width)}, Labels: []int{0}})
	if err := catch(func() error { _, err := t.logitsExec.Exec(x); return err }); err != nil {
		return nil, fmt.Errorf("finetune: building the network: %w", err)
	}
	return t, nil
}

// inputSize reads the height and width of the input placeholder's shape.
func inputSize(g *graphrun.Graph, input string) (int, int, error) {
	name, _, err := graphrun.ParseTensorName(input)
	if err != nil {
		return 0, 0, fmt.Errorf("finetune: input tensor: %w", err)
	}
	n := g.Node(name)
	if n == nil {
		return 0, 0, fmt.Errorf("finetune: the graph has no input node %q", name)
	}
	dims := n.Attr["shape"].GetShape().GetDim()
	if len(dims) != 4 || dims[1].Size <= 0 || dims[2].Size <= 0 || dims[3].Size != 3 {
		return 0, 0, fmt.Errorf("finetune: input %q must be a [batch, height, width, 3] placeholder with known height and width", name)
	}
	return int(dims[1].Size), int(dims[2].Size), nil
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

// batchTensors copies the examples idx of d into an input batch and a
// [n, 1] int32 label batch.
func (t *Tuner) batchTensors(idx []int, d *Data) (*tensors.Tensor, *tensors.Tensor) {
	pixels := t.height * t.width * 3
	x := make([]float32, len(idx)*pixels)
	y := make([]int32, len(idx))
	for i, k := range idx {
		copy(x[i*pixels:(i+1)*pixels], d.Images[k].Pix)
		y[i] = int32(d.Labels[k])
	}
	return tensors.FromFlatDataAndDimensions(x, len(idx), t.height, t.width, 3), tensors.FromFlatDataAndDimensions(y, len(idx), 1)
}

func (t *Tuner) checkData(d *Data, what string) error {
	if d.Len() == 0 {
		return fmt.Errorf("finetune: the %s set is empty", what)
	}
	if len(d.Labels) != len(d.Images) {
		return fmt.Errorf("finetune: the %s set has %d images and %d labels", what, len(d.Images), len(d.Labels))
	}
	for i, img := range d.Images {
		if img.Height != t.height || img.Width != t.width || len(img.Pix) != t.height*t.width*3 {
			return fmt.Errorf("finetune: %s image %d is %dx%d; the network takes %dx%d (preprocess it first)", what, i, img.Height, img.Width, t.height, t.width)
		}
		if l := d.Labels[i]; l < 0 || l >= len(t.cfg.Labels) {
			return fmt.Errorf("finetune: %s label %d of image %d is outside [0, %d)", what, l, i, len(t.cfg.Labels))
		}
	}
	return nil
}

// Step runs one training step on the examples idx of d and returns the
// batch's mean cross-entropy and accuracy.
func (t *Tuner) Step(d *Data, idx []int) (crossEntropy, accuracy float64, err error) {
	x, y := t.batchTensors(idx, d)
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
	return loss, correct / float64(len(idx)), nil
}

// Predict returns the predicted class of each example of d.
func (t *Tuner) Predict(d *Data) ([]int, error) {
	pred := make([]int, 0, d.Len())
	batch := t.cfg.BatchSize
	for start := 0; start < d.Len(); start += batch {
		idx := make([]int, 0, batch)
		for k := start; k < min(start+batch, d.Len()); k++ {
			idx = append(idx, k)
		}
		n := len(idx)
		for len(idx) < batch { // keep one compiled shape: pad with the first example
			idx = append(idx, idx[0])
		}
		x, _ := t.batchTensors(idx, d)
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

// Accuracy is the fraction of d that the network classifies correctly.
func (t *Tuner) Accuracy(d *Data) (float64, error) {
	pred, err := t.Predict(d)
	if err != nil {
		return 0, err
	}
	correct := 0
	for i, p := range pred {
		if p == d.Labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(pred)), nil
}

// GlobalStep is the number of training steps taken, restored ones included.
func (t *Tuner) GlobalStep() int { return t.step }

// TrainableWeights lists the pretrained weights that fine-tuning moves.
func (t *Tuner) TrainableWeights() []string { return append([]string(nil), t.trainable...) }

// Train runs Config.Steps training steps on train (batches drawn at random
// with replacement, as retrain.py does), evaluates on validation every
// EvalStepInterval steps, checkpoints, and finally measures test accuracy.
// validation and test may be nil.
func (t *Tuner) Train(train, validation, test *Data) (*Result, error) {
	for _, c := range []struct {
		d    *Data
		what string
	}{{train, "training"}, {validation, "validation"}, {test, "test"}} {
		if c.d == nil && c.what != "training" {
			continue
		}
		if err := t.checkData(c.d, c.what); err != nil {
			return nil, err
		}
	}
	if t.cfg.CheckpointDir != "" {
		if _, err := t.RestoreLatest(t.cfg.CheckpointDir); err != nil {
			return nil, err
		}
	}
	res := &Result{Trainable: t.TrainableWeights()}
	start := time.Now()
	bar := progress.Start(t.cfg.Progress, "fine-tuning", t.cfg.Steps)
	defer bar.Done()
	for s := 0; s < t.cfg.Steps; s++ {
		idx := make([]int, t.cfg.BatchSize)
		for i := range idx {
			idx[i] = t.rng.IntN(train.Len())
		}
		loss, acc, err := t.Step(train, idx)
		if err != nil {
			return nil, err
		}
		res.Steps++
		last := s == t.cfg.Steps-1
		if (s+1)%t.cfg.EvalStepInterval == 0 || last {
			p := retrain.EvalPoint{Step: t.step, TrainAccuracy: acc, CrossEntropy: loss, ValidationAccuracy: math.NaN()}
			if validation != nil {
				v := validation
				if n := t.cfg.ValidationBatchSize; n > 0 && n < v.Len() {
					v = t.sample(validation, n)
				}
				if p.ValidationAccuracy, err = t.Accuracy(v); err != nil {
					return nil, err
				}
			}
			res.History = append(res.History, p)
			if t.cfg.OnEval != nil {
				t.cfg.OnEval(p)
			}
			bar.SetMessage(fmt.Sprintf("loss %.3f  train %.0f%%  validation %.0f%%", loss, 100*acc, 100*p.ValidationAccuracy))
		}
		if t.cfg.CheckpointDir != "" && ((s+1)%t.cfg.CheckpointEvery == 0 || last) {
			if _, err := t.SaveCheckpoint(t.cfg.CheckpointDir); err != nil {
				return nil, err
			}
		}
		bar.Add(1)
	}
	bar.Done()
	res.Duration = time.Since(start)
	if res.Steps > 0 {
		res.StepsPerSecond = float64(res.Steps) / res.Duration.Seconds()
	}
	res.GlobalStep = t.step
	if test != nil {
		pred, err := t.Predict(test)
		if err != nil {
			return nil, err
		}
		res.TestCount, res.TestLabels, res.TestPredicted = len(pred), append([]int(nil), test.Labels...), pred
		correct := 0
		for i, p := range pred {
			if p == test.Labels[i] {
				correct++
				continue
			}
			name := ""
			if i < len(test.Names) {
				name = test.Names[i]
			}
			res.Misclassified = append(res.Misclassified, retrain.Misclassified{Name: name, Label: test.Labels[i], Predicted: p})
		}
		res.TestAccuracy = float64(correct) / float64(len(pred))
	}
	return res, nil
}

// sample draws n examples of d without replacement.
func (t *Tuner) sample(d *Data, n int) *Data {
	perm := t.rng.Perm(d.Len())[:n]
	out := &Data{}
	for _, k := range perm {
		out.Images = append(out.Images, d.Images[k])
		out.Labels = append(out.Labels, d.Labels[k])
	}
	return out
}
