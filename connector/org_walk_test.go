package connector

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// endlessAdmin puts a proxy in front of srv's Admin API whose directory
// user and group searches (POST …/users/search, …/groups/search) answer
// pages of size fresh items with a fresh links.next forever (or, with
// repeat, the same cursor every time); everything else goes to the fake.
// It returns the Admin base URL and the count of search pages served.
func endlessAdmin(t *testing.T, srv *jiratest.Server, size int, repeat bool) (string, *atomic.Int64) {
	t.Helper()
	target, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	var served atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		users := strings.HasSuffix(r.URL.Path, "/users/search")
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/admin/v2/") ||
			!users && !strings.HasSuffix(r.URL.Path, "/groups/search") {
			rp.ServeHTTP(w, r)
			return
		}
		n := served.Add(1)
		data := make([]map[string]any, size)
		for i := range data {
			id := fmt.Sprintf("endless-%d-%d", n, i)
			if users {
				data[i] = map[string]any{"accountId": id, "accountType": "atlassian", "status": "active",
					"accountStatus": "active", "name": "Endless " + id}
			} else {
				data[i] = map[string]any{"id": id, "name": "endless group " + id}
			}
		}
		next := fmt.Sprintf("cursor-%d", n)
		if repeat {
			next = "cursor-same"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "links": map[string]string{"next": next}})
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL + "/admin", &served
}

// endlessConfig is an organization-mode configuration whose Admin API is
// the endless proxy and whose pagination bounds are lowered.
func endlessConfig(srv *jiratest.Server, adminURL string, maxPages, maxItems int) Config {
	cfg := testConfig(srv, true)
	cfg.JiraOptions = append(cfg.JiraOptions, jira.WithPaginationLimits(maxPages, maxItems))
	cfg.AtlassianOptions = []atlassian.Option{atlassian.WithBaseURL(adminURL), atlassian.WithLoopback()}
	return cfg
}

// wantLimitCode is the code the connector gives the Jira client's own
// pagination-limit error (an offset page past the item bound).
func wantLimitCode(t *testing.T, c *Connector) codes.Code {
	t.Helper()
	_, _, err := c.jira.Users.List(t.Context(), &jira.ListOptions{Cursor: jira.OffsetCursor(1 << 30)})
	if !errors.Is(err, jira.ErrPaginationLimit) {
		t.Fatalf("Jira offset past the bound: %v, want ErrPaginationLimit", err)
	}
	return status.Code(wrapErr(opListUsers, err))
}

// TestOrgWalkEndlessPagination (issue 11, finding 9): an Admin API that
// returns fresh cursor pages forever ends the organization-mode user walk
// after the page bound with a clear error, like the clients' iterators.
func TestOrgWalkEndlessPagination(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 1))
	adminURL, served := endlessAdmin(t, srv, 10, false)
	conn, err := New(t.Context(), endlessConfig(srv, adminURL, 5, 0))
	if err != nil {
		t.Fatal(err)
	}
	users := &userSyncer{c: conn}
	tok, pages := "", 0
	for ; pages < 50; pages++ {
		_, res, err := users.List(t.Context(), nil, rsOpts("endless", tok))
		if err != nil {
			if !errors.Is(err, jira.ErrPaginationLimit) {
				t.Fatalf("page %d: %v, want an error matching jira.ErrPaginationLimit", pages+1, err)
			}
			for _, want := range []string{"list organization users", "/users/search", "more than 5 pages", "jira.WithPaginationLimits"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			if got, want := status.Code(err), wantLimitCode(t, conn); got != want {
				t.Errorf("code %v, want %v (as for the Jira client's limit)", got, want)
			}
			break
		}
		tok = res.NextPageToken
	}
	if pages != 5 {
		t.Fatalf("%d pages listed before the walk stopped, want 5 (the limit)", pages)
	}
	if n := served.Load(); n > 6 { // 5 listed, at most 1 fetched ahead
		t.Errorf("%d Admin pages fetched, want at most 6", n)
	}
}

