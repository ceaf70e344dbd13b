package jira

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// identFakeUsers returns n users with account IDs prefix0, prefix1, … as JSON values.
func identFakeUsers(prefix string, from, n int) []map[string]any {
	out := make([]map[string]any, 0, n)
	for i := from; i < from+n; i++ {
		out = append(out, map[string]any{
			"accountId": prefix + strconv.Itoa(i), "accountType": "atlassian",
			"displayName": "User " + strconv.Itoa(i), "active": true,
		})
	}
	return out
}

func identJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// identCollectUsers drains a user iterator, returning the account IDs and errors seen.
func identCollectUsers(seq func(func(User, error) bool)) (ids []AccountID, errs []error) {
	users, errs := collect(seq)
	return pluck(users, func(u User) AccountID { return u.AccountID }), errs
}

func identAccountIDs(prefix string, n int) []AccountID {
	out := make([]AccountID, n)
	for i := range out {
		out[i] = AccountID(prefix + strconv.Itoa(i))
	}
	return out
}

func TestUsersList_requestAndDecode(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/users/search", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testHeader(t, r, "Accept", "application/json")
		testQuery(t, r, url.Values{"startAt": {"0"}, "maxResults": {"1000"}})
		writeJSON(w, http.StatusOK, fixture(t, "users_search.json"))
	})

	users, resp, err := c.Users.List(t.Context(), nil)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []User{
		{
			Self:         "https://acme.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
			AccountID:    "5b10a2844c20165700ede21g",
			AccountType:  AccountTypeAtlassian,
			EmailAddress: "mia@acme.example",
			AvatarURLs: map[string]string{
				"16x16": "https://avatar.example/initials/MK-5.png?size=16",
				"24x24": "https://avatar.example/initials/MK-5.png?size=24",
				"32x32": "https://avatar.example/initials/MK-5.png?size=32",
				"48x48": "https://avatar.example/initials/MK-5.png?size=48",
			},
			DisplayName: "Mia Krystof",
			Active:      true,
			TimeZone:    "Australia/Sydney",
			Locale:      "en_AU",
		},
		{
			Self:        "https://acme.atlassian.net/rest/api/3/user?accountId=712020:6e2a1f4c-3b1d-4a57-9f0e-2c8d7b6a5e41",
			AccountID:   "712020:6e2a1f4c-3b1d-4a57-9f0e-2c8d7b6a5e41",
			AccountType: AccountTypeApp,
			AppType:     AppTypeService,
			DisplayName: "Deploy bot",
			Active:      true,
		},
		{
			Self:        "https://acme.atlassian.net/rest/api/3/user?accountId=qm:1b0d8f5e-2c4a-4f7b-8e61-0a9c3d2e7f15:5f3a9b1c",
			AccountID:   "qm:1b0d8f5e-2c4a-4f7b-8e61-0a9c3d2e7f15:5f3a9b1c",
			AccountType: AccountTypeCustomer,
			DisplayName: "Portal Customer",
		},
		{
			Self:        "https://acme.atlassian.net/rest/api/3/user?accountId=5d8b2c1e9f0a7b0c3e4d5f6a",
			AccountID:   "5d8b2c1e9f0a7b0c3e4d5f6a",
			AccountType: AccountTypeAtlassian,
			DisplayName: "Former user",
			Guest:       true,
		},
	}
	if diff := cmp.Diff(want, users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d", resp.StatusCode)
	}
	// A bare array never proves the end unless it is empty.
	wantNext(t, resp, "o4")
}

