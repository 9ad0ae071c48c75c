package bottleneck

import (
	"errors"
	"strings"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/tensor"
)

// InputSize is the placeholder's static size, the size asked for where it
// has none, and an error where the two disagree or neither says.
func TestGraphModelInputSize(t *testing.T) {
	for _, c := range []struct {
		shape      []int64
		asked      graphrun.ImageSize
		want       graphrun.ImageSize
		wantErr    string // when want is zero
		isMismatch bool
	}{
		{[]int64{-1, 24, 20, 3}, graphrun.ImageSize{}, graphrun.ImageSize{Height: 24, Width: 20}, "", false},
		{[]int64{-1, 24, 20, 3}, graphrun.ImageSize{Height: 32, Width: 32}, graphrun.ImageSize{},
			"bottleneck: graphrun: images of 32x32 asked for, but placeholder input:0 has shape [?,24,20,3]: it takes 24x20", true},
		{[]int64{-1, -1, -1, 3}, graphrun.ImageSize{Height: 28, Width: 30}, graphrun.ImageSize{Height: 28, Width: 30}, "", false},
		{[]int64{-1, -1, -1, 3}, graphrun.ImageSize{}, graphrun.ImageSize{}, "which fixes neither the image height nor the width", false},
	} {
		def, err := RandomConvNet(ConvNetOptions{Height: 24, Width: 24, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range def.Node {
			if n.Name == "input" {
				n.Attr["shape"] = &attrpb.AttrValue{Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto(c.shape)}}
			}
		}
		m, err := NewGraphModel(def, ConvNetInput, ConvNetBottleneck)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.InputSize(c.asked)
		if c.want == (graphrun.ImageSize{}) {
			var se *graphrun.ImageSizeError
			if !errors.As(err, &se) || se.Mismatch() != c.isMismatch || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%v asked %v: %v; want an *ImageSizeError containing %q", c.shape, c.asked, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%v asked %v: %v, %v; want %v", c.shape, c.asked, got, err, c.want)
			continue
		}
		// The model runs at the size it gives.
		if _, err := m.Bottlenecks([]*dataset.FloatImage{dataset.NewFloatImage(got.Height, got.Width)}); err != nil {
			t.Errorf("%v at %v: %v", c.shape, got, err)
		}
	}
}
