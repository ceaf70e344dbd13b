package transport

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"
)

const (
	routeA = "/rest/api/3/users/search"
	routeB = "/rest/api/3/project/search"
	routeW = "/rest/api/3/issue/{}/comment"
)

func mustWait(t *testing.T, l *Limiter, method, route, issue string) time.Duration {
	t.Helper()
	d, err := l.Wait(t.Context(), method, route, issue)
	if err != nil {
		t.Fatalf("Wait(%s %s %q): %v", method, route, issue, err)
	}
	return d
}

func TestNewLimiterDefaults(t *testing.T) {
	t.Parallel()
	l := NewLimiter(RateLimits{}, nil)
	if got := l.Limits(); got.Default != 50 || got.Burst != 10 {
		t.Errorf("Limits() = %+v, want Default 50 and Burst 10", got)
	}
	if _, ok := l.clock.(RealClock); !ok {
		t.Errorf("nil clock became %T, want RealClock", l.clock)
	}
	if got := l.CurrentRate(http.MethodGet, routeA); got != 50 {
		t.Errorf("CurrentRate with no per-method rates = %v, want the default 50", got)
	}
}

func TestLimiterBaseRates(t *testing.T) {
	t.Parallel()
	l := NewLimiter(DefaultRateLimits(), newFakeClock(testEpoch))
	tests := []struct {
		method, route string
		want          float64
	}{
		{http.MethodGet, routeA, 100},
		{http.MethodPost, "/rest/api/3/user", 100},
		{http.MethodPut, "/rest/api/3/project/{}/role/{}", 50},
		{http.MethodDelete, "/rest/api/3/user", 50},
		{http.MethodGet, "/rest/api/3/project/{}/role/{}", 200},
		{http.MethodGet, "/rest/api/3/user", 150},
		{http.MethodGet, "/rest/api/3/issue/{}", 150},
		{"TRACE", "/rest/api/3/user", 50},
	}
	for _, tt := range tests {
		if got := l.CurrentRate(tt.method, tt.route); got != tt.want {
			t.Errorf("CurrentRate(%s %s) = %v, want %v", tt.method, tt.route, got, tt.want)
		}
	}
}

func TestLimiterPacesAtConfiguredRate(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	l := NewLimiter(RateLimits{Default: 100, Burst: 1}, clk)
	var waits []time.Duration
	for range 4 {
		waits = append(waits, mustWait(t, l, http.MethodGet, routeA, ""))
	}
	want := []time.Duration{0, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits at 100/s with burst 1 (-want +got):\n%s", diff)
	}
	// Another endpoint has its own bucket.
	if d := mustWait(t, l, http.MethodGet, routeB, ""); d != 0 {
		t.Errorf("first request to another endpoint waited %v", d)
	}
	// So does another method on the same path.
	if d := mustWait(t, l, http.MethodPost, routeA, ""); d != 0 {
		t.Errorf("first POST to the endpoint waited %v", d)
	}
}

func TestLimiterGlobalCap(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	l := NewLimiter(RateLimits{Default: 1000, Burst: 1, Global: 10}, clk)
	if d := mustWait(t, l, http.MethodGet, routeA, ""); d != 0 {
		t.Fatalf("first request waited %v", d)
	}
	// A different endpoint has a full bucket but the global cap applies.
	if d := mustWait(t, l, http.MethodGet, routeB, ""); d != 100*time.Millisecond {
		t.Errorf("second endpoint waited %v under a 10/s global cap, want 100ms", d)
	}
}

func TestLimiterUnlimited(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	l := NewLimiter(Unlimited(), clk)
	for range 1000 {
		mustWait(t, l, http.MethodGet, routeA, "")
	}
	if s := clk.Sleeps(); len(s) != 0 {
		t.Fatalf("unlimited limiter slept %v", s)
	}
	// Slowing has no effect on an unlimited endpoint ...
	l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: ReasonBurst}, time.Second)
	if got := l.CurrentRate(http.MethodGet, routeA); got != float64(rate.Inf) {
		t.Errorf("unlimited endpoint rate after a burst 429 = %v, want rate.Inf", got)
	}
	// ... but server feedback is still honoured.
	if d := mustWait(t, l, http.MethodGet, routeA, ""); d != time.Second {
		t.Errorf("wait after a burst 429 with a 1s wait = %v, want 1s", d)
	}
}

