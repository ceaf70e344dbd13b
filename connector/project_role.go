package connector

import (
	"context"
	"strconv"
	"sync"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	ent "github.com/conductorone/baton-sdk/pkg/types/entitlement"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"google.golang.org/grpc/codes"

	"github.com/batonkit/jiracloud/jira"
)

// projectRoleResourceType is "project-role" (ref): one role in one project,
// keyed "<projectId>:<roleId>" and listed as a child of its project. Its
// grants are type-scoped.
var projectRoleResourceType = v2.ResourceType_builder{
	Id:          "project-role",
	DisplayName: "Project Role",
	Traits:      []v2.ResourceType_Trait{v2.ResourceType_TRAIT_ROLE},
	Annotations: annotations.New(&v2.TypeScopedGrants{}),
	Description: "A project role in one Jira project",
}.Build()

const (
	assignedEntitlement = "assigned"
	// roleBatch is how many (project, role) actor lists one grants call reads.
	roleBatch = 250
)

// projectRoleSyncer lists the roles of a project: the roles shared by every
// company-managed project (read once per sync, see globalRoles) for
// company-managed projects, the project's own roles (GET
// /project/{id}/roledetails) for team-managed ones. Grants come
// from the actors of each role (GET /project/{id}/role/{roleId}).
type projectRoleSyncer struct{ provisioner }

func (s *projectRoleSyncer) ResourceType(context.Context) *v2.ResourceType {
	return projectRoleResourceType
}

// List returns every role of the parent project in one page. Project roles
// exist only under a project: without a parent the list is empty.
func (s *projectRoleSyncer) List(ctx context.Context, parent *v2.ResourceId, opts rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error) {
	if parent == nil || parent.GetResourceType() != projectResourceType.GetId() {
		return nil, &rs.SyncOpResults{}, nil
	}
	st := s.c.state(opts.SyncID)
	st.rolesListed.Store(true)
	p, err := s.c.project(ctx, st, jira.ProjectID(parent.GetResource()))
	if err != nil || p == nil {
		return nil, &rs.SyncOpResults{}, err
	}
	roles, err := s.c.projectRoles(ctx, st, p)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*v2.Resource, 0, len(roles))
	for _, r := range roles {
		res, err := projectRoleResource(p, r)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, res)
	}
	return out, &rs.SyncOpResults{}, nil
}

// Entitlements returns the role's "assigned" entitlement.
func (s *projectRoleSyncer) Entitlements(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Entitlement, *rs.SyncOpResults, error) {
	return []*v2.Entitlement{
		ent.NewAssignmentEntitlement(r, assignedEntitlement,
			ent.WithGrantableTo(userResourceType, groupResourceType),
			ent.WithDisplayName(r.GetDisplayName()+" assigned"),
			ent.WithDescription("Actor of the "+r.GetDisplayName()+" project role in Jira")),
	}, &rs.SyncOpResults{}, nil
}

// Grants returns the actor grants of one project role. The SDK uses
// GrantsForResourceType instead; this serves direct callers.
func (s *projectRoleSyncer) Grants(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	pid, rid, ok := splitProjectRoleID(r.GetId().GetResource())
	if !ok {
		return nil, nil, errorf(codes.InvalidArgument, "invalid project-role ID %q", r.GetId().GetResource())
	}
	st := s.c.state(opts.SyncID)
	p, err := s.c.project(ctx, st, pid)
	if err != nil || p == nil {
		return nil, &rs.SyncOpResults{}, err
	}
	grants, _, annos, err := fetchAll(ctx, s.c.cfg.concurrency(), s.walker(st), []roleRef{{Project: p.id, Role: rid}})
	if err != nil {
		return nil, nil, err
	}
	return grants, &rs.SyncOpResults{Annotations: annos}, nil
}

