package tensor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/gotl/gotl/helpers/limits"
)

// Tensor is a dense tensor: dtype, shape and elements packed little-endian
// in row-major order (for fixed-size dtypes) or one byte string per element
// (for DT_STRING).
type Tensor struct {
	DType   DType
	Shape   []int64  // all dimensions known; empty for a scalar
	Data    []byte   // len = NumElements * ElemSize(DType); nil for strings
	Strings [][]byte // DT_STRING elements
}

// NumElements returns the product of the shape's dimensions (1 for a scalar).
func NumElements(shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}

// NumElements returns the element count of t.
func (t *Tensor) NumElements() int64 { return NumElements(t.Shape) }

// inputElements returns the element count of a shape read from a file or
// a feed: overflow-checked and at most limits.TensorElements, so a few
// bytes of input cannot ask for gigabytes.
func inputElements(dt DType, shape []int64) (int64, error) {
	n, err := limits.Elements(shape)
	if err != nil {
		return 0, fmt.Errorf("tensor: %v %w", dt, err)
	}
	return n, nil
}

// byteSize returns the element count and byte size of a tensor of dt and
// shape, failing on negative dimensions and int64 overflow (but not on
// limits.TensorElements: the caller already holds or wants the memory).
func byteSize(dt DType, shape []int64) (n, size int64, err error) {
	n, err = limits.Product(shape)
	if err != nil {
		return 0, 0, fmt.Errorf("tensor: %v", err)
	}
	if size, err = limits.MulBytes(n, int64(ElemSize(dt))); err != nil {
		return 0, 0, fmt.Errorf("tensor: %v %v: %v", dt, shape, err)
	}
	return n, size, nil
}

// New returns a zero tensor of the given dtype and shape.
func New(dt DType, shape []int64) (*Tensor, error) {
	n, bytes, err := byteSize(dt, shape)
	if err != nil {
		return nil, err
	}
	t := &Tensor{DType: dt, Shape: append([]int64{}, shape...)}
	if BaseType(dt) == String {
		t.Strings = make([][]byte, n)
		return t, nil
	}
	size := ElemSize(dt)
	if size == 0 {
		return nil, fmt.Errorf("tensor: cannot hold %v values", dt)
	}
	t.Data = make([]byte, bytes)
	return t, nil
}

// FromRaw wraps little-endian element bytes; it checks that the length
// matches the shape.
func FromRaw(dt DType, shape []int64, data []byte) (*Tensor, error) {
	_, bytes, err := byteSize(dt, shape)
	if err != nil {
		return nil, err
	}
	if ElemSize(dt) == 0 {
		return nil, fmt.Errorf("tensor: %v has no fixed-size raw encoding", dt)
	}
	if int64(len(data)) != bytes {
		return nil, fmt.Errorf("tensor: %v %v needs %d bytes, got %d", dt, shape, bytes, len(data))
	}
	return &Tensor{DType: dt, Shape: append([]int64{}, shape...), Data: data}, nil
}

func le32(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[4*i:]) }
func le64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[8*i:]) }
func le16(b []byte, i int) uint16 { return binary.LittleEndian.Uint16(b[2*i:]) }

// hostLittleEndian is true on every platform Go supports for gotl's
// purposes (amd64, arm64), checked once so bulk copies can be used.
var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// FromFloat32s returns a DT_FLOAT tensor holding v (copied).
func FromFloat32s(shape []int64, v []float32) (*Tensor, error) {
	data := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(x))
	}
	return FromRaw(Float, shape, data)
}

// FromFloat64s returns a DT_DOUBLE tensor holding v (copied).
func FromFloat64s(shape []int64, v []float64) (*Tensor, error) {
	data := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(data[8*i:], math.Float64bits(x))
	}
	return FromRaw(Double, shape, data)
}

// FromInt32s returns a DT_INT32 tensor holding v (copied).
func FromInt32s(shape []int64, v []int32) (*Tensor, error) {
	data := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(data[4*i:], uint32(x))
	}
	return FromRaw(Int32, shape, data)
}

// FromInt64s returns a DT_INT64 tensor holding v (copied).
func FromInt64s(shape []int64, v []int64) (*Tensor, error) {
	data := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(data[8*i:], uint64(x))
	}
	return FromRaw(Int64, shape, data)
}

// FromStrings returns a DT_STRING tensor holding v.
func FromStrings(shape []int64, v []string) (*Tensor, error) {
	if NumElements(shape) != int64(len(v)) {
		return nil, fmt.Errorf("tensor: shape %v needs %d strings, got %d", shape, NumElements(shape), len(v))
	}
	s := make([][]byte, len(v))
	for i, x := range v {
		s[i] = []byte(x)
	}
	return &Tensor{DType: String, Shape: append([]int64{}, shape...), Strings: s}, nil
}

// ErrNotNumeric is returned by numeric views of string, complex or
// resource tensors.
var ErrNotNumeric = errors.New("tensor: not a real numeric dtype")

