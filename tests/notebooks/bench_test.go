package notebooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotl/gotl/kernel"
)

// plainKernel is the comparison kernelspec of BenchmarkCellLatency: GoNB's
// own builds, without gotl's go shim.
const plainKernel = "gotl-plain"

// BenchmarkCellLatency times warm cells in the gotl kernel and, in the same
// run and in alternating blocks with it, in the same kernel without its go
// shim (GoNB's own "go get" and cgo/XLA build every cell), through
// jupyter_client (tests/notebooks/cellbench.py). It reports the median wall
// time of each cell kind per kernel and how many times faster the gotl
// kernel is; docs/benchmarks.md records the numbers.
//
//	go test ./tests/notebooks -run XXX -bench CellLatency -benchtime 1x -v
//
// GOTL_CELLBENCH_REPS sets the measured rounds per kernel (default 6, in
// two blocks); GOTL_CELLBENCH_CELLS the cells (default stdlib,plots,model;
// model_http is the model cell also linking helpers/zoo/download, as every
// TinyNet cell did before the downloader left zoo).
func BenchmarkCellLatency(b *testing.B) {
	e := setup(b)
	in := &kernel.Installer{
		Host: kernel.OSHost(),
		Config: kernel.Config{
			RepoRoot: e.root, DataDir: filepath.Join(e.tmp, "data"), Name: plainKernel,
			DisplayName: "Go (gotl, plain GoNB builds)", RawError: true, Offline: true, PlainGo: true,
		},
	}
	var log bytes.Buffer
	in.Out = &log
	if _, err := in.Install(context.Background()); err != nil {
		b.Fatalf("installing the %s kernel: %v\n%s", plainKernel, err, log.String())
	}
	reps := 6
	if n, err := strconv.Atoi(os.Getenv("GOTL_CELLBENCH_REPS")); err == nil && n > 0 {
		reps = n
	}
	cells := []string{"stdlib", "plots", "model"}
	if c := os.Getenv("GOTL_CELLBENCH_CELLS"); c != "" {
		cells = strings.Split(c, ",")
	}
	load := loadAverage()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := e.run(b, 30*time.Minute, filepath.Join(e.root, "tests", "notebooks"), nil,
			e.python, "cellbench.py", "--kernels", kernelName+","+plainKernel, "--reps", strconv.Itoa(reps),
			"--cells", strings.Join(cells, ","))
		if err != nil {
			b.Fatalf("cellbench.py: %v\n%s", err, tailLines(string(out), 40))
		}
		// The JSON result is the last line; the rest is the progress log.
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var res map[string]map[string]struct{ Wall, Main, CPU []float64 }
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
			b.Fatalf("cellbench.py printed no result: %v\n%s", err, tailLines(string(out), 40))
		}
		var table []string
		for _, cell := range cells {
			fast, plain := res[kernelName][cell], res[plainKernel][cell]
			if len(fast.Wall) == 0 || len(plain.Wall) == 0 {
				b.Fatalf("cellbench.py measured no %s cell", cell)
			}
			fw, pw := median(fast.Wall), median(plain.Wall)
			fc, pc := median(fast.CPU), median(plain.CPU)
			b.ReportMetric(fw, "s/"+cell+"-cell")
			b.ReportMetric(fc, "cpu-s/"+cell+"-cell")
			b.ReportMetric(pw/fw, "x-faster-"+cell)
			table = append(table, fmt.Sprintf("%-7s gotl %5.2fs wall (%.2f–%.2f), %5.2fs CPU, main %.3fs | plain GoNB %5.2fs wall, %5.2fs CPU, main %.3fs | %.1f× faster wall, %.1f× less CPU",
				cell, fw, slices.Min(fast.Wall), slices.Max(fast.Wall), fc, median(fast.Main), pw, pc, median(plain.Main), pw/fw, pc/fc))
		}
		b.Logf("warm cells, median of %d rounds per kernel (alternating blocks); load average before: %s\n%s",
			reps, load, strings.Join(table, "\n"))
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// loadAverage returns /proc/loadavg's first three fields, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
