package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRetryPolicyBackoff(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy()
	tests := []struct {
		retry int
		r     float64
		want  time.Duration
	}{
		{0, 0.5, 2 * time.Second},  // factor 0.7 + 0.6*0.5 = 1.0
		{1, 0.5, 4 * time.Second},  // doubled
		{2, 0.5, 8 * time.Second},  //
		{3, 0.5, 16 * time.Second}, //
		{4, 0.5, 30 * time.Second}, // 32 s capped at 30 s
		{10, 0.5, 30 * time.Second},
		{100, 0.5, 30 * time.Second}, // no overflow
		{0, 0, 1400 * time.Millisecond},
		{0, 1, 2600 * time.Millisecond},
		{4, 0, 21 * time.Second},
		{4, 1, 39 * time.Second},
	}
	for _, tt := range tests {
		if got := p.Backoff(tt.retry, tt.r); got != tt.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tt.retry, tt.r, got, tt.want)
		}
	}
}

func TestRetryPolicyBackoffBounds(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy()
	for retry := range 12 {
		base := p.BaseDelay << retry
		if base > p.MaxDelay || base <= 0 {
			base = p.MaxDelay
		}
		lo := time.Duration(float64(base) * p.JitterMin)
		hi := time.Duration(float64(base) * p.JitterMax)
		prev := time.Duration(-1)
		for i := range 101 {
			r := float64(i) / 101 // [0, 1)
			got := p.Backoff(retry, r)
			if got < lo || got > hi {
				t.Errorf("Backoff(%d, %.3f) = %v, outside [%v, %v]", retry, r, got, lo, hi)
			}
			if got < prev {
				t.Errorf("Backoff(%d, %.3f) = %v is less than for a smaller r (%v)", retry, r, got, prev)
			}
			prev = got
		}
	}
}

func TestRetryPolicyBackoffVariants(t *testing.T) {
	t.Parallel()
	noJitter := RetryPolicy{BaseDelay: time.Second, MaxDelay: 10 * time.Second}
	if got := noJitter.Backoff(2, 0.99); got != 4*time.Second {
		t.Errorf("no jitter: Backoff(2) = %v, want 4s", got)
	}
	if got := noJitter.Backoff(5, 0.99); got != 10*time.Second {
		t.Errorf("no jitter: Backoff(5) = %v, want the 10s cap", got)
	}
	uncapped := RetryPolicy{BaseDelay: time.Second}
	if got := uncapped.Backoff(3, 0); got != 8*time.Second {
		t.Errorf("no cap: Backoff(3) = %v, want 8s (still exponential)", got)
	}
	if got := uncapped.Backoff(200, 0); got <= 0 {
		t.Errorf("no cap: Backoff(200) = %v overflowed", got)
	}
	var zero RetryPolicy
	if got := zero.Backoff(3, 0.5); got != 0 {
		t.Errorf("zero policy: Backoff = %v, want 0", got)
	}
}

func TestRetryPolicyServerDelay(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy()
	for _, tt := range []struct {
		wait time.Duration
		r    float64
		want time.Duration
	}{
		{10 * time.Second, 0, 10 * time.Second},
		{10 * time.Second, 0.5, 11 * time.Second},
		{10 * time.Second, 0.999, 11998 * time.Millisecond},
		{0, 0.5, 0},
	} {
		got := p.ServerDelay(tt.wait, tt.r)
		if got != tt.want {
			t.Errorf("ServerDelay(%v, %v) = %v, want %v", tt.wait, tt.r, got, tt.want)
		}
		if got < tt.wait {
			t.Errorf("ServerDelay(%v, %v) = %v is shorter than the server asked", tt.wait, tt.r, got)
		}
	}
}

