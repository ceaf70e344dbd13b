package httpserver

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// restart shuts e's server down and starts a new one on the same data
// directory (and a fresh fake site with fakeOpts).
func (e *env) restart(fakeOpts ...jiratest.Option) *env {
	e.t.Helper()
	if err := e.srv.Shutdown(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	cc, fake := fakeConfig(e.t, fakeOpts...)
	srv, err := New(Config{Connector: cc, DataDir: e.dir, Tokens: []string{testToken}})
	if err != nil {
		e.t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	return &env{t: e.t, fake: fake, srv: srv, url: hs.URL, dir: e.dir, logs: &lockedWriter{}}
}

// TestSyncStatusSurvivesRestart: after a restart, GET /v1/syncs/{id}
// answers for the last successful sync (with its result) and the last
// finished one (here cancelled), "current" is the latter, the record files
// are private, and the next sync gets an ETA from the recorded timings.
func TestSyncStatusSurvivesRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, jiratest.WithLatency(5*time.Millisecond))
	good := e.syncOnce()
	sr := e.start()
	e.waitRequests(sr.Sync.ID)
	resp := e.do("DELETE", "/v1/syncs/"+sr.Sync.ID, testToken, nil)
	var cancelled SyncStatus
	json.NewDecoder(resp.Body).Decode(&cancelled)
	resp.Body.Close()
	if cancelled.State != outcomeCancelled {
		t.Fatalf("cancel: %+v", cancelled)
	}
	for _, id := range []string{good.ID, cancelled.ID} {
		fi, err := os.Stat(filepath.Join(e.dir, "sync-"+id+".json"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("record of %s: %v %v", id, fi, err)
		}
	}

	e2 := e.restart(jiratest.WithLatency(20 * time.Millisecond))
	var got SyncStatus
	e2.getJSON("/v1/syncs/"+good.ID, 200, &got)
	if !reflect.DeepEqual(normalise(got), normalise(good)) {
		t.Errorf("after restart:\n%+v\nwant\n%+v", got, good)
	}
	if got.Result == nil || got.Result.Requests == 0 {
		t.Errorf("the result was not kept: %+v", got.Result)
	}
	var got2, cur SyncStatus
	e2.getJSON("/v1/syncs/"+cancelled.ID, 200, &got2)
	if !reflect.DeepEqual(normalise(got2), normalise(cancelled)) {
		t.Errorf("cancelled sync after restart:\n%+v\nwant\n%+v", got2, cancelled)
	}
	e2.getJSON("/v1/syncs/current", 200, &cur)
	if cur.ID != cancelled.ID {
		t.Errorf("current after restart: %s, want %s", cur.ID, cancelled.ID)
	}
	var list struct{ Syncs []SyncStatus }
	e2.getJSON("/v1/syncs", 200, &list)
	if len(list.Syncs) != 2 || list.Syncs[0].ID != cancelled.ID || list.Syncs[1].ID != good.ID {
		t.Errorf("list after restart: %+v", list.Syncs)
	}

	// The next sync is estimated from the recorded one.
	next := e2.start()
	var eta *float64
	for range 1000 {
		var st SyncStatus
		e2.getJSON("/v1/syncs/"+next.Sync.ID, 200, &st)
		if st.State != stateRunning {
			break
		}
		if st.Progress.Requests > 0 {
			eta = st.Progress.ETASeconds
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if eta == nil {
		t.Error("no ETA for the first sync after a restart")
	}
	done := e2.wait(next.Sync.ID)
	// The new success replaces both: only its c1z and record remain.
	if done.State != outcomeSucceeded {
		t.Fatalf("sync after restart: %+v", done)
	}
	files := e2.dataFiles()
	want := []string{"sync-" + done.ID + ".c1z", "sync-" + done.ID + ".json"}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("data dir %v, want %v", files, want)
	}
}

// normalise drops what JSON does not round-trip exactly (monotonic clock).
func normalise(st SyncStatus) SyncStatus {
	st.StartedAt = st.StartedAt.UTC().Round(0)
	if st.FinishedAt != nil {
		f := st.FinishedAt.UTC().Round(0)
		st.FinishedAt = &f
	}
	return st
}

// A torn or foreign record is ignored and removed; the server starts.
func TestBadRecordIgnored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"sync-a.json":      `{"id":"a","state":"succ`,
		"sync-b.json":      `{"id":"other","state":"succeeded","finishedAt":"2026-01-01T00:00:00Z"}`,
		"sync-c.json":      `{"id":"c","state":"running","finishedAt":"2026-01-01T00:00:00Z"}`,
		".sync-d.json.tmp": `{"id":"d"`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cc, _ := fakeConfig(t)
	s, err := New(Config{Connector: cc, DataDir: dir, Tokens: []string{testToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	if len(s.history) != 0 {
		t.Errorf("history from bad records: %d", len(s.history))
	}
	ents, _ := os.ReadDir(dir)
	for _, en := range ents {
		if en.Name() != "tmp" {
			t.Errorf("%s kept", en.Name())
		}
	}
}

// TestPreviousRecordKeptWhileItsC1ZIsNotLoaded: a sync that ends before
// the previous process's c1z is loaded (here it cannot be: it is damaged)
// keeps that sync's record, so GET /v1/syncs/{id} still answers for it.
func TestPreviousRecordKeptWhileItsC1ZIsNotLoaded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, jiratest.WithLatency(5*time.Millisecond))
	good := e.syncOnce()
	if err := e.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "sync-"+good.ID+".c1z"), []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	e2 := e.restart(jiratest.WithLatency(5 * time.Millisecond))
	sr := e2.start()
	e2.waitRequests(sr.Sync.ID)
	resp := e2.do("DELETE", "/v1/syncs/"+sr.Sync.ID, testToken, nil)
	resp.Body.Close()
	if st := e2.wait(sr.Sync.ID); st.State != outcomeCancelled {
		t.Fatalf("the second sync ended %s, want cancelled", st.State)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "sync-"+good.ID+".json")); err != nil {
		t.Fatalf("the previous sync's record is gone: %v", err)
	}
	var got SyncStatus
	e2.getJSON("/v1/syncs/"+good.ID, 200, &got)
	if got.ID != good.ID || got.State != outcomeSucceeded {
		t.Errorf("previous sync after the cancelled one: %+v", got)
	}
}
