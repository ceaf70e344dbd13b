package httpserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/internal/workdir"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// crashHelperEnv makes the test binary a server process that starts one
// sync and blocks, for a test to kill.
const crashHelperEnv = "JIRACLOUD_HTTPSERVER_CRASH_HELPER"

func crashHelper() int {
	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = os.Getenv("H_URL"), os.Getenv("H_EMAIL"), os.Getenv("H_TOKEN")
	cfg.JiraOptions = []jira.Option{jira.WithLoopback()}
	srv, err := New(Config{Connector: cfg, DataDir: os.Getenv("H_DIR"), Tokens: []string{testToken},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	run, _, err := srv.startSync("api", "crash test")
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("started", run.ID)
	<-run.done
	fmt.Println("finished before the kill")
	return 1
}

// TestRestartAfterKilledSync (issue 14): a server process killed with
// SIGKILL mid-sync leaves embed.Sync's private working directory
// (.sync-<id>.c1z.sync next to the c1z) and its scratch directory under
// DataDir/tmp. The next server on the same directory removes both, keeps
// the previous good c1z and serves it.
func TestRestartAfterKilledSync(t *testing.T) {
	t.Parallel()
	if testing.Short() || runtime.GOOS == "windows" {
		t.Skip("kills a server process")
	}
	e := newEnv(t, nil)
	good := e.syncOnce()

	fake := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.WithLatency(40*time.Millisecond))
	t.Cleanup(fake.Close)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), crashHelperEnv+"=1", "H_URL="+fake.URL, "H_EMAIL="+fake.Email,
		"H_TOKEN="+fake.APIToken, "H_DIR="+e.dir)
	child.Stdout, child.Stderr = io.Discard, io.Discard
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once the sync is well under way: its working directories exist
	// and it has sent a good share of its requests.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		work, _ := filepath.Glob(filepath.Join(e.dir, ".sync-*.c1z.sync"))
		scratch, _ := filepath.Glob(filepath.Join(e.dir, "tmp", "*"))
		if len(work) > 0 && len(scratch) > 0 && fake.Stats().Total > 40 {
			break
		}
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatal("the child's sync did not get under way within 2 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no cleanup runs
		t.Fatal(err)
	}
	_ = child.Wait()

	left := func() []string {
		var out []string
		for _, pat := range []string{".sync-*", "tmp/*"} {
			m, _ := filepath.Glob(filepath.Join(e.dir, pat))
			for _, p := range m {
				out = append(out, p[len(e.dir)+1:])
			}
		}
		return out
	}
	before := left()
	if len(before) < 2 {
		t.Fatalf("the killed sync left %v: the test does not exercise the cleanup", before)
	}
	c1zs, _ := filepath.Glob(filepath.Join(e.dir, "sync-*.c1z"))
	if len(c1zs) != 1 {
		t.Fatalf("c1z files after the kill: %v, want only the good one", c1zs)
	}
	t.Logf("the killed sync left %v", before)

	cc, _ := fakeConfig(t)
	s2, err := New(Config{Connector: cc, DataDir: e.dir, Tokens: []string{testToken},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Shutdown(context.Background())
	if after := left(); len(after) != 0 {
		t.Errorf("after the restart %v remain, want none", after)
	}
	for range 500 {
		if s2.latest.Load() != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if f := s2.latest.Load(); f == nil || f.run.ID != good.ID {
		t.Fatalf("restart did not load the good sync %s", good.ID)
	}
}

// A working directory that a live sync holds locked is left alone.
func TestCleanKeepsLockedWorkDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	work := filepath.Join(dir, ".sync-live.c1z.sync")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	unlock, err := workdirLock(work)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	dead := filepath.Join(dir, ".sync-dead.c1z.sync")
	if err := os.MkdirAll(filepath.Join(dead, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	cc, _ := fakeConfig(t)
	s, err := New(Config{Connector: cc, DataDir: dir, Tokens: []string{testToken},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	if _, err := os.Stat(work); err != nil {
		t.Errorf("locked working directory removed: %v", err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("unlocked working directory kept: %v", err)
	}
}

var workdirLock = workdir.Lock
