package optim

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// label names a configuration by its optimizer and parameters.
func label(c Config) string {
	var kv []string
	for k, v := range c.Params {
		if k != "learning_rate" {
			kv = append(kv, fmt.Sprintf("%s=%v", k, v))
		}
	}
	sort.Strings(kv)
	return strings.Join(append([]string{c.Optimizer}, kv...), ",")
}

// BenchmarkDenseStep measures one dense step of a 64k-element float32
// variable per optimizer, reported as ns/element and as a ratio to a
// GradientDescent step (the baseline, one multiply-subtract per element)
// timed in the same sub-benchmark.
func BenchmarkDenseStep(b *testing.B) {
	const n = 1 << 16
	g := make([]float32, n)
	init := make([]float32, n)
	for i := range g {
		g[i] = float32(i%17) * 0.01
		init[i] = 1
	}
	for _, cfg := range allConfigs {
		b.Run(label(cfg), func(b *testing.B) {
			o := MustNew[float32](cfg)
			o.AddVar("w", init)
			grads := map[string]Grad[float32]{"w": Dense(g)}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				o.Step(grads)
			}
			elapsed := b.Elapsed()
			b.StopTimer()
			base := MustNew[float32](params("GradientDescent", "learning_rate", 0.1))
			base.AddVar("w", init)
			start := time.Now()
			for i := 0; i < b.N; i++ {
				base.Step(grads)
			}
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N)/n, "ns/element")
			b.ReportMetric(float64(elapsed)/float64(time.Since(start)), "x_GD")
		})
	}
}
