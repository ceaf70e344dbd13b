package atlassian

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDirectories_List(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v2/orgs/{org}/directories", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cursor") == "" {
			testQuery(t, r, url.Values{"limit": {"100"}})
			writeJSON(w, 200, `{"data":[{"directoryId":"dir-1","name":"Acme","icon":"https://x/icon.png"}],"links":{"self":"a","next":"ZGlyMg"}}`)
			return
		}
		testQuery(t, r, url.Values{"cursor": {"ZGlyMg"}})
		writeJSON(w, 200, `{"data":[{"directoryId":"dir-2","name":"Contractors"}],"links":{"self":"ZGlyMg"}}`)
	})
	var got []Directory
	for d, err := range c.Directories.ListIter(t.Context(), testOrg, nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d)
	}
	want := []Directory{{ID: "dir-1", Name: "Acme", Icon: "https://x/icon.png"}, {ID: "dir-2", Name: "Contractors"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("directories (-want +got):\n%s", diff)
	}
}

func wantSearchUsers(t *testing.T) []DirectoryUser {
	return []DirectoryUser{
		{
			AccountID: "5b10ac8d82e05b22cc7d4ef5", AccountType: AccountTypeAtlassian, Status: UserStatusActive,
			AccountStatus: AccountStatusActive, MembershipStatus: MembershipStatusActive,
			AddedToOrg: mustTime(t, "2024-02-13T09:30:00Z"), Name: "Mia Krystof", Nickname: "mia", Email: "mia@acme.com",
			EmailVerified: ptr(true), ClaimStatus: ClaimStatusManaged, PlatformRoles: []string{RoleSiteAdmin},
			Picture:          "https://avatar-management.services.atlassian.com/mia/128",
			Avatar:           "https://avatar-management.services.atlassian.com/mia/48",
			ManagementSource: "synced", MFAEnabled: ptr(true), JobTitle: "Engineering Manager", Department: "Platform",
			Organization: "Acme", Location: "Lyon", TimeZone: "Europe/Paris", Counts: &UserCounts{Resources: 3},
			ProductAccess: []ProductActivity{{Key: "jira", ID: testCloud, LastActive: mustTime(t, "2026-04-30T16:20:11Z")}},
			Groups:        []UserGroup{{ID: "0d5e6f70-8192-4a3b-9c4d-5e6f70819203", Name: "jira-software-users"}},
		},
		{
			AccountID: "712020:2c1b5e0a-6c38-4a61-9f0e-2d3c4b5a6f70", AccountType: AccountTypeAtlassian,
			Status: UserStatusDeactivated, AccountStatus: AccountStatusInactive, MembershipStatus: MembershipStatusActive,
			AddedToOrg: mustTime(t, "2023-11-02T08:00:00Z"), Name: "Former Employee", Nickname: "former",
			ClaimStatus: ClaimStatusUnmanaged, Picture: "https://avatar-management.services.atlassian.com/former/128",
			DeactivatedOn: mustTime(t, "2026-01-15T12:00:00Z"), ForDeletion: true,
		},
	}
}

