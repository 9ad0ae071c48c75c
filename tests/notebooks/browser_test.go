package notebooks_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotl/gotl/internal/tfdata"
	"github.com/gotl/gotl/kernel"
)

// browserResult is what tests/notebooks/browser/runall.mjs reports.
type browserResult struct {
	Chromium  string           `json:"chromium"`
	Notebooks []notebookResult `json:"notebooks"`
}

// notebookResult is one notebook opened and run in the browser.
type notebookResult struct {
	Notebook       string        `json:"notebook"`
	Kernel         string        `json:"kernel"`
	HTTPErrors     []string      `json:"httpErrors"`
	PageErrors     []string      `json:"pageErrors"`
	CellErrors     []string      `json:"cellErrors"`
	DirtyAfterOpen bool          `json:"dirtyAfterOpen"`
	AutosaveStatus string        `json:"autosaveStatus"`
	Tabs           int           `json:"tabs"`
	TabsWithArrow  int           `json:"tabsWithArrow"`
	CodeCells      int           `json:"codeCells"`
	UnwrappedCells int           `json:"unwrappedCells"`
	Overflowing    int           `json:"overflowingCells"`
	BoxedOutputs   []int         `json:"boxedOutputs"`
	CellsDone      int           `json:"cellsDone"`
	CellsRunning   int           `json:"cellsRunning"`
	Finished       bool          `json:"finished"`
	RunAllSeconds  float64       `json:"runAllSeconds"`
	Replays        int           `json:"replays"`
	Replay         *replayResult `json:"replay"`
}

// replayResult is what a plots.Replay showed after each of runall.mjs's
// clicks.
type replayResult struct {
	Error   string `json:"error"`
	Actions []struct {
		Action    string `json:"action"`
		Status    string `json:"status"`
		Step      int    `json:"step"`
		Rows      int    `json:"rows"`
		Polylines []struct {
			Path   string `json:"path"`
			Points int    `json:"points"`
			D      string `json:"d"`
		} `json:"polylines"`
	} `json:"actions"`
}

// browserTools returns the node and Chromium commands and the browser test's
// directory, or skips (fails under $CI) naming what is missing.
func browserTools(t *testing.T, e *testEnv) (node, chromium, dir string) {
	t.Helper()
	h := kernel.OSHost()
	var problems []string
	for _, p := range kernel.MissingJupyter(context.Background(), h, kernel.ForBrowserTests) {
		if p.Name != "npm" { // only needed to install the modules
			problems = append(problems, p.Name+" ("+p.Why+")")
		}
	}
	if err := kernel.BrowserTestModulesMissing(e.root); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		msg := fmt.Sprintf("the live-browser test needs %s; install with: go run ./cmd/gotl install --system --tests (make test does)",
			strings.Join(problems, "; "))
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " [CI is set: not skipping]")
		}
		t.Skip(msg)
	}
	node, _ = h.LookPath("node")
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := h.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if c := os.Getenv("GOTL_CHROMIUM"); c != "" {
		chromium = c
	}
	return node, chromium, filepath.Join(e.root, kernel.BrowserTestDir)
}

