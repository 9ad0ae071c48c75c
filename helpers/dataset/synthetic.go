package dataset

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SyntheticClasses are the class names Synthetic draws from, in order. Each
// is a shape or texture in a typical colour; colours, positions, sizes and
// background vary per image.
var SyntheticClasses = []string{
	"red_disc", "green_square", "blue_hstripes", "yellow_vstripes",
	"purple_checker", "cyan_ring", "orange_cross", "white_dots",
}

// SyntheticOptions configures Synthetic.
type SyntheticOptions struct {
	Classes  int     // number of classes, 2..len(SyntheticClasses); default 4
	PerClass int     // images per class; default 20
	Height   int     // default 64
	Width    int     // default 64
	Seed     uint64  // same seed, same images
	Noise    float64 // stddev of per-pixel Gaussian noise in levels; default 12
	Format   string  // file format for WriteSynthetic: "png" (default) or "jpg"
}

func (o *SyntheticOptions) defaults() error {
	if o.Classes == 0 {
		o.Classes = 4
	}
	if o.PerClass == 0 {
		o.PerClass = 20
	}
	if o.Height == 0 {
		o.Height = 64
	}
	if o.Width == 0 {
		o.Width = 64
	}
	if o.Noise == 0 {
		o.Noise = 12
	}
	if o.Format == "" {
		o.Format = "png"
	}
	switch {
	case o.Classes < 2 || o.Classes > len(SyntheticClasses):
		return fmt.Errorf("dataset: synthetic classes %d out of range 2..%d", o.Classes, len(SyntheticClasses))
	case o.PerClass < 1:
		return fmt.Errorf("dataset: synthetic images per class %d must be positive", o.PerClass)
	case o.Height < 8 || o.Width < 8 || o.Height*o.Width > 4096*4096:
		return fmt.Errorf("dataset: synthetic image size %dx%d out of range 8..4096", o.Height, o.Width)
	case o.Noise < 0:
		return fmt.Errorf("dataset: synthetic noise %g must be >= 0", o.Noise)
	case o.Format != "png" && o.Format != "jpg":
		return fmt.Errorf("dataset: synthetic format %q (want png or jpg)", o.Format)
	}
	return nil
}

// SyntheticSet is a generated labelled image set.
type SyntheticSet struct {
	Classes []string
	Images  []*image.RGBA
	Labels  []int
	Names   []string // file names WriteSynthetic uses: <class>/<class>_NNNN.<format>
}

// Synthetic generates opts.PerClass images for each of the first
// opts.Classes SyntheticClasses, deterministically from opts.Seed.
func Synthetic(opts SyntheticOptions) (*SyntheticSet, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	classes := make([]int, opts.Classes)
	for c := range classes {
		classes[c] = c
	}
	return synthetic(classes, opts), nil
}

// synthetic draws the images of the given SyntheticClasses (indices).
func synthetic(classes []int, opts SyntheticOptions) *SyntheticSet {
	set := &SyntheticSet{}
	for label, c := range classes {
		name := SyntheticClasses[c]
		set.Classes = append(set.Classes, name)
		for i := 0; i < opts.PerClass; i++ {
			// One stream per image: adding classes or images leaves the
			// existing ones unchanged.
			rng := rand.New(rand.NewPCG(opts.Seed, uint64(c)<<32|uint64(i)))
			set.Images = append(set.Images, drawSynthetic(c, opts, rng))
			set.Labels = append(set.Labels, label)
			set.Names = append(set.Names, fmt.Sprintf("%s/%s_%04d.%s", name, name, i, opts.Format))
		}
	}
	return set
}

// WriteSynthetic generates a set and writes it as an image folder under dir
// (created if needed), one sub-folder per class.
func WriteSynthetic(dir string, opts SyntheticOptions) (*SyntheticSet, error) {
	set, err := Synthetic(opts)
	if err != nil {
		return nil, err
	}
	return set, set.write(dir, opts.Format)
}

// WriteSyntheticClasses writes an image folder of the named
// SyntheticClasses (at least two) at dir, which must not exist or be empty.
// A class's images are those WriteSynthetic draws for it, whichever other
// classes are written (opts.Classes is ignored): TinyNet's target classes
// (zoo.TinyNetTargetClasses) are the same images in every notebook and tool.
// The folder is written under a temporary name and renamed into place, so
// it appears whole or not at all.
func WriteSyntheticClasses(dir string, classes []string, opts SyntheticOptions) (*SyntheticSet, error) {
	opts.Classes = len(SyntheticClasses)
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if len(classes) < 2 {
		return nil, fmt.Errorf("dataset: synthetic folder %s: want at least 2 classes, got %d", dir, len(classes))
	}
	var idx []int
	for _, name := range classes {
		c := slices.Index(SyntheticClasses, name)
		if c < 0 {
			return nil, fmt.Errorf("dataset: unknown synthetic class %q (known: %s)", name, strings.Join(SyntheticClasses, ", "))
		}
		if slices.Contains(idx, c) {
			return nil, fmt.Errorf("dataset: synthetic class %q named twice", name)
		}
		idx = append(idx, c)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("dataset: %s exists and is not empty", dir)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".synthetic-*")
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer os.RemoveAll(tmp) // nothing left after the rename
	set := synthetic(idx, opts)
	if err := set.write(tmp, opts.Format); err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	os.Remove(dir) // an empty directory may be replaced
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	return set, nil
}

