package retrain

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/train"
)

// clusters makes separable bottlenecks: class c is centred on a random unit
// direction scaled by 3, plus unit noise.
func clusters(classes, dim, perClass int, seed uint64) *train.Bottlenecks {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([][]float32, classes)
	for c := range centres {
		centres[c] = make([]float32, dim)
		for i := range centres[c] {
			centres[c][i] = float32(rng.NormFloat64())
		}
	}
	d := &train.Bottlenecks{}
	for c := 0; c < classes; c++ {
		d.Labels = append(d.Labels, string(rune('a'+c)))
		for i := 0; i < perClass; i++ {
			v := make([]float32, dim)
			for j := range v {
				v[j] = centres[c][j] + 0.8*float32(rng.NormFloat64())
			}
			e := example{Input: v, Label: c, Name: d.Labels[c] + "/" + string(rune('0'+i%10))}
			switch i % 5 {
			case 0:
				d.Validation = append(d.Validation, e)
			case 1:
				d.Testing = append(d.Testing, e)
			default:
				d.Training = append(d.Training, e)
			}
		}
	}
	return d
}

func TestTrainLearnsSeparableData(t *testing.T) {
	d := clusters(4, 32, 50, 1)
	cfg := DefaultConfig()
	cfg.Steps = 300
	cfg.Optimizer.LearningRate = 0.1
	cfg.TrainBatchSize = 32
	cfg.EvalStepInterval = 50
	var seen []int
	cfg.OnEval = func(p train.EvalPoint) { seen = append(seen, p.Step) }
	res, err := Train(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// retrain.py evaluates after steps 1, 51, 101, … (its 0-based steps 0,
	// 50, 100, …) and after the last.
	if want := []int{1, 51, 101, 151, 201, 251, 300}; !reflect.DeepEqual(seen, want) {
		t.Errorf("evaluations after steps %v, want %v (every interval and the last step)", seen, want)
	}
	if !reflect.DeepEqual(res.History[len(res.History)-1], res.Last()) || res.Steps != 300 || !(res.SecondsPerStep() > 0) {
		t.Errorf("steps %d, last evaluation %+v, %v s/step", res.Steps, res.Last(), res.SecondsPerStep())
	}
	first, last := res.History[0], res.History[len(res.History)-1]
	if !(last.CrossEntropy < first.CrossEntropy/3) {
		t.Errorf("cross-entropy %v → %v did not fall", first.CrossEntropy, last.CrossEntropy)
	}
	if res.TestAccuracy < 0.9 || res.TestCount != len(d.Testing) {
		t.Errorf("test accuracy %.2f on %d (chance 0.25)", res.TestAccuracy, res.TestCount)
	}
	if len(res.Misclassified) != res.TestCount-int(math.Round(res.TestAccuracy*float64(res.TestCount))) {
		t.Errorf("%d misclassified for accuracy %v", len(res.Misclassified), res.TestAccuracy)
	}
	// Same seed, same result.
	res2, _ := Train(d, cfg)
	if !reflect.DeepEqual(res.Layer.Weights, res2.Layer.Weights) {
		t.Error("training not deterministic for a seed")
	}
}

// With the whole validation split at every evaluation, the recorded
// validation accuracy and cross-entropy are Layer.Evaluate's on it, and
// the cross-entropy counts a confident mistake in full.
func TestValidationCrossEntropy(t *testing.T) {
	d := clusters(3, 16, 30, 3)
	cfg := DefaultConfig()
	cfg.Steps, cfg.EvalStepInterval, cfg.ValidationBatchSize = 40, 10, -1
	res, err := Train(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	acc, xent := res.Layer.Evaluate(d.Validation)
	last := res.Last()
	if last.ValidationAccuracy != acc || last.ValidationCrossEntropy != xent || !(xent > 0) {
		t.Errorf("last evaluation %+v, Evaluate gives %v, %v", last, acc, xent)
	}
	if !(res.History[0].ValidationCrossEntropy > last.ValidationCrossEntropy) {
		t.Errorf("validation cross-entropy did not fall: %v → %v", res.History[0].ValidationCrossEntropy, last.ValidationCrossEntropy)
	}
	// One input, two classes, logits (0, 200) for a class-0 example:
	// cross-entropy 200, not +Inf or 0.
	l := &Layer{Inputs: 1, Classes: 2, Weights: []float32{0, 200}, Biases: []float32{0, 0}}
	acc, xent = l.Evaluate([]train.Example[[]float32]{{Input: []float32{1}, Label: 0}})
	if acc != 0 || math.Abs(xent-200) > 1e-9 {
		t.Errorf("confident mistake: accuracy %v, cross-entropy %v, want 0 and 200", acc, xent)
	}
	if acc, xent = l.Evaluate(nil); !math.IsNaN(acc) || !math.IsNaN(xent) {
		t.Errorf("no examples: %v %v", acc, xent)
	}
}

func TestTrainWithEveryOptimizer(t *testing.T) {
	d := clusters(3, 16, 30, 2)
	for _, name := range []string{"GradientDescent", "Momentum", "Adam", "Adagrad", "RMSProp", "Ftrl", "Adadelta", "ProximalAdagrad", "ProximalGradientDescent", "AdagradDA"} {
		cfg := DefaultConfig()
		cfg.Steps = 150
		cfg.TrainBatchSize = 20
		cfg.Optimizer = optim.Config{Optimizer: name, LearningRate: 0.05, Params: map[string]any{}}
		if name == "Momentum" {
			cfg.Optimizer.Params["momentum"] = 0.9
		}
		if name == "Adadelta" {
			cfg.Optimizer.LearningRate = 1
		}
		res, err := Train(d, cfg)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if res.TestAccuracy < 0.8 {
			t.Errorf("%s: test accuracy %.2f", name, res.TestAccuracy)
		}
	}
}

// The analytic gradient matches central differences of the mean
// cross-entropy (float64 evaluation of a float32 layer).
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	d := clusters(3, 5, 10, 3)
	l, _ := NewLayer(5, 3, rand.New(rand.NewPCG(1, 1)))
	for i := range l.Weights {
		l.Weights[i] *= 300 // away from the symmetric start
	}
	batch := d.Training[:8]
	g := newGradBuf(5, 3)
	g.compute(l, batch)
	loss := func() float64 { _, x := evaluate(l, batch); return x }
	const h = 1e-2
	for i := range l.Weights {
		orig := l.Weights[i]
		l.Weights[i] = orig + h
		up := loss()
		l.Weights[i] = orig - h
		down := loss()
		l.Weights[i] = orig
		if fd := (up - down) / (2 * h); math.Abs(fd-float64(g.dW[i])) > 2e-3 {
			t.Errorf("dW[%d] = %v, finite difference %v", i, g.dW[i], fd)
		}
	}
	for c := range l.Biases {
		orig := l.Biases[c]
		l.Biases[c] = orig + h
		up := loss()
		l.Biases[c] = orig - h
		down := loss()
		l.Biases[c] = orig
		if fd := (up - down) / (2 * h); math.Abs(fd-float64(g.db[c])) > 2e-3 {
			t.Errorf("db[%d] = %v, finite difference %v", c, g.db[c], fd)
		}
	}
}

func TestInitialisationLikeRetrainPy(t *testing.T) {
	l, err := NewLayer(2048, 5, rand.New(rand.NewPCG(4, 4)))
	if err != nil {
		t.Fatal(err)
	}
	var s, ss float64
	for _, w := range l.Weights {
		if math.Abs(float64(w)) > 0.002 {
			t.Fatalf("weight %v beyond two standard deviations", w)
		}
		s += float64(w)
		ss += float64(w) * float64(w)
	}
	n := float64(len(l.Weights))
	// A normal truncated at ±2σ has standard deviation 0.8796σ.
	if sd := math.Sqrt(ss/n - (s/n)*(s/n)); math.Abs(sd-0.00088) > 0.00003 {
		t.Errorf("weight stddev %v, want ≈ 0.00088", sd)
	}
	for _, b := range l.Biases {
		if b != 0 {
			t.Fatal("non-zero bias")
		}
	}
}

func TestSamplingIsClassUniform(t *testing.T) {
	// Class 0 has 90 images, class 1 has 10: retrain.py still draws each
	// class half the time.
	var ex []example
	for i := 0; i < 100; i++ {
		lab := 0
		if i >= 90 {
			lab = 1
		}
		ex = append(ex, example{Input: []float32{1}, Label: lab})
	}
	rng := rand.New(rand.NewPCG(5, 5))
	b, err := sample(rng, byClass(ex, 2), ex, 10000, "training")
	if err != nil {
		t.Fatal(err)
	}
	ones := 0
	for _, e := range b {
		ones += e.Label
	}
	if ones < 4800 || ones > 5200 {
		t.Errorf("class 1 drawn %d of 10000 times, want ≈ 5000", ones)
	}
	all, _ := sample(rng, byClass(ex, 2), ex, -1, "testing")
	if len(all) != 100 {
		t.Errorf("batch size -1 gave %d examples", len(all))
	}
	if _, err := sample(rng, byClass(ex, 3), ex, 5, "training"); err == nil {
		t.Error("sampling an empty class: no error")
	}
}

func TestTrainRejectsBadData(t *testing.T) {
	d := clusters(2, 4, 10, 6)
	d.Training[3].Input = d.Training[3].Input[:3]
	if _, err := Train(d, DefaultConfig()); err == nil {
		t.Error("ragged bottlenecks accepted")
	}
	d = clusters(2, 4, 10, 6)
	cfg := DefaultConfig()
	cfg.Optimizer.Optimizer = "NoSuchOptimizer"
	if _, err := Train(d, cfg); err == nil {
		t.Error("unknown optimizer accepted")
	}
	if _, err := Train(&train.Bottlenecks{Labels: []string{"x"}}, DefaultConfig()); err == nil {
		t.Error("one class accepted")
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	l, _ := NewLayer(7, 3, rand.New(rand.NewPCG(8, 8)))
	l.Biases[1] = 0.5
	prefix := filepath.Join(t.TempDir(), "_retrain_checkpoint")
	if err := l.SaveCheckpoint(prefix); err != nil {
		t.Fatal(err)
	}
	back, err := LoadCheckpoint(prefix)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, l) {
		t.Errorf("checkpoint round trip: %+v != %+v", back, l)
	}
	if _, err := LoadCheckpoint(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing checkpoint: no error")
	}
}
