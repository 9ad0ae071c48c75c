package kernel

import (
	"context"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Pinned versions of the Go tools the kernel runs. Newer GoNB releases are
// not served by every proxy, and gopls v0.24.0 needs Go 1.27.
const (
	GoNBVersion      = "v0.11.5"
	GoimportsVersion = "v0.52.0" // golang.org/x/tools
	GoplsVersion     = "v0.23.0"
)

// Tool is a Go command the kernel needs, built at a pinned version.
type Tool struct {
	Name    string // binary name
	Package string // import path of its main package
	Module  string // module whose version is pinned
	Version string
	// Why is shown by Check next to the tool.
	Why string
	// BuildTime is a rough cost on two cores with empty module and build
	// caches (downloads included).
	BuildTime time.Duration
}

// Tools lists the kernel's Go tools in install order.
var Tools = []Tool{
	{"gonb", "github.com/janpfeifer/gonb", "github.com/janpfeifer/gonb", GoNBVersion,
		"the Jupyter kernel", time.Minute},
	{"goimports", "golang.org/x/tools/cmd/goimports", "golang.org/x/tools", GoimportsVersion,
		"adds missing imports to cells", 20 * time.Second},
	{"gopls", "golang.org/x/tools/gopls", "golang.org/x/tools/gopls", GoplsVersion,
		"completion and docs in notebooks", 3 * time.Minute},
}

// toolModules holds, per tool, a go.mod naming the tool and the go.sum that
// pins all of its dependencies. They are stored as .txt so that the go
// command does not treat the directories as nested modules.
//
//go:embed toolmods
var toolModules embed.FS

// Path returns where t lives in binDir.
func (t Tool) Path(binDir string) string { return filepath.Join(binDir, t.Name) }

// goimportsTool is the pinned goimports of Tools.
func goimportsTool() Tool {
	for _, t := range Tools {
		if t.Name == "goimports" {
			return t
		}
	}
	panic("kernel: Tools lacks goimports")
}

// InstalledVersion returns the version of t installed in binDir, or an error
// saying why there is none.
func (t Tool) InstalledVersion(h *Host, binDir string) (string, error) {
	p := t.Path(binDir)
	if _, err := os.Stat(p); err != nil {
		if os.IsNotExist(err) {
			return "", fmt.Errorf("%s not found", p)
		}
		return "", err
	}
	v, err := h.ModuleVersion(p, t.Module)
	if err != nil {
		return "", fmt.Errorf("cannot read the version of %s: %w", p, err)
	}
	return v, nil
}

// Build compiles t from its pinned module into binDir, replacing any binary
// there only once the new one is complete. Progress goes to out.
func (t Tool) Build(ctx context.Context, h *Host, binDir string, out io.Writer) error {
	goMod, err := toolModules.ReadFile("toolmods/" + t.Name + "/go.mod.txt")
	if err != nil {
		return fmt.Errorf("kernel: no pinned module for %s: %w", t.Name, err)
	}
	goSum, err := toolModules.ReadFile("toolmods/" + t.Name + "/go.sum.txt")
	if err != nil {
		return fmt.Errorf("kernel: no pinned go.sum for %s: %w", t.Name, err)
	}
	modDir, err := os.MkdirTemp("", "gotl-tool-"+t.Name+"-")
	if err != nil {
		return fmt.Errorf("kernel: building %s: %w", t.Name, err)
	}
	defer os.RemoveAll(modDir)
	if err := os.WriteFile(filepath.Join(modDir, "go.mod"), goMod, 0o644); err != nil {
		return fmt.Errorf("kernel: building %s: %w", t.Name, err)
	}
	if err := os.WriteFile(filepath.Join(modDir, "go.sum"), goSum, 0o644); err != nil {
		return fmt.Errorf("kernel: building %s: %w", t.Name, err)
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return fmt.Errorf("kernel: building %s: %w", t.Name, err)
	}
	goBin, err := h.LookPath("go")
	if err != nil {
		return fmt.Errorf("kernel: building %s: the go command is not on PATH", t.Name)
	}
	tmp := filepath.Join(binDir, "."+t.Name+".gotl-tmp")
	defer os.Remove(tmp)
	err = h.Run(ctx, Command{
		Name: goBin,
		Args: []string{"build", "-o", tmp, t.Package},
		Dir:  modDir,
		Env:  h.goBuildEnv(map[string]string{"GOWORK": "off"}),
		Out:  out,
	})
	if err != nil {
		return fmt.Errorf("kernel: building %s %s: %w", t.Name, t.Version, err)
	}
	if err := os.Rename(tmp, t.Path(binDir)); err != nil {
		return fmt.Errorf("kernel: installing %s: %w", t.Name, err)
	}
	return nil
}

// DefaultBinDir returns where "go install" puts commands: $GOBIN, or the bin
// directory of the first GOPATH entry.
func DefaultBinDir(ctx context.Context, h *Host) (string, error) {
	goBin, err := h.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("kernel: the go command is not on PATH (install Go 1.26 from https://go.dev/dl)")
	}
	out, err := h.Output(ctx, Command{Name: goBin, Args: []string{"env", "GOBIN", "GOPATH"}})
	if err != nil {
		return "", fmt.Errorf("kernel: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) >= 1 && strings.TrimSpace(lines[0]) != "" {
		return strings.TrimSpace(lines[0]), nil
	}
	if len(lines) >= 2 {
		gopath := strings.TrimSpace(lines[1])
		if first, _, _ := strings.Cut(gopath, string(os.PathListSeparator)); first != "" {
			return filepath.Join(first, "bin"), nil
		}
	}
	return "", fmt.Errorf("kernel: go env reports neither GOBIN nor GOPATH")
}
