package tfjpeg

import (
	"encoding/hex"
	"fmt"
)

// lookaheadBits is the width of the Huffman fast look-up (libjpeg's
// HUFF_LOOKAHEAD). It also decides when the bit buffer is refilled, which
// is what fixes where decoding of a truncated file stops.
const lookaheadBits = 8

// huffTable is a Huffman decoding table built per Annex C and Figure F.15
// of the JPEG standard (ITU-T T.81).
type huffTable struct {
	// lookup[next 8 bits] = code length << 8 | symbol; a length of 9
	// means the code is longer than 8 bits.
	lookup    [1 << lookaheadBits]uint16
	maxCode   [18]int32 // largest code of each length, -1 if none
	valOffset [18]int32 // symbol index minus the smallest code, per length
	symbols   [256]byte
}

// huffSpec is a table as stored in a DHT segment.
type huffSpec struct {
	counts  [17]byte // counts[l] = number of codes of length l (1..16)
	symbols [256]byte
}

// build checks spec and derives the decoding table, rejecting tables
// libjpeg rejects: more than 256 codes, a code that does not fit its
// length, and DC symbols above 15.
func (spec *huffSpec) build(isDC bool) (*huffTable, error) {
	var sizes [257]byte
	p := 0
	for l := 1; l <= 16; l++ {
		n := int(spec.counts[l])
		if p+n > 256 {
			return nil, fmt.Errorf("bad Huffman table: more than 256 codes")
		}
		for ; n > 0; n-- {
			sizes[p] = byte(l)
			p++
		}
	}
	numSymbols := p
	var codes [257]uint32
	code := uint32(0)
	si := int(sizes[0])
	p = 0
	for sizes[p] != 0 {
		for int(sizes[p]) == si {
			codes[p] = code
			p++
			code++
		}
		if code >= 1<<si {
			return nil, fmt.Errorf("bad Huffman table: code lengths do not form a prefix code")
		}
		code <<= 1
		si++
	}
	t := &huffTable{symbols: spec.symbols}
	p = 0
	for l := 1; l <= 16; l++ {
		if spec.counts[l] != 0 {
			t.valOffset[l] = int32(p) - int32(codes[p])
			p += int(spec.counts[l])
			t.maxCode[l] = int32(codes[p-1])
		} else {
			t.maxCode[l] = -1
		}
	}
	t.maxCode[17] = 0xFFFFF // stops the bit-serial search on garbage
	for i := range t.lookup {
		t.lookup[i] = (lookaheadBits + 1) << lookaheadBits
	}
	p = 0
	for l := 1; l <= lookaheadBits; l++ {
		for i := 0; i < int(spec.counts[l]); i, p = i+1, p+1 {
			first := codes[p] << (lookaheadBits - l)
			for j := uint32(0); j < 1<<(lookaheadBits-l); j++ {
				t.lookup[first+j] = uint16(l<<lookaheadBits) | uint16(spec.symbols[p])
			}
		}
	}
	if isDC {
		for i := 0; i < numSymbols; i++ {
			if spec.symbols[i] > 15 {
				return nil, fmt.Errorf("bad Huffman table: DC symbol %d above 15", spec.symbols[i])
			}
		}
	}
	return t, nil
}

// The typical tables of Annex K.3 (Tables K.3 to K.6) that libjpeg-turbo
// assumes for table slots 0 and 1 when a file (typically a Motion-JPEG
// frame) has no DHT of its own. Each is 16 code-length counts followed by
// the symbols.
var standardTables = [4]string{
	// DC luminance (Table K.3)
	"00010501010101010100000000000000" +
		"000102030405060708090a0b",
	// AC luminance (Table K.5)
	"0002010303020403050504040000017d" +
		"01020300041105122131410613516107227114328191a1082342b1c11552d1f0" +
		"2433627282090a161718191a25262728292a3435363738393a434445464748494a" +
		"535455565758595a636465666768696a737475767778797a838485868788898a92" +
		"939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8" +
		"c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa",
	// DC chrominance (Table K.4)
	"00030101010101010101010000000000" +
		"000102030405060708090a0b",
	// AC chrominance (Table K.6)
	"00020102040403040705040400010277" +
		"000102031104052131061241510761711322328108144291a1b1c109233352f0" +
		"156272d10a162434e125f11718191a262728292a35363738393a434445464748" +
		"494a535455565758595a636465666768696a737475767778797a8283848586878889" +
		"8a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7" +
		"c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa",
}

// standardSpec decodes standardTables[i].
func standardSpec(i int) *huffSpec {
	raw, err := hex.DecodeString(standardTables[i])
	if err != nil {
		panic("tfjpeg: bad standard Huffman table: " + err.Error())
	}
	spec := &huffSpec{}
	copy(spec.counts[1:], raw[:16])
	copy(spec.symbols[:], raw[16:])
	return spec
}
