package graphrun

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	shapepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_shape_go_proto"
	"google.golang.org/protobuf/encoding/prototext"

	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

// FeedImageSize: the placeholder's static dimensions win and must agree
// with the size asked for; open ones come from asked, then the fallback.
func TestFeedImageSize(t *testing.T) {
	noShape := placeholderNode("no_shape")
	delete(noShape.Attr, "shape")
	unknownRank := placeholderNode("unknown_rank")
	unknownRank.Attr["shape"] = &attrpb.AttrValue{Value: &attrpb.AttrValue_Shape{Shape: &shapepb.TensorShapeProto{UnknownRank: true}}}
	g, err := FromGraphDef(&graphpb.GraphDef{Node: []*nodepb.NodeDef{
		placeholderNode("static", -1, 24, 32, 3), placeholderNode("batch1", 1, 128, 128, 3),
		placeholderNode("height_only", -1, 24, -1, 3), placeholderNode("width_only", -1, -1, 32, -1),
		placeholderNode("dynamic", -1, -1, -1, 3), noShape, unknownRank,
		{Name: "scaled", Op: "Mul", Input: []string{"dynamic", "dynamic"}, Attr: map[string]*attrpb.AttrValue{"T": {Value: &attrpb.AttrValue_Type{Type: tensor.Float}}}},
		placeholderNode("flat", -1, 10), placeholderNode("gray", -1, 28, 28, 1),
	}})
	if err != nil {
		t.Fatal(err)
	}
	type size = ImageSize
	for _, c := range []struct {
		input           string
		asked, fallback size
		want            size
		mismatch        bool   // else, when want is zero: a missing dimension
		declaration     string // of the *ImageSizeError
	}{
		{"static:0", size{}, size{}, size{24, 32}, false, ""},
		{"static", size{24, 32}, size{299, 299}, size{24, 32}, false, ""},
		{"static:0", size{24, 0}, size{}, size{24, 32}, false, ""},
		{"static:0", size{224, 224}, size{}, size{}, true, "placeholder static:0 has shape [?,24,32,3]"},
		{"static:0", size{0, 33}, size{}, size{}, true, "placeholder static:0 has shape [?,24,32,3]"},
		{"batch1:0", size{}, size{299, 299}, size{128, 128}, false, ""},
		{"batch1:0", size{224, 224}, size{}, size{}, true, "placeholder batch1:0 has shape [1,128,128,3]"},
		{"height_only:0", size{0, 40}, size{}, size{24, 40}, false, ""},
		{"height_only:0", size{}, size{299, 299}, size{24, 299}, false, ""},
		{"height_only:0", size{}, size{}, size{}, false, "placeholder height_only:0 has shape [?,24,?,3], which leaves the image width open"},
		{"height_only:0", size{40, 40}, size{}, size{}, true, "placeholder height_only:0 has shape [?,24,?,3]"},
		{"width_only:0", size{}, size{}, size{}, false, "placeholder width_only:0 has shape [?,?,32,?], which leaves the image height open"},
		{"width_only:0", size{50, 0}, size{}, size{50, 32}, false, ""},
		{"dynamic:0", size{40, 50}, size{299, 299}, size{40, 50}, false, ""},
		{"dynamic:0", size{}, size{299, 299}, size{299, 299}, false, ""},
		{"dynamic:0", size{40, 0}, size{}, size{}, false, "placeholder dynamic:0 has shape [?,?,?,3], which fixes neither the image height nor the width"},
		{"no_shape:0", size{}, size{}, size{}, false, "placeholder no_shape:0 declares no shape"},
		{"no_shape:0", size{7, 9}, size{}, size{7, 9}, false, ""},
		{"unknown_rank:0", size{}, size{5, 6}, size{5, 6}, false, ""},
		{"scaled:0", size{}, size{}, size{}, false, "input scaled:0 (Mul) declares no shape"},
		{"scaled:0", size{299, 299}, size{}, size{299, 299}, false, ""},
	} {
		got, err := g.FeedImageSize(c.input, c.asked, c.fallback)
		name := fmt.Sprintf("%s asked %v fallback %v", c.input, c.asked, c.fallback)
		if c.want != (size{}) {
			if err != nil || got != c.want {
				t.Errorf("%s: %v, %v; want %v", name, got, err, c.want)
			}
			continue
		}
		var se *ImageSizeError
		if !errors.As(err, &se) {
			t.Errorf("%s: %v, %v; want an *ImageSizeError", name, got, err)
			continue
		}
		if se.Mismatch() != c.mismatch || se.Declaration() != c.declaration || se.Asked != c.asked {
			t.Errorf("%s: mismatch %v, declaration %q, asked %v; want %v, %q", name, se.Mismatch(), se.Declaration(), se.Asked, c.mismatch, c.declaration)
		}
		if c.mismatch && !strings.Contains(err.Error(), "images of "+c.asked.String()+" asked for") {
			t.Errorf("%s: %q does not say what was asked for", name, err)
		}
	}
	// What no size can make an image input.
	for _, c := range []struct {
		input string
		asked ImageSize
		want  string
	}{
		{"flat:0", ImageSize{10, 10}, "placeholder flat:0 has shape [?,10]: not a batch of RGB images"},
		{"gray:0", ImageSize{}, "placeholder gray:0 has shape [?,28,28,1]: not a batch of RGB images"},
		{"missing:0", ImageSize{}, `no input node "missing"`},
		{"dynamic:0", ImageSize{-1, 5}, "negative image size"},
	} {
		_, err := g.FeedImageSize(c.input, c.asked, ImageSize{})
		var se *ImageSizeError
		if err == nil || errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want a plain error containing %q", c.input, err, c.want)
		}
	}
	// The graph's file is named where the caller knows it.
	_, err = g.FeedImageSize("static:0", ImageSize{224, 224}, ImageSize{})
	se := err.(*ImageSizeError)
	se.Graph = "net.pb"
	if want := "placeholder static:0 of net.pb has shape [?,24,32,3]"; se.Declaration() != want {
		t.Errorf("declaration %q, want %q", se.Declaration(), want)
	}
	if got, want := err.Error(), "graphrun: images of 224x224 asked for, but placeholder static:0 of net.pb has shape [?,24,32,3]: it takes 24x32"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

