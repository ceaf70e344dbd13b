package transport

import (
	"regexp"
	"strings"
)

var issueKeyRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*-[0-9]+$`)

// IssueKey returns the issue ID or key addressed by a path such as
// /rest/api/3/issue/PROJ-12/transitions, or "".
func IssueKey(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == "issue" {
			n := segs[i+1]
			if issueKeyRe.MatchString(n) || isDigits(n) {
				return n
			}
		}
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
