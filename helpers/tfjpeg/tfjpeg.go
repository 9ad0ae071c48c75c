package tfjpeg

import (
	"errors"
	"fmt"
)

// DCT methods, spelled as TensorFlow's DecodeJpeg dct_method attribute.
const (
	// IntegerFast is libjpeg's JDCT_IFAST, TensorFlow's default (the
	// empty string means the same).
	IntegerFast = "INTEGER_FAST"
	// IntegerAccurate is libjpeg's JDCT_ISLOW.
	IntegerAccurate = "INTEGER_ACCURATE"
)

// DefaultMaxValues is TensorFlow's own size limit: DecodeJpeg refuses an
// image whose output height × width × file components reaches 2^29.
const DefaultMaxValues = 1 << 29

// Options are DecodeJpeg's attributes. The zero value is TensorFlow's
// default: the file's channels, full size, INTEGER_FAST, fancy
// upscaling, truncated files rejected.
type Options struct {
	// Channels is 0 (1 for grayscale files, 3 otherwise), 1 or 3.
	Channels int
	// Ratio is the downscaling factor 1, 2, 4 or 8 (0 means 1), done in
	// the inverse DCT as libjpeg does.
	Ratio int
	// DCTMethod is "" or IntegerFast (the default), or IntegerAccurate.
	DCTMethod string
	// NoFancyUpscaling turns off fancy (triangle-filter) chroma
	// upsampling: TensorFlow's fancy_upscaling=false. Chroma is then
	// replicated.
	NoFancyUpscaling bool
	// TryRecoverTruncated decodes a file whose data ends early as if an
	// EOI marker were there: missing blocks come out grey (or unrefined,
	// in progressive files).
	TryRecoverTruncated bool
	// AcceptableFraction is the fraction of rows a truncated single-scan
	// file must have delivered to be accepted (the missing rows are
	// black). 0 means TensorFlow's default 1; to accept any fraction (as
	// acceptable_fraction=0 does) pass a negative value.
	AcceptableFraction float32
	// MaxValues bounds output height × width × file components; an image
	// at or above it is refused before anything is allocated. 0 means
	// DefaultMaxValues.
	MaxValues int64
}

// Image is a decoded image: Height×Width pixels of Channels (1 or 3)
// bytes each, row-major (HWC), as TensorFlow's uint8 tensor.
type Image struct {
	Height, Width, Channels int
	Pix                     []byte
}

// TruncatedError reports a file whose data ended before the image did.
// Rows is how many output rows TensorFlow would have read.
type TruncatedError struct {
	Rows, Height int
	where        string
}

func (e *TruncatedError) Error() string {
	if e.where != "" {
		return "tfjpeg: truncated JPEG: data ends " + e.where
	}
	return fmt.Sprintf("tfjpeg: truncated JPEG: data ends after %d of %d rows", e.Rows, e.Height)
}

// ErrTruncated matches every truncation error with errors.Is.
var ErrTruncated = errors.New("tfjpeg: truncated JPEG")

// Is lets errors.Is(err, ErrTruncated) match.
func (e *TruncatedError) Is(target error) bool { return target == ErrTruncated }

// Decode decodes a baseline, extended, progressive or arithmetic-coded
// JPEG into exactly the pixels TensorFlow's DecodeJpeg returns for the
// same attributes. A corrupt or truncated file gives a one-line error.
func Decode(data []byte, opts Options) (*Image, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if opts.Ratio == 0 {
		opts.Ratio = 1
	}
	d := &decoder{data: data, opts: opts}
	img, err := d.decode()
	if err != nil {
		return nil, publicError(err)
	}
	return img, nil
}

// publicError is the error Decode and DecodeConfig return for an internal
// one: running out of data is a TruncatedError, the rest gets the
// package prefix.
func publicError(err error) error {
	var te *truncatedError
	if errors.As(err, &te) {
		return &TruncatedError{where: te.where}
	}
	var tr *TruncatedError
	if errors.As(err, &tr) {
		return err
	}
	return fmt.Errorf("tfjpeg: %w", err)
}

func (o Options) check() error {
	switch o.Channels {
	case 0, 1, 3:
	default:
		return fmt.Errorf("tfjpeg: channels %d not supported (0, 1 or 3)", o.Channels)
	}
	switch o.Ratio {
	case 0, 1, 2, 4, 8:
	default:
		return fmt.Errorf("tfjpeg: ratio %d not supported (1, 2, 4 or 8)", o.Ratio)
	}
	switch o.DCTMethod {
	case "", IntegerFast, IntegerAccurate:
	default:
		return fmt.Errorf("tfjpeg: dct_method %q not supported (%q or %q)", o.DCTMethod, IntegerFast, IntegerAccurate)
	}
	return nil
}

// Config is what the headers say about an image.
type Config struct {
	Width, Height int
	Components    int
	ColorSpace    string // "grayscale", "YCbCr", "RGB", "CMYK", "YCCK" or "unknown"
	Progressive   bool
	Arithmetic    bool
	// DecodeBytes is the memory Decode allocates for this image at full
	// size with the file's channels: a sample plane per component, the
	// whole image's coefficients (2 bytes each) when the file has several
	// scans, and the output pixels. Callers that decode in parallel
	// charge it to a memory budget.
	DecodeBytes int64
}

// DecodeConfig reads the headers up to the first scan.
func DecodeConfig(data []byte) (Config, error) {
	d := &decoder{data: data, opts: Options{Ratio: 1}}
	if err := d.readHeaders(); err != nil {
		return Config{}, publicError(err)
	}
	if err := d.setup(); err != nil {
		// The colour conversion may be impossible; the size is still known.
		if d.width == 0 {
			return Config{}, publicError(err)
		}
	}
	return Config{Width: d.width, Height: d.height, Components: len(d.comps), ColorSpace: d.colorSpace.String(),
		Progressive: d.progressive, Arithmetic: d.arithmetic, DecodeBytes: d.allocationBytes()}, nil
}

// allocationBytes is what allocate and output will allocate, once setup
// has sized the planes: the same conditions, counted instead of made.
func (d *decoder) allocationBytes() int64 {
	var n int64
	for _, c := range d.comps {
		if d.multiScan {
			n += int64(c.paddedW) * int64(c.paddedH) * 64 * 2
		}
		if c.needed {
			n += int64(c.planeW) * int64(c.planeH)
		}
	}
	channels := 3
	if len(d.comps) == 1 {
		channels = 1
	}
	return n + int64(d.outW)*int64(d.outH)*int64(channels)
}
