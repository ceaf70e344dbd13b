package jiratest

import (
	"strings"
	"time"
)

// Option configures a [Server].
type Option func(*config)

type config struct {
	latency, jitter  time.Duration
	limits           RateLimits
	faults           Faults
	caps             map[string]int
	totalDrift       bool
	emptyEvery       int
	clock            func() time.Time
	siteAdmin500     bool
	addr             string
	legacyCreateMeta bool
	// beanCreateMeta: createmeta pages as PageBeans ("values", "isLast").
	beanCreateMeta bool
}

func defaultConfig() config {
	return config{limits: DefaultRateLimits(), caps: map[string]int{}, clock: time.Now}
}

// WithLatency adds d of latency to every API request (before it is authenticated), to make the API half of a sync
// measurable. Control endpoints (/_jiratest/...) are not delayed.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithJitter adds a uniformly distributed extra latency in [-j, +j] (never below zero) on top of WithLatency. The
// jitter of a request depends only on the request's sequence number, so runs are reproducible.
func WithJitter(j time.Duration) Option { return func(c *config) { c.jitter = j } }

// WithRateLimits replaces the rate limits. Nil maps and zero fields take their defaults from [DefaultRateLimits];
// pass an empty non-nil Overrides map to drop the default endpoint overrides.
func WithRateLimits(l RateLimits) Option {
	return func(c *config) {
		d := DefaultRateLimits()
		if l.PerMethod == nil {
			l.PerMethod = d.PerMethod
		}
		if l.Overrides == nil {
			l.Overrides = d.Overrides
		}
		if l.BurstSeconds == 0 {
			l.BurstSeconds = d.BurstSeconds
		}
		if l.Reason == "" {
			l.Reason = d.Reason
		}
		if l.QuotaReason == "" {
			l.QuotaReason = d.QuotaReason
		}
		if l.IssueWritesPer2s == 0 {
			l.IssueWritesPer2s = d.IssueWritesPer2s
		}
		c.limits = l
	}
}

// Unlimited disables every rate limit (burst buckets, hourly quota and per-issue writes).
func Unlimited() Option { return func(c *config) { c.limits.Unlimited = true } }

// WithFaults injects reproducible faults (see [Faults]).
func WithFaults(f Faults) Option {
	return func(c *config) {
		if f.SlowDelay == 0 {
			f.SlowDelay = 2 * time.Second
		}
		if f.StormLength == 0 {
			f.StormLength = 5
		}
		c.faults = f
	}
}

// WithMaxResultsCap silently lowers the maximum page size of route to n, the way Jira may lower maxResults: the
// response carries the effective maxResults (PageBean) or simply fewer items (plain arrays). route is a route
// template with or without the method, e.g. "GET /rest/api/3/users/search" or "/rest/api/3/group/member"; Admin
// routes cap their limit the same way.
func WithMaxResultsCap(route string, n int) Option {
	return func(c *config) {
		if !strings.Contains(route, " ") {
			route = "GET " + route
		}
		c.caps[route] = n
	}
}

// WithTotalDrift makes PageBean "total" (and Admin meta totals) change between pages while the values stay correct,
// as the docs warn ("total may change"): clients must not stop paging on total.
func WithTotalDrift() Option { return func(c *config) { c.totalDrift = true } }

// WithEmptyPages makes PageBean endpoints end the way the docs warn they may ("always assume the requested page
// can be empty"): the last page with values claims isLast=false (on the first and then every every-th last page of
// each route), and any page at or past the end answers zero values with isLast=false. A client must stop on an
// empty page, not only on isLast, and must not lose or repeat data.
func WithEmptyPages(every int) Option {
	return func(c *config) {
		if every < 1 {
			every = 1
		}
		c.emptyEvery = every
	}
}

// WithClock sets the clock used for rate limits, audit records, mutation times and response timestamps.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithSiteAdminAccessTypeError makes GET /group/bulk?accessType=site-admin answer 500 "Couldn't retrieve groups
// with the site-admin accessType", the error the API spec documents for that filter.
func WithSiteAdminAccessTypeError() Option { return func(c *config) { c.siteAdmin500 = true } }

