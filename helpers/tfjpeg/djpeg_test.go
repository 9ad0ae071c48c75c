package tfjpeg

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	// Exit status 2 means warnings only (corrupt data decoded anyway);
	// 1 is an error, even when the rows decoded so far were written.
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			return nil, fmt.Errorf("djpeg %s: %v: %s", file, err, strings.TrimSpace(errb.String()))
		}
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

// corpusFile is one JPEG of the comparison corpus.
type corpusFile struct {
	name string // how it was made
	path string
	gray bool // a one-component file
}

// The corpus is generated once per test binary into a temporary directory.
var (
	corpusOnce  sync.Once
	corpusFiles []corpusFile
	corpusErr   error
	corpusDir   string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if corpusDir != "" {
		os.RemoveAll(corpusDir)
	}
	os.Exit(code)
}

// realJPEGs lists JPEG photos that every Go installation and this module's
// dependencies ship: Go's image/testdata (baseline, progressive, every
// subsampling, restart markers, RGB and CMYK files, a truncated one), the
// GoMLX and x/image photos from the module cache.
func realJPEGs() []string {
	var files []string
	goroot, _ := exec.Command("go", "env", "GOROOT").Output()
	modcache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	if g := strings.TrimSpace(string(goroot)); g != "" {
		m, _ := filepath.Glob(filepath.Join(g, "src", "image", "testdata", "*.jpeg"))
		files = append(files, m...)
	}
	if mc := strings.TrimSpace(string(modcache)); mc != "" {
		for _, pat := range []string{
			"github.com/gomlx/gomlx@*/docs/*.jpg",
			"golang.org/x/image@*/testdata/*.jpeg",
		} {
			m, _ := filepath.Glob(filepath.Join(mc, pat))
			files = append(files, m...)
		}
	}
	sort.Strings(files)
	return files
}

// buildCorpus encodes synthetic pictures and photos with cjpeg at every
// sampling factor and a range of qualities, progressive, restart,
// optimized, arithmetic and multi-scan settings, and odd sizes.
func buildCorpus(t testing.TB, cjpeg, djpeg string) []corpusFile {
	corpusOnce.Do(func() {
		corpusDir, corpusErr = os.MkdirTemp("", "tfjpeg-corpus-")
		if corpusErr != nil {
			return
		}
		var files []corpusFile
		encode := func(name, src string, args ...string) {
			if corpusErr != nil {
				return
			}
			out := filepath.Join(corpusDir, fmt.Sprintf("%03d.jpg", len(files)))
			cmd := exec.Command(cjpeg, append(append(args, "-outfile", out), src)...)
			if b, err := cmd.CombinedOutput(); err != nil {
				corpusErr = fmt.Errorf("cjpeg %s: %v: %s", strings.Join(args, " "), err, b)
				return
			}
			gray := false
			for _, a := range args {
				gray = gray || a == "-grayscale"
			}
			files = append(files, corpusFile{name: name + " " + strings.Join(args, " "), path: out, gray: gray})
		}
		// Sources: synthetic pictures of awkward sizes (1×1, not multiples
		// of any MCU, exact MCU multiples) and a photo.
		type source struct{ name, path string }
		var sources []source
		for i, sz := range [][2]int{{1, 1}, {7, 13}, {33, 17}, {64, 48}, {161, 99}} {
			p := filepath.Join(corpusDir, fmt.Sprintf("synth%d.ppm", i))
			if corpusErr = writePPM(p, sz[0], sz[1], syntheticRGB(sz[0], sz[1], int64(i))); corpusErr != nil {
				return
			}
			sources = append(sources, source{fmt.Sprintf("synthetic %dx%d", sz[0], sz[1]), p})
		}
		for _, f := range realJPEGs() {
			if strings.HasSuffix(f, "video-001.jpeg") {
				p := filepath.Join(corpusDir, "photo.ppm")
				b, err := exec.Command(djpeg, "-pnm", f).Output()
				if err == nil {
					err = os.WriteFile(p, b, 0o644)
				}
				if err == nil {
					sources = append(sources, source{"photo 150x103", p})
				}
			}
		}
		script := filepath.Join(corpusDir, "sequential.scans")
		if corpusErr = os.WriteFile(script, []byte("0: 0 63 0 0;\n1: 0 63 0 0;\n2: 0 63 0 0;\n"), 0o644); corpusErr != nil {
			return
		}
		samplings := []string{"1x1", "2x1", "2x2", "1x2", "4x1"}
		for _, src := range sources {
			for _, samp := range samplings {
				for _, q := range []string{"10", "50", "75", "90", "100"} {
					encode(src.name, src.path, "-quality", q, "-sample", samp)
				}
				encode(src.name, src.path, "-quality", "85", "-sample", samp, "-progressive")
				encode(src.name, src.path, "-quality", "80", "-sample", samp, "-optimize")
				encode(src.name, src.path, "-quality", "75", "-sample", samp, "-restart", "1")
				encode(src.name, src.path, "-quality", "75", "-sample", samp, "-restart", "3B", "-progressive")
				encode(src.name, src.path, "-quality", "75", "-sample", samp, "-arithmetic")
				encode(src.name, src.path, "-quality", "95", "-sample", samp, "-arithmetic", "-progressive", "-restart", "2B")
			}
			encode(src.name, src.path, "-quality", "75", "-sample", "2x2,1x1,1x1", "-scans", script)
			for _, q := range []string{"30", "75", "100"} {
				encode(src.name, src.path, "-quality", q, "-grayscale")
			}
			encode(src.name, src.path, "-quality", "75", "-grayscale", "-progressive")
			encode(src.name, src.path, "-quality", "75", "-grayscale", "-arithmetic", "-restart", "5B")
			encode(src.name, src.path, "-quality", "90", "-rgb")
			encode(src.name, src.path, "-quality", "90", "-rgb", "-sample", "2x2,1x1,1x1", "-progressive")
		}
		for _, f := range realJPEGs() {
			if strings.Contains(f, "truncated") || strings.Contains(f, "cmyk") {
				continue // compared by their own tests
			}
			files = append(files, corpusFile{name: "photo " + filepath.Base(f), path: f, gray: strings.Contains(f, "gray")})
		}
		corpusFiles = files
	})
	if corpusErr != nil {
		t.Fatal(corpusErr)
	}
	return corpusFiles
}

