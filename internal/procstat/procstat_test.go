package procstat

import (
	"runtime"
	"testing"
)

func TestFigures(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before := PeakRSSMB()
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	if after := PeakRSSMB(); after < before+32 {
		t.Errorf("peak RSS %g MB after touching 64 MB (was %g)", after, before)
	}
	c0 := CPUSeconds()
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	if c1 := CPUSeconds(); c1 <= c0 || x == 0 {
		t.Errorf("CPU time did not grow: %g → %g", c0, c1)
	}
	runtime.KeepAlive(buf)
}
