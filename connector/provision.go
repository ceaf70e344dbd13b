package connector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"
	"github.com/grpc-ecosystem/go-grpc-middleware/logging/zap/ctxzap"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/internal/transport"
	"github.com/batonkit/jiracloud/jira"
)

// Provisioning (see docs/PROVISIONING.md). Every grant and revoke first
// reads the state it is about to change and writes only when the state
// differs, so a repeated request (or the SDK's own retry) never writes
// twice and idempotency never depends on Jira's error wording. A write
// whose outcome is unknown (a 5xx or a transport failure, which the
// transport does not retry for POST) is checked with a fresh read: done
// means done; not done is written again, at most writeAttempts times.

// Operation names of the writes, for errors and 403 hints.
const (
	opAddGroupMember    = "add user to group"
	opRemoveGroupMember = "remove user from group"
	opAddRoleActor      = "add project role actor"
	opRemoveRoleActor   = "remove project role actor"
	opSetLead           = "change project lead"
	opInvite            = "invite user"
	opSuspend           = "suspend user"
	opReadForWrite      = "read before write"
	opOrgLookup         = "look the email up in the organization"
)

func init() {
	siteAdmin := "site administration (membership of a group with site-admin access, e.g. site-admins)"
	permissionFor[opAddGroupMember] = siteAdmin
	permissionFor[opRemoveGroupMember] = siteAdmin
	permissionFor[opAddRoleActor] = `"Administer projects" on the project (or "Administer Jira")`
	permissionFor[opRemoveRoleActor] = `"Administer projects" on the project (or "Administer Jira")`
	permissionFor[opSetLead] = `the "Administer Jira" global permission`
	permissionFor[opInvite] = `the "Administer Jira" global permission and user-management (organization or site) admin rights, with a classic API token`
	permissionFor[opSuspend] = `an organization Admin API key allowed to manage users (unscoped, or with write:directories:admin / manage:org)`
	permissionFor[opOrgLookup] = `an organization Admin API key that may read users (unscoped, or with read:directories:admin)`
	permissionFor[opReadForWrite] = `the "Browse users and groups" and "Administer Jira" global permissions`
}

// writeAttempts bounds how often one grant or revoke writes when each
// attempt's outcome was unknown and a read showed it had not happened.
const writeAttempts = 3

// Principal names who receives or loses a grant: a user (Type "user",
// ID the account ID) or a group (Type "group", ID the group ID).
type Principal struct {
	Type string
	ID   string
}

// UserPrincipal is the user with account ID id.
func UserPrincipal(id jira.AccountID) Principal { return Principal{Type: "user", ID: string(id)} }

// GroupPrincipal is the group with group ID id.
func GroupPrincipal(id jira.GroupID) Principal { return Principal{Type: "group", ID: string(id)} }

// String returns "<type>:<id>".
func (p Principal) String() string { return p.Type + ":" + p.ID }

// ProvisionResult is what a grant or revoke did.
type ProvisionResult struct {
	// AlreadyDone reports that the grant was already held (grant) or already
	// absent (revoke): nothing was written.
	AlreadyDone bool
	// Changes lists the writes made, e.g. "added <accountId> to group <groupId>".
	Changes []string
	// Warnings lists what the connector could not check before writing,
	// e.g. that Jira could not say whether a group it removed the user
	// from also gives site administration (see docs/PROVISIONING.md).
	Warnings []string
}

// entitlementRef is a parsed entitlement ID "<type>:<resource>:<slug>".
type entitlementRef struct {
	typ, resource, slug string
}

func (e entitlementRef) String() string { return e.typ + ":" + e.resource + ":" + e.slug }

// parseEntitlementID splits an entitlement ID. The resource part may hold
// colons (project roles are "<projectId>:<roleId>"); the slug never does.
func parseEntitlementID(id string) (entitlementRef, error) {
	typ, rest, ok := strings.Cut(id, ":")
	i := strings.LastIndex(rest, ":")
	if !ok || typ == "" || i <= 0 || i == len(rest)-1 {
		return entitlementRef{}, errorf(codes.InvalidArgument,
			"entitlement ID %q is not <resourceType>:<resourceId>:<slug> (e.g. group:<groupId>:member)", id)
	}
	return entitlementRef{typ: typ, resource: rest[:i], slug: rest[i+1:]}, nil
}

// Grant gives the entitlement with ID entitlementID to p: see
// docs/PROVISIONING.md for what each entitlement does. Granting what is
// already held writes nothing and reports AlreadyDone. Errors are gRPC
// status errors: InvalidArgument for a malformed request, NotFound for an
// unknown group, user, project or role, FailedPrecondition for a principal
// that cannot hold the entitlement (inactive, customer or app account,
// derived entitlement), and the codes of [wrapErr] for Jira failures.
func (c *Connector) Grant(ctx context.Context, entitlementID string, p Principal) (ProvisionResult, error) {
	e, err := parseEntitlementID(entitlementID)
	if err != nil {
		return ProvisionResult{}, err
	}
	return c.provision(ctx, e, p, true)
}

// Revoke takes the entitlement with ID entitlementID from p. Revoking what
// is absent writes nothing and reports AlreadyDone. Errors as [Connector.Grant].
func (c *Connector) Revoke(ctx context.Context, entitlementID string, p Principal) (ProvisionResult, error) {
	e, err := parseEntitlementID(entitlementID)
	if err != nil {
		return ProvisionResult{}, err
	}
	return c.provision(ctx, e, p, false)
}

