package jira

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	identGroupID   GroupID   = "276f955c-63d7-42c8-9520-92d01dca0625"
	identAccountID AccountID = "5b10ac8d82e05b22cc7d4ef5"
)

func identFakeGroups(from, n int) string {
	s := "["
	for i := from; i < from+n; i++ {
		if i > from {
			s += ","
		}
		s += fmt.Sprintf(`{"name":"group-%d","groupId":"g%d"}`, i, i)
	}
	return s + "]"
}

func TestGroupsList(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group/bulk", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"startAt": {"0"}, "maxResults": {"50"}})
		writeJSON(w, http.StatusOK, fixture(t, "groups_bulk.json"))
	})
	groups, resp, err := c.Groups.List(t.Context(), nil)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []GroupDetails{
		{GroupID: "276f955c-63d7-42c8-9520-92d01dca0625", Name: "jdog-developers"},
		{GroupID: "6e87dc72-4f1f-421f-9382-2fee8b652487", Name: "juvenal-bot"},
	}
	if diff := cmp.Diff(want, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "" {
		t.Errorf("NextCursor = %q after isLast, want \"\"", resp.NextCursor)
	}
}

func TestGroupsList_filtersAndPaging(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group/bulk", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{
			"groupId":        {"g1", "g2"},
			"groupName":      {"site-admins", "jira admins"},
			"accessType":     {"site-admin"},
			"applicationKey": {"jira-software"},
			"startAt":        {"100"},
			"maxResults":     {"50"},
		})
		writeJSON(w, http.StatusOK, `{"startAt":100,"maxResults":50,"isLast":false,"values":`+identFakeGroups(100, 3)+`}`)
	})
	groups, resp, err := c.Groups.List(t.Context(), &GroupListOptions{
		ListOptions:    ListOptions{Cursor: "o100", PageSize: 500},
		GroupIDs:       []GroupID{"g1", "g2"},
		GroupNames:     []string{"site-admins", "jira admins"},
		AccessType:     AccessSiteAdmin,
		ApplicationKey: ProductJiraSoftware,
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(groups) != 3 || groups[2] != (Group{GroupID: "g102", Name: "group-102"}) {
		t.Errorf("groups = %+v", groups)
	}
	// 3 of 50 with isLast=false: not the end, advance by what came back.
	wantNext(t, resp, "o103")
}

func TestGroupsListIter_shortenedPagesKeepFilters(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var log startLog
	mux.HandleFunc("/rest/api/3/group/bulk", func(w http.ResponseWriter, r *http.Request) {
		start := log.add(r)
		testQuery(t, r, url.Values{"accessType": {"admin"}, "startAt": {start}, "maxResults": {"50"}})
		switch start {
		case "0":
			writeJSON(w, http.StatusOK, `{"startAt":0,"maxResults":50,"total":3,"isLast":false,"values":`+identFakeGroups(0, 2)+`}`)
		case "2": // isLast absent: only the empty page after it ends the walk
			writeJSON(w, http.StatusOK, `{"startAt":2,"maxResults":50,"values":`+identFakeGroups(2, 1)+`}`)
		case "3":
			writeJSON(w, http.StatusOK, `{"startAt":3,"maxResults":50,"isLast":false,"values":[]}`)
		default:
			t.Errorf("unexpected startAt %s", start)
		}
	})
	opts := &GroupListOptions{AccessType: AccessAdmin}
	var got []GroupID
	for g, err := range c.Groups.ListIter(t.Context(), opts) {
		if err != nil {
			t.Fatalf("iteration error: %v", err)
		}
		got = append(got, g.GroupID)
	}
	if diff := cmp.Diff([]GroupID{"g0", "g1", "g2"}, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	wantStarts(t, log.get(), "0", "2", "3")
	if opts.Cursor != "" {
		t.Errorf("caller's opts changed: %+v", opts)
	}
}

func TestGroupsMembers(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group/member", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"groupId": {string(identGroupID)}, "includeInactiveUsers": {"true"},
			"startAt": {"0"}, "maxResults": {"50"}})
		writeJSON(w, http.StatusOK, fixture(t, "groups_member.json"))
	})
	users, resp, err := c.Groups.Members(t.Context(), identGroupID, &MemberListOptions{IncludeInactive: true})
	if err != nil {
		t.Fatalf("Members: %v", err)
	}
	want := []User{
		{
			Self:         "https://acme.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
			AccountID:    "5b10a2844c20165700ede21g",
			AccountType:  AccountTypeAtlassian,
			EmailAddress: "mia@acme.example",
			AvatarURLs:   map[string]string{"48x48": "https://avatar.example/initials/MK-5.png?size=48"},
			DisplayName:  "Mia Krystof",
			Active:       true,
			TimeZone:     "Australia/Sydney",
		},
		{
			Self:        "https://acme.atlassian.net/rest/api/3/user?accountId=5b10ac8d82e05b22cc7d4ef5",
			AccountID:   "5b10ac8d82e05b22cc7d4ef5",
			AccountType: AccountTypeAtlassian,
			DisplayName: "Emma Richards",
			TimeZone:    "Australia/Sydney",
		},
	}
	if diff := cmp.Diff(want, users); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	wantNext(t, resp, "o2")
}

