package graphfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gotl/gotl/helpers/checkpoint"
)

// Kind is what a TensorFlow file or directory holds.
type Kind string

// The kinds DetectKind tells apart, named as gotl inspect --json reports
// them.
const (
	KindGraphDef   Kind = "graphdef"    // .pb or .pbtxt GraphDef (Load)
	KindMetaGraph  Kind = "meta_graph"  // .meta MetaGraphDef (LoadMetaGraph)
	KindSavedModel Kind = "saved_model" // SavedModel directory or its saved_model.pb (LoadSavedModel)
	KindCheckpoint Kind = "checkpoint"  // checkpoint prefix, file or directory (checkpoint.Open)
)

// DetectKind decides what path holds from its name and, for plain files,
// whether it holds a checkpoint table: a directory with saved_model.pb(txt)
// is a SavedModel, another directory a checkpoint directory; a path that
// does not exist may be a checkpoint prefix; anything else that is not a
// .meta, a SavedModel's saved_model.pb or a checkpoint file is taken for a
// GraphDef (Load then says whether it parses).
func DetectKind(path string) (Kind, error) {
	st, err := os.Stat(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("graphfile: %w", err)
		}
		if checkpoint.IsCheckpoint(path) { // a V2 prefix is not a file itself
			return KindCheckpoint, nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".pb", ".pbtxt", ".meta", ".txt", ".pbtext":
			return "", fmt.Errorf("graphfile: %s: no such file: %w", path, os.ErrNotExist)
		}
		return "", fmt.Errorf("graphfile: %s: no such file, directory or checkpoint prefix (no %s.index either): %w", path, path, os.ErrNotExist)
	}
	base := filepath.Base(path)
	switch {
	case st.IsDir():
		for _, name := range []string{"saved_model.pb", "saved_model.pbtxt"} {
			if _, err := os.Stat(filepath.Join(path, name)); err == nil {
				return KindSavedModel, nil
			}
		}
		return KindCheckpoint, nil
	case base == "saved_model.pb" || base == "saved_model.pbtxt":
		return KindSavedModel, nil
	case strings.HasSuffix(base, ".meta"):
		return KindMetaGraph, nil
	case checkpoint.IsV2FileName(base) || checkpoint.IsCheckpoint(path):
		return KindCheckpoint, nil
	}
	return KindGraphDef, nil
}