func (c *Connector) provision(ctx context.Context, e entitlementRef, p Principal, grant bool) (ProvisionResult, error) {
	if p.ID == "" || (p.Type != "user" && p.Type != "group") {
		return ProvisionResult{}, errorf(codes.InvalidArgument,
			"principal %q: only a user (account ID) or a group (group ID) can hold %s", p.String(), e)
	}
	switch e.typ + ":" + e.slug {
	case "group:" + memberEntitlement:
		return c.provisionGroupMember(ctx, e, p, grant)
	case "project-role:" + assignedEntitlement:
		return c.provisionRoleActor(ctx, e, p, grant)
	case "product:" + accessEntitlement:
		return c.provisionProduct(ctx, e, p, grant)
	case "site:" + adminEntitlement, "site:" + siteAdminEntitlement:
		return c.provisionSiteAdmin(ctx, e, p, grant)
	case "project:" + leadEntitlement:
		return c.provisionLead(ctx, e, p, grant)
	case "project:" + participateEntitlement:
		return ProvisionResult{}, c.participateRefusal(ctx, e)
	case "project:" + portalEntitlement:
		return ProvisionResult{}, errorf(codes.FailedPrecondition,
			"%s is not provisionable by this connector yet: portal access is a service desk's customer list or customer "+
				"organizations in Jira Service Management; add or remove the customer there", e)
	case "site:" + anyoneEntitlement:
		return ProvisionResult{}, errorf(codes.FailedPrecondition,
			"%s is derived (every active account that is not a Service Management customer holds it) and cannot be granted or revoked: "+
				"invite the user (create account) or suspend the account (delete the user resource in organization mode) instead", e)
	}
	return ProvisionResult{}, errorf(codes.InvalidArgument,
		"%s cannot be granted or revoked: provisionable are group:<groupId>:member, project-role:<projectId>:<roleId>:assigned, "+
			"product:<key>:access, site:<host>:admin, site:<host>:site-admin and project:<projectId>:lead", e)
}

// logWrite records one write at info level with IDs only.
func logWrite(ctx context.Context, action string, fields ...zap.Field) {
	ctxzap.Extract(ctx).Info("baton-jira: "+action, fields...)
}

// ensure brings one fact to the wanted state: held reads it, write changes
// it. It reports whether the fact already had the wanted state (nothing
// written). A write error is never trusted on its own: the fact is read
// again, and a state that now matches counts as done (a retried DELETE
// whose first attempt worked, a POST answered 5xx after it was applied).
// A client error (4xx) with the state unchanged is returned; an unknown
// outcome with the state unchanged is written again. A refusal of a write
// that cannot have been applied, with the state now as wanted, means a
// concurrent request made the change: that reports already done.
func (c *Connector) ensure(ctx context.Context, op string, want bool, held func(context.Context) (bool, error),
	write func(context.Context) error, fields ...zap.Field) (bool, error) {
	h, err := held(ctx)
	if err != nil {
		return false, err
	}
	if h == want {
		logWrite(ctx, op+": already done, nothing written", fields...)
		return true, nil
	}
	var last error
	ours := false // an earlier attempt of ours may have been applied
	for attempt := 1; attempt <= writeAttempts; attempt++ {
		werr := write(ctx)
		if werr == nil {
			logWrite(ctx, op, append(fields, zap.Int("attempt", attempt))...)
			return false, nil
		}
		last = werr
		if ctx.Err() != nil || rateLimited(werr) {
			// A 429 the transport could not wait out: Jira did nothing;
			// hand the wait to the caller (Unavailable with the reset time).
			break
		}
		h, err := held(ctx)
		if err != nil {
			return false, err
		}
		if h == want {
			if !ours && refusedUnsent(werr) {
				// Jira refused our write and none of ours can have been
				// applied: someone else made the change in between (a
				// concurrent grant), so it was already done.
				logWrite(ctx, op+": done concurrently by another request, nothing written", append(fields, zap.Int("attempt", attempt))...)
				return true, nil
			}
			logWrite(ctx, op+" (confirmed by a read after an error)", append(fields, zap.Int("attempt", attempt))...)
			return false, nil
		}
		if !unknownOutcome(werr) {
			break
		}
		ours = true
		ctxzap.Extract(ctx).Warn("baton-jira: "+op+": the write failed and a read shows it did not happen; writing again",
			append(fields, zap.Int("attempt", attempt), zap.Error(werr))...)
	}
	return false, wrapErr(op, last)
}

// unknownOutcome reports whether a failed write may or may not have been
// applied: a 5xx answer or a transport failure. 4xx answers are definite
// refusals (a 429 included: Jira refuses before doing any work).
func unknownOutcome(err error) bool {
	var je *jira.Error
	if errors.As(err, &je) {
		return je.StatusCode >= 500
	}
	var ae *atlassian.Error
	if errors.As(err, &ae) {
		return ae.StatusCode >= 500
	}
	if st, ok := status.FromError(err); ok && st.Code() == codes.Unavailable {
		return true
	}
	// A permanent transport failure (bad certificate, unknown host, refused
	// redirect) counts as unknown too: the write is read back before any
	// resend, which costs a read and can never duplicate it.
	return transient(err) || transport.Permanent(err)
}

// refusedUnsent reports whether err is a definite refusal (4xx other than
// 429) of a request none of whose attempts can have been applied: a POST
// (the transport resends it only after a 429, which Jira answers before
// doing any work) or a request sent once.
func refusedUnsent(err error) bool {
	var code, attempts int
	var method string
	var je *jira.Error
	var ae *atlassian.Error
	switch {
	case errors.As(err, &je):
		code, attempts, method = je.StatusCode, je.Attempts, je.Method
	case errors.As(err, &ae):
		code, attempts, method = ae.StatusCode, ae.Attempts, ae.Method
	default:
		return false
	}
	return code >= 400 && code < 500 && code != 429 && (method == "POST" || attempts <= 1)
}

// rateLimited reports whether err is a 429 from Jira or the Admin API.
func rateLimited(err error) bool {
	var je *jira.Error
	var ae *atlassian.Error
	return (errors.As(err, &je) && je.StatusCode == 429) || (errors.As(err, &ae) && ae.StatusCode == 429)
}

