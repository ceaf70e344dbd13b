package embed_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// The fault and abuse suite (issue 11): full syncs through a proxy that
// misbehaves in front of the fake tenant. Each scenario must give exactly
// the clean sync's c1z, or fail with an error that names the problem; no
// token may appear in the log, the error or the c1z, and the heap stays
// bounded. The short mode (default, in CI) runs each scenario once on a
// small tenant; -fault.long (or JIRACLOUD_FAULT_LONG=1) runs a medium
// tenant with three seeds:
//
//	go test ./adapters/embed -run TestFault -fault.long -timeout 30m
var faultLong = flag.Bool("fault.long", os.Getenv("JIRACLOUD_FAULT_LONG") != "", "run the fault suite's long mode")

// abuse is a proxy rule: it may answer r itself (returning true) instead of
// passing it to the fake. n is the 1-based count of requests to the path;
// next forwards to the fake.
type abuse func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool

// faultProxy forwards to the fake, applying rule first.
type faultProxy struct {
	*httptest.Server
	injected atomic.Int64
	mu       sync.Mutex
	counts   map[string]int
}

// jiraREST is the faultProxy's default scope: Jira's REST paths.
func jiraREST(r *http.Request) bool { return strings.Contains(r.URL.Path, "/rest/") }

// newFaultProxy applies rule to Jira's REST paths only.
func newFaultProxy(t *testing.T, target string, rule abuse) *faultProxy {
	return newScopedFaultProxy(t, target, rule, jiraREST)
}

