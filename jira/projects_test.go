package jira

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// workTime builds a want timestamp.
func workTime(y int, mo time.Month, d, h, mi, s, ms int) Time {
	return Time{time.Date(y, mo, d, h, mi, s, ms*int(time.Millisecond), time.UTC)}
}

// workPageHandler serves the query parameter startParam → body pages and
// records the starts asked for.
type workPageHandler struct {
	t          *testing.T
	startParam string
	pages      map[string]string // start → body ("" = unexpected)
	status     map[string]int    // start → status (default 200)
	calls      atomic.Int32
	log        startLog
}

func newWorkPageHandler(t *testing.T, startParam string) *workPageHandler {
	return &workPageHandler{t: t, startParam: startParam, pages: map[string]string{}, status: map[string]int{},
		log: startLog{param: startParam}}
}

func (h *workPageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.calls.Add(1)
	start := h.log.add(r)
	body, ok := h.pages[start]
	if !ok {
		h.t.Errorf("unexpected page request %s=%s", h.startParam, start)
		writeJSON(w, http.StatusBadRequest, `{"errorMessages":["unexpected page"],"errors":{}}`)
		return
	}
	st := h.status[start]
	if st == 0 {
		st = http.StatusOK
	}
	writeJSON(w, st, body)
}

func (h *workPageHandler) seen() []string { return h.log.get() }

func TestProjectsSearch(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/search", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testHeader(t, r, "Accept", "application/json")
		testQuery(t, r, url.Values{
			"startAt":    {"0"},
			"maxResults": {"50"},
			"id":         {"10000", "10001"},
			"keys":       {"EX", "ABC"},
			"query":      {"ex"},
			"typeKey":    {"software,business"},
			"categoryId": {"10000"},
			"status":     {"live", "archived"},
			"action":     {"browse"},
			"expand":     {"lead,insight"},
			"orderBy":    {"-name"},
		})
		writeJSON(w, http.StatusOK, fixture(t, "projects_search.json"))
	})
	projects, resp, err := client.Projects.Search(t.Context(), &ProjectSearchOptions{
		IDs:             []ProjectID{"10000", "10001"},
		Keys:            []ProjectKey{"EX", "ABC"},
		Query:           "ex",
		TypeKey:         "software,business",
		CategoryID:      10000,
		IncludeArchived: true,
		Action:          "browse",
		Expand:          []string{ProjectExpandLead, "insight", " ", "lead"},
		OrderBy:         "-name",
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	cat := &ProjectCategory{ID: "10000", Name: "FIRST", Description: "First Project Category",
		Self: "https://your-domain.atlassian.net/rest/api/3/projectCategory/10000"}
	want := []Project{
		{
			ID: "10000", Key: "EX", Name: "Example", Self: "https://your-domain.atlassian.net/rest/api/3/project/10000",
			ProjectTypeKey: ProjectTypeSoftware, Style: ProjectStyleClassic,
			Lead: &User{Self: "https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
				AccountID: "5b10a2844c20165700ede21g", AccountType: AccountTypeAtlassian, DisplayName: "Mia Krystof", Active: true},
			ProjectCategory: cat,
			Insight:         &ProjectInsight{TotalIssueCount: 100, LastIssueUpdateTime: workTime(2024, 3, 21, 15, 18, 4, 0)},
			AvatarURLs: map[string]string{
				"48x48": "https://your-domain.atlassian.net/secure/projectavatar?size=large&pid=10000",
				"24x24": "https://your-domain.atlassian.net/secure/projectavatar?size=small&pid=10000",
				"16x16": "https://your-domain.atlassian.net/secure/projectavatar?size=xsmall&pid=10000",
				"32x32": "https://your-domain.atlassian.net/secure/projectavatar?size=medium&pid=10000",
			},
			Expand: "description,lead,issueTypes,url,projectKeys,permissions,insight",
		},
		{
			ID: "10001", Key: "ABC", Name: "Alphabetical", Self: "https://your-domain.atlassian.net/rest/api/3/project/10001",
			ProjectTypeKey: ProjectTypeBusiness, Simplified: true, Style: ProjectStyleNextGen, IsPrivate: true,
			UUID: "a2d7b9a4-3f35-4e1c-9f0c-5b4a0e2d1c11", Archived: true, ArchivedDate: workTime(2024, 1, 5, 10, 0, 0, 0),
			ProjectCategory: cat,
			Insight:         &ProjectInsight{TotalIssueCount: 7, LastIssueUpdateTime: workTime(2024, 1, 2, 3, 4, 5, 6)},
			Expand:          "description,lead,issueTypes,url,projectKeys,permissions,insight",
		},
	}
	if diff := cmp.Diff(want, projects); diff != "" {
		t.Errorf("projects (-want +got):\n%s", diff)
	}
	wantNext(t, resp, "o2")
	if projects[0].TeamManaged() || !projects[1].TeamManaged() {
		t.Errorf("TeamManaged = %v, %v, want false, true", projects[0].TeamManaged(), projects[1].TeamManaged())
	}
}

func TestProjectsSearch_statusFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts ProjectSearchOptions
		want []string
	}{
		{"default", ProjectSearchOptions{}, nil},
		{"explicit", ProjectSearchOptions{Status: []ProjectStatus{ProjectStatusDeleted}}, []string{"deleted"}},
		{"include archived", ProjectSearchOptions{IncludeArchived: true}, []string{"live", "archived"}},
		{"include archived with deleted", ProjectSearchOptions{Status: []ProjectStatus{ProjectStatusDeleted}, IncludeArchived: true},
			[]string{"deleted", "archived"}},
		{"include archived already there", ProjectSearchOptions{Status: []ProjectStatus{ProjectStatusArchived}, IncludeArchived: true},
			[]string{"archived"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/api/3/project/search", func(w http.ResponseWriter, r *http.Request) {
				if diff := cmp.Diff(tt.want, r.URL.Query()["status"]); diff != "" {
					t.Errorf("status (-want +got):\n%s", diff)
				}
				writeJSON(w, http.StatusOK, `{"startAt":0,"maxResults":50,"total":0,"isLast":true,"values":[]}`)
			})
			opts := tt.opts
			projects, resp, err := client.Projects.Search(t.Context(), &opts)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if len(projects) != 0 || resp.NextCursor != "" {
				t.Errorf("got %d projects, cursor %q; want none and no cursor", len(projects), resp.NextCursor)
			}
			if len(opts.Status) != len(tt.opts.Status) {
				t.Errorf("Search modified the caller's Status")
			}
		})
	}
}

