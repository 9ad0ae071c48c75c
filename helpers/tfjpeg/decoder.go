package tfjpeg

import (
	"fmt"
)

// component is one colour component of the frame.
type component struct {
	h, v, tq int
	id       byte

	// Blocks covering the component (libjpeg's width_in_blocks and
	// height_in_blocks) and the block grid rounded up to whole MCUs,
	// which interleaved scans also code.
	blocksW, blocksH int
	paddedW, paddedH int

	// Output geometry after DCT scaling: the IDCT size of this component
	// (libjpeg's DCT_scaled_size) and its sample plane
	// (downsampled_width/height real samples, stride planeW).
	scaled            int
	dsWidth, dsHeight int
	planeW, planeH    int
	plane             []byte

	needed           bool        // used by the output colour space
	up               int         // upsampling method (up* constants)
	hExpand, vExpand int         // replication factors for upReplicate
	quant            *[64]uint16 // latched when the component first appears in a scan
	mult             [64]int16   // dequantization multipliers for the chosen IDCT
	idct             func(coef *[64]int16, mult *[64]int16, out []byte, stride int)
	coefs            []int16 // whole-image coefficients (multi-scan files)
	dcPred           int32
	eobrun           int
}

// scanHeader is an SOS segment.
type scanHeader struct {
	comps            []int // component indexes in scan order
	dcTable, acTable []int
	ss, se, ah, al   int
}

type colorSpace int

const (
	csUnknown colorSpace = iota
	csGray
	csYCbCr
	csRGB
	csCMYK
	csYCCK
)

func (c colorSpace) String() string {
	return [...]string{"unknown", "grayscale", "YCbCr", "RGB", "CMYK", "YCCK"}[c]
}

// decoder holds the state of one Decode call.
type decoder struct {
	data []byte
	pos  int
	opts Options

	sawSOF, progressive, arithmetic bool
	precision, width, height        int
	comps                           []component
	maxH, maxV                      int
	mcusPerRow, mcuRows             int

	quant           [4]*[64]uint16
	dcSpecs         [4]*huffSpec
	acSpecs         [4]*huffSpec
	restartInterval int
	arithDCL        [16]byte
	arithDCU        [16]byte
	arithACK        [16]byte

	sawJFIF, sawAdobe bool
	adobeTransform    byte
	fakeEOIUsed       bool

	scan       *scanHeader
	multiScan  bool
	colorSpace colorSpace
	outColors  int // 1, 3 (RGB) or 4 (CMYK, converted to RGB at the end)

	minScaled   int
	outW, outH  int
	fancy       bool
	contextRows bool // libjpeg's main buffer runs in context mode
	mcusDone    int  // MCUs completely decoded in the single scan
	suspended   bool
	nscans      int
	keepCMYK    bool // tests: return CMYK before TensorFlow's conversion
}

func (d *decoder) decode() (*Image, error) {
	if err := d.readHeaders(); err != nil {
		return nil, err
	}
	if err := d.setup(); err != nil {
		return nil, err
	}
	d.allocate()
	if !d.multiScan {
		if err := d.decodeSingleScan(); err != nil {
			return nil, err
		}
	} else {
		if err := d.decodeAllScans(); err != nil {
			return nil, err
		}
		d.inverseTransformAll()
	}
	return d.output()
}

// readHeaders checks the SOI marker and reads the header segments up to
// the first scan, which it requires.
func (d *decoder) readHeaders() error {
	if len(d.data) < 2 || d.data[0] != 0xFF || d.data[1] != markerSOI {
		if len(d.data) >= 2 {
			return fmt.Errorf("not a JPEG file: starts with 0x%02x 0x%02x", d.data[0], d.data[1])
		}
		return fmt.Errorf("not a JPEG file: %d bytes", len(d.data))
	}
	d.pos = 2
	for i := range d.arithDCU {
		d.arithDCU[i] = 1
		d.arithACK[i] = 5
	}
	m, err := d.readMarkers(0)
	if err != nil {
		return err
	}
	if m == markerEOI {
		return fmt.Errorf("no image: EOI marker before any scan")
	}
	return nil
}

