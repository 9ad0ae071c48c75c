package table

import (
	"bytes"
	"os"
	"runtime"
	"testing"

	"github.com/gotl/gotl/internal/tfdata"
)

// FuzzTable feeds arbitrary bytes to the table reader: it must return
// errors, not panic, and never allocate much more than the input size.
func FuzzTable(f *testing.F) {
	// The real TensorFlow tables of the shared test data, when present.
	for _, p := range tfdata.Glob("*/*/*.index", "*/*/*/*.index", "*/*/export-?????-of-?????") {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add(build(f, DefaultOptions, []kv{{"", "h"}, {"a", "1"}, {"b", "2"}}))
	f.Add(build(f, Options{BlockSize: 16, RestartInterval: 2, Snappy: true}, []kv{{"", "hhhhhhhhhhhhhhhhhhhhhhhhh"}, {"aaaa", "1111111111111111111111"}, {"aaab", "2"}, {"b", "3"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		readAll(t, data)
		// The input as the contents of a data block with a valid trailer,
		// compressed or not, so that mutations reach the block parser.
		readAll(t, wrapBlock(data, false))
		readAll(t, wrapBlock(data, true))
	})
}

// wrapBlock builds a table whose only data block holds contents, with a
// correct checksum, and whose index points at it.
func wrapBlock(contents []byte, compress bool) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf, DefaultOptions)
	h := w.writeBlockRaw(contents, compress)
	w.index.add([]byte{0xff, 0xff}, h.append(nil))
	var meta blockBuilder
	metaHandle := w.writeBlock(&meta, false)
	indexHandle := w.writeBlock(&w.index, false)
	footer := metaHandle.append(nil)
	footer = indexHandle.append(footer)
	footer = append(footer, make([]byte, FooterSize-8-len(footer))...)
	footer = append(footer, 0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb)
	w.write(footer)
	return buf.Bytes()
}

func readAll(t *testing.T, data []byte) {
	{
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := NewReader(bytes.NewReader(data), int64(len(data)), "fuzz")
		if err == nil {
			var keys [][]byte
			r.Scan(func(k, v []byte) error {
				keys = append(keys, append([]byte(nil), k...))
				return nil
			})
			for _, k := range keys {
				r.Get(k)
			}
			r.Get([]byte("zz"))
		}
		runtime.ReadMemStats(&after)
		if a := after.TotalAlloc - before.TotalAlloc; a > uint64(64*len(data))+(1<<20) {
			t.Errorf("%d-byte input allocated %d bytes", len(data), a)
		}
	}
}
