package table

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sort"

	"github.com/golang/snappy"
)

// maxKeyExpansion bounds the total length of the keys of a block relative
// to its size. Real tables stay far below (TF's names share prefixes of a
// few dozen bytes).
const maxKeyExpansion = 32

// maxSnappyRatio bounds how much a snappy block may expand: snappy's best
// case is a 3-byte copy element producing 64 bytes.
const maxSnappyRatio = 22

// Reader reads a table from an io.ReaderAt of known size. It keeps the
// index block in memory and reads data blocks on demand; it is safe for
// concurrent use if the underlying ReaderAt is.
type Reader struct {
	r     io.ReaderAt
	size  int64
	name  string // file name used in errors
	index []indexEntry
}

type indexEntry struct {
	sep    []byte
	handle Handle
}

// NewReader opens the table held by r (size bytes); name is used in error
// messages. It reads and verifies the footer and index block.
func NewReader(r io.ReaderAt, size int64, name string) (*Reader, error) {
	t := &Reader{r: r, size: size, name: name}
	if size < FooterSize {
		return nil, t.errorf(ErrCorrupt, "file is %d bytes, shorter than a table footer (%d); truncated or not a table", size, FooterSize)
	}
	var footer [FooterSize]byte
	if _, err := r.ReadAt(footer[:], size-FooterSize); err != nil {
		return nil, t.errorf(ErrCorrupt, "reading footer: %v", err)
	}
	if m := binary.LittleEndian.Uint64(footer[FooterSize-8:]); m != Magic {
		return nil, t.errorf(ErrCorrupt, "bad magic number %#x (want %#x): not a TensorFlow table, or truncated", m, Magic)
	}
	_, n, err := decodeHandle(footer[:])
	if err != nil {
		return nil, t.errorf(ErrCorrupt, "footer: metaindex %v", err)
	}
	indexHandle, _, err := decodeHandle(footer[n:])
	if err != nil {
		return nil, t.errorf(ErrCorrupt, "footer: index %v", err)
	}
	block, err := t.readBlock(indexHandle)
	if err != nil {
		return nil, err
	}
	err = iterateBlock(block, func(k, v []byte) error {
		h, _, err := decodeHandle(v)
		if err != nil {
			return err
		}
		if err := t.checkHandle(h); err != nil {
			return err
		}
		if len(t.index) > 0 && bytes.Compare(t.index[len(t.index)-1].sep, k) >= 0 {
			return fmt.Errorf("index keys out of order")
		}
		t.index = append(t.index, indexEntry{sep: k, handle: h})
		return nil
	})
	if err != nil {
		return nil, t.errorf(ErrCorrupt, "index block: %v", err)
	}
	return t, nil
}

// Name returns the file name given to NewReader.
func (t *Reader) Name() string { return t.name }

// NumBlocks returns the number of data blocks.
func (t *Reader) NumBlocks() int { return len(t.index) }

