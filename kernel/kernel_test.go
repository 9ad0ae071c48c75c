package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeMachine is a Host whose commands, tools and environment are made up,
// so installs run against temporary directories without network or Jupyter.
type fakeMachine struct {
	env      map[string]string
	paths    map[string]string // command name -> path found on PATH
	versions map[string]string // binary path -> module version
	missing  map[string]bool   // Python modules that fail to import
	files    map[string]bool   // files that exist
	ran      []Command
	root     bool
	// onRun, if set, runs for every command after it is recorded.
	onRun func(c Command) error
}

func newFakeMachine() *fakeMachine {
	return &fakeMachine{
		env: map[string]string{"HOME": "/home/ada"},
		paths: map[string]string{
			"go": "/usr/local/go/bin/go", "jupyter": "/usr/bin/jupyter",
			"jupyter-notebook": "/usr/bin/jupyter-notebook", "jupyter-nbconvert": "/usr/bin/jupyter-nbconvert",
			"apt-get": "/usr/bin/apt-get", "sudo": "/usr/bin/sudo", "djpeg": "/usr/bin/djpeg",
		},
		versions: map[string]string{},
		missing:  map[string]bool{},
		files:    map[string]bool{"/usr/share/jupyter/nbextensions/jupyter-js-widgets/extension.js": true},
	}
}

func (f *fakeMachine) host() *Host {
	return &Host{
		Getenv: func(k string) string { return f.env[k] },
		LookPath: func(name string) (string, error) {
			if p, ok := f.paths[name]; ok {
				return p, nil
			}
			return "", errors.New("not found")
		},
		ModuleVersion: func(path, module string) (string, error) {
			if v, ok := f.versions[path]; ok {
				return v, nil
			}
			return "", errors.New("not a Go binary")
		},
		Run: func(ctx context.Context, c Command) error {
			f.ran = append(f.ran, c)
			if len(c.Args) == 4 && c.Args[0] == "build" && c.Args[1] == "-o" && c.Args[3] == ShimPackage {
				return os.WriteFile(c.Args[2], []byte("shim"), 0o755)
			}
			if len(c.Args) == 2 && c.Args[0] == "-c" {
				if mod := strings.TrimPrefix(c.Args[1], "import "); f.missing[mod] {
					return errors.New("ModuleNotFoundError")
				}
			}
			if f.onRun != nil {
				return f.onRun(c)
			}
			return nil
		},
		Output: func(ctx context.Context, c Command) ([]byte, error) {
			f.ran = append(f.ran, c)
			switch strings.Join(c.Args, " ") {
			case "env GOBIN GOPATH":
				return []byte("\n" + f.env["HOME"] + "/go\n"), nil
			case "env GOVERSION":
				return []byte("go1.26.8\n"), nil
			}
			return nil, errors.New("unexpected command " + c.String())
		},
		Exists: func(path string) bool { return f.files[path] },
		GOOS:   "linux",
		IsRoot: f.root,
	}
}

// installedTools puts files for all tools in binDir and records their
// versions, as if gotl install had run before.
func (f *fakeMachine) installedTools(t *testing.T, binDir string) {
	t.Helper()
	for _, tool := range Tools {
		p := tool.Path(binDir)
		if err := os.WriteFile(p, []byte("binary"), 0o755); err != nil {
			t.Fatal(err)
		}
		f.versions[p] = tool.Version
		f.paths[tool.Name] = p
	}
}

