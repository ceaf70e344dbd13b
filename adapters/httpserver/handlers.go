package httpserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"
	"unicode/utf8"
)

// startRequest is the optional body of POST /v1/syncs.
type startRequest struct {
	// Reason is recorded with the sync and logged (at most 200 characters).
	Reason string `json:"reason"`
}

// StartResponse answers POST /v1/syncs.
type StartResponse struct {
	// Started is false when a sync was already running; Sync is that one.
	Started bool       `json:"started"`
	Sync    SyncStatus `json:"sync"`
}

func (s *Server) handleStartSync(w http.ResponseWriter, r *http.Request) {
	var req startRequest
	if !s.decodeBody(w, r, &req) {
		return
	}
	if utf8.RuneCountInString(req.Reason) > 200 {
		writeError(w, http.StatusBadRequest, "bad_reason", "reason is longer than 200 characters")
		return
	}
	run, started, err := s.startSync("api", req.Reason)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "shutting_down", err.Error())
		return
	}
	w.Header().Set("Location", "/v1/syncs/"+run.ID)
	code := http.StatusAccepted
	if !started {
		code = http.StatusOK
	}
	writeJSON(w, code, StartResponse{Started: started, Sync: run.status()})
}

func (s *Server) handleListSyncs(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	runs := make([]*syncRun, 0, len(s.history)+1)
	if s.running != nil {
		runs = append(runs, s.running)
	}
	for i := len(s.history) - 1; i >= 0; i-- {
		runs = append(runs, s.history[i])
	}
	s.mu.Unlock()
	out := struct {
		Syncs []SyncStatus `json:"syncs"`
	}{Syncs: []SyncStatus{}}
	for _, r := range runs {
		out.Syncs = append(out.Syncs, r.status())
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) syncOr404(w http.ResponseWriter, r *http.Request) *syncRun {
	id := r.PathValue("id")
	run := s.lookup(id)
	if run == nil {
		writeError(w, http.StatusNotFound, "no_sync", fmt.Sprintf("no sync %q (ids come from POST /v1/syncs and GET /v1/syncs; \"current\" and \"latest\" are aliases)", id))
	}
	return run
}

func (s *Server) handleGetSync(w http.ResponseWriter, r *http.Request) {
	if run := s.syncOr404(w, r); run != nil {
		writeJSON(w, http.StatusOK, run.status())
	}
}

// handleCancelSync cancels a running sync and waits (up to the request's
// context) until it has stopped and cleaned up.
func (s *Server) handleCancelSync(w http.ResponseWriter, r *http.Request) {
	run := s.syncOr404(w, r)
	if run == nil {
		return
	}
	if st := run.status(); st.State != stateRunning {
		writeError(w, http.StatusConflict, "not_running", fmt.Sprintf("sync %s is not running (state %s)", run.ID, st.State))
		return
	}
	run.update(func() { run.cancelBy = "request" })
	run.cancel()
	select {
	case <-run.done:
	case <-r.Context().Done():
		return
	}
	writeJSON(w, http.StatusOK, run.status())
}

// handleEvents streams the status of a sync as Server-Sent Events: an
// "progress" event at every change (coalesced: a slow reader gets the
// latest state, never a backlog), a final "done" event, and a comment line
// every KeepAlive. The write deadline moves forward with every write, so
// the server's WriteTimeout does not cut the stream.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	run := s.syncOr404(w, r)
	if run == nil {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, st SyncStatus) error {
		if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		b, _ := json.Marshal(st)
		if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", st.Seq, event, b); err != nil {
			return err
		}
		return rc.Flush()
	}
	keep := time.NewTicker(s.cfg.KeepAlive)
	defer keep.Stop()
	for {
		st, changed := run.watch()
		if st.State != stateRunning {
			_ = send("done", st)
			return
		}
		if err := send("progress", st); err != nil {
			return
		}
	wait:
		for {
			select {
			case <-changed:
				break wait
			case <-r.Context().Done():
				return
			case <-s.closing:
				// Shutdown: tell the client and end the stream; the final
				// state is recorded in DataDir and answered by GET
				// /v1/syncs/{id} after a restart.
				_ = send("shutdown", run.status())
				return
			case <-keep.C:
				_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
				if _, err := fmt.Fprint(w, ": keepalive\n\n"); err != nil {
					return
				}
				if rc.Flush() != nil {
					return
				}
			}
		}
	}
}

// handleDownload serves the c1z of the last successful sync (the only one
// kept). Range requests work; the write deadline is DownloadTimeout.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	run := s.syncOr404(w, r)
	if run == nil {
		return
	}
	f := s.latest.Load()
	if f == nil || f.run != run {
		st := run.status()
		msg := fmt.Sprintf("sync %s has no c1z to download: only the last successful sync's file is kept", run.ID)
		if st.State == stateRunning {
			msg = fmt.Sprintf("sync %s is still running; its c1z is served once it succeeds", run.ID)
		}
		writeError(w, http.StatusNotFound, "no_c1z", msg)
		return
	}
	file, err := os.Open(f.path)
	if err != nil {
		writeError(w, http.StatusNotFound, "no_c1z", "the c1z file is gone; start a new sync")
		return
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "io", "could not read the c1z file")
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.DownloadTimeout))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="jira-%s.c1z"`, run.ID))
	w.Header().Set("ETag", `"`+run.ID+`"`)
	http.ServeContent(w, r, "", fi.ModTime(), file)
}
