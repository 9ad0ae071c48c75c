package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/gotl/gotl/helpers/compute"
	"io"
	"os"
	"os/signal"

	"github.com/gotl/gotl/kernel"
)

func init() {
	register(&command{
		name:    "install",
		summary: "install the Jupyter kernel \"Go (gotl)\": GoNB, goimports, gopls and a kernelspec using this checkout (--check: report only)",
		run:     runInstall,
	})
}

func runInstall(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("install", "[--check] [--system] [--tests] [--tools_only] [flags]", stderr)
	check := fs.Bool("check", false, "only report what is installed and what is missing (exit status 1 if something is), changing nothing")
	system := fs.Bool("system", false, "first install Jupyter's missing Debian/Ubuntu packages with apt-get (with sudo unless root)")
	toolsOnly := fs.Bool("tools_only", false, "install only the Go tools (and, with --system, Jupyter's packages): no kernelspec, no build-cache warm-up")
	tests := fs.Bool("tests", false, "include what the notebook tests need (nbclient, jupyter_kernel_test; Chromium, Node.js and puppeteer-core for the browser test) in --check and --system, and npm-install puppeteer-core")
	repo := fs.String("repo", "", "the gotl checkout that notebooks import (default: the one containing the current directory)")
	dataDir := fs.String("data_dir", "", "Jupyter data directory (default: $JUPYTER_DATA_DIR, else ~/.local/share/jupyter)")
	binDir := fs.String("bin_dir", "", "where to install gonb, goimports and gopls (default: $GOBIN, else $GOPATH/bin)")
	name := fs.String("name", kernel.DefaultName, "kernelspec name (its directory under kernels/)")
	display := fs.String("display_name", kernel.DefaultDisplayName, "name shown in Jupyter's kernel menu")
	rawError := fs.Bool("raw_error", false, "report compile errors as plain text instead of HTML (for tests)")
	offline := fs.Bool("offline", false, "set GOPROXY=off for the kernel: cells use only the workspace and the module cache")
	verbose := fs.Bool("verbose", false, "send the kernel's log to Jupyter's terminal")
	noWarm := fs.Bool("no_warm", false, "skip pre-building the checkout into the Go build cache")
	plainGo := fs.Bool("plain_go", false, "build cells as GoNB does by default (go get, cgo and XLA every cell; about 3× slower), e.g. to compare")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, rest)
	}
	if *toolsOnly && *check {
		return fmt.Errorf("%w: --tools_only and --check exclude each other", errUsage)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	host := kernel.OSHost()
	purpose := kernel.ForNotebooks
	if *tests {
		purpose |= kernel.ForTests | kernel.ForBrowserTests
	}
	if *system {
		if err := kernel.InstallJupyter(ctx, host, purpose, stdout); err != nil {
			return err
		}
	}

	root := *repo
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if root, err = kernel.FindRepoRoot(wd); err != nil {
			return fmt.Errorf("%w; run gotl install inside the checkout or pass --repo", err)
		}
	} else if root, err = kernel.FindRepoRoot(root); err != nil {
		return err
	}
	in := &kernel.Installer{
		Host: host,
		Config: kernel.Config{
			RepoRoot: root, DataDir: *dataDir, BinDir: *binDir,
			Name: *name, DisplayName: *display,
			RawError: *rawError, Offline: *offline, Verbose: *verbose, PlainGo: *plainGo,
		},
		Out:       stdout,
		SkipWarm:  *noWarm,
		ToolsOnly: *toolsOnly,
	}
	if *check {
		report := in.Check(ctx, purpose)
		fmt.Fprint(stdout, report)
		fmt.Fprintf(stdout, "pure-Go backend CPU fast path: %s (%s=0 turns it off)\n", compute.FastPath(), compute.FastPathEnv)
		if !report.OK() {
			return errors.New("something is missing (see the fix lines above)")
		}
		return nil
	}
	res, err := in.Install(ctx)
	if err != nil {
		return err
	}
	if *tests {
		if err := kernel.InstallBrowserTestModules(ctx, host, root, stdout); err != nil {
			return err
		}
	}
	if *toolsOnly {
		fmt.Fprintf(stdout, "done: gonb, goimports and gopls are in %s\n", res.BinDir)
		return nil
	}
	fmt.Fprintf(stdout, "done: choose the kernel %q in Jupyter, or run: make notebook\n", res.Spec.DisplayName)
	return nil
}
