package connector

import (
	"context"
	"errors"
	"sync"

	"github.com/grpc-ecosystem/go-grpc-middleware/logging/zap/ctxzap"
	"go.uber.org/zap"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	ent "github.com/conductorone/baton-sdk/pkg/types/entitlement"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"

	"github.com/batonkit/jiracloud/jira"
)

// portalEntitlement is "portal" on service projects: the accounts with
// access to the project's Jira Service Management help center portal, the
// "Service project customer - portal access" (sd.customer.portal.only)
// holder of permission schemes. See docs/MODEL.md.
const portalEntitlement = "portal"

const opPortalCustomers = "list service desk customers"

// portalEntitlementOf returns the portal entitlement of service project r.
func portalEntitlementOf(r *v2.Resource) *v2.Entitlement {
	name := r.GetDisplayName()
	return ent.NewAssignmentEntitlement(r, portalEntitlement,
		ent.WithGrantableTo(userResourceType),
		ent.WithDisplayName(name+" portal customer"),
		ent.WithDescription("Customer with access to the help center portal of the "+name+
			" service project (Jira Service Management customer list or one of its customer organizations)"))
}

// portalState is what a sync reads once about service desks: the desk of
// each service project, and the members of each customer organization
// (organizations are shared by desks).
type portalState struct {
	mu      sync.Mutex
	desks   *onceEntry[map[jira.ProjectID]jira.ServiceDeskID]
	members map[jira.CustomerOrganizationID]*onceEntry[[]jira.AccountID]
	// customers holds the portal customers of each service project, read
	// ahead while projects are listed (see prefetchPortal).
	customers map[jira.ProjectID]*onceEntry[[]jira.AccountID]
}

