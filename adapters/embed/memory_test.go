package embed

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/conductorone/baton-sdk/pkg/dotc1z"
	"github.com/conductorone/baton-sdk/pkg/dotc1z/c1zstore"

	"github.com/batonkit/jiracloud/internal/memlimit"
)

// These tests change the process's memory limit, so none of them is
// parallel (parallel tests wait until the sequential ones are done).

func memOptions(t *testing.T, root fstest.MapFS, env map[string]string, opts ...Option) options {
	t.Helper()
	o, err := buildOptions(opts)
	if err != nil {
		t.Fatal(err)
	}
	o.memRoot = root
	o.getenv = func(k string) string { return env[k] }
	return o
}

func TestMemoryLimitFromCgroup(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	cgroup2G := fstest.MapFS{
		"proc/self/cgroup":         {Data: []byte("0::/\n")},
		"sys/fs/cgroup/memory.max": {Data: []byte("2147483648\n")},
	}
	for _, tc := range []struct {
		name string
		root fstest.MapFS
		env  map[string]string
		opts []Option
		want int64 // the limit during the sync; 0: none set
	}{
		{name: "cgroup limit", root: cgroup2G, want: 2<<30 - memlimit.OutsideGo},
		{name: "no cgroup limit: the default budget", root: fstest.MapFS{}, want: memlimit.DefaultBudget - memlimit.OutsideGo},
		{name: "GOMEMLIMIT set by the user", root: cgroup2G, env: map[string]string{"GOMEMLIMIT": "1500MiB"}},
		{name: "GOMEMLIMIT=off", root: cgroup2G, env: map[string]string{"GOMEMLIMIT": "off"}},
		{name: "explicit option wins over the cgroup", root: cgroup2G, opts: []Option{WithMemoryLimit(900 << 20)}, want: 900 << 20},
		{name: "explicit option wins over GOMEMLIMIT", root: cgroup2G, env: map[string]string{"GOMEMLIMIT": "off"},
			opts: []Option{WithMemoryLimit(300 << 20)}, want: 300 << 20},
		{name: "NoMemoryLimit", root: cgroup2G, opts: []Option{WithMemoryLimit(NoMemoryLimit)}},
		{name: "budget from the environment", root: cgroup2G, env: map[string]string{memlimit.BudgetEnv: "1536MiB"},
			want: 1536<<20 - memlimit.OutsideGo},
		{name: "budget off", root: cgroup2G, env: map[string]string{memlimit.BudgetEnv: "off"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := memOptions(t, tc.root, tc.env, tc.opts...)
			got, release, err := o.holdMemoryLimit()
			if err != nil {
				t.Fatal(err)
			}
			during := debug.SetMemoryLimit(-1)
			release()
			after := debug.SetMemoryLimit(-1)
			if got != tc.want {
				t.Errorf("limit set = %d, want %d", got, tc.want)
			}
			wantDuring := tc.want
			if wantDuring == 0 {
				wantDuring = math.MaxInt64
			}
			if during != wantDuring {
				t.Errorf("runtime limit during the sync = %d, want %d", during, wantDuring)
			}
			if after != math.MaxInt64 {
				t.Errorf("runtime limit after the sync = %d, want none again", after)
			}
		})
	}
}

// A limit the program set itself is kept, and is back in force afterwards
// even when an explicit option replaced it for the sync.
func TestMemoryLimitKeepsTheProgramsLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(3 << 30))
	o := memOptions(t, fstest.MapFS{}, nil)
	if got, release, _ := o.holdMemoryLimit(); got != 0 || debug.SetMemoryLimit(-1) != 3<<30 {
		release()
		t.Fatalf("derived limit replaced the program's: set %d, in force %d", got, debug.SetMemoryLimit(-1))
	} else {
		release()
	}
	o = memOptions(t, fstest.MapFS{}, nil, WithMemoryLimit(600<<20))
	got, release, _ := o.holdMemoryLimit()
	during := debug.SetMemoryLimit(-1)
	release()
	if got != 600<<20 || during != 600<<20 || debug.SetMemoryLimit(-1) != 3<<30 {
		t.Fatalf("explicit limit: set %d, during %d, after %d; want 600 MiB, 600 MiB, 3 GiB", got, during, debug.SetMemoryLimit(-1))
	}
}

func TestMemoryBudgetEnvMustParse(t *testing.T) {
	o := memOptions(t, fstest.MapFS{}, map[string]string{memlimit.BudgetEnv: "1.5GiB"})
	_, release, err := o.holdMemoryLimit()
	release()
	if err == nil || !strings.Contains(err.Error(), memlimit.BudgetEnv) {
		t.Fatalf("err = %v, want one naming %s", err, memlimit.BudgetEnv)
	}
}

func TestWithMemoryLimitValidates(t *testing.T) {
	for _, n := range []int64{0, -2} {
		_, err := buildOptions([]Option{WithMemoryLimit(n)})
		if err == nil || !strings.Contains(err.Error(), "WithMemoryLimit needs a positive number") {
			t.Errorf("WithMemoryLimit(%d): error = %v", n, err)
		}
	}
	if _, err := buildOptions([]Option{WithStoreOptions(nil)}); err == nil || !strings.Contains(err.Error(), "nil option") {
		t.Errorf("WithStoreOptions(nil): error = %v", err)
	}
}

// Store options reach the store the sync writes: here the engine, which
// the file's magic shows, overriding WithStorageEngine.
func TestRunStoreOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.c1z")
	_, err := runTiny(t, &tinyBuilder{}, WithC1ZPath(path), WithStorageEngine(EnginePebble),
		WithStoreOptions(dotc1z.WithEngine(c1zstore.EngineSQLite)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("C1ZF\x00")) {
		t.Errorf("file starts with %q, want the SQLite engine's magic", b[:min(len(b), 5)])
	}
}
