// Package memlimit chooses the soft memory limit of the Go runtime
// (runtime/debug.SetMemoryLimit) for a process that runs a sync.
//
// A sync allocates far more than it keeps: at the default GOGC the heap
// grows to twice what is live before the collector runs, and on a large site
// the garbage alone was about half of the peak resident set. A soft limit
// makes the collector run before the process reaches its budget. The budget
// is the memory limit of the cgroup the process runs in (a Kubernetes
// container's limit) when there is one, [DefaultBudget] otherwise.
//
// The Go limit covers only the Go runtime's memory. A sync's process also
// holds memory the runtime does not see: the Baton SDK's Pebble store keeps
// its block cache (256 MiB) and memtables (64 MiB each) in C memory. The Go
// limit is therefore the budget minus [OutsideGo], but never less than half
// the budget.
//
// A limit the user chose always wins: when GOMEMLIMIT is set in the
// environment (to a size or to "off"), or a limit is already in force, the
// runtime is left alone.
package memlimit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

const (
	// DefaultBudget is the memory a sync's process may use when it runs
	// under no cgroup memory limit: 1 GiB.
	DefaultBudget int64 = 1 << 30

	// OutsideGo is the memory a sync's process is expected to hold outside
	// the Go runtime: the Pebble store's 256 MiB block cache and up to two
	// 64 MiB memtables, which live in C memory (measured: about 400 MiB
	// outside Go at the peak of a large sync).
	OutsideGo int64 = 384 << 20
)

// unlimitedV1 is the smallest value cgroup v1 uses for "no limit"
// (PAGE_COUNTER_MAX in bytes is just under math.MaxInt64, rounded to a page).
const unlimitedV1 int64 = 1 << 62

// Cgroup returns the memory limit of the cgroup the process runs in, read
// from fsys, which is the root of the file system (os.DirFS("/") in
// production). It looks at the process's own cgroup, as listed in
// /proc/self/cgroup, and at each of its ancestors, and returns the smallest
// limit found: cgroup v2's memory.max, or v1's memory.limit_in_bytes. ok is
// false when no limit is set ("max", v1's "unlimited" value) or there is no
// cgroup file system; err reports a limit file that cannot be parsed.
func Cgroup(fsys fs.FS) (limit int64, ok bool, err error) {
	v1Path, v2Path := "/", "/"
	if b, err := fs.ReadFile(fsys, "proc/self/cgroup"); err == nil {
		v1Path, v2Path = cgroupPaths(b)
	}
	limit = math.MaxInt64
	for _, c := range []struct{ mount, rel, file string }{
		{"sys/fs/cgroup", v2Path, "memory.max"},
		{"sys/fs/cgroup/unified", v2Path, "memory.max"},
		{"sys/fs/cgroup/memory", v1Path, "memory.limit_in_bytes"},
	} {
		for dir := c.rel; ; dir = path.Dir(dir) {
			name := path.Join(c.mount, dir, c.file)
			n, found, err := readLimit(fsys, name)
			if err != nil {
				return 0, false, err
			}
			if found && n < limit {
				limit, ok = n, true
			}
			if dir == "/" || dir == "." {
				break
			}
		}
	}
	if !ok {
		return 0, false, nil
	}
	return limit, true, nil
}

// cgroupPaths returns the process's cgroup path for the v1 memory controller
// and for the v2 unified hierarchy from the content of /proc/self/cgroup
// ("/" when absent).
func cgroupPaths(b []byte) (v1, v2 string) {
	v1, v2 = "/", "/"
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// hierarchy-ID:controller-list:cgroup-path
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			v2 = path.Clean(parts[2])
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "memory" {
				v1 = path.Clean(parts[2])
			}
		}
	}
	return v1, v2
}

// readLimit reads one limit file. found is false when the file does not
// exist or says there is no limit.
func readLimit(fsys fs.FS, name string) (n int64, found bool, err error) {
	b, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		// Unreadable (permissions, a directory): no limit known there.
		return 0, false, nil
	}
	s := strings.TrimSpace(string(b))
	if s == "max" || s == "" {
		return 0, false, nil
	}
	n, err = strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("memlimit: /%s: not a number of bytes: %q", name, s)
	}
	if n <= 0 || n >= unlimitedV1 {
		return 0, false, nil
	}
	return n, true, nil
}

// BudgetEnv names the environment variable that sets the budget explicitly,
// as a size in GOMEMLIMIT's syntax ("2GiB", "1536MiB", bytes), or "off" for
// no soft limit at all.
const BudgetEnv = "JIRACLOUD_MEMORY_BUDGET"

// Budget returns the memory a sync's process may use: the size in
// BudgetEnv when set (source "env"; getenv is os.Getenv in production), the
// cgroup limit read from fsys when there is one (source "cgroup"),
// DefaultBudget otherwise (source "default"). BudgetEnv=off returns 0 and
// source "off": set no limit. A value that cannot be parsed is an error,
// returned with the budget from the other sources; so is a cgroup file that
// cannot be parsed.
func Budget(fsys fs.FS, getenv func(string) string) (budget int64, source string, err error) {
	var envErr error
	if v := strings.TrimSpace(getenv(BudgetEnv)); v != "" {
		if v == "off" {
			return 0, "off", nil
		}
		n, err := ParseSize(v)
		if err == nil {
			return n, "env", nil
		}
		envErr = fmt.Errorf("memlimit: %s: %w", BudgetEnv, err)
	}
	n, ok, err := Cgroup(fsys)
	if ok {
		return n, "cgroup", envErr
	}
	return DefaultBudget, "default", errors.Join(envErr, err)
}

// ParseSize parses a size in the syntax of GOMEMLIMIT: a non-negative
// integer with an optional unit suffix B, KiB, MiB, GiB or TiB.
func ParseSize(size string) (int64, error) {
	s := strings.TrimSpace(size)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("want a positive size such as 2GiB or 1536MiB, got %q", size)
	}
	return n * mult, nil
}

// For returns the Go soft limit for a process that may use budget bytes in
// all: budget minus OutsideGo, but at least half of budget.
func For(budget int64) int64 {
	return max(budget-OutsideGo, budget/2)
}

var (
	mu       sync.Mutex
	users    int
	previous int64
	current  int64
)

// Hold sets the runtime's soft memory limit to limit until release is
// called. Unless force is set, it leaves the runtime alone when the user
// chose the limit: GOMEMLIMIT is set in the environment (getenv is os.Getenv
// in production; "off" counts as a choice), or a limit not set by Hold is in
// force. It reports whether it set the limit; release is never nil.
//
// Holds may overlap (concurrent syncs in one process): the first sets the
// limit, later ones raise it if they ask for more, and the last release
// restores the limit that was in force before the first. limit must be
// positive.
func Hold(limit int64, force bool, getenv func(string) string) (release func(), held bool) {
	if limit <= 0 || (!force && strings.TrimSpace(getenv("GOMEMLIMIT")) != "") {
		return func() {}, false
	}
	mu.Lock()
	defer mu.Unlock()
	if users == 0 {
		if !force && debug.SetMemoryLimit(-1) != math.MaxInt64 {
			return func() {}, false
		}
		previous = debug.SetMemoryLimit(limit)
		current = limit
	} else if limit > current {
		debug.SetMemoryLimit(limit)
		current = limit
	}
	users++
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			users--
			if users == 0 {
				debug.SetMemoryLimit(previous)
			}
		})
	}, true
}

// Root is the file system root Cgroup and Budget read in production.
func Root() fs.FS { return os.DirFS("/") }