// fakeRepo makes a directory that looks like a gotl checkout.
func fakeRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module github.com/gotl/gotl\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestSpecContent(t *testing.T) {
	spec, err := Config{RepoRoot: "/src/gotl/", RawError: true, Offline: true}.Spec("/opt/tools")
	if err != nil {
		t.Fatal(err)
	}
	wantArgv := []string{"/opt/tools/gonb", "--kernel", "{connection_file}", "-raw_error=true", "-go_work=/src/gotl",
		"-logtostderr=false", "-alsologtostderr=false", "-stderrthreshold=FATAL"}
	if !reflect.DeepEqual(spec.Argv, wantArgv) {
		t.Errorf("argv = %q\nwant   %q", spec.Argv, wantArgv)
	}
	if spec.DisplayName != "Go (gotl)" || spec.Language != "go" || spec.InterruptMode != "message" {
		t.Errorf("display_name/language/interrupt_mode = %q/%q/%q", spec.DisplayName, spec.Language, spec.InterruptMode)
	}
	if !reflect.DeepEqual(spec.Env, map[string]string{"GOPROXY": "off"}) {
		t.Errorf("env = %v, want only GOPROXY=off", spec.Env)
	}
	if got := spec.GoWork(); got != "/src/gotl" {
		t.Errorf("GoWork() = %q", got)
	}

	// The JSON is what Jupyter reads: check the field names it expects.
	var raw map[string]any
	if err := json.Unmarshal(spec.Marshal(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"argv", "display_name", "language", "env", "interrupt_mode"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("kernel.json lacks %q: %s", k, spec.Marshal())
		}
	}

	quiet, _ := Config{RepoRoot: "/r"}.Spec("/b")
	verbose, _ := Config{RepoRoot: "/r", Verbose: true, DisplayName: "Mine"}.Spec("/b")
	if !contains(quiet.Argv, "-raw_error=false") || contains(quiet.Argv, "-logtostderr=true") {
		t.Errorf("default argv %q should have raw_error=false and quiet logging", quiet.Argv)
	}
	if !contains(verbose.Argv, "-logtostderr=true") || verbose.DisplayName != "Mine" {
		t.Errorf("verbose spec %+v should log to stderr and keep the display name", verbose)
	}
	if len(quiet.Env) != 0 {
		t.Errorf("default env = %v, want empty", quiet.Env)
	}
}

func TestSpecRejectsBadPaths(t *testing.T) {
	for _, c := range []struct{ root, bin, want string }{
		{"relative/gotl", "/b", "must be absolute"},
		{"/a,b/gotl", "/b", "comma"},
		{"/src/gotl", "bin", "must be absolute"},
	} {
		_, err := Config{RepoRoot: c.root}.Spec(c.bin)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Spec(root %q, bin %q) error = %v, want one mentioning %q", c.root, c.bin, err, c.want)
		}
	}
}

func TestCleanGoFlags(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "",
		"-buildvcs=false":                   "-buildvcs=false",
		"-mod=mod":                          "",
		"-mod=mod -buildvcs=false":          "-buildvcs=false",
		"  -trimpath   -mod=vendor -race  ": "-trimpath -race",
	} {
		if got := CleanGoFlags(in); got != want {
			t.Errorf("CleanGoFlags(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDataDir(t *testing.T) {
	cwd, _ := os.Getwd()
	for _, c := range []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"linux", map[string]string{"HOME": "/home/ada", "JUPYTER_DATA_DIR": "/tmp/jd"}, "/tmp/jd"},
		{"linux", map[string]string{"HOME": "/home/ada", "JUPYTER_DATA_DIR": "rel/jd"}, filepath.Join(cwd, "rel/jd")},
		{"linux", map[string]string{"HOME": "/home/ada"}, "/home/ada/.local/share/jupyter"},
		{"linux", map[string]string{"HOME": "/home/ada", "XDG_DATA_HOME": "/xdg"}, "/xdg/jupyter"},
		{"darwin", map[string]string{"HOME": "/Users/ada"}, "/Users/ada/Library/Jupyter"},
	} {
		h := &Host{Getenv: func(k string) string { return c.env[k] }, GOOS: c.goos}
		got, err := DataDir(h)
		if err != nil || got != c.want {
			t.Errorf("DataDir(%s, %v) = %q, %v; want %q", c.goos, c.env, got, err, c.want)
		}
	}
	if _, err := DataDir(&Host{Getenv: func(string) string { return "" }, GOOS: "linux"}); err == nil {
		t.Error("DataDir without HOME or JUPYTER_DATA_DIR succeeded")
	}
}

func TestFindRepoRoot(t *testing.T) {
	root := fakeRepo(t)
	sub := filepath.Join(root, "notebooks", "deep")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := FindRepoRoot(sub); err != nil || got != root {
		t.Errorf("FindRepoRoot(%s) = %q, %v; want %q", sub, got, err, root)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644)
	if _, err := FindRepoRoot(other); err == nil || !strings.Contains(err.Error(), "not inside a checkout") {
		t.Errorf("FindRepoRoot of another module: err = %v", err)
	}
}

