package retrain

import (
	"fmt"
	"testing"
)

// BenchmarkTrainStep measures retrain steps/s at retrain.py's sizes: 2048-
// float bottlenecks (Inception v3), 5 classes (flower_photos), batch 100,
// GradientDescent, evaluation every 10 steps on 100 validation images.
func BenchmarkTrainStep(b *testing.B) {
	for _, opt := range []string{"GradientDescent", "Adam"} {
		b.Run(opt, func(b *testing.B) {
			d := clusters(5, 2048, 60, 1)
			cfg := DefaultConfig()
			cfg.Steps = 100
			cfg.Optimizer.Optimizer = opt
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := Train(d, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cfg.Steps*b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// ExampleTrain retrains on well separated synthetic bottlenecks.
func ExampleTrain() {
	data := clusters(3, 16, 40, 1)
	cfg := DefaultConfig()
	cfg.Steps = 200
	cfg.Optimizer.LearningRate = 0.1
	res, err := Train(data, cfg)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d evaluations, test accuracy %.0f%% on %d images\n", len(res.History), 100*res.TestAccuracy, res.TestCount)
	// Output: 21 evaluations, test accuracy 100% on 24 images
}
