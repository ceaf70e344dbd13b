package jira

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// coreFastRetries is a quick retry policy for clients built outside setup.
func coreFastRetries() Option {
	return WithRetryPolicy(RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond,
		MaxRetryAfter: time.Second, JitterMin: 1, JitterMax: 1})
}

// coreRedirect sends every request to target whatever its URL says, keeping
// the original host in the Host header. It lets a client use the real
// https://<site>.atlassian.net and https://api.atlassian.com URLs while only
// ever talking to a loopback test server.
type coreRedirect struct {
	target *url.URL
}

func (r coreRedirect) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Host = req.URL.Host
	out.URL.Scheme = r.target.Scheme
	out.URL.Host = r.target.Host
	return http.DefaultTransport.RoundTrip(out)
}

// coreHostMux routes on "host/path" so one loopback server can play both a
// site and the gateway.
type coreHostMux struct {
	t        *testing.T
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc
	hits     map[string]int
}

func newCoreHostMux(t *testing.T) *coreHostMux {
	return &coreHostMux{t: t, handlers: map[string]http.HandlerFunc{}, hits: map[string]int{}}
}

func (m *coreHostMux) handle(hostPath string, h http.HandlerFunc) { m.handlers[hostPath] = h }

func (m *coreHostMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Host + r.URL.Path
	m.mu.Lock()
	m.hits[key]++
	m.mu.Unlock()
	h, ok := m.handlers[key]
	if !ok {
		m.t.Errorf("unexpected request %s %s", r.Method, key)
		http.Error(w, "unexpected", http.StatusTeapot)
		return
	}
	h(w, r)
}

func (m *coreHostMux) count(hostPath string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits[hostPath]
}

// newCoreRedirectClient starts a host-routing server and returns a client for
// siteURL whose requests all land on it.
func newCoreRedirectClient(t *testing.T, siteURL string, opts ...Option) (*Client, *coreHostMux) {
	t.Helper()
	mux := newCoreHostMux(t)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	base := []Option{WithHTTPClient(&http.Client{Transport: coreRedirect{target: target}}),
		WithRateLimits(UnlimitedRateLimits()), coreFastRetries()}
	c, err := NewClient(siteURL, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, mux
}

func coreTenantInfo(t *testing.T, calls *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if calls != nil {
			calls.Add(1)
		}
		if a := r.Header.Get("Authorization"); a != "" {
			t.Errorf("tenant_info got credentials %q; it needs none", a)
		}
		writeJSON(w, http.StatusOK, `{"cloudId":"`+strings.ToUpper(testCloudID)+`"}`)
	}
}