// activeUser reads the user behind a user principal and checks that it can
// be provisioned: it exists, is active, and is a human Atlassian account
// (allowApps also admits app accounts). purpose completes the messages.
func (c *Connector) activeUser(ctx context.Context, id jira.AccountID, purpose string, allowApps bool) (*jira.User, error) {
	u, _, err := c.jira.Users.Get(ctx, id)
	if err != nil {
		if isNotFound(err) {
			return nil, errorf(codes.NotFound, "%s: user %s does not exist on the site (check the account ID)", purpose, id)
		}
		return nil, wrapErr(opReadForWrite, err)
	}
	switch {
	case !u.Active:
		return nil, errorf(codes.FailedPrecondition,
			"%s: user %s is inactive: reactivate the account (admin.atlassian.com) before granting access", purpose, id)
	case u.AccountType == jira.AccountTypeCustomer:
		return nil, errorf(codes.FailedPrecondition,
			"%s: user %s is a Jira Service Management customer account, which cannot hold Jira groups, roles or products: "+
				"invite the person as an Atlassian account instead", purpose, id)
	case u.AccountType == jira.AccountTypeApp && !allowApps:
		return nil, errorf(codes.FailedPrecondition,
			"%s: user %s is an app account, whose groups and products Jira manages itself; grant a project role instead", purpose, id)
	case u.AccountType != jira.AccountTypeAtlassian && u.AccountType != jira.AccountTypeApp:
		return nil, errorf(codes.FailedPrecondition, "%s: user %s has account type %q, which cannot be provisioned", purpose, id, u.AccountType)
	}
	return u, nil
}

// userGroupIDs returns the groups the user belongs to (GET /user/groups).
func (c *Connector) userGroupIDs(ctx context.Context, id jira.AccountID) ([]jira.GroupID, error) {
	gs, _, err := c.jira.Users.Groups(ctx, id)
	if err != nil {
		if isNotFound(err) {
			return nil, errorf(codes.NotFound, "user %s does not exist on the site (check the account ID)", id)
		}
		return nil, wrapErr(opReadForWrite, err)
	}
	out := make([]jira.GroupID, 0, len(gs))
	for _, g := range gs {
		out = append(out, g.GroupID)
	}
	return out, nil
}

// groupByID reads one group (GET /group/bulk?groupId=) or answers NotFound.
func (c *Connector) groupByID(ctx context.Context, id jira.GroupID) (jira.GroupDetails, error) {
	gs, _, err := c.jira.Groups.List(ctx, &jira.GroupListOptions{GroupIDs: []jira.GroupID{id}})
	if err != nil {
		return jira.GroupDetails{}, wrapErr(opReadForWrite, err)
	}
	for _, g := range gs {
		if g.GroupID == id {
			return g, nil
		}
	}
	return jira.GroupDetails{}, errorf(codes.NotFound, "group %s does not exist on the site (group IDs are UUIDs, not names)", id)
}

// memberFacts returns the held/write pair that puts user in (or out of)
// group. known, when not nil, is the user's groups as just read: the first
// state check uses it instead of reading them again.
func (c *Connector) memberFacts(user jira.AccountID, group jira.GroupID, add bool, known []jira.GroupID) (func(context.Context) (bool, error), func(context.Context) error) {
	held := func(ctx context.Context) (bool, error) {
		if known != nil {
			gs := known
			known = nil
			return slices.Contains(gs, group), nil
		}
		gs, err := c.userGroupIDs(ctx, user)
		if err != nil {
			return false, err
		}
		return slices.Contains(gs, group), nil
	}
	write := func(ctx context.Context) error {
		var err error
		if add {
			_, err = c.jira.Groups.AddUser(ctx, group, user)
		} else {
			_, err = c.jira.Groups.RemoveUser(ctx, group, user)
		}
		return err
	}
	return held, write
}

// setMember adds user to group or removes them, by state; known is as for memberFacts.
func (c *Connector) setMember(ctx context.Context, user jira.AccountID, group jira.GroupID, add bool, known []jira.GroupID, res *ProvisionResult) (bool, error) {
	held, write := c.memberFacts(user, group, add, known)
	op, verb := opAddGroupMember, "added "+string(user)+" to group "+string(group)
	if !add {
		op, verb = opRemoveGroupMember, "removed "+string(user)+" from group "+string(group)
	}
	already, err := c.ensure(ctx, op, add, held, write, zap.String("group_id", string(group)), zap.String("account_id", string(user)))
	if err == nil && !already {
		res.Changes = append(res.Changes, verb)
	}
	return already, err
}

func requireUserPrincipal(e entitlementRef, p Principal, hint string) error {
	if p.Type != "user" {
		return errorf(codes.InvalidArgument, "%s is granted to and revoked from users only, not %s%s", e, p, hint)
	}
	return nil
}

// provisionGroupMember adds a user to a group or removes them (by group ID).
func (c *Connector) provisionGroupMember(ctx context.Context, e entitlementRef, p Principal, grant bool) (ProvisionResult, error) {
	if err := requireUserPrincipal(e, p, " (Jira groups do not nest)"); err != nil {
		return ProvisionResult{}, err
	}
	gid, uid := jira.GroupID(e.resource), jira.AccountID(p.ID)
	if _, err := c.groupByID(ctx, gid); err != nil {
		return ProvisionResult{}, err
	}
	if grant {
		if _, err := c.activeUser(ctx, uid, "grant "+e.String(), false); err != nil {
			return ProvisionResult{}, err
		}
	}
	var res ProvisionResult
	already, err := c.setMember(ctx, uid, gid, grant, nil, &res)
	res.AlreadyDone = already
	return res, prefixed(e, err)
}

// prefixed puts the entitlement in front of a NotFound's message (an
// unknown principal), keeping its code; other errors pass through.
func prefixed(e entitlementRef, err error) error {
	if st, ok := status.FromError(err); ok && err != nil && st.Code() == codes.NotFound && !strings.HasPrefix(st.Message(), e.String()) {
		return errorf(codes.NotFound, "%s: %s", e, st.Message())
	}
	return err
}

