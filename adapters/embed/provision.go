package embed

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/grpc-ecosystem/go-grpc-middleware/logging/zap/ctxzap"
	"go.uber.org/zap"

	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
)

// Principal names who receives or loses access: build it with [User] or
// [Group].
type Principal = connector.Principal

// User is the user principal with this account ID.
func User(accountID string) Principal { return connector.UserPrincipal(jira.AccountID(accountID)) }

// Group is the group principal with this group ID (a UUID, not the name).
func Group(groupID string) Principal { return connector.GroupPrincipal(jira.GroupID(groupID)) }

// GrantResult is what [Provisioner.Grant] or [Provisioner.Revoke] did.
type GrantResult struct {
	// EntitlementID and Principal say what was granted or revoked.
	EntitlementID string
	Principal     Principal
	// AlreadyDone reports that nothing had to change: the grant was already
	// held (Grant) or already absent (Revoke). Nothing was written.
	AlreadyDone bool
	// Changes lists the writes made, e.g. "added <accountId> to group <groupId>".
	Changes []string
	// Warnings lists what could not be checked before writing (see
	// connector.ProvisionResult.Warnings).
	Warnings []string
}

// AccountResult is what [Provisioner.CreateAccount] did.
type AccountResult struct {
	// AccountID is the account's ID.
	AccountID string
	// Existed reports that the email already had an account on the site;
	// no invitation was sent (requested products were still granted).
	Existed bool
	// Warnings lists what to know although the call succeeded (see
	// connector.AccountResult.Warnings).
	Warnings []string
}

// DeprovisionResult is what [Provisioner.Deprovision] did.
type DeprovisionResult struct {
	// AccountID is the account that was suspended.
	AccountID string
	// AlreadyDone reports that the account was already suspended or
	// deactivated: nothing was written.
	AlreadyDone bool
	// PreviousStatus is the account's directory status before the call
	// (active, suspended, deactivated, …).
	PreviousStatus string
}

// Provisioner changes access on one Jira Cloud site in-process, without the
// CLI or a gRPC server: grants and revokes, invitations and (in
// organization mode) suspension. Build it once with [NewProvisioner] and
// share it: it is safe for concurrent use, and all its requests go through
// one client and one rate limiter. Close it when done.
//
// Every method is idempotent by state (see docs/PROVISIONING.md): it reads
// before it writes, writes only what is missing, and reports AlreadyDone
// when nothing was. Errors carry gRPC status codes (status.Code works):
// InvalidArgument, NotFound and FailedPrecondition for requests to fix,
// PermissionDenied for missing rights, Unavailable for Jira trouble worth
// retrying later. A refused request leaves the site unchanged.
type Provisioner struct {
	conn *connector.Connector
	log  *zap.Logger
}

