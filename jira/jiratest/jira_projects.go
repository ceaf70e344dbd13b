package jiratest

import (
	"cmp"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// canSeeProject reports whether the caller sees p (Jira admins see every project; others need Browse Projects or
// Administer Projects).
func (c *call) canSeeProject(p *Project) bool {
	if c.perms().AdministerJira {
		return true
	}
	if c.user == nil {
		return false
	}
	return c.x.hasProjectPermission(c.user, p, PermBrowseProjects) ||
		c.x.hasProjectPermission(c.user, p, PermAdministerProjects)
}

func (c *call) canAdminProject(p *Project) bool {
	return c.perms().AdministerJira || (c.user != nil && c.x.hasProjectPermission(c.user, p, PermAdministerProjects))
}

// projectParam resolves {projectIdOrKey}; deleted and invisible projects are 404.
func (c *call) projectParam() (*Project, *reply) {
	k := c.p["projectIdOrKey"]
	p := c.x.project(k)
	if p == nil || p.Deleted || !c.canSeeProject(p) {
		what := "key"
		if _, err := strconv.Atoi(k); err == nil {
			what = "id"
		}
		r := jiraErr(404, "No project could be found with "+what+" '"+k+"'.")
		return nil, &r
	}
	return p, nil
}

func projectStatusOK(p *Project, statuses []string) bool {
	if len(statuses) == 0 {
		statuses = []string{"live"}
	}
	for _, s := range statuses {
		switch {
		case s == "live" && !p.Archived && !p.Deleted,
			s == "archived" && p.Archived && !p.Deleted,
			s == "deleted" && p.Deleted:
			return true
		}
	}
	return false
}

// hProjectSearch is GET /project/search (PageBean, default 50, maximum 100).
func hProjectSearch(c *call) reply {
	start, limit, bad := c.paging(50, 100)
	if bad != nil {
		return *bad
	}
	ids, keys := c.q["id"], c.q["keys"]
	if len(ids) > 50 || len(keys) > 50 {
		return jiraErr(400, "The maximum number of project IDs or keys is 50.")
	}
	for _, s := range c.q["status"] {
		if s != "live" && s != "archived" && s != "deleted" {
			return jiraErr(400, "Invalid status: "+s)
		}
	}
	var types []string
	if tk := c.q.Get("typeKey"); tk != "" {
		types = strings.Split(tk, ",")
	}
	query := strings.ToLower(c.q.Get("query"))
	cat := c.q.Get("categoryId")
	var list []*Project
	for _, p := range c.x.t.Projects {
		if !projectStatusOK(p, c.q["status"]) || !c.canSeeProject(p) {
			continue
		}
		if len(ids) > 0 && !slices.Contains(ids, p.ID) {
			continue
		}
		if len(keys) > 0 && !slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, p.Key) }) {
			continue
		}
		if len(types) > 0 && !slices.Contains(types, p.TypeKey) {
			continue
		}
		if cat != "" && p.CategoryID != cat {
			continue
		}
		if query != "" && !strings.Contains(strings.ToLower(p.Key), query) && !strings.Contains(strings.ToLower(p.Name), query) {
			continue
		}
		list = append(list, p)
	}
	order := c.q.Get("orderBy")
	desc := strings.HasPrefix(order, "-")
	field := strings.TrimLeft(order, "+-")
	var less func(a, b *Project) int
	switch field {
	case "", "key":
		less = func(a, b *Project) int { return cmp.Compare(a.Key, b.Key) }
	case "name":
		less = func(a, b *Project) int {
			return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.Key, b.Key))
		}
	case "category":
		less = func(a, b *Project) int {
			return cmp.Or(cmp.Compare(c.categoryName(a), c.categoryName(b)), cmp.Compare(a.Key, b.Key))
		}
	case "owner":
		less = func(a, b *Project) int {
			return cmp.Or(cmp.Compare(c.leadName(a), c.leadName(b)), cmp.Compare(a.Key, b.Key))
		}
	case "issueCount", "lastIssueUpdatedDate", "archivedDate", "deletedDate":
		less = func(a, b *Project) int { return cmp.Compare(a.Key, b.Key) }
	default:
		return jiraErr(400, "The orderBy parameter value '"+order+"' is not supported.")
	}
	slices.SortStableFunc(list, func(a, b *Project) int {
		if desc {
			return less(b, a)
		}
		return less(a, b)
	})
	expand := c.q.Get("expand")
	vals := renderWindow(list, start, limit, func(p *Project) jProject { return c.projectJSON(p, expand, false) })
	return ok(pageWindow(c, vals, start, limit, len(list)))
}

