package tfjpeg

// Arithmetic-coded JPEG (SOF9, SOF10), which TensorFlow's libjpeg-turbo
// build decodes: the binary arithmetic decoder of Annex D of T.81 with the
// statistical models of sections F.1.4.4 and G.1.3.

// qeTable is Table D.2 of T.81: for each state, the LPS probability
// estimate Qe, the next state after an LPS and after an MPS, and whether
// an LPS switches the sense of the MPS. Entry 113 is a fixed estimate of
// 0.5 (T.851), used for sign and refinement bits.
var qeTable = [114][4]uint16{
	{0x5a1d, 1, 1, 1}, {0x2586, 14, 2, 0}, {0x1114, 16, 3, 0}, {0x080b, 18, 4, 0},
	{0x03d8, 20, 5, 0}, {0x01da, 23, 6, 0}, {0x00e5, 25, 7, 0}, {0x006f, 28, 8, 0},
	{0x0036, 30, 9, 0}, {0x001a, 33, 10, 0}, {0x000d, 35, 11, 0}, {0x0006, 9, 12, 0},
	{0x0003, 10, 13, 0}, {0x0001, 12, 13, 0}, {0x5a7f, 15, 15, 1}, {0x3f25, 36, 16, 0},
	{0x2cf2, 38, 17, 0}, {0x207c, 39, 18, 0}, {0x17b9, 40, 19, 0}, {0x1182, 42, 20, 0},
	{0x0cef, 43, 21, 0}, {0x09a1, 45, 22, 0}, {0x072f, 46, 23, 0}, {0x055c, 48, 24, 0},
	{0x0406, 49, 25, 0}, {0x0303, 51, 26, 0}, {0x0240, 52, 27, 0}, {0x01b1, 54, 28, 0},
	{0x0144, 56, 29, 0}, {0x00f5, 57, 30, 0}, {0x00b7, 59, 31, 0}, {0x008a, 60, 32, 0},
	{0x0068, 62, 33, 0}, {0x004e, 63, 34, 0}, {0x003b, 32, 35, 0}, {0x002c, 33, 9, 0},
	{0x5ae1, 37, 37, 1}, {0x484c, 64, 38, 0}, {0x3a0d, 65, 39, 0}, {0x2ef1, 67, 40, 0},
	{0x261f, 68, 41, 0}, {0x1f33, 69, 42, 0}, {0x19a8, 70, 43, 0}, {0x1518, 72, 44, 0},
	{0x1177, 73, 45, 0}, {0x0e74, 74, 46, 0}, {0x0bfb, 75, 47, 0}, {0x09f8, 77, 48, 0},
	{0x0861, 78, 49, 0}, {0x0706, 79, 50, 0}, {0x05cd, 48, 51, 0}, {0x04de, 50, 52, 0},
	{0x040f, 50, 53, 0}, {0x0363, 51, 54, 0}, {0x02d4, 52, 55, 0}, {0x025c, 53, 56, 0},
	{0x01f8, 54, 57, 0}, {0x01a4, 55, 58, 0}, {0x0160, 56, 59, 0}, {0x0125, 57, 60, 0},
	{0x00f6, 58, 61, 0}, {0x00cb, 59, 62, 0}, {0x00ab, 61, 63, 0}, {0x008f, 61, 32, 0},
	{0x5b12, 65, 65, 1}, {0x4d04, 80, 66, 0}, {0x412c, 81, 67, 0}, {0x37d8, 82, 68, 0},
	{0x2fe8, 83, 69, 0}, {0x293c, 84, 70, 0}, {0x2379, 86, 71, 0}, {0x1edf, 87, 72, 0},
	{0x1aa9, 87, 73, 0}, {0x174e, 72, 74, 0}, {0x1424, 72, 75, 0}, {0x119c, 74, 76, 0},
	{0x0f6b, 74, 77, 0}, {0x0d51, 75, 78, 0}, {0x0bb6, 77, 79, 0}, {0x0a40, 77, 48, 0},
	{0x5832, 80, 81, 1}, {0x4d1c, 88, 82, 0}, {0x438e, 89, 83, 0}, {0x3bdd, 90, 84, 0},
	{0x34ee, 91, 85, 0}, {0x2eae, 92, 86, 0}, {0x299a, 93, 87, 0}, {0x2516, 86, 71, 0},
	{0x5570, 88, 89, 1}, {0x4ca9, 95, 90, 0}, {0x44d9, 96, 91, 0}, {0x3e22, 97, 92, 0},
	{0x3824, 99, 93, 0}, {0x32b4, 99, 94, 0}, {0x2e17, 93, 86, 0}, {0x56a8, 95, 96, 1},
	{0x4f46, 101, 97, 0}, {0x47e5, 102, 98, 0}, {0x41cf, 103, 99, 0}, {0x3c3d, 104, 100, 0},
	{0x375e, 99, 93, 0}, {0x5231, 105, 102, 0}, {0x4c0f, 106, 103, 0}, {0x4639, 107, 104, 0},
	{0x415e, 103, 99, 0}, {0x5627, 105, 106, 1}, {0x50e7, 108, 107, 0}, {0x4b85, 109, 103, 0},
	{0x5597, 110, 109, 0}, {0x504f, 111, 107, 0}, {0x5a10, 110, 111, 1}, {0x5522, 112, 109, 0},
	{0x59eb, 112, 111, 1}, {0x5a1d, 113, 113, 0},
}

