package kernel

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Purpose says what Jupyter is needed for.
type Purpose int

const (
	// ForNotebooks is using notebooks in a browser.
	ForNotebooks Purpose = 1 << iota
	// ForTests is executing notebooks headlessly and running the kernel
	// conformance tests (go test ./tests/notebooks).
	ForTests
	// ForBrowserTests is driving a live notebook server in a headless
	// browser (tests/notebooks, TestBrowserRunAll).
	ForBrowserTests
)

// JupyterPart is one piece of Jupyter that gotl uses but does not ship.
type JupyterPart struct {
	Name   string
	Why    string
	Debian []string // apt packages that provide it
	Pip    []string // pip packages that provide it elsewhere
	For    Purpose
	// command is a program that must be on PATH (any of them, if several);
	// module is a Python module that Python (see Python) must import;
	// dataFile is a file that one of Jupyter's data directories must hold.
	commands []string
	module   string
	dataFile string
}

// JupyterParts lists what Jupyter must provide, for notebooks and tests,
// plus the other Debian packages the tests need.
var JupyterParts = []JupyterPart{
	{Name: "jupyter", Why: "Jupyter's command line", Debian: []string{"jupyter-core"}, Pip: []string{"jupyter_core"},
		For: ForNotebooks | ForTests, commands: []string{"jupyter"}},
	{Name: "notebook", Why: "the web UI (JupyterLab is used instead when installed)", Debian: []string{"jupyter-notebook"},
		Pip: []string{"notebook"}, For: ForNotebooks, commands: []string{"jupyter-lab", "jupyter-notebook"}},
	{Name: "jupyter-notebook", Why: "the classic web UI the browser test drives", Debian: []string{"jupyter-notebook"},
		Pip: []string{"'notebook<7'"}, For: ForBrowserTests, commands: []string{"jupyter-notebook"}},
	{Name: "widgets extension", Why: "Notebook 6 asks every page for it; without it the server logs a 404",
		Debian: []string{"jupyter-nbextension-jupyter-js-widgets"}, Pip: []string{"widgetsnbextension"},
		For: ForNotebooks, dataFile: "nbextensions/jupyter-js-widgets/extension.js"},
	{Name: "nbconvert", Why: "executes and exports notebooks", Debian: []string{"jupyter-nbconvert"}, Pip: []string{"nbconvert"},
		For: ForNotebooks | ForTests, commands: []string{"jupyter-nbconvert"}},
	{Name: "jupyter_client", Why: "talks to kernels", Debian: []string{"jupyter-client", "python3-jupyter-client"},
		Pip: []string{"jupyter_client"}, For: ForTests, module: "jupyter_client"},
	{Name: "nbclient", Why: "runs notebook cells", Debian: []string{"python3-nbclient"}, Pip: []string{"nbclient"},
		For: ForTests, module: "nbclient"},
	{Name: "jupyter_kernel_test", Why: "kernel conformance tests", Debian: []string{"python3-jupyter-kernel-test"},
		Pip: []string{"jupyter_kernel_test"}, For: ForTests, module: "jupyter_kernel_test"},
	{Name: "chromium", Why: "the headless browser of the live-notebook test", Debian: []string{"chromium"},
		For: ForBrowserTests, commands: []string{"chromium", "chromium-browser"}},
	{Name: "node", Why: "runs the browser test's puppeteer-core", Debian: []string{"nodejs"},
		For: ForBrowserTests, commands: []string{"node"}},
	{Name: "npm", Why: "installs the browser test's puppeteer-core", Debian: []string{"npm"},
		For: ForBrowserTests, commands: []string{"npm"}},
	// Not Jupyter, but installed the same way for the same test run.
	{Name: "djpeg", Why: "libjpeg-turbo's cjpeg and djpeg, which tfjpeg's tests compare with",
		Debian: []string{"libjpeg-turbo-progs"}, For: ForTests, commands: []string{"djpeg"}},
}

// find reports where p is, or why it is missing.
func (p JupyterPart) find(ctx context.Context, h *Host) (string, error) {
	if p.module != "" {
		py, err := Python(h)
		if err != nil {
			return "", err
		}
		err = h.Run(ctx, Command{Name: py, Args: []string{"-c", "import " + p.module}})
		if err != nil {
			return "", fmt.Errorf("%s cannot import %s", py, p.module)
		}
		return "Python module in " + py, nil
	}
	if p.dataFile != "" {
		dirs := JupyterDataDirs(h)
		for _, d := range dirs {
			if f := filepath.Join(d, p.dataFile); h.Exists(f) {
				return f, nil
			}
		}
		return "", fmt.Errorf("%s not in %s", p.dataFile, strings.Join(dirs, ", "))
	}
	for _, c := range p.commands {
		if path, err := h.LookPath(c); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%s not on PATH", strings.Join(p.commands, " or "))
}

// JupyterDataDirs returns the directories where Jupyter looks for data
// such as nbextensions, as jupyter_core orders them: $JUPYTER_PATH, the
// user's data directory, the Python environment's share/jupyter, then the
// system's.
func JupyterDataDirs(h *Host) []string {
	var dirs []string
	for _, d := range filepath.SplitList(h.Getenv("JUPYTER_PATH")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	if d, err := DataDir(h); err == nil {
		dirs = append(dirs, d)
	}
	if py, err := Python(h); err == nil && filepath.IsAbs(py) {
		dirs = append(dirs, filepath.Join(filepath.Dir(filepath.Dir(py)), "share", "jupyter"))
	}
	dirs = append(dirs, "/usr/local/share/jupyter", "/usr/share/jupyter")
	var unique []string
	seen := map[string]bool{}
	for _, d := range dirs {
		if d = filepath.Clean(d); !seen[d] {
			seen[d] = true
			unique = append(unique, d)
		}
	}
	return unique
}

// Python returns the Python interpreter that runs Jupyter: $GOTL_PYTHON if
// set, else the interpreter named on the first line of the jupyter script,
// else /usr/bin/python3 (Debian's; a pyenv python3 earlier on PATH usually
// lacks Jupyter's modules), else python3 from PATH.
func Python(h *Host) (string, error) {
	if p := h.Getenv("GOTL_PYTHON"); p != "" {
		return p, nil
	}
	if jupyter, err := h.LookPath("jupyter"); err == nil {
		if py := shebangInterpreter(jupyter); py != "" {
			return py, nil
		}
	}
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3", nil
	}
	if p, err := h.LookPath("python3"); err == nil {
		return p, nil
	}
	return "", errors.New("kernel: no python3 found (set GOTL_PYTHON to the Python that runs Jupyter)")
}

// shebangInterpreter returns the absolute Python interpreter on a script's
// "#!" line, or "" if the file does not start with one.
func shebangInterpreter(script string) string {
	f, err := os.Open(script)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, 512)).ReadString('\n')
	if err != nil {
		return ""
	}
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 {
		return ""
	}
	py := fields[0]
	if strings.HasSuffix(py, "/env") && len(fields) > 1 {
		return "" // "#!/usr/bin/env python3": PATH decides, as for python3 itself
	}
	if !strings.Contains(py, "python") {
		return ""
	}
	return py
}