// decodeOptions are the attribute combinations compared for every file.
func decodeOptions(gray bool) []Options {
	var opts []Options
	for _, dct := range []string{IntegerFast, IntegerAccurate} {
		for _, ratio := range []int{1, 2, 4, 8} {
			opts = append(opts, Options{DCTMethod: dct, Ratio: ratio})
		}
	}
	if gray {
		opts = append(opts, Options{Channels: 3}, Options{Channels: 3, DCTMethod: IntegerAccurate, Ratio: 2})
	} else {
		opts = append(opts, Options{Channels: 1}, Options{Channels: 1, DCTMethod: IntegerAccurate, Ratio: 4},
			Options{NoFancyUpscaling: true}, Options{NoFancyUpscaling: true, Ratio: 2, DCTMethod: IntegerAccurate})
	}
	return opts
}

func optionsName(o Options) string {
	dct := o.DCTMethod
	if dct == "" {
		dct = IntegerFast
	}
	s := fmt.Sprintf("%s ratio=%d", dct, max(o.Ratio, 1))
	if o.Channels != 0 {
		s += fmt.Sprintf(" channels=%d", o.Channels)
	}
	if o.NoFancyUpscaling {
		s += " fancy_upscaling=false"
	}
	return s
}

// TestCorpusIdenticalToDjpeg decodes every corpus file with every option
// set and requires the exact pixels of libjpeg-turbo's djpeg.
func TestCorpusIdenticalToDjpeg(t *testing.T) {
	cjpeg, djpeg := needTools(t)
	files := buildCorpus(t, cjpeg, djpeg)
	if testing.Short() {
		files = files[len(files)-40:]
	}
	type tally struct{ files, identical, maxDiff int }
	tallies := map[string]*tally{}
	for _, f := range files {
		data, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range decodeOptions(f.gray) {
			name := optionsName(o)
			want, err := runDjpeg(t, djpeg, f.path, o, f.gray)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(data, o)
			if err != nil {
				t.Errorf("%s, %s: %v", f.name, name, err)
				continue
			}
			tl := tallies[name]
			if tl == nil {
				tl = &tally{}
				tallies[name] = tl
			}
			tl.files++
			n, m, err := compare(got, want)
			if err != nil {
				t.Errorf("%s, %s: %v", f.name, name, err)
				continue
			}
			tl.maxDiff = max(tl.maxDiff, m)
			if n == 0 {
				tl.identical++
			} else {
				t.Errorf("%s, %s: %d values differ from djpeg (largest difference %d)", f.name, name, n, m)
			}
		}
	}
	var names []string
	for n := range tallies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		tl := tallies[n]
		t.Logf("%-45s %4d/%4d files identical to djpeg, largest difference %d", n, tl.identical, tl.files, tl.maxDiff)
	}
}

