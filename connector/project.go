package connector

import (
	"context"
	"slices"
	"strconv"
	"sync"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	ent "github.com/conductorone/baton-sdk/pkg/types/entitlement"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"

	"github.com/batonkit/jiracloud/jira"
)

// projectResourceType is "project" (ref), keyed by the numeric project ID.
// Project roles are its children; its grants are type-scoped.
var projectResourceType = v2.ResourceType_builder{
	Id:          "project",
	DisplayName: "Project",
	Annotations: annotations.New(&v2.TypeScopedGrants{}),
	Description: "A Jira project",
}.Build()

const (
	participateEntitlement = "participate"
	leadEntitlement        = "lead"
	// projectBatch is how many projects one grants call handles.
	projectBatch = 100
)

// projectSyncer lists projects (GET /project/search?expand=lead) and grants
// their lead and, from the BROWSE_PROJECTS holders of their permission
// schemes, their participants.
type projectSyncer struct{ provisioner }

func (s *projectSyncer) ResourceType(context.Context) *v2.ResourceType { return projectResourceType }

// List returns one page of projects (50, the endpoint's maximum); the page
// token is the client's cursor. The next page, and the roles of this page's
// team-managed projects, are fetched ahead while the SDK stores this one.
func (s *projectSyncer) List(ctx context.Context, _ *v2.ResourceId, opts rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error) {
	st := s.c.state(opts.SyncID)
	p, err := pipelined(ctx, &st.projectsAhead, opts.PageToken.Token, func(ctx context.Context, tok string) (projectPageResult, error) {
		return s.c.projectPageWithHolders(ctx, st, tok)
	}, func(p projectPageResult) string { return p.next })
	if err != nil {
		return nil, nil, err
	}
	st.projectsMu.Lock()
	if keep, restart := st.projects.observe(opts.PageToken.Token, p.next); keep {
		if restart {
			st.projects.reset()
		}
		st.projects.add(p.infos...)
	}
	st.projectsMu.Unlock()
	// The SDK lists the roles of each of these projects next, one call per
	// project: read the team-managed ones' roles now, concurrently.
	s.c.prefetchProjectRoles(ctx, st, p.infos)
	return p.resources, &rs.SyncOpResults{NextPageToken: p.next, Annotations: p.annos}, nil
}

// Entitlements returns "participate" and, for service projects, "portal"
// (both unless skip-project-participants), and "lead".
func (s *projectSyncer) Entitlements(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Entitlement, *rs.SyncOpResults, error) {
	name := r.GetDisplayName()
	var out []*v2.Entitlement
	if !s.c.cfg.SkipProjectParticipants {
		out = append(out, ent.NewAssignmentEntitlement(r, participateEntitlement,
			ent.WithGrantableTo(userResourceType, groupResourceType, projectRoleResourceType, productResourceType, siteResourceType),
			ent.WithDisplayName(name+" project participant"),
			ent.WithDescription("Can browse the "+name+" project in Jira (Browse Projects permission)")))
		if isServiceProject(r) {
			out = append(out, portalEntitlementOf(r))
		}
	}
	out = append(out, ent.NewAssignmentEntitlement(r, leadEntitlement,
		ent.WithGrantableTo(userResourceType),
		ent.WithDisplayName(name+" project lead"),
		ent.WithDescription("Lead of the "+name+" project in Jira")))
	return out, &rs.SyncOpResults{}, nil
}

// Grants returns the lead and participate grants of one project. The SDK
// uses GrantsForResourceType instead; this serves direct callers.
func (s *projectSyncer) Grants(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	st := s.c.state(opts.SyncID)
	p, err := s.c.project(ctx, st, jira.ProjectID(r.GetId().GetResource()))
	if err != nil || p == nil {
		return nil, &rs.SyncOpResults{}, err
	}
	grants, _, annos, err := fetchAll(ctx, s.c.cfg.concurrency(), s.walker(st), []jira.ProjectID{p.id})
	if err != nil {
		return nil, nil, err
	}
	return grants, &rs.SyncOpResults{Annotations: annos}, nil
}

// GrantsForResourceType returns the lead and participate grants of up to
// projectBatch projects per call, reading their permission schemes
// concurrently (each distinct scheme once per sync). The next batch is
// fetched ahead while the SDK stores this one.
func (s *projectSyncer) GrantsForResourceType(ctx context.Context, _ string, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	st := s.c.state(opts.SyncID)
	return s.c.grantsWalk(ctx, st, &st.projectGrantsAhead, opts.PageToken.Token, s.batchAt)
}

// batchAt computes the grants call for page token tok.
func (s *projectSyncer) batchAt(ctx context.Context, st *syncState, tok string) (grantsBatch, error) {
	return batchWalk(ctx, s.c, s.walker(st), projectBatch, tok)
}

