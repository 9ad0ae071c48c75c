//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package util

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Files are created with the permissions asked for, less the umask, as
// os.WriteFile does (os.CreateTemp's 0600 used to leak into cache entries,
// or an explicit chmod ignored the umask).
func TestWriteFileAtomicFollowsUmask(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o664}} {
		old := syscall.Umask(c.umask)
		p := filepath.Join(dir, "f")
		err := WriteFileAtomicNoSync(p, []byte("x"), 0o664)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := 0o664 &^ os.FileMode(c.umask)
		if st.Mode().Perm() != want {
			t.Errorf("umask %03o: mode %v, want %v", c.umask, st.Mode().Perm(), want)
		}
	}
}

// A temporary file a live writer holds locked survives RemoveStaleTemps
// however old it looks; once the writer is gone (its file closed, as the
// kernel does when a process dies) it is removed.
func TestRemoveStaleTempsSkipsLockedFiles(t *testing.T) {
	dir := t.TempDir()
	f, err := createTemp(dir, "entry.bn", 0o644)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * StaleTempAge)
	if err := os.Chtimes(f.Name(), old, old); err != nil {
		t.Fatal(err)
	}
	if n, err := RemoveStaleTemps(dir, StaleTempAge); err != nil || n != 0 {
		t.Fatalf("removed %d (%v) while the writer holds the lock", n, err)
	}
	if _, err := os.Stat(f.Name()); err != nil {
		t.Fatalf("a live writer's file is gone: %v", err)
	}
	f.Close()
	if n, err := RemoveStaleTemps(dir, StaleTempAge); err != nil || n != 1 {
		t.Fatalf("removed %d (%v) after the writer died, want 1", n, err)
	}
}
