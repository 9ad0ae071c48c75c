package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BrowserTestDir is the npm package of the live-browser notebook test,
// relative to the checkout: package.json pins puppeteer-core (which drives
// Debian's Chromium; plain puppeteer would download a browser), and
// package-lock.json pins everything it pulls in.
const BrowserTestDir = "tests/notebooks/browser"

// BrowserTestModulesMissing returns why the browser test's npm modules are
// not installed in the checkout at repoRoot as package-lock.json pins them,
// or nil when they are.
func BrowserTestModulesMissing(repoRoot string) error {
	dir := filepath.Join(repoRoot, BrowserTestDir)
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return fmt.Errorf("kernel: %v", err)
	}
	var l struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(lock, &l); err != nil {
		return fmt.Errorf("kernel: %s: %v", filepath.Join(dir, "package-lock.json"), err)
	}
	want, ok := l.Packages["node_modules/puppeteer-core"]
	if !ok || want.Version == "" {
		return fmt.Errorf("kernel: %s pins no puppeteer-core", filepath.Join(dir, "package-lock.json"))
	}
	installed := filepath.Join(dir, "node_modules", "puppeteer-core", "package.json")
	b, err := os.ReadFile(installed)
	if err != nil {
		return fmt.Errorf("puppeteer-core %s is not installed in %s (npm ci there installs it)", want.Version, dir)
	}
	var got struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &got); err != nil || got.Version != want.Version {
		return fmt.Errorf("%s holds puppeteer-core %q, package-lock.json pins %s (npm ci there installs it)", installed, got.Version, want.Version)
	}
	return nil
}

// InstallBrowserTestModules runs "npm ci" in the browser test's package
// unless its modules are already in place.
func InstallBrowserTestModules(ctx context.Context, h *Host, repoRoot string, out io.Writer) error {
	if err := BrowserTestModulesMissing(repoRoot); err == nil {
		fmt.Fprintln(out, "browser test: puppeteer-core already installed")
		return nil
	}
	npm, err := h.LookPath("npm")
	if err != nil {
		return errors.New("kernel: npm is not on PATH, so the browser test's puppeteer-core cannot be installed (gotl install --system --tests installs npm)")
	}
	dir := filepath.Join(repoRoot, BrowserTestDir)
	fmt.Fprintf(out, "+ (cd %s && npm ci --no-audit --no-fund)\n", dir)
	if err := h.Run(ctx, Command{Name: npm, Args: []string{"ci", "--no-audit", "--no-fund"}, Dir: dir, Out: out}); err != nil {
		return fmt.Errorf("kernel: installing the browser test's npm modules: %v", err)
	}
	if err := BrowserTestModulesMissing(repoRoot); err != nil {
		return fmt.Errorf("kernel: after npm ci: %v", err)
	}
	return nil
}