func (s *projectSyncer) walker(st *syncState) *projectWalker {
	return &projectWalker{c: s.c, st: st}
}

// projectWalker is the project grants walk: the project index in list
// order, one project per work item.
type projectWalker struct {
	c  *Connector
	st *syncState

	// prepare reads, once per batch, what every project's grants need.
	once    sync.Once
	allowed userAllowed
	pr      *principals // nil with skip-project-participants
	err     error
}

func (w *projectWalker) plan(ctx context.Context, pos, room int) ([]jira.ProjectID, int, bool, error) {
	projects, err := w.c.projectList(ctx, w.st)
	if err != nil {
		return nil, 0, false, err
	}
	var work []jira.ProjectID
	for ; pos < len(projects) && len(work) < room; pos++ {
		work = append(work, projects[pos].id)
	}
	return work, pos, pos < len(projects), nil
}

func (w *projectWalker) prepare(ctx context.Context) error {
	w.once.Do(func() {
		if w.allowed, w.err = w.c.userFilter(ctx, w.st); w.err != nil {
			return
		}
		if !w.c.cfg.SkipProjectParticipants {
			w.pr, w.err = w.c.principals(ctx, w.st)
		}
	})
	return w.err
}

// fetch returns the lead grant and, unless skip-project-participants, the
// participate and portal grants of project id.
func (w *projectWalker) fetch(ctx context.Context, id jira.ProjectID, rt *rateTracker) ([]*v2.Grant, error) {
	c, st := w.c, w.st
	p, err := c.project(ctx, st, id)
	if err != nil || p == nil {
		return nil, err
	}
	if err := w.prepare(ctx); err != nil {
		return nil, err
	}
	res := projectStub(p.id)
	var out []*v2.Grant
	if p.lead != "" && w.allowed(p.lead, p.leadType) {
		out = append(out, gr.NewGrant(res, leadEntitlement, userID(p.lead)))
	}
	if w.pr == nil {
		return out, nil
	}
	holders, err := c.browseHolders(ctx, st, p, rt)
	if err != nil {
		if isNotFound(err) {
			return out, nil // deleted since it was listed
		}
		return nil, err
	}
	roles, err := c.projectRoles(ctx, st, p)
	if err != nil {
		return nil, err
	}
	out = append(out, participateGrants(res, p, holders, roles, w.pr, w.allowed, c.cfg.ExpandParticipants)...)
	if p.serviceDesk {
		portal, err := c.portalGrants(ctx, st, p, w.allowed)
		if err != nil {
			return nil, err
		}
		out = append(out, portal...)
	}
	return out, nil
}

// principals are the synced groups and products, which participate grants
// may name.
type principals struct {
	groups   map[jira.GroupID]struct{}
	products []jira.ProductKey
	// site is the site host: the principal of a grant to "anyone".
	site string
}

func (c *Connector) principals(ctx context.Context, st *syncState) (*principals, error) {
	groups, err := c.groupSet(ctx, st)
	if err != nil {
		return nil, err
	}
	products, err := c.productList(ctx, st)
	if err != nil {
		return nil, err
	}
	site, _, err := c.siteHost(ctx, st)
	if err != nil {
		return nil, err
	}
	pr := &principals{groups: groups, site: site}
	for _, p := range products {
		pr.products = append(pr.products, p.role.Key)
	}
	return pr, nil
}

