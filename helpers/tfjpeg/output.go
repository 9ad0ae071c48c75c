package tfjpeg

import (
	"fmt"
)

// Upsampling methods, chosen per component as libjpeg-turbo's
// jinit_upsampler does.
const (
	upFull      = iota // same size as the output
	upReplicate        // integral factors, box filter (h2v1, h2v2 and int_upsample)
	upH2V1Fancy        // triangle filter across
	upH1V2Fancy        // triangle filter down
	upH2V2Fancy        // triangle filter both ways
)

// chooseUpsampling picks each needed component's upsampler. libjpeg's
// merged upsampler, used when fancy upsampling is off, gives the same
// pixels as replication followed by colour conversion.
func (d *decoder) chooseUpsampling() error {
	d.contextRows = false
	for i := range d.comps {
		c := &d.comps[i]
		if !c.needed {
			continue
		}
		hIn := c.h * c.scaled / d.minScaled
		vIn := c.v * c.scaled / d.minScaled
		switch {
		case hIn == d.maxH && vIn == d.maxV:
			c.up = upFull
		case hIn*2 == d.maxH && vIn == d.maxV && d.fancy && c.dsWidth > 2:
			c.up = upH2V1Fancy
		case hIn == d.maxH && vIn*2 == d.maxV && d.fancy:
			c.up = upH1V2Fancy
			d.contextRows = true
		case hIn*2 == d.maxH && vIn*2 == d.maxV && d.fancy && c.dsWidth > 2:
			c.up = upH2V2Fancy
			d.contextRows = true
		case d.maxH%hIn == 0 && d.maxV%vIn == 0:
			c.up = upReplicate
			c.hExpand, c.vExpand = d.maxH/hIn, d.maxV/vIn
		default:
			return fmt.Errorf("fractional sampling factors are not supported (component %d: %dx%d of %dx%d)", c.id, c.h, c.v, d.maxH, d.maxV)
		}
	}
	return nil
}

// rowsAvailable is how many output rows TensorFlow had read when the data
// ended in a single-scan file: rows come out one iMCU row at a time, and
// in libjpeg's context mode (vertical fancy upsampling) the last row group
// of an iMCU row waits for the next one.
func (d *decoder) rowsAvailable() int {
	var imcuRows int
	if len(d.scan.comps) == 1 {
		c := &d.comps[d.scan.comps[0]]
		imcuRows = d.mcusDone / c.blocksW / c.v
	} else {
		imcuRows = d.mcusDone / d.mcusPerRow
	}
	h := d.maxV * d.minScaled
	rows := imcuRows * h
	if d.contextRows && imcuRows > 0 {
		rows -= d.maxV
	}
	return min(rows, d.outH)
}

// Fixed-point YCbCr→RGB tables of libjpeg's jdcolor.c (16 fractional
// bits): crToR[cr] and cbToB[cb] are rounded; cbToG+crToG is shifted after
// summing, with the rounding half folded into cbToG.
var crToR, cbToB [256]int32
var crToG, cbToG [256]int32

func init() {
	fix := func(x float64) int64 { return int64(x*65536 + 0.5) }
	for i := 0; i < 256; i++ {
		x := int64(i - 128)
		crToR[i] = int32((fix(1.40200)*x + 1<<15) >> 16)
		cbToB[i] = int32((fix(1.77200)*x + 1<<15) >> 16)
		crToG[i] = int32(-fix(0.71414) * x)
		cbToG[i] = int32(-fix(0.34414)*x + 1<<15)
	}
}

// clamp8 limits a colour-converted value to a sample.
func clamp8(v int32) byte {
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return byte(v)
}

// Fixed-point RGB→luma weights of libjpeg's rgb_gray_convert.
const (
	grayR = 19595 // 0.29900
	grayG = 38470 // 0.58700
	grayB = 7471  // 0.11400
)