func TestNewClientOptionValidation(t *testing.T) {
	t.Parallel()
	const site = "https://acme.atlassian.net"
	auth := WithBasicAuth(testEmail, testToken)
	tests := []struct {
		name    string
		site    string
		opts    []Option
		mention string
	}{
		{"no credentials", site, nil, "no credentials"},
		{"empty email", site, []Option{WithBasicAuth("", testToken)}, "email"},
		{"email without at", site, []Option{WithBasicAuth("admin", testToken)}, "email"},
		{"empty token", site, []Option{WithBasicAuth(testEmail, " ")}, "API token"},
		{"empty bearer", site, []Option{WithBearerToken("")}, "token"},
		{"nil token source", site, []Option{WithTokenSource(nil)}, "function"},
		{"nil transport", site, []Option{auth, WithTransport(nil)}, "transport"},
		{"nil http client", site, []Option{auth, WithHTTPClient(nil)}, "client"},
		{"nil limiter", site, []Option{auth, WithRateLimiter(nil)}, "limiter"},
		{"negative rate", site, []Option{auth, WithRateLimits(RateLimits{Default: -1})}, "negative"},
		{"negative burst", site, []Option{auth, WithRateLimits(RateLimits{Burst: -1})}, "negative"},
		{"negative retries", site, []Option{auth, WithRetryPolicy(RetryPolicy{MaxRetries: -1})}, "negative"},
		{"negative delay", site, []Option{auth, WithRetryPolicy(RetryPolicy{BaseDelay: -time.Second})}, "negative"},
		{"negative timeout", site, []Option{auth, WithTimeout(-time.Second)}, "negative"},
		{"gateway not a URL", site, []Option{auth, WithGatewayURL("api.atlassian.com")}, "gateway"},
		{"gateway other host", site, []Option{auth, WithGatewayURL("https://gateway.example.com")}, "gateway"},
		{"gateway over http", site, []Option{auth, WithGatewayURL("http://api.atlassian.com")}, "gateway"},
		{"loopback gateway without WithLoopback", site, []Option{auth, WithGatewayURL("http://127.0.0.1:9999")}, "gateway"},
		{"bad site", "https://acme.example.com", []Option{auth}, "accepted forms"},
		{"loopback site without WithLoopback", "http://127.0.0.1:9999", []Option{auth}, "accepted forms"},
		{"bearer on site URL", site, []Option{WithBearerToken("bt")}, "https://api.atlassian.com/ex/jira/<cloudId>"},
		{"token source on site URL", site, []Option{WithTokenSource(func(context.Context) (string, error) { return "x", nil })},
			"https://api.atlassian.com/ex/jira/<cloudId>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.site, tt.opts...)
			if err == nil {
				t.Fatalf("NewClient succeeded: %+v", c.Site())
			}
			if c != nil {
				t.Errorf("NewClient returned a client with the error")
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
}

func TestNewClientAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		site string
		opts []Option
	}{
		{"basic on site", "acme.atlassian.net/", []Option{WithBasicAuth(testEmail, testToken)}},
		{"basic on gateway", "https://api.atlassian.com/ex/jira/" + testCloudID, []Option{WithBasicAuth(testEmail, testToken)}},
		{"bearer on gateway", "https://api.atlassian.com/ex/jira/" + testCloudID, []Option{WithBearerToken("bt")}},
		{"default gateway spelled out", "https://acme.atlassian.net",
			[]Option{WithBasicAuth(testEmail, testToken), WithGatewayURL("https://api.atlassian.com/")}},
		{"loopback gateway", "http://127.0.0.1:1",
			[]Option{WithLoopback(), WithBasicAuth(testEmail, testToken), WithGatewayURL("http://localhost:2")}},
		{"nil option ignored", "https://acme.atlassian.net", []Option{nil, WithBasicAuth(testEmail, testToken), nil}},
		{"zero timeout", "https://acme.atlassian.net", []Option{WithBasicAuth(testEmail, testToken), WithTimeout(0)}},
		{"every option", "https://acme.atlassian.net", []Option{
			WithBasicAuth(testEmail, testToken), WithHTTPClient(&http.Client{}), WithRateLimits(DefaultRateLimits()),
			WithRetryPolicy(DefaultRetryPolicy()), WithTimeout(time.Minute), WithLogger(slog.New(slog.DiscardHandler)),
			WithClock(nil), WithUserAgent("ua/1"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.site, tt.opts...)
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if c.Transport() == nil || c.Users == nil || c.Groups == nil || c.Projects == nil || c.Roles == nil ||
				c.Permissions == nil || c.ApplicationRoles == nil || c.Issues == nil || c.Audit == nil {
				t.Errorf("client is missing a transport or a service: %+v", c)
			}
			if c.Users.client != c || c.Audit.client != c {
				t.Errorf("services do not point back at the client")
			}
		})
	}
}

func TestOptionsAreReusableConcurrently(t *testing.T) {
	t.Parallel()
	opts := []Option{WithBasicAuth(" "+testEmail+" ", testToken), WithGatewayURL("https://api.atlassian.com"),
		WithRateLimits(DefaultRateLimits()), WithRetryPolicy(DefaultRetryPolicy()), WithTimeout(time.Minute),
		WithUserAgent("ua/1")}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c, err := NewClient("https://acme.atlassian.net", opts...)
			if err != nil {
				t.Errorf("NewClient: %v", err)
				return
			}
			if b, ok := c.auth.(basicAuth); !ok || b.email != testEmail {
				t.Errorf("auth = %v, want the trimmed email", c.auth)
			}
		})
	}
	wg.Wait()
}