// GrantsForResourceType returns the actor grants of up to roleBatch project
// roles per call, reading their actor lists concurrently. The next batch is
// fetched ahead while the SDK stores this one.
func (s *projectRoleSyncer) GrantsForResourceType(ctx context.Context, _ string, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	st := s.c.state(opts.SyncID)
	return s.c.grantsWalk(ctx, st, &st.roleGrantsAhead, opts.PageToken.Token, s.batchAt)
}

// batchAt computes the grants call for page token tok.
func (s *projectRoleSyncer) batchAt(ctx context.Context, st *syncState, tok string) (grantsBatch, error) {
	return batchWalk(ctx, s.c, s.walker(st), roleBatch, tok)
}

func (s *projectRoleSyncer) walker(st *syncState) *roleWalker {
	return &roleWalker{c: s.c, st: st}
}

// rolePos is the position of a project-role grants walk: a project of the
// project index and a role of that project's roles.
type rolePos struct {
	Project int `json:"p"`
	Role    int `json:"r"`
}

// roleRef is one actor list to read: a role of a project.
type roleRef struct {
	Project jira.ProjectID `json:"p"`
	Role    jira.RoleID    `json:"r"`
}

// roleWalker is the project-role grants walk: the roles of each project of
// the project index, one actor list per work item.
type roleWalker struct {
	c  *Connector
	st *syncState

	// prepare reads, once per batch, what every actor list's grants need.
	once    sync.Once
	allowed userAllowed
	groups  map[jira.GroupID]struct{}
	err     error
}

func (w *roleWalker) plan(ctx context.Context, pos rolePos, room int) ([]roleRef, rolePos, bool, error) {
	projects, err := w.c.projectList(ctx, w.st)
	if err != nil {
		return nil, pos, false, err
	}
	var work []roleRef
	for pos.Project < len(projects) && len(work) < room {
		p := projects[pos.Project]
		roles, err := w.c.projectRoles(ctx, w.st, p)
		if err != nil {
			return nil, pos, false, err
		}
		for ; pos.Role < len(roles) && len(work) < room; pos.Role++ {
			work = append(work, roleRef{Project: p.id, Role: roles[pos.Role].id})
		}
		if pos.Role >= len(roles) {
			pos = rolePos{Project: pos.Project + 1}
		}
	}
	return work, pos, pos.Project < len(projects), nil
}

func (w *roleWalker) prepare(ctx context.Context) error {
	w.once.Do(func() {
		if w.allowed, w.err = w.c.userFilter(ctx, w.st); w.err != nil {
			return
		}
		w.groups, w.err = w.c.groupSet(ctx, w.st)
	})
	return w.err
}

// fetch returns the grants of one role's actors (GET /project/{id}/role/{roleId}).
func (w *roleWalker) fetch(ctx context.Context, ref roleRef, rt *rateTracker) ([]*v2.Grant, error) {
	c := w.c
	if p, err := c.project(ctx, w.st, ref.Project); err != nil || p == nil {
		return nil, err
	}
	if err := w.prepare(ctx); err != nil {
		return nil, err
	}
	role, resp, err := c.jira.Roles.Get(ctx, string(ref.Project), ref.Role, nil)
	if err != nil {
		if isNotFound(err) {
			return nil, nil // project or role deleted since it was listed
		}
		return nil, wrapErr(opRoleActors, err)
	}
	rt.observe(resp)
	return roleActorGrants(projectRoleStub(ref.Project, ref.Role), role.Actors, w.groups, w.allowed), nil
}

