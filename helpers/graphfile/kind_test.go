package graphfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectKind(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sm := filepath.Join(dir, "model")
	write("model/saved_model.pb", nil)
	ckptDir := filepath.Join(dir, "train")
	os.MkdirAll(ckptDir, 0o755)
	for path, want := range map[string]Kind{
		write("g.pb", []byte("x")):               KindGraphDef,
		write("g.pbtxt", []byte("node {}")):      KindGraphDef,
		write("model.ckpt-1.meta", nil):          KindMetaGraph,
		sm:                                       KindSavedModel,
		filepath.Join(sm, "saved_model.pb"):      KindSavedModel,
		ckptDir:                                  KindCheckpoint,
		write("m.ckpt.index", nil):               KindCheckpoint,
		write("m.ckpt.data-00000-of-00001", nil): KindCheckpoint,
	} {
		if got, err := DetectKind(path); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", path, got, err, want)
		}
	}
	for _, missing := range []string{"missing.pb", "missing"} {
		_, err := DetectKind(filepath.Join(dir, missing))
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
			t.Errorf("%s: %v", missing, err)
		}
	}
}
