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

// DefaultAttemptTimeout bounds one attempt (headers and body) of a client
// built without WithTimeout or WithHTTPClient.
const DefaultAttemptTimeout = 100 * time.Second

// DefaultResponseHeaderTimeout bounds the wait for response headers on the
// default round tripper.
const DefaultResponseHeaderTimeout = 60 * time.Second

// Config configures a Transport. Zero fields get defaults.
type Config struct {
	// Base is the underlying round tripper; default a pooled transport.
	Base http.RoundTripper
	// Timeout bounds one attempt; zero or negative means none here (ctx
	// still applies). The clients' constructor of a transport
	// (jira.NewTransport) reads zero as DefaultAttemptTimeout and a
	// negative value as none.
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
	base    http.RoundTripper
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
	t.base = base
	t.timeout = max(cfg.Timeout, 0)
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
	// Route names the endpoint for pacing, counters and observer events:
	// its path template with "{}" for each identifier, e.g.
	// "/rest/api/3/project/{}/role/{}". The clients name every request;
	// without one the URL's path is the route.
	Route string
}

// Result describes how a request went.
type Result struct {
	// Attempts is how many times the request was sent.
	Attempts int
	// Route is the route template the request was counted under.
	Route string
}

// reqState is the state of one call of Do, shared by the hooks of its
// retry client (retry.go).
type reqState struct {
	method, route, issue string
	attempts             int           // attempts sent
	retries              int           // retries decided
	answeredAt           time.Time     // when the last attempt's answer (or error) came
	jitter               float64       // the last attempt's random number in [0, 1)
	nextWait             time.Duration // computed by the Backoff hook, slept by PrepareRetry
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
	st := &reqState{method: req.Method, route: req.Route}
	if st.route == "" {
		st.route = u.Path
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		st.issue = IssueKey(u.Path)
	}
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
	resp, err := t.retryClient(st).Do(rreq)
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

// limiterWaitError marks a request that was never sent because the limiter
// wait could not complete (ctx ended, or the wait would pass its deadline).
// Retrying it cannot help, unlike a per-attempt timeout.
type limiterWaitError struct{ err error }

func (e *limiterWaitError) Error() string { return "waiting for the rate limiter: " + e.err.Error() }
func (e *limiterWaitError) Unwrap() error { return e.err }

// pacedRoundTripper sends the attempts of one request: each waits for the
// limiter first, and its answer's time and jitter draw are noted for the
// retry hooks.
type pacedRoundTripper struct {
	t    *Transport
	base http.RoundTripper
	st   *reqState
}

func (p *pacedRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	st := p.st
	waited, err := p.t.limiter.Wait(req.Context(), req.Method, st.route, st.issue)
	p.t.stats.limiterWait.Add(int64(waited))
	if err != nil {
		return nil, &limiterWaitError{err: err}
	}
	st.attempts++
	p.t.stats.count(st.route, req.Method)
	p.t.notify(EventAttempt, req.Method, st.route, 0)
	resp, err := p.base.RoundTrip(req)
	st.answeredAt, st.jitter = p.t.clock.Now(), p.t.rnd()
	return resp, err
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