func TestNewClientSharedTransportAndLimiter(t *testing.T) {
	t.Parallel()
	clk := &coreClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	lim := NewLimiter(RateLimits{Default: 7, Burst: 2}, clk)
	a, err := NewClient("https://acme.atlassian.net", WithBasicAuth(testEmail, testToken), WithRateLimiter(lim), WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	if a.Transport().Limiter() != lim {
		t.Errorf("WithRateLimiter: limiter not used")
	}
	if a.Transport().Clock() != Clock(clk) {
		t.Errorf("WithClock: clock not used")
	}
	b, err := NewClient("https://acme.atlassian.net", WithBasicAuth(testEmail, testToken), WithTransport(a.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	if b.Transport() != a.Transport() {
		t.Errorf("WithTransport: transport not shared")
	}
	c, err := NewClient("https://acme.atlassian.net", WithBasicAuth(testEmail, testToken),
		WithRateLimits(RateLimits{Default: 3, Burst: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Transport().Limiter().CurrentRate(http.MethodGet, "/rest/api/3/myself"); got != 3 {
		t.Errorf("WithRateLimits: rate = %v, want 3", got)
	}
}

type coreClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *coreClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *coreClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return nil
}

func TestBasicAuthHeader(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(testEmail+":"+testToken))
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testHeader(t, r, "Authorization", want)
		testHeader(t, r, "Accept", "application/json")
		testHeader(t, r, "User-Agent", "jiracloud/"+Version+" (+https://github.com/batonkit/jiracloud)")
		writeJSON(w, http.StatusOK, `{"accountId":"5b10ac8d82e05b22cc7d4ef5"}`)
	})
	var out struct {
		AccountID AccountID `json:"accountId"`
	}
	if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, &out); err != nil {
		t.Fatal(err)
	}
	if out.AccountID != "5b10ac8d82e05b22cc7d4ef5" {
		t.Errorf("decoded %+v", out)
	}
}

func TestBearerHeader(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithBearerToken("bt-abc"), WithUserAgent("my-agent/2"))
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		testHeader(t, r, "Authorization", "Bearer bt-abc")
		testHeader(t, r, "User-Agent", "my-agent/2")
		writeJSON(w, http.StatusOK, `{}`)
	})
	if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestTokenSource(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	src := func(ctx context.Context) (string, error) {
		if ctx == nil {
			t.Error("token source got a nil context")
		}
		i := n.Add(1)
		if i == 3 {
			return "", errors.New("refresh failed")
		}
		return fmt.Sprintf("tok-%d", i), nil
	}
	c, mux, _ := setup(t, WithTokenSource(src))
	var seen []string
	var mu sync.Mutex
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		writeJSON(w, http.StatusOK, `{}`)
	})
	for range 2 {
		if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "refresh failed") {
		t.Errorf("err = %v, want the token source's error", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"Bearer tok-1", "Bearer tok-2"}, seen); diff != "" {
		t.Errorf("Authorization headers (-want +got):\n%s", diff)
	}
}

func TestBasicAuthString(t *testing.T) {
	t.Parallel()
	s := fmt.Sprint(basicAuth{email: testEmail, token: newSecret(testToken)})
	if strings.Contains(s, testToken) || !strings.Contains(s, testEmail) {
		t.Errorf("basicAuth prints as %q", s)
	}
}

func TestIsServiceAccount(t *testing.T) {
	t.Parallel()
	for email, want := range map[string]bool{
		"bot@serviceaccount.atlassian.com":     true,
		" Bot@ServiceAccount.Atlassian.com ":   true,
		"admin@example.com":                    false,
		"serviceaccount.atlassian.com@evil.io": false,
		"":                                     false,
	} {
		if got := IsServiceAccount(email); got != want {
			t.Errorf("IsServiceAccount(%q) = %v, want %v", email, got, want)
		}
	}
}