func TestLimiterQuotaPausesEverything(t *testing.T) {
	t.Parallel()
	for _, reason := range []string{ReasonQuotaGlobal, ReasonQuotaTenant, ReasonQuotaLegacy, ReasonCostLegacy} {
		t.Run(reason, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock(testEpoch)
			l := NewLimiter(DefaultRateLimits(), clk)
			l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: reason}, 10*time.Second)
			if got, want := l.PausedUntil(), testEpoch.Add(10*time.Second); !got.Equal(want) {
				t.Fatalf("PausedUntil = %v, want %v", got, want)
			}
			// A quota is not a burst: the endpoint's pace is unchanged.
			if got := l.CurrentRate(http.MethodGet, routeA); got != 100 {
				t.Errorf("rate after a quota 429 = %v, want 100", got)
			}
			// Every endpoint and method waits for the reset.
			if d := mustWait(t, l, http.MethodPost, "/rest/api/3/user", ""); d != 10*time.Second {
				t.Errorf("other endpoint waited %v, want 10s", d)
			}
			if got := clk.Now(); !got.Equal(testEpoch.Add(10 * time.Second)) {
				t.Errorf("clock after the pause = %v", got)
			}
			// Once the window has reset nobody waits.
			if d := mustWait(t, l, http.MethodGet, routeB, ""); d != 0 {
				t.Errorf("wait after the reset = %v, want 0", d)
			}
			// A shorter pause does not shorten a longer one.
			l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: reason}, time.Minute)
			l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: reason}, time.Second)
			if got, want := l.PausedUntil(), clk.Now().Add(time.Minute); !got.Equal(want) {
				t.Errorf("PausedUntil after a shorter pause = %v, want %v", got, want)
			}
		})
	}
}

func TestLimiterBurstSlowsOnlyThatEndpoint(t *testing.T) {
	t.Parallel()
	for _, reason := range []string{ReasonBurst, "", "something-new"} {
		t.Run("reason="+reason, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock(testEpoch)
			l := NewLimiter(DefaultRateLimits(), clk)
			l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: reason}, 2*time.Second)
			if got := l.CurrentRate(http.MethodGet, routeA); got != 50 {
				t.Errorf("rate of the limited endpoint = %v, want 50 (halved)", got)
			}
			if got := l.CurrentRate(http.MethodGet, routeB); got != 100 {
				t.Errorf("rate of another endpoint = %v, want 100", got)
			}
			if got := l.CurrentRate(http.MethodPost, routeA); got != 100 {
				t.Errorf("rate of another method = %v, want 100", got)
			}
			if !l.PausedUntil().IsZero() {
				t.Errorf("a burst 429 paused everything until %v", l.PausedUntil())
			}
			if d := mustWait(t, l, http.MethodGet, routeB, ""); d != 0 {
				t.Errorf("another endpoint waited %v", d)
			}
			if d := mustWait(t, l, http.MethodGet, routeA, ""); d != 2*time.Second {
				t.Errorf("limited endpoint waited %v, want 2s", d)
			}
		})
	}
}

func TestLimiterSlowingHasAFloor(t *testing.T) {
	t.Parallel()
	l := NewLimiter(RateLimits{Default: 100, Burst: 1}, newFakeClock(testEpoch))
	var got []float64
	for range 6 {
		l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: ReasonBurst}, time.Millisecond)
		got = append(got, l.CurrentRate(http.MethodGet, routeA))
	}
	if diff := cmp.Diff([]float64{50, 25, 12.5, 6.25, 6.25, 6.25}, got); diff != "" {
		t.Errorf("rates after repeated burst 429s (-want +got):\n%s", diff)
	}
	// A slow endpoint never drops below 0.5 request per second.
	slow := NewLimiter(RateLimits{Default: 2, Burst: 1}, newFakeClock(testEpoch))
	for range 10 {
		slow.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{}, time.Millisecond)
	}
	if r := slow.CurrentRate(http.MethodGet, routeA); r != 0.5 {
		t.Errorf("rate floor = %v, want 0.5", r)
	}
}

