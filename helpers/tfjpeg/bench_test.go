package tfjpeg

import (
	"bytes"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchImages are real photos when the module cache has them, else a
// synthetic 1024×768 picture.
func benchImages(b *testing.B) map[string][]byte {
	imgs := map[string][]byte{}
	for _, f := range realJPEGs() {
		switch name := filepath.Base(f); name {
		case "zurich_see.jpg", "gomlx_gopher.jpg", "go-turns-two-280x360.jpeg", "video-001.progressive.jpeg":
			if data, err := os.ReadFile(f); err == nil {
				imgs[name] = data
			}
		}
	}
	if len(imgs) == 0 {
		imgs["synthetic 1024x768"] = encodeGo(b, 1024, 768, false)
	}
	return imgs
}

// BenchmarkDecodeVsImageJPEG decodes the same photos with Decode
// (TensorFlow's defaults: RGB output, fancy upsampling, INTEGER_FAST) and
// with Go's image/jpeg (which stops at planar YCbCr), alternating in the
// same loop so that machine load affects both, and reports the time ratio.
func BenchmarkDecodeVsImageJPEG(b *testing.B) {
	for name, data := range benchImages(b) {
		b.Run(name, func(b *testing.B) {
			var ours, theirs time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := Decode(data, Options{}); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				ours += t1.Sub(t0)
				theirs += t2.Sub(t1)
			}
			b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "tfjpeg-ns/op")
			b.ReportMetric(float64(theirs.Nanoseconds())/float64(b.N), "imagejpeg-ns/op")
			b.ReportMetric(float64(ours)/float64(theirs), "ratio")
		})
	}
}
