package train_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/train"
)

func TestSplitsAddCheckCounts(t *testing.T) {
	s := &train.Splits[int]{Labels: []string{"a", "b"}}
	s.Add(dataset.Training, train.Example[int]{Input: 1, Label: 0})
	s.Add(dataset.Training, train.Example[int]{Input: 2, Label: 1})
	s.Add(dataset.Validation, train.Example[int]{Input: 3, Label: 1})
	s.Add(dataset.Testing, train.Example[int]{Input: 4, Label: 0})
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if all := s.All(); len(all) != 4 || all[0].Input != 1 || all[2].Input != 3 || all[3].Input != 4 {
		t.Errorf("All: %v", all)
	}
	if got := s.Counts(); s.Len() != 4 || !reflect.DeepEqual(got, map[string]int{"training": 2, "validation": 1, "testing": 1}) {
		t.Errorf("Len %d, Counts %v", s.Len(), got)
	}
	s.Add(dataset.Testing, train.Example[int]{Input: 5, Label: 2, Name: "x.png"})
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "x.png") {
		t.Errorf("label 2 of 2 classes: %v", err)
	}
	if err := (&train.Splits[int]{Labels: []string{"a"}}).Check(); err == nil {
		t.Error("one class accepted")
	}
}

func TestSetTestAndSpeed(t *testing.T) {
	test := []train.Example[string]{{Label: 0, Name: "a"}, {Label: 1, Name: "b"}, {Label: 1, Name: "c"}, {Label: 2, Name: "d"}}
	var r train.Result
	train.SetTest(&r, test, []int{0, 2, 1, 2})
	if r.TestCount != 4 || r.TestAccuracy != 0.75 || r.Correct() != 3 || !reflect.DeepEqual(r.TestLabels, []int{0, 1, 1, 2}) {
		t.Errorf("test: %+v", r)
	}
	if want := []train.Misclassified{{Name: "b", Label: 1, Predicted: 2}}; !reflect.DeepEqual(r.Misclassified, want) {
		t.Errorf("misclassified %v, want %v", r.Misclassified, want)
	}
	if !math.IsNaN(r.SecondsPerStep()) || !math.IsNaN(r.Last().ValidationAccuracy) {
		t.Error("speed or last evaluation without evaluations")
	}
	// Evaluations after steps 1, 11 and 21: the first 1.5 s are compilation,
	// then 20 steps in 2 s.
	r.History = []train.EvalPoint{{Step: 1, Seconds: 1.5}, {Step: 11, Seconds: 2.5}, {Step: 21, Seconds: 3.5}}
	if got := r.SecondsPerStep(); math.Abs(got-0.1) > 1e-12 {
		t.Errorf("SecondsPerStep = %v, want 0.1", got)
	}
}

func TestRunSaveLoad(t *testing.T) {
	run := &train.Run{Name: "retrain", Trains: "new softmax only", Batch: 16, Prep: 1500 * time.Millisecond,
		Result: train.Result{
			History: []train.EvalPoint{
				{Step: 1, TrainAccuracy: 0.5, CrossEntropy: 1.2, ValidationAccuracy: math.NaN(), ValidationCrossEntropy: math.NaN(), Seconds: 0.1},
				{Step: 10, TrainAccuracy: 1, CrossEntropy: 0.01, ValidationAccuracy: 0.9, ValidationCrossEntropy: 0.3, Seconds: 0.2},
			},
			TestAccuracy: 0.5, TestCount: 2, TestLabels: []int{0, 1}, TestPredicted: []int{0, 0},
			Misclassified: []train.Misclassified{{Name: "b.png", Label: 1, Predicted: 0}},
			Steps:         10, Duration: 200 * time.Millisecond, StepsPerSecond: 50,
		}}
	path := filepath.Join(t.TempDir(), "retrain.json")
	if err := run.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := train.LoadRun(path)
	if err != nil {
		t.Fatal(err)
	}
	if h := back.History[0]; !math.IsNaN(h.ValidationAccuracy) || !math.IsNaN(h.ValidationCrossEntropy) {
		t.Errorf("NaN validation accuracy and cross-entropy came back as %v and %v", h.ValidationAccuracy, h.ValidationCrossEntropy)
	}
	back.History[0].ValidationAccuracy, run.History[0].ValidationAccuracy = 0, 0
	back.History[0].ValidationCrossEntropy, run.History[0].ValidationCrossEntropy = 0, 0
	if !reflect.DeepEqual(back, run) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, run)
	}
	// Runs saved before validation cross-entropies were recorded read back
	// with NaN, not 0.
	old := filepath.Join(t.TempDir(), "old.json")
	if err := os.WriteFile(old, []byte(`{"name":"old","history":[{"step":1,"train_accuracy":1,"cross_entropy":0.1,"validation_accuracy":0.5,"seconds":1}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := train.LoadRun(old); err != nil || !math.IsNaN(r.History[0].ValidationCrossEntropy) || r.History[0].ValidationAccuracy != 0.5 {
		t.Errorf("old run: %v, %+v", err, r)
	}
	if _, err := train.LoadRun(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file: no error")
	}
}

// An evaluation without validation examples is JSON null, not an error.
func ExampleEvalPoint() {
	p := train.EvalPoint{Step: 1, TrainAccuracy: 0.75, CrossEntropy: 0.6931, ValidationAccuracy: math.NaN(), ValidationCrossEntropy: math.NaN()}
	data, _ := json.Marshal(p)
	fmt.Println(string(data))
	fmt.Println(p)
	// Output:
	// {"step":1,"train_accuracy":0.75,"cross_entropy":0.6931,"validation_accuracy":null,"validation_cross_entropy":null,"seconds":0}
	// step 1: train 75.0%, cross-entropy 0.6931
}
