package tfjpeg

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"
)

// encodeGo makes a baseline JPEG with Go's encoder (4:2:0 for colour).
func encodeGo(t testing.TB, w, h int, gray bool) []byte {
	t.Helper()
	var img image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = byte(i * 7)
		}
		img = g
	} else {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				m.Set(x, y, color.RGBA{byte(x * 255 / w), byte(y * 255 / h), byte((x * y) % 251), 255})
			}
		}
		img = m
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAANScaleFactors(t *testing.T) {
	// The first row of libjpeg's aanscales table (jddctmgr.c).
	want := []int32{16384, 22725, 21407, 19266, 16384, 12873, 8867, 4520}
	for i, w := range want {
		if aanScale[i] != w {
			t.Errorf("aanScale[%d] = %d, want %d", i, aanScale[i], w)
		}
	}
	if aanScale[63] != 1247 {
		t.Errorf("aanScale[63] = %d, want 1247", aanScale[63])
	}
}

func TestDecodeShapes(t *testing.T) {
	color := encodeGo(t, 37, 21, false)
	gray := encodeGo(t, 37, 21, true)
	for _, c := range []struct {
		name string
		data []byte
		opts Options
		h, w int
		ch   int
	}{
		{"colour default", color, Options{}, 21, 37, 3},
		{"colour channels=1", color, Options{Channels: 1}, 21, 37, 1},
		{"colour ratio 2", color, Options{Ratio: 2}, 11, 19, 3},
		{"colour ratio 8", color, Options{Ratio: 8}, 3, 5, 3},
		{"gray default", gray, Options{}, 21, 37, 1},
		{"gray channels=3", gray, Options{Channels: 3}, 21, 37, 3},
	} {
		img, err := Decode(c.data, c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if img.Height != c.h || img.Width != c.w || img.Channels != c.ch || len(img.Pix) != c.h*c.w*c.ch {
			t.Errorf("%s: got %dx%dx%d (%d bytes), want %dx%dx%d", c.name, img.Height, img.Width, img.Channels, len(img.Pix), c.h, c.w, c.ch)
		}
	}
	gimg, _ := Decode(gray, Options{})
	rgb, _ := Decode(gray, Options{Channels: 3})
	for i, v := range gimg.Pix {
		if rgb.Pix[3*i] != v || rgb.Pix[3*i+1] != v || rgb.Pix[3*i+2] != v {
			t.Fatalf("gray→RGB pixel %d: %v, want %d thrice", i, rgb.Pix[3*i:3*i+3], v)
		}
	}
}

func TestDCTMethodsDiffer(t *testing.T) {
	// The two transforms really are different code paths.
	data := encodeGo(t, 64, 64, false)
	fast, err := Decode(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	slow, err := Decode(data, Options{DCTMethod: IntegerAccurate})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(fast.Pix, slow.Pix) {
		t.Error("INTEGER_FAST and INTEGER_ACCURATE gave identical pixels")
	}
	explicit, _ := Decode(data, Options{DCTMethod: IntegerFast})
	if !bytes.Equal(fast.Pix, explicit.Pix) {
		t.Error(`dct_method "" and INTEGER_FAST differ`)
	}
}

func TestBadInput(t *testing.T) {
	good := encodeGo(t, 16, 16, false)
	// A frame header claiming 65000×65000 pixels, then nothing.
	huge := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0xFD, 0xE8, 0xFD, 0xE8, 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
		0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0}
	for _, c := range []struct {
		name string
		data []byte
		opts Options
		want string
	}{
		{"empty", nil, Options{}, "not a JPEG"},
		{"PNG", []byte("\x89PNG\r\n\x1a\n...."), Options{}, "not a JPEG"},
		{"channels 2", good, Options{Channels: 2}, "channels 2"},
		{"ratio 3", good, Options{Ratio: 3}, "ratio 3"},
		{"bad dct", good, Options{DCTMethod: "FLOAT"}, "dct_method"},
		{"huge", huge, Options{}, "too large"},
		{"header only", good[:40], Options{}, "truncated"},
		{"unsupported SOF", []byte{0xFF, 0xD8, 0xFF, 0xC3, 0, 2}, Options{}, "lossless"},
		{"cap", good, Options{MaxValues: 100}, "too large"},
	} {
		_, err := Decode(c.data, c.opts)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q, want one line mentioning %q", c.name, err, c.want)
		}
	}
}

// TestTruncatedRows checks TensorFlow's partial results: rows come in
// whole iMCU rows (16 for 4:2:0, 8 for gray), less the last 2 rows held
// back by vertical fancy upsampling; the rest are black.
func TestTruncatedRows(t *testing.T) {
	for _, c := range []struct {
		gray       bool
		step, less int
	}{{false, 16, 2}, {true, 8, 0}} {
		data := encodeGo(t, 96, 160, c.gray)
		full, err := Decode(data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		cut := data[:len(data)/2]
		if _, err := Decode(cut, Options{}); !errors.Is(err, ErrTruncated) {
			t.Fatalf("gray=%v: truncated file decoded with error %v", c.gray, err)
		}
		var te *TruncatedError
		_, err = Decode(cut, Options{AcceptableFraction: 0.99})
		if !errors.As(err, &te) || te.Rows <= 0 || te.Rows >= 160 {
			t.Fatalf("gray=%v: error %v, want a TruncatedError with its row count", c.gray, err)
		}
		part, err := Decode(cut, Options{AcceptableFraction: -1})
		if err != nil {
			t.Fatal(err)
		}
		rowBytes := part.Width * part.Channels
		rows := te.Rows
		if (rows+c.less)%c.step != 0 {
			t.Errorf("gray=%v: %d rows delivered, want whole iMCU rows of %d less %d", c.gray, rows, c.step, c.less)
		}
		if !bytes.Equal(part.Pix[:rows*rowBytes], full.Pix[:rows*rowBytes]) {
			t.Errorf("gray=%v: the %d rows delivered differ from the full decode", c.gray, rows)
		}
		for _, v := range part.Pix[rows*rowBytes:] {
			if v != 0 {
				t.Fatalf("gray=%v: rows after %d are not black", c.gray, rows)
			}
		}
		rec, err := Decode(cut, Options{TryRecoverTruncated: true})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Height != 160 {
			t.Errorf("recovered height %d", rec.Height)
		}
	}
}

func TestDecodeConfig(t *testing.T) {
	cfg, err := DecodeConfig(encodeGo(t, 37, 21, false))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 37 || cfg.Height != 21 || cfg.Components != 3 || cfg.ColorSpace != "YCbCr" || cfg.Progressive {
		t.Errorf("config %+v", cfg)
	}
}
