package httpserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
)

// The provisioning routes change access on the site through one
// [embed.Provisioner] built by [New] from Config.Connector (the syncs'
// configuration, with the same metrics observer). They are always
// registered, so that the API is the same in every deployment, but unless
// Config.Provisioning is set they answer 403 provisioning_disabled and
// nothing is built. Every call is idempotent by state: a repeat reports
// alreadyDone and writes nothing.

// GrantRequest is the body of POST /v1/grants.
type GrantRequest struct {
	// Entitlement is "<resourceType>:<resourceId>:<slug>", e.g.
	// "group:<groupId>:member" (docs/MODEL.md, docs/PROVISIONING.md).
	Entitlement string `json:"entitlement"`
	// Principal is {"type": "user"|"group", "id": accountId|groupId}.
	Principal PrincipalRef `json:"principal"`
}

// PrincipalRef names a user or group.
type PrincipalRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// GrantResponse is what a grant or revoke did.
type GrantResponse struct {
	// Grant is the grant's ID, "<entitlement>:<principalType>:<principalId>",
	// as DELETE /v1/grants/{grant} takes it.
	Grant       string       `json:"grant"`
	Entitlement string       `json:"entitlement"`
	Principal   PrincipalRef `json:"principal"`
	// AlreadyDone: nothing had to change (already held, or already absent).
	AlreadyDone bool `json:"alreadyDone"`
	// Changes lists the writes made, e.g. "added <accountId> to group <groupId>".
	Changes []string `json:"changes"`
	// Warnings lists what the connector could not check before writing
	// (e.g. groups whose site-administration access Jira would not list);
	// omitted when empty.
	Warnings []string `json:"warnings,omitempty"`
}

// AccountRequest is the body of POST /v1/accounts.
type AccountRequest struct {
	Email    string   `json:"email"`
	Products []string `json:"products,omitempty"`
}

// AccountResponse is what an invitation did.
type AccountResponse struct {
	AccountID string `json:"accountId"`
	// Existed: the email already had an account; no invitation was sent
	// (requested products were still granted). Same as alreadyDone.
	Existed     bool `json:"existed"`
	AlreadyDone bool `json:"alreadyDone"`
	// Warnings lists what to know although the call succeeded (e.g. Jira
	// created the account suspended); omitted when empty.
	Warnings []string `json:"warnings,omitempty"`
}

// DeprovisionResponse is what DELETE /v1/users/{user} did.
type DeprovisionResponse struct {
	AccountID      string `json:"accountId"`
	AlreadyDone    bool   `json:"alreadyDone"`
	PreviousStatus string `json:"previousStatus"`
}

// provisioner returns the provisioner and registers the call, or writes
// the refusal and returns nil. done must be called when the call ends.
func (s *Server) provisioner(w http.ResponseWriter) (p *embed.Provisioner, done func()) {
	if s.prov == nil {
		writeError(w, http.StatusForbidden, "provisioning_disabled",
			"provisioning is disabled on this server: start it with --provisioning (BATON_PROVISIONING=true, Config.Provisioning) to grant, revoke, invite or deprovision")
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		writeError(w, http.StatusServiceUnavailable, "shutting_down", "the server is shutting down; retry on another instance")
		return nil, nil
	}
	s.provCalls.Add(1)
	return s.prov, s.provCalls.Done
}

func (s *Server) handleGrant(w http.ResponseWriter, r *http.Request) {
	p, done := s.provisioner(w)
	if p == nil {
		return
	}
	defer done()
	var req GrantRequest
	if !s.decodeBody(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Entitlement) == "" || req.Principal.Type == "" || req.Principal.ID == "" {
		writeError(w, http.StatusBadRequest, "bad_request",
			`body must be {"entitlement": "<resourceType>:<resourceId>:<slug>", "principal": {"type": "user"|"group", "id": "..."}}`)
		return
	}
	res, err := p.Grant(r.Context(), req.Entitlement, embed.Principal{Type: req.Principal.Type, ID: req.Principal.ID})
	s.answerGrant(w, "grant", req.Entitlement, req.Principal, res, err)
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	grant := r.PathValue("grant")
	p, done := s.provisioner(w)
	if p == nil {
		return
	}
	defer done()
	res, err := p.Revoke(r.Context(), grant)
	s.answerGrant(w, "revoke", res.EntitlementID, PrincipalRef(res.Principal), res, err)
}

func (s *Server) answerGrant(w http.ResponseWriter, op, ent string, pr PrincipalRef, res embed.GrantResult, err error) {
	if err != nil {
		s.provisionError(w, op, err)
		return
	}
	s.log.Info("provisioning "+op, "entitlement", ent, "principal_type", pr.Type, "principal_id", pr.ID,
		"already_done", res.AlreadyDone, "changes", len(res.Changes), "warnings", len(res.Warnings))
	changes := res.Changes
	if changes == nil {
		changes = []string{}
	}
	writeJSON(w, http.StatusOK, GrantResponse{Grant: ent + ":" + pr.Type + ":" + pr.ID, Entitlement: ent,
		Principal: pr, AlreadyDone: res.AlreadyDone, Changes: changes, Warnings: res.Warnings})
}