func TestGroupsMembers_includeInactiveFalseIsExplicit(t *testing.T) {
	t.Parallel()
	for _, opts := range []*MemberListOptions{nil, {}, {ListOptions: ListOptions{PageSize: 10}}} {
		c, mux, _ := setup(t)
		wantMax := "50"
		if opts != nil && opts.PageSize != 0 {
			wantMax = strconv.Itoa(opts.PageSize)
		}
		mux.HandleFunc("/rest/api/3/group/member", func(w http.ResponseWriter, r *http.Request) {
			testQuery(t, r, url.Values{"groupId": {"g 1&x"}, "includeInactiveUsers": {"false"},
				"startAt": {"0"}, "maxResults": {wantMax}})
			writeJSON(w, http.StatusOK, `{"startAt":0,"maxResults":50,"total":0,"isLast":true,"values":[]}`)
		})
		users, resp, err := c.Groups.Members(t.Context(), "g 1&x", opts)
		if err != nil {
			t.Fatalf("Members: %v", err)
		}
		if len(users) != 0 || resp.NextCursor != "" {
			t.Errorf("empty last page: %d users, NextCursor %q", len(users), resp.NextCursor)
		}
	}
}

func TestGroupsMembersIter(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var log startLog
	mux.HandleFunc("/rest/api/3/group/member", func(w http.ResponseWriter, r *http.Request) {
		start := log.add(r)
		testQuery(t, r, url.Values{"groupId": {string(identGroupID)}, "includeInactiveUsers": {"true"},
			"startAt": {start}, "maxResults": {"50"}})
		switch start {
		case "0":
			writeJSON(w, http.StatusOK, fixture(t, "groups_member.json")) // 2 values, isLast=false
		case "2":
			writeJSON(w, http.StatusOK, `{"startAt":2,"maxResults":50,"total":3,"isLast":true,"values":`+
				identJSON(t, identFakeUsers("m", 2, 1))+`}`)
		default:
			t.Errorf("request past isLast: startAt=%s", start)
		}
	})
	ids, errs := identCollectUsers(c.Groups.MembersIter(t.Context(), identGroupID, &MemberListOptions{IncludeInactive: true}))
	noErrs(t, errs)
	want := []AccountID{"5b10a2844c20165700ede21g", "5b10ac8d82e05b22cc7d4ef5", "m2"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	wantStarts(t, log.get(), "0", "2")
}

func TestGroupsMembersIter_errorPageStops(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/api/3/group/member", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			writeJSON(w, http.StatusOK, `{"startAt":0,"maxResults":50,"isLast":false,"values":`+identJSON(t, identFakeUsers("m", 0, 1))+`}`)
		case 2:
			writeJSON(w, http.StatusNotFound, `{"errorMessages":["The group was deleted."],"errors":{}}`)
		default:
			t.Error("iteration continued after an error page")
			writeJSON(w, http.StatusOK, `{"isLast":true,"values":[]}`)
		}
	})
	ids, errs := identCollectUsers(c.Groups.MembersIter(t.Context(), identGroupID, nil))
	if len(errs) != 1 || !errors.Is(errs[0], ErrNotFound) {
		t.Fatalf("errors = %v, want one ErrNotFound", errs)
	}
	if diff := cmp.Diff([]AccountID{"m0"}, ids); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if calls.Load() != 2 {
		t.Errorf("calls = %d, want 2", calls.Load())
	}
}