// TestCorruptFilesLikeDjpeg damages corpus files (truncation, random
// bytes, flipped bits) and decodes them with TryRecoverTruncated, which
// gives libjpeg the same fake EOI as djpeg's file reader: where djpeg
// decodes, the pixels must be its pixels (libjpeg's warnings are not
// errors for TensorFlow), and where it fails, Decode must fail too.
//
// Two documented differences are counted, not failed: progressive files
// cut short, where libjpeg smooths blocks whose low frequencies were not
// fully received (block smoothing is not implemented), and files cut
// inside a header segment, where djpeg's reader pretends EOI markers again
// and again while TensorFlow's memory source gives up (Decode follows
// TensorFlow).
func TestCorruptFilesLikeDjpeg(t *testing.T) {
	cjpeg, djpeg := needTools(t)
	files := buildCorpus(t, cjpeg, djpeg)
	rng := rand.New(rand.NewSource(1))
	dir := t.TempDir()
	n := 600
	if testing.Short() {
		n = 60
	}
	var identical, smoothing, eoiRetry, bothFail int
	for i := 0; i < n; i++ {
		f := files[rng.Intn(len(files))]
		orig, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		data := append([]byte(nil), orig...)
		kind := []string{"truncated", "random bytes", "flipped bit"}[i%3]
		switch i % 3 {
		case 0:
			data = data[:len(data)/2+rng.Intn(len(data)/2)]
		case 1:
			for j := 0; j < 1+rng.Intn(4); j++ {
				data[len(data)/2+rng.Intn(len(data)/2)] = byte(rng.Intn(256))
			}
		case 2:
			data[len(data)/3+rng.Intn(2*len(data)/3)] ^= 1 << uint(rng.Intn(8))
		}
		p := filepath.Join(dir, "damaged.jpg")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, _ := DecodeConfig(orig)
		o := Options{TryRecoverTruncated: true, Ratio: 1 << uint(i/3%4)}
		if i%2 == 1 {
			o.DCTMethod = IntegerAccurate
		}
		want, werr := runDjpeg(t, djpeg, p, o, f.gray)
		got, gerr := Decode(data, o)
		name := fmt.Sprintf("%s (%s), %s", f.name, kind, optionsName(o))
		switch {
		case werr != nil && gerr != nil:
			bothFail++
		case werr != nil:
			t.Errorf("%s: djpeg fails (%v) but Decode succeeds", name, werr)
		case gerr != nil:
			if errors.Is(gerr, ErrTruncated) && strings.Contains(gerr.Error(), "segment") {
				eoiRetry++
				continue
			}
			t.Errorf("%s: Decode fails (%v) but djpeg succeeds", name, gerr)
		default:
			n, m, err := compare(got, want)
			switch {
			case err != nil:
				t.Errorf("%s: %v", name, err)
			case n == 0:
				identical++
			case cfg.Progressive && i%3 == 0:
				smoothing++
			default:
				t.Errorf("%s: %d values differ from djpeg (largest difference %d)", name, n, m)
				keepForDebugging(t, data)
			}
		}
	}
	t.Logf("%d damaged files: %d identical to djpeg, %d fail in both, %d truncated progressive files differ (block smoothing), %d cut in a header segment fail as in TensorFlow",
		n, identical, bothFail, smoothing, eoiRetry)
}