// TestInstallIdempotent installs twice into fake directories: the first
// install writes the kernelspec, the second changes nothing; both warm the
// build cache in the checkout.
func TestInstallIdempotent(t *testing.T) {
	f := newFakeMachine()
	binDir, dataDir, root := t.TempDir(), t.TempDir(), fakeRepo(t)
	f.installedTools(t, binDir)
	var out strings.Builder
	in := &Installer{Host: f.host(), Config: Config{RepoRoot: root, DataDir: dataDir, BinDir: binDir}, Out: &out}

	res, err := in.Install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.SpecChanged || len(res.Built) != 0 {
		t.Errorf("first install: SpecChanged=%v Built=%v, want true and none", res.SpecChanged, res.Built)
	}
	specPath := filepath.Join(dataDir, "kernels", "gotl", "kernel.json")
	first, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := ReadSpec(filepath.Dir(specPath))
	if err != nil {
		t.Fatal(err)
	}
	if spec.GoWork() != root || spec.Argv[0] != filepath.Join(binDir, "gonb") {
		t.Errorf("installed spec %+v: want go_work %s and gonb from %s", spec, root, binDir)
	}
	wantEnv := map[string]string{"PATH": ShimDir(filepath.Dir(specPath)) + ":${PATH}", RealGoEnv: "/usr/local/go/bin/go",
		RealGoimportsEnv: filepath.Join(binDir, "goimports")}
	if !reflect.DeepEqual(spec.Env, wantEnv) {
		t.Errorf("env = %v, want only the shim first on PATH (tools found on PATH, GOFLAGS unset): %v", spec.Env, wantEnv)
	}
	for _, f := range []string{"kernel.css", "kernel.js", "bin/go", "bin/goimports"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(specPath), f)); err != nil {
			t.Errorf("kernelspec lacks %s: %v", f, err)
		}
	}

	f.ran = nil
	res, err = in.Install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(specPath)
	if res.SpecChanged || len(res.Built) != 0 || string(first) != string(second) {
		t.Errorf("second install changed something: SpecChanged=%v Built=%v", res.SpecChanged, res.Built)
	}
	if !strings.Contains(out.String(), "already up to date") {
		t.Errorf("second install output does not say the kernelspec is up to date:\n%s", out.String())
	}
	if len(f.ran) != 3 || strings.Join(f.ran[0].Args, " ") != "list -m all" || f.ran[1].Args[3] != ShimPackage ||
		strings.Join(f.ran[2].Args, " ") != "build -tags=noxla -gcflags=all=-dwarf=false ./..." || !contains(f.ran[2].Env, "CGO_ENABLED=0") ||
		f.ran[0].Dir != root || f.ran[1].Dir != root || f.ran[2].Dir != root {
		t.Errorf("second install ran %v, want only go list -m all, the shim build and a pure-Go go build ./... in %s", f.ran, root)
	}
	var names []string
	filepath.WalkDir(filepath.Dir(specPath), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(filepath.Dir(specPath), path)
			names = append(names, rel)
		}
		return nil
	})
	if strings.Join(names, " ") != "bin/go bin/goimports kernel.css kernel.js kernel.json" {
		t.Errorf("kernelspec dir holds %q, want only bin/go, bin/goimports, kernel.css, kernel.js and kernel.json (no temporary files)", names)
	}

	// PlainGo: no shim, GoNB's own builds, and a plain warm-up.
	plainDir := t.TempDir()
	plain := &Installer{Host: f.host(), Config: Config{RepoRoot: root, DataDir: plainDir, BinDir: binDir, PlainGo: true}}
	f.ran = nil
	if _, err := plain.Install(context.Background()); err != nil {
		t.Fatal(err)
	}
	plainSpec, _ := ReadSpec(filepath.Join(plainDir, "kernels", "gotl"))
	if len(plainSpec.Env) != 0 || strings.Join(f.ran[len(f.ran)-1].Args, " ") != "build ./..." {
		t.Errorf("PlainGo install: env %v, last command %v; want no env and go build ./...", plainSpec.Env, f.ran[len(f.ran)-1])
	}
	if _, err := os.Stat(filepath.Join(plainDir, "kernels", "gotl", "bin")); err == nil {
		t.Error("PlainGo install built the go shim")
	}
}

