package httpserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// call sends a JSON request with the test token and decodes the answer.
func (e *env) call(method, path, body string, wantCode int, v any) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	resp := e.do(method, path, testToken, rd, "Content-Type", "application/json")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantCode {
		e.t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, b, wantCode)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// mutations returns "METHOD summary" of the fake's writes after the first n.
func (e *env) mutations(n int) []string {
	var out []string
	for _, m := range e.fake.MutationLog()[n:] {
		out = append(out, m.Method+" "+m.Summary)
	}
	return out
}

// provTargets picks an ordinary group and a classic project from the
// tenant the test server serves (jiratest.Generate is deterministic).
func provTargets(t *testing.T) (group, project string) {
	t.Helper()
	tn := jiratest.Generate(jiratest.Small, 1)
	for _, g := range tn.Groups {
		if !g.Admin && !g.SiteAdmin && !strings.Contains(g.Name, "admin") && !strings.Contains(g.Name, "users") && !strings.HasPrefix(g.Name, "jira-") &&
			!strings.HasPrefix(g.Name, "atlassian-addons") {
			group = g.ID
			break
		}
	}
	for _, p := range tn.Projects {
		if !p.Deleted && !p.Archived && !p.Simplified {
			project = p.ID
			break
		}
	}
	if group == "" || project == "" {
		t.Fatalf("the generated tenant has no ordinary group (%q) or classic project (%q)", group, project)
	}
	return group, project
}