func TestUser_hiddenEmailDecodesEmpty(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"accountId":"a1","emailAddress":null,"locale":null}`,
		`{"accountId":"a1"}`,
		`{"accountId":"a1","emailAddress":""}`,
	} {
		var u User
		if err := json.Unmarshal([]byte(body), &u); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if u.EmailAddress != "" || u.Locale != "" || u.AccountID != "a1" {
			t.Errorf("%s decoded to %+v, want empty email and locale", body, u)
		}
	}
}

func TestUsersList_pageSizeAndCursor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *ListOptions
		wantStart string
		wantMax   string
	}{
		{"nil", nil, "0", "1000"},
		{"zero", &ListOptions{}, "0", "1000"},
		{"small", &ListOptions{PageSize: 10}, "0", "10"},
		{"capped", &ListOptions{PageSize: 5000}, "0", "1000"},
		{"negative", &ListOptions{PageSize: -3}, "0", "1000"},
		{"cursor", &ListOptions{Cursor: "o2000", PageSize: 100}, "2000", "100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("/rest/api/3/users/search", func(w http.ResponseWriter, r *http.Request) {
				testQuery(t, r, url.Values{"startAt": {tt.wantStart}, "maxResults": {tt.wantMax}})
				writeJSON(w, http.StatusOK, `[]`)
			})
			users, resp, err := c.Users.List(t.Context(), tt.opts)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(users) != 0 || resp.NextCursor != "" {
				t.Errorf("empty page: got %d users, NextCursor %q; want none and \"\"", len(users), resp.NextCursor)
			}
		})
	}
}

func TestUsersList_invalidCursorSendsNothing(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/users/search", func(w http.ResponseWriter, r *http.Request) {
		t.Error("no request expected")
	})
	for _, cur := range []string{"bogus", "o-1", "tabc"} {
		if _, _, err := c.Users.List(t.Context(), &ListOptions{Cursor: cur}); err == nil {
			t.Errorf("cursor %q: want an error", cur)
		}
	}
}

// The server lowers maxResults silently: every page is shorter than asked.
// The iterator must advance by what came back and stop only on an empty page.
func TestUsersListIter_shortenedPages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	pages := map[string]int{"0": 3, "3": 2, "5": 0}
	var log startLog
	mux.HandleFunc("/rest/api/3/users/search", func(w http.ResponseWriter, r *http.Request) {
		start := log.add(r)
		testQuery(t, r, url.Values{"startAt": {start}, "maxResults": {"1000"}})
		n, ok := pages[start]
		if !ok {
			t.Errorf("unexpected startAt %s", start)
		}
		from, _ := strconv.Atoi(start)
		writeJSON(w, http.StatusOK, identJSON(t, identFakeUsers("u", from, n)))
	})

	ids, errs := identCollectUsers(c.Users.ListIter(t.Context(), nil))
	noErrs(t, errs)
	if diff := cmp.Diff(identAccountIDs("u", 5), ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	wantStarts(t, log.get(), "0", "3", "5")
}

func TestUsersListIter_errorPageStops(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/api/3/users/search", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			writeJSON(w, http.StatusOK, identJSON(t, identFakeUsers("u", 0, 2)))
		case 2:
			writeJSON(w, http.StatusForbidden, `{"errorMessages":["You do not have the permission to browse users."],"errors":{}}`)
		default:
			t.Error("iteration continued after an error page")
			writeJSON(w, http.StatusOK, `[]`)
		}
	})

	var ids []AccountID
	var errs []error
	for u, err := range c.Users.ListIter(t.Context(), &ListOptions{PageSize: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue // keep ranging: the iterator itself must stop
		}
		ids = append(ids, u.AccountID)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrForbidden) {
		t.Fatalf("errors = %v, want exactly one ErrForbidden", errs)
	}
	if diff := cmp.Diff(identAccountIDs("u", 2), ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("calls = %d, want 2", n)
	}
}

func TestUsersListIter_copiesOptsAndStopsOnBreak(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/api/3/users/search", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testQuery(t, r, url.Values{"startAt": {"0"}, "maxResults": {"2"}})
		writeJSON(w, http.StatusOK, identJSON(t, identFakeUsers("u", 0, 2)))
	})
	opts := &ListOptions{PageSize: 2}
	for range c.Users.ListIter(t.Context(), opts) {
		break
	}
	if calls.Load() != 1 {
		t.Errorf("calls = %d, want 1", calls.Load())
	}
	if *opts != (ListOptions{PageSize: 2}) {
		t.Errorf("opts changed to %+v", *opts)
	}
}

func TestUsersGet(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/user", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"accountId": {"5b10a2844c20165700ede21g"}, "expand": {"groups,applicationRoles"}})
		writeJSON(w, http.StatusOK, fixture(t, "users_get_expanded.json"))
	})

	u, _, err := c.Users.Get(t.Context(), "5b10a2844c20165700ede21g", UserExpandGroups, UserExpandApplicationRoles)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	swUsers := GroupName{GroupID: "276f955c-63d7-42c8-9520-92d01dca0625", Name: "jira-software-users",
		Self: "https://acme.atlassian.net/rest/api/3/group?groupId=276f955c-63d7-42c8-9520-92d01dca0625"}
	wantGroups := &UserGroups{Size: 2, Items: []GroupName{swUsers, {
		GroupID: "6e87dc72-4f1f-421f-9382-2fee8b652487", Name: "site-admins",
		Self: "https://acme.atlassian.net/rest/api/3/group?groupId=6e87dc72-4f1f-421f-9382-2fee8b652487",
	}}}
	if diff := cmp.Diff(wantGroups, u.Groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	wantRoles := &UserApplicationRoles{Size: 1, Items: []ApplicationRole{{
		Key: ProductJiraSoftware, Name: "Jira Software",
		Groups: []string{"jira-software-users"}, GroupDetails: []GroupName{swUsers},
		DefaultGroups: []string{"jira-software-users"}, DefaultGroupsDetails: []GroupName{swUsers},
		NumberOfSeats: 10, RemainingSeats: 5, UserCount: 5, UserCountDescription: "5 developers",
	}}}
	if diff := cmp.Diff(wantRoles, u.ApplicationRoles); diff != "" {
		t.Errorf("application roles (-want +got):\n%s", diff)
	}
	if u.AccountID != "5b10a2844c20165700ede21g" || u.EmailAddress != "mia@acme.example" || !u.Active {
		t.Errorf("user = %+v", u)
	}
}

func TestUsersGet_noExpandLeavesGroupsNil(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/user", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"accountId": {"a b/c"}})
		writeJSON(w, http.StatusOK, `{"accountId":"a b/c","accountType":"atlassian","active":true,"displayName":"X"}`)
	})
	u, _, err := c.Users.Get(t.Context(), "a b/c")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if u.Groups != nil || u.ApplicationRoles != nil {
		t.Errorf("unexpanded lists should be nil: %+v", u)
	}
}

func TestUsersGet_notFound(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/user", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["User with accountId 'nobody' does not exist."],"errors":{}}`)
	})
	u, resp, err := c.Users.Get(t.Context(), "nobody")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	var je *Error
	if !errors.As(err, &je) || !strings.Contains(je.Message(), "does not exist") {
		t.Errorf("error details lost: %#v", err)
	}
	if u != nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("u = %v, resp = %v", u, resp)
	}
}

