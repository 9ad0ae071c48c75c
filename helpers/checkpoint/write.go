package checkpoint

import "github.com/gotl/gotl/helpers/tensor"

// Write saves vars as a one-shard V2 checkpoint: prefix.index and
// prefix.data-00000-of-00001, in the layout TensorFlow's BundleWriter
// produces, byte for byte (so tf.compat.v1.train.Saver restores it). Tensors are
// stored in sorted name order. Both files are written to temporary names and
// renamed into place, the index last, so a failed Write leaves no partial
// checkpoint behind. Write does not touch the `checkpoint` state file; see
// WriteState.
func Write(prefix string, vars map[string]*tensor.Tensor) error {
	return write(prefix, vars)
}
