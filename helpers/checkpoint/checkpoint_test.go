package checkpoint_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/checkpoint/internal/bundlepb"
	"github.com/gotl/gotl/helpers/checkpoint/internal/table"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

func mustOpen(t testing.TB, path string) *checkpoint.Reader {
	t.Helper()
	r, err := checkpoint.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func mustTensor(t testing.TB, r *checkpoint.Reader, name string) *tensor.Tensor {
	t.Helper()
	v, err := r.Tensor(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func sameTensor(a, b *tensor.Tensor) bool {
	if tensor.BaseType(a.DType) != tensor.BaseType(b.DType) || tensor.NumElements(a.Shape) != tensor.NumElements(b.Shape) || len(a.Shape) != len(b.Shape) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	if tensor.BaseType(a.DType) == tensor.String {
		if len(a.Strings) != len(b.Strings) {
			return false
		}
		for i := range a.Strings {
			if !bytes.Equal(a.Strings[i], b.Strings[i]) {
				return false
			}
		}
		return true
	}
	return bytes.Equal(a.Data, b.Data)
}

// Writing back what TensorFlow wrote must give TensorFlow's exact bytes
// (index and data) for its uncompressed index, and the same index entries
// and data for the snappy-compressed one.
func TestWriteMatchesTensorFlow(t *testing.T) {
	for _, c := range []struct {
		prefix    []string
		exactIndx bool
	}{
		{[]string{"onnx_regression", "checkpoint", "model"}, true},
		{[]string{"serving_half_plus_two_tf1", "00000123", "variables", "variables"}, false},
	} {
		tfPrefix := filepath.Join(tfdata.Dir(t), filepath.Join(c.prefix...))
		r := mustOpen(t, tfPrefix)
		vars := map[string]*tensor.Tensor{}
		for _, n := range r.Names() {
			vars[n] = mustTensor(t, r, n)
		}
		ours := filepath.Join(t.TempDir(), "model")
		if err := checkpoint.Write(ours, vars); err != nil {
			t.Fatal(err)
		}
		for _, suffix := range []string{".data-00000-of-00001", ".index"} {
			want, _ := os.ReadFile(tfPrefix + suffix)
			got, _ := os.ReadFile(ours + suffix)
			if suffix == ".index" && !c.exactIndx {
				want, got = tableEntries(t, want), tableEntries(t, got)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s%s differs from TensorFlow's:\n got %x\nwant %x", filepath.Base(tfPrefix), suffix, got, want)
			}
		}
	}
}

// Our string tensors (the TF2 object graph) and their entries match
// TensorFlow's byte for byte; only the data file order differs (TF adds the
// object graph last, Write sorts by name).
func TestWriteStringsMatchTensorFlow(t *testing.T) {
	tfPrefix := tfdata.Path(t, "serving_half_plus_two_tf2", "00000123", "variables", "variables.index")
	tfPrefix = strings.TrimSuffix(tfPrefix, ".index")
	r := mustOpen(t, tfPrefix)
	vars := map[string]*tensor.Tensor{}
	for _, n := range r.Names() {
		vars[n] = mustTensor(t, r, n)
	}
	ours := filepath.Join(t.TempDir(), "variables")
	if err := checkpoint.Write(ours, vars); err != nil {
		t.Fatal(err)
	}
	theirEntries, theirData := entriesAndData(t, tfPrefix)
	ourEntries, ourData := entriesAndData(t, ours)
	for name, te := range theirEntries {
		oe, ok := ourEntries[name]
		if !ok {
			t.Errorf("%s missing from our index", name)
			continue
		}
		if te.DType != oe.DType || te.Size != oe.Size || te.CRC32C != oe.CRC32C || !reflect.DeepEqual(te.Shape, oe.Shape) {
			t.Errorf("%s: entry %+v, TensorFlow's %+v", name, oe, te)
		}
		if !bytes.Equal(theirData[te.Offset:te.Offset+te.Size], ourData[oe.Offset:oe.Offset+oe.Size]) {
			t.Errorf("%s: data bytes differ", name)
		}
	}
}

func entriesAndData(t *testing.T, prefix string) (map[string]bundlepb.Entry, []byte) {
	index, _ := os.ReadFile(prefix + ".index")
	data, _ := os.ReadFile(checkpoint.DataFilename(prefix, 0, 1))
	tr, err := table.NewReader(bytes.NewReader(index), int64(len(index)), prefix)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bundlepb.Entry{}
	tr.Scan(func(k, v []byte) error {
		if len(k) > 0 {
			e, err := bundlepb.DecodeEntry(v)
			if err != nil {
				t.Fatal(err)
			}
			out[string(k)] = e
		}
		return nil
	})
	return out, data
}

// tableEntries returns a table's key/value pairs, concatenated.
func tableEntries(t *testing.T, data []byte) []byte {
	r, err := table.NewReader(bytes.NewReader(data), int64(len(data)), "index")
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	r.Scan(func(k, v []byte) error {
		out = fmt.Appendf(out, "%q=%x;", k, v)
		return nil
	})
	return out
}

// TF2's object graph is a string tensor; its TrackableObjectGraph proto
// names every variable's checkpoint key.
func TestObjectGraphTensor(t *testing.T) {
	r := mustOpen(t, tfdata.Path(t, "serving_half_plus_two_tf2", "00000123", "variables"))
	g := mustTensor(t, r, "_CHECKPOINTABLE_OBJECT_GRAPH")
	if g.DType != tensor.String || len(g.Strings) != 1 || len(g.Strings[0]) != 613 {
		t.Fatalf("object graph: %v %v, %d strings", g.DType, g.Shape, len(g.Strings))
	}
	for _, n := range r.Names() {
		if n != "_CHECKPOINTABLE_OBJECT_GRAPH" && !bytes.Contains(g.Strings[0], []byte(n)) {
			t.Errorf("object graph does not name %s", n)
		}
	}
}

func randomTensor(rng *rand.Rand, dt tensor.DType, shape []int64) *tensor.Tensor {
	n := tensor.NumElements(shape)
	if dt == tensor.String {
		s := make([][]byte, n)
		for i := range s {
			b := make([]byte, rng.IntN(300)) // lengths above 127 need two varint bytes
			for j := range b {
				b[j] = byte(rng.IntN(256))
			}
			s[i] = b
		}
		return &tensor.Tensor{DType: dt, Shape: shape, Strings: s}
	}
	data := make([]byte, n*int64(tensor.ElemSize(dt)))
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	if dt == tensor.Bool {
		for i := range data {
			data[i] &= 1
		}
	}
	return &tensor.Tensor{DType: dt, Shape: shape, Data: data}
}

var allDTypes = []tensor.DType{
	tensor.Float, tensor.Double, tensor.Half, tensor.Bfloat16,
	tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64,
	tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64,
	tensor.Bool, tensor.String, tensor.Complex64, tensor.Complex128,
	tensor.Qint8, tensor.Quint8, tensor.Qint16, tensor.Quint16, tensor.Qint32,
}

func TestRoundTripAllDTypes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vars := map[string]*tensor.Tensor{}
	shapes := [][]int64{{}, {7}, {3, 0, 2}, {2, 3, 4}}
	for _, dt := range allDTypes {
		for i, s := range shapes {
			vars[fmt.Sprintf("%s/v%d", tensor.ShortName(dt), i)] = randomTensor(rng, dt, s)
		}
	}
	vars["name with spaces/and\x00nul\xff"] = randomTensor(rng, tensor.Float, []int64{1})
	prefix := filepath.Join(t.TempDir(), "sub", "dir", "model.ckpt-1000")
	if err := checkpoint.Write(prefix, vars); err != nil {
		t.Fatal(err)
	}
	r := mustOpen(t, prefix)
	if r.Format() != checkpoint.FormatV2 || len(r.Names()) != len(vars) {
		t.Fatalf("format %s, %d names, want v2 and %d", r.Format(), len(r.Names()), len(vars))
	}
	for name, want := range vars {
		v, ok := r.Variable(name)
		if !ok || v.DType != want.DType || !reflect.DeepEqual(v.Shape, want.Shape) && len(want.Shape) > 0 {
			t.Errorf("%q: variable %+v, want %v %v", name, v, want.DType, want.Shape)
		}
		got := mustTensor(t, r, name)
		if !sameTensor(got, want) {
			t.Errorf("%q: read back differs", name)
		}
	}
	// No temporary files left behind.
	files, _ := filepath.Glob(filepath.Dir(prefix) + "/*")
	if len(files) != 2 {
		t.Errorf("files after Write: %v", files)
	}
}

// Thousands of variables spread the index over several table blocks.
func TestRoundTripManyVariables(t *testing.T) {
	vars := map[string]*tensor.Tensor{}
	for i := 0; i < 6000; i++ {
		vars[fmt.Sprintf("InceptionV3/Mixed_%d/Branch_%d/Conv2d_0a_1x1/BatchNorm/moving_variance", i/100, i)] = iota32([]int64{3}, float32(i))
	}
	prefix := filepath.Join(t.TempDir(), "m")
	if err := checkpoint.Write(prefix, vars); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(prefix + ".index")
	tr, err := table.NewReader(bytes.NewReader(data), int64(len(data)), "index")
	if err != nil {
		t.Fatal(err)
	}
	if tr.NumBlocks() < 2 {
		t.Errorf("index has %d blocks, want several", tr.NumBlocks())
	}
	r := mustOpen(t, prefix)
	for _, i := range []int{0, 1234, 5999} {
		name := fmt.Sprintf("InceptionV3/Mixed_%d/Branch_%d/Conv2d_0a_1x1/BatchNorm/moving_variance", i/100, i)
		v, _ := mustTensor(t, r, name).Float32s()
		if v[2] != float32(i+2) {
			t.Errorf("%s = %v", name, v)
		}
	}
}

func TestWriteRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := map[string]map[string]*tensor.Tensor{
		"empty name": {"": iota32([]int64{1}, 0)},
		"nil tensor": {"a": nil},
		"short data": {"a": {DType: tensor.Float, Shape: []int64{4}, Data: make([]byte, 8)}},
		"strings":    {"a": {DType: tensor.String, Shape: []int64{2}, Strings: [][]byte{nil}}},
		"resource":   {"a": {DType: tensor.Resource, Shape: []int64{}, Data: nil}},
		"negative":   {"a": {DType: tensor.Float, Shape: []int64{-1}}},
	}
	for what, vars := range bad {
		prefix := filepath.Join(dir, strings.ReplaceAll(what, " ", "_"))
		if err := checkpoint.Write(prefix, vars); err == nil || !strings.HasPrefix(err.Error(), "checkpoint: ") {
			t.Errorf("%s: Write error %v", what, err)
		}
		if m, _ := filepath.Glob(prefix + "*"); len(m) != 0 {
			t.Errorf("%s: failed Write left %v", what, m)
		}
	}
}

func TestV1Partitioned(t *testing.T) {
	dir := t.TempDir()
	w := iota32([]int64{5, 3}, 0)   // split by rows over two shards
	u := iota32([]int64{2, 4}, 100) // split by columns in one shard
	rng := rand.New(rand.NewPCG(3, 4))
	extra := map[tensor.DType]*tensor.Tensor{}
	for _, dt := range allDTypes {
		extra[dt] = randomTensor(rng, dt, []int64{2, 3})
	}
	shard0 := []partitioned{
		{name: "w", dtype: tensor.Float, shape: w.Shape, parts: []slicePart{{bundlepb.Slice{ext(0, 2), {}}, rowsOf(w, 0, 2)}}},
		{name: "u", dtype: tensor.Float, shape: u.Shape, parts: []slicePart{
			{bundlepb.Slice{{}, ext(0, 1)}, colsOf(u, 0, 1)},
			{bundlepb.Slice{{}, ext(1, 3)}, colsOf(u, 1, 4)},
		}},
		{name: "scalar", dtype: tensor.Float, shape: nil, parts: []slicePart{{bundlepb.Slice{}, iota32(nil, 0.5)}}},
	}
	shard1 := []partitioned{
		{name: "w", dtype: tensor.Float, shape: w.Shape, parts: []slicePart{{bundlepb.Slice{ext(2, 3), {}}, rowsOf(w, 2, 5)}}},
	}
	for dt, x := range extra {
		shard1 = append(shard1, partitioned{name: "all/" + tensor.ShortName(dt), dtype: dt, shape: x.Shape, parts: []slicePart{{bundlepb.Slice{{}, {}}, x}}})
	}
	buildV1(t, filepath.Join(dir, "model.ckpt-00000-of-00002"), shard0)
	buildV1(t, filepath.Join(dir, "model.ckpt-00001-of-00002"), shard1)

	for _, path := range []string{
		filepath.Join(dir, "model.ckpt"),                // prefix
		filepath.Join(dir, "model.ckpt-?????-of-00002"), // pattern
		filepath.Join(dir, "model.ckpt-00001-of-00002"), // one shard names the set
	} {
		r := mustOpen(t, path)
		if r.Format() != checkpoint.FormatV1 || len(r.Files()) != 2 {
			t.Fatalf("%s: format %s, files %v", path, r.Format(), r.Files())
		}
		for name, want := range map[string]*tensor.Tensor{"w": w, "u": u, "scalar": iota32(nil, 0.5)} {
			if got := mustTensor(t, r, name); !sameTensor(got, want) {
				a, _ := got.Float32s()
				b, _ := want.Float32s()
				t.Errorf("%s: %s = %v, want %v", path, name, a, b)
			}
		}
		for dt, want := range extra {
			if got := mustTensor(t, r, "all/"+tensor.ShortName(dt)); !sameTensor(got, want) {
				t.Errorf("V1 %v values differ", dt)
			}
		}
	}
	// A missing shard is named.
	os.Remove(filepath.Join(dir, "model.ckpt-00001-of-00002"))
	_, err := checkpoint.Open(filepath.Join(dir, "model.ckpt"))
	if err == nil || !strings.Contains(err.Error(), "model.ckpt-00001-of-00002") {
		t.Errorf("missing V1 shard: %v", err)
	}
}

func TestV2Partitioned(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "part")
	w := iota32([]int64{4, 6}, 1)
	w3 := iota32([]int64{2, 3, 4}, -7)
	buildV2Sliced(t, prefix, []partitioned{
		{name: "w", dtype: tensor.Float, shape: w.Shape, parts: []slicePart{
			{bundlepb.Slice{ext(0, 1), {}}, rowsOf(w, 0, 1)},
			{bundlepb.Slice{ext(1, 3), {}}, rowsOf(w, 1, 4)},
		}},
		{name: "w3", dtype: tensor.Float, shape: w3.Shape, parts: []slicePart{
			{bundlepb.Slice{{}, {}, {}}, w3},
		}},
	})
	r := mustOpen(t, prefix)
	if !reflect.DeepEqual(r.Names(), []string{"w", "w3"}) {
		t.Errorf("names %q: slice entries must not be listed", r.Names())
	}
	if got := mustTensor(t, r, "w"); !sameTensor(got, w) {
		a, _ := got.Float32s()
		t.Errorf("w = %v", a)
	}
	if got := mustTensor(t, r, "w3"); !sameTensor(got, w3) {
		t.Errorf("w3 differs")
	}
}