func TestUsers_argumentValidationSendsNothing(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("no request expected, got %s %s", r.Method, r.URL)
	})
	ctx := t.Context()
	checks := map[string]error{}
	_, _, checks["Get"] = c.Users.Get(ctx, "")
	_, _, checks["Search"] = c.Users.Search(ctx, "  ", nil)
	_, _, checks["BulkGet nil"] = c.Users.BulkGet(ctx, nil, nil)
	_, _, checks["BulkGet empty id"] = c.Users.BulkGet(ctx, []AccountID{"a", ""}, nil)
	_, _, checks["Invite"] = c.Users.Invite(ctx, "not-an-email", nil)
	_, checks["Remove"] = c.Users.Remove(ctx, "")
	_, _, checks["Groups"] = c.Users.Groups(ctx, "")
	for name, err := range checks {
		if err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestUsersSearch(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/user/search", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"query": {"mia k"}, "startAt": {"20"}, "maxResults": {"20"}})
		writeJSON(w, http.StatusOK, identJSON(t, identFakeUsers("s", 20, 1)))
	})
	users, resp, err := c.Users.Search(t.Context(), "mia k", &ListOptions{Cursor: "o20", PageSize: 20})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(users) != 1 || users[0].AccountID != "s20" || users[0].DisplayName != "User 20" {
		t.Errorf("users = %+v", users)
	}
	wantNext(t, resp, "o21")
}

func TestUsersSearchIter_shortenedPages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var log startLog
	mux.HandleFunc("/rest/api/3/user/search", func(w http.ResponseWriter, r *http.Request) {
		start := log.add(r)
		testQuery(t, r, url.Values{"query": {"a"}, "startAt": {start}, "maxResults": {"1000"}})
		from, _ := strconv.Atoi(start)
		n := 0
		if from < 4 {
			n = 2 // fewer than the 1000 asked for
		}
		writeJSON(w, http.StatusOK, identJSON(t, identFakeUsers("s", from, n)))
	})
	ids, errs := identCollectUsers(c.Users.SearchIter(t.Context(), "a", nil))
	noErrs(t, errs)
	if diff := cmp.Diff(identAccountIDs("s", 4), ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	wantStarts(t, log.get(), "0", "2", "4")
}

func TestUsersBulkGet(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	ids := []AccountID{"u0", "u1", "u2"}
	mux.HandleFunc("/rest/api/3/user/bulk", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"accountId": {"u0", "u1", "u2"}, "startAt": {"0"}, "maxResults": {"200"}})
		// Shortened page: 2 of 3 with isLast=false.
		writeJSON(w, http.StatusOK, `{"self":"x","maxResults":2,"startAt":0,"total":3,"isLast":false,"values":`+
			identJSON(t, identFakeUsers("u", 0, 2))+`}`)
	})
	users, resp, err := c.Users.BulkGet(t.Context(), ids, nil)
	if err != nil {
		t.Fatalf("BulkGet: %v", err)
	}
	if len(users) != 2 || users[1].AccountID != "u1" {
		t.Errorf("users = %+v", users)
	}
	wantNext(t, resp, "o2")
}

