// Package transport is the one HTTP stack shared by the Jira and Atlassian
// Admin clients: a client-side limiter before every attempt, bounded retries
// through go-retryablehttp with Atlassian's recommended backoff, reaction to
// Retry-After and X-RateLimit-* headers, and counters a caller can read.
//
// It knows nothing about Jira payloads or authentication: callers set headers
// (including Authorization) on each request, and decode bodies themselves.
package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// RetryPolicy bounds and shapes retries. The zero value retries nothing;
// start from DefaultRetryPolicy.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// BaseDelay is the first backoff delay when the server gave no wait.
	BaseDelay time.Duration
	// MaxDelay caps the exponential backoff; zero means no cap.
	MaxDelay time.Duration
	// MaxRetryAfter is the longest server-requested wait (Retry-After or
	// X-RateLimit-Reset) the client sleeps through. A longer one is not
	// waited for: the response comes back as an error that carries the wait,
	// so the caller (for example the Baton SDK) can schedule it.
	MaxRetryAfter time.Duration
	// JitterMin and JitterMax bound the factor applied to backoff delays.
	JitterMin, JitterMax float64
	// MaxServerWait is the longest server-requested wait the client honours
	// at all; zero means DefaultMaxServerWait (1 h). A 429 or 503 asking
	// for longer (a Retry-After of 1e9 s, a reset years away) neither
	// pauses the limiter nor is retried: the response comes back as an
	// error, so a long-lived process is never frozen by one bad header.
	MaxServerWait time.Duration
}

// DefaultMaxServerWait is the default RetryPolicy.MaxServerWait.
const DefaultMaxServerWait = time.Hour

// DefaultAttemptTimeout bounds one attempt (headers and body) of a client
// built without WithTimeout or WithHTTPClient.
const DefaultAttemptTimeout = 100 * time.Second

// DefaultResponseHeaderTimeout bounds the wait for response headers on the
// default round tripper.
const DefaultResponseHeaderTimeout = 60 * time.Second

// maxServerWait is p.MaxServerWait or its default.
func (p RetryPolicy) maxServerWait() time.Duration {
	if p.MaxServerWait > 0 {
		return p.MaxServerWait
	}
	return DefaultMaxServerWait
}

// ServerWaitTooLong reports whether a server-requested wait exceeds what
// the client honours (RetryPolicy.MaxServerWait, default 1 h).
func (t *Transport) ServerWaitTooLong(d time.Duration) bool { return d > t.policy.maxServerWait() }

// DefaultRetryPolicy follows Atlassian's guidance: 4 retries, a 2 s base
// delay doubling to a 30 s cap, jitter in [0.7, 1.3], and Retry-After as the
// minimum wait (waited up to 60 s).
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 4, BaseDelay: 2 * time.Second, MaxDelay: 30 * time.Second,
		MaxRetryAfter: 60 * time.Second, JitterMin: 0.7, JitterMax: 1.3}
}

