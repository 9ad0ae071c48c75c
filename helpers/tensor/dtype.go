package tensor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/galeone/tensorflow/tensorflow/go/core/framework/types_go_proto"
)

// DType is TensorFlow's DataType enum. Its String method gives the TF name
// ("DT_FLOAT").
type DType = types_go_proto.DataType

// The dtypes gotl reads and writes.
const (
	Invalid    = types_go_proto.DataType_DT_INVALID
	Float      = types_go_proto.DataType_DT_FLOAT
	Double     = types_go_proto.DataType_DT_DOUBLE
	Int32      = types_go_proto.DataType_DT_INT32
	Uint8      = types_go_proto.DataType_DT_UINT8
	Int16      = types_go_proto.DataType_DT_INT16
	Int8       = types_go_proto.DataType_DT_INT8
	String     = types_go_proto.DataType_DT_STRING
	Complex64  = types_go_proto.DataType_DT_COMPLEX64
	Int64      = types_go_proto.DataType_DT_INT64
	Bool       = types_go_proto.DataType_DT_BOOL
	Qint8      = types_go_proto.DataType_DT_QINT8
	Quint8     = types_go_proto.DataType_DT_QUINT8
	Qint32     = types_go_proto.DataType_DT_QINT32
	Bfloat16   = types_go_proto.DataType_DT_BFLOAT16
	Qint16     = types_go_proto.DataType_DT_QINT16
	Quint16    = types_go_proto.DataType_DT_QUINT16
	Uint16     = types_go_proto.DataType_DT_UINT16
	Complex128 = types_go_proto.DataType_DT_COMPLEX128
	Half       = types_go_proto.DataType_DT_HALF
	Resource   = types_go_proto.DataType_DT_RESOURCE
	Variant    = types_go_proto.DataType_DT_VARIANT
	Uint32     = types_go_proto.DataType_DT_UINT32
	Uint64     = types_go_proto.DataType_DT_UINT64
)

// ElemSize is the number of bytes one element of dt takes in tensor_content
// and in checkpoint data; 0 for dtypes without a fixed size (string,
// resource, variant) and for unknown values.
func ElemSize(dt DType) int {
	switch BaseType(dt) {
	case Int8, Uint8, Qint8, Quint8, Bool:
		return 1
	case Int16, Uint16, Qint16, Quint16, Half, Bfloat16:
		return 2
	case Float, Int32, Uint32, Qint32:
		return 4
	case Double, Int64, Uint64, Complex64:
		return 8
	case Complex128:
		return 16
	}
	return 0
}

// BaseType strips the _REF flag (DT_FLOAT_REF → DT_FLOAT) that old graphs put
// on the outputs of Variable nodes.
func BaseType(dt DType) DType {
	if dt > 100 {
		return dt - 100
	}
	return dt
}

// IsFloat reports whether dt is a real floating-point dtype.
func IsFloat(dt DType) bool {
	switch BaseType(dt) {
	case Float, Double, Half, Bfloat16:
		return true
	}
	return false
}

// IsInteger reports whether dt holds integers, quantized types included.
func IsInteger(dt DType) bool {
	switch BaseType(dt) {
	case Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64, Qint8, Quint8, Qint16, Quint16, Qint32:
		return true
	}
	return false
}

// IsComplex reports whether dt is complex64 or complex128.
func IsComplex(dt DType) bool {
	b := BaseType(dt)
	return b == Complex64 || b == Complex128
}

var shortNames = map[string]DType{
	"float32": Float, "float": Float, "float64": Double, "double": Double,
	"float16": Half, "half": Half, "bfloat16": Bfloat16,
	"int8": Int8, "int16": Int16, "int32": Int32, "int64": Int64,
	"uint8": Uint8, "uint16": Uint16, "uint32": Uint32, "uint64": Uint64,
	"bool": Bool, "string": String, "complex64": Complex64, "complex128": Complex128,
	"qint8": Qint8, "quint8": Quint8, "qint16": Qint16, "quint16": Quint16, "qint32": Qint32,
}

// ParseDType accepts a TF enum name ("DT_FLOAT") or a numpy-style name
// ("float32", "int64").
func ParseDType(name string) (DType, error) {
	if v, ok := types_go_proto.DataType_value[name]; ok && v != 0 {
		return DType(v), nil
	}
	if dt, ok := shortNames[strings.ToLower(name)]; ok {
		return dt, nil
	}
	known := make([]string, 0, len(shortNames))
	for n := range shortNames {
		known = append(known, n)
	}
	sort.Strings(known)
	return Invalid, fmt.Errorf("tensor: unknown dtype %q (use a TF name like DT_FLOAT or one of %s)", name, strings.Join(known, ", "))
}

// ShortName is the numpy-style name of dt ("float32"), used in gotl's tensor
// JSON; unknown dtypes give their TF name.
func ShortName(dt DType) string {
	switch BaseType(dt) {
	case Float:
		return "float32"
	case Double:
		return "float64"
	case Half:
		return "float16"
	}
	for n, d := range shortNames {
		if d == BaseType(dt) && n != "float" && n != "double" && n != "half" {
			return n
		}
	}
	return dt.String()
}
