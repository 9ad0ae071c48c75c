package tfjpeg

import "math"

// The inverse DCTs below reproduce libjpeg-turbo's integer arithmetic step
// for step: the order of additions, where products are rounded or
// truncated and which intermediates are 16-bit is what makes the output
// bit-identical, so the structure follows the published algorithms
// (Arai-Agui-Nakajima for the fast transform, Loeffler-Ligtenberg-Moschytz
// for the accurate one and the reduced-size ones) rather than a textbook
// matrix product.
//
// Every transform writes its n×n result (n = 8, 4, 2 or 1) into out at
// out[row*stride+col] and reads coefficients in natural (row-major) order.

// rangeLimit maps an IDCT output x (centred on 0, before adding 128) to a
// sample the way libjpeg's post-IDCT table does: the index is x&1023, so
// [-128,127] maps to [0,255], larger magnitudes up to ±512 clamp, and
// beyond that the table wraps around (only corrupt data gets there).
var rangeLimit [1024]byte

// aanScale[i] is the Arai-Agui-Nakajima scale factor of coefficient i,
// s(row)·s(col) with s(0)=1 and s(k)=cos(kπ/16)·√2, in 14-bit fixed point.
var aanScale [64]int32

func init() {
	for i := range rangeLimit {
		switch {
		case i < 128:
			rangeLimit[i] = byte(i + 128)
		case i < 512:
			rangeLimit[i] = 255
		case i < 896:
			rangeLimit[i] = 0
		default:
			rangeLimit[i] = byte(i - 896)
		}
	}
	s := func(k int) float64 {
		if k == 0 {
			return 1
		}
		return math.Cos(float64(k)*math.Pi/16) * math.Sqrt2
	}
	for r := 0; r < 8; r++ {
		for c := 0; c < 8; c++ {
			aanScale[r*8+c] = int32(math.Round(16384 * s(r) * s(c)))
		}
	}
}

// fastMultipliers is the dequantization table of the fast transform: each
// quantizer scaled by its AAN factor, kept to 2 fractional bits and stored
// in 16 bits as libjpeg does.
func fastMultipliers(q *[64]uint16) (m [64]int16) {
	for i := range m {
		m[i] = int16((int64(q[i])*int64(aanScale[i]) + 1<<11) >> 12)
	}
	return m
}

// accurateMultipliers is the dequantization table of the accurate and the
// reduced-size transforms: the quantizers themselves, stored in 16 bits.
func accurateMultipliers(q *[64]uint16) (m [64]int16) {
	for i := range m {
		m[i] = int16(q[i])
	}
	return m
}

// Constants of the fast transform: round(x·256), pre-shifted by 6 bits
// for a 16×16→high-16 multiply of values pre-shifted by 2, which is how
// libjpeg-turbo's SSE2 code (what TensorFlow runs on x86-64) computes the
// C code's (x·c)>>8. The -2.613 factor is applied as -1.613 and a
// subtraction to stay within 16 bits.
const (
	fast1414  = 362 << 6          // √2
	fast1847  = 473 << 6          // 2·cos(π/8)
	fast1082  = 277 << 6          // 2·(cos(π/8) - cos(3π/8))
	fastM1613 = -(669 - 256) << 6 // -(2·(cos(π/8) + cos(3π/8)) - 1)
)

// mulHigh is the SSE2 pmulhw instruction: the high 16 bits of a signed
// 16×16-bit product.
func mulHigh(x int16, c int32) int16 { return int16((int32(x) * c) >> 16) }

// sat8 is the final step of libjpeg-turbo's SIMD transforms: saturate to a
// signed byte (packsswb) and add the 128 offset.
func sat8(v int16) byte {
	if v < -128 {
		v = -128
	} else if v > 127 {
		v = 127
	}
	return byte(v + 128)
}