// The input of TF for Poets' retrained MobileNet is [1,128,128,3].
func TestFeedImageSizeRetrainedMobileNet(t *testing.T) {
	g, err := Load(tfdata.Path(t, "retrain_poets_mobilenet025_128", "retrained_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := g.FeedImageSize("input", ImageSize{}, ImageSize{299, 299}); err != nil || s != (ImageSize{128, 128}) {
		t.Errorf("input: %v, %v; want 128x128", s, err)
	}
	_, err = g.FeedImageSize("input:0", ImageSize{224, 224}, ImageSize{})
	if want := "graphrun: images of 224x224 asked for, but placeholder input:0 has shape [1,128,128,3]: it takes 128x128"; err == nil || err.Error() != want {
		t.Errorf("224x224: %v, want %q", err, want)
	}
}

// meanSoftmaxGraph is a 3-class classifier of an image's channel means that
// takes any image size; input is its image input.
func meanSoftmaxGraph(input *nodepb.NodeDef, front ...*nodepb.NodeDef) *graphpb.GraphDef {
	axes, _ := tensor.FromInt32s([]int64{2}, []int32{1, 2})
	floatT := map[string]*attrpb.AttrValue{"T": {Value: &attrpb.AttrValue_Type{Type: tensor.Float}}}
	nodes := append(front, input,
		&nodepb.NodeDef{Name: "axes", Op: "Const", Attr: map[string]*attrpb.AttrValue{
			"dtype": {Value: &attrpb.AttrValue_Type{Type: tensor.Int32}},
			"value": {Value: &attrpb.AttrValue_Tensor{Tensor: axes.ToProto()}},
		}},
		&nodepb.NodeDef{Name: "mean", Op: "Mean", Input: []string{input.Name, "axes"}, Attr: floatT},
		&nodepb.NodeDef{Name: "final_result", Op: "Softmax", Input: []string{"mean"}, Attr: floatT})
	return &graphpb.GraphDef{Node: nodes}
}

// NewClassifier resizes images to the placeholder's static size unless
// told otherwise, to 299x299 (label_image.py's default) where the graph
// has no size, and refuses a size that disagrees with the graph.
func TestClassifierImageSize(t *testing.T) {
	labels := []string{"red", "green", "blue"}
	img := testJPEG(t, 20, 10)
	for _, c := range []struct {
		shape []int64
		asked ImageSize
		want  ImageSize // zero: an *ImageSizeError
	}{
		{[]int64{-1, 4, 6, 3}, ImageSize{}, ImageSize{4, 6}},
		{[]int64{1, 4, 6, 3}, ImageSize{4, 6}, ImageSize{4, 6}},
		{[]int64{-1, 4, 6, 3}, ImageSize{8, 8}, ImageSize{}},
		{[]int64{-1, -1, -1, 3}, ImageSize{}, ImageSize{299, 299}},
		{[]int64{-1, -1, -1, 3}, ImageSize{8, 0}, ImageSize{8, 299}},
		{[]int64{-1, 5, -1, 3}, ImageSize{}, ImageSize{5, 299}},
	} {
		g, err := FromGraphDef(meanSoftmaxGraph(placeholderNode("input", c.shape...)))
		if err != nil {
			t.Fatal(err)
		}
		cl, err := NewClassifier(g, "input:0", "final_result:0", labels, ImageOptions{Height: c.asked.Height, Width: c.asked.Width, Std: 255})
		if c.want == (ImageSize{}) {
			var se *ImageSizeError
			if !errors.As(err, &se) || !se.Mismatch() {
				t.Errorf("%v asked %v: %v; want a size mismatch", c.shape, c.asked, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v asked %v: %v", c.shape, c.asked, err)
		}
		if o := cl.Options(); o.Height != c.want.Height || o.Width != c.want.Width || o.Std != 255 {
			t.Errorf("%v asked %v: options %+v; want %v", c.shape, c.asked, o, c.want)
		}
		if top, err := cl.Classify(img, 3); err != nil || len(top) != 3 {
			t.Errorf("%v asked %v: %v, %v", c.shape, c.asked, top, err)
		}
	}
	// A graph that decodes and resizes images itself is fed the file: the
	// options are not used, whatever they say.
	front := &graphpb.GraphDef{}
	if err := prototext.Unmarshal([]byte(jpegFrontGraph), front); err != nil {
		t.Fatal(err)
	}
	n := len(front.Node)
	g, err := FromGraphDef(meanSoftmaxGraph(front.Node[n-1], front.Node[:n-1]...))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := NewClassifier(g, "DecodeJpeg/contents:0", "final_result:0", labels, ImageOptions{Height: 7})
	if err != nil {
		t.Fatal(err)
	}
	if o := cl.Options(); o.Height != 7 || o.Width != 0 {
		t.Errorf("DecodeJpeg graph: options %+v changed", o)
	}
	if top, err := cl.Classify(img, 1); err != nil || len(top) != 1 {
		t.Errorf("DecodeJpeg graph: %v, %v", top, err)
	}
}