func TestInstallHonoursJupyterDataDir(t *testing.T) {
	f := newFakeMachine()
	binDir, dataDir, root := t.TempDir(), t.TempDir(), fakeRepo(t)
	f.installedTools(t, binDir)
	f.env["JUPYTER_DATA_DIR"] = dataDir
	in := &Installer{Host: f.host(), Config: Config{RepoRoot: root, BinDir: binDir, Name: "gotl_test"}, SkipWarm: true}
	res, err := in.Install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dataDir, "kernels", "gotl_test")
	if res.SpecDir != want {
		t.Errorf("SpecDir = %s, want %s", res.SpecDir, want)
	}
	if _, err := os.Stat(filepath.Join(want, "kernel.json")); err != nil {
		t.Error(err)
	}
	for _, c := range f.ran {
		if len(c.Args) > 0 && c.Args[0] == "build" && c.Args[len(c.Args)-1] == "./..." {
			t.Errorf("SkipWarm install ran %s", c)
		}
	}
}

// TestInstallBuildsOutdatedTool replaces a gopls of the wrong version by
// building the pinned one from its embedded module.
func TestInstallBuildsOutdatedTool(t *testing.T) {
	f := newFakeMachine()
	binDir, dataDir, root := t.TempDir(), t.TempDir(), fakeRepo(t)
	f.installedTools(t, binDir)
	gopls := filepath.Join(binDir, "gopls")
	f.versions[gopls] = "v0.24.0"
	var goMod string
	f.onRun = func(c Command) error {
		if len(c.Args) == 4 && c.Args[0] == "build" && c.Args[1] == "-o" {
			b, err := os.ReadFile(filepath.Join(c.Dir, "go.mod"))
			if err != nil {
				return err
			}
			goMod = string(b)
			if !contains(c.Env, "GOWORK=off") {
				t.Errorf("tool build env lacks GOWORK=off")
			}
			f.versions[gopls] = GoplsVersion
			return os.WriteFile(c.Args[2], []byte("new gopls"), 0o755)
		}
		return nil
	}
	in := &Installer{Host: f.host(), Config: Config{RepoRoot: root, DataDir: dataDir, BinDir: binDir}, SkipWarm: true}
	res, err := in.Install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Built, []string{"gopls"}) {
		t.Errorf("Built = %v, want [gopls]", res.Built)
	}
	if !strings.Contains(goMod, "golang.org/x/tools/gopls "+GoplsVersion) {
		t.Errorf("gopls was built from a module that does not pin %s:\n%s", GoplsVersion, goMod)
	}
	if b, _ := os.ReadFile(gopls); string(b) != "new gopls" {
		t.Errorf("gopls not replaced: %q", b)
	}
	leftovers, _ := filepath.Glob(filepath.Join(binDir, ".*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left in bin dir: %v", leftovers)
	}
}

