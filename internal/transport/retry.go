package transport

// The retry policy, in one place.
//
// go-retryablehttp runs the loop. For each attempt of a request, in this
// order:
//
//  1. pacedRoundTripper.RoundTrip waits for the shared limiter, counts the
//     attempt and sends it. It notes when the answer came and draws the
//     attempt's jitter: every hook below computes from these two.
//  2. CheckRetry decides whether to send again: RetryPolicy.retryable, then
//     the ctx deadline. A pure decision: 429 on any method (Jira refuses
//     before doing any work); 5xx other than 501 and 505, and transient
//     network errors (Transient), only for idempotent methods; never when
//     the server asks for a wait longer than MaxRetryAfter (the answer goes
//     back to the caller, who schedules the wait) or than MaxServerWait (1 h:
//     the answer goes back and the clients turn it into their typed error,
//     never a pause); never when the wait would pass the ctx deadline.
//  3. ResponseLogHook, called with every answer that has a status, retried
//     or not, counts 429s and 5xx and tells the shared limiter what the
//     answer asked for (RetryPolicy.limiterFeedback): a quota pause for every
//     request, a blocked or slowed endpoint, spaced writes to one issue.
//  4. RetryMax (RetryPolicy.MaxRetries) bounds the retries.
//  5. Backoff computes the wait (RetryPolicy.wait): the server's Retry-After
//     or X-RateLimit-Reset plus up to 20% jitter, else exponential backoff
//     with jitter; and counts the retry.
//  6. PrepareRetry sleeps that wait.
//
// Where the library's hooks cannot say what we do, and what we do instead:
//
//   - The library sleeps Backoff's result on a wall-clock timer. Our waits
//     run on the transport's Clock (virtual time in tests and in the fault
//     suite, and Stats.BackoffWait) and end with the request's ctx. So the
//     Backoff hook gives the library's timer zero and leaves its wait to
//     PrepareRetry, the one hook that runs between attempts, outside the
//     attempt timeout, and can fail with ctx's error. The limiter's wait,
//     which holds every request back during a server-imposed pause, comes
//     after it, in step 1 of the next attempt.
//   - The hooks get no per-request argument but ctx, and CheckRetry no
//     attempt number. Rather than carry state in ctx values, each Do builds
//     its own small retryablehttp.Client and http.Client, whose hooks close
//     over that request's reqState (the connection pool stays shared, in the
//     base round tripper).
//   - Whether to retry depends on the wait (one past the ctx deadline is not
//     started, the last answer goes back instead), so CheckRetry computes
//     the wait with the same pure function as Backoff, from the same inputs.
//   - The library has no hook for "an attempt ended"; ResponseLogHook is the
//     one called with each attempt's final answer (never with the hops of a
//     followed redirect, unlike the round tripper), so the counters and the
//     limiter's feedback live there, out of CheckRetry.

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

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

// serverDelayJitter is the most a server-requested wait is lengthened by,
// as a fraction of it.
const serverDelayJitter = 0.2

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

// MaxServerWait is the longest server-requested wait the transport honours:
// its RetryPolicy.MaxServerWait, or DefaultMaxServerWait when that is zero.
// The clients copy it into their errors, so that code far from the
// transport (the connector's error mapping) judges a wait by the cap the
// client was configured with, not by the default.
func (t *Transport) MaxServerWait() time.Duration { return t.policy.maxServerWait() }

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
	return wait + time.Duration(float64(wait)*serverDelayJitter*r)
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

// serverError reports whether status is a 5xx worth another attempt: not
// 501 Not Implemented or 505 HTTP Version Not Supported, which will not
// change.
func serverError(status int) bool {
	return status >= 500 && status != http.StatusNotImplemented && status != http.StatusHTTPVersionNotSupported
}

// retryable decides whether an attempt that ended with resp or err (at now)
// is worth another one, before RetryMax and the ctx deadline are applied.
// It is pure.
func (p RetryPolicy) retryable(method string, resp *http.Response, err error, now time.Time) bool {
	if err != nil {
		// A request the limiter would not send (its ctx ended, or a pause
		// outlasts it) cannot go better a second time.
		_, limiter := errors.AsType[*limiterWaitError](err)
		return Idempotent(method) && !limiter && Transient(err)
	}
	switch status := resp.StatusCode; {
	case status == http.StatusTooManyRequests:
		// Any method: Jira refuses before doing any work.
		sw, ok := ParseRate(resp.Header, now).ServerWait(now)
		return !ok || sw <= p.MaxRetryAfter && sw <= p.maxServerWait()
	case serverError(status):
		if !Idempotent(method) {
			return false
		}
		if sw, ok := ParseRate(resp.Header, now).ServerWait(now); ok && status == http.StatusServiceUnavailable {
			return sw <= p.MaxRetryAfter && sw <= p.maxServerWait()
		}
		return true
	}
	return false
}

