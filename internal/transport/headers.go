package transport

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit reasons sent by Jira Cloud in the RateLimit-Reason header.
const (
	ReasonQuotaGlobal = "jira-quota-global-based"
	ReasonQuotaTenant = "jira-quota-tenant-based"
	ReasonBurst       = "jira-burst-based"
	ReasonPerIssue    = "jira-per-issue-on-write"
	// Legacy values from the older rate-limit documentation.
	ReasonCostLegacy  = "jira-cost-based"
	ReasonQuotaLegacy = "jira-quota-based"
)

// IsQuotaReason reports whether reason names an hourly quota (everything must
// pause until the window resets) rather than a per-endpoint burst limit.
func IsQuotaReason(reason string) bool {
	switch strings.ToLower(strings.TrimSpace(reason)) {
	case ReasonQuotaGlobal, ReasonQuotaTenant, ReasonQuotaLegacy, ReasonCostLegacy:
		return true
	}
	return false
}

// Rate is what a response said about rate limits. Zero fields mean the header
// was absent or unparsable.
type Rate struct {
	// Limit is X-RateLimit-Limit: the capacity of the current scope.
	Limit int
	// Remaining is X-RateLimit-Remaining; -1 when the header was absent.
	Remaining int
	// Reset is X-RateLimit-Reset (ISO 8601), when the window resets.
	Reset time.Time
	// RetryAfter is Retry-After (seconds or HTTP date), relative to the response time.
	RetryAfter time.Duration
	// Reason is RateLimit-Reason, e.g. "jira-burst-based".
	Reason string
	// NearLimit is X-RateLimit-NearLimit: true when less than 20% of capacity remains.
	NearLimit bool
}

// ParseRate reads the rate-limit headers of h. now is used to turn an HTTP-date
// Retry-After into a duration.
func ParseRate(h http.Header, now time.Time) Rate {
	r := Rate{Remaining: -1}
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit"))); err == nil {
		r.Limit = v
	}
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining"))); err == nil {
		r.Remaining = v
	}
	if t, ok := ParseReset(h.Get("X-RateLimit-Reset"), now); ok {
		r.Reset = t
	}
	if d, ok := ParseRetryAfter(h.Get("Retry-After"), now); ok {
		r.RetryAfter = d
	}
	r.Reason = strings.TrimSpace(h.Get("RateLimit-Reason"))
	r.NearLimit = strings.EqualFold(strings.TrimSpace(h.Get("X-RateLimit-NearLimit")), "true")
	return r
}

// ParseRetryAfter parses a Retry-After value: delay-seconds (integer or
// decimal) or an HTTP date. A date in the past yields 0. Negative or
// unparsable values report false.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if !(secs >= 0 && secs <= 1e9) { // also refuses NaN
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// resetLayouts are the X-RateLimit-Reset forms seen in Atlassian documents:
// full RFC 3339 and the older minute-precision yyyy-MM-ddTHH:mmZ.
var resetLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z0700",
}

// ParseReset parses X-RateLimit-Reset. It accepts ISO 8601 timestamps with or
// without seconds, and, leniently, epoch seconds.
func ParseReset(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	for _, layout := range resetLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		if n > 1_000_000_000 { // epoch seconds
			return time.Unix(n, 0), true
		}
		return now.Add(time.Duration(n) * time.Second), true
	}
	return time.Time{}, false
}

// ServerWait is how long the server asked the client to wait before trying
// again: Retry-After when present, else the time until X-RateLimit-Reset.
func (r Rate) ServerWait(now time.Time) (time.Duration, bool) {
	if r.RetryAfter > 0 {
		return r.RetryAfter, true
	}
	if !r.Reset.IsZero() {
		d := r.Reset.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
