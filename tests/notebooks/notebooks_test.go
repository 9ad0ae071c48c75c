// Tests that execute every tutorial notebook headlessly with gotl's kernel,
// and run Jupyter's kernel conformance suite against that kernel.
//
// The kernel is installed into a temporary JUPYTER_DATA_DIR with
// -raw_error=true (compile errors as plain text) and GOPROXY=off (notebooks
// must run offline). Executed notebooks, and timings.txt with the wall time
// of each, are kept in $GOTL_NOTEBOOK_OUT (default: a new
// $TMPDIR/gotl-notebooks-out-* directory, named in the test log).
//
//	go test ./tests/notebooks -run 'TestNotebooks/00_getting_started' -v
//
// Without Jupyter the tests skip, except when $CI is set: CI must never
// skip them silently.
package notebooks_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gotl/gotl/internal/nbrun"
	"github.com/gotl/gotl/kernel"
)

// kernelName is the kernelspec every notebook must name.
const kernelName = "gotl"

// reportMarker starts log lines that make test's summary repeats
// (tools/testreport).
const reportMarker = "[report] "

// testEnv is the kernel installation shared by the tests of one run.
type testEnv struct {
	root    string   // repository root
	tmp     string   // removed after the run
	outDir  string   // executed notebooks
	environ []string // environment for Jupyter processes
	python  string
}

var (
	setupOnce sync.Once
	shared    *testEnv
	setupErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		os.RemoveAll(shared.tmp)
	}
	os.Exit(code)
}

// setup installs the kernel once per test binary, or skips (fails under CI)
// when Jupyter is missing.
func setup(t testing.TB) *testEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: executing notebooks takes minutes")
	}
	h := kernel.OSHost()
	if missing := kernel.MissingJupyter(context.Background(), h, kernel.ForTests); len(missing) > 0 {
		var names []string
		for _, p := range missing {
			names = append(names, p.Name)
		}
		msg := fmt.Sprintf("Jupyter parts missing (%s), so notebooks cannot be executed; install them with: %s "+
			"(on Debian/Ubuntu, make test installs them)", strings.Join(names, ", "), kernel.JupyterFix(h, missing))
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " [CI is set: not skipping]")
		}
		t.Skip(msg)
	}
	setupOnce.Do(func() { shared, setupErr = newTestEnv() })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return shared
}

func newTestEnv() (*testEnv, error) {
	root, err := kernel.FindRepoRoot(".")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "gotl-nbtest-")
	if err != nil {
		return nil, err
	}
	e := &testEnv{root: root, tmp: tmp}
	for _, d := range []string{"data", "config", "runtime", "tmp"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			return e, err
		}
	}
	// Executed notebooks outlive the test, for inspection; by default in a
	// fresh directory per run, so concurrent runs do not overwrite each other.
	if e.outDir = os.Getenv("GOTL_NOTEBOOK_OUT"); e.outDir != "" {
		err = os.MkdirAll(e.outDir, 0o755)
	} else {
		e.outDir, err = os.MkdirTemp("", "gotl-notebooks-out-")
	}
	if err != nil {
		return e, err
	}
	h := kernel.OSHost()
	if e.python, err = kernel.Python(h); err != nil {
		return e, err
	}
	var log bytes.Buffer
	in := &kernel.Installer{
		Host: h,
		Config: kernel.Config{
			// The display name users get: the browser test checks that
			// notebooks open unchanged, and Notebook would mark one whose
			// stored kernelspec differs as changed.
			RepoRoot: root, DataDir: filepath.Join(tmp, "data"), Name: kernelName,
			DisplayName: kernel.DefaultDisplayName, RawError: true, Offline: true,
		},
		Out: &log,
	}
	// Tests download nothing: missing tools are built from the module cache
	// only (make test installs them beforehand), and the warm-up too.
	os.Setenv("GOPROXY", "off")
	start := time.Now()
	res, err := in.Install(context.Background())
	if err != nil {
		return e, fmt.Errorf("installing the test kernel (offline; run \"go run ./cmd/gotl install --tools_only\" first if the tools are missing): %v\n%s",
			err, log.String())
	}
	fmt.Fprintf(os.Stderr, "notebooks: test kernel installed in %s (%.1fs)\n", res.SpecDir, time.Since(start).Seconds())
	if res.WarmErr != nil {
		// Notebooks that import a broken package fail with the compiler's
		// message; the others still run, only their first cell is slower.
		fmt.Fprintf(os.Stderr, "notebooks: warning: go build ./... failed: %v\n", res.WarmErr)
	}

	env := map[string]string{
		"JUPYTER_DATA_DIR":    filepath.Join(tmp, "data"),
		"JUPYTER_CONFIG_DIR":  filepath.Join(tmp, "config"),
		"JUPYTER_RUNTIME_DIR": filepath.Join(tmp, "runtime"),
		// GoNB's /tmp/gonb_* work directories land here and go away with it.
		"TMPDIR":  filepath.Join(tmp, "tmp"),
		"GOFLAGS": kernel.CleanGoFlags(os.Getenv("GOFLAGS")),
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := env[k]; !ok {
			e.environ = append(e.environ, kv)
		}
	}
	for k, v := range env {
		e.environ = append(e.environ, k+"="+v)
	}
	return e, nil
}

