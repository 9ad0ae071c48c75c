package util

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// WriteFileAtomic writes data to path with permissions perm, through a
// temporary file in the same directory that is synced to disk and renamed
// over path: a reader, a concurrent writer or a crash sees the old file or
// the whole new one, never a part. The file is created with perm, so the
// user's umask applies as it does to os.WriteFile (0644 with the usual 022,
// 0600 with 077). The directory must exist. Errors name path and wrap the
// underlying error.
//
// While it is being written the temporary file is named
// "."+base(path)+".tmp-"+digits and holds an advisory lock (flock) on
// systems that have one; RemoveStaleTemps removes such files that a killed
// writer left.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return writeFileAtomic(path, data, perm, true)
}

// WriteFileAtomicNoSync is WriteFileAtomic without the sync, for files that
// are cheap to recompute and verified when read (cache entries): after a
// crash such a file may be empty or truncated, but never half of two writes.
func WriteFileAtomicNoSync(path string, data []byte, perm fs.FileMode) error {
	return writeFileAtomic(path, data, perm, false)
}

func writeFileAtomic(path string, data []byte, perm fs.FileMode, sync bool) (err error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := createTemp(dir, name, perm)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if sync {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	// Rename while the lock is held, so that RemoveStaleTemps never takes
	// a file that is about to become path.
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return nil
}

// tempInfix separates the final name from the random digits in a
// temporary file's name (os.CreateTemp's "*" pattern made the same names,
// so leftovers of earlier versions match too).
const tempInfix = ".tmp-"

// createTemp creates a new temporary file for name in dir with permissions
// perm (less the umask) and locks it.
func createTemp(dir, name string, perm fs.FileMode) (*os.File, error) {
	for try := 0; ; try++ {
		p := filepath.Join(dir, "."+name+tempInfix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			return nil, err
		}
		// Nobody else can hold the lock of a file this new (RemoveStaleTemps
		// only looks at old ones). Without lock support the age rule alone
		// protects the writer.
		tryLock(f)
		return f, nil
	}
}

// isTempName reports whether a directory entry's name is one of
// WriteFileAtomic's temporary names.
func isTempName(name string) bool {
	i := strings.LastIndex(name, tempInfix)
	if !strings.HasPrefix(name, ".") || i < 1 {
		return false
	}
	digits := name[i+len(tempInfix):]
	if digits == "" {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// StaleTempAge is how long a temporary file of WriteFileAtomic must have
// been left unmodified before RemoveStaleTemps considers it abandoned. It
// is far longer than any write of gotl's takes, so that it also protects
// writers on file systems without locks, and writers of older gotl versions,
// which did not lock.
const StaleTempAge = time.Hour

// RemoveStaleTemps removes from dir the temporary files that writers of
// WriteFileAtomic killed before their rename left behind (kill -9, a crash,
// a full disk), and returns how many it removed. A file is removed only if
// all of these hold, so that a live writer never loses its file:
//
//   - its name is a temporary name ("."+name+".tmp-"+digits) and it is a
//     regular file (not a link);
//   - it was last modified more than minAge ago (StaleTempAge is the usual
//     choice);
//   - no process holds its lock: a writer holds it from creating the file
//     until after the rename, and the kernel releases it when the writer
//     dies, however it dies;
//   - the path still names the file that was locked (it was not renamed
//     away and replaced in between).
//
// Other files, including those of other programs, are left alone. Errors
// listing dir are returned; a file that cannot be examined or removed is
// skipped.
func RemoveStaleTemps(dir string, minAge time.Duration) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTempName(e.Name()) {
			continue
		}
		if removeIfStale(filepath.Join(dir, e.Name()), minAge) {
			removed++
		}
	}
	return removed, nil
}

func removeIfStale(path string, minAge time.Duration) bool {
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() || time.Since(st.ModTime()) <= minAge {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if tryLock(f) == errLocked {
		return false // a live writer
	}
	fst, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Lstat(path)
	if err != nil || !os.SameFile(fst, now) {
		return false
	}
	return os.Remove(path) == nil
}

// errLocked is tryLock's answer for a file another open file holds locked.
var errLocked = errors.New("locked")
