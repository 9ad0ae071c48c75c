package finetune

import (
	"errors"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/zoo"
)

// Config.ImageSize fine-tunes a network whose input placeholder has no
// static size; against a static size it must agree.
func TestConfigImageSize(t *testing.T) {
	static := randomTinyNet(t)
	cfg := baseConfig(static)
	cfg.ImageSize = graphrun.ImageSize{Height: 40, Width: 40}
	var se *graphrun.ImageSizeError
	if _, err := New(cfg); !errors.As(err, &se) || !se.Mismatch() {
		t.Errorf("40x40 on TinyNet's 32x32 input: %v; want a size mismatch", err)
	}
	def := proto.Clone(static.GraphDef()).(*graphpb.GraphDef)
	for _, n := range def.Node {
		if n.Name == "input" {
			n.Attr["shape"] = &attrpb.AttrValue{Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto([]int64{-1, -1, -1, 3})}}
		}
	}
	dynamic, err := graphrun.FromGraphDef(def)
	if err != nil {
		t.Fatal(err)
	}
	cfg = baseConfig(dynamic)
	if _, err := New(cfg); !errors.As(err, &se) || se.Mismatch() {
		t.Errorf("no size for a [?,?,?,3] input: %v; want a missing-size error", err)
	}
	cfg.ImageSize, cfg.Steps = graphrun.ImageSize{Height: 40, Width: 36}, 2
	tu, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	set, err := dataset.Synthetic(dataset.SyntheticOptions{Classes: 2, PerClass: 4, Height: 50, Width: 50, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	pre := dataset.Preprocess{Height: 40, Width: 36, Mean: zoo.TinyNetInfo.Mean, Std: zoo.TinyNetInfo.Std}
	var examples []imageExample
	for i, img := range set.Images {
		examples = append(examples, imageExample{Input: pre.Apply(dataset.FromImage(img)), Label: set.Labels[i], Name: set.Names[i]})
	}
	if _, err := tu.Train(splits(examples, nil, nil)); err != nil {
		t.Errorf("40x36 images: %v", err)
	}
	if _, err := tu.Train(splits(tinyData(t, 2, 2, 1), nil, nil)); err == nil {
		t.Error("32x32 images were accepted by a network fine-tuned at 40x36")
	}
}
