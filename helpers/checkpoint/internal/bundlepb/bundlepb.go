// Package bundlepb decodes and encodes the protocol buffer messages of
// TensorFlow checkpoints with protowire, from their field numbers:
// BundleHeaderProto and BundleEntryProto (V2 .index values,
// tensorflow/core/protobuf/tensor_bundle.proto), SavedTensorSlices (V1
// records, tensorflow/core/util/saved_tensor_slice.proto), TensorSliceProto
// and the parts of TensorShapeProto and TensorProto they embed.
//
// Hand-written decoding keeps gotl from importing TensorFlow's generated
// core/protobuf Go package, which cannot be linked beside GoMLX's XLA
// backend (duplicate proto registrations), and lets every length be checked
// against the input before anything is allocated.
package bundlepb

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gotl/gotl/helpers/tensor"
)

// VersionDef is TensorFlow's producer/consumer version stamp.
type VersionDef struct {
	Producer, MinConsumer int32
	BadConsumers          []int32
}

// Endianness values of BundleHeaderProto.
const (
	Little = 0
	Big    = 1
)

// Header is BundleHeaderProto, the value stored under the empty key.
type Header struct {
	NumShards  int32
	Endianness int32
	Version    VersionDef
}

// Extent is one dimension of a TensorSliceProto; HasLength false means the
// full dimension.
type Extent struct {
	Start, Length int64
	HasLength     bool
}

// Slice is TensorSliceProto: one extent per dimension.
type Slice []Extent

// Shape is a decoded TensorShapeProto.
type Shape struct {
	Dims        []int64
	UnknownRank bool
}

// Entry is BundleEntryProto.
type Entry struct {
	DType   tensor.DType
	Shape   Shape
	ShardID int32
	Offset  int64
	Size    int64
	CRC32C  uint32 // masked
	Slices  []Slice
}

// SliceMeta is SavedSliceMeta: a tensor of a V1 checkpoint and the slices
// stored for it.
type SliceMeta struct {
	Name   string
	Shape  Shape
	DType  tensor.DType
	Slices []Slice
}

// SavedSlice is SavedSlice: one slice's values. Data is the raw TensorProto.
type SavedSlice struct {
	Name  string
	Slice Slice
	Data  []byte
}

// SavedTensorSlices is the value of every V1 record: the metadata (in the
// record under the empty key) or one slice.
type SavedTensorSlices struct {
	HasMeta  bool
	Tensors  []SliceMeta
	Versions VersionDef
	Data     *SavedSlice
}

var errTrunc = errors.New("truncated or malformed protobuf")

// fields iterates over the fields of a message, calling fn with the field
// number, wire type and the value's bytes (for varints and fixed values the
// decoded number is in v).
func fields(b []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errTrunc
		}
		b = b[n:]
		var v uint64
		var raw []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var x uint32
			x, n = protowire.ConsumeFixed32(b)
			v = uint64(x)
		case protowire.Fixed64Type:
			v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			raw, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return errTrunc
		}
		b = b[n:]
		if err := fn(num, typ, v, raw); err != nil {
			return err
		}
	}
	return nil
}

func wantType(num protowire.Number, got, want protowire.Type) error {
	if got != want {
		return fmt.Errorf("field %d has wire type %d, want %d", num, got, want)
	}
	return nil
}

// DecodeVersion decodes a VersionDef.
func DecodeVersion(b []byte) (VersionDef, error) {
	var v VersionDef
	err := fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		switch num {
		case 1:
			v.Producer = int32(x)
		case 2:
			v.MinConsumer = int32(x)
		case 3:
			if typ == protowire.BytesType { // packed
				return packedVarints(raw, func(x uint64) { v.BadConsumers = append(v.BadConsumers, int32(x)) })
			}
			v.BadConsumers = append(v.BadConsumers, int32(x))
		}
		return nil
	})
	return v, err
}

func packedVarints(b []byte, fn func(uint64)) error {
	for len(b) > 0 {
		x, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return errTrunc
		}
		fn(x)
		b = b[n:]
	}
	return nil
}

// DecodeHeader decodes a BundleHeaderProto.
func DecodeHeader(b []byte) (Header, error) {
	var h Header
	err := fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		switch num {
		case 1:
			h.NumShards = int32(x)
		case 2:
			h.Endianness = int32(x)
		case 3:
			if err := wantType(num, typ, protowire.BytesType); err != nil {
				return err
			}
			v, err := DecodeVersion(raw)
			h.Version = v
			return err
		}
		return nil
	})
	return h, err
}

// DecodeShape decodes a TensorShapeProto.
func DecodeShape(b []byte) (Shape, error) {
	var s Shape
	err := fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		switch num {
		case 2:
			if err := wantType(num, typ, protowire.BytesType); err != nil {
				return err
			}
			var size int64
			err := fields(raw, func(num protowire.Number, typ protowire.Type, x uint64, _ []byte) error {
				if num == 1 {
					size = int64(x)
				}
				return nil
			})
			s.Dims = append(s.Dims, size)
			return err
		case 3:
			s.UnknownRank = x != 0
		}
		return nil
	})
	return s, err
}

