package httpserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/internal/workdir"
)

// Sync states.
const (
	stateRunning = "running"

	outcomeSucceeded = "succeeded"
	outcomeFailed    = "failed"
	outcomeCancelled = "cancelled"
)

// syncRun is one sync, running or finished.
type syncRun struct {
	ID      string
	Trigger string // "api" or "webhook"
	Reason  string
	Started time.Time

	cancel context.CancelFunc
	done   chan struct{}
	// prev is the last successful sync when this one started (for the ETA).
	prev *embed.Result

	mu       sync.Mutex
	state    string
	progress embed.Progress
	finished time.Time
	result   *embed.Result
	errMsg   string
	cancelBy string
	seq      uint64
	changed  chan struct{} // closed and replaced at every change
	// recorded is the final status of a sync of a previous process, as
	// its record (sync-<id>.json) holds it.
	recorded *SyncStatus
}

func (r *syncRun) update(f func()) {
	r.mu.Lock()
	f()
	r.seq++
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// finish applies the final state to r and publishes it, after persist
// got the status it results in.
func (r *syncRun) finish(apply func(*syncRun), persist func(SyncStatus)) {
	r.mu.Lock()
	next := &syncRun{ID: r.ID, Trigger: r.Trigger, Reason: r.Reason, Started: r.Started, state: r.state,
		progress: r.progress, cancelBy: r.cancelBy, seq: r.seq + 1}
	apply(next)
	persist(next.statusLocked())
	apply(r)
	r.seq++
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// watch returns the current status and a channel closed at the next change.
func (r *syncRun) watch() (SyncStatus, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.statusLocked(), r.changed
}

func (r *syncRun) status() SyncStatus { st, _ := r.watch(); return st }

// SyncStatus is the JSON form of a sync (see docs/openapi.yaml).
type SyncStatus struct {
	ID         string         `json:"id"`
	State      string         `json:"state"`
	Trigger    string         `json:"trigger"`
	Reason     string         `json:"reason,omitempty"`
	StartedAt  time.Time      `json:"startedAt"`
	FinishedAt *time.Time     `json:"finishedAt,omitempty"`
	Progress   ProgressStatus `json:"progress"`
	Result     *ResultStatus  `json:"result,omitempty"`
	Error      string         `json:"error,omitempty"`
	Seq        uint64         `json:"seq"`
}

// ProgressStatus is the progress of a sync.
type ProgressStatus struct {
	Phase          string   `json:"phase"`
	ResourceTypes  int      `json:"resourceTypes"`
	Resources      int      `json:"resources"`
	Entitlements   int      `json:"entitlements"`
	Grants         int      `json:"grants"`
	Requests       int64    `json:"requests"`
	ElapsedSeconds float64  `json:"elapsedSeconds"`
	ETASeconds     *float64 `json:"etaSeconds,omitempty"`
	Percent        *float64 `json:"percent,omitempty"`
}

// ResultStatus is the result of a successful sync: counts and timings.
type ResultStatus struct {
	ResourceTypes      int                         `json:"resourceTypes"`
	Resources          int                         `json:"resources"`
	Entitlements       int                         `json:"entitlements"`
	Grants             int                         `json:"grants"`
	ExpandedGrants     int                         `json:"expandedGrants"`
	ByResourceType     map[string]embed.TypeCounts `json:"byResourceType"`
	Requests           int64                       `json:"requests"`
	Retries            int64                       `json:"retries"`
	RateLimited        int64                       `json:"rateLimited"`
	WaitedSeconds      float64                     `json:"waitedSeconds"`
	DurationSeconds    float64                     `json:"durationSeconds"`
	APIDurationSeconds float64                     `json:"apiDurationSeconds"`
	StepSeconds        map[string]float64          `json:"stepSeconds,omitempty"`
	C1ZBytes           int64                       `json:"c1zBytes,omitempty"`
}

func (r *syncRun) statusLocked() SyncStatus {
	if r.recorded != nil {
		return *r.recorded
	}
	st := SyncStatus{ID: r.ID, State: r.state, Trigger: r.Trigger, Reason: r.Reason, StartedAt: r.Started,
		Error: r.errMsg, Seq: r.seq}
	p := r.progress
	st.Progress = ProgressStatus{Phase: p.Phase, ResourceTypes: p.ResourceTypes, Resources: p.Resources,
		Entitlements: p.Entitlements, Grants: p.Grants, Requests: p.Requests, ElapsedSeconds: p.Elapsed.Seconds()}
	if !r.finished.IsZero() {
		f := r.finished
		st.FinishedAt = &f
		st.Progress.ElapsedSeconds = f.Sub(r.Started).Seconds()
	}
	if r.state == stateRunning {
		st.Progress.ETASeconds, st.Progress.Percent = estimate(r.prev, p)
	}
	if res := r.result; res != nil {
		rs := &ResultStatus{ResourceTypes: res.ResourceTypes, Resources: res.Resources, Entitlements: res.Entitlements,
			Grants: res.Grants, ExpandedGrants: res.ExpandedGrants, ByResourceType: res.ByResourceType,
			Requests: res.Requests, Retries: res.Retries, RateLimited: res.RateLimited,
			WaitedSeconds: res.Waited.Seconds(), DurationSeconds: res.Duration.Seconds(),
			APIDurationSeconds: res.APIDuration.Seconds()}
		if len(res.Steps) > 0 {
			rs.StepSeconds = map[string]float64{}
			for k, v := range res.Steps {
				rs.StepSeconds[k] = v.Seconds()
			}
		}
		if fi, err := os.Stat(res.C1ZPath); err == nil {
			rs.C1ZBytes = fi.Size()
		}
		st.Result = rs
	}
	return st
}

// estimate derives an ETA from the last successful sync of the site: the
// share of its requests sent so far paces the API half, and its SDK half
// (grant expansion, writing the file) is added on top. Without a previous
// sync there is no estimate.
func estimate(prev *embed.Result, p embed.Progress) (eta, pct *float64) {
	if prev == nil || prev.Requests <= 0 || p.Requests <= 0 || p.Elapsed <= 0 {
		return nil, nil
	}
	f := float64(p.Requests) / float64(prev.Requests)
	sdk := (prev.Duration - prev.APIDuration).Seconds()
	var e float64
	if f < 1 {
		e = p.Elapsed.Seconds()*(1-f)/f + sdk
	} else {
		f = 1
		e = max(0, prev.Duration.Seconds()-p.Elapsed.Seconds())
	}
	total := p.Elapsed.Seconds() + e
	percent := 100 * p.Elapsed.Seconds() / total
	if percent > 99 {
		percent = 99
	}
	return &e, &percent
}

func newSyncID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// errClosing is returned by startSync once shutdown began.
var errClosing = errors.New("the server is shutting down")

// startSync starts a sync unless one runs; it returns the running one
// then, with started false.
func (s *Server) startSync(trigger, reason string) (*syncRun, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false, errClosing
	}
	if s.running != nil {
		return s.running, false, nil
	}
	ctx, cancel := context.WithCancel(s.baseCtx)
	run := &syncRun{ID: newSyncID(), Trigger: trigger, Reason: reason, Started: time.Now(), cancel: cancel,
		done: make(chan struct{}), state: stateRunning, changed: make(chan struct{})}
	run.prev = s.restoredPrev
	if f := s.latest.Load(); f != nil && f.res != nil {
		run.prev = f.res
	}
	s.running = run
	s.metrics.syncRunning.Set(1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runSync(ctx, run)
	}()
	s.log.Info("sync started", "sync", run.ID, "trigger", trigger, "reason", reason)
	return run, true, nil
}

// runSync runs one sync to its end, indexes its c1z and makes it the
// latest, then starts a webhook re-run if one is due.
func (s *Server) runSync(ctx context.Context, run *syncRun) {
	defer run.cancel()
	path := filepath.Join(s.cfg.DataDir, "sync-"+run.ID+".c1z")
	opts := append([]embed.Option{}, s.cfg.SyncOptions...)
	opts = append(opts,
		embed.WithC1ZPath(path),
		embed.WithTmpDir(filepath.Join(s.cfg.DataDir, "tmp")),
		embed.WithProgress(func(p embed.Progress) { run.update(func() { run.progress = p }) }),
	)
	res, err := embed.Sync(ctx, s.cfg.Connector, opts...)
	var ix *index
	if err == nil {
		ix, err = buildIndex(ctx, run.ID, path)
		if err != nil {
			err = fmt.Errorf("index the c1z: %w", err)
		}
	}
	outcome := outcomeSucceeded
	switch {
	case err != nil && ctx.Err() != nil:
		outcome = outcomeCancelled
	case err != nil:
		outcome = outcomeFailed
	}
	if err != nil {
		_ = os.Remove(path) // written but not readable back: never served
	}
	var old *finished
	if outcome == outcomeSucceeded {
		fi, _ := os.Stat(path)
		f := &finished{run: run, res: res, path: path, ix: ix}
		if fi != nil {
			f.size = fi.Size()
		}
		old = s.latest.Swap(f)
		s.metrics.lastSuccess.SetToCurrentTime()
		s.metrics.lastObjects.WithLabelValues("resources").Set(float64(res.Resources))
		s.metrics.lastObjects.WithLabelValues("entitlements").Set(float64(res.Entitlements))
		s.metrics.lastObjects.WithLabelValues("grants").Set(float64(res.Grants))
		s.metrics.indexGrants.Set(float64(ix.grants()))
		s.metrics.indexSeconds.Set(ix.built.Seconds())
	}
	now := time.Now()
	// Metrics first, so that whoever sees the final state sees them too.
	s.metrics.syncs.WithLabelValues(outcome).Inc()
	s.metrics.syncDuration.WithLabelValues(outcome).Observe(now.Sub(run.Started).Seconds())
	if old != nil && old.path != path {
		// Downloads in progress keep their open file; the name goes now.
		_ = os.Remove(old.path)
	}
	keep := []string{run.ID}
	if f := s.latest.Load(); f != nil {
		keep = append(keep, f.run.ID)
	} else if s.prevID != "" {
		// The previous process's c1z is still loading (or failed to
		// load): its sync's record stays.
		keep = append(keep, s.prevID)
	}
	// The state change and the release of the running slot happen under
	// one lock: a client that saw the final state and starts again gets a
	// new sync, never the finished one. The final status is recorded
	// before anyone can see it (a restarted server answers for this sync
	// and the last successful one, and estimates from them).
	s.mu.Lock()
	run.finish(func(r *syncRun) {
		r.state = outcome
		r.finished = now
		if outcome == outcomeSucceeded {
			r.result = res
		}
		if err != nil {
			r.errMsg = err.Error()
			if outcome == outcomeCancelled && r.cancelBy != "" {
				r.errMsg = "cancelled by " + r.cancelBy
			}
		}
	}, func(st SyncStatus) {
		if err := s.writeRecord(st); err != nil {
			s.log.Warn("could not record the sync's status", "sync", run.ID, "error", err.Error())
		}
		s.pruneRecords(keep...)
	})
	s.running = nil
	s.history = append(s.history, run)
	if len(s.history) > s.cfg.History {
		s.history = s.history[len(s.history)-s.cfg.History:]
	}
	rerun := s.rerun && !s.closed
	s.rerun = false
	s.metrics.syncRunning.Set(0)
	s.mu.Unlock()
	attrs := []any{"sync", run.ID, "outcome", outcome, "duration", now.Sub(run.Started).Round(time.Millisecond).String()}
	if res != nil {
		attrs = append(attrs, "requests", res.Requests, "grants", res.Grants)
	}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	s.log.Info("sync finished", attrs...)
	close(run.done)
	if rerun {
		_, _, _ = s.startSync("webhook", "events arrived during sync "+run.ID)
	}
}

// lookup finds a sync by id; "current" is the running sync or else the
// most recent one, "latest" the last successful one.
func (s *Server) lookup(id string) *syncRun {
	if id == "latest" {
		if f := s.latest.Load(); f != nil {
			return f.run
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "current" {
		if s.running != nil {
			return s.running
		}
		if n := len(s.history); n > 0 {
			return s.history[n-1]
		}
		if f := s.latest.Load(); f != nil {
			return f.run
		}
		return nil
	}
	if s.running != nil && s.running.ID == id {
		return s.running
	}
	for _, r := range s.history {
		if r.ID == id {
			return r
		}
	}
	if f := s.latest.Load(); f != nil && f.run.ID == id {
		return f.run
	}
	return nil
}

// Shutdown stops the server's background work: new syncs are refused,
// /readyz fails, event streams end and the debounce timer stops. A running
// sync may finish until ctx ends; then it is cancelled, and Shutdown waits
// for it to clean up (embed.Sync removes its partial file, and a cancelled
// sync never replaces the last good c1z). New provisioning calls are then
// refused (503), and the provisioner is closed once the calls in flight
// end (or ctx does). It does not close listeners: [Server.Serve] does that.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	first := !s.closed
	if first {
		s.closed = true
		close(s.closing)
		if s.debounce != nil {
			s.debounce.Stop()
		}
	}
	run := s.running
	s.mu.Unlock()
	var err error
	if run != nil {
		s.log.Info("shutdown: waiting for the running sync", "sync", run.ID)
		select {
		case <-run.done:
		case <-ctx.Done():
			s.log.Warn("shutdown: cancelling the running sync", "sync", run.ID)
			run.update(func() { run.cancelBy = "shutdown" })
			run.cancel()
			<-run.done
			err = fmt.Errorf("httpserver: sync %s cancelled by shutdown", run.ID)
		}
	}
	s.cancelBase()
	s.wg.Wait()
	if first {
		s.closeProvisioner(ctx)
	}
	return err
}

// cleanDataDir removes what a killed process left (embed.Sync's private
// working directory ".sync-<id>.c1z.sync" next to each c1z, the scratch
// directories under DataDir/tmp, and the .partial files of earlier
// versions), keeping anything another process holds locked, and returns
// the newest complete c1z (or "").
func (s *Server) cleanDataDir() string {
	tmp := filepath.Join(s.cfg.DataDir, "tmp")
	if ents, err := os.ReadDir(tmp); err == nil {
		for _, e := range ents {
			removeUnlocked(filepath.Join(tmp, e.Name()), e.IsDir())
		}
	}
	ents, err := os.ReadDir(s.cfg.DataDir)
	if err != nil {
		return ""
	}
	var newest string
	var newestT time.Time
	for _, e := range ents {
		name := e.Name()
		full := filepath.Join(s.cfg.DataDir, name)
		switch {
		case strings.HasPrefix(name, ".sync-") && strings.HasSuffix(name, ".c1z.sync"):
			if removeUnlocked(full, e.IsDir()) {
				s.log.Warn("removed the working directory of a sync an interrupted process left", "dir", name)
			}
		case strings.HasPrefix(name, ".sync-") && strings.HasSuffix(name, recordSuffix+".tmp"):
			_ = os.Remove(full) // a record write cut short
		case strings.HasPrefix(name, ".sync-") && strings.HasSuffix(name, ".partial"):
			s.log.Warn("removing a partial c1z left by an interrupted process", "file", name)
			_ = os.Remove(full)
		case strings.HasPrefix(name, "sync-") && strings.HasSuffix(name, ".c1z"):
			fi, err := e.Info()
			if err != nil {
				continue
			}
			if fi.ModTime().After(newestT) {
				if newest != "" {
					_ = os.Remove(newest)
				}
				newest, newestT = full, fi.ModTime()
			} else {
				_ = os.Remove(full)
			}
		}
	}
	return newest
}

// removeUnlocked removes p unless it is a working directory whose lock a
// live sync holds (the lock ends with its process, even on SIGKILL).
func removeUnlocked(p string, dir bool) bool {
	if dir {
		unlock, err := workdir.Lock(p)
		if err != nil {
			return false
		}
		defer unlock()
	}
	return os.RemoveAll(p) == nil
}

// c1zID is the sync id in the name of a c1z file.
func c1zID(path string) string {
	return strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "sync-"), ".c1z")
}

// loadExisting indexes the c1z a previous process left so that queries
// answer before the first sync. run is its recorded sync, or nil.
func (s *Server) loadExisting(path string, run *syncRun) {
	id := c1zID(path)
	ix, err := buildIndex(s.baseCtx, id, path)
	if err != nil {
		s.log.Warn("could not load the previous c1z; queries wait for the next sync", "file", filepath.Base(path), "error", err.Error())
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	var res *embed.Result
	if run != nil {
		res = estimateBase(run.recorded)
	} else {
		run = &syncRun{ID: id, Trigger: "previous-process", Started: fi.ModTime(), state: outcomeSucceeded,
			finished: fi.ModTime(), done: make(chan struct{}), changed: make(chan struct{}), cancel: func() {}}
		close(run.done)
	}
	if s.latest.CompareAndSwap(nil, &finished{run: run, res: res, path: path, ix: ix, size: fi.Size()}) {
		s.metrics.indexGrants.Set(float64(ix.grants()))
		s.metrics.indexSeconds.Set(ix.built.Seconds())
		s.log.Info("loaded the previous c1z for queries", "sync", id, "direct_grants", ix.grants(), "took", ix.built.String())
		return
	}
	_ = os.Remove(path) // a new sync finished first
}
