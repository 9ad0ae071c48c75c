package limits

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseValue(t *testing.T) {
	good := map[string]int64{
		"100": 100, "67_108_864": 1 << 26, "1e8": 1e8, "1<<28": 1 << 28, "0x10": 16,
		"512MiB": 512 << 20, "4G": 4 << 30, "2k": 2048, "3KB": 3072, " 7 ": 7, "0xB": 11,
	}
	for s, want := range good {
		if got, err := ParseValue(s); err != nil || got != want {
			t.Errorf("ParseValue(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "abc", "-1", "1.5", "1e30", "1<<63", "9223372036854775807G", "M", "12Q"} {
		if got, err := ParseValue(s); err == nil {
			t.Errorf("ParseValue(%q) = %d, want an error", s, got)
		}
	}
}

func TestEnvironmentOverridesDefault(t *testing.T) {
	t.Setenv("GOTL_TEST_LIMIT_A", "1e6")
	t.Setenv("GOTL_TEST_LIMIT_B", "lots")
	t.Setenv("GOTL_TEST_LIMIT_C", "5")
	a := &Limit{Name: "a", Env: "GOTL_TEST_LIMIT_A", Default: 10, Min: 1, Max: 1 << 40, Unit: "things"}
	b := &Limit{Name: "b", Env: "GOTL_TEST_LIMIT_B", Default: 10, Min: 1, Max: 1 << 40, Unit: "things"}
	c := &Limit{Name: "c", Env: "GOTL_TEST_LIMIT_C", Default: 10, Min: 8, Max: 1 << 40, Unit: "things"}
	if a.Get() != 1e6 || a.Source() != "$GOTL_TEST_LIMIT_A" || a.EnvError() != nil {
		t.Errorf("a = %v, env error %v", a, a.EnvError())
	}
	for _, l := range []*Limit{b, c} {
		if l.Get() != 10 || l.Source() != "default" || l.EnvError() == nil {
			t.Errorf("%s = %v, env error %v; want the default and an error", l.Name, l, l.EnvError())
		}
	}
	// The ignored value is named wherever the limit refuses an input.
	err := b.Check(11, "a request")
	if !errors.Is(err, ErrExceeded) || !strings.Contains(err.Error(), `GOTL_TEST_LIMIT_B="lots" ignored`) {
		t.Errorf("Check: %v", err)
	}
	if prev := a.Set(0); prev != 1e6 || a.Get() != 1 || a.Source() != "Set" {
		t.Errorf("Set(0): previous %d, now %v (want clamped to Min 1)", prev, a)
	}
}

func TestElements(t *testing.T) {
	defer TensorElements.Set(TensorElements.Set(1000))
	for _, tc := range []struct {
		dims    []int64
		want    int64
		problem string // "" for success
	}{
		{nil, 1, ""},
		{[]int64{10, 100}, 1000, ""},
		{[]int64{1 << 40, 0, 1 << 40}, 0, ""},
		{[]int64{0, -1}, 0, "negative"},
		{[]int64{10, 101}, 0, "needs 1010 elements, more than the limit of 1000 (tensor elements; raise it with GOTL_MAX_TENSOR_ELEMENTS)"},
		// The V2 checkpoint entry of the issue: 2^64 elements must not wrap to 0.
		{[]int64{4294967296, 4294967296}, 0, "more elements than an int64 can count"},
		{[]int64{math.MaxInt64, 2}, 0, "than an int64 can count"},
	} {
		n, err := Elements(tc.dims)
		switch {
		case tc.problem == "" && (err != nil || n != tc.want):
			t.Errorf("Elements(%v) = %d, %v; want %d", tc.dims, n, err, tc.want)
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
			t.Errorf("Elements(%v) = %d, %v; want an error containing %q", tc.dims, n, err, tc.problem)
		}
	}
	if _, err := Elements([]int64{1 << 32, 1 << 32}); !errors.Is(err, ErrExceeded) {
		t.Errorf("overflow error %v does not match ErrExceeded", err)
	}
	if n, err := Product([]int64{1 << 20, 1 << 20}); err != nil || n != 1<<40 {
		t.Errorf("Product ignores the element limit: got %d, %v", n, err)
	}
}

func TestReadFileBoundsTheRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(path); err != nil || string(b) != "0123456789" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	if _, err := ReadFileMax(path, 9); err == nil || !strings.Contains(err.Error(), "10 bytes") {
		t.Errorf("ReadFileMax(9): %v", err)
	}
	defer FileBytes.Set(FileBytes.Set(5))
	if _, err := ReadFile(path); !errors.Is(err, ErrExceeded) || !strings.Contains(err.Error(), "GOTL_MAX_FILE_BYTES") {
		t.Errorf("ReadFile beyond FileBytes: %v", err)
	}
}

func TestCheckImage(t *testing.T) {
	if err := CheckImage("png", 8192, 8192); err != nil {
		t.Errorf("8192×8192 is within the default: %v", err)
	}
	err := CheckImage("png", 10240, 10240)
	if !errors.Is(err, ErrExceeded) || !strings.Contains(err.Error(), "png image of 10240x10240 pixels needs 104857600 pixels") {
		t.Errorf("10240×10240: %v", err)
	}
	if err := CheckImage("gif", 0, 5); err == nil {
		t.Error("empty image accepted")
	}
	cfg := image.Config{ColorModel: color.NRGBA64Model, Width: 100, Height: 10}
	if got := DecodeBytes(cfg, 12); got != 1000*(8+12) {
		t.Errorf("DecodeBytes(16-bit RGBA, float RGB) = %d", got)
	}
	cfg.ColorModel = color.Palette{color.Black}
	if got := DecodeBytes(cfg, 3); got != 1000*4 {
		t.Errorf("DecodeBytes(paletted, uint8 RGB) = %d", got)
	}
}

func TestBudgetBoundsConcurrentHolders(t *testing.T) {
	b := NewBudget(100)
	var held, peak atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(n int64) {
			defer wg.Done()
			got, err := b.Acquire(context.Background(), n)
			if err != nil {
				t.Error(err)
				return
			}
			h := held.Add(got)
			for p := peak.Load(); h > p && !peak.CompareAndSwap(p, h); p = peak.Load() {
			}
			time.Sleep(time.Millisecond)
			held.Add(-got)
			b.Release(got)
		}(int64(10 + i*7)) // some requests exceed the whole budget
	}
	wg.Wait()
	if p := peak.Load(); p > 100 || p == 0 {
		t.Errorf("peak held %d, want within the budget of 100", p)
	}
	if b.held != 0 || len(b.waiters) != 0 {
		t.Errorf("after all releases: held %d, %d waiters", b.held, len(b.waiters))
	}
}

func TestBudgetAcquireCancelled(t *testing.T) {
	b := NewBudget(10)
	n, _ := b.Acquire(context.Background(), 10)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.Acquire(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire on a full budget: %v", err)
	}
	b.Release(n)
	if got, err := b.Acquire(context.Background(), 10); err != nil || got != 10 {
		t.Fatalf("after the cancelled waiter left: %d, %v", got, err)
	}
}
