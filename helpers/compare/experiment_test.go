package compare

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/dataset"
)

func TestSettings(t *testing.T) {
	for name, s := range map[string]Settings{"cpu": CPUSettings, "gpu": GPUSettings} {
		if err := s.Check(); err != nil {
			t.Errorf("%s preset: %v", name, err)
		}
	}
	if Preset(true) != GPUSettings || Preset(false) != CPUSettings {
		t.Error("Preset")
	}
	s := CPUSettings
	if got := s.SeedList(); !reflect.DeepEqual(got, []uint64{4, 5, 6, 7, 8, 9, 10, 11, 12, 13}) {
		t.Errorf("seeds %v", got)
	}
	var ids []string
	for _, m := range s.Plan() {
		ids = append(ids, m.ID+":"+m.Name)
	}
	if want := []string{"retrain:retrain", "retrain_long:retrain 4000 steps", "finetune:fine-tune all", "finetune_top:fine-tune top 2"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("plan %v, want %v", ids, want)
	}
	s.TopLayers, s.LongRetrainSteps = 0, 0
	if len(s.Plan()) != 2 {
		t.Errorf("plan without the long retrain and top layers: %v", s.Plan())
	}
	if _, err := s.Method(FineTuneTop); err == nil {
		t.Error("a method outside the plan: no error")
	}
	if cfg := CPUSettings.OptimizerConfig(); cfg.Optimizer != "Momentum" || cfg.Params["momentum"] != 0.9 || cfg.LearningRate != 0.002 {
		t.Errorf("optimizer %+v", cfg)
	}
	for _, bad := range []func(*Settings){
		func(s *Settings) { s.Seeds = 0 },
		func(s *Settings) { s.EvalEvery = s.Steps },
		func(s *Settings) { s.Optimizer = "Adamant" },
		func(s *Settings) { s.LearningRate = 0 },
		func(s *Settings) { s.TopLayers = -1 },
	} {
		s := CPUSettings
		bad(&s)
		if err := s.Check(); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}

// The whole experiment at a toy size: two seeds, every method, records
// saved and read back, summaries and a conclusion.
func TestExperiment(t *testing.T) {
	s := CPUSettings
	s.PerClass, s.Steps, s.EvalEvery, s.Batch, s.LongRetrainSteps, s.TopLayers, s.Seeds = 12, 6, 3, 4, 30, 1, 2
	s.ValidationPercent, s.TestPercent = 25, 25
	var log bytes.Buffer
	e := &Experiment{Settings: s, Dir: t.TempDir(), Log: &log}
	if err := (&Experiment{Settings: s, Dir: "relative"}).Prepare(); err == nil {
		t.Error("a relative work directory: no error")
	}
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Load(Retrain, 4); !errors.Is(err, ErrNotRun) {
		t.Errorf("Load before any run: %v", err)
	}
	// Each seed's folder splits as retrain.py splits "images".
	for _, seed := range s.SeedList() {
		f, err := e.Folder(seed)
		if err != nil {
			t.Fatal(err)
		}
		for _, img := range f.Images {
			rel := filepath.Join("images", f.Classes[img.Label].Dir, img.Name)
			if want := dataset.SplitOf(rel, 25, 25); img.Split != want || !filepath.IsAbs(img.Path) {
				t.Fatalf("seed %d: %s in %v, want %v (hashing %s)", seed, img.Path, img.Split, want, rel)
			}
		}
	}
	for _, m := range s.Plan() {
		records, err := e.RunSeeds(m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for k, r := range records {
			if r.Seed != s.SeedList()[k] || r.Method != m.ID || r.Steps != m.Steps || r.TestCount == 0 || !(r.SecondsPerStep > 0) {
				t.Errorf("%s seed %d: %+v", m.Name, r.Seed, r.Run)
			}
			back, err := e.Load(m.ID, r.Seed)
			if err != nil {
				t.Fatal(err)
			}
			if back.Correct() != r.Correct() || back.Name != r.Name || len(back.History) != len(r.History) || back.PrepCPUSeconds != r.PrepCPUSeconds {
				t.Errorf("%s seed %d did not round-trip", m.Name, r.Seed)
			}
		}
	}
	sums, err := e.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 4 || sums[2].Name != "fine-tune all" || len(sums[2].TestPerSeed) != 2 {
		t.Fatalf("summaries %+v", sums)
	}
	// Fine-tuning does a forward and backward pass per step: never faster
	// per step than the softmax alone.
	if !(sums[2].MsPerStep.Mean > sums[0].MsPerStep.Mean) {
		t.Errorf("fine-tuning %v ms/step, retraining %v", sums[2].MsPerStep.Mean, sums[0].MsPerStep.Mean)
	}
	text := Conclusion("test", s, sums)
	if !strings.Contains(text, "over 2 seeds") || !strings.Contains(text, "**Top 1 layers only:**") {
		t.Errorf("conclusion:\n%s", text)
	}
	if !strings.Contains(log.String(), "retrain, seed 5: ") || !strings.Contains(log.String(), "bottlenecks in") {
		t.Errorf("log:\n%s", log.String())
	}
	header, rows := Table(sums)
	if len(rows) != 4 || len(rows[0]) != len(header) {
		t.Errorf("table %q", rows)
	}
	if _, _, err := Curve(nil, Step, ValidationAccuracy); err == nil {
		t.Error("Curve of no records: no error")
	}
	ft, _ := e.Records(FineTune)
	xs, ys, err := Curve(ft, Step, ValidationAccuracy)
	if err != nil || len(xs) != len(ft[0].History) || xs[len(xs)-1] != 6 || ys[0] != (ft[0].History[0].ValidationAccuracy+ft[1].History[0].ValidationAccuracy)/2 {
		t.Errorf("curve %v %v %v", xs, ys, err)
	}
	_, lo, hi, err := Spread(ft, Step, ValidationAccuracy)
	if err != nil || len(lo) != len(xs) || lo[0] != min(ft[0].History[0].ValidationAccuracy, ft[1].History[0].ValidationAccuracy) ||
		hi[0] != max(ft[0].History[0].ValidationAccuracy, ft[1].History[0].ValidationAccuracy) || !(lo[0] <= ys[0] && ys[0] <= hi[0]) {
		t.Errorf("spread %v %v %v", lo, hi, err)
	}
	labels, pred := Predictions(ft)
	if len(labels) != ft[0].TestCount+ft[1].TestCount || len(pred) != len(labels) {
		t.Errorf("predictions: %d labels, %d predictions", len(labels), len(pred))
	}

	// A fresh Prepare removes the old runs and cache, and nothing else.
	keep := filepath.Join(e.Dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	if sums, err := e.Summaries(); err != nil || len(sums) != 0 {
		t.Errorf("after Prepare: %d summaries, %v", len(sums), err)
	}
	if _, err := os.Stat(filepath.Join(e.Dir, "bottlenecks")); !os.IsNotExist(err) {
		t.Errorf("the old cache is still there: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("Prepare removed a file it does not own: %v", err)
	}
}
