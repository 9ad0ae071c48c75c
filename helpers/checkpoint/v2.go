package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/gotl/gotl/helpers/checkpoint/internal/bundlepb"
	"github.com/gotl/gotl/helpers/checkpoint/internal/table"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
)

// bundleVersion is the tensor bundle format version this reader implements
// (TensorFlow's kTensorBundleVersion).
const bundleVersion = 1

// sliceKeyBudget bounds the bytes of slice keys built for a file of size
// bytes: each slice costs a few bytes of the file but repeats its tensor's
// name in its key, so a hostile file could otherwise cost names × slices.
func sliceKeyBudget(size int64) int64 { return 64*size + 1<<20 }

func indexSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

// maxShards bounds num_shards: shard names have five digits.
const maxShards = 99999

type v2reader struct {
	indexName  string
	shards     []*os.File
	shardNames []string
	shardSizes []int64
	dataTotal  int64
	entries    map[string]bundlepb.Entry // every index entry but the header, slices included
}

// DataFilename returns the name of shard i of n of the V2 checkpoint prefix.
func DataFilename(prefix string, i, n int) string {
	return fmt.Sprintf("%s.data-%05d-of-%05d", prefix, i, n)
}

// wrapTable turns a table error into a checkpoint error that matches
// ErrChecksum or ErrCorrupt.
func wrapTable(err error) error {
	switch {
	case errors.Is(err, table.ErrChecksum):
		return fmt.Errorf("%w: %w", ErrChecksum, err)
	case errors.Is(err, table.ErrCorrupt):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return fmt.Errorf("checkpoint: %w", err)
}

// shapeError reports a stored shape elements refused: beyond the policy's
// limit (the file may be fine; the limit can be raised), or corrupt.
func shapeError(file, tensorName string, err error) error {
	if errors.Is(err, limits.ErrExceeded) {
		return fmt.Errorf("checkpoint: %s: tensor %q: %w", file, tensorName, err)
	}
	return corruptf("%s: tensor %q: %v", file, tensorName, err)
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrCorrupt, fmt.Errorf(format, args...))
}

func openTable(name string) (*os.File, *table.Reader, error) {
	f, size, err := limits.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	t, err := table.NewReader(f, size, name)
	if err != nil {
		f.Close()
		return nil, nil, wrapTable(err)
	}
	return f, t, nil
}

// checkShape validates a stored shape and returns its dims.
func checkShape(s bundlepb.Shape) ([]int64, error) {
	if s.UnknownRank {
		return nil, errors.New("shape has unknown rank")
	}
	for _, d := range s.Dims {
		if d < 0 {
			return nil, fmt.Errorf("shape %v has a negative dimension", s.Dims)
		}
	}
	if s.Dims == nil {
		return []int64{}, nil
	}
	return s.Dims, nil
}

