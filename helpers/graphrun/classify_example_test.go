package graphrun_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"google.golang.org/protobuf/encoding/prototext"

	"github.com/gotl/gotl/helpers/graphrun"
)

// A classifier of an image's dominant colour: the softmax of the mean of
// each channel.
const colourGraph = `
node { name: "input" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } dim { size: 4 } dim { size: 3 } } } } }
node { name: "axes" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 1 int_val: 2 } } } }
node { name: "mean" op: "Mean" input: "input" input: "axes" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "final_result" op: "Softmax" input: "mean" attr { key: "T" value { type: DT_FLOAT } } }
`

// Classify an image file's bytes with a frozen classifier and its labels,
// as label_image.py does: the channel means, 40, 200 and 90 divided by
// Std, are the logits.
func ExampleClassifier() {
	def := &graphpb.GraphDef{}
	if err := prototext.Unmarshal([]byte(colourGraph), def); err != nil {
		panic(err)
	}
	g, err := graphrun.FromGraphDef(def)
	if err != nil {
		panic(err)
	}
	c, err := graphrun.NewClassifier(g, "input:0", "final_result:0", []string{"red", "green", "blue"},
		graphrun.ImageOptions{Height: 4, Width: 4, Mean: 0, Std: 25.5})
	if err != nil {
		panic(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 64 {
		img.Set(i%8, i/8, color.RGBA{R: 40, G: 200, B: 90, A: 255})
	}
	var file bytes.Buffer
	png.Encode(&file, img)
	top, err := c.Classify(file.Bytes(), 2)
	if err != nil {
		panic(err)
	}
	for _, p := range top {
		fmt.Printf("%s %.3f\n", p.Label, p.Score)
	}
	// Output:
	// green 0.985
	// blue 0.013
}
