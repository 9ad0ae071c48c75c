package limits

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is matched (errors.Is) by the errors of Open and ReadFile
// for paths that are not regular files: directories, named pipes, devices,
// sockets, or symbolic links to any of them.
var ErrNotRegular = errors.New("not a regular file")

type notRegularError struct {
	path string
	mode fs.FileMode
}

func (e *notRegularError) Error() string {
	return fmt.Sprintf("%s: is %s, not a regular file", e.path, kindOf(e.mode))
}

func (e *notRegularError) Is(target error) bool { return target == ErrNotRegular }

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a plain file"
}

// CheckMode returns an error wrapping ErrNotRegular, naming path and what
// it is, unless mode is a regular file's. Directory listings use it to
// refuse FIFOs and devices before anything opens them.
func CheckMode(path string, mode fs.FileMode) error {
	if mode.IsRegular() {
		return nil
	}
	return &notRegularError{path, mode}
}

// Open opens path for reading if it is a regular file (following symbolic
// links) and returns it with its size. It refuses FIFOs, devices, sockets
// and directories with an error wrapping ErrNotRegular, without blocking:
// the path is checked before it is opened, and the opened file is checked
// again (fstat), so a path swapped in between is caught too.
func Open(path string) (*os.File, int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		return nil, 0, &notRegularError{path, st.Mode()}
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, 0, err
	}
	fst, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fst.Mode().IsRegular() {
		f.Close()
		return nil, 0, &notRegularError{path, fst.Mode()}
	}
	return f, fst.Size(), nil
}

// ReadFile reads the regular file at path whole, refusing files larger than
// FileBytes. See ReadFileMax.
func ReadFile(path string) ([]byte, error) {
	return ReadFileMax(path, FileBytes.Get())
}

// ReadFileMax reads the regular file at path whole (see Open), refusing a
// file larger than limit bytes (or than FileBytes, if that is smaller) before
// reading it. It reads at most the size the opened file had, so a file that
// grows while it is read is an error, not an unbounded read.
func ReadFileMax(path string, limit int64) ([]byte, error) {
	f, size, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fb := FileBytes.Get(); fb < limit {
		limit = fb
	}
	if size > limit {
		if limit < FileBytes.Get() {
			return nil, fmt.Errorf("%s: %d bytes, more than the %d bytes such a file may have", path, size, limit)
		}
		return nil, fmt.Errorf("%s: %w", path, &ExceededError{Limit: FileBytes, What: "reading the whole file", Value: size})
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("%s: file shrank while being read (%d bytes expected): %v", path, size, err)
	}
	var probe [1]byte
	if n, _ := f.Read(probe[:]); n > 0 {
		return nil, fmt.Errorf("%s: file grew while being read (beyond %d bytes)", path, size)
	}
	return data, nil
}
