package dataset

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/gotl/gotl/helpers/limits"
)

// FuzzDecode: arbitrary bytes as an image never panic and never decode to
// an image larger than limits.ImagePixels.
func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 3, 2)))
	f.Add(buf.Bytes())
	f.Add([]byte("GIF89a"))
	f.Add([]byte{0xff, 0xd8, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		if int64(m.Width*m.Height) > limits.ImagePixels.Get() || len(m.Pix) != m.Width*m.Height*3 {
			t.Fatalf("decoded %dx%d with %d values", m.Width, m.Height, len(m.Pix))
		}
	})
}
