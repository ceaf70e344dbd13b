package transport

import (
	"net/http"
	"testing"
	"time"
)

var fuzzNow = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// FuzzParseRetryAfter: any Retry-After value parses without panicking into
// a non-negative wait, or is refused.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "1", "1.5", "1000000000", "1e9", "1e10", "-1", "NaN", "Inf", " 7 ",
		"Mon, 04 May 2026 10:00:05 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "", "abc", "0x10", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, fuzzNow)
		if ok && d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) refused but returned %v", v, d)
		}
	})
}

// FuzzParseReset: any X-RateLimit-Reset value parses without panicking.
func FuzzParseReset(f *testing.F) {
	for _, s := range []string{"2026-05-04T10:00:05Z", "2026-05-04T10:01Z", "2026-05-04T10:00:05+0000", "1777888999",
		"30", "0", "-5", "", "garbage", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if tm, ok := ParseReset(v, fuzzNow); !ok && !tm.IsZero() {
			t.Fatalf("ParseReset(%q) refused but returned %v", v, tm)
		}
	})
}

// FuzzRateHeaders: every combination of rate-limit headers gives a Rate
// whose server wait is never negative, and the transport's decisions
// (too long or not) never panic.
func FuzzRateHeaders(f *testing.F) {
	f.Add("100", "0", "2026-05-04T10:00:05Z", "3", "jira-quota-global-based", "true")
	f.Add("", "", "", "1e9", "jira-burst-based", "false")
	f.Add("x", "-1", "1", "Mon, 04 May 2026 11:00:00 GMT", "", "TRUE")
	f.Fuzz(func(t *testing.T, limit, remaining, reset, retryAfter, reason, near string) {
		h := http.Header{}
		for k, v := range map[string]string{"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": remaining,
			"X-RateLimit-Reset": reset, "Retry-After": retryAfter, "RateLimit-Reason": reason, "X-RateLimit-NearLimit": near} {
			h.Set(k, v)
		}
		rt := ParseRate(h, fuzzNow)
		if w, ok := rt.ServerWait(fuzzNow); ok && w < 0 {
			t.Fatalf("negative server wait %v from %v", w, h)
		}
		_ = IsQuotaReason(rt.Reason)
		lim := NewLimiter(DefaultRateLimits(), nil)
		lim.Observe("GET", "/rest/api/3/x", "", 429, rt, 0)
	})
}