func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := checkpoint.LatestCheckpoint(dir); err == nil {
		t.Error("LatestCheckpoint of an empty dir succeeded")
	}
	vars := map[string]*tensor.Tensor{"x": iota32([]int64{2}, 1)}
	for _, step := range []string{"model.ckpt-1", "model.ckpt-2"} {
		if err := checkpoint.Write(filepath.Join(dir, step), vars); err != nil {
			t.Fatal(err)
		}
	}
	latest := filepath.Join(dir, "model.ckpt-2")
	if err := checkpoint.WriteState(dir, latest, []string{filepath.Join(dir, "model.ckpt-1")}); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
	want := "model_checkpoint_path: \"model.ckpt-2\"\nall_model_checkpoint_paths: \"model.ckpt-1\"\nall_model_checkpoint_paths: \"model.ckpt-2\"\n"
	if string(text) != want {
		t.Errorf("state file:\n%s\nwant:\n%s", text, want)
	}
	got, err := checkpoint.LatestCheckpoint(dir)
	if err != nil || got != latest {
		t.Errorf("LatestCheckpoint = %q, %v; want %q", got, err, latest)
	}
	r := mustOpen(t, dir)
	if r.Path() != latest {
		t.Errorf("Open(dir) chose %s", r.Path())
	}
	// Quoting survives odd names; absolute paths outside dir stay absolute.
	odd := filepath.Join(t.TempDir(), `we"ird\name`)
	if err := checkpoint.WriteState(dir, odd, nil); err != nil {
		t.Fatal(err)
	}
	s, err := checkpoint.ReadState(dir)
	if err != nil || s.ModelCheckpointPath != odd || len(s.AllModelCheckpointPaths) != 1 {
		t.Errorf("ReadState = %+v, %v", s, err)
	}
	if _, err := checkpoint.LatestCheckpoint(dir); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("state naming a missing checkpoint: %v", err)
	}
}

