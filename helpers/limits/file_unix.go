//go:build unix

package limits

import (
	"os"
	"syscall"
)

// openNonBlocking opens path read-only with O_NONBLOCK, so that a FIFO
// swapped in after the path was checked does not block the open; Open then
// refuses it by its fstat. For regular files the flag has no effect.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