func TestLimiterPerIssueWrites(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	l := NewLimiter(DefaultRateLimits(), clk)
	l.Observe(http.MethodPost, routeW, "PROJ-1", http.StatusTooManyRequests, Rate{Reason: ReasonPerIssue}, 3*time.Second)
	if got := l.CurrentRate(http.MethodPost, routeW); got != 100 {
		t.Errorf("endpoint rate after a per-issue 429 = %v, want 100 (unchanged)", got)
	}
	if !l.PausedUntil().IsZero() {
		t.Errorf("a per-issue 429 paused everything")
	}
	if d := mustWait(t, l, http.MethodPost, routeW, "PROJ-2"); d != 0 {
		t.Errorf("write to another issue waited %v", d)
	}
	if d := mustWait(t, l, http.MethodGet, "/rest/api/3/issue/{}", ""); d != 0 {
		t.Errorf("a read waited %v", d)
	}
	if d := mustWait(t, l, http.MethodPost, routeW, "PROJ-1"); d != 3*time.Second {
		t.Errorf("write to the limited issue waited %v, want 3s", d)
	}
	// Writes to one issue are spaced by 100 ms even without a 429.
	if d := mustWait(t, l, http.MethodPut, "/rest/api/3/issue/{}", "PROJ-3"); d != 0 {
		t.Errorf("first write to PROJ-3 waited %v", d)
	}
	if d := mustWait(t, l, http.MethodPut, "/rest/api/3/issue/{}", "PROJ-3"); d != 100*time.Millisecond {
		t.Errorf("second write to PROJ-3 waited %v, want 100ms", d)
	}
}

func TestLimiterPerIssueReasonWithoutIssueSlowsEndpoint(t *testing.T) {
	t.Parallel()
	l := NewLimiter(DefaultRateLimits(), newFakeClock(testEpoch))
	l.Observe(http.MethodPost, routeW, "", http.StatusTooManyRequests, Rate{Reason: ReasonPerIssue}, time.Second)
	if got := l.CurrentRate(http.MethodPost, routeW); got != 50 {
		t.Errorf("rate = %v, want 50", got)
	}
}

func TestLimiterNearLimitSlows(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	l := NewLimiter(DefaultRateLimits(), clk)
	l.Observe(http.MethodGet, routeA, "", http.StatusOK, Rate{Remaining: -1}, 0)
	if got := l.CurrentRate(http.MethodGet, routeA); got != 100 {
		t.Fatalf("rate after a calm response = %v, want 100", got)
	}
	l.Observe(http.MethodGet, routeA, "", http.StatusOK, Rate{Remaining: 3, NearLimit: true}, 0)
	if got := l.CurrentRate(http.MethodGet, routeA); got != 75 {
		t.Errorf("rate after NearLimit = %v, want 75", got)
	}
	l.Observe(http.MethodGet, routeA, "", http.StatusOK, Rate{NearLimit: true}, 0)
	if got := l.CurrentRate(http.MethodGet, routeA); got != 56.25 {
		t.Errorf("rate after two NearLimit = %v, want 56.25", got)
	}
	if got := l.CurrentRate(http.MethodGet, routeB); got != 100 {
		t.Errorf("other endpoint = %v, want 100", got)
	}
	// However often it is near the limit, an endpoint keeps half its rate.
	for range 20 {
		l.Observe(http.MethodGet, routeA, "", http.StatusOK, Rate{NearLimit: true}, 0)
	}
	if got := l.CurrentRate(http.MethodGet, routeA); got != 50 {
		t.Errorf("rate after many NearLimit = %v, want 50 (half)", got)
	}
	// NearLimit neither blocks nor pauses.
	if d := mustWait(t, l, http.MethodGet, routeA, ""); d != 0 {
		t.Errorf("wait after NearLimit = %v", d)
	}
}

