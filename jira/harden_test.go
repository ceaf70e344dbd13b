package jira

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/internal/transport"
)

// Tests for the review findings of issue 11. Each one failed before its fix.

// endlessBody serves n bytes of a JSON array without a Content-Length and
// counts what the server managed to write.
func endlessBody(n int64, written *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat(`{"accountId":"a"},`, 1000))
		_, _ = w.Write([]byte("["))
		for written.Load() < n {
			k, err := w.Write(chunk)
			written.Add(int64(k))
			if err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`{"accountId":"z"}]`))
	}
}

// Finding 1: a 2xx body is read up to a limit, with a clear error past it.
func TestHardenSuccessBodyIsCapped(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithMaxResponseSize(1<<20))
	var written atomic.Int64
	mux.HandleFunc("/rest/api/3/users/search", endlessBody(64<<20, &written))
	_, _, err := c.Users.List(t.Context(), nil)
	if !errors.Is(err, ErrResponseTooLarge) || !strings.Contains(err.Error(), "WithMaxResponseSize") {
		t.Fatalf("err = %v, want ErrResponseTooLarge naming WithMaxResponseSize", err)
	}
	// The client stopped reading: the server could not push the 64 MiB.
	if n := written.Load(); n >= 64<<20 {
		t.Errorf("server wrote %d bytes: the client read the whole body", n)
	}
	if _, err := NewClient("https://acme.atlassian.net", WithBasicAuth(testEmail, testToken), WithMaxResponseSize(0)); err == nil {
		t.Error("WithMaxResponseSize(0) accepted")
	}
}

// Finding 2: redirects that leave the origin, or would resend a body, are
// refused; the credentials never reach the other origin.
func TestHardenRedirects(t *testing.T) {
	t.Parallel()
	var leaked atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		writeJSON(w, 200, `{"accountId":"x"}`)
	}))
	t.Cleanup(other.Close)
	c, mux, siteURL := setup(t)
	var bodies atomic.Int64
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/rest/api/3/myself", http.StatusFound)
	})
	mux.HandleFunc("/rest/api/3/serverInfo", func(w http.ResponseWriter, r *http.Request) {
		// Same host, same scheme: followed.
		http.Redirect(w, r, siteURL+"/ex/jira/"+testCloudID+"/rest/api/3/field", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/rest/api/3/field", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			bodies.Add(1)
		}
		writeJSON(w, 200, `[]`)
	})
	mux.HandleFunc("/rest/api/3/post-redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, siteURL+"/ex/jira/"+testCloudID+"/rest/api/3/field", http.StatusTemporaryRedirect)
	})

	_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, &struct{}{})
	var re *transport.RedirectError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "refusing redirect") {
		t.Errorf("cross-origin redirect: err = %v, want a RedirectError", err)
	}
	if leaked.Load() != 0 {
		t.Errorf("the other origin got credentials %d times", leaked.Load())
	}
	if n := c.Stats().Requests; n != 1 {
		t.Errorf("a refused redirect was retried: %d requests", n)
	}
	if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/serverInfo", nil, nil, &[]any{}); err != nil {
		t.Errorf("same-origin redirect of a GET: %v", err)
	}
	_, err = c.Do(t.Context(), http.MethodPost, "/rest/api/3/post-redirect", nil, map[string]string{"a": "b"}, nil)
	if !errors.As(err, &re) || bodies.Load() != 0 {
		t.Errorf("307 on a POST: err = %v, bodies resent %d", err, bodies.Load())
	}
}

