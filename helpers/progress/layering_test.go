package progress_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Compute packages report progress through this package's hook; only
// programs and notebooks decide how it is drawn (helpers/nb). None of them
// may depend on the notebook display, directly or not.
func TestComputePackagesDoNotImportNotebookDisplay(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	const module = "github.com/gotl/gotl/"
	for _, pkg := range []string{"tensor", "checkpoint", "graphfile", "compute", "graphrun", "dataset", "train",
		"bottleneck", "retrain", "finetune", "zoo", "optim", "progress"} {
		out, err := exec.Command(goTool, "list", "-deps", module+"helpers/"+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == module+"helpers/nb" || strings.Contains(dep, "janpfeifer/gonb") {
				t.Errorf("helpers/%s depends on %s", pkg, dep)
			}
		}
	}
}