// MissingJupyter returns the parts needed for purpose that are missing.
func MissingJupyter(ctx context.Context, h *Host, purpose Purpose) []JupyterPart {
	var missing []JupyterPart
	for _, p := range JupyterParts {
		if p.For&purpose == 0 {
			continue
		}
		if _, err := p.find(ctx, h); err != nil {
			missing = append(missing, p)
		}
	}
	return missing
}

// hasApt reports whether this is a Debian-like system with apt-get.
func (h *Host) hasApt() bool {
	_, err := h.LookPath("apt-get")
	return err == nil
}

// JupyterFix returns the shell commands that install parts: apt-get on
// Debian and Ubuntu (with sudo unless root), pip elsewhere.
func JupyterFix(h *Host, parts []JupyterPart) string {
	if len(parts) == 0 {
		return ""
	}
	var deb, pip []string
	seen := map[string]bool{}
	for _, p := range parts {
		for _, d := range p.Debian {
			if !seen[d] {
				seen[d] = true
				deb = append(deb, d)
			}
		}
		pip = append(pip, p.Pip...)
	}
	if h.hasApt() {
		sudo := "sudo "
		if h.IsRoot {
			sudo = ""
		}
		return fmt.Sprintf("%sapt-get update && %sapt-get install -y --no-install-recommends %s",
			sudo, sudo, strings.Join(deb, " "))
	}
	var fix []string
	if len(pip) > 0 {
		fix = append(fix, "python3 -m pip install "+strings.Join(pip, " "))
	}
	var other []string
	for _, p := range parts {
		if len(p.Pip) == 0 {
			other = append(other, p.Name)
		}
	}
	if len(other) > 0 {
		fix = append(fix, "install "+strings.Join(other, ", ")+" with your system's package manager")
	}
	return strings.Join(fix, "; ")
}

// InstallJupyter installs the missing Jupyter parts needed for purpose with
// apt-get, using sudo when not root. It does nothing when nothing is
// missing, and fails with the pip command to run on systems without apt-get.
func InstallJupyter(ctx context.Context, h *Host, purpose Purpose, out io.Writer) error {
	missing := MissingJupyter(ctx, h, purpose)
	if len(missing) == 0 {
		fmt.Fprintln(out, "jupyter: everything needed is installed")
		return nil
	}
	if !h.hasApt() {
		return fmt.Errorf("kernel: Jupyter is missing parts (%s) and this system has no apt-get; install them with: %s",
			partNames(missing), JupyterFix(h, missing))
	}
	var prefix []string
	if !h.IsRoot {
		sudo, err := h.LookPath("sudo")
		if err != nil {
			return fmt.Errorf("kernel: Jupyter is missing parts (%s); installing them needs root, and sudo is not installed: run as root: %s",
				partNames(missing), JupyterFix(&Host{LookPath: h.LookPath, IsRoot: true}, missing))
		}
		prefix = []string{sudo}
	}
	var pkgs []string
	seen := map[string]bool{}
	for _, p := range missing {
		for _, d := range p.Debian {
			if !seen[d] {
				seen[d] = true
				pkgs = append(pkgs, d)
			}
		}
	}
	fmt.Fprintf(out, "jupyter: installing Debian packages %s (about 25 s)\n", strings.Join(pkgs, " "))
	cmds := [][]string{
		{"apt-get", "update"},
		append([]string{"env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "--no-install-recommends"}, pkgs...),
	}
	for _, c := range cmds {
		full := append(append([]string{}, prefix...), c...)
		fmt.Fprintf(out, "+ %s\n", strings.Join(full, " "))
		if err := h.Run(ctx, Command{Name: full[0], Args: full[1:], Out: out}); err != nil {
			return fmt.Errorf("kernel: installing Jupyter: %w", err)
		}
	}
	if still := MissingJupyter(ctx, h, purpose); len(still) > 0 {
		return fmt.Errorf("kernel: still missing after apt-get: %s", partNames(still))
	}
	return nil
}

func partNames(parts []JupyterPart) string {
	var names []string
	for _, p := range parts {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}
