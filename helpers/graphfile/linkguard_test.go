package graphfile

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbiddenImports are TensorFlow Go packages whose generated protos clash
// with GoMLX's XLA backend at program start (see doc.go).
var forbiddenImports = []string{
	"github.com/galeone/tensorflow/tensorflow/go/core/protobuf",
	"github.com/galeone/tensorflow/tensorflow/go/stream_executor",
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no go.mod above the test directory")
		}
		dir = filepath.Dir(dir)
	}
}

func goTool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	return p
}

// No package of the project may depend on the forbidden packages.
func TestNoTensorFlowCoreProtobufDependency(t *testing.T) {
	root := repoRoot(t)
	cmd := exec.Command(goTool(t), "list", "-e", "-deps", "-f", "{{.ImportPath}}", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list found only %d packages: %q", len(deps), deps)
	}
	seen := false
	for _, d := range deps {
		if d == "github.com/gotl/gotl/helpers/graphfile" {
			seen = true
		}
		for _, bad := range forbiddenImports {
			if strings.HasPrefix(d, bad) {
				t.Errorf("the project depends on %s, which breaks GoMLX's XLA backend at start-up", d)
			}
		}
	}
	if !seen {
		t.Error("go list output lacks helpers/graphfile: the check looked at the wrong tree")
	}
}

// A program linking GoMLX's default backend (with XLA) and the file
// packages starts and reads a graph. The program is added to the build with
// an overlay, so the test writes nothing into the repository.
const linkProgram = `package main

import (
	"fmt"
	"os"

	_ "github.com/gomlx/gomlx/backends/default"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/graphfile"
)

func main() {
	g, err := graphfile.Parse([]byte("node { name: \"a\" op: \"NoOp\" }"), "inline")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("started", g.NodeNames()[0], checkpoint.FormatV2)
}
`

func TestBinaryWithGoMLXAndFilePackagesStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program linking GoMLX")
	}
	root := repoRoot(t)
	tmp := t.TempDir()
	src := filepath.Join(tmp, "main.go")
	if err := os.WriteFile(src, []byte(linkProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	virtual := filepath.Join(root, "helpers", "graphfile", "internal", "linkcheck", "main.go")
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{virtual: src}})
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(tmp, "linkcheck")
	build := exec.Command(goTool(t), "build", "-overlay", overlayFile, "-o", bin, "./helpers/graphfile/internal/linkcheck")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the link check program: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "started a v2") {
		t.Fatalf("program linking GoMLX and gotl's file packages failed to start: %v\n%s", err, out)
	}
}
