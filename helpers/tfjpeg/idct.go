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

// Fixed-point constants of the fast transform: round(x·256).
const (
	fast1414 = 362 // √2
	fast1847 = 473 // 2·cos(π/8)
	fast1082 = 277 // 2·(cos(π/8) - cos(3π/8))
	fast2613 = 669 // 2·(cos(π/8) + cos(3π/8))
)

// fastMul multiplies by an 8-bit fixed-point constant, truncating the
// product to a 16-bit intermediate as libjpeg's fast transform does.
func fastMul(x, c int32) int16 { return int16((x * c) >> 8) }

// idctFast is libjpeg's JDCT_IFAST 8×8 transform (TensorFlow's default
// dct_method): 16-bit intermediates, products truncated rather than
// rounded, outputs truncated after a shift by 5.
func idctFast(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	var ws [64]int32
	for c := 0; c < 8; c++ {
		if coef[8+c] == 0 && coef[16+c] == 0 && coef[24+c] == 0 && coef[32+c] == 0 &&
			coef[40+c] == 0 && coef[48+c] == 0 && coef[56+c] == 0 {
			dc := int32(int16(int32(coef[c]) * int32(mult[c])))
			for r := 0; r < 8; r++ {
				ws[r*8+c] = dc
			}
			continue
		}
		// Even part.
		t0 := int16(int32(coef[c]) * int32(mult[c]))
		t1 := int16(int32(coef[16+c]) * int32(mult[16+c]))
		t2 := int16(int32(coef[32+c]) * int32(mult[32+c]))
		t3 := int16(int32(coef[48+c]) * int32(mult[48+c]))
		t10 := t0 + t2
		t11 := t0 - t2
		t13 := t1 + t3
		t12 := fastMul(int32(t1)-int32(t3), fast1414) - t13
		e0, e3 := t10+t13, t10-t13
		e1, e2 := t11+t12, t11-t12
		// Odd part.
		t4 := int16(int32(coef[8+c]) * int32(mult[8+c]))
		t5 := int16(int32(coef[24+c]) * int32(mult[24+c]))
		t6 := int16(int32(coef[40+c]) * int32(mult[40+c]))
		t7 := int16(int32(coef[56+c]) * int32(mult[56+c]))
		z13, z10 := t6+t5, t6-t5
		z11, z12 := t4+t7, t4-t7
		o7 := z11 + z13
		o11 := fastMul(int32(z11)-int32(z13), fast1414)
		z5 := fastMul(int32(z10)+int32(z12), fast1847)
		o10 := fastMul(int32(z12), fast1082) - z5
		o12 := fastMul(int32(z10), -fast2613) + z5
		o6 := o12 - o7
		o5 := o11 - o6
		o4 := o10 + o5
		ws[c] = int32(e0) + int32(o7)
		ws[56+c] = int32(e0) - int32(o7)
		ws[8+c] = int32(e1) + int32(o6)
		ws[48+c] = int32(e1) - int32(o6)
		ws[16+c] = int32(e2) + int32(o5)
		ws[40+c] = int32(e2) - int32(o5)
		ws[32+c] = int32(e3) + int32(o4)
		ws[24+c] = int32(e3) - int32(o4)
	}
	for r := 0; r < 8; r++ {
		w := ws[r*8 : r*8+8 : r*8+8]
		o := out[r*stride : r*stride+8 : r*stride+8]
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			v := rangeLimit[(w[0]>>5)&1023]
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = v, v, v, v, v, v, v, v
			continue
		}
		w0, w1, w2, w3 := int16(w[0]), int16(w[1]), int16(w[2]), int16(w[3])
		w4, w5, w6, w7 := int16(w[4]), int16(w[5]), int16(w[6]), int16(w[7])
		t10 := w0 + w4
		t11 := w0 - w4
		t13 := w2 + w6
		t12 := fastMul(int32(w2)-int32(w6), fast1414) - t13
		e0, e3 := t10+t13, t10-t13
		e1, e2 := t11+t12, t11-t12
		z13, z10 := w5+w3, w5-w3
		z11, z12 := w1+w7, w1-w7
		o7 := z11 + z13
		o11 := fastMul(int32(z11)-int32(z13), fast1414)
		z5 := fastMul(int32(z10)+int32(z12), fast1847)
		o10 := fastMul(int32(z12), fast1082) - z5
		o12 := fastMul(int32(z10), -fast2613) + z5
		o6 := o12 - o7
		o5 := o11 - o6
		o4 := o10 + o5
		o[0] = rangeLimit[((int32(e0)+int32(o7))>>5)&1023]
		o[7] = rangeLimit[((int32(e0)-int32(o7))>>5)&1023]
		o[1] = rangeLimit[((int32(e1)+int32(o6))>>5)&1023]
		o[6] = rangeLimit[((int32(e1)-int32(o6))>>5)&1023]
		o[2] = rangeLimit[((int32(e2)+int32(o5))>>5)&1023]
		o[5] = rangeLimit[((int32(e2)-int32(o5))>>5)&1023]
		o[4] = rangeLimit[((int32(e3)+int32(o4))>>5)&1023]
		o[3] = rangeLimit[((int32(e3)-int32(o4))>>5)&1023]
	}
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

