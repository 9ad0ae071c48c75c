package graphrun

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gotl/gotl/helpers/tensor"
)

// gomlxDType maps a TensorFlow dtype to GoMLX's; quantized types map to their
// storage integers (Dequantize interprets them).
func gomlxDType(dt tensor.DType) (dtypes.DType, error) {
	switch tensor.BaseType(dt) {
	case tensor.Float:
		return dtypes.Float32, nil
	case tensor.Double:
		return dtypes.Float64, nil
	case tensor.Half:
		return dtypes.Float16, nil
	case tensor.Bfloat16:
		return dtypes.BFloat16, nil
	case tensor.Int8, tensor.Qint8:
		return dtypes.Int8, nil
	case tensor.Int16, tensor.Qint16:
		return dtypes.Int16, nil
	case tensor.Int32, tensor.Qint32:
		return dtypes.Int32, nil
	case tensor.Int64:
		return dtypes.Int64, nil
	case tensor.Uint8, tensor.Quint8:
		return dtypes.Uint8, nil
	case tensor.Uint16, tensor.Quint16:
		return dtypes.Uint16, nil
	case tensor.Uint32:
		return dtypes.Uint32, nil
	case tensor.Uint64:
		return dtypes.Uint64, nil
	case tensor.Bool:
		return dtypes.Bool, nil
	}
	return dtypes.InvalidDType, fmt.Errorf("dtype %s has no GoMLX counterpart", dt)
}

// tfDType is the inverse of gomlxDType (quantized types come back as plain integers).
func tfDType(dt dtypes.DType) (tensor.DType, error) {
	switch dt {
	case dtypes.Float32:
		return tensor.Float, nil
	case dtypes.Float64:
		return tensor.Double, nil
	case dtypes.Float16:
		return tensor.Half, nil
	case dtypes.BFloat16:
		return tensor.Bfloat16, nil
	case dtypes.Int8:
		return tensor.Int8, nil
	case dtypes.Int16:
		return tensor.Int16, nil
	case dtypes.Int32:
		return tensor.Int32, nil
	case dtypes.Int64:
		return tensor.Int64, nil
	case dtypes.Uint8:
		return tensor.Uint8, nil
	case dtypes.Uint16:
		return tensor.Uint16, nil
	case dtypes.Uint32:
		return tensor.Uint32, nil
	case dtypes.Uint64:
		return tensor.Uint64, nil
	case dtypes.Bool:
		return tensor.Bool, nil
	}
	return tensor.Invalid, fmt.Errorf("GoMLX dtype %s has no TensorFlow counterpart", dt)
}

// ToGoMLX copies t into a GoMLX tensor (raw bytes, no per-element work).
func ToGoMLX(t *tensor.Tensor) (*tensors.Tensor, error) {
	dt, err := gomlxDType(t.DType)
	if err != nil {
		return nil, fmt.Errorf("graphrun: %w", err)
	}
	dims := make([]int, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = int(d)
	}
	sh := shapes.Make(dt, dims...)
	if want := sh.Memory(); uintptr(len(t.Data)) != want {
		return nil, fmt.Errorf("graphrun: tensor of shape %v %s has %d bytes, want %d", t.Shape, t.DType, len(t.Data), want)
	}
	out := tensors.FromShape(sh)
	out.MutableBytes(func(b []byte) { copy(b, t.Data) })
	return out, nil
}

// FromGoMLX copies a GoMLX tensor into a gotl tensor.
func FromGoMLX(t *tensors.Tensor) (*tensor.Tensor, error) {
	dt, err := tfDType(t.DType())
	if err != nil {
		return nil, fmt.Errorf("graphrun: %w", err)
	}
	dims := t.Shape().Dimensions
	shape := make([]int64, len(dims))
	for i, d := range dims {
		shape[i] = int64(d)
	}
	var data []byte
	if err := t.ConstBytes(func(b []byte) { data = append([]byte(nil), b...) }); err != nil {
		return nil, fmt.Errorf("graphrun: reading result: %w", err)
	}
	return tensor.FromRaw(dt, shape, data)
}
