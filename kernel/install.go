package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// Installer installs or checks the kernel described by Config on Host.
type Installer struct {
	Host   *Host
	Config Config
	// Out receives progress lines; nil discards them.
	Out io.Writer
	// SkipWarm skips pre-building the checkout into the Go build cache.
	SkipWarm bool
	// ToolsOnly makes Install stop after the tools: no kernelspec, no warm-up.
	ToolsOnly bool
}

// Result says where an installation put things and what it changed.
type Result struct {
	DataDir string // Jupyter data directory
	SpecDir string // the kernelspec directory
	BinDir  string // where gonb, goimports and gopls are
	Spec    Spec
	// Built lists the tools that were (re)built; SpecChanged says whether
	// kernel.json was written. Both are empty/false on a repeated install.
	Built       []string
	SpecChanged bool
	// WarmErr is the error of the build-cache warm-up, if it failed. The
	// kernel works anyway; only its first cells are slower.
	WarmErr error
	// ModuleGraphErr is the error of FetchModuleGraph, if it failed.
	ModuleGraphErr error
}

// ErrNoJupyter is returned (wrapped) by Install when Jupyter is not
// installed; the message includes the commands that install it.
var ErrNoJupyter = errors.New("kernel: Jupyter is not installed")

func (in *Installer) out() io.Writer {
	if in.Out == nil {
		return io.Discard
	}
	return in.Out
}

// paths resolves the data and tool directories.
func (in *Installer) paths(ctx context.Context) (dataDir, binDir string, err error) {
	dataDir = in.Config.DataDir
	if dataDir == "" {
		if dataDir, err = DataDir(in.Host); err != nil {
			return "", "", err
		}
	}
	if dataDir, err = filepath.Abs(dataDir); err != nil {
		return "", "", fmt.Errorf("kernel: %w", err)
	}
	binDir = in.Config.BinDir
	if binDir == "" {
		if binDir, err = DefaultBinDir(ctx, in.Host); err != nil {
			return "", "", err
		}
	}
	if binDir, err = filepath.Abs(binDir); err != nil {
		return "", "", fmt.Errorf("kernel: %w", err)
	}
	return dataDir, binDir, nil
}

// kernelEnv returns the environment entries kernel.json needs on this host,
// on top of Config.Env: a GOFLAGS without -mod=... when the installing
// environment has one (it breaks GoNB's workspace builds), and a PATH that
// starts with the go shim (unless PlainGo; GOTL_REAL_GO then names the
// real go and GOTL_REAL_GOIMPORTS the pinned goimports), then the tool
// directory when PATH would not find the pinned goimports and gopls first
// (GoNB looks them all up on PATH).
func (in *Installer) kernelEnv(specDir, binDir string) map[string]string {
	env := map[string]string{}
	for k, v := range in.Config.Env {
		env[k] = v
	}
	h := in.Host
	goBin, goErr := h.LookPath("go")
	if goflags := h.Getenv("GOFLAGS"); CleanGoFlags(goflags) != strings.Join(strings.Fields(goflags), " ") {
		env["GOFLAGS"] = CleanGoFlags(goflags)
	}
	if _, set := env["PATH"]; !set {
		var dirs []string
		for _, t := range Tools {
			if t.Name == "gonb" {
				continue // started by absolute path
			}
			if p, err := h.LookPath(t.Name); err != nil || filepath.Clean(p) != t.Path(binDir) {
				dirs = []string{binDir}
				break
			}
		}
		if goErr == nil && dirs != nil {
			dirs = append(dirs, filepath.Dir(goBin))
		}
		if !in.Config.PlainGo && goErr == nil {
			// The shim answers to "go" and "goimports" first; it runs the
			// real go and the pinned goimports.
			dirs = append([]string{ShimDir(specDir)}, dirs...)
			env[RealGoEnv] = goBin
			env[RealGoimportsEnv] = goimportsTool().Path(binDir)
		}
		if dirs != nil {
			sep := string(filepath.ListSeparator)
			env["PATH"] = strings.Join(dirs, sep) + sep + "${PATH}"
		}
	}
	return env
}