// idctAccurate is libjpeg's JDCT_ISLOW 8×8 transform (TensorFlow's
// INTEGER_ACCURATE): 13-bit constants, 2 extra bits between the passes,
// rounded descaling.
func idctAccurate(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	var ws [64]int32
	for c := 0; c < 8; c++ {
		if coef[8+c] == 0 && coef[16+c] == 0 && coef[24+c] == 0 && coef[32+c] == 0 &&
			coef[40+c] == 0 && coef[48+c] == 0 && coef[56+c] == 0 {
			dc := int32((int(coef[c]) * int(mult[c])) << 2)
			for r := 0; r < 8; r++ {
				ws[r*8+c] = dc
			}
			continue
		}
		z2 := int(coef[16+c]) * int(mult[16+c])
		z3 := int(coef[48+c]) * int(mult[48+c])
		z1 := (z2 + z3) * fix0541
		t2 := z1 - z3*fix1847
		t3 := z1 + z2*fix0765
		z2 = int(coef[c]) * int(mult[c])
		z3 = int(coef[32+c]) * int(mult[32+c])
		t0 := (z2 + z3) << 13
		t1 := (z2 - z3) << 13
		t10, t13 := t0+t3, t0-t3
		t11, t12 := t1+t2, t1-t2

		t0 = int(coef[56+c]) * int(mult[56+c])
		t1 = int(coef[40+c]) * int(mult[40+c])
		t2 = int(coef[24+c]) * int(mult[24+c])
		t3 = int(coef[8+c]) * int(mult[8+c])
		z1 = t0 + t3
		z2 = t1 + t2
		z3 = t0 + t2
		z4 := t1 + t3
		z5 := (z3 + z4) * fix1175
		t0 *= fix0298
		t1 *= fix2053
		t2 *= fix3072
		t3 *= fix1501
		z1 *= -fix0899
		z2 *= -fix2562
		z3 = z3*-fix1961 + z5
		z4 = z4*-fix0390 + z5
		t0 += z1 + z3
		t1 += z2 + z4
		t2 += z2 + z3
		t3 += z1 + z4
		ws[c] = int32(descale(t10+t3, 11))
		ws[56+c] = int32(descale(t10-t3, 11))
		ws[8+c] = int32(descale(t11+t2, 11))
		ws[48+c] = int32(descale(t11-t2, 11))
		ws[16+c] = int32(descale(t12+t1, 11))
		ws[40+c] = int32(descale(t12-t1, 11))
		ws[24+c] = int32(descale(t13+t0, 11))
		ws[32+c] = int32(descale(t13-t0, 11))
	}
	for r := 0; r < 8; r++ {
		w := ws[r*8 : r*8+8 : r*8+8]
		o := out[r*stride : r*stride+8 : r*stride+8]
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			v := rangeLimit[descale(int(w[0]), 5)&1023]
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = v, v, v, v, v, v, v, v
			continue
		}
		z2, z3 := int(w[2]), int(w[6])
		z1 := (z2 + z3) * fix0541
		t2 := z1 - z3*fix1847
		t3 := z1 + z2*fix0765
		t0 := (int(w[0]) + int(w[4])) << 13
		t1 := (int(w[0]) - int(w[4])) << 13
		t10, t13 := t0+t3, t0-t3
		t11, t12 := t1+t2, t1-t2

		t0, t1, t2, t3 = int(w[7]), int(w[5]), int(w[3]), int(w[1])
		z1 = t0 + t3
		z2 = t1 + t2
		z3 = t0 + t2
		z4 := t1 + t3
		z5 := (z3 + z4) * fix1175
		t0 *= fix0298
		t1 *= fix2053
		t2 *= fix3072
		t3 *= fix1501
		z1 *= -fix0899
		z2 *= -fix2562
		z3 = z3*-fix1961 + z5
		z4 = z4*-fix0390 + z5
		t0 += z1 + z3
		t1 += z2 + z4
		t2 += z2 + z3
		t3 += z1 + z4
		o[0] = rangeLimit[descale(t10+t3, 18)&1023]
		o[7] = rangeLimit[descale(t10-t3, 18)&1023]
		o[1] = rangeLimit[descale(t11+t2, 18)&1023]
		o[6] = rangeLimit[descale(t11-t2, 18)&1023]
		o[2] = rangeLimit[descale(t12+t1, 18)&1023]
		o[5] = rangeLimit[descale(t12-t1, 18)&1023]
		o[3] = rangeLimit[descale(t13+t0, 18)&1023]
		o[4] = rangeLimit[descale(t13-t0, 18)&1023]
	}
}

