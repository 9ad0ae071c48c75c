package tfjpeg

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// allocatedBy is the number of bytes f allocates on the heap.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Config.DecodeBytes is what budgets are charged: it must cover what
// Decode really allocates (planes, multi-scan coefficients, output), and
// not overstate it much, or parallel decoding is throttled for nothing.
func TestDecodeBytesCoversAllocations(t *testing.T) {
	const w, h = 640, 480
	files := map[string][]byte{"baseline 4:2:0 (image/jpeg)": encodeGo(t, w, h, false), "gray (image/jpeg)": encodeGo(t, w, h, true)}
	if cjpeg, err := exec.LookPath("cjpeg"); err == nil {
		dir := t.TempDir()
		ppm := filepath.Join(dir, "in.ppm")
		if err := writePPM(ppm, w, h, syntheticRGB(w, h, 1)); err != nil {
			t.Fatal(err)
		}
		for name, args := range map[string][]string{
			"progressive 4:2:0": {"-progressive"},
			"progressive 4:4:4": {"-progressive", "-sample", "1x1"},
			"baseline 4:4:4":    {"-sample", "1x1"},
		} {
			out, err := exec.Command(cjpeg, append(args, ppm)...).Output()
			if err != nil {
				t.Fatalf("cjpeg %v: %v", args, err)
			}
			files[name] = out
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatal("cjpeg not found: install Debian's libjpeg-turbo-progs")
	}
	for name, data := range files {
		cfg, err := DecodeConfig(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var decodeErr error
		got := allocatedBy(func() { _, decodeErr = Decode(data, Options{}) })
		if decodeErr != nil {
			t.Fatalf("%s: %v", name, decodeErr)
		}
		est := uint64(cfg.DecodeBytes)
		t.Logf("%s: estimate %d bytes, allocated %d (%.2f×)", name, est, got, float64(got)/float64(est))
		if got > est+est/10 || est > 2*got {
			t.Errorf("%s: DecodeBytes = %d, but Decode allocated %d bytes", name, est, got)
		}
	}
}
