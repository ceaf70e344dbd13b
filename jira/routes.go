package jira

import (
	"net/url"
	"strconv"
	"strings"
)

// apiPath is a request path plus its route: the endpoint template it was
// built from, with "{}" in place of each identifier (e.g.
// "/rest/api/3/project/{}/role/{}"). The route, never the path, keys the
// limiter's per-endpoint budgets, the transport's counters, observer events
// and metrics.
type apiPath struct {
	path  string // e.g. "/rest/api/3/project/ACME/role/10002"
	route string // e.g. "/rest/api/3/project/{}/role/{}"
}

// endpoint fills the "{}" placeholders of template, in order, with segs,
// which must be validated and escaped path segments (see pathSegment). The
// template is the request's route. A count mismatch is a programming error
// and panics.
func endpoint(template string, segs ...string) apiPath {
	if n := strings.Count(template, "{}"); n != len(segs) {
		panic("jira: endpoint " + template + " needs " + strconv.Itoa(n) + " segments, got " + strconv.Itoa(len(segs)))
	}
	var b strings.Builder
	rest := template
	for _, s := range segs {
		i := strings.Index(rest, "{}")
		b.WriteString(rest[:i])
		b.WriteString(s)
		rest = rest[i+2:]
	}
	b.WriteString(rest)
	return apiPath{path: b.String(), route: template}
}

// routes are the templates of the typed methods' endpoints, which [Client.Do]
// matches a raw path against (TestRouteNames keeps the list complete).
var routes = []string{
	apiPrefix + "/applicationrole",
	apiPrefix + "/applicationrole/{}",
	apiPrefix + "/auditing/record",
	apiPrefix + "/comment/list",
	apiPrefix + "/field",
	apiPrefix + "/group",
	apiPrefix + "/group/bulk",
	apiPrefix + "/group/member",
	apiPrefix + "/group/user",
	apiPrefix + "/issue",
	apiPrefix + "/issue/{}",
	apiPrefix + "/issue/{}/comment",
	apiPrefix + "/issue/{}/editmeta",
	apiPrefix + "/issue/{}/transitions",
	apiPrefix + "/issue/createmeta/{}/issuetypes",
	apiPrefix + "/issue/createmeta/{}/issuetypes/{}",
	apiPrefix + "/mypermissions",
	apiPrefix + "/myself",
	apiPrefix + "/permissionscheme",
	apiPrefix + "/permissionscheme/{}",
	apiPrefix + "/project/search",
	apiPrefix + "/project/{}",
	apiPrefix + "/project/{}/permissionscheme",
	apiPrefix + "/project/{}/role",
	apiPrefix + "/project/{}/role/{}",
	apiPrefix + "/project/{}/roledetails",
	apiPrefix + "/project/{}/statuses",
	apiPrefix + "/role",
	apiPrefix + "/search/jql",
	apiPrefix + "/serverInfo",
	apiPrefix + "/statuses/search",
	apiPrefix + "/user",
	apiPrefix + "/user/bulk",
	apiPrefix + "/user/groups",
	apiPrefix + "/user/permission/search",
	apiPrefix + "/user/search",
	apiPrefix + "/user/viewissue/search",
	apiPrefix + "/users/search",
	sdPrefix + "/organization",
	sdPrefix + "/organization/{}/user",
	sdPrefix + "/servicedesk",
	sdPrefix + "/servicedesk/{}/customer",
	sdPrefix + "/servicedesk/{}/organization",
}

// rawRoute is the route of a raw request by path ([Client.Do]): the
// template of the typed endpoint the path addresses, so that a raw call
// shares that endpoint's budget and counters (for
// "/rest/api/3/project/ACME" it is "/rest/api/3/project/{}"), else the path
// itself. A literal segment beats a placeholder: "/rest/api/3/project/search"
// is the search endpoint, not the project named "search". The query string
// plays no part.
func rawRoute(path string) string {
	segs := strings.Split(path, "/")
	best, bestScore := "", -1
	for _, r := range routes {
		rs := strings.Split(r, "/")
		if len(rs) != len(segs) {
			continue
		}
		score := 0
		ok := true
		for i, s := range rs {
			switch {
			case s == "{}" && segs[i] != "":
			case s == segs[i]:
				score |= 1 << (len(rs) - i) // earlier literal segments weigh more
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && score > bestScore {
			best, bestScore = r, score
		}
	}
	if best != "" {
		return best
	}
	return path
}

// rawPath is the apiPath of a raw path given to [Client.Do]: routed by
// rawRoute on the path without its query or fragment, unescaped.
func rawPath(path string) apiPath {
	p := path
	if u, err := url.Parse(path); err == nil {
		p = u.Path
	} else if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return apiPath{path: path, route: rawRoute(p)}
}
