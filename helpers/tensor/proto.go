package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	tfpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_go_proto"
	shapepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_shape_go_proto"
	"github.com/gotl/gotl/helpers/limits"
)

// Shape is a possibly partial shape as TensorFlow declares it: Dims holds -1
// for an unknown dimension, and UnknownRank means nothing is known.
type Shape struct {
	Dims        []int64
	UnknownRank bool
}

// ShapeFromProto converts a TensorShapeProto; nil means a scalar.
func ShapeFromProto(p *shapepb.TensorShapeProto) Shape {
	if p.GetUnknownRank() {
		return Shape{UnknownRank: true}
	}
	dims := make([]int64, len(p.GetDim()))
	for i, d := range p.GetDim() {
		dims[i] = d.GetSize()
	}
	return Shape{Dims: dims}
}

// ShapeToProto converts dims (-1 for unknown) to a TensorShapeProto.
func ShapeToProto(dims []int64) *shapepb.TensorShapeProto {
	p := &shapepb.TensorShapeProto{Dim: make([]*shapepb.TensorShapeProto_Dim, len(dims))}
	for i, d := range dims {
		p.Dim[i] = &shapepb.TensorShapeProto_Dim{Size: d}
	}
	return p
}

// JSON returns the shape as gotl's JSON shows it: a list with -1 for unknown
// dimensions, or nil (JSON null) for an unknown rank.
func (s Shape) JSON() []int64 {
	if s.UnknownRank {
		return nil
	}
	if s.Dims == nil {
		return []int64{}
	}
	return s.Dims
}

// String writes the shape as TensorFlow users read it: [1,128,128,3],
// [?,1001] with ? for an unknown dimension, or <unknown> for an unknown
// rank.
func (s Shape) String() string {
	if s.UnknownRank {
		return "<unknown>"
	}
	b := []byte{'['}
	for i, d := range s.Dims {
		if i > 0 {
			b = append(b, ',')
		}
		if d < 0 {
			b = append(b, '?')
		} else {
			b = strconv.AppendInt(b, d, 10)
		}
	}
	return string(append(b, ']'))
}

