package jira

import (
	"github.com/batonkit/jiracloud/internal/apiclient"
	"github.com/batonkit/jiracloud/internal/transport"
)

// Transport is the HTTP stack shared by the Jira and Atlassian Admin
// clients: a client-side rate limiter before every attempt, bounded retries
// with Atlassian's recommended backoff, and reaction to Retry-After and
// X-RateLimit-* headers. Build one with [NewTransport] and hand it to every
// client of one site with [WithTransport] so they share one budget and one
// set of counters. It is safe for concurrent use.
type Transport = transport.Transport

// TransportConfig configures [NewTransport]; zero fields get defaults.
type TransportConfig = transport.Config

// Limiter paces requests per endpoint, like Jira's per-endpoint burst buckets,
// and adapts to RateLimit-Reason and X-RateLimit-NearLimit. Share one per site.
type Limiter = transport.Limiter

// RateLimits configures a [Limiter].
type RateLimits = transport.RateLimits

// RetryPolicy bounds retries; see [DefaultRetryPolicy].
type RetryPolicy = transport.RetryPolicy

// Stats is a snapshot of a transport's counters: requests, retries, 429s,
// 5xx and time spent waiting, plus requests per route.
type Stats = transport.Stats

// Event is one observation of the transport, given to the observer of
// [WithObserver]: an attempt, a 429 answer or a retry, with the request's
// method and route template.
type Event = transport.Event

// EventKind says what an [Event] reports.
type EventKind = transport.EventKind

// Kinds of [Event].
const (
	EventAttempt     = transport.EventAttempt
	EventRateLimited = transport.EventRateLimited
	EventRetry       = transport.EventRetry
)

// Clock is the time source of the limiter and backoff; tests inject one.
type Clock = transport.Clock

// Rate is what a response said about rate limits (X-RateLimit-*, Retry-After,
// RateLimit-Reason, X-RateLimit-NearLimit).
type Rate = transport.Rate

// NewTransport builds a [Transport]. A nil cfg.Limiter gets a new [Limiter]
// with [DefaultRateLimits]; a zero cfg.Timeout bounds each attempt by 100 s,
// as a client built without [WithTimeout] does (a negative one means no
// bound, ctx still applies); a nil cfg.Base gets a pooled round tripper
// that waits at most 60 s for response headers.
func NewTransport(cfg TransportConfig) *Transport { return apiclient.NewTransport(cfg) }

// NewLimiter returns a [Limiter]; a nil clock means the wall clock.
func NewLimiter(l RateLimits, clock Clock) *Limiter { return transport.NewLimiter(l, clock) }

// DefaultRateLimits returns Jira Cloud's documented per-endpoint burst limits
// (GET 100/s, POST 100/s, PUT 50/s, DELETE 50/s), with the documented
// overrides: role actors 200/s, GET /user and GET /issue/{key} 150/s, and
// the Service Management customer list 5/s.
func DefaultRateLimits() RateLimits { return apiclient.DefaultRateLimits() }

// UnlimitedRateLimits returns limits that never delay a request; server
// feedback (Retry-After, quota pauses) is still honoured.
func UnlimitedRateLimits() RateLimits { return transport.Unlimited() }

// DefaultRetryPolicy returns Atlassian's recommended policy: 4 retries, 2 s
// base delay doubling to 30 s, jitter in [0.7, 1.3], Retry-After waited up to 60 s.
func DefaultRetryPolicy() RetryPolicy { return transport.DefaultRetryPolicy() }
