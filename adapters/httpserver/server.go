package httpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/jira"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the HTTP API of one Jira Cloud site: it runs syncs (one at a
// time), reports their progress, serves the c1z and answers queries over
// the last successful sync. It is an http.Handler; [Server.Serve] runs it
// on a listener with timeouts and graceful shutdown. Build it with [New].
type Server struct {
	cfg     Config
	log     *slog.Logger
	handler http.Handler
	metrics *metrics
	tokens  [][sha256.Size]byte
	mtls    bool

	baseCtx    context.Context
	cancelBase context.CancelFunc
	closing    chan struct{}
	wg         sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	running  *syncRun
	history  []*syncRun // finished syncs, oldest first
	rerun    bool       // a webhook arrived during the running sync
	debounce *time.Timer
	burst    time.Time // first webhook event of the pending burst

	latest atomic.Pointer[finished] // last successful sync, queryable
	prevID string                   // the sync whose c1z a previous process left (set in New)
	// restoredPrev is the recorded timing of a previous process's last
	// successful sync, for the ETA until a sync of this process succeeds.
	restoredPrev *embed.Result

	prov      *embed.Provisioner // nil unless Config.Provisioning
	provCalls sync.WaitGroup     // provisioning calls in flight
}

// finished is the last successful sync: its run, file and query index.
type finished struct {
	run  *syncRun
	res  *embed.Result // nil for a c1z loaded at start
	path string
	ix   *index
	size int64
}

// route is one entry of the API. Every route goes through the same
// middleware (metrics, logging, body limit, CORS) and, unless public or
// signed, the bearer-token/mTLS check. Provisioning routes (grant, revoke,
// create account, deprovision) are entries like the others; they answer
// 403 unless Config.Provisioning is set.
type route struct {
	pattern string // method and path, as http.ServeMux takes it
	auth    authKind
	h       http.HandlerFunc
}

type authKind uint8

const (
	authToken  authKind = iota // bearer token or verified client certificate
	authPublic                 // health probes
	authSigned                 // webhooks: HMAC of the body, checked by the handler
)

// routes lists the API. docs/openapi.yaml documents exactly these (a test
// checks it both ways).
func (s *Server) routes() []route {
	rs := []route{
		{"GET /healthz", authPublic, s.handleHealth},
		{"GET /readyz", authPublic, s.handleReady},
		{"GET /metrics", authToken, promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP},

		{"POST /v1/syncs", authToken, s.handleStartSync},
		{"GET /v1/syncs", authToken, s.handleListSyncs},
		{"GET /v1/syncs/{id}", authToken, s.handleGetSync},
		{"DELETE /v1/syncs/{id}", authToken, s.handleCancelSync},
		{"GET /v1/syncs/{id}/events", authToken, s.handleEvents},
		{"GET /v1/syncs/{id}/c1z", authToken, s.handleDownload},

		{"GET /v1/users/{user}/access", authToken, s.handleUserAccess},
		{"GET /v1/groups/{group}/members", authToken, s.handleGroupMembers},
		{"GET /v1/projects/{project}/browsers", authToken, s.handleProjectBrowsers},
		{"GET /v1/project-roles/{role}/holders", authToken, s.handleRoleHolders},
		{"GET /v1/entitlements/{entitlement}/holders", authToken, s.handleEntitlementHolders},

		{"POST /v1/grants", authToken, s.handleGrant},
		{"DELETE /v1/grants/{grant}", authToken, s.handleRevoke},
		{"POST /v1/accounts", authToken, s.handleCreateAccount},
		{"DELETE /v1/users/{user}", authToken, s.handleDeprovision},
	}
	if s.cfg.WebhookSecret != "" {
		rs = append(rs, route{"POST /v1/webhooks/jira", authSigned, s.handleWebhook})
	}
	return rs
}