// DecodeSlice decodes a TensorSliceProto.
func DecodeSlice(b []byte) (Slice, error) {
	s := Slice{}
	err := fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		if num != 1 {
			return nil
		}
		if err := wantType(num, typ, protowire.BytesType); err != nil {
			return err
		}
		var e Extent
		err := fields(raw, func(num protowire.Number, typ protowire.Type, x uint64, _ []byte) error {
			switch num {
			case 1:
				e.Start = int64(x)
			case 2:
				e.Length, e.HasLength = int64(x), true
			}
			return nil
		})
		s = append(s, e)
		return err
	})
	return s, err
}

// DecodeEntry decodes a BundleEntryProto.
func DecodeEntry(b []byte) (Entry, error) {
	var e Entry
	err := fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		var err error
		switch num {
		case 1:
			e.DType = tensor.DType(int32(x))
		case 2:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				e.Shape, err = DecodeShape(raw)
			}
		case 3:
			e.ShardID = int32(x)
		case 4:
			e.Offset = int64(x)
		case 5:
			e.Size = int64(x)
		case 6:
			if err = wantType(num, typ, protowire.Fixed32Type); err == nil {
				e.CRC32C = uint32(x)
			}
		case 7:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				var s Slice
				s, err = DecodeSlice(raw)
				e.Slices = append(e.Slices, s)
			}
		}
		return err
	})
	return e, err
}

// DecodeSavedTensorSlices decodes a V1 record value.
func DecodeSavedTensorSlices(b []byte) (SavedTensorSlices, error) {
	var s SavedTensorSlices
	err := fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		switch num {
		case 1:
			if err := wantType(num, typ, protowire.BytesType); err != nil {
				return err
			}
			s.HasMeta = true
			return decodeMeta(raw, &s)
		case 2:
			if err := wantType(num, typ, protowire.BytesType); err != nil {
				return err
			}
			d, err := decodeSavedSlice(raw)
			s.Data = &d
			return err
		}
		return nil
	})
	return s, err
}

func decodeMeta(b []byte, s *SavedTensorSlices) error {
	return fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		var err error
		switch num {
		case 1:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				var m SliceMeta
				m, err = decodeSliceMeta(raw)
				s.Tensors = append(s.Tensors, m)
			}
		case 2:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				s.Versions, err = DecodeVersion(raw)
			}
		}
		return err
	})
}

func decodeSliceMeta(b []byte) (SliceMeta, error) {
	var m SliceMeta
	err := fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		var err error
		switch num {
		case 1:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				m.Name = string(raw)
			}
		case 2:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				m.Shape, err = DecodeShape(raw)
			}
		case 3:
			m.DType = tensor.DType(int32(x))
		case 4:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				var s Slice
				s, err = DecodeSlice(raw)
				m.Slices = append(m.Slices, s)
			}
		}
		return err
	})
	return m, err
}

func decodeSavedSlice(b []byte) (SavedSlice, error) {
	var d SavedSlice
	err := fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		var err error
		switch num {
		case 1:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				d.Name = string(raw)
			}
		case 2:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				d.Slice, err = DecodeSlice(raw)
			}
		case 3:
			if err = wantType(num, typ, protowire.BytesType); err == nil {
				d.Data = raw
			}
		}
		return err
	})
	return d, err
}

// ---- encoding ----

// AppendHeader appends the encoding of h.
func AppendHeader(b []byte, h Header) []byte {
	if h.NumShards != 0 {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(int64(h.NumShards)))
	}
	if h.Endianness != 0 {
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(int64(h.Endianness)))
	}
	var v []byte
	if h.Version.Producer != 0 {
		v = protowire.AppendTag(v, 1, protowire.VarintType)
		v = protowire.AppendVarint(v, uint64(int64(h.Version.Producer)))
	}
	if h.Version.MinConsumer != 0 {
		v = protowire.AppendTag(v, 2, protowire.VarintType)
		v = protowire.AppendVarint(v, uint64(int64(h.Version.MinConsumer)))
	}
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

// AppendShape appends a TensorShapeProto with the given dims.
func AppendShape(b []byte, dims []int64) []byte {
	for _, d := range dims {
		var dim []byte
		if d != 0 {
			dim = protowire.AppendTag(dim, 1, protowire.VarintType)
			dim = protowire.AppendVarint(dim, uint64(d))
		}
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, dim)
	}
	return b
}

// AppendSlice appends a TensorSliceProto.
func AppendSlice(b []byte, s Slice) []byte {
	for _, e := range s {
		var ext []byte
		if e.Start != 0 {
			ext = protowire.AppendTag(ext, 1, protowire.VarintType)
			ext = protowire.AppendVarint(ext, uint64(e.Start))
		}
		if e.HasLength {
			ext = protowire.AppendTag(ext, 2, protowire.VarintType)
			ext = protowire.AppendVarint(ext, uint64(e.Length))
		}
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, ext)
	}
	return b
}