// idctFast is libjpeg's JDCT_IFAST 8×8 transform (TensorFlow's default
// dct_method) with the 16-bit arithmetic of libjpeg-turbo's SSE2 version:
// every intermediate wraps at 16 bits, products are truncated, the output
// is shifted by 5 and saturated. On valid data this equals the C version;
// on corrupt data with huge coefficients it reproduces the x86-64 build.
func idctFast(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	var ws [64]int16
	acZero := true
	for _, v := range coef[1:] {
		if v != 0 {
			acZero = false
			break
		}
	}
	if acZero {
		v := sat8((coef[0] * mult[0]) >> 5)
		for r := 0; r < 8; r++ {
			o := out[r*stride : r*stride+8 : r*stride+8]
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = v, v, v, v, v, v, v, v
		}
		return
	}
	for c := 0; c < 8; c++ {
		in0, in2 := coef[c]*mult[c], coef[16+c]*mult[16+c]
		in4, in6 := coef[32+c]*mult[32+c], coef[48+c]*mult[48+c]
		in1, in3 := coef[8+c]*mult[8+c], coef[24+c]*mult[24+c]
		in5, in7 := coef[40+c]*mult[40+c], coef[56+c]*mult[56+c]
		d0, d1, d2, d3, d4, d5, d6, d7 := fast1D(in0, in1, in2, in3, in4, in5, in6, in7)
		ws[c], ws[8+c], ws[16+c], ws[24+c] = d0, d1, d2, d3
		ws[32+c], ws[40+c], ws[48+c], ws[56+c] = d4, d5, d6, d7
	}
	for r := 0; r < 8; r++ {
		w := ws[r*8 : r*8+8 : r*8+8]
		o := out[r*stride : r*stride+8 : r*stride+8]
		d0, d1, d2, d3, d4, d5, d6, d7 := fast1D(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
		o[0], o[1], o[2], o[3] = sat8(d0>>5), sat8(d1>>5), sat8(d2>>5), sat8(d3>>5)
		o[4], o[5], o[6], o[7] = sat8(d4>>5), sat8(d5>>5), sat8(d6>>5), sat8(d7>>5)
	}
}

// fast1D is one 8-point pass of the fast transform (Arai-Agui-Nakajima as
// in libjpeg's jidctfst.c, 16-bit).
func fast1D(in0, in1, in2, in3, in4, in5, in6, in7 int16) (d0, d1, d2, d3, d4, d5, d6, d7 int16) {
	// Even part.
	t10, t11 := in0+in4, in0-in4
	t13 := in2 + in6
	t12 := mulHigh((in2-in6)<<2, fast1414) - t13
	e0, e3 := t10+t13, t10-t13
	e1, e2 := t11+t12, t11-t12
	// Odd part.
	z12, z10 := in1-in7, in5-in3
	z11, z13 := in1+in7, in5+in3
	z10s, z12s := z10<<2, z12<<2
	o7 := z11 + z13
	o11 := mulHigh((z11-z13)<<2, fast1414)
	z5 := mulHigh(z10s+z12s, fast1847)
	o12 := mulHigh(z10s, fastM1613) - z10 + z5
	o10 := mulHigh(z12s, fast1082) - z5
	o6 := o12 - o7
	o5 := o11 - o6
	o4 := o10 + o5
	return e0 + o7, e1 + o6, e2 + o5, e3 - o4, e3 + o4, e2 - o5, e1 - o6, e0 - o7
}

// Fixed-point constants of the accurate transforms: round(x·8192).
const (
	fix0211 = 1730  // 0.211164243
	fix0298 = 2446  // 0.298631336
	fix0390 = 3196  // 0.390180644
	fix0509 = 4176  // 0.509795579
	fix0541 = 4433  // 0.541196100
	fix0601 = 4926  // 0.601344887
	fix0720 = 5906  // 0.720959822
	fix0765 = 6270  // 0.765366865
	fix0850 = 6967  // 0.850430095
	fix0899 = 7373  // 0.899976223
	fix1061 = 8697  // 1.061594337
	fix1175 = 9633  // 1.175875602
	fix1272 = 10426 // 1.272758580
	fix1451 = 11893 // 1.451774981
	fix1501 = 12299 // 1.501321110
	fix1847 = 15137 // 1.847759065
	fix1961 = 16069 // 1.961570560
	fix2053 = 16819 // 2.053119869
	fix2172 = 17799 // 2.172734803
	fix2562 = 20995 // 2.562915447
	fix3072 = 25172 // 3.072711026
	fix3624 = 29692 // 3.624509785
)

// descale divides by 2^n rounding half up, as libjpeg's DESCALE.
func descale(x int, n uint) int { return (x + 1<<(n-1)) >> n }

// sat16 is the SSE2 packssdw instruction: saturate to 16 bits.
func sat16(v int32) int16 {
	if v < -32768 {
		return -32768
	} else if v > 32767 {
		return 32767
	}
	return int16(v)
}

// The accurate transforms below follow libjpeg-turbo's SSE2 versions of
// jidctint.c and jidctred.c, which regroup the products of the C code
// (same constants, exactly equal results on valid data) and keep
// dequantized coefficients and inter-pass values in 16 bits with
// saturation; on corrupt data with huge coefficients this is what
// TensorFlow's x86-64 build computes.

// accurate1D is one 8-point pass of the accurate (Loeffler-Ligtenberg-
// Moschytz) transform on 16-bit inputs with 32-bit products, descaled by
// shift with rounding and saturated to 16 bits.
func accurate1D(in0, in1, in2, in3, in4, in5, in6, in7 int16, shift uint) (d0, d1, d2, d3, d4, d5, d6, d7 int16) {
	round := int32(1) << (shift - 1)
	z2, z3 := int32(in2), int32(in6)
	t3 := z2*(fix0541+fix0765) + z3*fix0541
	t2 := z2*fix0541 + z3*(fix0541-fix1847)
	t0 := int32(in0+in4) << 13
	t1 := int32(in0-in4) << 13
	t10, t13 := t0+t3, t0-t3
	t11, t12 := t1+t2, t1-t2

	z3 = int32(in3 + in7)
	z4 := int32(in1 + in5)
	z3, z4 = z3*(fix1175-fix1961)+z4*fix1175, z3*fix1175+z4*(fix1175-fix0390)
	i1, i3, i5, i7 := int32(in1), int32(in3), int32(in5), int32(in7)
	o0 := i7*(fix0298-fix0899) - i1*fix0899 + z3
	o3 := -i7*fix0899 + i1*(fix1501-fix0899) + z4
	o1 := i5*(fix2053-fix2562) - i3*fix2562 + z4
	o2 := -i5*fix2562 + i3*(fix3072-fix2562) + z3
	return sat16((t10 + o3 + round) >> shift), sat16((t11 + o2 + round) >> shift),
		sat16((t12 + o1 + round) >> shift), sat16((t13 + o0 + round) >> shift),
		sat16((t13 - o0 + round) >> shift), sat16((t12 - o1 + round) >> shift),
		sat16((t11 - o2 + round) >> shift), sat16((t10 - o3 + round) >> shift)
}

// rowsZero reports whether the coefficient rows listed are all zero.
func rowsZero(coef *[64]int16, rows ...int) bool {
	for _, r := range rows {
		for _, v := range coef[r*8 : r*8+8] {
			if v != 0 {
				return false
			}
		}
	}
	return true
}

// idctAccurate is libjpeg's JDCT_ISLOW 8×8 transform (TensorFlow's
// INTEGER_ACCURATE): 13-bit constants, 2 extra bits between the passes,
// rounded descaling.
func idctAccurate(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	var ws [64]int16
	if rowsZero(coef, 1, 2, 3, 4, 5, 6, 7) {
		// Only row 0 is set: each column is constant after pass 1.
		for c := 0; c < 8; c++ {
			v := (coef[c] * mult[c]) << 2
			for r := 0; r < 8; r++ {
				ws[r*8+c] = v
			}
		}
	} else {
		for c := 0; c < 8; c++ {
			ws[c], ws[8+c], ws[16+c], ws[24+c], ws[32+c], ws[40+c], ws[48+c], ws[56+c] = accurate1D(
				coef[c]*mult[c], coef[8+c]*mult[8+c], coef[16+c]*mult[16+c], coef[24+c]*mult[24+c],
				coef[32+c]*mult[32+c], coef[40+c]*mult[40+c], coef[48+c]*mult[48+c], coef[56+c]*mult[56+c], 11)
		}
	}
	for r := 0; r < 8; r++ {
		w := ws[r*8 : r*8+8 : r*8+8]
		o := out[r*stride : r*stride+8 : r*stride+8]
		d0, d1, d2, d3, d4, d5, d6, d7 := accurate1D(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], 18)
		o[0], o[1], o[2], o[3] = sat8(d0), sat8(d1), sat8(d2), sat8(d3)
		o[4], o[5], o[6], o[7] = sat8(d4), sat8(d5), sat8(d6), sat8(d7)
	}
}