func TestLimiterRecoversAfterCalm(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	l := NewLimiter(DefaultRateLimits(), clk)
	for range 2 {
		l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: ReasonBurst}, time.Second)
	}
	rateAfter := func(advance time.Duration) float64 {
		t.Helper()
		clk.Advance(advance)
		mustWait(t, l, http.MethodGet, routeA, "")
		return l.CurrentRate(http.MethodGet, routeA)
	}
	if got := l.CurrentRate(http.MethodGet, routeA); got != 25 {
		t.Fatalf("rate after two burst 429s = %v, want 25", got)
	}
	steps := []struct {
		advance time.Duration
		want    float64
	}{
		{time.Second, 25},       // 1 s calm: too soon
		{4 * time.Second, 50},   // 5 s calm: doubled
		{4 * time.Second, 50},   // 4 s since the last step: too soon
		{time.Second, 100},      // 5 s: back to the configured rate
		{10 * time.Second, 100}, // never above it
	}
	for i, s := range steps {
		if got := rateAfter(s.advance); got != s.want {
			t.Errorf("step %d: rate = %v, want %v", i, got, s.want)
		}
	}
	// New pressure restarts the calm period.
	l.Observe(http.MethodGet, routeA, "", http.StatusOK, Rate{NearLimit: true}, 0)
	if got := rateAfter(4 * time.Second); got != 75 {
		t.Errorf("rate 4s after NearLimit = %v, want 75", got)
	}
	if got := rateAfter(time.Second); got != 100 {
		t.Errorf("rate 5s after NearLimit = %v, want 100", got)
	}
}

func TestLimiter503WithWaitBlocksEndpoint(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	l := NewLimiter(DefaultRateLimits(), clk)
	l.Observe(http.MethodGet, routeA, "", http.StatusServiceUnavailable, Rate{}, 4*time.Second)
	if got := l.CurrentRate(http.MethodGet, routeA); got != 100 {
		t.Errorf("rate after 503 = %v, want 100", got)
	}
	if d := mustWait(t, l, http.MethodGet, routeB, ""); d != 0 {
		t.Errorf("other endpoint waited %v", d)
	}
	if d := mustWait(t, l, http.MethodGet, routeA, ""); d != 4*time.Second {
		t.Errorf("endpoint waited %v, want 4s", d)
	}
	// A 503 without a wait changes nothing.
	l.Observe(http.MethodGet, routeA, "", http.StatusServiceUnavailable, Rate{}, 0)
	if d := mustWait(t, l, http.MethodGet, routeA, ""); d != 0 {
		t.Errorf("wait after a 503 without Retry-After = %v", d)
	}
}

func TestLimiter429WithoutWaitBlocksOneSecond(t *testing.T) {
	t.Parallel()
	l := NewLimiter(DefaultRateLimits(), newFakeClock(testEpoch))
	l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{}, 0)
	if d := mustWait(t, l, http.MethodGet, routeA, ""); d != time.Second {
		t.Errorf("wait after a 429 without a wait = %v, want 1s", d)
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	t.Parallel()

	t.Run("already cancelled", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock(testEpoch)
		l := NewLimiter(DefaultRateLimits(), clk)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := l.Wait(ctx, http.MethodGet, routeA, ""); !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait = %v, want context.Canceled", err)
		}
		if s := clk.Sleeps(); len(s) != 0 {
			t.Errorf("slept %v", s)
		}
	})

	t.Run("pause past the deadline", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock(time.Now())
		l := NewLimiter(DefaultRateLimits(), clk)
		l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: ReasonQuotaGlobal}, 50*time.Second)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if _, err := l.Wait(ctx, http.MethodGet, routeB, ""); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v, want context.DeadlineExceeded", err)
		}
		if s := clk.Sleeps(); len(s) != 0 {
			t.Errorf("slept %v although the wait passes the deadline", s)
		}
	})

	t.Run("bucket delay past the deadline gives the token back", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock(time.Now())
		l := NewLimiter(RateLimits{Default: 1, Burst: 1}, clk)
		mustWait(t, l, http.MethodGet, routeA, "")
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		clk.Advance(500 * time.Millisecond) // the next token is 0.5 s away
		if _, err := l.Wait(ctx, http.MethodGet, routeA, ""); err != nil {
			t.Fatalf("Wait with enough time = %v", err)
		}
		short, cancel2 := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel2()
		before := len(clk.Sleeps())
		if _, err := l.Wait(short, http.MethodGet, routeA, ""); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait with a short deadline = %v, want context.DeadlineExceeded", err)
		}
		if n := len(clk.Sleeps()); n != before {
			t.Errorf("slept although the wait passes the deadline")
		}
		// The refused reservation was cancelled: the next request waits for
		// one token, not two.
		if d := mustWait(t, l, http.MethodGet, routeA, ""); d != time.Second {
			t.Errorf("wait after a refused reservation = %v, want 1s", d)
		}
	})

	t.Run("cancelled while sleeping", func(t *testing.T) {
		t.Parallel()
		clk := &blockingClock{now: testEpoch, entered: make(chan time.Duration, 1)}
		l := NewLimiter(DefaultRateLimits(), clk)
		l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: ReasonQuotaTenant}, 50*time.Second)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, err := l.Wait(ctx, http.MethodGet, routeA, "")
			done <- err
		}()
		if d := <-clk.entered; d != 50*time.Second {
			t.Errorf("sleep = %v, want 50s", d)
		}
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Wait = %v, want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Wait did not return after ctx was cancelled")
		}
	})
}