// WithAddr listens on addr (for example "127.0.0.1:8080") instead of a random loopback port, for demos that
// need a stable URL. NewServer panics if it cannot listen, like httptest.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// RateLimits configures the burst limiter: one token bucket per (method, route template), like Jira's per-tenant,
// per-endpoint, per-method burst limit, plus an optional hourly quota and the per-issue write limit. Both the site
// URL and the gateway share the tenant's buckets. The user-search endpoints (user/search, user/viewissue/search,
// user/permission/search) share one collective bucket, keyed "GET user-search (collective)" in Overrides.
type RateLimits struct {
	// Unlimited disables all limits.
	Unlimited bool
	// PerMethod is the steady rate (requests per second) per HTTP method.
	PerMethod map[string]float64
	// Overrides sets the rate of single routes, keyed by "METHOD template", e.g.
	// "GET /rest/api/3/project/{projectIdOrKey}/role/{id}". A /rest/api/3 key also applies to /rest/api/2.
	Overrides map[string]float64
	// BurstSeconds is the bucket size in seconds of steady rate (default 1: a bucket holds one second of requests).
	BurstSeconds float64
	// Reason is the RateLimit-Reason of burst 429s (default "jira-burst-based").
	Reason string
	// HourlyQuota, when positive, allows that many requests per UTC hour across all routes; beyond it every request
	// answers 429 with QuotaReason until the top of the hour.
	HourlyQuota int
	// QuotaReason is the RateLimit-Reason of quota 429s (default "jira-quota-tenant-based").
	QuotaReason string
	// IssueWritesPer2s limits writes to one issue (PUT issue, POST transitions) per 2 seconds (default 20; negative
	// disables), answering 429 "jira-per-issue-on-write".
	IssueWritesPer2s int
}

// DefaultRateLimits returns Jira Cloud's documented burst limits: GET 100, POST 100, PUT 50, DELETE 50 requests/s,
// with overrides GET project/{p}/role/{id} 200, GET /user 150, GET /issue/{key} 150 and GET
// /servicedeskapi/servicedesk/{id}/customer 5.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		PerMethod: map[string]float64{"GET": 100, "POST": 100, "PUT": 50, "DELETE": 50, "PATCH": 50},
		Overrides: map[string]float64{
			"GET /rest/api/3/project/{projectIdOrKey}/role/{id}":            200,
			"GET /rest/api/3/user":                                          150,
			"GET /rest/api/3/issue/{issueIdOrKey}":                          150,
			"GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/customer": 5,
		},
		BurstSeconds:     1,
		Reason:           "jira-burst-based",
		QuotaReason:      "jira-quota-tenant-based",
		IssueWritesPer2s: 20,
	}
}

// Faults injects failures reproducibly: whether request n of a route faults depends only on (Seed, route, n), so
// the same seed and the same sequence of requests per route give the same faults, whatever the concurrency across
// routes. Rates are probabilities in [0, 1] and are checked in this order (their sum should stay ≤ 1). Faults apply
// before the handler runs (the request has no effect), except truncation, lost answers and Rate5xxAfterApply,
// which happen after it.
type Faults struct {
	Seed int64
	// Rate5xx answers 500, 502 or 504 without Retry-After.
	Rate5xx float64
	// Rate503RetryAfter answers 503 with Retry-After: 1.
	Rate503RetryAfter float64
	// RateReset closes the connection without a response (connection reset).
	RateReset float64
	// RateTruncated sends a 2xx status and Content-Length, then only half the body, and closes the connection.
	RateTruncated float64
	// RateLostAnswer runs the request (a write takes effect) and then closes the connection without a response:
	// an answer lost on its way back, which truncation cannot model for empty (204) answers.
	RateLostAnswer float64
	// RateSlow delays the response by SlowDelay (default 2 s), honouring request cancellation.
	RateSlow  float64
	SlowDelay time.Duration
	// Rate5xxAfterApply runs the handler, so a write takes effect (and is in the mutation log), and then answers 500,
	// 502 or 504 instead of the handler's reply: the "the write happened but its answer was an error" case that a
	// client must settle by reading the state, never by writing again blindly.
	Rate5xxAfterApply float64
	// Rate429Storm starts a storm: StormLength (default 5) consecutive requests of the route answer 429 with
	// Retry-After: 1 and RateLimit-Reason jira-burst-based.
	Rate429Storm float64
	StormLength  int
	// Routes limits faults to these "METHOD template" keys (empty = every API route).
	Routes []string
	// Methods limits faults to these HTTP methods (empty = all).
	Methods []string
}

func (f Faults) enabled() bool {
	return f.Rate5xx > 0 || f.Rate503RetryAfter > 0 || f.RateReset > 0 || f.RateTruncated > 0 || f.RateSlow > 0 ||
		f.Rate429Storm > 0 || f.Rate5xxAfterApply > 0 || f.RateLostAnswer > 0
}

// Permissions are the global rights of an account added with [Server.AddAccount].
type Permissions struct {
	// BrowseUsersAndGroups allows listing users and groups (and group members).
	BrowseUsersAndGroups bool
	// AdministerJira is the Administer Jira global permission (roles, schemes, application roles, audit, invites).
	AdministerJira bool
	// SiteAdmin is site administration (group membership changes, user removal).
	SiteAdmin bool
}

// FullPermissions has every right; the server's built-in credentials use it.
var FullPermissions = Permissions{BrowseUsersAndGroups: true, AdministerJira: true, SiteAdmin: true}