// wait is how long to wait before retry number retry (0-based) of an
// attempt that ended with resp (nil for a network error) at now, r being
// the attempt's uniform random number in [0, 1). It is pure.
func (p RetryPolicy) wait(resp *http.Response, retry int, now time.Time, r float64) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if sw, ok := ParseRate(resp.Header, now).ServerWait(now); ok {
			return p.ServerDelay(sw, r)
		}
	}
	return p.Backoff(retry, r)
}

// limiterFeedback says whether an answer (with rate headers rt, after retry
// retries) is news for the shared limiter, and the wait to pass to
// Limiter.Observe: for a 429, the wait the client takes (or the server's,
// when the client hands it to the caller); for a 503 that is retried, the
// server's; for any other answer flagged X-RateLimit-NearLimit, none. A
// wait longer than MaxServerWait is ignored. It is pure.
func (p RetryPolicy) limiterFeedback(method string, resp *http.Response, rt Rate, retry int, now time.Time, r float64) (time.Duration, bool) {
	switch status := resp.StatusCode; {
	case status == http.StatusTooManyRequests:
		sw, ok := rt.ServerWait(now)
		switch {
		case ok && sw > p.maxServerWait():
			return 0, false // absurd: neither pause nor retry
		case ok && sw > p.MaxRetryAfter:
			return sw, true // handed to the caller; other requests hold back meanwhile
		}
		return p.wait(resp, retry, now, r), true
	case serverError(status):
		sw, ok := rt.ServerWait(now)
		if status == http.StatusServiceUnavailable && ok && Idempotent(method) && sw <= p.MaxRetryAfter && sw <= p.maxServerWait() {
			return sw, true
		}
		return 0, false
	}
	return 0, rt.NearLimit
}

// retryClient builds the go-retryablehttp client of one request; its hooks
// close over st (see the comment at the top of this file).
func (t *Transport) retryClient(st *reqState) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient: &http.Client{Transport: &pacedRoundTripper{t: t, base: t.base, st: st},
			Timeout: t.timeout, CheckRedirect: checkRedirect},
		RetryMax: max(t.policy.MaxRetries, 0),
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			return t.checkRetry(ctx, st, resp, err)
		},
		ResponseLogHook: func(_ retryablehttp.Logger, resp *http.Response) { t.observeAnswer(st, resp) },
		Backoff: func(_, _ time.Duration, retry int, resp *http.Response) time.Duration {
			st.nextWait = t.backoff(st, retry, resp)
			return 0 // slept by PrepareRetry on t.clock
		},
		PrepareRetry: func(req *http.Request) error { return t.sleep(req.Context(), st) },
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

// checkRetry is the CheckRetry hook: whether the policy retries this
// outcome and its wait ends before ctx's deadline.
func (t *Transport) checkRetry(ctx context.Context, st *reqState, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if !t.policy.retryable(st.method, resp, err, st.answeredAt) {
		return false, nil
	}
	wait := t.policy.wait(resp, st.retries, st.answeredAt, st.jitter)
	if dl, ok := ctx.Deadline(); ok && st.answeredAt.Add(wait).After(dl) {
		return false, nil
	}
	return true, nil
}

// observeAnswer is the ResponseLogHook: it counts 429 and 5xx answers and feeds
// the shared limiter.
func (t *Transport) observeAnswer(st *reqState, resp *http.Response) {
	switch status := resp.StatusCode; {
	case status == http.StatusTooManyRequests:
		t.stats.rateLimited.Add(1)
		t.notify(EventRateLimited, st.method, st.route, status)
	case serverError(status):
		t.stats.serverErrors.Add(1)
	}
	rt := ParseRate(resp.Header, st.answeredAt)
	if wait, ok := t.policy.limiterFeedback(st.method, resp, rt, st.retries, st.answeredAt, st.jitter); ok {
		t.limiter.Observe(st.method, st.route, st.issue, resp.StatusCode, rt, wait)
	}
}

// backoff is the Backoff hook, called once the library has decided on
// retry number retry (0-based): it counts the retry and returns its wait.
func (t *Transport) backoff(st *reqState, retry int, resp *http.Response) time.Duration {
	wait := t.policy.wait(resp, retry, st.answeredAt, st.jitter)
	st.retries = retry + 1
	t.stats.retries.Add(1)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	t.notify(EventRetry, st.method, st.route, status)
	t.log.Debug("jiracloud: retrying request", "method", st.method, "route", st.route,
		"status", status, "wait", wait, "retry", st.retries)
	return wait
}

// sleep is the PrepareRetry hook: it sleeps the wait backoff computed, on
// the transport's clock and bounded by the request's ctx.
func (t *Transport) sleep(ctx context.Context, st *reqState) error {
	wait := st.nextWait
	st.nextWait = 0
	if wait <= 0 {
		return nil
	}
	start := t.clock.Now()
	err := t.clock.Sleep(ctx, wait)
	t.stats.backoffWait.Add(int64(t.clock.Now().Sub(start)))
	return err
}