// TestProvisioningRoutes: invite, grant and revoke a group membership and a
// role actor through the API, with the fake's mutation log checked; repeats
// are already done and write nothing; errors map to HTTP with a message.
func TestProvisioningRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.Provisioning = true }, jiratest.Unlimited())
	group, project := provTargets(t)

	var acct AccountResponse
	e.call("POST", "/v1/accounts", `{"email": "lin@acme.example", "products": ["jira-software"]}`, http.StatusCreated, &acct)
	if acct.AccountID == "" || acct.Existed || acct.AlreadyDone {
		t.Fatalf("invite: %+v", acct)
	}
	var again AccountResponse
	e.call("POST", "/v1/accounts", `{"email": "lin@acme.example"}`, http.StatusOK, &again)
	if again.AccountID != acct.AccountID || !again.Existed || !again.AlreadyDone {
		t.Fatalf("second invite: %+v, want the existing account %s", again, acct.AccountID)
	}

	for _, tc := range []struct{ name, ent, ptype, pid, want string }{
		{"group member", "group:" + group + ":member", "user", acct.AccountID, "user " + acct.AccountID},
		{"role user actor", fmt.Sprintf("project-role:%s:%d:assigned", project, jiratest.RoleMember), "user", acct.AccountID, acct.AccountID},
		{"role group actor", fmt.Sprintf("project-role:%s:%d:assigned", project, jiratest.RoleViewer), "group", group, group},
	} {
		t.Run(tc.name, func(t *testing.T) {
			grantID := tc.ent + ":" + tc.ptype + ":" + tc.pid
			body := fmt.Sprintf(`{"entitlement": %q, "principal": {"type": %q, "id": %q}}`, tc.ent, tc.ptype, tc.pid)
			n := len(e.fake.MutationLog())
			var g GrantResponse
			e.call("POST", "/v1/grants", body, http.StatusOK, &g)
			muts := e.mutations(n)
			t.Logf("grant %s: %q %q", grantID, g.Changes, muts)
			if g.AlreadyDone || len(g.Changes) == 0 || g.Grant != grantID || len(muts) != 1 ||
				!strings.HasPrefix(muts[0], "POST ") || !strings.Contains(muts[0], tc.pid) {
				t.Fatalf("grant: %+v; mutations %q", g, muts)
			}
			var g2 GrantResponse
			e.call("POST", "/v1/grants", body, http.StatusOK, &g2)
			if !g2.AlreadyDone || len(g2.Changes) != 0 || len(e.fake.MutationLog()) != n+1 {
				t.Fatalf("repeated grant: %+v; mutations %q", g2, e.mutations(n))
			}

			n = len(e.fake.MutationLog())
			var r GrantResponse
			e.call("DELETE", "/v1/grants/"+grantID, "", http.StatusOK, &r)
			muts = e.mutations(n)
			if r.AlreadyDone || len(r.Changes) == 0 || r.Entitlement != tc.ent || r.Principal != (PrincipalRef{tc.ptype, tc.pid}) ||
				len(muts) != 1 || !strings.HasPrefix(muts[0], "DELETE ") || !strings.Contains(muts[0], tc.pid) {
				t.Fatalf("revoke: %+v; mutations %q", r, muts)
			}
			var r2 GrantResponse
			e.call("DELETE", "/v1/grants/"+grantID, "", http.StatusOK, &r2)
			if !r2.AlreadyDone || len(e.fake.MutationLog()) != n+1 {
				t.Fatalf("repeated revoke: %+v; mutations %q", r2, e.mutations(n))
			}
		})
	}

	// Errors: the status says who must act, the message what to fix.
	n := len(e.fake.MutationLog())
	for _, tc := range []struct {
		method, path, body string
		code               int
		errCode, msg       string
	}{
		{"POST", "/v1/grants", `{"entitlement": "nonsense", "principal": {"type": "user", "id": "` + acct.AccountID + `"}}`,
			http.StatusBadRequest, "invalid_argument", "nonsense"},
		{"POST", "/v1/grants", `{"entitlement": "group:` + group + `:member"}`, http.StatusBadRequest, "bad_request", "principal"},
		{"POST", "/v1/grants", `{"entitlement": "group:` + group + `:member", "principal": {"type": "user", "id": "` + acct.AccountID + `"}, "x": 1}`,
			http.StatusBadRequest, "bad_json", "unknown field"},
		{"POST", "/v1/grants", `{"entitlement": "group:00000000-0000-0000-0000-000000000000:member", "principal": {"type": "user", "id": "` + acct.AccountID + `"}}`,
			http.StatusNotFound, "not_found", "00000000-0000-0000-0000-000000000000"},
		{"DELETE", "/v1/grants/not-a-grant", "", http.StatusBadRequest, "invalid_argument", "not-a-grant"},
		{"DELETE", "/v1/users/" + acct.AccountID, "", http.StatusConflict, "failed_precondition", "organization"},
		{"POST", "/v1/accounts", `{"products": ["jira-software"]}`, http.StatusBadRequest, "bad_request", "email"},
	} {
		var ae apiError
		e.call(tc.method, tc.path, tc.body, tc.code, &ae)
		if ae.Error.Code != tc.errCode || !strings.Contains(ae.Error.Message, tc.msg) {
			t.Errorf("%s %s %s: %+v, want code %s and a message naming %q", tc.method, tc.path, tc.body, ae.Error, tc.errCode, tc.msg)
		}
		if strings.Contains(ae.Error.Message, e.fake.APIToken) {
			t.Errorf("%s %s: the message holds the API token", tc.method, tc.path)
		}
	}
	if m := e.mutations(n); len(m) != 0 {
		t.Errorf("refused requests wrote: %q", m)
	}

	// Writes are logged at info with IDs, never the email or a secret.
	logs := e.logs.String()
	for _, want := range []string{"provisioning grant", "provisioning revoke", "provisioning create account", acct.AccountID, group} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	for _, secret := range []string{e.fake.APIToken, testToken, "lin@acme.example"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %.8s…", secret)
		}
	}
}

