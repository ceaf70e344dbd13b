package httpserver

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func TestAuthRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, c := range []struct {
		name, path, auth string
		want             int
	}{
		{"health without token", "/healthz", "", 200},
		{"ready without token", "/readyz", "", 200},
		{"no token", "/v1/syncs", "", 401},
		{"wrong token", "/v1/syncs", "Bearer wrong-token-0123456789abcdef", 401},
		{"token as prefix", "/v1/syncs", "Bearer " + testToken + "x", 401},
		{"basic scheme", "/v1/syncs", "Basic " + testToken, 401},
		{"metrics without token", "/metrics", "", 401},
		{"queries without token", "/v1/groups/x/members", "", 401},
		{"right token", "/v1/syncs", "Bearer " + testToken, 200},
		{"scheme case-insensitive", "/v1/syncs", "bearer " + testToken, 200},
		{"unknown route", "/v1/nope", "Bearer " + testToken, 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := e.do("GET", c.path, "", nil, "Authorization", c.auth)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("GET %s: %d %s, want %d", c.path, resp.StatusCode, b, c.want)
			}
			if c.want == 401 {
				if !strings.Contains(string(b), "Authorization: Bearer") || resp.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("401 does not say what to send: %s", b)
				}
				if strings.Contains(string(b), testToken) {
					t.Errorf("the token is echoed")
				}
			}
		})
	}
	if strings.Contains(e.logs.String(), testToken) || strings.Contains(e.logs.String(), "wrong-token") {
		t.Errorf("a token reached the logs:\n%s", e.logs.String())
	}
}

func TestConfigRefusesNoAuthAndShortTokens(t *testing.T) {
	t.Parallel()
	cc, _ := fakeConfig(t)
	if _, err := New(Config{Connector: cc, DataDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no authentication") {
		t.Errorf("no auth: %v", err)
	}
	_, err := New(Config{Connector: cc, DataDir: t.TempDir(), Tokens: []string{"short"}})
	if err == nil || !strings.Contains(err.Error(), "at least 16") || strings.Contains(err.Error(), "short") {
		t.Errorf("short token: %v", err)
	}
	if _, err := New(Config{Connector: cc, Tokens: []string{testToken}}); err == nil || !strings.Contains(err.Error(), "DataDir") {
		t.Errorf("no data dir: %v", err)
	}
}

func TestConcurrentStartsRunOneSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, jiratest.WithLatency(20*time.Millisecond))
	const n = 8
	var wg sync.WaitGroup
	res := make([]StartResponse, n)
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := e.do("POST", "/v1/syncs", testToken, strings.NewReader(`{"reason":"test"}`), "Content-Type", "application/json")
			defer resp.Body.Close()
			codes[i] = resp.StatusCode
			_ = json.NewDecoder(resp.Body).Decode(&res[i])
		}()
	}
	wg.Wait()
	started := 0
	for i := range n {
		if res[i].Sync.ID != res[0].Sync.ID {
			t.Errorf("start %d got sync %s, start 0 got %s", i, res[i].Sync.ID, res[0].Sync.ID)
		}
		if res[i].Started {
			started++
			if codes[i] != http.StatusAccepted {
				t.Errorf("started with %d, want 202", codes[i])
			}
		} else if codes[i] != http.StatusOK {
			t.Errorf("joined with %d, want 200", codes[i])
		}
	}
	if started != 1 {
		t.Fatalf("%d syncs started, want 1", started)
	}
	st := e.wait(res[0].Sync.ID)
	if st.State != outcomeSucceeded || st.Reason != "test" {
		t.Fatalf("sync %+v", st)
	}
	var list struct{ Syncs []SyncStatus }
	e.getJSON("/v1/syncs", 200, &list)
	if len(list.Syncs) != 1 {
		t.Errorf("%d syncs listed, want 1", len(list.Syncs))
	}
	if got := e.metric(`jiracloud_syncs_total{outcome="succeeded"}`); got != "1" {
		t.Errorf("syncs_total succeeded = %q", got)
	}
}

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	id, event string
	status    SyncStatus
}

func readEvents(t *testing.T, body io.Reader, each func(sseEvent) bool) {
	t.Helper()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.event != "" && !each(ev) {
				return
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			ev.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(line[6:]), &ev.status); err != nil {
				t.Fatalf("event data %q: %v", line, err)
			}
		}
	}
}

