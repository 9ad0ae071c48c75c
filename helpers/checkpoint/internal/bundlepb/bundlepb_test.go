package bundlepb

import (
	"bytes"
	"encoding/hex"
	"math"
	"reflect"
	"testing"

	"github.com/gotl/gotl/helpers/tensor"
)

func TestSignedNumIncreasing(t *testing.T) {
	// Examples from TensorFlow's ordered_code.cc documentation, plus the
	// edges of each length.
	cases := map[int64]string{
		0x424242: "f0424242", -0x800: "3800", 0: "80", -1: "7f", 5: "85", 63: "bf", 64: "c040",
		-64: "40", -65: "3fbf", math.MaxInt64: "ffc07fffffffffffffff", math.MinInt64: "003f8000000000000000",
	}
	for v, want := range cases {
		if got := hex.EncodeToString(appendSignedNumIncreasing(nil, v)); got != want {
			t.Errorf("signed(%d) = %s, want %s", v, got, want)
		}
	}
	// Order preservation.
	vals := []int64{math.MinInt64, -1 << 40, -70000, -65, -64, -1, 0, 1, 63, 64, 8191, 8192, 1 << 50, math.MaxInt64}
	for i := 1; i < len(vals); i++ {
		a, b := appendSignedNumIncreasing(nil, vals[i-1]), appendSignedNumIncreasing(nil, vals[i])
		if bytes.Compare(a, b) >= 0 {
			t.Errorf("order broken between %d and %d", vals[i-1], vals[i])
		}
	}
}

func TestSliceKey(t *testing.T) {
	// The key of scalar "a" in TF's V1 half_plus_two checkpoint.
	if got := hex.EncodeToString(SliceKey("a", Slice{})); got != "0061000100" {
		t.Errorf("SliceKey(a) = %s", got)
	}
	got := SliceKey("x\x00\xff", Slice{{Start: 0, Length: 5, HasLength: true}, {}})
	want := []byte{0x00, 'x', 0x00, 0xff, 0xff, 0x00, 0x00, 0x01, 0x01, 0x02, 0x80, 0x85, 0x80, 0x7f}
	if !bytes.Equal(got, want) {
		t.Errorf("SliceKey = %x, want %x", got, want)
	}
}

func TestEntryRoundTrip(t *testing.T) {
	e := Entry{DType: tensor.Float, Shape: Shape{Dims: []int64{3, 0, 7}}, ShardID: 2, Offset: 1 << 33, Size: 84, CRC32C: 0xdeadbeef,
		Slices: []Slice{{{Start: 0, Length: 2, HasLength: true}, {}, {Start: 1, Length: 6, HasLength: true}}}}
	got, err := DecodeEntry(AppendEntry(nil, e))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Errorf("round trip: got %+v, want %+v", got, e)
	}
	// TF's encoding of the regression model's "W" entry.
	w, _ := hex.DecodeString("080112002804" + "3574ed716f")
	if enc := AppendEntry(nil, Entry{DType: tensor.Float, Size: 4, CRC32C: 0x6f71ed74}); !bytes.Equal(enc, w) {
		t.Errorf("entry W = %x, want %x", enc, w)
	}
	h := AppendHeader(nil, Header{NumShards: 1, Version: VersionDef{Producer: 1}})
	if hex.EncodeToString(h) != "08011a020801" {
		t.Errorf("header = %x", h)
	}
}

func TestDecodeTensorValues(t *testing.T) {
	// float_val packed: 0.5 (from TF's V1 file).
	b, _ := hex.DecodeString("2a040000003f")
	data, _, err := DecodeTensorValues(b, tensor.Float, 1)
	if err != nil || hex.EncodeToString(data) != "0000003f" {
		t.Errorf("float: %x %v", data, err)
	}
	if _, _, err := DecodeTensorValues(b, tensor.Float, 2); err == nil {
		t.Error("wrong count accepted")
	}
	// int_val unpacked, negative, into int8.
	b = []byte{0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x38, 0x05}
	data, _, err = DecodeTensorValues(b, tensor.Int8, 2)
	if err != nil || !bytes.Equal(data, []byte{0xff, 5}) {
		t.Errorf("int8: %x %v", data, err)
	}
	// string_val.
	b = []byte{0x42, 0x02, 'h', 'i', 0x42, 0x00}
	_, s, err := DecodeTensorValues(b, tensor.String, 2)
	if err != nil || len(s) != 2 || string(s[0]) != "hi" || len(s[1]) != 0 {
		t.Errorf("strings: %q %v", s, err)
	}
	// A tiny message cannot claim many elements.
	if _, _, err := DecodeTensorValues(b, tensor.Float, 1<<40); err == nil {
		t.Error("huge count accepted")
	}
}
