package atlassian

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGroups_Search(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/groups/search", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		testJSONBody(t, r, `{"limit":100,"cursor":"c1","resourceIds":["ari:cloud:jira-software::site/`+testCloud+`"],
			"searchTerm":"admin","expand":["counts.users"],"accountIds":["a1"]}`)
		writeJSON(w, 200, fixture(t, "groups_search.json"))
	})
	groups, resp, err := c.Groups.Search(t.Context(), testOrg, AllDirectories, &GroupSearchOptions{
		ListOptions: ListOptions{Cursor: "c1"},
		ResourceIDs: []string{"ari:cloud:jira-software::site/" + testCloud},
		SearchTerm:  "admin", Expand: []string{ExpandGroupUserCounts}, AccountIDs: []AccountID{"a1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Group{
		{ID: "0d5e6f70-8192-4a3b-9c4d-5e6f70819203", Name: "jira-administrators", Description: "This group provides admin access to Jira.",
			DirectoryID: "12345678-1234-1234-1234-123456789012", ManagementAccess: &ManagementAccess{Deletable: true, Modifiable: true, Readable: true},
			ExternalSynced: true, ManagedBy: "external", Counts: &GroupCounts{Users: 10, Resources: 109}},
		{ID: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", Name: "site-admins", DirectoryID: "12345678-1234-1234-1234-123456789012"},
	}
	if diff := cmp.Diff(want, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "kloHX1ZQVasDAkx_P48NYQ" {
		t.Errorf("NextCursor = %q", resp.NextCursor)
	}
	if _, _, err := c.Groups.Search(t.Context(), testOrg, "-", &GroupSearchOptions{GroupNames: []string{"a"}, SearchTerm: "b"}); err == nil {
		t.Error("GroupNames with SearchTerm: no error")
	}
}

func TestGroups_SearchIter(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/groups/search", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			testJSONBody(t, r, `{"limit":100,"groupNames":["jira-administrators"]}`)
			writeJSON(w, 200, `{"data":[{"id":"g1","name":"jira-administrators"}],"links":{"next":"Zzk"}}`)
		case 2:
			testJSONBody(t, r, `{"limit":100,"cursor":"Zzk","groupNames":["jira-administrators"]}`)
			writeJSON(w, 200, `{"data":[],"links":{}}`)
		}
	})
	n := 0
	for _, err := range c.Groups.SearchIter(t.Context(), testOrg, AllDirectories, &GroupSearchOptions{GroupNames: []string{"jira-administrators"}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 || calls.Load() != 2 {
		t.Errorf("groups %d, calls %d", n, calls.Load())
	}
}

func TestGroups_List_deprecated(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v2/orgs/{org}/directories/{dir}/groups", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"limit": {"20"}, "resourceIds": {"ari:cloud:jira-software::site/" + testCloud}, "searchTerm": {"jira"}})
		writeJSON(w, 200, `{"data":[{"id":"g1","name":"jira-users","directoryId":"d1","counts":{"users":4,"resources":1}}],"links":{"next":"bjI"}}`)
	})
	groups, resp, err := c.Groups.List(t.Context(), testOrg, AllDirectories, &GroupSearchOptions{
		ListOptions: ListOptions{PageSize: 20}, ResourceIDs: []string{"ari:cloud:jira-software::site/" + testCloud}, SearchTerm: "jira"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Group{{ID: "g1", Name: "jira-users", DirectoryID: "d1", Counts: &GroupCounts{Users: 4, Resources: 1}}}
	if diff := cmp.Diff(want, groups); diff != "" || resp.NextCursor != "bjI" {
		t.Errorf("groups (-want +got):\n%s next %q", diff, resp.NextCursor)
	}
}

func TestGroups_Get(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v2/orgs/{org}/directories/{dir}/groups/{group}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("group") != "g1" || r.PathValue("dir") != "d1" {
			t.Errorf("path = %s", r.URL.Path)
		}
		writeJSON(w, 200, `{"data":{"id":"g1","name":"jira-users","description":"d","directoryId":"d1","externalSynced":false,"managedBy":"admins"}}`)
	})
	g, _, err := c.Groups.Get(t.Context(), testOrg, "d1", "g1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Group{ID: "g1", Name: "jira-users", Description: "d", DirectoryID: "d1", ManagedBy: "admins"}, g); diff != "" {
		t.Errorf("group (-want +got):\n%s", diff)
	}
}

func TestGroups_Members(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/users/search", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			// The group replaces any GroupIDs in the options; other filters stay.
			testJSONBody(t, r, `{"limit":100,"groupIds":["g1"],"status":["active"]}`)
			writeJSON(w, 200, `{"data":[{"accountId":"a1"},{"accountId":"a2"}],"links":{"next":"bTI"}}`)
		case 2:
			testJSONBody(t, r, `{"limit":100,"cursor":"bTI","groupIds":["g1"],"status":["active"]}`)
			writeJSON(w, 200, `{"data":[{"accountId":"a3"}],"links":{}}`)
		}
	})
	opts := &UserSearchOptions{GroupIDs: []GroupID{"other"}, Status: []UserStatus{UserStatusActive}}
	var got []AccountID
	for u, err := range c.Groups.MembersIter(t.Context(), testOrg, AllDirectories, "g1", opts) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u.AccountID)
	}
	if diff := cmp.Diff([]AccountID{"a1", "a2", "a3"}, got); diff != "" || calls.Load() != 2 {
		t.Errorf("members (-want +got):\n%s calls %d", diff, calls.Load())
	}
	if opts.GroupIDs[0] != "other" {
		t.Error("Members changed the caller's options")
	}
}

func TestGroups_membership(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var hits atomic.Int32
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/groups/{group}/memberships", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		testAuth(t, r)
		if r.PathValue("dir") != "d1" || r.PathValue("group") != "g1" {
			t.Errorf("path = %s", r.URL.Path)
		}
		testJSONBody(t, r, `{"accountId":"qm:a1"}`)
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("DELETE /admin/v2/orgs/{org}/directories/{dir}/groups/{group}/memberships/{id}", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		testNoBody(t, r)
		if r.PathValue("id") != "qm:a1" {
			t.Errorf("account = %q", r.PathValue("id"))
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /admin/v1/orgs/{org}/directory/groups/{group}/memberships", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		testJSONBody(t, r, `{"account_id":"qm:a1"}`)
		writeJSON(w, 200, `{"message":"added"}`)
	})
	mux.HandleFunc("DELETE /admin/v1/orgs/{org}/directory/groups/{group}/memberships/{id}", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.PathValue("group") != "g1" || r.PathValue("id") != "qm:a1" {
			t.Errorf("path = %s", r.URL.Path)
		}
		w.WriteHeader(http.StatusOK)
	})
	ctx := t.Context()
	if _, err := c.Groups.AddMember(ctx, testOrg, "d1", "g1", "qm:a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Groups.RemoveMember(ctx, testOrg, "d1", "g1", "qm:a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Groups.AddMemberV1(ctx, testOrg, "g1", "qm:a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Groups.RemoveMemberV1(ctx, testOrg, "g1", "qm:a1"); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 4 {
		t.Errorf("hits = %d", hits.Load())
	}
}

// TestGroup_lenientManagementAccess: an unexpected managementAccess shape
// drops that field instead of failing the page.
func TestGroup_lenientManagementAccess(t *testing.T) {
	t.Parallel()
	var g Group
	if err := json.Unmarshal([]byte(`{"id":"g1","name":"n","managementAccess":"full","externalSynced":true}`), &g); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Group{ID: "g1", Name: "n", ExternalSynced: true}, g); diff != "" {
		t.Errorf("group (-want +got):\n%s", diff)
	}
	if err := json.Unmarshal([]byte(`{"id":"g2","managementAccess":{"readable":true}}`), &g); err != nil || g.ManagementAccess == nil || !g.ManagementAccess.Readable {
		t.Errorf("object managementAccess: %+v, %v", g.ManagementAccess, err)
	}
}

// TestGroups_ListIter_deprecated: the GET list sends its filters and limit on
// the first page only; later pages send the cursor alone, as documented.
func TestGroups_ListIter_deprecated(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("GET /admin/v2/orgs/{org}/directories/{dir}/groups", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			testQuery(t, r, url.Values{"limit": {"100"}, "searchTerm": {"jira"}})
			writeJSON(w, 200, `{"data":[{"id":"g1","name":"jira-users"}],"links":{"next":"bjI"}}`)
		case 2:
			testQuery(t, r, url.Values{"cursor": {"bjI"}})
			writeJSON(w, 200, `{"data":[{"id":"g2","name":"jira-admins"}],"links":{}}`)
		default:
			t.Error("request after the last page")
		}
	})
	var names []string
	for g, err := range c.Groups.ListIter(t.Context(), testOrg, AllDirectories, &GroupSearchOptions{SearchTerm: "jira"}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, g.Name)
	}
	if diff := cmp.Diff([]string{"jira-users", "jira-admins"}, names); diff != "" || calls.Load() != 2 {
		t.Errorf("names (-want +got):\n%s calls %d", diff, calls.Load())
	}
}