// output upsamples and colour-converts the sample planes into the image
// TensorFlow returns.
func (d *decoder) output() (*Image, error) {
	rows := d.outH
	if d.suspended {
		rows = d.rowsAvailable()
		frac := float32(rows) / float32(d.outH)
		need := d.opts.AcceptableFraction
		if need == 0 {
			need = 1
		}
		if frac < min(1, need) {
			return nil, &TruncatedError{Rows: rows, Height: d.outH}
		}
	}
	channels := 3
	if d.outColors == 1 {
		channels = 1
	}
	if d.keepCMYK && d.outColors == 4 {
		channels = 4
	}
	img := &Image{Height: d.outH, Width: d.outW, Channels: channels}
	img.Pix = make([]byte, d.outH*d.outW*channels)

	var src [4][]byte // per colour component: its upsampled row
	var bufs [4][]byte
	for i := range d.comps {
		c := &d.comps[i]
		if c.needed && c.up != upFull {
			bufs[i] = make([]byte, 2*c.planeW*max(c.hExpand, 1)+16)
		}
	}
	var cmyk []byte
	if d.outColors == 4 {
		cmyk = make([]byte, 4*d.outW)
	}
	w := d.outW
	for y := 0; y < rows; y++ {
		for i := range d.comps {
			c := &d.comps[i]
			if c.needed {
				src[min(i, 3)] = d.upsampleRow(c, y, bufs[i])
			}
		}
		out := img.Pix[y*w*channels : (y+1)*w*channels]
		switch {
		case d.outColors == 1 && d.colorSpace == csRGB:
			r, g, b := src[0][:w], src[1][:w], src[2][:w]
			for x := range out {
				out[x] = byte((grayR*int32(r[x]) + grayG*int32(g[x]) + grayB*int32(b[x]) + 1<<15) >> 16)
			}
		case d.outColors == 1:
			copy(out, src[0][:w])
		case d.colorSpace == csGray:
			yr := src[0][:w]
			for x, v := range yr {
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		case d.colorSpace == csRGB:
			r, g, b := src[0][:w], src[1][:w], src[2][:w]
			for x := range r {
				out[3*x], out[3*x+1], out[3*x+2] = r[x], g[x], b[x]
			}
		case d.colorSpace == csYCbCr:
			yccToRGB(out, src[0][:w], src[1][:w], src[2][:w])
		case channels == 4:
			d.toCMYK(out, src, w)
		default:
			d.toCMYK(cmyk, src, w)
			d.cmykToRGB(out, cmyk)
		}
	}
	return img, nil
}

// yccToRGB is libjpeg's ycc_rgb_convert for one row.
func yccToRGB(out, yr, cbr, crr []byte) {
	out = out[:3*len(yr)]
	cbr, crr = cbr[:len(yr)], crr[:len(yr)]
	for x, yv := range yr {
		y := int32(yv)
		cb, cr := cbr[x], crr[x]
		o := out[3*x : 3*x+3 : 3*x+3]
		o[0] = clamp8(y + crToR[cr])
		o[1] = clamp8(y + (cbToG[cb]+crToG[cr])>>16)
		o[2] = clamp8(y + cbToB[cb])
	}
}

// toCMYK is libjpeg's CMYK output: CMYK files are copied, YCCK files
// converted (ycck_cmyk_convert).
func (d *decoder) toCMYK(out []byte, src [4][]byte, w int) {
	for x := 0; x < w; x++ {
		if d.colorSpace == csCMYK {
			out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = src[0][x], src[1][x], src[2][x], src[3][x]
			continue
		}
		y := int32(src[0][x])
		cb, cr := src[1][x], src[2][x]
		out[4*x] = 255 - clamp8(y+crToR[cr])
		out[4*x+1] = 255 - clamp8(y+(cbToG[cb]+crToG[cr])>>16)
		out[4*x+2] = 255 - clamp8(y+cbToB[cb])
		out[4*x+3] = src[3][x]
	}
}

// cmykToRGB is TensorFlow's own CMYK→RGB step (jpeg_mem.cc): Adobe files
// store inverted CMYK.
func (d *decoder) cmykToRGB(out, cmyk []byte) {
	for x := 0; 4*x < len(cmyk); x++ {
		c, m, y, k := int(cmyk[4*x]), int(cmyk[4*x+1]), int(cmyk[4*x+2]), int(cmyk[4*x+3])
		if d.sawAdobe {
			out[3*x], out[3*x+1], out[3*x+2] = byte(k*c/255), byte(k*m/255), byte(k*y/255)
		} else {
			out[3*x] = byte((255 - k) * (255 - c) / 255)
			out[3*x+1] = byte((255 - k) * (255 - m) / 255)
			out[3*x+2] = byte((255 - k) * (255 - y) / 255)
		}
	}
}

// upsampleRow returns output row y of component c at output width (at
// least d.outW samples), using buf for upsampled rows.
func (d *decoder) upsampleRow(c *component, y int, buf []byte) []byte {
	pw := c.planeW
	switch c.up {
	case upFull:
		return c.plane[y*pw : y*pw+pw]
	case upReplicate:
		in := c.plane[(y/c.vExpand)*pw:]
		n := d.outW
		out := buf[:n]
		if c.hExpand == 1 {
			copy(out, in[:n])
			return out
		}
		if c.hExpand == 2 {
			for x := 0; x+1 < n; x += 2 {
				v := in[x>>1]
				out[x], out[x+1] = v, v
			}
			if n&1 == 1 {
				out[n-1] = in[(n-1)>>1]
			}
			return out
		}
		for x := range out {
			out[x] = in[x/c.hExpand]
		}
		return out
	case upH2V1Fancy:
		in := c.plane[y*pw : y*pw+c.dsWidth]
		return fancyH2V1(buf, in)
	case upH1V2Fancy:
		near, far, bias := d.verticalNeighbours(c, y)
		out := buf[:c.dsWidth]
		near, far = near[:len(out)], far[:len(out)]
		for x := range out {
			out[x] = byte((3*int(near[x]) + int(far[x]) + bias) >> 2)
		}
		return out
	default: // upH2V2Fancy
		near, far, _ := d.verticalNeighbours(c, y)
		return fancyH2V2(buf, near[:c.dsWidth], far[:c.dsWidth])
	}
}

// verticalNeighbours returns, for output row y of a component upsampled
// 2:1 vertically, its nearest input row and the next nearest (above for
// even rows, below for odd ones, repeating the edge rows), plus libjpeg's
// rounding bias for h1v2 (1 above, 2 below).
func (d *decoder) verticalNeighbours(c *component, y int) (near, far []byte, bias int) {
	pw := c.planeW
	r := y >> 1
	f := r - 1
	bias = 1
	if y&1 == 1 {
		f, bias = r+1, 2
	}
	f = max(0, min(f, c.dsHeight-1))
	return c.plane[r*pw : r*pw+pw], c.plane[f*pw : f*pw+pw], bias
}

// fancyH2V1 is libjpeg's h2v1_fancy_upsample: each output sample is 3/4
// of the nearer input sample and 1/4 of the further one, with rounding
// biases alternating 1 and 2.
func fancyH2V1(buf, in []byte) []byte {
	n := len(in)
	out := buf[:2*n]
	v := int(in[0])
	out[0] = in[0]
	out[1] = byte((3*v + int(in[1]) + 2) >> 2)
	for i := 1; i < n-1; i++ {
		v := 3 * int(in[i])
		out[2*i] = byte((v + int(in[i-1]) + 1) >> 2)
		out[2*i+1] = byte((v + int(in[i+1]) + 2) >> 2)
	}
	v = int(in[n-1])
	out[2*n-2] = byte((3*v + int(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
	return out
}

// fancyH2V2 is libjpeg's h2v2_fancy_upsample: column sums 3·near+far,
// then the same 3:1 weighting across, with biases 8 and 7.
func fancyH2V2(buf, near, far []byte) []byte {
	n := len(near)
	out := buf[:2*n]
	far = far[:n]
	last := 3*int(near[0]) + int(far[0])
	this := last
	next := 3*int(near[1]) + int(far[1])
	out[0] = byte((this*4 + 8) >> 4)
	out[1] = byte((this*3 + next + 7) >> 4)
	last, this = this, next
	for i := 1; i < n-1; i++ {
		next = 3*int(near[i+1]) + int(far[i+1])
		out[2*i] = byte((this*3 + last + 8) >> 4)
		out[2*i+1] = byte((this*3 + next + 7) >> 4)
		last, this = this, next
	}
	out[2*n-2] = byte((this*3 + last + 8) >> 4)
	out[2*n-1] = byte((this*4 + 7) >> 4)
	return out
}
