//go:build unix

package workdir

import (
	"errors"
	"os"
	"syscall"
)

func tryLock(f *os.File) error {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return ErrLocked
		}
		return err
	}
	return nil
}

// owned reports whether p belongs to the current user.
func owned(p string) bool {
	fi, err := os.Lstat(p)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// pebbleLocked reports whether another process holds Pebble's fcntl lock
// on the file p. A lock of this process does not show (fcntl), which is
// why Clean takes an unheld LOCK as proof only when it is older than this
// process (processStart).
func pebbleLocked(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false // no LOCK file: nothing holds the store
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return true // cannot tell: keep it
	}
	return lk.Type != syscall.F_UNLCK
}
