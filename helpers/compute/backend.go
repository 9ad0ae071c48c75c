package compute

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"

	"github.com/gotl/gotl/helpers/compute/internal/gapfill"
)

// DefaultConfig is the backend configuration used when GOMLX_BACKEND is not
// set: GoMLX's pure-Go backend with sequential op execution (its parallel
// op scheduler deadlocks on large backward graphs in v0.26.0, and sequential
// execution was no slower on 2 cores).
const DefaultConfig = "go:ops_sequential"

// ConfigEnv is the environment variable that selects the backend, GoMLX's
// own: "go", "go:parallelism=4", "xla:cuda", "xla:cpu", "xla:/abs/plugin.so".
const ConfigEnv = backends.ConfigEnvVar

func init() {
	// Gradients apply to graphs on every backend, so install them as soon as
	// the package is used.
	gapfill.RegisterGradients()
}

var (
	sharedOnce    sync.Once
	sharedBackend backends.Backend
	sharedErr     error
)

// Backend returns the process-wide backend, created on first use by
// NewBackend(""). Tensors are tied to the backend instance that made them, so
// sharing one instance lets graphs, variables and datasets mix freely.
func Backend() (backends.Backend, error) {
	sharedOnce.Do(func() { sharedBackend, sharedErr = NewBackend("") })
	return sharedBackend, sharedErr
}

// MustBackend is Backend for notebooks and examples: it panics on error.
func MustBackend() backends.Backend {
	b, err := Backend()
	if err != nil {
		panic(err)
	}
	return b
}

// EffectiveConfig returns the configuration NewBackend(config) would use:
// config itself if not empty, else $GOMLX_BACKEND if set, else DefaultConfig.
func EffectiveConfig(config string) string {
	if config != "" {
		return config
	}
	if env, ok := os.LookupEnv(ConfigEnv); ok && env != "" {
		return env
	}
	return DefaultConfig
}

// NewBackend creates a backend from a GoMLX configuration string
// ("<name>[:<options>]"); see EffectiveConfig for the empty string.
//
// The pure-Go backend ("go", alias "simplego") is always returned wrapped by
// the gap filler (see the package documentation) and gets "ops_sequential"
// unless the options say "ops_parallel". XLA ("xla:cuda", "xla:cpu",
// "xla:/abs/path/plugin.so") is created without ever downloading a plugin;
// it fails with GoMLX's message if no installed plugin matches.
func NewBackend(config string) (b backends.Backend, err error) {
	config = EffectiveConfig(config)
	name, options, _ := strings.Cut(config, ":")
	switch name {
	case "go", "simplego":
		opts := splitOptions(options)
		if !slices.Contains(opts, "ops_parallel") && !slices.Contains(opts, "ops_sequential") {
			opts = append(opts, "ops_sequential")
		}
		full := "go:" + strings.Join(opts, ",")
		inner, err := simplego.New(strings.Join(opts, ","))
		if err != nil {
			return nil, fmt.Errorf("compute: backend %q: %w", config, err)
		}
		setupFastPath()
		return gapfill.Wrap(inner, full), nil
	}
	if !slices.Contains(backends.List(), name) {
		return nil, fmt.Errorf("compute: backend %q: %q is not compiled in (available: %s)%s",
			config, name, strings.Join(append(backends.List(), "simplego"), ", "), xlaHint(name))
	}
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("compute: backend %q: %v", config, r)
		}
	}()
	b, err = backends.NewWithConfig(config)
	if err != nil {
		return nil, fmt.Errorf("compute: backend %q: %w", config, err)
	}
	return b, nil
}

func splitOptions(options string) []string {
	var out []string
	for _, o := range strings.Split(options, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// Wrap returns b with the pure-Go backend's gaps filled (a no-op for an
// already wrapped backend). Backends from NewBackend are already wrapped;
// use Wrap only for a simplego backend made elsewhere, and then use only
// the returned backend (tensors cannot cross backend instances).
func Wrap(b backends.Backend) backends.Backend {
	return gapfill.Wrap(b, "")
}

// IsPureGo reports whether b is GoMLX's pure-Go backend (wrapped or not),
// the one on which convolutions are lowered to matrix multiplications.
func IsPureGo(b backends.Backend) bool {
	if b == nil {
		return false
	}
	_, ok := gapfill.Unwrap(b).(*simplego.Backend)
	return ok
}

// IsGPU reports whether b runs on a GPU: an XLA backend whose plugin or
// first device names CUDA, ROCm or a GPU.
func IsGPU(b backends.Backend) bool {
	if b == nil || IsPureGo(b) || b.IsFinalized() {
		return false
	}
	b = gapfill.Unwrap(b)
	text := strings.ToLower(b.Description())
	if b.NumDevices() > 0 {
		text += " " + strings.ToLower(b.DeviceDescription(0))
	}
	for _, word := range []string{"cuda", "rocm", "gpu", "nvidia"} {
		if strings.Contains(text, word) {
			return true
		}
	}
	return false
}

// Describe returns one line saying what b is, for notebooks and logs, e.g.
// "pure Go (go:ops_sequential, gap-filled, fast path avx512), 2 CPU cores".
func Describe(b backends.Backend) string {
	if b == nil {
		return "no backend"
	}
	if IsPureGo(b) {
		cfg := "go"
		filled := ""
		if w, ok := b.(*gapfill.Backend); ok {
			filled = ", gap-filled"
			if w.Config != "" {
				cfg = w.Config
			}
		}
		return fmt.Sprintf("pure Go (%s%s, fast path %s), %d CPU cores", cfg, filled, FastPath(), runtime.NumCPU())
	}
	kind := "CPU"
	if IsGPU(b) {
		kind = "GPU"
	}
	desc := b.Description()
	if b.NumDevices() > 0 {
		desc += "; device 0: " + b.DeviceDescription(0)
	}
	return fmt.Sprintf("%s %s: %s", b.Name(), kind, desc)
}
