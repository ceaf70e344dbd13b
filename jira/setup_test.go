package jira

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/internal/apiclient/apitest"
)

// testCloudID is the cloud ID the test server is mounted under, so that a
// request built from an absolute path instead of the base URL fails loudly.
const testCloudID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

const (
	testEmail = "admin@example.com"
	testToken = "tok-SECRET-123"
)

// setup returns a client talking to an httptest server through the gateway
// form http://127.0.0.1:<port>/ex/jira/<cloudId>, and the mux (rooted at the
// site, i.e. register "/rest/api/3/…" paths). Retries are fast and the
// limiter is off.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, string) {
	t.Helper()
	mux := http.NewServeMux()
	api := http.NewServeMux()
	prefix := "/ex/jira/" + testCloudID
	api.Handle(prefix+"/", http.StripPrefix(prefix, mux))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base URL: %s %s", r.Method, r.URL.Path)
		http.Error(w, "outside base URL", http.StatusBadGateway)
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	base := []Option{
		WithLoopback(),
		WithBasicAuth(testEmail, testToken),
		WithRateLimits(UnlimitedRateLimits()),
		WithRetryPolicy(RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
			MaxRetryAfter: 2 * time.Second, JitterMin: 1, JitterMax: 1}),
	}
	c, err := NewClient(srv.URL+prefix, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, mux, srv.URL
}

// testMethod checks the request method.
func testMethod(t *testing.T, r *http.Request, want string) { apitest.Method(t, r, want) }

// testQuery checks the full query string (order-insensitive).
func testQuery(t *testing.T, r *http.Request, want url.Values) { apitest.Query(t, r, want) }

// testHeader checks one request header.
func testHeader(t *testing.T, r *http.Request, name, want string) {
	apitest.Header(t, r, name, want)
}

// testJSONBody checks that the request body is JSON equal to want (a JSON string).
func testJSONBody(t *testing.T, r *http.Request, want string) { apitest.JSONBody(t, r, want) }

// testAuth checks the Basic credentials of setup's client.
func testAuth(t *testing.T, r *http.Request) {
	t.Helper()
	u, p, ok := r.BasicAuth()
	if !ok || u != testEmail || p != testToken {
		t.Errorf("basic auth = %q/%q (ok=%v), want the test credentials", u, p, ok)
	}
}

// writeJSON answers status with the JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) { apitest.WriteJSON(w, status, body) }

// fixture returns the contents of jira/testdata/<name>.
func fixture(t *testing.T, name string) string { return apitest.Fixture(t, name) }

// collect drains an iterator, returning the items and the errors seen.
func collect[T any](seq func(func(T, error) bool)) ([]T, []error) { return apitest.Collect(seq) }

// pluck maps items to one field each (nil for no items, as cmp.Diff tells
// nil from empty).
func pluck[T, K any](items []T, f func(T) K) []K {
	var out []K
	for _, it := range items {
		out = append(out, f(it))
	}
	return out
}

// startLog records the page start of each request (query parameter param,
// default startAt), safely across the server goroutines.
type startLog struct {
	param  string
	mu     sync.Mutex
	starts []string
}

// add records r's start and returns it.
func (l *startLog) add(r *http.Request) string {
	param := l.param
	if param == "" {
		param = "startAt"
	}
	s := r.URL.Query().Get(param)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.starts = append(l.starts, s)
	return s
}

// get returns the starts recorded so far.
func (l *startLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.starts...)
}

// wantNext checks a page's next cursor.
func wantNext(t *testing.T, resp *Response, want string) {
	t.Helper()
	if resp.NextCursor != want {
		t.Errorf("NextCursor = %q, want %q", resp.NextCursor, want)
	}
}

// wantStarts checks the page starts an iterator asked for, in order.
func wantStarts(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("startAt sequence = %q, want %q", got, want)
	}
}

// noErrs stops the test if an iterator yielded errors.
func noErrs(t *testing.T, errs []error) {
	t.Helper()
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
}