// reduced4 is one 8-to-4 pass of libjpeg's 1/2-scale transform: the four
// means of adjacent output pairs of the 8-point transform.
func reduced4(in0, in1, in2, in3, in5, in6, in7 int16, shift uint) (d0, d1, d2, d3 int16) {
	round := int32(1) << (shift - 1)
	i1, i3, i5, i7 := int32(in1), int32(in3), int32(in5), int32(in7)
	o2 := i1*fix2562 + i3*fix0899 - i5*fix0601 - i7*fix0509
	o0 := i1*fix1061 - i3*fix2172 + i5*fix1451 - i7*fix0211
	e0 := int32(in0) << 14
	e2 := int32(in2)*fix1847 - int32(in6)*fix0765
	t10, t12 := e0+e2, e0-e2
	return sat16((t10 + o2 + round) >> shift), sat16((t12 + o0 + round) >> shift),
		sat16((t12 - o0 + round) >> shift), sat16((t10 - o2 + round) >> shift)
}

// idct4x4 is libjpeg's reduced transform for 1/2-scale output: each output
// sample is (up to rounding) the mean of a 2×2 group of the full
// transform's output. Row and column 4 of the coefficients do not
// contribute. libjpeg uses it whatever dct_method says.
func idct4x4(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	var ws [32]int16
	if rowsZero(coef, 1, 2, 3, 5, 6, 7) {
		for c := 0; c < 8; c++ {
			v := (coef[c] * mult[c]) << 2
			ws[c], ws[8+c], ws[16+c], ws[24+c] = v, v, v, v
		}
	} else {
		for c := 0; c < 8; c++ {
			ws[c], ws[8+c], ws[16+c], ws[24+c] = reduced4(
				coef[c]*mult[c], coef[8+c]*mult[8+c], coef[16+c]*mult[16+c], coef[24+c]*mult[24+c],
				coef[40+c]*mult[40+c], coef[48+c]*mult[48+c], coef[56+c]*mult[56+c], 12)
		}
	}
	for r := 0; r < 4; r++ {
		w := ws[r*8 : r*8+8 : r*8+8]
		o := out[r*stride : r*stride+4 : r*stride+4]
		d0, d1, d2, d3 := reduced4(w[0], w[1], w[2], w[3], w[5], w[6], w[7], 19)
		o[0], o[1], o[2], o[3] = sat8(d0), sat8(d1), sat8(d2), sat8(d3)
	}
}