// TestProvisioningOffAndAuth: without Config.Provisioning every write
// route answers 403 provisioning_disabled and writes nothing; with it, the
// routes still need the token.
func TestProvisioningOffAndAuth(t *testing.T) {
	t.Parallel()
	off := newEnv(t, nil, jiratest.Unlimited())
	on := newEnv(t, func(c *Config) { c.Provisioning = true }, jiratest.Unlimited())
	group, _ := provTargets(t)
	reqs := []struct{ method, path, body string }{
		{"POST", "/v1/grants", `{"entitlement": "group:` + group + `:member", "principal": {"type": "group", "id": "` + group + `"}}`},
		{"DELETE", "/v1/grants/group:" + group + ":member:user:abc", ""},
		{"POST", "/v1/accounts", `{"email": "kim@acme.example"}`},
		{"DELETE", "/v1/users/abc", ""},
	}
	if off.srv.prov != nil {
		t.Error("a provisioner was built with provisioning off")
	}
	for _, rq := range reqs {
		var ae apiError
		off.call(rq.method, rq.path, rq.body, http.StatusForbidden, &ae)
		if ae.Error.Code != "provisioning_disabled" || !strings.Contains(ae.Error.Message, "--provisioning") {
			t.Errorf("%s %s with provisioning off: %+v", rq.method, rq.path, ae.Error)
		}
		for _, tok := range []string{"", "wrong-token-0123456789abcdef"} {
			resp := on.do(rq.method, rq.path, tok, strings.NewReader(rq.body), "Content-Type", "application/json")
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "unauthorized") {
				t.Errorf("%s %s with token %q: %d %s, want 401", rq.method, rq.path, tok, resp.StatusCode, b)
			}
		}
	}
	// The body limit applies as on every route.
	big := `{"email": "` + strings.Repeat("a", 2<<20) + `@acme.example"}`
	var ae apiError
	on.call("POST", "/v1/accounts", big, http.StatusRequestEntityTooLarge, &ae)
	if ae.Error.Code != "body_too_large" {
		t.Errorf("oversized body: %+v", ae.Error)
	}
	for _, e := range []*env{off, on} {
		if m := e.fake.MutationLog(); len(m) != 0 {
			t.Errorf("writes: %q", m)
		}
	}
	if !slices.ContainsFunc(on.srv.routes(), func(r route) bool { return r.pattern == "POST /v1/grants" && r.auth == authToken }) {
		t.Error("POST /v1/grants is not a token route")
	}
	// Shutdown closes the provisioner; later calls are refused cleanly.
	if err := on.srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	on.call("POST", "/v1/accounts", `{"email": "kim@acme.example"}`, http.StatusServiceUnavailable, &ae)
	if ae.Error.Code != "shutting_down" {
		t.Errorf("after shutdown: %+v", ae.Error)
	}
}

// TestProvisioningRateLimited: a site that asks for a long wait (its hourly
// quota is spent) answers 503 with Retry-After and the site's message.
func TestProvisioningRateLimited(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 0, 5, 0, time.UTC) // the quota resets in 3595 s
	e := newEnv(t, func(c *Config) { c.Provisioning = true },
		jiratest.WithRateLimits(jiratest.RateLimits{HourlyQuota: 1}), jiratest.WithClock(func() time.Time { return now }))
	group, _ := provTargets(t)
	body := `{"entitlement": "group:` + group + `:member", "principal": {"type": "user", "id": "712020:00000000-0000-0000-0000-00000000abcd"}}`
	var last *http.Response
	for range 3 { // the first requests may still fit in the quota
		resp := e.do("POST", "/v1/grants", testToken, strings.NewReader(body), "Content-Type", "application/json")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			last = resp
			var ae apiError
			if err := json.Unmarshal(b, &ae); err != nil || ae.Error.Message == "" {
				t.Fatalf("503 body %s", b)
			}
			break
		}
	}
	if last == nil {
		t.Fatal("no 503 once the hourly quota was spent")
	}
	ra, err := strconv.Atoi(last.Header.Get("Retry-After"))
	if err != nil || ra < 60 || ra > 3600 {
		t.Errorf("Retry-After %q, want the wait to the top of the hour", last.Header.Get("Retry-After"))
	}
}

