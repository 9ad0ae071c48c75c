package kernels

import (
	"fmt"
	"strings"
)

// Level is an instruction-set level the kernels can run at.
type Level int

const (
	// None means no kernels: the caller's portable code runs.
	None Level = iota
	// AVX2 is AVX2 with FMA3 (Intel Haswell, AMD Zen and later).
	AVX2
	// AVX512 is AVX-512F (Intel Skylake-SP, AMD Zen 4 and later).
	AVX512
)

func (l Level) String() string {
	switch l {
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	}
	return "none"
}

// ParseLevel reads "avx2" or "avx512" (any case).
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "avx2":
		return AVX2, nil
	case "avx512", "avx-512":
		return AVX512, nil
	case "none", "":
		return None, nil
	}
	return None, fmt.Errorf("kernels: unknown level %q (avx2, avx512)", s)
}

// Set is the kernels of one level. Its methods are safe for concurrent use.
type Set struct {
	level Level
	// MR×NR is the GEMM micro-tile; lanes the float32s per vector.
	mr, nr, lanes int
	gemm          func(k int, a *float32, lda int, b, c *float32, ldc int, acc int)
	dwTap         func(out *float32, outStep int, in *float32, inStep int, f *float32, count, nvec int)
	dwGrad        func(acc *float32, in *float32, inStep int, dy *float32, dyStep int, count, nvec int)
	vv            [numOps]func(out, a, b *float32, n int)
	vs, sv        [numOps]func(out, a *float32, s float32, n int)
	// half is the 8-lane set used for channel remainders of a 16-lane set.
	half *Set
}

// Level returns the set's instruction-set level.
func (s *Set) Level() Level { return s.level }

// Supported reports whether this CPU and OS can run level l.
func Supported(l Level) bool {
	switch l {
	case None:
		return true
	case AVX2:
		return hasAVX2
	case AVX512:
		return hasAVX512
	}
	return false
}

// Detected returns the best level this CPU and OS support (None on other
// architectures and in purego builds).
func Detected() Level {
	switch {
	case hasAVX512:
		return AVX512
	case hasAVX2:
		return AVX2
	}
	return None
}

// For returns the kernels of level l, or nil for None or a level this
// machine cannot run.
func For(l Level) *Set {
	if l == None || !Supported(l) {
		return nil
	}
	return sets[l]
}