// Float64s converts every element of a real numeric or bool tensor to
// float64 (half and bfloat16 widened exactly).
func (t *Tensor) Float64s() ([]float64, error) {
	n := int(t.NumElements())
	out := make([]float64, n)
	b := t.Data
	if ElemSize(t.DType) != 0 && len(b) < n*ElemSize(t.DType) {
		return nil, fmt.Errorf("tensor: %v %v has %d data bytes, want %d", t.DType, t.Shape, len(b), n*ElemSize(t.DType))
	}
	switch BaseType(t.DType) {
	case Float:
		for i := range out {
			out[i] = float64(math.Float32frombits(le32(b, i)))
		}
	case Double:
		for i := range out {
			out[i] = math.Float64frombits(le64(b, i))
		}
	case Half:
		for i := range out {
			out[i] = float64(HalfToFloat32(le16(b, i)))
		}
	case Bfloat16:
		for i := range out {
			out[i] = float64(math.Float32frombits(uint32(le16(b, i)) << 16))
		}
	case Int8, Qint8:
		for i := range out {
			out[i] = float64(int8(b[i]))
		}
	case Uint8, Quint8, Bool:
		for i := range out {
			out[i] = float64(b[i])
		}
	case Int16, Qint16:
		for i := range out {
			out[i] = float64(int16(le16(b, i)))
		}
	case Uint16, Quint16:
		for i := range out {
			out[i] = float64(le16(b, i))
		}
	case Int32, Qint32:
		for i := range out {
			out[i] = float64(int32(le32(b, i)))
		}
	case Uint32:
		for i := range out {
			out[i] = float64(le32(b, i))
		}
	case Int64:
		for i := range out {
			out[i] = float64(int64(le64(b, i)))
		}
	case Uint64:
		for i := range out {
			out[i] = float64(le64(b, i))
		}
	default:
		return nil, fmt.Errorf("%w: %v", ErrNotNumeric, t.DType)
	}
	return out, nil
}

// Float32s returns the elements as float32. For DT_FLOAT it is a bulk copy;
// other real dtypes are converted.
func (t *Tensor) Float32s() ([]float32, error) {
	if BaseType(t.DType) == Float {
		n := int(t.NumElements())
		if len(t.Data) != 4*n {
			return nil, fmt.Errorf("tensor: %v %v has %d data bytes, want %d", t.DType, t.Shape, len(t.Data), 4*n)
		}
		out := make([]float32, n)
		if hostLittleEndian && n > 0 {
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), 4*n), t.Data)
			return out, nil
		}
		for i := range out {
			out[i] = math.Float32frombits(le32(t.Data, i))
		}
		return out, nil
	}
	f, err := t.Float64s()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(f))
	for i, x := range f {
		out[i] = float32(x)
	}
	return out, nil
}

// Int64s returns the elements of an integer or bool tensor as int64
// (uint64 values above MaxInt64 wrap; use Values for exact JSON).
func (t *Tensor) Int64s() ([]int64, error) {
	if !IsInteger(t.DType) && BaseType(t.DType) != Bool {
		return nil, fmt.Errorf("tensor: Int64s of %v: not an integer dtype", t.DType)
	}
	if BaseType(t.DType) == Int64 || BaseType(t.DType) == Uint64 {
		out := make([]int64, t.NumElements())
		for i := range out {
			out[i] = int64(le64(t.Data, i))
		}
		return out, nil
	}
	f, err := t.Float64s() // exact for every integer type narrower than 64 bits
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(f))
	for i, x := range f {
		out[i] = int64(x)
	}
	return out, nil
}

// Span returns elements [from, to) of t, in row-major order, as a flat
// tensor of shape [to-from] that shares t's memory: Span(from, to).Values()
// converts only those elements, so listing part of a large tensor costs
// what it lists. It panics, like slicing, unless 0 <= from <= to <=
// t.NumElements().
func (t *Tensor) Span(from, to int64) *Tensor {
	part := &Tensor{DType: t.DType, Shape: []int64{to - from}}
	if BaseType(t.DType) == String {
		part.Strings = t.Strings[from:to]
	} else {
		size := int64(ElemSize(t.DType))
		part.Data = t.Data[from*size : to*size]
	}
	return part
}

// Values returns the elements flattened in row-major order as JSON-ready Go
// values: float64 for floats (NaN and ±Inf as the strings "NaN", "Infinity",
// "-Infinity", since JSON has no numbers for them), int64 or uint64 for
// integers (quantized types as their raw integers), bool, string, and
// [2]float64 for complex numbers.
func (t *Tensor) Values() ([]any, error) {
	n := int(t.NumElements())
	out := make([]any, n)
	switch dt := BaseType(t.DType); {
	case dt == String:
		for i := range out {
			out[i] = string(t.Strings[i])
		}
	case dt == Bool:
		for i := range out {
			out[i] = t.Data[i] != 0
		}
	case dt == Uint64:
		for i := range out {
			out[i] = le64(t.Data, i)
		}
	case IsInteger(dt):
		v, err := t.Int64s()
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i] = v[i]
		}
	case IsFloat(dt):
		v, err := t.Float64s()
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i] = jsonFloat(v[i])
		}
	case dt == Complex64:
		for i := range out {
			out[i] = [2]any{jsonFloat(float64(math.Float32frombits(le32(t.Data, 2*i)))), jsonFloat(float64(math.Float32frombits(le32(t.Data, 2*i+1))))}
		}
	case dt == Complex128:
		for i := range out {
			out[i] = [2]any{jsonFloat(math.Float64frombits(le64(t.Data, 2*i))), jsonFloat(math.Float64frombits(le64(t.Data, 2*i+1)))}
		}
	default:
		return nil, fmt.Errorf("tensor: cannot list values of %v", t.DType)
	}
	return out, nil
}

func jsonFloat(x float64) any {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	return x
}

// HalfToFloat32 converts IEEE 754 binary16 bits to float32 exactly.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal half: value = frac * 2^-24, exact in float32.
	f := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		f = -f
	}
	return f
}

// Float32ToHalf rounds f to the nearest binary16 (ties to even).
func Float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	frac := b & 0x7fffff
	if exp == 0xff {
		if frac != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		if e < -10 {
			return sign
		}
		m := frac | 0x800000
		shift := uint32(14 - e)
		half := uint32(1) << (shift - 1)
		r := m >> shift
		rem := m & (1<<shift - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(e)<<10 | frac>>13
	rem := frac & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++
	}
	return sign | uint16(r)
}
