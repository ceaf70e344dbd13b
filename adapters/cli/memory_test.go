package cli

import (
	"math"
	"runtime/debug"
	"strings"
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
		{"syncer, 4 GiB container", sync, cgroup("4294967296"), 3584<<20 - memlimit.OutsideGo},
		{"connector process, 4 GiB container", service, cgroup("4294967296"), 512 << 20},
		{"syncer, 1 GiB container", sync, cgroup("1073741824"), 896<<20 - memlimit.OutsideGo},
		{"connector process, 1 GiB container", service, cgroup("1073741824"), 128 << 20},
		{"syncer, 512 MiB container: half its seven eighths", sync, cgroup("536870912"), 224 << 20},
		{"syncer, no container limit", sync, cgroup("max"), memlimit.For(memlimit.DefaultBudget * 7 / 8)},
		{"connector process, no cgroup", service, fstest.MapFS{}, memlimit.DefaultBudget / 8},
		{"the subcommand must be the last argument", []string{"baton-jira", connectorServiceCommand, "-f", "x"},
			cgroup("4294967296"), 3584<<20 - memlimit.OutsideGo},
	} {
		if got, err := memoryLimit(tc.args, noEnv, tc.root); err != nil || got != tc.want {
			t.Errorf("%s: memoryLimit = %d MiB, %v; want %d MiB", tc.name, got>>20, err, tc.want>>20)
		}
	}
	// JIRACLOUD_MEMORY_BUDGET replaces the container's limit; "off" sets
	// none; a value that cannot be parsed is an error that names it.
	budget := func(v string) func(string) string {
		return func(k string) string {
			if k == memlimit.BudgetEnv {
				return v
			}
			return ""
		}
	}
	if got, err := memoryLimit(sync, budget("2GiB"), cgroup("4294967296")); err != nil || got != 1792<<20-memlimit.OutsideGo {
		t.Errorf("budget 2GiB: memoryLimit = %d MiB, %v", got>>20, err)
	}
	if got, err := memoryLimit(sync, budget("off"), cgroup("4294967296")); err != nil || got != 0 {
		t.Errorf("budget off: memoryLimit = %d, %v; want 0", got, err)
	}
	if _, err := memoryLimit(sync, budget("lots"), cgroup("4294967296")); err == nil ||
		!strings.Contains(err.Error(), memlimit.BudgetEnv) || !strings.Contains(err.Error(), `"lots"`) {
		t.Errorf("bad budget: err = %v", err)
	}
}

func noEnv(string) string { return "" }

// Not parallel: it sets the process's memory limit.
func TestSetMemoryLimitLeavesGOMEMLIMIT(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	root := fstest.MapFS{"sys/fs/cgroup/memory.max": {Data: []byte("2147483648")}}
	env := map[string]string{"GOMEMLIMIT": "900MiB"}
	if got, _ := setMemoryLimit([]string{"baton-jira"}, func(k string) string { return env[k] }, root); got != 0 ||
		debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Fatalf("with GOMEMLIMIT set: setMemoryLimit = %d, limit in force %d; want it left alone", got, debug.SetMemoryLimit(-1))
	}
	got, _ := setMemoryLimit([]string{"baton-jira"}, noEnv, root)
	if want := memlimit.For(2 << 30 * 7 / 8); got != want || debug.SetMemoryLimit(-1) != want {
		t.Fatalf("setMemoryLimit = %d, in force %d; want %d", got, debug.SetMemoryLimit(-1), want)
	}
}

// A budget the binary cannot read stops it with an error that names the
// variable, before anything else runs.
func TestBadMemoryBudgetExits(t *testing.T) {
	t.Parallel()
	r := runBin(t, map[string]string{memlimit.BudgetEnv: "lots", "BATON_JIRA_URL": "https://acme.atlassian.net"}, "--help")
	if r.code == 0 || !strings.Contains(r.stderr, memlimit.BudgetEnv) || !strings.Contains(r.stderr, `"lots"`) {
		t.Fatalf("exit %d, output:\n%s", r.code, r.output())
	}
}