// Backoff returns the delay before retry number retry (0-based) when the
// server gave no wait. r is a uniform random number in [0, 1).
func (p RetryPolicy) Backoff(retry int, r float64) time.Duration {
	d := p.BaseDelay
	for i := 0; i < retry && (p.MaxDelay <= 0 || d < p.MaxDelay) && d < math.MaxInt64/2; i++ {
		d *= 2
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	lo, hi := p.JitterMin, p.JitterMax
	if lo <= 0 && hi <= 0 {
		return d
	}
	return time.Duration(float64(d) * (lo + (hi-lo)*r))
}

// ServerDelay turns a server-requested wait into the delay actually slept:
// never less than asked, plus up to 20% upward jitter so that concurrent
// clients do not return at the same instant.
func (p RetryPolicy) ServerDelay(wait time.Duration, r float64) time.Duration {
	return wait + time.Duration(float64(wait)*0.2*r)
}

// Config configures a Transport. Zero fields get defaults.
type Config struct {
	// Base is the underlying round tripper; default a pooled transport.
	Base http.RoundTripper
	// Timeout bounds one attempt (0 = none; ctx still applies).
	Timeout time.Duration
	// Limiter paces requests; default a new Limiter with DefaultRateLimits.
	Limiter *Limiter
	// Retry is the retry policy; default DefaultRetryPolicy. Set
	// MaxRetries to 0 to disable retries.
	Retry *RetryPolicy
	// Clock and Rand are injectable for tests.
	Clock Clock
	Rand  func() float64
	// Logger receives debug records of retries and waits; default silent.
	// It never receives headers, bodies or query strings.
	Logger *slog.Logger
	// Observer, when set, is called for every attempt, 429 answer and retry
	// as it happens, from the goroutine sending the request: it must be
	// quick and safe for concurrent use. It sees the method and route
	// template only (never URLs, headers or bodies). Default: none.
	Observer func(Event)
}

// EventKind says what an [Event] reports.
type EventKind uint8

// Event kinds, one per counter of [Stats] that an [Config.Observer] sees.
const (
	// EventAttempt: an attempt is about to be sent (after the limiter).
	EventAttempt EventKind = iota + 1
	// EventRateLimited: an attempt was answered 429.
	EventRateLimited
	// EventRetry: the request will be sent again (after a wait).
	EventRetry
)

// String returns "attempt", "rate-limited" or "retry".
func (k EventKind) String() string {
	switch k {
	case EventAttempt:
		return "attempt"
	case EventRateLimited:
		return "rate-limited"
	case EventRetry:
		return "retry"
	}
	return "unknown"
}

// Event is one observation of the transport: a request's method and route
// template ("/rest/api/3/group/member"), and for 429s and retries the HTTP
// status that caused them (0 for a transport error).
type Event struct {
	Kind   EventKind
	Method string
	Route  string
	Status int
}

// Transport sends requests with pacing and retries. It is safe for
// concurrent use and meant to be built once and shared.
type Transport struct {
	limiter *Limiter
	policy  RetryPolicy
	clock   Clock
	rnd     func() float64
	log     *slog.Logger
	rc      *retryablehttp.Client
	timeout time.Duration
	stats   statsCounters
	observe func(Event)
}

// AttemptTimeout is the bound on one attempt (0 = none).
func (t *Transport) AttemptTimeout() time.Duration { return t.timeout }

// RedirectError is the failure of a request answered with a redirect the
// transport refuses to follow: one to another scheme, host or port (the
// credentials in the request's headers must never reach another origin),
// one that would send a request body again, or the tenth in a row.
type RedirectError struct {
	// From and To are the redirecting and target URLs, without query strings.
	From, To string
	// Reason says why the redirect was refused.
	Reason string
}

func (e *RedirectError) Error() string {
	return "refusing redirect from " + e.From + " to " + e.To + ": " + e.Reason
}

// checkRedirect follows a redirect only within the origin (scheme, host and
// port) of the first request, and only for requests without a body: Go would
// resend a body on 307/308, and forward the Authorization header to the same
// host even when the redirect downgrades https to http.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	e := &RedirectError{From: redactedURL(via[len(via)-1].URL), To: redactedURL(req.URL)}
	switch {
	case !strings.EqualFold(req.URL.Scheme, first.URL.Scheme) || !strings.EqualFold(req.URL.Host, first.URL.Host):
		e.Reason = "it leaves " + first.URL.Scheme + "://" + first.URL.Host + " (check the site URL)"
	case first.Body != nil && first.Body != http.NoBody || first.GetBody != nil && first.ContentLength != 0:
		e.Reason = "the request has a body, which is never sent twice"
	case len(via) >= 10:
		e.Reason = "too many redirects"
	default:
		return nil
	}
	return e
}

func redactedURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.User = "", "", nil
	return c.String()
}

// New builds a Transport.
func New(cfg Config) *Transport {
	t := &Transport{limiter: cfg.Limiter, clock: cfg.Clock, rnd: cfg.Rand, log: cfg.Logger, observe: cfg.Observer}
	if t.clock == nil {
		t.clock = RealClock{}
	}
	if t.limiter == nil {
		t.limiter = NewLimiter(DefaultRateLimits(), t.clock)
	}
	if cfg.Retry != nil {
		t.policy = *cfg.Retry
	} else {
		t.policy = DefaultRetryPolicy()
	}
	if t.rnd == nil {
		t.rnd = rand.Float64
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	base := cfg.Base
	if base == nil {
		pt := cleanhttp.DefaultPooledTransport()
		pt.MaxIdleConnsPerHost = 64
		pt.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
		base = pt
	}
	t.timeout = cfg.Timeout
	hc := &http.Client{Transport: &pacedRoundTripper{t: t, base: base}, Timeout: cfg.Timeout, CheckRedirect: checkRedirect}
	t.rc = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil,
		RetryWaitMin: 0,
		RetryWaitMax: 0,
		RetryMax:     1 << 20, // CheckRetry enforces the real bound
		CheckRetry:   t.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 },
		PrepareRetry: t.prepareRetry,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return t
}

// Limiter returns the limiter in use.
func (t *Transport) Limiter() *Limiter { return t.limiter }

