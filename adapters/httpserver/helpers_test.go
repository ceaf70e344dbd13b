package httpserver

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

const testToken = "test-token-0123456789abcdef"

func TestMain(m *testing.M) {
	// Pebble prints "Found 0 WALs" through the standard logger.
	log.SetOutput(io.Discard)
	if os.Getenv(crashHelperEnv) != "" {
		os.Exit(crashHelper())
	}
	os.Exit(m.Run())
}

type env struct {
	t    *testing.T
	fake *jiratest.Server
	srv  *Server
	url  string
	dir  string
	logs *lockedWriter
}

// fakeConfig returns a connector configuration for a fake small site.
func fakeConfig(t *testing.T, fakeOpts ...jiratest.Option) (connector.Config, *jiratest.Server) {
	t.Helper()
	fake := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), fakeOpts...)
	t.Cleanup(fake.Close)
	cfg := connector.DefaultConfig()
	cfg.JiraURL = fake.URL
	cfg.JiraEmail = fake.Email
	cfg.JiraAPIToken = fake.APIToken
	cfg.JiraOptions = []jira.Option{jira.WithLoopback()}
	return cfg, fake
}

// newEnv starts a fake site and the server (behind httptest on loopback).
func newEnv(t *testing.T, tweak func(*Config), fakeOpts ...jiratest.Option) *env {
	t.Helper()
	cc, fake := fakeConfig(t, fakeOpts...)
	e := &env{t: t, fake: fake, dir: t.TempDir(), logs: &lockedWriter{}}
	cfg := Config{Connector: cc, DataDir: e.dir, Tokens: []string{testToken},
		Logger: slog.New(slog.NewTextHandler(e.logs, nil))}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.srv = srv
	hs := httptest.NewServer(srv)
	e.url = hs.URL
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	return e
}

// do sends a request with the test token (token "" sends none).
func (e *env) do(method, path, token string, body io.Reader, hdr ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// getJSON GETs path with the token, checks the status and decodes.
func (e *env) getJSON(path string, wantCode int, v any) {
	e.t.Helper()
	resp := e.do("GET", path, testToken, nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantCode {
		e.t.Fatalf("GET %s: %d %s, want %d", path, resp.StatusCode, b, wantCode)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			e.t.Fatalf("GET %s: decode %s: %v", path, b, err)
		}
	}
}

// start POSTs /v1/syncs.
func (e *env) start() StartResponse {
	e.t.Helper()
	resp := e.do("POST", "/v1/syncs", testToken, nil)
	defer resp.Body.Close()
	var sr StartResponse
	if err := json.NewDecoder(resp.Body).Decode(&sr); err != nil {
		e.t.Fatalf("POST /v1/syncs: %d: %v", resp.StatusCode, err)
	}
	return sr
}

// wait polls a sync until it is no longer running.
func (e *env) wait(id string) SyncStatus {
	e.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var st SyncStatus
		e.getJSON("/v1/syncs/"+id, http.StatusOK, &st)
		if st.State != stateRunning {
			return st
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("sync %s still running after 2 minutes", id)
	return SyncStatus{}
}

// syncOnce runs a sync to success.
func (e *env) syncOnce() SyncStatus {
	e.t.Helper()
	sr := e.start()
	st := e.wait(sr.Sync.ID)
	if st.State != outcomeSucceeded {
		e.t.Fatalf("sync %s: %s (%s)", st.ID, st.State, st.Error)
	}
	return st
}

// metric returns the value of one sample line of /metrics ("" if absent).
func (e *env) metric(sample string) string {
	e.t.Helper()
	resp := e.do("GET", "/metrics", testToken, nil)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), sample+" "); ok {
			return v
		}
	}
	return ""
}

// dataFiles lists the data directory (tmp excluded).
func (e *env) dataFiles() []string {
	e.t.Helper()
	ents, err := os.ReadDir(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, en := range ents {
		if en.Name() != "tmp" {
			out = append(out, en.Name())
		}
	}
	return out
}

type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
