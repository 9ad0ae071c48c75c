//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package download_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gotl/gotl/helpers/zoo/download"
)

// An archive placed in the download directory by hand is read only if it is
// a regular file: a FIFO used to block the fetch forever, a link to
// /dev/zero to hash it until killed.
func TestFetchRefusesIrregularArchive(t *testing.T) {
	r := testResource("http://127.0.0.1:1") // nothing is downloaded
	for _, c := range []struct {
		name string
		make func(archive string) error
		want string
	}{
		{"fifo", func(a string) error { return syscall.Mkfifo(a, 0o644) }, "is a named pipe (FIFO), not a regular file"},
		{"dev zero", func(a string) error { return os.Symlink("/dev/zero", a) }, "is a character device, not a regular file"},
	} {
		dir := t.TempDir()
		archive := filepath.Join(dir, r.Archive)
		if err := c.make(archive); err != nil {
			t.Fatal(err)
		}
		_, err := download.FetchResource(r, dir, &download.FetchOptions{})
		mustContain(t, err, archive, c.want)
	}
	// Records are read as regular files too.
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, r.Archive+".sha256"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := download.FetchResource(r, dir, &download.FetchOptions{})
	mustContain(t, err, r.Archive+".sha256", "is a named pipe (FIFO)")
}
