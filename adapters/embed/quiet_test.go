package embed_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// quietChildEnv makes the test binary, started again by TestSyncIsSilent,
// run one sync and exit.
const quietChildEnv = "JIRACLOUD_EMBED_SILENT_CHILD"

// Sync without a logger prints nothing at all, on stdout or stderr: not the
// SDK's log lines and not the "Found 0 WALs" Pebble's default logger
// writes through the log package during grant expansion. A line the
// program itself logs during the sync still gets through, and the log
// package's output is the program's again afterwards. It runs in a
// separate process, whose whole output is checked.
func TestSyncIsSilent(t *testing.T) {
	if os.Getenv(quietChildEnv) != "" {
		silentChild()
		return
	}
	if testing.Short() {
		t.Skip("starts the test binary again")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSyncIsSilent$", "-test.count=1")
	cmd.Env = append(os.Environ(), quietChildEnv+"="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		t.Fatalf("child: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	const want = "program line during the sync\n"
	if stdout.String() != "" || stderr.String() != want {
		t.Errorf("the sync printed something\nstdout (want nothing):\n%q\nstderr (want only %q):\n%q", stdout.String(), want, stderr.String())
	}
}

// silentChild runs a sync of a tenant with expandable grants (so the SDK's
// grant expansion opens its scratch Pebble database) and exits: 0 when it
// worked, 3 otherwise (with the reason on stdout, which fails the parent).
func silentChild() {
	dir := os.Getenv(quietChildEnv)
	fail := func(format string, args ...any) {
		fmt.Printf(format+"\n", args...)
		os.Exit(3)
	}
	log.SetFlags(0)
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 3), jiratest.Unlimited())
	defer srv.Close()
	cfg := testConfig(srv, true)
	stop := make(chan struct{})
	logged := make(chan struct{})
	res, err := embed.Sync(context.Background(), cfg, embed.WithTmpDir(dir), embed.WithRemoveC1Z(),
		embed.WithProgress(func(p embed.Progress) {
			select {
			case <-stop:
			default:
				close(stop)
				log.Print("program line during the sync") // the program's own line must get through
				close(logged)
			}
		}))
	if err != nil {
		fail("Sync: %v", err)
	}
	select {
	case <-logged:
	default:
		fail("no progress was reported")
	}
	if res.ExpandedGrants == 0 {
		fail("the sync expanded no grants: the test does not reach the SDK's grant expansion")
	}
	if log.Writer() != os.Stderr {
		fail("the log package's output is %T after the sync, want os.Stderr again", log.Writer())
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*")); len(entries) != 0 {
		fail("WithRemoveC1Z left %s", strings.Join(entries, ", "))
	}
	os.Exit(0)
}