// onceEntry is a value fetched once and shared by concurrent callers; a
// failed fetch is forgotten so that a later call tries again.
type onceEntry[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// shared returns the value held in a slot (read and written under mu by
// load and store), fetching it with fetch unless another caller is doing so
// or did so successfully. A failed fetch empties the slot again.
func shared[T any](ctx context.Context, mu *sync.Mutex, load func() *onceEntry[T], store func(*onceEntry[T]),
	fetch func() (T, error)) (T, error) {
	mu.Lock()
	e := load()
	owner := e == nil
	if owner {
		e = &onceEntry[T]{done: make(chan struct{})}
		store(e)
	}
	mu.Unlock()
	if owner {
		e.val, e.err = fetch()
		if e.err != nil {
			mu.Lock()
			if load() == e {
				store(nil)
			}
			mu.Unlock()
		}
		close(e.done)
	}
	select {
	case <-e.done:
		return e.val, e.err
	case <-ctx.Done():
		var zero T
		return zero, wrapErr(opPortalCustomers, ctx.Err())
	}
}

// serviceDesks returns the service desk of each service project, read once
// per sync (GET /servicedeskapi/servicedesk). A site without Jira Service
// Management (404) has none.
func (c *Connector) serviceDesks(ctx context.Context, st *syncState) (map[jira.ProjectID]jira.ServiceDeskID, error) {
	ps := &st.portal
	return shared(ctx, &ps.mu, func() *onceEntry[map[jira.ProjectID]jira.ServiceDeskID] { return ps.desks },
		func(e *onceEntry[map[jira.ProjectID]jira.ServiceDeskID]) { ps.desks = e }, func() (map[jira.ProjectID]jira.ServiceDeskID, error) {
			out := map[jira.ProjectID]jira.ServiceDeskID{}
			for d, err := range c.jira.ServiceDesk.ListIter(ctx, nil) {
				if err != nil {
					if isNotFound(err) {
						return out, nil
					}
					if portalForbidden(ctx, err, "the service desks") {
						return map[jira.ProjectID]jira.ServiceDeskID{}, nil
					}
					return nil, wrapErr(opPortalCustomers, err)
				}
				out[d.ProjectID] = d.ID
			}
			return out, nil
		})
}

// organizationMembers returns the members of customer organization id,
// read once per sync.
func (c *Connector) organizationMembers(ctx context.Context, st *syncState, id jira.CustomerOrganizationID) ([]jira.AccountID, error) {
	ps := &st.portal
	load := func() *onceEntry[[]jira.AccountID] { return ps.members[id] }
	store := func(e *onceEntry[[]jira.AccountID]) {
		if e == nil {
			delete(ps.members, id)
			return
		}
		if ps.members == nil {
			ps.members = map[jira.CustomerOrganizationID]*onceEntry[[]jira.AccountID]{}
		}
		ps.members[id] = e
	}
	return shared(ctx, &ps.mu, load, store, func() ([]jira.AccountID, error) {
		var out []jira.AccountID
		for u, err := range c.jira.ServiceDesk.OrganizationUsersIter(ctx, id, nil) {
			if err != nil {
				if isNotFound(err) {
					return nil, nil // deleted since the desk named it
				}
				if portalForbidden(ctx, err, "the members of customer organization "+string(id)) {
					return nil, nil
				}
				return nil, wrapErr(opPortalCustomers, err)
			}
			out = append(out, u.AccountID)
		}
		return out, nil
	})
}

// portalCustomers returns the accounts with portal access to service
// project p: the customers on its desk's list, then the members of the
// desk's customer organizations, each once. A project without a desk (or
// deleted since it was listed) has none. Each project's are read once per
// sync (often ahead, see prefetchPortal) and shared; a failed read is
// forgotten and read again by the next caller.
func (c *Connector) portalCustomers(ctx context.Context, st *syncState, p *projectInfo) ([]jira.AccountID, error) {
	ps := &st.portal
	load := func() *onceEntry[[]jira.AccountID] { return ps.customers[p.id] }
	store := func(e *onceEntry[[]jira.AccountID]) {
		if e == nil {
			delete(ps.customers, p.id)
			return
		}
		if ps.customers == nil {
			ps.customers = map[jira.ProjectID]*onceEntry[[]jira.AccountID]{}
		}
		ps.customers[p.id] = e
	}
	return shared(ctx, &ps.mu, load, store, func() ([]jira.AccountID, error) {
		return c.readPortalCustomers(ctx, st, p)
	})
}

// prefetchPortal starts reading, in the background and with the
// configured concurrency, the portal customers of the given service
// projects. The customer list is limited to a few requests a second, so
// reading it from the first grants call on (see warmGrants), while the SDK
// stores other grants, keeps it off the project grants, which wait for what
// is still under way.
func (c *Connector) prefetchPortal(ctx context.Context, st *syncState, projects []*projectInfo) {
	var todo []*projectInfo
	for _, p := range projects {
		if p.serviceDesk {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return
	}
	st.goBackground(ctx, func(ctx context.Context) {
		// Errors are dropped: a failed read is read again by the grants.
		fanOut(ctx, c.cfg.concurrency(), len(todo), func(ctx context.Context, i int) error {
			_, err := c.portalCustomers(ctx, st, todo[i])
			return err
		})
	})
}

// readPortalCustomers reads the portal customers of p (see portalCustomers).
func (c *Connector) readPortalCustomers(ctx context.Context, st *syncState, p *projectInfo) ([]jira.AccountID, error) {
	desks, err := c.serviceDesks(ctx, st)
	if err != nil {
		return nil, err
	}
	desk, ok := desks[p.id]
	if !ok {
		return nil, nil
	}
	seen := map[jira.AccountID]bool{}
	var out []jira.AccountID
	add := func(id jira.AccountID) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for cu, err := range c.jira.ServiceDesk.CustomersIter(ctx, desk, nil) {
		if err != nil {
			if isNotFound(err) {
				return nil, nil
			}
			if portalForbidden(ctx, err, "the customers of service project "+string(p.key)) {
				return nil, nil
			}
			return nil, wrapErr(opPortalCustomers, err)
		}
		add(cu.AccountID)
	}
	for o, err := range c.jira.ServiceDesk.DeskOrganizationsIter(ctx, desk, nil) {
		if err != nil {
			if isNotFound(err) {
				return nil, nil
			}
			if portalForbidden(ctx, err, "the customer organizations of service project "+string(p.key)) {
				return nil, nil
			}
			return nil, wrapErr(opPortalCustomers, err)
		}
		members, err := c.organizationMembers(ctx, st, o.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			add(m)
		}
	}
	return out, nil
}

// portalGrants returns the portal grants of service project p: one user
// grant per synced account with portal access.
func (c *Connector) portalGrants(ctx context.Context, st *syncState, p *projectInfo, allowed userAllowed) ([]*v2.Grant, error) {
	ids, err := c.portalCustomers(ctx, st, p)
	if err != nil {
		return nil, err
	}
	res := projectStub(p.id)
	var out []*v2.Grant
	for _, id := range ids {
		if allowed(id, "") {
			out = append(out, gr.NewGrant(res, portalEntitlement, userID(id)))
		}
	}
	return out, nil
}

// isServiceProject reports whether project resource r is a service project
// (its profile's project_type is service_desk).
func isServiceProject(r *v2.Resource) bool {
	return r.GetProfile().GetFields()["project_type"].GetStringValue() == jira.ProjectTypeServiceDesk
}

// portalForbidden reports whether err is a 403 and, if so, logs that the
// portal grants of what could not be read are left out. Reading a desk's
// customers needs the Service Management agent or administrator permission
// on it, which a token that syncs everything else may lack: the sync then
// goes on without those portal grants instead of failing.
func portalForbidden(ctx context.Context, err error, what string) bool {
	if !errors.Is(err, jira.ErrForbidden) {
		return false
	}
	ctxzap.Extract(ctx).Warn("baton-jira: no permission to read "+what+
		" (Jira Service Management agent or administrator permission needed); its portal grants are left out of this sync",
		zap.Error(err))
	return true
}
