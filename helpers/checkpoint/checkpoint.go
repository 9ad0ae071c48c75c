package checkpoint

import (
	"errors"
	"fmt"

	"github.com/gotl/gotl/helpers/tensor"
)

// Errors that callers may test for with errors.Is. The returned errors wrap
// them with the file and tensor at fault.
var (
	// ErrNotFound: the checkpoint has no tensor of that name.
	ErrNotFound = errors.New("checkpoint: tensor not found")
	// ErrChecksum: a table block or tensor's CRC32C does not match its data.
	ErrChecksum = errors.New("checkpoint: checksum mismatch")
	// ErrCorrupt: a file is truncated or its structure is invalid.
	ErrCorrupt = errors.New("checkpoint: corrupt file")
)

// Format names of a checkpoint, as returned by Reader.Format.
const (
	FormatV1 = "v1"
	FormatV2 = "v2"
)

// Variable describes one tensor stored in a checkpoint.
type Variable struct {
	Name  string
	DType tensor.DType
	Shape []int64 // full shape, even for a partitioned variable; empty for a scalar
}

// Reader gives access to the tensors of one checkpoint. It is safe for
// concurrent use by several goroutines.
type Reader struct {
	format string
	path   string   // V2 prefix, or the V1 file or pattern
	files  []string // every file read
	vars   map[string]Variable
	names  []string
	impl   reader
}

// reader is what the V1 and V2 formats implement.
type reader interface {
	tensor(v Variable) (*tensor.Tensor, error)
	close() error
}

// Open opens the checkpoint at path, which is one of
//   - a V2 prefix: "model.ckpt-1000" for model.ckpt-1000.index and its
//     model.ckpt-1000.data-0000K-of-0000N shards (a path ending in ".index"
//     is accepted too);
//   - a V1 file ("model.ckpt") or a sharded V1 pattern
//     ("model.ckpt-?????-of-00004", or one of its shards);
//   - a directory holding a `checkpoint` state file, whose
//     model_checkpoint_path (relative to the directory or absolute) names
//     one of the above, like tf.train.latest_checkpoint;
//   - a directory without a state file holding exactly one V2 checkpoint,
//     or a SavedModel directory (its variables/variables checkpoint).
//
// Open reads and verifies the index (V2) or the metadata record of every
// shard (V1); tensor data is read by Tensor.
func Open(path string) (*Reader, error) {
	return open(path)
}

// Format returns FormatV1 or FormatV2.
func (r *Reader) Format() string { return r.format }

// Path returns the resolved checkpoint: the V2 prefix, or the V1 file or
// pattern.
func (r *Reader) Path() string { return r.path }

// Files returns every file the checkpoint consists of.
func (r *Reader) Files() []string { return append([]string(nil), r.files...) }

// Names returns the tensor names, sorted.
func (r *Reader) Names() []string { return append([]string(nil), r.names...) }

// Has reports whether the checkpoint holds a tensor named name.
func (r *Reader) Has(name string) bool {
	_, ok := r.vars[name]
	return ok
}

// Variable returns the dtype and shape of the tensor named name.
func (r *Reader) Variable(name string) (Variable, bool) {
	v, ok := r.vars[name]
	if ok {
		v.Shape = append([]int64{}, v.Shape...)
	}
	return v, ok
}

// Variables returns every tensor's description, sorted by name.
func (r *Reader) Variables() []Variable {
	out := make([]Variable, len(r.names))
	for i, n := range r.names {
		out[i], _ = r.Variable(n)
	}
	return out
}

// VariableToShapeMap maps each tensor name to its shape (empty for a
// scalar), like get_variable_to_shape_map.
func (r *Reader) VariableToShapeMap() map[string][]int64 {
	m := make(map[string][]int64, len(r.vars))
	for n, v := range r.vars {
		m[n] = append([]int64{}, v.Shape...)
	}
	return m
}

// VariableToDTypeMap maps each tensor name to its dtype, like
// get_variable_to_dtype_map.
func (r *Reader) VariableToDTypeMap() map[string]tensor.DType {
	m := make(map[string]tensor.DType, len(r.vars))
	for n, v := range r.vars {
		m[n] = v.DType
	}
	return m
}

// Tensor reads, verifies and returns the tensor named name (the full tensor
// for a partitioned variable). An unknown name gives an error wrapping
// ErrNotFound that suggests close matches.
func (r *Reader) Tensor(name string) (*tensor.Tensor, error) {
	v, ok := r.vars[name]
	if !ok {
		return nil, r.notFound(name)
	}
	if r.impl == nil {
		return nil, fmt.Errorf("checkpoint: %s: Tensor(%q) after Close", r.path, name)
	}
	return r.impl.tensor(v)
}

// Close releases the checkpoint's files.
func (r *Reader) Close() error {
	if r.impl == nil {
		return nil
	}
	err := r.impl.close()
	r.impl = nil
	return err
}
