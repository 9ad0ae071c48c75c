package graphrun

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/internal/blasceiling"
	"github.com/gotl/gotl/internal/netgen"
	"github.com/gotl/gotl/internal/procstat"
	"github.com/gotl/gotl/internal/tfdata"
)

// Forward-pass benchmarks on the default backend (pure Go unless
// GOMLX_BACKEND says otherwise), with gotl's CPU fast path ("fast": the
// level GOTL_FASTPATH chose, AVX-512 or AVX2) and without it ("stock"),
// built and run in the same process:
//
//	go test -run XXX -bench Forward -benchtime 3x ./helpers/graphrun/
//	go test -tags openblas -run XXX -bench Forward -benchtime 3x ./helpers/graphrun/   # + OpenBLAS ceiling
//
// Metrics: images/s; GFLOP/s = 2·multiply-adds of convolutions and matrix
// products per second; sgemm-GFLOP/s = OpenBLAS SGEMM 512³ measured right
// after (0 without -tags openblas) and their ratio; alloc-MB/img = Go heap
// allocated per image; cpu-ms/img = process CPU time per image (all
// threads; robust to other load on the machine); peakRSS-MB = the process's
// peak resident set so far (run one benchmark per process for a
// per-network figure: tools/bench_fastpath.sh does).
func BenchmarkForward(b *testing.B) {
	type netCase struct {
		name    string
		load    func(b *testing.B) *Graph
		fetch   string
		size    int
		batches []int
		stock   []int // batches also run on the stock path (it is slow)
	}
	gen := func(def func() *Graph) func(b *testing.B) *Graph { return func(*testing.B) *Graph { return def() } }
	mobilenet := func(alpha float64, size int) func() *Graph {
		return func() *Graph {
			g, err := FromGraphDef(netgen.MobileNetV1(alpha, size, 1))
			if err != nil {
				panic(err)
			}
			return g
		}
	}
	cases := []netCase{
		{"poets_mobilenet_0.25_128", func(b *testing.B) *Graph {
			g, err := Load(tfdata.Path(b, "retrain_poets_mobilenet025_128/retrained_graph.pb"))
			if err != nil {
				b.Fatal(err)
			}
			return g
		}, "final_result:0", 128, []int{1, 8}, []int{1, 8}},
		{"mobilenet_v1_1.0_224", gen(mobilenet(1, 224)), "MobilenetV1/Predictions/Softmax:0", 224, []int{1, 8}, []int{1, 8}},
		{"mobilenet_v1_0.25_224", gen(mobilenet(0.25, 224)), "MobilenetV1/Logits/AvgPool_1a/AvgPool:0", 224, []int{1, 16}, []int{1, 16}},
		{"inception_v3_299", gen(func() *Graph {
			g, err := FromGraphDef(netgen.InceptionV3(1))
			if err != nil {
				panic(err)
			}
			return g
		}), "softmax:0", 299, []int{1, 8}, []int{1}},
	}
	fast := compute.FastPath().Path
	defer func() { _ = compute.SetFastPath(fast) }()
	for _, nc := range cases {
		for _, batch := range nc.batches {
			for _, path := range []string{"fast", "stock"} {
				if path == "fast" && fast == "stock" || path == "stock" && !slices.Contains(nc.stock, batch) {
					continue
				}
				b.Run(fmt.Sprintf("%s/batch=%d/path=%s", nc.name, batch, path), func(b *testing.B) {
					want := fast
					if path == "stock" {
						want = "stock"
					}
					if err := compute.SetFastPath(want); err != nil {
						b.Fatal(err)
					}
					benchForward(b, nc.load(b), nc.fetch, nc.size, batch)
				})
			}
		}
	}
}

func benchForward(b *testing.B, g *Graph, fetch string, size, batch int) {
	m, err := NewModel(g, []string{"input:0"}, []string{fetch})
	if err != nil {
		b.Fatal(err)
	}
	macs, err := m.MultiplyAdds([]int{batch, size, size, 3})
	if err != nil {
		b.Fatal(err)
	}
	img := syntheticImage(b, batch, size, size, 1)
	if _, err := m.Run(img); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := procstat.CPUSeconds()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := m.Run(img); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start).Seconds()
	b.StopTimer()
	cpu := procstat.CPUSeconds() - cpu0
	runtime.ReadMemStats(&after)
	images := float64(batch * b.N)
	gflops := 2 * float64(macs) * float64(b.N) / elapsed / 1e9
	b.ReportMetric(images/elapsed, "images/s")
	// CPU time per image is less sensitive than wall time to other
	// processes on a shared machine.
	b.ReportMetric(cpu/images*1000, "cpu-ms/img")
	b.ReportMetric(gflops, "GFLOP/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/images/1e6, "alloc-MB/img")
	b.ReportMetric(procstat.PeakRSSMB(), "peakRSS-MB")
	if ceil := blasceiling.GFLOPS(512); ceil > 0 {
		b.ReportMetric(ceil, "sgemm-GFLOP/s")
		b.ReportMetric(gflops/ceil, "ratio-to-sgemm")
	}
}
