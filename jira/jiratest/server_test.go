package jiratest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

func TestAuthForms(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.Unlimited())
	defer srv.Close()
	site, gw := srv.URL+"/rest/api/3/myself", srv.GatewayURL()+"/rest/api/3/myself"
	cases := []struct {
		name string
		a    auth
		url  string
		want int
	}{
		{"classic on site", classic(srv), site, 200},
		{"classic on gateway", classic(srv), gw, 401},
		{"scoped on site", scoped(srv), site, 401},
		{"scoped on gateway", scoped(srv), gw, 200},
		{"service account on gateway", service(srv), gw, 200},
		{"service account on site", service(srv), site, 401},
		{"bearer on gateway", bearer(srv), gw, 200},
		{"bearer on site", bearer(srv), site, 401},
		{"wrong token on site", auth{User: srv.Email, Pass: "nope"}, site, 401},
		{"wrong token on gateway", auth{User: srv.Email, Pass: "nope"}, gw, 401},
		{"anonymous on site", auth{}, site, 401},
		{"admin key on site", admin(srv), site, 401},
		{"admin key on admin", admin(srv), srv.AdminURL() + "/v1/orgs", 200},
		{"scoped admin key on admin", auth{Bearer: srv.ScopedAdminKey}, srv.AdminURL() + "/v1/orgs", 200},
		{"classic on admin", classic(srv), srv.AdminURL() + "/v1/orgs", 401},
		{"wrong cloud id", scoped(srv), srv.URL + "/ex/jira/00000000-0000-0000-0000-000000000000/rest/api/3/myself", 404},
		{"tenant_info needs no auth", auth{}, srv.URL + "/_edge/tenant_info", 200},
		{"serverInfo anonymous", auth{}, srv.URL + "/rest/api/3/serverInfo", 200},
	}
	for _, tc := range cases {
		resp, b := fakehttp.Do(t, tc.a, "GET", tc.url, nil)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d: %s", tc.name, resp.StatusCode, tc.want, b)
		}
		if resp.Header.Get("Atl-Traceid") == "" {
			t.Errorf("%s: no Atl-Traceid", tc.name)
		}
	}
	// The site's 401 for a scoped token is the real plain-text one; the gateway's is JSON.
	resp, b := fakehttp.Do(t, scoped(srv), "GET", site, nil)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.Contains(string(b), "Client must be authenticated") {
		t.Errorf("site 401 = %q %s", resp.Header.Get("Content-Type"), b)
	}
	_, b = fakehttp.Do(t, classic(srv), "GET", gw, nil)
	wantContains(t, b, `"code":401`)

	var ti struct{ CloudID string }
	fakehttp.GetJSON(t, auth{}, srv.URL+"/_edge/tenant_info", &ti)
	if ti.CloudID != srv.CloudID {
		t.Errorf("tenant_info cloudId %q, want %q", ti.CloudID, srv.CloudID)
	}
	var me struct {
		AccountID string `json:"accountId"`
		AppType   string `json:"appType"`
	}
	fakehttp.GetJSON(t, service(srv), gw, &me)
	if me.AppType != "service" {
		t.Errorf("service account appType %q", me.AppType)
	}

	// User management refuses scoped admin keys, and accepts the unscoped one.
	snap := srv.Snapshot()
	mgmt := srv.APIRootURL() + "/users/" + url.PathEscape(snap.AdminAccountID) + "/manage/profile"
	resp, b = fakehttp.Do(t, auth{Bearer: srv.ScopedAdminKey}, "GET", mgmt, nil)
	fakehttp.WantStatus(t, resp, b, 403)
	resp, b = fakehttp.Do(t, admin(srv), "GET", mgmt, nil)
	fakehttp.WantStatus(t, resp, b, 200)
	wantContains(t, b, `"account_status":"active"`)
}