// arithDecoder holds the coding registers and the statistics bins of one
// arithmetic-coded scan. A bin holds the MPS sense in bit 7 and the
// Table D.2 state in the low bits.
type arithDecoder struct {
	s  *scanState
	c  uint64 // code register: interval base with the unread input bits below
	a  uint32 // interval size, normalized to ≥ 0x8000
	ct int    // input bits left in c below the base; -16 forces two initial bytes; -1 after an error

	dcStats   [16][64]byte // per conditioning table (16 in arithmetic coding)
	acStats   [16][256]byte
	fixed     byte
	lastDC    [maxCompsInScan]int32
	dcContext [maxCompsInScan]int
	err       error // the data ended and could not be recovered
}

func newArithDecoder(s *scanState) *arithDecoder {
	a := &arithDecoder{s: s, fixed: 113}
	a.reset(true)
	return a
}

// reset clears the statistics a scan uses and restarts the registers, at
// the start of a scan and after each restart marker.
func (a *arithDecoder) reset(all bool) {
	h := a.s.hdr
	prog := a.s.d.progressive
	for i := range h.comps {
		if !prog || (h.ss == 0 && h.ah == 0) {
			a.dcStats[h.dcTable[i]] = [64]byte{}
			a.lastDC[i] = 0
			a.dcContext[i] = 0
		}
		if !prog || h.ss != 0 {
			a.acStats[h.acTable[i]] = [256]byte{}
		}
	}
	a.c, a.a, a.ct = 0, 0, -16
}

func (a *arithDecoder) restart() { a.reset(false) }

// nextByte is libjpeg's get_byte with its marker handling: zeros after a
// marker; the end of the data is an error unless truncated files are
// recovered (then it reads as an EOI marker).
func (a *arithDecoder) nextByte() uint64 {
	br := &a.s.br
	if br.marker {
		return 0
	}
	get := func() (byte, bool) {
		if br.pos >= len(br.data) {
			if !br.atEnd() {
				if a.err == nil {
					a.err = &truncatedError{"inside arithmetic-coded data"}
				}
			}
			return 0, false
		}
		b := br.data[br.pos]
		br.pos++
		return b, true
	}
	b, ok := get()
	if !ok {
		return 0
	}
	if b != 0xFF {
		return uint64(b)
	}
	for {
		if b, ok = get(); !ok {
			return 0
		}
		if b != 0xFF {
			break
		}
	}
	if b == 0 {
		return 0xFF
	}
	br.marker = true
	br.markerCode = b
	return 0
}

