package tfjpeg

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Tests against libjpeg-turbo's own command-line tools (Debian package
// libjpeg-turbo-progs): cjpeg makes the corpus, djpeg gives the pixels
// TensorFlow's DecodeJpeg would (same library, same settings).

// needTools returns the paths of cjpeg and djpeg, or skips the test (fails
// it in CI, where `make test` installs them).
func needTools(t testing.TB) (cjpeg, djpeg string) {
	t.Helper()
	c, err1 := exec.LookPath("cjpeg")
	d, err2 := exec.LookPath("djpeg")
	if err1 != nil || err2 != nil {
		msg := "cjpeg/djpeg not found: install Debian's libjpeg-turbo-progs (make test does) to compare with libjpeg-turbo"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return c, d
}

// djpegArgs maps Options to djpeg's switches.
func djpegArgs(o Options, grayFile bool) []string {
	args := []string{"-pnm"}
	if o.DCTMethod == IntegerAccurate {
		args = append(args, "-dct", "int")
	} else {
		args = append(args, "-dct", "fast")
	}
	if o.Ratio > 1 {
		args = append(args, "-scale", "1/"+strconv.Itoa(o.Ratio))
	}
	switch {
	case o.Channels == 1:
		args = append(args, "-grayscale")
	case o.Channels == 3 && grayFile:
		args = append(args, "-rgb")
	}
	if o.NoFancyUpscaling {
		args = append(args, "-nosmooth")
	}
	return args
}

// runDjpeg decodes file with djpeg into an Image.
func runDjpeg(t testing.TB, djpeg, file string, o Options, grayFile bool) (*Image, error) {
	t.Helper()
	cmd := exec.Command(djpeg, append(djpegArgs(o, grayFile), file)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil && out.Len() == 0 {
		return nil, fmt.Errorf("djpeg %s: %v: %s", file, err, errb.String())
	}
	return parsePNM(out.Bytes())
}

// parsePNM reads a binary PGM (P5) or PPM (P6) with maxval 255.
func parsePNM(b []byte) (*Image, error) {
	var magic string
	var w, h, maxv int
	r := bytes.NewReader(b)
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxv); err != nil {
		return nil, fmt.Errorf("bad PNM header: %v", err)
	}
	if _, err := r.ReadByte(); err != nil {
		return nil, err
	}
	ch := 3
	if magic == "P5" {
		ch = 1
	} else if magic != "P6" {
		return nil, fmt.Errorf("unexpected PNM type %q", magic)
	}
	pix := b[len(b)-r.Len():]
	if len(pix) != w*h*ch || maxv != 255 {
		return nil, fmt.Errorf("PNM %s %dx%d: %d bytes of pixels", magic, w, h, len(pix))
	}
	return &Image{Height: h, Width: w, Channels: ch, Pix: pix}, nil
}

// writePPM writes a test source image for cjpeg.
func writePPM(path string, w, h int, pix []byte) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "P6\n%d %d\n255\n", w, h)
	buf.Write(pix)
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// syntheticRGB makes a w×h picture mixing smooth gradients, hard edges
// and noise, so every DCT frequency and chroma detail is exercised.
func syntheticRGB(w, h int, seed int64) []byte {
	rng := rand.New(rand.NewSource(seed))
	pix := make([]byte, w*h*3)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := (y*w + x) * 3
			r := 255 * x / max(w-1, 1)
			g := 255 * y / max(h-1, 1)
			b := 128
			if (x/7+y/5)%2 == 0 {
				b = 230
			}
			if x > w/2 && y > h/2 {
				n := rng.Intn(256)
				r, g, b = n, 255-n, rng.Intn(256)
			}
			pix[i], pix[i+1], pix[i+2] = byte(r), byte(g), byte(b)
		}
	}
	return pix
}

// compare reports the number of differing values and the largest
// difference.
func compare(a, b *Image) (diff int, maxDiff int, err error) {
	if a.Height != b.Height || a.Width != b.Width || a.Channels != b.Channels {
		return 0, 0, fmt.Errorf("shape %dx%dx%d, djpeg %dx%dx%d", a.Height, a.Width, a.Channels, b.Height, b.Width, b.Channels)
	}
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		if d != 0 {
			diff++
			maxDiff = max(maxDiff, d, -d)
		}
	}
	return diff, maxDiff, nil
}

func TestQuickAgainstDjpeg(t *testing.T) {
	cjpeg, djpeg := needTools(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.ppm")
	if err := writePPM(src, 45, 37, syntheticRGB(45, 37, 1)); err != nil {
		t.Fatal(err)
	}
	for _, samp := range []string{"1x1", "2x1", "2x2", "1x2", "4x1"} {
		for _, prog := range []bool{false, true} {
			jpg := filepath.Join(dir, "a.jpg")
			args := []string{"-quality", "75", "-sample", samp, "-outfile", jpg}
			if prog {
				args = append(args, "-progressive")
			}
			if out, err := exec.Command(cjpeg, append(args, src)...).CombinedOutput(); err != nil {
				t.Fatalf("cjpeg: %v %s", err, out)
			}
			data, _ := os.ReadFile(jpg)
			for _, dct := range []string{IntegerFast, IntegerAccurate} {
				for _, ratio := range []int{1, 2, 4, 8} {
					o := Options{DCTMethod: dct, Ratio: ratio}
					want, err := runDjpeg(t, djpeg, jpg, o, false)
					if err != nil {
						t.Fatal(err)
					}
					got, err := Decode(data, o)
					if err != nil {
						t.Errorf("%s prog=%v %+v: %v", samp, prog, o, err)
						continue
					}
					n, m, err := compare(got, want)
					if err != nil || n != 0 {
						t.Errorf("%s prog=%v %s ratio %d: %d values differ (max %d) %v", samp, prog, dct, ratio, n, m, err)
					}
				}
			}
		}
	}
}