// AppendEntry appends the encoding of e in field order, omitting zero
// scalars (proto3), as TensorFlow's serializer does. The shape is always
// present, as BundleWriter sets it.
func AppendEntry(b []byte, e Entry) []byte {
	if e.DType != 0 {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(int64(e.DType)))
	}
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, AppendShape(nil, e.Shape.Dims))
	if e.ShardID != 0 {
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(int64(e.ShardID)))
	}
	if e.Offset != 0 {
		b = protowire.AppendTag(b, 4, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(e.Offset))
	}
	if e.Size != 0 {
		b = protowire.AppendTag(b, 5, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(e.Size))
	}
	if e.CRC32C != 0 {
		b = protowire.AppendTag(b, 6, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, e.CRC32C)
	}
	for _, s := range e.Slices {
		b = protowire.AppendTag(b, 7, protowire.BytesType)
		b = protowire.AppendBytes(b, AppendSlice(nil, s))
	}
	return b
}

// ---- TensorProto values (V1 slices) ----

// DecodeTensorValues extracts the values of a V1 slice's TensorProto as
// little-endian element bytes (or strings for DT_STRING), requiring exactly
// n elements of dtype dt. It accepts tensor_content and every typed *_val
// field, packed or not. Output never exceeds 16 bytes per input byte.
func DecodeTensorValues(b []byte, dt tensor.DType, n int64) (data []byte, strs [][]byte, err error) {
	dt = tensor.BaseType(dt)
	size := int64(tensor.ElemSize(dt))
	if dt != tensor.String && size == 0 {
		return nil, nil, fmt.Errorf("cannot hold %v values", dt)
	}
	// Every stored element takes at least one byte of the message, so this
	// bounds the allocation below by the input size.
	if n < 0 || n > int64(len(b)) {
		return nil, nil, fmt.Errorf("%d elements cannot fit in a %d-byte TensorProto", n, len(b))
	}
	var content []byte
	appendVal := func(x uint64, fixedBits int) {
		switch {
		case dt == tensor.Float && fixedBits == 32:
			data = le32(data, uint32(x))
		case dt == tensor.Double && fixedBits == 64:
			data = le64(data, x)
		case dt == tensor.Complex64 && fixedBits == 32:
			data = le32(data, uint32(x))
		case dt == tensor.Complex128 && fixedBits == 64:
			data = le64(data, x)
		case fixedBits == 0:
			switch size {
			case 1:
				data = append(data, byte(x))
			case 2:
				data = append(data, byte(x), byte(x>>8))
			case 4:
				data = le32(data, uint32(x))
			case 8:
				data = le64(data, x)
			}
		}
	}
	// Which field number holds values of dt, and their wire encoding.
	field, fixedBits := valueField(dt)
	err = fields(b, func(num protowire.Number, typ protowire.Type, x uint64, raw []byte) error {
		switch {
		case num == 4 && typ == protowire.BytesType:
			content = raw
		case num == 8 && dt == tensor.String && typ == protowire.BytesType:
			strs = append(strs, raw)
		case num == field && dt != tensor.String:
			if typ == protowire.BytesType { // packed
				if fixedBits != 0 && len(raw)%(fixedBits/8) == 0 {
					// Fixed-width little-endian values are already the
					// element bytes: no per-element decoding.
					if data == nil {
						data = raw[:len(raw):len(raw)]
					} else {
						data = append(data, raw...)
					}
					return nil
				}
				for len(raw) > 0 {
					var v uint64
					var k int
					switch fixedBits {
					case 32:
						var v32 uint32
						v32, k = protowire.ConsumeFixed32(raw)
						v = uint64(v32)
					case 64:
						v, k = protowire.ConsumeFixed64(raw)
					default:
						v, k = protowire.ConsumeVarint(raw)
					}
					if k < 0 {
						return errTrunc
					}
					appendVal(v, fixedBits)
					raw = raw[k:]
				}
				return nil
			}
			appendVal(x, fixedBits)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if dt == tensor.String {
		if int64(len(strs)) != n {
			return nil, nil, fmt.Errorf("%d strings stored, want %d", len(strs), n)
		}
		return nil, strs, nil
	}
	if content != nil {
		data = content
	}
	if int64(len(data)) != n*size {
		return nil, nil, fmt.Errorf("%d bytes of %v values stored, want %d elements (%d bytes)", len(data), dt, n, n*size)
	}
	return data, nil, nil
}

// valueField returns the TensorProto field holding dt's values and whether
// they are fixed32/fixed64 (0 = varint).
func valueField(dt tensor.DType) (protowire.Number, int) {
	switch dt {
	case tensor.Float:
		return 5, 32
	case tensor.Double:
		return 6, 64
	case tensor.Complex64:
		return 9, 32
	case tensor.Complex128:
		return 12, 64
	case tensor.Int64:
		return 10, 0
	case tensor.Bool:
		return 11, 0
	case tensor.Half, tensor.Bfloat16:
		return 13, 0
	case tensor.Uint32:
		return 16, 0
	case tensor.Uint64:
		return 17, 0
	}
	return 7, 0 // int_val: int32, int16, int8, uint8, uint16, quantized
}

func le32(b []byte, x uint32) []byte {
	return append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
}

func le64(b []byte, x uint64) []byte {
	return le32(le32(b, uint32(x)), uint32(x>>32))
}