// FromProto decodes a TensorProto with TensorFlow's rules (see the package
// documentation). It refuses partial shapes, element counts that disagree
// with the data, and shapes of more than limits.TensorElements elements.
func FromProto(p *tfpb.TensorProto) (*Tensor, error) {
	if p == nil {
		return nil, fmt.Errorf("tensor: missing TensorProto")
	}
	dt := BaseType(p.GetDtype())
	shape := ShapeFromProto(p.GetTensorShape())
	if shape.UnknownRank {
		return nil, fmt.Errorf("tensor: TensorProto of %v has unknown rank", dt)
	}
	n, err := inputElements(dt, shape.Dims)
	if err != nil {
		return nil, err
	}
	if dt == String {
		vals := p.GetStringVal()
		if int64(len(vals)) > n {
			return nil, fmt.Errorf("tensor: %d string values for shape %v", len(vals), shape.Dims)
		}
		// Repeated strings share their bytes, but every element is a
		// 24-byte slice header: six float32s' worth.
		if int64(len(vals)) < n {
			what := fmt.Sprintf("tensor: DT_STRING tensor of shape %v repeating its last value (each string counts as %d elements)", shape.Dims, stringCost)
			if err := limits.TensorElements.Check(n*stringCost, what); err != nil {
				return nil, err
			}
		}
		t := &Tensor{DType: String, Shape: shape.Dims, Strings: make([][]byte, n)}
		for i := range t.Strings {
			switch {
			case i < len(vals):
				t.Strings[i] = vals[i]
			case len(vals) > 0:
				t.Strings[i] = vals[len(vals)-1]
			default:
				t.Strings[i] = []byte{}
			}
		}
		return t, nil
	}
	size := ElemSize(dt)
	if size == 0 {
		return nil, fmt.Errorf("tensor: cannot decode a TensorProto of %v", dt)
	}
	if c := p.GetTensorContent(); len(c) > 0 || n == 0 {
		if int64(len(c)) != n*int64(size) {
			return nil, fmt.Errorf("tensor: tensor_content of %v %v has %d bytes, want %d", dt, shape.Dims, len(c), n*int64(size))
		}
		return &Tensor{DType: dt, Shape: shape.Dims, Data: append([]byte(nil), c...)}, nil
	}
	// Typed value fields: count the values, then expand with repeat-last.
	var count int
	var put func(dst []byte, i int) // writes value i (little-endian) into dst
	switch dt {
	case Float:
		v := p.GetFloatVal()
		count, put = len(v), func(d []byte, i int) { binary.LittleEndian.PutUint32(d, math.Float32bits(v[i])) }
	case Double:
		v := p.GetDoubleVal()
		count, put = len(v), func(d []byte, i int) { binary.LittleEndian.PutUint64(d, math.Float64bits(v[i])) }
	case Half, Bfloat16:
		v := p.GetHalfVal()
		count, put = len(v), func(d []byte, i int) { binary.LittleEndian.PutUint16(d, uint16(v[i])) }
	case Int32, Qint32:
		v := p.GetIntVal()
		count, put = len(v), func(d []byte, i int) { binary.LittleEndian.PutUint32(d, uint32(v[i])) }
	case Int16, Qint16, Uint16, Quint16:
		v := p.GetIntVal()
		count, put = len(v), func(d []byte, i int) { binary.LittleEndian.PutUint16(d, uint16(v[i])) }
	case Int8, Qint8, Uint8, Quint8:
		v := p.GetIntVal()
		count, put = len(v), func(d []byte, i int) { d[0] = byte(v[i]) }
	case Bool:
		v := p.GetBoolVal()
		count, put = len(v), func(d []byte, i int) {
			if v[i] {
				d[0] = 1
			} else {
				d[0] = 0
			}
		}
	case Int64:
		v := p.GetInt64Val()
		count, put = len(v), func(d []byte, i int) { binary.LittleEndian.PutUint64(d, uint64(v[i])) }
	case Uint32:
		v := p.GetUint32Val()
		count, put = len(v), func(d []byte, i int) { binary.LittleEndian.PutUint32(d, v[i]) }
	case Uint64:
		v := p.GetUint64Val()
		count, put = len(v), func(d []byte, i int) { binary.LittleEndian.PutUint64(d, v[i]) }
	case Complex64:
		v := p.GetScomplexVal()
		count, put = len(v)/2, func(d []byte, i int) {
			binary.LittleEndian.PutUint32(d, math.Float32bits(v[2*i]))
			binary.LittleEndian.PutUint32(d[4:], math.Float32bits(v[2*i+1]))
		}
	case Complex128:
		v := p.GetDcomplexVal()
		count, put = len(v)/2, func(d []byte, i int) {
			binary.LittleEndian.PutUint64(d, math.Float64bits(v[2*i]))
			binary.LittleEndian.PutUint64(d[8:], math.Float64bits(v[2*i+1]))
		}
	default:
		return nil, fmt.Errorf("tensor: cannot decode a TensorProto of %v", dt)
	}
	if int64(count) > n {
		return nil, fmt.Errorf("tensor: %d values for %v shape %v (%d elements)", count, dt, shape.Dims, n)
	}
	data := make([]byte, n*int64(size))
	for i := 0; i < count; i++ {
		put(data[i*size:], i)
	}
	if count > 0 && int64(count) < n {
		// TF repeats the last value over the remaining elements: write it
		// once, then double the filled run with copy (large short-list
		// Consts expand in O(log n) copies, not n).
		filled := count * size
		copy(data[filled:filled+size], data[filled-size:filled])
		for done := size; filled+done < len(data); done *= 2 {
			copy(data[filled+done:], data[filled:filled+done])
		}
	}
	return &Tensor{DType: dt, Shape: shape.Dims, Data: data}, nil
}

// stringCost is what one string element counts against
// limits.TensorElements when a short string_val list is expanded.
const stringCost = 6

// ToProto encodes t as a TensorProto: tensor_content for fixed-size dtypes,
// string_val for strings (what tf.make_tensor_proto writes for large tensors).
func (t *Tensor) ToProto() *tfpb.TensorProto {
	p := &tfpb.TensorProto{Dtype: t.DType, TensorShape: ShapeToProto(t.Shape)}
	if BaseType(t.DType) == String {
		p.StringVal = t.Strings
		return p
	}
	p.TensorContent = t.Data
	return p
}