func TestServiceAccountSiteURLResolvesGateway(t *testing.T) {
	t.Parallel()
	const sa = "sync-bot@serviceaccount.atlassian.com"
	var tenantCalls, apiCalls atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/_edge/tenant_info", coreTenantInfo(t, &tenantCalls))
	mux.HandleFunc("/ex/jira/"+testCloudID+"/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		apiCalls.Add(1)
		u, p, ok := r.BasicAuth()
		if !ok || u != sa || p != testToken {
			t.Errorf("gateway call without the service account's credentials")
		}
		writeJSON(w, http.StatusOK, `{"accountId":"712020:bot"}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the gateway: %s %s", r.Method, r.URL.Path)
		http.Error(w, "wrong URL", http.StatusUnauthorized)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := NewClient(srv.URL, WithLoopback(), WithBasicAuth(sa, testToken), WithGatewayURL(srv.URL),
		WithRateLimits(UnlimitedRateLimits()), coreFastRetries())
	if err != nil {
		t.Fatal(err)
	}
	if c.Site().Kind != SiteDirect {
		t.Fatalf("site kind = %v", c.Site().Kind)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil); err != nil {
				t.Errorf("Do: %v", err)
			}
		})
	}
	wg.Wait()
	if n := tenantCalls.Load(); n != 1 {
		t.Errorf("tenant_info called %d times, want once", n)
	}
	if n := apiCalls.Load(); n != 8 {
		t.Errorf("gateway API calls = %d, want 8", n)
	}
	base, err := c.BaseURL(t.Context())
	if err != nil || base != srv.URL+"/ex/jira/"+testCloudID {
		t.Errorf("BaseURL = %q, %v", base, err)
	}
	if c.Site().BaseURL != srv.URL {
		t.Errorf("Site() changed to %q", c.Site().BaseURL)
	}
}

func TestServiceAccountLoopbackSiteIsItsOwnGateway(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/_edge/tenant_info", coreTenantInfo(t, nil))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	// No WithGatewayURL: a fake site must never lead to api.atlassian.com.
	c, err := NewClient(srv.URL, WithLoopback(), WithBasicAuth("bot@serviceaccount.atlassian.com", testToken))
	if err != nil {
		t.Fatal(err)
	}
	base, err := c.BaseURL(t.Context())
	if err != nil || base != srv.URL+"/ex/jira/"+testCloudID {
		t.Errorf("BaseURL = %q, %v; want the loopback server's gateway path", base, err)
	}
}

func TestServiceAccountRealURLs(t *testing.T) {
	t.Parallel()
	const sa = "sync-bot@serviceaccount.atlassian.com"
	c, mux := newCoreRedirectClient(t, "https://acme.atlassian.net", WithBasicAuth(sa, testToken))
	mux.handle("acme.atlassian.net/_edge/tenant_info", coreTenantInfo(t, nil))
	mux.handle("api.atlassian.com/ex/jira/"+testCloudID+"/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{}`)
	})
	for range 3 {
		if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := mux.count("acme.atlassian.net/_edge/tenant_info"); n != 1 {
		t.Errorf("tenant_info called %d times, want 1", n)
	}
	if n := mux.count("api.atlassian.com/ex/jira/" + testCloudID + "/rest/api/3/myself"); n != 3 {
		t.Errorf("gateway called %d times, want 3", n)
	}
}

func TestServiceAccountGatewayURLNeedsNoLookup(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithBasicAuth("bot@serviceaccount.atlassian.com", testToken))
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, `{}`) })
	if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	id, err := c.TenantCloudID(t.Context())
	if err != nil || id != testCloudID {
		t.Errorf("TenantCloudID = %q, %v", id, err)
	}
}

func TestServiceAccountLookupFailure(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/_edge/tenant_info", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			writeJSON(w, http.StatusOK, `{"cloudId":"not-a-uuid"}`)
			return
		}
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["no such site"]}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := NewClient(srv.URL, WithLoopback(), WithBasicAuth("bot@serviceaccount.atlassian.com", testToken), coreFastRetries())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "did not return a cloud ID") || !strings.Contains(err.Error(), "gateway") {
		t.Errorf("first error = %v", err)
	}
	// A failed lookup is not cached: the next call tries again.
	_, err = c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("second error = %v, want the tenant_info 404", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("tenant_info called %d times, want 2", n)
	}
}

func TestScopedTokenOnSiteURLHint(t *testing.T) {
	t.Parallel()
	c, mux := newCoreRedirectClient(t, "https://acme.atlassian.net", WithBasicAuth(testEmail, testToken))
	mux.handle("acme.atlassian.net/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"errorMessages":["Client must be authenticated to access this resource."],"errors":{}}`)
	})
	mux.handle("acme.atlassian.net/_edge/tenant_info", coreTenantInfo(t, nil))
	mux.handle("api.atlassian.com/ex/jira/"+testCloudID+"/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		writeJSON(w, http.StatusOK, `{"accountId":"5b10ac8d82e05b22cc7d4ef5"}`)
	})
	for i := range 2 {
		_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("call %d: err = %v, want a 401 *Error", i, err)
		}
		want := "use the URL https://api.atlassian.com/ex/jira/" + testCloudID + " instead"
		if !strings.Contains(e.Hint, want) || !strings.Contains(e.Error(), want) {
			t.Errorf("call %d: Hint = %q, want it to contain %q", i, e.Hint, want)
		}
	}
	// The gateway is probed once, not on every 401.
	if n := mux.count("api.atlassian.com/ex/jira/" + testCloudID + "/rest/api/3/myself"); n != 1 {
		t.Errorf("gateway probed %d times, want 1", n)
	}
}

