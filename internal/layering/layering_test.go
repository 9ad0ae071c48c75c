package layering

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/gotl/gotl/"

// imports returns the direct imports (deps false) or all dependencies
// (deps true) of a gotl package.
func imports(t *testing.T, pkg string, deps bool) map[string]bool {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	args := []string{"list", "-f", `{{join .Imports "\n"}}`, module + pkg}
	if deps {
		args = []string{"list", "-deps", module + pkg}
	}
	out, err := exec.Command(goTool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", pkg, err, out)
	}
	set := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		set[strings.TrimPrefix(p, module)] = true
	}
	return set
}

// The chain README draws: each package imports the one on its left.
const chain = "tensor ← checkpoint ← graphfile ← graphrun ← bottleneck ← retrain ← finetune"

func TestREADMEChainIsTheImportGraph(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), chain) {
		t.Errorf("README's layout does not draw the chain %q", chain)
	}
	links := strings.Split(chain, " ← ")
	for i := 1; i < len(links); i++ {
		if !imports(t, "helpers/"+links[i], false)["helpers/"+links[i-1]] {
			t.Errorf("helpers/%s does not import helpers/%s, as README's chain says", links[i], links[i-1])
		}
	}
	if !imports(t, "helpers/graphrun", false)["helpers/compute"] {
		t.Error("helpers/graphrun does not import helpers/compute, as README says")
	}
	// compare sits on top of the chain: notebook 04's experiment, built from
	// retrain and finetune.
	if deps := imports(t, "helpers/compare", false); !deps["helpers/retrain"] || !deps["helpers/finetune"] {
		t.Error("helpers/compare does not import helpers/retrain and helpers/finetune, as README says")
	}
	// The packages beside the chain depend on none of it; zoo, which
	// builds TinyNet's GraphDef, on tensor only.
	for _, leaf := range []string{"dataset", "train", "progress", "optim", "zoo", "compute", "stats"} {
		deps := imports(t, "helpers/"+leaf, true)
		for _, p := range links {
			if deps["helpers/"+p] && !(leaf == "zoo" && p == "tensor") {
				t.Errorf("helpers/%s depends on helpers/%s; README has it beside the chain", leaf, p)
			}
		}
	}
}

// Compute packages report progress through helpers/progress's hook; only
// programs and notebooks decide how it is drawn (helpers/nb). None of them
// may depend on the notebook display, directly or not.
func TestComputePackagesDoNotImportNotebookDisplay(t *testing.T) {
	for _, pkg := range []string{"tensor", "checkpoint", "graphfile", "compute", "graphrun", "dataset", "train",
		"bottleneck", "retrain", "finetune", "zoo", "optim", "progress", "stats", "compare"} {
		for dep := range imports(t, "helpers/"+pkg, true) {
			if dep == "helpers/nb" || dep == "plots" || strings.Contains(dep, "janpfeifer/gonb") {
				t.Errorf("helpers/%s depends on %s", pkg, dep)
			}
		}
	}
}
