// Package zoo provides the pretrained networks gotl's tutorials and tests
// start from.
//
// TinyNet is gotl's own offline "ImageNet model": a small CNN pretrained on a
// synthetic source task (four shape classes drawn by helpers/dataset), shipped
// inside this package as TensorFlow files written by gotl's own writers — a
// frozen GraphDef (tinynet_frozen.pb), the same graph with TF1 variables
// (tinynet_graph.pb) and their V2 checkpoint (tinynet.ckpt), and the source
// labels. It plays Inception v3's role in every notebook and CI run:
// its penultimate layer "pool_3" is the bottleneck, and transfer learning moves
// it to the other synthetic classes, which it never saw.
//
//	files, err := zoo.TinyNet()          // writes the embedded files once to a cache dir
//	info := zoo.TinyNetInfo              // its tensors and preprocessing, a ModelInfo like Inception's
//	g, err := graphrun.Load(files.Frozen)
//
// The files are reproducible: `go generate ./helpers/zoo` retrains from the
// same seed (minutes on two CPU cores) and rewrites them; MODEL.md beside them
// records the run.
//
// The real networks and datasets that can be downloaded (Inception v3,
// MobileNet, flower_photos) are package zoo/download's, so that a program
// using TinyNet does not link an HTTP client.
package zoo

//go:generate go run ../../tools/pretrain -out tinynet
