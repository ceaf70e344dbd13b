package httpserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/batonkit/jiracloud/adapters/embed"
)

// A finished sync's final status is kept in DataDir/sync-<id>.json (0600,
// written atomically) so that a restarted server still answers GET
// /v1/syncs/{id} for it and estimates the next sync from its timings. Two
// records are kept: the last finished sync's and the last successful one's
// (whose c1z is served); the others are removed as syncs finish.

const recordSuffix = ".json"

func (s *Server) recordPath(id string) string {
	return filepath.Join(s.cfg.DataDir, "sync-"+id+recordSuffix)
}

// writeRecord saves st through a temporary file and a rename, so that a
// crash leaves either the old record or the new one, never half of one.
func (s *Server) writeRecord(st SyncStatus) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	final := s.recordPath(st.ID)
	tmp := filepath.Join(s.cfg.DataDir, ".sync-"+st.ID+recordSuffix+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// pruneRecords removes every record but those of keep.
func (s *Server) pruneRecords(keep ...string) {
	ents, err := os.ReadDir(s.cfg.DataDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		id, ok := recordID(e.Name())
		if ok && !slices.Contains(keep, id) {
			_ = os.Remove(filepath.Join(s.cfg.DataDir, e.Name()))
		}
	}
}

func recordID(name string) (string, bool) {
	if !strings.HasPrefix(name, "sync-") || !strings.HasSuffix(name, recordSuffix) {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimPrefix(name, "sync-"), recordSuffix), true
}

// loadRecords reads the records a previous process left: it returns the
// finished syncs, oldest first (the one whose c1z is c1zID, if any, and
// the newest other one), and removes the rest and unreadable ones.
func (s *Server) loadRecords(c1zID string) []*syncRun {
	ents, err := os.ReadDir(s.cfg.DataDir)
	if err != nil {
		return nil
	}
	var runs []*syncRun
	for _, e := range ents {
		id, ok := recordID(e.Name())
		if !ok {
			continue
		}
		p := filepath.Join(s.cfg.DataDir, e.Name())
		st, err := readRecord(p, id)
		if err != nil {
			s.log.Warn("ignoring an unreadable sync record", "file", e.Name(), "error", err.Error())
			_ = os.Remove(p)
			continue
		}
		runs = append(runs, restoredRun(st))
	}
	slices.SortFunc(runs, func(a, b *syncRun) int { return a.finished.Compare(b.finished) })
	var keep []*syncRun
	for i, r := range runs {
		if r.ID == c1zID || i == len(runs)-1 {
			keep = append(keep, r)
		}
	}
	ids := make([]string, len(keep))
	for i, r := range keep {
		ids[i] = r.ID
	}
	s.pruneRecords(ids...)
	return keep
}

func readRecord(path, id string) (SyncStatus, error) {
	var st SyncStatus
	b, err := os.ReadFile(path)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, err
	}
	switch {
	case st.ID != id:
		return st, fmt.Errorf("the record is of sync %q", st.ID)
	case st.State != outcomeSucceeded && st.State != outcomeFailed && st.State != outcomeCancelled:
		return st, fmt.Errorf("state %q is not a final state", st.State)
	case st.FinishedAt == nil:
		return st, errors.New("no finishedAt")
	}
	return st, nil
}

// restoredRun is a finished sync of a previous process: its status is
// the one recorded.
func restoredRun(st SyncStatus) *syncRun {
	run := &syncRun{ID: st.ID, Trigger: st.Trigger, Reason: st.Reason, Started: st.StartedAt, state: st.State,
		finished: *st.FinishedAt, seq: st.Seq, recorded: &st, done: make(chan struct{}),
		changed: make(chan struct{}), cancel: func() {}}
	close(run.done)
	return run
}

// estimateBase is what an ETA needs of a recorded successful sync.
func estimateBase(st *SyncStatus) *embed.Result {
	if st == nil || st.Result == nil {
		return nil
	}
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	return &embed.Result{Requests: st.Result.Requests, Duration: sec(st.Result.DurationSeconds),
		APIDuration: sec(st.Result.APIDurationSeconds)}
}
