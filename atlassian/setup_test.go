package atlassian

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/internal/apiclient/apitest"
	"github.com/batonkit/jiracloud/jira"
)

const (
	testKey         = "atl-key-SECRET-7c1f9e"
	testOrg   OrgID = "0b5c7e2a-1f3d-4c8e-9a6b-2d4f6e8a0c1e"
	testCloud       = "3f1d2c4b-5a6e-4f70-8b9c-0d1e2f3a4b5c"
)

// setup returns a client whose base URL is http://127.0.0.1:<port>/admin,
// the mux (register full paths: "/admin/v1/…" and, for the user management
// API, "/users/…"), and the server URL. Any other path fails the test.
// Retries are fast and the limiter is off.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request: %s %s", r.Method, r.URL.Path)
		http.Error(w, "unexpected path", http.StatusTeapot)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base := []Option{
		WithBaseURL(srv.URL + "/admin"),
		WithLoopback(),
		WithRateLimits(jira.UnlimitedRateLimits()),
		WithRetryPolicy(jira.RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
			MaxRetryAfter: 2 * time.Second, JitterMin: 1, JitterMax: 1}),
	}
	c, err := NewClient(testKey, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, mux, srv.URL
}

// fakeClock records sleeps and advances instantly.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// testQuery checks the full query string (order-insensitive).
func testQuery(t *testing.T, r *http.Request, want url.Values) { apitest.Query(t, r, want) }

// testHeader checks one request header.
func testHeader(t *testing.T, r *http.Request, name, want string) {
	apitest.Header(t, r, name, want)
}

// testJSONBody checks that the request body is JSON equal to want (a JSON string).
func testJSONBody(t *testing.T, r *http.Request, want string) { apitest.JSONBody(t, r, want) }

// testNoBody checks that the request has no body.
func testNoBody(t *testing.T, r *http.Request) { apitest.NoBody(t, r) }

// testAuth checks the Bearer key of setup's client.
func testAuth(t *testing.T, r *http.Request) {
	t.Helper()
	testHeader(t, r, "Authorization", "Bearer "+testKey)
}

// writeJSON answers status with the JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) { apitest.WriteJSON(w, status, body) }

// fixture reads testdata/name.
func fixture(t *testing.T, name string) string { return apitest.Fixture(t, name) }

// mustTime parses an RFC 3339 time for expectations.
func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("mustTime(%q): %v", s, err)
	}
	return tm.UTC()
}

func ptr[T any](v T) *T { return &v }

// noKey fails if s contains the API key.
func noKey(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, testKey) {
		t.Errorf("%s contains the API key: %q", what, s)
	}
}
