package transport

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimits configures the client-side limiter. Rates are requests per
// second for one endpoint (method + path template), mirroring Jira Cloud's
// per-tenant, per-endpoint, per-method burst buckets.
type RateLimits struct {
	// PerMethod is the steady rate per endpoint for each HTTP method.
	// Missing methods use Default.
	PerMethod map[string]float64
	// Overrides maps "METHOD /path/template" (the route the client names
	// the request by, see Request.Route) to a rate, for endpoints Jira
	// documents differently.
	Overrides map[string]float64
	// Default is used for methods not in PerMethod. Zero means 50.
	Default float64
	// Burst is the bucket size of every endpoint. Zero means 10.
	Burst int
	// Global caps the total rate over all endpoints; zero means no global cap.
	Global float64
	// MaxPause is the longest server-imposed pause (a quota reset, or a
	// blocked endpoint) Wait sleeps through. When the pause is longer, Wait
	// returns a *PausedError at once so the caller can reschedule the work
	// (the Baton SDK does so from the reset time). Zero means 60 s.
	MaxPause time.Duration
}

// How the limiter adapts an endpoint's pace to what the server says. Jira
// documents when to back off (a 429, X-RateLimit-NearLimit) but not by how
// much; these are our numbers, kept apart so they can be read and tuned.
const (
	// A burst 429 (or a 429 naming no quota) multiplies the endpoint's rate by
	// burstSlowFactor, but never below its configured rate divided by
	// burstFloorDivisor.
	burstSlowFactor   = 0.5
	burstFloorDivisor = 16
	// X-RateLimit-NearLimit multiplies the endpoint's rate by
	// nearLimitSlowFactor, but never below its configured rate divided by
	// nearLimitFloorDivisor: it is advice, not a refusal. On a slow endpoint
	// used at its rate (the service desk customer list, 5/s) nearly every
	// response is near the limit, and slowing on each would collapse it.
	nearLimitSlowFactor   = 0.75
	nearLimitFloorDivisor = 2
	// minSlowedRate (requests per second) is the floor of every slowing.
	minSlowedRate = 0.5
	// A slowed endpoint speeds up step by step: after speedUpAfter without
	// new pressure its rate is multiplied by speedUpFactor, up to the
	// configured rate.
	speedUpAfter  = 5 * time.Second
	speedUpFactor = 2
	// blockWithoutWait is how long a 429 that names no wait blocks its
	// endpoint.
	blockWithoutWait = time.Second
	// issueWriteSpacing spaces writes to one issue: Jira allows 20 writes
	// per 2 s on an issue.
	issueWriteSpacing = 100 * time.Millisecond
	// maxBurstSeconds caps an endpoint's bucket at this many seconds of its
	// rate: Jira's buckets hold about a second, so a slow endpoint (5/s)
	// would answer 429 to a burst of RateLimits.Burst, or to requests
	// bunched up on their way.
	maxBurstSeconds = 0.5
)

// Defaults of the zero fields of RateLimits.
const (
	defaultRate     = 50
	defaultBurst    = 10
	defaultMaxPause = 60 * time.Second
)

// PausedError is returned by Limiter.Wait when the server asked the client
// to pause for longer than RateLimits.MaxPause.
type PausedError struct {
	// Until is when the pause ends.
	Until time.Time
	// Wait is how long is left of the pause when Wait gave up.
	Wait time.Duration
	// Quota is true for an hourly quota pause (every endpoint), false for
	// one blocked endpoint.
	Quota bool
}

func (e *PausedError) Error() string {
	scope := "this endpoint is"
	if e.Quota {
		scope = "all requests are"
	}
	return fmt.Sprintf("rate limited: %s paused by the server for another %s (until %s)",
		scope, e.Wait.Round(time.Second), e.Until.UTC().Format(time.RFC3339))
}

// DefaultRateLimits are Jira Cloud's documented burst defaults: GET 100/s,
// POST 100/s, PUT 50/s, DELETE 50/s per endpoint, with the documented
// overrides for role actors (200/s), GET /user (150/s), GET /issue (150/s)
// and the service desk customer list (documented 5/s; paced at 4/s, as
// Jira flags a request near the limit below 20% of the bucket, and the
// limiter slows an endpoint on that flag).
func DefaultRateLimits() RateLimits {
	return RateLimits{
		PerMethod: map[string]float64{
			http.MethodGet: 100, http.MethodHead: 100, http.MethodPost: 100,
			http.MethodPut: 50, http.MethodDelete: 50, http.MethodPatch: 50,
		},
		Overrides: map[string]float64{
			"GET /rest/api/3/project/{}/role/{}":               200,
			"GET /rest/api/3/user":                             150,
			"GET /rest/api/3/issue/{}":                         150,
			"GET /rest/servicedeskapi/servicedesk/{}/customer": 4,
		},
		Default: 50,
		Burst:   10,
	}
}

