// Package graphrun runs TensorFlow GraphDefs in Go by converting them into
// GoMLX computations: forward passes on GoMLX's pure-Go backend or on XLA
// (CPU or CUDA), and gradients for retraining and fine-tuning, without
// libtensorflow.
//
// Load a frozen graph, pick feeds and fetches, and run:
//
//	g, err := graphrun.Load("retrained_graph.pb")
//	m, err := graphrun.NewModel(g, []string{"input:0"}, []string{"final_result:0"})
//	out, err := m.Run(image) // image: *tensor.Tensor [N, 128, 128, 3] float32
//
// Only the sub-graph the fetches need is converted, when first run for a
// given input shape (Run caches one compiled executable per shape). Every op
// the fetches need must be supported; NewModel reports all unsupported ones
// in a single UnsupportedError. Supported lists the ops.
//
// # Weights as variables
//
// Float Consts with more than one element (the frozen weights) become GoMLX
// context variables named after their nodes, under the scope DefaultScope:
// "MobilenetV1/Conv2d_0/weights" is the variable "weights" in scope
// "/graphrun/MobilenetV1/Conv2d_0". They are frozen unless the Trainable
// option's regular expression matches their names, so one loaded graph
// serves bottleneck extraction (nothing trainable), retraining a new head
// (nothing trainable in the graph, the head's variables in your own scope)
// and fine-tuning (Trainable("."), or a pattern for the top layers). Inside
// a GoMLX model function, Model.Call returns the fetched nodes, and the
// usual ctx.BuildTrainableVariablesGradientsGraph / train.Trainer machinery
// computes gradients for the trainable weights:
//
//	m, _ := graphrun.NewModel(g, []string{"input:0"},
//		[]string{"MobilenetV1/Logits/SpatialSqueeze:0"}, graphrun.Trainable("Conv2d_13"))
//	modelFn := func(ctx *context.Context, spec any, inputs []*graph.Node) []*graph.Node {
//		return m.Call(ctx, inputs[0])
//	}
//
// # TensorFlow semantics
//
// Ops follow TensorFlow's kernels, not the textbook: SAME padding puts the
// odd element after; AvgPool divides by the number of real elements in each
// window; Dequantize MIN_FIRST snaps the minimum to a whole step (see
// Dequantize); attributes that old graphs omit take TF's registered defaults;
// integer shape arithmetic (Shape, StridedSlice, Pack, …) is evaluated when
// the graph is built, since GoMLX shapes are static. Control dependencies are
// ignored: a converted graph is a pure function of its feeds. DecodeJpeg
// inputs are decoded in Go (image/jpeg), which may differ from libjpeg by a
// few pixel units.
//
// # Backends
//
// DefaultBackend is the pure-Go backend with sequential op execution unless
// GOMLX_BACKEND names another (e.g. "xla:cuda" in a program that links
// GoMLX's XLA backend). WithBackend overrides it per Model.
package graphrun