// idct2x2 is libjpeg's reduced transform for 1/4-scale output (the means
// of 4×4 groups); only coefficient rows and columns 0, 1, 3, 5 and 7
// contribute. As in the SSE2 code, the column-0 results stay 32-bit
// between the passes and the others are saturated to 16 bits.
func idct2x2(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	var a, b [8]int32 // pass-1 results for output rows 0 and 1, per column
	for _, c := range [...]int{0, 1, 3, 5, 7} {
		t0 := int32(coef[8+c]*mult[8+c])*fix3624 - int32(coef[24+c]*mult[24+c])*fix1272 +
			int32(coef[40+c]*mult[40+c])*fix0850 - int32(coef[56+c]*mult[56+c])*fix0720
		t10 := int32(coef[c]*mult[c]) << 15
		a[c] = (t10 + t0 + 1<<12) >> 13
		b[c] = (t10 - t0 + 1<<12) >> 13
	}
	for r, w := range [2]*[8]int32{&a, &b} {
		t0 := int32(sat16(w[1]))*fix3624 - int32(sat16(w[3]))*fix1272 +
			int32(sat16(w[5]))*fix0850 - int32(sat16(w[7]))*fix0720
		t10 := w[0] << 15
		out[r*stride] = sat8(sat16((t10 + t0 + 1<<19) >> 20))
		out[r*stride+1] = sat8(sat16((t10 - t0 + 1<<19) >> 20))
	}
}

// idct1x1 is libjpeg's 1/8-scale transform: the block mean, DC/8 rounded.
func idct1x1(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	out[0] = rangeLimit[descale(int(coef[0])*int(mult[0]), 3)&1023]
}
