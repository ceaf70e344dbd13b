package jira

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// routeRecorder collects the "METHOD route" of every attempt.
type routeRecorder struct {
	mu     sync.Mutex
	routes []string
}

func (r *routeRecorder) observe(e Event) {
	if e.Kind != EventAttempt {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes = append(r.routes, e.Method+" "+e.Route)
}

func (r *routeRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.routes
	r.routes = nil
	return out
}

// TestRouteNames pins the route name of every typed method: the limiter's
// per-endpoint budgets, the counters, the metrics and syncbench's report
// key on these strings, so they must not change by accident. IDs of every
// form (numeric, keys, UUIDs, account IDs with colons) share one route.
func TestRouteNames(t *testing.T) {
	t.Parallel()
	rec := &routeRecorder{}
	c, mux, _ := setup(t, WithObserver(rec.observe))
	// Every request gets an empty JSON object: decoding may fail, but the
	// attempt (and so its route) is what is checked.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, `{}`) })
	const (
		account = AccountID("712020:3f7d-aa")
		group   = GroupID("5b1a2c3d-0000-4000-8000-00000000abcd")
	)
	ctx := t.Context()
	tests := []struct {
		name string
		call func(context.Context)
		want string
	}{
		{"ApplicationRoles.List", func(ctx context.Context) { c.ApplicationRoles.List(ctx) }, "GET /rest/api/3/applicationrole"},
		{"ApplicationRoles.Get", func(ctx context.Context) { c.ApplicationRoles.Get(ctx, ProductJiraSoftware) }, "GET /rest/api/3/applicationrole/{}"},
		{"Audit.Records", func(ctx context.Context) { c.Audit.Records(ctx, nil) }, "GET /rest/api/3/auditing/record"},
		{"Groups.List", func(ctx context.Context) { c.Groups.List(ctx, nil) }, "GET /rest/api/3/group/bulk"},
		{"Groups.Members", func(ctx context.Context) { c.Groups.Members(ctx, group, nil) }, "GET /rest/api/3/group/member"},
		{"Groups.AddUser", func(ctx context.Context) { c.Groups.AddUser(ctx, group, account) }, "POST /rest/api/3/group/user"},
		{"Groups.RemoveUser", func(ctx context.Context) { c.Groups.RemoveUser(ctx, group, account) }, "DELETE /rest/api/3/group/user"},
		{"Groups.Create", func(ctx context.Context) { c.Groups.Create(ctx, "staff") }, "POST /rest/api/3/group"},
		{"Groups.Delete", func(ctx context.Context) { c.Groups.Delete(ctx, group) }, "DELETE /rest/api/3/group"},
		{"Issues.Search", func(ctx context.Context) { c.Issues.Search(ctx, "project = ACME", nil) }, "GET /rest/api/3/search/jql"},
		{"Issues.AddComment key", func(ctx context.Context) { c.Issues.AddComment(ctx, "ACME-12", "hi") }, "POST /rest/api/3/issue/{}/comment"},
		{"Issues.AddComment id", func(ctx context.Context) { c.Issues.AddComment(ctx, "10042", "hi") }, "POST /rest/api/3/issue/{}/comment"},
		{"Issues.EditMeta", func(ctx context.Context) { c.Issues.EditMeta(ctx, "ACME-12") }, "GET /rest/api/3/issue/{}/editmeta"},
		{"Issues.Comments", func(ctx context.Context) { c.Issues.Comments(ctx, "ACME-12", nil) }, "GET /rest/api/3/issue/{}/comment"},
		{"Issues.CommentsByID", func(ctx context.Context) { c.Issues.CommentsByID(ctx, []string{"1"}, true) }, "POST /rest/api/3/comment/list"},
		{"Projects.Statuses key", func(ctx context.Context) { c.Projects.Statuses(ctx, "ACME") }, "GET /rest/api/3/project/{}/statuses"},
		{"Projects.Statuses id", func(ctx context.Context) { c.Projects.Statuses(ctx, "10001") }, "GET /rest/api/3/project/{}/statuses"},
		{"Issues.Create", func(ctx context.Context) {
			c.Issues.Create(ctx, IssueCreate{Fields: map[string]any{"summary": "s"}})
		}, "POST /rest/api/3/issue"},
		{"Issues.Get", func(ctx context.Context) { c.Issues.Get(ctx, "ACME-12", nil) }, "GET /rest/api/3/issue/{}"},
		{"Issues.Edit", func(ctx context.Context) { c.Issues.Edit(ctx, "ACME-12", map[string]any{"summary": "x"}, nil) }, "PUT /rest/api/3/issue/{}"},
		{"Issues.Transitions", func(ctx context.Context) { c.Issues.Transitions(ctx, "ACME-12") }, "GET /rest/api/3/issue/{}/transitions"},
		{"Issues.Transition", func(ctx context.Context) { c.Issues.Transition(ctx, "10042", "31", nil) }, "POST /rest/api/3/issue/{}/transitions"},
		{"Issues.CreateMetaIssueTypes", func(ctx context.Context) { c.Issues.CreateMetaIssueTypes(ctx, "ACME", nil) }, "GET /rest/api/3/issue/createmeta/{}/issuetypes"},
		{"Issues.CreateMetaFields", func(ctx context.Context) { c.Issues.CreateMetaFields(ctx, "10001", "10004", nil) }, "GET /rest/api/3/issue/createmeta/{}/issuetypes/{}"},
		{"Issues.Fields", func(ctx context.Context) { c.Issues.Fields(ctx) }, "GET /rest/api/3/field"},
		{"Issues.Statuses", func(ctx context.Context) { c.Issues.Statuses(ctx, nil) }, "GET /rest/api/3/statuses/search"},
		{"Myself", func(ctx context.Context) { c.Myself(ctx) }, "GET /rest/api/3/myself"},
		{"ServerInfo", func(ctx context.Context) { c.ServerInfo(ctx) }, "GET /rest/api/3/serverInfo"},
		{"Permissions.ProjectScheme", func(ctx context.Context) { c.Permissions.ProjectScheme(ctx, "ACME") }, "GET /rest/api/3/project/{}/permissionscheme"},
		{"Permissions.GetScheme", func(ctx context.Context) { c.Permissions.GetScheme(ctx, 10000) }, "GET /rest/api/3/permissionscheme/{}"},
		{"Permissions.ListSchemes", func(ctx context.Context) { c.Permissions.ListSchemes(ctx) }, "GET /rest/api/3/permissionscheme"},
		{"Permissions.Mine", func(ctx context.Context) {
			c.Permissions.Mine(ctx, &MyPermissionsOptions{Permissions: []string{PermissionBrowseProjects}})
		}, "GET /rest/api/3/mypermissions"},
		{"Permissions.UsersWithPermission", func(ctx context.Context) {
			c.Permissions.UsersWithPermission(ctx, &UserPermissionSearchOptions{Permissions: []string{PermissionBrowseProjects}, ProjectKey: "ACME"})
		}, "GET /rest/api/3/user/permission/search"},
		{"Permissions.UsersWhoCanBrowse", func(ctx context.Context) {
			c.Permissions.UsersWhoCanBrowse(ctx, &BrowseUserSearchOptions{ProjectKey: "ACME"})
		}, "GET /rest/api/3/user/viewissue/search"},
		{"Projects.Search", func(ctx context.Context) { c.Projects.Search(ctx, nil) }, "GET /rest/api/3/project/search"},
		{"Projects.Get", func(ctx context.Context) { c.Projects.Get(ctx, "ACME") }, "GET /rest/api/3/project/{}"},
		{"Projects.SetLead", func(ctx context.Context) { c.Projects.SetLead(ctx, "10001", account) }, "PUT /rest/api/3/project/{}"},
		{"Roles.List", func(ctx context.Context) { c.Roles.List(ctx) }, "GET /rest/api/3/role"},
		{"Roles.ForProject", func(ctx context.Context) { c.Roles.ForProject(ctx, "ACME") }, "GET /rest/api/3/project/{}/role"},
		{"Roles.Details", func(ctx context.Context) { c.Roles.Details(ctx, "ACME") }, "GET /rest/api/3/project/{}/roledetails"},
		{"Roles.Get", func(ctx context.Context) { c.Roles.Get(ctx, "ACME", 10002, nil) }, "GET /rest/api/3/project/{}/role/{}"},
		{"Roles.AddUsers", func(ctx context.Context) { c.Roles.AddUsers(ctx, "ACME", 10002, account) }, "POST /rest/api/3/project/{}/role/{}"},
		{"Roles.AddGroups", func(ctx context.Context) { c.Roles.AddGroups(ctx, "10001", 10002, group) }, "POST /rest/api/3/project/{}/role/{}"},
		{"Roles.RemoveUser", func(ctx context.Context) { c.Roles.RemoveUser(ctx, "ACME", 10002, account) }, "DELETE /rest/api/3/project/{}/role/{}"},
		{"Roles.RemoveGroup", func(ctx context.Context) { c.Roles.RemoveGroup(ctx, "ACME", 10002, group) }, "DELETE /rest/api/3/project/{}/role/{}"},
		{"ServiceDesk.List", func(ctx context.Context) { c.ServiceDesk.List(ctx, nil) }, "GET /rest/servicedeskapi/servicedesk"},
		{"ServiceDesk.Customers", func(ctx context.Context) { c.ServiceDesk.Customers(ctx, "4", nil) }, "GET /rest/servicedeskapi/servicedesk/{}/customer"},
		{"ServiceDesk.Organizations", func(ctx context.Context) { c.ServiceDesk.Organizations(ctx, nil) }, "GET /rest/servicedeskapi/organization"},
		{"ServiceDesk.OrganizationUsers", func(ctx context.Context) { c.ServiceDesk.OrganizationUsers(ctx, "7", nil) }, "GET /rest/servicedeskapi/organization/{}/user"},
		{"ServiceDesk.DeskOrganizations", func(ctx context.Context) { c.ServiceDesk.DeskOrganizations(ctx, "4", nil) }, "GET /rest/servicedeskapi/servicedesk/{}/organization"},
		{"Users.List", func(ctx context.Context) { c.Users.List(ctx, nil) }, "GET /rest/api/3/users/search"},
		{"Users.Get", func(ctx context.Context) { c.Users.Get(ctx, account) }, "GET /rest/api/3/user"},
		{"Users.Search", func(ctx context.Context) { c.Users.Search(ctx, "ann", nil) }, "GET /rest/api/3/user/search"},
		{"Users.BulkGet", func(ctx context.Context) { c.Users.BulkGet(ctx, []AccountID{account}, nil) }, "GET /rest/api/3/user/bulk"},
		{"Users.Invite", func(ctx context.Context) { c.Users.Invite(ctx, "ann@example.com", nil) }, "POST /rest/api/3/user"},
		{"Users.Remove", func(ctx context.Context) { c.Users.Remove(ctx, account) }, "DELETE /rest/api/3/user"},
		{"Users.Groups", func(ctx context.Context) { c.Users.Groups(ctx, account) }, "GET /rest/api/3/user/groups"},
	}
	used := map[string]bool{}
	for _, tt := range tests {
		tt.call(ctx)
		if got := rec.take(); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("%s: routes %q, want [%q]", tt.name, got, tt.want)
		}
		_, route, _ := strings.Cut(tt.want, " ")
		used[route] = true
	}
	// The table Client.Do matches raw paths against holds exactly the
	// typed methods' routes.
	table := map[string]bool{}
	for _, r := range routes {
		table[r] = true
	}
	for r := range used {
		if !table[r] {
			t.Errorf("route %s of a typed method is missing from the routes table", r)
		}
	}
	for r := range table {
		if !used[r] {
			t.Errorf("routes table entry %s is used by no typed method", r)
		}
	}
}