// Clock returns the clock in use.
func (t *Transport) Clock() Clock { return t.clock }

// Request is one logical request (the transport may send it several times).
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Route overrides the route template used for pacing and counters;
	// default RouteTemplate(URL path).
	Route string
}

// Result describes how a request went.
type Result struct {
	// Attempts is how many times the request was sent.
	Attempts int
	// Route is the route template the request was counted under.
	Route string
}

type ctxKey struct{}

type reqState struct {
	method, route, issue string
	idempotent           bool
	attempts             int
	retries              int
	nextWait             time.Duration
}

// Do sends req and returns the final response, whose body the caller must
// close. A response is returned for every HTTP status; err is non-nil only
// for transport failures or when ctx ended. Safe requests (GET, HEAD,
// OPTIONS, PUT, DELETE) are retried on transport errors and 5xx; every
// method is retried on 429, which Jira sends before doing any work.
func (t *Transport) Do(ctx context.Context, req Request) (*http.Response, Result, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, Result{}, fmt.Errorf("transport: bad URL: %w", err)
	}
	st := &reqState{method: req.Method, route: req.Route, idempotent: Idempotent(req.Method)}
	if st.route == "" {
		st.route = RouteTemplate(u.Path)
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		st.issue = IssueKey(u.Path)
	}
	ctx = context.WithValue(ctx, ctxKey{}, st)
	var body any
	if req.Body != nil {
		body = req.Body
	}
	rreq, err := retryablehttp.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, Result{Route: st.route}, fmt.Errorf("transport: %w", err)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			rreq.Header.Add(k, v)
		}
	}
	resp, err := t.rc.Do(rreq)
	res := Result{Attempts: st.attempts, Route: st.route}
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, res, ctxErr
		}
		var pe *PausedError
		if errors.As(err, &pe) {
			return nil, res, pe
		}
		var we *limiterWaitError
		if errors.As(err, &we) {
			return nil, res, fmt.Errorf("transport: %w", we)
		}
		return nil, res, scrubURLError(err)
	}
	return resp, res, nil
}

// scrubURLError removes the query string from *url.Error messages so that
// nothing a caller put in a URL leaks into logs.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			u.User = nil
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

func stateOf(ctx context.Context) *reqState {
	st, _ := ctx.Value(ctxKey{}).(*reqState)
	if st == nil {
		st = &reqState{}
	}
	return st
}

// Idempotent reports whether a request with this method may be repeated
// after an unknown outcome.
func Idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func (t *Transport) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	st := stateOf(ctx)
	now := t.clock.Now()
	var wait time.Duration
	switch {
	case err != nil:
		var we *limiterWaitError
		if errors.As(err, &we) || !st.idempotent || !Transient(err) {
			return false, nil
		}
		wait = t.policy.Backoff(st.retries, t.rnd())
	case resp.StatusCode == http.StatusTooManyRequests:
		rt := ParseRate(resp.Header, now)
		t.stats.rateLimited.Add(1)
		t.notify(EventRateLimited, st.method, st.route, resp.StatusCode)
		sw, ok := rt.ServerWait(now)
		if ok && t.ServerWaitTooLong(sw) {
			return false, nil // absurd: neither pause nor retry; the caller gets the error
		}
		if ok && sw > t.policy.MaxRetryAfter {
			t.limiter.Observe(st.method, st.route, st.issue, resp.StatusCode, rt, sw)
			return false, nil // too long: hand the wait to the caller
		}
		if ok {
			wait = t.policy.ServerDelay(sw, t.rnd())
		} else {
			wait = t.policy.Backoff(st.retries, t.rnd())
		}
		t.limiter.Observe(st.method, st.route, st.issue, resp.StatusCode, rt, wait)
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented && resp.StatusCode != 505:
		t.stats.serverErrors.Add(1)
		if !st.idempotent {
			return false, nil
		}
		rt := ParseRate(resp.Header, now)
		wait = t.policy.Backoff(st.retries, t.rnd())
		if sw, ok := rt.ServerWait(now); ok && resp.StatusCode == http.StatusServiceUnavailable {
			if sw > t.policy.MaxRetryAfter || t.ServerWaitTooLong(sw) {
				return false, nil
			}
			wait = t.policy.ServerDelay(sw, t.rnd())
			t.limiter.Observe(st.method, st.route, st.issue, resp.StatusCode, rt, sw)
		}
	default:
		rt := ParseRate(resp.Header, now)
		if rt.NearLimit {
			t.limiter.Observe(st.method, st.route, st.issue, resp.StatusCode, rt, 0)
		}
		return false, nil
	}
	if st.retries >= t.policy.MaxRetries {
		return false, nil
	}
	if dl, ok := ctx.Deadline(); ok && now.Add(wait).After(dl) {
		return false, nil
	}
	st.retries++
	st.nextWait = wait
	t.stats.retries.Add(1)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	t.notify(EventRetry, st.method, st.route, status)
	t.log.Debug("jiracloud: retrying request", "method", st.method, "route", st.route,
		"status", status, "wait", wait, "retry", st.retries)
	return true, nil
}

