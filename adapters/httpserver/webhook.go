package httpserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// WebhookAnswer answers POST /v1/webhooks/jira.
type WebhookAnswer struct {
	Event string `json:"event"`
	// Scheduled is true when the event asks for a sync; SyncAt is when the
	// debounced sync will start (later events move it, up to the maximum
	// delay after the first).
	Scheduled bool       `json:"scheduled"`
	SyncAt    *time.Time `json:"syncAt,omitempty"`
}

// verifySignature checks X-Hub-Signature: sha256=<hex HMAC-SHA256 of the
// body keyed with the secret>, the form Jira admin webhooks use, in
// constant time.
func verifySignature(secret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// handleWebhook verifies a Jira webhook and, for user, group, project and
// role or permission events, schedules a debounced sync.
func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.metrics.webhooks.WithLabelValues("bad_request").Inc()
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("request body is larger than %d bytes", mbe.Limit))
			return
		}
		s.metrics.webhooks.WithLabelValues("bad_request").Inc()
		writeError(w, http.StatusBadRequest, "bad_body", "could not read the request body")
		return
	}
	if !verifySignature(s.cfg.WebhookSecret, body, r.Header.Get("X-Hub-Signature")) {
		s.metrics.webhooks.WithLabelValues("bad_signature").Inc()
		s.log.Warn("webhook with a missing or wrong signature", "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, "bad_signature",
			"missing or wrong X-Hub-Signature: expected sha256=<hex HMAC-SHA256 of the body with the webhook secret>")
		return
	}
	var ev struct {
		WebhookEvent string `json:"webhookEvent"`
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.WebhookEvent == "" {
		s.metrics.webhooks.WithLabelValues("bad_request").Inc()
		writeError(w, http.StatusBadRequest, "bad_json", "webhook body must be a JSON object with a webhookEvent field")
		return
	}
	ans := WebhookAnswer{Event: ev.WebhookEvent}
	if !s.cfg.relevantEvent(ev.WebhookEvent) {
		s.metrics.webhooks.WithLabelValues("ignored").Inc()
		writeJSON(w, http.StatusAccepted, ans)
		return
	}
	at, err := s.schedule()
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "shutting_down", err.Error())
		return
	}
	s.metrics.webhooks.WithLabelValues("scheduled").Inc()
	s.log.Info("webhook scheduled a sync", "event", ev.WebhookEvent, "at", at)
	ans.Scheduled, ans.SyncAt = true, &at
	writeJSON(w, http.StatusAccepted, ans)
}

// schedule (re)arms the debounce timer: the sync starts WebhookDebounce
// after the last event, but no later than WebhookMaxDelay after the first
// event of the burst.
func (s *Server) schedule() (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return time.Time{}, errClosing
	}
	now := time.Now()
	if s.debounce == nil {
		s.burst = now
	}
	at := now.Add(s.cfg.WebhookDebounce)
	if limit := s.burst.Add(s.cfg.WebhookMaxDelay); at.After(limit) {
		at = limit
	}
	if s.debounce != nil {
		s.debounce.Stop()
	}
	s.debounce = time.AfterFunc(at.Sub(now), s.fireDebounced)
	return at, nil
}

// fireDebounced starts the scheduled sync, or marks a re-run when one is
// already running (its reads may predate the events).
func (s *Server) fireDebounced() {
	s.mu.Lock()
	s.debounce = nil
	if s.closed {
		s.mu.Unlock()
		return
	}
	if s.running != nil {
		s.rerun = true
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	_, _, _ = s.startSync("webhook", "Jira webhook events")
}
