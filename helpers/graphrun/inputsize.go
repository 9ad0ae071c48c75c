package graphrun

import (
	"fmt"
	"strconv"

	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/tensor"
)

// ImageSize is the height and width of the images an input takes. 0 stands
// for a dimension that is not known, or not asked for.
type ImageSize struct{ Height, Width int }

// String writes the size as HxW, with ? for an unknown dimension.
func (s ImageSize) String() string { return dimString(s.Height) + "x" + dimString(s.Width) }

func dimString(d int) string {
	if d <= 0 {
		return "?"
	}
	return strconv.Itoa(d)
}

// ImageSizeError is FeedImageSize's error when the size asked for disagrees
// with the static shape of the input, or when a dimension is fixed neither by
// the graph nor by the caller.
type ImageSizeError struct {
	Input    string       // the input tensor, "input:0"
	Op       string       // its node's op, "Placeholder"
	Shape    tensor.Shape // its static shape; UnknownRank when it declares none
	Declared ImageSize    // the height and width Shape fixes; 0 where it leaves one open
	Asked    ImageSize    // the size asked for; 0 where none was
	// Graph names the graph in Declaration when set (FeedImageSize leaves
	// it empty: a Graph does not know its file; callers that do may set it).
	Graph string
}

// Mismatch reports whether the size asked for contradicts the static shape;
// otherwise a dimension is missing.
func (e *ImageSizeError) Mismatch() bool {
	return conflicts(e.Asked.Height, e.Declared.Height) || conflicts(e.Asked.Width, e.Declared.Width)
}

func conflicts(asked, declared int) bool { return asked > 0 && declared > 0 && asked != declared }

// Declaration says what the graph declares about the input: "placeholder
// input:0 of G.pb has shape [?,128,128,3]", followed for a missing dimension
// by which ones the shape leaves open.
func (e *ImageSizeError) Declaration() string {
	what := "placeholder " + e.Input
	if !isPlaceholder(e.Op) {
		what = "input " + e.Input + " (" + e.Op + ")"
	}
	if e.Graph != "" {
		what += " of " + e.Graph
	}
	if e.Shape.UnknownRank {
		return what + " declares no shape"
	}
	what += " has shape " + e.Shape.String()
	if e.Mismatch() {
		return what
	}
	switch {
	case e.Declared.Height <= 0 && e.Declared.Width <= 0:
		return what + ", which fixes neither the image height nor the width"
	case e.Declared.Height <= 0:
		return what + ", which leaves the image height open"
	default:
		return what + ", which leaves the image width open"
	}
}

func (e *ImageSizeError) Error() string {
	if e.Mismatch() {
		return fmt.Sprintf("graphrun: images of %s asked for, but %s: it takes %s", e.Asked, e.Declaration(), e.Declared)
	}
	return fmt.Sprintf("graphrun: %s, and no image size was given", e.Declaration())
}

func isPlaceholder(op string) bool {
	return op == "Placeholder" || op == "PlaceholderV2" || op == "PlaceholderWithDefault"
}

// FeedImageSize returns the size of the images to feed to input, a float
// image tensor [batch, height, width, 3] given as a tensor ("input:0") or
// node name. Each dimension is, in order of precedence:
//
//   - the one the input's placeholder declares (TensorFlow refuses feeds of
//     another size), which asked must then equal or leave 0;
//   - asked's, when the placeholder leaves it open (or the input is not a
//     placeholder: a tensor such as Inception v3's "Mul:0" is fed directly);
//   - fallback's (0: none).
//
// A disagreement, or a dimension left at 0, is an *ImageSizeError. A
// placeholder whose shape is not that of an RGB image batch is an error too.
// The batch dimension is not checked: graphrun feeds any batch size.
func (g *Graph) FeedImageSize(input string, asked, fallback ImageSize) (ImageSize, error) {
	if asked.Height < 0 || asked.Width < 0 {
		return ImageSize{}, fmt.Errorf("graphrun: input %s: negative image size %dx%d", input, asked.Height, asked.Width)
	}
	name, index, err := ParseTensorName(input)
	if err != nil {
		return ImageSize{}, err
	}
	n := g.Node(name)
	if n == nil {
		return ImageSize{}, fmt.Errorf("graphrun: the graph has no input node %q", name)
	}
	e := &ImageSizeError{Input: fmt.Sprintf("%s:%d", name, index), Op: n.Op, Shape: tensor.Shape{UnknownRank: true}, Asked: asked}
	if isPlaceholder(n.Op) {
		if s, err := (graphfile.Node{NodeDef: n}).ShapeAttr("shape"); err == nil {
			e.Shape = s
		}
	}
	if d := e.Shape.Dims; !e.Shape.UnknownRank {
		if len(d) != 4 || (d[3] != 3 && d[3] >= 0) {
			return ImageSize{}, fmt.Errorf("graphrun: placeholder %s has shape %s: not a batch of RGB images [batch, height, width, 3]", e.Input, e.Shape)
		}
		e.Declared = ImageSize{Height: int(max(d[1], 0)), Width: int(max(d[2], 0))}
	}
	if e.Mismatch() {
		return ImageSize{}, e
	}
	size := ImageSize{Height: firstPositive(e.Declared.Height, asked.Height, fallback.Height),
		Width: firstPositive(e.Declared.Width, asked.Width, fallback.Width)}
	if size.Height <= 0 || size.Width <= 0 {
		return ImageSize{}, e
	}
	return size, nil
}

func firstPositive(v ...int) int {
	for _, x := range v {
		if x > 0 {
			return x
		}
	}
	return 0
}

// ImageInputSize reads the height and width of an image input from the
// shape its placeholder declares: [batch, height, width, 3] with known
// height and width, as Inception's and MobileNet's inputs are. input is a
// tensor ("input:0") or node name. It is FeedImageSize with no size asked
// for and no fallback.
func (g *Graph) ImageInputSize(input string) (height, width int, err error) {
	s, err := g.FeedImageSize(input, ImageSize{}, ImageSize{})
	return s.Height, s.Width, err
}
