package tfjpeg

import (
	"os"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode with every option family:
// it must return an image of the announced shape or an error, never
// panic, and never allocate beyond its (lowered) size limit.
func FuzzDecode(f *testing.F) {
	f.Add(encodeGo(f, 33, 17, false), byte(0))
	f.Add(encodeGo(f, 9, 40, true), byte(5))
	for _, p := range realJPEGs() {
		if data, err := os.ReadFile(p); err == nil && len(data) < 40000 {
			f.Add(data, byte(len(data)))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, sel byte) {
		o := Options{
			Channels:            []int{0, 1, 3}[int(sel)%3],
			Ratio:               1 << uint(sel>>2&3),
			TryRecoverTruncated: sel&16 != 0,
			NoFancyUpscaling:    sel&32 != 0,
			AcceptableFraction:  []float32{0, -1}[sel>>6&1],
			MaxValues:           1 << 22,
		}
		if sel&128 != 0 {
			o.DCTMethod = IntegerAccurate
		}
		img, err := Decode(data, o)
		if err != nil {
			return
		}
		if img.Channels != 1 && img.Channels != 3 || len(img.Pix) != img.Height*img.Width*img.Channels ||
			int64(img.Height)*int64(img.Width) > 1<<22 {
			t.Fatalf("bad image %dx%dx%d with %d bytes", img.Height, img.Width, img.Channels, len(img.Pix))
		}
	})
}