func TestGroupsAddUser(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group/user", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testAuth(t, r)
		testHeader(t, r, "Content-Type", "application/json")
		testQuery(t, r, url.Values{"groupId": {string(identGroupID)}})
		testJSONBody(t, r, `{"accountId":"5b10ac8d82e05b22cc7d4ef5"}`)
		writeJSON(w, http.StatusCreated, `{"name":"jira-software-users","groupId":"276f955c-63d7-42c8-9520-92d01dca0625",`+
			`"self":"https://acme.atlassian.net/rest/api/3/group?groupId=276f955c-63d7-42c8-9520-92d01dca0625",`+
			`"users":{"size":1,"items":[],"max-results":50,"start-index":0,"end-index":0},"expand":"users"}`)
	})
	resp, err := c.Groups.AddUser(t.Context(), identGroupID, identAccountID)
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status = %d", resp.StatusCode)
	}
}

func TestGroupsAddUser_alreadyMember(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/api/3/group/user", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusBadRequest, `{"errorMessages":["Cannot add user. User is already a member of 'jira-software-users'"],"errors":{}}`)
	})
	_, err := c.Groups.AddUser(t.Context(), identGroupID, identAccountID)
	if !IsAlreadyMember(err) {
		t.Errorf("IsAlreadyMember(%v) = false", err)
	}
	if IsNotMember(err) {
		t.Errorf("IsNotMember(%v) = true", err)
	}
	if calls.Load() != 1 {
		t.Errorf("calls = %d, want 1 (400 is not retried)", calls.Load())
	}
}

func TestGroupsRemoveUser(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group/user", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodDelete)
		testAuth(t, r)
		testQuery(t, r, url.Values{"groupId": {string(identGroupID)}, "accountId": {string(identAccountID)}})
		w.WriteHeader(http.StatusOK)
	})
	resp, err := c.Groups.RemoveUser(t.Context(), identGroupID, identAccountID)
	if err != nil {
		t.Fatalf("RemoveUser: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d", resp.StatusCode)
	}
}

func TestGroupsRemoveUser_notMember(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group/user", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, `{"errorMessages":["Cannot remove user '5b10ac8d82e05b22cc7d4ef5' from group 'jira-software-users' since user is not a member of 'jira-software-users'"],"errors":{}}`)
	})
	_, err := c.Groups.RemoveUser(t.Context(), identGroupID, identAccountID)
	if !IsNotMember(err) {
		t.Errorf("IsNotMember(%v) = false", err)
	}
	if IsAlreadyMember(err) {
		t.Errorf("IsAlreadyMember(%v) = true", err)
	}
}

func TestIsAlreadyMemberIsNotMember(t *testing.T) {
	t.Parallel()
	already := &Error{StatusCode: 400, Messages: []string{"Cannot add user. User is already a member of 'devs'"}}
	notMember := &Error{StatusCode: 400, Messages: []string{"Cannot remove user 'x' from group 'devs' since user is NOT a member of 'devs'"}}
	tests := []struct {
		name             string
		err              error
		already, notMemb bool
	}{
		{"nil", nil, false, false},
		{"plain error", errors.New("User is already a member of 'devs'"), false, false},
		{"already", already, true, false},
		{"already wrapped", fmt.Errorf("grant: %w", already), true, false},
		{"not member (any case)", notMember, false, true},
		{"not member wrapped", fmt.Errorf("revoke: %w", notMember), false, true},
		{"wording on a 404", &Error{StatusCode: 404, Messages: already.Messages}, false, false},
		{"wording on a 403", &Error{StatusCode: 403, Messages: notMember.Messages}, false, false},
		{"other 400", &Error{StatusCode: 400, Messages: []string{"Group name is required"}}, false, false},
		{"field error wording", &Error{StatusCode: 400, FieldErrors: map[string]string{"accountId": "User is already a member of 'devs'"}}, true, false},
	}
	for _, tt := range tests {
		if got := IsAlreadyMember(tt.err); got != tt.already {
			t.Errorf("%s: IsAlreadyMember = %v, want %v", tt.name, got, tt.already)
		}
		if got := IsNotMember(tt.err); got != tt.notMemb {
			t.Errorf("%s: IsNotMember = %v, want %v", tt.name, got, tt.notMemb)
		}
	}
}