func TestDirectories_Users(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	page1 := fixture(t, "directory_users_search.json")
	filters := `"resourceIds":["ari:cloud:jira-software::site/` + testCloud + `"],"status":["active","suspended"],` +
		`"claimStatus":"managed","mfaEnabled":false,"accountIds":["a1"],"groupIds":["g1"],"emailDomains":["acme.com"],` +
		`"expand":["productAccess","groups"],"searchTerm":"mia","roleIds":["atlassian/user"],` +
		`"directoryIds":["dir-1"],"accountStatus":["active"],"membershipStatus":["active"]`
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/users/search", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		if r.PathValue("dir") != "-" {
			t.Errorf("directory = %q, want -", r.PathValue("dir"))
		}
		testQuery(t, r, nil)
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !bytes.Contains(body, []byte(`"cursor"`)) {
			testJSONBody(t, r, `{"limit":50,`+filters+`}`)
			writeJSON(w, 200, page1)
			return
		}
		// Later pages repeat the filters with the cursor.
		testJSONBody(t, r, `{"limit":50,"cursor":"kloHX1ZQVasDAkx_P48NYQ",`+filters+`}`)
		writeJSON(w, 200, `{"data":[{"accountId":"a3","name":"Third"}],"links":{"self":"kloHX1ZQVasDAkx_P48NYQ"}}`)
	})
	opts := &UserSearchOptions{
		ListOptions:      ListOptions{PageSize: 50},
		ResourceIDs:      []string{"ari:cloud:jira-software::site/" + testCloud},
		Status:           []UserStatus{UserStatusActive, UserStatusSuspended},
		ClaimStatus:      ClaimStatusManaged,
		MFAEnabled:       ptr(false),
		AccountIDs:       []AccountID{"a1"},
		GroupIDs:         []GroupID{"g1"},
		EmailDomains:     []string{"acme.com"},
		Expand:           []string{ExpandProductAccess, ExpandGroups},
		SearchTerm:       "mia",
		RoleIDs:          []string{RoleUser},
		DirectoryIDs:     []DirectoryID{"dir-1"},
		AccountStatus:    []AccountStatus{AccountStatusActive},
		MembershipStatus: []MembershipStatus{MembershipStatusActive},
	}
	users, resp, err := c.Directories.Users(t.Context(), testOrg, AllDirectories, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantSearchUsers(t), users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "kloHX1ZQVasDAkx_P48NYQ" {
		t.Errorf("NextCursor = %q", resp.NextCursor)
	}
	// The iterator sends the same filters on page 2 and stops after it.
	n := 0
	for u, err := range c.Directories.UsersIter(t.Context(), testOrg, AllDirectories, opts) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		_ = u
	}
	if n != 3 || calls.Load() != 3 {
		t.Errorf("iterated %d users in %d calls (total), want 3 users and 3 calls", n, calls.Load())
	}
	if opts.Cursor != "" {
		t.Error("iterator changed the caller's options")
	}
}

func TestDirectories_Users_defaults(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/users/search", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"limit":100}`)
		writeJSON(w, 200, `{"data":[],"links":{}}`)
	})
	users, resp, err := c.Directories.Users(t.Context(), testOrg, "dir-9", &UserSearchOptions{ListOptions: ListOptions{PageSize: 500}})
	if err != nil || len(users) != 0 || resp.NextCursor != "" {
		t.Fatalf("Users = %v, %q, %v", users, resp.NextCursor, err)
	}
	if _, _, err := c.Directories.Users(t.Context(), testOrg, "-", &UserSearchOptions{SearchTerm: "a", Emails: []string{"a@b"}}); err == nil {
		t.Error("SearchTerm with Emails: no error")
	}
}

func TestDirectories_ListUsers_deprecated(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("GET /admin/v2/orgs/{org}/directories/{dir}/users", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			testQuery(t, r, url.Values{
				"limit":       {"100"},
				"resourceIds": {"ari:cloud:jira-software::site/" + testCloud, "ari:cloud:jira-servicedesk::site/" + testCloud},
				"status":      {"active"},
				"claimStatus": {"managed"},
				"mfaEnabled":  {"true"},
				"searchTerm":  {"mia"},
				"groupIds":    {"g1"},
			})
			writeJSON(w, 200, `{"data":[{"accountId":"a1","status":"active","addedToOrg":"2024-02-13T09:30:00.000Z"}],"links":{"next":"cDI"}}`)
		case 2:
			// "If cursor is present, all other parameters are discarded."
			testQuery(t, r, url.Values{"cursor": {"cDI"}})
			writeJSON(w, 200, `{"data":[{"accountId":"a2","status":"suspended"}],"links":{"prev":"cDE"}}`)
		}
	})
	opts := &UserSearchOptions{
		ResourceIDs: []string{"ari:cloud:jira-software::site/" + testCloud, "ari:cloud:jira-servicedesk::site/" + testCloud},
		Status:      []UserStatus{UserStatusActive}, ClaimStatus: ClaimStatusManaged, MFAEnabled: ptr(true),
		SearchTerm: "mia", GroupIDs: []GroupID{"g1"},
	}
	var got []DirectoryUser
	for u, err := range c.Directories.ListUsersIter(t.Context(), testOrg, AllDirectories, opts) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u)
	}
	want := []DirectoryUser{
		{AccountID: "a1", Status: UserStatusActive, AddedToOrg: mustTime(t, "2024-02-13T09:30:00Z")},
		{AccountID: "a2", Status: UserStatusSuspended},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if _, _, err := c.Directories.ListUsers(t.Context(), testOrg, "-", &UserSearchOptions{Expand: []string{ExpandGroups}}); err == nil {
		t.Error("Expand on the GET list: no error")
	}
}

