package zoo

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Names of TinyNet's files, in the directory TinyNet returns.
const (
	FrozenFile       = "tinynet_frozen.pb" // frozen GraphDef (weights as Const)
	GraphFile        = "tinynet_graph.pb"  // GraphDef with VariableV2 weights
	CheckpointPrefix = "tinynet.ckpt"      // V2 checkpoint of GraphFile's variables
	LabelsFile       = "labels.txt"        // TinyNetSourceClasses, one per line
)

//go:embed tinynet
var tinynetFS embed.FS

// Files are the paths of a model's files on disk.
type Files struct {
	Dir        string // directory holding them
	Frozen     string // frozen GraphDef
	Graph      string // GraphDef with variables
	Checkpoint string // checkpoint prefix for Graph's variables
	Labels     string // labels, one per line
}

// TinyNet returns the paths of TinyNet's files. They are embedded in gotl
// and written on first use to a directory named after their content hash
// under the user's cache directory (or $GOTL_CACHE_DIR), so every notebook
// cell and process finds the same files without a download.
func TinyNet() (*Files, error) {
	sum := sha256.New()
	err := fs.WalkDir(tinynetFS, "tinynet", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := tinynetFS.ReadFile(path)
		sum.Write([]byte(path))
		sum.Write(data)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("zoo: reading embedded TinyNet: %w", err)
	}
	base, err := CacheDir()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(base, "tinynet-"+hex.EncodeToString(sum.Sum(nil))[:16])
	files := &Files{
		Dir: dir, Frozen: filepath.Join(dir, FrozenFile), Graph: filepath.Join(dir, GraphFile),
		Checkpoint: filepath.Join(dir, CheckpointPrefix), Labels: filepath.Join(dir, LabelsFile),
	}
	if _, err := os.Stat(filepath.Join(dir, "MODEL.md")); err == nil {
		return files, nil // written before
	}
	// Write into a temporary directory and rename it into place, so a
	// concurrent or interrupted writer never leaves a partial model behind.
	tmp, err := os.MkdirTemp(base, ".tinynet-*")
	if err != nil {
		return nil, fmt.Errorf("zoo: %w", err)
	}
	defer os.RemoveAll(tmp)
	entries, err := tinynetFS.ReadDir("tinynet")
	if err != nil {
		return nil, fmt.Errorf("zoo: %w", err)
	}
	for _, e := range entries {
		data, err := tinynetFS.ReadFile("tinynet/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("zoo: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, e.Name()), data, 0o644); err != nil {
			return nil, fmt.Errorf("zoo: writing TinyNet: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "MODEL.md")); statErr == nil {
			return files, nil // another process won the race
		}
		return nil, fmt.Errorf("zoo: %w", err)
	}
	return files, nil
}

// CacheDir is the directory gotl keeps models in, created if missing:
// $GOTL_CACHE_DIR/zoo, or gotl/zoo in the user's cache directory. TinyNet's
// files are written there, and package download keeps its archives in its
// "downloads" subdirectory.
func CacheDir() (string, error) {
	base := os.Getenv("GOTL_CACHE_DIR")
	if base == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("zoo: no cache directory (set GOTL_CACHE_DIR): %w", err)
		}
		base = filepath.Join(c, "gotl")
	}
	dir := filepath.Join(base, "zoo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("zoo: %w", err)
	}
	return dir, nil
}
