package zoo

import "github.com/gotl/gotl/helpers/dataset"

// ModelInfo describes a pretrained network's files and tensors, in the terms
// retrain.py uses: TinyNetInfo here, and the downloadable networks of
// package download.
type ModelInfo struct {
	Frozen string // file (archive member) holding the frozen GraphDef
	Labels string // file (archive member) holding class labels; may be empty
	// Input takes preprocessed images [N, Height, Width, 3] float32,
	// (pixel - Mean) / Std.
	Input string
	// RawInput takes resized images with [0, 255] values (mean 0, std 1);
	// empty if the graph has no such tensor.
	RawInput string
	// JPEGInput takes an encoded JPEG (a DT_STRING scalar); may be empty.
	JPEGInput      string
	Bottleneck     string // penultimate layer, what retrain.py retrains on
	BottleneckSize int
	Output         string // the original classifier's probabilities
	Height, Width  int
	Mean, Std      float32
	// BatchSize is the largest batch the graph accepts: 1 where the graph
	// fixes the batch dimension (Inception v3's pool_3/_reshape reshapes to
	// [1, 2048]); 0 where any batch size works.
	BatchSize int
}

// Preprocess is the preprocessing Input expects.
func (m *ModelInfo) Preprocess() dataset.Preprocess {
	return dataset.Preprocess{Height: m.Height, Width: m.Width, Mean: m.Mean, Std: m.Std}
}
