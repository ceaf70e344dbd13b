package jira

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"
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

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method = %s, want %s", r.Method, want)
	}
}

// testQuery checks the full query string (order-insensitive).
func testQuery(t *testing.T, r *http.Request, want url.Values) {
	t.Helper()
	got := r.URL.Query()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("query = %v, want %v", got, want)
	}
}

func testHeader(t *testing.T, r *http.Request, name, want string) {
	t.Helper()
	if got := r.Header.Get(name); got != want {
		t.Errorf("header %s = %q, want %q", name, got, want)
	}
}

// testJSONBody checks that the request body is JSON equal to want (a JSON string).
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	var got, exp any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("body is not JSON: %q", b)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad want JSON: %v", err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("body = %s, want %s", b, want)
	}
}

// testAuth checks the Basic credentials of setup's client.
func testAuth(t *testing.T, r *http.Request) {
	t.Helper()
	u, p, ok := r.BasicAuth()
	if !ok || u != testEmail || p != testToken {
		t.Errorf("basic auth = %q/%q (ok=%v), want the test credentials", u, p, ok)
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