// provisionRoleActor adds a user or group actor to a project role, or removes it.
// The role read that checks the role exists is also the first state read.
// Revoking from a user who is not a direct actor but holds the role through
// a group actor is refused (the access is not absent, and only a change to
// the group can take it away).
func (c *Connector) provisionRoleActor(ctx context.Context, e entitlementRef, p Principal, grant bool) (ProvisionResult, error) {
	pid, rid, ok := splitProjectRoleID(e.resource)
	if !ok {
		return ProvisionResult{}, errorf(codes.InvalidArgument, "%s: the project-role ID must be <projectId>:<roleId>", e)
	}
	role, _, err := c.jira.Roles.Get(ctx, string(pid), rid, nil)
	if err != nil {
		if isNotFound(err) {
			return ProvisionResult{}, errorf(codes.NotFound,
				"%s: project %s has no role %d (a team-managed project's roles belong to that project only; check both IDs)", e, pid, rid)
		}
		return ProvisionResult{}, wrapErr(opRoleActors, err)
	}
	if grant {
		if p.Type == "user" {
			if _, err := c.activeUser(ctx, jira.AccountID(p.ID), "grant "+e.String(), true); err != nil {
				return ProvisionResult{}, err
			}
		} else if _, err := c.groupByID(ctx, jira.GroupID(p.ID)); err != nil {
			return ProvisionResult{}, err
		}
	}
	actor := func(r *jira.ProjectRole) bool {
		for _, a := range r.Actors {
			if p.Type == "user" && a.ActorUser != nil && string(a.ActorUser.AccountID) == p.ID {
				return true
			}
			if p.Type == "group" && a.ActorGroup != nil && string(a.ActorGroup.GroupID) == p.ID {
				return true
			}
		}
		return false
	}
	first := role
	held := func(ctx context.Context) (bool, error) {
		if first != nil {
			r := first
			first = nil
			return actor(r), nil
		}
		r, _, err := c.jira.Roles.Get(ctx, string(pid), rid, nil)
		if err != nil {
			return false, wrapErr(opRoleActors, err)
		}
		return actor(r), nil
	}
	write := func(ctx context.Context) error {
		var err error
		switch {
		case grant && p.Type == "user":
			_, _, err = c.jira.Roles.AddUsers(ctx, string(pid), rid, jira.AccountID(p.ID))
		case grant:
			_, _, err = c.jira.Roles.AddGroups(ctx, string(pid), rid, jira.GroupID(p.ID))
		case p.Type == "user":
			_, err = c.jira.Roles.RemoveUser(ctx, string(pid), rid, jira.AccountID(p.ID))
		default:
			_, err = c.jira.Roles.RemoveGroup(ctx, string(pid), rid, jira.GroupID(p.ID))
		}
		return err
	}
	op, verb := opAddRoleActor, "added "+p.String()+" to role "+fmt.Sprint(rid)+" of project "+string(pid)
	if !grant {
		op, verb = opRemoveRoleActor, "removed "+p.String()+" from role "+fmt.Sprint(rid)+" of project "+string(pid)
	}
	if !grant && p.Type == "user" && !actor(role) {
		// Not a direct actor: before answering "already revoked", make sure
		// the user exists and no group actor gives the user the role.
		if err := c.roleThroughGroup(ctx, e, role, jira.AccountID(p.ID)); err != nil {
			return ProvisionResult{}, err
		}
	}
	if !grant && p.Type == "group" && !actor(role) {
		// Not an actor: a group that does not exist is NotFound, not
		// "already revoked" (as for every revoke from an unknown principal).
		if _, err := c.groupByID(ctx, jira.GroupID(p.ID)); err != nil {
			return ProvisionResult{}, prefixed(e, err)
		}
	}
	already, err := c.ensure(ctx, op, grant, held, write, zap.String("project_id", string(pid)),
		zap.Int64("role_id", int64(rid)), zap.String("principal_type", p.Type), zap.String("principal_id", p.ID))
	res := ProvisionResult{AlreadyDone: already}
	if err == nil && !already {
		res.Changes = []string{verb}
	}
	return res, err
}

// roleThroughGroup answers FailedPrecondition when user belongs to a group
// that is an actor of role (so revoking the user's direct actor, which the
// user does not have, would leave the access in place), NotFound when the
// user does not exist, and nil otherwise. It reads the user's groups.
func (c *Connector) roleThroughGroup(ctx context.Context, e entitlementRef, role *jira.ProjectRole, user jira.AccountID) error {
	var groups []jira.ActorGroup
	for _, a := range role.Actors {
		if a.ActorGroup != nil && a.ActorGroup.GroupID != "" {
			groups = append(groups, *a.ActorGroup)
		}
	}
	mine, err := c.userGroupIDs(ctx, user)
	if err != nil {
		return prefixed(e, err)
	}
	for _, g := range groups {
		if slices.Contains(mine, g.GroupID) {
			return errorf(codes.FailedPrecondition,
				"%s: user %s is not a direct actor of the role but holds it through group %s (%s), an actor of the role: "+
					"revoke the grant %s:group:%s, or group:%s:%s from the user", e, user, g.Name, g.GroupID, e, g.GroupID, g.GroupID, memberEntitlement)
		}
	}
	return nil
}