// NewProvisioner validates cfg and builds the connector's clients; it does
// no I/O. Of the options only [WithLogger] and [WithZapLogger] apply (each
// write is logged at info level with IDs, never secrets); the sync options
// are refused.
func NewProvisioner(ctx context.Context, cfg connector.Config, opts ...Option) (*Provisioner, error) {
	var o options
	for _, op := range opts {
		if op == nil {
			return nil, errors.New("embed: NewProvisioner got a nil option")
		}
		if err := op(&o); err != nil {
			return nil, err
		}
	}
	if o.c1zPath != "" || o.tmpDir != "" || o.workers != 0 || o.engine != "" || o.progress != nil ||
		len(o.builderOpts) > 0 || len(o.syncOpts) > 0 {
		return nil, errors.New("embed: NewProvisioner accepts only WithLogger or WithZapLogger (the other options configure Sync)")
	}
	conn, err := connector.New(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	log := o.zap
	if log == nil {
		log = zap.NewNop()
	}
	return &Provisioner{conn: conn, log: log}, nil
}

// Close releases the provisioner. It does not cancel calls in flight.
func (p *Provisioner) Close() error { return p.conn.Close(context.Background()) }

func (p *Provisioner) ctx(ctx context.Context) context.Context { return ctxzap.ToContext(ctx, p.log) }

// Grant gives entitlementID (e.g. "group:<groupId>:member",
// "project-role:<projectId>:<roleId>:assigned", "product:<key>:access",
// "site:<host>:admin", "project:<projectId>:lead") to principal.
func (p *Provisioner) Grant(ctx context.Context, entitlementID string, principal Principal) (GrantResult, error) {
	r, err := p.conn.Grant(p.ctx(ctx), entitlementID, principal)
	if err != nil {
		return GrantResult{}, fmt.Errorf("embed: grant: %w", err)
	}
	return GrantResult{EntitlementID: entitlementID, Principal: principal, AlreadyDone: r.AlreadyDone, Changes: slices.Clone(r.Changes),
		Warnings: slices.Clone(r.Warnings)}, nil
}

// Revoke takes away the grant with this Baton grant ID
// ("<entitlementId>:<user|group>:<principalId>", as a sync names it).
func (p *Provisioner) Revoke(ctx context.Context, grantID string) (GrantResult, error) {
	ent, principal, err := connector.ParseGrantID(grantID)
	if err != nil {
		return GrantResult{}, fmt.Errorf("embed: revoke: %w", err)
	}
	return p.RevokeEntitlement(ctx, ent, principal)
}

// RevokeEntitlement takes entitlementID away from principal.
func (p *Provisioner) RevokeEntitlement(ctx context.Context, entitlementID string, principal Principal) (GrantResult, error) {
	r, err := p.conn.Revoke(p.ctx(ctx), entitlementID, principal)
	if err != nil {
		return GrantResult{}, fmt.Errorf("embed: revoke: %w", err)
	}
	return GrantResult{EntitlementID: entitlementID, Principal: principal, AlreadyDone: r.AlreadyDone, Changes: slices.Clone(r.Changes),
		Warnings: slices.Clone(r.Warnings)}, nil
}

// CreateAccount invites email to the site with access to products (keys
// such as "jira-software"; none means an account without product access).
// An email that already has an account returns it with Existed set.
func (p *Provisioner) CreateAccount(ctx context.Context, email string, products ...string) (AccountResult, error) {
	keys := make([]jira.ProductKey, len(products))
	for i, k := range products {
		keys[i] = jira.ProductKey(k)
	}
	r, err := p.conn.CreateAccount(p.ctx(ctx), email, keys...)
	if err != nil {
		return AccountResult{}, fmt.Errorf("embed: create account: %w", err)
	}
	return AccountResult{AccountID: string(r.AccountID), Existed: r.Existed, Warnings: slices.Clone(r.Warnings)}, nil
}

// Deprovision suspends the account's access through the Atlassian Admin
// API (reversible: restore it in admin.atlassian.com). It needs
// organization mode (Config.AtlassianOrgID and AtlassianAPIToken); without
// it the error is FailedPrecondition and says so.
func (p *Provisioner) Deprovision(ctx context.Context, accountID string) (DeprovisionResult, error) {
	r, err := p.conn.Deprovision(p.ctx(ctx), jira.AccountID(accountID))
	if err != nil {
		return DeprovisionResult{}, fmt.Errorf("embed: deprovision: %w", err)
	}
	return DeprovisionResult{AccountID: accountID, AlreadyDone: r.AlreadyDone, PreviousStatus: r.Status}, nil
}

// GrantAccess is [Provisioner.Grant] with a provisioner built for this
// one call ([Grant] is the type of a grant read back from a c1z).
func GrantAccess(ctx context.Context, cfg connector.Config, entitlementID string, principal Principal, opts ...Option) (GrantResult, error) {
	return once(ctx, cfg, opts, func(p *Provisioner) (GrantResult, error) { return p.Grant(ctx, entitlementID, principal) })
}

// RevokeAccess is [Provisioner.Revoke] with a provisioner built for this
// one call.
func RevokeAccess(ctx context.Context, cfg connector.Config, grantID string, opts ...Option) (GrantResult, error) {
	return once(ctx, cfg, opts, func(p *Provisioner) (GrantResult, error) { return p.Revoke(ctx, grantID) })
}

// CreateAccount is [Provisioner.CreateAccount] with a provisioner built for
// this one call, without options; [CreateAccountWith] takes them (its
// products variadic parameter leaves no room for options here).
func CreateAccount(ctx context.Context, cfg connector.Config, email string, products ...string) (AccountResult, error) {
	return CreateAccountWith(ctx, cfg, email, products)
}

// CreateAccountWith is [Provisioner.CreateAccount] with a provisioner built
// for this one call and opts, like [GrantAccess], [RevokeAccess] and
// [Deprovision] (of the options only [WithLogger] and [WithZapLogger]
// apply). products may be nil: an account without product access.
func CreateAccountWith(ctx context.Context, cfg connector.Config, email string, products []string, opts ...Option) (AccountResult, error) {
	return once(ctx, cfg, opts, func(p *Provisioner) (AccountResult, error) { return p.CreateAccount(ctx, email, products...) })
}

// Deprovision is [Provisioner.Deprovision] with a provisioner built for
// this one call.
func Deprovision(ctx context.Context, cfg connector.Config, accountID string, opts ...Option) (DeprovisionResult, error) {
	return once(ctx, cfg, opts, func(p *Provisioner) (DeprovisionResult, error) { return p.Deprovision(ctx, accountID) })
}

func once[T any](ctx context.Context, cfg connector.Config, opts []Option, f func(*Provisioner) (T, error)) (T, error) {
	p, err := NewProvisioner(ctx, cfg, opts...)
	if err != nil {
		var zero T
		return zero, err
	}
	defer func() { _ = p.Close() }()
	return f(p)
}