func TestScopedTokenOnLoopbackSiteHint(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"errorMessages":["Client must be authenticated to access this resource."]}`)
	})
	mux.HandleFunc("/_edge/tenant_info", coreTenantInfo(t, nil))
	mux.HandleFunc("/ex/jira/"+testCloudID+"/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		writeJSON(w, http.StatusOK, `{}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := NewClient(srv.URL, WithLoopback(), WithBasicAuth(testEmail, testToken), WithGatewayURL(srv.URL), coreFastRetries())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v", err)
	}
	if want := "use the URL " + srv.URL + "/ex/jira/" + testCloudID + " instead"; !strings.Contains(e.Hint, want) {
		t.Errorf("Hint = %q, want it to contain %q", e.Hint, want)
	}
}

func TestWrongCredentialsHint(t *testing.T) {
	t.Parallel()
	c, mux := newCoreRedirectClient(t, "https://acme.atlassian.net", WithBasicAuth(testEmail, "wrong-token"))
	unauthorized := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"errorMessages":["Client must be authenticated to access this resource."],"errors":{}}`)
	}
	mux.handle("acme.atlassian.net/rest/api/3/myself", unauthorized)
	mux.handle("acme.atlassian.net/_edge/tenant_info", coreTenantInfo(t, nil))
	mux.handle("api.atlassian.com/ex/jira/"+testCloudID+"/rest/api/3/myself", unauthorized)
	_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(e.Hint, "check the email and API token") {
		t.Errorf("Hint = %q", e.Hint)
	}
	if strings.Contains(e.Hint, "/ex/jira/") || strings.Contains(e.Error(), "/ex/jira/") {
		t.Errorf("wrong credentials must not suggest the gateway URL: %q", e.Error())
	}
}

func TestUnauthorizedHintOtherCases(t *testing.T) {
	t.Parallel()
	unauthorized := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"code":401,"message":"Unauthorized"}`)
	}
	t.Run("bearer", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t, WithBearerToken("expired"))
		mux.HandleFunc("/rest/api/3/myself", unauthorized)
		_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Hint, "OAuth access token") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("basic on gateway", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t)
		mux.HandleFunc("/rest/api/3/myself", unauthorized)
		_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Hint, "scoped API token") || strings.Contains(e.Hint, "use the URL") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestTenantCloudID(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/_edge/tenant_info", coreTenantInfo(t, nil))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := NewClient(srv.URL, WithLoopback(), WithBasicAuth(testEmail, testToken))
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.TenantCloudID(t.Context())
	if err != nil || id != testCloudID {
		t.Errorf("TenantCloudID = %q, %v; want the lower-case %s", id, err, testCloudID)
	}
	// A classic token on a site URL keeps using the site.
	if base, err := c.BaseURL(t.Context()); err != nil || base != srv.URL {
		t.Errorf("BaseURL = %q, %v", base, err)
	}
}