func (c *call) categoryName(p *Project) string {
	if cat := c.x.categories[p.CategoryID]; cat != nil {
		return strings.ToLower(cat.Name)
	}
	return ""
}

func (c *call) leadName(p *Project) string {
	if u := c.x.users[p.LeadAccountID]; u != nil {
		return strings.ToLower(u.DisplayName)
	}
	return ""
}

// hProjectList is the deprecated GET /project: every visible live project, unpaged.
func hProjectList(c *call) reply {
	out := []jProject{}
	for _, p := range c.x.t.Projects {
		if projectStatusOK(p, nil) && c.canSeeProject(p) {
			out = append(out, c.projectJSON(p, c.q.Get("expand"), false))
		}
	}
	return ok(out)
}

func hProject(c *call) reply {
	p, rep := c.projectParam()
	if rep != nil {
		return *rep
	}
	return ok(c.projectJSON(p, c.q.Get("expand"), true))
}

type jScope struct {
	Type    string `json:"type"`
	Project *struct {
		ID   string `json:"id"`
		Key  string `json:"key"`
		Name string `json:"name"`
	} `json:"project,omitempty"`
}

type jActorUser struct {
	AccountID string `json:"accountId"`
}

type jActorGroup struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	GroupID     string `json:"groupId"`
}

type jActor struct {
	ID          int64        `json:"id"`
	DisplayName string       `json:"displayName"`
	Type        string       `json:"type"`
	Name        string       `json:"name,omitempty"`
	AvatarURL   string       `json:"avatarUrl,omitempty"`
	ActorUser   *jActorUser  `json:"actorUser,omitempty"`
	ActorGroup  *jActorGroup `json:"actorGroup,omitempty"`
}

type jRole struct {
	Self             string   `json:"self"`
	Name             string   `json:"name"`
	ID               int64    `json:"id"`
	Description      string   `json:"description"`
	Actors           []jActor `json:"actors,omitempty"`
	Scope            *jScope  `json:"scope,omitempty"`
	TranslatedName   string   `json:"translatedName,omitempty"`
	CurrentUserRole  *bool    `json:"currentUserRole,omitempty"`
	Admin            bool     `json:"admin"`
	Default          bool     `json:"default"`
	RoleConfigurable bool     `json:"roleConfigurable"`
}

const (
	actorUser  = "atlassian-user-role-actor"
	actorGroup = "atlassian-group-role-actor"
)

func (c *call) roleJSON(r *Role, p *Project) jRole {
	j := jRole{Self: c.rest("/role/" + strconv.FormatInt(r.ID, 10)), Name: r.Name, ID: r.ID, Description: r.Description,
		TranslatedName: r.Name, Admin: r.Admin, Default: r.ID == RoleMember, RoleConfigurable: true}
	if p != nil {
		j.Self = c.roleURL(p, r.ID)
	}
	// A project-scoped role carries its project. Roles of a team-managed project in the trash lose their scope
	// (JRACLOUD-76117): /role and /role/{id} then list them like global roles.
	if owner := c.x.scopedOwner[r.ID]; owner != nil && !owner.Deleted {
		j.Scope = &jScope{Type: "PROJECT"}
		j.Scope.Project = &struct {
			ID   string `json:"id"`
			Key  string `json:"key"`
			Name string `json:"name"`
		}{owner.ID, owner.Key, owner.Name}
	}
	return j
}

