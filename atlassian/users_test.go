package atlassian

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUsers_ListManaged(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("GET /admin/v1/orgs/{org}/users", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			testQuery(t, r, nil)
			writeJSON(w, 200, fixture(t, "managed_users.json"))
		case 2:
			// links.next was a full URL: only its cursor parameter is reused.
			testQuery(t, r, url.Values{"cursor": {"MDNlZWRmNzMtMWYwMi00NGM5"}})
			writeJSON(w, 200, `{"data":[{"account_id":"a2","account_type":"app","account_status":"closed","name":"Bot","picture":"p"}],
				"meta":{"total":2},"links":{"self":"https://api.atlassian.com/admin/v1/orgs/x/users?cursor=MDNlZWRmNzMtMWYwMi00NGM5"}}`)
		}
	})
	var got []ManagedAccount
	for a, err := range c.Users.ListManagedIter(t.Context(), testOrg, nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	day := func(s string) time.Time { return mustTime(t, s+"T00:00:00Z") }
	want := []ManagedAccount{
		{AccountID: "5b10ac8d82e05b22cc7d4ef5", AccountType: AccountTypeAtlassian, AccountStatus: AccountStatusActive,
			Name: "Mia Krystof", Picture: "https://avatar-management.services.atlassian.com/mia/128", Email: "mia@acme.com",
			AccessBillable: ptr(true), LastActive: day("2026-04-30"),
			ProductAccess: []ManagedProduct{
				{Key: "jira-software", Name: "Jira", URL: "acme.atlassian.net", LastActive: day("2026-04-30")},
				{Key: "confluence", Name: "Confluence", URL: "acme.atlassian.net/wiki", LastActive: day("2026-03-02")},
			}},
		{AccountID: "a2", AccountType: AccountTypeApp, AccountStatus: AccountStatusClosed, Name: "Bot", Picture: "p"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if calls.Load() != 2 {
		t.Errorf("calls = %d", calls.Load())
	}
}

func TestUsers_Search(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	const filters = `"accountStatuses":["active"],"accountTypes":["atlassian"],"isSuspended":false,"emailDomains":{"eq":["acme.com"]}`
	mux.HandleFunc("POST /admin/v1/orgs/{org}/users/search", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			testJSONBody(t, r, `{"limit":20,`+filters+`}`)
			writeJSON(w, 200, `{"data":[{"accountId":"123e4567-e89b-12d3-a456-426614174000","accountType":"atlassian","accountStatus":"active"}],
				"links":{"next":"MDNlZWRmNzMtMWYwMi00NGM5LWI4NjgtZGQ1NTIwMjIwYjhj","self":"MDI0MzkwOGEtMmYyOC00NzgzLWI5YTktMDUwZTExNzJjZDU4"}}`)
		case 2:
			// links.next was a bare cursor.
			testJSONBody(t, r, `{"limit":20,"cursor":"MDNlZWRmNzMtMWYwMi00NGM5LWI4NjgtZGQ1NTIwMjIwYjhj",`+filters+`}`)
			writeJSON(w, 200, `{"data":[{"accountId":"b2","accountType":"atlassian","accountStatus":"active","name":"Bo","email":"bo@acme.com"}],"links":{}}`)
		}
	})
	opts := &OrgUserSearchOptions{
		ListOptions:     ListOptions{PageSize: 20},
		AccountStatuses: []AccountStatus{AccountStatusActive},
		AccountTypes:    []AccountType{AccountTypeAtlassian},
		IsSuspended:     ptr(false),
		Filters:         map[string]json.RawMessage{"emailDomains": json.RawMessage(`{"eq":["acme.com"]}`)},
	}
	var got []OrgUser
	for u, err := range c.Users.SearchIter(t.Context(), testOrg, opts) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u)
	}
	want := []OrgUser{
		{AccountID: "123e4567-e89b-12d3-a456-426614174000", AccountType: AccountTypeAtlassian, AccountStatus: AccountStatusActive},
		{AccountID: "b2", AccountType: AccountTypeAtlassian, AccountStatus: AccountStatusActive, Name: "Bo", Email: "bo@acme.com"},
	}
	if diff := cmp.Diff(want, got); diff != "" || calls.Load() != 2 {
		t.Errorf("users (-want +got):\n%s calls %d", diff, calls.Load())
	}
}

