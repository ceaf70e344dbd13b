package httpserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// TestUnmatchedRequests: a known path with another method answers 405
// with Allow; an unknown path 404; both are counted and logged like the
// routes.
func TestUnmatchedRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, c := range []struct {
		method, path string
		code         int
		allow        string
	}{
		{"PUT", "/v1/syncs", 405, "GET, HEAD, POST"},
		{"POST", "/healthz", 405, "GET, HEAD"},
		{"PATCH", "/v1/syncs/abc", 405, "GET, HEAD, DELETE"},
		{"GET", "/v1/grants", 405, "POST"},
		{"GET", "/v1/nothing", 404, ""},
		{"DELETE", "/nothing/at/all", 404, ""},
	} {
		resp := e.do(c.method, c.path, testToken, nil)
		var ae apiError
		json.NewDecoder(resp.Body).Decode(&ae)
		resp.Body.Close()
		if resp.StatusCode != c.code || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want %d %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), c.code, c.allow)
		}
		if c.code == 405 && (ae.Error.Code != "method_not_allowed" || !strings.Contains(ae.Error.Message, "use ")) {
			t.Errorf("%s %s: body %+v", c.method, c.path, ae)
		}
	}
	if got := e.metric(`jiracloud_http_requests_total{code="405",route="/"}`); got != "4" {
		t.Errorf("405s counted: %q, want 4", got)
	}
	if got := e.metric(`jiracloud_http_requests_total{code="404",route="/"}`); got != "2" {
		t.Errorf("404s counted: %q, want 2", got)
	}
	if !strings.Contains(e.logs.String(), `path=/nothing/at/all status=404`) {
		t.Errorf("the 404 is not logged:\n%s", e.logs.String())
	}
}

// A webhook whose body cannot be read is counted as a bad request.
func TestWebhookBodyReadErrorCounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.WebhookSecret = "webhook-secret-0123456789" })
	req := httptest.NewRequest("POST", "/v1/webhooks/jira", iotest.ErrReader(errors.New("connection reset")))
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status %d", rec.Code)
	}
	if got := e.metric(`jiracloud_webhooks_total{result="bad_request"}`); got != "1" {
		t.Errorf("webhooks_total bad_request = %q, want 1", got)
	}
}

// In JSON logs, durations are text such as "1.5s", not nanoseconds.
func TestLogDurationsAreText(t *testing.T) {
	t.Parallel()
	var logs lockedWriter
	e := newEnv(t, func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
		c.ShutdownGrace = time.Second
	})
	url, stop := serveEnv(t, e)
	e.url = url
	e.syncOnce()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		for _, k := range []string{"duration", "grace", "drain", "took"} {
			v, ok := line[k]
			if !ok {
				continue
			}
			s, isText := v.(string)
			if _, err := time.ParseDuration(s); !isText || err != nil {
				t.Errorf("%s: %s = %v, want a duration as text", line["msg"], k, v)
			}
			seen[line["msg"].(string)+"."+k] = true
		}
	}
	for _, want := range []string{"http request.duration", "sync finished.duration", "shutting down.grace"} {
		if !seen[want] {
			t.Errorf("no %s in the logs:\n%s", want, logs.String())
		}
	}
}