func TestEventStream(t *testing.T) {
	t.Parallel()
	// A write timeout far below the sync's length: the stream must move
	// its own deadline forward.
	e := newEnv(t, func(c *Config) {
		c.WriteTimeout, c.ReadTimeout = time.Second, 500*time.Millisecond
		c.KeepAlive = 100 * time.Millisecond
	}, jiratest.WithLatency(100*time.Millisecond)) // about 2 s, well over the write timeout
	url, stop := serveEnv(t, e) // Serve applies the timeouts; httptest would not
	e.url = url
	defer stop()
	sr := e.start()
	resp := e.do("GET", "/v1/syncs/"+sr.Sync.ID+"/events", testToken, nil)
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	var events []sseEvent
	readEvents(t, resp.Body, func(ev sseEvent) bool {
		events = append(events, ev)
		return ev.event != "done"
	})
	if len(events) < 3 {
		t.Fatalf("%d events, want progress events and done", len(events))
	}
	last := events[len(events)-1]
	if last.event != "done" || last.status.State != outcomeSucceeded || last.status.Result == nil {
		t.Fatalf("last event %+v", last)
	}
	var prevSeq uint64
	sawRequests, sawPhase := false, false
	for _, ev := range events[:len(events)-1] {
		if ev.event != "progress" || ev.status.State != stateRunning {
			t.Errorf("event %s state %s", ev.event, ev.status.State)
		}
		if ev.status.Seq < prevSeq {
			t.Errorf("seq went back: %d after %d", ev.status.Seq, prevSeq)
		}
		prevSeq = ev.status.Seq
		sawRequests = sawRequests || ev.status.Progress.Requests > 0
		sawPhase = sawPhase || ev.status.Progress.Phase != ""
	}
	if !sawRequests || !sawPhase {
		t.Errorf("progress never showed requests (%v) or a phase (%v)", sawRequests, sawPhase)
	}
	if last.status.Progress.ElapsedSeconds < 1.2 {
		t.Errorf("sync took %.2fs: too short to show the stream outlives the write timeout", last.status.Progress.ElapsedSeconds)
	}

	// A second sync has an ETA from the first.
	sr2 := e.start()
	if !sr2.Started || sr2.Sync.ID == sr.Sync.ID {
		// The done event was seen: a new start must not return the finished sync.
		t.Fatalf("start right after done: started %v, sync %s (the first was %s)", sr2.Started, sr2.Sync.ID, sr.Sync.ID)
	}
	resp2 := e.do("GET", "/v1/syncs/current/events", testToken, nil)
	defer resp2.Body.Close()
	sawETA := false
	var seen []string
	readEvents(t, resp2.Body, func(ev sseEvent) bool {
		seen = append(seen, fmt.Sprintf("%s %s %s %+v", ev.event, ev.status.ID, ev.status.State, ev.status.Progress))
		if ev.status.Progress.ETASeconds != nil && ev.status.Progress.Percent != nil {
			sawETA = true
		}
		return ev.event != "done"
	})
	if !sawETA {
		t.Errorf("second sync %s never reported an ETA; events:\n%s", sr2.Sync.ID, strings.Join(seen, "\n"))
	}
	// A finished sync's stream is one done event.
	resp3 := e.do("GET", "/v1/syncs/"+sr.Sync.ID+"/events", testToken, nil)
	defer resp3.Body.Close()
	var n int
	readEvents(t, resp3.Body, func(ev sseEvent) bool { n++; return ev.event != "done" })
	if n != 1 {
		t.Errorf("finished sync's stream had %d events, want 1", n)
	}
}

// waitRequests waits until the running sync has sent requests.
func (e *env) waitRequests(id string) {
	e.t.Helper()
	for range 500 {
		var st SyncStatus
		e.getJSON("/v1/syncs/"+id, 200, &st)
		if st.Progress.Requests > 5 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatal("the sync sent no requests")
}

func noPartials(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".partial") {
			t.Errorf("partial file left: %s", p)
		}
		return nil
	})
}

func TestCancelMidSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, jiratest.WithLatency(50*time.Millisecond))
	sr := e.start()
	e.waitRequests(sr.Sync.ID)
	resp := e.do("DELETE", "/v1/syncs/"+sr.Sync.ID, testToken, nil)
	var st SyncStatus
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if resp.StatusCode != 200 || st.State != outcomeCancelled || !strings.Contains(st.Error, "cancelled by request") {
		t.Fatalf("DELETE: %d %+v", resp.StatusCode, st)
	}
	// No c1z, only the cancelled sync's record.
	if files := e.dataFiles(); len(files) != 1 || files[0] != "sync-"+sr.Sync.ID+".json" {
		t.Errorf("data dir after cancel: %v", files)
	}
	noPartials(t, e.dir)
	resp = e.do("DELETE", "/v1/syncs/"+sr.Sync.ID, testToken, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(b), "not running") {
		t.Errorf("second DELETE: %d %s", resp.StatusCode, b)
	}
	if got := e.metric(`jiracloud_syncs_total{outcome="cancelled"}`); got != "1" {
		t.Errorf("syncs_total cancelled = %q", got)
	}
	var ans apiError
	e.getJSON("/v1/groups/x/members", http.StatusConflict, &ans)
	if !strings.Contains(ans.Error.Message, "POST /v1/syncs") {
		t.Errorf("query without a sync: %+v", ans)
	}
}

// serveEnv runs the server through Serve on a loopback listener.
func serveEnv(t *testing.T, e *env) (url string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- e.srv.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), func() error { cancel(); return <-errc }
}

func TestShutdownMidSyncKeepsTheLastGoodC1Z(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.ShutdownGrace = 50 * time.Millisecond }, jiratest.WithLatency(20*time.Millisecond))
	url, stop := serveEnv(t, e)
	e.url = url
	first := e.syncOnce()
	good := filepath.Join(e.dir, "sync-"+first.ID+".c1z")
	before, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	sr := e.start()
	e.waitRequests(sr.Sync.ID)
	// An open event stream must not hold shutdown up.
	stream := e.do("GET", "/v1/syncs/current/events", testToken, nil)
	defer stream.Body.Close()

	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	var last sseEvent
	readEvents(t, stream.Body, func(ev sseEvent) bool { last = ev; return true })
	if last.event != "shutdown" {
		t.Errorf("stream ended with %q, want a shutdown event", last.event)
	}
	run := e.srv.lookup(sr.Sync.ID)
	if st := run.status(); st.State != outcomeCancelled || !strings.Contains(st.Error, "shutdown") {
		t.Errorf("second sync after shutdown: %+v", st)
	}
	// The last good c1z, its record and the cancelled sync's record.
	files := e.dataFiles()
	want := []string{filepath.Base(good), "sync-" + first.ID + ".json", "sync-" + sr.Sync.ID + ".json"}
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Errorf("data dir %v, want %v", files, want)
	}
	after, err := os.ReadFile(good)
	if err != nil || string(after) != string(before) {
		t.Errorf("the last good c1z changed (%v)", err)
	}
	noPartials(t, e.dir)
	if _, _, err := e.srv.startSync("api", ""); err != errClosing {
		t.Errorf("start after shutdown: %v", err)
	}
}

func TestShutdownLetsASyncFinishWithinGrace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.ShutdownGrace = 2 * time.Minute })
	url, stop := serveEnv(t, e)
	e.url = url
	sr := e.start()
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	st := e.srv.lookup(sr.Sync.ID).status()
	if st.State != outcomeSucceeded {
		t.Fatalf("sync %+v, want succeeded", st)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "sync-"+st.ID+".c1z")); err != nil {
		t.Error(err)
	}
}

func TestBadBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes = 1024 })
	for _, c := range []struct {
		name, body, ct string
		code           int
		msg            string
	}{
		{"oversized", `{"reason":"` + strings.Repeat("x", 4096) + `"}`, "application/json", 413, "larger than 1024 bytes"},
		{"malformed", `{"reason":`, "application/json", 400, "unexpected end of input"},
		{"syntax", `{"reason" "x"}`, "application/json", 400, "syntax error at byte"},
		{"unknown field", `{"reasn":"x"}`, "application/json", 400, `unknown field "reasn"`},
		{"wrong type", `{"reason":5}`, "application/json", 400, `field "reason" must be string`},
		{"two values", `{} {}`, "application/json", 400, "more than one JSON value"},
		{"not json", `reason=x`, "application/x-www-form-urlencoded", 415, "must be application/json"},
		{"long reason", `{"reason":"` + strings.Repeat("y", 300) + `"}`, "application/json", 400, "longer than 200"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := e.do("POST", "/v1/syncs", testToken, strings.NewReader(c.body), "Content-Type", c.ct)
			defer resp.Body.Close()
			var ans apiError
			if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != c.code || !strings.Contains(ans.Error.Message, c.msg) {
				t.Errorf("%d %q, want %d containing %q", resp.StatusCode, ans.Error.Message, c.code, c.msg)
			}
		})
	}
	var list struct{ Syncs []SyncStatus }
	e.getJSON("/v1/syncs", 200, &list)
	if len(list.Syncs) != 0 {
		t.Errorf("a bad body started a sync")
	}
}

