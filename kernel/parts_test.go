package kernel

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWidgetsExtensionPart(t *testing.T) {
	f := newFakeMachine()
	f.files = map[string]bool{}
	in := &Installer{Host: f.host(), Config: Config{RepoRoot: fakeRepo(t), DataDir: t.TempDir(), BinDir: t.TempDir()}}
	text := in.Check(context.Background(), ForNotebooks).String()
	for _, want := range []string{
		"MISSING  widgets extension    Notebook 6 asks every page for it; without it the server logs a 404: nbextensions/jupyter-js-widgets/extension.js not in",
		"/usr/share/jupyter",
		"fix: sudo apt-get update && sudo apt-get install -y --no-install-recommends jupyter-nbextension-jupyter-js-widgets",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	// Found in the user's data directory (where pip --user puts it).
	f.files[filepath.Join("/home/ada/.local/share/jupyter", "nbextensions/jupyter-js-widgets/extension.js")] = true
	if text := in.Check(context.Background(), ForNotebooks).String(); !strings.Contains(text,
		"ok       widgets extension    /home/ada/.local/share/jupyter/nbextensions/jupyter-js-widgets/extension.js") {
		t.Errorf("extension in the user's data dir not found:\n%s", text)
	}
}

func TestBrowserTestParts(t *testing.T) {
	f := newFakeMachine()
	f.paths["node"] = "/usr/bin/node"
	root := fakeRepo(t)
	in := &Installer{Host: f.host(), Config: Config{RepoRoot: root, DataDir: t.TempDir(), BinDir: t.TempDir()}}
	text := in.Check(context.Background(), ForBrowserTests).String()
	for _, want := range []string{
		"ok       jupyter-notebook     /usr/bin/jupyter-notebook",
		"MISSING  chromium             the headless browser of the live-notebook test: chromium or chromium-browser not on PATH",
		"fix: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium",
		"ok       node                 /usr/bin/node",
		"MISSING  npm",
		"MISSING  browser test modules",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	// Without apt-get the fix names what pip cannot install.
	delete(f.paths, "apt-get")
	missing := MissingJupyter(context.Background(), f.host(), ForBrowserTests)
	if fix := JupyterFix(f.host(), missing); fix != "install chromium, npm with your system's package manager" {
		t.Errorf("fix without apt = %q", fix)
	}
}

func TestBrowserTestModulesMissing(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, BrowserTestDir)
	write := func(path, content string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := BrowserTestModulesMissing(root); err == nil {
		t.Error("no package-lock.json: no error")
	}
	write(filepath.Join(dir, "package-lock.json"), `{"packages": {"": {}, "node_modules/puppeteer-core": {"version": "24.43.1"}}}`)
	if err := BrowserTestModulesMissing(root); err == nil || !strings.Contains(err.Error(), "puppeteer-core 24.43.1 is not installed") {
		t.Errorf("not installed: %v", err)
	}
	pkg := filepath.Join(dir, "node_modules", "puppeteer-core", "package.json")
	write(pkg, `{"name": "puppeteer-core", "version": "24.9.0"}`)
	if err := BrowserTestModulesMissing(root); err == nil || !strings.Contains(err.Error(), `holds puppeteer-core "24.9.0", package-lock.json pins 24.43.1`) {
		t.Errorf("other version: %v", err)
	}
	write(pkg, `{"name": "puppeteer-core", "version": "24.43.1"}`)
	if err := BrowserTestModulesMissing(root); err != nil {
		t.Errorf("installed: %v", err)
	}
}

// TestBrowserTestLockPinsPuppeteerCore checks the checkout's own npm files:
// puppeteer-core pinned exactly, and never puppeteer (which downloads a
// browser at install time).
func TestBrowserTestLockPinsPuppeteerCore(t *testing.T) {
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile(filepath.Join(root, BrowserTestDir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(pkg), `"puppeteer-core": "24.43.1"`) {
		t.Errorf("package.json does not pin puppeteer-core exactly:\n%s", pkg)
	}
	lock, err := os.ReadFile(filepath.Join(root, BrowserTestDir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(lock), `"node_modules/puppeteer"`) {
		t.Error("package-lock.json pulls in puppeteer, which downloads its own browser")
	}
}

// TestWarmFollowsBackend: cells build pure Go unless GOMLX_BACKEND asks for
// XLA, and the warm-up fills the build cache for the same settings.
func TestWarmFollowsBackend(t *testing.T) {
	for _, tc := range []struct {
		backend, wantArgs string
		wantNoCgo         bool
	}{
		{"", "build -tags=noxla -gcflags=all=-dwarf=false ./...", true},
		{"go", "build -tags=noxla -gcflags=all=-dwarf=false ./...", true},
		{"xla:cuda", "build ./...", false},
	} {
		f := newFakeMachine()
		f.env["GOMLX_BACKEND"] = tc.backend
		in := &Installer{Host: f.host(), Config: Config{RepoRoot: fakeRepo(t)}}
		if err := in.Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
		c := f.ran[len(f.ran)-1]
		if got := strings.Join(c.Args, " "); got != tc.wantArgs || contains(c.Env, "CGO_ENABLED=0") != tc.wantNoCgo {
			t.Errorf("GOMLX_BACKEND=%q: warm-up ran %q (CGO_ENABLED=0: %v), want %q (%v)",
				tc.backend, got, contains(c.Env, "CGO_ENABLED=0"), tc.wantArgs, tc.wantNoCgo)
		}
	}
}