func TestInstallFailedToolBuildKeepsOldBinary(t *testing.T) {
	f := newFakeMachine()
	binDir, dataDir, root := t.TempDir(), t.TempDir(), fakeRepo(t)
	f.installedTools(t, binDir)
	f.versions[filepath.Join(binDir, "gonb")] = "v0.10.0"
	f.onRun = func(c Command) error {
		if len(c.Args) > 2 && c.Args[0] == "build" {
			os.WriteFile(c.Args[2], []byte("half"), 0o755)
			return errors.New("exit status 1")
		}
		return nil
	}
	in := &Installer{Host: f.host(), Config: Config{RepoRoot: root, DataDir: dataDir, BinDir: binDir}, SkipWarm: true}
	_, err := in.Install(context.Background())
	if err == nil || !strings.Contains(err.Error(), "building gonb "+GoNBVersion) {
		t.Fatalf("err = %v, want a gonb build error", err)
	}
	if b, _ := os.ReadFile(filepath.Join(binDir, "gonb")); string(b) != "binary" {
		t.Errorf("old gonb was replaced by a failed build: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "kernels", "gotl", "kernel.json")); err == nil {
		t.Error("kernelspec written although gonb failed to build")
	}
}

func TestInstallWithoutJupyter(t *testing.T) {
	for _, apt := range []bool{true, false} {
		f := newFakeMachine()
		delete(f.paths, "jupyter")
		if !apt {
			delete(f.paths, "apt-get")
		}
		in := &Installer{Host: f.host(), Config: Config{RepoRoot: fakeRepo(t), DataDir: t.TempDir(), BinDir: t.TempDir()}}
		_, err := in.Install(context.Background())
		if !errors.Is(err, ErrNoJupyter) {
			t.Fatalf("apt=%v: err = %v, want ErrNoJupyter", apt, err)
		}
		want := "python3 -m pip install jupyter_core"
		if apt {
			want = "sudo apt-get update && sudo apt-get install -y --no-install-recommends jupyter-core"
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("apt=%v: message %q lacks %q", apt, err, want)
		}
		if len(f.ran) != 0 {
			t.Errorf("apt=%v: ran %v before failing", apt, f.ran)
		}
	}
}

func TestInstallRejectsNonCheckout(t *testing.T) {
	f := newFakeMachine()
	for _, root := range []string{"", "relative", t.TempDir()} {
		in := &Installer{Host: f.host(), Config: Config{RepoRoot: root}}
		if _, err := in.Install(context.Background()); err == nil {
			t.Errorf("Install with RepoRoot %q succeeded", root)
		}
	}
}

func TestKernelEnv(t *testing.T) {
	f := newFakeMachine()
	binDir := t.TempDir()
	f.installedTools(t, binDir)
	f.env["GOFLAGS"] = "-mod=mod -buildvcs=false"
	in := &Installer{Host: f.host(), Config: Config{Env: map[string]string{"GOMLX_BACKEND": "go"}}}
	env := in.kernelEnv("/k/gotl", binDir)
	want := map[string]string{"GOFLAGS": "-buildvcs=false", "GOMLX_BACKEND": "go", "PATH": "/k/gotl/bin:${PATH}", RealGoEnv: "/usr/local/go/bin/go",
		RealGoimportsEnv: filepath.Join(binDir, "goimports")}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("kernelEnv = %v, want %v", env, want)
	}

	// PATH finds another gopls first: the kernel must get the pinned one.
	f.paths["gopls"] = "/usr/bin/gopls"
	f.env["GOFLAGS"] = "-buildvcs=false"
	env = in.kernelEnv("/k/gotl", binDir)
	wantPath := "/k/gotl/bin:" + binDir + ":/usr/local/go/bin:${PATH}"
	if env["PATH"] != wantPath {
		t.Errorf("PATH = %q, want %q", env["PATH"], wantPath)
	}
	if _, ok := env["GOFLAGS"]; ok {
		t.Errorf("GOFLAGS set although the installing one has no -mod: %v", env)
	}
}

