package checkpoint_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/tensor"
)

// bigCheckpoint writes a V2 checkpoint of about 136 MB shaped like an
// Inception-style model: a few large kernels and many small vectors.
func bigCheckpoint(b *testing.B) (prefix string, dataBytes int64) {
	b.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	vars := map[string]*tensor.Tensor{}
	add := func(name string, shape []int64) {
		t := randomTensor(rng, tensor.Float, shape)
		vars[name] = t
		dataBytes += int64(len(t.Data))
	}
	for i := 0; i < 8; i++ {
		add(fmt.Sprintf("big/%d/weights", i), []int64{2048, 2048}) // 16 MiB each
	}
	for i := 0; i < 200; i++ {
		add(fmt.Sprintf("layer%03d/weights", i), []int64{3, 3, 64, 64}) // 144 KiB
		add(fmt.Sprintf("layer%03d/BatchNorm/beta", i), []int64{64})
	}
	prefix = filepath.Join(b.TempDir(), "model.ckpt")
	if err := checkpoint.Write(prefix, vars); err != nil {
		b.Fatal(err)
	}
	return prefix, dataBytes
}

// BenchmarkReadAll opens a 100 MB+ checkpoint and reads every tensor
// (checksums verified). It also reports os.ReadFile of the data file
// measured in the same run, and the ratio of the two speeds.
func BenchmarkReadAll(b *testing.B) {
	prefix, total := bigCheckpoint(b)
	dataFile := checkpoint.DataFilename(prefix, 0, 1)
	if _, err := os.ReadFile(dataFile); err != nil { // warm the page cache
		b.Fatal(err)
	}
	readAll := func() {
		r, err := checkpoint.Open(prefix)
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range r.Names() {
			if _, err := r.Tensor(n); err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
	compareWithReadFile(b, total, dataFile, readAll)
}

// compareWithReadFile times read (b.N times, reported as the benchmark's
// own speed) and, interleaved so that both see the same machine load,
// os.ReadFile of file; it reports the latter's MB/s and the speed ratio.
func compareWithReadFile(b *testing.B, total int64, file string, read func()) {
	b.SetBytes(total)
	b.ResetTimer()
	var ours, base time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		read()
		ours += time.Since(start)
		b.StopTimer()
		start = time.Now()
		if _, err := os.ReadFile(file); err != nil {
			b.Fatal(err)
		}
		base += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(total)*float64(b.N)/base.Seconds()/1e6, "ReadFile-MB/s")
	b.ReportMetric(base.Seconds()/ours.Seconds(), "speed-ratio-vs-ReadFile")
}

// BenchmarkWrite measures Write of the same checkpoint.
func BenchmarkWrite(b *testing.B) {
	prefix, total := bigCheckpoint(b)
	r, err := checkpoint.Open(prefix)
	if err != nil {
		b.Fatal(err)
	}
	vars := map[string]*tensor.Tensor{}
	for _, n := range r.Names() {
		vars[n], _ = r.Tensor(n)
	}
	r.Close()
	out := filepath.Join(b.TempDir(), "copy")
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := checkpoint.Write(out, vars); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadAllV1 reads every tensor of a 128 MB V1 (TensorSliceWriter
// layout) checkpoint, against os.ReadFile of the same file.
func BenchmarkReadAllV1(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	var vars []partitioned
	var total int64
	for i := 0; i < 8; i++ {
		t := randomTensor(rng, tensor.Float, []int64{2048, 2048})
		total += int64(len(t.Data))
		vars = append(vars, partitioned{name: fmt.Sprintf("big/%d/weights", i), dtype: tensor.Float, shape: t.Shape,
			parts: []slicePart{{slice: nil, t: t}}})
	}
	file := filepath.Join(b.TempDir(), "model.ckpt")
	buildV1(b, file, vars)
	if _, err := os.ReadFile(file); err != nil {
		b.Fatal(err)
	}
	compareWithReadFile(b, total, file, func() {
		r, err := checkpoint.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range r.Names() {
			if _, err := r.Tensor(n); err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	})
}
