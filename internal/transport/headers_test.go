package transport

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := testEpoch
	tests := []struct {
		name   string
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"empty", "", 0, false},
		{"blank", "   ", 0, false},
		{"seconds", "120", 120 * time.Second, true},
		{"zero", "0", 0, true},
		{"padded", "  7 ", 7 * time.Second, true},
		{"decimal", "1.5", 1500 * time.Millisecond, true},
		{"small decimal", "0.25", 250 * time.Millisecond, true},
		{"negative", "-1", 0, false},
		{"negative decimal", "-0.5", 0, false},
		{"absurdly large", "1e12", 0, false},
		{"not a number", "NaN", 0, false},
		{"infinity", "Inf", 0, false},
		{"negative infinity", "-Inf", 0, false},
		{"garbage", "soon", 0, false},
		{"seconds with unit", "10s", 0, false},
		{"http date in the future", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"http date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"http date now", now.Format(http.TimeFormat), 0, true},
		{"rfc850 date", now.Add(30 * time.Second).Format(time.RFC850), 30 * time.Second, true},
		{"asctime date", now.Add(45 * time.Second).Format(time.ANSIC), 45 * time.Second, true},
		{"broken date", "Mon, 02 Mar 2026 10:00", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
			if got < 0 {
				t.Errorf("ParseRetryAfter(%q) returned a negative wait %v", tt.in, got)
			}
		})
	}
}

func TestParseReset(t *testing.T) {
	t.Parallel()
	now := testEpoch
	tests := []struct {
		name   string
		in     string
		want   time.Time
		wantOK bool
	}{
		{"empty", "", time.Time{}, false},
		{"rfc3339", "2026-01-01T01:01:01Z", time.Date(2026, 1, 1, 1, 1, 1, 0, time.UTC), true},
		{"rfc3339 fractional", "2026-01-01T01:01:01.250Z", time.Date(2026, 1, 1, 1, 1, 1, 250e6, time.UTC), true},
		{"rfc3339 padded", " 2025-10-08T15:00:00Z ", time.Date(2025, 10, 8, 15, 0, 0, 0, time.UTC), true},
		{"rfc3339 with offset", "2026-01-01T03:01:01+02:00", time.Date(2026, 1, 1, 1, 1, 1, 0, time.UTC), true},
		{"minute precision Z", "2021-05-12T13:45Z", time.Date(2021, 5, 12, 13, 45, 0, 0, time.UTC), true},
		{"minute precision with offset", "2021-05-12T15:45+02:00", time.Date(2021, 5, 12, 13, 45, 0, 0, time.UTC), true},
		{"minute precision compact offset", "2021-05-12T08:45-0500", time.Date(2021, 5, 12, 13, 45, 0, 0, time.UTC), true},
		{"seconds compact offset", "2021-05-12T08:45:30-0500", time.Date(2021, 5, 12, 13, 45, 30, 0, time.UTC), true},
		{"epoch seconds", "1767229261", time.Unix(1767229261, 0), true},
		{"relative seconds", "30", now.Add(30 * time.Second), true},
		{"zero", "0", time.Time{}, false},
		{"negative", "-5", time.Time{}, false},
		{"date only", "2026-01-01", time.Time{}, false},
		{"garbage", "tomorrow", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseReset(tt.in, now)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("ParseReset(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	now := testEpoch
	tests := []struct {
		name string
		h    http.Header
		want Rate
	}{
		{"no headers", http.Header{}, Rate{Remaining: -1}},
		{
			"documented quota 429",
			http.Header{
				"Retry-After":           {"1847"},
				"X-Ratelimit-Limit":     {"100000"},
				"X-Ratelimit-Remaining": {"0"},
				"X-Ratelimit-Reset":     {"2026-03-02T10:31:00Z"},
				"Ratelimit-Reason":      {"jira-quota-global-based"},
			},
			Rate{Limit: 100000, Remaining: 0, Reset: now.Add(31 * time.Minute), RetryAfter: 1847 * time.Second,
				Reason: ReasonQuotaGlobal},
		},
		{
			"burst 429",
			http.Header{"Retry-After": {"1"}, "Ratelimit-Reason": {" jira-burst-based "}},
			Rate{Remaining: -1, RetryAfter: time.Second, Reason: ReasonBurst},
		},
		{
			"ordinary response near the limit",
			http.Header{"X-Ratelimit-Limit": {"350"}, "X-Ratelimit-Remaining": {"12"}, "X-Ratelimit-Nearlimit": {"TRUE"}},
			Rate{Limit: 350, Remaining: 12, NearLimit: true},
		},
		{
			"unparsable values are ignored",
			http.Header{"X-Ratelimit-Limit": {"lots"}, "X-Ratelimit-Remaining": {"?"}, "Retry-After": {"later"},
				"X-Ratelimit-Reset": {"soon"}, "X-Ratelimit-Nearlimit": {"yes"}},
			Rate{Remaining: -1},
		},
		{
			"http-date retry after",
			http.Header{"Retry-After": {now.Add(5 * time.Second).Format(http.TimeFormat)}},
			Rate{Remaining: -1, RetryAfter: 5 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ParseRate(tt.h, now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseRate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRateServerWait(t *testing.T) {
	t.Parallel()
	now := testEpoch
	tests := []struct {
		name   string
		r      Rate
		want   time.Duration
		wantOK bool
	}{
		{"nothing", Rate{}, 0, false},
		{"retry after wins", Rate{RetryAfter: 3 * time.Second, Reset: now.Add(time.Hour)}, 3 * time.Second, true},
		{"reset in the future", Rate{Reset: now.Add(90 * time.Second)}, 90 * time.Second, true},
		{"reset in the past", Rate{Reset: now.Add(-time.Minute)}, 0, true},
	}
	for _, tt := range tests {
		got, ok := tt.r.ServerWait(now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: ServerWait = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestIsQuotaReason(t *testing.T) {
	t.Parallel()
	for reason, want := range map[string]bool{
		ReasonQuotaGlobal:           true,
		ReasonQuotaTenant:           true,
		ReasonQuotaLegacy:           true,
		ReasonCostLegacy:            true,
		" JIRA-QUOTA-GLOBAL-BASED ": true,
		ReasonBurst:                 false,
		ReasonPerIssue:              false,
		"":                          false,
		"something-else":            false,
	} {
		if got := IsQuotaReason(reason); got != want {
			t.Errorf("IsQuotaReason(%q) = %v, want %v", reason, got, want)
		}
	}
}
