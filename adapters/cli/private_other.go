//go:build !unix

package cli

// privateFiles has no umask to set on this platform.
func privateFiles() {}
