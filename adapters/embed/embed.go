package embed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/internal/memlimit"
	"github.com/batonkit/jiracloud/jira"
)

// Result describes a finished sync.
type Result struct {
	// C1ZPath is the c1z file that was written: the WithC1ZPath path, or
	// the temporary file Sync created (the caller removes it); "" with
	// WithRemoveC1Z, which removed the file after reading it.
	C1ZPath string

	// ResourceTypes, Resources, Entitlements and Grants count what the c1z
	// holds, from the stats the SDK records in it (one read, whatever the
	// size of the sync; a file without them is read back object by object).
	// Grants includes the grants the SDK derived by expanding expandable
	// grants: ExpandedGrants of them, the grants stored beyond the distinct
	// grants the connector returned (read back from the file instead when
	// the sync was limited to some resource types).
	ResourceTypes  int
	Resources      int
	Entitlements   int
	Grants         int
	ExpandedGrants int
	// ByResourceType counts per resource type; grants are counted under
	// the resource type of their entitlement.
	ByResourceType map[string]TypeCounts

	// Requests, Retries and RateLimited are the connector's HTTP counters:
	// attempts sent (retries included), retries, and 429 answers.
	Requests    int64
	Retries     int64
	RateLimited int64
	// ByRoute counts attempts per "METHOD /route/template".
	ByRoute map[string]int64
	// Waited is the time requests spent waiting for the client-side rate
	// limiter and between retries (summed over concurrent requests).
	Waited time.Duration

	// Duration is the wall time of the sync, from building the connector to
	// the c1z being in place (reading the counts back is not included).
	Duration time.Duration
	// APIDuration is the wall time from the start until the last HTTP
	// request was seen (sampled every 20 ms). Duration - APIDuration is
	// spent in the SDK alone: grant expansion and writing the c1z.
	APIDuration time.Duration
	// Resumed reports that the sync continued one that a killed process had
	// checkpointed (see WithCheckpointEvery).
	Resumed bool
	// Steps are the SDK's own per-step durations as recorded in the c1z
	// (for example "resources", "grants", "grant_expansion"), when the
	// storage engine records them.
	Steps map[string]time.Duration

	// MemoryLimit is the Go soft memory limit Sync set for the sync, in
	// bytes (see WithMemoryLimit); 0 when it left the runtime's limit alone.
	MemoryLimit int64
}

// TypeCounts counts the objects of one resource type.
type TypeCounts struct {
	Resources    int `json:"resources"`
	Entitlements int `json:"entitlements"`
	Grants       int `json:"grants"`
}

// Progress reports a running sync. Counts are what the SDK has stored so far,
// before grant expansion.
type Progress struct {
	// Phase is the SDK step that made progress, e.g. "list-resources",
	// "list-entitlements", "list-grants"; "" before the first step.
	Phase string
	// ResourceTypes, Resources, Entitlements and Grants count stored objects.
	ResourceTypes int
	Resources     int
	Entitlements  int
	Grants        int
	// Requests is the number of HTTP attempts sent so far.
	Requests int64
	// Elapsed is the time since Sync started.
	Elapsed time.Duration
}

// Sync runs a complete sync of the Jira Cloud site described by cfg inside
// the calling process and writes the c1z file. It builds the connector with
// connector.New, serves it to the Baton SDK syncer over an in-memory gRPC
// connection (no subprocess, no CLI, no os.Exit) and reads the counts back
// from the finished file.
//
// Memory: while it runs, Sync sets a soft memory limit for the Go runtime
// derived from the container's memory limit (see [WithMemoryLimit], which
// also says when the user's own limit is kept), and it opens the c1z store
// without the SDK's grant digest index (dotc1z.WithGrantDigestIndex(false)):
// that index only speeds up comparing two c1z files' grants, readers
// recompute what it would hold, and building it doubles the memory of the
// last step of a large sync. Pass
// WithStoreOptions(dotc1z.WithGrantDigestIndex(true)) to build it.
//
// On error no file is left at the target path (an existing file there is
// kept as it was). Errors never contain the API tokens of cfg. If the sync
// succeeded but reading the file back failed, Sync returns the Result (with
// C1ZPath, timings and HTTP counters) together with the error.
func Sync(ctx context.Context, cfg connector.Config, opts ...Option) (*Result, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	secrets := []string{cfg.JiraAPIToken, cfg.AtlassianAPIToken}
	o.fingerprint = fingerprint(cfg, o)
	limit, release, err := o.holdMemoryLimit()
	if err != nil {
		return nil, err
	}
	defer release()
	start := time.Now()
	if len(o.syncOpts) == 0 {
		// A full sync of every type and its grants: the connector may read
		// what the SDK will ask for before it asks (connector.Config.ReadAhead).
		cfg.ReadAhead = true
	}
	c, err := connector.New(ctx, cfg)
	if err != nil {
		return nil, redact(fmt.Errorf("embed: build connector: %w", err), secrets)
	}
	res, err := run(ctx, c, c.Stats, o, start)
	if res != nil {
		res.MemoryLimit = limit
	}
	if err != nil {
		return res, redact(err, secrets)
	}
	return res, nil
}

// fingerprint identifies the configuration of a sync, so that only a sync
// made with the same one is resumed (never one of another site or filter).
// It holds no secret: the tokens are hashed.
func fingerprint(cfg connector.Config, o options) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00%d", cfg.String(), cfg.JiraAPIToken, cfg.AtlassianAPIToken, o.engine, o.workers, len(o.syncOpts))
	return hex.EncodeToString(h.Sum(nil))
}

func buildOptions(opts []Option) (options, error) {
	o := options{workers: 1, memRoot: memlimit.Root(), getenv: os.Getenv}
	for _, op := range opts {
		if op == nil {
			continue
		}
		if err := op(&o); err != nil {
			return options{}, err
		}
	}
	if o.removeC1Z && o.c1zPath != "" {
		return options{}, errors.New("embed: WithRemoveC1Z removes the file WithC1ZPath asks to keep: pass one of them")
	}
	return o, nil
}

// targetPath returns the absolute final path. created reports whether Sync
// created it itself (the default temporary file), so it can be removed on
// failure.
func targetPath(o options) (final string, created bool, err error) {
	final = o.c1zPath
	if final == "" {
		f, err := os.CreateTemp(o.tmpDir, "jiracloud-*.c1z")
		if err != nil {
			return "", false, fmt.Errorf("embed: create c1z file: %w", err)
		}
		final = f.Name()
		_ = f.Close()
		created = true
	}
	abs, err := filepath.Abs(final)
	if err != nil {
		return "", created, fmt.Errorf("embed: c1z path: %w", err)
	}
	final = abs
	if fi, err := os.Stat(final); err == nil && fi.IsDir() {
		return "", created, fmt.Errorf("embed: c1z path %s is a directory", final)
	}
	return final, created, nil
}

// syncDirFor is the private working directory of a sync into final: a
// hidden 0700 directory next to it, named after it so that a sync killed
// mid-way is found (and resumed) by the next sync into the same path.
func syncDirFor(final string) string {
	return filepath.Join(filepath.Dir(final), "."+filepath.Base(final)+".sync")
}

// redactedError hides secrets in the message of err but keeps err in the
// chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact replaces every non-empty secret in err's message with "[redacted]".
func redact(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if len(strings.TrimSpace(s)) < 4 {
			continue // too short to be a token; replacing would mangle the message
		}
		if strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// statsFunc reads a connector's HTTP counters.
type statsFunc func() jira.Stats
