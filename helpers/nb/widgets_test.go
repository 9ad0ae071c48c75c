package nb

import (
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// resetProbe forgets the cached front-end probe for the duration of a test.
func resetProbe(t *testing.T, timeout time.Duration) {
	oldTimeout := WidgetTimeout
	WidgetTimeout = timeout
	probeOnce, frontEndAnswers = sync.Once{}, false
	t.Cleanup(func() {
		WidgetTimeout = oldTimeout
		probeOnce, frontEndAnswers = sync.Once{}, false
	})
}

func TestButtonHeadlessOutsideNotebook(t *testing.T) {
	resetProbe(t, time.Hour) // must not wait at all outside a notebook
	start := time.Now()
	b := NewButton("Step")
	if b.Interactive() || Interactive() {
		t.Fatal("interactive outside a notebook")
	}
	var got []int
	for n := range b.Clicks(3) {
		got = append(got, n)
	}
	if len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Errorf("scripted clicks %v, want [1 2 3]", got)
	}
	if b.Clicks(10) == nil {
		t.Error("second Clicks call returned nil")
	}
	if time.Since(start) > time.Second {
		t.Errorf("headless button took %v", time.Since(start))
	}
	b.Close()
	b.Close() // idempotent
}

func TestClosedButtonDeliversNoScriptedClicks(t *testing.T) {
	resetProbe(t, time.Hour)
	b := NewButton("Step")
	b.Close()
	for n := range b.Clicks(5) {
		t.Errorf("click %d after Close", n)
	}
}

func TestWidgetsFallBackWhenNoFrontEndAnswers(t *testing.T) {
	// A notebook run headlessly (nbconvert): GoNB is there, no browser is.
	sent := captureOutput(t)
	resetProbe(t, 50*time.Millisecond)
	// A kernel id as under a Jupyter server, so the probe really waits.
	t.Setenv("GONB_JUPYTER_KERNEL_ID", "0b8e6c1a-0000-4000-8000-000000000000")
	start := time.Now()
	b := NewButton("Step <1>")
	s, err := NewSlider("momentum", 0, 1, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if b.Interactive() || s.Interactive() {
		t.Fatal("widgets claim a front end that never answered")
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("fallback took %v; the probe should run once and time out after 50ms", elapsed)
	}
	n := 0
	for range b.Clicks(4) {
		n++
	}
	if n != 4 {
		t.Errorf("%d scripted clicks, want 4", n)
	}
	var html []string
	for _, c := range sent() {
		if s, ok := c.content.(string); ok {
			html = append(html, s)
		}
	}
	all := strings.Join(html, "\n")
	for _, want := range []string{"<button disabled>Step &lt;1&gt;</button>", "scripted", "<b>momentum</b> = 0.9"} {
		if !strings.Contains(all, want) {
			t.Errorf("headless output lacks %q:\n%s", want, all)
		}
	}
}

func TestSliderValidation(t *testing.T) {
	resetProbe(t, time.Hour)
	for _, tc := range []struct {
		min, max, value float64
		log             bool
		want            string
	}{
		{1, 0, 0.5, false, "min 1 is not below max 0"},
		{0, 1, 2, false, "value 2 is outside [0, 1]"},
		{0, math.Inf(1), 2, false, "must be finite"},
		{0, 1, math.NaN(), false, "must be finite"},
		{0, 1, 0.5, true, "min 0 must be positive"},
	} {
		var err error
		if tc.log {
			_, err = NewLogSlider("lr", tc.min, tc.max, tc.value)
		} else {
			_, err = NewSlider("lr", tc.min, tc.max, tc.value)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "nb: ") {
			t.Errorf("slider(%v, %v, %v, log=%v): error %v, want %q", tc.min, tc.max, tc.value, tc.log, err, tc.want)
		}
	}
}

func TestSliderValues(t *testing.T) {
	resetProbe(t, time.Hour)
	lr, err := NewLogSlider("learning rate", 1e-4, 1, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if lr.Value() != 0.01 {
		t.Errorf("initial value %v, want exactly 0.01", lr.Value())
	}
	// Four decades over 100 steps: 0.01 is two decades up, position 50, and
	// each step multiplies by 10^(4/100).
	if pos := lr.position(0.01); pos != 50 {
		t.Errorf("position(0.01) = %d, want 50", pos)
	}
	if v := lr.fromPosition(51); math.Abs(v/0.01-math.Pow(10, 0.04)) > 1e-12 {
		t.Errorf("fromPosition(51) = %v", v)
	}
	lr.SetValue(5)
	if lr.Value() != 1 {
		t.Errorf("SetValue(5) on [1e-4, 1] gave %v, want clamped to 1", lr.Value())
	}
	m, err := NewSlider("momentum", 0, 1, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if pos := m.position(0.9); pos != 90 || m.fromPosition(25) != 0.25 {
		t.Errorf("linear mapping: position(0.9)=%d fromPosition(25)=%v", pos, m.fromPosition(25))
	}
}

func TestNoProbeWithoutKernelID(t *testing.T) {
	// nbconvert: GoNB runs, but without a Jupyter server's kernel id.
	captureOutput(t)
	resetProbe(t, time.Hour)
	t.Setenv("GONB_JUPYTER_KERNEL_ID", "")
	done := make(chan bool)
	go func() { done <- Interactive() }()
	select {
	case got := <-done:
		if got {
			t.Error("interactive without a kernel id")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("probe waited although no front end can connect")
	}
}
