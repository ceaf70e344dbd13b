package jira

import (
	"net/http"
	"sync"
	"testing"
)

func TestWithObserver(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		kinds []EventKind
		route string
	)
	c, mux, _ := setup(t, WithObserver(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		kinds = append(kinds, e.Kind)
		route = e.Method + " " + e.Route
	}))
	calls := 0
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"accountId":"a1","active":true}`))
	})
	if _, _, err := c.Myself(t.Context()); err != nil {
		t.Fatalf("Myself: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []EventKind{EventAttempt, EventRateLimited, EventRetry, EventAttempt}
	if len(kinds) != len(want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("events %v, want %v", kinds, want)
		}
	}
	if route != "GET /rest/api/3/myself" {
		t.Errorf("route %q", route)
	}
}
