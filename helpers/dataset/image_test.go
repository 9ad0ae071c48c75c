package dataset

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tfjpeg"
)

func img2x2() *FloatImage {
	m := NewFloatImage(2, 2)
	for p, v := range []float32{0, 10, 20, 30} {
		m.Pix[p*3], m.Pix[p*3+1], m.Pix[p*3+2] = v, 2*v, 255-v
	}
	return m
}

func TestResizeLegacyBilinear(t *testing.T) {
	// Hand-computed with TF's legacy rule: source = i * in/out, lerp between
	// floor and min(ceil, in-1). For 2→3, sources are 0, 2/3, 4/3.
	out := Resize(img2x2(), 3, 3)
	want := []float32{0, 20.0 / 3, 10, 40.0 / 3, 20, 70.0 / 3, 20, 80.0 / 3, 30}
	for i, w := range want {
		if got := out.Pix[i*3]; math.Abs(float64(got-w)) > 1e-4 {
			t.Errorf("pixel %d: %v, want %v", i, got, w)
		}
		if got := out.Pix[i*3+2]; math.Abs(float64(got-(255-w))) > 1e-4 {
			t.Errorf("pixel %d channel 2: %v, want %v", i, got, 255-w)
		}
	}
	// Downscaling by 2 samples every other pixel exactly (no averaging).
	big := NewFloatImage(4, 4)
	for i := range big.Pix {
		big.Pix[i] = float32(i / 3)
	}
	small := Resize(big, 2, 2)
	for i, w := range []float32{0, 2, 8, 10} {
		if small.Pix[i*3] != w {
			t.Errorf("downscale pixel %d = %v, want %v", i, small.Pix[i*3], w)
		}
	}
}

func TestDecodeFormats(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 9)
	}
	for i := 3; i < len(src.Pix); i += 4 {
		src.Pix[i] = 255
	}
	var pngBuf, gifBuf, jpgBuf bytes.Buffer
	if err := png.Encode(&pngBuf, src); err != nil {
		t.Fatal(err)
	}
	m, err := Decode(pngBuf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if m.Height != 2 || m.Width != 3 || m.At(1, 2, 1) != float32(src.Pix[(1*3+2)*4+1]) {
		t.Errorf("png decode: %dx%d %v", m.Height, m.Width, m.Pix)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.RGBA{10, 20, 30, 255}, color.RGBA{200, 100, 50, 255}})
	pal.SetColorIndex(1, 1, 1)
	if err := gif.Encode(&gifBuf, pal, nil); err != nil {
		t.Fatal(err)
	}
	if m, err := Decode(gifBuf.Bytes()); err != nil || m.At(1, 1, 0) != 200 || m.At(0, 0, 2) != 30 {
		t.Errorf("gif decode: %v %v", m, err)
	}
	gray := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range gray.Pix {
		gray.Pix[i] = 128
	}
	if err := jpeg.Encode(&jpgBuf, gray, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	if m, err := Decode(jpgBuf.Bytes()); err != nil || math.Abs(float64(m.At(3, 3, 0))-128) > 2 {
		t.Errorf("jpeg decode: %v", err)
	}
	if _, err := Decode([]byte("not an image")); err == nil {
		t.Error("garbage decoded without error")
	}
	if _, err := Decode(pngBuf.Bytes()[:20]); err == nil {
		t.Error("truncated png decoded without error")
	}
}

func TestPreprocess(t *testing.T) {
	p := Preprocess{Height: 2, Width: 2, Mean: 127.5, Std: 127.5}
	out := p.Apply(img2x2())
	if got, want := out.Pix[2], float32((255-127.5)/127.5); got != want {
		t.Errorf("normalised %v, want %v", got, want)
	}
	if err := (Preprocess{Height: 0, Width: 2, Std: 1}).Validate(); err == nil {
		t.Error("zero height accepted")
	}
	if err := (Preprocess{Height: 2, Width: 2}).Validate(); err == nil {
		t.Error("zero std accepted")
	}
}