func TestUsers_LastActiveDates(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v1/orgs/{org}/directory/users/{id}/last-active-dates", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		testQuery(t, r, nil)
		if r.PathValue("id") != "5b10ac8d82e05b22cc7d4ef5" {
			t.Errorf("id = %q", r.PathValue("id"))
		}
		writeJSON(w, 200, fixture(t, "last_active_dates.json"))
	})
	la, resp, err := c.Users.LastActiveDates(t.Context(), testOrg, "5b10ac8d82e05b22cc7d4ef5", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &LastActive{
		Products: []ProductLastActive{
			{ID: testCloud, Key: "jira-software", LastActive: mustTime(t, "2026-04-28T17:45:03Z")},
			{ID: testCloud, Key: "jira-service-desk", LastActive: mustTime(t, "2026-04-29T00:00:00Z")},
			{ID: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", Key: "confluence", LastActive: mustTime(t, "2026-02-11T08:00:00Z")},
		},
		AddedToOrg: mustTime(t, "2024-02-13T09:30:00Z"),
	}
	if diff := cmp.Diff(want, la); diff != "" {
		t.Errorf("last active (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "" {
		t.Errorf("NextCursor = %q", resp.NextCursor)
	}
	if got := la.Latest(); !got.Equal(mustTime(t, "2026-04-29T00:00:00Z")) {
		t.Errorf("Latest = %v", got)
	}
	if !(LastActive{}).Latest().IsZero() {
		t.Error("Latest of no products is not zero")
	}
}

func TestUsers_LastActive_allPages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("GET /admin/v1/orgs/{org}/directory/users/{id}/last-active-dates", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			testQuery(t, r, nil)
			writeJSON(w, 200, `{"data":{"product_access":[{"id":"s1","key":"jira-software","last_active":"2026-01-05"}],"added_to_org":"2020-01-01"},
				"links":{"next":"bGEy"}}`)
		case 2:
			testQuery(t, r, url.Values{"cursor": {"bGEy"}})
			writeJSON(w, 200, `{"data":{"product_access":[{"id":"s2","key":"confluence","last_active_timestamp":"2026-03-01T12:00:00Z"}],"added_to_org":null},"links":{}}`)
		}
	})
	la, err := c.Users.LastActive(t.Context(), testOrg, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if len(la.Products) != 2 || !la.AddedToOrg.Equal(mustTime(t, "2020-01-01T00:00:00Z")) ||
		!la.Latest().Equal(mustTime(t, "2026-03-01T12:00:00Z")) || calls.Load() != 2 {
		t.Errorf("LastActive = %+v (calls %d)", la, calls.Load())
	}
}

func TestUsers_LastActive_loop(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v1/orgs/{org}/directory/users/{id}/last-active-dates", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":{"product_access":[]},"links":{"next":"same"}}`)
	})
	if _, err := c.Users.LastActive(t.Context(), testOrg, "a1"); err == nil {
		t.Error("a repeating cursor: no error")
	}
}

func TestUsers_v1Lifecycle(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var hits []string
	for _, pat := range []string{
		"POST /admin/v1/orgs/{org}/directory/users/{id}/suspend-access",
		"POST /admin/v1/orgs/{org}/directory/users/{id}/restore-access",
		"DELETE /admin/v1/orgs/{org}/directory/users/{id}",
	} {
		mux.HandleFunc(pat, func(w http.ResponseWriter, r *http.Request) {
			testAuth(t, r)
			testNoBody(t, r)
			if r.PathValue("org") != string(testOrg) || r.PathValue("id") != "a1" {
				t.Errorf("path = %s", r.URL.Path)
			}
			hits = append(hits, pat)
			writeJSON(w, 200, `{"message":"done"}`)
		})
	}
	ctx := t.Context()
	if _, err := c.Users.SuspendAccess(ctx, testOrg, "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.RestoreAccess(ctx, testOrg, "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.RemoveFromDirectory(ctx, testOrg, "a1"); err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 {
		t.Errorf("hits = %v", hits)
	}
}