// setup validates the frame, picks the colour spaces and computes the
// output geometry (libjpeg's initial_setup, default_decompress_parms and
// jpeg_calc_output_dimensions).
func (d *decoder) setup() error {
	// A file whose first scan lacks some components, or a progressive
	// one, is decoded into whole-image coefficient buffers.
	d.multiScan = d.progressive || len(d.scan.comps) < len(d.comps)
	if d.width > maxDimension || d.height > maxDimension {
		return fmt.Errorf("image %dx%d is larger than JPEG's maximum %d", d.width, d.height, maxDimension)
	}
	if d.precision != 8 {
		return fmt.Errorf("unsupported sample precision %d (8-bit only)", d.precision)
	}
	if len(d.comps) > maxComponents {
		return fmt.Errorf("%d components (at most %d)", len(d.comps), maxComponents)
	}
	d.maxH, d.maxV = 1, 1
	for i := range d.comps {
		c := &d.comps[i]
		if c.h < 1 || c.h > maxSampleFactor || c.v < 1 || c.v > maxSampleFactor {
			return fmt.Errorf("component %d has bad sampling factors %dx%d", c.id, c.h, c.v)
		}
		d.maxH, d.maxV = max(d.maxH, c.h), max(d.maxV, c.v)
	}
	d.mcusPerRow = ceilDiv(d.width, 8*d.maxH)
	d.mcuRows = ceilDiv(d.height, 8*d.maxV)
	for i := range d.comps {
		c := &d.comps[i]
		c.blocksW = ceilDiv(d.width*c.h, 8*d.maxH)
		c.blocksH = ceilDiv(d.height*c.v, 8*d.maxV)
		c.paddedW = d.mcusPerRow * c.h
		c.paddedH = d.mcuRows * c.v
		c.needed = true
	}

	// Colour space of the file.
	switch len(d.comps) {
	case 1:
		d.colorSpace = csGray
	case 3:
		switch {
		case d.sawJFIF:
			d.colorSpace = csYCbCr
		case d.sawAdobe:
			d.colorSpace = csYCbCr
			if d.adobeTransform == 0 {
				d.colorSpace = csRGB
			}
		default:
			id0, id1, id2 := d.comps[0].id, d.comps[1].id, d.comps[2].id
			d.colorSpace = csYCbCr
			if id0 == 'R' && id1 == 'G' && id2 == 'B' {
				d.colorSpace = csRGB
			}
		}
	case 4:
		d.colorSpace = csCMYK
		if d.sawAdobe && d.adobeTransform != 0 {
			d.colorSpace = csYCCK
		}
	default:
		d.colorSpace = csUnknown
	}

	// Output colour space, as TensorFlow asks libjpeg for it.
	channels := d.opts.Channels
	if channels == 0 {
		channels = min(len(d.comps), 3)
	}
	switch channels {
	case 1:
		switch d.colorSpace {
		case csGray:
		case csYCbCr:
			for i := 1; i < len(d.comps); i++ {
				d.comps[i].needed = false
			}
		case csRGB:
		default:
			return fmt.Errorf("cannot convert %s (%d components) to grayscale", d.colorSpace, len(d.comps))
		}
		d.outColors = 1
	case 3:
		switch d.colorSpace {
		case csGray, csYCbCr, csRGB:
			d.outColors = 3
		case csCMYK, csYCCK:
			d.outColors = 4
		default:
			return fmt.Errorf("cannot convert %d components (%s) to RGB", len(d.comps), d.colorSpace)
		}
	default:
		return fmt.Errorf("invalid channels %d for a %d-component image (TensorFlow accepts 0, 1 or 3)", channels, len(d.comps))
	}

	// Output size and per-component DCT scaling.
	ratio := d.opts.Ratio
	d.minScaled = 8 / ratio
	d.outW = ceilDiv(d.width, ratio)
	d.outH = ceilDiv(d.height, ratio)
	for i := range d.comps {
		c := &d.comps[i]
		// Scale chroma up in the IDCT rather than by upsampling where the
		// sampling ratios allow (libjpeg's jpeg_calc_output_dimensions).
		s := d.minScaled
		for s < 8 && (d.maxH*d.minScaled)%(c.h*s*2) == 0 && (d.maxV*d.minScaled)%(c.v*s*2) == 0 {
			s *= 2
		}
		c.scaled = s
		c.dsWidth = ceilDiv(d.width*c.h*s, d.maxH*8)
		c.dsHeight = ceilDiv(d.height*c.v*s, d.maxV*8)
		c.planeW = c.blocksW * s
		c.planeH = c.blocksH * s
	}
	limit := d.opts.MaxValues
	if limit <= 0 {
		limit = DefaultMaxValues
	}
	if v := int64(d.outW) * int64(d.outH) * int64(len(d.comps)); v >= limit {
		return fmt.Errorf("image too large: %dx%d pixels × %d components = %d values (limit %d)", d.outW, d.outH, len(d.comps), v, limit)
	}
	d.fancy = !d.opts.NoFancyUpscaling && d.minScaled > 1
	return d.chooseUpsampling()
}

// allocate makes the sample planes and, for multi-scan files, the
// coefficient buffers, after setup bounded their size.
func (d *decoder) allocate() {
	for i := range d.comps {
		c := &d.comps[i]
		if d.multiScan {
			// Every component, needed or not: libjpeg decodes them all.
			c.coefs = make([]int16, c.paddedW*c.paddedH*64)
		}
		if c.needed {
			c.plane = make([]byte, c.planeW*c.planeH)
		}
	}
}

// latch fixes a component's quantization table and IDCT when the
// component first appears in a scan, as libjpeg does (later DQT segments
// do not change it).
func (d *decoder) latch(c *component) error {
	if c.quant != nil {
		return nil
	}
	if c.tq < 0 || c.tq >= 4 || d.quant[c.tq] == nil {
		return fmt.Errorf("quantization table %d used by component %d is not defined", c.tq, c.id)
	}
	q := *d.quant[c.tq]
	c.quant = &q
	switch c.scaled {
	case 1:
		c.idct, c.mult = idct1x1, accurateMultipliers(c.quant)
	case 2:
		c.idct, c.mult = idct2x2, accurateMultipliers(c.quant)
	case 4:
		c.idct, c.mult = idct4x4, accurateMultipliers(c.quant)
	default:
		if d.opts.DCTMethod == IntegerAccurate {
			c.idct, c.mult = idctAccurate, accurateMultipliers(c.quant)
		} else {
			c.idct, c.mult = idctFast, fastMultipliers(c.quant)
		}
	}
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// inverseTransformAll turns the stored coefficients of a multi-scan file
// into samples.
func (d *decoder) inverseTransformAll() {
	for i := range d.comps {
		c := &d.comps[i]
		if !c.needed {
			continue
		}
		if c.quant == nil {
			// Never in a scan: libjpeg's multipliers stay zero and the
			// component decodes as mid-grey.
			for j := range c.plane {
				c.plane[j] = 128
			}
			continue
		}
		s := c.scaled
		for by := 0; by < c.blocksH; by++ {
			for bx := 0; bx < c.blocksW; bx++ {
				blk := (*[64]int16)(c.coefs[(by*c.paddedW+bx)*64:])
				c.idct(blk, &c.mult, c.plane[by*s*c.planeW+bx*s:], c.planeW)
			}
		}
	}
}
