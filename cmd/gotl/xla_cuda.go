//go:build linux && amd64

package main

import "github.com/gomlx/go-xla/pkg/installer"

// installCUDAPlugin downloads the CUDA PJRT plugin and NVIDIA's libraries;
// go-xla offers them for linux/amd64 only.
func installCUDAPlugin(plugin, version, target string) error {
	return installer.CudaInstall(plugin, version, target, true, installer.Normal)
}
