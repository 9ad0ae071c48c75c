package tensor

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	tfpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_go_proto"
	"github.com/gotl/gotl/helpers/limits"
)

func TestFromProtoRepeatsLastValue(t *testing.T) {
	p := &tfpb.TensorProto{Dtype: Float, TensorShape: ShapeToProto([]int64{2, 3}), FloatVal: []float32{1, 2}}
	x, err := FromProto(p)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := x.Float32s()
	want := []float32{1, 2, 2, 2, 2, 2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestFromProtoEmptyListIsZeros(t *testing.T) {
	x, err := FromProto(&tfpb.TensorProto{Dtype: Int32, TensorShape: ShapeToProto([]int64{3})})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := x.Int64s()
	if len(got) != 3 || got[0] != 0 || got[2] != 0 {
		t.Fatalf("got %v, want three zeros", got)
	}
}

func TestFromProtoRejectsHugeShape(t *testing.T) {
	p := &tfpb.TensorProto{Dtype: Float, TensorShape: ShapeToProto([]int64{1 << 20, 1 << 20}), FloatVal: []float32{1}}
	if _, err := FromProto(p); err == nil {
		t.Fatal("a 4 TB constant was accepted")
	}
}

// The 217-byte Const: shape [100000000] with one float_val asked for
// 400 MB (and 4 GB in gotl run); every shape is held to
// limits.TensorElements before anything is allocated, and element counts
// that overflow an int64 (2^32 × 2^32 wrapped to 0) are refused too.
func TestFromProtoHoldsShapesToTheElementLimit(t *testing.T) {
	for _, tc := range []struct {
		dt    DType
		shape []int64
		want  string
	}{
		{Float, []int64{100000000}, "DT_FLOAT tensor of shape [100000000] needs 100000000 elements, more than the limit of 67108864"},
		{String, []int64{100000000}, "DT_STRING tensor of shape [100000000] needs 100000000 elements"},
		{Int8, []int64{1 << 32, 1 << 32}, "needs more elements than an int64 can count"},
		// Each repeated string is a 24-byte header: 2e7 of them count as 1.2e8.
		{String, []int64{20000000}, "DT_STRING tensor of shape [20000000] repeating its last value (each string counts as 6 elements) needs 120000000 elements"},
	} {
		p := &tfpb.TensorProto{Dtype: tc.dt, TensorShape: ShapeToProto(tc.shape), FloatVal: []float32{1}, StringVal: [][]byte{{'x'}}, IntVal: []int32{1}}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := FromProto(p)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, limits.ErrExceeded) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: %v; want an error containing %q", tc.dt, tc.shape, err, tc.want)
		}
		if b := after.TotalAlloc - before.TotalAlloc; b > 1<<20 {
			t.Errorf("%v %v: allocated %d bytes before failing", tc.dt, tc.shape, b)
		}
	}
	// The limit is the policy's: raising it admits the tensor.
	defer limits.TensorElements.Set(limits.TensorElements.Set(1e8))
	p := &tfpb.TensorProto{Dtype: Int8, TensorShape: ShapeToProto([]int64{100000000}), IntVal: []int32{7}}
	if x, err := FromProto(p); err != nil || x.NumElements() != 1e8 || x.Data[1e8-1] != 7 {
		t.Errorf("with the limit raised: %v", err)
	}
}

func TestFromProtoRejectsContentSizeMismatch(t *testing.T) {
	p := &tfpb.TensorProto{Dtype: Float, TensorShape: ShapeToProto([]int64{2}), TensorContent: []byte{0, 0, 0}}
	if _, err := FromProto(p); err == nil {
		t.Fatal("3 bytes accepted for two float32s")
	}
}

func TestProtoRoundTrip(t *testing.T) {
	for _, x := range []*Tensor{
		must(FromFloat32s([]int64{2, 2}, []float32{1, -2.5, float32(math.Inf(1)), 0})),
		must(FromInt64s([]int64{3}, []int64{-1, 1 << 40, 7})),
		must(FromStrings([]int64{2}, []string{"a", ""})),
	} {
		y, err := FromProto(x.ToProto())
		if err != nil {
			t.Fatal(err)
		}
		a, _ := x.Values()
		b, _ := y.Values()
		if len(a) != len(b) || y.DType != x.DType {
			t.Fatalf("round trip changed %v to %v", a, b)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("round trip changed %v to %v", a, b)
			}
		}
	}
}

func TestHalfConversion(t *testing.T) {
	for _, c := range []struct {
		bits uint16
		want float32
	}{{0x3c00, 1}, {0xc000, -2}, {0x0001, 5.9604645e-08}, {0x7bff, 65504}, {0x3555, 0.33325195}} {
		if got := HalfToFloat32(c.bits); got != c.want {
			t.Errorf("HalfToFloat32(%#x) = %v, want %v", c.bits, got, c.want)
		}
		if back := Float32ToHalf(c.want); back != c.bits {
			t.Errorf("Float32ToHalf(%v) = %#x, want %#x", c.want, back, c.bits)
		}
	}
}

func TestValuesJSONForms(t *testing.T) {
	x := must(FromFloat64s([]int64{3}, []float64{math.NaN(), math.Inf(-1), 0.5}))
	v, err := x.Values()
	if err != nil {
		t.Fatal(err)
	}
	if v[0] != "NaN" || v[1] != "-Infinity" || v[2] != 0.5 {
		t.Fatalf("got %v", v)
	}
}

// Span lists part of a tensor, numeric or string, sharing its memory.
func TestSpan(t *testing.T) {
	x := must(FromInt32s([]int64{2, 3}, []int32{0, 1, 2, 3, 4, 5}))
	part := x.Span(2, 5)
	v, err := part.Values()
	if err != nil {
		t.Fatal(err)
	}
	if len(part.Shape) != 1 || part.Shape[0] != 3 || part.DType != x.DType || len(v) != 3 || v[0] != int64(2) || v[2] != int64(4) {
		t.Fatalf("Span(2, 5) = %v %v %v", part.DType, part.Shape, v)
	}
	part.Data[0] = 9
	if got, _ := x.Int64s(); got[2] != 9 {
		t.Errorf("Span copied the data: %v", got)
	}
	s := must(FromStrings([]int64{3}, []string{"a", "b", "c"}))
	if v, err := s.Span(1, 3).Values(); err != nil || len(v) != 2 || v[0] != "b" || v[1] != "c" {
		t.Errorf("string Span(1, 3) = %v, %v", v, err)
	}
	if v, err := s.Span(3, 3).Values(); err != nil || len(v) != 0 {
		t.Errorf("empty Span = %v, %v", v, err)
	}
}

func TestParseDType(t *testing.T) {
	for name, want := range map[string]DType{"DT_FLOAT": Float, "float64": Double, "qint8": Qint8, "DT_BFLOAT16": Bfloat16} {
		got, err := ParseDType(name)
		if err != nil || got != want {
			t.Errorf("ParseDType(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := ParseDType("float8"); err == nil {
		t.Error("float8 accepted")
	}
}

func must(t *Tensor, err error) *Tensor {
	if err != nil {
		panic(err)
	}
	return t
}

func TestShapeString(t *testing.T) {
	for _, c := range []struct {
		s    Shape
		want string
	}{
		{Shape{Dims: []int64{1, 128, 128, 3}}, "[1,128,128,3]"},
		{Shape{Dims: []int64{-1, 1001}}, "[?,1001]"},
		{Shape{Dims: []int64{}}, "[]"},
		{Shape{}, "[]"},
		{Shape{UnknownRank: true}, "<unknown>"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s.Dims, got, c.want)
		}
	}
}