func TestIdempotent(t *testing.T) {
	t.Parallel()
	for m, want := range map[string]bool{
		http.MethodGet: true, http.MethodHead: true, http.MethodOptions: true,
		http.MethodPut: true, http.MethodDelete: true,
		http.MethodPost: false, http.MethodPatch: false, "": false,
	} {
		if got := Idempotent(m); got != want {
			t.Errorf("Idempotent(%q) = %v, want %v", m, got, want)
		}
	}
}

func TestReadBounded(t *testing.T) {
	t.Parallel()
	got, more, err := ReadBounded(strings.NewReader("hello"), 10)
	if err != nil || more || string(got) != "hello" {
		t.Errorf("short read = %q, %v, %v", got, more, err)
	}
	got, more, err = ReadBounded(strings.NewReader("0123456789"), 10)
	if err != nil || more || string(got) != "0123456789" {
		t.Errorf("exact read = %q, %v, %v", got, more, err)
	}
	r := strings.NewReader(strings.Repeat("x", 100<<10))
	got, more, err = ReadBounded(r, 16)
	if err != nil || !more || len(got) != 16 {
		t.Errorf("long read = %d bytes, %v, %v; want 16 bytes, true", len(got), more, err)
	}
	if r.Len() == 100<<10-17 {
		t.Errorf("the rest was not drained")
	}
}

// testPolicy retries three times with small, jitter-free delays.
func testPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second,
		MaxRetryAfter: 10 * time.Second, JitterMin: 1, JitterMax: 1}
}

type harness struct {
	t   *testing.T
	srv *httptest.Server
	clk *fakeClock
	tr  *Transport

	mu     sync.Mutex
	bodies []string
	hits   atomic.Int64
}

// newHarness starts a server whose handler gets the 1-based hit number, and a
// Transport with a fake clock starting at start, a fixed random number 0.5
// and an unlimited limiter.
func newHarness(t *testing.T, start time.Time, policy RetryPolicy, h func(w http.ResponseWriter, r *http.Request, hit int)) *harness {
	t.Helper()
	hs := &harness{t: t, clk: newFakeClock(start)}
	hs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hs.mu.Lock()
		hs.bodies = append(hs.bodies, string(b))
		hs.mu.Unlock()
		h(w, r, int(hs.hits.Add(1)))
	}))
	t.Cleanup(hs.srv.Close)
	hs.tr = New(Config{
		Base:    &http.Transport{DisableKeepAlives: true},
		Limiter: NewLimiter(Unlimited(), hs.clk),
		Retry:   &policy,
		Clock:   hs.clk,
		Rand:    fixedRand(0.5),
	})
	return hs
}

func (h *harness) do(ctx context.Context, method, path string, body []byte) (*http.Response, Result, error) {
	h.t.Helper()
	resp, res, err := h.tr.Do(ctx, Request{Method: method, URL: h.srv.URL + path, Body: body,
		Header: http.Header{"Content-Type": {"application/json"}}})
	if resp != nil {
		h.t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, res, err
}

func (h *harness) Bodies() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...)
}