func openV2(prefix string) (*Reader, error) {
	indexName := prefix + ".index"
	f, t, err := openTable(indexName)
	if err != nil {
		return nil, err
	}
	defer f.Close() // the index is read completely here
	v := &v2reader{indexName: indexName, entries: map[string]bundlepb.Entry{}}
	var header *bundlepb.Header
	err = t.Scan(func(k, val []byte) error {
		if len(k) == 0 {
			h, err := bundlepb.DecodeHeader(val)
			if err != nil {
				return corruptf("%s: header entry: %v", indexName, err)
			}
			header = &h
			return nil
		}
		e, err := bundlepb.DecodeEntry(val)
		if err != nil {
			return corruptf("%s: entry %q: %v", indexName, k, err)
		}
		v.entries[string(k)] = e
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return nil, err
		}
		return nil, wrapTable(err)
	}
	if header == nil {
		return nil, corruptf("%s: no header entry (not a V2 checkpoint index?)", indexName)
	}
	if header.Endianness != bundlepb.Little {
		return nil, fmt.Errorf("checkpoint: %s: big-endian checkpoints are not supported", indexName)
	}
	ver := header.Version
	if ver.Producer < 0 || ver.MinConsumer > bundleVersion {
		return nil, fmt.Errorf("checkpoint: %s: format version producer %d, min consumer %d: written by a newer TensorFlow than this reader (version %d) understands", indexName, ver.Producer, ver.MinConsumer, bundleVersion)
	}
	for _, b := range ver.BadConsumers {
		if b == bundleVersion {
			return nil, fmt.Errorf("checkpoint: %s: format version %d is blacklisted by the writer", indexName, bundleVersion)
		}
	}
	if header.NumShards < 1 || header.NumShards > maxShards {
		return nil, corruptf("%s: header claims %d shards", indexName, header.NumShards)
	}
	n := int(header.NumShards)
	r := &Reader{format: FormatV2, path: prefix, files: []string{indexName}, vars: map[string]Variable{}, impl: v}
	for i := 0; i < n; i++ {
		name := DataFilename(prefix, i, n)
		df, size, err := limits.Open(name)
		if err != nil {
			v.close()
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("checkpoint: missing data shard %s (shard %d of %d listed in %s)", name, i, n, filepath.Base(indexName))
			}
			return nil, fmt.Errorf("checkpoint: %w", err)
		}
		v.shards = append(v.shards, df)
		v.shardNames = append(v.shardNames, name)
		v.shardSizes = append(v.shardSizes, size)
		v.dataTotal += size
		r.files = append(r.files, name)
	}
	// Slice entries are reached through their full tensor; like
	// TensorFlow's CheckpointReader, they are not listed.
	sliceKeys := map[string]bool{}
	budget := sliceKeyBudget(indexSize(f))
	for k, e := range v.entries {
		if budget -= int64(len(e.Slices)) * int64(len(k)+16); budget < 0 {
			v.close()
			return nil, corruptf("%s: implausibly many slices (tensor %q has %d)", indexName, k, len(e.Slices))
		}
		for _, s := range e.Slices {
			sliceKeys[string(bundlepb.SliceKey(k, s))] = true
		}
	}
	for k, e := range v.entries {
		if sliceKeys[k] {
			continue
		}
		dims, err := checkShape(e.Shape)
		if err != nil {
			v.close()
			return nil, corruptf("%s: tensor %q: %v", indexName, k, err)
		}
		r.vars[k] = Variable{Name: k, DType: e.DType, Shape: dims}
	}
	return r, nil
}