func TestLowPrivilegeAccount(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.Unlimited())
	defer srv.Close()
	id := srv.AddAccount("intern@acme.example", "intern-token", jiratest.Permissions{})
	low := auth{User: "intern@acme.example", Pass: "intern-token"}
	snap := srv.Snapshot()
	base := srv.URL + "/rest/api/3"
	for _, p := range []string{"/users/search", "/group/bulk", "/group/member?groupId=" + snap.Groups[0].ID,
		"/applicationrole", "/role", "/permissionscheme", "/auditing/record"} {
		resp, b := fakehttp.Do(t, low, "GET", base+p, nil)
		if resp.StatusCode != 403 {
			t.Errorf("GET %s as low-privilege: %d %s", p, resp.StatusCode, b)
		}
		if !strings.Contains(string(b), `"errorMessages"`) || !strings.Contains(string(b), `"errors":{}`) {
			t.Errorf("GET %s: not a Jira error body: %s", p, b)
		}
	}
	// user/search answers an empty list instead of 403.
	var users []jUser
	fakehttp.GetJSON(t, low, base+"/user/search?query=a", &users)
	if len(users) != 0 {
		t.Errorf("user/search without permission returned %d users", len(users))
	}
	// The account is in no group: it sees only projects whose scheme lets "anyone" browse.
	var ps fakehttp.PageBean[struct{ ID string }]
	fakehttp.GetJSON(t, low, base+"/project/search", &ps)
	scheme := map[string]int64{}
	for _, p := range snap.Projects {
		scheme[p.ID] = p.PermissionSchemeID
	}
	for _, p := range ps.Values {
		if scheme[p.ID] != 10002 {
			t.Errorf("low-privilege account sees project %s (scheme %d)", p.ID, scheme[p.ID])
		}
	}
	var all fakehttp.PageBean[struct{ ID string }]
	fakehttp.GetJSON(t, classic(srv), base+"/project/search", &all)
	if ps.Total >= all.Total {
		t.Errorf("low-privilege account sees %d of %d projects", ps.Total, all.Total)
	}
	resp, b := fakehttp.Do(t, low, "POST", base+"/group/user?groupId="+snap.Groups[3].ID, map[string]string{"accountId": id})
	fakehttp.WantStatus(t, resp, b, 403)
	var me jUser
	fakehttp.GetJSON(t, low, base+"/myself", &me)
	if me.AccountID != id {
		t.Errorf("myself = %s, want %s", me.AccountID, id)
	}
}

