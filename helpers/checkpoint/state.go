package checkpoint

// State is the content of a `checkpoint` state file (TensorFlow's
// CheckpointState text proto).
type State struct {
	ModelCheckpointPath     string   // the latest checkpoint prefix
	AllModelCheckpointPaths []string // the checkpoints still kept, oldest first
}

// StateFile is the name of the state file inside a checkpoint directory.
const StateFile = "checkpoint"

// ReadState parses dir/checkpoint.
func ReadState(dir string) (*State, error) {
	return readState(dir)
}

// WriteState writes dir/checkpoint naming modelCheckpointPath as the latest
// checkpoint and all as the kept ones (modelCheckpointPath is appended if
// missing). Paths inside dir are written relative to it, as TensorFlow does.
// The file is replaced atomically.
func WriteState(dir, modelCheckpointPath string, all []string) error {
	return writeState(dir, modelCheckpointPath, all)
}

// LatestCheckpoint returns the prefix named by dir/checkpoint, resolved
// against dir when relative, like tf.train.latest_checkpoint. It fails if
// the state file is missing or names a checkpoint whose files are absent.
func LatestCheckpoint(dir string) (string, error) {
	return latestCheckpoint(dir)
}

// IsCheckpoint reports whether path looks like something Open accepts: a V2
// prefix or .index file, a V1 table file or pattern, or a directory with a
// state file. It only checks names and magic numbers.
func IsCheckpoint(path string) bool {
	return isCheckpoint(path)
}
