package embed_test

import (
	"math"
	"os"
	"runtime/debug"
	"sync/atomic"
	"testing"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/internal/memlimit"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// Sync sets the derived soft memory limit while it runs (unless GOMEMLIMIT
// is set for this test process) and restores the previous one. Not
// parallel: it reads the process's limit.
func TestSyncSetsAndRestoresTheMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	want := int64(0)
	if os.Getenv("GOMEMLIMIT") == "" {
		if budget, _, _ := memlimit.Budget(memlimit.Root(), os.Getenv); budget > 0 {
			want = memlimit.For(budget)
		}
	}
	srv := newServer(t, jiratest.Generate(jiratest.Small, 7))
	var during atomic.Int64
	res, _ := syncTo(t, testConfig(srv, false), embed.WithProgress(func(embed.Progress) {
		during.Store(debug.SetMemoryLimit(-1))
	}))
	if res.MemoryLimit != want {
		t.Errorf("Result.MemoryLimit = %d, want %d", res.MemoryLimit, want)
	}
	wantDuring := want
	if want == 0 {
		wantDuring = math.MaxInt64
	}
	if got := during.Load(); got != wantDuring {
		t.Errorf("limit in force during the sync = %d, want %d", got, wantDuring)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit after the sync = %d, want none again", got)
	}
}
