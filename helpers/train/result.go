package train

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/internal/util"
)

// EvalPoint is one periodic evaluation during training, with retrain.py's
// numbers.
type EvalPoint struct {
	// Step is the number of training steps taken when the evaluation ran: 1
	// after the first step, TF's global_step. (retrain.py logs the 0-based
	// index of the step just taken, Step-1.)
	Step int `json:"step"`
	// TrainAccuracy and CrossEntropy are measured on the step's training
	// batch, after the update.
	TrainAccuracy float64 `json:"train_accuracy"`
	CrossEntropy  float64 `json:"cross_entropy"`
	// ValidationAccuracy is measured on validation examples; NaN when there
	// are none.
	ValidationAccuracy float64 `json:"validation_accuracy"`
	// ValidationCrossEntropy is the mean cross-entropy on the same
	// validation examples (retrain.py writes it to its validation
	// summaries); NaN when there are none or the trainer does not measure
	// it (helpers/finetune does not).
	ValidationCrossEntropy float64 `json:"validation_cross_entropy"`
	// Seconds is the wall time since the training call started.
	Seconds float64 `json:"seconds"`
}

// evalJSON is EvalPoint's JSON form: a NaN validation accuracy or
// cross-entropy (not measured), which JSON cannot hold, is null.
type evalJSON struct {
	Step                   int      `json:"step"`
	TrainAccuracy          float64  `json:"train_accuracy"`
	CrossEntropy           float64  `json:"cross_entropy"`
	ValidationAccuracy     *float64 `json:"validation_accuracy"`
	ValidationCrossEntropy *float64 `json:"validation_cross_entropy"`
	Seconds                float64  `json:"seconds"`
}

// nullNaN is nil for NaN, else a pointer to x.
func nullNaN(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}

// nanNull is NaN for nil, else *x.
func nanNull(x *float64) float64 {
	if x == nil {
		return math.NaN()
	}
	return *x
}

// MarshalJSON implements json.Marshaler (NaN validation values: null).
func (p EvalPoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(evalJSON{Step: p.Step, TrainAccuracy: p.TrainAccuracy, CrossEntropy: p.CrossEntropy,
		ValidationAccuracy: nullNaN(p.ValidationAccuracy), ValidationCrossEntropy: nullNaN(p.ValidationCrossEntropy), Seconds: p.Seconds})
}

// UnmarshalJSON implements json.Unmarshaler (null or absent: NaN).
func (p *EvalPoint) UnmarshalJSON(data []byte) error {
	var v evalJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*p = EvalPoint{Step: v.Step, TrainAccuracy: v.TrainAccuracy, CrossEntropy: v.CrossEntropy,
		ValidationAccuracy: nanNull(v.ValidationAccuracy), ValidationCrossEntropy: nanNull(v.ValidationCrossEntropy), Seconds: v.Seconds}
	return nil
}

// String is the evaluation in one line, as progress messages show it.
func (p EvalPoint) String() string {
	s := fmt.Sprintf("step %d: train %.1f%%, cross-entropy %.4f", p.Step, 100*p.TrainAccuracy, p.CrossEntropy)
	if !math.IsNaN(p.ValidationAccuracy) {
		s += fmt.Sprintf(", validation %.1f%%", 100*p.ValidationAccuracy)
	}
	return s
}

// Misclassified is a test example the trained network got wrong.
type Misclassified struct {
	Name      string `json:"name"`
	Label     int    `json:"label"`
	Predicted int    `json:"predicted"`
}

// Result is what a training run gives back, whichever the recipe.
type Result struct {
	History []EvalPoint `json:"history"` // the periodic evaluations, in order
	// The test split: every example's label and prediction (in Splits
	// order), the accuracy (0 when TestCount is 0) and the mistakes.
	TestAccuracy  float64         `json:"test_accuracy"`
	TestCount     int             `json:"test_count"`
	TestLabels    []int           `json:"test_labels"`
	TestPredicted []int           `json:"test_predicted"`
	Misclassified []Misclassified `json:"misclassified"`
	// Steps taken by this call; Duration of the whole call (graph
	// compilation and evaluations included) and Steps/Duration.
	Steps          int           `json:"steps"`
	Duration       time.Duration `json:"duration"`
	StepsPerSecond float64       `json:"steps_per_second"`
}

// SetTest records the labels and predictions of the test examples: the
// accuracy, the count and the misclassified ones.
func SetTest[X any](r *Result, test []Example[X], predicted []int) {
	r.TestCount, r.TestLabels, r.TestPredicted, r.Misclassified = len(test), nil, predicted, nil
	correct := 0
	for i, e := range test {
		r.TestLabels = append(r.TestLabels, e.Label)
		if predicted[i] == e.Label {
			correct++
		} else {
			r.Misclassified = append(r.Misclassified, Misclassified{Name: e.Name, Label: e.Label, Predicted: predicted[i]})
		}
	}
	r.TestAccuracy = 0
	if len(test) > 0 {
		r.TestAccuracy = float64(correct) / float64(len(test))
	}
}

// Correct is the number of test examples predicted right.
func (r *Result) Correct() int {
	n := 0
	for i, l := range r.TestLabels {
		if i < len(r.TestPredicted) && r.TestPredicted[i] == l {
			n++
		}
	}
	return n
}

// Last is the last evaluation, or a zero EvalPoint (NaN validation
// accuracy and cross-entropy) when there was none.
func (r *Result) Last() EvalPoint {
	if len(r.History) == 0 {
		return EvalPoint{ValidationAccuracy: math.NaN(), ValidationCrossEntropy: math.NaN()}
	}
	return r.History[len(r.History)-1]
}

// SecondsPerStep is the steady training speed: the time between the first
// and the last evaluation divided by the steps between them. Unlike
// Duration/Steps it leaves out what happens once, such as graph compilation
// on the first step. NaN with fewer than two evaluations.
func (r *Result) SecondsPerStep() float64 {
	if len(r.History) < 2 {
		return math.NaN()
	}
	a, b := r.History[0], r.History[len(r.History)-1]
	if b.Step <= a.Step {
		return math.NaN()
	}
	return (b.Seconds - a.Seconds) / float64(b.Step-a.Step)
}

// Run is a named training result with the time its data took to prepare
// (bottlenecks, or decoding images and building the graph): the record
// notebooks and tools keep to compare recipes.
type Run struct {
	Name   string        `json:"name"`
	Trains string        `json:"trains"` // what moved during training, in words
	Batch  int           `json:"batch"`  // training batch size
	Prep   time.Duration `json:"prep"`
	Result
}

// Save writes r as JSON to path, atomically.
func (r *Run) Save(path string) error {
	data, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return fmt.Errorf("train: saving run %s: %w", r.Name, err)
	}
	if err := util.WriteFileAtomic(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// LoadRun reads a Run written by Save.
func LoadRun(path string) (*Run, error) {
	data, err := limits.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	r := &Run{}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	return r, nil
}