// Finding 2, scheme: https → http on the same host keeps the host but must
// be refused.
func TestHardenRedirectSchemeDowngrade(t *testing.T) {
	t.Parallel()
	// Through the client: an https loopback site redirecting to http.
	var plain atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			plain.Add(1)
		}
		writeJSON(w, 200, `{}`)
	}), ReadHeaderTimeout: time.Second}
	go func() { _ = httpSrv.Serve(ln) }()
	t.Cleanup(func() { _ = httpSrv.Close() })
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+ln.Addr().String()+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(tlsSrv.Close)
	c, err := NewClient(tlsSrv.URL, WithLoopback(), WithBasicAuth(testEmail, testToken), WithHTTPClient(tlsSrv.Client()),
		WithRetryPolicy(RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, &struct{}{})
	var re *transport.RedirectError
	if !errors.As(err, &re) || plain.Load() != 0 {
		t.Errorf("https → http: err = %v, credentials over http %d times", err, plain.Load())
	}
}

// Finding 3: Do refuses a path without a leading slash or one that would
// address another host.
func TestHardenDoPathCheck(t *testing.T) {
	t.Parallel()
	var leaked atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
		writeJSON(w, 200, `{}`)
	}))
	t.Cleanup(evil.Close)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) }))
	t.Cleanup(site.Close)
	c, err := NewClient(site.URL, WithLoopback(), WithBasicAuth(testEmail, testToken))
	if err != nil {
		t.Fatal(err)
	}
	evilHost := strings.TrimPrefix(evil.URL, "http://")
	for _, p := range []string{"@" + evilHost + "/x", ".evil.com/x", "rest/api/3/myself", ":1/x"} {
		_, err := c.Do(t.Context(), http.MethodGet, p, nil, nil, &struct{}{})
		if err == nil {
			t.Errorf("Do(%q) accepted", p)
		}
	}
	if leaked.Load() != 0 {
		t.Errorf("another host got %d requests", leaked.Load())
	}
	if _, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, &struct{}{}); err != nil {
		t.Errorf("a good path: %v", err)
	}
	if err := sameOrigin("http://127.0.0.1:1", "http://127.0.0.1:1@"+evilHost+"/x"); err == nil {
		t.Error("sameOrigin accepted user info that moves the host")
	}
}

// Finding 5: an absurd Retry-After neither pauses the client nor is
// retried; the error says so.
func TestHardenAbsurdRetryAfter(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int64
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1000000000")
			w.Header().Set("RateLimit-Reason", "jira-quota-global-based")
			writeJSON(w, 429, `{"errorMessages":["slow down"]}`)
			return
		}
		writeJSON(w, 200, `{"accountId":"me"}`)
	})
	_, _, err := c.Myself(t.Context())
	var je *Error
	if !errors.As(err, &je) || je.StatusCode != 429 || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("err = %v, want a 429 saying the wait is too long", err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls: an absurd wait was retried", calls.Load())
	}
	if !c.tr.Limiter().PausedUntil().IsZero() {
		t.Errorf("the limiter paused until %v", c.tr.Limiter().PausedUntil())
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Myself(ctx); err != nil {
		t.Errorf("the next call is paused or fails: %v", err)
	}
	// The same through X-RateLimit-Reset years away.
	c2, mux2, _ := setup(t)
	mux2.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Reset", time.Now().Add(24*365*time.Hour).UTC().Format(time.RFC3339))
		writeJSON(w, 429, `{}`)
	})
	if _, _, err := c2.Myself(t.Context()); err == nil || !c2.tr.Limiter().PausedUntil().IsZero() {
		t.Errorf("reset a year away: err %v, paused until %v", err, c2.tr.Limiter().PausedUntil())
	}
}

