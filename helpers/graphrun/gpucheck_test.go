package graphrun

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/internal/netgen"
	"github.com/gotl/gotl/internal/tfdata"
)

// TestGPUCheck runs the benchmark graphs on the backend named by
// $GOTL_GPU_CHECK (e.g. "xla:cuda") and on the pure-Go CPU backend, and
// prints images/s on each and the largest difference between their outputs.
// It is skipped unless GOTL_GPU_CHECK is set; scripts/gpu_check.sh sets it.
// GOTL_GPU_BATCH (default 8) and GOTL_GPU_ITERS (default 20) size the timing.
func TestGPUCheck(t *testing.T) {
	accel := os.Getenv("GOTL_GPU_CHECK")
	if accel == "" {
		t.Skip("set GOTL_GPU_CHECK=xla:cuda (see scripts/gpu_check.sh)")
	}
	batch := envInt("GOTL_GPU_BATCH", 8)
	iters := envInt("GOTL_GPU_ITERS", 20)
	gpu, err := compute.NewBackend(accel)
	if err != nil {
		t.Fatalf("backend %s: %v", accel, err)
	}
	cpu, err := compute.NewBackend("go")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("accelerator: %s\nreference:   %s\n", compute.Describe(gpu), compute.Describe(cpu))
	type netCase struct {
		name  string
		g     func() (*Graph, error)
		fetch string
		size  int
	}
	cases := []netCase{
		{"poets_mobilenet_0.25_128 (tfdata)", func() (*Graph, error) {
			p := tfdata.Optional("retrain_poets_mobilenet025_128/retrained_graph.pb")
			if p == "" {
				return nil, nil
			}
			return Load(p)
		}, "final_result:0", 128},
		{"mobilenet_v1_1.0_224 (generated)", func() (*Graph, error) { return FromGraphDef(netgen.MobileNetV1(1, 224, 1)) }, "MobilenetV1/Predictions/Softmax:0", 224},
		{"inception_v3_299 (generated)", func() (*Graph, error) { return FromGraphDef(netgen.InceptionV3(1)) }, "softmax:0", 299},
	}
	fmt.Printf("%-36s %6s %12s %12s %10s %12s\n", "graph", "batch", "accel img/s", "cpu img/s", "speed-up", "max |diff|")
	for _, nc := range cases {
		g, err := nc.g()
		if err != nil {
			t.Fatalf("%s: %v", nc.name, err)
		}
		if g == nil {
			fmt.Printf("%-36s skipped: tfdata not found\n", nc.name)
			continue
		}
		img := syntheticImage(t, batch, nc.size, nc.size, 9)
		rate := func(m *Model, n int) (float64, []float32) {
			out, err := m.Run(img) // compile and warm up
			if err != nil {
				t.Fatalf("%s: %v", nc.name, err)
			}
			start := time.Now()
			for i := 0; i < n; i++ {
				if out, err = m.Run(img); err != nil {
					t.Fatalf("%s: %v", nc.name, err)
				}
			}
			return float64(batch*n) / time.Since(start).Seconds(), floats(t, out[0])
		}
		mg, err := NewModel(g, []string{"input:0"}, []string{nc.fetch}, WithBackend(gpu))
		if err != nil {
			t.Fatal(err)
		}
		mc, err := NewModel(g, []string{"input:0"}, []string{nc.fetch}, WithBackend(cpu))
		if err != nil {
			t.Fatal(err)
		}
		gr, gout := rate(mg, iters)
		cr, cout := rate(mc, 1)
		diff := 0.0
		for i := range gout {
			diff = math.Max(diff, math.Abs(float64(gout[i]-cout[i])))
		}
		fmt.Printf("%-36s %6d %12.3g %12.3g %9.3gx %12.3g\n", nc.name, batch, gr, cr, gr/cr, diff)
		if diff > 1e-3 {
			t.Errorf("%s: accelerator and CPU softmax outputs differ by %.3g", nc.name, diff)
		}
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