func TestUsersBulkGetIter(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	ids := identAccountIDs("u", 5)
	var log startLog
	mux.HandleFunc("/rest/api/3/user/bulk", func(w http.ResponseWriter, r *http.Request) {
		start := log.add(r)
		testQuery(t, r, url.Values{"accountId": {"u0", "u1", "u2", "u3", "u4"}, "startAt": {start}, "maxResults": {"3"}})
		switch start {
		case "0": // fewer than asked, not last
			writeJSON(w, http.StatusOK, `{"startAt":0,"maxResults":2,"total":5,"isLast":false,"values":`+identJSON(t, identFakeUsers("u", 0, 2))+`}`)
		case "2":
			writeJSON(w, http.StatusOK, `{"startAt":2,"maxResults":3,"total":5,"isLast":true,"values":`+identJSON(t, identFakeUsers("u", 2, 3))+`}`)
		default:
			t.Errorf("request past isLast: startAt=%s", start)
			writeJSON(w, http.StatusOK, `{"isLast":true,"values":[]}`)
		}
	})
	got, errs := identCollectUsers(c.Users.BulkGetIter(t.Context(), ids, &ListOptions{PageSize: 3}))
	noErrs(t, errs)
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	wantStarts(t, log.get(), "0", "2")
}

func TestUsersInvite_productsAlwaysSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		products []ProductKey
		wantBody string
	}{
		{"nil", nil, `{"emailAddress":"new@acme.example","products":[]}`},
		{"empty", []ProductKey{}, `{"emailAddress":"new@acme.example","products":[]}`},
		{"two", []ProductKey{ProductJiraSoftware, ProductJiraServiceManagement},
			`{"emailAddress":"new@acme.example","products":["jira-software","jira-servicedesk"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("/rest/api/3/user", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodPost)
				testAuth(t, r)
				testHeader(t, r, "Content-Type", "application/json")
				testQuery(t, r, nil)
				b, _ := io.ReadAll(r.Body)
				// Byte-level check: an omitted or null products field would grant default access.
				if string(b) != tt.wantBody {
					t.Errorf("body = %s, want %s", b, tt.wantBody)
				}
				writeJSON(w, http.StatusCreated, `{"self":"https://acme.atlassian.net/rest/api/3/user?accountId=5b10ac8d82e05b22cc7d4ef5",`+
					`"accountId":"5b10ac8d82e05b22cc7d4ef5","accountType":"atlassian","active":true,"displayName":"new"}`)
			})
			u, resp, err := c.Users.Invite(t.Context(), " new@acme.example ", tt.products)
			if err != nil {
				t.Fatalf("Invite: %v", err)
			}
			if u.AccountID != "5b10ac8d82e05b22cc7d4ef5" || resp.StatusCode != http.StatusCreated {
				t.Errorf("user = %+v, status %d", u, resp.StatusCode)
			}
		})
	}
}

func TestUsersInvite_emptyProductsLiteral(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/user", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(b), `"products":[]`) {
			t.Errorf("body %s does not contain \"products\":[]", b)
		}
		writeJSON(w, http.StatusCreated, `{"accountId":"x"}`)
	})
	if _, _, err := c.Users.Invite(t.Context(), "a@b.example", nil); err != nil {
		t.Fatal(err)
	}
}

func TestUsersInvite_notRetriedOnServerError(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/api/3/user", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusInternalServerError, `{"errorMessages":["Internal server error"]}`)
	})
	_, _, err := c.Users.Invite(t.Context(), "a@b.example", nil)
	var je *Error
	if !errors.As(err, &je) || je.StatusCode != http.StatusInternalServerError {
		t.Fatalf("err = %v, want a 500 *Error", err)
	}
	if calls.Load() != 1 {
		t.Errorf("POST sent %d times, want 1", calls.Load())
	}
}

func TestUsersRemove(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/user", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodDelete)
		testAuth(t, r)
		testQuery(t, r, url.Values{"accountId": {"5b10ac8d82e05b22cc7d4ef5"}})
		w.WriteHeader(http.StatusNoContent)
	})
	resp, err := c.Users.Remove(t.Context(), "5b10ac8d82e05b22cc7d4ef5")
	if err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("status = %d", resp.StatusCode)
	}
}

func TestUsersGroups(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/user/groups", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"accountId": {"5b10ac8d82e05b22cc7d4ef5"}})
		writeJSON(w, http.StatusOK, `[{"groupId":"276f955c-63d7-42c8-9520-92d01dca0625","name":"jira-software-users",`+
			`"self":"https://acme.atlassian.net/rest/api/3/group?groupId=276f955c-63d7-42c8-9520-92d01dca0625"}]`)
	})
	groups, _, err := c.Users.Groups(t.Context(), "5b10ac8d82e05b22cc7d4ef5")
	if err != nil {
		t.Fatalf("Groups: %v", err)
	}
	want := []GroupName{{GroupID: "276f955c-63d7-42c8-9520-92d01dca0625", Name: "jira-software-users",
		Self: "https://acme.atlassian.net/rest/api/3/group?groupId=276f955c-63d7-42c8-9520-92d01dca0625"}}
	if diff := cmp.Diff(want, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}
