//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package bottleneck

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Cache files are 0644 and directories 0755, less the umask (entries used
// to be 0600, os.CreateTemp's mode, under 0755 directories).
func TestCacheFileModesFollowUmask(t *testing.T) {
	for _, umask := range []int{0o022, 0o077} {
		old := syscall.Umask(umask)
		c, err := Open(filepath.Join(t.TempDir(), "cache"))
		if err == nil {
			err = c.Put(testKey, HashContent([]byte("a")), []float32{1, 2})
		}
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		filepath.WalkDir(c.Dir(), func(p string, d fs.DirEntry, err error) error {
			st, _ := os.Stat(p)
			want := os.FileMode(0o644)
			if d.IsDir() {
				want = 0o755
			}
			if want &^= os.FileMode(umask); st.Mode().Perm() != want {
				t.Errorf("umask %03o: %s has mode %v, want %v", umask, p, st.Mode().Perm(), want)
			}
			return nil
		})
	}
}