// newScopedFaultProxy applies rule to the requests scope selects.
func newScopedFaultProxy(t *testing.T, target string, rule abuse, scope func(*http.Request) bool) *faultProxy {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &faultProxy{counts: map[string]int{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.counts[r.Method+" "+r.URL.Path]++
		n := p.counts[r.Method+" "+r.URL.Path]
		p.mu.Unlock()
		if rule != nil && scope(r) && rule(w, r, n, rp) {
			p.injected.Add(1)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// faultConfig is the connector configuration for a sync through url.
func faultConfig(srv *jiratest.Server, url string, extra ...jira.Option) connector.Config {
	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = url, srv.Email, srv.APIToken
	cfg.Concurrency = 4
	cfg.JiraOptions = append([]jira.Option{jira.WithLoopback(), jira.WithRetryPolicy(testRetries),
		jira.WithGatewayURL(url), jira.WithRateLimits(jira.UnlimitedRateLimits())}, extra...)
	return cfg
}

// heapPeak samples the live heap (as of the last GC) every 5 ms until stop
// is called.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// scenario is one fault of the suite.
type scenario struct {
	name string
	// faults are the fake's own injected faults; rule is the proxy's.
	faults *jiratest.Faults
	rule   abuse
	// opts are extra client options (limits small enough to trip).
	opts []jira.Option
	// wantErr, when set, is the text a clear error must contain; the
	// scenario then must fail instead of matching the clean sync.
	wantErr string
	// leaks is a host that must never see a request (redirect target).
	leaks *atomic.Int64
	// syncOnly marks a fault only a sync's reads can meet (endless pages).
	syncOnly bool
}

// every returns true for request n of a path when n%k == r.
func every(k, r int) func(n int) bool { return func(n int) bool { return n%k == r } }

func rateLimited(reason string) abuse {
	hit := every(4, 1)
	return func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
		if !hit(n) {
			return false
		}
		w.Header().Set("Retry-After", "0.05")
		w.Header().Set("RateLimit-Reason", reason)
		w.Header().Set("X-RateLimit-Remaining", "0")
		http.Error(w, `{"errorMessages":["Rate limit exceeded."]}`, http.StatusTooManyRequests)
		return true
	}
}

// faultScenarios lists the faults. The ones that must end in a clear error
// strike the requests aimed selects (a sync: the user search; provisioning:
// every request), the storms strike a share of every request.
func faultScenarios(seed int64, leaked *atomic.Int64, elsewhere string, aimed func(*http.Request) bool) []scenario {
	storm := func(f jiratest.Faults) *jiratest.Faults { f.Seed = seed; return &f }
	var out []scenario
	out = append(out,
		scenario{name: "5xx storm", faults: storm(jiratest.Faults{Rate5xx: 0.2})},
		scenario{name: "503 storm with Retry-After", faults: storm(jiratest.Faults{Rate503RetryAfter: 0.1})},
		scenario{name: "429 storms of the fake", faults: storm(jiratest.Faults{Rate429Storm: 0.05, StormLength: 3})},
		scenario{name: "connection resets and truncated bodies", faults: storm(jiratest.Faults{RateReset: 0.08, RateTruncated: 0.08})},
		scenario{name: "slow responses past the attempt timeout", faults: storm(jiratest.Faults{RateSlow: 0.05, SlowDelay: 3 * time.Second}),
			opts: []jira.Option{jira.WithTimeout(300 * time.Millisecond)}},
	)
	for _, reason := range []string{"jira-burst-based", "jira-quota-global-based", "jira-quota-tenant-based",
		"jira-per-issue-on-write", "jira-cost-based", "jira-quota-based", ""} {
		out = append(out, scenario{name: "429 storm " + cmpOr(reason, "without a reason"), rule: rateLimited(reason)})
	}
	htmlHit := every(3, 1)
	echoHit := every(5, 2)
	ctHit := every(2, 0)
	sameOriginHit := every(3, 2)
	out = append(out,
		scenario{name: "HTML error pages", rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
			if !htmlHit(n) {
				return false
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader([]int{502, 503, 504}[n%3])
			_, _ = io.WriteString(w, "<html><head><title>Bad gateway</title></head><body><h1>Something went wrong</h1></body></html>")
			return true
		}},
		scenario{name: "wrong content type on good JSON", rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
			if !ctHit(n) {
				return false
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "text/plain;charset=ISO-8859-1")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return true
		}},
		scenario{name: "HTML page answered with 200", wantErr: "text/html, not JSON", rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
			if !aimed(r) {
				return false
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, "<html><body><form>Log in to continue</form></body></html>")
			return true
		}},
		scenario{name: "oversized body", wantErr: "response body too large", opts: []jira.Option{jira.WithMaxResponseSize(256 << 10)},
			rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
				if !aimed(r) {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, "[")
				pad := strings.Repeat(" ", 64<<10)
				for range 8192 { // 512 MiB of whitespace: valid JSON, far too long
					if _, err := io.WriteString(w, pad); err != nil {
						return true
					}
				}
				_, _ = io.WriteString(w, "]")
				return true
			}},
		scenario{name: "endless pagination", wantErr: "pagination limit reached", opts: []jira.Option{jira.WithPaginationLimits(0, 3000)}, syncOnly: true,
			rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
				if !strings.HasSuffix(r.URL.Path, "/users/search") {
					return false
				}
				start, _ := strconv.Atoi(r.URL.Query().Get("startAt"))
				size, _ := strconv.Atoi(r.URL.Query().Get("maxResults"))
				var b strings.Builder
				b.WriteString("[")
				for i := range max(size, 1) {
					if i > 0 {
						b.WriteString(",")
					}
					fmt.Fprintf(&b, `{"accountId":"endless-%d","accountType":"atlassian","displayName":"Endless %d","active":true}`, start+i, start+i)
				}
				b.WriteString("]")
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, b.String())
				return true
			}},
		scenario{name: "same-origin redirects", rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
			if r.Method != http.MethodGet || !sameOriginHit(n) || r.URL.Query().Get("redirected") != "" {
				return false
			}
			q := r.URL.Query()
			q.Set("redirected", "1")
			http.Redirect(w, r, r.URL.Path+"?"+q.Encode(), http.StatusFound)
			return true
		}},
		scenario{name: "redirect to another host", wantErr: "refusing redirect", leaks: leaked,
			rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
				if !aimed(r) {
					return false
				}
				http.Redirect(w, r, elsewhere+r.URL.Path, http.StatusTemporaryRedirect)
				return true
			}},
		scenario{name: "credentials echoed in retried errors", rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
			if !echoHit(n) {
				return false
			}
			echo := echoedCredentials(r)
			all := strings.Join(echo, " ")
			w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
			w.Header().Set("X-Echo-Token", all)
			if n%2 == 0 {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = io.WriteString(w, "<html><body><h1>Bad gateway</h1><pre>Authorization: "+all+"</pre></body></html>")
				return true
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			b, _ := json.Marshal(map[string]any{"errorMessages": echo, "errors": map[string]string{"authorization": all},
				"message": all, "code": 503})
			_, _ = w.Write(b)
			return true
		}},
		scenario{name: "credentials echoed in a final error", wantErr: "400 Bad Request", rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
			if !aimed(r) {
				return false
			}
			echo := echoedCredentials(r)
			all := strings.Join(echo, " ")
			w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			b, _ := json.Marshal(map[string]any{"errorMessages": append(echo, "<b>"+all+"</b>"),
				"errors": map[string]string{"authorization": all}, "message": all, "code": 400,
				"errorMessage": all})
			_, _ = w.Write(b)
			return true
		}},
		scenario{name: "absurd Retry-After", wantErr: "longer than", rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
			if !aimed(r) {
				return false
			}
			w.Header().Set("Retry-After", "1000000000")
			http.Error(w, `{"errorMessages":["Rate limit exceeded."]}`, http.StatusTooManyRequests)
			return true
		}},
	)
	return out
}

