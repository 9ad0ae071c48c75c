package kernel

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckItem is one line of a Check report.
type CheckItem struct {
	Name   string
	OK     bool
	Detail string // where it is, or what is wrong
	Fix    string // how to get it, when not OK
}

// CheckReport lists what an installation has and lacks.
type CheckReport struct {
	Items []CheckItem
}

// OK reports whether nothing is missing.
func (r CheckReport) OK() bool {
	for _, it := range r.Items {
		if !it.OK {
			return false
		}
	}
	return true
}

// String renders the report, one line per item plus a fix line under each
// missing one, and a summary.
func (r CheckReport) String() string {
	var b strings.Builder
	missing := 0
	for _, it := range r.Items {
		status := "ok"
		if !it.OK {
			status = "MISSING"
			missing++
		}
		fmt.Fprintf(&b, "%-8s %-20s %s\n", status, it.Name, it.Detail)
		if !it.OK && it.Fix != "" {
			fmt.Fprintf(&b, "%-8s %-20s fix: %s\n", "", "", it.Fix)
		}
	}
	if missing == 0 {
		fmt.Fprintf(&b, "all %d parts are in place\n", len(r.Items))
	} else {
		fmt.Fprintf(&b, "%d of %d parts missing; \"make notebook\" (or gotl install --system) installs them all\n",
			missing, len(r.Items))
	}
	return b.String()
}

// Check reports, without changing anything, whether go, the Jupyter parts
// needed for purpose, the pinned tools and (for ForNotebooks) an up-to-date
// kernelspec are in place, with the command that fixes each missing one.
func (in *Installer) Check(ctx context.Context, purpose Purpose) CheckReport {
	h := in.Host
	var r CheckReport
	add := func(name string, err error, detail, fix string) {
		if err != nil {
			r.Items = append(r.Items, CheckItem{Name: name, Detail: err.Error(), Fix: fix})
			return
		}
		r.Items = append(r.Items, CheckItem{Name: name, OK: true, Detail: detail})
	}

	goBin, err := h.LookPath("go")
	if err != nil {
		add("go", fmt.Errorf("go not on PATH"), "", "install Go 1.26 from https://go.dev/dl and put its bin directory on PATH")
	} else {
		v, verr := h.Output(ctx, Command{Name: goBin, Args: []string{"env", "GOVERSION"}})
		add("go", verr, strings.TrimSpace(string(v))+" at "+goBin, "")
	}
	if goflags := h.Getenv("GOFLAGS"); CleanGoFlags(goflags) != strings.Join(strings.Fields(goflags), " ") {
		add("GOFLAGS", fmt.Errorf("GOFLAGS=%q sets -mod, which GoNB's workspace builds refuse", goflags), "",
			"unset it, or re-run gotl install: the kernelspec then overrides it for the kernel")
	}

	for _, p := range JupyterParts {
		if p.For&purpose == 0 {
			continue
		}
		where, err := p.find(ctx, h)
		if err != nil {
			err = fmt.Errorf("%s: %w", p.Why, err)
		}
		add(p.Name, err, where, JupyterFix(h, []JupyterPart{p}))
	}

	dataDir, binDir, perr := in.paths(ctx)
	if perr != nil {
		add("paths", perr, "", "")
		return r
	}
	for _, t := range Tools {
		v, err := t.InstalledVersion(h, binDir)
		if err == nil && v != t.Version {
			err = fmt.Errorf("%s is %s, want %s", t.Path(binDir), v, t.Version)
		}
		detail := fmt.Sprintf("%s at %s (%s)", v, t.Path(binDir), t.Why)
		if p, lerr := h.LookPath(t.Name); err == nil && t.Name != "gonb" && (lerr != nil || filepath.Clean(p) != t.Path(binDir)) {
			detail += "; PATH finds another copy, so the kernelspec puts " + binDir + " first"
		}
		add(t.Name, err, detail, "gotl install")
	}

	if purpose&ForBrowserTests != 0 {
		add("browser test modules", BrowserTestModulesMissing(in.Config.RepoRoot),
			filepath.Join(in.Config.RepoRoot, BrowserTestDir, "node_modules"), "gotl install --tests")
	}
	if purpose&ForNotebooks != 0 {
		add("kernelspec "+in.Config.name(), in.checkSpec(dataDir, binDir),
			fmt.Sprintf("%s (go_work=%s)", in.Config.SpecDir(dataDir), in.Config.RepoRoot), "gotl install")
	}
	return r
}

// checkSpec compares the installed kernel.json with the one Install writes.
func (in *Installer) checkSpec(dataDir, binDir string) error {
	dir := in.Config.SpecDir(dataDir)
	got, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		if os.IsNotExist(err) {
			return fmt.Errorf("%s not found", filepath.Join(dir, "kernel.json"))
		}
		return err
	}
	want, err := in.spec(dataDir, binDir)
	if err != nil {
		return err
	}
	if bytes.Equal(got, want.Marshal()) {
		for _, f := range shimFiles(dir, in.Config.PlainGo) {
			if _, err := os.Stat(f); err != nil {
				return fmt.Errorf("%s is missing", f)
			}
		}
		return nil
	}
	old, err := ReadSpec(dir)
	if err != nil {
		return err
	}
	if gw := old.GoWork(); gw != want.GoWork() {
		return fmt.Errorf("%s uses the checkout %q, not %q", filepath.Join(dir, "kernel.json"), gw, want.GoWork())
	}
	return fmt.Errorf("%s differs from what gotl install writes now", filepath.Join(dir, "kernel.json"))
}