// run runs a Jupyter command (nbconvert or the Python tests) with a deadline.
// The command, its kernel and the kernel's gopls are all marked with a
// unique environment entry; whatever is still running at the end, timeout or
// not, is killed by process id.
func (e *testEnv) run(t testing.TB, timeout time.Duration, dir string, extraEnv []string, name string, args ...string) ([]byte, error) {
	t.Helper()
	if tt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := tt.Deadline(); ok {
			if left := time.Until(dl) - 30*time.Second; left < timeout {
				timeout = left
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	marker := fmt.Sprintf("GOTL_NBTEST_RUN=%d-%d", os.Getpid(), time.Now().UnixNano())
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(append([]string{}, e.environ...), extraEnv...), marker)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v: %w", timeout, err)
	}
	killMarked(t, marker)
	return out.Bytes(), err
}

// killMarked waits briefly for the processes carrying marker to exit (a
// kernel shuts its gopls down) and kills the ones that do not.
func killMarked(t testing.TB, marker string) {
	var pids []int
	for i := 0; i < 20; i++ {
		if pids = nbrun.ProcessesWithEnv(marker); len(pids) == 0 {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	t.Logf("killed leftover kernel processes %v", pids)
}

// notebookFiles lists the tutorials, notebooks/*.ipynb of the checkout, as
// absolute paths, sorted.
func notebookFiles(t *testing.T) []string {
	t.Helper()
	root, err := kernel.FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no notebooks found in %s", filepath.Join(root, "notebooks"))
	}
	return files
}

func notebookTimeout() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("GOTL_NOTEBOOK_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return 15 * time.Minute
}

// TestNotebooks executes every notebook (one subtest each) and fails on any
// error output, on a notebook that plots but shows no image, and on a
// kernel that died or a cell that timed out.
func TestNotebooks(t *testing.T) {
	files := notebookFiles(t)
	e := setup(t)
	var timings []string
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".ipynb")
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			elapsed := executeNotebook(t, e, file, name)
			timings = append(timings, fmt.Sprintf("%-40s %7.1fs", name, elapsed.Seconds()))
			status := "ok"
			if t.Failed() {
				status = "FAILED"
			}
			t.Logf("%snotebook %-28s executed in %6.1fs  %s", reportMarker, name, elapsed.Seconds(), status)
			t.Logf("%s: executed in %.1fs (whole subtest %.1fs)", file, elapsed.Seconds(), time.Since(start).Seconds())
		})
	}
	summary := strings.Join(timings, "\n") + "\n"
	t.Logf("wall time per notebook:\n%s", summary)
	os.WriteFile(filepath.Join(e.outDir, "timings.txt"), []byte(summary), 0o644)
	t.Logf("%sexecuted notebooks (and timings.txt) are in %s", reportMarker, e.outDir)
}

func executeNotebook(t *testing.T, e *testEnv, file, name string) time.Duration {
	in, err := nbrun.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Metadata.KernelSpec.Name; got != kernelName {
		t.Errorf("%s: kernelspec name is %q, want %q (Jupyter would start another kernel for users)", file, got, kernelName)
	}
	timeout := notebookTimeout()
	outPath := filepath.Join(e.outDir, name+".ipynb")
	os.Remove(outPath)
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := e.run(t, timeout, filepath.Dir(abs), nil, "jupyter", "nbconvert",
		"--to", "notebook", "--execute", "--allow-errors",
		"--ExecutePreprocessor.kernel_name="+kernelName,
		"--ExecutePreprocessor.timeout="+strconv.Itoa(int(timeout.Seconds())),
		"--ExecutePreprocessor.startup_timeout=120",
		// After a cell's reply, wait for its last outputs (the kernel's idle
		// status) up to 60 s instead of 4 s, and fail rather than lose them.
		"--ExecutePreprocessor.iopub_timeout=60", "--ExecutePreprocessor.raise_on_iopub_timeout=True",
		"--output-dir="+e.outDir, "--output="+name, abs)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("%s: jupyter nbconvert failed: %v\n%s", file, err, tailLines(string(out), 40))
	}
	t.Logf("executed notebook saved as %s", outPath)
	got, err := nbrun.Read(outPath)
	if err != nil {
		t.Fatal(err)
	}
	var slow []string
	for i, c := range got.Cells {
		if d, ok := c.Duration(); ok && d >= 5*time.Second {
			slow = append(slow, fmt.Sprintf("cell %d: %.1fs", i, d.Seconds()))
		}
	}
	if len(slow) > 0 {
		t.Logf("cells that took 5 s or more: %s", strings.Join(slow, ", "))
	}
	for _, p := range got.Problems() {
		t.Errorf("%s: %s", file, p)
	}
	if got.ExpectsImage() && got.Images() == 0 {
		t.Errorf("%s imports %s but shows no image output (image/png, image/svg+xml, or HTML with <svg>/<img>)",
			file, nbrun.PlotsImport)
	}
	return elapsed
}

