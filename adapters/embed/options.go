package embed

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	"github.com/conductorone/baton-sdk/pkg/dotc1z"
	"github.com/conductorone/baton-sdk/pkg/dotc1z/c1zstore"
	sdksync "github.com/conductorone/baton-sdk/pkg/sync"
	"go.uber.org/zap"

	"github.com/batonkit/jiracloud/internal/memlimit"
)

// Option configures [Sync]. Options validate their input; Sync returns the
// first error before doing any work.
type Option func(*options) error

type options struct {
	c1zPath     string
	removeC1Z   bool
	tmpDir      string
	workers     int
	engine      c1zstore.Engine
	progress    func(Progress)
	zap         *zap.Logger
	builderOpts []connectorbuilder.Opt
	syncOpts    []sdksync.SyncOpt

	checkpointEvery time.Duration
	staleAfter      time.Duration
	fingerprint     string // the configuration a resumable sync was made with

	storeOpts []dotc1z.C1ZOption
	memLimit  int64 // 0: derived (see WithMemoryLimit); < 0: none
	// memRoot and getenv are where the derived limit is read from: the
	// root file system and os.Getenv, replaced in tests.
	memRoot fs.FS
	getenv  func(string) string
}

// WithCheckpointEvery makes a sync resumable after a crash: every d the
// SDK's checkpoint is saved into the sync's working c1z (in the hidden
// directory ".<name>.sync" next to the WithC1ZPath file), so that a process
// killed mid-sync, even by SIGKILL, and started again with the same path and
// configuration resumes the checkpointed sync. Each checkpoint writes the
// working file whole, so choose d in minutes for large sites. Without it
// (the default) a killed sync starts over. It needs WithC1ZPath.
//
// Either way the restart gives the identical result. What resuming saves
// depends on how far the last checkpoint got. The SDK v0.26.0 resumes at
// its last checkpointed action: listings and entitlements finished before
// it are not asked for again, and a grants walk restarts at its last
// committed page token; the batch in flight, and those the connector
// fetched ahead of the SDK, are fetched again, and the new process pages
// the groups again to rebuild its index. Each interval ends by cutting the
// batch in flight, so an interval shorter than one grants batch wastes
// requests. Measured on a medium tenant (770 requests and 4 to 6 s for a
// clean sync, checkpoints every second, SIGKILL at a share of that time;
// TestResumeWorkSaved): killed at 60% or 80%, the restarts sent 3 to 241
// requests; killed at 40%, mid-grants, 800 to 1,020.
func WithCheckpointEvery(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return errors.New("embed: WithCheckpointEvery needs a positive interval")
		}
		o.checkpointEvery = d
		return nil
	}
}

// WithStaleAfter sets how old the leftovers of a killed sync (the SDK's
// c1z-pebble* working directories and our jiracloud-sync-* ones in the
// temporary directory, and .partial files next to the c1z file) must be
// before a new sync removes them; default 15 minutes. Only leftovers of the
// current user that no running sync holds locked are removed.
func WithStaleAfter(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return errors.New("embed: WithStaleAfter needs a positive duration")
		}
		o.staleAfter = d
		return nil
	}
}

// StorageEngine names a c1z storage engine of the Baton SDK.
type StorageEngine string

// Storage engines accepted by [WithStorageEngine].
const (
	// EnginePebble is the SDK's default engine (c1z format v3).
	EnginePebble StorageEngine = StorageEngine(c1zstore.EnginePebble)
	// EngineSQLite is the legacy engine (c1z format v1), readable by every
	// version of the baton CLI.
	EngineSQLite StorageEngine = StorageEngine(c1zstore.EngineSQLite)
)

