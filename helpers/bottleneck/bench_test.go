package bottleneck

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/dataset"
)

func benchFolder(b *testing.B, n, size int) []string {
	dir := filepath.Join(b.TempDir(), "images")
	if _, err := dataset.WriteSynthetic(dir, dataset.SyntheticOptions{Classes: 4, PerClass: n / 4, Height: size, Width: size, Seed: 1, Format: "jpg"}); err != nil {
		b.Fatal(err)
	}
	f, err := dataset.LoadFolder(dir, dataset.DefaultFolderOptions())
	if err != nil {
		b.Fatal(err)
	}
	return f.Paths()
}

func benchModel(b *testing.B, size int) *GraphModel {
	def, err := RandomConvNet(ConvNetOptions{Height: size, Width: size, Channels: []int{32, 64, 128}, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewGraphModel(def, ConvNetInput, ConvNetBottleneck)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkExtractCold measures bottleneck extraction (read, decode, resize,
// forward pass of a 3-conv net at 96×96, cache write) in images/s.
func BenchmarkExtractCold(b *testing.B) {
	const n = 64
	ps := benchFolder(b, n, 128)
	m := benchModel(b, 96)
	prep := dataset.Preprocess{Height: 96, Width: 96, Mean: 127.5, Std: 127.5}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, _ := Open(b.TempDir())
		ex := &Extractor{Model: m, Preprocess: prep, Cache: c}
		if _, err := ex.Files(ps); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkColdVsWarm fills a cache, then reads it back; it reports both
// rates and their ratio (the warm cache should be ≥ 100× faster).
func BenchmarkColdVsWarm(b *testing.B) {
	const n = 64
	ps := benchFolder(b, n, 128)
	m := benchModel(b, 96)
	prep := dataset.Preprocess{Height: 96, Width: 96, Mean: 127.5, Std: 127.5}
	var cold, warm time.Duration
	for i := 0; i < b.N; i++ {
		c, _ := Open(b.TempDir())
		ex := &Extractor{Model: m, Preprocess: prep, Cache: c}
		t0 := time.Now()
		if _, err := ex.Files(ps); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := ex.Files(ps); err != nil {
			b.Fatal(err)
		}
		cold += t1.Sub(t0)
		warm += time.Since(t1)
		if s := c.Stats(); s.Hits != n {
			b.Fatalf("warm pass: %v", s)
		}
	}
	b.ReportMetric(float64(n*b.N)/cold.Seconds(), "cold_images/s")
	b.ReportMetric(float64(n*b.N)/warm.Seconds(), "warm_images/s")
	b.ReportMetric(cold.Seconds()/warm.Seconds(), "warm_speedup")
}

// BenchmarkCacheRead reads cached 2048-float vectors (Inception v3's
// bottleneck size); SetBytes makes the MB/s column the payload rate.
func BenchmarkCacheRead(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c, _ := Open(b.TempDir())
			v := make([]float32, 2048)
			hs := make([]ContentHash, n)
			for i := range hs {
				hs[i] = HashContent([]byte(fmt.Sprint(i)))
				v[0] = float32(i)
				if err := c.Put(testKey, hs[i], v); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(n * 2048 * 4))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, h := range hs {
					if _, ok := c.Get(testKey, h); !ok {
						b.Fatal("miss")
					}
				}
			}
		})
	}
}
