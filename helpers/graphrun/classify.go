package graphrun

import (
	"bufio"
	"fmt"
	"sort"
	"strings"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
)

// Prediction is one class of a classification and its score.
type Prediction struct {
	Label string  `json:"label"`
	Index int     `json:"index"` // output position
	Score float32 `json:"score"`
}

// Classifier labels images with a frozen classifier graph, as TensorFlow's
// label_image.py does: the retrained output_graph.pb of retrain.py, gotl
// retrain or gotl finetune, or an ImageNet classifier.
type Classifier struct {
	model  *Model
	output string
	labels []string
	opts   ImageOptions
}

// labelImageSize is label_image.py's --input_height and --input_width
// default (Inception v3's size).
var labelImageSize = ImageSize{Height: 299, Width: 299}

// NewClassifier prepares g to classify images. input is either a float
// [batch, height, width, 3] tensor, fed the image prepared with opts (see
// PrepareImage), or a DecodeJpeg node's contents ("DecodeJpeg/contents:0"
// in classify_image_graph_def.pb), fed the image file itself: such graphs
// decode and resize images themselves and opts is ignored. output gives
// one score per label, in labels' order.
//
// A Height or Width of 0 in opts is taken from the input placeholder's
// static shape, or is label_image.py's default, 299, where the graph leaves
// it open; a size that disagrees with the static shape is an
// *ImageSizeError (see Graph.FeedImageSize).
func NewClassifier(g *Graph, input, output string, labels []string, opts ImageOptions) (*Classifier, error) {
	if len(labels) == 0 {
		return nil, fmt.Errorf("graphrun: classifier %s has no labels", output)
	}
	m, err := NewModel(g, []string{input}, []string{output})
	if err != nil {
		return nil, err
	}
	if !m.EncodedImageFeed(0) {
		size, err := g.FeedImageSize(input, ImageSize{Height: opts.Height, Width: opts.Width}, labelImageSize)
		if err != nil {
			return nil, err
		}
		opts.Height, opts.Width = size.Height, size.Width
	}
	return &Classifier{model: m, output: output, labels: labels, opts: opts}, nil
}

// Options returns the preprocessing images get, with the size resolved
// (see NewClassifier); it is not used when the graph decodes images itself.
func (c *Classifier) Options() ImageOptions { return c.opts }

// Classify returns the top classes (all when top exceeds their number) of
// an encoded JPEG, PNG or GIF image, best first.
func (c *Classifier) Classify(image []byte, top int) ([]Prediction, error) {
	var (
		in  *tensor.Tensor
		err error
	)
	if c.model.EncodedImageFeed(0) {
		in, err = tensor.FromStrings(nil, []string{string(image)})
	} else {
		in, err = PrepareImage(image, c.opts)
	}
	if err != nil {
		return nil, err
	}
	outs, err := c.model.Run(in)
	if err != nil {
		return nil, err
	}
	scores, err := outs[0].Float32s()
	if err != nil {
		return nil, fmt.Errorf("graphrun: %s: %w", c.output, err)
	}
	if len(scores) != len(c.labels) {
		return nil, fmt.Errorf("graphrun: %s has %d outputs but there are %d labels", c.output, len(scores), len(c.labels))
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	var best []Prediction
	for _, i := range idx[:min(max(top, 0), len(idx))] {
		best = append(best, Prediction{Label: c.labels[i], Index: i, Score: scores[i]})
	}
	return best, nil
}

// ReadLabels reads a labels file, one label per line in output order, with
// trailing whitespace removed, as label_image.py's load_labels does.
func ReadLabels(path string) ([]string, error) {
	f, _, err := limits.Open(path)
	if err != nil {
		return nil, fmt.Errorf("graphrun: %w", err)
	}
	defer f.Close()
	var labels []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		labels = append(labels, strings.TrimRight(sc.Text(), " \t\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("graphrun: %s: %w", path, err)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("graphrun: %s: no labels", path)
	}
	return labels, nil
}