func TestMetricsMove(t *testing.T) {
	t.Parallel()
	// Two 429s on one route (a transport in front of the fake answers
	// them), then the route works.
	rt := &throttle{base: http.DefaultTransport, path: "/rest/api/3/applicationrole", n: 2}
	e := newEnv(t, func(c *Config) {
		c.Connector.JiraOptions = append(c.Connector.JiraOptions, jira.WithHTTPClient(&http.Client{Transport: rt}),
			jira.WithRetryPolicy(jira.RetryPolicy{MaxRetries: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond,
				MaxRetryAfter: time.Second, JitterMin: 1, JitterMax: 1}))
	})
	resp := e.do("GET", "/metrics", testToken, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("metrics Content-Type %q", ct)
	}
	for _, want := range []string{"# TYPE jiracloud_syncs_total counter", `jiracloud_syncs_total{outcome="succeeded"} 0`,
		"jiracloud_sync_running 0", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	st := e.syncOnce()
	t.Logf("sync: %.1fs, waited %.1fs", st.Result.DurationSeconds, st.Result.WaitedSeconds)
	if st.Result.RateLimited != 2 {
		t.Fatalf("the fake sent %d 429s, want 2", st.Result.RateLimited)
	}
	checks := map[string]func(float64) bool{
		`jiracloud_syncs_total{outcome="succeeded"}`:                                          func(v float64) bool { return v == 1 },
		`jiracloud_jira_rate_limited_total{method="GET",route="/rest/api/3/applicationrole"}`: func(v float64) bool { return v == 2 },
		`jiracloud_jira_retries_total{method="GET",route="/rest/api/3/applicationrole"}`:      func(v float64) bool { return v == 2 },
		`jiracloud_jira_requests_total{method="GET",route="/rest/api/3/applicationrole"}`:     func(v float64) bool { return v >= 3 },
		`jiracloud_jira_requests_total{method="GET",route="/rest/api/3/users/search"}`:        func(v float64) bool { return v >= 1 },
		`jiracloud_http_requests_total{code="202",route="POST /v1/syncs"}`:                    func(v float64) bool { return v == 1 },
		`jiracloud_sync_duration_seconds_count{outcome="succeeded"}`:                          func(v float64) bool { return v == 1 },
		`jiracloud_last_sync_objects{kind="grants"}`:                                          func(v float64) bool { return v == float64(st.Result.Grants) },
		`jiracloud_query_index_direct_grants`:                                                 func(v float64) bool { return v > 0 },
		`jiracloud_last_sync_success_timestamp_seconds`:                                       func(v float64) bool { return v > 1e9 },
	}
	for sample, ok := range checks {
		raw := e.metric(sample)
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || !ok(v) {
			t.Errorf("%s = %q", sample, raw)
		}
	}
	// The observer's total matches the sync's own counter.
	resp = e.do("GET", "/metrics", testToken, nil)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var total float64
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "jiracloud_jira_requests_total{") {
			v, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			total += v
		}
	}
	if int64(total) != st.Result.Requests {
		t.Errorf("requests by route sum to %v, the sync counted %d", total, st.Result.Requests)
	}
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	const secret = "webhook-secret-0123456789"
	e := newEnv(t, func(c *Config) {
		c.WebhookSecret = secret
		c.WebhookDebounce = time.Second
	})
	post := func(body, sig string) (int, WebhookAnswer, string) {
		resp := e.do("POST", "/v1/webhooks/jira", "", strings.NewReader(body), "X-Hub-Signature", sig, "Content-Type", "application/json")
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var a WebhookAnswer
		_ = json.Unmarshal(b, &a)
		return resp.StatusCode, a, string(b)
	}
	userCreated := `{"timestamp":1,"webhookEvent":"user_created","user":{"accountId":"abc"}}`
	for _, c := range []struct{ name, sig string }{
		{"no signature", ""},
		{"wrong secret", sign("another-secret-0123456789", []byte(userCreated))},
		{"other body", sign(secret, []byte(userCreated+" "))},
		{"not hex", "sha256=zz"},
		{"sha1", "sha1=" + sign(secret, []byte(userCreated))[7:]},
	} {
		if code, _, b := post(userCreated, c.sig); code != 401 || !strings.Contains(b, "X-Hub-Signature") {
			t.Errorf("%s: %d %s, want 401", c.name, code, b)
		}
	}
	if code, _, _ := post(`{"nope":1}`, sign(secret, []byte(`{"nope":1}`))); code != 400 {
		t.Errorf("signed body without webhookEvent: %d", code)
	}
	issue := `{"webhookEvent":"jira:issue_created"}`
	if code, a, _ := post(issue, sign(secret, []byte(issue))); code != 202 || a.Scheduled {
		t.Errorf("issue event: %d %+v, want ignored", code, a)
	}
	// A burst of relevant events: one sync, after the last plus the debounce.
	var lastAt time.Time
	for _, ev := range []string{"user_created", "group_updated", "project_deleted", "user_updated", "jira:project_role_updated"} {
		body := `{"webhookEvent":"` + ev + `"}`
		code, a, b := post(body, sign(secret, []byte(body)))
		if code != 202 || !a.Scheduled || a.SyncAt == nil {
			t.Fatalf("%s: %d %s", ev, code, b)
		}
		if a.SyncAt.Before(lastAt) {
			t.Errorf("%s moved the sync earlier", ev)
		}
		lastAt = *a.SyncAt
		time.Sleep(50 * time.Millisecond)
	}
	list := e.waitSyncs(1, 500*10*time.Millisecond)
	if len(list.Syncs) != 1 || list.Syncs[0].Trigger != "webhook" {
		t.Fatalf("syncs after the burst: %+v", list.Syncs)
	}
	if list.Syncs[0].StartedAt.Before(lastAt) {
		t.Errorf("the sync started at %v, before the end of the debounce (%v)", list.Syncs[0].StartedAt, lastAt)
	}
	e.wait(list.Syncs[0].ID)
	time.Sleep(300 * time.Millisecond)
	e.getJSON("/v1/syncs", 200, &list)
	if len(list.Syncs) != 1 {
		t.Errorf("%d syncs, want 1 for the burst", len(list.Syncs))
	}
	for sample, want := range map[string]string{
		`jiracloud_webhooks_total{result="bad_signature"}`: "5",
		`jiracloud_webhooks_total{result="scheduled"}`:     "5",
		`jiracloud_webhooks_total{result="ignored"}`:       "1",
	} {
		if got := e.metric(sample); got != want {
			t.Errorf("%s = %q, want %s", sample, got, want)
		}
	}
	if strings.Contains(e.logs.String(), secret) {
		t.Error("the webhook secret reached the logs")
	}
}

