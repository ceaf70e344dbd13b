package atlassian

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/jira"
)

func TestNewClient_baseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		opts               []Option
		wantBase, wantRoot string
		wantErr            string
	}{
		{name: "default", wantBase: "https://api.atlassian.com/admin", wantRoot: "https://api.atlassian.com"},
		{name: "explicit with trailing slashes", opts: []Option{WithBaseURL("HTTPS://API.atlassian.com/admin//")},
			wantBase: "https://api.atlassian.com/admin", wantRoot: "https://api.atlassian.com"},
		{name: "loopback with option", opts: []Option{WithBaseURL("http://127.0.0.1:8080/admin"), WithLoopback()},
			wantBase: "http://127.0.0.1:8080/admin", wantRoot: "http://127.0.0.1:8080"},
		{name: "loopback option before URL", opts: []Option{WithLoopback(), WithBaseURL("http://localhost:9/fake/admin/")},
			wantBase: "http://localhost:9/fake/admin", wantRoot: "http://localhost:9/fake"},
		{name: "loopback without option", opts: []Option{WithBaseURL("http://127.0.0.1:8080/admin")}, wantErr: "base URL must be"},
		{name: "other host", opts: []Option{WithBaseURL("https://admin.example.com/admin"), WithLoopback()}, wantErr: "admin.example.com"},
		{name: "http api host", opts: []Option{WithBaseURL("http://api.atlassian.com/admin")}, wantErr: "base URL must be"},
		{name: "no /admin", opts: []Option{WithBaseURL("https://api.atlassian.com/")}, wantErr: "got path"},
		{name: "query", opts: []Option{WithBaseURL("https://api.atlassian.com/admin?token=x")}, wantErr: "query"},
		{name: "credentials", opts: []Option{WithBaseURL("https://u:hunter2@api.atlassian.com/admin")}, wantErr: "credentials"},
		{name: "unparsable credentials", opts: []Option{WithBaseURL("https://u:hun?ter2@api.atlassian.com/admin")}, wantErr: "cannot parse"},
		{name: "empty option", opts: []Option{WithBaseURL(" ")}, wantErr: "needs a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(testKey, tt.opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				noKey(t, "error", err.Error())
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hun?ter2") || strings.Contains(err.Error(), "u:hun") {
					t.Errorf("error leaks URL password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if c.BaseURL() != tt.wantBase || c.UserManagementURL() != tt.wantRoot {
				t.Errorf("base, root = %q, %q; want %q, %q", c.BaseURL(), c.UserManagementURL(), tt.wantBase, tt.wantRoot)
			}
		})
	}
}

func TestNewClient_apiKey(t *testing.T) {
	t.Parallel()
	if _, err := NewClient("  "); err == nil {
		t.Error("empty key: no error")
	}
	bad := testKey + "\r\nX-Injected: 1"
	_, err := NewClient(bad)
	if err == nil {
		t.Fatal("key with CR/LF: no error")
	}
	noKey(t, "error", err.Error())
	if _, err := NewClient(testKey, WithTransport(nil)); err == nil {
		t.Error("WithTransport(nil): no error")
	}
	if _, err := NewClient(testKey, WithRetryPolicy(jira.RetryPolicy{MaxRetries: -1})); err == nil {
		t.Error("negative retry policy: no error")
	}
}

func TestClient_requestHeaders(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithUserAgent("acme-sync/2"))
	mux.HandleFunc("GET /admin/v1/orgs/{org}", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		testHeader(t, r, "Accept", "application/json")
		testHeader(t, r, "User-Agent", "acme-sync/2")
		testHeader(t, r, "Content-Type", "")
		w.Header().Set("Atl-Traceid", "trace-42")
		w.Header().Set("X-RateLimit-Limit", "1000")
		w.Header().Set("X-RateLimit-Remaining", "998")
		writeJSON(w, 200, `{"data":{"id":"`+string(testOrg)+`","type":"orgs","attributes":{"name":"Acme"}}}`)
	})
	_, resp, err := c.Orgs.Get(t.Context(), testOrg)
	if err != nil {
		t.Fatal(err)
	}
	if resp.RequestID != "trace-42" || resp.Rate.Limit != 1000 || resp.Rate.Remaining != 998 || resp.Attempts != 1 {
		t.Errorf("resp = RequestID %q, Rate %+v, Attempts %d", resp.RequestID, resp.Rate, resp.Attempts)
	}
}

