package tensor

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// jsonTensor is gotl's tensor JSON: {"dtype":"float32","shape":[2],"values":[1,2]}.
type jsonTensor struct {
	DType  string          `json:"dtype"`
	Shape  []int64         `json:"shape"`
	Values json.RawMessage `json:"values"`
}

// MarshalJSON encodes t as gotl's tensor JSON: numpy-style dtype name, shape
// ([] for a scalar) and the values flattened in row-major order (NaN and
// infinities as the strings "NaN", "Infinity", "-Infinity").
func (t *Tensor) MarshalJSON() ([]byte, error) {
	shape := t.Shape
	if shape == nil {
		shape = []int64{}
	}
	head, err := json.Marshal(struct {
		DType string  `json:"dtype"`
		Shape []int64 `json:"shape"`
	}{ShortName(t.DType), shape})
	if err != nil {
		return nil, err
	}
	b := append(head[:len(head)-1], `,"values":`...)
	if b, err = t.AppendValuesJSON(b); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// jsonChunk is how many values AppendValuesJSON converts at a time.
const jsonChunk = 4096

// AppendValuesJSON appends t's values to b as a flat JSON array, as
// MarshalJSON writes them. It converts a few thousand values at a time, so
// the memory it takes beyond the output is small: boxing every value of a
// large tensor at once cost about 24 bytes per element.
func (t *Tensor) AppendValuesJSON(b []byte) ([]byte, error) {
	n := t.NumElements()
	b = append(b, '[')
	for from := int64(0); from < n; from += jsonChunk {
		vals, err := t.Span(from, min(n, from+jsonChunk)).Values()
		if err != nil {
			return nil, err
		}
		enc, err := json.Marshal(vals)
		if err != nil {
			return nil, err
		}
		if from > 0 {
			b = append(b, ',')
		}
		b = append(b, enc[1:len(enc)-1]...)
	}
	return append(b, ']'), nil
}

// FromJSON decodes gotl's tensor JSON. Values may be flat (row-major) or
// nested like the shape; when "shape" is absent it is taken from the nesting.
// Floats accept "NaN", "Infinity" and "-Infinity"; integers must be exact;
// bool tensors take true/false; string tensors take JSON strings.
func FromJSON(data []byte) (*Tensor, error) {
	var jt jsonTensor
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&jt); err != nil {
		return nil, fmt.Errorf("tensor: JSON: %w", err)
	}
	if jt.DType == "" {
		return nil, fmt.Errorf("tensor: JSON: missing \"dtype\"")
	}
	dt, err := ParseDType(jt.DType)
	if err != nil {
		return nil, err
	}
	var raw any
	vd := json.NewDecoder(bytes.NewReader(jt.Values))
	vd.UseNumber()
	if len(jt.Values) == 0 {
		return nil, fmt.Errorf("tensor: JSON: missing \"values\"")
	}
	if err := vd.Decode(&raw); err != nil {
		return nil, fmt.Errorf("tensor: JSON values: %w", err)
	}
	var flat []any
	var nested []int64
	flatten(raw, 0, &flat, &nested)
	shape := jt.Shape
	if shape == nil {
		if _, isList := raw.([]any); isList {
			shape = nested
		} else {
			shape = []int64{}
		}
	}
	n, err := inputElements(dt, shape)
	if err != nil {
		return nil, err
	}
	if int64(len(flat)) != n {
		return nil, fmt.Errorf("tensor: JSON: shape %v needs %d values, got %d", shape, n, len(flat))
	}
	if dt == String {
		strs := make([]string, len(flat))
		for i, v := range flat {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("tensor: JSON value %d: want a string, got %v", i, v)
			}
			strs[i] = s
		}
		return FromStrings(shape, strs)
	}
	t, err := New(dt, shape)
	if err != nil {
		return nil, err
	}
	size := ElemSize(dt)
	for i, v := range flat {
		if err := putJSONValue(t.Data[i*size:(i+1)*size], dt, v); err != nil {
			return nil, fmt.Errorf("tensor: JSON value %d: %w", i, err)
		}
	}
	return t, nil
}

// flatten appends the leaves of v to flat and records the first path's list
// lengths as the nested shape.
func flatten(v any, depth int, flat *[]any, nested *[]int64) {
	list, ok := v.([]any)
	if !ok {
		*flat = append(*flat, v)
		return
	}
	if depth == len(*nested) {
		*nested = append(*nested, int64(len(list)))
	}
	for _, e := range list {
		flatten(e, depth+1, flat, nested)
	}
}

func jsonFloatValue(v any) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		return strconv.ParseFloat(string(x), 64)
	case string:
		switch x {
		case "NaN":
			return math.NaN(), nil
		case "Infinity", "inf":
			return math.Inf(1), nil
		case "-Infinity", "-inf":
			return math.Inf(-1), nil
		}
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("want a number, got %v", v)
}

func putJSONValue(b []byte, dt DType, v any) error {
	le := binary.LittleEndian
	if dt == Bool {
		x, ok := v.(bool)
		if !ok {
			f, err := jsonFloatValue(v)
			if err != nil || (f != 0 && f != 1) {
				return fmt.Errorf("want true or false, got %v", v)
			}
			x = f == 1
		}
		if x {
			b[0] = 1
		}
		return nil
	}
	if IsFloat(dt) {
		f, err := jsonFloatValue(v)
		if err != nil {
			return err
		}
		switch BaseType(dt) {
		case Float:
			le.PutUint32(b, math.Float32bits(float32(f)))
		case Double:
			le.PutUint64(b, math.Float64bits(f))
		case Half:
			le.PutUint16(b, Float32ToHalf(float32(f)))
		default:
			return fmt.Errorf("dtype %s is not supported in JSON", dt)
		}
		return nil
	}
	num, ok := v.(json.Number)
	if !ok {
		return fmt.Errorf("want an integer, got %v", v)
	}
	var lo, hi int64
	switch len(b) {
	case 1:
		lo, hi = math.MinInt8, math.MaxInt8
	case 2:
		lo, hi = math.MinInt16, math.MaxInt16
	case 4:
		lo, hi = math.MinInt32, math.MaxInt32
	default:
		lo, hi = math.MinInt64, math.MaxInt64
	}
	unsigned := false
	switch BaseType(dt) {
	case Uint8, Quint8, Uint16, Quint16, Uint32, Uint64:
		unsigned = true
	}
	if unsigned {
		u, err := strconv.ParseUint(string(num), 10, len(b)*8)
		if err != nil {
			return fmt.Errorf("%v is not a %s", num, ShortName(dt))
		}
		switch len(b) {
		case 1:
			b[0] = byte(u)
		case 2:
			le.PutUint16(b, uint16(u))
		case 4:
			le.PutUint32(b, uint32(u))
		default:
			le.PutUint64(b, u)
		}
		return nil
	}
	i, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || i < lo || i > hi {
		return fmt.Errorf("%v is not a %s", num, ShortName(dt))
	}
	switch len(b) {
	case 1:
		b[0] = byte(int8(i))
	case 2:
		le.PutUint16(b, uint16(int16(i)))
	case 4:
		le.PutUint32(b, uint32(int32(i)))
	default:
		le.PutUint64(b, uint64(i))
	}
	return nil
}