// TestProvisioningDeprovisionOrgMode: in organization mode DELETE
// /v1/users/{user} suspends the account once; a repeat is already done.
func TestProvisioningDeprovisionOrgMode(t *testing.T) {
	t.Parallel()
	var fake *jiratest.Server
	e := newEnv(t, func(c *Config) {
		c.Provisioning = true
		fake = jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.Unlimited())
		t.Cleanup(fake.Close)
		c.Connector.JiraURL, c.Connector.JiraEmail, c.Connector.JiraAPIToken = fake.URL, fake.Email, fake.APIToken
		c.Connector.AtlassianOrgID, c.Connector.AtlassianAPIToken = fake.OrgID, fake.AdminKey
		c.Connector.AtlassianOptions = []atlassian.Option{atlassian.WithBaseURL(fake.AdminURL()), atlassian.WithLoopback()}
	})
	var acct AccountResponse
	e.call("POST", "/v1/accounts", `{"email": "pat@acme.example"}`, http.StatusCreated, &acct)
	n := len(fake.MutationLog())
	var d DeprovisionResponse
	e.call("DELETE", "/v1/users/"+acct.AccountID, "", http.StatusOK, &d)
	if d.AccountID != acct.AccountID || d.AlreadyDone || d.PreviousStatus != "active" || len(fake.MutationLog()) != n+1 {
		t.Fatalf("deprovision: %+v; mutations %q", d, fake.MutationLog()[n:])
	}
	e.call("DELETE", "/v1/users/"+acct.AccountID, "", http.StatusOK, &d)
	if !d.AlreadyDone || len(fake.MutationLog()) != n+1 {
		t.Fatalf("repeated deprovision: %+v", d)
	}
	if !strings.Contains(e.logs.String(), "provisioning deprovision") || strings.Contains(e.logs.String(), fake.AdminKey) {
		t.Error("the deprovision is not logged, or the log holds the admin key")
	}
}

// TestProvisioningWarnings: what the connector could not check before a
// write reaches the API client in "warnings" (here: Jira answers its
// documented 500 to the site-admin group listing, so an admin revoke
// cannot check whether the group also gives site administration).
func TestProvisioningWarnings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) {
		c.Provisioning = true
		// Jira's refusal is a 500, which the client retries: keep the waits short.
		c.Connector.JiraOptions = append(c.Connector.JiraOptions, jira.WithRetryPolicy(jira.RetryPolicy{MaxRetries: 2,
			BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	}, jiratest.Unlimited(), jiratest.WithSiteAdminAccessTypeError())
	var acct AccountResponse
	e.call("POST", "/v1/accounts", `{"email": "kim@acme.example", "products": ["jira-software"]}`, http.StatusCreated, &acct)
	// The account joins one group that gives Administer Jira.
	tn := jiratest.Generate(jiratest.Small, 1)
	var adminGroup string
	for _, g := range tn.Groups {
		if g.Admin && !g.SiteAdmin && strings.HasPrefix(g.Name, "jira-admins") {
			adminGroup = g.ID
		}
	}
	if adminGroup == "" {
		t.Fatal("the generated tenant has no jira-admins group")
	}
	ent := "site:" + e.fake.SiteHost + ":admin"
	var g GrantResponse
	e.call("POST", "/v1/grants", fmt.Sprintf(`{"entitlement": "group:%s:member", "principal": {"type": "user", "id": %q}}`,
		adminGroup, acct.AccountID), http.StatusOK, &g)
	if g.AlreadyDone || len(g.Changes) != 1 || len(g.Warnings) != 0 {
		t.Fatalf("join the admin group: %+v", g)
	}
	var raw map[string]any
	e.call("DELETE", "/v1/grants/"+ent+":user:"+acct.AccountID, "", http.StatusOK, &raw)
	ws, _ := raw["warnings"].([]any)
	if len(ws) != 1 || !strings.Contains(fmt.Sprint(ws[0]), "site administration was not checked") {
		t.Fatalf("revoke admin answered %v, want one warning saying site administration was not checked", raw)
	}
	// Without a warning the field is absent.
	var raw2 map[string]any
	e.call("DELETE", "/v1/grants/"+ent+":user:"+acct.AccountID, "", http.StatusOK, &raw2)
	if _, ok := raw2["warnings"]; ok || raw2["alreadyDone"] != true {
		t.Fatalf("repeated revoke answered %v, want alreadyDone and no warnings", raw2)
	}
}
