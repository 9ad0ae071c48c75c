package checkpoint_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/checkpoint/internal/bundlepb"
	"github.com/gotl/gotl/helpers/checkpoint/internal/table"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

// addFileSeeds adds the shared TensorFlow files matching patterns to the
// corpus (none when the data is absent: the fuzz targets then use
// generated seeds only).
func addFileSeeds(f *testing.F, patterns ...string) {
	for _, p := range tfdata.Glob(patterns...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// readEverything opens path and reads every tensor, checking that the
// whole attempt allocates no more than a bounded multiple of the input.
func readEverything(t *testing.T, path string, inputSize int) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if r, err := checkpoint.Open(path); err == nil {
		for _, n := range r.Names() {
			r.Tensor(n)
		}
		r.Tensor("missing")
		r.Close()
	}
	runtime.ReadMemStats(&after)
	if a := after.TotalAlloc - before.TotalAlloc; a > uint64(100*inputSize)+(4<<20) {
		t.Errorf("%d-byte input allocated %d bytes", inputSize, a)
	}
}

// fuzzData is the data shard used with fuzzed indexes: 4 KiB of bytes.
var fuzzData = func() []byte {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

// FuzzV2Index opens a fuzzed .index next to a fixed data shard and reads
// every tensor: errors are fine, panics and large allocations are not.
func FuzzV2Index(f *testing.F) {
	addFileSeeds(f, "*/*/*.index", "*/*/*/*.index")
	dir := f.TempDir()
	s, _ := tensor.FromStrings([]int64{2}, []string{"a", "bc"})
	seed := filepath.Join(dir, "seed")
	if err := checkpoint.Write(seed, map[string]*tensor.Tensor{"x": iota32([]int64{2, 3}, 0), "s": s}); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(seed + ".index")
	f.Add(b)
	w := iota32([]int64{4, 2}, 0)
	sliced := filepath.Join(dir, "sliced")
	buildV2Sliced(f, sliced, []partitioned{{name: "w", dtype: tensor.Float, shape: w.Shape, parts: []slicePart{
		{bundlepb.Slice{ext(0, 1), {}}, rowsOf(w, 0, 1)}, {bundlepb.Slice{ext(1, 3), {}}, rowsOf(w, 1, 4)}}}})
	b, _ = os.ReadFile(sliced + ".index")
	f.Add(b)
	f.Add(bundlepb.AppendEntry(nil, bundlepb.Entry{DType: tensor.String, Shape: bundlepb.Shape{Dims: []int64{3}}, Offset: 7, Size: 30}))
	f.Fuzz(func(t *testing.T, index []byte) {
		dir := t.TempDir()
		// The input as a whole index file…
		prefix := filepath.Join(dir, "m")
		os.WriteFile(prefix+".index", index, 0o644)
		os.WriteFile(checkpoint.DataFilename(prefix, 0, 1), fuzzData, 0o644)
		readEverything(t, prefix, len(index)+len(fuzzData))
		// …and as the BundleEntryProto of tensor "x" in a well-formed
		// index, so that mutations reach past the block checksums.
		prefix = filepath.Join(dir, "e")
		writeTable(t, prefix+".index", [][2][]byte{
			{nil, bundlepb.AppendHeader(nil, bundlepb.Header{NumShards: 1, Version: bundlepb.VersionDef{Producer: 1}})},
			{[]byte("x"), index},
		})
		os.WriteFile(checkpoint.DataFilename(prefix, 0, 1), fuzzData, 0o644)
		readEverything(t, prefix, len(index)+len(fuzzData))
	})
}

// FuzzV1File opens a fuzzed V1 checkpoint file and reads every tensor.
func FuzzV1File(f *testing.F) {
	addFileSeeds(f, "*/*/export-?????-of-?????")
	dir := f.TempDir()
	w := iota32([]int64{3, 2}, 1)
	p := filepath.Join(dir, "v1")
	buildV1(f, p, []partitioned{
		{name: "w", dtype: tensor.Float, shape: w.Shape, parts: []slicePart{{bundlepb.Slice{ext(0, 1), {}}, rowsOf(w, 0, 1)}, {bundlepb.Slice{ext(1, 2), {}}, rowsOf(w, 1, 3)}}},
		{name: "i", dtype: tensor.Int8, shape: []int64{2}, parts: []slicePart{{bundlepb.Slice{{}}, &tensor.Tensor{DType: tensor.Int8, Shape: []int64{2}, Data: []byte{0xff, 3}}}}},
	})
	b, _ := os.ReadFile(p)
	f.Add(b)
	f.Add(v1Meta)
	var rec []byte
	rec = msg(rec, 1, []byte("w"))
	rec = msg(rec, 2, bundlepb.AppendSlice(nil, bundlepb.Slice{{}, {}}))
	rec = msg(rec, 3, tensorProtoValues(w))
	f.Add(msg(nil, 2, rec))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		// The input as a whole V1 file…
		p := filepath.Join(dir, "model.ckpt")
		os.WriteFile(p, data, 0o644)
		readEverything(t, p, len(data))
		// …as the metadata record of a well-formed table…
		p = filepath.Join(dir, "meta.ckpt")
		writeTable(t, p, [][2][]byte{{[]byte{}, data}})
		readEverything(t, p, len(data))
		// …and as the record of w's only slice.
		p = filepath.Join(dir, "slice.ckpt")
		writeTable(t, p, [][2][]byte{{[]byte{}, v1Meta}, {bundlepb.SliceKey("w", bundlepb.Slice{{}, {}}), data}})
		readEverything(t, p, len(data))
	})
}

// v1Meta declares a float tensor w [3 2] stored as one full slice.
var v1Meta = func() []byte {
	var m []byte
	m = msg(m, 1, []byte("w"))
	m = msg(m, 2, bundlepb.AppendShape(nil, []int64{3, 2}))
	m = varintField(m, 3, uint64(tensor.Float))
	m = msg(m, 4, bundlepb.AppendSlice(nil, bundlepb.Slice{{}, {}}))
	return msg(nil, 1, msg(nil, 1, m))
}()

// writeTable writes a table of sorted key/value pairs.
func writeTable(t *testing.T, name string, kvs [][2][]byte) {
	var buf bytes.Buffer
	w := table.NewWriter(&buf, table.DefaultOptions)
	for _, kv := range kvs {
		if err := w.Add(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(name, buf.Bytes(), 0o644)
}
