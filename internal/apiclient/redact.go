package apiclient

import (
	"bytes"
	"net"
	"net/url"
	"strings"
)

// IsLoopback reports whether host (without port) is localhost or a
// loopback IP address.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactRaw keeps a rejected URL printable without echoing a secret pasted
// into it by mistake: everything up to the last "@" (user info, even a
// password containing "@", "/", "?" or "#") is replaced first, then the
// query and fragment are dropped. It errs on the side of hiding too much.
func RedactRaw(s string) string {
	prefix := ""
	if i := strings.LastIndex(s, "@"); i >= 0 {
		prefix = "REDACTED@"
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			prefix = s[:j+3] + prefix
		}
		s = s[i+1:]
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	return prefix + s
}

// RedactURL keeps scheme, host and path: no query string, no user info,
// no fragment.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	u.RawQuery = ""
	u.User = nil
	u.Fragment = ""
	return u.String()
}

// RedactSecrets replaces every occurrence of each non-empty secret in body
// with REDACTED. A replacement can form a new occurrence (a secret that
// starts with the end of "REDACTED"); after a few rounds what is left is cut
// out, which always ends because the body shrinks.
func RedactSecrets(body []byte, secrets ...string) []byte {
	for round := 0; ; round++ {
		found := false
		for _, s := range secrets {
			if s == "" || !bytes.Contains(body, []byte(s)) {
				continue
			}
			found = true
			repl := []byte("REDACTED")
			if round >= 3 {
				repl = nil
			}
			body = bytes.ReplaceAll(body, []byte(s), repl)
		}
		if !found {
			return body
		}
	}
}