func actorID(parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int64(h.Sum64()%900000) + 10000
}

// actorsJSON renders the actors of role rid in p sorted by display name.
func (c *call) actorsJSON(p *Project, rid int64, excludeInactive bool) []jActor {
	out := []jActor{}
	ra := p.Actors(rid)
	if ra == nil {
		return out
	}
	rs := strconv.FormatInt(rid, 10)
	for _, id := range ra.Users {
		u := c.x.users[id]
		if u == nil || (excludeInactive && !u.Active) {
			continue
		}
		out = append(out, jActor{ID: actorID(p.ID, rs, "u", id), DisplayName: u.DisplayName, Type: actorUser,
			AvatarURL: avatars(id).P48, ActorUser: &jActorUser{AccountID: id}})
	}
	for _, gid := range ra.Groups {
		g := c.x.groups[gid]
		if g == nil {
			continue
		}
		out = append(out, jActor{ID: actorID(p.ID, rs, "g", gid), DisplayName: g.Name, Type: actorGroup, Name: g.Name,
			AvatarURL:  c.base + "/images/icons/avatars/group.png",
			ActorGroup: &jActorGroup{Name: g.Name, DisplayName: g.Name, GroupID: g.ID}})
	}
	slices.SortStableFunc(out, func(a, b jActor) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName)),
			cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func hProjectRoles(c *call) reply {
	p, rep := c.projectParam()
	if rep != nil {
		return *rep
	}
	out := map[string]string{}
	for _, r := range c.x.projectRoles(p) {
		out[r.Name] = c.roleURL(p, r.ID)
	}
	return ok(out)
}

func hProjectRoleDetails(c *call) reply {
	p, rep := c.projectParam()
	if rep != nil {
		return *rep
	}
	current := c.q.Get("currentMember") == "true"
	noAddons := c.q.Get("excludeConnectAddons") == "true"
	out := []jRole{}
	for _, r := range c.x.projectRoles(p) {
		if noAddons && r.ID == RoleAddonsProjectAccess {
			continue
		}
		member := c.user != nil && c.x.inRole(p, r.ID, c.user.AccountID)
		if current && !member {
			continue
		}
		j := c.roleJSON(r, p)
		j.CurrentUserRole = &member
		out = append(out, j)
	}
	return ok(out)
}

// roleParam resolves {id} as a role of p.
func (c *call) roleParam(p *Project) (*Role, *reply) {
	id, err := strconv.ParseInt(c.p["id"], 10, 64)
	if err != nil {
		r := jiraErr(400, "The role id '"+c.p["id"]+"' is not valid.")
		return nil, &r
	}
	role := c.x.projectRole(p, id)
	if role == nil {
		r := jiraErr(404, "Could not find project role with id '"+c.p["id"]+"' for project '"+p.Key+"'.")
		return nil, &r
	}
	return role, nil
}

func (c *call) projectRoleJSON(p *Project, r *Role, excludeInactive bool) jRole {
	j := c.roleJSON(r, p)
	j.Actors = c.actorsJSON(p, r.ID, excludeInactive)
	return j
}

// projectRoleParam resolves {projectIdOrKey} and {id}.
func (c *call) projectRoleParam() (*Project, *Role, *reply) {
	p, rep := c.projectParam()
	if rep != nil {
		return nil, nil, rep
	}
	r, rep := c.roleParam(p)
	if rep != nil {
		return nil, nil, rep
	}
	return p, r, nil
}

// editableProjectRole resolves {projectIdOrKey} and {id} of a project the caller administers.
func (c *call) editableProjectRole() (*Project, *Role, *reply) {
	p, r, rep := c.projectRoleParam()
	if rep != nil {
		return nil, nil, rep
	}
	if !c.canAdminProject(p) {
		r := jiraErr(403, "You cannot edit the configuration of this project.")
		return nil, nil, &r
	}
	return p, r, nil
}

