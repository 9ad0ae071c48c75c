package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/gotl/gotl/kernel"
)

func init() {
	register(&command{
		name:    "notebook",
		summary: "start Jupyter (JupyterLab if installed, else Notebook) on the checkout's notebooks/ directory",
		run:     runNotebook,
	})
}

func runNotebook(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("notebook", "[--ip ADDR] [--port N] [--dir DIR] [--browser]", stderr)
	ip := fs.String("ip", envOr("GOTL_NOTEBOOK_IP", "127.0.0.1"), "address to listen on ($GOTL_NOTEBOOK_IP; 0.0.0.0 for every interface)")
	port := fs.Int("port", envInt("GOTL_NOTEBOOK_PORT", 8888), "port to listen on ($GOTL_NOTEBOOK_PORT); Jupyter takes the next free one if it is busy")
	dir := fs.String("dir", "", "directory to serve (default: notebooks/ of the checkout containing the current directory)")
	hasDisplay := runtime.GOOS == "darwin" || runtime.GOOS == "windows" || os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
	browser := fs.Bool("browser", hasDisplay, "let Jupyter open a web browser (default: when a display is available)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, rest)
	}
	host := kernel.OSHost()
	if *dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		root, err := kernel.FindRepoRoot(wd)
		if err != nil {
			return fmt.Errorf("%w; pass --dir", err)
		}
		*dir = filepath.Join(root, "notebooks")
		report := (&kernel.Installer{Host: host, Config: kernel.Config{RepoRoot: root}}).Check(context.Background(), kernel.ForNotebooks)
		if !report.OK() {
			fmt.Fprintf(stderr, "warning: the installation is incomplete, notebooks may not run (gotl install fixes it):\n%s", report)
		}
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	c, ui, err := kernel.ServerCommand(host, kernel.ServerOptions{NotebookDir: abs, IP: *ip, Port: *port, OpenBrowser: *browser})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Serving %s with %s at http://%s:%d/\n", abs, ui, *ip, *port)
	fmt.Fprintln(stdout, "Open the URL with ?token=… that Jupyter prints below (it moves to the next port if this one is busy).")
	fmt.Fprintln(stdout, `Pick the kernel "Go (gotl)" for new notebooks. Stop with Ctrl-C.`)

	cmd := exec.Command(c.Name, c.Args...)
	cmd.Dir = c.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	// Ctrl-C reaches Jupyter directly (same process group); it asks for
	// confirmation, so this process must not die on the first one.
	signal.Ignore(os.Interrupt)
	defer signal.Reset(os.Interrupt)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", c, err)
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}