func TestPagingCaps(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Medium, 1)
	srv := jiratest.NewServer(tn, jiratest.Unlimited(),
		jiratest.WithMaxResultsCap("GET /rest/api/3/users", 7),
		jiratest.WithMaxResultsCap("/rest/api/3/user/bulk", 3))
	defer srv.Close()
	a, base := classic(srv), srv.URL+"/rest/api/3"

	var users []jUser
	fakehttp.GetJSON(t, a, base+"/users/search?maxResults=5000", &users)
	if len(users) != 1000 {
		t.Errorf("users/search maxResults=5000 returned %d, want the silent cap 1000", len(users))
	}
	fakehttp.GetJSON(t, a, base+"/users/search", &users)
	if len(users) != 50 {
		t.Errorf("users/search default page %d, want 50", len(users))
	}
	fakehttp.GetJSON(t, a, base+"/users?maxResults=100", &users)
	if len(users) != 7 {
		t.Errorf("capped /users returned %d, want 7", len(users))
	}
	all := fakehttp.WalkArray[jUser](t, a, base+"/users/search?", 1000)
	if len(all) != len(tn.Users) {
		t.Errorf("walked %d users, want %d", len(all), len(tn.Users))
	}

	big := tn.Groups[2] // jira-software-users: hundreds of members
	var members fakehttp.PageBean[jUser]
	fakehttp.GetJSON(t, a, base+"/group/member?maxResults=500&groupId="+big.ID, &members)
	if members.MaxResults != 50 || len(members.Values) != 50 || members.IsLast {
		t.Errorf("group/member maxResults=500: maxResults=%d values=%d isLast=%v", members.MaxResults, len(members.Values), members.IsLast)
	}
	if members.NextPage == "" || !strings.Contains(members.NextPage, "startAt=50") {
		t.Errorf("nextPage %q", members.NextPage)
	}
	for i := 1; i < len(members.Values); i++ {
		if strings.ToLower(members.Values[i-1].DisplayName) > strings.ToLower(members.Values[i].DisplayName) {
			t.Fatalf("members not sorted by display name: %q > %q", members.Values[i-1].DisplayName, members.Values[i].DisplayName)
		}
	}
	active := fakehttp.WalkPageBean[jUser](t, a, base+"/group/member?groupId="+big.ID)
	withInactive := fakehttp.WalkPageBean[jUser](t, a, base+"/group/member?includeInactiveUsers=true&groupId="+big.ID)
	if len(active) >= len(withInactive) {
		t.Errorf("inactive members not hidden by default: %d vs %d", len(active), len(withInactive))
	}
	for _, u := range active {
		if !u.Active {
			t.Fatalf("inactive %s listed without includeInactiveUsers", u.AccountID)
		}
	}

	var gb fakehttp.PageBean[jGroup]
	fakehttp.GetJSON(t, a, base+"/group/bulk?maxResults=1000", &gb)
	if gb.MaxResults != 50 || len(gb.Values) != 50 || gb.Total != len(tn.Groups) {
		t.Errorf("group/bulk: maxResults=%d values=%d total=%d", gb.MaxResults, len(gb.Values), gb.Total)
	}
	var prj fakehttp.PageBean[map[string]any]
	fakehttp.GetJSON(t, a, base+"/project/search?maxResults=1000", &prj)
	if prj.MaxResults != 100 {
		t.Errorf("project/search maxResults=%d, want 100", prj.MaxResults)
	}
	var bulk fakehttp.PageBean[jUser]
	fakehttp.GetJSON(t, a, base+"/user/bulk?accountId="+tn.Users[0].AccountID+"&accountId="+tn.Users[1].AccountID+
		"&accountId="+tn.Users[2].AccountID+"&accountId="+tn.Users[3].AccountID, &bulk)
	if bulk.MaxResults != 3 || len(bulk.Values) != 3 || bulk.IsLast {
		t.Errorf("capped user/bulk: %+v", bulk)
	}

	p := tn.Projects[0]
	resp, b := fakehttp.Do(t, a, "GET", base+"/issue/createmeta/"+p.Key+"/issuetypes?maxResults=201", nil)
	fakehttp.WantStatus(t, resp, b, 400)
	wantContains(t, b, "Parameter 'maxResults' must not exceed the limit '200'")
	var cm struct {
		MaxResults int               `json:"maxResults"`
		Total      int               `json:"total"`
		IssueTypes []json.RawMessage `json:"issueTypes"`
	}
	fakehttp.GetJSON(t, a, base+"/issue/createmeta/"+p.Key+"/issuetypes?maxResults=200", &cm)
	if cm.Total != len(p.IssueTypeIDs) || len(cm.IssueTypes) != cm.Total {
		t.Errorf("createmeta issuetypes: %+v", cm)
	}

	// user/search reaches only the first 1000 active users.
	var us []jUser
	fakehttp.GetJSON(t, a, base+"/user/search?query=&startAt=990&maxResults=50", &us)
	if len(us) != 10 {
		t.Errorf("user/search past the 1000th user returned %d, want 10", len(us))
	}
}

func TestViewIssueSearchWindow(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Medium, 1)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()
	a, base := classic(srv), srv.URL+"/rest/api/3"
	var restricted *jiratest.Project
	for _, p := range tn.Projects {
		if p.PermissionSchemeID == 10001 && !p.Archived && !p.Deleted {
			restricted = p
			break
		}
	}
	if restricted == nil {
		t.Fatal("no restricted project")
	}
	// Pages scan a window and then filter: a restricted project's first page is short although more users follow.
	var page []jUser
	fakehttp.GetJSON(t, a, base+"/user/viewissue/search?query=.&projectKey="+restricted.Key+"&maxResults=50", &page)
	if len(page) >= 50 {
		t.Errorf("restricted project page has %d users; the window semantics should make it short", len(page))
	}
	total := 0
	for start := 0; start < 1100; start += 50 {
		fakehttp.GetJSON(t, a, base+"/user/viewissue/search?query=.&projectKey="+restricted.Key+"&startAt="+strconv.Itoa(start)+"&maxResults=50", &page)
		if start >= 1000 && len(page) != 0 {
			t.Errorf("window past the 1000th user returned %d users", len(page))
		}
		total += len(page)
	}
	if total <= 0 {
		t.Error("no participants at all")
	}
	resp, b := fakehttp.Do(t, a, "GET", base+"/user/viewissue/search?query=.&projectKey=NOPE", nil)
	fakehttp.WantStatus(t, resp, b, 404)
	resp, b = fakehttp.Do(t, a, "GET", base+"/user/permission/search?permissions=BROWSE_PROJECTS&projectKey="+restricted.Key+"&maxResults=1000", nil)
	fakehttp.WantStatus(t, resp, b, 200)
}

