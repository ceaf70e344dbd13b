package jiratest

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// limiter implements the burst buckets, the hourly quota and the per-issue write window.
type limiter struct {
	cfg     RateLimits
	mu      sync.Mutex
	buckets map[string]*bucket
	hour    time.Time
	used    int
	issues  map[string][]time.Time
}

type bucket struct {
	rate, size float64
	tokens     float64
	last       time.Time
}

// limitResult describes a rate-limit decision.
type limitResult struct {
	ok         bool
	limit      int
	remaining  int
	retryAfter time.Duration
	reset      time.Time
	reason     string
}

func newLimiter(cfg RateLimits) *limiter {
	return &limiter{cfg: cfg, buckets: make(map[string]*bucket), issues: make(map[string][]time.Time)}
}

func (l *limiter) rateFor(key string) float64 {
	if r, ok := l.cfg.Overrides[key]; ok {
		return r
	}
	if strings.Contains(key, "/rest/api/2/") {
		if r, ok := l.cfg.Overrides[strings.Replace(key, "/rest/api/2/", "/rest/api/3/", 1)]; ok {
			return r
		}
	}
	method, _, _ := strings.Cut(key, " ")
	if r, ok := l.cfg.PerMethod[method]; ok {
		return r
	}
	return 100
}

// take consumes one token for key at now.
func (l *limiter) take(key string, now time.Time) limitResult {
	if l.cfg.Unlimited {
		return limitResult{ok: true}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cfg.HourlyQuota > 0 {
		h := now.UTC().Truncate(time.Hour)
		if !h.Equal(l.hour) {
			l.hour, l.used = h, 0
		}
		if l.used >= l.cfg.HourlyQuota {
			reset := h.Add(time.Hour)
			return limitResult{limit: l.cfg.HourlyQuota, retryAfter: reset.Sub(now), reset: reset, reason: l.cfg.QuotaReason}
		}
		l.used++
	}
	b := l.buckets[key]
	if b == nil {
		rate := l.rateFor(key)
		size := math.Max(1, rate*l.cfg.BurstSeconds)
		b = &bucket{rate: rate, size: size, tokens: size, last: now}
		l.buckets[key] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(b.size, b.tokens+dt*b.rate)
		b.last = now
	}
	res := limitResult{limit: int(b.rate)}
	if b.tokens < 1 {
		wait := time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
		res.retryAfter = wait
		res.reset = now.Add(wait)
		res.reason = l.cfg.Reason
		return res
	}
	b.tokens--
	res.ok = true
	res.remaining = int(b.tokens)
	return res
}

// issueWrite records a write to issue at now and reports whether it is allowed.
func (l *limiter) issueWrite(issue string, now time.Time) limitResult {
	if l.cfg.Unlimited || l.cfg.IssueWritesPer2s <= 0 {
		return limitResult{ok: true}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	win := l.issues[issue]
	cut := now.Add(-2 * time.Second)
	win = slices.DeleteFunc(win, func(t time.Time) bool { return !t.After(cut) })
	if len(win) >= l.cfg.IssueWritesPer2s {
		l.issues[issue] = win
		reset := win[0].Add(2 * time.Second)
		return limitResult{limit: l.cfg.IssueWritesPer2s, retryAfter: reset.Sub(now), reset: reset,
			reason: "jira-per-issue-on-write"}
	}
	l.issues[issue] = append(win, now)
	return limitResult{ok: true}
}

// faultKind is the kind of an injected fault.
type faultKind string

const (
	faultNone      faultKind = ""
	fault5xx       faultKind = "5xx"
	fault503       faultKind = "503-retry-after"
	faultReset     faultKind = "reset"
	faultTruncated faultKind = "truncated"
	faultSlow      faultKind = "slow"
	faultStorm     faultKind = "429-storm"
	// fault5xxAfter runs the handler (a write is applied and logged) and
	// then answers 500, 502 or 504 instead of its reply.
	fault5xxAfter faultKind = "5xx-after-apply"
	faultLost     faultKind = "lost-answer"
)

// unitHash maps (seed, route, n, salt) to a uniform float in [0, 1).
func unitHash(seed int64, route string, n uint64, salt string) float64 {
	var buf [16]byte
	binary.LittleEndian.PutUint64(buf[:8], uint64(seed))
	binary.LittleEndian.PutUint64(buf[8:], n)
	h := sha256.New()
	h.Write(buf[:])
	h.Write([]byte(route))
	h.Write([]byte(salt))
	sum := h.Sum(nil)
	return float64(binary.LittleEndian.Uint64(sum[:8])>>11) / (1 << 53)
}

// decideFault returns the fault for request n (1-based) of route.
func (f Faults) decide(route, method string, n uint64) (faultKind, int) {
	if !f.enabled() {
		return faultNone, 0
	}
	if len(f.Routes) > 0 && !slices.Contains(f.Routes, route) {
		return faultNone, 0
	}
	if len(f.Methods) > 0 && !slices.Contains(f.Methods, method) {
		return faultNone, 0
	}
	if f.Rate429Storm > 0 {
		for k := n; k+uint64(f.StormLength) > n && k >= 1; k-- {
			if unitHash(f.Seed, route, k, "storm") < f.Rate429Storm {
				return faultStorm, 0
			}
		}
	}
	u := unitHash(f.Seed, route, n, "fault")
	acc := 0.0
	for _, c := range []struct {
		rate float64
		kind faultKind
	}{{f.Rate5xx, fault5xx}, {f.Rate503RetryAfter, fault503}, {f.RateReset, faultReset},
		{f.RateTruncated, faultTruncated}, {f.RateSlow, faultSlow}, {f.Rate5xxAfterApply, fault5xxAfter},
		{f.RateLostAnswer, faultLost}} {
		acc += c.rate
		if u < acc {
			status := 0
			if c.kind == fault5xx || c.kind == fault5xxAfter {
				status = []int{500, 502, 504}[int(unitHash(f.Seed, route, n, "status")*3)]
			}
			return c.kind, status
		}
	}
	return faultNone, 0
}
