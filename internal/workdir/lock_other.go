//go:build !unix

package workdir

import "os"

// tryLock cannot lock on this platform; Clean then never removes our own
// directories (see owned).
func tryLock(*os.File) error { return nil }

// owned is false where ownership cannot be checked, so nothing is removed.
func owned(string) bool { return false }

func pebbleLocked(string) bool { return true }
