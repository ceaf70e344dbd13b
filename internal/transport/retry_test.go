package transport

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// answer builds a response as the retry hooks see it.
func answer(status int, kv ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return &http.Response{StatusCode: status, Header: h}
}

func retryAfter(secs int) []string { return []string{"Retry-After", strconv.Itoa(secs)} }

func resetIn(d time.Duration) []string {
	return []string{"X-RateLimit-Reset", testEpoch.Add(d).Format(time.RFC3339)}
}

// longWaits is testPolicy with a MaxRetryAfter above the 1 h server-wait cap.
func longWaits() RetryPolicy {
	p := testPolicy()
	p.MaxRetryAfter = 3 * time.Hour
	return p
}

func TestRetryPolicyRetryable(t *testing.T) {
	t.Parallel()
	netErr := func(err error) error { return &url.Error{Op: "Get", URL: "https://acme.atlassian.net/x", Err: err} }
	reset := netErr(&net.OpError{Op: "read", Err: syscall.ECONNRESET})
	for _, tc := range []struct {
		name   string
		policy RetryPolicy
		method string
		resp   *http.Response
		err    error
		want   bool
	}{
		{"200", testPolicy(), http.MethodGet, answer(200), nil, false},
		{"404", testPolicy(), http.MethodGet, answer(404), nil, false},
		{"409", testPolicy(), http.MethodGet, answer(409), nil, false},
		{"429 GET", testPolicy(), http.MethodGet, answer(429), nil, true},
		{"429 POST: Jira did nothing", testPolicy(), http.MethodPost, answer(429), nil, true},
		{"429 PATCH with Retry-After", testPolicy(), http.MethodPatch, answer(429, retryAfter(3)...), nil, true},
		{"429 Retry-After at MaxRetryAfter", testPolicy(), http.MethodGet, answer(429, retryAfter(10)...), nil, true},
		{"429 Retry-After above MaxRetryAfter", testPolicy(), http.MethodGet, answer(429, retryAfter(11)...), nil, false},
		{"429 reset within MaxRetryAfter", testPolicy(), http.MethodGet, answer(429, resetIn(8*time.Second)...), nil, true},
		{"429 reset past MaxRetryAfter", testPolicy(), http.MethodGet, answer(429, resetIn(30*time.Second)...), nil, false},
		{"429 reset already past", testPolicy(), http.MethodGet, answer(429, resetIn(-time.Minute)...), nil, true},
		{"429 under the 1 h cap", longWaits(), http.MethodGet, answer(429, retryAfter(3600)...), nil, true},
		{"429 over the 1 h cap", longWaits(), http.MethodGet, answer(429, retryAfter(3601)...), nil, false},
		{"500 GET", testPolicy(), http.MethodGet, answer(500), nil, true},
		{"500 POST", testPolicy(), http.MethodPost, answer(500), nil, false},
		{"502 PATCH", testPolicy(), http.MethodPatch, answer(502), nil, false},
		{"502 PUT", testPolicy(), http.MethodPut, answer(502), nil, true},
		{"504 DELETE", testPolicy(), http.MethodDelete, answer(504), nil, true},
		{"500 HEAD", testPolicy(), http.MethodHead, answer(500), nil, true},
		{"501 GET", testPolicy(), http.MethodGet, answer(501), nil, false},
		{"505 GET", testPolicy(), http.MethodGet, answer(505), nil, false},
		{"500 ignores Retry-After", testPolicy(), http.MethodGet, answer(500, retryAfter(3600)...), nil, true},
		{"503 Retry-After within", testPolicy(), http.MethodGet, answer(503, retryAfter(2)...), nil, true},
		{"503 Retry-After above MaxRetryAfter", testPolicy(), http.MethodGet, answer(503, retryAfter(11)...), nil, false},
		{"503 over the 1 h cap", longWaits(), http.MethodGet, answer(503, retryAfter(7200)...), nil, false},
		{"503 POST", testPolicy(), http.MethodPost, answer(503, retryAfter(2)...), nil, false},
		{"connection reset GET", testPolicy(), http.MethodGet, nil, reset, true},
		{"connection reset PUT", testPolicy(), http.MethodPut, nil, reset, true},
		{"connection reset POST: outcome unknown", testPolicy(), http.MethodPost, nil, reset, false},
		{"timeout GET", testPolicy(), http.MethodGet, nil, netErr(&net.OpError{Op: "dial", Err: syscall.ETIMEDOUT}), true},
		{"certificate GET", testPolicy(), http.MethodGet, nil, netErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), false},
		{"refused redirect GET", testPolicy(), http.MethodGet, answer(302),
			netErr(&RedirectError{From: "https://a", To: "https://b", Reason: "r"}), false},
		{"limiter refused to send", testPolicy(), http.MethodGet, nil, netErr(&limiterWaitError{err: &PausedError{Quota: true}}), false},
	} {
		if got := tc.policy.retryable(tc.method, tc.resp, tc.err, testEpoch); got != tc.want {
			t.Errorf("%s: retryable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRetryPolicyWait(t *testing.T) {
	t.Parallel()
	date := testEpoch.Add(7 * time.Second).Format(http.TimeFormat)
	for _, tc := range []struct {
		name   string
		policy RetryPolicy
		resp   *http.Response
		retry  int
		r      float64
		want   time.Duration
	}{
		{"429 Retry-After is the minimum", testPolicy(), answer(429, retryAfter(3)...), 0, 0, 3 * time.Second},
		{"429 Retry-After plus jitter", testPolicy(), answer(429, retryAfter(3)...), 2, 0.5, 3300 * time.Millisecond},
		{"429 Retry-After as a date", testPolicy(), answer(429, "Retry-After", date), 0, 0, 7 * time.Second},
		{"429 reset", testPolicy(), answer(429, resetIn(8*time.Second)...), 0, 0.5, 8800 * time.Millisecond},
		{"429 Retry-After before reset", testPolicy(), answer(429, append(retryAfter(2), resetIn(8*time.Second)...)...), 0, 0, 2 * time.Second},
		{"429 Retry-After 0 means backoff", testPolicy(), answer(429, retryAfter(0)...), 1, 0, 200 * time.Millisecond},
		{"429 without a wait: backoff", testPolicy(), answer(429), 0, 0.5, 100 * time.Millisecond},
		{"429 backoff doubles", testPolicy(), answer(429), 2, 0.5, 400 * time.Millisecond},
		{"429 backoff is capped", testPolicy(), answer(429), 6, 0.5, time.Second},
		{"503 Retry-After", testPolicy(), answer(503, retryAfter(2)...), 0, 0.5, 2200 * time.Millisecond},
		{"503 without a wait", testPolicy(), answer(503), 1, 0.5, 200 * time.Millisecond},
		{"500 ignores Retry-After", testPolicy(), answer(500, retryAfter(5)...), 0, 0.5, 100 * time.Millisecond},
		{"network error", testPolicy(), nil, 1, 0.5, 200 * time.Millisecond},
		{"default policy, low jitter", DefaultRetryPolicy(), answer(502), 0, 0, 1400 * time.Millisecond},
		{"default policy, high jitter", DefaultRetryPolicy(), answer(502), 4, 0.99, 38820 * time.Millisecond},
	} {
		if got := tc.policy.wait(tc.resp, tc.retry, testEpoch, tc.r); got != tc.want {
			t.Errorf("%s: wait = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRetryPolicyLimiterFeedback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		policy RetryPolicy
		method string
		resp   *http.Response
		retry  int
		want   time.Duration
		tell   bool
	}{
		{"429 retried: the wait taken", testPolicy(), http.MethodGet, answer(429, retryAfter(3)...), 0, 3300 * time.Millisecond, true},
		{"429 without a wait: the backoff", testPolicy(), http.MethodPost, answer(429), 1, 200 * time.Millisecond, true},
		{"429 handed to the caller: the server's wait", testPolicy(), http.MethodGet, answer(429, retryAfter(30)...), 0, 30 * time.Second, true},
		{"429 over the 1 h cap: ignored", longWaits(), http.MethodGet, answer(429, retryAfter(3601)...), 0, 0, false},
		{"503 retried: the server's wait", testPolicy(), http.MethodGet, answer(503, retryAfter(2)...), 0, 2 * time.Second, true},
		{"503 POST: not retried, not told", testPolicy(), http.MethodPost, answer(503, retryAfter(2)...), 0, 0, false},
		{"503 above MaxRetryAfter", testPolicy(), http.MethodGet, answer(503, retryAfter(30)...), 0, 0, false},
		{"503 without a wait", testPolicy(), http.MethodGet, answer(503), 0, 0, false},
		{"500 near the limit", testPolicy(), http.MethodGet, answer(500, "X-RateLimit-NearLimit", "true"), 0, 0, false},
		{"200 near the limit", testPolicy(), http.MethodGet, answer(200, "X-RateLimit-NearLimit", "true"), 0, 0, true},
		{"501 near the limit", testPolicy(), http.MethodGet, answer(501, "X-RateLimit-NearLimit", "true"), 0, 0, true},
		{"200", testPolicy(), http.MethodGet, answer(200), 0, 0, false},
		{"404", testPolicy(), http.MethodGet, answer(404), 0, 0, false},
	} {
		rt := ParseRate(tc.resp.Header, testEpoch)
		got, tell := tc.policy.limiterFeedback(tc.method, tc.resp, rt, tc.retry, testEpoch, 0.5)
		if got != tc.want || tell != tc.tell {
			t.Errorf("%s: limiterFeedback = %v, %v; want %v, %v", tc.name, got, tell, tc.want, tc.tell)
		}
	}
}
