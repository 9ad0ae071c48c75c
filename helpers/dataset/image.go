package dataset

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // register decoders used by Decode
	_ "image/png"
	"math"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tfjpeg"
)

// FloatImage is an RGB image as float32 values, row-major with interleaved
// channels (HWC), the layout of a TensorFlow NHWC input without the batch
// dimension.
type FloatImage struct {
	Height, Width int
	Pix           []float32 // len = Height*Width*3
}

// NewFloatImage returns a black image of the given size.
func NewFloatImage(height, width int) *FloatImage {
	return &FloatImage{Height: height, Width: width, Pix: make([]float32, height*width*3)}
}

// At returns the value of channel c at row y, column x.
func (m *FloatImage) At(y, x, c int) float32 { return m.Pix[(y*m.Width+x)*3+c] }

// Decode decodes a JPEG, PNG or GIF (its first frame) into float RGB
// values in [0, 255]. Alpha is dropped, as TF's decode_image with
// channels=3 does. The header's size is checked against
// limits.ImagePixels before anything is decoded. JPEG pixels are exactly
// TensorFlow's DecodeJpeg defaults (libjpeg-turbo's INTEGER_FAST transform
// and fancy upsampling, see package tfjpeg), as in retrain.py.
func Decode(data []byte) (*FloatImage, error) {
	if isJPEG(data) {
		return decodeJPEG(data, tfjpeg.Options{Channels: 3})
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("dataset: decoding image: %w", err)
	}
	if err := limits.CheckImage(format, cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("dataset: decoding %s image: %w", format, err)
	}
	return FromImage(img), nil
}

// DecodeBytes estimates the peak memory of Decode on data from its
// headers alone: what the decoder holds (tfjpeg's planes and
// coefficients for JPEG; the decoded image for other formats, see
// limits.DecodeBytes) plus the float32 RGB result. It is 0 when the
// headers cannot be read, where Decode fails at once. Callers decoding in
// parallel charge it to a limits.Budget.
func DecodeBytes(data []byte) int64 {
	const floatRGB = 12 // bytes per pixel of a FloatImage
	if isJPEG(data) {
		cfg, err := tfjpeg.DecodeConfig(data)
		if err != nil {
			return 0
		}
		return cfg.DecodeBytes + int64(cfg.Width)*int64(cfg.Height)*floatRGB
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0
	}
	return limits.DecodeBytes(cfg, floatRGB)
}

// DecodeJPEG decodes a JPEG file with DecodeJpeg's attributes in opts
// (channels is forced to 3) into float RGB values in [0, 255].
func DecodeJPEG(data []byte, opts tfjpeg.Options) (*FloatImage, error) {
	opts.Channels = 3
	return decodeJPEG(data, opts)
}

// isJPEG reports whether data starts with a JPEG SOI marker.
func isJPEG(data []byte) bool { return len(data) >= 2 && data[0] == 0xFF && data[1] == 0xD8 }

func decodeJPEG(data []byte, opts tfjpeg.Options) (*FloatImage, error) {
	cfg, err := tfjpeg.DecodeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("dataset: decoding jpeg image: %w", err)
	}
	if err := limits.CheckImage("jpeg", cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	img, err := tfjpeg.Decode(data, opts)
	if err != nil {
		return nil, fmt.Errorf("dataset: decoding jpeg image: %w", err)
	}
	m := NewFloatImage(img.Height, img.Width)
	for i, v := range img.Pix {
		m.Pix[i] = float32(v)
	}
	return m, nil
}

// Load reads and decodes the image file at path.
func Load(path string) (*FloatImage, error) {
	data, err := limits.ReadFile(path) // regular files only: a FIFO would block, /dev/zero never end
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return m, nil
}

// FromImage converts any image.Image to float RGB in [0, 255].
func FromImage(img image.Image) *FloatImage {
	b := img.Bounds()
	m := NewFloatImage(b.Dy(), b.Dx())
	i := 0
	switch src := img.(type) {
	case *image.RGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := src.Pix[src.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				m.Pix[i], m.Pix[i+1], m.Pix[i+2] = float32(row[4*x]), float32(row[4*x+1]), float32(row[4*x+2])
				i += 3
			}
		}
	case *image.YCbCr:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := src.YCbCrAt(x, y)
				r, g, bl := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
				m.Pix[i], m.Pix[i+1], m.Pix[i+2] = float32(r), float32(g), float32(bl)
				i += 3
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				// NRGBA drops alpha without premultiplying the colours.
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				m.Pix[i], m.Pix[i+1], m.Pix[i+2] = float32(c.R), float32(c.G), float32(c.B)
				i += 3
			}
		}
	}
	return m
}

