package transport

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock whose Sleep records the requested duration, advances
// the fake time by it and returns at once (or with ctx's error if ctx has
// already ended). It is safe for concurrent use.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock(start time.Time) *fakeClock { return &fakeClock{now: start} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return nil
}

// Advance moves the fake time forward without recording a sleep.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleeps returns a copy of the recorded sleeps.
func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Slept is the sum of the recorded sleeps.
func (c *fakeClock) Slept() time.Duration {
	var total time.Duration
	for _, d := range c.Sleeps() {
		total += d
	}
	return total
}

// blockingClock is a Clock whose Sleep signals entered and then blocks until
// ctx ends; it never returns nil. It is used to cancel a request while it
// sleeps.
type blockingClock struct {
	now     time.Time
	entered chan time.Duration
}

func (c *blockingClock) Now() time.Time { return c.now }

func (c *blockingClock) Sleep(ctx context.Context, d time.Duration) error {
	select {
	case c.entered <- d:
	default:
	}
	<-ctx.Done()
	return ctx.Err()
}

// fixedRand returns an injectable random source that always yields r.
func fixedRand(r float64) func() float64 { return func() float64 { return r } }

// testEpoch is a whole second, so that HTTP dates (second precision) relative
// to it are exact.
var testEpoch = time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC)

func TestRealClockSleep(t *testing.T) {
	t.Parallel()
	var c RealClock
	if err := c.Sleep(t.Context(), time.Millisecond); err != nil {
		t.Fatalf("Sleep(1ms) = %v, want nil", err)
	}
	if err := c.Sleep(t.Context(), 0); err != nil {
		t.Fatalf("Sleep(0) = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if err := c.Sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("Sleep on a cancelled ctx = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("Sleep on a cancelled ctx took %v", el)
	}
	if err := c.Sleep(ctx, 0); err != context.Canceled {
		t.Fatalf("Sleep(0) on a cancelled ctx = %v, want context.Canceled", err)
	}
	if d := time.Since(c.Now()); d < 0 || d > time.Minute {
		t.Fatalf("RealClock.Now is %v away from time.Now", d)
	}
}
