package tfjpeg

// bitReader reads entropy-coded data the way libjpeg-turbo's Huffman
// decoder does. The decoded values only depend on the bit stream (real
// bits up to the marker that ends the segment, then zeros), but where a
// truncated file stops decoding depends on when the buffer is refilled, so
// both of libjpeg's refill policies are reproduced: the "fast" one, used
// for an MCU that starts with at least 512 bytes per block left and no
// restart interval, and the "slow" one otherwise.
type bitReader struct {
	data []byte
	pos  int    // next byte to load
	acc  uint64 // loaded bits; the low n bits are unread
	n    int

	// marker: loading stopped at a marker (libjpeg's unread_marker);
	// markerCode is its code and pos is just past it.
	marker     bool
	markerCode byte
	// fakeEOI: the data ended and, as TensorFlow's try_recover_truncated
	// does, an EOI marker was pretended there.
	fakeEOI bool
	// insufficient: a bit past the end of the segment was needed; the
	// rest of the segment decodes as zero blocks (libjpeg's
	// insufficient_data).
	insufficient     bool
	recoverTruncated bool
	// fastMarker: a fast-policy refill ran into a marker; the MCU is then
	// decoded again with the slow policy, as libjpeg does.
	fastMarker bool
}

// minGetBits is how far a slow refill loads the 64-bit buffer.
const minGetBits = 57

// atEnd handles the end of the data inside a segment: with recovery a fake
// EOI marker ends the segment, otherwise decoding suspends.
func (br *bitReader) atEnd() bool {
	if !br.recoverTruncated {
		return false
	}
	br.marker = true
	br.markerCode = markerEOI
	br.fakeEOI = true
	return true
}

// fill is libjpeg's jpeg_fill_bit_buffer: load bytes until 57 bits are
// buffered or a marker is found; past a marker, supply zero bits and flag
// insufficient data if more than the remaining nbits were asked for. It
// returns false when decoding must suspend.
func (br *bitReader) fill(nbits int) bool {
	if !br.marker {
		for br.n < minGetBits {
			if br.pos >= len(br.data) {
				if !br.atEnd() {
					return false
				}
				break
			}
			c := br.data[br.pos]
			br.pos++
			if c == 0xFF {
				// Skip fill bytes; FF 00 is a data byte 0xFF, FF xx a marker.
				for {
					if br.pos >= len(br.data) {
						if !br.atEnd() {
							return false
						}
						break
					}
					c = br.data[br.pos]
					br.pos++
					if c != 0xFF {
						break
					}
				}
				if br.marker {
					break
				}
				if c == 0 {
					c = 0xFF
				} else {
					br.marker = true
					br.markerCode = c
					break
				}
			}
			br.acc = br.acc<<8 | uint64(c)
			br.n += 8
		}
		if !br.marker {
			return true
		}
	}
	if nbits > br.n {
		br.insufficient = true
		br.acc <<= uint(minGetBits - br.n)
		br.n = minGetBits
	}
	return true
}

// fillFast is libjpeg-turbo's FILL_BIT_BUFFER_FAST: when 16 bits or fewer
// are left, load 6 bytes without looking for the end of the data (the
// caller guarantees plenty). A marker sets fastMarker and reads as zero
// bytes.
func (br *bitReader) fillFast() {
	if br.n > 16 {
		return
	}
	for i := 0; i < 6; i++ {
		if br.pos+1 >= len(br.data) {
			// Cannot happen with 512 bytes per block left; be safe anyway.
			br.fastMarker = true
			br.acc <<= 8
			br.n += 8
			continue
		}
		c := br.data[br.pos]
		br.pos++
		br.acc = br.acc<<8 | uint64(c)
		br.n += 8
		if c == 0xFF {
			next := br.data[br.pos]
			br.pos++
			if next != 0 {
				br.fastMarker = true
				br.pos -= 2
				br.acc &^= 0xFF
			}
		}
	}
}

// bits returns the next k bits (k ≤ 16) after the caller made sure they
// are buffered.
func (br *bitReader) bits(k int) int32 {
	br.n -= k
	return int32(br.acc>>uint(br.n)) & (1<<uint(k) - 1)
}

// receive is libjpeg's CHECK_BIT_BUFFER + GET_BITS for the slow policy.
func (br *bitReader) receive(k int) (int32, bool) {
	if br.n < k {
		if !br.fill(k) {
			return 0, false
		}
	}
	return br.bits(k), true
}

// decodeHuff decodes one Huffman symbol. fast selects libjpeg-turbo's fast
// refill policy (see bitReader). ok is false on suspension.
func (br *bitReader) decodeHuff(t *huffTable, fast bool) (sym byte, ok bool) {
	l := 1
	if fast {
		br.fillFast()
	} else if br.n < lookaheadBits {
		if !br.fill(0) {
			return 0, false
		}
		if br.n < lookaheadBits {
			goto serial
		}
	}
	{
		e := t.lookup[(br.acc>>uint(br.n-lookaheadBits))&(1<<lookaheadBits-1)]
		if nb := int(e >> lookaheadBits); nb <= lookaheadBits {
			br.n -= nb
			return byte(e), true
		}
		l = lookaheadBits + 1
	}
serial:
	// Figure F.16: collect the rest of the code bit by bit.
	if !fast && br.n < l {
		if !br.fill(l) {
			return 0, false
		}
	}
	code := br.bits(l)
	for code > t.maxCode[l] {
		if !fast && br.n < 1 {
			if !br.fill(1) {
				return 0, false
			}
		}
		code = code<<1 | br.bits(1)
		l++
	}
	if l > 16 {
		return 0, true // corrupt data: libjpeg fakes a zero
	}
	return t.symbols[byte(code+t.valOffset[l])], true
}

// extend is Figure F.12: the signed value of an s-bit magnitude category.
func extend(v int32, s int) int32 {
	if v < 1<<uint(s-1) {
		return v + (-1 << uint(s)) + 1
	}
	return v
}
