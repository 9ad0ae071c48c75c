package graphrun

import (
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/internal/netgen"
)

// TestFrozenBatchNormFolding compares a Model without trainable weights
// (weights as constants, batch norms folded into the kernels when the
// graph is built) with the same Model whose weights are variables (batch
// norm scale folded in the graph, shift added after), on MobileNet v1
// (FusedBatchNorm) with random weights.
func TestFrozenBatchNormFolding(t *testing.T) {
	g, err := FromGraphDef(netgen.MobileNetV1(0.25, 96, 3))
	if err != nil {
		t.Fatal(err)
	}
	fetch := []string{"MobilenetV1/Logits/SpatialSqueeze:0"}
	frozen, err := NewModel(g, []string{"input:0"}, fetch)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := NewModel(g, []string{"input:0"}, fetch, Trainable("."))
	if err != nil {
		t.Fatal(err)
	}
	img := syntheticImage(t, 2, 96, 96, 5)
	a, err := frozen.Run(img)
	if err != nil {
		t.Fatal(err)
	}
	b, err := vars.Run(img)
	if err != nil {
		t.Fatal(err)
	}
	av, _ := a[0].Float32s()
	bv, _ := b[0].Float32s()
	worst, scale := 0.0, 0.0
	for i := range av {
		worst = max(worst, math.Abs(float64(av[i]-bv[i])))
		scale = max(scale, math.Abs(float64(bv[i])))
	}
	t.Logf("frozen+folded vs variables: max |diff| %.3g, relative to max |logit| %.3g (%s)", worst, worst/scale, compute.FastPath())
	if worst > 1e-4*scale {
		t.Fatalf("folded batch norm differs by %g (max |logit| %g)", worst, scale)
	}
}

// TestStockPath re-runs this package's tests in a child process with
// GOTL_FASTPATH=0, so that one `go test` checks both paths (CI included).
func TestStockPath(t *testing.T) {
	if os.Getenv(compute.FastPathEnv) != "" {
		t.Skipf("%s=%s: this run already chose a path", compute.FastPathEnv, os.Getenv(compute.FastPathEnv))
	}
	if testing.Short() {
		t.Skip("-short: the stock path is checked by the full run")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^Test", "-test.skip", "^TestStockPath$")
	cmd.Env = append(os.Environ(), compute.FastPathEnv+"=0")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("tests with %s=0 failed: %v\n%s", compute.FastPathEnv, err, out)
	}
}
