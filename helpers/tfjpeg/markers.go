package tfjpeg

import (
	"fmt"
)

// Marker codes (the byte after 0xFF).
const (
	markerSOF0  = 0xC0
	markerSOF1  = 0xC1
	markerSOF2  = 0xC2
	markerSOF3  = 0xC3
	markerDHT   = 0xC4
	markerSOF5  = 0xC5
	markerSOF6  = 0xC6
	markerSOF7  = 0xC7
	markerJPG   = 0xC8
	markerSOF9  = 0xC9
	markerSOF10 = 0xCA
	markerSOF11 = 0xCB
	markerDAC   = 0xCC
	markerSOF13 = 0xCD
	markerSOF14 = 0xCE
	markerSOF15 = 0xCF
	markerRST0  = 0xD0
	markerRST7  = 0xD7
	markerSOI   = 0xD8
	markerEOI   = 0xD9
	markerSOS   = 0xDA
	markerDQT   = 0xDB
	markerDNL   = 0xDC
	markerDRI   = 0xDD
	markerAPP0  = 0xE0
	markerAPP14 = 0xEE
	markerAPP15 = 0xEF
	markerCOM   = 0xFE
	markerTEM   = 0x01
)

// Limits that libjpeg-turbo enforces.
const (
	maxDimension    = 65500 // JPEG_MAX_DIMENSION
	maxComponents   = 10    // MAX_COMPONENTS
	maxCompsInScan  = 4
	maxBlocksInMCU  = 10 // D_MAX_BLOCKS_IN_MCU
	maxSampleFactor = 4
)

// errTruncated marks the end of the data inside a header segment or
// between segments, where TensorFlow's memory source has nothing more to
// give.
type truncatedError struct{ where string }

func (e *truncatedError) Error() string { return "data ends " + e.where }

// readByte returns the next byte of a header segment.
func (d *decoder) readByte() (byte, error) {
	if d.pos >= len(d.data) {
		return 0, &truncatedError{"inside a marker segment"}
	}
	b := d.data[d.pos]
	d.pos++
	return b, nil
}

func (d *decoder) readUint16() (int, error) {
	if d.pos+2 > len(d.data) {
		d.pos = len(d.data)
		return 0, &truncatedError{"inside a marker segment"}
	}
	v := int(d.data[d.pos])<<8 | int(d.data[d.pos+1])
	d.pos += 2
	return v, nil
}

// segment returns the payload of a length-prefixed segment.
func (d *decoder) segment(name string) ([]byte, error) {
	n, err := d.readUint16()
	if err != nil {
		return nil, err
	}
	if n < 2 {
		return nil, fmt.Errorf("%s segment has bad length %d", name, n)
	}
	if d.pos+n-2 > len(d.data) {
		d.pos = len(d.data)
		return nil, &truncatedError{"inside the " + name + " segment"}
	}
	p := d.data[d.pos : d.pos+n-2]
	d.pos += n - 2
	return p, nil
}

// nextMarker is libjpeg's next_marker: skip anything up to an 0xFF,
// swallow fill bytes, and ignore stuffed FF 00 sequences. At the end of
// the data it pretends an EOI when recovering truncated files (once, as
// TensorFlow's memory source does).
func (d *decoder) nextMarker() (byte, error) {
	for {
		for {
			if d.pos >= len(d.data) {
				return d.endOfData()
			}
			c := d.data[d.pos]
			d.pos++
			if c == 0xFF {
				break
			}
		}
		var c byte
		for {
			if d.pos >= len(d.data) {
				return d.endOfData()
			}
			c = d.data[d.pos]
			d.pos++
			if c != 0xFF {
				break
			}
		}
		if c != 0 {
			return c, nil
		}
	}
}

func (d *decoder) endOfData() (byte, error) {
	if d.opts.TryRecoverTruncated && !d.fakeEOIUsed {
		d.fakeEOIUsed = true
		return markerEOI, nil
	}
	return 0, &truncatedError{"before the EOI marker"}
}