// decode decodes one binary decision with statistics bin st (sections
// D.2.4 to D.2.6).
func (a *arithDecoder) decode(st *byte) int {
	for a.a < 0x8000 {
		a.ct--
		if a.ct < 0 {
			a.c = a.c<<8 | a.nextByte()
			a.ct += 8
			if a.ct < 0 {
				a.ct++
				if a.ct == 0 {
					a.a = 0x8000 // two initial bytes read
				}
			}
		}
		a.a <<= 1
	}
	sv := *st
	e := &qeTable[sv&0x7F]
	qe := uint32(e[0])
	a.a -= qe
	t := uint64(a.a) << uint(a.ct)
	if a.c >= t {
		a.c -= t
		// Conditional LPS exchange.
		if a.a < qe {
			a.a = qe
			*st = sv&0x80 ^ byte(e[2])
		} else {
			a.a = qe
			*st = sv&0x80 ^ byte(e[1]) ^ byte(e[3]<<7)
			sv ^= 0x80
		}
	} else if a.a < 0x8000 {
		// Conditional MPS exchange.
		if a.a < qe {
			*st = sv&0x80 ^ byte(e[1]) ^ byte(e[3]<<7)
			sv ^= 0x80
		} else {
			*st = sv&0x80 ^ byte(e[2])
		}
	}
	return int(sv >> 7)
}

// decodeMCU decodes one MCU of the current scan.
func (a *arithDecoder) decodeMCU(blocks []*[64]int16) error {
	s := a.s
	if a.ct == -1 {
		return a.err // after corrupt data, the rest of the scan stays zero
	}
	h := s.hdr
	switch {
	case !s.d.progressive:
		a.sequential(blocks)
	case h.ss == 0 && h.ah == 0:
		a.dcFirst(blocks)
	case h.ss == 0:
		p1 := int16(1) << uint(h.al)
		for _, b := range blocks {
			if a.decode(&a.fixed) != 0 {
				b[0] |= p1
			}
		}
	case h.ah == 0:
		a.acFirst(blocks[0])
	default:
		a.acRefine(blocks[0])
	}
	return a.err
}

// dcDiff decodes a DC difference (Figures F.19 to F.24) and updates the
// conditioning context of scan component i. ok is false on corrupt data.
func (a *arithDecoder) dcDiff(i int) (diff int32, ok bool) {
	tbl := a.s.hdr.dcTable[i]
	stats := &a.dcStats[tbl]
	st := a.dcContext[i]
	if a.decode(&stats[st]) == 0 {
		a.dcContext[i] = 0
		return 0, true
	}
	sign := a.decode(&stats[st+1])
	st += 2 + sign
	m := a.decode(&stats[st])
	if m != 0 {
		if m, st = a.category(stats[:], 20, m); m == 0 {
			return 0, false
		}
	}
	l, u := int(a.s.d.arithDCL[tbl]), int(a.s.d.arithDCU[tbl])
	switch {
	case m < (1<<uint(l))>>1:
		a.dcContext[i] = 0
	case m > (1<<uint(u))>>1:
		a.dcContext[i] = 12 + sign*4
	default:
		a.dcContext[i] = 4 + sign*4
	}
	return a.magnitude(stats[:], st+14, m, sign), true
}

// category continues Figure F.23 from magnitude m ≥ 1 with the bins from
// st: each 1 doubles m. It returns m = 0 (and marks the scan corrupt) when
// the magnitude overflows 15 bits, else m and the last bin used.
func (a *arithDecoder) category(stats []byte, st, m int) (int, int) {
	for a.decode(&stats[st]) != 0 {
		m <<= 1
		if m == 0x8000 {
			a.ct = -1
			return 0, st
		}
		st++
	}
	return m, st
}