// write encodes the images into their files under dir.
func (set *SyntheticSet) write(dir, format string) error {
	var err error
	for i, img := range set.Images {
		p := filepath.Join(dir, filepath.FromSlash(set.Names[i]))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("dataset: %w", err)
		}
		var buf bytes.Buffer
		if format == "jpg" {
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92})
		} else {
			err = png.Encode(&buf, img)
		}
		if err != nil {
			return fmt.Errorf("dataset: encoding %s: %w", p, err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("dataset: %w", err)
		}
	}
	return nil
}

// hsv converts hue (degrees), saturation and value in [0,1] to RGB levels.
func hsv(h, s, v float64) [3]float64 {
	h = math.Mod(h+360, 360) / 60
	c := v * s
	x := c * (1 - math.Abs(math.Mod(h, 2)-1))
	var r, g, b float64
	switch int(h) {
	case 0:
		r, g, b = c, x, 0
	case 1:
		r, g, b = x, c, 0
	case 2:
		r, g, b = 0, c, x
	case 3:
		r, g, b = 0, x, c
	case 4:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	m := v - c
	return [3]float64{(r + m) * 255, (g + m) * 255, (b + m) * 255}
}

// classHue is the typical hue (degrees) of each synthetic class; saturation
// -1 means white.
var classHue = []float64{0, 120, 225, 55, 285, 185, 28, -1}

func drawSynthetic(class int, o SyntheticOptions, rng *rand.Rand) *image.RGBA {
	h, w := o.Height, o.Width
	pix := make([]float64, h*w*3)
	// Background: a dim, low-saturation colour with a gentle gradient.
	bg := hsv(rng.Float64()*360, 0.1+0.2*rng.Float64(), 0.15+0.25*rng.Float64())
	gy, gx := (rng.Float64()-0.5)*40, (rng.Float64()-0.5)*40
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				pix[(y*w+x)*3+c] = bg[c] + gy*float64(y)/float64(h) + gx*float64(x)/float64(w)
			}
		}
	}
	var fg [3]float64
	if classHue[class] < 0 {
		fg = hsv(0, 0, 0.85+0.15*rng.Float64())
	} else {
		fg = hsv(classHue[class]+(rng.Float64()-0.5)*20, 0.7+0.3*rng.Float64(), 0.75+0.25*rng.Float64())
	}
	// Shape placement: size 35-60% of the short side, random centre.
	short := float64(min(h, w))
	size := short * (0.35 + 0.25*rng.Float64())
	cy := size/2 + rng.Float64()*(float64(h)-size)
	cx := size/2 + rng.Float64()*(float64(w)-size)
	period := math.Max(3, short/(5+3*rng.Float64()))
	phase := rng.Float64() * period
	inside := func(y, x float64) bool {
		dy, dx := y-cy, x-cx
		r := size / 2
		switch class {
		case 0: // disc
			return dy*dy+dx*dx <= r*r
		case 1: // square
			return math.Abs(dy) <= r && math.Abs(dx) <= r
		case 2: // horizontal stripes over the whole image
			return math.Mod(y+phase, period) < period/2
		case 3: // vertical stripes
			return math.Mod(x+phase, period) < period/2
		case 4: // checkerboard
			return (int(math.Floor((y+phase)/period))+int(math.Floor((x+phase)/period)))%2 == 0
		case 5: // ring
			d := math.Sqrt(dy*dy + dx*dx)
			return d <= r && d >= r*0.6
		case 6: // cross
			t := r * 0.3
			return (math.Abs(dy) <= t && math.Abs(dx) <= r) || (math.Abs(dx) <= t && math.Abs(dy) <= r)
		default: // dots on a grid
			my := math.Mod(y+phase, period) - period/2
			mx := math.Mod(x+phase, period) - period/2
			return my*my+mx*mx <= period*period/10
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if inside(float64(y)+0.5, float64(x)+0.5) {
				for c := 0; c < 3; c++ {
					pix[(y*w+x)*3+c] = fg[c]
				}
			}
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for p := 0; p < h*w; p++ {
		for c := 0; c < 3; c++ {
			v := pix[p*3+c] + rng.NormFloat64()*o.Noise
			img.Pix[p*4+c] = uint8(math.Max(0, math.Min(255, math.Round(v))))
		}
		img.Pix[p*4+3] = 255
	}
	return img
}