func TestCheckReport(t *testing.T) {
	f := newFakeMachine()
	binDir, dataDir, root := t.TempDir(), t.TempDir(), fakeRepo(t)
	f.installedTools(t, binDir)
	os.Remove(filepath.Join(binDir, "gopls"))
	delete(f.paths, "gopls")
	f.missing["jupyter_kernel_test"] = true
	f.env["GOTL_PYTHON"] = "/usr/bin/python3"
	in := &Installer{Host: f.host(), Config: Config{RepoRoot: root, DataDir: dataDir, BinDir: binDir}}

	r := in.Check(context.Background(), ForNotebooks|ForTests)
	if r.OK() {
		t.Fatal("report OK although gopls, jupyter_kernel_test and the kernelspec are missing")
	}
	text := r.String()
	for _, want := range []string{
		"ok       go                   go1.26.8 at /usr/local/go/bin/go",
		"ok       gonb                 " + GoNBVersion,
		"MISSING  gopls                " + filepath.Join(binDir, "gopls") + " not found",
		"fix: gotl install",
		"MISSING  jupyter_kernel_test",
		"fix: sudo apt-get update && sudo apt-get install -y --no-install-recommends python3-jupyter-kernel-test",
		"MISSING  kernelspec gotl      " + filepath.Join(dataDir, "kernels", "gotl", "kernel.json") + " not found",
		"3 of 13 parts missing",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "GOFLAGS") {
		t.Errorf("report complains about GOFLAGS, which is unset:\n%s", text)
	}
	// For notebooks only, the test-only parts are not checked.
	if notebooks := in.Check(context.Background(), ForNotebooks).String(); strings.Contains(notebooks, "jupyter_kernel_test") {
		t.Errorf("ForNotebooks report mentions a test-only part:\n%s", notebooks)
	}

	// After an install everything is in place (the fake build writes gopls).
	f.onRun = func(c Command) error {
		if len(c.Args) > 2 && c.Args[0] == "build" && c.Args[1] == "-o" {
			f.versions[filepath.Join(binDir, "gopls")] = GoplsVersion
			return os.WriteFile(c.Args[2], nil, 0o755)
		}
		return nil
	}
	f.paths["gopls"] = filepath.Join(binDir, "gopls")
	if _, err := in.Install(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.missing = map[string]bool{}
	if r := in.Check(context.Background(), ForNotebooks|ForTests); !r.OK() {
		t.Errorf("report after install:\n%s", r)
	} else if !strings.HasSuffix(r.String(), "all 13 parts are in place\n") {
		t.Errorf("report after install lacks the summary:\n%s", r)
	}

	// A kernelspec left by another checkout is reported as such.
	other := &Installer{Host: f.host(), Config: Config{RepoRoot: fakeRepo(t), DataDir: dataDir, BinDir: binDir}}
	if text := other.Check(context.Background(), ForNotebooks).String(); !strings.Contains(text, "uses the checkout \""+root+"\"") {
		t.Errorf("report for another checkout does not name the installed one:\n%s", text)
	}
}

func TestInstallJupyterWithApt(t *testing.T) {
	f := newFakeMachine()
	delete(f.paths, "jupyter-notebook")
	f.missing["jupyter_kernel_test"] = true
	f.env["GOTL_PYTHON"] = "/usr/bin/python3"
	f.onRun = func(c Command) error {
		if strings.Contains(c.String(), "apt-get install") {
			f.paths["jupyter-notebook"] = "/usr/bin/jupyter-notebook"
			f.missing = map[string]bool{}
		}
		return nil
	}
	var out strings.Builder
	if err := InstallJupyter(context.Background(), f.host(), ForNotebooks|ForTests, &out); err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, c := range f.ran {
		if c.Name != "/usr/bin/python3" {
			cmds = append(cmds, c.String())
		}
	}
	want := []string{
		"/usr/bin/sudo apt-get update",
		"/usr/bin/sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends jupyter-notebook python3-jupyter-kernel-test",
	}
	if !reflect.DeepEqual(cmds, want) {
		t.Errorf("ran\n%q\nwant\n%q", cmds, want)
	}

	// Nothing missing: nothing runs.
	f.ran = nil
	if err := InstallJupyter(context.Background(), f.host(), ForNotebooks|ForTests, &out); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.ran {
		if strings.Contains(c.String(), "apt-get") {
			t.Errorf("ran %s with nothing missing", c)
		}
	}

	// No apt-get: the error names the pip packages.
	g := newFakeMachine()
	delete(g.paths, "apt-get")
	delete(g.paths, "jupyter-nbconvert")
	err := InstallJupyter(context.Background(), g.host(), ForNotebooks, &out)
	if err == nil || !strings.Contains(err.Error(), "python3 -m pip install nbconvert") {
		t.Errorf("err = %v, want the pip command", err)
	}
}

func TestServerCommand(t *testing.T) {
	f := newFakeMachine()
	f.root = true
	c, ui, err := ServerCommand(f.host(), ServerOptions{NotebookDir: "/src/gotl/notebooks"})
	if err != nil {
		t.Fatal(err)
	}
	want := "/usr/bin/jupyter-notebook --notebook-dir=/src/gotl/notebooks --ip=127.0.0.1 --port=8888 --no-browser --allow-root"
	if c.String() != want || ui != "Jupyter Notebook" || c.Dir != "/src/gotl/notebooks" {
		t.Errorf("ServerCommand = %q (%s) in %s\nwant %q", c, ui, c.Dir, want)
	}

	f.root = false
	f.paths["jupyter-lab"] = "/usr/local/bin/jupyter-lab"
	c, ui, err = ServerCommand(f.host(), ServerOptions{NotebookDir: "/nb", IP: "0.0.0.0", Port: 9000, OpenBrowser: true})
	if err != nil {
		t.Fatal(err)
	}
	want = "/usr/local/bin/jupyter-lab --notebook-dir=/nb --ip=0.0.0.0 --port=9000"
	if c.String() != want || ui != "JupyterLab" {
		t.Errorf("ServerCommand = %q (%s), want %q", c, ui, want)
	}

	delete(f.paths, "jupyter-lab")
	delete(f.paths, "jupyter-notebook")
	if _, _, err := ServerCommand(f.host(), ServerOptions{NotebookDir: "/nb"}); !errors.Is(err, ErrNoJupyter) ||
		!strings.Contains(err.Error(), "jupyter-notebook") {
		t.Errorf("without Jupyter: err = %v", err)
	}
}

// TestToolModulesPinned checks that each embedded tool module requires the
// pinned version and that its go.sum has the checksum for it.
func TestToolModulesPinned(t *testing.T) {
	for _, tool := range Tools {
		mod, err := toolModules.ReadFile("toolmods/" + tool.Name + "/go.mod.txt")
		if err != nil {
			t.Fatal(err)
		}
		sum, err := toolModules.ReadFile("toolmods/" + tool.Name + "/go.sum.txt")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(mod), "\ttool "+tool.Package+"\n") && !strings.Contains(string(mod), "\ntool "+tool.Package+"\n") {
			t.Errorf("%s: go.mod does not declare tool %s", tool.Name, tool.Package)
		}
		if !strings.Contains(string(mod), "\t"+tool.Module+" "+tool.Version) {
			t.Errorf("%s: go.mod does not require %s %s:\n%s", tool.Name, tool.Module, tool.Version, mod)
		}
		if !strings.Contains(string(sum), tool.Module+" "+tool.Version+" h1:") {
			t.Errorf("%s: go.sum has no checksum for %s %s", tool.Name, tool.Module, tool.Version)
		}
	}
}

