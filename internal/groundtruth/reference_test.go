package groundtruth_test

import (
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"net/url"
	"path"
	"strconv"
	"testing"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// runReference replays the request pattern of the reference connector (reference-connector.md §9) over HTTP.
func runReference(t testing.TB, srv *jiratest.Server) {
	a := classic(srv)
	v2, v3 := srv.URL+"/rest/api/2", srv.URL+"/rest/api/3"
	var arr []jUser
	fakehttp.GetJSON(t, a, v2+"/user/search?query=", &arr)
	var gb fakehttp.PageBean[jGroup]
	fakehttp.GetJSON(t, a, v3+"/group/bulk?maxResults=1", &gb)

	offsetLoop := func(base string, page func(url string) int) {
		for start := 0; ; start += 50 {
			if page(base+"&startAt="+strconv.Itoa(start)+"&maxResults=50") < 50 {
				return
			}
		}
	}
	offsetLoop(v3+"/users/search?", func(u string) int {
		var p []jUser
		fakehttp.GetJSON(t, a, u, &p)
		return len(p)
	})
	var groups []jGroup
	offsetLoop(v3+"/group/bulk?", func(u string) int {
		var p fakehttp.PageBean[jGroup]
		fakehttp.GetJSON(t, a, u, &p)
		groups = append(groups, p.Values...)
		return len(p.Values)
	})
	for _, g := range groups {
		offsetLoop(v3+"/group/member?groupId="+url.QueryEscape(g.GroupID), func(u string) int {
			var p fakehttp.PageBean[jUser]
			fakehttp.GetJSON(t, a, u, &p)
			return len(p.Values)
		})
	}
	type project struct {
		ID    string            `json:"id"`
		Key   string            `json:"key"`
		Roles map[string]string `json:"roles"`
	}
	var projects []project
	for range 2 { // the project and project-role syncers both list projects
		projects = projects[:0]
		offsetLoop(v2+"/project/search?", func(u string) int {
			var p fakehttp.PageBean[project]
			fakehttp.GetJSON(t, a, u, &p)
			projects = append(projects, p.Values...)
			return len(p.Values)
		})
	}
	roleSeen := map[string]bool{}
	for _, p := range projects {
		var detail project
		fakehttp.GetJSON(t, a, v2+"/project/"+p.ID, &detail)
		for _, ru := range detail.Roles {
			rid := path.Base(ru)
			if !roleSeen[rid] {
				roleSeen[rid] = true
				var role map[string]any
				fakehttp.GetJSON(t, a, v3+"/role/"+rid, &role)
			}
			var actors map[string]any
			fakehttp.GetJSON(t, a, v3+"/project/"+p.ID+"/role/"+rid, &actors)
		}
		offsetLoop(v2+"/user/viewissue/search?query=.&projectKey="+url.QueryEscape(p.Key), func(u string) int {
			var page []jUser
			fakehttp.GetJSON(t, a, u, &page)
			return len(page)
		})
	}
}

func TestReferenceCallCountMatchesReplay(t *testing.T) {
	t.Parallel()
	sizes := []jiratest.Size{jiratest.Small}
	if !testing.Short() {
		sizes = append(sizes, jiratest.Medium)
	}
	for _, sz := range sizes {
		t.Run(string(sz), func(t *testing.T) {
			tn := jiratest.Generate(sz, 21)
			srv := jiratest.NewServer(tn, jiratest.Unlimited())
			defer srv.Close()
			runReference(t, srv)
			got := srv.Stats().Total
			want := groundtruth.ReferenceCallCount(tn, groundtruth.Options{})
			if got != want {
				t.Fatalf("replayed reference made %d requests, ReferenceCallCount says %d", got, want)
			}
			t.Logf("%s: %d reference requests (%+v)", sz, got, tn.Summary())
		})
	}
}
