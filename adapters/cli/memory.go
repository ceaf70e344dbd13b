package cli

import (
	"io/fs"
	"strings"

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
// process gets an eighth of it (it peaked at 82 MiB on the large benchmark
// site), and the process running the SDK's syncer and its Pebble store the
// rest, less what the store holds outside the Go heap (memlimit.For).
//
// The budget can be set with JIRACLOUD_MEMORY_BUDGET (memlimit.BudgetEnv);
// "off" sets no limit (0). A value that cannot be parsed is an error.
func memoryLimit(args []string, getenv func(string) string, root fs.FS) (int64, error) {
	budget, _, err := memlimit.Budget(root, getenv)
	if err != nil && strings.TrimSpace(getenv(memlimit.BudgetEnv)) != "" {
		return 0, err
	}
	if budget == 0 {
		return 0, nil
	}
	connector := budget / 8
	if len(args) > 0 && args[len(args)-1] == connectorServiceCommand {
		return connector, nil
	}
	return memlimit.For(budget - connector), nil
}

// setMemoryLimit sets the process's soft memory limit (see memoryLimit)
// unless the user chose one with GOMEMLIMIT. It returns the limit set, or 0.
func setMemoryLimit(args []string, getenv func(string) string, root fs.FS) (int64, error) {
	limit, err := memoryLimit(args, getenv, root)
	if err != nil {
		return 0, err
	}
	// The process ends with the command, so the limit is never released.
	if _, held := memlimit.Hold(limit, false, getenv); held {
		return limit, nil
	}
	return 0, nil
}
