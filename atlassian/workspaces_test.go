package atlassian

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/jira"
)

// serveWorkspaces serves the two workspace fixtures, checking the body
// rules: {"limit":100} first, {"cursor":…} alone afterwards.
func serveWorkspaces(t *testing.T, mux *http.ServeMux) *atomic.Int32 {
	t.Helper()
	var calls atomic.Int32
	p1, p2 := fixture(t, "workspaces.json"), fixture(t, "workspaces_page2.json")
	mux.HandleFunc("POST /admin/v2/orgs/{org}/workspaces", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		testHeader(t, r, "Content-Type", "application/json")
		if r.PathValue("org") != string(testOrg) {
			t.Errorf("org = %q", r.PathValue("org"))
		}
		switch calls.Add(1) {
		case 1:
			testJSONBody(t, r, `{"limit":100}`)
			writeJSON(w, 200, p1)
		case 2:
			testJSONBody(t, r, `{"cursor":"d29ya3NwYWNlcy0y"}`)
			writeJSON(w, 200, p2)
		default:
			t.Error("more workspace pages requested than served")
			writeJSON(w, 400, `{}`)
		}
	})
	return &calls
}

func TestWorkspaces_List(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	serveWorkspaces(t, mux)
	ws, resp, err := c.Workspaces.List(t.Context(), testOrg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.NextCursor != "d29ya3NwYWNlcy0y" {
		t.Errorf("NextCursor = %q", resp.NextCursor)
	}
	want := Workspace{
		ID:   "ari:cloud:jira-software::site/" + testCloud,
		Type: "workspaces",
		Attributes: WorkspaceAttributes{Name: "acme", TypeKey: "jira-software", Type: "jira", Status: "online",
			StatusDetails: []string{}, HostURL: "https://acme.atlassian.net", Realm: "eu", Regions: []string{"eu-west-1"},
			Labels: []string{}, Capacity: ptr(35000), CreatedAt: mustTime(t, "2019-06-01T10:11:12Z")},
	}
	if diff := cmp.Diff(want, ws[0]); diff != "" {
		t.Errorf("workspace (-want +got):\n%s", diff)
	}
	if ws[0].CloudID() != jira.CloudID(testCloud) || ws[0].Host() != "acme.atlassian.net" || !ws[0].IsJira() || ws[1].IsJira() {
		t.Errorf("CloudID %q, Host %q, IsJira %v/%v", ws[0].CloudID(), ws[0].Host(), ws[0].IsJira(), ws[1].IsJira())
	}
	ws2, resp, err := c.Workspaces.List(t.Context(), testOrg, &ListOptions{Cursor: resp.NextCursor, PageSize: 10})
	if err != nil || len(ws2) != 3 || resp.NextCursor != "" {
		t.Fatalf("page 2 = %d workspaces, next %q, err %v", len(ws2), resp.NextCursor, err)
	}
}

func TestWorkspaces_FindJiraSite(t *testing.T) {
	t.Parallel()
	wantIDs := []WorkspaceID{
		"ari:cloud:jira-software::site/" + testCloud,
		"ari:cloud:jira-servicedesk::site/" + testCloud,
		"ari:cloud:jira-product-discovery::site/" + testCloud,
	}
	forms := []string{
		"https://acme.atlassian.net",
		"acme.atlassian.net",
		"ACME.Atlassian.NET/",
		"HTTPS://acme.atlassian.net///",
		"http://acme.atlassian.net/jira/your-work",
		" https://acme.atlassian.net:443 ",
		"https://api.atlassian.com/ex/jira/" + testCloud,
		"api.atlassian.com/ex/jira/" + strings.ToUpper(testCloud) + "/",
		"http://127.0.0.1:8080/ex/jira/" + testCloud, // a fake gateway
		strings.ToUpper(testCloud),
		"ari:cloud:jira::site/" + testCloud,
	}
	for _, site := range forms {
		t.Run(site, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			calls := serveWorkspaces(t, mux)
			ws, err := c.Workspaces.FindJiraSite(t.Context(), testOrg, site)
			if err != nil {
				t.Fatal(err)
			}
			var got []WorkspaceID
			for _, w := range ws {
				got = append(got, w.ID)
			}
			if diff := cmp.Diff(wantIDs, got); diff != "" {
				t.Errorf("workspaces (-want +got):\n%s", diff)
			}
			if calls.Load() != 2 {
				t.Errorf("pages read = %d, want 2", calls.Load())
			}
		})
	}
}

func TestWorkspaces_FindJiraSite_notFound(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	serveWorkspaces(t, mux)
	_, err := c.Workspaces.FindJiraSite(t.Context(), testOrg, "https://other.atlassian.net")
	if !errors.Is(err, ErrSiteNotFound) {
		t.Fatalf("err = %v, want ErrSiteNotFound", err)
	}
	if !strings.Contains(err.Error(), "other.atlassian.net") || !strings.Contains(err.Error(), "acme.atlassian.net, acme-sandbox.atlassian.net") {
		t.Errorf("error does not name the wanted and the existing sites: %v", err)
	}
}

func TestWorkspaces_FindJiraSite_badInput(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t) // no request may be sent
	for _, site := range []string{"", "   ", "https://api.atlassian.com/ex/confluence/" + testCloud, "https://api.atlassian.com/admin", ".", "..", "https://./", "acme..atlassian.net"} {
		if _, err := c.Workspaces.FindJiraSite(t.Context(), testOrg, site); err == nil || errors.Is(err, ErrSiteNotFound) {
			t.Errorf("FindJiraSite(%q) err = %v, want an input error", site, err)
		}
	}
}

func TestWorkspaces_FindJiraSite_error(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /admin/v2/orgs/{org}/workspaces", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, 403, `{"errors":[{"status":"403","code":"ADMIN-403-3","title":"Not allowed to manage the org"}]}`)
	})
	_, err := c.Workspaces.FindJiraSite(t.Context(), testOrg, "acme.atlassian.net")
	var e *Error
	if !errors.As(err, &e) || !e.HasCode(CodeOrgNotManaged) || !errors.Is(err, ErrForbidden) {
		t.Fatalf("err = %v, want the 403 *Error", err)
	}
}

func TestResourceIDs(t *testing.T) {
	t.Parallel()
	ws := []Workspace{
		{ID: "ari:cloud:jira-software::site/" + testCloud},
		{ID: "ari:cloud:jira-servicedesk::site/" + testCloud},
		{ID: "ari:cloud:jira-software::site/" + testCloud}, // duplicate
		{ID: WorkspaceID(strings.ToUpper(testCloud)), Attributes: WorkspaceAttributes{TypeKey: "jira-product-discovery"}},
	}
	want := []string{
		"ari:cloud:jira-software::site/" + testCloud,
		"ari:cloud:jira-servicedesk::site/" + testCloud,
		"ari:cloud:jira-product-discovery::site/" + testCloud,
	}
	if diff := cmp.Diff(want, ResourceIDs(ws)); diff != "" {
		t.Errorf("ResourceIDs (-want +got):\n%s", diff)
	}
	if ResourceIDs(nil) != nil {
		t.Error("ResourceIDs(nil) != nil")
	}
}
