package jira

import (
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func wantExampleScheme() *PermissionScheme {
	return &PermissionScheme{
		ID: 10000, Name: "Example permission scheme", Description: "description",
		Self:   "https://your-domain.atlassian.net/rest/api/3/permissionscheme/10000",
		Expand: "permissions,user,group,projectRole,field,all",
		Permissions: []PermissionGrant{
			{ID: 10000, Self: "https://your-domain.atlassian.net/rest/api/3/permissionscheme/permission/10000",
				Holder:     PermissionHolder{Type: HolderGroup, Parameter: "jira-core-users", Value: "ca85fac0-d974-40ca-a615-7af99c48d24f", Expand: "group"},
				Permission: PermissionAdministerProjects},
			{ID: 10001, Self: "https://your-domain.atlassian.net/rest/api/3/permissionscheme/permission/10001",
				Holder:     PermissionHolder{Type: HolderProjectRole, Parameter: "10360", Value: "10360", Expand: "projectRole"},
				Permission: PermissionBrowseProjects},
			{ID: 10002, Holder: PermissionHolder{Type: HolderApplicationRole}, Permission: PermissionBrowseProjects},
			{ID: 10003, Holder: PermissionHolder{Type: HolderProjectLead}, Permission: PermissionAssignableUser},
		},
	}
}

func TestPermissionsProjectScheme(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var wantQuery atomic.Value
	mux.HandleFunc("/rest/api/3/project/EX/permissionscheme", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, wantQuery.Load().(url.Values))
		writeJSON(w, http.StatusOK, fixture(t, "permissions_scheme.json"))
	})
	wantQuery.Store(url.Values{"expand": {"permissions,group"}})
	ps, _, err := client.Permissions.ProjectScheme(t.Context(), "EX", PermissionSchemeExpandPermissions, PermissionSchemeExpandGroup)
	if err != nil {
		t.Fatalf("ProjectScheme: %v", err)
	}
	if diff := cmp.Diff(wantExampleScheme(), ps); diff != "" {
		t.Errorf("scheme (-want +got):\n%s", diff)
	}
	wantQuery.Store(url.Values{})
	if _, _, err := client.Permissions.ProjectScheme(t.Context(), "EX"); err != nil {
		t.Fatalf("ProjectScheme: %v", err)
	}
	if _, _, err := client.Permissions.ProjectScheme(t.Context(), ""); err == nil {
		t.Error("ProjectScheme(\"\") succeeded, want an error")
	}
}

func TestPermissionsGetScheme(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var wantQuery atomic.Value
	mux.HandleFunc("/rest/api/3/permissionscheme/10000", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, wantQuery.Load().(url.Values))
		writeJSON(w, http.StatusOK, fixture(t, "permissions_scheme.json"))
	})
	wantQuery.Store(url.Values{"expand": {"permissions"}})
	ps, _, err := client.Permissions.GetScheme(t.Context(), 10000)
	if err != nil {
		t.Fatalf("GetScheme: %v", err)
	}
	if diff := cmp.Diff(wantExampleScheme(), ps); diff != "" {
		t.Errorf("scheme (-want +got):\n%s", diff)
	}
	wantQuery.Store(url.Values{"expand": {"all"}})
	if _, _, err := client.Permissions.GetScheme(t.Context(), 10000, PermissionSchemeExpandAll); err != nil {
		t.Fatalf("GetScheme: %v", err)
	}
	if _, _, err := client.Permissions.GetScheme(t.Context(), -1); err == nil {
		t.Error("GetScheme(-1) succeeded, want an error")
	}
}

