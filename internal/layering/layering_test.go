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
	return goList(t, pkg, deps)
}

// pureGoDeps returns all dependencies of a gotl package as the gotl kernel
// builds notebook cells: without cgo and XLA.
func pureGoDeps(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	return goList(t, pkg, true, "CGO_ENABLED=0", "-tags=noxla")
}

// goList runs go list; env entries ("K=V") go into the environment, others
// are flags.
func goList(t *testing.T, pkg string, deps bool, extra ...string) map[string]bool {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	args := []string{"list"}
	var env []string
	for _, e := range extra {
		if strings.HasPrefix(e, "-") {
			args = append(args, e)
		} else {
			env = append(env, e)
		}
	}
	if deps {
		args = append(args, "-deps", module+pkg)
	} else {
		args = append(args, "-f", `{{join .Imports "\n"}}`, module+pkg)
	}
	cmd := exec.Command(goTool, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
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
	// builds TinyNet's GraphDef, and its downloader on tensor only.
	for _, leaf := range []string{"dataset", "train", "progress", "optim", "zoo", "zoo/download", "compute", "stats"} {
		deps := imports(t, "helpers/"+leaf, true)
		for _, p := range links {
			if deps["helpers/"+p] && !(strings.HasPrefix(leaf, "zoo") && p == "tensor") {
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
		"bottleneck", "retrain", "finetune", "zoo", "zoo/download", "optim", "progress", "stats", "compare"} {
		for dep := range imports(t, "helpers/"+pkg, true) {
			if dep == "helpers/nb" || dep == "plots" || strings.Contains(dep, "janpfeifer/gonb") {
				t.Errorf("helpers/%s depends on %s", pkg, dep)
			}
		}
	}
}

// Every GoNB cell is linked anew, so what the packages notebooks import drag
// in costs time in every cell. The HTTP client (net/http, crypto/tls) is the
// downloader's alone: zoo/download imports zoo, never the other way, and no
// package a lesson builds a model or a chart with links it in the kernel's
// pure-Go builds.
func TestOnlyTheDownloaderLinksHTTP(t *testing.T) {
	if !imports(t, "helpers/zoo/download", false)["helpers/zoo"] {
		t.Error("helpers/zoo/download does not import helpers/zoo, as README says")
	}
	for _, pkg := range []string{"helpers/zoo", "helpers/graphrun", "helpers/bottleneck", "helpers/retrain",
		"helpers/finetune", "helpers/dataset", "helpers/graphfile", "helpers/checkpoint", "helpers/nb", "plots"} {
		deps := pureGoDeps(t, pkg)
		for _, p := range []string{"net/http", "crypto/tls", "helpers/zoo/download"} {
			if deps[p] {
				t.Errorf("%s links %s in pure-Go builds (notebook cells)", pkg, p)
			}
		}
	}
	if !pureGoDeps(t, "helpers/zoo/download")["net/http"] {
		t.Error("helpers/zoo/download no longer links net/http: is this test still checking anything?")
	}
}