// TestDoRouteNames: a raw request is routed as the typed method for the
// same endpoint, so both share one budget; any other path is its own route.
func TestDoRouteNames(t *testing.T) {
	t.Parallel()
	rec := &routeRecorder{}
	c, mux, _ := setup(t, WithObserver(rec.observe))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, `{}`) })
	tests := []struct{ method, path, want string }{
		{http.MethodGet, "/rest/api/3/project/ACME", "GET /rest/api/3/project/{}"},
		{http.MethodGet, "/rest/api/3/project/10001", "GET /rest/api/3/project/{}"},
		{http.MethodGet, "/rest/api/3/project/search", "GET /rest/api/3/project/search"},
		{http.MethodPut, "/rest/api/3/project/ACME/role/10002", "PUT /rest/api/3/project/{}/role/{}"},
		{http.MethodGet, "/rest/api/3/issue/createmeta/ACME/issuetypes/10004", "GET /rest/api/3/issue/createmeta/{}/issuetypes/{}"},
		{http.MethodGet, "/rest/servicedeskapi/servicedesk/4/customer", "GET /rest/servicedeskapi/servicedesk/{}/customer"},
		{http.MethodGet, "/rest/api/3/myself", "GET /rest/api/3/myself"},
		{http.MethodGet, "/rest/api/3/myself?expand=groups", "GET /rest/api/3/myself"},
		// No typed method: the path itself, without its query.
		{http.MethodGet, "/rest/api/3/issue/ACME-1/worklog", "GET /rest/api/3/issue/ACME-1/worklog"},
		{http.MethodGet, "/rest/api/3/project/", "GET /rest/api/3/project/"},
		{http.MethodGet, "/rest/api/3/dashboard?startAt=5", "GET /rest/api/3/dashboard"},
	}
	for _, tt := range tests {
		_, _ = c.Do(t.Context(), tt.method, tt.path, nil, nil, nil)
		if got := rec.take(); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("Do(%s %s): routes %q, want [%q]", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestEndpointFillsTemplate(t *testing.T) {
	t.Parallel()
	p := endpoint("/rest/api/3/project/{}/role/{}", "A%2FB", "10002")
	if p.path != "/rest/api/3/project/A%2FB/role/10002" || p.route != "/rest/api/3/project/{}/role/{}" {
		t.Errorf("endpoint = %+v", p)
	}
	defer func() {
		if recover() == nil {
			t.Error("endpoint with too few segments did not panic")
		}
	}()
	endpoint("/rest/api/3/project/{}")
}

// TestRouteNamesOfSiteCalls pins the routes of the calls the client makes
// on its own: the cloud ID lookup and the 401 check through the gateway.
func TestRouteNamesOfSiteCalls(t *testing.T) {
	t.Parallel()
	rec := &routeRecorder{}
	mux := http.NewServeMux()
	mux.HandleFunc("/_edge/tenant_info", coreTenantInfo(t, nil))
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"errorMessages":["no"]}`)
	})
	mux.HandleFunc("/ex/jira/"+testCloudID+"/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"accountId":"a"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := NewClient(srv.URL, WithLoopback(), WithBasicAuth(testEmail, testToken),
		WithRateLimits(UnlimitedRateLimits()), coreFastRetries(), WithObserver(rec.observe))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Myself(t.Context()); err == nil {
		t.Fatal("Myself: no error from a 401")
	}
	want := []string{"GET /rest/api/3/myself", "GET /_edge/tenant_info", "GET /rest/api/3/myself"}
	if got := rec.take(); !slices.Equal(got, want) {
		t.Errorf("routes %q, want %q", got, want)
	}
}
