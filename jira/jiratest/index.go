package jiratest

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// index holds lookup structures over a Tenant. The server keeps one up to date under its lock;
// [Tenant.ProjectPermissions] and [Tenant.Summary] build a throw-away one.
type index struct {
	t *Tenant

	users      map[string]*User
	emails     map[string]*User // lower-cased email
	groups     map[string]*Group
	groupNames map[string]*Group // lower-cased name
	members    map[string]map[string]struct{}
	sorted     map[string][]*User // group ID → known members sorted by display name
	userGroups map[string]map[string]struct{}
	active     []*User // active users in site order (nil = rebuild)

	projects      map[string]*Project
	projectKeys   map[string]*Project // upper-cased key
	roles         map[int64]*Role     // global roles
	scoped        map[int64]*Role
	scopedOwner   map[int64]*Project
	appRoles      map[string]*ApplicationRole
	schemes       map[int64]*PermissionScheme
	issueTypes    map[string]*IssueType
	fields        map[string]*Field
	statuses      map[string]*Status
	transitions   map[string]*Transition
	priorities    map[string]*Priority
	categories    map[string]*ProjectCategory
	issues        map[string]*Issue // by upper-cased key and by id
	issueCounters map[string]int    // project ID → highest issue number

	accounts   map[string]*OrgAccount
	mgroups    map[string]*ManagedGroup
	workspaces map[string]*Workspace
}

func newIndex(t *Tenant) *index {
	x := &index{t: t}
	x.rebuild()
	return x
}

func (x *index) rebuild() {
	t := x.t
	x.users = make(map[string]*User, len(t.Users))
	x.emails = make(map[string]*User, len(t.Users))
	for _, u := range t.Users {
		x.users[u.AccountID] = u
		if u.Email != "" {
			x.emails[strings.ToLower(u.Email)] = u
		}
	}
	x.active = nil
	x.groups = make(map[string]*Group, len(t.Groups))
	x.groupNames = make(map[string]*Group, len(t.Groups))
	x.members = make(map[string]map[string]struct{}, len(t.Groups))
	x.sorted = make(map[string][]*User, len(t.Groups))
	x.userGroups = make(map[string]map[string]struct{}, len(t.Users))
	for _, g := range t.Groups {
		x.groups[g.ID] = g
		x.groupNames[strings.ToLower(g.Name)] = g
		set := make(map[string]struct{}, len(g.Members))
		for _, m := range g.Members {
			set[m] = struct{}{}
			ug := x.userGroups[m]
			if ug == nil {
				ug = make(map[string]struct{})
				x.userGroups[m] = ug
			}
			ug[g.ID] = struct{}{}
		}
		x.members[g.ID] = set
		x.resort(g.ID)
	}
	x.projects = make(map[string]*Project, len(t.Projects))
	x.projectKeys = make(map[string]*Project, len(t.Projects))
	x.scoped = make(map[int64]*Role)
	x.scopedOwner = make(map[int64]*Project)
	for _, p := range t.Projects {
		x.projects[p.ID] = p
		x.projectKeys[strings.ToUpper(p.Key)] = p
		for _, r := range p.ScopedRoles {
			x.scoped[r.ID] = r
			x.scopedOwner[r.ID] = p
		}
	}
	x.roles = indexBy(t.Roles, func(r *Role) int64 { return r.ID })
	x.appRoles = indexBy(t.ApplicationRoles, func(a *ApplicationRole) string { return a.Key })
	x.schemes = indexBy(t.PermissionSchemes, func(s *PermissionScheme) int64 { return s.ID })
	x.issueTypes = indexBy(t.IssueTypes, func(it *IssueType) string { return it.ID })
	x.fields = indexBy(t.Fields, func(f *Field) string { return f.ID })
	x.statuses = indexBy(t.Statuses, func(s *Status) string { return s.ID })
	x.transitions = indexBy(t.Transitions, func(tr *Transition) string { return tr.ID })
	x.priorities = indexBy(t.Priorities, func(p *Priority) string { return p.ID })
	x.categories = indexBy(t.Categories, func(c *ProjectCategory) string { return c.ID })
	x.issues = make(map[string]*Issue, 2*len(t.Issues))
	x.issueCounters = make(map[string]int)
	for _, is := range t.Issues {
		x.issues[strings.ToUpper(is.Key)] = is
		x.issues[is.ID] = is
		if _, num, ok := strings.Cut(is.Key, "-"); ok {
			if n, err := strconv.Atoi(num); err == nil && n > x.issueCounters[is.ProjectID] {
				x.issueCounters[is.ProjectID] = n
			}
		}
	}
	var org Org
	if t.Org != nil {
		org = *t.Org
	}
	x.accounts = indexBy(org.Accounts, func(a *OrgAccount) string { return a.AccountID })
	x.mgroups = indexBy(org.Groups, func(g *ManagedGroup) string { return g.ID })
	x.workspaces = indexBy(org.Workspaces, func(w *Workspace) string { return w.ID })
}

