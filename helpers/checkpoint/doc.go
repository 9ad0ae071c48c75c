// Package checkpoint reads and writes TensorFlow checkpoints in pure Go,
// without libtensorflow: the V2 format (tf.train.Saver's default since TF
// 1.2 and every TF2 checkpoint: a `.index` table plus `.data-?????-of-?????`
// shards) and the older V1 format (a single table file, or shards named
// `-?????-of-?????`, holding SavedTensorSlices records).
//
// The API mirrors TensorFlow's NewCheckpointReader:
//
//	r, err := checkpoint.Open("inception_v3.ckpt") // prefix, V1 file or directory
//	if err != nil { … }
//	defer r.Close()
//	for _, name := range r.Names() {               // sorted, like the classic script
//		fmt.Println(name, r.VariableToShapeMap()[name])
//	}
//	w, err := r.Tensor("InceptionV3/Conv2d_1a_3x3/weights")
//
// Open accepts a V2 prefix (model.ckpt-1000), a V1 file or sharded pattern,
// or a directory holding a `checkpoint` state file (its model_checkpoint_path
// is used, as tf.train.latest_checkpoint does).
//
// Every table block's and every V2 tensor's masked CRC32C is verified; a
// mismatch is an error wrapping ErrChecksum that names the file and tensor.
// Declared sizes and offsets are checked against the real file sizes before
// anything is allocated, so a small corrupt or hostile file cannot make the
// reader allocate gigabytes. Tensor data is read with one large read per
// tensor (no per-element decoding): values stay little-endian bytes in a
// tensor.Tensor.
//
// Partitioned variables (V1 slices and V2 `slices` entries) are reassembled
// into the full tensor.
//
// Write produces a one-shard V2 checkpoint that TensorFlow restores, written
// to temporary files and renamed into place; WriteState writes the
// `checkpoint` state file next to it.
package checkpoint