func TestDistortions(t *testing.T) {
	src := NewFloatImage(20, 30)
	for y := 0; y < 20; y++ {
		for x := 0; x < 30; x++ {
			src.Pix[(y*30+x)*3] = float32(x) // a horizontal ramp
			src.Pix[(y*30+x)*3+1] = 100
		}
	}
	none := Distortions{}
	if none.Enabled() {
		t.Error("zero Distortions enabled")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := none.Apply(src, 20, 30, rng)
	for i := range out.Pix {
		if out.Pix[i] != src.Pix[i] {
			t.Fatalf("no-op distortion changed pixel %d", i)
		}
	}
	// Brightness ±50% scales every value by one factor in [0.5, 1.5).
	b := Distortions{RandomBrightness: 50}.Apply(src, 20, 30, rand.New(rand.NewPCG(3, 4)))
	f := b.Pix[1] / 100
	if f < 0.5 || f >= 1.5 || b.Pix[3*5] != float32(5)*f {
		t.Errorf("brightness factor %v, pixel %v", f, b.Pix[15])
	}
	// Flips: over many draws, about half mirror the ramp.
	flips := 0
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200; i++ {
		o := Distortions{FlipLeftRight: true}.Apply(src, 20, 30, r)
		if o.Pix[0] == 29 {
			flips++
		} else if o.Pix[0] != 0 {
			t.Fatalf("flip produced first pixel %v", o.Pix[0])
		}
	}
	if flips < 70 || flips > 130 {
		t.Errorf("%d flips of 200", flips)
	}
	// Crop 50%: the image is enlarged 1.5x, so a crop window spans 2/3 of
	// the ramp: its values step by 2/3 per pixel.
	c := Distortions{RandomCrop: 50}.Apply(src, 20, 30, rand.New(rand.NewPCG(7, 8)))
	if d := c.Pix[3*11] - c.Pix[3*10]; math.Abs(float64(d)-2.0/3) > 0.05 {
		t.Errorf("crop ramp step %v, want 2/3", d)
	}
	// Same seed, same output.
	a1 := Distortions{RandomCrop: 20, RandomScale: 30, FlipLeftRight: true, RandomBrightness: 10}.Apply(src, 16, 16, rand.New(rand.NewPCG(9, 9)))
	a2 := Distortions{RandomCrop: 20, RandomScale: 30, FlipLeftRight: true, RandomBrightness: 10}.Apply(src, 16, 16, rand.New(rand.NewPCG(9, 9)))
	for i := range a1.Pix {
		if a1.Pix[i] != a2.Pix[i] {
			t.Fatal("distortions not deterministic for a seed")
		}
	}
	if err := (Distortions{RandomCrop: -1}).Validate(); err == nil {
		t.Error("negative crop accepted")
	}
}

// TestDecodeJPEGIsTensorFlows checks that JPEG pixels come from tfjpeg
// (TensorFlow's DecodeJpeg defaults), not from image/jpeg.
func TestDecodeJPEGIsTensorFlows(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			src.Set(x, y, color.RGBA{uint8(4 * x), uint8(5 * y), uint8(x * y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want, err := tfjpeg.Decode(buf.Bytes(), tfjpeg.Options{Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range want.Pix {
		if got.Pix[i] != float32(v) {
			t.Fatalf("value %d: %v, TensorFlow's decoder gives %d", i, got.Pix[i], v)
		}
	}
	acc, err := DecodeJPEG(buf.Bytes(), tfjpeg.Options{DCTMethod: tfjpeg.IntegerAccurate})
	if err != nil || len(acc.Pix) != len(got.Pix) {
		t.Fatalf("DecodeJPEG: %v", err)
	}
}

// TestHugeJPEGRefusedBeforeDecoding: a JPEG header declaring 10240×10240
// pixels (and no data) is held to limits.ImagePixels like other formats.
func TestHugeJPEGRefusedBeforeDecoding(t *testing.T) {
	header := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0x28, 0x00, 0x28, 0x00, 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
		0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0}
	_, err := Decode(header)
	if !errors.Is(err, limits.ErrExceeded) || !strings.Contains(err.Error(), "jpeg image of 10240x10240 pixels") {
		t.Errorf("Decode: %v", err)
	}
}
