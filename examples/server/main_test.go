package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServerOnTheFakeSite(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	type started struct{ addr, tokenFile string }
	readyc := make(chan started, 1)
	errc := make(chan error, 1)
	var logs strings.Builder
	env := map[string]string{"BATON_SERVER_DATA_DIR": dir, "BATON_FAKE_ORG": "false"}
	go func() {
		errc <- run(ctx, []string{"-server-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, &syncWriter{b: &logs},
			func(addr, tf string) { readyc <- started{addr, tf} })
	}()
	var st started
	select {
	case st = <-readyc:
	case err := <-errc:
		t.Fatalf("run: %v", err)
	}
	if st.tokenFile != filepath.Join(dir, "token") {
		t.Fatalf("token file %q", st.tokenFile)
	}
	fi, err := os.Stat(st.tokenFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(st.tokenFile)
	token := strings.TrimSpace(string(b))
	do := func(method, path string) (int, []byte) {
		req, _ := http.NewRequest(method, "http://"+st.addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	// Provisioning is off unless asked for.
	if code, body := do("POST", "/v1/accounts"); code != http.StatusForbidden || !strings.Contains(string(body), "provisioning_disabled") {
		t.Fatalf("POST /v1/accounts without --provisioning: %d %s", code, body)
	}
	if code, _ := do("POST", "/v1/syncs"); code != http.StatusAccepted {
		t.Fatalf("start: %d", code)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		code, body := do("GET", "/v1/syncs/current")
		var s struct{ State string }
		_ = json.Unmarshal(body, &s)
		if code != 200 {
			t.Fatalf("status: %d %s", code, body)
		}
		if s.State == "succeeded" {
			break
		}
		if s.State != "running" || time.Now().After(deadline) {
			t.Fatalf("sync: %s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run after shutdown: %v", err)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"sync finished"`, `"outcome":"succeeded"`, `"msg":"stopped"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	if n := strings.Count(out, token); n != 0 {
		t.Errorf("the token appears %d times in the output", n)
	}
}

func TestServerConfigErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-jira-url", "https://acme.atlassian.net"}, nil, "jira-email is required"},
		{nil, map[string]string{"BATON_JIRA_URL": "https://acme.atlassian.net", "BATON_JIRA_EMAIL": "a@b.c",
			"BATON_JIRA_API_TOKEN": "x"}, "no authentication configured"},
		{nil, map[string]string{"BATON_SDK_EXPAND": "maybe"}, "BATON_SDK_EXPAND=\"maybe\" is not true or false"},
		{[]string{"-server-client-ca", "ca.pem"}, nil, "needs --server-tls-cert"},
		{[]string{"-server-log-format", "xml"}, nil, "use json or text"},
	} {
		env := c.env
		env2 := map[string]string{"BATON_SERVER_DATA_DIR": t.TempDir()}
		for k, v := range env {
			env2[k] = v
		}
		err := run(t.Context(), c.args, func(k string) string { return env2[k] }, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: %v, want %q", c.args, c.env, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "BATON_JIRA_API_TOKEN") {
			t.Errorf("error names a secret value")
		}
	}
}

// syncWriter serialises writes to b (slog handlers and run share it).
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestUsageShowsNoSecret: -h, or a mistyped flag (whose error prints the
// usage, e.g. into a pod's log), names the BATON_* variables but never
// prints their values, which include the API tokens.
func TestUsageShowsNoSecret(t *testing.T) {
	const secret = "S3CR3T-value-never-printed"
	getenv := func(k string) string { return secret + "-" + k }
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-jira-api-tokn", "x"}, {"-server-addr"}} {
		var out strings.Builder
		err := run(t.Context(), args, getenv, &out, nil)
		if err == nil {
			t.Fatalf("%v: no error", args)
		}
		if strings.Contains(out.String(), secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("%v prints a value from the environment:\n%s\n%v", args, out.String(), err)
		}
		for _, name := range []string{"BATON_JIRA_API_TOKEN", "BATON_ATLASSIAN_API_TOKEN", "BATON_SERVER_TOKEN_FILE"} {
			if !strings.Contains(out.String(), "("+name+")") {
				t.Errorf("%v: usage does not name %s:\n%s", args, name, out.String())
			}
		}
	}
}

// The environment applies after parsing; the command line wins over it.
func TestFlagsFromEnvironment(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	env := map[string]string{"BATON_A": "from-env", "BATON_B": "from-env", "BATON_N": "7", "BATON_D": "soon"}
	f := &flags{fs: fs, getenv: func(k string) string { return env[k] }}
	a, b, n := f.str("a", "def", ""), f.str("b", "def", ""), f.integer("n", 1, "")
	d := f.duration("d", time.Second, "")
	if err := fs.Parse([]string{"-b", "from-flag"}); err != nil {
		t.Fatal(err)
	}
	err := f.applyEnv()
	_ = d // a failed Set leaves it undefined; run returns the error
	if *a != "from-env" || *b != "from-flag" || *n != 7 {
		t.Errorf("a=%q b=%q n=%d", *a, *b, *n)
	}
	if err == nil || !strings.Contains(err.Error(), `BATON_D="soon" is not a duration`) {
		t.Errorf("bad duration: %v", err)
	}
}

// startServer runs the server on the fake site with args and env and
// returns its address; the server stops with the test.
func startServer(t *testing.T, args []string, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	all := map[string]string{"BATON_SERVER_DATA_DIR": t.TempDir(), "BATON_FAKE_ORG": "false"}
	for k, v := range env {
		all[k] = v
	}
	readyc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, append([]string{"-server-addr", "127.0.0.1:0"}, args...), func(k string) string { return all[k] },
			io.Discard, func(addr, _ string) { readyc <- addr })
	}()
	t.Cleanup(func() {
		cancel()
		<-errc
	})
	select {
	case addr := <-readyc:
		return addr
	case err := <-errc:
		t.Fatalf("run: %v", err)
	}
	return ""
}

// TestSlowlorisCutOff: a client that trickles its request headers is cut
// off by --server-read-header-timeout (here from BATON_*), long before it
// finishes.
func TestSlowlorisCutOff(t *testing.T) {
	addr := startServer(t, []string{"-server-read-header-timeout", "300ms"},
		map[string]string{"BATON_SERVER_READ_TIMEOUT": "1m"})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	closed := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(conn) // returns when the server closes
		closed <- err
	}()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// Trickle one header line every 100 ms for up to 8 s.
	for i := range 80 {
		select {
		case <-closed:
			t.Logf("cut off after %d header lines", i)
			return
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := fmt.Fprintf(conn, "X-Slow-%d: 1\r\n", i); err != nil {
			t.Logf("cut off after %d header lines: %v", i, err)
			return
		}
	}
	t.Fatal("the server still reads headers trickled for 8 s; --server-read-header-timeout 300ms is not applied")
}

// The timeouts, the drain and the webhook settings are flags and BATON_*
// variables like the others.
func TestServerSettingsAreFlags(t *testing.T) {
	var usage strings.Builder
	_ = run(t.Context(), []string{"-h"}, func(string) string { return "" }, &usage, nil)
	for _, name := range []string{"read-header-timeout", "read-timeout", "write-timeout", "idle-timeout",
		"download-timeout", "drain-timeout", "shutdown-grace", "webhook-debounce", "webhook-max-delay", "webhook-events"} {
		if !strings.Contains(usage.String(), "-server-"+name+" ") || !strings.Contains(usage.String(), envName("server-"+name)) {
			t.Errorf("no flag --server-%s (%s) in the usage", name, envName("server-"+name))
		}
	}
	err := run(t.Context(), nil, func(k string) string {
		return map[string]string{"BATON_SERVER_DATA_DIR": t.TempDir(), "BATON_SERVER_IDLE_TIMEOUT": "forever"}[k]
	}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), `BATON_SERVER_IDLE_TIMEOUT="forever" is not a duration`) {
		t.Errorf("bad idle timeout: %v", err)
	}
}

// docs/SERVER.md documents every --server-* flag.
func TestServerFlagsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "SERVER.md"))
	if err != nil {
		t.Fatal(err)
	}
	var usage strings.Builder
	_ = run(t.Context(), []string{"-h"}, func(string) string { return "" }, &usage, nil)
	n := 0
	for _, line := range strings.Split(usage.String(), "\n") {
		name, ok := strings.CutPrefix(strings.TrimSpace(line), "-server-")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, " ")
		n++
		if !strings.Contains(string(doc), "`--server-"+name+"`") {
			t.Errorf("docs/SERVER.md does not document --server-%s", name)
		}
	}
	if n < 20 {
		t.Errorf("found %d --server-* flags in the usage; the parsing is broken", n)
	}
}