func TestGroupsCreate(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testAuth(t, r)
		testQuery(t, r, nil)
		testJSONBody(t, r, `{"name":"power-users"}`)
		writeJSON(w, http.StatusCreated, `{"name":"power-users","groupId":"6e87dc72-4f1f-421f-9382-2fee8b652487",`+
			`"self":"https://acme.atlassian.net/rest/api/3/group?groupId=6e87dc72-4f1f-421f-9382-2fee8b652487",`+
			`"users":{"size":0,"items":[],"max-results":50,"start-index":0,"end-index":0},"expand":"users"}`)
	})
	g, _, err := c.Groups.Create(t.Context(), "power-users")
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if diff := cmp.Diff(&GroupDetails{GroupID: "6e87dc72-4f1f-421f-9382-2fee8b652487", Name: "power-users"}, g); diff != "" {
		t.Errorf("group (-want +got):\n%s", diff)
	}
}

func TestGroupsDelete(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodDelete)
		testAuth(t, r)
		testQuery(t, r, url.Values{"groupId": {string(identGroupID)}})
		w.WriteHeader(http.StatusOK)
	})
	resp, err := c.Groups.Delete(t.Context(), identGroupID)
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d", resp.StatusCode)
	}
}

func TestGroups_argumentValidationSendsNothing(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("no request expected, got %s %s", r.Method, r.URL)
	})
	ctx := t.Context()
	checks := map[string]error{}
	_, _, checks["Members"] = c.Groups.Members(ctx, "", nil)
	_, checks["AddUser no group"] = c.Groups.AddUser(ctx, "", identAccountID)
	_, checks["AddUser no user"] = c.Groups.AddUser(ctx, identGroupID, "")
	_, checks["RemoveUser"] = c.Groups.RemoveUser(ctx, identGroupID, "")
	_, _, checks["Create"] = c.Groups.Create(ctx, " ")
	_, checks["Delete"] = c.Groups.Delete(ctx, "")
	_, _, checks["List bad cursor"] = c.Groups.List(ctx, &GroupListOptions{ListOptions: ListOptions{Cursor: "x"}})
	for name, err := range checks {
		if err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestGroupsMembers_totalAndPageSize(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group/member", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("startAt") {
		case "0":
			writeJSON(w, http.StatusOK, `{"self":"https://acme.atlassian.net/rest/api/3/group/member?groupId=x&startAt=0&maxResults=2",
				"maxResults":2,"startAt":0,"total":5,"isLast":false,
				"values":[{"accountId":"a1","accountType":"atlassian"},{"accountId":"a2","accountType":"atlassian"}]}`)
		default:
			writeJSON(w, http.StatusOK, `{"startAt":2,"isLast":true,"values":[{"accountId":"a3","accountType":"atlassian"}]}`)
		}
	})
	_, resp, err := c.Groups.Members(t.Context(), identGroupID, nil)
	if err != nil {
		t.Fatalf("Members: %v", err)
	}
	if resp.Total != 5 || resp.PageSize != 2 {
		t.Errorf("Total, PageSize = %d, %d; want 5, 2", resp.Total, resp.PageSize)
	}
	_, resp, err = c.Groups.Members(t.Context(), identGroupID, &MemberListOptions{ListOptions: ListOptions{Cursor: OffsetCursor(2)}})
	if err != nil {
		t.Fatalf("Members: %v", err)
	}
	if resp.Total != -1 || resp.PageSize != 0 {
		t.Errorf("without total and maxResults: Total, PageSize = %d, %d; want -1, 0", resp.Total, resp.PageSize)
	}
}
