// Package table reads and writes the immutable sorted key/value table
// format TensorFlow inherited from LevelDB (tensorflow/core/lib/io/table*),
// used by V2 checkpoint .index files and by V1 checkpoint files.
//
// A table is a sequence of blocks followed by a 48-byte footer:
//
//	block:  entries, restart offsets (uint32 each), restart count (uint32),
//	        then a 5-byte trailer: compression type (0 none, 1 snappy) and
//	        the masked CRC32C of the block bytes plus the type byte.
//	entry:  varint shared-key-length, varint unshared-key-length,
//	        varint value-length, unshared key bytes, value bytes.
//	footer: metaindex and index block handles (varint offset and size),
//	        zero padding to 40 bytes, then the magic 0xdb4775248b80fb57 (LE).
//
// The index block maps a separator key (≥ every key of a data block and <
// every key of the next) to that block's handle.
//
// Every block's checksum is verified, every handle is checked against the
// file size before anything is allocated, and snappy blocks may not claim a
// decoded length beyond what snappy can produce from their size.
package table

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Magic is the table's footer magic number.
const Magic uint64 = 0xdb4775248b80fb57

// FooterSize is the fixed size of the footer at the end of a table.
const FooterSize = 48

// blockTrailerSize is the compression-type byte plus the masked CRC32C.
const blockTrailerSize = 5

// Compression types of a block trailer.
const (
	NoCompression     = 0
	SnappyCompression = 1
)

// ErrChecksum is wrapped by errors about a block whose CRC32C is wrong.
var ErrChecksum = errors.New("checksum mismatch")

// ErrCorrupt is wrapped by errors about truncated or malformed tables.
var ErrCorrupt = errors.New("corrupt table")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CRC32C returns the CRC-32C (Castagnoli) of b.
func CRC32C(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// ExtendCRC32C continues crc over b.
func ExtendCRC32C(crc uint32, b []byte) uint32 { return crc32.Update(crc, castagnoli, b) }

const maskDelta = 0xa282ead8

// MaskCRC transforms a CRC the way LevelDB and TensorFlow store it, so that
// the CRC of data that itself contains CRCs is not degenerate.
func MaskCRC(crc uint32) uint32 { return (crc>>15 | crc<<17) + maskDelta }

// UnmaskCRC inverts MaskCRC.
func UnmaskCRC(masked uint32) uint32 {
	rot := masked - maskDelta
	return rot>>17 | rot<<15
}

// Handle locates a block: its offset in the file and its size without the
// trailer.
type Handle struct {
	Offset, Size uint64
}

func (h Handle) append(b []byte) []byte {
	b = binary.AppendUvarint(b, h.Offset)
	return binary.AppendUvarint(b, h.Size)
}

func decodeHandle(b []byte) (Handle, int, error) {
	off, n := binary.Uvarint(b)
	if n <= 0 {
		return Handle{}, 0, errors.New("bad block handle offset")
	}
	size, m := binary.Uvarint(b[n:])
	if m <= 0 {
		return Handle{}, 0, errors.New("bad block handle size")
	}
	return Handle{off, size}, n + m, nil
}

// errStop ends a block iteration early.
var errStop = errors.New("stop")

// CombineCRC32C returns the CRC32C of A followed by B given crcA, crcB and
// the length of B, so that pieces of a buffer can be checksummed in
// parallel. Appending one zero bit to the message is a linear map on the
// CRC register; appending len(B) zero bytes is that map raised to the
// power 8·len(B), computed by repeated squaring.
func CombineCRC32C(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA
	}
	var step gf2Map // one zero bit, in the reflected Castagnoli domain
	step[0] = castagnoliReflected
	for i := 1; i < 32; i++ {
		step[i] = 1 << (i - 1)
	}
	// Three squarings: one zero byte.
	step = step.then(step)
	step = step.then(step)
	step = step.then(step)
	v := crcA
	for n := uint64(lenB); n > 0; n >>= 1 {
		if n&1 != 0 {
			v = step.apply(v)
		}
		step = step.then(step)
	}
	return v ^ crcB
}

const castagnoliReflected = 0x82f63b78

// gf2Map is a linear map on 32-bit vectors over GF(2): entry i is the image
// of bit i.
type gf2Map [32]uint32

func (m *gf2Map) apply(v uint32) uint32 {
	var out uint32
	for i := 0; v != 0; i, v = i+1, v>>1 {
		if v&1 != 0 {
			out ^= m[i]
		}
	}
	return out
}

// then returns the map "m, then n".
func (m gf2Map) then(n gf2Map) gf2Map {
	var out gf2Map
	for i := range out {
		out[i] = n.apply(m[i])
	}
	return out
}
