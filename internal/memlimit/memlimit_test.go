package memlimit

import (
	"math"
	"runtime/debug"
	"strings"
	"testing"
	"testing/fstest"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestCgroup(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name  string
		fs    fstest.MapFS
		limit int64
		ok    bool
		err   string
	}{
		{name: "no cgroup file system", fs: fstest.MapFS{}},
		{
			name:  "v2 in a container (cgroup namespace: the own cgroup is the root)",
			fs:    fstest.MapFS{"proc/self/cgroup": file("0::/\n"), "sys/fs/cgroup/memory.max": file("1073741824\n")},
			limit: gib, ok: true,
		},
		{
			name: "v2 unlimited",
			fs:   fstest.MapFS{"proc/self/cgroup": file("0::/\n"), "sys/fs/cgroup/memory.max": file("max\n")},
		},
		{
			name: "v2 without a namespace: the own cgroup's limit, below an unlimited root",
			fs: fstest.MapFS{
				"proc/self/cgroup":                                   file("0::/kubepods/pod1/ctr\n"),
				"sys/fs/cgroup/memory.max":                           file("max\n"),
				"sys/fs/cgroup/kubepods/pod1/ctr/memory.max":         file("536870912\n"),
				"sys/fs/cgroup/kubepods/pod1/memory.max":             file("max\n"),
				"sys/fs/cgroup/kubepods/memory.max":                  file("8589934592\n"),
				"sys/fs/cgroup/kubepods/pod1/ctr/memory.swap.max":    file("0\n"),
				"sys/fs/cgroup/kubepods/pod1/ctr/memory.high":        file("max\n"),
				"sys/fs/cgroup/kubepods/pod1/ctr/cgroup.controllers": file("memory\n"),
			},
			limit: 512 << 20, ok: true,
		},
		{
			name: "v2: an ancestor's limit is lower than the own one",
			fs: fstest.MapFS{
				"proc/self/cgroup":             file("0::/a/b\n"),
				"sys/fs/cgroup/a/b/memory.max": file("2147483648\n"),
				"sys/fs/cgroup/a/memory.max":   file("1073741824\n"),
			},
			limit: gib, ok: true,
		},
		{
			name: "v1 in a container: the host path is not mounted, the root is the container",
			fs: fstest.MapFS{
				"proc/self/cgroup":                           file("12:pids:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes": file("805306368\n"),
			},
			limit: 768 << 20, ok: true,
		},
		{
			name: "v1 unlimited (page-rounded MaxInt64), as on this kind of host",
			fs: fstest.MapFS{
				"proc/self/cgroup":                                         file("4:memory:/process_api/x\n0::/\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes":               file("9223372036854771712\n"),
				"sys/fs/cgroup/memory/process_api/memory.limit_in_bytes":   file("9223372036854771712\n"),
				"sys/fs/cgroup/memory/process_api/x/memory.limit_in_bytes": file("9223372036854771712\n"),
			},
		},
		{
			name: "v1 controller listed with others",
			fs: fstest.MapFS{
				"proc/self/cgroup": file("3:cpu,memory:/job\n"),
				"sys/fs/cgroup/memory/job/memory.limit_in_bytes": file("268435456"),
			},
			limit: 256 << 20, ok: true,
		},
		{
			name: "hybrid: v2 unified mount under /sys/fs/cgroup/unified",
			fs: fstest.MapFS{
				"proc/self/cgroup":                     file("0::/svc\n"),
				"sys/fs/cgroup/unified/svc/memory.max": file("3221225472\n"),
			},
			limit: 3 * gib, ok: true,
		},
		{
			name: "garbage in a limit file is an error naming the file",
			fs:   fstest.MapFS{"proc/self/cgroup": file("0::/\n"), "sys/fs/cgroup/memory.max": file("lots\n")},
			err:  "/sys/fs/cgroup/memory.max: not a number",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limit, ok, err := Cgroup(tc.fs)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if limit != tc.limit || ok != tc.ok {
				t.Fatalf("Cgroup = %d, %v; want %d, %v", limit, ok, tc.limit, tc.ok)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	cgroup := fstest.MapFS{"sys/fs/cgroup/memory.max": file("2147483648")}
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == BudgetEnv {
				return v
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name   string
		fs     fstest.MapFS
		env    string
		budget int64
		source string
		err    string
	}{
		{name: "cgroup", fs: cgroup, budget: 2 << 30, source: "cgroup"},
		{name: "no cgroup", fs: fstest.MapFS{}, budget: DefaultBudget, source: "default"},
		{name: "bad cgroup file", fs: fstest.MapFS{"sys/fs/cgroup/memory.max": file("-")}, budget: DefaultBudget,
			source: "default", err: "not a number"},
		{name: "env wins over the cgroup", fs: cgroup, env: "1536MiB", budget: 1536 << 20, source: "env"},
		{name: "env in bytes", fs: cgroup, env: "3000000000", budget: 3000000000, source: "env"},
		{name: "env off", fs: cgroup, env: "off", budget: 0, source: "off"},
		{name: "bad env: error naming the variable, cgroup budget", fs: cgroup, env: "2 gigs", budget: 2 << 30,
			source: "cgroup", err: BudgetEnv + `: want a positive size such as 2GiB or 1536MiB, got "2 gigs"`},
	} {
		budget, source, err := Budget(tc.fs, env(tc.env))
		if budget != tc.budget || source != tc.source {
			t.Errorf("%s: Budget = %d, %q; want %d, %q", tc.name, budget, source, tc.budget, tc.source)
		}
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "512B": 512, "64KiB": 64 << 10, "700MiB": 700 << 20, " 2GiB ": 2 << 30, "1TiB": 1 << 40} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1MiB", "2GB", "1.5GiB", "MiB", "99999999999TiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
}

func TestFor(t *testing.T) {
	for _, tc := range []struct{ budget, want int64 }{
		{1 << 30, 1<<30 - OutsideGo},
		{4 << 30, 4<<30 - OutsideGo},
		{512 << 20, 256 << 20}, // half the budget, not 128 MiB
	} {
		if got := For(tc.budget); got != tc.want {
			t.Errorf("For(%d) = %d, want %d", tc.budget, got, tc.want)
		}
	}
}

// The tests below change the process's memory limit; they restore it.

func noEnv(string) string { return "" }

func TestHoldSetsAndRestores(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	release, held := Hold(700<<20, false, noEnv)
	if !held {
		t.Fatal("Hold did not set the limit though none was in force")
	}
	if got := debug.SetMemoryLimit(-1); got != 700<<20 {
		t.Fatalf("limit = %d, want 700 MiB", got)
	}
	// An overlapping hold asking for more raises it; the limit stays until
	// the last release.
	release2, held2 := Hold(900<<20, false, noEnv)
	if !held2 || debug.SetMemoryLimit(-1) != 900<<20 {
		t.Fatalf("second hold: held %v, limit %d; want 900 MiB", held2, debug.SetMemoryLimit(-1))
	}
	release()
	release() // twice is harmless
	if got := debug.SetMemoryLimit(-1); got != 900<<20 {
		t.Fatalf("limit after the first release = %d, want 900 MiB still", got)
	}
	release2()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("limit after the last release = %d, want none", got)
	}
}

func TestHoldLeavesTheUsersChoice(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	for _, v := range []string{"2GiB", "off"} {
		release, held := Hold(700<<20, false, func(k string) string {
			if k == "GOMEMLIMIT" {
				return v
			}
			return ""
		})
		release()
		if held || debug.SetMemoryLimit(-1) != math.MaxInt64 {
			t.Errorf("GOMEMLIMIT=%s: Hold set a limit", v)
		}
	}
	// A limit set by the program itself (debug.SetMemoryLimit) wins too.
	debug.SetMemoryLimit(3 << 30)
	release, held := Hold(700<<20, false, noEnv)
	release()
	if held || debug.SetMemoryLimit(-1) != 3<<30 {
		t.Errorf("Hold replaced a limit set by the program: held %v, limit %d", held, debug.SetMemoryLimit(-1))
	}
	if _, held := Hold(0, false, noEnv); held {
		t.Error("Hold(0) set a limit")
	}
	// Forced (an explicit option in code): replaces both, and restores the
	// program's limit afterwards.
	release, held = Hold(700<<20, true, func(string) string { return "2GiB" })
	if !held || debug.SetMemoryLimit(-1) != 700<<20 {
		t.Errorf("forced Hold: held %v, limit %d; want 700 MiB", held, debug.SetMemoryLimit(-1))
	}
	release()
	if got := debug.SetMemoryLimit(-1); got != 3<<30 {
		t.Errorf("limit after a forced hold = %d, want the program's 3 GiB back", got)
	}
}
