//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package util

import (
	"errors"
	"os"
)

// tryLock: no advisory locks here; RemoveStaleTemps relies on the age of a
// file alone.
func tryLock(*os.File) error { return errors.ErrUnsupported }
