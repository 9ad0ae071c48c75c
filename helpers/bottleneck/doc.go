// Package bottleneck computes and caches bottleneck vectors: the output of a
// frozen network's penultimate layer (Inception v3's pool_3/_reshape:0,
// MobileNet's pre-logits) for each image, which is all that retraining a
// final layer needs.
//
// The forward pass is the expensive part of transfer learning (seconds per
// image for Inception v3 on a CPU), and every GoNB cell runs as a new
// process, so vectors are kept in a persistent on-disk Cache. An entry is
// keyed by
//
//   - the model fingerprint (SHA-256 of the GraphDef bytes),
//   - the bottleneck tensor name,
//   - the preprocessing (input size, mean, std),
//   - the SHA-256 of the image file's content,
//
// so moving or renaming an image keeps its entry while changing the model,
// tensor or preprocessing does not. Entries are written to a temporary file
// and renamed into place, so several processes may fill one cache at once
// and a reader never sees half an entry; each entry carries its key and a
// CRC-32C, and an entry that is corrupt, truncated or misfiled counts as a
// miss and is recomputed. Stats counts hits, misses, corrupt entries,
// writes, and the temporary files of killed writers that Put removed (those
// unmodified for an hour whose lock no live writer holds: see
// util.RemoveStaleTemps). Files are created 0644 and directories 0755, less
// the umask.
//
// Nothing non-finite enters the cache: a model output or an imported text
// bottleneck holding NaN or ±Inf is an error naming its image or file, and
// an entry holding one is corrupt. Image files are read as regular files
// only, and the images that Extractor's workers decode at once hold at most
// DecodeBudget's bytes together (limits.DecodeBudget by default, sized by
// GOTL_DECODE_MEMORY), however many workers run.
//
//	cache, err := bottleneck.Open("/tmp/gotl_bottlenecks")
//	ex := &bottleneck.Extractor{Model: model, Cache: cache,
//		Preprocess: dataset.Preprocess{Height: 299, Width: 299, Mean: 128, Std: 128}}
//	vectors, err := ex.Files(paths) // batched; Progress: nb.Bars shows a bar
//	fmt.Println(cache.Stats())
//
// Extractor.Splits goes from an image folder to the cached vectors of its
// retrain.py splits (train.Bottlenecks), what retrain.Train takes.
//
// A Model is anything that maps preprocessed images to vectors; NewGraphModel
// runs a GraphDef with gotl's graph runner, FuncModel wraps a Go function.
//
// ExportText and ImportText read and write retrain.py's own cache layout,
// <bottleneck_dir>/<class folder>/<image file name>[_<module>].txt holding
// comma-separated floats, so caches can move between gotl and TensorFlow.
//
// Distorted images (dataset.Distortions) must not be cached: their pixels
// change every step. retrain.DistortedBatches computes them through
// Model.Bottlenecks, as retrain.py does; Extractor.Images is the uncached
// path for other decoded images.
package bottleneck