// spec returns the kernel.json that Install writes.
func (in *Installer) spec(dataDir, binDir string) (Spec, error) {
	cfg := in.Config
	cfg.Env = in.kernelEnv(cfg.SpecDir(dataDir), binDir)
	return cfg.Spec(binDir)
}

// Install makes the kernel usable: it fails early, with the commands to
// run, when go or Jupyter is missing; builds the pinned tools that are not
// in place; writes the kernelspec if it differs; and warms the build cache.
func (in *Installer) Install(ctx context.Context) (*Result, error) {
	out := in.out()
	h := in.Host
	if _, err := h.LookPath("go"); err != nil {
		return nil, errors.New("kernel: the go command is not on PATH (install Go 1.26 from https://go.dev/dl)")
	}
	if err := checkRepoRoot(in.Config.RepoRoot); err != nil {
		return nil, err
	}
	if missing := MissingJupyter(ctx, h, ForNotebooks); hasPart(missing, "jupyter") && !in.ToolsOnly {
		also := ""
		if h.hasApt() {
			also = " (or run: gotl install --system)"
		}
		return nil, fmt.Errorf("%w; install it with: %s%s", ErrNoJupyter, JupyterFix(h, missing), also)
	}
	dataDir, binDir, err := in.paths(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{DataDir: dataDir, BinDir: binDir, SpecDir: in.Config.SpecDir(dataDir)}

	if res.Built, err = in.installTools(ctx, binDir); err != nil {
		return res, err
	}
	if res.ModuleGraphErr = in.FetchModuleGraph(ctx); res.ModuleGraphErr != nil {
		fmt.Fprintf(out, "warning: could not fetch the module graph, so notebooks need the module proxy: %v\n", res.ModuleGraphErr)
	}
	if in.ToolsOnly {
		return res, nil
	}

	res.Spec, err = in.spec(dataDir, binDir)
	if err != nil {
		return res, err
	}
	res.SpecChanged, err = WriteSpec(res.SpecDir, res.Spec)
	if err != nil {
		return res, err
	}
	changed, err := writeResources(res.SpecDir)
	if err != nil {
		return res, err
	}
	res.SpecChanged = res.SpecChanged || changed
	if !in.Config.PlainGo {
		if changed, err = in.installShim(ctx, res.SpecDir); err != nil {
			return res, err
		}
		res.SpecChanged = res.SpecChanged || changed
	}
	if res.SpecChanged {
		fmt.Fprintf(out, "kernelspec %q (%s) written to %s\n", in.Config.name(), res.Spec.DisplayName, res.SpecDir)
	} else {
		fmt.Fprintf(out, "kernelspec %q already up to date in %s\n", in.Config.name(), res.SpecDir)
	}

	if !in.SkipWarm {
		res.WarmErr = in.Warm(ctx)
		if res.WarmErr != nil {
			fmt.Fprintf(out, "warning: warming the build cache failed, so first cells will be slow: %v\n", res.WarmErr)
		}
	}
	return res, nil
}

// installTools builds the pinned tools that binDir lacks, or holds at
// another version, and returns the names of those it built.
func (in *Installer) installTools(ctx context.Context, binDir string) (built []string, err error) {
	out, h := in.out(), in.Host
	for _, t := range Tools {
		v, err := t.InstalledVersion(h, binDir)
		if err == nil && v == t.Version {
			fmt.Fprintf(out, "%-10s %s already in %s\n", t.Name, t.Version, binDir)
			continue
		}
		why := "not installed"
		if err == nil {
			why = "found " + v
		}
		fmt.Fprintf(out, "%-10s building %s into %s (%s; takes up to %v the first time)\n",
			t.Name, t.Version, binDir, why, t.BuildTime)
		start := time.Now()
		var log bytes.Buffer
		if err := t.Build(ctx, h, binDir, &log); err != nil {
			return built, fmt.Errorf("%w\n%s", err, tail(log.String(), 2000))
		}
		fmt.Fprintf(out, "%-10s built in %.1fs\n", t.Name, time.Since(start).Seconds())
		built = append(built, t.Name)
	}
	return built, nil
}

// Warm builds every package of the checkout so that the Go build cache
// holds them (and their dependencies, gonum/plot and GoMLX included), with
// the settings the kernel's cells are built with: pure Go without XLA,
// unless PlainGo or $GOMLX_BACKEND (as the installing process sees it)
// asks for XLA. The first notebook cell then compiles in about a second.
func (in *Installer) Warm(ctx context.Context) error {
	out := in.out()
	goBin, err := in.Host.LookPath("go")
	if err != nil {
		return errors.New("kernel: the go command is not on PATH")
	}
	args, env := []string{"build", "./..."}, in.Host.goBuildEnv(nil)
	xla := strings.HasPrefix(strings.ToLower(in.Host.Getenv("GOMLX_BACKEND")), "xla")
	if !in.Config.PlainGo && !xla {
		k, v, _ := strings.Cut(FastBuildEnv, "=")
		args = []string{"build", "-tags=" + FastBuildTags, "-gcflags=" + FastBuildGCFlags, "./..."}
		env = in.Host.goBuildEnv(map[string]string{k: v})
	}
	fmt.Fprintf(out, "warming the Go build cache: go %s in %s\n", strings.Join(args, " "), in.Config.RepoRoot)
	start := time.Now()
	var log bytes.Buffer
	err = in.Host.Run(ctx, Command{
		Name: goBin, Args: args, Dir: in.Config.RepoRoot,
		Env: env, Out: &log,
	})
	if err != nil {
		return fmt.Errorf("kernel: warming the build cache: %w\n%s", err, tail(log.String(), 2000))
	}
	fmt.Fprintf(out, "build cache warm (%.1fs)\n", time.Since(start).Seconds())
	return nil
}

// FetchModuleGraph runs "go list -m all" in the checkout, which puts the
// go.mod file of every module in gotl's module graph into the module cache.
// GoNB runs "go get" in its own module before each cell, and that resolves
// the full (unpruned) graph of what the cell imports, down to go.mod files
// that building gotl never needs (gonbui → svgo → ajstarks/deck, say).
// Without them a kernel without network, or with GOPROXY=off as in the
// tests, fails every cell; with them it works offline.
func (in *Installer) FetchModuleGraph(ctx context.Context) error {
	goBin, err := in.Host.LookPath("go")
	if err != nil {
		return errors.New("kernel: the go command is not on PATH")
	}
	var log bytes.Buffer
	err = in.Host.Run(ctx, Command{
		Name: goBin, Args: []string{"list", "-m", "all"}, Dir: in.Config.RepoRoot,
		Env: in.Host.goBuildEnv(nil), Out: &log,
	})
	if err != nil {
		return fmt.Errorf("kernel: go list -m all in %s: %w\n%s", in.Config.RepoRoot, err, tail(log.String(), 2000))
	}
	return nil
}

func hasPart(parts []JupyterPart, name string) bool {
	for _, p := range parts {
		if p.Name == name {
			return true
		}
	}
	return false
}

// tail returns at most the last n bytes of s, starting at a line boundary.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "..." + s
}

// checkRepoRoot fails unless root is the absolute root of a gotl checkout.
func checkRepoRoot(root string) error {
	if root == "" || !filepath.IsAbs(root) {
		return fmt.Errorf("kernel: the checkout path %q must be absolute", root)
	}
	found, err := FindRepoRoot(root)
	if err != nil {
		return err
	}
	if found != filepath.Clean(root) {
		return fmt.Errorf("kernel: %s is inside the gotl checkout %s, not its root", root, found)
	}
	return nil
}