// Unlimited returns limits that never delay a request (server feedback such
// as a quota pause is still honoured).
func Unlimited() RateLimits {
	return RateLimits{Default: float64(rate.Inf)}
}

// Limiter paces requests before every attempt and adapts to what the server
// says. One Limiter should be shared by every client of one site (and one
// organization), so that all of them stay inside the same budget. It is safe
// for concurrent use. The zero value is not usable; call NewLimiter.
type Limiter struct {
	limits RateLimits
	clock  Clock

	mu         sync.Mutex
	buckets    map[string]*bucket
	global     *rate.Limiter
	pauseUntil time.Time            // quota exhausted: everything waits
	issueNext  map[string]time.Time // per-issue write spacing
}

type bucket struct {
	lim        *rate.Limiter
	base       rate.Limit
	blockUntil time.Time // endpoint told to back off (burst 429)
	calmSince  time.Time // last time the endpoint was slowed
}

// NewLimiter returns a Limiter with the given limits. A nil clock means the
// real clock.
func NewLimiter(l RateLimits, clock Clock) *Limiter {
	if clock == nil {
		clock = RealClock{}
	}
	if l.Default == 0 {
		l.Default = defaultRate
	}
	if l.Burst <= 0 {
		l.Burst = defaultBurst
	}
	if l.MaxPause <= 0 {
		l.MaxPause = defaultMaxPause
	}
	lm := &Limiter{limits: l, clock: clock, buckets: map[string]*bucket{}, issueNext: map[string]time.Time{}}
	if l.Global > 0 {
		lm.global = rate.NewLimiter(rate.Limit(l.Global), l.Burst)
	}
	return lm
}

// Limits returns the configured limits.
func (l *Limiter) Limits() RateLimits { return l.limits }

func (l *Limiter) baseRate(key, method string) rate.Limit {
	if r, ok := l.limits.Overrides[key]; ok {
		return rate.Limit(r)
	}
	if r, ok := l.limits.PerMethod[method]; ok {
		return rate.Limit(r)
	}
	return rate.Limit(l.limits.Default)
}

func (l *Limiter) bucketFor(method, route string) *bucket {
	key := method + " " + route
	b := l.buckets[key]
	if b == nil {
		base := l.baseRate(key, method)
		// A bucket never bursts past maxBurstSeconds of its endpoint's rate.
		burst := l.limits.Burst
		if base != rate.Inf && int(base*maxBurstSeconds) < burst {
			burst = max(1, int(base*maxBurstSeconds))
		}
		b = &bucket{lim: rate.NewLimiter(base, burst), base: base}
		l.buckets[key] = b
	}
	return b
}