// prepareRetry runs between attempts; it is where the backoff is slept, on
// the injected clock and bounded by the request's ctx.
func (t *Transport) prepareRetry(req *http.Request) error {
	st := stateOf(req.Context())
	if st.nextWait <= 0 {
		return nil
	}
	start := t.clock.Now()
	err := t.clock.Sleep(req.Context(), st.nextWait)
	t.stats.backoffWait.Add(int64(t.clock.Now().Sub(start)))
	st.nextWait = 0
	return err
}

// limiterWaitError marks a request that was never sent because the limiter
// wait could not complete (ctx ended, or the wait would pass its deadline).
// Retrying it cannot help, unlike a per-attempt timeout.
type limiterWaitError struct{ err error }

func (e *limiterWaitError) Error() string { return "waiting for the rate limiter: " + e.err.Error() }
func (e *limiterWaitError) Unwrap() error { return e.err }

type pacedRoundTripper struct {
	t    *Transport
	base http.RoundTripper
}

func (p *pacedRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	st := stateOf(req.Context())
	waited, err := p.t.limiter.Wait(req.Context(), req.Method, st.route, st.issue)
	p.t.stats.limiterWait.Add(int64(waited))
	if err != nil {
		return nil, &limiterWaitError{err: err}
	}
	st.attempts++
	p.t.stats.count(st.route, req.Method)
	p.t.notify(EventAttempt, req.Method, st.route, 0)
	return p.base.RoundTrip(req)
}

// notify hands an event to the observer, if any.
func (t *Transport) notify(kind EventKind, method, route string, status int) {
	if t.observe != nil {
		t.observe(Event{Kind: kind, Method: method, Route: route, Status: status})
	}
}

// ReadBounded reads at most limit bytes of r and reports whether more was
// left (the rest is discarded, up to 64 KiB, so the connection can be reused).
func ReadBounded(r io.Reader, limit int64) ([]byte, bool, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return buf.Bytes(), false, err
	}
	if n > limit {
		_, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10))
		return buf.Bytes()[:limit], true, nil
	}
	return buf.Bytes(), false, nil
}

// Stats is a snapshot of a Transport's counters.
type Stats struct {
	// Requests is the number of attempts sent (retries included).
	Requests int64
	// Retries is the number of retries.
	Retries int64
	// RateLimited is the number of 429 responses.
	RateLimited int64
	// ServerErrors is the number of 5xx responses.
	ServerErrors int64
	// LimiterWait is the total time spent waiting for the client-side limiter.
	LimiterWait time.Duration
	// BackoffWait is the total time spent sleeping between retries.
	BackoffWait time.Duration
	// ByRoute counts attempts per "METHOD /route/template".
	ByRoute map[string]int64
}

// Waited is the total time requests spent waiting (limiter and backoff).
func (s Stats) Waited() time.Duration { return s.LimiterWait + s.BackoffWait }

type statsCounters struct {
	requests, retries, rateLimited, serverErrors atomic.Int64
	limiterWait, backoffWait                     atomic.Int64
	mu                                           sync.Mutex
	byRoute                                      map[string]int64
}

func (s *statsCounters) count(route, method string) {
	s.requests.Add(1)
	s.mu.Lock()
	if s.byRoute == nil {
		s.byRoute = map[string]int64{}
	}
	s.byRoute[method+" "+route]++
	s.mu.Unlock()
}

// Stats returns a snapshot of the counters.
func (t *Transport) Stats() Stats {
	s := Stats{
		Requests:     t.stats.requests.Load(),
		Retries:      t.stats.retries.Load(),
		RateLimited:  t.stats.rateLimited.Load(),
		ServerErrors: t.stats.serverErrors.Load(),
		LimiterWait:  time.Duration(t.stats.limiterWait.Load()),
		BackoffWait:  time.Duration(t.stats.backoffWait.Load()),
		ByRoute:      map[string]int64{},
	}
	t.stats.mu.Lock()
	for k, v := range t.stats.byRoute {
		s.ByRoute[k] = v
	}
	t.stats.mu.Unlock()
	return s
}