// indexBy maps each element of list by its key (a later element wins over an earlier one with the same key).
func indexBy[K comparable, V any](list []V, key func(V) K) map[K]V {
	m := make(map[K]V, len(list))
	for _, v := range list {
		m[key(v)] = v
	}
	return m
}

func (x *index) resort(gid string) {
	g := x.groups[gid]
	if g == nil {
		delete(x.sorted, gid)
		return
	}
	type keyed struct {
		key string
		u   *User
	}
	list := make([]keyed, 0, len(g.Members))
	seen := make(map[string]struct{}, len(g.Members))
	for _, m := range g.Members {
		if _, dup := seen[m]; dup {
			continue
		}
		seen[m] = struct{}{}
		if u := x.users[m]; u != nil {
			list = append(list, keyed{strings.ToLower(u.DisplayName), u})
		}
	}
	slices.SortFunc(list, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.u.AccountID, b.u.AccountID))
	})
	out := make([]*User, len(list))
	for i, k := range list {
		out[i] = k.u
	}
	x.sorted[gid] = out
}

// activeUsers returns the active users in site order (the population the user-search endpoints scan).
func (x *index) activeUsers() []*User {
	if x.active == nil {
		x.active = make([]*User, 0, len(x.t.Users))
		for _, u := range x.t.Users {
			if u.Active {
				x.active = append(x.active, u)
			}
		}
	}
	return x.active
}

func (x *index) inGroup(acct, gid string) bool {
	_, ok := x.members[gid][acct]
	return ok
}

// groupByIDOrName resolves a group by ID, else by name (case-insensitive).
func (x *index) groupByIDOrName(id, name string) *Group {
	if id != "" {
		return x.groups[id]
	}
	return x.groupNames[strings.ToLower(name)]
}

// project resolves a project ID or key (case-insensitive).
func (x *index) project(idOrKey string) *Project {
	if p := x.projects[idOrKey]; p != nil {
		return p
	}
	return x.projectKeys[strings.ToUpper(idOrKey)]
}

// projectRoles returns the roles of p (see [Tenant.ProjectRoles]).
func (x *index) projectRoles(p *Project) []*Role { return x.t.ProjectRoles(p) }

// projectRole returns role id if it belongs to project p.
func (x *index) projectRole(p *Project, id int64) *Role {
	if p.Simplified {
		if x.scopedOwner[id] == p {
			return x.scoped[id]
		}
		return nil
	}
	return x.roles[id]
}

// hasProduct reports whether acct has access to application key (any product when key is "").
func (x *index) hasProduct(acct, key string) bool {
	ug := x.userGroups[acct]
	if len(ug) == 0 {
		return false
	}
	for _, a := range x.t.ApplicationRoles {
		if key != "" && a.Key != key {
			continue
		}
		for _, gid := range a.GroupIDs {
			if _, ok := ug[gid]; ok {
				return true
			}
		}
	}
	return false
}

