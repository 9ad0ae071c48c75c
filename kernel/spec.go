package kernel

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Default names of the kernelspec.
const (
	DefaultName        = "gotl"
	DefaultDisplayName = "Go (gotl)"
)

// Config describes the kernelspec to write.
type Config struct {
	// RepoRoot is the absolute path of the gotl checkout; GoNB adds it to
	// every notebook's Go workspace.
	RepoRoot string
	// DataDir is the Jupyter data directory; "" means DataDir(host).
	DataDir string
	// BinDir holds gonb, goimports and gopls; "" means DefaultBinDir.
	BinDir string
	// Name is the kernelspec directory name; "" means DefaultName.
	Name string
	// DisplayName is shown in Jupyter's kernel menu; "" means DefaultDisplayName.
	DisplayName string
	// RawError makes GoNB report compile errors as plain text in the error
	// output instead of HTML, which is what tests want to read.
	RawError bool
	// Offline sets GOPROXY=off for the kernel: cells may only use modules
	// from the workspace and the module cache.
	Offline bool
	// Verbose sends GoNB's log to Jupyter's terminal instead of a file.
	Verbose bool
	// Env is merged into the environment Jupyter gives the kernel. Values
	// may refer to Jupyter's environment as ${NAME}.
	Env map[string]string
	// PlainGo leaves GoNB's go commands as they are: no go shim, so every
	// cell runs "go get" and builds with cgo and XLA (about three times
	// slower to link). For comparisons.
	PlainGo bool
}

// Spec is the content of a kernel.json file.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode,omitempty"`
	Env           map[string]string `json:"env"`
}

func (c Config) name() string {
	if c.Name == "" {
		return DefaultName
	}
	return c.Name
}

// SpecDir returns the kernelspec directory for c, given a resolved data dir.
func (c Config) SpecDir(dataDir string) string {
	return filepath.Join(dataDir, "kernels", c.name())
}

// Spec returns the kernel.json content for c, with gonb taken from binDir.
func (c Config) Spec(binDir string) (Spec, error) {
	if !filepath.IsAbs(c.RepoRoot) {
		// GoNB runs "go work use" inside its temporary directory, where a
		// relative path means something else and kills the kernel.
		return Spec{}, fmt.Errorf("kernel: the checkout path %q must be absolute", c.RepoRoot)
	}
	if strings.Contains(c.RepoRoot, ",") {
		return Spec{}, fmt.Errorf("kernel: the checkout path %q contains a comma, which GoNB's -go_work cannot take", c.RepoRoot)
	}
	if !filepath.IsAbs(binDir) {
		return Spec{}, fmt.Errorf("kernel: the tool directory %q must be absolute", binDir)
	}
	display := c.DisplayName
	if display == "" {
		display = DefaultDisplayName
	}
	argv := []string{
		filepath.Join(binDir, "gonb"), "--kernel", "{connection_file}",
		fmt.Sprintf("-raw_error=%t", c.RawError),
		"-go_work=" + filepath.Clean(c.RepoRoot),
	}
	if c.Verbose {
		argv = append(argv, "-logtostderr=true", "-alsologtostderr=false", "-stderrthreshold=INFO")
	} else {
		// klog writes to files under the temporary directory; only fatal
		// errors reach the notebook server's terminal.
		argv = append(argv, "-logtostderr=false", "-alsologtostderr=false", "-stderrthreshold=FATAL")
	}
	env := map[string]string{}
	for k, v := range c.Env {
		env[k] = v
	}
	if c.Offline {
		env["GOPROXY"] = "off"
	}
	return Spec{
		Argv:          argv,
		DisplayName:   display,
		Language:      "go",
		InterruptMode: "message",
		Env:           env,
	}, nil
}

// GoWork returns the -go_work paths in s's argv, or "" if there are none.
func (s Spec) GoWork() string {
	for _, a := range s.Argv {
		if v, ok := strings.CutPrefix(a, "-go_work="); ok {
			return v
		}
		if v, ok := strings.CutPrefix(a, "--go_work="); ok {
			return v
		}
	}
	return ""
}

// Marshal returns the kernel.json bytes for s, indented and stable.
func (s Spec) Marshal() []byte {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic("kernel: marshalling a Spec cannot fail: " + err.Error())
	}
	return append(b, '\n')
}

// ReadSpec reads dir/kernel.json.
func ReadSpec(dir string) (Spec, error) {
	var s Spec
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("kernel: %s: %w", filepath.Join(dir, "kernel.json"), err)
	}
	if len(s.Argv) == 0 {
		return s, fmt.Errorf("kernel: %s has no argv", filepath.Join(dir, "kernel.json"))
	}
	return s, nil
}

// WriteSpec writes s as dir/kernel.json unless the file already holds
// exactly these bytes, and reports whether it changed anything. The file is
// written to a temporary name first, so a failure never leaves half a file.
func WriteSpec(dir string, s Spec) (changed bool, err error) {
	return writeIfChanged(filepath.Join(dir, "kernel.json"), s.Marshal(), 0o644)
}

// DataDir returns Jupyter's user data directory, following jupyter_core:
// $JUPYTER_DATA_DIR, else ~/Library/Jupyter on macOS, %APPDATA%\jupyter on
// Windows, and $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter elsewhere.
func DataDir(h *Host) (string, error) {
	if d := h.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	home := h.Getenv("HOME")
	if h.GOOS == "windows" {
		if appData := h.Getenv("APPDATA"); appData != "" {
			return filepath.Join(appData, "jupyter"), nil
		}
		home = h.Getenv("USERPROFILE")
	}
	if home == "" {
		return "", errors.New("kernel: neither JUPYTER_DATA_DIR nor HOME is set, so there is no Jupyter data directory")
	}
	switch h.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		return filepath.Join(home, "AppData", "Roaming", "jupyter"), nil
	}
	if xdg := h.Getenv("XDG_DATA_HOME"); xdg != "" {
		return filepath.Join(xdg, "jupyter"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// ModulePath is the module the kernel puts in every notebook's workspace.
const ModulePath = "github.com/gotl/gotl"

// FindRepoRoot walks up from dir to the directory whose go.mod declares
// module github.com/gotl/gotl, and returns its absolute path.
func FindRepoRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("kernel: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && moduleLine(b) == ModulePath {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("kernel: %s is not inside a checkout of %s (no go.mod declaring it above)", abs, ModulePath)
		}
	}
}

func moduleLine(goMod []byte) string {
	for _, line := range strings.Split(string(goMod), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	return ""
}