func statusThen(status int, times int, header http.Header) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit <= times {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"errorMessages":["attempt %d"]}`, hit)
			return
		}
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, `{"attempt":%d}`, hit)
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return string(b)
}

func TestRetry429RetryAfterSeconds(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusTooManyRequests, 1,
		http.Header{"Retry-After": {"3"}, "Ratelimit-Reason": {ReasonBurst}}))
	resp, res, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/project/PROJ", nil)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if resp.StatusCode != http.StatusOK || res.Attempts != 2 {
		t.Fatalf("status %d after %d attempts, want 200 after 2", resp.StatusCode, res.Attempts)
	}
	if got := readBody(t, resp); got != `{"attempt":2}` {
		t.Errorf("body = %s", got)
	}
	if res.Route != "/rest/api/3/project/PROJ" {
		t.Errorf("Route = %q, want the URL path (no Route given)", res.Route)
	}
	// Retry-After is the minimum; ServerDelay adds 20%·0.5 on top.
	if diff := cmp.Diff([]time.Duration{3300 * time.Millisecond}, h.clk.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	want := Stats{Requests: 2, Retries: 1, RateLimited: 1, BackoffWait: 3300 * time.Millisecond,
		ByRoute: map[string]int64{"GET /rest/api/3/project/PROJ": 2}}
	if diff := cmp.Diff(want, h.tr.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
	if got := h.tr.Stats().Waited(); got != 3300*time.Millisecond {
		t.Errorf("Waited = %v", got)
	}
}

func TestRetry429RetryAfterHTTPDate(t *testing.T) {
	t.Parallel()
	date := testEpoch.Add(7 * time.Second).Format(http.TimeFormat)
	h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusTooManyRequests, 1,
		http.Header{"Retry-After": {date}}))
	resp, res, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil)
	if err != nil || resp.StatusCode != http.StatusOK || res.Attempts != 2 {
		t.Fatalf("Do = %v, %v after %d attempts", resp, err, res.Attempts)
	}
	sleeps := h.clk.Sleeps()
	if len(sleeps) != 1 || sleeps[0] < 7*time.Second || sleeps[0] > 7*time.Second*12/10 {
		t.Errorf("sleeps = %v, want one wait in [7s, 8.4s]", sleeps)
	}
}

func TestRetry429ResetWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	reset := testEpoch.Add(8 * time.Second).Format(time.RFC3339)
	h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusTooManyRequests, 1,
		http.Header{"X-Ratelimit-Reset": {reset}}))
	resp, _, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("Do = %v, %v", resp, err)
	}
	if diff := cmp.Diff([]time.Duration{8800 * time.Millisecond}, h.clk.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestRetry429WithoutWaitUsesBackoff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusTooManyRequests, 2, nil))
	resp, res, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil)
	if err != nil || resp.StatusCode != http.StatusOK || res.Attempts != 3 {
		t.Fatalf("Do = %v, %v after %d attempts", resp, err, res.Attempts)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}
	if diff := cmp.Diff(want, h.clk.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestRetry429ForPOSTRewindsBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusTooManyRequests, 2,
		http.Header{"Retry-After": {"1"}}))
	body := []byte(`{"emailAddress":"new@example.com","products":["jira-software"]}`)
	resp, res, err := h.do(t.Context(), http.MethodPost, "/rest/api/3/user", body)
	if err != nil || resp.StatusCode != http.StatusOK || res.Attempts != 3 {
		t.Fatalf("Do = %v, %v after %d attempts; want 200 after 3", resp, err, res.Attempts)
	}
	want := []string{string(body), string(body), string(body)}
	if diff := cmp.Diff(want, h.Bodies()); diff != "" {
		t.Errorf("bodies seen by the server (-want +got):\n%s", diff)
	}
	if s := h.tr.Stats(); s.RateLimited != 2 || s.Retries != 2 || s.ByRoute["POST /rest/api/3/user"] != 3 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestRetry5xxRewindsPUTBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusBadGateway, 2, nil))
	body := []byte(`{"categorisedActors":{"atlassian-user-role-actor":["5b10ac8d82e05b22cc7d4ef5"]}}`)
	resp, res, err := h.do(t.Context(), http.MethodPut, "/rest/api/3/project/PROJ/role/10002", body)
	if err != nil || resp.StatusCode != http.StatusOK || res.Attempts != 3 {
		t.Fatalf("Do = %v, %v after %d attempts; want 200 after 3", resp, err, res.Attempts)
	}
	for i, b := range h.Bodies() {
		if b != string(body) {
			t.Errorf("attempt %d body = %q, want %q", i+1, b, body)
		}
	}
}

func TestRetry503WithRetryAfter(t *testing.T) {
	t.Parallel()
	hdr := http.Header{"Retry-After": {"2"}}

	t.Run("GET is retried", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusServiceUnavailable, 1, hdr))
		resp, res, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil)
		if err != nil || resp.StatusCode != http.StatusOK || res.Attempts != 2 {
			t.Fatalf("Do = %v, %v after %d attempts; want 200 after 2", resp, err, res.Attempts)
		}
		if diff := cmp.Diff([]time.Duration{2200 * time.Millisecond}, h.clk.Sleeps()); diff != "" {
			t.Errorf("sleeps (-want +got):\n%s", diff)
		}
		if s := h.tr.Stats(); s.ServerErrors != 1 || s.RateLimited != 0 || s.Retries != 1 {
			t.Errorf("Stats = %+v", s)
		}
	})

	t.Run("POST is not", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusServiceUnavailable, 1, hdr))
		resp, res, err := h.do(t.Context(), http.MethodPost, "/rest/api/3/group/user", []byte(`{"accountId":"a"}`))
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		if resp.StatusCode != http.StatusServiceUnavailable || res.Attempts != 1 || h.hits.Load() != 1 {
			t.Fatalf("status %d after %d attempts (%d hits); want 503 after 1", resp.StatusCode, res.Attempts, h.hits.Load())
		}
		if s := h.clk.Sleeps(); len(s) != 0 {
			t.Errorf("slept %v", s)
		}
	})
}

func TestRetry500GETUpToMaxRetries(t *testing.T) {
	t.Parallel()
	p := testPolicy()
	h := newHarness(t, testEpoch, p, statusThen(http.StatusInternalServerError, 1000, nil))
	resp, res, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", resp.StatusCode)
	}
	if res.Attempts != p.MaxRetries+1 || h.hits.Load() != int64(p.MaxRetries+1) {
		t.Errorf("Attempts = %d (%d hits), want %d", res.Attempts, h.hits.Load(), p.MaxRetries+1)
	}
	// The last response comes back with its body intact.
	if got, want := readBody(t, resp), `{"errorMessages":["attempt 4"]}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}
	if diff := cmp.Diff(want, h.clk.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	if s := h.tr.Stats(); s.ServerErrors != 4 || s.Retries != 3 || s.Requests != 4 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestNoRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		status int
		policy func(*RetryPolicy)
	}{
		{"500 POST", http.MethodPost, http.StatusInternalServerError, nil},
		{"502 PATCH", http.MethodPatch, http.StatusBadGateway, nil},
		{"501 GET", http.MethodGet, http.StatusNotImplemented, nil},
		{"505 GET", http.MethodGet, http.StatusHTTPVersionNotSupported, nil},
		{"400 GET", http.MethodGet, http.StatusBadRequest, nil},
		{"401 GET", http.MethodGet, http.StatusUnauthorized, nil},
		{"404 DELETE", http.MethodDelete, http.StatusNotFound, nil},
		{"409 GET", http.MethodGet, http.StatusConflict, nil},
		{"500 GET, retries disabled", http.MethodGet, http.StatusInternalServerError, func(p *RetryPolicy) { p.MaxRetries = -1 }},
		{"429 GET, zero retries", http.MethodGet, http.StatusTooManyRequests, func(p *RetryPolicy) { p.MaxRetries = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := testPolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			h := newHarness(t, testEpoch, p, statusThen(tt.status, 1000, nil))
			resp, res, err := h.do(t.Context(), tt.method, "/rest/api/3/user", []byte(`{}`))
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if resp.StatusCode != tt.status || res.Attempts != 1 || h.hits.Load() != 1 {
				t.Errorf("status %d after %d attempts (%d hits); want %d after 1", resp.StatusCode, res.Attempts, h.hits.Load(), tt.status)
			}
			if s := h.clk.Sleeps(); len(s) != 0 {
				t.Errorf("slept %v", s)
			}
		})
	}
}

