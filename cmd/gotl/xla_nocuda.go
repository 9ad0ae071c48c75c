//go:build !(linux && amd64)

package main

import (
	"fmt"
	"runtime"
)

// installCUDAPlugin explains that CUDA PJRT plugins exist for linux/amd64
// only, so that gotl builds (and its other commands work) elsewhere.
func installCUDAPlugin(plugin, version, target string) error {
	return fmt.Errorf("xla-install: CUDA PJRT plugins are published for linux/amd64 only, not %s/%s", runtime.GOOS, runtime.GOARCH)
}