// New checks cfg, prepares cfg.DataDir (removing partial files a killed
// process left and loading the newest c1z for queries in the background)
// and returns the server. Call [Server.Shutdown] (or let [Server.Serve]
// do it) to stop it.
func New(cfg Config) (*Server, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(c.DataDir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("httpserver: data directory: %w", err)
	}
	s := &Server{cfg: c, log: c.Logger, metrics: newMetrics(), closing: make(chan struct{})}
	s.baseCtx, s.cancelBase = context.WithCancel(context.Background())
	for _, t := range c.Tokens {
		s.tokens = append(s.tokens, sha256.Sum256([]byte(t)))
	}
	s.mtls = c.TLS != nil && c.TLS.ClientCAs != nil
	// The connector's clients report every attempt, 429 and retry to the
	// metrics as they happen (the Admin API client shares the transport).
	s.cfg.Connector.JiraOptions = append(slices.Clone(c.Connector.JiraOptions), jira.WithObserver(s.metrics.observe))
	if err := s.newProvisioner(); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.wrap(rt))
	}
	// Anything else: 405 with Allow when the path has routes for other
	// methods, else 404; counted and logged like the routes. (The catch-all
	// matches every method, so the mux's own 405 never applies.)
	mux.Handle(unmatched, s.wrap(route{unmatched, authPublic, func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed",
				fmt.Sprintf("%s %s: use %s (see docs/openapi.yaml)", r.Method, r.URL.Path, strings.Join(allow, " or ")))
			return
		}
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route %s %s (see docs/openapi.yaml)", r.Method, r.URL.Path))
	}}))
	s.handler = s.cors(mux)

	stale := s.cleanDataDir()
	// The records of a previous process's syncs: the last finished one and
	// the one whose c1z is served answer GET /v1/syncs/{id} again.
	var staleID string
	var staleRun *syncRun
	if stale != "" {
		staleID = c1zID(stale)
		s.prevID = staleID
	}
	for _, r := range s.loadRecords(staleID) {
		s.history = append(s.history, r)
		if staleID != "" && r.ID == staleID && r.state == outcomeSucceeded {
			staleRun = r
			s.restoredPrev = estimateBase(r.recorded)
		}
	}
	if stale != "" {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.loadExisting(stale, staleRun)
		}()
	}
	return s, nil
}

// unmatched is the catch-all pattern of requests no route takes.
const unmatched = "/"

// allowed lists the methods the mux has a route for at r's path.
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != unmatched && pattern != "" {
			out = append(out, m)
		}
	}
	return out
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// wrap applies the common middleware to one route.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, code: http.StatusOK}
		defer func() {
			d := time.Since(start)
			s.metrics.httpRequests.WithLabelValues(rt.pattern, fmt.Sprint(rec.code)).Inc()
			s.metrics.httpDuration.WithLabelValues(rt.pattern).Observe(d.Seconds())
			if rt.auth != authPublic || rt.pattern == unmatched {
				// Headers are never logged: they carry the token.
				s.log.Info("http request", "route", rt.pattern, "method", r.Method, "path", r.URL.Path, "status", rec.code,
					"duration", d.String(), "remote", r.RemoteAddr, "bytes", rec.bytes)
			}
		}()
		if r.Body != nil {
			r.Body = http.MaxBytesReader(rec, r.Body, s.cfg.MaxBodyBytes)
		}
		if rt.auth == authToken && !s.authorized(r) {
			rec.Header().Set("WWW-Authenticate", `Bearer realm="jiracloud"`)
			writeError(rec, http.StatusUnauthorized, "unauthorized",
				"missing or wrong credentials: send Authorization: Bearer <token> or a client certificate")
			return
		}
		rt.h(rec, r)
	})
}

// authorized checks the bearer token in constant time against every
// configured token (hashes, so that lengths do not leak either), or a
// client certificate the TLS handshake verified.
func (s *Server) authorized(r *http.Request) bool {
	if s.mtls && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		return true
	}
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	match := 0
	for i := range s.tokens {
		match |= subtle.ConstantTimeCompare(got[:], s.tokens[i][:])
	}
	return match == 1
}

// cors answers browsers from the configured origins; without any it adds
// nothing (same-origin only).
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.cfg.CORSOrigins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && slices.Contains(s.cfg.CORSOrigins, origin) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Add("Vary", "Origin")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, DELETE")
				w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				w.Header().Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// recorder keeps the status and size for metrics and logs. Unwrap lets
// http.ResponseController reach the connection (deadlines, flushes).
type recorder struct {
	http.ResponseWriter
	code  int
	bytes int64
	wrote bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// apiError is the body of every error response.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeBody reads an optional JSON object into v. An empty body is
// allowed; anything else must be a JSON object with known fields only,
// within the size limit. It writes the 4xx itself and returns false.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large",
				fmt.Sprintf("request body is larger than %d bytes", mbe.Limit))
			return false
		}
		writeError(w, http.StatusBadRequest, "bad_body", "could not read the request body")
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return true
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "bad_content_type",
				fmt.Sprintf("request body must be application/json, got %q", ct))
			return false
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad_json", "request body is not a valid JSON object of this route: "+jsonErrMsg(err))
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "bad_json", "request body holds more than one JSON value")
		return false
	}
	return true
}

// jsonErrMsg says what is wrong without echoing the body.
func jsonErrMsg(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be %s", te.Field, te.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of input"
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown field " + f
	}
	return "malformed JSON"
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady is ready until shutdown starts. A server without a finished
// sync is ready: it can start one, and queries say why they cannot answer.
func (s *Server) handleReady(w http.ResponseWriter, _ *http.Request) {
	select {
	case <-s.closing:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "shutting down"})
		return
	default:
	}
	body := map[string]any{"status": "ready"}
	if f := s.latest.Load(); f != nil {
		body["lastSync"] = f.run.ID
	}
	writeJSON(w, http.StatusOK, body)
}
