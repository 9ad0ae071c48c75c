package checkpoint_test

// Test-only builders for files Write does not produce: V1 checkpoints and
// V2 checkpoints with partitioned variables, encoded as TensorFlow's
// TensorSliceWriter and BundleWriter::AddSlice lay them out.

import (
	"bytes"
	"encoding/binary"
	"os"
	"sort"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/checkpoint/internal/bundlepb"
	"github.com/gotl/gotl/helpers/checkpoint/internal/table"
	"github.com/gotl/gotl/helpers/tensor"
)

type slicePart struct {
	slice bundlepb.Slice
	t     *tensor.Tensor // the slice's values, densely
}

type partitioned struct {
	name  string
	dtype tensor.DType
	shape []int64
	parts []slicePart
}

func msg(b []byte, num protowire.Number, body []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, body)
}

func varintField(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// tensorProtoValues encodes t's values in the typed field TF's V1 saver
// uses (packed), without dtype or shape, as SavedSlice.data holds them.
func tensorProtoValues(t *tensor.Tensor) []byte {
	var b, packed []byte
	dt := tensor.BaseType(t.DType)
	n := int(t.NumElements())
	switch dt {
	case tensor.String:
		for _, s := range t.Strings {
			b = msg(b, 8, s)
		}
		return b
	case tensor.Float:
		return msg(nil, 5, t.Data)
	case tensor.Double:
		return msg(nil, 6, t.Data)
	case tensor.Complex64:
		return msg(nil, 9, t.Data)
	case tensor.Complex128:
		return msg(nil, 12, t.Data)
	}
	field := protowire.Number(7)
	switch dt {
	case tensor.Int64:
		field = 10
	case tensor.Bool:
		field = 11
	case tensor.Half, tensor.Bfloat16:
		field = 13
	case tensor.Uint32:
		field = 16
	case tensor.Uint64:
		field = 17
	}
	for i := 0; i < n; i++ {
		var v uint64
		switch tensor.ElemSize(dt) {
		case 1:
			if dt == tensor.Int8 || dt == tensor.Qint8 {
				v = uint64(int64(int8(t.Data[i])))
			} else {
				v = uint64(t.Data[i])
			}
		case 2:
			x := binary.LittleEndian.Uint16(t.Data[2*i:])
			if dt == tensor.Int16 || dt == tensor.Qint16 {
				v = uint64(int64(int16(x)))
			} else {
				v = uint64(x)
			}
		case 4:
			v = uint64(int64(int32(binary.LittleEndian.Uint32(t.Data[4*i:]))))
			if dt == tensor.Uint32 {
				v = uint64(binary.LittleEndian.Uint32(t.Data[4*i:]))
			}
		case 8:
			v = binary.LittleEndian.Uint64(t.Data[8*i:])
		}
		packed = protowire.AppendVarint(packed, v)
	}
	return msg(nil, field, packed)
}

// buildV1 writes one V1 shard holding the given variables' parts.
func buildV1(t testing.TB, file string, vars []partitioned) {
	var meta []byte
	type rec struct{ k, v []byte }
	var recs []rec
	for _, pv := range vars {
		var m []byte
		m = msg(m, 1, []byte(pv.name))
		m = msg(m, 2, bundlepb.AppendShape(nil, pv.shape))
		m = varintField(m, 3, uint64(pv.dtype))
		for _, p := range pv.parts {
			m = msg(m, 4, bundlepb.AppendSlice(nil, p.slice))
			var ss []byte
			ss = msg(ss, 1, []byte(pv.name))
			ss = msg(ss, 2, bundlepb.AppendSlice(nil, p.slice))
			ss = msg(ss, 3, tensorProtoValues(p.t))
			recs = append(recs, rec{bundlepb.SliceKey(pv.name, p.slice), msg(nil, 2, ss)})
		}
		meta = msg(meta, 1, m)
	}
	meta = msg(meta, 2, varintField(nil, 1, 1))
	recs = append(recs, rec{[]byte{}, msg(nil, 1, meta)})
	sort.SliceStable(recs, func(i, j int) bool { return bytes.Compare(recs[i].k, recs[j].k) < 0 })
	dedup := recs[:0] // a slice listed twice in the metadata is stored once
	for _, r := range recs {
		if len(dedup) == 0 || !bytes.Equal(dedup[len(dedup)-1].k, r.k) {
			dedup = append(dedup, r)
		}
	}
	recs = dedup
	var buf bytes.Buffer
	w := table.NewWriter(&buf, table.Options{BlockSize: 64})
	for _, r := range recs {
		if err := w.Add(r.k, r.v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildV2Sliced writes a one-shard V2 checkpoint where every variable is
// stored as the given slices (BundleWriter::AddSlice layout).
func buildV2Sliced(t testing.TB, prefix string, vars []partitioned) {
	var data []byte
	entries := map[string][]byte{}
	for _, pv := range vars {
		full := bundlepb.Entry{DType: pv.dtype, Shape: bundlepb.Shape{Dims: pv.shape}}
		for _, p := range pv.parts {
			full.Slices = append(full.Slices, p.slice)
			e := bundlepb.Entry{DType: pv.dtype, Shape: bundlepb.Shape{Dims: p.t.Shape}, Offset: int64(len(data)), Size: int64(len(p.t.Data))}
			e.CRC32C = table.MaskCRC(table.CRC32C(p.t.Data))
			data = append(data, p.t.Data...)
			entries[string(bundlepb.SliceKey(pv.name, p.slice))] = bundlepb.AppendEntry(nil, e)
		}
		entries[pv.name] = bundlepb.AppendEntry(nil, full)
	}
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	w := table.NewWriter(&buf, table.DefaultOptions)
	w.Add(nil, bundlepb.AppendHeader(nil, bundlepb.Header{NumShards: 1, Version: bundlepb.VersionDef{Producer: 1}}))
	for _, k := range keys {
		if err := w.Add([]byte(k), entries[k]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prefix+".index", buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(checkpoint.DataFilename(prefix, 0, 1), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// iota32 returns a float32 tensor with values start, start+1, ….
func iota32(shape []int64, start float32) *tensor.Tensor {
	n := tensor.NumElements(shape)
	v := make([]float32, n)
	for i := range v {
		v[i] = start + float32(i)
	}
	t, _ := tensor.FromFloat32s(shape, v)
	return t
}

// rowsOf returns rows [r0, r1) of a 2-D float32 tensor.
func rowsOf(t *tensor.Tensor, r0, r1 int64) *tensor.Tensor {
	cols := t.Shape[1]
	return &tensor.Tensor{DType: t.DType, Shape: []int64{r1 - r0, cols}, Data: append([]byte(nil), t.Data[r0*cols*4:r1*cols*4]...)}
}

// colsOf returns columns [c0, c1) of a 2-D float32 tensor.
func colsOf(t *tensor.Tensor, c0, c1 int64) *tensor.Tensor {
	rows, cols := t.Shape[0], t.Shape[1]
	out := &tensor.Tensor{DType: t.DType, Shape: []int64{rows, c1 - c0}}
	for r := int64(0); r < rows; r++ {
		out.Data = append(out.Data, t.Data[(r*cols+c0)*4:(r*cols+c1)*4]...)
	}
	return out
}

func ext(start, length int64) bundlepb.Extent {
	return bundlepb.Extent{Start: start, Length: length, HasLength: true}
}

// buildV2Sharded writes a V2 checkpoint with one data file per element of
// shards, as a sharded tf.train.Saver (MergeBundles) leaves it.
func buildV2Sharded(t testing.TB, prefix string, shards []map[string]*tensor.Tensor) {
	entries := map[string][]byte{}
	for i, vars := range shards {
		var data []byte
		names := make([]string, 0, len(vars))
		for n := range vars {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			v := vars[n]
			e := bundlepb.Entry{DType: v.DType, Shape: bundlepb.Shape{Dims: v.Shape}, ShardID: int32(i), Offset: int64(len(data)), Size: int64(len(v.Data))}
			e.CRC32C = table.MaskCRC(table.CRC32C(v.Data))
			data = append(data, v.Data...)
			entries[n] = bundlepb.AppendEntry(nil, e)
		}
		if err := os.WriteFile(checkpoint.DataFilename(prefix, i, len(shards)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	w := table.NewWriter(&buf, table.DefaultOptions)
	w.Add(nil, bundlepb.AppendHeader(nil, bundlepb.Header{NumShards: int32(len(shards)), Version: bundlepb.VersionDef{Producer: 1}}))
	for _, k := range keys {
		w.Add([]byte(k), entries[k])
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prefix+".index", buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