func TestEmptyPagesAndTotalDrift(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 1)
	srv := jiratest.NewServer(tn, jiratest.Unlimited(), jiratest.WithEmptyPages(1), jiratest.WithTotalDrift())
	defer srv.Close()
	a, base := classic(srv), srv.URL+"/rest/api/3"
	totals := map[int]bool{}
	var got []jGroup
	sawEmpty := false
	for start, guard := 0, 0; ; guard++ {
		if guard > 100 {
			t.Fatal("no end")
		}
		var pb fakehttp.PageBean[jGroup]
		fakehttp.GetJSON(t, a, base+"/group/bulk?maxResults=5&startAt="+strconv.Itoa(start), &pb)
		totals[pb.Total] = true
		if pb.IsLast {
			t.Fatalf("a page claimed isLast although the option hides it: %+v", pb)
		}
		if len(pb.Values) == 0 {
			sawEmpty = true
			break // stop on an empty page, as the docs require
		}
		got = append(got, pb.Values...)
		start += len(pb.Values)
	}
	if len(got) != len(tn.Groups) || !sawEmpty {
		t.Errorf("walked %d groups (want %d), empty page seen: %v", len(got), len(tn.Groups), sawEmpty)
	}
	if len(totals) < 2 {
		t.Errorf("total never drifted: %v", totals)
	}
	// An empty collection: the first page is empty and not last.
	var pb fakehttp.PageBean[jUser]
	fakehttp.GetJSON(t, a, base+"/user/bulk?accountId=nobody", &pb)
	if len(pb.Values) != 0 || pb.IsLast {
		t.Errorf("empty collection page %+v", pb)
	}
	members := fakehttp.WalkPageBean[jUser](t, a, base+"/group/member?includeInactiveUsers=true&maxResults=2&groupId="+tn.Groups[2].ID)
	if len(members) != len(tn.Groups[2].Members) {
		t.Errorf("walked %d members, want %d", len(members), len(tn.Groups[2].Members))
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now } // frozen: buckets never refill
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.WithClock(clock))
	defer srv.Close()
	a, base := classic(srv), srv.URL+"/rest/api/3"
	var last *http.Response
	ok := 0
	for i := range 120 {
		resp, b := fakehttp.Do(t, a, "GET", base+"/myself", nil)
		if resp.StatusCode == 429 {
			last = resp
			wantContains(t, b, "errorMessages")
			break
		}
		fakehttp.WantStatus(t, resp, b, 200)
		ok++
		if lim := resp.Header.Get("X-RateLimit-Limit"); lim != "100" {
			t.Fatalf("X-RateLimit-Limit %q", lim)
		}
		rem, _ := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
		if rem != 99-i {
			t.Fatalf("request %d: remaining %d, want %d", i, rem, 99-i)
		}
		if near := resp.Header.Get("X-RateLimit-NearLimit"); (rem < 20) != (near == "true") {
			t.Fatalf("remaining %d, NearLimit %q", rem, near)
		}
	}
	if ok != 100 || last == nil {
		t.Fatalf("%d requests passed before a 429, want 100", ok)
	}
	h := last.Header
	if h.Get("Retry-After") != "1" || h.Get("X-RateLimit-Remaining") != "0" || h.Get("RateLimit-Reason") != "jira-burst-based" {
		t.Errorf("429 headers: %v", h)
	}
	if _, err := time.Parse(time.RFC3339, h.Get("X-RateLimit-Reset")); err != nil {
		t.Errorf("X-RateLimit-Reset %q: %v", h.Get("X-RateLimit-Reset"), err)
	}
	// Other endpoints have their own bucket; the role-actor endpoint allows 200/s.
	var p *jiratest.Project
	for _, x := range srv.Snapshot().Projects {
		if !x.Simplified && !x.Deleted {
			p = x
			break
		}
	}
	resp, b := fakehttp.Do(t, a, "GET", fmt.Sprintf("%s/project/%s/role/%d", base, p.ID, jiratest.RoleAdministrators), nil)
	fakehttp.WantStatus(t, resp, b, 200)
	if resp.Header.Get("X-RateLimit-Limit") != "200" {
		t.Errorf("role actors limit %q, want 200", resp.Header.Get("X-RateLimit-Limit"))
	}
	st := srv.Stats()
	if st.RateLimited != 1 || st.Status[429] != 1 {
		t.Errorf("stats: rateLimited=%d status=%v", st.RateLimited, st.Status)
	}

	// A burst from many goroutines under the real clock trips the limiter too.
	burst := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.WithRateLimits(jiratest.RateLimits{
		PerMethod: map[string]float64{"GET": 5}}))
	defer burst.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				resp, _ := fakehttp.Do(t, classic(burst), "GET", burst.URL+"/rest/api/3/serverInfo", nil)
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if codes[429] == 0 || codes[200] < 5 {
		t.Errorf("burst of 80 at 5/s: %v", codes)
	}
}

