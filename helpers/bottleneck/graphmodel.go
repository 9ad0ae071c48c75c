package bottleneck

import (
	"fmt"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
)

// GraphModel computes bottlenecks by running a frozen GraphDef with
// helpers/graphrun: it feeds a float32 [N, H, W, 3] batch to the input
// tensor and flattens each image's bottleneck tensor to a vector.
type GraphModel struct {
	graph       *graphrun.Graph
	model       *graphrun.Model
	rank        int // of the bottleneck tensor; 0 until known
	fingerprint string
	input       string
	output      string
}

// LoadGraphModel reads a frozen GraphDef file (.pb, or .pbtxt) and prepares
// the sub-graph from input (the preprocessed image tensor, "Mul:0" or
// "input:0") to output (the bottleneck, "pool_3/_reshape:0"). The
// fingerprint is the SHA-256 of the file's bytes.
func LoadGraphModel(path, input, output string, opts ...graphrun.Option) (*GraphModel, error) {
	data, err := limits.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bottleneck: %w", err)
	}
	g, err := graphrun.Load(path)
	if err != nil {
		return nil, fmt.Errorf("bottleneck: %w", err)
	}
	return newGraphModel(g, Fingerprint(data), input, output, opts)
}

// NewGraphModel is LoadGraphModel for a GraphDef in memory; its fingerprint
// is the SHA-256 of its deterministic serialization.
func NewGraphModel(def *graphpb.GraphDef, input, output string, opts ...graphrun.Option) (*GraphModel, error) {
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(def)
	if err != nil {
		return nil, fmt.Errorf("bottleneck: serializing graph: %w", err)
	}
	g, err := graphrun.FromGraphDef(def)
	if err != nil {
		return nil, fmt.Errorf("bottleneck: %w", err)
	}
	return newGraphModel(g, Fingerprint(data), input, output, opts)
}

func newGraphModel(g *graphrun.Graph, fp, input, output string, opts []graphrun.Option) (*GraphModel, error) {
	m, err := graphrun.NewModel(g, []string{input}, []string{output}, opts...)
	if err != nil {
		return nil, fmt.Errorf("bottleneck: %w", err)
	}
	return &GraphModel{graph: g, model: m, fingerprint: fp, input: input, output: output}, nil
}

// Fingerprint implements Model.
func (m *GraphModel) Fingerprint() string { return m.fingerprint }

// OutputName implements Model.
func (m *GraphModel) OutputName() string { return m.output }

// Graph returns the GraphDef the model runs (not a copy).
func (m *GraphModel) Graph() *graphpb.GraphDef { return m.graph.GraphDef() }

// OutputRank is the rank of the bottleneck tensor (2 for [batch, size]),
// learnt from a forward pass; if none has run yet, it runs one on a black
// image of the given size.
func (m *GraphModel) OutputRank(height, width int) (int, error) {
	if m.rank == 0 {
		if _, err := m.Bottlenecks([]*dataset.FloatImage{dataset.NewFloatImage(height, width)}); err != nil {
			return 0, err
		}
	}
	return m.rank, nil
}

// InputSize is the height and width of the images the model's input takes:
// what its placeholder declares ([batch, height, width, 3]), and asked
// where the placeholder leaves a dimension open (asked may be zero). A size
// asked for that disagrees with the placeholder, or a dimension left
// unknown, is a *graphrun.ImageSizeError; see graphrun.Graph.FeedImageSize.
func (m *GraphModel) InputSize(asked graphrun.ImageSize) (graphrun.ImageSize, error) {
	size, err := m.graph.FeedImageSize(m.input, asked, graphrun.ImageSize{})
	if err != nil {
		return size, fmt.Errorf("bottleneck: %w", err)
	}
	return size, nil
}

// InputName is the tensor images are fed to.
func (m *GraphModel) InputName() string { return m.input }

// Bottlenecks implements Model.
func (m *GraphModel) Bottlenecks(images []*dataset.FloatImage) ([][]float32, error) {
	if len(images) == 0 {
		return nil, nil
	}
	h, w := images[0].Height, images[0].Width
	batch := make([]float32, 0, len(images)*h*w*3)
	for _, img := range images {
		if img.Height != h || img.Width != w {
			return nil, fmt.Errorf("bottleneck: images of sizes %dx%d and %dx%d in one batch", h, w, img.Height, img.Width)
		}
		batch = append(batch, img.Pix...)
	}
	in, err := tensor.FromFloat32s([]int64{int64(len(images)), int64(h), int64(w), 3}, batch)
	if err != nil {
		return nil, err
	}
	outs, err := m.model.Run(in)
	if err != nil {
		return nil, err
	}
	vals, err := outs[0].Float32s()
	if err != nil {
		return nil, fmt.Errorf("bottleneck: output %s: %w", m.output, err)
	}
	if len(outs[0].Shape) == 0 || outs[0].Shape[0] != int64(len(images)) || len(vals)%len(images) != 0 {
		return nil, fmt.Errorf("bottleneck: output %s has shape %v for a batch of %d", m.output, outs[0].Shape, len(images))
	}
	m.rank = len(outs[0].Shape)
	n := len(vals) / len(images)
	res := make([][]float32, len(images))
	for i := range res {
		res[i] = vals[i*n : (i+1)*n : (i+1)*n]
	}
	return res, nil
}