func writeSmall(t *testing.T) (prefix string, vars map[string]*tensor.Tensor) {
	prefix = filepath.Join(t.TempDir(), "model.ckpt")
	s, _ := tensor.FromStrings([]int64{2}, []string{"hello", "world"})
	vars = map[string]*tensor.Tensor{
		"dense/kernel": iota32([]int64{64, 32}, 0),
		"dense/bias":   iota32([]int64{32}, 0),
		"labels":       s,
	}
	if err := checkpoint.Write(prefix, vars); err != nil {
		t.Fatal(err)
	}
	return prefix, vars
}

func TestCorruptFiles(t *testing.T) {
	prefix, _ := writeSmall(t)
	dataName := checkpoint.DataFilename(prefix, 0, 1)
	orig, _ := os.ReadFile(dataName)
	origIndex, _ := os.ReadFile(prefix + ".index")
	restore := func() {
		os.WriteFile(dataName, orig, 0o644)
		os.WriteFile(prefix+".index", origIndex, 0o644)
	}

	// Locate each tensor's bytes.
	r := mustOpen(t, prefix)
	r.Close()

	// A flipped byte inside dense/kernel's data (after dense/bias, sorted
	// first: 128 bytes).
	bad := append([]byte(nil), orig...)
	bad[128+1000] ^= 1
	os.WriteFile(dataName, bad, 0o644)
	r = mustOpen(t, prefix)
	_, err := r.Tensor("dense/kernel")
	if !errors.Is(err, checkpoint.ErrChecksum) || !strings.Contains(err.Error(), "dense/kernel") || !strings.Contains(err.Error(), filepath.Base(dataName)) {
		t.Errorf("flipped data byte: %v", err)
	}
	if _, err := r.Tensor("dense/bias"); err != nil {
		t.Errorf("an intact tensor next to a corrupt one: %v", err)
	}
	// A flipped string byte.
	bad = append([]byte(nil), orig...)
	bad[len(bad)-1] ^= 1
	os.WriteFile(dataName, bad, 0o644)
	if _, err := mustOpen(t, prefix).Tensor("labels"); !errors.Is(err, checkpoint.ErrChecksum) || !strings.Contains(err.Error(), "labels") {
		t.Errorf("flipped string byte: %v", err)
	}
	// Truncated data file.
	os.WriteFile(dataName, orig[:len(orig)-100], 0o644)
	if _, err := mustOpen(t, prefix).Tensor("dense/kernel"); !errors.Is(err, checkpoint.ErrCorrupt) || !strings.Contains(err.Error(), "dense/kernel") {
		t.Errorf("truncated data: %v", err)
	}
	restore()

	// Index damage: a flipped byte in the data block, truncation, bad magic.
	for what, b := range map[string][]byte{
		"flip":      flip(origIndex, 20),
		"truncated": origIndex[:len(origIndex)-7],
		"magic":     flip(origIndex, len(origIndex)-1),
		"empty":     {},
	} {
		os.WriteFile(prefix+".index", b, 0o644)
		_, err := checkpoint.Open(prefix)
		if err == nil || !strings.Contains(err.Error(), ".index") {
			t.Errorf("index %s: %v", what, err)
		}
		if what == "flip" && !errors.Is(err, checkpoint.ErrChecksum) {
			t.Errorf("index flip: %v, want ErrChecksum", err)
		}
	}
	restore()

	// Missing data shard.
	os.Remove(dataName)
	if _, err := checkpoint.Open(prefix); err == nil || !strings.Contains(err.Error(), "missing data shard") {
		t.Errorf("missing shard: %v", err)
	}
	restore()

	// Nothing there at all.
	if _, err := checkpoint.Open(prefix + "-nope"); err == nil || !strings.Contains(err.Error(), "no checkpoint") {
		t.Errorf("missing checkpoint: %v", err)
	}
	// A file that is not a table.
	junk := filepath.Join(t.TempDir(), "junk.ckpt")
	os.WriteFile(junk, bytes.Repeat([]byte("x"), 100), 0o644)
	if _, err := checkpoint.Open(junk); err == nil || !strings.Contains(err.Error(), "not a checkpoint") {
		t.Errorf("junk file: %v", err)
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x10
	return out
}

func TestClosedReader(t *testing.T) {
	prefix, _ := writeSmall(t)
	r, err := checkpoint.Open(prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Tensor("dense/bias"); err == nil || !strings.Contains(err.Error(), "after Close") {
		t.Errorf("Tensor after Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestUnknownTensorSuggests(t *testing.T) {
	prefix, _ := writeSmall(t)
	r := mustOpen(t, prefix)
	_, err := r.Tensor("dense/kernal")
	if !errors.Is(err, checkpoint.ErrNotFound) || !strings.Contains(err.Error(), `"dense/kernel"`) {
		t.Errorf("unknown name: %v", err)
	}
	if r.Has("dense/kernal") || !r.Has("dense/kernel") {
		t.Error("Has is wrong")
	}
}

// Hostile indexes and V1 files that declare huge tensors must fail without
// allocating anywhere near the declared size.
func TestHostileSizesDoNotAllocate(t *testing.T) {
	dir := t.TempDir()
	huge := []int64{1 << 20, 1 << 20}
	cases := map[string]func(prefix string){
		"v2 float": func(p string) {
			writeIndex(t, p, map[string]bundlepb.Entry{"x": {DType: tensor.Float, Shape: bundlepb.Shape{Dims: huge}, Size: 4 << 40}})
		},
		"v2 string": func(p string) {
			writeIndex(t, p, map[string]bundlepb.Entry{"x": {DType: tensor.String, Shape: bundlepb.Shape{Dims: huge}, Size: 8}})
		},
		"v2 slices": func(p string) {
			writeIndex(t, p, map[string]bundlepb.Entry{"x": {DType: tensor.Float, Shape: bundlepb.Shape{Dims: huge}, Slices: []bundlepb.Slice{{ext(0, 1), {}}}}})
		},
		"v1": func(p string) {
			buildV1(t, p, []partitioned{{name: "x", dtype: tensor.Double, shape: huge, parts: []slicePart{{bundlepb.Slice{ext(0, 1<<20), {}}, iota32([]int64{1}, 0)}}}})
		},
	}
	for what, build := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(what, " ", "_"))
		build(p)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := checkpoint.Open(p)
		if err == nil {
			_, err = r.Tensor("x")
			r.Close()
		}
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: hostile tensor read without error", what)
		}
		t.Logf("%s: %v", what, err)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("%s: allocated %d MB before failing (%v)", what, alloc>>20, err)
		}
	}
}