// WithC1ZPath sets where the c1z file is written. The file is written
// atomically: the sync runs into a private (0700) hidden directory
// ".<name>.sync" in the same directory, and its c1z is renamed onto path,
// with mode 0600, only when the sync succeeded, so a failed sync leaves an
// existing file at path untouched and never a partial one.
// Default: a new temporary file (see [Result.C1ZPath]); the caller removes
// it, or passes [WithRemoveC1Z] to have Sync remove it.
func WithC1ZPath(path string) Option {
	return func(o *options) error {
		if strings.TrimSpace(path) == "" {
			return errors.New("embed: WithC1ZPath needs a path")
		}
		if strings.HasSuffix(path, string(filepath.Separator)) {
			return fmt.Errorf("embed: WithC1ZPath needs a file name, got the directory %q", path)
		}
		o.c1zPath = path
		return nil
	}
}

// WithRemoveC1Z removes the c1z file once the counts of the [Result] have
// been read from it, for callers that want the counts and not the file:
// Result.C1ZPath is then "" and nothing is left behind (the file is
// removed even when reading it back failed). It cannot be combined with
// [WithC1ZPath], which asks for the file to be kept.
func WithRemoveC1Z() Option {
	return func(o *options) error {
		o.removeC1Z = true
		return nil
	}
}

// WithTmpDir sets the directory for the SDK's working files (the unpacked
// store while syncing). Default: the system temporary directory.
func WithTmpDir(dir string) Option {
	return func(o *options) error {
		if strings.TrimSpace(dir) == "" {
			return errors.New("embed: WithTmpDir needs a directory")
		}
		o.tmpDir = dir
		return nil
	}
}

// WithWorkers sets the number of SDK sync workers. 1 (the default) is the
// SDK's sequential syncer; n > 1 selects its parallel syncer with n workers.
// Concurrency of the HTTP requests themselves is a connector setting
// (connector.Config.Concurrency).
func WithWorkers(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("embed: WithWorkers needs at least 1 worker, got %d", n)
		}
		o.workers = n
		return nil
	}
}

// WithStorageEngine selects the c1z storage engine; "" keeps the SDK default
// ([EnginePebble]).
func WithStorageEngine(e StorageEngine) Option {
	return func(o *options) error {
		switch e {
		case "", EnginePebble, EngineSQLite:
			o.engine = c1zstore.Engine(e)
			return nil
		}
		return fmt.Errorf("embed: unknown storage engine %q (want %q or %q)", e, EnginePebble, EngineSQLite)
	}
}

// WithProgress calls f as the sync advances: after every page the SDK stores
// and, while requests are in flight, at most every 250 ms. Calls are
// serialised (never concurrent) and f must return quickly: the sync waits for it.
func WithProgress(f func(Progress)) Option {
	return func(o *options) error {
		if f == nil {
			return errors.New("embed: WithProgress needs a function")
		}
		o.progress = f
		return nil
	}
}

// WithLogger sends the SDK's and the connector's log records to l (the SDK
// logs through zap; records are forwarded to l's handler). Default: silent.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("embed: WithLogger needs a logger")
		}
		o.zap = zap.New(newSlogCore(l.Handler()))
		return nil
	}
}

// WithZapLogger sends the SDK's and the connector's log records to l.
// Default: silent.
func WithZapLogger(l *zap.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("embed: WithZapLogger needs a logger")
		}
		o.zap = l
		return nil
	}
}

// WithConnectorOptions passes options to connectorbuilder.NewConnector (for
// example connectorbuilder.WithMetricsHandler). A session store is always
// provided by Sync and need not be passed.
func WithConnectorOptions(opts ...connectorbuilder.Opt) Option {
	return func(o *options) error {
		for _, op := range opts {
			if op == nil {
				return errors.New("embed: WithConnectorOptions got a nil option")
			}
		}
		o.builderOpts = append(o.builderOpts, opts...)
		return nil
	}
}

// WithSyncOptions passes extra options to the SDK syncer (sync.NewSyncer),
// for example sync.WithDontExpandGrants() or sync.WithSkipGrants(true). They
// are applied after the options Sync derives from the other settings, so
// they win; WithC1ZPath, WithConnectorStore and WithSessionStore must not be
// passed here.
func WithSyncOptions(opts ...sdksync.SyncOpt) Option {
	return func(o *options) error {
		for _, op := range opts {
			if op == nil {
				return errors.New("embed: WithSyncOptions got a nil option")
			}
		}
		o.syncOpts = append(o.syncOpts, opts...)
		return nil
	}
}

