package retrain

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/util"
)

// TensorFlow's names for the final layer's variables.
const (
	WeightsName = "final_training_ops/weights/final_weights"
	BiasesName  = "final_training_ops/biases/final_biases"
)

// Layer is a dense softmax layer: logits = x·Weights + Biases.
type Layer struct {
	Inputs, Classes int
	Weights         []float32 // Inputs×Classes, row-major (TF's [bottleneck size, classes])
	Biases          []float32 // Classes
}

// NewLayer initialises a layer as retrain.py does: weights from a normal
// distribution with stddev 0.001 truncated at two standard deviations
// (tf.truncated_normal redraws values beyond), biases zero.
func NewLayer(inputs, classes int, rng *rand.Rand) (*Layer, error) {
	if inputs <= 0 || classes < 2 {
		return nil, fmt.Errorf("retrain: layer needs inputs > 0 and classes >= 2, got %d and %d", inputs, classes)
	}
	l := &Layer{Inputs: inputs, Classes: classes, Weights: make([]float32, inputs*classes), Biases: make([]float32, classes)}
	for i := range l.Weights {
		x := rng.NormFloat64()
		for math.Abs(x) > 2 {
			x = rng.NormFloat64()
		}
		l.Weights[i] = float32(0.001 * x)
	}
	return l, nil
}

// Logits computes x·W + b for one input vector into out (len Classes).
func (l *Layer) Logits(x []float32, out []float32) {
	copy(out, l.Biases)
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		row := l.Weights[i*l.Classes : (i+1)*l.Classes]
		for c, w := range row {
			out[c] += xi * w
		}
	}
}

// Probabilities returns final_result: the softmax of the logits.
func (l *Layer) Probabilities(x []float32) []float32 {
	p := make([]float32, l.Classes)
	l.Logits(x, p)
	softmax(p)
	return p
}

// Predict returns the most probable class of x.
func (l *Layer) Predict(x []float32) int {
	p := make([]float32, l.Classes)
	l.Logits(x, p)
	return argmax(p)
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// softmax replaces logits by probabilities in place (max-shifted, in
// float64 for the sum).
func softmax(v []float32) {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	s := 0.0
	for i, x := range v {
		e := math.Exp(float64(x - m))
		v[i] = float32(e)
		s += e
	}
	for i := range v {
		v[i] = float32(float64(v[i]) / s)
	}
}

// Tensors returns the layer's variables under TensorFlow's names.
func (l *Layer) Tensors() (map[string]*tensor.Tensor, error) {
	w, err := tensor.FromFloat32s([]int64{int64(l.Inputs), int64(l.Classes)}, l.Weights)
	if err != nil {
		return nil, err
	}
	b, err := tensor.FromFloat32s([]int64{int64(l.Classes)}, l.Biases)
	if err != nil {
		return nil, err
	}
	return map[string]*tensor.Tensor{WeightsName: w, BiasesName: b}, nil
}

// CheckFinite returns an error naming the first NaN or ±Inf among the
// layer's weights and biases, or nil: a diverged layer is never exported or
// saved.
func (l *Layer) CheckFinite() error {
	for _, v := range []struct {
		name   string
		values []float32
	}{{WeightsName, l.Weights}, {BiasesName, l.Biases}} {
		if i := util.FirstNonFinite(v.values); i >= 0 {
			return fmt.Errorf("retrain: the layer's %s holds %v (value %d of %d)", v.name, v.values[i], i, len(v.values))
		}
	}
	return nil
}

// SaveCheckpoint writes the layer as a V2 checkpoint at prefix
// (prefix.index + prefix.data-00000-of-00001), with TF's variable names, so
// tf.train.Saver restores it into retrain.py's graph. A layer holding NaN
// or ±Inf is refused (see CheckFinite); nothing is written.
func (l *Layer) SaveCheckpoint(prefix string) error {
	if err := l.CheckFinite(); err != nil {
		return fmt.Errorf("%w; not saving %s", err, prefix)
	}
	vars, err := l.Tensors()
	if err != nil {
		return err
	}
	if err := checkpoint.Write(prefix, vars); err != nil {
		return fmt.Errorf("retrain: saving layer: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a layer saved by SaveCheckpoint (or by retrain.py's
// Saver, which uses the same names).
func LoadCheckpoint(prefix string) (*Layer, error) {
	r, err := checkpoint.Open(prefix)
	if err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	defer r.Close()
	w, err := r.Tensor(WeightsName)
	if err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	b, err := r.Tensor(BiasesName)
	if err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	return layerFromTensors(w, b, prefix)
}

func layerFromTensors(w, b *tensor.Tensor, source string) (*Layer, error) {
	if len(w.Shape) != 2 || len(b.Shape) != 1 || w.Shape[1] != b.Shape[0] {
		return nil, fmt.Errorf("retrain: %s: weights shape %v and biases shape %v do not form a dense layer", source, w.Shape, b.Shape)
	}
	wv, err := w.Float32s()
	if err != nil {
		return nil, fmt.Errorf("retrain: %s: weights: %w", source, err)
	}
	bv, err := b.Float32s()
	if err != nil {
		return nil, fmt.Errorf("retrain: %s: biases: %w", source, err)
	}
	return &Layer{Inputs: int(w.Shape[0]), Classes: int(w.Shape[1]), Weights: wv, Biases: bv}, nil
}