// readMarkers processes header segments until an SOS (returns markerSOS
// with the scan set up) or EOI. It is libjpeg's read_markers; first is the
// marker already read, or 0.
func (d *decoder) readMarkers(first byte) (byte, error) {
	m := first
	for {
		if m == 0 {
			var err error
			if m, err = d.nextMarker(); err != nil {
				return 0, err
			}
		}
		var err error
		switch {
		case m == markerSOI:
			return 0, fmt.Errorf("duplicate SOI marker")
		case m == markerSOF0 || m == markerSOF1:
			err = d.readSOF(false, false)
		case m == markerSOF2:
			err = d.readSOF(true, false)
		case m == markerSOF9:
			err = d.readSOF(false, true)
		case m == markerSOF10:
			err = d.readSOF(true, true)
		case m == markerSOF3 || m == markerSOF5 || m == markerSOF6 || m == markerSOF7 ||
			m == markerJPG || m == markerSOF11 || m == markerSOF13 || m == markerSOF14 || m == markerSOF15:
			return 0, fmt.Errorf("unsupported JPEG process: SOF type 0x%02x (lossless or hierarchical)", m)
		case m == markerSOS:
			if err = d.readSOS(); err != nil {
				return 0, err
			}
			return markerSOS, nil
		case m == markerEOI:
			return markerEOI, nil
		case m == markerDAC:
			err = d.readDAC()
		case m == markerDHT:
			err = d.readDHT()
		case m == markerDQT:
			err = d.readDQT()
		case m == markerDRI:
			err = d.readDRI()
		case m >= markerAPP0 && m <= markerAPP15:
			err = d.readAPP(m)
		case m == markerCOM || m == markerDNL:
			_, err = d.segment("COM")
		case (m >= markerRST0 && m <= markerRST7) || m == markerTEM:
			// Parameterless markers outside a scan are ignored.
		default:
			return 0, fmt.Errorf("unknown marker 0xff%02x", m)
		}
		if err != nil {
			return 0, err
		}
		m = 0
	}
}

func (d *decoder) readSOF(progressive, arithmetic bool) error {
	p, err := d.segment("SOF")
	if err != nil {
		return err
	}
	if d.sawSOF {
		return fmt.Errorf("duplicate SOF marker")
	}
	d.sawSOF = true
	if len(p) < 6 {
		return fmt.Errorf("SOF segment too short")
	}
	d.progressive, d.arithmetic = progressive, arithmetic
	d.precision = int(p[0])
	d.height = int(p[1])<<8 | int(p[2])
	d.width = int(p[3])<<8 | int(p[4])
	n := int(p[5])
	if d.height == 0 || d.width == 0 || n == 0 {
		return fmt.Errorf("empty image (%dx%d, %d components; DNL markers are not supported)", d.width, d.height, n)
	}
	if len(p) != 6+3*n {
		return fmt.Errorf("SOF segment length does not match its %d components", n)
	}
	d.comps = make([]component, n)
	for i := range d.comps {
		c := &d.comps[i]
		c.id = p[6+3*i]
		c.h = int(p[7+3*i] >> 4)
		c.v = int(p[7+3*i] & 15)
		c.tq = int(p[8+3*i])
	}
	return nil
}

func (d *decoder) readDHT() error {
	p, err := d.segment("DHT")
	if err != nil {
		return err
	}
	for len(p) > 16 {
		index := int(p[0])
		spec := &huffSpec{}
		count := 0
		for l := 1; l <= 16; l++ {
			spec.counts[l] = p[l]
			count += int(p[l])
		}
		p = p[17:]
		if count > 256 || count > len(p) {
			return fmt.Errorf("bad Huffman table: %d codes", count)
		}
		copy(spec.symbols[:], p[:count])
		p = p[count:]
		isAC := index&0x10 != 0
		if isAC {
			index -= 0x10
		}
		if index < 0 || index >= 4 {
			return fmt.Errorf("bad Huffman table index %d", index)
		}
		if isAC {
			d.acSpecs[index] = spec
		} else {
			d.dcSpecs[index] = spec
		}
	}
	if len(p) != 0 {
		return fmt.Errorf("DHT segment has bad length")
	}
	return nil
}