func (s *Server) handleCreateAccount(w http.ResponseWriter, r *http.Request) {
	p, done := s.provisioner(w)
	if p == nil {
		return
	}
	defer done()
	var req AccountRequest
	if !s.decodeBody(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Email) == "" {
		writeError(w, http.StatusBadRequest, "bad_request", `body must be {"email": "...", "products": ["jira-software", ...]}`)
		return
	}
	res, err := p.CreateAccount(r.Context(), req.Email, req.Products...)
	if err != nil {
		s.provisionError(w, "create account", err)
		return
	}
	// The email is personal data: the log has the account ID only.
	s.log.Info("provisioning create account", "account_id", res.AccountID, "existed", res.Existed, "products", len(req.Products))
	code := http.StatusCreated
	if res.Existed {
		code = http.StatusOK
	}
	writeJSON(w, code, AccountResponse{AccountID: res.AccountID, Existed: res.Existed, AlreadyDone: res.Existed,
		Warnings: res.Warnings})
}

func (s *Server) handleDeprovision(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	p, done := s.provisioner(w)
	if p == nil {
		return
	}
	defer done()
	res, err := p.Deprovision(r.Context(), user)
	if err != nil {
		s.provisionError(w, "deprovision", err)
		return
	}
	s.log.Info("provisioning deprovision", "account_id", res.AccountID, "already_done", res.AlreadyDone,
		"previous_status", res.PreviousStatus)
	writeJSON(w, http.StatusOK, DeprovisionResponse{AccountID: res.AccountID, AlreadyDone: res.AlreadyDone,
		PreviousStatus: res.PreviousStatus})
}

// provisionError maps the provisioner's gRPC status to HTTP. The message
// is the connector's, which names IDs and never a secret.
func (s *Server) provisionError(w http.ResponseWriter, op string, err error) {
	code := status.Code(err)
	// The innermost status's message, without "embed: grant: rpc error: …".
	msg := err.Error()
	var gs interface{ GRPCStatus() *status.Status }
	if errors.As(err, &gs) && gs.GRPCStatus().Message() != "" {
		msg = gs.GRPCStatus().Message()
	}
	var httpCode int
	switch code {
	case codes.InvalidArgument:
		httpCode = http.StatusBadRequest
	case codes.NotFound:
		httpCode = http.StatusNotFound
	case codes.FailedPrecondition, codes.AlreadyExists, codes.Aborted:
		httpCode = http.StatusConflict
	case codes.PermissionDenied:
		httpCode = http.StatusForbidden
	case codes.Unavailable, codes.ResourceExhausted:
		httpCode = http.StatusServiceUnavailable
		if d := retryAfter(err, time.Now()); d > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		}
	case codes.DeadlineExceeded:
		httpCode = http.StatusGatewayTimeout
	default:
		// Unauthenticated (the connector's own Jira credentials), Internal,
		// Unknown…: the site or the connector failed, not the caller.
		httpCode = http.StatusBadGateway
	}
	level := s.log.Info
	if httpCode >= 500 {
		level = s.log.Warn
	}
	level("provisioning "+op+" refused", "grpc_code", code.String(), "status", httpCode)
	writeError(w, httpCode, toSnake(code.String()), msg)
}

// retryAfter is the wait the site asked for, if any.
func retryAfter(err error, now time.Time) time.Duration {
	var je *jira.Error
	if errors.As(err, &je) {
		if je.RetryAfter > 0 {
			return je.RetryAfter
		}
		if !je.RateLimitReset.IsZero() {
			return je.RateLimitReset.Sub(now)
		}
	}
	var ae *atlassian.Error
	if errors.As(err, &ae) {
		if ae.RetryAfter > 0 {
			return ae.RetryAfter
		}
		if !ae.RateLimitReset.IsZero() {
			return ae.RateLimitReset.Sub(now)
		}
	}
	return 0
}

// toSnake turns "FailedPrecondition" into "failed_precondition".
func toSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// newProvisioner builds the server's provisioner when provisioning is on.
func (s *Server) newProvisioner() error {
	if !s.cfg.Provisioning {
		return nil
	}
	p, err := embed.NewProvisioner(context.Background(), s.cfg.Connector, embed.WithLogger(s.log))
	if err != nil {
		return fmt.Errorf("httpserver: provisioning: %w", err)
	}
	s.prov = p
	return nil
}

// closeProvisioner waits (until ctx ends) for provisioning calls in flight,
// then closes the provisioner. Called once, by Shutdown.
func (s *Server) closeProvisioner(ctx context.Context) {
	if s.prov == nil {
		return
	}
	idle := make(chan struct{})
	go func() { s.provCalls.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-ctx.Done():
		s.log.Warn("shutdown: provisioning calls still in flight; closing the provisioner")
	}
	_ = s.prov.Close()
}