// Finding 5, configured cap: the error reports the client's MaxServerWait
// (not the 1 h default), so callers far from the transport judge the wait
// by it. A 30 min wait past a 10 min cap is "too long", not retried, and
// pauses nothing; a 3 h wait past a 2 h cap names 2h0m0s; a 90 min wait
// under a 2 h cap is an ordinary wait handed back to the caller.
func TestHardenConfiguredMaxServerWait(t *testing.T) {
	t.Parallel()
	policy := func(cap time.Duration) Option {
		return WithRetryPolicy(RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
			MaxRetryAfter: 2 * time.Second, JitterMin: 1, JitterMax: 1, MaxServerWait: cap})
	}
	for _, tt := range []struct {
		cap, wait time.Duration
		tooLong   bool
	}{
		{10 * time.Minute, 30 * time.Minute, true},
		{2 * time.Hour, 3 * time.Hour, true},
		{2 * time.Hour, 90 * time.Minute, false},
	} {
		c, mux, _ := setup(t, policy(tt.cap))
		var calls atomic.Int64
		mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Header().Set("Retry-After", strconv.Itoa(int(tt.wait.Seconds())))
			writeJSON(w, 429, `{"errorMessages":["slow down"]}`)
		})
		_, _, err := c.Myself(t.Context())
		var je *Error
		if !errors.As(err, &je) || je.StatusCode != 429 || je.RetryAfter != tt.wait || je.MaxServerWait != tt.cap {
			t.Fatalf("cap %v, wait %v: err = %#v, want a 429 carrying the wait and the cap", tt.cap, tt.wait, err)
		}
		said := strings.Contains(err.Error(), "longer than the "+tt.cap.String()+" the client honours")
		if said != tt.tooLong || strings.Contains(err.Error(), "longer than the 1h0m0s") {
			t.Errorf("cap %v, wait %v: %q (too long: %v)", tt.cap, tt.wait, err, tt.tooLong)
		}
		if calls.Load() != 1 {
			t.Errorf("cap %v, wait %v: %d calls, want 1 (a wait past MaxRetryAfter is handed back)", tt.cap, tt.wait, calls.Load())
		}
		if tt.tooLong && !c.tr.Limiter().PausedUntil().IsZero() {
			t.Errorf("cap %v, wait %v: the limiter paused until %v", tt.cap, tt.wait, c.tr.Limiter().PausedUntil())
		}
	}
}

// Finding 7: a token echoed across the 64 KiB cut leaves no fragment in
// Error.Body or the message.
func TestHardenErrorBodyRedactedBeforeTruncation(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	blob := base64.StdEncoding.EncodeToString([]byte(testEmail + ":" + testToken))
	for _, secret := range []string{testToken, blob} {
		mux.HandleFunc("/rest/api/3/echo-"+strconv.Itoa(len(secret)), func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			pad := strings.Repeat("x", maxErrorBody-len(secret)/2)
			_, _ = io.WriteString(w, pad+secret+" trailing")
		})
		_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/echo-"+strconv.Itoa(len(secret)), nil, nil, nil)
		var je *Error
		if !errors.As(err, &je) {
			t.Fatalf("err = %v", err)
		}
		half := secret[:len(secret)/2]
		if strings.Contains(string(je.Body), half) || strings.Contains(err.Error(), half) {
			t.Errorf("a fragment of the secret %q survived in the error body", half)
		}
		if len(je.Body) > maxErrorBody {
			t.Errorf("body %d bytes, limit %d", len(je.Body), maxErrorBody)
		}
	}
}