func TestDoRequestAndResponse(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/group/user", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testQuery(t, r, url.Values{"groupId": {"g 1&2"}})
		testHeader(t, r, "Content-Type", "application/json")
		testJSONBody(t, r, `{"accountId":"5b10ac8d82e05b22cc7d4ef5"}`)
		w.Header().Set("Atl-Traceid", "trace-1")
		w.Header().Set("X-RateLimit-Limit", "350")
		w.Header().Set("X-RateLimit-Remaining", "349")
		writeJSON(w, http.StatusCreated, `{"name":"jira-admins","groupId":"g1"}`)
	})
	var out struct{ Name, GroupID string }
	resp, err := c.Do(t.Context(), http.MethodPost, "/rest/api/3/group/user", url.Values{"groupId": {"g 1&2"}},
		map[string]string{"accountId": "5b10ac8d82e05b22cc7d4ef5"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if out.Name != "jira-admins" || out.GroupID != "g1" {
		t.Errorf("decoded %+v", out)
	}
	if resp.StatusCode != http.StatusCreated || resp.Attempts != 1 || resp.RequestID != "trace-1" ||
		resp.Rate.Limit != 350 || resp.Rate.Remaining != 349 || resp.NextCursor != "" {
		t.Errorf("resp = %+v", resp)
	}
}

func TestDoRawJSONBodyAndEmptyAnswers(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/PROJ/role/10002", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"user":["a"]}` {
			t.Errorf("raw body = %q, want it sent unchanged", b)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/rest/api/3/empty", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "" {
			t.Errorf("Content-Type %q without a body", r.Header.Get("Content-Type"))
		}
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "  \n")
	})
	out := map[string]any{"untouched": true}
	resp, err := c.Do(t.Context(), http.MethodPut, "/rest/api/3/project/PROJ/role/10002", nil, json.RawMessage(`{"user":["a"]}`), &out)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("204: %v, %v", resp, err)
	}
	if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/empty", nil, nil, &out); err != nil {
		t.Fatalf("empty 200: %v", err)
	}
	if diff := cmp.Diff(map[string]any{"untouched": true}, out); diff != "" {
		t.Errorf("out changed (-want +got):\n%s", diff)
	}
}

