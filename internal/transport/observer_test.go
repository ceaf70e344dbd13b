package transport

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestObserverSeesAttemptsRateLimitsAndRetries(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		events []Event
	)
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if hits == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	clk := newFakeClock(testEpoch)
	policy := testPolicy()
	tr := New(Config{
		Base:    &http.Transport{DisableKeepAlives: true},
		Limiter: NewLimiter(Unlimited(), clk),
		Retry:   &policy,
		Clock:   clk,
		Rand:    fixedRand(0.5),
		Observer: func(e Event) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		},
	})
	resp, _, err := tr.Do(t.Context(), Request{Method: http.MethodGet, URL: srv.URL + "/rest/api/3/group/member?groupId=secret"})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	resp.Body.Close()
	route := "/rest/api/3/group/member"
	want := []Event{
		{Kind: EventAttempt, Method: "GET", Route: route},
		{Kind: EventRateLimited, Method: "GET", Route: route, Status: 429},
		{Kind: EventRetry, Method: "GET", Route: route, Status: 429},
		{Kind: EventAttempt, Method: "GET", Route: route},
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// The observer agrees with the counters.
	st := tr.Stats()
	if st.Requests != 2 || st.RateLimited != 1 || st.Retries != 1 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestEventKindString(t *testing.T) {
	t.Parallel()
	for k, want := range map[EventKind]string{EventAttempt: "attempt", EventRateLimited: "rate-limited", EventRetry: "retry", 0: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", k, got, want)
		}
	}
}