func TestClient_Do(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /admin/v1/orgs/{org}/users/{id}/role-assignments/assign", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		testHeader(t, r, "Content-Type", "application/json")
		testJSONBody(t, r, `{"role":"atlassian/org-admin"}`)
		writeJSON(w, 200, `{"ok":true}`)
	})
	var out struct{ OK bool }
	_, err := c.Do(t.Context(), http.MethodPost, "/v1/orgs/"+string(testOrg)+"/users/abc/role-assignments/assign", nil,
		map[string]string{"role": "atlassian/org-admin"}, &out)
	if err != nil || !out.OK {
		t.Fatalf("Do = %v, out %+v", err, out)
	}
	if _, err := c.Do(t.Context(), http.MethodGet, "v1/orgs", nil, nil, nil); err == nil {
		t.Error("relative path: no error")
	}
}

func TestClient_emptyIDs(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t) // any request would fail the test
	ctx := t.Context()
	checks := map[string]error{}
	_, _, checks["Orgs.Get"] = c.Orgs.Get(ctx, "")
	_, _, checks["Directories.Users"] = c.Directories.Users(ctx, testOrg, "", nil)
	_, checks["Directories.SuspendUser"] = c.Directories.SuspendUser(ctx, testOrg, AllDirectories, "")
	_, checks["Groups.AddMember"] = c.Groups.AddMember(ctx, testOrg, AllDirectories, "g", "")
	_, _, checks["Groups.Members"] = c.Groups.Members(ctx, testOrg, AllDirectories, "", nil)
	_, checks["Accounts.Deactivate"] = c.Accounts.Deactivate(ctx, " ", "")
	_, checks["Users.RemoveFromDirectory"] = c.Users.RemoveFromDirectory(ctx, testOrg, "..")
	for name, err := range checks {
		if err == nil {
			t.Errorf("%s: no error for an empty ID", name)
		}
	}
}

func TestClient_pathEscaping(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/users/{id}/suspend", func(w http.ResponseWriter, r *http.Request) {
		if got := r.PathValue("id"); got != "qm:1a2b/3c?d" {
			t.Errorf("account ID = %q", got)
		}
		if r.URL.RawQuery != "" {
			t.Errorf("query = %q", r.URL.RawQuery)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	if _, err := c.Directories.SuspendUser(t.Context(), testOrg, "d1", "qm:1a2b/3c?d"); err != nil {
		t.Fatal(err)
	}
}

// TestSharedTransport checks that one transport serves a Jira client and
// an Admin client: one set of counters sees both.
func TestSharedTransport(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ex/jira/"+testCloud+"/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"accountId":"5b10ac8d82e05b22cc7d4ef5"}`)
	})
	mux.HandleFunc("GET /admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		writeJSON(w, 200, `{"data":[],"links":{}}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tr := jira.NewTransport(jira.TransportConfig{Limiter: jira.NewLimiter(jira.UnlimitedRateLimits(), nil)})
	jc, err := jira.NewClient(srv.URL+"/ex/jira/"+testCloud, jira.WithLoopback(), jira.WithBasicAuth("a@acme.com", "tok"), jira.WithTransport(tr))
	if err != nil {
		t.Fatal(err)
	}
	ac, err := NewClient(testKey, WithBaseURL(srv.URL+"/admin"), WithLoopback(), WithTransport(tr))
	if err != nil {
		t.Fatal(err)
	}
	if ac.Transport() != jc.Transport() {
		t.Fatal("clients do not share the transport")
	}
	if _, err := jc.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ac.Orgs.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	st := ac.Stats()
	if st.Requests != 2 || st.ByRoute["GET /admin/v1/orgs"] != 1 || st.ByRoute["GET /rest/api/3/myself"] != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestSecretRedaction_fmt(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t)
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		noKey(t, "fmt "+f, fmt.Sprintf(f, c))
		noKey(t, "fmt "+f+" of *c", fmt.Sprintf(f, *c.Orgs))
		noKey(t, "fmt "+f+" of the client struct", fmt.Sprintf(f, *c))
	}
}