// importRE finds the quoted import paths of a cell's import declarations.
var (
	importBlockRE = regexp.MustCompile(`(?ms)^\s*import\s*\((.*?)\)`)
	importLineRE  = regexp.MustCompile(`(?m)^\s*import\s+(?:[\w.]+\s+)?"([^"]+)"`)
	quotedRE      = regexp.MustCompile(`"([^"]+)"`)
	ownMustRE     = regexp.MustCompile(`(?m)^func must\b`)
)

// TestNotebooksImportOnlyGotl checks, without Jupyter, that notebooks name
// the gotl kernel and import only the standard library and gotl's packages:
// anything else makes GoNB fetch modules, which fails offline (and a direct
// gonbui import fails even online with some proxies).
func TestNotebooksImportOnlyGotl(t *testing.T) {
	for _, file := range notebookFiles(t) {
		nb, err := nbrun.Read(file)
		if err != nil {
			t.Fatal(err)
		}
		if got := nb.Metadata.KernelSpec.Name; got != kernelName {
			t.Errorf("%s: kernelspec name is %q, want %q", file, got, kernelName)
		}
		for i, c := range nb.Cells {
			if c.Type != "code" {
				continue
			}
			for _, path := range cellImports(string(c.Source)) {
				first, _, _ := strings.Cut(path, "/")
				if strings.Contains(first, ".") && path != kernel.ModulePath && !strings.HasPrefix(path, kernel.ModulePath+"/") {
					t.Errorf("%s: cell %d imports %q; notebooks may import only the standard library and %s/...",
						file, i, path, kernel.ModulePath)
				}
			}
		}
	}
}

func cellImports(src string) []string {
	var paths []string
	for _, m := range importBlockRE.FindAllStringSubmatch(src, -1) {
		for _, q := range quotedRE.FindAllStringSubmatch(m[1], -1) {
			paths = append(paths, q[1])
		}
	}
	for _, m := range importLineRE.FindAllStringSubmatch(src, -1) {
		paths = append(paths, m[1])
	}
	return paths
}

func TestCellImports(t *testing.T) {
	src := "import \"github.com/gotl/gotl/plots\"\nimport nbx \"github.com/gotl/gotl/helpers/nb\"\n" +
		"import (\n\t\"fmt\"\n\tg \"github.com/janpfeifer/gonb/gonbui\"\n)\n%%\nfmt.Println(\"import \\\"x.y/z\\\"\")"
	got := strings.Join(cellImports(src), ",")
	want := "fmt,github.com/janpfeifer/gonb/gonbui,github.com/gotl/gotl/plots,github.com/gotl/gotl/helpers/nb"
	if got != want {
		t.Errorf("cellImports = %s\nwant %s", got, want)
	}
}

// TestKernelConformance runs Debian's jupyter_kernel_test suite
// (kernel/conformance/test_gotl_kernel.py) against the test kernel and
// checks that every test with samples passed.
func TestKernelConformance(t *testing.T) {
	e := setup(t)
	dir := filepath.Join(e.root, "kernel", "conformance")
	start := time.Now()
	out, err := e.run(t, 10*time.Minute, dir, []string{"GOTL_KERNEL_NAME=" + kernelName},
		e.python, "-m", "unittest", "-v", "test_gotl_kernel")
	t.Logf("jupyter_kernel_test took %.1fs:\n%s", time.Since(start).Seconds(), out)
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("conformance tests failed (%v); see the log above", err)
		}
		t.Fatalf("running %s -m unittest: %v", e.python, err)
	}
	for _, name := range []string{"test_kernel_info", "test_execute_stdout", "test_execute_stderr",
		"test_completion", "test_inspect", "test_error", "test_display_data"} {
		if !regexp.MustCompile(`(?m)^` + name + ` \(.*\) \.\.\. ok$`).Match(out) {
			t.Errorf("%s did not pass", name)
		}
	}
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// maxCellLines is the longest code cell a tutorial may have: cells show the
// lesson, and logic (sweeps, evaluation, conclusions, record keeping) lives
// in helper packages with tests.
const maxCellLines = 42

// TestNotebookCellsAreShort checks, without Jupyter, that no code cell is
// longer than maxCellLines and that no notebook defines its own must (nb.Must
// and nb.Check stop a cell with one error line).
func TestNotebookCellsAreShort(t *testing.T) {
	for _, file := range notebookFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".ipynb")
		nb, err := nbrun.Read(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range nb.Cells {
			if c.Type != "code" {
				continue
			}
			src := strings.TrimRight(string(c.Source), "\n")
			if n := strings.Count(src, "\n") + 1; n > maxCellLines {
				t.Errorf("%s: cell %d has %d lines, more than %d: move its logic into a helper package", name, i, n, maxCellLines)
			}
			if ownMustRE.MatchString(src) {
				t.Errorf("%s: cell %d defines its own must; use nb.Must and nb.Check", name, i)
			}
		}
	}
}