// Wait blocks until a request to (method, route) may be sent, honouring the
// endpoint's bucket, a quota pause and per-issue write spacing. issueKey is
// empty for requests that do not write to an issue. It returns the time it
// waited. If ctx ends first, or the wait would pass ctx's deadline, it
// returns at once with an error (like rate.Limiter.WaitN).
func (l *Limiter) Wait(ctx context.Context, method, route, issueKey string) (time.Duration, error) {
	var waited time.Duration
	for {
		if err := ctx.Err(); err != nil {
			return waited, err
		}
		l.mu.Lock()
		now := l.clock.Now() // read under the lock: Observe may have moved the clock's world on
		b := l.bucketFor(method, route)
		until := l.pauseUntil
		if b.blockUntil.After(until) {
			until = b.blockUntil
		}
		if issueKey != "" {
			if t := l.issueNext[issueKey]; t.After(until) {
				until = t
			}
		}
		if !until.After(now) {
			l.speedUp(b, now)
			r := b.lim.ReserveN(now, 1)
			var g *rate.Reservation
			if l.global != nil {
				g = l.global.ReserveN(now, 1)
			}
			d := r.DelayFrom(now)
			if g != nil && g.DelayFrom(now) > d {
				d = g.DelayFrom(now)
			}
			if issueKey != "" {
				l.issueNext[issueKey] = now.Add(d + issueWriteSpacing)
			}
			l.mu.Unlock()
			if d == 0 {
				return waited, nil
			}
			if dl, ok := ctx.Deadline(); ok && now.Add(d).After(dl) {
				r.CancelAt(now)
				if g != nil {
					g.CancelAt(now)
				}
				return waited, context.DeadlineExceeded
			}
			if err := l.clock.Sleep(ctx, d); err != nil {
				r.CancelAt(l.clock.Now())
				if g != nil {
					g.CancelAt(l.clock.Now())
				}
				return waited + d, err
			}
			return waited + d, nil
		}
		quota := !l.pauseUntil.Before(until)
		l.mu.Unlock()
		d := until.Sub(now)
		if d > l.limits.MaxPause {
			return waited, &PausedError{Until: until, Wait: d, Quota: quota}
		}
		if dl, ok := ctx.Deadline(); ok && now.Add(d).After(dl) {
			return waited, context.DeadlineExceeded
		}
		if err := l.clock.Sleep(ctx, d); err != nil {
			return waited + d, err
		}
		waited += d
	}
}

// speedUp restores a slowed endpoint step by step: after speedUpAfter
// without new pressure its rate is multiplied by speedUpFactor, up to the
// configured rate. Callers hold l.mu.
func (l *Limiter) speedUp(b *bucket, now time.Time) {
	if b.lim.Limit() >= b.base || b.calmSince.IsZero() {
		return
	}
	if now.Sub(b.calmSince) >= speedUpAfter {
		next := b.lim.Limit() * speedUpFactor
		if next > b.base {
			next = b.base
		}
		b.lim.SetLimitAt(now, next)
		b.calmSince = now
	}
}

// Observe updates the limiter from one response: a quota 429 pauses
// everything until the window resets; a burst 429 blocks that endpoint and
// slows it (burstSlowFactor); a per-issue 429 spaces further writes to that
// issue; NearLimit slows the endpoint (nearLimitSlowFactor). wait is the server's requested delay
// (Retry-After or the reset time), already capped by the caller.
func (l *Limiter) Observe(method, route, issueKey string, status int, rt Rate, wait time.Duration) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketFor(method, route)
	if status == http.StatusTooManyRequests {
		if wait <= 0 {
			wait = blockWithoutWait
		}
		until := now.Add(wait)
		switch {
		case IsQuotaReason(rt.Reason):
			if until.After(l.pauseUntil) {
				l.pauseUntil = until
			}
		case strings.EqualFold(rt.Reason, ReasonPerIssue) && issueKey != "":
			if until.After(l.issueNext[issueKey]) {
				l.issueNext[issueKey] = until
			}
		default: // burst, or no reason given: slow this endpoint only
			if until.After(b.blockUntil) {
				b.blockUntil = until
			}
			l.slowDown(b, now, burstSlowFactor, b.base/burstFloorDivisor)
		}
		return
	}
	if status == http.StatusServiceUnavailable && wait > 0 {
		if until := now.Add(wait); until.After(b.blockUntil) {
			b.blockUntil = until
		}
		return
	}
	if rt.NearLimit {
		l.slowDown(b, now, nearLimitSlowFactor, b.base/nearLimitFloorDivisor)
	}
}

// slowDown multiplies an endpoint's rate by factor, but not below floor (or
// its current rate, if lower) nor minSlowedRate, and restarts its calm
// period. Callers hold l.mu.
func (l *Limiter) slowDown(b *bucket, now time.Time, factor float64, floor rate.Limit) {
	if b.base == rate.Inf {
		return
	}
	next := b.lim.Limit() * rate.Limit(factor)
	if next < floor {
		next = min(floor, b.lim.Limit())
	}
	if next < minSlowedRate {
		next = minSlowedRate
	}
	b.lim.SetLimitAt(now, next)
	b.calmSince = now
}

// CurrentRate returns the current pacing rate of an endpoint (for tests and
// diagnostics).
func (l *Limiter) CurrentRate(method, route string) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return float64(l.bucketFor(method, route).lim.Limit())
}

// PausedUntil returns the end of a quota pause, or the zero time.
func (l *Limiter) PausedUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pauseUntil
}