// WithStoreOptions passes options to dotc1z.NewStore, which opens the c1z
// store the sync writes into, for example dotc1z.WithGrantDigestIndex(true).
// They are applied after the options Sync derives from the other settings
// (WithTmpDir, WithStorageEngine and the defaults described on Sync), so they
// win. dotc1z.WithReadOnly must not be passed.
func WithStoreOptions(opts ...dotc1z.C1ZOption) Option {
	return func(o *options) error {
		for _, op := range opts {
			if op == nil {
				return errors.New("embed: WithStoreOptions got a nil option")
			}
		}
		o.storeOpts = append(o.storeOpts, opts...)
		return nil
	}
}

// NoMemoryLimit passed to [WithMemoryLimit] leaves the Go runtime's memory
// limit as it is.
const NoMemoryLimit int64 = -1

// WithMemoryLimit sets the Go runtime's soft memory limit
// (runtime/debug.SetMemoryLimit) to bytes while the sync runs; the limit in
// force before is restored when Sync returns. [NoMemoryLimit] leaves the
// runtime alone.
//
// Without this option Sync derives the limit from the memory the process
// may use: the size in the environment variable JIRACLOUD_MEMORY_BUDGET
// when set (such as 2GiB or 1536MiB; "off" sets no limit, anything else
// makes Sync fail), else the memory limit of its cgroup (a container's
// limit) when there is one, else 1 GiB. The limit is that budget minus
// 384 MiB for what the SDK's Pebble store holds outside the Go heap (its
// block cache and memtables), but at least half of it. Sync sets no limit
// when the user chose one: GOMEMLIMIT is set in the environment (to a size
// or "off"), or the program set a limit with debug.SetMemoryLimit. An
// explicit WithMemoryLimit(bytes) wins over all of these. A soft limit
// trades CPU for memory: the collector runs more often as the heap nears
// it, and the sync never fails for it. See docs/BENCHMARKS.md for
// measurements.
func WithMemoryLimit(bytes int64) Option {
	return func(o *options) error {
		if bytes == 0 || bytes < NoMemoryLimit {
			return fmt.Errorf("embed: WithMemoryLimit needs a positive number of bytes or NoMemoryLimit, got %d", bytes)
		}
		o.memLimit = bytes
		return nil
	}
}

// storeOptions returns the options Sync opens the c1z store with: its
// working files in tmpDir, and the grant digest index off (see [Sync]).
func (o options) storeOptions(tmpDir string) []dotc1z.C1ZOption {
	opts := []dotc1z.C1ZOption{dotc1z.WithTmpDir(tmpDir), dotc1z.WithGrantDigestIndex(false)}
	if o.engine != "" {
		opts = append(opts, dotc1z.WithEngine(o.engine))
	}
	return append(opts, o.storeOpts...)
}

// holdMemoryLimit sets the soft memory limit for a sync as o asks (see
// WithMemoryLimit). It returns the limit set, 0 if none, and the function
// that restores the previous one. A JIRACLOUD_MEMORY_BUDGET that cannot be
// parsed is an error.
func (o options) holdMemoryLimit() (int64, func(), error) {
	if o.memLimit < 0 {
		return 0, func() {}, nil
	}
	limit, force := o.memLimit, true
	if limit == 0 {
		budget, _, err := memlimit.Budget(o.memRoot, o.getenv)
		if err != nil && strings.TrimSpace(o.getenv(memlimit.BudgetEnv)) != "" {
			return 0, func() {}, fmt.Errorf("embed: %w", err)
		}
		if budget == 0 {
			return 0, func() {}, nil
		}
		limit, force = memlimit.For(budget), false
	}
	release, held := memlimit.Hold(limit, force, o.getenv)
	if !held {
		return 0, release, nil
	}
	return limit, release, nil
}
