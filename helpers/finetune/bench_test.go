package finetune

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/helpers/zoo"
	"github.com/gotl/gotl/internal/blasceiling"
	"github.com/gotl/gotl/internal/netgen"
	"github.com/gotl/gotl/internal/procstat"
)

// BenchmarkStep times one fine-tuning step (forward, backward and the
// update of every weight plus a new 2-class layer) on gotl's offline
// TinyNet and on MobileNet v1 0.25/128 with random weights, with gotl's CPU
// fast path and with GoMLX's stock executors, in the same process:
//
//	go test -tags openblas -run XXX -bench Step -benchtime 10x ./helpers/finetune/
//
// cpu-ms/step is the process's CPU time per step (all threads). GFLOP/s
// counts 3 × 2 × the forward multiply-adds (forward, input and
// weight gradients); ratio-to-sgemm divides it by OpenBLAS SGEMM measured
// right after (-tags openblas).
func BenchmarkStep(b *testing.B) {
	type netCase struct {
		name, input, bottleneck string
		size                    int
		load                    func() (*graphrun.Graph, error)
	}
	cases := []netCase{
		{"tinynet", zoo.TinyNetInfo.Input, zoo.TinyNetInfo.Bottleneck, 32, func() (*graphrun.Graph, error) {
			files, err := zoo.TinyNet()
			if err != nil {
				return nil, err
			}
			return graphrun.Load(files.Frozen)
		}},
		{"mobilenet_v1_0.25_128", "input:0", "MobilenetV1/Logits/SpatialSqueeze:0", 128, func() (*graphrun.Graph, error) {
			return graphrun.FromGraphDef(netgen.MobileNetV1(0.25, 128, 1))
		}},
	}
	fast := compute.FastPath().Path
	defer func() { _ = compute.SetFastPath(fast) }()
	const batch = 16
	for _, nc := range cases {
		for _, path := range []string{fast, "stock"} {
			b.Run(fmt.Sprintf("%s/batch=%d/path=%s", nc.name, batch, path), func(b *testing.B) {
				if err := compute.SetFastPath(path); err != nil {
					b.Fatal(err)
				}
				g, err := nc.load()
				if err != nil {
					b.Fatal(err)
				}
				m, err := graphrun.NewModel(g, []string{nc.input}, []string{nc.bottleneck})
				if err != nil {
					b.Fatal(err)
				}
				macs, err := m.MultiplyAdds([]int{batch, nc.size, nc.size, 3})
				if err != nil {
					b.Fatal(err)
				}
				cfg := DefaultConfig()
				cfg.Graph, cfg.InputTensor, cfg.BottleneckTensor = g, nc.input, nc.bottleneck
				cfg.Labels, cfg.BatchSize, cfg.Seed = []string{"a", "b"}, batch, 1
				t, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				r := rand.New(rand.NewPCG(1, 2))
				examples := make([]train.Example[*dataset.FloatImage], batch)
				for i := range examples {
					img := dataset.NewFloatImage(nc.size, nc.size)
					for p := range img.Pix {
						img.Pix[p] = r.Float32()*2 - 1
					}
					examples[i] = train.Example[*dataset.FloatImage]{Input: img, Label: i % 2}
				}
				for range 2 { // compile and warm up outside the timing
					if _, _, err := t.Step(examples); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
				cpu0 := procstat.CPUSeconds()
				start := time.Now()
				for range b.N {
					if _, _, err := t.Step(examples); err != nil {
						b.Fatal(err)
					}
				}
				elapsed := time.Since(start).Seconds()
				b.StopTimer()
				b.ReportMetric(elapsed/float64(b.N)*1000, "ms/step")
				// Process CPU time is less sensitive than wall time to other
				// jobs on a shared machine.
				b.ReportMetric((procstat.CPUSeconds()-cpu0)/float64(b.N)*1000, "cpu-ms/step")
				gflops := 6 * float64(macs) * float64(b.N) / elapsed / 1e9
				b.ReportMetric(gflops, "GFLOP/s")
				if ceil := blasceiling.GFLOPS(512); ceil > 0 {
					b.ReportMetric(gflops/ceil, "ratio-to-sgemm")
				}
			})
		}
	}
}