// writeIndex writes a V2 index with the given entries and an 8-byte data
// shard.
func writeIndex(t *testing.T, prefix string, entries map[string]bundlepb.Entry) {
	var buf bytes.Buffer
	w := table.NewWriter(&buf, table.DefaultOptions)
	w.Add(nil, bundlepb.AppendHeader(nil, bundlepb.Header{NumShards: 1, Version: bundlepb.VersionDef{Producer: 1}}))
	for _, k := range []string{"x"} {
		w.Add([]byte(k), bundlepb.AppendEntry(nil, entries[k]))
	}
	w.Finish()
	os.WriteFile(prefix+".index", buf.Bytes(), 0o644)
	os.WriteFile(checkpoint.DataFilename(prefix, 0, 1), make([]byte, 8), 0o644)
}

func TestConcurrentReads(t *testing.T) {
	prefix, vars := writeSmall(t)
	r := mustOpen(t, prefix)
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for _, n := range r.Names() {
				v, err := r.Tensor(n)
				if err == nil && !sameTensor(v, vars[n]) {
					err = fmt.Errorf("%s differs", n)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestV2MultipleShards(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "model.ckpt-7")
	shards := []map[string]*tensor.Tensor{
		{"a": iota32([]int64{3}, 1), "c": iota32([]int64{2, 2}, 10)},
		{"b": iota32([]int64{5}, 100)},
		{"d": iota32(nil, -1)},
	}
	buildV2Sharded(t, prefix, shards)
	r := mustOpen(t, prefix)
	if len(r.Files()) != 4 || !reflect.DeepEqual(r.Names(), []string{"a", "b", "c", "d"}) {
		t.Fatalf("files %v names %v", r.Files(), r.Names())
	}
	for _, s := range shards {
		for n, want := range s {
			if got := mustTensor(t, r, n); !sameTensor(got, want) {
				t.Errorf("%s differs", n)
			}
		}
	}
	r.Close()
	// Opening through any data shard works too; a missing one is named.
	if _, err := checkpoint.Open(checkpoint.DataFilename(prefix, 2, 3)); err != nil {
		t.Error(err)
	}
	os.Remove(checkpoint.DataFilename(prefix, 1, 3))
	_, err := checkpoint.Open(prefix)
	if err == nil || !strings.Contains(err.Error(), "model.ckpt-7.data-00001-of-00003") {
		t.Errorf("missing shard 1: %v", err)
	}
}

// A malformed entry inside a well-formed index names the index and the
// tensor, once.
func TestMalformedEntry(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "m")
	var buf bytes.Buffer
	w := table.NewWriter(&buf, table.DefaultOptions)
	w.Add(nil, bundlepb.AppendHeader(nil, bundlepb.Header{NumShards: 1, Version: bundlepb.VersionDef{Producer: 1}}))
	w.Add([]byte("layer/kernel"), []byte{0x12, 0x05, 0x01}) // shape field runs past the value
	w.Finish()
	os.WriteFile(prefix+".index", buf.Bytes(), 0o644)
	os.WriteFile(checkpoint.DataFilename(prefix, 0, 1), nil, 0o644)
	_, err := checkpoint.Open(prefix)
	if !errors.Is(err, checkpoint.ErrCorrupt) || !strings.Contains(err.Error(), `m.index: entry "layer/kernel"`) || strings.Count(err.Error(), "checkpoint:") != 1 {
		t.Errorf("malformed entry: %v", err)
	}
}

// A V1 file listing the same slice many times must be refused before the
// slice is read again and again.
func TestOverlappingSlicesRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "v1")
	w := iota32([]int64{4, 2}, 0)
	parts := []slicePart{{bundlepb.Slice{ext(0, 4), {}}, w}}
	for i := 0; i < 1000; i++ {
		parts = append(parts, slicePart{bundlepb.Slice{ext(0, 4), {}}, w})
	}
	buildV1(t, p, []partitioned{{name: "w", dtype: tensor.Float, shape: w.Shape, parts: parts}})
	r := mustOpen(t, p)
	if _, err := r.Tensor("w"); !errors.Is(err, checkpoint.ErrCorrupt) || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("overlapping slices: %v", err)
	}
}

// Tensors above the parallel-read threshold (8 MiB) are read in pieces by
// several goroutines; values and checksum must be unaffected.
func TestLargeTensorParallelRead(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	big := randomTensor(rng, tensor.Float, []int64{1000, 2600}) // 10.4 MB
	prefix := filepath.Join(t.TempDir(), "big")
	if err := checkpoint.Write(prefix, map[string]*tensor.Tensor{"w": big}); err != nil {
		t.Fatal(err)
	}
	if got := mustTensor(t, mustOpen(t, prefix), "w"); !sameTensor(got, big) {
		t.Fatal("large tensor read back differs")
	}
	dataName := checkpoint.DataFilename(prefix, 0, 1)
	data, _ := os.ReadFile(dataName)
	os.WriteFile(dataName, flip(data, len(data)-3), 0o644)
	if _, err := mustOpen(t, prefix).Tensor("w"); !errors.Is(err, checkpoint.ErrChecksum) {
		t.Errorf("flipped byte in the last piece: %v", err)
	}
}
