//go:build unix

package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestKilledSyncRestarts (issue 11, findings 4 and 10): baton-jira killed
// with SIGKILL mid-sync leaves the SDK's working store behind; the next run
// into the same --file removes the stale store, completes, and writes the
// same c1z as an undisturbed run, with mode 0600 and no token in the output.
func TestKilledSyncRestarts(t *testing.T) {
	t.Parallel()
	path := binary(t)
	tenant := jiratest.Generate(jiratest.Small, 7)
	srv := jiratest.NewServer(tenant, jiratest.WithLatency(20*time.Millisecond))
	t.Cleanup(srv.Close)
	if resp, err := srv.Client().Get(srv.URL + "/_edge/tenant_info"); err == nil {
		_ = resp.Body.Close()
	}
	f := fake{Server: srv, tenant: tenant}
	tmp := t.TempDir()
	command := func(out string) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(path, "-f", out)
		cmd.Dir = t.TempDir()
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "BATON_") && !strings.HasPrefix(kv, "TMPDIR=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
		for k, v := range f.env() {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the SDK runs the connector in a child process
		return cmd, &buf
	}
	run := func(out string) string {
		cmd, buf := command(out)
		if err := cmd.Run(); err != nil {
			t.Fatalf("baton-jira -f %s: %v\n%s", out, err, buf)
		}
		assertNoSecrets(t, result{stdout: buf.String()}, f.secrets()...)
		return buf.String()
	}

	clean := filepath.Join(t.TempDir(), "clean.c1z")
	run(clean)
	want, err := embed.ReadC1Z(t.Context(), clean)
	if err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "out.c1z")
	cmd, buf := command(out)
	before := srv.Stats().Total
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for srv.Stats().Total-before < 40 {
		if time.Now().After(deadline) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Fatalf("the sync made no progress:\n%s", buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if _, err := os.Stat(out); err == nil {
		t.Fatal("the sync finished before it was killed; the test needs a slower fake")
	}
	stores, _ := filepath.Glob(filepath.Join(tmp, "c1z-pebble*"))
	if len(stores) == 0 {
		t.Fatal("the killed sync left no c1z-pebble store: the test does not exercise the cleanup")
	}
	old := time.Now().Add(-time.Hour)
	for _, s := range stores {
		_ = os.Chtimes(filepath.Join(s, "db"), old, old)
		_ = os.Chtimes(s, old, old)
	}

	log := run(out)
	for _, s := range stores {
		if _, err := os.Stat(s); !os.IsNotExist(err) {
			t.Errorf("the stale store %s of the killed sync is still there", s)
		}
	}
	if !strings.Contains(log, "removed the working directory of an interrupted sync") {
		t.Errorf("the restart did not report the cleanup:\n%s", log)
	}
	got, err := embed.ReadC1Z(t.Context(), out)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("the restarted sync differs from an undisturbed one (-clean +restarted):\n%s", d)
	}
	snaps := map[string]*embed.Snapshot{clean: want, out: got}
	for _, p := range []string{clean, out} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", p, fi.Mode().Perm(), err)
		}
		// No token in the file, raw or decoded.
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		decoded := fmt.Sprintf("%+v", snaps[p])
		for _, s := range f.secrets() {
			if bytes.Contains(raw, []byte(s)) || strings.Contains(decoded, s) {
				t.Errorf("%s holds a secret (%.6s…)", p, s)
			}
		}
	}
}