func hProjectRole(c *call) reply {
	p, r, rep := c.projectRoleParam()
	if rep != nil {
		return *rep
	}
	j := c.projectRoleJSON(p, r, c.q.Get("excludeInactiveUsers") == "true")
	if j.Actors == nil {
		j.Actors = []jActor{}
	}
	return ok(roleWithActors{jRole: j, Actors: j.Actors})
}

// roleWithActors always renders the actors array (even empty).
type roleWithActors struct {
	jRole
	Actors []jActor `json:"actors"`
}

type actorsMap struct {
	User    []string `json:"user"`
	GroupID []string `json:"groupId"`
	Group   []string `json:"group"`
}

// resolveActors validates users (must exist and be active) and groups.
func (c *call) resolveActors(users, groupIDs, groupNames []string) ([]*User, []*Group, *reply) {
	var us []*User
	var gs []*Group
	for _, id := range users {
		u := c.x.users[id]
		if u == nil || !u.Active {
			r := jiraErr(404, "The user with accountId '"+id+"' does not exist or is inactive.")
			return nil, nil, &r
		}
		if !slices.Contains(us, u) {
			us = append(us, u)
		}
	}
	for _, id := range groupIDs {
		g := c.x.groups[id]
		if g == nil {
			r := jiraErr(404, "The group with groupId '"+id+"' does not exist.")
			return nil, nil, &r
		}
		if !slices.Contains(gs, g) {
			gs = append(gs, g)
		}
	}
	for _, name := range groupNames {
		g := c.x.groupNames[strings.ToLower(name)]
		if g == nil {
			r := jiraErr(404, "The group '"+name+"' does not exist.")
			return nil, nil, &r
		}
		if !slices.Contains(gs, g) {
			gs = append(gs, g)
		}
	}
	return us, gs, nil
}

func (c *call) actorsFor(p *Project, rid int64) *RoleActors {
	if ra := p.Actors(rid); ra != nil {
		return ra
	}
	ra := &RoleActors{RoleID: rid}
	p.RoleActors = append(p.RoleActors, ra)
	return ra
}

// hAddRoleActors adds actors; an actor already present fails the whole request with 400.
func hAddRoleActors(c *call) reply {
	p, r, rep := c.editableProjectRole()
	if rep != nil {
		return *rep
	}
	var body actorsMap
	if err := c.decode(&body); err != nil {
		return jiraErr(400, "Invalid request payload. Refer to the REST API documentation and try again.")
	}
	us, gs, rep := c.resolveActors(body.User, body.GroupID, body.Group)
	if rep != nil {
		return *rep
	}
	if len(us) == 0 && len(gs) == 0 {
		return jiraErr(400, "You must specify at least one user or group.")
	}
	cur := p.Actors(r.ID)
	for _, u := range us {
		if cur != nil && slices.Contains(cur.Users, u.AccountID) {
			return jiraErr(400, "'"+u.DisplayName+"' is already a member of the project role.")
		}
	}
	for _, g := range gs {
		if cur != nil && slices.Contains(cur.Groups, g.ID) {
			return jiraErr(400, "'"+g.Name+"' is already a member of the project role.")
		}
	}
	ra := c.actorsFor(p, r.ID)
	var names []string
	for _, u := range us {
		ra.Users = append(ra.Users, u.AccountID)
		names = append(names, "user "+u.AccountID)
	}
	for _, g := range gs {
		ra.Groups = append(ra.Groups, g.ID)
		names = append(names, "group "+g.ID)
	}
	c.audit("Project roles changed", "projects", AuditItem{ID: p.ID, Name: p.Name, TypeName: "PROJECT"},
		AuditItem{ID: strconv.FormatInt(r.ID, 10), Name: r.Name, TypeName: "PROJECT_ROLE"})
	out := ok(roleWithActors{jRole: c.roleJSON(r, p), Actors: c.actorsJSON(p, r.ID, false)})
	out.mutation = "added " + strings.Join(names, ", ") + " to role " + r.Name + " (" + strconv.FormatInt(r.ID, 10) +
		") of project " + p.Key
	return out
}