// idct4x4 is libjpeg's reduced transform for 1/2-scale output: each output
// sample is (up to rounding) the mean of a 2×2 group of the full
// transform's output. Row and column 4 of the coefficients do not
// contribute. libjpeg uses it whatever dct_method says.
func idct4x4(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	var ws [32]int32
	for c := 0; c < 8; c++ {
		if c == 4 {
			continue
		}
		if coef[8+c] == 0 && coef[16+c] == 0 && coef[24+c] == 0 &&
			coef[40+c] == 0 && coef[48+c] == 0 && coef[56+c] == 0 {
			dc := int32((int(coef[c]) * int(mult[c])) << 2)
			ws[c], ws[8+c], ws[16+c], ws[24+c] = dc, dc, dc, dc
			continue
		}
		t0 := (int(coef[c]) * int(mult[c])) << 14
		z2 := int(coef[16+c]) * int(mult[16+c])
		z3 := int(coef[48+c]) * int(mult[48+c])
		t2 := z2*fix1847 - z3*fix0765
		t10, t12 := t0+t2, t0-t2
		z1 := int(coef[56+c]) * int(mult[56+c])
		z2 = int(coef[40+c]) * int(mult[40+c])
		z3 = int(coef[24+c]) * int(mult[24+c])
		z4 := int(coef[8+c]) * int(mult[8+c])
		t0 = -z1*fix0211 + z2*fix1451 - z3*fix2172 + z4*fix1061
		t2 = -z1*fix0509 - z2*fix0601 + z3*fix0899 + z4*fix2562
		ws[c] = int32(descale(t10+t2, 12))
		ws[24+c] = int32(descale(t10-t2, 12))
		ws[8+c] = int32(descale(t12+t0, 12))
		ws[16+c] = int32(descale(t12-t0, 12))
	}
	for r := 0; r < 4; r++ {
		w := ws[r*8 : r*8+8 : r*8+8]
		o := out[r*stride : r*stride+4 : r*stride+4]
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			v := rangeLimit[descale(int(w[0]), 5)&1023]
			o[0], o[1], o[2], o[3] = v, v, v, v
			continue
		}
		t0 := int(w[0]) << 14
		t2 := int(w[2])*fix1847 - int(w[6])*fix0765
		t10, t12 := t0+t2, t0-t2
		z1, z2, z3, z4 := int(w[7]), int(w[5]), int(w[3]), int(w[1])
		t0 = -z1*fix0211 + z2*fix1451 - z3*fix2172 + z4*fix1061
		t2 = -z1*fix0509 - z2*fix0601 + z3*fix0899 + z4*fix2562
		o[0] = rangeLimit[descale(t10+t2, 19)&1023]
		o[3] = rangeLimit[descale(t10-t2, 19)&1023]
		o[1] = rangeLimit[descale(t12+t0, 19)&1023]
		o[2] = rangeLimit[descale(t12-t0, 19)&1023]
	}
}

// idct2x2 is libjpeg's reduced transform for 1/4-scale output (the means
// of 4×4 groups); only coefficient rows and columns 0, 1, 3, 5 and 7
// contribute.
func idct2x2(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	var ws [16]int32
	for c := 0; c < 8; c++ {
		if c == 2 || c == 4 || c == 6 {
			continue
		}
		if coef[8+c] == 0 && coef[24+c] == 0 && coef[40+c] == 0 && coef[56+c] == 0 {
			dc := int32((int(coef[c]) * int(mult[c])) << 2)
			ws[c], ws[8+c] = dc, dc
			continue
		}
		t10 := (int(coef[c]) * int(mult[c])) << 15
		t0 := -int(coef[56+c])*int(mult[56+c])*fix0720 +
			int(coef[40+c])*int(mult[40+c])*fix0850 -
			int(coef[24+c])*int(mult[24+c])*fix1272 +
			int(coef[8+c])*int(mult[8+c])*fix3624
		ws[c] = int32(descale(t10+t0, 13))
		ws[8+c] = int32(descale(t10-t0, 13))
	}
	for r := 0; r < 2; r++ {
		w := ws[r*8 : r*8+8 : r*8+8]
		o := out[r*stride : r*stride+2 : r*stride+2]
		if w[1] == 0 && w[3] == 0 && w[5] == 0 && w[7] == 0 {
			v := rangeLimit[descale(int(w[0]), 5)&1023]
			o[0], o[1] = v, v
			continue
		}
		t10 := int(w[0]) << 15
		t0 := -int(w[7])*fix0720 + int(w[5])*fix0850 - int(w[3])*fix1272 + int(w[1])*fix3624
		o[0] = rangeLimit[descale(t10+t0, 20)&1023]
		o[1] = rangeLimit[descale(t10-t0, 20)&1023]
	}
}

// idct1x1 is libjpeg's 1/8-scale transform: the block mean, DC/8 rounded.
func idct1x1(coef *[64]int16, mult *[64]int16, out []byte, stride int) {
	out[0] = rangeLimit[descale(int(coef[0])*int(mult[0]), 3)&1023]
}