// TestOrgWalkLimitSurvivesResume: the counts ride in the page token, so a
// walk resumed by a new process (a new connector per page) still stops,
// here at the item bound of the group walk.
func TestOrgWalkLimitSurvivesResume(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 1))
	adminURL, _ := endlessAdmin(t, srv, 100, false)
	cfg := endlessConfig(srv, adminURL, 0, 250)
	tok, pages := "", 0
	for ; pages < 50; pages++ {
		conn, err := New(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		p, err := conn.groupPage(t.Context(), tok)
		if err != nil {
			if !errors.Is(err, jira.ErrPaginationLimit) || !strings.Contains(err.Error(), "more than 250 items") ||
				!strings.Contains(err.Error(), "/groups/search") {
				t.Fatalf("page %d: %v, want the item limit of the groups search", pages+1, err)
			}
			break
		}
		tok = p.next
	}
	if pages != 2 {
		t.Fatalf("%d pages of 100 listed before the walk stopped, want 2 (limit 250 items)", pages)
	}
}

// TestOrgWalkTokens: a token written before the counts existed still
// resumes (counting from there), counts carry over within a phase and
// restart with the next phase, a repeated cursor is refused, and corrupt
// counts are InvalidArgument.
func TestOrgWalkTokens(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 1))
	adminURL, _ := endlessAdmin(t, srv, 3, false)
	conn, err := New(t.Context(), endlessConfig(srv, adminURL, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	old := `{"states":[{"type":"jira-users"}],"current_state":{"token":"cursor-7","type":"org-users"}}`
	p, err := conn.userPage(t.Context(), old)
	if err != nil {
		t.Fatalf("token from before the counts: %v", err)
	}
	var got orgToken
	if err := json.Unmarshal([]byte(p.next), &got); err != nil {
		t.Fatal(err)
	}
	if got.Pages != 1 || got.Items != 3 || got.CurrentState == nil || got.CurrentState.ResourceTypeID != phaseOrgUsers {
		t.Errorf("next token %s, want org-users with 1 page and 3 items counted", p.next)
	}
	p, err = conn.userPage(t.Context(), p.next)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(p.next), &got); err != nil || got.Pages != 2 || got.Items != 6 {
		t.Errorf("second token %s (%v), want 2 pages and 6 items counted", p.next, err)
	}

	// On the fake's finite walk (resumed with counts), the Jira phase
	// starts counting afresh.
	clean, err := New(t.Context(), testConfig(srv, true))
	if err != nil {
		t.Fatal(err)
	}
	tok := `{"states":[{"type":"jira-users"}],"current_state":{"type":"org-users"},"pages":7,"items":70}`
	for i := 8; ; i++ {
		p, err := clean.userPage(t.Context(), tok)
		if err != nil {
			t.Fatal(err)
		}
		var nt orgToken
		if err := json.Unmarshal([]byte(p.next), &nt); err != nil {
			t.Fatalf("page %d: token %q: %v", i, p.next, err)
		}
		if nt.CurrentState.ResourceTypeID == phaseJiraUsers {
			if nt.Pages != 0 || nt.Items != 0 {
				t.Errorf("the Jira phase starts with counts %+v, want none", nt.walkCount)
			}
			break
		}
		if nt.Pages != i {
			t.Fatalf("org-users page %d: token counts %d pages", i, nt.Pages)
		}
		tok = p.next
	}
	lim, err := New(t.Context(), endlessConfig(srv, adminURL, 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lim.userPage(t.Context(), `{"states":[{"type":"jira-users"}],"current_state":{"token":"cursor-1","type":"org-users"},"pages":3}`); !errors.Is(err, jira.ErrPaginationLimit) {
		t.Errorf("fourth page with a limit of 3: %v, want ErrPaginationLimit", err)
	}

	for _, bad := range []string{`{"current_state":{"type":"org-users"},"pages":-1}`, `{"current_state":{"type":"org-users"},"items":"x"}`} {
		if _, err := conn.userPage(t.Context(), bad); status.Code(err) != codes.InvalidArgument {
			t.Errorf("token %s: %v, want InvalidArgument", bad, err)
		}
	}

	repeatURL, _ := endlessAdmin(t, srv, 3, true)
	rep, err := New(t.Context(), endlessConfig(srv, repeatURL, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = rep.userPage(t.Context(), `{"current_state":{"token":"cursor-same","type":"org-users"}}`)
	if err == nil || !strings.Contains(err.Error(), "did not advance") {
		t.Errorf("a repeated cursor: %v, want 'did not advance'", err)
	}
}
