package kernel

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Host is what installing and checking need from the machine. OSHost returns
// the real one; tests replace single functions to fake a machine.
type Host struct {
	// Getenv reads an environment variable.
	Getenv func(key string) string
	// LookPath finds a command on PATH.
	LookPath func(name string) (string, error)
	// ModuleVersion reports the version of module that the Go binary at path
	// was built from (its main module or a dependency).
	ModuleVersion func(path, module string) (string, error)
	// Run runs a command to completion; its output goes to c.Out.
	Run func(ctx context.Context, c Command) error
	// Output runs a command and returns its standard output.
	Output func(ctx context.Context, c Command) ([]byte, error)
	// Exists reports whether a file exists.
	Exists func(path string) bool
	// GOOS is the operating system, as in runtime.GOOS.
	GOOS string
	// IsRoot reports whether the process runs as the superuser.
	IsRoot bool
}

// Command is one external command to run.
type Command struct {
	Name string
	Args []string
	Dir  string    // working directory; "" means the current one
	Env  []string  // full environment; nil means the current one
	Out  io.Writer // standard output and error; nil discards them
}

// String renders c as a shell-like line, for messages.
func (c Command) String() string {
	return strings.Join(append([]string{c.Name}, c.Args...), " ")
}

// OSHost returns the Host of the running process.
func OSHost() *Host {
	return &Host{
		Getenv:        os.Getenv,
		LookPath:      exec.LookPath,
		ModuleVersion: binaryModuleVersion,
		Run:           runCommand,
		Output:        outputCommand,
		Exists:        func(path string) bool { _, err := os.Stat(path); return err == nil },
		GOOS:          runtime.GOOS,
		IsRoot:        os.Geteuid() == 0,
	}
}

func (c Command) cmd(ctx context.Context) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	return cmd
}

func runCommand(ctx context.Context, c Command) error {
	cmd := c.cmd(ctx)
	if c.Out != nil {
		cmd.Stdout, cmd.Stderr = c.Out, c.Out
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", c, err)
	}
	return nil
}

func outputCommand(ctx context.Context, c Command) ([]byte, error) {
	cmd := c.cmd(ctx)
	if c.Out != nil {
		cmd.Stderr = c.Out
	}
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s: %w", c, err)
	}
	return out, nil
}

// binaryModuleVersion reads the build information embedded in a Go binary.
func binaryModuleVersion(path, module string) (string, error) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return "", err
	}
	if info.Main.Path == module && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version, nil
	}
	for _, d := range info.Deps {
		if d.Path == module {
			if d.Replace != nil {
				return d.Replace.Version, nil
			}
			return d.Version, nil
		}
	}
	return "", fmt.Errorf("%s was not built from module %s", path, module)
}

// environ returns the host's environment with the given overrides applied
// (an empty value removes the variable).
func (h *Host) environ(overrides map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := overrides[k]; ok {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range overrides {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// goBuildEnv is the environment for go commands run by the installer: GOFLAGS
// without -mod (see CleanGoFlags) plus the given overrides.
func (h *Host) goBuildEnv(overrides map[string]string) []string {
	o := map[string]string{"GOFLAGS": CleanGoFlags(h.Getenv("GOFLAGS"))}
	for k, v := range overrides {
		o[k] = v
	}
	return h.environ(o)
}

// CleanGoFlags returns goflags without any -mod=... flag. GoNB builds cells
// in workspace mode, where "go build" refuses -mod=mod, so a GOFLAGS=-mod=mod
// inherited by the kernel breaks every cell.
func CleanGoFlags(goflags string) string {
	var kept []string
	for _, f := range strings.Fields(goflags) {
		if strings.HasPrefix(f, "-mod=") || strings.HasPrefix(f, "--mod=") {
			continue
		}
		kept = append(kept, f)
	}
	return strings.Join(kept, " ")
}
