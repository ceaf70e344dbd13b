//go:build unix

package workdir

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestMain doubles as a helper process holding an fcntl lock, as Pebble does.
func TestMain(m *testing.M) {
	if p := os.Getenv("WORKDIR_TEST_HOLD_FCNTL"); p != "" {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			os.Exit(2)
		}
		lk := syscall.Flock_t{Type: syscall.F_WRLCK}
		if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLKW, &lk); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the test closes stdin
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func age(t *testing.T, paths ...string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	for _, p := range paths {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLockIsExclusive(t *testing.T) {
	d, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(d.Path); fi.Mode().Perm() != 0o700 {
		t.Errorf("mode %v, want 0700", fi.Mode().Perm())
	}
	if _, err := Open(d.Path); !errors.Is(err, ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
	d.Unlock()
	d2, err := Open(d.Path)
	if err != nil {
		t.Fatalf("Open after Unlock: %v", err)
	}
	if err := d2.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left %s", d.Path)
	}
}

// TestCleanRemovesOnlyStaleUnusedLeftovers: stale unlocked working
// directories and Pebble stores go; fresh, locked or foreign ones stay.
func TestCleanRemovesOnlyStaleUnusedLeftovers(t *testing.T) {
	parent := t.TempDir()
	mk := func(name string, sub ...string) string {
		p := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Join(append([]string{p}, sub...)...), 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	staleOurs := mk(SyncDirPrefix + "stale")
	age(t, staleOurs)
	freshOurs := mk(SyncDirPrefix + "fresh")
	busy, err := Create(parent)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	age(t, busy.Path)
	stalePebble := mk("c1z-pebble111", "db")
	if err := os.WriteFile(filepath.Join(stalePebble, "db", "LOCK"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	age(t, filepath.Join(stalePebble, "db"), stalePebble)
	lockedPebble := mk("c1z-pebble222", "db")
	lockFile := filepath.Join(lockedPebble, "db", "LOCK")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "WORKDIR_TEST_HOLD_FCNTL="+lockFile)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("helper: %q", line)
	}
	age(t, filepath.Join(lockedPebble, "db"), lockedPebble)
	other := mk("something-else")
	age(t, other)

	removed := Clean(parent, 10*time.Minute, nil)
	slices.Sort(removed)
	want := []string{stalePebble, staleOurs}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	for _, p := range []string{freshOurs, busy.Path, lockedPebble, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

func TestCleanPartials(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "out.c1z")
	old := filepath.Join(dir, ".out.c1z.123.partial")
	fresh := filepath.Join(dir, ".out.c1z.456.partial")
	other := filepath.Join(dir, ".other.c1z.789.partial")
	for _, p := range []string{old, fresh, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	age(t, old, other)
	if got := CleanPartials(final, time.Minute); !slices.Equal(got, []string{old}) {
		t.Errorf("removed %v, want only %s", got, old)
	}
	for _, p := range []string{fresh, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed", p)
		}
	}
}

// TestCleanRemovesProvenUnusedAtOnce: a fresh directory whose lock proves
// it unused goes at once, without waiting staleAfter: a jiracloud-sync-*
// directory whose sync took the lock (and wrote it) and let it go, as a
// SIGKILL does, and a Pebble store whose LOCK file is over a minute old
// and not held. Fresh ones without that proof stay: a lock file never
// written (an older version, or a directory being created), a held lock, a
// Pebble LOCK just created, a LOCK held by another process.
func TestCleanRemovesProvenUnusedAtOnce(t *testing.T) {
	parent := t.TempDir()
	killed, err := Create(parent)
	if err != nil {
		t.Fatal(err)
	}
	killed.Unlock() // the process died: the flock is gone, the directory stays
	if b, _ := os.ReadFile(filepath.Join(killed.Path, lockName)); len(b) == 0 {
		t.Fatal("Lock wrote nothing into the lock file")
	}
	busy, err := Create(parent)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	unwritten := filepath.Join(parent, SyncDirPrefix+"unwritten")
	if err := os.MkdirAll(unwritten, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(unwritten, lockName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	deadPebble := pebbleStore(t, parent, "c1z-pebble-dead", 2*time.Minute)
	newPebble := pebbleStore(t, parent, "c1z-pebble-new", 0)
	heldPebble := pebbleStore(t, parent, "c1z-pebble-held", 2*time.Minute)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "WORKDIR_TEST_HOLD_FCNTL="+filepath.Join(heldPebble, "db", "LOCK"))
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("helper: %q", line)
	}
	old := time.Now().Add(-2 * time.Minute) // the helper's open touched nothing, but be sure
	_ = os.Chtimes(filepath.Join(heldPebble, "db", "LOCK"), old, old)

	removed := Clean(parent, time.Hour, nil)
	slices.Sort(removed)
	want := []string{deadPebble, killed.Path}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	for _, p := range []string{busy.Path, unwritten, newPebble, heldPebble} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

// TestCleanKeepsThisProcessPebbleStores: in a long-lived process (a
// server, or embed syncing again) an unheld-looking Pebble LOCK made after
// the process started may be this process's own store (fcntl locks do not
// show to their holder): it is not proof, and the store stays until it is
// stale. One made before the process started is proof, as before.
func TestCleanKeepsThisProcessPebbleStores(t *testing.T) {
	saved := processStart
	processStart = time.Now().Add(-10 * time.Minute)
	t.Cleanup(func() { processStart = saved })
	parent := t.TempDir()
	mine := pebbleStore(t, parent, "c1z-pebble-mine", 2*time.Minute)        // after the process started
	earlier := pebbleStore(t, parent, "c1z-pebble-earlier", 20*time.Minute) // before it
	removed := Clean(parent, time.Hour, nil)
	if !slices.Equal(removed, []string{earlier}) {
		t.Errorf("removed %v, want only %s", removed, earlier)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("this process's store was removed: %v", err)
	}
}

// pebbleStore makes an SDK-style Pebble store directory under parent whose
// db/LOCK file was last changed lockAge ago.
func pebbleStore(t *testing.T, parent, name string, lockAge time.Duration) string {
	t.Helper()
	p := filepath.Join(parent, name)
	if err := os.MkdirAll(filepath.Join(p, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(p, "db", "LOCK")
	if err := os.WriteFile(lock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-lockAge)
	if err := os.Chtimes(lock, old, old); err != nil {
		t.Fatal(err)
	}
	return p
}
