package train

import (
	"fmt"

	"github.com/gotl/gotl/helpers/dataset"
)

// Example is one labelled input: a bottleneck vector, a preprocessed image.
type Example[X any] struct {
	Input X
	Label int    // index into Splits.Labels
	Name  string // what to report it by, usually the image file
}

// Splits holds a dataset's examples in the three splits retrain.py makes
// (see dataset.LoadFolder).
type Splits[X any] struct {
	Labels                        []string // class names; Example.Label indexes them
	Training, Validation, Testing []Example[X]
}

// Bottlenecks are splits of bottleneck vectors, what helpers/retrain trains
// on.
type Bottlenecks = Splits[[]float32]

// Images are splits of preprocessed images (dataset.Preprocess.Apply), what
// helpers/finetune trains on.
type Images = Splits[*dataset.FloatImage]

// Add appends e to the given split.
func (s *Splits[X]) Add(split dataset.Split, e Example[X]) {
	switch split {
	case dataset.Training:
		s.Training = append(s.Training, e)
	case dataset.Validation:
		s.Validation = append(s.Validation, e)
	default:
		s.Testing = append(s.Testing, e)
	}
}

// All returns the examples of all three splits: training, validation,
// then testing.
func (s *Splits[X]) All() []Example[X] {
	all := make([]Example[X], 0, s.Len())
	return append(append(append(all, s.Training...), s.Validation...), s.Testing...)
}

// Len is the number of examples in all three splits.
func (s *Splits[X]) Len() int { return len(s.Training) + len(s.Validation) + len(s.Testing) }

// Counts returns the number of examples per split, keyed "training",
// "validation" and "testing" (as gotl's commands print them).
func (s *Splits[X]) Counts() map[string]int {
	return map[string]int{"training": len(s.Training), "validation": len(s.Validation), "testing": len(s.Testing)}
}

// Check reports whether the labels can train a classifier: at least two
// classes, and every example's label a valid class index. (Whether the
// training split may be empty is the trainer's business: retrain's
// distorted batches replace it.)
func (s *Splits[X]) Check() error {
	if len(s.Labels) < 2 {
		return fmt.Errorf("train: need at least 2 classes, have %d", len(s.Labels))
	}
	for _, split := range [][]Example[X]{s.Training, s.Validation, s.Testing} {
		for i, e := range split {
			if e.Label < 0 || e.Label >= len(s.Labels) {
				return fmt.Errorf("train: example %d (%s) has label %d, outside 0..%d", i, e.Name, e.Label, len(s.Labels)-1)
			}
		}
	}
	return nil
}