// participateGrants turns a project's BROWSE_PROJECTS holders into
// "participate" grants (docs/MODEL.md): groups, project roles and products
// as principals (expandable onto their members when expand is set), users
// and the project lead directly, and "anyone" (public access) as the site
// (expandable onto site:<host>:anyone, every active account of the site);
// issue-level holders (reporter, assignee, …) grant nothing. Holders that
// are not synced are dropped, and each principal is granted once.
func participateGrants(res *v2.Resource, p *projectInfo, holders []jira.PermissionHolder, roles []roleInfo,
	pr *principals, allowed userAllowed, expand bool) []*v2.Grant {
	var out []*v2.Grant
	seen := map[string]bool{}
	add := func(principal *v2.ResourceId, opts ...gr.GrantOption) {
		k := principal.GetResourceType() + ":" + principal.GetResource()
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, gr.NewGrant(res, participateEntitlement, principal, opts...))
	}
	expandOnto := func(entitlementID string) []gr.GrantOption {
		if !expand {
			return nil
		}
		return []gr.GrantOption{gr.WithAnnotation(v2.GrantExpandable_builder{
			EntitlementIds:  []string{entitlementID},
			ResourceTypeIds: []string{userResourceType.GetId()},
		}.Build())}
	}
	for _, h := range holders {
		switch h.Type {
		case jira.HolderGroup:
			id := jira.GroupID(h.Value)
			if _, ok := pr.groups[id]; !ok {
				id = jira.GroupID(h.Parameter)
				if _, ok := pr.groups[id]; !ok {
					continue
				}
			}
			add(groupID(id), expandOnto(groupResourceType.GetId()+":"+string(id)+":"+memberEntitlement)...)
		case jira.HolderProjectRole:
			rid, err := strconv.ParseInt(firstNonEmpty(h.Value, h.Parameter), 10, 64)
			if err != nil || !slices.ContainsFunc(roles, func(r roleInfo) bool { return int64(r.id) == rid }) {
				continue
			}
			prID := projectRoleID(p.id, jira.RoleID(rid))
			add(prID, expandOnto(projectRoleResourceType.GetId()+":"+prID.GetResource()+":"+assignedEntitlement)...)
		case jira.HolderApplicationRole:
			key := jira.ProductKey(firstNonEmpty(h.Parameter, h.Value))
			for _, k := range pr.products {
				if key == "" || k == key {
					add(productID(k), expandOnto(productResourceType.GetId()+":"+string(k)+":"+accessEntitlement)...)
				}
			}
		case jira.HolderUser:
			id := jira.AccountID(firstNonEmpty(h.Value, h.Parameter))
			if id != "" && allowed(id, "") {
				add(userID(id))
			}
		case jira.HolderProjectLead:
			if p.lead != "" && allowed(p.lead, p.leadType) {
				add(userID(p.lead))
			}
		case jira.HolderAnyone:
			if pr.site != "" {
				add(siteStub(pr.site).GetId(), expandOnto(siteResourceType.GetId()+":"+pr.site+":"+anyoneEntitlement)...)
			}
		}
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// projectSchemeID returns the ID of p's permission scheme: the one read
// when p was listed, else read now (GET /project/{id}/permissionscheme).
func (c *Connector) projectSchemeID(ctx context.Context, p *projectInfo, rt *rateTracker) (jira.PermissionSchemeID, error) {
	if p.schemeKnown {
		return p.schemeID, nil
	}
	ref, resp, err := c.jira.Permissions.ProjectScheme(ctx, string(p.id))
	if err != nil {
		if isNotFound(err) {
			return 0, err
		}
		return 0, wrapErr(opPermissionScheme, err)
	}
	rt.observe(resp)
	return ref.ID, nil
}

// browseHolders returns the BROWSE_PROJECTS holders of a project's
// permission scheme. The scheme of each project is looked up once (when
// the project is listed, see projectPageWithHolders, or else here); the
// grants of each distinct scheme are fetched once per sync and shared by
// concurrent callers.
func (c *Connector) browseHolders(ctx context.Context, st *syncState, p *projectInfo, rt *rateTracker) ([]jira.PermissionHolder, error) {
	pid := p.id
	schemeID, err := c.projectSchemeID(ctx, p, rt)
	if err != nil {
		return nil, err
	}
	var resp *jira.Response
	st.schemesMu.Lock()
	e, ok := st.schemes[schemeID]
	if !ok {
		e = &schemeEntry{done: make(chan struct{})}
		st.schemes[schemeID] = e
	}
	st.schemesMu.Unlock()
	if ok {
		select {
		case <-e.done:
			if cancelledElsewhere(ctx, e.err) {
				return c.browseHolders(ctx, st, p, rt) // the fetch we waited for was cancelled, not us
			}
			return e.holders, e.err
		case <-ctx.Done():
			return nil, wrapErr(opPermissionScheme, ctx.Err())
		}
	}
	var scheme *jira.PermissionScheme
	if schemeID > 0 {
		scheme, resp, err = c.jira.Permissions.GetScheme(ctx, schemeID, jira.PermissionSchemeExpandPermissions)
	} else {
		// The Default Permission Scheme has ID 0, which GET
		// /permissionscheme/{id} cannot address: read it through the project.
		scheme, resp, err = c.jira.Permissions.ProjectScheme(ctx, string(pid), jira.PermissionSchemeExpandPermissions)
	}
	if err != nil {
		e.err = wrapErr(opPermissionScheme, err)
		// Let a later batch retry instead of caching the failure.
		st.schemesMu.Lock()
		delete(st.schemes, schemeID)
		st.schemesMu.Unlock()
		close(e.done)
		return nil, e.err
	}
	rt.observe(resp)
	for _, g := range scheme.Permissions {
		if g.Permission == jira.PermissionBrowseProjects {
			e.holders = append(e.holders, g.Holder)
		}
	}
	close(e.done)
	return e.holders, nil
}

// projectPageResult is one page of projects.
type projectPageResult struct {
	resources []*v2.Resource
	infos     []*projectInfo
	next      string
	annos     annotations.Annotations
}

// projectPage fetches the project page at tok. Archived projects are asked
// for only with IncludeArchivedProjects; the sync filter is sent as keys
// when it fits one request (50 keys) and applied here in any case.
func (c *Connector) projectPage(ctx context.Context, tok string) (projectPageResult, error) {
	filter := c.cfg.syncProjectKeys()
	o := &jira.ProjectSearchOptions{
		ListOptions: jira.ListOptions{Cursor: tok},
		Status:      []jira.ProjectStatus{jira.ProjectStatusLive},
		Expand:      []string{jira.ProjectExpandLead},
	}
	if c.cfg.IncludeArchivedProjects {
		o.Status = append(o.Status, jira.ProjectStatusArchived)
	}
	if len(filter) > 0 && len(filter) <= 50 {
		o.Keys = filter
	}
	projects, resp, err := c.jira.Projects.Search(ctx, o)
	if err != nil {
		return projectPageResult{}, wrapErr(opListProjects, err)
	}
	out := projectPageResult{next: resp.NextCursor, annos: rateAnnotations(resp)}
	for _, p := range projects {
		if p.Deleted || (p.Archived && !c.cfg.IncludeArchivedProjects) ||
			(len(filter) > 0 && !slices.Contains(filter, p.Key)) {
			continue
		}
		r, err := projectResource(p)
		if err != nil {
			return projectPageResult{}, err
		}
		out.resources = append(out.resources, r)
		out.infos = append(out.infos, newProjectInfo(p))
	}
	return out, nil
}

func newProjectInfo(p jira.Project) *projectInfo {
	pi := &projectInfo{id: p.ID, key: p.Key, name: p.Name, teamManaged: p.TeamManaged(),
		serviceDesk: p.ProjectTypeKey == jira.ProjectTypeServiceDesk}
	if p.Lead != nil {
		pi.lead, pi.leadType = p.Lead.AccountID, p.Lead.AccountType
	}
	return pi
}

// projectList returns the synced projects in list order, re-paging projects
// once if the List walk did not record them.
func (c *Connector) projectList(ctx context.Context, st *syncState) ([]*projectInfo, error) {
	st.projectsMu.Lock()
	defer st.projectsMu.Unlock()
	if !st.projects.ok() {
		idx := projectIndex{}
		idx.reset()
		tok := ""
		for {
			p, err := c.projectPage(ctx, tok)
			if err != nil {
				return nil, err
			}
			idx.add(p.infos...)
			if p.next == "" || p.next == tok {
				break
			}
			tok = p.next
		}
		idx.walk = walk{started: true, complete: true, rebuilt: true}
		st.projects = idx
	}
	return st.projects.order, nil
}

// project returns one synced project, or nil if it is not synced.
func (c *Connector) project(ctx context.Context, st *syncState, id jira.ProjectID) (*projectInfo, error) {
	st.projectsMu.Lock()
	p := st.projects.byID[id]
	st.projectsMu.Unlock()
	if p != nil {
		return p, nil
	}
	if _, err := c.projectList(ctx, st); err != nil {
		return nil, err
	}
	st.projectsMu.Lock()
	defer st.projectsMu.Unlock()
	return st.projects.byID[id], nil
}

// projectResource converts a project. Its profile carries key,
// project_type, style, category, archived, lead_account_id and private; it
// announces project-role as its child type.
func projectResource(p jira.Project) (*v2.Resource, error) {
	style := jira.ProjectStyleClassic
	if p.TeamManaged() {
		style = jira.ProjectStyleNextGen
	}
	profile := map[string]any{
		"key":          string(p.Key),
		"project_type": p.ProjectTypeKey,
		"style":        style,
		"archived":     p.Archived,
		"private":      p.IsPrivate,
	}
	if p.ProjectCategory != nil && p.ProjectCategory.Name != "" {
		profile["category"] = p.ProjectCategory.Name
	}
	if p.Lead != nil && p.Lead.AccountID != "" {
		profile["lead_account_id"] = string(p.Lead.AccountID)
	}
	name := p.Name
	if name == "" {
		name = string(p.Key)
	}
	opts := []rs.ResourceOption{
		rs.WithResourceProfile(profile),
		rs.WithAnnotation(v2.ChildResourceType_builder{ResourceTypeId: projectRoleResourceType.GetId()}.Build()),
	}
	if p.Description != "" {
		opts = append(opts, rs.WithDescription(p.Description))
	}
	r, err := rs.NewResource(name, projectResourceType, string(p.ID), opts...)
	if err != nil {
		return nil, wrapErr("convert project "+string(p.ID), err)
	}
	return r, nil
}

// projectStub is the minimal project resource a grant refers to.
func projectStub(id jira.ProjectID) *v2.Resource {
	return v2.Resource_builder{Id: projectID(id)}.Build()
}

func projectID(id jira.ProjectID) *v2.ResourceId {
	return v2.ResourceId_builder{ResourceType: projectResourceType.GetId(), Resource: string(id)}.Build()
}