// magnitude is Figure F.24 plus the sign: the bits below the leading 1 of
// m, from the bin at st.
func (a *arithDecoder) magnitude(stats []byte, st, m, sign int) int32 {
	v := m
	for m >>= 1; m != 0; m >>= 1 {
		if a.decode(&stats[st]) != 0 {
			v |= m
		}
	}
	v++
	if sign != 0 {
		v = -v
	}
	return int32(v)
}

// acValue decodes the size and magnitude of a non-zero AC coefficient at
// position k whose statistics start at st (Figures F.21 to F.24).
func (a *arithDecoder) acValue(stats *[256]byte, st, k int, tbl int) (int32, bool) {
	sign := a.decode(&a.fixed)
	st += 2
	m := a.decode(&stats[st])
	if m != 0 && a.decode(&stats[st]) != 0 {
		st = 217
		if k <= int(a.s.d.arithACK[tbl]) {
			st = 189
		}
		if m, st = a.category(stats[:], st, 2); m == 0 {
			return 0, false
		}
	}
	return a.magnitude(stats[:], st+14, m, sign), true
}

// acRun decodes the AC coefficients k0..se of one block (Figure F.20),
// storing v<<al. It returns false on corrupt data.
func (a *arithDecoder) acRun(blk *[64]int16, tbl, k0, se int, al uint) bool {
	stats := &a.acStats[tbl]
	for k := k0; k <= se; k++ {
		st := 3 * (k - 1)
		if a.decode(&stats[st]) != 0 {
			break // end of block
		}
		for a.decode(&stats[st+1]) == 0 {
			st += 3
			k++
			if k > se {
				a.ct = -1
				return false
			}
		}
		v, ok := a.acValue(stats, st, k, tbl)
		if !ok {
			return false
		}
		blk[zigzag[k]] = int16(uint32(v) << al)
	}
	return true
}

func (a *arithDecoder) sequential(blocks []*[64]int16) {
	s := a.s
	for b, blk := range blocks {
		i := s.blocks[b].comp
		diff, ok := a.dcDiff(i)
		if !ok {
			return
		}
		a.lastDC[i] = (a.lastDC[i] + diff) & 0xFFFF
		blk[0] = int16(a.lastDC[i])
		if !a.acRun(blk, s.hdr.acTable[i], 1, 63, 0) {
			return
		}
	}
}

func (a *arithDecoder) dcFirst(blocks []*[64]int16) {
	s := a.s
	for b, blk := range blocks {
		i := s.blocks[b].comp
		diff, ok := a.dcDiff(i)
		if !ok {
			return
		}
		a.lastDC[i] = (a.lastDC[i] + diff) & 0xFFFF
		blk[0] = int16(uint32(a.lastDC[i]) << uint(s.hdr.al))
	}
}

func (a *arithDecoder) acFirst(blk *[64]int16) {
	h := a.s.hdr
	a.acRun(blk, h.acTable[0], h.ss, h.se, uint(h.al))
}

// acRefine is a successive-approximation AC refinement scan (G.1.3.3).
func (a *arithDecoder) acRefine(blk *[64]int16) {
	h := a.s.hdr
	stats := &a.acStats[h.acTable[0]]
	p1 := int16(1) << uint(h.al)
	m1 := int16(-1) << uint(h.al)
	kex := h.se // last coefficient non-zero after the previous stage
	for ; kex > 0; kex-- {
		if blk[zigzag[kex]] != 0 {
			break
		}
	}
	for k := h.ss; k <= h.se; k++ {
		st := 3 * (k - 1)
		if k > kex && a.decode(&stats[st]) != 0 {
			break
		}
		for {
			coef := &blk[zigzag[k]]
			if *coef != 0 {
				if a.decode(&stats[st+2]) != 0 {
					if *coef < 0 {
						*coef += m1
					} else {
						*coef += p1
					}
				}
				break
			}
			if a.decode(&stats[st+1]) != 0 {
				if a.decode(&a.fixed) != 0 {
					*coef = m1
				} else {
					*coef = p1
				}
				break
			}
			st += 3
			k++
			if k > h.se {
				a.ct = -1
				return
			}
		}
	}
}
