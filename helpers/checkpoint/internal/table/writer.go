package table

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/golang/snappy"
)

// Options are the builder settings. TensorFlow's defaults
// (tensorflow/core/lib/io/table_options.h) are a 256 KiB block size and a
// restart point every 16 keys; its checkpoint writer turns compression off.
type Options struct {
	BlockSize       int  // approximate uncompressed data per block
	RestartInterval int  // keys between restart points
	Snappy          bool // compress blocks when that saves at least 1/8
}

// DefaultOptions are the options TensorFlow's BundleWriter uses for .index
// files.
var DefaultOptions = Options{BlockSize: 262144, RestartInterval: 16}

// Writer builds a table; keys must be added in strictly increasing
// bytewise order. It produces the same bytes as TensorFlow's TableBuilder
// for the same options and entries.
type Writer struct {
	w       io.Writer
	opt     Options
	offset  uint64
	block   blockBuilder
	index   blockBuilder
	lastKey []byte
	pending *Handle // handle of the last flushed data block, awaiting its index entry
	n       int
	err     error
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer, opt Options) *Writer {
	if opt.BlockSize <= 0 {
		opt.BlockSize = DefaultOptions.BlockSize
	}
	if opt.RestartInterval <= 0 {
		opt.RestartInterval = DefaultOptions.RestartInterval
	}
	t := &Writer{w: w, opt: opt}
	t.block.interval = opt.RestartInterval
	t.index.interval = 1
	return t
}

// Add appends a key/value pair.
func (t *Writer) Add(key, value []byte) error {
	if t.err != nil {
		return t.err
	}
	if t.n > 0 && bytes.Compare(key, t.lastKey) <= 0 {
		return fmt.Errorf("table: key %q added after %q (keys must increase)", key, t.lastKey)
	}
	if t.pending != nil {
		sep := shortestSeparator(t.lastKey, key)
		t.index.add(sep, t.pending.append(nil))
		t.pending = nil
	}
	t.block.add(key, value)
	t.lastKey = append(t.lastKey[:0], key...)
	t.n++
	if t.block.estimatedSize() >= t.opt.BlockSize {
		t.flush()
	}
	return t.err
}

func (t *Writer) flush() {
	if t.err != nil || t.block.empty() {
		return
	}
	h := t.writeBlock(&t.block, t.opt.Snappy)
	t.pending = &h
}

// writeBlock finishes b, writes it with its trailer and resets b.
func (t *Writer) writeBlock(b *blockBuilder, compress bool) Handle {
	h := t.writeBlockRaw(b.finish(), compress)
	b.reset()
	return h
}

// writeBlockRaw writes finished block bytes with their trailer.
func (t *Writer) writeBlockRaw(raw []byte, compress bool) Handle {
	contents, typ := raw, byte(NoCompression)
	if compress {
		c := snappy.Encode(nil, raw)
		if len(c) < len(raw)-len(raw)/8 {
			contents, typ = c, SnappyCompression
		}
	}
	h := Handle{Offset: t.offset, Size: uint64(len(contents))}
	var trailer [blockTrailerSize]byte
	trailer[0] = typ
	crc := ExtendCRC32C(CRC32C(contents), trailer[:1])
	binary.LittleEndian.PutUint32(trailer[1:], MaskCRC(crc))
	t.write(contents)
	t.write(trailer[:])
	return h
}

func (t *Writer) write(p []byte) {
	if t.err != nil {
		return
	}
	n, err := t.w.Write(p)
	t.offset += uint64(n)
	if err != nil {
		t.err = err
	}
}

// Finish writes the remaining data block, the (empty) metaindex block, the
// index block and the footer.
func (t *Writer) Finish() error {
	t.flush()
	if t.pending != nil {
		t.index.add(shortSuccessor(t.lastKey), t.pending.append(nil))
		t.pending = nil
	}
	var meta blockBuilder
	meta.interval = t.opt.RestartInterval
	metaHandle := t.writeBlock(&meta, t.opt.Snappy)
	indexHandle := t.writeBlock(&t.index, t.opt.Snappy)
	footer := make([]byte, 0, FooterSize)
	footer = metaHandle.append(footer)
	footer = indexHandle.append(footer)
	footer = footer[:FooterSize-8]
	footer = binary.LittleEndian.AppendUint64(footer, Magic)
	t.write(footer)
	return t.err
}

// blockBuilder accumulates entries with shared key prefixes and restart
// points.
type blockBuilder struct {
	interval int
	buf      []byte
	restarts []uint32
	counter  int
	lastKey  []byte
	started  bool
}

func (b *blockBuilder) empty() bool { return !b.started }

func (b *blockBuilder) reset() {
	b.buf = b.buf[:0]
	b.restarts = b.restarts[:0]
	b.counter = 0
	b.lastKey = b.lastKey[:0]
	b.started = false
}

func (b *blockBuilder) estimatedSize() int { return len(b.buf) + 4*len(b.restarts) + 4 }

func (b *blockBuilder) add(key, value []byte) {
	if !b.started {
		b.restarts = append(b.restarts[:0], 0)
		b.started = true
	}
	shared := 0
	if b.counter < b.interval {
		for shared < len(key) && shared < len(b.lastKey) && key[shared] == b.lastKey[shared] {
			shared++
		}
	} else {
		b.restarts = append(b.restarts, uint32(len(b.buf)))
		b.counter = 0
	}
	b.buf = binary.AppendUvarint(b.buf, uint64(shared))
	b.buf = binary.AppendUvarint(b.buf, uint64(len(key)-shared))
	b.buf = binary.AppendUvarint(b.buf, uint64(len(value)))
	b.buf = append(b.buf, key[shared:]...)
	b.buf = append(b.buf, value...)
	b.lastKey = append(b.lastKey[:0], key...)
	b.counter++
}

func (b *blockBuilder) finish() []byte {
	if !b.started { // an empty block still has one restart point at 0
		b.restarts = append(b.restarts[:0], 0)
	}
	for _, r := range b.restarts {
		b.buf = binary.LittleEndian.AppendUint32(b.buf, r)
	}
	return binary.LittleEndian.AppendUint32(b.buf, uint32(len(b.restarts)))
}

// shortestSeparator returns a short key k with start <= k < limit
// (LevelDB's bytewise FindShortestSeparator).
func shortestSeparator(start, limit []byte) []byte {
	n := 0
	for n < len(start) && n < len(limit) && start[n] == limit[n] {
		n++
	}
	if n < len(start) && n < len(limit) {
		c := start[n]
		if c < 0xff && c+1 < limit[n] {
			out := append([]byte(nil), start[:n+1]...)
			out[n]++
			return out
		}
	}
	return append([]byte(nil), start...)
}

// shortSuccessor returns a short key k >= key (LevelDB's bytewise
// FindShortSuccessor).
func shortSuccessor(key []byte) []byte {
	for i, c := range key {
		if c != 0xff {
			out := append([]byte(nil), key[:i+1]...)
			out[i]++
			return out
		}
	}
	return append([]byte(nil), key...)
}