func TestProjectsSearch_invalidOptions(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/api/3/project/search", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusOK, `{"values":[]}`)
	})
	ids := make([]ProjectID, 51)
	keys := make([]ProjectKey, 51)
	for i := range ids {
		ids[i] = ProjectID(strconv.Itoa(10000 + i))
		keys[i] = ProjectKey(fmt.Sprintf("K%d", i))
	}
	for name, opts := range map[string]*ProjectSearchOptions{
		"51 IDs":     {IDs: ids},
		"51 keys":    {Keys: keys},
		"empty ID":   {IDs: []ProjectID{""}},
		"empty key":  {Keys: []ProjectKey{""}},
		"bad cursor": {ListOptions: ListOptions{Cursor: "t123"}},
	} {
		if _, _, err := client.Projects.Search(t.Context(), opts); err == nil {
			t.Errorf("%s: Search succeeded, want an error", name)
		}
	}
	// Exactly 50 is fine.
	if _, _, err := client.Projects.Search(t.Context(), &ProjectSearchOptions{IDs: ids[:50], Keys: keys[:50]}); err != nil {
		t.Errorf("50 IDs and keys: %v", err)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("server calls = %d, want 1 (invalid options must not be sent)", got)
	}
}

func TestProjectsSearchIter_pages(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	// Page 1 is full; page 2 is silently shortened to one project although
	// two were asked for and isLast is false; page 3 is empty with no isLast.
	h.pages["0"] = `{"startAt":0,"maxResults":2,"total":4,"isLast":false,"values":[{"id":"1","key":"A"},{"id":"2","key":"B"}]}`
	h.pages["2"] = `{"startAt":2,"maxResults":1,"total":4,"isLast":false,"values":[{"id":"3","key":"C"}]}`
	h.pages["3"] = `{"startAt":3,"maxResults":2,"total":4,"values":[]}`
	mux.HandleFunc("/rest/api/3/project/search", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("maxResults"); got != "2" {
			t.Errorf("maxResults = %s, want 2", got)
		}
		if got := r.URL.Query().Get("query"); got != "x" {
			t.Errorf("query = %q, want x (options must carry over to every page)", got)
		}
		h.ServeHTTP(w, r)
	})
	opts := &ProjectSearchOptions{ListOptions: ListOptions{PageSize: 2}, Query: "x"}
	projects, errs := collect(client.Projects.SearchIter(t.Context(), opts))
	noErrs(t, errs)
	keys := pluck(projects, func(p Project) ProjectKey { return p.Key })
	if diff := cmp.Diff([]ProjectKey{"A", "B", "C"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	wantStarts(t, h.seen(), "0", "2", "3")
	if opts.Cursor != "" {
		t.Errorf("SearchIter modified the caller's options: cursor %q", opts.Cursor)
	}
}

func TestProjectsSearchIter_isLastStops(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	h.pages["0"] = `{"startAt":0,"maxResults":50,"total":99,"isLast":true,"values":[{"id":"1","key":"A"}]}`
	mux.Handle("/rest/api/3/project/search", h)
	projects, errs := collect(client.Projects.SearchIter(t.Context(), nil))
	if len(errs) != 0 || len(projects) != 1 {
		t.Fatalf("got %d projects, errors %v; want 1 project", len(projects), errs)
	}
	if got := h.calls.Load(); got != 1 {
		t.Errorf("calls = %d, want 1: isLast must stop even though total is larger", got)
	}
}

func TestProjectsSearchIter_errorPageStops(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	h.pages["0"] = `{"startAt":0,"maxResults":1,"isLast":false,"values":[{"id":"1","key":"A"}]}`
	h.pages["1"] = `{"errorMessages":["No project could be found"],"errors":{}}`
	h.status["1"] = http.StatusNotFound
	mux.Handle("/rest/api/3/project/search", h)

	var keys []ProjectKey
	var errs []error
	for p, err := range client.Projects.SearchIter(t.Context(), &ProjectSearchOptions{ListOptions: ListOptions{PageSize: 1}}) {
		if err != nil {
			errs = append(errs, err)
			continue // keep ranging: the iterator must still stop
		}
		keys = append(keys, p.Key)
	}
	if diff := cmp.Diff([]ProjectKey{"A"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrNotFound) {
		t.Fatalf("errors = %v, want one ErrNotFound", errs)
	}
	if got := h.calls.Load(); got != 2 {
		t.Errorf("calls = %d, want 2", got)
	}
}

func TestProjectsSearchIter_breakStopsFetching(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	h.pages["0"] = `{"startAt":0,"maxResults":2,"isLast":false,"values":[{"id":"1","key":"A"},{"id":"2","key":"B"}]}`
	mux.Handle("/rest/api/3/project/search", h)
	for range client.Projects.SearchIter(t.Context(), nil) {
		break
	}
	if got := h.calls.Load(); got != 1 {
		t.Errorf("calls = %d, want 1", got)
	}
}

func TestProjectsGet(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/EX", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"expand": {"description,projectKeys"}})
		writeJSON(w, http.StatusOK, fixture(t, "projects_get.json"))
	})
	p, _, err := client.Projects.Get(t.Context(), "EX", ProjectExpandDescription, ProjectExpandProjectKeys)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := &Project{
		ID: "10000", Key: "EX", Name: "Example", Self: "https://your-domain.atlassian.net/rest/api/3/project/10000",
		Style: ProjectStyleClassic, Description: "This project was created as an example for REST.",
		Lead: &User{Self: "https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
			AccountID: "5b10a2844c20165700ede21g", AccountType: AccountTypeAtlassian, DisplayName: "Mia Krystof"},
		IssueTypes: []IssueType{
			{ID: "3", Name: "Task", Description: "A task that needs to be done.", Self: "https://your-domain.atlassian.net/rest/api/3/issueType/3",
				IconURL: "https://your-domain.atlassian.net/secure/viewavatar?size=xsmall&avatarId=10299&avatarType=issuetype", AvatarID: 1},
			{ID: "1", Name: "Bug", Description: "A problem with the software.", Self: "https://your-domain.atlassian.net/rest/api/3/issueType/1",
				IconURL:  "https://your-domain.atlassian.net/secure/viewavatar?size=xsmall&avatarId=10316&avatarType=issuetype",
				AvatarID: 10002, EntityID: "9d7dd6f7-e8b6-4247-954b-7b2c9b2a5ba2",
				Scope: &RoleScope{Type: "PROJECT", Project: &RoleScopeProject{ID: "10000"}}},
		},
		URL: "https://www.example.com", Email: "from-jira@example.com", AssigneeType: "PROJECT_LEAD",
		Roles:       map[string]string{"Developers": "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10000"},
		AvatarURLs:  map[string]string{"48x48": "https://your-domain.atlassian.net/secure/projectavatar?size=large&pid=10000"},
		ProjectKeys: []ProjectKey{"EX"},
		ProjectCategory: &ProjectCategory{ID: "10000", Name: "FIRST", Description: "First Project Category",
			Self: "https://your-domain.atlassian.net/rest/api/3/projectCategory/10000"},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("project (-want +got):\n%s", diff)
	}
}

func TestProjectsGet_escapesAndValidates(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != "/rest/api/3/project/A%2FB" {
			t.Errorf("escaped path = %s, want /rest/api/3/project/A%%2FB", r.URL.EscapedPath())
		}
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["No project could be found with key 'A/B'."],"errors":{}}`)
	})
	_, _, err := client.Projects.Get(t.Context(), "A/B")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "  ", "..", "."} {
		if _, _, err := client.Projects.Get(t.Context(), bad); err == nil {
			t.Errorf("Get(%q) succeeded, want an error", bad)
		}
	}
}

func TestProjectTeamManaged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Project
		want bool
	}{
		{Project{Style: ProjectStyleClassic}, false},
		{Project{}, false},
		{Project{Style: ProjectStyleNextGen}, true},
		{Project{Simplified: true}, true},
		{Project{Simplified: true, Style: ProjectStyleNextGen}, true},
	}
	for _, tt := range tests {
		if got := tt.p.TeamManaged(); got != tt.want {
			t.Errorf("%+v.TeamManaged() = %v, want %v", tt.p, got, tt.want)
		}
	}
}
