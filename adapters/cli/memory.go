package cli

import (
	"io/fs"

	"github.com/batonkit/jiracloud/internal/memlimit"
)

// connectorServiceCommand is the hidden subcommand the SDK's runner starts
// the connector under: it re-runs the binary with the same arguments and
// this one appended, in a child process.
const connectorServiceCommand = "_connector-service"

// memoryLimit returns the Go soft memory limit for this process of the
// command line, given its arguments and the file system to read the cgroup
// limit from. A sync runs in two processes that share the budget (the
// container's memory limit, or memlimit.DefaultBudget): the connector
// process gets a quarter of it, and the process running the SDK's syncer
// and its Pebble store the rest, less what the store holds outside the Go
// heap (memlimit.For).
func memoryLimit(args []string, root fs.FS) int64 {
	budget, _, _ := memlimit.Budget(root)
	connector := budget / 4
	if len(args) > 0 && args[len(args)-1] == connectorServiceCommand {
		return connector
	}
	return memlimit.For(budget - connector)
}

// setMemoryLimit sets the process's soft memory limit (see memoryLimit)
// unless the user chose one with GOMEMLIMIT. It returns the limit set, or 0.
func setMemoryLimit(args []string, getenv func(string) string, root fs.FS) int64 {
	limit := memoryLimit(args, root)
	// The process ends with the command, so the limit is never released.
	if _, held := memlimit.Hold(limit, false, getenv); held {
		return limit
	}
	return 0
}
