package graphrun

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"strings"
	"testing"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/tfjpeg"
	"google.golang.org/protobuf/encoding/prototext"
)

// The front of Inception v3's classify_image_graph_def.pb: JPEG bytes in,
// decode, cast, batch, resize to 299×299, (x-128)/128.
const jpegFrontGraph = `
node { name: "DecodeJpeg/contents" op: "Const" attr { key: "dtype" value { type: DT_STRING } }
  attr { key: "value" value { tensor { dtype: DT_STRING tensor_shape {} string_val: "" } } } }
node { name: "DecodeJpeg" op: "DecodeJpeg" input: "DecodeJpeg/contents"
  attr { key: "channels" value { i: 3 } } attr { key: "ratio" value { i: 1 } } }
node { name: "Cast" op: "Cast" input: "DecodeJpeg" attr { key: "SrcT" value { type: DT_UINT8 } } attr { key: "DstT" value { type: DT_FLOAT } } }
node { name: "ExpandDims/dim" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 0 } } } }
node { name: "ExpandDims" op: "ExpandDims" input: "Cast" input: "ExpandDims/dim" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "ResizeBilinear/size" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 299 int_val: 299 } } } }
node { name: "ResizeBilinear" op: "ResizeBilinear" input: "ExpandDims" input: "ResizeBilinear/size" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "Sub/y" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 128 } } } }
node { name: "Sub" op: "Sub" input: "ResizeBilinear" input: "Sub/y" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "Mul/y" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 0.0078125 } } } }
node { name: "Mul" op: "Mul" input: "Sub" input: "Mul/y" attr { key: "T" value { type: DT_FLOAT } } }
`

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeJpegFedGraph(t *testing.T) {
	def := &graphpb.GraphDef{}
	if err := prototext.Unmarshal([]byte(jpegFrontGraph), def); err != nil {
		t.Fatal(err)
	}
	g, err := FromGraphDef(def)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(g, []string{"DecodeJpeg/contents:0"}, []string{"Mul:0", "DecodeJpeg:0"})
	if err != nil {
		t.Fatal(err)
	}
	data := testJPEG(t, 120, 80)
	contents, _ := tensor.FromStrings(nil, []string{string(data)})
	outs, err := m.Run(contents)
	if err != nil {
		t.Fatal(err)
	}
	if s := outs[0].Shape; len(s) != 4 || s[0] != 1 || s[1] != 299 || s[2] != 299 || s[3] != 3 {
		t.Fatalf("normalized image shape %v", s)
	}
	if s := outs[1].Shape; len(s) != 3 || s[0] != 80 || s[1] != 120 || s[2] != 3 || outs[1].DType != tensor.Uint8 {
		t.Fatalf("decoded image %s %v", outs[1].DType, s)
	}
	// The same preprocessing through PrepareImage (label_image.py style).
	want, err := PrepareImage(data, ImageOptions{Height: 299, Width: 299, Mean: 128, Std: 128})
	if err != nil {
		t.Fatal(err)
	}
	got, exp := floats(t, outs[0]), floats(t, want)
	for i := range got {
		if math.Abs(float64(got[i]-exp[i])) > 1e-5 {
			t.Fatalf("element %d: graph %v, PrepareImage %v", i, got[i], exp[i])
		}
	}
	// Corner pixel after resizing (legacy mapping keeps pixel (0,0)) equals
	// the decoded pixel, normalized.
	px := outs[1].Data[:3]
	for c := 0; c < 3; c++ {
		if w := (float32(px[c]) - 128) / 128; math.Abs(float64(got[c]-w)) > 1e-6 {
			t.Errorf("channel %d: %v, want %v", c, got[c], w)
		}
	}
	// Bad bytes give a clear error.
	bad, _ := tensor.FromStrings(nil, []string{"not a jpeg"})
	if _, err := m.Run(bad); err == nil {
		t.Error("garbage image decoded without error")
	}
}

// TestDecodeJpegAttrs runs DecodeJpeg nodes with non-default attributes:
// the pixels must be tfjpeg's for the same options (TensorFlow's kernel
// passes the attributes to libjpeg in the same way).
func TestDecodeJpegAttrs(t *testing.T) {
	data := testJPEG(t, 120, 80)
	for _, c := range []struct {
		attrs string
		opts  tfjpeg.Options
	}{
		{``, tfjpeg.Options{}},
		{`attr { key: "channels" value { i: 1 } } attr { key: "ratio" value { i: 2 } }`, tfjpeg.Options{Channels: 1, Ratio: 2}},
		{`attr { key: "dct_method" value { s: "INTEGER_ACCURATE" } } attr { key: "ratio" value { i: 4 } }`, tfjpeg.Options{DCTMethod: tfjpeg.IntegerAccurate, Ratio: 4}},
		{`attr { key: "fancy_upscaling" value { b: false } }`, tfjpeg.Options{NoFancyUpscaling: true}},
	} {
		def := &graphpb.GraphDef{}
		text := `node { name: "contents" op: "Placeholder" attr { key: "dtype" value { type: DT_STRING } } }
node { name: "decode" op: "DecodeJpeg" input: "contents" ` + c.attrs + ` }`
		if err := prototext.Unmarshal([]byte(text), def); err != nil {
			t.Fatal(err)
		}
		g, err := FromGraphDef(def)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(g, []string{"contents:0"}, []string{"decode:0"})
		if err != nil {
			t.Fatal(err)
		}
		contents, _ := tensor.FromStrings(nil, []string{string(data)})
		outs, err := m.Run(contents)
		if err != nil {
			t.Fatalf("%s: %v", c.attrs, err)
		}
		want, err := tfjpeg.Decode(data, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if s := outs[0].Shape; len(s) != 3 || s[0] != int64(want.Height) || s[1] != int64(want.Width) || s[2] != int64(want.Channels) {
			t.Fatalf("%s: shape %v, want %dx%dx%d", c.attrs, s, want.Height, want.Width, want.Channels)
		}
		if !bytes.Equal(outs[0].Data, want.Pix) {
			t.Errorf("%s: pixels differ from tfjpeg's", c.attrs)
		}
	}
	// A file cut short fails as in TensorFlow, naming the problem.
	def := &graphpb.GraphDef{}
	prototext.Unmarshal([]byte(`node { name: "contents" op: "Placeholder" attr { key: "dtype" value { type: DT_STRING } } }
node { name: "decode" op: "DecodeJpeg" input: "contents" }`), def)
	g, _ := FromGraphDef(def)
	m, err := NewModel(g, []string{"contents:0"}, []string{"decode:0"})
	if err != nil {
		t.Fatal(err)
	}
	cut, _ := tensor.FromStrings(nil, []string{string(data[:len(data)*2/3])})
	if _, err := m.Run(cut); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: error %v", err)
	}
}