func TestPythonFromShebang(t *testing.T) {
	dir := t.TempDir()
	script := func(name, first string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(first+"\nimport sys\n"), 0o755)
		return p
	}
	for _, c := range []struct{ first, want string }{
		{"#!/usr/bin/python3", "/usr/bin/python3"},
		{"#!/opt/venv/bin/python3.11 -E", "/opt/venv/bin/python3.11"},
		{"#!/usr/bin/env python3", ""},
		{"#!/bin/sh", ""},
		{"print('no shebang')", ""},
	} {
		if got := shebangInterpreter(script("jupyter", c.first)); got != c.want {
			t.Errorf("shebangInterpreter(%q) = %q, want %q", c.first, got, c.want)
		}
	}
	f := newFakeMachine()
	f.paths["jupyter"] = script("jupyter", "#!/opt/jupyter/bin/python")
	if py, _ := Python(f.host()); py != "/opt/jupyter/bin/python" {
		t.Errorf("Python() = %q, want the jupyter script's interpreter", py)
	}
	f.env["GOTL_PYTHON"] = "/custom/python"
	if py, _ := Python(f.host()); py != "/custom/python" {
		t.Errorf("Python() = %q, want $GOTL_PYTHON", py)
	}
}

func TestBinaryModuleVersionRejectsNonGoFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gonb")
	os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755)
	if v, err := binaryModuleVersion(p, "github.com/janpfeifer/gonb"); err == nil {
		t.Errorf("binaryModuleVersion of a shell script = %q, want an error", v)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestInstallToolsOnly(t *testing.T) {
	f := newFakeMachine()
	binDir, dataDir, root := t.TempDir(), t.TempDir(), fakeRepo(t)
	f.installedTools(t, binDir)
	delete(f.paths, "jupyter") // the tools do not need Jupyter
	in := &Installer{Host: f.host(), Config: Config{RepoRoot: root, DataDir: dataDir, BinDir: binDir}, ToolsOnly: true}
	res, err := in.Install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.BinDir != binDir || res.SpecChanged {
		t.Errorf("ToolsOnly result %+v", res)
	}
	if entries, _ := os.ReadDir(dataDir); len(entries) != 0 {
		t.Errorf("ToolsOnly wrote into the Jupyter data dir: %v", entries)
	}
	fetched := false
	for _, c := range f.ran {
		if strings.Join(c.Args, " ") == "build ./..." {
			t.Errorf("ToolsOnly warmed the build cache")
		}
		fetched = fetched || (strings.Join(c.Args, " ") == "list -m all" && c.Dir == root)
	}
	if !fetched {
		t.Errorf("ToolsOnly did not fetch the module graph (go list -m all in %s) that offline kernels need; ran %v", root, f.ran)
	}
}
