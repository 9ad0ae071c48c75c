package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gotl/gotl/kernel"
)

// TestSameSettingsAsWarm: gotl install warms the build cache with
// kernel.FastBuild*; a shim build with other compiler settings would
// rebuild every dependency on a kernel's first cell.
func TestSameSettingsAsWarm(t *testing.T) {
	got := fastArgs([]string{"build"})
	for _, want := range []string{"-tags=" + kernel.FastBuildTags, "-gcflags=" + kernel.FastBuildGCFlags} {
		if !slices.Contains(got, want) {
			t.Errorf("fastArgs(build) = %q lacks %q, which the warm-up uses", got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want command
	}{
		{[]string{"build", "-o", "/tmp/gonb_x/gonb_x"}, cellBuild},
		{[]string{"test", "-c", "-o", "/tmp/gonb_x/gonb_x"}, cellBuild},
		{[]string{"get"}, bareGet},
		{[]string{"get", "-t"}, bareGet},
		{[]string{"get", "github.com/some/mod@v1.2.3"}, other},
		{[]string{"test", "./..."}, other},
		{[]string{"work", "use", "/abs"}, other},
		{[]string{"env", "GOROOT"}, other},
		{nil, other},
	} {
		if got := classify(tc.args); got != tc.want {
			t.Errorf("classify(%q) = %d, want %d", tc.args, got, tc.want)
		}
	}
}

func TestFastArgs(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"build", "-o", "bin"}, []string{"build", "-tags=noxla", "-ldflags=-s -w", noDWARF, "-o", "bin"}},
		{[]string{"test", "-c", "-o", "bin"}, []string{"test", "-tags=noxla", "-ldflags=-s -w", noDWARF, "-c", "-o", "bin"}},
		// %goflags from the notebook: tags merge, explicit ldflags win, and
		// a cell's own -gcflags comes after noDWARF, so it wins.
		{[]string{"build", "-o", "bin", "-tags", "foo,bar"}, []string{"build", "-ldflags=-s -w", noDWARF, "-o", "bin", "-tags=foo,bar,noxla"}},
		{[]string{"build", "-o", "bin", "--tags=noxla"}, []string{"build", "-ldflags=-s -w", noDWARF, "-o", "bin", "-tags=noxla"}},
		{[]string{"build", "-o", "bin", "-ldflags=-X main.v=1"}, []string{"build", "-tags=noxla", noDWARF, "-o", "bin", "-ldflags=-X main.v=1"}},
		{[]string{"build", "-race", "-o", "bin"}, []string{"build", "-tags=noxla", "-ldflags=-s -w", noDWARF, "-race", "-o", "bin"}},
		{[]string{"build", "-gcflags=-N -l", "-o", "bin"}, []string{"build", "-tags=noxla", "-ldflags=-s -w", noDWARF, "-gcflags=-N -l", "-o", "bin"}},
	} {
		if got := fastArgs(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("fastArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOutputPatterns(t *testing.T) {
	missing := "main.go:5:2: no required module provides package example.com/a; to add it:\n\tgo get example.com/a\n"
	cgo := "package github.com/gomlx/go-xla/pkg/pjrt: build constraints exclude all Go files in /x/pjrt\n"
	typo := "./main.go:12:2: undefined: fmt.Printn\n"
	if !needsModules([]byte(missing)) || needsModules([]byte(typo)) || needsModules([]byte(cgo)) {
		t.Error("needsModules misjudges")
	}
	if !needsCgo([]byte(cgo)) || needsCgo([]byte(typo)) || needsCgo([]byte(missing)) {
		t.Error("needsCgo misjudges")
	}
}

// TestShim builds the shim and runs it as GoNB would, in a cell directory
// whose module uses a local module it does not require yet.
func TestShim(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds programs")
	}
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	tmp := t.TempDir()
	shim := filepath.Join(tmp, "bin", "go")
	if out, err := exec.Command(realGo, "build", "-o", shim, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the shim: %v\n%s", err, out)
	}
	cell := filepath.Join(tmp, "gonb_cell")
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(cell, "go.mod"), "module gonb_cell\n\ngo 1.22\n\nreplace example.com/a => ../a\n")
	write(filepath.Join(tmp, "a", "go.mod"), "module example.com/a\n\ngo 1.22\n")
	write(filepath.Join(tmp, "a", "a.go"), "package a\n\nconst Answer = 42\n")
	write(filepath.Join(cell, "main.go"), "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/a\"\n)\n\nfunc main() { fmt.Println(a.Answer) }\n")

	env := append(os.Environ(), "GONB_TMP_DIR="+cell, RealGoEnv+"="+realGo, "GOPROXY=off", "GOFLAGS=", "GOWORK=off")
	shimRun := func(extraEnv []string, args ...string) (string, error) {
		cmd := exec.Command(shim, args...)
		cmd.Dir = cell
		cmd.Env = append(append([]string{}, env...), extraEnv...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	// GoNB's "go get" is put off: go.mod stays as it is.
	if out, err := shimRun(nil, "get"); err != nil {
		t.Fatalf("go get: %v\n%s", err, out)
	}
	if mod, _ := os.ReadFile(filepath.Join(cell, "go.mod")); strings.Contains(string(mod), "require") {
		t.Errorf("bare go get changed go.mod:\n%s", mod)
	}
	// The build fails for want of example.com/a, so the shim runs go get and
	// builds again, the fast way.
	bin := filepath.Join(cell, "cell_bin")
	if out, err := shimRun(nil, "build", "-o", bin); err != nil {
		t.Fatalf("go build through the shim: %v\n%s", err, out)
	}
	if out, _ := exec.Command(bin).Output(); strings.TrimSpace(string(out)) != "42" {
		t.Errorf("the built cell printed %q, want 42", out)
	}
	settings := buildSettings(t, realGo, bin)
	for _, want := range []string{"CGO_ENABLED=0", "-tags=noxla", `-ldflags="-s -w"`, "-gcflags=all=-dwarf=false"} {
		if !strings.Contains(settings, want) {
			t.Errorf("fast build lacks %s; build settings:\n%s", want, settings)
		}
	}
	// With XLA asked for, the build is left alone.
	if out, err := shimRun([]string{"GOMLX_BACKEND=xla:cuda", "CGO_ENABLED=1"}, "build", "-o", bin); err != nil {
		t.Fatalf("XLA build: %v\n%s", err, out)
	}
	if settings := buildSettings(t, realGo, bin); strings.Contains(settings, "noxla") || strings.Contains(settings, "-s -w") || strings.Contains(settings, "dwarf") {
		t.Errorf("build for XLA was changed; build settings:\n%s", settings)
	}
	// Outside the cell directory every command is the real one.
	cmd := exec.Command(shim, "env", "GOFLAGS")
	cmd.Dir = tmp
	cmd.Env = append(env, "GOFLAGS=-mod=readonly")
	if out, err := cmd.Output(); err != nil || strings.TrimSpace(string(out)) != "-mod=readonly" {
		t.Errorf("go env GOFLAGS outside the cell dir = %q, %v", out, err)
	}
}

func buildSettings(t *testing.T, realGo, bin string) string {
	t.Helper()
	out, err := exec.Command(realGo, "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "build" {
			lines = append(lines, strings.Join(f[1:], " "))
		}
	}
	return strings.Join(lines, "\n")
}
