package bundlepb

import "math/bits"

// SliceKey returns the table key under which a slice of tensor name is
// stored (V1 records and V2 slice entries): TensorFlow's
// EncodeTensorNameSlice, in its OrderedCode encoding — the number 0, the
// name, the rank, then per dimension the start and the length (start 0
// and length -1 for a full dimension) as signed ordered numbers.
func SliceKey(name string, s Slice) []byte {
	b := appendNumIncreasing(nil, 0)
	b = appendOrderedString(b, name)
	b = appendNumIncreasing(b, uint64(len(s)))
	for _, e := range s {
		start, length := e.Start, e.Length
		if !e.HasLength { // TensorSlice's kFullExtent
			length = -1
		}
		b = appendSignedNumIncreasing(b, start)
		b = appendSignedNumIncreasing(b, length)
	}
	return b
}

// appendNumIncreasing: a length byte, then the value big-endian without
// leading zero bytes.
func appendNumIncreasing(b []byte, v uint64) []byte {
	n := (bits.Len64(v) + 7) / 8
	b = append(b, byte(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// appendOrderedString escapes 0x00 as 00 ff and 0xff as ff 00, then ends
// the string with the separator 00 01.
func appendOrderedString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0x00:
			b = append(b, 0x00, 0xff)
		case 0xff:
			b = append(b, 0xff, 0x00)
		default:
			b = append(b, c)
		}
	}
	return append(b, 0x00, 0x01)
}

// appendSignedNumIncreasing: n = bits/7+1 bytes (bits of v, or of ^v when
// negative) holding v big-endian in two's complement, whose leading bits
// are XORed with n-1 one bits and a zero (the length header).
func appendSignedNumIncreasing(b []byte, v int64) []byte {
	x := uint64(v)
	if v < 0 {
		x = ^x
	}
	n := bits.Len64(x)/7 + 1
	var buf [10]byte
	if v < 0 {
		buf[0], buf[1] = 0xff, 0xff
	}
	for i := 0; i < 8; i++ {
		buf[2+i] = byte(uint64(v) >> (56 - 8*i))
	}
	out := buf[10-n:]
	// The header is n one bits (sign + n-1 length bits) counted from the
	// top of the first byte; 0x80 alone for n = 1.
	var header uint16 = 0xffff << (16 - n) // n ones followed by zeros
	out[0] ^= byte(header >> 8)
	if n > 1 {
		out[1] ^= byte(header)
	}
	return append(b, out...)
}