// roleActorGrants turns role actors into "assigned" grants: users directly,
// groups expandable onto their members (ref). Unsynced principals are
// dropped and each principal is granted once.
func roleActorGrants(res *v2.Resource, actors []jira.RoleActor, groups map[jira.GroupID]struct{}, allowed userAllowed) []*v2.Grant {
	var out []*v2.Grant
	seenUsers := map[jira.AccountID]bool{}
	var groupIDs []jira.GroupID
	for _, a := range actors {
		switch {
		case a.Type == jira.RoleActorUser && a.ActorUser != nil:
			id := a.ActorUser.AccountID
			if id == "" || seenUsers[id] || !allowed(id, "") {
				continue
			}
			seenUsers[id] = true
			out = append(out, gr.NewGrant(res, assignedEntitlement, userID(id)))
		case a.Type == jira.RoleActorGroup && a.ActorGroup != nil:
			groupIDs = append(groupIDs, a.ActorGroup.GroupID)
		}
	}
	return append(out, groupGrants(res, assignedEntitlement, groupIDs, groups, true)...)
}

// projectRoles returns the roles of a project: the global roles for a
// company-managed project, its own roles for a team-managed one. Each list
// is fetched once per sync, either here or ahead of time (see
// prefetchProjectRoles); concurrent callers share one fetch. A failed fetch
// is not cached: the caller that sees the error (also the one of a fetch
// ahead) returns it, and a later call fetches again.
func (c *Connector) projectRoles(ctx context.Context, st *syncState, p *projectInfo) ([]roleInfo, error) {
	if !p.teamManaged {
		return c.globalRoles(ctx, st, p)
	}
	st.rolesMu.Lock()
	e, ok := st.tmRoles[p.id]
	if !ok {
		e = &rolesEntry{done: make(chan struct{})}
		st.tmRoles[p.id] = e
	}
	st.rolesMu.Unlock()
	if !ok {
		c.fetchProjectRoles(ctx, p.id, e)
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, wrapErr(opListRoles, ctx.Err())
	}
	if e.err != nil {
		st.rolesMu.Lock()
		if st.tmRoles[p.id] == e {
			delete(st.tmRoles, p.id)
		}
		st.rolesMu.Unlock()
		if ok && cancelledElsewhere(ctx, e.err) {
			// The fetch we waited for belonged to a call that was cancelled
			// (e.g. an SDK run that ended); ours is alive: fetch again.
			return c.projectRoles(ctx, st, p)
		}
		return nil, e.err
	}
	return e.roles, nil
}

// fetchProjectRoles reads the project-scoped roles of a team-managed
// project into e and closes e.done.
func (c *Connector) fetchProjectRoles(ctx context.Context, pid jira.ProjectID, e *rolesEntry) {
	defer close(e.done)
	details, _, err := c.jira.Roles.Details(ctx, string(pid))
	if err != nil {
		if !isNotFound(err) {
			e.err = wrapErr(opListRoles, err)
		}
		return
	}
	e.roles = make([]roleInfo, 0, len(details))
	for _, d := range details {
		e.roles = append(e.roles, roleInfo{id: d.ID, name: d.Name, description: d.Description})
	}
}

// prefetchProjectRoles starts reading, in the background and with the
// configured concurrency, the roles of the team-managed projects of a
// project page whose roles are not known yet. The SDK lists the roles of
// each project one call at a time; reading them ahead turns a request per
// call into a few concurrent ones. The roles are read once per sync either
// way.
func (c *Connector) prefetchProjectRoles(ctx context.Context, st *syncState, projects []*projectInfo) {
	var todo []*projectInfo
	var entries []*rolesEntry
	st.rolesMu.Lock()
	for _, p := range projects {
		if !p.teamManaged {
			continue
		}
		if _, ok := st.tmRoles[p.id]; ok {
			continue
		}
		e := &rolesEntry{done: make(chan struct{})}
		st.tmRoles[p.id] = e
		todo = append(todo, p)
		entries = append(entries, e)
	}
	st.rolesMu.Unlock()
	if len(todo) == 0 {
		return
	}
	started := st.goBackground(ctx, func(ctx context.Context) {
		// Every entry must be completed (a cancelled ctx fails fast), so
		// this is not fanOut, which skips work after a failure.
		sem := make(chan struct{}, c.cfg.concurrency())
		var wg sync.WaitGroup
		for i := range todo {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				c.fetchProjectRoles(ctx, todo[i].id, entries[i])
			}()
		}
		wg.Wait()
	})
	if !started {
		// The sync is over: drop the entries so that nobody waits for them.
		st.rolesMu.Lock()
		for i, p := range todo {
			if st.tmRoles[p.id] == entries[i] {
				delete(st.tmRoles, p.id)
			}
		}
		st.rolesMu.Unlock()
		for _, e := range entries {
			e.err = errorf(codes.Canceled, "%s: the sync has ended", opListRoles)
			close(e.done)
		}
	}
}

