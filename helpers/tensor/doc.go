// Package tensor holds dense tensors as TensorFlow stores them: a dtype
// (TensorFlow's DataType enum, printed as DT_FLOAT, DT_INT64, …), a shape and
// the elements packed little-endian, row-major, exactly as they sit in a
// TensorProto's tensor_content or a checkpoint's data file.
//
// Keeping the raw bytes, instead of decoding into Go slices at load time, lets
// the file readers hand out large weights without per-element work, and lets a
// tensor of any dtype (half, bfloat16, quantized, complex) travel unchanged
// from a checkpoint into a GraphDef and back. Typed views (Float32s, Float64s,
// Int64s, Values) convert on demand; Span picks out a run of elements
// without copying, so a view of part of a large tensor converts only that
// part.
//
// FromProto decodes a TensorProto with TensorFlow's rules: tensor_content
// when present, otherwise the typed *_val field, where a list shorter than the
// element count repeats its last value (an empty list means zeros).
//
//	t, err := tensor.FromProto(node.Attr["value"].GetTensor())
//	if err != nil { … }
//	weights, err := t.Float32s()
package tensor
