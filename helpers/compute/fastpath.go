package compute

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"

	"github.com/gotl/gotl/helpers/compute/internal/fastpath"
	"github.com/gotl/gotl/helpers/compute/internal/gapfill"
	"github.com/gotl/gotl/helpers/compute/internal/kernels"
)

// FastPathEnv is the environment variable that controls the CPU fast path
// of the pure-Go backend:
//
//	unset, "1", "on", "auto"  the best level this CPU supports (AVX-512 or AVX2+FMA)
//	"0", "off", "stock"       GoMLX's own executors only
//	"avx2", "avx512"          force a level (for tests and benchmarks); a
//	                          level the CPU lacks falls back to the best one
//
// It is read when the first pure-Go backend is created.
const FastPathEnv = "GOTL_FASTPATH"

// FastPathInfo says which executors the pure-Go backend runs.
type FastPathInfo struct {
	// Path is "avx512", "avx2" or "stock".
	Path string
	// Reason explains a stock Path: disabled by GOTL_FASTPATH, CPU without
	// AVX2+FMA, another architecture, or GoMLX internals that differ from
	// what gotl was built for.
	Reason string
}

func (f FastPathInfo) String() string {
	if f.Reason != "" {
		return f.Path + " (" + f.Reason + ")"
	}
	return f.Path
}

var (
	fastOnce sync.Once
	fastInfo FastPathInfo
)

func init() {
	gapfill.DepthwiseGradients = func() bool { return fastpath.Active() != nil }
	gapfill.FastSelectAndScatter = func(inner backends.Builder, operand, source backends.Op, window, strides []int, paddings [][2]int, isMax bool) (backends.Op, bool) {
		if fastpath.Active() == nil {
			return nil, false
		}
		return fastpath.SelectAndScatter(inner, operand, source, window, strides, paddings, isMax)
	}
}

// setupFastPath installs the fast executors once per process, as
// GOTL_FASTPATH says.
func setupFastPath() FastPathInfo {
	fastOnce.Do(func() {
		fastInfo = installFastPath(os.Getenv(FastPathEnv))
		if fastInfo.Path == "stock" && strings.HasPrefix(fastInfo.Reason, "GoMLX") {
			fmt.Fprintf(os.Stderr, "gotl: CPU fast path not installed (%s); using GoMLX's executors\n", fastInfo.Reason)
		}
	})
	return fastInfo
}

func installFastPath(env string) FastPathInfo {
	want := kernels.Detected()
	switch v := strings.ToLower(strings.TrimSpace(env)); v {
	case "", "1", "on", "auto", "true":
	case "0", "off", "stock", "false", "none":
		return FastPathInfo{Path: "stock", Reason: FastPathEnv + "=" + env}
	default:
		l, err := kernels.ParseLevel(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gotl: %s=%q not understood (use 0, avx2 or avx512); using the best level\n", FastPathEnv, env)
		} else if kernels.Supported(l) {
			want = l
		}
	}
	set := kernels.For(want)
	if set == nil {
		return FastPathInfo{Path: "stock", Reason: "no AVX2+FMA on this CPU or architecture"}
	}
	if err := fastpath.Install(set); err != nil {
		return FastPathInfo{Path: "stock", Reason: "GoMLX internals differ: " + err.Error()}
	}
	return FastPathInfo{Path: set.Level().String()}
}

// FastPath reports which executors the pure-Go backend uses: "avx512" or
// "avx2" when gotl's fast path is active, "stock" otherwise (with the
// reason). It installs the fast path if no pure-Go backend has done so
// yet.
func FastPath() FastPathInfo {
	info := setupFastPath()
	if s := fastpath.Active(); s != nil {
		return FastPathInfo{Path: s.Level().String()}
	}
	if info.Path != "stock" {
		return FastPathInfo{Path: "stock", Reason: "switched off by SetFastPath"}
	}
	return info
}

// fastFloat32 reports whether graph g runs on the pure-Go backend with the
// fast path active and x is float32: then convolutions, depthwise
// convolutions and pooling are emitted as single ops (ConvGeneral,
// ReduceWindow) that the fast executors compute directly, instead of the
// lowered forms.
func fastFloat32(g *graph.Graph, x *graph.Node) bool {
	return x.DType() == dtypes.Float32 && IsPureGo(g.Backend()) && fastpath.Active() != nil
}

// SetFastPath switches the fast path at run time, for comparisons in one
// process: "stock" (GoMLX's executors), "auto" (the best level), "avx2" or
// "avx512". Graphs keep the form they were built with (e.g. depthwise
// convolutions as grouped ConvGeneral), so build new ones (a new Model or
// Exec) after switching; the old ones stay correct, only slower.
func SetFastPath(path string) error {
	info := setupFastPath()
	switch strings.ToLower(path) {
	case "stock", "off", "0":
		fastpath.SetLevel(nil)
		return nil
	case "auto", "on", "1", "":
		path = kernels.Detected().String()
	}
	l, err := kernels.ParseLevel(path)
	if err != nil {
		return fmt.Errorf("compute: SetFastPath(%q): want stock, auto, avx2 or avx512", path)
	}
	if !kernels.Supported(l) || l == kernels.None {
		return fmt.Errorf("compute: SetFastPath(%q): this CPU does not support it", path)
	}
	if info.Path == "stock" && info.Reason != "" && !strings.HasPrefix(info.Reason, FastPathEnv) {
		return fmt.Errorf("compute: SetFastPath(%q): fast path unavailable: %s", path, info.Reason)
	}
	return fastpath.Install(kernels.For(l))
}
