package limits

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Limit is one bound of the policy. Its value is the default, unless the
// environment variable Env holds a valid value when the limit is first
// used, or Set changed it since. It is safe for concurrent use.
type Limit struct {
	Name    string // what it bounds, for messages: "tensor elements"
	Env     string // environment variable that overrides Default
	Default int64
	Min     int64 // smallest value Set or Env may give
	Max     int64 // largest value Set or Env may give
	Unit    string

	once   sync.Once
	value  atomic.Int64
	source atomic.Value // string: "default", "$ENV" or "Set"
	envErr error        // a value of Env that was ignored, set once
}

// The policy's limits; see the package documentation for why each default.
var (
	ProtoDepth = &Limit{Name: "protobuf nesting depth", Env: "GOTL_MAX_PROTO_DEPTH",
		Default: 100, Min: 1, Max: 10000, Unit: "levels"}
	TensorElements = &Limit{Name: "tensor elements", Env: "GOTL_MAX_TENSOR_ELEMENTS",
		Default: 1 << 26, Min: 1, Max: 1 << 40, Unit: "elements"}
	ImagePixels = &Limit{Name: "image pixels", Env: "GOTL_MAX_IMAGE_PIXELS",
		Default: 1 << 26, Min: 1, Max: 1 << 36, Unit: "pixels"}
	DecodeMemory = &Limit{Name: "memory of concurrent image decodes", Env: "GOTL_DECODE_MEMORY",
		Default: 2 << 30, Min: 1 << 20, Max: 1 << 50, Unit: "bytes"}
	FileBytes = &Limit{Name: "file size", Env: "GOTL_MAX_FILE_BYTES",
		Default: 2<<30 - 1, Min: 1, Max: 1 << 50, Unit: "bytes"}
	Steps = &Limit{Name: "optimizer steps", Env: "GOTL_MAX_STEPS",
		Default: 1_000_000, Min: 1, Max: 1 << 40, Unit: "steps"}
	HistoryPoints = &Limit{Name: "recorded history points", Env: "GOTL_MAX_HISTORY_POINTS",
		Default: 10_000, Min: 2, Max: 1 << 30, Unit: "points"}
)

// All returns the policy's limits in the order of the package documentation.
func All() []*Limit {
	return []*Limit{ProtoDepth, TensorElements, ImagePixels, DecodeMemory, FileBytes, Steps, HistoryPoints}
}

func (l *Limit) init() {
	l.once.Do(func() {
		l.value.Store(l.Default)
		l.source.Store("default")
		s, ok := os.LookupEnv(l.Env)
		if !ok || strings.TrimSpace(s) == "" {
			return
		}
		v, err := ParseValue(s)
		if err == nil && (v < l.Min || v > l.Max) {
			err = fmt.Errorf("outside %d..%d", l.Min, l.Max)
		}
		if err != nil {
			l.envErr = fmt.Errorf("%s=%q ignored: %v", l.Env, s, err)
			return
		}
		l.value.Store(v)
		l.source.Store("$" + l.Env)
	})
}

// Get returns the value in effect.
func (l *Limit) Get() int64 {
	l.init()
	return l.value.Load()
}

// Int returns Get as an int, saturating on 32-bit platforms.
func (l *Limit) Int() int {
	v := l.Get()
	if v > math.MaxInt {
		return math.MaxInt
	}
	return int(v)
}

// Set changes the value (clamped to Min..Max) and returns the previous one,
// so that a test or program can restore it:
//
//	defer limits.TensorElements.Set(limits.TensorElements.Set(1 << 30))
func (l *Limit) Set(v int64) (previous int64) {
	l.init()
	v = max(l.Min, min(l.Max, v))
	l.source.Store("Set")
	return l.value.Swap(v)
}

// Source says where the value comes from: "default", "$GOTL_…" or "Set".
func (l *Limit) Source() string {
	l.init()
	return l.source.Load().(string)
}

// EnvError returns the problem with the environment variable's value when it
// was ignored, else nil.
func (l *Limit) EnvError() error {
	l.init()
	return l.envErr
}

// String describes the limit and its value: "tensor elements: 67108864
// (default; GOTL_MAX_TENSOR_ELEMENTS)".
func (l *Limit) String() string {
	return fmt.Sprintf("%s: %d %s (%s; %s)", l.Name, l.Get(), l.Unit, l.Source(), l.Env)
}

// ParseValue reads a limit value: a decimal, hexadecimal or octal integer
// with optional underscores ("67_108_864"), an integral float ("1e8"), a
// power of two ("1<<28"), each optionally followed by a binary size suffix
// (K, M, G, T, with optional "i" and "B": "512MiB", "4G").
func ParseValue(s string) (int64, error) {
	s = strings.TrimSpace(s)
	num, mult := sizeSuffix(s)
	var v int64
	if a, b, ok := strings.Cut(num, "<<"); ok {
		base, err1 := strconv.ParseInt(strings.TrimSpace(a), 0, 64)
		sh, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 6)
		if err1 != nil || err2 != nil || base < 0 || base > math.MaxInt64>>sh {
			return 0, fmt.Errorf("%q is not a number", s)
		}
		v = base << sh
	} else if i, err := strconv.ParseInt(num, 0, 64); err == nil {
		v = i
	} else if f, err := strconv.ParseFloat(num, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<62 {
		v = int64(f)
	} else {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%d is negative", v)
	}
	if v > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return v * mult, nil
}

// sizeSuffix splits "512MiB" into "512" and 1<<20; strings without a
// K, M, G or T suffix (with optional "i" and "B") come back unchanged.
func sizeSuffix(s string) (string, int64) {
	if strings.HasPrefix(strings.ToLower(s), "0x") {
		return s, 1 // hexadecimal digits include B
	}
	t := strings.TrimRight(s, "Bb")
	t = strings.TrimRight(t, "i")
	if len(t) < 2 || len(s)-len(t) > 2 {
		return s, 1
	}
	k := strings.IndexByte("KMGT", strings.ToUpper(t[len(t)-1:])[0])
	if k < 0 {
		return s, 1
	}
	return t[:len(t)-1], 1 << (10 * (k + 1))
}

// ErrExceeded is matched (errors.Is) by every error reporting an input
// beyond a limit.
var ErrExceeded = errors.New("limit exceeded")

// ExceededError reports an input that asks for more than a limit allows.
type ExceededError struct {
	Limit *Limit
	What  string // the input: "tensor of shape [100000000]"
	Value int64  // what it asks for; ignored when Overflow is set
	// Overflow is set when the request does not even fit in an int64.
	Overflow bool
}

func (e *ExceededError) Error() string {
	l := e.Limit
	var msg string
	if e.Overflow {
		msg = fmt.Sprintf("%s needs more %s than an int64 can count; the limit is %d (%s; raise it with %s)", e.What, l.Unit, l.Get(), l.Name, l.Env)
	} else {
		msg = fmt.Sprintf("%s needs %d %s, more than the limit of %d (%s; raise it with %s)", e.What, e.Value, l.Unit, l.Get(), l.Name, l.Env)
	}
	if err := l.EnvError(); err != nil {
		msg += " [" + err.Error() + "]"
	}
	return msg
}

// Is makes errors.Is(err, ErrExceeded) true.
func (e *ExceededError) Is(target error) bool { return target == ErrExceeded }

// Check returns an *ExceededError if v is more than l allows.
func (l *Limit) Check(v int64, what string) error {
	if v > l.Get() {
		return &ExceededError{Limit: l, What: what, Value: v}
	}
	return nil
}
