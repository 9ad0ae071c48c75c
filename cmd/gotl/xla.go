package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/gomlx/go-xla/pkg/installer"
)

// The XLA backend (GPU path) loads a PJRT plugin at run time. gotl never
// downloads one implicitly (tests and notebooks must work offline); this
// command is the one explicit place that does, for users and the CUDA image.
func init() {
	register(&command{
		name:    "xla-install",
		summary: "download GoMLX's XLA PJRT plugins (CPU, CUDA) for GOMLX_BACKEND=xla:… (needs internet)",
		run:     runXLAInstall,
	})
}

func runXLAInstall(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("xla-install", "[--cpu] [--cuda cuda13|cuda12] [--cuda_version V] [--dir LIBDIR]", stderr)
	cpu := fs.Bool("cpu", true, "install the XLA CPU plugin")
	cuda := fs.String("cuda", "", `CUDA plugin to install: "cuda13" or "cuda12" (empty: none)`)
	cudaVersion := fs.String("cuda_version", "latest", "JAX release whose CUDA PJRT plugin to install")
	dir := fs.String("dir", "", `library directory; plugins go to DIR/go-xla (default ~/.local/lib)`)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, rest)
	}
	if *cuda != "" && *cuda != "cuda13" && *cuda != "cuda12" {
		return fmt.Errorf("%w: --cuda must be cuda13 or cuda12, not %q", errUsage, *cuda)
	}
	lib := *dir
	if lib == "" {
		if lib, err = installer.DefaultHomeLibPath(); err != nil {
			return err
		}
	}
	target := filepath.Join(lib, "go-xla")
	if *cpu {
		if err := installer.CPUAutoInstall(target, true, installer.Normal); err != nil {
			return fmt.Errorf("installing the XLA CPU plugin into %s: %w", target, err)
		}
	}
	if *cuda != "" {
		if err := installCUDAPlugin(*cuda, *cudaVersion, target); err != nil {
			return fmt.Errorf("installing the XLA %s plugin into %s: %w", *cuda, target, err)
		}
	}
	fmt.Fprintf(stdout, "PJRT plugins are in %s; select one with GOMLX_BACKEND=xla:cuda or xla:cpu\n", target)
	return nil
}
