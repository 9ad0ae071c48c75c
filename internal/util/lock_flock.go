//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package util

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes f's exclusive advisory lock without waiting. It returns
// errLocked if another open file holds it, another error if the file system
// has no locks, nil once taken. Closing f (or the death of its process)
// releases it.
func tryLock(f *os.File) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lockErr error
	if err := sc.Control(func(fd uintptr) {
		for {
			lockErr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if lockErr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if errors.Is(lockErr, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return lockErr
}