func TestQuotaAndPerIssueLimits(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 10, 30, 0, 0, time.UTC)
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.WithClock(func() time.Time { return now }),
		jiratest.WithRateLimits(jiratest.RateLimits{HourlyQuota: 3, IssueWritesPer2s: 1}))
	defer srv.Close()
	a := classic(srv)
	for range 3 {
		resp, b := fakehttp.Do(t, a, "GET", srv.URL+"/rest/api/3/serverInfo", nil)
		fakehttp.WantStatus(t, resp, b, 200)
	}
	resp, b := fakehttp.Do(t, a, "GET", srv.URL+"/rest/api/3/field", nil)
	fakehttp.WantStatus(t, resp, b, 429)
	if resp.Header.Get("RateLimit-Reason") != "jira-quota-tenant-based" || resp.Header.Get("Retry-After") != "1800" ||
		resp.Header.Get("X-RateLimit-Reset") != "2026-06-01T11:00:00Z" {
		t.Errorf("quota 429 headers %v", resp.Header)
	}

	// The user-search endpoints share one collective bucket.
	us := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.WithClock(func() time.Time { return now }),
		jiratest.WithRateLimits(jiratest.RateLimits{Overrides: map[string]float64{"GET user-search (collective)": 2}}))
	defer us.Close()
	p := us.Snapshot().Projects[0].Key
	for _, path := range []string{"/user/search?query=a", "/user/viewissue/search?query=.&projectKey=" + p} {
		resp, b := fakehttp.Do(t, classic(us), "GET", us.URL+"/rest/api/3"+path, nil)
		fakehttp.WantStatus(t, resp, b, 200)
	}
	resp, b = fakehttp.Do(t, classic(us), "GET", us.URL+"/rest/api/2/user/permission/search?permissions=BROWSE_PROJECTS&projectKey="+p, nil)
	fakehttp.WantStatus(t, resp, b, 429)
	wantContains(t, b, "User search endpoints share a collective rate limit")

	issues := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.WithClock(func() time.Time { return now }),
		jiratest.WithRateLimits(jiratest.RateLimits{IssueWritesPer2s: 1}))
	defer issues.Close()
	key := issues.Snapshot().Issues[0].Key
	edit := map[string]any{"update": map[string]any{"labels": []map[string]string{{"add": "x"}}}}
	resp, b = fakehttp.Do(t, classic(issues), "PUT", issues.URL+"/rest/api/3/issue/"+key, edit)
	fakehttp.WantStatus(t, resp, b, 204)
	resp, b = fakehttp.Do(t, classic(issues), "PUT", issues.URL+"/rest/api/3/issue/"+key, edit)
	fakehttp.WantStatus(t, resp, b, 429)
	if resp.Header.Get("RateLimit-Reason") != "jira-per-issue-on-write" {
		t.Errorf("per-issue 429 reason %q", resp.Header.Get("RateLimit-Reason"))
	}
}

