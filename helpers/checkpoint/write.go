package checkpoint

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/gotl/gotl/helpers/checkpoint/internal/bundlepb"
	"github.com/gotl/gotl/helpers/checkpoint/internal/table"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
)

// Write saves vars as a one-shard V2 checkpoint: prefix.index and
// prefix.data-00000-of-00001, in the layout TensorFlow's BundleWriter
// produces, byte for byte (so tf.compat.v1.train.Saver restores it). Tensors are
// stored in sorted name order. Both files are written to temporary names and
// renamed into place, the index last, so a failed Write leaves no partial
// checkpoint behind. Write does not touch the `checkpoint` state file; see
// WriteState.
func Write(prefix string, vars map[string]*tensor.Tensor) error {
	return write(prefix, vars)
}

// validateForWrite checks that t can be stored under name.
func validateForWrite(name string, t *tensor.Tensor) error {
	if name == "" {
		return fmt.Errorf("checkpoint: Write: empty tensor name (reserved for the header)")
	}
	if t == nil {
		return fmt.Errorf("checkpoint: Write: tensor %q is nil", name)
	}
	dt := tensor.BaseType(t.DType)
	n, err := limits.Product(t.Shape)
	if err != nil {
		return fmt.Errorf("checkpoint: Write: tensor %q: %w", name, err)
	}
	if dt == tensor.String {
		if int64(len(t.Strings)) != n {
			return fmt.Errorf("checkpoint: Write: tensor %q: shape %v needs %d strings, has %d", name, t.Shape, n, len(t.Strings))
		}
		return nil
	}
	size := int64(tensor.ElemSize(dt))
	if size == 0 {
		return fmt.Errorf("checkpoint: Write: tensor %q: cannot store dtype %v", name, t.DType)
	}
	if int64(len(t.Data)) != n*size {
		return fmt.Errorf("checkpoint: Write: tensor %q: %v %v needs %d bytes, has %d", name, dt, t.Shape, n*size, len(t.Data))
	}
	return nil
}

// crcWriter writes through to a buffered file while tracking the offset.
type crcWriter struct {
	w   *bufio.Writer
	off int64
	crc uint32
}

func (c *crcWriter) Write(p []byte) (int, error) {
	c.crc = table.ExtendCRC32C(c.crc, p)
	n, err := c.w.Write(p)
	c.off += int64(n)
	return n, err
}

// writeStrings writes a string tensor as BundleWriter does: varint lengths,
// the masked CRC32C of the lengths (as uint32, uint64 beyond 32 bits), then
// the bytes; the returned CRC covers lengths-as-integers, the length
// checksum and the bytes.
func writeStrings(w *crcWriter, strs [][]byte) (uint32, error) {
	var lens []byte
	var crc uint32
	var scratch [8]byte
	for _, s := range strs {
		l := uint64(len(s))
		lens = binary.AppendUvarint(lens, l)
		if l <= math.MaxUint32 {
			binary.LittleEndian.PutUint32(scratch[:], uint32(l))
			crc = table.ExtendCRC32C(crc, scratch[:4])
		} else {
			binary.LittleEndian.PutUint64(scratch[:], l)
			crc = table.ExtendCRC32C(crc, scratch[:8])
		}
	}
	if _, err := w.Write(lens); err != nil {
		return 0, err
	}
	binary.LittleEndian.PutUint32(scratch[:], table.MaskCRC(crc))
	crc = table.ExtendCRC32C(crc, scratch[:4])
	if _, err := w.Write(scratch[:4]); err != nil {
		return 0, err
	}
	for _, s := range strs {
		crc = table.ExtendCRC32C(crc, s)
		if _, err := w.Write(s); err != nil {
			return 0, err
		}
	}
	return crc, nil
}

func write(prefix string, vars map[string]*tensor.Tensor) (err error) {
	if prefix == "" {
		return fmt.Errorf("checkpoint: Write: empty prefix")
	}
	names := make([]string, 0, len(vars))
	for n, t := range vars {
		if err := validateForWrite(n, t); err != nil {
			return err
		}
		names = append(names, n)
	}
	sort.Strings(names)
	if err := os.MkdirAll(filepath.Dir(prefix), 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	dataName, indexName := DataFilename(prefix, 0, 1), prefix+".index"
	dataTmp, indexTmp := tempName(dataName), tempName(indexName)
	defer func() {
		if err != nil {
			os.Remove(dataTmp)
			os.Remove(indexTmp)
		}
	}()

	// Data file: tensors back to back in name order (alignment 1).
	df, err := os.Create(dataTmp)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	cw := &crcWriter{w: bufio.NewWriterSize(df, 1<<20)}
	entries := make([][]byte, len(names))
	for i, n := range names {
		t := vars[n]
		start := cw.off
		cw.crc = 0
		var crc uint32
		if tensor.BaseType(t.DType) == tensor.String {
			crc, err = writeStrings(cw, t.Strings)
		} else {
			_, err = cw.Write(t.Data)
			crc = cw.crc
		}
		if err != nil {
			df.Close()
			return fmt.Errorf("checkpoint: writing %s: %w", dataName, err)
		}
		e := bundlepb.Entry{
			DType:  tensor.BaseType(t.DType),
			Shape:  bundlepb.Shape{Dims: t.Shape},
			Offset: start,
			Size:   cw.off - start,
			CRC32C: table.MaskCRC(crc),
		}
		entries[i] = bundlepb.AppendEntry(nil, e)
	}
	if err = cw.w.Flush(); err == nil {
		err = df.Sync()
	}
	if cerr := df.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("checkpoint: writing %s: %w", dataName, err)
	}

	// Index: header under the empty key, then the entries in key order.
	xf, err := os.Create(indexTmp)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	bw := bufio.NewWriter(xf)
	tw := table.NewWriter(bw, table.DefaultOptions)
	header := bundlepb.AppendHeader(nil, bundlepb.Header{NumShards: 1, Endianness: bundlepb.Little, Version: bundlepb.VersionDef{Producer: bundleVersion}})
	err = tw.Add(nil, header)
	for i := 0; err == nil && i < len(names); i++ {
		err = tw.Add([]byte(names[i]), entries[i])
	}
	if err == nil {
		err = tw.Finish()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = xf.Sync()
	}
	if cerr := xf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("checkpoint: writing %s: %w", indexName, err)
	}
	// The index is the commit point: rename the data first.
	if err = os.Rename(dataTmp, dataName); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err = os.Rename(indexTmp, indexName); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}
