package table

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/gotl/gotl/internal/tfdata"
)

type kv struct{ k, v string }

func scanAll(t *testing.T, r *Reader) []kv {
	t.Helper()
	var out []kv
	if err := r.Scan(func(k, v []byte) error {
		out = append(out, kv{string(k), string(v)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func build(t testing.TB, opt Options, entries []kv) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf, opt)
	for _, e := range entries {
		if err := w.Add([]byte(e.k), []byte(e.v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Rebuilding TensorFlow's own tables from their entries must give the same
// bytes, snappy-compressed blocks included.
func TestRealTables(t *testing.T) {
	cases := []struct {
		path   []string
		n      int
		snappy bool
	}{
		{[]string{"onnx_regression", "checkpoint", "model.index"}, 3, false},
		{[]string{"serving_session_bundle_v1", "00000123", "export-00000-of-00001"}, 3, false},
		{[]string{"serving_half_plus_two_tf1", "00000123", "variables", "variables.index"}, 6, true},
		{[]string{"serving_half_plus_two_tf2", "00000123", "variables", "variables.index"}, 5, true},
	}
	for _, c := range cases {
		p := tfdata.Path(t, c.path...)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(bytes.NewReader(data), int64(len(data)), p)
		if err != nil {
			t.Fatal(err)
		}
		entries := scanAll(t, r)
		if len(entries) != c.n {
			t.Errorf("%s: %d entries, want %d", p, len(entries), c.n)
		}
		if entries[0].k != "" {
			t.Errorf("%s: first key %q, want the empty header key", p, entries[0].k)
		}
		for _, e := range entries {
			v, ok, err := r.Get([]byte(e.k))
			if err != nil || !ok || string(v) != e.v {
				t.Errorf("%s: Get(%q) = %q, %v, %v", p, e.k, v, ok, err)
			}
		}
		if _, ok, err := r.Get([]byte("zzz")); ok || err != nil {
			t.Errorf("Get(missing) = %v, %v", ok, err)
		}
		// TF's table builder with the options each file was written with
		// (snappy for TF >= 1.14 indexes) gives exactly these bytes.
		rebuilt := build(t, Options{Snappy: c.snappy}, entries)
		if !bytes.Equal(rebuilt, data) {
			t.Errorf("%s: rebuilt table differs from TensorFlow's:\n got %x\nwant %x", p, rebuilt, data)
		}
	}
}

func TestRoundTripManyBlocks(t *testing.T) {
	var entries []kv
	for i := 0; i < 5000; i++ {
		entries = append(entries, kv{fmt.Sprintf("layer%04d/weights/%d", i, i*7), string(bytes.Repeat([]byte{byte(i)}, i%300))})
	}
	for _, opt := range []Options{{BlockSize: 1024, RestartInterval: 3}, {BlockSize: 4096, Snappy: true}, DefaultOptions} {
		data := build(t, opt, entries)
		r, err := NewReader(bytes.NewReader(data), int64(len(data)), "mem")
		if err != nil {
			t.Fatal(err)
		}
		if opt.BlockSize == 1024 && r.NumBlocks() < 100 {
			t.Errorf("only %d blocks for 1 KiB blocks", r.NumBlocks())
		}
		got := scanAll(t, r)
		if len(got) != len(entries) {
			t.Fatalf("%d entries back, want %d", len(got), len(entries))
		}
		for i := range got {
			if got[i] != entries[i] {
				t.Fatalf("entry %d differs", i)
			}
		}
		for _, i := range []int{0, 1, 777, 4999} {
			v, ok, err := r.Get([]byte(entries[i].k))
			if err != nil || !ok || string(v) != entries[i].v {
				t.Errorf("Get(%q): %v %v", entries[i].k, ok, err)
			}
		}
	}
}

func TestKeysMustIncrease(t *testing.T) {
	w := NewWriter(&bytes.Buffer{}, DefaultOptions)
	if err := w.Add([]byte("b"), nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Add([]byte("a"), nil); err == nil {
		t.Error("out-of-order key accepted")
	}
}

func TestCorruption(t *testing.T) {
	data := build(t, DefaultOptions, []kv{{"", "header"}, {"a", "alpha"}, {"b", "beta"}})
	// Flip a byte inside the data block: checksum error.
	bad := append([]byte(nil), data...)
	bad[10] ^= 0x40
	r, err := NewReader(bytes.NewReader(bad), int64(len(bad)), "bad.index")
	if err != nil {
		t.Fatal(err)
	}
	err = r.Scan(func(k, v []byte) error { return nil })
	if !errors.Is(err, ErrChecksum) || !bytes.Contains([]byte(err.Error()), []byte("bad.index")) {
		t.Errorf("flipped data byte: got %v, want a checksum error naming the file", err)
	}
	// Truncation and bad magic.
	for name, b := range map[string][]byte{
		"truncated": data[:len(data)-10],
		"short":     data[:20],
		"magic":     append(append([]byte(nil), data[:len(data)-1]...), 0),
	} {
		if _, err := NewReader(bytes.NewReader(b), int64(len(b)), name); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}

func TestMaskCRC(t *testing.T) {
	for _, c := range []uint32{0, 1, 0xdeadbeef, 0xffffffff} {
		if UnmaskCRC(MaskCRC(c)) != c {
			t.Errorf("unmask(mask(%#x)) != %#x", c, c)
		}
	}
	// CRC32C of "123456789" is the standard check value 0xe3069283.
	if got := CRC32C([]byte("123456789")); got != 0xe3069283 {
		t.Errorf("CRC32C check value = %#x", got)
	}
}

func TestSeparators(t *testing.T) {
	if s := shortestSeparator([]byte("abcdef"), []byte("abzz")); string(s) != "abd" {
		t.Errorf("separator = %q", s)
	}
	if s := shortestSeparator([]byte("abc"), []byte("abd")); string(s) != "abc" {
		t.Errorf("separator = %q", s)
	}
	if s := shortSuccessor([]byte("b/x")); string(s) != "c" {
		t.Errorf("successor = %q", s)
	}
	if s := shortSuccessor([]byte{0xff, 0xff}); !bytes.Equal(s, []byte{0xff, 0xff}) {
		t.Errorf("successor = %q", s)
	}
}

// A block whose every entry repeats the whole previous key plus one byte
// would rebuild keys of quadratic total size: it must be refused.
func TestQuadraticKeysRefused(t *testing.T) {
	var block []byte
	const n = 20000
	for i := 0; i < n; i++ {
		shared := i
		block = binary.AppendUvarint(block, uint64(shared))
		block = binary.AppendUvarint(block, 1)
		block = binary.AppendUvarint(block, 0)
		block = append(block, 'a')
	}
	block = binary.LittleEndian.AppendUint32(block, 0)
	block = binary.LittleEndian.AppendUint32(block, 1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	count := 0
	err := iterateBlock(block, func(k, v []byte) error { count++; return nil })
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Errorf("quadratic block accepted (%d entries)", count)
	}
	if a := after.TotalAlloc - before.TotalAlloc; a > 64*uint64(len(block))+(1<<20) {
		t.Errorf("%d-byte block allocated %d bytes", len(block), a)
	}
}

func TestCursorCachesBlock(t *testing.T) {
	var entries []kv
	for i := 0; i < 300; i++ {
		entries = append(entries, kv{fmt.Sprintf("k%04d", i), fmt.Sprint(i)})
	}
	data := build(t, Options{BlockSize: 256}, entries)
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), "mem")
	if err != nil {
		t.Fatal(err)
	}
	c := r.NewCursor()
	for _, i := range []int{0, 1, 150, 299, 3} {
		v, ok, err := c.Get([]byte(entries[i].k))
		if err != nil || !ok || string(v) != entries[i].v {
			t.Errorf("cursor Get(%s) = %q %v %v", entries[i].k, v, ok, err)
		}
	}
	if _, ok, _ := c.Get([]byte("k0150x")); ok {
		t.Error("cursor found a missing key")
	}
}

func TestCombineCRC32C(t *testing.T) {
	data := make([]byte, 100000)
	for i := range data {
		data[i] = byte(i*31 + i>>7)
	}
	whole := CRC32C(data)
	for _, cut := range []int{0, 1, 7, 8, 4096, 33333, 99999, 100000} {
		a, b := data[:cut], data[cut:]
		if got := CombineCRC32C(CRC32C(a), CRC32C(b), int64(len(b))); got != whole {
			t.Errorf("cut at %d: combined %#x, want %#x", cut, got, whole)
		}
	}
}

func TestReadAtCRC32C(t *testing.T) {
	data := make([]byte, parallelThreshold+12345)
	for i := range data {
		data[i] = byte(i ^ i>>9)
	}
	buf := make([]byte, len(data)-100)
	crc, err := ReadAtCRC32C(bytes.NewReader(data), buf, 100)
	if err != nil || crc != CRC32C(data[100:]) || !bytes.Equal(buf, data[100:]) {
		t.Errorf("parallel read: crc %#x want %#x, err %v", crc, CRC32C(data[100:]), err)
	}
	if _, err := ReadAtCRC32C(bytes.NewReader(data), buf, 200); err == nil {
		t.Error("read past the end succeeded")
	}
}