// hSetRoleActors replaces all actors (categorisedActors).
func hSetRoleActors(c *call) reply {
	p, r, rep := c.editableProjectRole()
	if rep != nil {
		return *rep
	}
	var body struct {
		CategorisedActors map[string][]string `json:"categorisedActors"`
	}
	if err := c.decode(&body); err != nil || body.CategorisedActors == nil {
		return jiraErr(400, "Invalid request payload. Refer to the REST API documentation and try again.")
	}
	ca := body.CategorisedActors
	us, gs, rep := c.resolveActors(ca["atlassian-user-role-actor"], ca["atlassian-group-role-actor-id"], ca["atlassian-group-role-actor"])
	if rep != nil {
		return *rep
	}
	ra := c.actorsFor(p, r.ID)
	ra.Users, ra.Groups = nil, nil
	for _, u := range us {
		ra.Users = append(ra.Users, u.AccountID)
	}
	for _, g := range gs {
		ra.Groups = append(ra.Groups, g.ID)
	}
	c.audit("Project roles changed", "projects", AuditItem{ID: p.ID, Name: p.Name, TypeName: "PROJECT"})
	out := ok(roleWithActors{jRole: c.roleJSON(r, p), Actors: c.actorsJSON(p, r.ID, false)})
	out.mutation = "replaced actors of role " + r.Name + " (" + strconv.FormatInt(r.ID, 10) + ") of project " + p.Key +
		": " + strconv.Itoa(len(us)) + " users, " + strconv.Itoa(len(gs)) + " groups"
	return out
}

func hRemoveRoleActor(c *call) reply {
	p, r, rep := c.editableProjectRole()
	if rep != nil {
		return *rep
	}
	user, gid, gname := c.q.Get("user"), c.q.Get("groupId"), c.q.Get("group")
	n := 0
	for _, v := range []string{user, gid, gname} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return jiraErr(400, "You must specify exactly one of 'user', 'groupId' or 'group'.")
	}
	ra := p.Actors(r.ID)
	var summary string
	switch {
	case user != "":
		if ra == nil || !slices.Contains(ra.Users, user) {
			return jiraErr(404, "The user '"+user+"' is not an actor of the project role '"+r.Name+"'.")
		}
		ra.Users = slices.DeleteFunc(ra.Users, func(s string) bool { return s == user })
		summary = "user " + user
	default:
		g := c.x.groupByIDOrName(gid, gname)
		if g == nil || ra == nil || !slices.Contains(ra.Groups, g.ID) {
			return jiraErr(404, "The group '"+gid+gname+"' is not an actor of the project role '"+r.Name+"'.")
		}
		ra.Groups = slices.DeleteFunc(ra.Groups, func(s string) bool { return s == g.ID })
		summary = "group " + g.ID
	}
	c.audit("Project roles changed", "projects", AuditItem{ID: p.ID, Name: p.Name, TypeName: "PROJECT"})
	out := noContent()
	out.mutation = "removed " + summary + " from role " + r.Name + " (" + strconv.FormatInt(r.ID, 10) + ") of project " + p.Key
	return out
}

func hRoles(c *call) reply {
	if !c.perms().AdministerJira {
		return jiraErr(403, errNotAdmin)
	}
	// Every project role of the site, as Jira documents it: the global roles (no scope) and the roles of each
	// team-managed project (scope {type: PROJECT, project}), trashed projects' roles without a scope.
	out := []roleWithActors{}
	for _, r := range c.x.t.Roles {
		out = append(out, roleWithActors{jRole: c.roleJSON(r, nil), Actors: []jActor{}})
	}
	for _, p := range c.x.t.Projects {
		for _, r := range p.ScopedRoles {
			out = append(out, roleWithActors{jRole: c.roleJSON(r, nil), Actors: []jActor{}})
		}
	}
	return ok(out)
}