// TestBrowserRunAll serves copies of the tutorials with a live Jupyter
// Notebook server and drives them in headless Chromium (puppeteer-core):
// every notebook must open without "unsaved changes" and without tab arrows
// in its Go code, finish Cell > Run All with no error and no cell left
// waiting, and notebook 05's stepper (plots.Replay) must answer its
// controls after its cell ended. The server must log no 404.
//
// GOTL_BROWSER_NOTEBOOKS=00_getting_started,05_optimizers limits the
// notebooks; screenshots of the replays go to the executed-notebooks folder.
func TestBrowserRunAll(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: running notebooks in a browser takes minutes")
	}
	files := notebookFiles(t)
	e := setup(t)
	node, chromium, dir := browserTools(t, e)

	if only := os.Getenv("GOTL_BROWSER_NOTEBOOKS"); only != "" {
		var kept []string
		for _, f := range files {
			for _, name := range strings.Split(only, ",") {
				if strings.TrimSuffix(filepath.Base(f), ".ipynb") == strings.TrimSuffix(strings.TrimSpace(name), ".ipynb") {
					kept = append(kept, f)
				}
			}
		}
		files = kept
	}
	// Serve copies: the server autosaves, and must not touch the checkout.
	served := filepath.Join(e.tmp, "served")
	if err := os.MkdirAll(served, 0o755); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(served, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(f))
	}

	srv := startServer(t, e, served)
	defer srv.stop(t)

	shots := filepath.Join(e.outDir, "browser")
	os.MkdirAll(shots, 0o755)
	timeout := notebookTimeout()
	args := []string{filepath.Join(dir, "runall.mjs"), "--url", srv.url, "--token", srv.token,
		"--chromium", chromium, "--profile", filepath.Join(e.tmp, "chromium-profile"),
		"--shots", shots, "--timeout", strconv.Itoa(int(timeout.Seconds()))}
	args = append(args, names...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(len(names)+1)*timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string{}, e.environ...), srv.marker)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("runall.mjs took %.1fs; its log:\n%s", time.Since(start).Seconds(), stderr.String())
	if err != nil {
		t.Fatalf("node runall.mjs: %v\n%s", err, tailLines(stdout.String(), 20))
	}
	var res browserResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("runall.mjs printed no result: %v\n%s", err, tailLines(stdout.String(), 20))
	}
	t.Logf("Chromium %s", res.Chromium)
	if len(res.Notebooks) != len(names) {
		t.Fatalf("results for %d notebooks, want %d", len(res.Notebooks), len(names))
	}
	var times []string
	for _, nb := range res.Notebooks {
		checkBrowserNotebook(t, nb)
		times = append(times, fmt.Sprintf("%s %.0fs", strings.TrimSuffix(nb.Notebook, ".ipynb"), nb.RunAllSeconds))
	}
	t.Logf("%sbrowser Run All (Chromium, live server): %s; replay screenshots in %s", reportMarker, strings.Join(times, ", "), shots)

	// Jupyter's tree lists the served folder: running the tutorials must
	// leave nothing there but the tutorials (dot files are hidden).
	entries, err := os.ReadDir(served)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if !strings.HasPrefix(en.Name(), ".") && !strings.HasSuffix(en.Name(), ".ipynb") {
			t.Errorf("running the notebooks left %s in the served folder, where Jupyter's tree shows it", en.Name())
		}
	}

	log := srv.stop(t)
	if m := regexp.MustCompile(`(?m)^.*\b404 (GET|POST|PUT|PATCH|DELETE)\b.*$`).FindAllString(log, -1); len(m) > 0 {
		t.Errorf("the notebook server logged 404s:\n%s", strings.Join(m, "\n"))
	}
}

// checkBrowserNotebook judges how a notebook opened and ran in the browser.
func checkBrowserNotebook(t *testing.T, nb notebookResult) {
	t.Helper()
	name := nb.Notebook
	if nb.Kernel != kernelName {
		t.Errorf("%s: started kernel %q, want %q", name, nb.Kernel, kernelName)
	}
	if nb.DirtyAfterOpen || strings.Contains(nb.AutosaveStatus, "unsaved") {
		t.Errorf("%s opens with unsaved changes (autosave status %q): its metadata differs from what Notebook and the kernel report "+
			"(kernelspec, or language_info: the notebooks store the language_info of a gonb built with the project's Go)",
			name, nb.AutosaveStatus)
	}
	if nb.Tabs == 0 {
		t.Errorf("%s: no tab characters found in the editor, so the tab-arrow check saw nothing", name)
	}
	if nb.TabsWithArrow > 0 {
		t.Errorf("%s: %d of %d tabs in the Go code are drawn as arrows (kernel.css not loaded?)", name, nb.TabsWithArrow, nb.Tabs)
	}
	if nb.UnwrappedCells > 0 || nb.Overflowing > 0 {
		t.Errorf("%s: %d of %d code cells do not wrap long lines and %d scroll sideways (kernel.js not loaded?)",
			name, nb.UnwrappedCells, nb.CodeCells, nb.Overflowing)
	}
	if len(nb.BoxedOutputs) > 0 {
		t.Errorf("%s: the outputs of code cells %v are boxed into a scroll area: give those cells the metadata \"scrolled\": false",
			name, nb.BoxedOutputs)
	}
	if !nb.Finished {
		t.Errorf("%s: Run All did not finish in %.0fs: %d of %d code cells done, %d still running (In [*])",
			name, nb.RunAllSeconds, nb.CellsDone, nb.CodeCells, nb.CellsRunning)
	}
	for _, e := range nb.CellErrors {
		t.Errorf("%s: %s", name, e)
	}
	for _, e := range nb.HTTPErrors {
		t.Errorf("%s: HTTP %s", name, e)
	}
	for _, e := range nb.PageErrors {
		t.Errorf("%s: JavaScript error: %s", name, e)
	}
	if name == "05_optimizers.ipynb" && nb.Replays == 0 {
		t.Errorf("%s shows no stepper (plots.Replay) after Run All", name)
	}
	if nb.Replays > 0 {
		checkReplay(t, name, nb.Replay)
	}
	t.Logf("%s: Run All %.1fs, %d code cells, %d tabs, %d replays", name, nb.RunAllSeconds, nb.CodeCells, nb.Tabs, nb.Replays)
}

