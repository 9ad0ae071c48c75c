//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package util

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// A writer in another process keeps its temporary file while it lives,
// however old the file looks; once it is killed with SIGKILL (the kernel
// drops its lock), the file is stale and removed.
func TestRemoveStaleTempsAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStuckWriter$")
	cmd.Env = append(os.Environ(), "GOTL_STUCK_WRITER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n') // the writer has its file
	if err != nil || !strings.HasPrefix(line, "writing ") {
		t.Fatalf("writer: %q, %v", line, err)
	}
	name := strings.TrimSpace(strings.TrimPrefix(line, "writing "))
	old := time.Now().Add(-2 * StaleTempAge)
	os.Chtimes(name, old, old)
	if n, err := RemoveStaleTemps(dir, StaleTempAge); err != nil || n != 0 {
		t.Fatalf("removed %d (%v) while the writer lives", n, err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if n, err := RemoveStaleTemps(dir, StaleTempAge); err != nil || n != 1 {
		t.Fatalf("removed %d (%v) after kill -9, want 1", n, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
}

// TestHelperStuckWriter is the writer of TestRemoveStaleTempsAcrossProcesses:
// it creates its temporary file, says so, and waits to be killed.
func TestHelperStuckWriter(t *testing.T) {
	dir := os.Getenv("GOTL_STUCK_WRITER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	f, err := createTemp(dir, "entry.bn", 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("writing", f.Name())
	time.Sleep(time.Minute)
}