// keepForDebugging copies a failing input to $TFJPEG_KEEP, if set.
func keepForDebugging(t *testing.T, data []byte) {
	if dir := os.Getenv("TFJPEG_KEEP"); dir != "" {
		p := filepath.Join(dir, fmt.Sprintf("failing-%d.jpg", len(data)))
		if err := os.WriteFile(p, data, 0o644); err == nil {
			t.Logf("kept as %s", p)
		}
	}
}

// TestCMYKLikeDjpeg checks the CMYK samples of Go's CMYK test photo (an
// Adobe file) against djpeg, which writes them as RGB with its own
// rounding formula, and then TensorFlow's conversion.
func TestCMYKLikeDjpeg(t *testing.T) {
	_, djpeg := needTools(t)
	var file string
	for _, f := range realJPEGs() {
		if strings.HasSuffix(f, "video-001.cmyk.jpeg") {
			file = f
		}
	}
	if file == "" {
		t.Skip("Go's image/testdata/video-001.cmyk.jpeg not found")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{}, {DCTMethod: IntegerAccurate, Ratio: 2}} {
		want, err := runDjpeg(t, djpeg, file, o, false)
		if err != nil {
			t.Fatal(err)
		}
		d := &decoder{data: data, opts: o, keepCMYK: true}
		if d.opts.Ratio == 0 {
			d.opts.Ratio = 1
		}
		cmyk, err := d.decode()
		if err != nil {
			t.Fatal(err)
		}
		if cmyk.Channels != 4 {
			t.Fatalf("%d channels, want CMYK", cmyk.Channels)
		}
		// djpeg: rgb = round(cmyk·k/255) (inverted CMYK).
		conv := &Image{Height: cmyk.Height, Width: cmyk.Width, Channels: 3, Pix: make([]byte, cmyk.Height*cmyk.Width*3)}
		for p := 0; p < cmyk.Height*cmyk.Width; p++ {
			k := float64(cmyk.Pix[4*p+3])
			for c := 0; c < 3; c++ {
				conv.Pix[3*p+c] = byte(float64(cmyk.Pix[4*p+c])*k/255 + 0.5)
			}
		}
		if n, m, err := compare(conv, want); err != nil || n != 0 {
			t.Errorf("%s: CMYK differs from djpeg's: %d values, largest difference %d %v", optionsName(o), n, m, err)
		}
		got, err := Decode(data, o)
		if err != nil {
			t.Fatal(err)
		}
		for p := 0; p < cmyk.Height*cmyk.Width; p++ {
			k := int(cmyk.Pix[4*p+3])
			for c := 0; c < 3; c++ {
				if w := byte(int(cmyk.Pix[4*p+c]) * k / 255); got.Pix[3*p+c] != w {
					t.Fatalf("pixel %d channel %d: %d, TensorFlow's formula gives %d", p, c, got.Pix[3*p+c], w)
				}
			}
		}
	}
}

// TestTruncatedBaselineRecoveredLikeDjpeg cuts baseline files short:
// TensorFlow refuses them by default; with try_recover_truncated libjpeg
// gets the same pretended EOI as djpeg's file reader, so the grey-filled
// result must be djpeg's.
func TestTruncatedBaselineRecoveredLikeDjpeg(t *testing.T) {
	cjpeg, djpeg := needTools(t)
	dir := t.TempDir()
	checked := 0
	for _, f := range buildCorpus(t, cjpeg, djpeg) {
		data, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := DecodeConfig(data)
		if err != nil || cfg.Progressive || len(data) < 2000 {
			continue
		}
		cut := data[:len(data)*2/3]
		if _, err := Decode(cut, Options{}); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s cut to %d bytes: error %v, want a truncation error", f.name, len(cut), err)
		}
		p := filepath.Join(dir, "cut.jpg")
		if err := os.WriteFile(p, cut, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, o := range []Options{{TryRecoverTruncated: true}, {TryRecoverTruncated: true, DCTMethod: IntegerAccurate, Ratio: 2}} {
			want, err := runDjpeg(t, djpeg, p, o, f.gray)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(cut, o)
			if err != nil {
				t.Fatalf("%s cut, %s: %v", f.name, optionsName(o), err)
			}
			if n, m, err := compare(got, want); err != nil || n != 0 {
				t.Errorf("%s cut, %s: %d values differ from djpeg (largest %d) %v", f.name, optionsName(o), n, m, err)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no baseline file large enough in the corpus")
	}
}