func TestDoEncodingAndDecodingErrors(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"accountId":`)
	})
	var out struct{ AccountID string }
	resp, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "decoding response") || resp == nil {
		t.Errorf("bad JSON: %v, %v", resp, err)
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		t.Errorf("decoding error does not wrap the JSON error: %v", err)
	}
	_, err = c.Do(t.Context(), http.MethodPost, "/rest/api/3/myself", nil, map[string]any{"f": func() {}}, nil)
	if err == nil || !strings.Contains(err.Error(), "encoding") {
		t.Errorf("unencodable body: %v", err)
	}
}

func TestDoContextCancelled(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		t.Error("request sent with a cancelled context")
	})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Do(ctx, http.MethodGet, "/rest/api/3/myself", nil, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestWithHTTPClientAndTimeout(t *testing.T) {
	t.Parallel()
	var used atomic.Int64
	rt := coreCountingRT{n: &used}
	c, mux, _ := setup(t, WithHTTPClient(&http.Client{Transport: rt}), WithTimeout(50*time.Millisecond),
		WithRetryPolicy(RetryPolicy{}))
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, `{}`) })
	mux.HandleFunc("/rest/api/3/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	})
	if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if used.Load() != 1 {
		t.Errorf("the given http.Client's transport was used %d times, want 1", used.Load())
	}
	start := time.Now()
	_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/slow", nil, nil, nil)
	if err == nil {
		t.Fatal("slow call succeeded despite the timeout")
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("timeout took %v", el)
	}
}

type coreCountingRT struct{ n *atomic.Int64 }

func (c coreCountingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestStatsThroughClient(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var n atomic.Int64
	mux.HandleFunc("/rest/api/3/project/PROJ", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0.001")
			writeJSON(w, http.StatusTooManyRequests, `{}`)
			return
		}
		writeJSON(w, http.StatusOK, `{}`)
	})
	resp, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/project/PROJ", nil, nil, nil)
	if err != nil || resp.Attempts != 2 {
		t.Fatalf("Do = %+v, %v", resp, err)
	}
	s := c.Stats()
	if s.Requests != 2 || s.Retries != 1 || s.RateLimited != 1 || s.ByRoute["GET /rest/api/3/project/{}"] != 2 {
		t.Errorf("Stats = %+v", s)
	}
}

// TestNoSecretsInErrorsOrLogs makes failing calls of several kinds and checks
// that no credential shows up in any error string or debug log record.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const (
		bearer   = "bearer-SECRET-456"
		qsSecret = "qs-SECRET-789"
	)
	basic := base64.StdEncoding.EncodeToString([]byte(testEmail + ":" + testToken))
	secrets := []string{testToken, bearer, qsSecret, basic}

	var logBuf bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(coreLockedWriter{&logBuf, &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))

	mux := http.NewServeMux()
	mux.HandleFunc("/rest/api/3/unauthorized", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"errorMessages":["Client must be authenticated to access this resource."]}`)
	})
	mux.HandleFunc("/_edge/tenant_info", coreTenantInfo(t, nil))
	mux.HandleFunc("/ex/jira/"+testCloudID+"/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{}`)
	})
	mux.HandleFunc("/ex/jira/"+testCloudID+"/rest/api/3/unauthorized", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{}`)
	})
	mux.HandleFunc("/rest/api/3/missing", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["Not found"],"errors":{}}`)
	})
	mux.HandleFunc("/ex/jira/"+testCloudID+"/rest/api/3/missing", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["Not found"],"errors":{}}`)
	})
	mux.HandleFunc("/rest/api/3/badjson", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"x":`)
	})
	mux.HandleFunc("/ex/jira/"+testCloudID+"/rest/api/3/badjson", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"x":`)
	})
	mux.HandleFunc("/rest/api/3/flaky", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusInternalServerError, `{}`)
	})
	mux.HandleFunc("/rest/api/3/limited", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0.001")
		writeJSON(w, http.StatusTooManyRequests, `{}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()

	common := []Option{WithLoopback(), WithLogger(logger), WithRateLimits(UnlimitedRateLimits()), coreFastRetries()}
	mk := func(site string, auth Option) *Client {
		c, err := NewClient(site, append([]Option{auth}, common...)...)
		if err != nil {
			t.Fatalf("NewClient(%s): %v", site, err)
		}
		return c
	}
	clients := map[string]*Client{
		"basic site":       mk(srv.URL, WithBasicAuth(testEmail, testToken)),
		"bearer gateway":   mk(srv.URL+"/ex/jira/"+testCloudID, WithBearerToken(bearer)),
		"basic closed":     mk(dead.URL, WithBasicAuth(testEmail, testToken)),
		"bearer closed":    mk(dead.URL+"/ex/jira/"+testCloudID, WithBearerToken(bearer)),
		"service account":  mk(dead.URL, WithBasicAuth("bot@serviceaccount.atlassian.com", testToken)),
		"basic site again": mk(srv.URL, WithBasicAuth(testEmail, testToken)),
	}
	q := url.Values{"token": {qsSecret}, "jwt": {qsSecret}}
	var errs []error
	for name, c := range clients {
		for _, path := range []string{"/rest/api/3/unauthorized", "/rest/api/3/missing", "/rest/api/3/badjson",
			"/rest/api/3/flaky", "/rest/api/3/limited"} {
			var out map[string]any
			_, err := c.Do(t.Context(), http.MethodGet, path, q, map[string]string{"password": testToken}, &out)
			if err == nil {
				t.Errorf("%s %s succeeded", name, path)
				continue
			}
			errs = append(errs, err)
		}
	}
	if len(errs) < 20 {
		t.Fatalf("only %d failing calls", len(errs))
	}
	for _, err := range errs {
		var e *Error
		texts := []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err)}
		if errors.As(err, &e) {
			texts = append(texts, e.URL, e.Hint, e.Message())
		}
		for _, txt := range texts {
			for _, s := range secrets {
				if strings.Contains(txt, s) {
					t.Errorf("error text contains a secret: %s", txt)
				}
			}
		}
	}
	logMu.Lock()
	logs := logBuf.String()
	logMu.Unlock()
	if !strings.Contains(logs, "retrying") {
		t.Errorf("expected debug records of retries, got %q", logs)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain a secret: %s", logs)
		}
	}
}

type coreLockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l coreLockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestClientFormattingHidesCredentials(t *testing.T) {
	t.Parallel()
	c, err := NewClient("https://acme.atlassian.net", WithBasicAuth("me@acme.com", "tok-FORMAT-SECRET"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(c)} {
		if strings.Contains(s, "tok-FORMAT-SECRET") || strings.Contains(s, base64.StdEncoding.EncodeToString([]byte("me@acme.com:tok-FORMAT-SECRET"))) {
			t.Errorf("formatted client leaks the token: %s", s)
		}
		if !strings.Contains(s, "https://acme.atlassian.net") {
			t.Errorf("formatted client = %q, want the site URL", s)
		}
	}
	// A copied struct, or a wrong verb, makes fmt print fields through
	// reflection, ignoring String methods: the token must still not show.
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		if s := fmt.Sprintf(f, *c); strings.Contains(s, "tok-FORMAT-SECRET") || strings.Contains(s, "746f6b2d464f524d41542d534543524554") {
			t.Errorf("fmt %s of the client struct leaks the token: %s", f, s)
		}
	}
}

