//go:build unix

package cli

import "syscall"

// privateFiles makes every file the process creates owner-only: the c1z
// the SDK writes (with mode 0644) holds emails, names and memberships.
func privateFiles() { syscall.Umask(0o077) }
