package graphrun

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// FuzzNewModel feeds arbitrary GraphDef bytes to FromGraphDef and NewModel
// (and the MultiplyAdds graph build, which converts every node): they must
// return errors, never panic.
func FuzzNewModel(f *testing.F) {
	def := &graphpb.GraphDef{}
	if err := prototext.Unmarshal([]byte(tinyTestGraph), def); err != nil {
		f.Fatal(err)
	}
	seed, _ := proto.Marshal(def)
	f.Add(seed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		def := &graphpb.GraphDef{}
		if proto.Unmarshal(data, def) != nil || len(def.Node) > 64 {
			return
		}
		g, err := FromGraphDef(def)
		if err != nil {
			return
		}
		var names []string
		for _, n := range def.Node {
			names = append(names, n.Name)
		}
		if len(names) == 0 {
			return
		}
		m, err := NewModel(g, []string{"x:0"}, names[len(names)-1:])
		if err != nil {
			return
		}
		_, _ = m.MultiplyAdds([]int{2, 2})
	})
}

// FuzzDecodeImage: hostile image bytes give errors, bounded allocations.
func FuzzDecodeImage(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{200, 10, 30, 255})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		tt, err := DecodeImage(data, 3)
		if err != nil {
			return
		}
		if len(tt.Shape) != 3 || int64(len(tt.Data)) != tt.Shape[0]*tt.Shape[1]*3 {
			t.Fatalf("bad decoded tensor shape %v with %d bytes", tt.Shape, len(tt.Data))
		}
	})
}

const tinyTestGraph = `
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "two" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 2 } } } }
node { name: "shape" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: -1 } } } }
node { name: "m" op: "Mul" input: "x" input: "two" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "y" op: "Reshape" input: "m" input: "shape" attr { key: "T" value { type: DT_FLOAT } } }
`