// hijackThen closes the connection without answering for the first n hits.
func hijackThen(n int) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit <= n {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			conn.Close()
			return
		}
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{}`)
	}
}

func TestRetryTransportError(t *testing.T) {
	t.Parallel()

	t.Run("GET is retried", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, testEpoch, testPolicy(), hijackThen(2))
		resp, res, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil)
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		if resp.StatusCode != http.StatusOK || res.Attempts != 3 || h.hits.Load() != 3 {
			t.Errorf("status %d after %d attempts (%d hits), want 200 after 3", resp.StatusCode, res.Attempts, h.hits.Load())
		}
		want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}
		if diff := cmp.Diff(want, h.clk.Sleeps()); diff != "" {
			t.Errorf("sleeps (-want +got):\n%s", diff)
		}
	})

	t.Run("GET gives up", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, testEpoch, testPolicy(), hijackThen(1000))
		resp, res, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil)
		if err == nil || resp != nil {
			t.Fatalf("Do = %v, %v; want an error and no response", resp, err)
		}
		if res.Attempts != 4 {
			t.Errorf("Attempts = %d, want 4", res.Attempts)
		}
	})

	t.Run("POST is not retried", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, testEpoch, testPolicy(), hijackThen(1000))
		resp, res, err := h.do(t.Context(), http.MethodPost, "/rest/api/3/issue", []byte(`{"fields":{}}`))
		if err == nil || resp != nil {
			t.Fatalf("Do = %v, %v; want an error and no response", resp, err)
		}
		if res.Attempts != 1 || h.hits.Load() != 1 {
			t.Errorf("Attempts = %d (%d hits), want 1", res.Attempts, h.hits.Load())
		}
		if s := h.clk.Sleeps(); len(s) != 0 {
			t.Errorf("slept %v", s)
		}
	})
}

func TestRetryAfterAboveMaxIsNotWaited(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, testEpoch, testPolicy(), statusThen(status, 1000,
				http.Header{"Retry-After": {"3600"}, "Ratelimit-Reason": {ReasonBurst}}))
			resp, res, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if resp.StatusCode != status || res.Attempts != 1 {
				t.Errorf("status %d after %d attempts, want %d after 1", resp.StatusCode, res.Attempts, status)
			}
			if got := resp.Header.Get("Retry-After"); got != "3600" {
				t.Errorf("Retry-After of the returned response = %q", got)
			}
			if s := h.clk.Sleeps(); len(s) != 0 {
				t.Errorf("slept %v", s)
			}
		})
	}
}

func TestRetryCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	clk := &blockingClock{now: testEpoch, entered: make(chan time.Duration, 1)}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	p := testPolicy()
	tr := New(Config{Limiter: NewLimiter(Unlimited(), clk), Retry: &p, Clock: clk, Rand: fixedRand(0)})
	ctx, cancel := context.WithCancel(t.Context())
	type result struct {
		resp *http.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, _, err := tr.Do(ctx, Request{Method: http.MethodGet, URL: srv.URL + "/rest/api/3/myself"})
		done <- result{resp, err}
	}()
	select {
	case d := <-clk.entered:
		if d != 5*time.Second {
			t.Errorf("backoff = %v, want 5s", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the transport never slept")
	}
	cancel()
	select {
	case r := <-done:
		if !errors.Is(r.err, context.Canceled) || r.resp != nil {
			t.Errorf("Do = %v, %v; want context.Canceled and no response", r.resp, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Do did not return promptly after cancellation")
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("server hits = %d, want 1", n)
	}
}

func TestRetryWaitPastDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		header http.Header
		policy func(*RetryPolicy)
	}{
		{"429 Retry-After", http.StatusTooManyRequests, http.Header{"Retry-After": {"5"}}, nil},
		{"503 Retry-After", http.StatusServiceUnavailable, http.Header{"Retry-After": {"5"}}, nil},
		{"500 backoff", http.StatusInternalServerError, nil, func(p *RetryPolicy) { p.BaseDelay = 10 * time.Second; p.MaxDelay = time.Minute }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := testPolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			// The fake clock starts at the wall clock so that it can be
			// compared with the ctx deadline.
			h := newHarness(t, time.Now(), p, statusThen(tt.status, 1000, tt.header))
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			start := time.Now()
			resp, res, err := h.do(ctx, http.MethodGet, "/rest/api/3/myself", nil)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if resp.StatusCode != tt.status || res.Attempts != 1 {
				t.Errorf("status %d after %d attempts, want %d after 1", resp.StatusCode, res.Attempts, tt.status)
			}
			if s := h.clk.Sleeps(); len(s) != 0 {
				t.Errorf("slept %v although the wait passes the deadline", s)
			}
			if el := time.Since(start); el > time.Second {
				t.Errorf("Do took %v", el)
			}
		})
	}
}

func TestDoCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusOK, 0, nil))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	resp, res, err := h.do(ctx, http.MethodGet, "/rest/api/3/myself", nil)
	if !errors.Is(err, context.Canceled) || resp != nil {
		t.Fatalf("Do = %v, %v; want context.Canceled", resp, err)
	}
	if res.Attempts != 0 || h.hits.Load() != 0 {
		t.Errorf("Attempts = %d, hits = %d; want 0", res.Attempts, h.hits.Load())
	}
}

func TestDoLimiterPacesEveryAttempt(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	p := RetryPolicy{MaxRetries: 2} // retry at once
	tr := New(Config{Limiter: NewLimiter(RateLimits{Default: 2, Burst: 1}, clk), Retry: &p, Clock: clk, Rand: fixedRand(0)})
	resp, res, err := tr.Do(t.Context(), Request{Method: http.MethodGet, URL: srv.URL + "/rest/api/3/myself"})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	resp.Body.Close()
	if res.Attempts != 2 {
		t.Fatalf("Attempts = %d, want 2", res.Attempts)
	}
	// At 2/s with a bucket of 1 the retry waits 500 ms in the limiter.
	if s := tr.Stats(); s.LimiterWait != 500*time.Millisecond || s.BackoffWait != 0 || s.Waited() != 500*time.Millisecond {
		t.Errorf("Stats = %+v, want LimiterWait 500ms", s)
	}
}

func TestDoFeedsLimiter(t *testing.T) {
	t.Parallel()

	t.Run("quota 429 pauses other routes", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusTooManyRequests, 1,
			http.Header{"Retry-After": {"2"}, "Ratelimit-Reason": {ReasonQuotaTenant}}))
		resp, _, err := h.do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("Do = %v, %v", resp, err)
		}
		if got, want := h.tr.Limiter().PausedUntil(), testEpoch.Add(2200*time.Millisecond); !got.Equal(want) {
			t.Errorf("PausedUntil = %v, want %v", got, want)
		}
	})

	t.Run("NearLimit slows the route", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-NearLimit", "true")
			w.WriteHeader(http.StatusOK)
		}))
		defer srv.Close()
		clk := newFakeClock(testEpoch)
		tr := New(Config{Limiter: NewLimiter(DefaultRateLimits(), clk), Clock: clk, Rand: fixedRand(0)})
		resp, _, err := tr.Do(t.Context(), Request{Method: http.MethodGet, URL: srv.URL + "/rest/api/3/users/search?startAt=0"})
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		resp.Body.Close()
		if got := tr.Limiter().CurrentRate(http.MethodGet, "/rest/api/3/users/search"); got != 75 {
			t.Errorf("rate after NearLimit = %v, want 75", got)
		}
	})

	t.Run("per-issue 429 spaces writes to that issue", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusTooManyRequests, 1,
			http.Header{"Retry-After": {"1"}, "Ratelimit-Reason": {ReasonPerIssue}}))
		resp, res, err := h.do(t.Context(), http.MethodPost, "/rest/api/3/issue/PROJ-7/comment", []byte(`{}`))
		if err != nil || resp.StatusCode != http.StatusOK || res.Attempts != 2 {
			t.Fatalf("Do = %v, %v after %d attempts", resp, err, res.Attempts)
		}
		if res.Route != "/rest/api/3/issue/PROJ-7/comment" {
			t.Errorf("Route = %q", res.Route)
		}
		// The route itself was not slowed (unlimited stays unlimited, and
		// nothing is paused).
		if !h.tr.Limiter().PausedUntil().IsZero() {
			t.Errorf("per-issue 429 paused everything")
		}
	})
}

func TestDoRouteOverride(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusOK, 0, nil))
	resp, res, err := h.tr.Do(t.Context(), Request{Method: http.MethodGet, URL: h.srv.URL + "/rest/api/3/project/PROJ",
		Route: "/custom"})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	resp.Body.Close()
	if res.Route != "/custom" {
		t.Errorf("Route = %q", res.Route)
	}
	if diff := cmp.Diff(map[string]int64{"GET /custom": 1}, h.tr.Stats().ByRoute); diff != "" {
		t.Errorf("ByRoute (-want +got):\n%s", diff)
	}
}

// TestStatsByRoute counts attempts per method and named route; a request
// without a route counts under its URL path, without the query.
func TestStatsByRoute(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testEpoch, testPolicy(), statusThen(http.StatusOK, 0, nil))
	for _, r := range []struct{ method, path, route string }{
		{http.MethodGet, "/rest/api/3/project/PROJ", "/rest/api/3/project/{}"},
		{http.MethodGet, "/rest/api/3/project/ABC", "/rest/api/3/project/{}"},
		{http.MethodGet, "/rest/api/3/project/search?startAt=50", ""},
		{http.MethodGet, "/ex/jira/" + routeCloudID + "/rest/api/3/project/XYZ", "/rest/api/3/project/{}"},
		{http.MethodDelete, "/rest/api/3/project/OLD", "/rest/api/3/project/{}"},
	} {
		resp, _, err := h.tr.Do(t.Context(), Request{Method: r.method, URL: h.srv.URL + r.path, Route: r.route})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := map[string]int64{
		"GET /rest/api/3/project/{}":     3,
		"GET /rest/api/3/project/search": 1,
		"DELETE /rest/api/3/project/{}":  1,
	}
	s := h.tr.Stats()
	if diff := cmp.Diff(want, s.ByRoute); diff != "" {
		t.Errorf("ByRoute (-want +got):\n%s", diff)
	}
	if s.Requests != 5 || s.Retries != 0 || s.RateLimited != 0 {
		t.Errorf("Stats = %+v", s)
	}
	// Stats is a snapshot: changing it does not change the counters.
	s.ByRoute["GET /rest/api/3/project/{}"] = 100
	if got := h.tr.Stats().ByRoute["GET /rest/api/3/project/{}"]; got != 3 {
		t.Errorf("snapshot aliases the counters: %d", got)
	}
}

func TestStatsConcurrent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testEpoch, testPolicy(), func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit%3 == 0 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	var wg sync.WaitGroup
	var final429 atomic.Int64
	for range 8 {
		wg.Go(func() {
			for range 5 {
				resp, _, err := h.tr.Do(t.Context(), Request{Method: http.MethodGet, URL: h.srv.URL + "/rest/api/3/myself"})
				if err != nil {
					t.Errorf("Do: %v", err)
					return
				}
				if resp.StatusCode == http.StatusTooManyRequests {
					final429.Add(1) // retries ran out
				}
				resp.Body.Close()
				_ = h.tr.Stats()
			}
		})
	}
	wg.Wait()
	s := h.tr.Stats()
	if s.Requests != h.hits.Load() || s.Requests != 40+s.Retries || s.RateLimited != s.Retries+final429.Load() ||
		s.ByRoute["GET /rest/api/3/myself"] != s.Requests {
		t.Errorf("Stats = %+v with %d hits and %d final 429s", s, h.hits.Load(), final429.Load())
	}
}

func TestDoNeverLogsOrReturnsSecrets(t *testing.T) {
	t.Parallel()
	const secret = "QuErYsEcReT"
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	p := testPolicy()
	clk := newFakeClock(testEpoch)
	tr := New(Config{Limiter: NewLimiter(Unlimited(), clk), Retry: &p, Clock: clk, Rand: fixedRand(0), Logger: logger})
	hdr := http.Header{"Authorization": {"Bearer " + secret}}
	resp, _, err := tr.Do(t.Context(), Request{Method: http.MethodGet, URL: srv.URL + "/rest/api/3/myself?token=" + secret, Header: hdr})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	resp.Body.Close()
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	if !strings.Contains(logs, "retrying") {
		t.Errorf("expected retry records at debug level, got %q", logs)
	}
	if strings.Contains(logs, secret) {
		t.Errorf("logs contain the secret: %s", logs)
	}

	// A transport error against a closed server: the URL in the error has
	// neither the query string nor user info.
	srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://user:"+secret+"@", 1) + "/rest/api/3/myself?token=" + secret
	_, _, err = tr.Do(t.Context(), Request{Method: http.MethodGet, URL: u, Header: hdr})
	if err == nil {
		t.Fatal("Do against a closed server succeeded")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error contains the secret: %v", err)
	}
	mu.Lock()
	logs = buf.String()
	mu.Unlock()
	if strings.Contains(logs, secret) {
		t.Errorf("logs contain the secret: %s", logs)
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestDoBadURL(t *testing.T) {
	t.Parallel()
	tr := New(Config{})
	if _, _, err := tr.Do(t.Context(), Request{Method: http.MethodGet, URL: "http://[::1"}); err == nil {
		t.Error("Do with a malformed URL succeeded")
	}
	if _, _, err := tr.Do(t.Context(), Request{Method: "BAD METHOD", URL: "http://127.0.0.1/"}); err == nil {
		t.Error("Do with an invalid method succeeded")
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	tr := New(Config{})
	if _, ok := tr.Clock().(RealClock); !ok {
		t.Errorf("default clock = %T", tr.Clock())
	}
	if tr.Limiter() == nil {
		t.Fatal("no default limiter")
	}
	if got := tr.Limiter().CurrentRate(http.MethodGet, "/rest/api/3/user"); got != 150 {
		t.Errorf("default limiter rate for GET /user = %v, want 150 (DefaultRateLimits)", got)
	}
	if diff := cmp.Diff(DefaultRetryPolicy(), tr.policy); diff != "" {
		t.Errorf("default policy (-want +got):\n%s", diff)
	}
}

func TestDoLimiterWaitPastDeadline(t *testing.T) {
	t.Parallel()
	// A quota pause longer than the ctx allows: the request is neither sent
	// nor retried, and nothing sleeps.
	h := newHarness(t, time.Now(), testPolicy(), statusThen(http.StatusOK, 0, nil))
	h.tr.Limiter().Observe(http.MethodGet, "/rest/api/3/myself", "", http.StatusTooManyRequests,
		Rate{Reason: ReasonQuotaGlobal}, 50*time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	resp, res, err := h.do(ctx, http.MethodGet, "/rest/api/3/project/search", nil)
	if !errors.Is(err, context.DeadlineExceeded) || resp != nil {
		t.Fatalf("Do = %v, %v; want context.DeadlineExceeded", resp, err)
	}
	if res.Attempts != 0 || h.hits.Load() != 0 {
		t.Errorf("Attempts = %d, hits = %d; want 0", res.Attempts, h.hits.Load())
	}
	if s := h.clk.Sleeps(); len(s) != 0 {
		t.Errorf("slept %v", s)
	}
	if s := h.tr.Stats(); s.Retries != 0 {
		t.Errorf("Retries = %d, want 0", s.Retries)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("Do took %v", el)
	}
}