// checkReplay judges the clicks runall.mjs made on a replay: each control
// must move the step (and the paths) as it says.
func checkReplay(t *testing.T, name string, r *replayResult) {
	t.Helper()
	if r == nil || r.Error != "" {
		t.Errorf("%s: replay: %v", name, r)
		return
	}
	steps := map[string]int{"ready": 0, "step x3": 3, "+10": 13, "back": 12, "param 0 +1": 12, "reset": 0, "step x5": 5}
	var before, after string
	for _, a := range r.Actions {
		if want, ok := steps[a.Action]; ok && a.Step != want {
			t.Errorf("%s: replay after %q is at step %d, want %d (status %q)", name, a.Action, a.Step, want, a.Status)
		}
		if !strings.Contains(a.Status, fmt.Sprintf("step %d of", a.Step)) {
			t.Errorf("%s: replay status %q does not show step %d", name, a.Status, a.Step)
		}
		if len(a.Polylines) == 0 || a.Rows != len(a.Polylines) {
			t.Errorf("%s: replay after %q: %d paths and %d table rows, want the same, not 0", name, a.Action, len(a.Polylines), a.Rows)
			continue
		}
		for _, p := range a.Polylines {
			// A path shows its points up to the step, fewer if it stopped.
			if p.Points < 1 || p.Points > a.Step+1 {
				t.Errorf("%s: replay after %q: path %s has %d points at step %d", name, a.Action, p.Path, p.Points, a.Step)
			}
		}
		switch a.Action {
		case "back":
			before = a.Polylines[0].D
		case "param 0 +1":
			after = a.Polylines[0].D
		case "play 1s":
			if a.Step <= 12 {
				t.Errorf("%s: replay did not advance while playing: step %d", name, a.Step)
			}
		}
	}
	if before == "" || before == after {
		t.Errorf("%s: moving the first parameter slider did not change the first path (%q)", name, after)
	}
}

// server is a Jupyter Notebook server started by a test.
type server struct {
	url, token string
	marker     string
	cmd        *exec.Cmd
	log        *bytes.Buffer
	stopped    bool
}

// startServer serves dir with Jupyter Notebook (the classic UI that
// runall.mjs drives) on a free local port with a random token.
func startServer(t *testing.T, e *testEnv, dir string) *server {
	t.Helper()
	prog, err := exec.LookPath("jupyter-notebook")
	if err != nil {
		t.Fatalf("jupyter-notebook: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	tok := make([]byte, 16)
	rand.Read(tok)
	s := &server{
		url: fmt.Sprintf("http://127.0.0.1:%d", port), token: hex.EncodeToString(tok),
		marker: fmt.Sprintf("GOTL_NBTEST_RUN=%d-%d", os.Getpid(), time.Now().UnixNano()),
		log:    &bytes.Buffer{},
	}
	args := []string{"--no-browser", "--ip=127.0.0.1", "--port=" + strconv.Itoa(port), "--port-retries=0",
		"--notebook-dir=" + dir, "--NotebookApp.token=" + s.token}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	env := append(append([]string{}, e.environ...), s.marker)
	if d, _ := tfdata.Find(); d != "" {
		env = append(env, tfdata.Env+"="+d) // the served copies are outside the checkout
	}
	s.cmd = exec.Command(prog, args...)
	s.cmd.Dir = dir
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.url + "/api/status?token=" + s.token)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			s.stop(t)
			t.Fatalf("the notebook server did not answer within 60 s:\n%s", s.log.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// stop ends the server and every process it started (kernels, gopls) and
// returns its log.
func (s *server) stop(t testing.TB) string {
	if s.stopped {
		return s.log.String()
	}
	s.stopped = true
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	killMarked(t, s.marker)
	return s.log.String()
}