func (v *v2reader) close() error {
	var first error
	for _, f := range v.shards {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	v.shards = nil
	return first
}

// elements returns the element count of a stored shape: overflow-checked,
// at most limits.TensorElements, and at most limit, the bytes the
// checkpoint has to hold them (every element takes at least one).
func elements(dims []int64, limit int64) (int64, error) {
	n, err := limits.Elements(dims)
	if err != nil {
		return 0, err
	}
	if n > limit {
		return 0, fmt.Errorf("shape %v has more elements than the checkpoint's %d bytes can hold", dims, limit)
	}
	return n, nil
}

func (v *v2reader) tensor(vr Variable) (*tensor.Tensor, error) {
	if v.shards == nil {
		return nil, errors.New("checkpoint: reader is closed")
	}
	e := v.entries[vr.Name]
	if len(e.Slices) > 0 {
		return v.assemble(vr, e)
	}
	return v.read(vr.Name, vr.Shape, e)
}

// read reads and verifies the data of one entry (a whole tensor or a slice).
func (v *v2reader) read(what string, dims []int64, e bundlepb.Entry) (*tensor.Tensor, error) {
	if e.ShardID < 0 || int(e.ShardID) >= len(v.shards) {
		return nil, corruptf("%s: tensor %q is in shard %d, but there are %d", v.indexName, what, e.ShardID, len(v.shards))
	}
	file, size := v.shardNames[e.ShardID], v.shardSizes[e.ShardID]
	if e.Offset < 0 || e.Size < 0 || e.Offset > size || e.Size > size-e.Offset {
		return nil, corruptf("%s: tensor %q: bytes [%d, %d) lie outside the %d-byte file (truncated?)", file, what, e.Offset, e.Offset+e.Size, size)
	}
	dt := tensor.BaseType(e.DType)
	n, err := elements(dims, max(e.Size, 1))
	if err != nil {
		return nil, shapeError(file, what, err)
	}
	elem := int64(tensor.ElemSize(dt))
	if dt != tensor.String {
		if elem == 0 {
			return nil, fmt.Errorf("checkpoint: %s: tensor %q has dtype %v, which gotl cannot read", file, what, e.DType)
		}
		if e.Size != n*elem {
			return nil, corruptf("%s: tensor %q: %v %v needs %d bytes, entry says %d", file, what, dt, dims, n*elem, e.Size)
		}
	}
	buf := make([]byte, e.Size)
	crc, err := table.ReadAtCRC32C(v.shards[e.ShardID], buf, e.Offset)
	if err != nil {
		return nil, corruptf("%s: tensor %q: reading %d bytes at %d: %v", file, what, e.Size, e.Offset, err)
	}
	t := &tensor.Tensor{DType: dt, Shape: append([]int64{}, dims...)}
	if dt == tensor.String {
		strs, err := decodeStrings(buf, n, e.CRC32C)
		if err != nil {
			if errors.Is(err, ErrChecksum) {
				return nil, fmt.Errorf("%w: %s: tensor %q: %v", ErrChecksum, file, what, errors.Unwrap(err))
			}
			return nil, corruptf("%s: tensor %q: %v", file, what, err)
		}
		t.Strings = strs
		return t, nil
	}
	if e.Size > 0 {
		if table.MaskCRC(crc) != e.CRC32C {
			return nil, fmt.Errorf("%w: %s: tensor %q: data checksum %#08x, index says %#08x", ErrChecksum, file, what, crc, table.UnmaskCRC(e.CRC32C))
		}
	}
	t.Data = buf
	return t, nil
}

// decodeStrings parses a V2 string tensor: n varint lengths, the masked
// CRC32C of the lengths (each as a little-endian uint32, or uint64 beyond
// 32 bits), then the bytes. The entry's CRC32C covers the lengths, the
// length checksum and the bytes.
func decodeStrings(buf []byte, n int64, masked uint32) ([][]byte, error) {
	if len(buf) == 0 && n == 0 {
		return [][]byte{}, nil
	}
	if n > int64(len(buf)) {
		return nil, fmt.Errorf("%d strings cannot fit in %d bytes", n, len(buf))
	}
	lens := make([]uint64, n)
	var crc uint32
	p := buf
	var scratch [8]byte
	for i := range lens {
		l, k := binary.Uvarint(p)
		if k <= 0 {
			return nil, fmt.Errorf("bad length of string %d", i)
		}
		p = p[k:]
		lens[i] = l
		if l <= math.MaxUint32 {
			binary.LittleEndian.PutUint32(scratch[:], uint32(l))
			crc = table.ExtendCRC32C(crc, scratch[:4])
		} else {
			binary.LittleEndian.PutUint64(scratch[:], l)
			crc = table.ExtendCRC32C(crc, scratch[:8])
		}
	}
	if len(p) < 4 {
		return nil, errors.New("string lengths run past the tensor's bytes")
	}
	if stored := binary.LittleEndian.Uint32(p); table.UnmaskCRC(stored) != crc {
		return nil, fmt.Errorf("%w: string length checksum %#08x, stored %#08x", ErrChecksum, crc, table.UnmaskCRC(stored))
	}
	crc = table.ExtendCRC32C(crc, p[:4])
	p = p[4:]
	var total uint64
	for _, l := range lens {
		total += l
		if total > uint64(len(p)) {
			return nil, fmt.Errorf("string bytes run past the tensor's %d bytes", len(buf))
		}
	}
	if total != uint64(len(p)) {
		return nil, fmt.Errorf("%d trailing bytes after the strings", uint64(len(p))-total)
	}
	if crc = table.ExtendCRC32C(crc, p); table.MaskCRC(crc) != masked {
		return nil, fmt.Errorf("%w: data checksum %#08x, index says %#08x", ErrChecksum, crc, table.UnmaskCRC(masked))
	}
	strs := make([][]byte, n)
	for i, l := range lens {
		strs[i] = p[:l:l]
		p = p[l:]
	}
	return strs, nil
}

// assemble reads every slice of a partitioned V2 tensor into the full one.
func (v *v2reader) assemble(vr Variable, e bundlepb.Entry) (*tensor.Tensor, error) {
	return assembleSlices(vr, e.Slices, v.dataTotal, v.indexName, func(s bundlepb.Slice, dims []int64) (*tensor.Tensor, error) {
		key := string(bundlepb.SliceKey(vr.Name, s))
		se, ok := v.entries[key]
		if !ok {
			return nil, corruptf("%s: tensor %q: slice %s has no entry", v.indexName, vr.Name, sliceString(s))
		}
		if tensor.BaseType(se.DType) != tensor.BaseType(vr.DType) {
			return nil, corruptf("%s: tensor %q: slice %s has dtype %v, want %v", v.indexName, vr.Name, sliceString(s), se.DType, vr.DType)
		}
		return v.read(vr.Name+" slice "+sliceString(s), dims, se)
	})
}