// echoedCredentials is what a misbehaving proxy echoes of a request's
// Authorization header: the header value, and for Basic auth the base64
// "email:token", the decoded pair and the token alone; for Bearer the key.
func echoedCredentials(r *http.Request) []string {
	h := r.Header.Get("Authorization")
	out := []string{h}
	if b64, ok := strings.CutPrefix(h, "Basic "); ok {
		out = append(out, b64)
		if raw, err := base64.StdEncoding.DecodeString(b64); err == nil {
			_, token, _ := strings.Cut(string(raw), ":")
			out = append(out, string(raw), token)
		}
	}
	if key, ok := strings.CutPrefix(h, "Bearer "); ok {
		out = append(out, key)
	}
	return out
}

// secretsOf lists what must never appear in a log, an error or a c1z: the
// API token, the Admin API key, and the base64 "email:token" of Basic auth.
func secretsOf(srv *jiratest.Server) []string {
	return []string{srv.APIToken, srv.AdminKey, base64.StdEncoding.EncodeToString([]byte(srv.Email + ":" + srv.APIToken))}
}

// userSearch aims a sync's faults at the user search.
func userSearch(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/users/search") }

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestFaultSuite runs every scenario; see the comment on faultLong.
func TestFaultSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("full syncs under faults")
	}
	size, seeds := jiratest.Small, []int64{4}
	if *faultLong {
		size, seeds = jiratest.Medium, []int64{4, 5, 6}
	}
	for _, seed := range seeds {
		tenant := jiratest.Generate(size, seed)
		srv := newServer(t, tenant)
		stopClean := heapPeak()
		_, clean := syncTo(t, faultConfig(srv, srv.URL))
		cleanPeak := stopClean()
		// Bounded memory: whatever the server sends (oversized bodies,
		// endless pages, storms), the live heap stays near a clean sync's.
		limit := cleanPeak + 256<<20
		t.Logf("clean sync: live heap peak %d MiB; limit under faults %d MiB", cleanPeak>>20, limit>>20)

		var leaked atomic.Int64
		elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "" {
				leaked.Add(1)
			}
			w.WriteHeader(http.StatusTeapot)
		}))
		t.Cleanup(elsewhere.Close)

		for _, sc := range faultScenarios(seed, &leaked, elsewhere.URL, userSearch) {
			t.Run(fmt.Sprintf("%s/seed %d", sc.name, seed), func(t *testing.T) {
				target := srv
				if sc.faults != nil {
					target = newServer(t, tenant, jiratest.WithFaults(*sc.faults))
				}
				proxy := newFaultProxy(t, target.URL, sc.rule)
				var logs bytes.Buffer
				logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				path := filepath.Join(t.TempDir(), "sync.c1z")
				runtime.GC()
				stop := heapPeak()
				res, err := embed.Sync(t.Context(), faultConfig(target, proxy.URL, sc.opts...),
					embed.WithC1ZPath(path), embed.WithTmpDir(t.TempDir()), embed.WithLogger(logger))
				peak := stop()

				secrets := secretsOf(srv)
				for _, s := range secrets {
					if strings.Contains(logs.String(), s) || err != nil && strings.Contains(err.Error(), s) {
						t.Errorf("a token appears in the log or the error")
					}
				}
				if sc.leaks != nil && sc.leaks.Load() != 0 {
					t.Errorf("credentials reached another host %d times", sc.leaks.Load())
				}
				if peak > limit {
					t.Errorf("heap peaked at %d MiB", peak>>20)
				}
				injected := proxy.injected.Load()
				if sc.faults != nil {
					injected = int64(target.Stats().Faults)
				}
				if injected == 0 {
					t.Fatalf("no fault was injected")
				}
				if sc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), sc.wantErr) {
						t.Fatalf("err = %v, want a clear error containing %q", err, sc.wantErr)
					}
					if _, serr := os.Stat(path); serr == nil {
						t.Error("a failed sync left a c1z file")
					}
					t.Logf("%d faults; error: %.300s; heap peak %d MiB", injected, err, peak>>20)
					return
				}
				if err != nil {
					t.Fatalf("sync: %v", err)
				}
				snap, err := embed.ReadC1Z(t.Context(), path)
				if err != nil {
					t.Fatal(err)
				}
				if d := gocmp.Diff(clean, snap); d != "" {
					t.Errorf("the sync under faults differs from the clean one (-clean +faults):\n%s", d)
				}
				raw, _ := os.ReadFile(path)
				for _, s := range secrets {
					if bytes.Contains(raw, []byte(s)) || strings.Contains(fmt.Sprintf("%+v", snap), s) {
						t.Error("the c1z holds a token")
					}
				}
				t.Logf("%d faults; %d requests, %d retries, %d 429s, waited %v; heap peak %d MiB",
					injected, res.Requests, res.Retries, res.RateLimited, res.Waited.Round(time.Millisecond), peak>>20)
			})
		}
	}
}