// ToImage converts m to 8-bit RGBA, rounding and clamping to [0, 255].
func (m *FloatImage) ToImage() *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, m.Width, m.Height))
	for p := 0; p < m.Width*m.Height; p++ {
		for c := 0; c < 3; c++ {
			v := math.Round(float64(m.Pix[p*3+c]))
			out.Pix[p*4+c] = uint8(max(0, min(255, v)))
		}
		out.Pix[p*4+3] = 255
	}
	return out
}

// Resize is TensorFlow's resize_bilinear with align_corners=false and
// half_pixel_centers=false (the legacy behaviour of tf.image.resize_bilinear
// in TF 1, used by retrain.py and label_image): the source coordinate of
// output pixel i is i*(in/out), computed in float32, interpolated between
// floor and ceil clamped to the last pixel.
func Resize(src *FloatImage, height, width int) *FloatImage {
	if height == src.Height && width == src.Width {
		out := NewFloatImage(height, width)
		copy(out.Pix, src.Pix)
		return out
	}
	type weight struct {
		lo, hi int
		lerp   float32
	}
	weights := func(outSize, inSize int) []weight {
		scale := float32(inSize) / float32(outSize)
		w := make([]weight, outSize)
		for i := range w {
			in := float32(i) * scale
			f := float32(math.Floor(float64(in)))
			w[i] = weight{lo: max(int(f), 0), hi: min(int(math.Ceil(float64(in))), inSize-1), lerp: in - f}
		}
		return w
	}
	ys, xs := weights(height, src.Height), weights(width, src.Width)
	out := NewFloatImage(height, width)
	sw := src.Width
	for y, wy := range ys {
		top, bot := src.Pix[wy.lo*sw*3:], src.Pix[wy.hi*sw*3:]
		o := out.Pix[y*width*3:]
		for x, wx := range xs {
			for c := 0; c < 3; c++ {
				tl, tr := top[wx.lo*3+c], top[wx.hi*3+c]
				bl, br := bot[wx.lo*3+c], bot[wx.hi*3+c]
				t := tl + (tr-tl)*wx.lerp
				b := bl + (br-bl)*wx.lerp
				o[x*3+c] = t + (b-t)*wy.lerp
			}
		}
	}
	return out
}

// Preprocess turns an image into a model's input: resize to Height×Width,
// then (x - Mean) / Std per value. Inception v3 from TF's retrain.py uses
// 299×299 with mean 128, std 128; MobileNet 224×224 with 127.5, 127.5; the
// original classify_image_graph_def.pb takes raw [0, 255] values (mean 0,
// std 1).
type Preprocess struct {
	Height, Width int
	Mean, Std     float32
}

// Validate reports a size or std that cannot work.
func (p Preprocess) Validate() error {
	if p.Height <= 0 || p.Width <= 0 {
		return fmt.Errorf("dataset: input size %dx%d must be positive", p.Height, p.Width)
	}
	if p.Std == 0 || math.IsNaN(float64(p.Std)) || math.IsNaN(float64(p.Mean)) {
		return fmt.Errorf("dataset: input std %g / mean %g invalid", p.Std, p.Mean)
	}
	return nil
}

// String is a stable description, used in bottleneck cache keys.
func (p Preprocess) String() string {
	// The decoder is part of the key: bottlenecks cached from other pixels
	// (Go's image/jpeg before gotl decoded JPEG as TensorFlow does) must
	// not be reused.
	return fmt.Sprintf("decode_jpeg_tf resize_bilinear_legacy %dx%d mean=%g std=%g", p.Height, p.Width, p.Mean, p.Std)
}

// Apply resizes and normalises m, returning a new image.
func (p Preprocess) Apply(m *FloatImage) *FloatImage {
	out := Resize(m, p.Height, p.Width)
	p.Normalize(out)
	return out
}

// Normalize applies (x - Mean) * (1/Std) in place, as retrain.py's
// subtract-then-multiply graph does.
func (p Preprocess) Normalize(m *FloatImage) {
	inv := float32(1.0 / float64(p.Std))
	for i, v := range m.Pix {
		m.Pix[i] = (v - p.Mean) * inv
	}
}