// inRole reports whether acct is an actor of role rid in p, directly or through a group actor.
func (x *index) inRole(p *Project, rid int64, acct string) bool {
	ra := p.Actors(rid)
	if ra == nil {
		return false
	}
	if slices.Contains(ra.Users, acct) {
		return true
	}
	for _, gid := range ra.Groups {
		if x.inGroup(acct, gid) {
			return true
		}
	}
	return false
}

// holderMatches reports whether holder h grants a project-level permission in p to acct (issue-level holders such
// as reporter or assignee do not).
func (x *index) holderMatches(h Holder, p *Project, u *User) bool {
	if !u.Active {
		return false
	}
	switch h.Type {
	case HolderGroup:
		return x.inGroup(u.AccountID, h.GroupID)
	case HolderProjectRole:
		return x.projectRole(p, h.RoleID) != nil && x.inRole(p, h.RoleID, u.AccountID)
	case HolderApplicationRole:
		return u.AccountType != AccountTypeCustomer && x.hasProduct(u.AccountID, h.ApplicationKey)
	case HolderUser:
		return h.AccountID == u.AccountID
	case HolderProjectLead:
		return p.LeadAccountID == u.AccountID
	case HolderAnyone:
		return u.AccountType != AccountTypeCustomer
	}
	return false
}

// hasProjectPermission reports whether u holds perm in project p.
func (x *index) hasProjectPermission(u *User, p *Project, perm string) bool {
	s := x.schemes[p.PermissionSchemeID]
	if s == nil {
		return false
	}
	for _, g := range s.Grants {
		if g.Permission == perm && x.holderMatches(g.Holder, p, u) {
			return true
		}
	}
	return false
}

// isAdminUser reports whether acct is in a group holding Administer Jira or site administration.
func (x *index) isAdminUser(acct string) bool {
	for gid := range x.userGroups[acct] {
		if g := x.groups[gid]; g != nil && (g.Admin || g.SiteAdmin) {
			return true
		}
	}
	return false
}

func (x *index) isSiteAdminUser(acct string) bool {
	for gid := range x.userGroups[acct] {
		if g := x.groups[gid]; g != nil && g.SiteAdmin {
			return true
		}
	}
	return false
}

// hasGlobalPermission evaluates the global permissions the fake knows.
func (x *index) hasGlobalPermission(u *User, perm string) bool {
	if !u.Active {
		return false
	}
	switch perm {
	case PermAdminister:
		return x.isAdminUser(u.AccountID)
	case PermSystemAdmin:
		return x.isSiteAdminUser(u.AccountID)
	case PermUserPicker:
		return x.isAdminUser(u.AccountID) || (u.AccountType != AccountTypeCustomer && x.hasProduct(u.AccountID, ""))
	}
	return false
}

