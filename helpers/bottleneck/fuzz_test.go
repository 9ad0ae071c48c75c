package bottleneck

import (
	"testing"
)

// FuzzDecodeEntry: arbitrary bytes as a cache entry never panic, never
// allocate beyond the declared-and-checked length, and an accepted entry
// re-encodes to the same bytes.
func FuzzDecodeEntry(f *testing.F) {
	id := entryID(testKey.namespace(), HashContent([]byte("x")))
	f.Add(encodeEntry(id, []float32{1, 2, 3}))
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeEntry(data, id)
		if err != nil {
			return
		}
		if got := encodeEntry(id, v); string(got) != string(data) {
			t.Fatalf("accepted entry does not round-trip")
		}
	})
}

// FuzzParseText: arbitrary text bottleneck files never panic.
func FuzzParseText(f *testing.F) {
	f.Add([]byte("0.1,0.2,3e-5"))
	f.Add([]byte(",,"))
	f.Add([]byte("nan,inf,-inf"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseText(data)
		if err == nil && len(v) == 0 {
			t.Fatal("accepted an empty vector")
		}
	})
}
