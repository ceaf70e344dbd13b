package cli

import (
	"math"
	"runtime/debug"
	"testing"
	"testing/fstest"

	"github.com/batonkit/jiracloud/internal/memlimit"
)

func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	cgroup := func(limit string) fstest.MapFS {
		return fstest.MapFS{
			"proc/self/cgroup":         {Data: []byte("0::/\n")},
			"sys/fs/cgroup/memory.max": {Data: []byte(limit + "\n")},
		}
	}
	sync := []string{"baton-jira", "-f", "sync.c1z"}
	service := append(sync[:len(sync):len(sync)], connectorServiceCommand)
	for _, tc := range []struct {
		name string
		args []string
		root fstest.MapFS
		want int64
	}{
		{"syncer, 4 GiB container", sync, cgroup("4294967296"), 3<<30 - memlimit.OutsideGo},
		{"connector process, 4 GiB container", service, cgroup("4294967296"), 1 << 30},
		{"syncer, 1 GiB container: half its three quarters", sync, cgroup("1073741824"), 384 << 20},
		{"connector process, 1 GiB container", service, cgroup("1073741824"), 256 << 20},
		{"syncer, no container limit", sync, cgroup("max"), memlimit.For(memlimit.DefaultBudget * 3 / 4)},
		{"connector process, no cgroup", service, fstest.MapFS{}, memlimit.DefaultBudget / 4},
		{"the subcommand must be the last argument", []string{"baton-jira", connectorServiceCommand, "-f", "x"},
			cgroup("4294967296"), 3<<30 - memlimit.OutsideGo},
	} {
		if got := memoryLimit(tc.args, tc.root); got != tc.want {
			t.Errorf("%s: memoryLimit = %d MiB, want %d MiB", tc.name, got>>20, tc.want>>20)
		}
	}
}

// Not parallel: it sets the process's memory limit.
func TestSetMemoryLimitLeavesGOMEMLIMIT(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	root := fstest.MapFS{"sys/fs/cgroup/memory.max": {Data: []byte("2147483648")}}
	env := map[string]string{"GOMEMLIMIT": "900MiB"}
	if got := setMemoryLimit([]string{"baton-jira"}, func(k string) string { return env[k] }, root); got != 0 ||
		debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Fatalf("with GOMEMLIMIT set: setMemoryLimit = %d, limit in force %d; want it left alone", got, debug.SetMemoryLimit(-1))
	}
	got := setMemoryLimit([]string{"baton-jira"}, func(string) string { return "" }, root)
	if want := memlimit.For(3 << 29); got != want || debug.SetMemoryLimit(-1) != want {
		t.Fatalf("setMemoryLimit = %d, in force %d; want %d", got, debug.SetMemoryLimit(-1), want)
	}
}
