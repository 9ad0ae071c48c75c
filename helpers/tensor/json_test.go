package tensor

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	cases := []string{
		`{"dtype":"float32","shape":[2,2],"values":[1,-2.5,"NaN","-Infinity"]}`,
		`{"dtype":"int64","shape":[3],"values":[9007199254740993,-1,0]}`,
		`{"dtype":"uint8","shape":[2],"values":[0,255]}`,
		`{"dtype":"bool","shape":[2],"values":[true,false]}`,
		`{"dtype":"string","shape":[],"values":["hi"]}`,
		`{"dtype":"float64","shape":[],"values":[0.1]}`,
	}
	for _, c := range cases {
		tt, err := FromJSON([]byte(c))
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		b, err := json.Marshal(tt)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != c {
			t.Errorf("round trip:\n got %s\nwant %s", b, c)
		}
	}
}

func TestJSONNestedValuesGiveShape(t *testing.T) {
	tt, err := FromJSON([]byte(`{"dtype":"float32","values":[[1,2,3],[4,5,6]]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(tt.Shape) != 2 || tt.Shape[0] != 2 || tt.Shape[1] != 3 {
		t.Fatalf("shape %v, want [2 3]", tt.Shape)
	}
	v, _ := tt.Float32s()
	if v[5] != 6 || math.IsNaN(float64(v[0])) {
		t.Errorf("values %v", v)
	}
}

func TestJSONErrors(t *testing.T) {
	for c, want := range map[string]string{
		`{"dtype":"float32","shape":[3],"values":[1,2]}`:                        "needs 3 values",
		`{"dtype":"int8","shape":[1],"values":[300]}`:                           "not a int8",
		`{"dtype":"int32","shape":[1],"values":[1.5]}`:                          "not a int32",
		`{"dtype":"nope","shape":[1],"values":[1]}`:                             "unknown dtype",
		`{"shape":[1],"values":[1]}`:                                            "missing \"dtype\"",
		`{"dtype":"float32","shape":[1],"values":["x"]}`:                        "want a number",
		`{"dtype":"float32","shape":[-1],"values":[]}`:                          "negative",
		`{"dtype":"float32","shape":[1],"value":[1]}`:                           "unknown field",
		`{"dtype":"float32","shape":[1<<40],"values":[1]}`:                      "JSON",
		`{"dtype":"float32","shape":[1099511627776,1099511627776],"values":[]}`: "GOTL_MAX_TENSOR_ELEMENTS",
		// Fewer bytes than the values they declare: the shape is refused
		// before anything is allocated for it.
		`{"dtype":"float32","shape":[100000000],"values":[1]}`: "needs 100000000 elements, more than the limit",
	} {
		_, err := FromJSON([]byte(c))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to contain %q", c, err, want)
		}
	}
}

// FuzzFromJSON: arbitrary input gives a tensor or an error, never a panic,
// and a decoded tensor re-encodes.
func FuzzFromJSON(f *testing.F) {
	f.Add([]byte(`{"dtype":"float32","shape":[2],"values":[1,"NaN"]}`))
	f.Add([]byte(`{"dtype":"int8","values":[[1,2],[3,4]]}`))
	f.Add([]byte(`{"dtype":"string","shape":[],"values":["a"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tt, err := FromJSON(data)
		if err != nil {
			return
		}
		if _, err := json.Marshal(tt); err != nil {
			t.Fatalf("decoded %s but cannot re-encode: %v", data, err)
		}
	})
}

// MarshalJSON converts values a chunk at a time; the output is the same as
// marshalling all the values at once, across chunk boundaries and for every
// kind of value.
func TestMarshalJSONInChunks(t *testing.T) {
	n := 3*jsonChunk + 7
	f := make([]float32, n)
	for i := range f {
		f[i] = float32(i) / 3
	}
	f[jsonChunk], f[jsonChunk+1] = float32(math.NaN()), float32(math.Inf(-1))
	ft, _ := FromFloat32s([]int64{int64(n)}, f)
	strs := make([]string, n)
	for i := range strs {
		strs[i] = string(rune('a'+i%26)) + "<&>"
	}
	st, _ := FromStrings([]int64{int64(n)}, strs)
	empty, _ := FromFloat32s([]int64{0, 3}, nil)
	for _, x := range []*Tensor{ft, st, empty} {
		got, err := x.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		vals, _ := x.Values()
		want, _ := json.Marshal(struct {
			DType  string  `json:"dtype"`
			Shape  []int64 `json:"shape"`
			Values []any   `json:"values"`
		}{ShortName(x.DType), x.Shape, vals})
		if !bytes.Equal(got, want) {
			t.Errorf("%v %v: chunked JSON differs from the whole-array encoding", x.DType, x.Shape)
		}
	}
}