func (t *Reader) errorf(kind error, format string, args ...any) error {
	return &Error{File: t.name, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Error is a table error naming the file.
type Error struct {
	File string
	Kind error // ErrCorrupt or ErrChecksum
	Msg  string
}

func (e *Error) Error() string { return e.File + ": " + e.Msg }

// Unwrap lets errors.Is match ErrCorrupt / ErrChecksum.
func (e *Error) Unwrap() error { return e.Kind }

func (t *Reader) checkHandle(h Handle) error {
	limit := uint64(t.size) - FooterSize
	if h.Offset > limit || h.Size > limit-h.Offset || h.Size+blockTrailerSize > limit-h.Offset {
		return fmt.Errorf("block at offset %d size %d runs past the end of the data (%d bytes); truncated file?", h.Offset, h.Size, limit)
	}
	return nil
}

// readBlock reads, verifies and decompresses the block at h.
func (t *Reader) readBlock(h Handle) ([]byte, error) {
	if err := t.checkHandle(h); err != nil {
		return nil, t.errorf(ErrCorrupt, "%v", err)
	}
	buf := make([]byte, h.Size+blockTrailerSize)
	// The checksum covers the block and its type byte.
	got, err := ReadAtCRC32C(t.r, buf[:h.Size+1], int64(h.Offset))
	if err == nil {
		_, err = t.r.ReadAt(buf[h.Size+1:], int64(h.Offset+h.Size+1))
	}
	if err != nil {
		return nil, t.errorf(ErrCorrupt, "reading block at offset %d: %v", h.Offset, err)
	}
	data, typ := buf[:h.Size], buf[h.Size]
	stored := binary.LittleEndian.Uint32(buf[h.Size+1:])
	if MaskCRC(got) != stored {
		return nil, t.errorf(ErrChecksum, "block at offset %d: checksum mismatch (stored %#08x, computed %#08x)", h.Offset, UnmaskCRC(stored), got)
	}
	switch typ {
	case NoCompression:
		return data, nil
	case SnappyCompression:
		n, err := snappy.DecodedLen(data)
		if err != nil {
			return nil, t.errorf(ErrCorrupt, "block at offset %d: snappy: %v", h.Offset, err)
		}
		if n > maxSnappyRatio*len(data)+64 {
			return nil, t.errorf(ErrCorrupt, "block at offset %d: snappy claims %d bytes from %d", h.Offset, n, len(data))
		}
		out, err := snappy.Decode(nil, data)
		if err != nil {
			return nil, t.errorf(ErrCorrupt, "block at offset %d: snappy: %v", h.Offset, err)
		}
		return out, nil
	}
	return nil, t.errorf(ErrCorrupt, "block at offset %d: unknown compression type %d", h.Offset, typ)
}

// iterateBlock calls fn for every entry of a decoded block, in order. The
// key passed to fn is freshly allocated; the value aliases block.
func iterateBlock(block []byte, fn func(k, v []byte) error) error {
	if len(block) < 4 {
		return fmt.Errorf("block of %d bytes has no restart count", len(block))
	}
	numRestarts := uint64(binary.LittleEndian.Uint32(block[len(block)-4:]))
	if numRestarts == 0 || numRestarts > uint64(len(block)-4)/4 {
		return fmt.Errorf("block of %d bytes claims %d restart points", len(block), numRestarts)
	}
	end := len(block) - 4 - 4*int(numRestarts)
	p := block[:end]
	var prev []byte
	// Shared prefixes let each entry repeat the whole previous key for a
	// few bytes of input; bounding the bytes of keys rebuilt keeps a
	// hostile block from costing quadratic memory.
	keyBudget := maxKeyExpansion*len(block) + 64<<10
	for len(p) > 0 {
		shared, n1 := binary.Uvarint(p)
		if n1 <= 0 {
			return fmt.Errorf("bad entry header")
		}
		unshared, n2 := binary.Uvarint(p[n1:])
		if n2 <= 0 {
			return fmt.Errorf("bad entry header")
		}
		vlen, n3 := binary.Uvarint(p[n1+n2:])
		if n3 <= 0 {
			return fmt.Errorf("bad entry header")
		}
		p = p[n1+n2+n3:]
		if shared > uint64(len(prev)) {
			return fmt.Errorf("entry shares %d key bytes with a %d-byte previous key", shared, len(prev))
		}
		if unshared > uint64(len(p)) || vlen > uint64(len(p))-unshared {
			return fmt.Errorf("entry of %d+%d bytes runs past the block", unshared, vlen)
		}
		if keyBudget -= int(shared) + int(unshared); keyBudget < 0 {
			return fmt.Errorf("keys expand to more than %d times the block size", maxKeyExpansion)
		}
		key := make([]byte, int(shared)+int(unshared))
		copy(key, prev[:shared])
		copy(key[shared:], p[:unshared])
		val := p[unshared : unshared+vlen]
		p = p[unshared+vlen:]
		if prev != nil && bytes.Compare(prev, key) >= 0 {
			return fmt.Errorf("keys out of order (%q after %q)", key, prev)
		}
		if err := fn(key, val); err != nil {
			return err
		}
		prev = key
	}
	return nil
}

// Scan calls fn for every key/value pair of the table in key order; the
// slices passed to fn are valid only during the call. It stops at the first
// error.
func (t *Reader) Scan(fn func(key, value []byte) error) error {
	for _, e := range t.index {
		block, err := t.readBlock(e.handle)
		if err != nil {
			return err
		}
		var fnErr error // fn's own errors pass through unwrapped
		err = iterateBlock(block, func(k, v []byte) error {
			if bytes.Compare(k, e.sep) > 0 {
				return fmt.Errorf("key %q beyond its index separator %q", k, e.sep)
			}
			fnErr = fn(k, v)
			return fnErr
		})
		if fnErr != nil {
			return fnErr
		}
		if err != nil {
			return t.errorf(ErrCorrupt, "block at offset %d: %v", e.handle.Offset, err)
		}
	}
	return nil
}

// Get returns the value stored under key, or found=false.
func (t *Reader) Get(key []byte) (value []byte, found bool, err error) {
	i := sort.Search(len(t.index), func(i int) bool { return bytes.Compare(t.index[i].sep, key) >= 0 })
	if i == len(t.index) {
		return nil, false, nil
	}
	h := t.index[i].handle
	block, err := t.readBlock(h)
	if err != nil {
		return nil, false, err
	}
	return t.findInBlock(block, h, key)
}

// findInBlock searches a decoded block for key.
func (t *Reader) findInBlock(block []byte, h Handle, key []byte) (value []byte, found bool, err error) {
	err = iterateBlock(block, func(k, v []byte) error {
		if c := bytes.Compare(k, key); c == 0 {
			value, found = v, true
			return errStop
		} else if c > 0 {
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		return nil, false, t.errorf(ErrCorrupt, "block at offset %d: %v", h.Offset, err)
	}
	return value, found, nil
}

// Cursor looks keys up like Reader.Get, keeping the last block read, so
// that a run of lookups in the same block reads it once. A Cursor is not
// safe for concurrent use; make one per goroutine.
type Cursor struct {
	t      *Reader
	handle Handle
	block  []byte
}

// NewCursor returns a Cursor over t.
func (t *Reader) NewCursor() *Cursor { return &Cursor{t: t} }

// Get returns the value stored under key, or found=false. The value aliases
// the cached block: copy it to keep it beyond the next Get.
func (c *Cursor) Get(key []byte) (value []byte, found bool, err error) {
	t := c.t
	i := sort.Search(len(t.index), func(i int) bool { return bytes.Compare(t.index[i].sep, key) >= 0 })
	if i == len(t.index) {
		return nil, false, nil
	}
	h := t.index[i].handle
	if c.block == nil || h != c.handle {
		block, err := t.readBlock(h)
		if err != nil {
			return nil, false, err
		}
		c.block, c.handle = block, h
	}
	return t.findInBlock(c.block, h, key)
}