// Finding 8: a client built without timeout options has a request timeout
// and a response-header timeout; options override it.
func TestHardenDefaultTimeouts(t *testing.T) {
	t.Parallel()
	c, err := NewClient("https://acme.atlassian.net", WithBasicAuth(testEmail, testToken))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.tr.AttemptTimeout(); got != transport.DefaultAttemptTimeout {
		t.Errorf("default attempt timeout = %v, want %v", got, transport.DefaultAttemptTimeout)
	}
	c, _ = NewClient("https://acme.atlassian.net", WithBasicAuth(testEmail, testToken), WithTimeout(3*time.Second))
	if got := c.tr.AttemptTimeout(); got != 3*time.Second {
		t.Errorf("WithTimeout(3s) = %v", got)
	}
	c, _ = NewClient("https://acme.atlassian.net", WithBasicAuth(testEmail, testToken), WithTimeout(0))
	if got := c.tr.AttemptTimeout(); got != 0 {
		t.Errorf("WithTimeout(0) = %v, want none", got)
	}
	// A transport built to be shared between the clients (the documented
	// jira.NewTransport(TransportConfig{})) bounds attempts like a client's
	// own; a negative Timeout asks for none.
	if got := NewTransport(TransportConfig{}).AttemptTimeout(); got != transport.DefaultAttemptTimeout {
		t.Errorf("NewTransport(TransportConfig{}) attempt timeout = %v, want %v", got, transport.DefaultAttemptTimeout)
	}
	c, _ = NewClient("https://acme.atlassian.net", WithBasicAuth(testEmail, testToken), WithTransport(NewTransport(TransportConfig{})))
	if got := c.tr.AttemptTimeout(); got != transport.DefaultAttemptTimeout {
		t.Errorf("client on a shared default transport: attempt timeout = %v", got)
	}
	if got := NewTransport(TransportConfig{Timeout: -1}).AttemptTimeout(); got != 0 {
		t.Errorf("NewTransport(Timeout: -1) attempt timeout = %v, want none", got)
	}
	if got := NewTransport(TransportConfig{Timeout: 5 * time.Second}).AttemptTimeout(); got != 5*time.Second {
		t.Errorf("NewTransport(Timeout: 5s) attempt timeout = %v", got)
	}
	// Behaviour: a server that never answers fails the call after the timeout.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	c, _ = NewClient(hang.URL, WithLoopback(), WithBasicAuth(testEmail, testToken), WithTimeout(100*time.Millisecond),
		WithRetryPolicy(RetryPolicy{}))
	start := time.Now()
	if _, _, err := c.Myself(context.Background()); err == nil {
		t.Error("a hanging server did not fail the call")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the call took %v", d)
	}
}

// Finding 9: a server returning fresh pages forever ends in an error.
func TestHardenEndlessPagination(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithPaginationLimits(50, 1000))
	var calls atomic.Int64
	mux.HandleFunc("/rest/api/3/users/search", func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		start, _ := strconv.Atoi(r.URL.Query().Get("startAt"))
		var b strings.Builder
		b.WriteString("[")
		for i := range 100 {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"accountId":"u%d-%d","accountType":"atlassian"}`, start, n*1000+int64(i))
		}
		b.WriteString("]")
		writeJSON(w, 200, b.String())
	})
	var n int
	var last error
	for _, err := range c.Users.ListIter(t.Context(), nil) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if !errors.Is(last, ErrPaginationLimit) {
		t.Fatalf("after %d users err = %v, want ErrPaginationLimit", n, last)
	}
	if calls.Load() > 20 {
		t.Errorf("%d pages fetched for an item bound of 1000 at 100 per page", calls.Load())
	}
	// A page method refuses a cursor past the item bound too.
	if _, _, err := c.Users.List(t.Context(), &ListOptions{Cursor: OffsetCursor(5000)}); !errors.Is(err, ErrPaginationLimit) {
		t.Errorf("cursor past the bound: %v", err)
	}
}

// Finding 11: ApplicationRoles.Get refuses "." and ".."; decoded messages
// are length-capped.
func TestHardenApplicationRoleKeyAndMessageCap(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int64
	mux.HandleFunc("/rest/api/3/", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 200, `{}`)
	})
	for _, k := range []ProductKey{".", "..", " .. "} {
		if _, _, err := c.ApplicationRoles.Get(t.Context(), k); err == nil {
			t.Errorf("Get(%q) accepted", k)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d requests sent for invalid keys", calls.Load())
	}
	e := &Error{}
	huge := strings.Repeat("m", 1<<20)
	e.DecodeErrorBody([]byte(`{"errorMessages":["` + huge + `"],"errors":{"f":"` + huge + `"},"message":"` + huge + `"}`))
	if len(e.Error()) > 8<<10 {
		t.Errorf("error message is %d bytes", len(e.Error()))
	}
	many := `{"errorMessages":[` + strings.Repeat(`"x",`, 1000) + `"y"]}`
	e = &Error{}
	e.DecodeErrorBody([]byte(many))
	if len(e.Messages) > 51 {
		t.Errorf("%d messages kept", len(e.Messages))
	}
}