func TestWebhookDuringSyncRunsAgain(t *testing.T) {
	t.Parallel()
	const secret = "webhook-secret-0123456789"
	e := newEnv(t, func(c *Config) { c.WebhookSecret = secret; c.WebhookDebounce = 10 * time.Millisecond },
		jiratest.WithLatency(20*time.Millisecond))
	sr := e.start()
	body := `{"webhookEvent":"group_created"}`
	resp := e.do("POST", "/v1/webhooks/jira", "", strings.NewReader(body), "X-Hub-Signature", sign(secret, []byte(body)))
	resp.Body.Close()
	e.wait(sr.Sync.ID)
	list := e.waitSyncs(2, 200*10*time.Millisecond)
	if len(list.Syncs) != 2 || list.Syncs[0].Trigger != "webhook" {
		t.Fatalf("syncs %+v, want a webhook re-run after the first", list.Syncs)
	}
	e.wait(list.Syncs[0].ID)
}

func TestNoWebhookRouteWithoutSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	resp := e.do("POST", "/v1/webhooks/jira", testToken, strings.NewReader(`{}`))
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("webhook route without a secret: %d", resp.StatusCode)
	}
}

func TestCORSOffByDefault(t *testing.T) {
	t.Parallel()
	for _, origins := range [][]string{nil, {"https://app.example.com"}} {
		e := newEnv(t, func(c *Config) { c.CORSOrigins = origins })
		resp := e.do("OPTIONS", "/v1/syncs", "", nil, "Origin", "https://app.example.com", "Access-Control-Request-Method", "GET")
		resp.Body.Close()
		got := resp.Header.Get("Access-Control-Allow-Origin")
		if origins == nil && (got != "" || resp.StatusCode < 400) {
			t.Errorf("CORS off: %d, allow-origin %q", resp.StatusCode, got)
		}
		if origins != nil && (got != origins[0] || resp.StatusCode != 204) {
			t.Errorf("CORS on: %d, allow-origin %q", resp.StatusCode, got)
		}
		resp = e.do("GET", "/v1/syncs", testToken, nil, "Origin", "https://evil.example.com")
		resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("other origin allowed")
		}
	}
}

func TestDownloadAndRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	resp := e.do("GET", "/v1/syncs/latest/c1z", testToken, nil)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("download before any sync: %d", resp.StatusCode)
	}
	st := e.syncOnce()
	want, err := os.ReadFile(filepath.Join(e.dir, "sync-"+st.ID+".c1z"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{st.ID, "latest", "current"} {
		resp := e.do("GET", "/v1/syncs/"+id+"/c1z", testToken, nil)
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != string(want) || resp.Header.Get("ETag") != `"`+st.ID+`"` {
			t.Errorf("download %s: %d, %d bytes (want %d)", id, resp.StatusCode, len(got), len(want))
		}
	}
	resp = e.do("GET", "/v1/syncs/latest/c1z", testToken, nil, "Range", "bytes=0-9")
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(got) != string(want[:10]) {
		t.Errorf("range: %d %q", resp.StatusCode, got)
	}

	// A restart on the same directory removes the .partial files earlier
	// versions wrote (TestRestartAfterKilledSync kills a real sync) and answers
	// queries from the c1z it finds.
	partial := filepath.Join(e.dir, ".sync-x.c1z.123.partial")
	os.WriteFile(partial, []byte("half"), 0o600)
	cc, _ := fakeConfig(t)
	s2, err := New(Config{Connector: cc, DataDir: e.dir, Tokens: []string{testToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Shutdown(context.Background())
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Errorf("partial file kept: %v", err)
	}
	for range 500 {
		if s2.latest.Load() != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	f := s2.latest.Load()
	if f == nil || f.run.ID != st.ID || f.ix.grants() != e.srv.latest.Load().ix.grants() {
		t.Fatalf("restart did not load sync %s", st.ID)
	}
}

// throttle answers the first n requests to path with 429 (Retry-After: 0).
type throttle struct {
	base http.RoundTripper
	path string
	mu   sync.Mutex
	n    int
}

func (t *throttle) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	hit := r.URL.Path == t.path && t.n > 0
	if hit {
		t.n--
	}
	t.mu.Unlock()
	if hit {
		return &http.Response{StatusCode: 429, Status: "429 Too Many Requests", Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Retry-After": {"0"}}, Body: io.NopCloser(strings.NewReader(`{"errorMessages":["slow down"]}`))}, nil
	}
	return t.base.RoundTrip(r)
}

func TestWebhookBurstIsCappedByMaxDelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) {
		c.WebhookSecret = "webhook-secret-0123456789"
		c.WebhookDebounce = time.Hour
		c.WebhookMaxDelay = 300 * time.Millisecond
	})
	var first time.Time
	for i := range 3 {
		at, err := e.srv.schedule()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = at
		} else if !at.Equal(first) {
			t.Fatalf("event %d scheduled the sync at %v, want the cap %v", i, at, first)
		}
		time.Sleep(50 * time.Millisecond)
	}
	list := e.waitSyncs(1, 300*10*time.Millisecond)
	if len(list.Syncs) != 1 || list.Syncs[0].Trigger != "webhook" {
		t.Fatalf("syncs %+v, want one webhook sync despite the hour-long debounce", list.Syncs)
	}
	e.wait(list.Syncs[0].ID)
}

// waitSyncs polls GET /v1/syncs until it lists at least n syncs or for at
// most d, and returns the last answer.
func (e *env) waitSyncs(n int, d time.Duration) (list struct{ Syncs []SyncStatus }) {
	e.t.Helper()
	for end := time.Now().Add(d); ; time.Sleep(10 * time.Millisecond) {
		e.getJSON("/v1/syncs", 200, &list)
		if len(list.Syncs) >= n || time.Now().After(end) {
			return list
		}
	}
}
