// Package redact holds the pieces the configuration types share to print
// themselves without their secrets.
package redact

import (
	"fmt"
	"io"
	"strconv"
)

// Secret is "REDACTED" for a set secret and "" for an unset one, so a
// printed configuration still says whether the secret is configured.
func Secret(s string) string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// Format writes s, a type's redacted String, for every fmt verb (%q
// quoted). A type whose Format method calls it never falls back to fmt
// printing its fields one by one, secrets included, for a verb that does
// not map to String (%d, %x).
func Format(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}
