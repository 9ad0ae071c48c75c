// Command goshim stands in for the go command inside gotl's kernel, to make
// notebook cells build in about a second instead of three.
//
// GoNB compiles every cell into a program: it runs "go get" (to fetch
// modules the cell might import) and then "go build", in its temporary
// directory ($GONB_TMP_DIR), each time. gotl's kernelspec puts this program
// first on the kernel's PATH under the name "go". For those two commands,
// and only in that directory, it changes what runs:
//
//   - "go build" and "go test -c" (a %test cell) build pure Go, without cgo
//     and without GoMLX's XLA backend (CGO_ENABLED=0, -tags=noxla), and
//     without symbol table and debug information (-ldflags='-s -w',
//     -gcflags=all=-dwarf=false): Go's own linker then links a cell in about
//     a third of the time (panics still name their cell lines: the line
//     tables stay). When $GOMLX_BACKEND asks for XLA
//     ("xla:cuda", "xla:cpu"), builds are left as they are, since XLA needs
//     cgo. A build that fails because a package needs cgo is retried the
//     normal way.
//   - A bare "go get" (GoNB's, with no packages named) is put off: it loads
//     the whole module graph, a second or more per cell, and it is only
//     needed when a cell imports a module the workspace does not have. When
//     the build then fails for want of a module, goshim runs the "go get"
//     and builds again.
//
// Every other command, and every command elsewhere, runs the real go
// command ($GOTL_REAL_GO, written into the kernelspec by gotl install)
// unchanged.
//
// gotl install also puts this program on the kernel's PATH under the name
// "goimports", which GoNB runs on every cell before building it: see
// goimportsMain.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// RealGoEnv names the real go command.
const RealGoEnv = "GOTL_REAL_GO"

func main() {
	if filepath.Base(os.Args[0]) == "goimports" {
		goimportsMain(os.Args[1:]) // does not return
	}
	real := realCommand(RealGoEnv, "go shim", "go command")
	args := os.Args[1:]
	if !inCellDir() {
		execReal(real, args)
	}
	switch classify(args) {
	case bareGet:
		// Put off until a build needs it (see buildCell).
		os.Exit(0)
	case cellBuild:
		os.Exit(buildCell(real, args, os.Getenv("GOMLX_BACKEND")))
	}
	execReal(real, args)
}

// realCommand returns the absolute path that the environment variable env
// gives for the real command, or exits with a message naming the shim's
// role (as "go shim" or "goimports shim") when it gives none.
func realCommand(env, shim, what string) string {
	real := os.Getenv(env)
	if real == "" || !filepath.IsAbs(real) {
		fmt.Fprintf(os.Stderr, "gotl's %s: $%s must name the real %s by absolute path (re-run gotl install)\n", shim, env, what)
		os.Exit(2)
	}
	return real
}

// inCellDir reports whether the command runs in GoNB's cell directory.
func inCellDir() bool {
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		return false
	}
	wd, err := os.Getwd()
	if err != nil {
		return false
	}
	a, errA := filepath.EvalSymlinks(wd)
	b, errB := filepath.EvalSymlinks(dir)
	return errA == nil && errB == nil && a == b
}

// execReal replaces this process with the real command, in the same
// environment.
func execReal(real string, args []string) {
	err := syscall.Exec(real, append([]string{real}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "gotl's shim: running %s: %v\n", real, err)
	os.Exit(2)
}

// buildCell builds a cell, fast when the backend allows, fetching modules
// and retrying when the build says it needs them. It returns the exit code.
func buildCell(real string, args []string, backend string) int {
	fast := !strings.HasPrefix(strings.ToLower(backend), "xla")
	attempt := func(fast bool) (int, []byte) {
		a, env := args, []string(nil)
		if fast {
			a, env = fastArgs(args), []string{"CGO_ENABLED=0"}
		}
		return run(real, a, env)
	}
	code, out := attempt(fast)
	if code != 0 && needsModules(out) {
		getCode, getOut := run(real, getArgs(args), nil)
		if getCode != 0 {
			os.Stdout.Write(getOut)
			return getCode
		}
		code, out = attempt(fast)
	}
	if code != 0 && fast && needsCgo(out) {
		code, out = attempt(false)
	}
	os.Stdout.Write(out)
	return code
}

// run runs the real go command and returns its exit code and its combined
// output (GoNB reads both streams together).
func run(real string, args, extraEnv []string) (int, []byte) {
	cmd := exec.Command(real, args...)
	cmd.Env = append(os.Environ(), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err == nil {
		return 0, out.Bytes()
	}
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), out.Bytes()
	}
	fmt.Fprintf(&out, "gotl's go shim: running %s: %v\n", real, err)
	return 2, out.Bytes()
}