// noReuse is a client without keep-alives: Go's transport silently retries a GET whose reused connection was
// reset, which would hide injected resets.
var noReuse = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// outcome classifies a response for fault comparisons.
func outcome(srvURL string, a auth, path string) string {
	req, _ := http.NewRequest("GET", srvURL+path, nil)
	req.SetBasicAuth(a.User, a.Pass)
	resp, err := noReuse.Do(req)
	if err != nil {
		return "transport-error"
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || (resp.StatusCode == 200 && !json.Valid(b)) {
		return fmt.Sprintf("%d-truncated", resp.StatusCode)
	}
	return strconv.Itoa(resp.StatusCode) + resp.Header.Get("Retry-After")
}

func TestFaultsReproducible(t *testing.T) {
	t.Parallel()
	f := jiratest.Faults{Seed: 42, Rate5xx: 0.1, Rate503RetryAfter: 0.1, RateReset: 0.05, RateTruncated: 0.05,
		Rate429Storm: 0.02, StormLength: 3}
	run := func(f jiratest.Faults, concurrent bool) map[string][]string {
		srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.Unlimited(), jiratest.WithFaults(f))
		defer srv.Close()
		paths := []string{"/rest/api/3/serverInfo", "/rest/api/3/field"}
		out := map[string][]string{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, p := range paths {
			work := func() {
				defer wg.Done()
				var seq []string
				for range 60 {
					seq = append(seq, outcome(srv.URL, classic(srv), p))
				}
				mu.Lock()
				out[p] = seq
				mu.Unlock()
			}
			wg.Add(1)
			if concurrent {
				go work()
			} else {
				work()
			}
		}
		wg.Wait()
		st := srv.Stats()
		if st.Faults == 0 {
			t.Error("no fault injected")
		}
		return out
	}
	a, b := run(f, false), run(f, true)
	kinds := map[string]bool{}
	for p := range a {
		if strings.Join(a[p], ",") != strings.Join(b[p], ",") {
			t.Errorf("%s: fault sequences differ\n%v\n%v", p, a[p], b[p])
		}
		for _, o := range a[p] {
			kinds[o] = true
		}
	}
	for _, k := range []string{"200", "5031", "transport-error", "200-truncated", "4291"} {
		if !kinds[k] {
			t.Errorf("outcome %q never happened in %v", k, kinds)
		}
	}
	f.Seed = 43
	c := run(f, false)
	if strings.Join(a["/rest/api/3/field"], ",") == strings.Join(c["/rest/api/3/field"], ",") {
		t.Error("another seed gave the same faults")
	}
}

func TestSlowFaultHonoursCancellation(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(nil, jiratest.Unlimited(), jiratest.WithFaults(jiratest.Faults{Seed: 1, RateSlow: 1, SlowDelay: time.Minute}))
	defer srv.Close()
	client := &http.Client{Timeout: 100 * time.Millisecond}
	req, _ := http.NewRequest("GET", srv.URL+"/rest/api/3/serverInfo", nil)
	start := time.Now()
	_, err := client.Do(req)
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() || time.Since(start) > 10*time.Second {
		t.Fatalf("slow fault: err=%v after %v", err, time.Since(start))
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(nil, jiratest.Unlimited(), jiratest.WithLatency(30*time.Millisecond), jiratest.WithJitter(10*time.Millisecond))
	defer srv.Close()
	start := time.Now()
	resp, b := fakehttp.Do(t, auth{}, "GET", srv.URL+"/rest/api/3/serverInfo", nil)
	fakehttp.WantStatus(t, resp, b, 200)
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("latency not applied: %v", d)
	}
}

// TestTenantAccessorsMatchEndpoints checks the tenant accessors that tests derive expectations from against what the
// server serves: ProjectPermissions against /user/permission/search (a small site fits in one 1000-user window) and
// ProjectRoles against /project/{id}/role.
func TestTenantAccessorsMatchEndpoints(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 4)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()
	a, base := classic(srv), srv.URL+"/rest/api/3"
	can := tn.ProjectPermissions()
	checked := 0
	for _, p := range tn.Projects {
		if p.Deleted || p.Archived {
			continue
		}
		var want []string
		for _, u := range tn.Users {
			if can(u, p, jiratest.PermBrowseProjects) {
				want = append(want, u.AccountID)
			}
		}
		var page []jUser
		fakehttp.GetJSON(t, a, base+"/user/permission/search?permissions=BROWSE_PROJECTS&maxResults=1000&projectKey="+p.Key, &page)
		var got []string
		for _, u := range page {
			got = append(got, u.AccountID)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("project %s: /user/permission/search lists %v, ProjectPermissions %v", p.Key, got, want)
		}
		if len(want) > 0 && len(want) < len(tn.Users) {
			checked++
		}
		var roles map[string]string
		fakehttp.GetJSON(t, a, base+"/project/"+p.ID+"/role", &roles)
		if n := len(tn.ProjectRoles(p)); n != len(roles) || n == 0 {
			t.Errorf("project %s: /project/{id}/role lists %d roles, ProjectRoles %d", p.Key, len(roles), n)
		}
	}
	if checked == 0 {
		t.Fatal("no project that some but not all users may browse: the test checks nothing")
	}
}
