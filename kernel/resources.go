package kernel

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gotl/gotl/internal/util"
)

// resources are the files written next to kernel.json. Jupyter Notebook 6
// loads kernel.css and kernel.js into every page whose notebook uses the
// kernel: Go's tabs without arrows, long lines wrapped.
//
//go:embed resources/kernel.css resources/kernel.js
var resources embed.FS

// ShimPackage is the go command stand-in that makes cells build fast (see
// its documentation); gotl install builds it into ShimDir(SpecDir), which
// the kernelspec puts first on the kernel's PATH.
const ShimPackage = "./kernel/internal/goshim"

// RealGoEnv and RealGoimportsEnv name the real go command and goimports
// in the kernel's environment, for the shim, which answers to both names.
const (
	RealGoEnv        = "GOTL_REAL_GO"
	RealGoimportsEnv = "GOTL_REAL_GOIMPORTS"
)

// ShimDir returns the directory of the go shim in a kernelspec directory.
func ShimDir(specDir string) string { return filepath.Join(specDir, "bin") }

// FastBuildTags, FastBuildGCFlags and FastBuildEnv are how the shim builds
// cells when the backend is not XLA: pure Go, without XLA, without DWARF
// (the link strips it anyway). Warm fills the build cache for the same
// settings, so that a cell compiles no dependency.
const (
	FastBuildTags    = "noxla"
	FastBuildGCFlags = "all=-dwarf=false"
	FastBuildEnv     = "CGO_ENABLED=0"
)

// writeResources writes the kernelspec's kernel.css and kernel.js and
// reports whether it changed anything.
func writeResources(specDir string) (bool, error) {
	changed := false
	entries, err := resources.ReadDir("resources")
	if err != nil {
		return false, fmt.Errorf("kernel: %v", err)
	}
	for _, e := range entries {
		data, err := resources.ReadFile("resources/" + e.Name())
		if err != nil {
			return false, fmt.Errorf("kernel: %v", err)
		}
		c, err := writeIfChanged(filepath.Join(specDir, e.Name()), data, 0o644)
		if err != nil {
			return false, err
		}
		changed = changed || c
	}
	return changed, nil
}

// installShim builds the shim into ShimDir(specDir), as "go" and as
// "goimports", and reports whether a binary there changed.
func (in *Installer) installShim(ctx context.Context, specDir string) (bool, error) {
	goBin, err := in.Host.LookPath("go")
	if err != nil {
		return false, errors.New("kernel: the go command is not on PATH")
	}
	dir := ShimDir(specDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("kernel: %v", err)
	}
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return false, fmt.Errorf("kernel: %v", err)
	}
	defer os.RemoveAll(tmp)
	built := filepath.Join(tmp, "go")
	var log bytes.Buffer
	err = in.Host.Run(ctx, Command{
		Name: goBin, Args: []string{"build", "-o", built, ShimPackage},
		Dir: in.Config.RepoRoot, Env: in.Host.goBuildEnv(nil), Out: &log,
	})
	if err != nil {
		return false, fmt.Errorf("kernel: building the go shim (%s): %v\n%s", ShimPackage, err, tail(log.String(), 2000))
	}
	data, err := os.ReadFile(built)
	if err != nil {
		return false, fmt.Errorf("kernel: building the go shim: %v", err)
	}
	changed := false
	for _, name := range shimNames {
		c, err := writeIfChanged(filepath.Join(dir, name), data, 0o755)
		if err != nil {
			return false, err
		}
		changed = changed || c
	}
	return changed, nil
}

// shimNames are the commands the shim answers to in ShimDir.
var shimNames = []string{"go", "goimports"}

// shimFiles lists what a kernelspec directory holds besides kernel.json:
// the resources writeResources writes, and the shim under each of its
// names (which a --plain_go kernel lacks).
func shimFiles(specDir string, plainGo bool) []string {
	var files []string
	entries, _ := resources.ReadDir("resources") // embedded: cannot fail
	for _, e := range entries {
		files = append(files, filepath.Join(specDir, e.Name()))
	}
	if !plainGo {
		for _, name := range shimNames {
			files = append(files, filepath.Join(ShimDir(specDir), name))
		}
	}
	return files
}

// writeIfChanged writes data to path (util.WriteFileAtomic: a failure never
// leaves half a file) unless the file holds exactly these bytes already. It
// reports whether it wrote.
func writeIfChanged(path string, data []byte, mode os.FileMode) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("kernel: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("kernel: %w", err)
	}
	if err := util.WriteFileAtomic(path, data, mode); err != nil {
		return false, fmt.Errorf("kernel: %w", err) // it names the path
	}
	return true, nil
}