func TestLimiterConcurrentUse(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	l := NewLimiter(DefaultRateLimits(), clk)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 50 {
				route := []string{routeA, routeB, routeW}[(i+j)%3]
				if _, err := l.Wait(t.Context(), http.MethodGet, route, ""); err != nil {
					t.Errorf("Wait: %v", err)
					return
				}
				switch j % 10 {
				case 0:
					l.Observe(http.MethodGet, route, "", http.StatusTooManyRequests, Rate{Reason: ReasonBurst}, time.Millisecond)
				case 5:
					l.Observe(http.MethodGet, route, "", http.StatusOK, Rate{NearLimit: true}, 0)
				}
				_ = l.CurrentRate(http.MethodGet, route)
				_ = l.PausedUntil()
			}
		})
	}
	wg.Wait()
	for _, r := range []string{routeA, routeB, routeW} {
		if got := l.CurrentRate(http.MethodGet, r); got < 100.0/16 || got > 100 {
			t.Errorf("rate of %s = %v, outside [6.25, 100]", r, got)
		}
	}
}

func TestLimiterLongPauseReturnsPausedError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		reason    string
		route     string
		wantQuota bool
	}{
		{"quota pauses every route", ReasonQuotaTenant, routeB, true},
		{"burst blocks its own route", ReasonBurst, routeA, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock(testEpoch)
			l := NewLimiter(RateLimits{Default: 100, Burst: 10, MaxPause: time.Minute}, clk)
			l.Observe(http.MethodGet, routeA, "", http.StatusTooManyRequests, Rate{Reason: tc.reason}, time.Hour)
			_, err := l.Wait(t.Context(), http.MethodGet, tc.route, "")
			var pe *PausedError
			if !errors.As(err, &pe) {
				t.Fatalf("Wait = %v, want *PausedError", err)
			}
			if pe.Quota != tc.wantQuota || pe.Wait != time.Hour || !pe.Until.Equal(testEpoch.Add(time.Hour)) {
				t.Errorf("PausedError = %+v, want quota=%v wait=1h", pe, tc.wantQuota)
			}
			if s := clk.Sleeps(); len(s) != 0 {
				t.Errorf("slept %v, want no sleep", s)
			}
			if tc.reason == ReasonBurst {
				if _, err := l.Wait(t.Context(), http.MethodGet, routeB, ""); err != nil {
					t.Errorf("other route after a burst block: %v", err)
				}
			}
		})
	}
}

// TestLimiterSlowEndpointBurst checks that a slow endpoint's bucket bursts at
// most half a second of its rate (Jira's buckets hold about a second), while
// fast endpoints keep the configured burst.
func TestLimiterSlowEndpointBurst(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(testEpoch)
	limits := DefaultRateLimits()
	limits.Overrides["GET /slow"] = 4
	l := NewLimiter(limits, clk)
	ctx := t.Context()
	free := 0
	for range 10 {
		if d, err := l.Wait(ctx, http.MethodGet, "/slow", ""); err != nil {
			t.Fatal(err)
		} else if d == 0 {
			free++
		}
	}
	if free != 2 {
		t.Errorf("%d requests to a 4/s endpoint went without waiting, want 2 (half a second)", free)
	}
	free = 0
	for range 20 {
		if d := mustWait(t, l, http.MethodGet, routeB, ""); d == 0 {
			free++
		}
	}
	if free != limits.Burst {
		t.Errorf("%d requests to a 100/s endpoint went without waiting, want the burst %d", free, limits.Burst)
	}
}