func TestPermissionsListSchemes(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/permissionscheme", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"expand": {"permissions"}})
		writeJSON(w, http.StatusOK, `{"permissionSchemes":[
			{"id":10000,"self":"https://your-domain.atlassian.net/rest/api/3/permissionscheme/10000","name":"Default Permission Scheme","description":"Default scheme",
			 "permissions":[{"id":1,"holder":{"type":"anyone"},"permission":"BROWSE_PROJECTS"}]},
			{"id":10001,"self":"https://your-domain.atlassian.net/rest/api/3/permissionscheme/10001","name":"Locked down"}
		]}`)
	})
	schemes, _, err := client.Permissions.ListSchemes(t.Context(), PermissionSchemeExpandPermissions)
	if err != nil {
		t.Fatalf("ListSchemes: %v", err)
	}
	want := []PermissionScheme{
		{ID: 10000, Self: "https://your-domain.atlassian.net/rest/api/3/permissionscheme/10000", Name: "Default Permission Scheme",
			Description: "Default scheme", Permissions: []PermissionGrant{{ID: 1, Holder: PermissionHolder{Type: HolderAnyone}, Permission: PermissionBrowseProjects}}},
		{ID: 10001, Self: "https://your-domain.atlassian.net/rest/api/3/permissionscheme/10001", Name: "Locked down"},
	}
	if diff := cmp.Diff(want, schemes); diff != "" {
		t.Errorf("schemes (-want +got):\n%s", diff)
	}
}

func TestPermissionsMine(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/api/3/mypermissions", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"permissions": {"EDIT_ISSUES,ADMINISTER_PROJECTS"}, "projectKey": {"EX"}, "issueId": {"10002"}})
		writeJSON(w, http.StatusOK, fixture(t, "permissions_mine.json"))
	})
	perms, _, err := client.Permissions.Mine(t.Context(), &MyPermissionsOptions{
		Permissions: []string{PermissionEditIssues, PermissionAdministerProjects, PermissionEditIssues},
		ProjectKey:  "EX", IssueID: "10002",
	})
	if err != nil {
		t.Fatalf("Mine: %v", err)
	}
	want := map[string]UserPermission{
		"EDIT_ISSUES": {ID: "12", Key: "EDIT_ISSUES", Name: "Edit Issues", Type: "PROJECT", Description: "Ability to edit issues.", HavePermission: true},
		"ADMINISTER_PROJECTS": {ID: "23", Key: "ADMINISTER_PROJECTS", Name: "Administer Projects", Type: "PROJECT",
			Description: "Ability to administer a project in Jira."},
	}
	if diff := cmp.Diff(want, perms); diff != "" {
		t.Errorf("permissions (-want +got):\n%s", diff)
	}
	for _, opts := range []*MyPermissionsOptions{nil, {ProjectKey: "EX"}} {
		if _, _, err := client.Permissions.Mine(t.Context(), opts); err == nil {
			t.Errorf("Mine(%+v) succeeded, want an error", opts)
		}
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("calls = %d, want 1", got)
	}
}

const workUsersPage = `[
	{"self":"https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g","accountId":"5b10a2844c20165700ede21g",
	 "accountType":"atlassian","displayName":"Mia Krystof","active":true,"emailAddress":"mia@example.com"},
	{"accountId":"5b10ac8d82e05b22cc7d4ef5","accountType":"app","displayName":"Automation","active":true}
]`

func TestPermissionsUsersWithPermission(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var wantQuery atomic.Value
	mux.HandleFunc("/rest/api/3/user/permission/search", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, wantQuery.Load().(url.Values))
		writeJSON(w, http.StatusOK, workUsersPage)
	})
	wantQuery.Store(url.Values{"permissions": {"BROWSE_PROJECTS,ADMINISTER_PROJECTS"}, "projectKey": {"EX"},
		"query": {"mi"}, "startAt": {"0"}, "maxResults": {"50"}})
	users, resp, err := client.Permissions.UsersWithPermission(t.Context(), &UserPermissionSearchOptions{
		Permissions: []string{PermissionBrowseProjects, PermissionAdministerProjects}, ProjectKey: "EX", Query: "mi",
	})
	if err != nil {
		t.Fatalf("UsersWithPermission: %v", err)
	}
	want := []User{
		{Self: "https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g", AccountID: "5b10a2844c20165700ede21g",
			AccountType: AccountTypeAtlassian, DisplayName: "Mia Krystof", Active: true, EmailAddress: "mia@example.com"},
		{AccountID: "5b10ac8d82e05b22cc7d4ef5", AccountType: AccountTypeApp, DisplayName: "Automation", Active: true},
	}
	if diff := cmp.Diff(want, users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "o2" {
		t.Errorf("NextCursor = %q, want o2 (a bare array only ends on an empty page)", resp.NextCursor)
	}

	wantQuery.Store(url.Values{"permissions": {"BROWSE_PROJECTS"}, "issueKey": {"EX-1"}, "accountId": {"5b10ac8d82e05b22cc7d4ef5"},
		"startAt": {"7"}, "maxResults": {"1000"}})
	if _, _, err := client.Permissions.UsersWithPermission(t.Context(), &UserPermissionSearchOptions{
		ListOptions: ListOptions{Cursor: "o7", PageSize: 5000},
		Permissions: []string{PermissionBrowseProjects}, IssueKey: "EX-1", AccountID: "5b10ac8d82e05b22cc7d4ef5",
	}); err != nil {
		t.Fatalf("UsersWithPermission: %v", err)
	}
	for _, opts := range []*UserPermissionSearchOptions{nil, {ProjectKey: "EX"}} {
		if _, _, err := client.Permissions.UsersWithPermission(t.Context(), opts); err == nil {
			t.Errorf("UsersWithPermission(%+v) succeeded, want an error", opts)
		}
	}
}