func TestLongServerPauseReturnsRateLimitError(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "1800")
		w.Header().Set("RateLimit-Reason", "jira-quota-tenant-based")
		writeJSON(w, http.StatusTooManyRequests, `{"errorMessages":["Rate limit exceeded"]}`)
	})
	_, _, err := c.Myself(t.Context())
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrRateLimited) || e.RetryAfter < 29*time.Minute {
		t.Fatalf("first call: err = %v, want a 429 *Error with RetryAfter ≈ 30m", err)
	}
	// The quota pause now covers every endpoint: the next call must not be
	// sent, and must come back at once as a 429 carrying the remaining wait.
	_, _, err = c.Groups.List(t.Context(), nil)
	if !errors.As(err, &e) || !errors.Is(err, ErrRateLimited) || e.RetryAfter < 29*time.Minute || e.RateLimitReason != "client-side quota pause" {
		t.Fatalf("second call: err = %v, want a client-side quota pause", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("server saw %d calls, want 1", n)
	}
}

// TestErrorBodyEchoingCredentialsIsRedacted: a proxy or API that echoes the
// request's credentials in its error body must not put them in the *Error.
func TestErrorBodyEchoingCredentialsIsRedacted(t *testing.T) {
	t.Parallel()
	const bearer = "bearer-ECHO-SECRET"
	basic := base64.StdEncoding.EncodeToString([]byte(testEmail + ":" + testToken))
	echo := func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(map[string]any{
			"errorMessages": []string{"bad header: " + r.Header.Get("Authorization")},
			"errors":        map[string]string{"token": testToken},
		})
		writeJSON(w, http.StatusBadRequest, string(body))
	}
	tests := []struct {
		name    string
		auth    Option
		secrets []string
	}{
		{"basic", WithBasicAuth(testEmail, testToken), []string{testToken, basic}},
		{"bearer", WithBearerToken(bearer), []string{bearer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, tt.auth)
			mux.HandleFunc("/rest/api/3/echo", echo)
			_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/echo", nil, nil, nil)
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest {
				t.Fatalf("err = %v, want a 400 *Error", err)
			}
			if !strings.Contains(e.Message(), "bad header: ") || !strings.Contains(e.Message(), "REDACTED") {
				t.Errorf("Message() = %q, want the echoed header with its credentials redacted", e.Message())
			}
			for _, s := range tt.secrets {
				for _, txt := range []string{e.Error(), e.Message(), string(e.Body)} {
					if strings.Contains(txt, s) {
						t.Errorf("error carries the secret %q: %s", s, txt)
					}
				}
			}
		})
	}
}

// TestServiceAccountResolutionWaitRespectsContext: while one call resolves
// the cloud ID (and the tenant_info answer is slow), another call whose
// context ends must give up at once instead of queueing behind it.
func TestServiceAccountResolutionWaitRespectsContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	entered := make(chan struct{})
	var once sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("/_edge/tenant_info", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(entered) })
		select {
		case <-release:
		case <-r.Context().Done():
		}
		writeJSON(w, http.StatusOK, `{"cloudId":"`+testCloudID+`"}`)
	})
	mux.HandleFunc("/ex/jira/"+testCloudID+"/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"accountId":"712020:bot"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := NewClient(srv.URL, WithLoopback(), WithBasicAuth("bot@serviceaccount.atlassian.com", testToken),
		WithRateLimits(UnlimitedRateLimits()), coreFastRetries())
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, _, err := c.Myself(t.Context())
		first <- err
	}()
	<-entered // the first call now holds the resolution

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	second := make(chan error, 1)
	go func() {
		_, _, err := c.Myself(ctx)
		second <- err
	}()
	select {
	case err = <-second:
		close(release)
	case <-time.After(2 * time.Second):
		t.Error("second call queued behind the first one's resolution, ignoring its context")
		close(release)
		err = <-second
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second call: err = %v, want context.DeadlineExceeded", err)
	}
	if err := <-first; err != nil {
		t.Errorf("first call: %v", err)
	}
	if base, err := c.BaseURL(t.Context()); err != nil || base != srv.URL+"/ex/jira/"+testCloudID {
		t.Errorf("BaseURL = %q, %v", base, err)
	}
}