func TestSecretRedaction_errorBody(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	// A misbehaving proxy that echoes the request headers in its error body.
	mux.HandleFunc("GET /admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 401, `{"code":401,"message":"Unauthorized: `+r.Header.Get("Authorization")+`"}`)
	})
	_, _, err := c.Orgs.List(t.Context(), nil)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want a 401 *Error", err)
	}
	noKey(t, "Error()", err.Error())
	noKey(t, "Body", string(e.Body))
	noKey(t, "Message", e.Message)
	if !strings.Contains(e.Message, "Bearer REDACTED") {
		t.Errorf("Message = %q, want the key replaced", e.Message)
	}
}

func TestSecretRedaction_logsAndTransportErrors(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mux, _ := setup(t, WithLogger(log))
	calls := 0
	mux.HandleFunc("GET /admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			writeJSON(w, 503, `{"errors":[{"status":"503","code":"ADMIN-500-1","title":"Unavailable"}]}`)
			return
		}
		writeJSON(w, 200, `{"data":[],"links":{}}`)
	})
	if _, _, err := c.Orgs.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if calls != 2 || !strings.Contains(logs.String(), "retrying") {
		t.Fatalf("calls = %d, logs = %q; want one logged retry", calls, logs.String())
	}
	noKey(t, "logs", logs.String())

	// A transport failure (nothing listening) must not carry the key either.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	c2, err := NewClient(testKey, WithBaseURL(dead.URL+"/admin"), WithLoopback(),
		WithRetryPolicy(jira.RetryPolicy{MaxRetries: 1, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c2.Orgs.List(t.Context(), &ListOptions{Cursor: testKey})
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	noKey(t, "transport error", err.Error())
}

// TestRouteTemplates: the limiter and counters key on templates built from
// the known ID positions, even for IDs without digits.
func TestRouteTemplates(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("DELETE /admin/v2/orgs/{org}/directories/{dir}/groups/{group}/memberships/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /users/{id}/manage/lifecycle/enable", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	if _, err := c.Groups.RemoveMember(t.Context(), "acme", "staff", "admins", "someone"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Accounts.Reactivate(t.Context(), "someone"); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{
		"DELETE /admin/v2/orgs/{}/directories/{}/groups/{}/memberships/{}": 1,
		"POST /users/{}/manage/lifecycle/enable":                           1,
	}
	if got := c.Stats().ByRoute; !reflect.DeepEqual(got, want) {
		t.Errorf("ByRoute = %v, want %v", got, want)
	}
}

type countingRT struct {
	n    int
	base http.RoundTripper
}

func (c *countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n++
	return c.base.RoundTrip(r)
}

func TestOptions_transportPieces(t *testing.T) {
	t.Parallel()
	rt := &countingRT{base: http.DefaultTransport}
	lim := jira.NewLimiter(jira.UnlimitedRateLimits(), nil)
	c, mux, _ := setup(t, WithHTTPClient(&http.Client{Transport: rt}), WithRateLimiter(lim), WithTimeout(5*time.Second))
	mux.HandleFunc("GET /admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[],"links":{}}`)
	})
	if _, _, err := c.Orgs.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if rt.n != 1 || c.Transport().Limiter() != lim {
		t.Errorf("round trips through the given client = %d, shared limiter = %v", rt.n, c.Transport().Limiter() == lim)
	}
	for _, o := range []Option{WithHTTPClient(nil), WithRateLimiter(nil), WithTimeout(-1), WithRateLimits(jira.RateLimits{Burst: -1})} {
		if _, err := NewClient(testKey, o); err == nil {
			t.Error("invalid option accepted")
		}
	}
}

// TestResponseTotalUnknown: no Admin API page reports a total, so Total is
// -1 (unknown), as on every Jira response that is not a PageBean page.
func TestResponseTotalUnknown(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[],"links":{}}`)
	})
	_, resp, err := c.Orgs.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Total != -1 || resp.PageSize != 0 || resp.Attempts != 1 {
		t.Errorf("Total, PageSize, Attempts = %d, %d, %d; want -1, 0, 1", resp.Total, resp.PageSize, resp.Attempts)
	}
}

// TestDoRoute: a raw request is routed by its literal path under /admin,
// without the query string.
func TestDoRoute(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v1/orgs/{org}", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	if _, err := c.Do(t.Context(), http.MethodGet, "/v1/orgs/o1?x=secret", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"GET /admin/v1/orgs/o1": 1}
	if got := c.Stats().ByRoute; !reflect.DeepEqual(got, want) {
		t.Errorf("ByRoute = %v, want %v", got, want)
	}
}