func TestPermissionsUsersWithPermissionIter(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	// Asked for 3: the server returns 2 (silently capped), then 1, then none.
	h.pages["0"] = `[{"accountId":"a1"},{"accountId":"a2"}]`
	h.pages["2"] = `[{"accountId":"a3"}]`
	h.pages["3"] = `[]`
	mux.HandleFunc("/rest/api/3/user/permission/search", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("permissions"); got != "BROWSE_PROJECTS" {
			t.Errorf("permissions = %q on a later page", got)
		}
		h.ServeHTTP(w, r)
	})
	users, errs := collect(client.Permissions.UsersWithPermissionIter(t.Context(), &UserPermissionSearchOptions{
		ListOptions: ListOptions{PageSize: 3}, Permissions: []string{PermissionBrowseProjects}, ProjectKey: "EX",
	}))
	noErrs(t, errs)
	ids := pluck(users, func(u User) AccountID { return u.AccountID })
	if diff := cmp.Diff([]AccountID{"a1", "a2", "a3"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	wantStarts(t, h.seen(), "0", "2", "3")
}

func TestPermissionsUsersWhoCanBrowse(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/user/viewissue/search", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"projectKey": {"EX"}, "query": {"m"}, "startAt": {"0"}, "maxResults": {"10"}})
		writeJSON(w, http.StatusOK, workUsersPage)
	})
	users, resp, err := client.Permissions.UsersWhoCanBrowse(t.Context(), &BrowseUserSearchOptions{
		ListOptions: ListOptions{PageSize: 10}, ProjectKey: "EX", Query: "m",
	})
	if err != nil {
		t.Fatalf("UsersWhoCanBrowse: %v", err)
	}
	if len(users) != 2 || users[0].AccountID != "5b10a2844c20165700ede21g" || resp.NextCursor != "o2" {
		t.Errorf("got %d users (%v), cursor %q", len(users), users, resp.NextCursor)
	}
	for _, opts := range []*BrowseUserSearchOptions{nil, {Query: "m"}} {
		if _, _, err := client.Permissions.UsersWhoCanBrowse(t.Context(), opts); err == nil {
			t.Errorf("UsersWhoCanBrowse(%+v) succeeded, want an error", opts)
		}
	}
}

func TestPermissionsUsersWhoCanBrowseIter_errorStops(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	h.pages["0"] = `[{"accountId":"a1"},{"accountId":"a2"}]`
	h.pages["2"] = `{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}`
	h.status["2"] = http.StatusBadRequest
	mux.HandleFunc("/rest/api/3/user/viewissue/search", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("issueKey"); got != "EX-1" {
			t.Errorf("issueKey = %q", got)
		}
		h.ServeHTTP(w, r)
	})
	users, errs := collect(client.Permissions.UsersWhoCanBrowseIter(t.Context(), &BrowseUserSearchOptions{IssueKey: "EX-1"}))
	if len(users) != 2 {
		t.Errorf("got %d users, want 2", len(users))
	}
	var jerr *Error
	if len(errs) != 1 || !errors.As(errs[0], &jerr) || jerr.StatusCode != http.StatusBadRequest {
		t.Fatalf("errors = %v, want one 400", errs)
	}
	if got := h.calls.Load(); got != 2 {
		t.Errorf("calls = %d, want 2", got)
	}
}