func hRole(c *call) reply {
	if !c.perms().AdministerJira {
		return jiraErr(403, errNotAdmin)
	}
	id, err := strconv.ParseInt(c.p["id"], 10, 64)
	if err != nil {
		return jiraErr(400, "The role id '"+c.p["id"]+"' is not valid.")
	}
	r := c.x.roles[id]
	if r == nil {
		r = c.x.scoped[id]
	}
	if r == nil {
		return jiraErr(404, "Could not find project role with id '"+c.p["id"]+"'.")
	}
	return ok(roleWithActors{jRole: c.roleJSON(r, nil), Actors: []jActor{}})
}

// ---- permission schemes ----

type jHolder struct {
	Type        string      `json:"type"`
	Parameter   string      `json:"parameter,omitempty"`
	Value       string      `json:"value,omitempty"`
	Expand      string      `json:"expand,omitempty"`
	Group       *jGroupName `json:"group,omitempty"`
	ProjectRole *jRole      `json:"projectRole,omitempty"`
	User        *jUser      `json:"user,omitempty"`
}

type jPermGrant struct {
	ID         int64   `json:"id"`
	Self       string  `json:"self"`
	Holder     jHolder `json:"holder"`
	Permission string  `json:"permission"`
}

type jScheme struct {
	Expand      string       `json:"expand"`
	ID          int64        `json:"id"`
	Self        string       `json:"self"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Permissions []jPermGrant `json:"permissions,omitempty"`
}

func (c *call) holderJSON(h Holder, expand string) jHolder {
	j := jHolder{Type: h.Type}
	switch h.Type {
	case HolderGroup:
		j.Value, j.Expand = h.GroupID, "group"
		if g := c.x.groups[h.GroupID]; g != nil {
			j.Parameter = g.Name
			if hasExpand(expand, "group") {
				gn := c.groupName(g)
				j.Group = &gn
			}
		}
	case HolderProjectRole:
		id := strconv.FormatInt(h.RoleID, 10)
		j.Parameter, j.Value, j.Expand = id, id, "projectRole"
		if hasExpand(expand, "projectRole") {
			if r := c.x.roles[h.RoleID]; r != nil {
				jr := c.roleJSON(r, nil)
				j.ProjectRole = &jr
			} else if r := c.x.scoped[h.RoleID]; r != nil {
				jr := c.roleJSON(r, nil)
				j.ProjectRole = &jr
			}
		}
	case HolderApplicationRole:
		j.Parameter, j.Value, j.Expand = h.ApplicationKey, h.ApplicationKey, "applicationRole"
	case HolderUserCustomField, HolderGroupCustomField:
		j.Parameter, j.Value, j.Expand = h.FieldID, h.FieldID, "field"
	case HolderUser:
		j.Parameter, j.Value, j.Expand = h.AccountID, h.AccountID, "user"
		if hasExpand(expand, "user") {
			j.User = c.userRef(h.AccountID)
		}
	}
	return j
}

func (c *call) schemeJSON(s *PermissionScheme, expand string) jScheme {
	j := jScheme{Expand: "permissions,user,group,projectRole,field,all", ID: s.ID,
		Self: c.rest("/permissionscheme/" + strconv.FormatInt(s.ID, 10)), Name: s.Name, Description: s.Description}
	if hasExpand(expand, "permissions") {
		j.Permissions = []jPermGrant{}
		for _, g := range s.Grants {
			j.Permissions = append(j.Permissions, jPermGrant{ID: g.ID,
				Self:   c.rest("/permissionscheme/" + strconv.FormatInt(s.ID, 10) + "/permission/" + strconv.FormatInt(g.ID, 10)),
				Holder: c.holderJSON(g.Holder, expand), Permission: g.Permission})
		}
	}
	return j
}

func hProjectPermissionScheme(c *call) reply {
	p, rep := c.projectParam()
	if rep != nil {
		return *rep
	}
	if !c.canAdminProject(p) {
		return jiraErr(403, "You must have the Administer Projects permission to view the permission scheme.")
	}
	s := c.x.schemes[p.PermissionSchemeID]
	if s == nil {
		return jiraErr(404, "The project has no permission scheme.")
	}
	return ok(c.schemeJSON(s, c.q.Get("expand")))
}

func hPermissionSchemes(c *call) reply {
	if !c.perms().AdministerJira {
		return jiraErr(403, errNotAdmin)
	}
	out := []jScheme{}
	for _, s := range c.x.t.PermissionSchemes {
		out = append(out, c.schemeJSON(s, c.q.Get("expand")))
	}
	return ok(map[string]any{"permissionSchemes": out})
}

func hPermissionScheme(c *call) reply {
	id, err := strconv.ParseInt(c.p["schemeId"], 10, 64)
	s := c.x.schemes[id]
	if err != nil || s == nil {
		return jiraErr(404, "The permission scheme with id '"+c.p["schemeId"]+"' does not exist.")
	}
	if !c.perms().AdministerJira {
		allowed := false
		for _, p := range c.x.t.Projects {
			if p.PermissionSchemeID == id && c.canAdminProject(p) {
				allowed = true
				break
			}
		}
		if !allowed {
			return jiraErr(403, errNotAdmin)
		}
	}
	return ok(c.schemeJSON(s, c.q.Get("expand")))
}

// ---- application roles ----

type jAppRole struct {
	Key                  string       `json:"key"`
	Groups               []string     `json:"groups"`
	GroupDetails         []jGroupName `json:"groupDetails"`
	Name                 string       `json:"name"`
	DefaultGroups        []string     `json:"defaultGroups"`
	DefaultGroupsDetails []jGroupName `json:"defaultGroupsDetails"`
	SelectedByDefault    bool         `json:"selectedByDefault"`
	Defined              bool         `json:"defined"`
	NumberOfSeats        int          `json:"numberOfSeats"`
	RemainingSeats       int          `json:"remainingSeats"`
	UserCount            int          `json:"userCount"`
	UserCountDescription string       `json:"userCountDescription"`
	HasUnlimitedSeats    bool         `json:"hasUnlimitedSeats"`
	Platform             bool         `json:"platform"`
}

func (c *call) appRoleJSON(a *ApplicationRole) jAppRole {
	j := jAppRole{Key: a.Key, Name: a.Name, Groups: []string{}, GroupDetails: []jGroupName{}, DefaultGroups: []string{},
		DefaultGroupsDetails: []jGroupName{}, SelectedByDefault: a.SelectedByDefault, Defined: true,
		HasUnlimitedSeats: a.UnlimitedSeats, Platform: a.Platform}
	for _, gid := range a.GroupIDs {
		if g := c.x.groups[gid]; g != nil {
			j.Groups = append(j.Groups, g.Name)
			j.GroupDetails = append(j.GroupDetails, c.groupName(g))
		}
	}
	for _, gid := range a.DefaultGroupIDs {
		if g := c.x.groups[gid]; g != nil {
			j.DefaultGroups = append(j.DefaultGroups, g.Name)
			j.DefaultGroupsDetails = append(j.DefaultGroupsDetails, c.groupName(g))
		}
	}
	j.UserCount = c.x.appRoleUserCount(a)
	j.UserCountDescription = "users"
	if a.UnlimitedSeats {
		j.NumberOfSeats, j.RemainingSeats = -1, -1
	} else {
		j.NumberOfSeats, j.RemainingSeats = a.NumberOfSeats, max(a.NumberOfSeats-j.UserCount, 0)
	}
	return j
}

func hApplicationRoles(c *call) reply {
	if !c.perms().AdministerJira {
		return jiraErr(403, errNotAdmin)
	}
	out := []jAppRole{}
	for _, a := range c.x.t.ApplicationRoles {
		out = append(out, c.appRoleJSON(a))
	}
	return ok(out)
}

func hApplicationRole(c *call) reply {
	if !c.perms().AdministerJira {
		return jiraErr(403, errNotAdmin)
	}
	a := c.x.appRoles[c.p["key"]]
	if a == nil {
		return jiraErr(404, "The application role with key '"+c.p["key"]+"' does not exist.")
	}
	return ok(c.appRoleJSON(a))
}