// globalRoles returns the roles every company-managed project has, read
// once per sync from the roles of p, the first company-managed project to
// ask (GET /project/{p}/roledetails). GET /role is not used: it lists every
// project role of the site, the roles of each team-managed project among
// them (with a PROJECT scope, or with none once the project is in the trash,
// JRACLOUD-76117), and none of those exist in a company-managed project.
// Company-managed projects all share the same roles, so one project's list
// is every one's. Roles with a PROJECT scope are dropped should Jira ever
// list one there. If p is gone (404), p has no roles and the next project
// asks again.
func (c *Connector) globalRoles(ctx context.Context, st *syncState, p *projectInfo) ([]roleInfo, error) {
	st.rolesMu.Lock()
	defer st.rolesMu.Unlock()
	if st.rolesOK {
		return st.globalRoles, nil
	}
	roles, _, err := c.jira.Roles.Details(ctx, string(p.id))
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, wrapErr(opListRoles, err)
	}
	st.globalRoles = make([]roleInfo, 0, len(roles))
	for _, r := range roles {
		if r.ProjectScoped() {
			continue
		}
		st.globalRoles = append(st.globalRoles, roleInfo{id: r.ID, name: r.Name, description: r.Description, global: true})
	}
	st.rolesOK = true
	return st.globalRoles, nil
}

// projectRoleResource converts one role of one project: "<Project> - <Role>",
// with profile name, role_id, project_id, description and scope.
func projectRoleResource(p *projectInfo, r roleInfo) (*v2.Resource, error) {
	scope := "project"
	if r.global {
		scope = "global"
	}
	profile := map[string]any{
		"name":        r.name,
		"role_id":     r.id.String(),
		"project_id":  string(p.id),
		"description": r.description,
		"scope":       scope,
	}
	res, err := rs.NewRoleResource(p.name+" - "+r.name, projectRoleResourceType, projectRoleKey(p.id, r.id),
		[]rs.RoleTraitOption{rs.WithRoleProfile(profile)},
		rs.WithParentResourceID(projectID(p.id)))
	if err != nil {
		return nil, wrapErr("convert project role "+projectRoleKey(p.id, r.id), err)
	}
	return res, nil
}

func projectRoleKey(pid jira.ProjectID, rid jira.RoleID) string {
	return string(pid) + ":" + rid.String()
}

func projectRoleID(pid jira.ProjectID, rid jira.RoleID) *v2.ResourceId {
	return v2.ResourceId_builder{ResourceType: projectRoleResourceType.GetId(), Resource: projectRoleKey(pid, rid)}.Build()
}

// projectRoleStub is the minimal project-role resource a grant refers to.
func projectRoleStub(pid jira.ProjectID, rid jira.RoleID) *v2.Resource {
	return v2.Resource_builder{Id: projectRoleID(pid, rid), ParentResourceId: projectID(pid)}.Build()
}

// splitProjectRoleID parses "<projectId>:<roleId>".
func splitProjectRoleID(s string) (jira.ProjectID, jira.RoleID, bool) {
	for i := len(s) - 1; i > 0; i-- {
		if s[i] == ':' {
			rid, err := strconv.ParseInt(s[i+1:], 10, 64)
			if err != nil || rid <= 0 {
				return "", 0, false
			}
			return jira.ProjectID(s[:i]), jira.RoleID(rid), true
		}
	}
	return "", 0, false
}
