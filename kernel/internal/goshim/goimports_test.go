package main

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gotl/gotl/kernel"
)

// imports lists the import paths of a Go source, sorted.
func imports(t *testing.T, src []byte) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
	if err != nil {
		t.Fatalf("pruned source does not parse: %v\n%s", err, src)
	}
	var ps []string
	for _, s := range f.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

func TestPruneImports(t *testing.T) {
	const g = "github.com/gotl/gotl/"
	for _, tc := range []struct {
		name, src string
		want      []string // imports left
	}{{
		name: "a later cell: plots and zoo remembered from earlier cells, unused here",
		src: `package main

import (
	"fmt"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/plots"
	"github.com/gotl/gotl/helpers/zoo" // TinyNet
	"example.com/other/unused"
)

func main() {
	g, _ := graphrun.Load("x")
	fmt.Println(g)
}
`,
		want: []string{"example.com/other/unused", "fmt", g + "helpers/graphrun"},
	}, {
		name: "named, blank and dot imports",
		src: `package main

import (
	gr "github.com/gotl/gotl/helpers/graphrun"
	nbx "github.com/gotl/gotl/helpers/nb"
	_ "github.com/gotl/gotl/helpers/zoo"
	. "github.com/gotl/gotl/plots"
)

func main() { gr.Load("x"); Lines() }
`,
		want: []string{g + "helpers/graphrun", g + "helpers/zoo", g + "plots"},
	}, {
		name: "a local variable with the package's name keeps the import (goimports decides)",
		src: `package main

import "github.com/gotl/gotl/plots"

type chart struct{ X int }

func main() { plots := chart{}; _ = plots.X }
`,
		want: []string{g + "plots"},
	}, {
		name: "a single unparenthesised import is removed with its declaration",
		src: `package main

import "github.com/gotl/gotl/plots"

import "fmt"

func main() { fmt.Println() }
`,
		want: []string{"fmt"},
	}, {
		name: "an import sharing its line with another stays",
		src: `package main

import ("github.com/gotl/gotl/plots"; "fmt")

func main() { fmt.Println() }
`,
		want: []string{"fmt", g + "plots"},
	}, {
		name: "every import unused",
		src: `package main

import (
	"github.com/gotl/gotl/plots"
	"github.com/gotl/gotl/helpers/nb"
)

func main() {}
`,
		want: nil,
	}} {
		out, changed, err := pruneImports([]byte(tc.src), g)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := imports(t, out); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: imports left %q, want %q\n%s", tc.name, got, tc.want, out)
		}
		if wantChange := len(imports(t, []byte(tc.src))) != len(tc.want); changed != wantChange {
			t.Errorf("%s: changed = %v, want %v", tc.name, changed, wantChange)
		}
		// Only import lines go: the rest of the file is untouched.
		if !strings.HasSuffix(string(out), tc.src[strings.Index(tc.src, "\nfunc main"):]) {
			t.Errorf("%s: the code after the imports changed:\n%s", tc.name, out)
		}
	}
	if _, _, err := pruneImports([]byte("package main\nimport (\n"), g); err == nil {
		t.Error("a file that does not parse: no error")
	}
}

// TestGotlPackageNames: the goimports shim takes a gotl package's name to be
// the last element of its import path.
func TestGotlPackageNames(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Name}}", "github.com/gotl/gotl/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		p, name, _ := strings.Cut(line, " ")
		if name != "main" && path.Base(p) != name {
			t.Errorf("package %s is named %s, not %s: the goimports shim would misjudge its imports", p, name, path.Base(p))
		}
		n++
	}
	if n < 20 {
		t.Errorf("go list found %d packages", n)
	}
}

// TestGoimportsShim runs the built shim under the name goimports, with a
// stand-in for the real one that records its arguments.
func TestGoimportsShim(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds programs")
	}
	tmp := t.TempDir()
	shim := filepath.Join(tmp, "bin", "goimports")
	if out, err := exec.Command("go", "build", "-o", shim, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the shim: %v\n%s", err, out)
	}
	record := filepath.Join(tmp, "args")
	real := filepath.Join(tmp, "real-goimports")
	if err := os.WriteFile(real, []byte("#!/bin/sh\necho \"$@\" > "+record+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cell := filepath.Join(tmp, "gonb_cell")
	if err := os.MkdirAll(cell, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "package main\n\nimport (\n\t\"fmt\"\n\t\"github.com/gotl/gotl/plots\"\n)\n\nfunc main() { fmt.Println() }\n"
	main := filepath.Join(cell, "main.go")
	run := func(dir string, env ...string) string {
		t.Helper()
		if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(shim, "-w", main)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("goimports shim: %v\n%s", err, out)
		}
		got, _ := os.ReadFile(record)
		if strings.TrimSpace(string(got)) != "-w "+main {
			t.Errorf("the real goimports got %q, want -w %s", got, main)
		}
		after, _ := os.ReadFile(main)
		return string(after)
	}
	if after := run(cell, RealGoimportsEnv+"="+real, "GONB_TMP_DIR="+cell); strings.Contains(after, "gotl/plots") {
		t.Errorf("in the cell directory the unused gotl import stayed:\n%s", after)
	}
	if after := run(tmp, RealGoimportsEnv+"="+real, "GONB_TMP_DIR="+cell); after != src {
		t.Errorf("outside the cell directory the file changed:\n%s", after)
	}
	cmd := exec.Command(shim, "-w", main)
	cmd.Env = append(os.Environ(), RealGoimportsEnv+"=")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), RealGoimportsEnv) {
		t.Errorf("without $%s: %v, %s", RealGoimportsEnv, err, out)
	}
}

// TestEnvNames: the shim reads the variables gotl install writes.
func TestEnvNames(t *testing.T) {
	if RealGoEnv != kernel.RealGoEnv || RealGoimportsEnv != kernel.RealGoimportsEnv {
		t.Errorf("shim reads $%s and $%s, gotl install writes $%s and $%s",
			RealGoEnv, RealGoimportsEnv, kernel.RealGoEnv, kernel.RealGoimportsEnv)
	}
}