func (d *decoder) readDQT() error {
	p, err := d.segment("DQT")
	if err != nil {
		return err
	}
	for len(p) > 0 {
		n, prec := int(p[0]&15), p[0]>>4
		p = p[1:]
		if n >= 4 {
			return fmt.Errorf("bad quantization table index %d", n)
		}
		q := new([64]uint16)
		count := 64
		if prec != 0 {
			if len(p) < 128 {
				for i := range q {
					q[i] = 1
				}
				count = len(p) / 2
			}
			for i := 0; i < count; i++ {
				q[zigzag[i]] = uint16(p[2*i])<<8 | uint16(p[2*i+1])
			}
			p = p[2*count:]
		} else {
			if len(p) < 64 {
				for i := range q {
					q[i] = 1
				}
				count = len(p)
			}
			for i := 0; i < count; i++ {
				q[zigzag[i]] = uint16(p[i])
			}
			p = p[count:]
		}
		d.quant[n] = q
	}
	return nil
}

func (d *decoder) readDRI() error {
	p, err := d.segment("DRI")
	if err != nil {
		return err
	}
	if len(p) != 2 {
		return fmt.Errorf("DRI segment has bad length")
	}
	d.restartInterval = int(p[0])<<8 | int(p[1])
	return nil
}

func (d *decoder) readDAC() error {
	p, err := d.segment("DAC")
	if err != nil {
		return err
	}
	for len(p) >= 2 {
		index, val := int(p[0]), p[1]
		p = p[2:]
		if index < 0 || index >= 32 {
			return fmt.Errorf("bad DAC index %d", index)
		}
		if index >= 16 {
			d.arithACK[index-16] = val
		} else {
			l, u := val&15, val>>4
			if l > u {
				return fmt.Errorf("bad DAC value 0x%02x", val)
			}
			d.arithDCL[index], d.arithDCU[index] = l, u
		}
	}
	if len(p) != 0 {
		return fmt.Errorf("DAC segment has bad length")
	}
	return nil
}

// readAPP notes the JFIF and Adobe markers, which decide the colour space
// (libjpeg reads the first 14 bytes of APP0 and 12 of APP14).
func (d *decoder) readAPP(m byte) error {
	p, err := d.segment("APP")
	if err != nil {
		return err
	}
	switch m {
	case markerAPP0:
		if len(p) >= 14 && string(p[:5]) == "JFIF\x00" {
			d.sawJFIF = true
		}
	case markerAPP14:
		if len(p) >= 12 && string(p[:5]) == "Adobe" {
			d.sawAdobe = true
			d.adobeTransform = p[11]
		}
	}
	return nil
}

func (d *decoder) readSOS() error {
	p, err := d.segment("SOS")
	if err != nil {
		return err
	}
	if !d.sawSOF {
		return fmt.Errorf("SOS marker before SOF")
	}
	if len(p) < 1 {
		return fmt.Errorf("SOS segment too short")
	}
	n := int(p[0])
	if len(p) != 4+2*n || n < 1 || n > maxCompsInScan {
		return fmt.Errorf("SOS segment has bad length or %d components", n)
	}
	s := &scanHeader{}
	var used [maxComponents]bool
	for i := 0; i < n; i++ {
		id, tables := p[1+2*i], p[2+2*i]
		ci := -1
		for j := range d.comps {
			if j < maxComponents && d.comps[j].id == id && !used[j] {
				ci = j
				break
			}
		}
		if ci < 0 {
			return fmt.Errorf("SOS names unknown or repeated component %d", id)
		}
		used[ci] = true
		s.comps = append(s.comps, ci)
		s.dcTable = append(s.dcTable, int(tables>>4))
		s.acTable = append(s.acTable, int(tables&15))
	}
	q := p[1+2*n:]
	s.ss, s.se, s.ah, s.al = int(q[0]), int(q[1]), int(q[2]>>4), int(q[2]&15)
	d.scan = s
	return nil
}

// zigzag[i] is the natural-order position of the i-th coefficient in
// zigzag order, with 16 extra entries so that corrupt run lengths land on
// position 63 as in libjpeg.
var zigzag = [64 + 16]int{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
}
