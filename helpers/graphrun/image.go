package graphrun

import (
	"fmt"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gotl/gotl/helpers/tensor"
)

// ImageOptions describe the preprocessing of TensorFlow's label_image.py
// and retrain.py: resize bilinearly to Height×Width (TF's legacy corner
// mapping), then (pixel - Mean) / Std.
//
// Inception v3 (classify_image_graph_def.pb, retrain.py's default) uses
// 299×299 with Mean 0, Std 255 in label_image.py (retrain.py itself uses
// 128/128); the MobileNet graphs of the TensorFlow for Poets codelab use
// 224 or 128 (the size in the model name) with Mean 127.5, Std 127.5,
// i.e. pixels in [-1, 1].
type ImageOptions struct {
	Height, Width int
	Mean, Std     float32
}

var (
	prepMu   sync.Mutex
	prepExec = map[ImageOptions]*graph.Exec{}
)

// PrepareImage decodes a JPEG, PNG or GIF file and returns the float32
// [1, Height, Width, 3] tensor label_image.py would feed.
func PrepareImage(data []byte, opts ImageOptions) (*tensor.Tensor, error) {
	img, err := DecodeImage(data, 3)
	if err != nil {
		return nil, err
	}
	return PrepareDecoded(img, opts)
}

// PrepareDecoded is PrepareImage for an already decoded uint8 [H, W, 3] image.
func PrepareDecoded(img *tensor.Tensor, opts ImageOptions) (*tensor.Tensor, error) {
	if opts.Height < 1 || opts.Width < 1 || opts.Std == 0 {
		return nil, fmt.Errorf("graphrun: image options %+v: height and width must be positive and std non-zero", opts)
	}
	if len(img.Shape) != 3 {
		return nil, fmt.Errorf("graphrun: image must be [height, width, channels], got %v", img.Shape)
	}
	b, err := DefaultBackend()
	if err != nil {
		return nil, err
	}
	prepMu.Lock()
	defer prepMu.Unlock()
	e := prepExec[opts]
	if e == nil {
		e, err = graph.NewExec(b, func(x *graph.Node) *graph.Node {
			x = graph.ExpandAxes(x, 0)
			y := ResizeBilinear(x, opts.Height, opts.Width, false, false)
			return graph.DivScalar(graph.SubScalar(y, float64(opts.Mean)), float64(opts.Std))
		})
		if err != nil {
			return nil, fmt.Errorf("graphrun: %w", err)
		}
		prepExec[opts] = e
	}
	in, err := ToGoMLX(img)
	if err != nil {
		return nil, err
	}
	var out []*tensors.Tensor
	if out, err = e.Exec(in); err != nil {
		return nil, fmt.Errorf("graphrun: preparing image: %w", err)
	}
	return FromGoMLX(out[0])
}