func TestDirectories_GetUser(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v2/orgs/{org}/directories/{dir}/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("dir") != "dir-1" || r.PathValue("id") != "a1" {
			t.Errorf("path = %s", r.URL.Path)
		}
		writeJSON(w, 200, `{"data":{"accountId":"a1","accountType":"app","status":"active","name":"Bot",
			"deactivatedOn":null,"mfaEnabled":false,"counts":{"resources":0}}}`)
	})
	u, _, err := c.Directories.GetUser(t.Context(), testOrg, "dir-1", "a1")
	if err != nil {
		t.Fatal(err)
	}
	want := &DirectoryUser{AccountID: "a1", AccountType: AccountTypeApp, Status: UserStatusActive, Name: "Bot",
		MFAEnabled: ptr(false), Counts: &UserCounts{}}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("user (-want +got):\n%s", diff)
	}
	if !u.DeactivatedOn.IsZero() || u.AddedToOrg != (time.Time{}) {
		t.Error("absent timestamps must be zero")
	}
}

func TestDirectories_lifecycle(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var hits []string
	for _, pat := range []string{
		"POST /admin/v2/orgs/{org}/directories/{dir}/users/{id}/suspend",
		"POST /admin/v2/orgs/{org}/directories/{dir}/users/{id}/restore",
		"DELETE /admin/v2/orgs/{org}/directories/{dir}/users/{id}",
	} {
		mux.HandleFunc(pat, func(w http.ResponseWriter, r *http.Request) {
			testAuth(t, r)
			testNoBody(t, r)
			if r.PathValue("org") != string(testOrg) || r.PathValue("dir") != "dir-1" || r.PathValue("id") != "a1" {
				t.Errorf("path = %s", r.URL.Path)
			}
			hits = append(hits, pat)
			if r.Method == http.MethodDelete {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			writeJSON(w, 200, `{"message":"ok"}`)
		})
	}
	ctx := t.Context()
	if _, err := c.Directories.SuspendUser(ctx, testOrg, "dir-1", "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Directories.RestoreUser(ctx, testOrg, "dir-1", "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Directories.RemoveUser(ctx, testOrg, "dir-1", "a1"); err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 {
		t.Errorf("hits = %v", hits)
	}
}

func TestDirectories_UsersIter_errorPage(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/users/search", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			writeJSON(w, 200, `{"data":[{"accountId":"a1"},{"accountId":"a2"}],"links":{"next":"c2"}}`)
		default:
			writeJSON(w, 400, `{"errors":[{"status":"400","code":"ADMIN-400-1","title":"Invalid page cursor"}]}`)
		}
	})
	var ids []AccountID
	var errs []error
	for u, err := range c.Directories.UsersIter(t.Context(), testOrg, AllDirectories, nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, u.AccountID)
	}
	var e *Error
	if len(ids) != 2 || len(errs) != 1 || !errors.As(errs[0], &e) || !e.HasCode(CodeInvalidCursor) || calls.Load() != 2 {
		t.Errorf("ids %v, errs %v, calls %d", ids, errs, calls.Load())
	}
}
