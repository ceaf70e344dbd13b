package transport

import (
	"regexp"
	"strings"
)

// literal path words that follow an ID-bearing segment but are not IDs.
var literalWords = map[string]bool{
	"search": true, "type": true, "recent": true, "bulk": true, "picker": true,
	"createmeta": true, "properties": true, "member": true, "-": false,
}

// parents whose next path segment is an identifier even without digits
// (project keys, issue keys, product keys, directory "-").
var idParents = map[string]bool{
	"project": true, "issue": true, "applicationrole": true, "directories": true,
	"orgs": true, "groups": true, "workspaces": true, "manage": false,
	// /issue/createmeta/{projectIdOrKey}/…, …/properties/{propertyKey},
	// /groups/{groupId}/memberships/{accountId}
	"createmeta": true, "properties": true, "memberships": true,
}

var issueKeyRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*-[0-9]+$`)

// RouteTemplate maps a request path to its endpoint template, e.g.
// "/ex/jira/<cloudId>/rest/api/3/project/10001/role/10002" →
// "/rest/api/3/project/{}/role/{}". Jira's burst limits are per endpoint, so
// the limiter and the counters key on the template, never on the raw path.
func RouteTemplate(path string) string {
	if strings.HasPrefix(path, "/ex/") {
		// /ex/<product>/<cloudId>/rest/...
		parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 4)
		if len(parts) == 4 {
			path = "/" + parts[3]
		}
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	prev := ""
	for i, s := range segs {
		if s == "" {
			continue
		}
		variable := strings.ContainsAny(s, "0123456789") && s != "v1" && s != "v2" && s != "3" && s != "2"
		if s == "3" || s == "2" {
			variable = prev != "api"
		}
		if idParents[prev] && !literalWords[s] {
			variable = true
		}
		if prev == "users" && i >= 1 && (i+1 < len(segs) || strings.Contains(s, ":")) && !literalWords[s] && segs[0] != "rest" {
			// Admin API: /users/{accountId}/manage/...
			variable = true
		}
		prev = s
		if variable {
			segs[i] = "{}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

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
