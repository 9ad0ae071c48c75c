// Package checkpoint reads and writes TensorFlow checkpoints in pure Go,
// without libtensorflow: the V2 format (tf.train.Saver's default since TF
// 1.2 and every TF2 checkpoint: a `.index` table plus
// `.data-0000K-of-0000N` shards) and the older V1 format (one table file, or
// shards named `-0000K-of-0000N`, holding SavedTensorSlices records, as in
// the TF-slim inception_v3.ckpt).
//
// The API mirrors TensorFlow's NewCheckpointReader:
//
//	r, err := checkpoint.Open("inception_v3.ckpt") // prefix, V1 file, state file or directory
//	if err != nil { … }
//	defer r.Close()
//	shapes := r.VariableToShapeMap()
//	for _, name := range r.Names() { // sorted, like the classic listing script
//		fmt.Println(name, shapes[name])
//	}
//	w, err := r.Tensor("InceptionV3/Conv2d_1a_3x3/weights")
//	values, err := w.Float32s()
//
// Tensors come back as *tensor.Tensor (helpers/tensor): dtype, shape and the
// little-endian element bytes as stored, so every dtype (float16, bfloat16,
// complex, quantized, strings) round-trips unchanged.
//
// # Safety
//
// Every table block's CRC32C and every V2 tensor's CRC32C is verified; a
// mismatch is an error wrapping ErrChecksum that names the file and tensor.
// Truncated or malformed files give errors wrapping ErrCorrupt, unknown
// names errors wrapping ErrNotFound with suggestions. Declared sizes,
// offsets and element counts are checked against the real file sizes before
// anything is allocated, so a small hostile file cannot make the reader
// allocate gigabytes; element counts are overflow-checked and held to
// gotl's limit on tensor elements (helpers/limits; an error wrapping
// limits.ErrExceeded says how to raise it). Only regular files are opened:
// a FIFO or a link to a device is refused, not read. The parsers are fuzzed
// (FuzzTable, FuzzV2Index, FuzzV1File).
//
// # Speed
//
// Tensor data is read with large reads straight into the returned buffer
// (split over goroutines for large tensors), with no per-element decoding:
// about the speed of os.ReadFile from the page cache (BenchmarkReadAll).
//
// # Partitioned variables
//
// Variables saved in slices (tf.fixed_size_partitioner with V1 or V2
// savers) are listed once, with their full shape, and Tensor reassembles the
// full tensor.
//
// # Writing
//
// Write produces a one-shard V2 checkpoint laid out exactly as TensorFlow's
// BundleWriter lays it out (checked byte for byte against files TensorFlow
// wrote), which tf.compat.v1.train.Saver restores by name. (TF2's
// tf.train.Checkpoint also wants the _CHECKPOINTABLE_OBJECT_GRAPH string
// tensor, which callers can include like any other tensor.) Files are
// written to temporary names and renamed into place. WriteState writes the
// `checkpoint` state file that tf.train.latest_checkpoint reads.
package checkpoint
