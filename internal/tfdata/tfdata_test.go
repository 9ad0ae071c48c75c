package tfdata

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// skipRecorder is a testing.TB whose Skip methods record the message and
// end the calling goroutine, as the real ones do, without skipping the
// test that observes it.
type skipRecorder struct {
	testing.TB
	skipped string
}

func (r *skipRecorder) Helper() {}

func (r *skipRecorder) Skip(args ...any) {
	r.skipped = strings.TrimSuffix(fmt.Sprintln(args...), "\n")
	runtime.Goexit()
}

func (r *skipRecorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *skipRecorder) SkipNow() {
	r.skipped = "SkipNow"
	runtime.Goexit()
}

// call runs f with a skipRecorder on its own goroutine and returns f's
// result, or the skip message when f skipped.
func call(t *testing.T, f func(testing.TB) string) (got, skipped string) {
	r := &skipRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = f(r)
	}()
	<-done
	return got, r.skipped
}

func mkdir(t *testing.T, elem ...string) string {
	t.Helper()
	p := filepath.Join(elem...)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEnvDirIsUsed(t *testing.T) {
	root := t.TempDir()
	mkdir(t, root, "set", "sub")
	t.Setenv(Env, root)

	if d, why := Find(); d != root || why != "" {
		t.Errorf("Find() = %q, %q; want %q, \"\"", d, why, root)
	}
	if got, skipped := call(t, Dir); got != root || skipped != "" {
		t.Errorf("Dir = %q (skipped %q), want %q", got, skipped, root)
	}
	want := filepath.Join(root, "set", "sub")
	if got, skipped := call(t, func(tb testing.TB) string { return Path(tb, "set", "sub") }); got != want || skipped != "" {
		t.Errorf("Path = %q (skipped %q), want %q", got, skipped, want)
	}
	if got := Optional("set/sub"); got != want {
		t.Errorf("Optional = %q, want %q", got, want)
	}
	if got := Optional("set", "nope"); got != "" {
		t.Errorf("Optional of a missing file = %q, want \"\"", got)
	}
	if got := Glob("*/sub", "none*"); len(got) != 1 || got[0] != want {
		t.Errorf("Glob = %q, want [%q]", got, want)
	}

	// A file missing under a present directory skips, naming the file.
	_, skipped := call(t, func(tb testing.TB) string { return Path(tb, "set", "missing.pb") })
	if !strings.Contains(skipped, filepath.Join(root, "set", "missing.pb")) || !strings.Contains(skipped, Env) {
		t.Errorf("Path of a missing file skipped with %q; want the path and %s named", skipped, Env)
	}
}

func TestMissingEnvDirSkips(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent")
	t.Setenv(Env, missing)

	if d, why := Find(); d != "" || !strings.Contains(why, Env+"="+missing) {
		t.Errorf("Find() = %q, %q; want \"\" and a reason naming %s=%s", d, why, Env, missing)
	}
	for name, f := range map[string]func(testing.TB) string{
		"Dir":  Dir,
		"Path": func(tb testing.TB) string { return Path(tb, "x.pb") },
	} {
		got, skipped := call(t, f)
		if got != "" || !strings.Contains(skipped, missing) || !strings.Contains(skipped, "skipping tests against real TensorFlow files") {
			t.Errorf("%s returned %q and skipped with %q; want a skip naming %s", name, got, skipped, missing)
		}
	}
	if got := Optional("x.pb"); got != "" {
		t.Errorf("Optional = %q, want \"\"", got)
	}
	if got := Glob("*"); got != nil {
		t.Errorf("Glob = %q, want none", got)
	}
}

// Without $GOTL_TFDATA the files are looked for beside the nearest go.mod.
func TestRepositoryLayout(t *testing.T) {
	t.Setenv(Env, "")
	top := t.TempDir()
	repo := mkdir(t, top, "repo")
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(mkdir(t, repo, "helpers", "pkg"))

	want := filepath.Join(top, "shared", "tfdata")
	_, skipped := call(t, Dir)
	if !strings.Contains(skipped, "not found at "+want) {
		t.Errorf("without %s: skipped with %q, want it to name %s", want, skipped, want)
	}
	mkdir(t, want)
	if d, why := Find(); d != want || why != "" {
		t.Errorf("Find() = %q, %q; want %q", d, why, want)
	}
}