// provisionProduct grants product access by adding the user to the
// product's default groups (those of them that give the product), and
// revokes it by removing the user from every group that gives the product,
// unless one of those groups also gives something else (another product or
// site administration): then it refuses and names the group.
func (c *Connector) provisionProduct(ctx context.Context, e entitlementRef, p Principal, grant bool) (ProvisionResult, error) {
	if err := requireUserPrincipal(e, p, ": a group's product access is configured in admin.atlassian.com (Products → Jira → groups)"); err != nil {
		return ProvisionResult{}, err
	}
	key, uid := jira.ProductKey(e.resource), jira.AccountID(p.ID)
	roles, _, err := c.jira.ApplicationRoles.List(ctx)
	if err != nil {
		return ProvisionResult{}, wrapErr(opListProducts, err)
	}
	var role *jira.ApplicationRole
	for i := range roles {
		if roles[i].Key == key {
			role = &roles[i]
		}
	}
	if role == nil {
		return ProvisionResult{}, errorf(codes.NotFound, "%s: the site has no product %q", e, key)
	}
	giving := make([]jira.GroupID, 0, len(role.GroupDetails))
	for _, g := range role.GroupDetails {
		giving = append(giving, g.GroupID)
	}
	mine, via, err := c.membershipVia(ctx, e, uid, grant, giving)
	if err != nil {
		return ProvisionResult{}, prefixed(e, err)
	}
	var res ProvisionResult
	if grant {
		if len(via) > 0 {
			logWrite(ctx, "grant product access: already held, nothing written", zap.String("product", string(key)),
				zap.String("account_id", string(uid)), zap.String("via_group_id", string(via[0])))
			return ProvisionResult{AlreadyDone: true}, nil
		}
		var targets []jira.GroupID
		for _, g := range role.DefaultGroupsDetails {
			if slices.Contains(giving, g.GroupID) {
				targets = append(targets, g.GroupID)
			}
		}
		if len(targets) == 0 {
			return ProvisionResult{}, errorf(codes.FailedPrecondition,
				"%s: product %s has no default access group, so there is no group to add the user to: grant group:<groupId>:member "+
					"of one of its access groups (%s) instead, or set a default group in admin.atlassian.com", e, key, joinIDs(giving))
		}
		for _, g := range targets {
			if _, err := c.setMember(ctx, uid, g, true, mine, &res); err != nil {
				return res, err
			}
		}
		return res, nil
	}
	if len(via) == 0 {
		logWrite(ctx, "revoke product access: not held, nothing written", zap.String("product", string(key)), zap.String("account_id", string(uid)))
		return ProvisionResult{AlreadyDone: true}, nil
	}
	other, unchecked, err := c.alsoGives(ctx, detailsOf(via, groupDetails(role.GroupDetails)), roles, key, "")
	if err != nil {
		return ProvisionResult{}, err
	}
	return c.leaveGroups(ctx, e, uid, via, mine, other, unchecked, "revoke group:<groupId>:member of that group")
}

// membershipVia reads uid's groups (after checking, for a grant, that uid
// is an active account) and returns them with those of giving uid is in,
// in giving's order.
func (c *Connector) membershipVia(ctx context.Context, e entitlementRef, uid jira.AccountID, grant bool, giving []jira.GroupID) (mine, via []jira.GroupID, err error) {
	if grant {
		if _, err := c.activeUser(ctx, uid, "grant "+e.String(), false); err != nil {
			return nil, nil, err
		}
	}
	if mine, err = c.userGroupIDs(ctx, uid); err != nil {
		return nil, nil, err
	}
	for _, g := range giving {
		if slices.Contains(mine, g) {
			via = append(via, g)
		}
	}
	return mine, via, nil
}