// userGroupList returns the groups of acct sorted by name.
func (x *index) userGroupList(acct string) []*Group {
	out := make([]*Group, 0, len(x.userGroups[acct]))
	for gid := range x.userGroups[acct] {
		if g := x.groups[gid]; g != nil {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// appRoleUserCount counts distinct active users with access to a.
func (x *index) appRoleUserCount(a *ApplicationRole) int {
	seen := make(map[string]struct{})
	for _, gid := range a.GroupIDs {
		for m := range x.members[gid] {
			if u := x.users[m]; u != nil && u.Active {
				seen[m] = struct{}{}
			}
		}
	}
	return len(seen)
}

// ---- mutations (callers hold the write lock) ----

func (x *index) addMember(g *Group, acct string) {
	set := x.members[g.ID]
	if _, ok := set[acct]; ok {
		return
	}
	set[acct] = struct{}{}
	g.Members = append(g.Members, acct)
	ug := x.userGroups[acct]
	if ug == nil {
		ug = make(map[string]struct{})
		x.userGroups[acct] = ug
	}
	ug[g.ID] = struct{}{}
	x.resort(g.ID)
	if mg := x.mgroups[g.ID]; mg != nil && !slices.Contains(mg.Members, acct) {
		mg.Members = append(mg.Members, acct)
	}
}

func (x *index) removeMember(g *Group, acct string) {
	set := x.members[g.ID]
	if _, ok := set[acct]; !ok {
		return
	}
	delete(set, acct)
	g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == acct })
	delete(x.userGroups[acct], g.ID)
	x.resort(g.ID)
	if mg := x.mgroups[g.ID]; mg != nil {
		mg.Members = slices.DeleteFunc(mg.Members, func(m string) bool { return m == acct })
	}
}

func (x *index) addGroup(g *Group) {
	x.t.Groups = append(x.t.Groups, g)
	x.groups[g.ID] = g
	x.groupNames[strings.ToLower(g.Name)] = g
	x.members[g.ID] = make(map[string]struct{})
	for _, m := range g.Members {
		x.members[g.ID][m] = struct{}{}
	}
	x.resort(g.ID)
}

// deleteGroup removes g everywhere Jira does: memberships, application roles and role actors.
func (x *index) deleteGroup(g *Group) {
	for m := range x.members[g.ID] {
		delete(x.userGroups[m], g.ID)
	}
	delete(x.members, g.ID)
	delete(x.sorted, g.ID)
	delete(x.groups, g.ID)
	delete(x.groupNames, strings.ToLower(g.Name))
	x.t.Groups = slices.DeleteFunc(x.t.Groups, func(o *Group) bool { return o == g })
	for _, a := range x.t.ApplicationRoles {
		a.GroupIDs = slices.DeleteFunc(a.GroupIDs, func(id string) bool { return id == g.ID })
		a.DefaultGroupIDs = slices.DeleteFunc(a.DefaultGroupIDs, func(id string) bool { return id == g.ID })
	}
	for _, p := range x.t.Projects {
		for _, ra := range p.RoleActors {
			ra.Groups = slices.DeleteFunc(ra.Groups, func(id string) bool { return id == g.ID })
		}
	}
	for _, s := range x.t.PermissionSchemes {
		s.Grants = slices.DeleteFunc(s.Grants, func(pg *PermissionGrant) bool {
			return pg.Holder.Type == HolderGroup && pg.Holder.GroupID == g.ID
		})
	}
	if mg := x.mgroups[g.ID]; mg != nil {
		x.deleteManagedGroup(mg)
	}
}

func (x *index) deleteManagedGroup(mg *ManagedGroup) {
	delete(x.mgroups, mg.ID)
	if x.t.Org != nil {
		x.t.Org.Groups = slices.DeleteFunc(x.t.Org.Groups, func(o *ManagedGroup) bool { return o == mg })
	}
}

func (x *index) addUser(u *User) {
	x.t.Users = append(x.t.Users, u)
	x.users[u.AccountID] = u
	if u.Email != "" {
		x.emails[strings.ToLower(u.Email)] = u
	}
	x.active = nil
}

// removeUser removes u from the Jira user base, its groups and role actor lists.
func (x *index) removeUser(u *User) {
	for gid := range x.userGroups[u.AccountID] {
		if g := x.groups[gid]; g != nil {
			x.removeMember(g, u.AccountID)
		}
	}
	delete(x.userGroups, u.AccountID)
	for _, p := range x.t.Projects {
		for _, ra := range p.RoleActors {
			ra.Users = slices.DeleteFunc(ra.Users, func(id string) bool { return id == u.AccountID })
		}
	}
	x.t.Users = slices.DeleteFunc(x.t.Users, func(o *User) bool { return o == u })
	delete(x.users, u.AccountID)
	if u.Email != "" && x.emails[strings.ToLower(u.Email)] == u {
		delete(x.emails, strings.ToLower(u.Email))
	}
	x.active = nil
}

// setActive changes a user's active flag (Admin suspend/restore, lifecycle disable/enable) and re-sorts nothing:
// display names do not change.
func (x *index) setActive(acct string, active bool) {
	if u := x.users[acct]; u != nil && u.Active != active {
		u.Active = active
		x.active = nil
	}
}