// leaveGroups revokes what the groups via give uid by removing uid from
// each of them, unless other names one of them that also gives something
// else (see alsoGives): then it refuses and says what to revoke instead.
// unchecked are groups whose site-admin access could not be checked: the
// result carries a warning naming them.
func (c *Connector) leaveGroups(ctx context.Context, e entitlementRef, uid jira.AccountID, via, mine []jira.GroupID, other string,
	unchecked []jira.GroupDetails, instead string) (ProvisionResult, error) {
	if other != "" {
		return ProvisionResult{}, errorf(codes.FailedPrecondition,
			"%s: revoking would remove user %s from %s; %s explicitly if that is meant", e, uid, other, instead)
	}
	var res ProvisionResult
	if len(unchecked) > 0 {
		names := make([]string, len(unchecked))
		for i, g := range unchecked {
			names[i] = strings.TrimSpace(g.Name + " (" + string(g.GroupID) + ")")
		}
		w := "Jira cannot list the groups with site-admin access on this site, so whether " + strings.Join(names, ", ") +
			" also gives site administration was not checked (only " + builtinSiteAdminGroup + " is treated as giving it)"
		res.Warnings = append(res.Warnings, w)
		ctxzap.Extract(ctx).Warn("baton-jira: "+e.String()+": "+w, zap.String("account_id", string(uid)))
	}
	for _, g := range via {
		if _, err := c.setMember(ctx, uid, g, false, mine, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// builtinSiteAdminGroup is the group Jira Cloud creates for its site
// administrators. When Jira cannot list the groups with site-admin access,
// a revoke treats a group of this name as giving site administration.
const builtinSiteAdminGroup = "site-admins"

// alsoGives reports (as a sentence fragment naming the group) the first of
// groups that gives something besides product key (other products, unless
// key is "") or administration (accessType admin and site-admin, except
// the one named keep), or "" when none does.
//
// When Jira cannot list the groups with site-admin access (its documented
// 500), whether a group gives site administration is unknown: a group named
// site-admins (Jira Cloud's own) counts as giving it, and the others are
// returned in unchecked, for the caller to report as a warning.
func (c *Connector) alsoGives(ctx context.Context, groups []jira.GroupDetails, roles []jira.ApplicationRole, key jira.ProductKey,
	keep jira.AccessType) (other string, unchecked []jira.GroupDetails, err error) {
	for _, g := range groups {
		for _, r := range roles {
			if key == "" || r.Key == key {
				continue
			}
			for _, d := range r.GroupDetails {
				if d.GroupID == g.GroupID {
					return fmt.Sprintf("group %s (%s), which also gives product %s", d.Name, g.GroupID, r.Key), nil, nil
				}
			}
		}
	}
	for _, at := range []jira.AccessType{jira.AccessSiteAdmin, jira.AccessAdmin} {
		if at == keep || (keep == jira.AccessSiteAdmin && at == jira.AccessAdmin) {
			// Site administration includes Jira administration.
			continue
		}
		admins, known, err := c.adminGroups(ctx, at)
		if err != nil {
			return "", nil, err
		}
		if !known {
			for _, g := range groups {
				if strings.EqualFold(g.Name, builtinSiteAdminGroup) {
					return fmt.Sprintf("group %s (%s), Jira Cloud's site administrators group: Jira cannot list the groups with "+
						"site-admin access on this site (its documented 500 for accessType=site-admin), so the connector cannot rule "+
						"out that leaving it removes site administration", g.Name, g.GroupID), nil, nil
				}
			}
			unchecked = groups
			continue
		}
		for _, a := range admins {
			if slices.ContainsFunc(groups, func(g jira.GroupDetails) bool { return g.GroupID == a.GroupID }) {
				return fmt.Sprintf("group %s (%s), which also gives %s access", a.Name, a.GroupID, at), nil, nil
			}
		}
	}
	return "", unchecked, nil
}

// detailsOf returns the entries of from whose IDs are in ids, in ids' order
// (an ID missing from from gets an entry without a name).
func detailsOf(ids []jira.GroupID, from []jira.GroupDetails) []jira.GroupDetails {
	out := make([]jira.GroupDetails, 0, len(ids))
	for _, id := range ids {
		d := jira.GroupDetails{GroupID: id}
		if i := slices.IndexFunc(from, func(g jira.GroupDetails) bool { return g.GroupID == id }); i >= 0 {
			d = from[i]
		}
		out = append(out, d)
	}
	return out
}

// groupDetails converts a product's group list to GroupDetails.
func groupDetails(gs []jira.GroupName) []jira.GroupDetails {
	out := make([]jira.GroupDetails, len(gs))
	for i, g := range gs {
		out[i] = jira.GroupDetails{GroupID: g.GroupID, Name: g.Name}
	}
	return out
}

// siteAdminRefusalMemo is how long provisioning trusts Jira's refusal to
// list the groups with site-admin access: the refusal is a property of the
// site, and asking again costs the client's retries of a 500 (about 30 s
// with the default policy) on every product, admin or site-admin write.
const siteAdminRefusalMemo = 10 * time.Minute

// adminGroups lists the groups holding an access type (GET
// /group/bulk?accessType=). known is false, with no error, when Jira
// refuses to list the groups with site-admin access on this site (its
// documented 500, whose message names the access type), and for
// siteAdminRefusalMemo after such a refusal, without asking again. Any other
// failure, a 500 worded otherwise included (it may be an outage), is an
// error: a write never goes ahead unchecked on a guess.
func (c *Connector) adminGroups(ctx context.Context, at jira.AccessType) (groups []jira.GroupDetails, known bool, err error) {
	if at == jira.AccessSiteAdmin {
		if last := c.siteAdminRefusedAt.Load(); last != 0 && time.Since(time.Unix(0, last)) < siteAdminRefusalMemo {
			return nil, false, nil
		}
	}
	for g, err := range c.jira.Groups.ListIter(ctx, &jira.GroupListOptions{AccessType: at}) {
		if err != nil && at == jira.AccessSiteAdmin && siteAdminRefused(err) {
			ctxzap.Extract(ctx).Warn("baton-jira: Jira cannot list the groups with site-admin access (a known Jira Cloud limitation)",
				zap.Error(err))
			c.siteAdminRefusedAt.Store(time.Now().UnixNano())
			return nil, false, nil
		}
		if err != nil {
			return nil, false, wrapErr(opSiteAdmins, err)
		}
		groups = append(groups, g)
	}
	return groups, true, nil
}

// siteAdminsUnknown is the refusal of a site-admin grant or revoke when
// Jira cannot list the groups with site-admin access: it names Jira Cloud's
// site administrators group (with its ID when it exists) as the group to
// grant or revoke membership of instead.
func (c *Connector) siteAdminsUnknown(ctx context.Context, e entitlementRef, grant bool) error {
	group := "group:<groupId>:member of the group that gives site administration (Jira Cloud's is " + builtinSiteAdminGroup + ")"
	if gs, _, err := c.jira.Groups.List(ctx, &jira.GroupListOptions{GroupNames: []string{builtinSiteAdminGroup}}); err == nil {
		for _, g := range gs {
			if strings.EqualFold(g.Name, builtinSiteAdminGroup) {
				group = "group:" + string(g.GroupID) + ":member (Jira Cloud's site administrators group, " + g.Name + ")"
			}
		}
	}
	verb := "grant"
	if !grant {
		verb = "revoke"
	}
	return errorf(codes.FailedPrecondition,
		"%s: Jira cannot list the groups with site-admin access on this site (it answers GET /rest/api/3/group/bulk?accessType=site-admin "+
			"with its documented 500), so the connector cannot tell which group gives site administration: %s %s instead, "+
			"or change the user's site administration in admin.atlassian.com", e, verb, group)
}

// provisionSiteAdmin grants admin or site-admin by adding the user to the
// one group holding it (refusing when there are several, or none), and
// revokes it by removing the user from every group holding it, unless one
// of them also gives site administration while only admin is revoked.
func (c *Connector) provisionSiteAdmin(ctx context.Context, e entitlementRef, p Principal, grant bool) (ProvisionResult, error) {
	if err := requireUserPrincipal(e, p, ": which groups administer the site is configured in admin.atlassian.com"); err != nil {
		return ProvisionResult{}, err
	}
	host, _, err := c.siteHost(ctx, newSyncState("provision"))
	if err != nil {
		return ProvisionResult{}, err
	}
	if !strings.EqualFold(host, e.resource) {
		return ProvisionResult{}, errorf(codes.NotFound, "%s: this connector manages site %s, not %s", e, host, e.resource)
	}
	at := jira.AccessAdmin
	if e.slug == siteAdminEntitlement {
		at = jira.AccessSiteAdmin
	}
	uid := jira.AccountID(p.ID)
	holders, known, err := c.adminGroups(ctx, at)
	if err != nil {
		return ProvisionResult{}, err
	}
	if !known {
		return ProvisionResult{}, c.siteAdminsUnknown(ctx, e, grant)
	}
	giving := make([]jira.GroupID, 0, len(holders))
	for _, g := range holders {
		giving = append(giving, g.GroupID)
	}
	mine, via, err := c.membershipVia(ctx, e, uid, grant, giving)
	if err != nil {
		return ProvisionResult{}, prefixed(e, err)
	}
	var res ProvisionResult
	if grant {
		if len(via) > 0 {
			logWrite(ctx, "grant "+string(at)+" access: already held, nothing written", zap.String("account_id", string(uid)),
				zap.String("via_group_id", string(via[0])))
			return ProvisionResult{AlreadyDone: true}, nil
		}
		if len(holders) != 1 {
			names := make([]string, 0, len(holders))
			for _, g := range holders {
				names = append(names, g.Name+" ("+string(g.GroupID)+")")
			}
			return ProvisionResult{}, errorf(codes.FailedPrecondition,
				"%s: %d groups hold %s access (%s), so the connector will not choose one: grant group:<groupId>:member of the group you mean",
				e, len(holders), at, strings.Join(names, ", "))
		}
		_, err := c.setMember(ctx, uid, holders[0].GroupID, true, mine, &res)
		return res, err
	}
	if len(via) == 0 {
		logWrite(ctx, "revoke "+string(at)+" access: not held, nothing written", zap.String("account_id", string(uid)))
		return ProvisionResult{AlreadyDone: true}, nil
	}
	other, unchecked, err := c.alsoGives(ctx, detailsOf(via, holders), nil, "", at)
	if err != nil {
		return ProvisionResult{}, err
	}
	return c.leaveGroups(ctx, e, uid, via, mine, other, unchecked, "revoke that entitlement, or group:<groupId>:member,")
}

// participateRefusal explains that participate is derived and names the
// project roles and groups holding Browse Projects in the project's scheme.
func (c *Connector) participateRefusal(ctx context.Context, e entitlementRef) error {
	pid := jira.ProjectID(e.resource)
	var use []string
	if holders, err := c.browseHolders(ctx, newSyncState("provision"), &projectInfo{id: pid}, &rateTracker{}); err == nil {
		for _, h := range holders {
			switch h.Type {
			case jira.HolderProjectRole:
				use = append(use, projectRoleResourceType.GetId()+":"+string(pid)+":"+firstNonEmpty(h.Value, h.Parameter)+":"+assignedEntitlement)
			case jira.HolderGroup:
				use = append(use, groupResourceType.GetId()+":"+firstNonEmpty(h.Value, h.Parameter)+":"+memberEntitlement)
			case jira.HolderApplicationRole:
				if k := firstNonEmpty(h.Value, h.Parameter); k != "" {
					use = append(use, productResourceType.GetId()+":"+k+":"+accessEntitlement)
				}
			}
		}
	}
	hint := "grant the project role (project-role:" + string(pid) + ":<roleId>:assigned) or the group (group:<groupId>:member) " +
		"that holds Browse Projects in the project's permission scheme"
	if len(use) > 0 {
		slices.Sort(use)
		use = slices.Compact(use)
		hint = "grant one of " + strings.Join(use, ", ") + " (the holders of Browse Projects in the project's permission scheme)"
	}
	return errorf(codes.FailedPrecondition, "%s is derived from the project's permission scheme and cannot be granted or revoked: %s", e, hint)
}

func joinIDs(ids []jira.GroupID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}

// grantAnnotations is GrantAlreadyExists when the grant was already held.
func grantAnnotations(r ProvisionResult) annotations.Annotations {
	var annos annotations.Annotations
	if r.AlreadyDone {
		annos.Update(&v2.GrantAlreadyExists{})
	}
	return annos
}

// revokeAnnotations is GrantAlreadyRevoked when the grant was already absent.
func revokeAnnotations(r ProvisionResult) annotations.Annotations {
	var annos annotations.Annotations
	if r.AlreadyDone {
		annos.Update(&v2.GrantAlreadyRevoked{})
	}
	return annos
}

// sdkGrant implements the SDK's Grant for every provisionable type.
func (c *Connector) sdkGrant(ctx context.Context, principal *v2.Resource, e *v2.Entitlement) ([]*v2.Grant, annotations.Annotations, error) {
	p := Principal{Type: principal.GetId().GetResourceType(), ID: principal.GetId().GetResource()}
	res, err := c.Grant(ctx, e.GetId(), p)
	if err != nil {
		return nil, nil, err
	}
	return directGrants(e.GetId(), p), grantAnnotations(res), nil
}

// directGrants returns the grant a fresh sync will show for a grant that
// names the principal itself (group membership, role actor, project lead),
// shaped as the syncers shape it; nil for product and site grants, which a
// sync shows through the group the user was added to.
func directGrants(entitlementID string, p Principal) []*v2.Grant {
	e, err := parseEntitlementID(entitlementID)
	if err != nil {
		return nil
	}
	principal := v2.ResourceId_builder{ResourceType: p.Type, Resource: p.ID}.Build()
	switch e.typ + ":" + e.slug {
	case "group:" + memberEntitlement:
		return []*v2.Grant{gr.NewGrant(groupStub(jira.GroupID(e.resource)), memberEntitlement, principal)}
	case "project:" + leadEntitlement:
		return []*v2.Grant{gr.NewGrant(projectStub(jira.ProjectID(e.resource)), leadEntitlement, principal)}
	case "project-role:" + assignedEntitlement:
		pid, rid, ok := splitProjectRoleID(e.resource)
		if !ok {
			return nil
		}
		var opts []gr.GrantOption
		if p.Type == "group" {
			opts = append(opts, expandGroup(jira.GroupID(p.ID)))
		}
		return []*v2.Grant{gr.NewGrant(projectRoleStub(pid, rid), assignedEntitlement, principal, opts...)}
	}
	return nil
}

// sdkRevoke implements the SDK's Revoke for every provisionable type.
func (c *Connector) sdkRevoke(ctx context.Context, g *v2.Grant) (annotations.Annotations, error) {
	pid := g.GetPrincipal().GetId()
	res, err := c.Revoke(ctx, g.GetEntitlement().GetId(), Principal{Type: pid.GetResourceType(), ID: pid.GetResource()})
	if err != nil {
		return nil, err
	}
	return revokeAnnotations(res), nil
}

// provisioner is embedded by the syncer of every provisionable resource type
// (group, project, project role, product, site) and gives it the SDK's Grant
// and Revoke; the SDK looks the provisioner up by the entitlement's resource
// type, and all of them hand over to [Connector.Grant] and [Connector.Revoke],
// which dispatch on the entitlement ID. It also carries the connector the
// syncer reads through.
type provisioner struct{ c *Connector }

// The provisionable syncers. Users are not among them: accounts are created
// and deleted (account.go), not granted.
var (
	_ connectorbuilder.ResourceProvisionerV2Limited = (*groupSyncer)(nil)
	_ connectorbuilder.ResourceProvisionerV2Limited = (*projectSyncer)(nil)
	_ connectorbuilder.ResourceProvisionerV2Limited = (*projectRoleSyncer)(nil)
	_ connectorbuilder.ResourceProvisionerV2Limited = (*productSyncer)(nil)
	_ connectorbuilder.ResourceProvisionerV2Limited = (*siteSyncer)(nil)
)

// Grant implements the SDK's ResourceProvisionerV2.
func (p provisioner) Grant(ctx context.Context, principal *v2.Resource, e *v2.Entitlement) ([]*v2.Grant, annotations.Annotations, error) {
	return p.c.sdkGrant(ctx, principal, e)
}

// Revoke implements the SDK's ResourceProvisionerV2.
func (p provisioner) Revoke(ctx context.Context, g *v2.Grant) (annotations.Annotations, error) {
	return p.c.sdkRevoke(ctx, g)
}

// provisionLead makes the user the project lead (PUT /project/{id}). A
// project always has exactly one lead, so revoking the lead from the
// current lead is refused (grant the lead to the successor instead), and
// revoking it from anyone else is already done.
func (c *Connector) provisionLead(ctx context.Context, e entitlementRef, p Principal, grant bool) (ProvisionResult, error) {
	if err := requireUserPrincipal(e, p, ""); err != nil {
		return ProvisionResult{}, err
	}
	pid, uid := jira.ProjectID(e.resource), jira.AccountID(p.ID)
	held := func(ctx context.Context) (bool, error) {
		pr, _, err := c.jira.Projects.Get(ctx, string(pid))
		if err != nil {
			if isNotFound(err) {
				return false, errorf(codes.NotFound, "%s: project %s does not exist or is not visible to the connector", e, pid)
			}
			return false, wrapErr(opListProjects, err)
		}
		return pr.Lead != nil && pr.Lead.AccountID == uid, nil
	}
	if !grant {
		h, err := held(ctx)
		if err != nil {
			return ProvisionResult{}, err
		}
		if !h {
			// Not the lead: an account that does not exist is NotFound, as
			// for every revoke from an unknown principal.
			if _, _, err := c.jira.Users.Get(ctx, uid); err != nil {
				if isNotFound(err) {
					return ProvisionResult{}, errorf(codes.NotFound, "%s: user %s does not exist on the site (check the account ID)", e, uid)
				}
				return ProvisionResult{}, wrapErr(opReadForWrite, err)
			}
			logWrite(ctx, "revoke project lead: not held, nothing written", zap.String("project_id", string(pid)), zap.String("account_id", string(uid)))
			return ProvisionResult{AlreadyDone: true}, nil
		}
		return ProvisionResult{}, errorf(codes.FailedPrecondition,
			"%s: a project always has a lead; grant %s to the new lead instead of revoking it from %s", e, e, uid)
	}
	if _, err := c.activeUser(ctx, uid, "grant "+e.String(), false); err != nil {
		return ProvisionResult{}, err
	}
	write := func(ctx context.Context) error {
		_, _, err := c.jira.Projects.SetLead(ctx, string(pid), uid)
		return err
	}
	already, err := c.ensure(ctx, opSetLead, true, held, write, zap.String("project_id", string(pid)), zap.String("account_id", string(uid)))
	res := ProvisionResult{AlreadyDone: already}
	if err == nil && !already {
		res.Changes = []string{"made " + string(uid) + " lead of project " + string(pid)}
	}
	return res, err
}

// ParseGrantID splits a Baton grant ID "<entitlementId>:<principalType>:<principalId>"
// (as the SDK and the c1z name grants) into the entitlement ID and the
// principal. Account IDs may hold colons ("712020:…"), so the split is made
// after the entitlement's slug, at ":user:" or ":group:".
func ParseGrantID(id string) (string, Principal, error) {
	for i := 0; i < len(id); i++ {
		for _, typ := range []string{"user", "group"} {
			marker := ":" + typ + ":"
			if !strings.HasPrefix(id[i:], marker) {
				continue
			}
			ent, pid := id[:i], id[i+len(marker):]
			if pid == "" {
				continue
			}
			if _, err := parseEntitlementID(ent); err != nil {
				continue
			}
			return ent, Principal{Type: typ, ID: pid}, nil
		}
	}
	return "", Principal{}, errorf(codes.InvalidArgument,
		"grant ID %q is not <entitlementId>:<user|group>:<principalId> (e.g. group:<groupId>:member:user:<accountId>)", id)
}
