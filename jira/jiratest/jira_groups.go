package jiratest

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

type jGroup struct {
	Name    string `json:"name"`
	GroupID string `json:"groupId"`
	Self    string `json:"self"`
	Users   struct {
		Size       int   `json:"size"`
		Items      []any `json:"items"`
		MaxResults int   `json:"max-results"`
		StartIndex int   `json:"start-index"`
		EndIndex   int   `json:"end-index"`
	} `json:"users"`
	Expand string `json:"expand"`
}

func (c *call) groupJSON(g *Group) jGroup {
	j := jGroup{Name: g.Name, GroupID: g.ID, Self: c.rest("/group?groupId=" + url.QueryEscape(g.ID)), Expand: "users"}
	j.Users.Size = len(c.x.sorted[g.ID])
	j.Users.Items = []any{}
	j.Users.MaxResults = 50
	return j
}

// hGroupBulk lists groups sorted by name: PageBean, default and maximum 50.
func hGroupBulk(c *call) reply {
	if !c.canBrowseUsers() {
		return jiraErr(403, errNoBrowseUsers)
	}
	start, limit, bad := c.paging(50, 50)
	if bad != nil {
		return *bad
	}
	access := c.q.Get("accessType")
	switch access {
	case "", "user", "admin", "site-admin":
	default:
		return jiraErr(400, "Invalid accessType: "+access)
	}
	if access == "site-admin" && c.s.cfg.siteAdmin500 {
		return jiraErr(500, "Couldn't retrieve groups with the site-admin accessType")
	}
	appKey := c.q.Get("applicationKey")
	var app *ApplicationRole
	if appKey != "" {
		if app = c.x.appRoles[appKey]; app == nil {
			return jiraErr(400, "Invalid applicationKey: "+appKey)
		}
	}
	ids, names := c.q["groupId"], c.q["groupName"]
	var list []jGroupDetails
	groups := slices.Clone(c.x.t.Groups)
	slices.SortFunc(groups, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	for _, g := range groups {
		if len(ids) > 0 || len(names) > 0 {
			if !slices.Contains(ids, g.ID) && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, g.Name) }) {
				continue
			}
		}
		switch access {
		case "admin":
			if !g.Admin {
				continue
			}
		case "site-admin":
			if !g.SiteAdmin {
				continue
			}
		case "user":
			if !c.grantsProduct(g.ID, "") {
				continue
			}
		}
		if app != nil && !slices.Contains(app.GroupIDs, g.ID) {
			continue
		}
		list = append(list, jGroupDetails{Name: g.Name, GroupID: g.ID})
	}
	return ok(pageOf(c, list, start, limit))
}

func (c *call) grantsProduct(gid, key string) bool {
	for _, a := range c.x.t.ApplicationRoles {
		if (key == "" || a.Key == key) && slices.Contains(a.GroupIDs, gid) {
			return true
		}
	}
	return false
}

// groupParam resolves groupId | groupname (exactly one).
func (c *call) groupParam() (*Group, *reply) {
	id, name := c.q.Get("groupId"), c.q.Get("groupname")
	if name == "" {
		name = c.q.Get("groupName")
	}
	if id != "" && name != "" {
		r := jiraErr(400, "You must provide either a group name or a group ID, not both.")
		return nil, &r
	}
	if id == "" && name == "" {
		r := jiraErr(400, "You must provide either a group name or a group ID.")
		return nil, &r
	}
	g := c.x.groupByIDOrName(id, name)
	if g == nil {
		r := jiraErr(404, "Specified group does not exist.")
		return nil, &r
	}
	return g, nil
}

// siteAdminGroupParam resolves the group of a site-administrator operation; denied is the 403 message.
func (c *call) siteAdminGroupParam(denied string) (*Group, *reply) {
	if !c.perms().SiteAdmin {
		r := jiraErr(403, denied)
		return nil, &r
	}
	return c.groupParam()
}

// hGroupMember lists members sorted by display name; inactive users only with includeInactiveUsers=true.
func hGroupMember(c *call) reply {
	if !c.canBrowseUsers() {
		return jiraErr(403, "You do not have permission to view the members of this group.")
	}
	g, rep := c.groupParam()
	if rep != nil {
		return *rep
	}
	start, limit, bad := c.paging(50, 50)
	if bad != nil {
		return *bad
	}
	members := c.x.sorted[g.ID]
	if c.q.Get("includeInactiveUsers") != "true" {
		active := make([]*User, 0, len(members))
		for _, u := range members {
			if u.Active {
				active = append(active, u)
			}
		}
		members = active
	}
	vals := renderWindow(members, start, limit, func(u *User) jUser { return c.userJSON(u, false) })
	return ok(pageWindow(c, vals, start, limit, len(members)))
}

func hAddGroupUser(c *call) reply {
	g, rep := c.siteAdminGroupParam("You must be a site administrator to add users to groups.")
	if rep != nil {
		return *rep
	}
	var body struct {
		AccountID string `json:"accountId"`
	}
	if err := c.decode(&body); err != nil || body.AccountID == "" {
		return jiraErr(400, "You must specify the accountId of the user to add.")
	}
	u := c.x.users[body.AccountID]
	if u == nil {
		return jiraErr(404, "The user with accountId '"+body.AccountID+"' does not exist.")
	}
	if c.x.inGroup(u.AccountID, g.ID) {
		return jiraErr(400, "Cannot add user. User is already a member of '"+g.Name+"'")
	}
	c.x.addMember(g, u.AccountID)
	c.audit("User added to group", "group management", AuditItem{ID: g.ID, Name: g.Name, TypeName: "GROUP"},
		AuditItem{ID: u.AccountID, Name: u.AccountID, TypeName: "USER"})
	rep2 := created(c.groupJSON(g))
	rep2.mutation = "added " + u.AccountID + " to group " + g.Name + " (" + g.ID + ")"
	return rep2
}

func hRemoveGroupUser(c *call) reply {
	g, rep := c.siteAdminGroupParam("You must be a site administrator to remove users from groups.")
	if rep != nil {
		return *rep
	}
	acct := c.q.Get("accountId")
	if acct == "" {
		return jiraErr(400, "The query parameter 'accountId' is required.")
	}
	if c.x.users[acct] == nil && !c.x.inGroup(acct, g.ID) {
		return jiraErr(404, "The user with accountId '"+acct+"' does not exist.")
	}
	if !c.x.inGroup(acct, g.ID) {
		return jiraErr(400, "Cannot remove user '"+acct+"' from group '"+g.Name+"' since user is not a member of '"+g.Name+"'")
	}
	c.x.removeMember(g, acct)
	c.audit("User removed from group", "group management", AuditItem{ID: g.ID, Name: g.Name, TypeName: "GROUP"},
		AuditItem{ID: acct, Name: acct, TypeName: "USER"})
	return reply{status: 200, raw: []byte{}, mutation: "removed " + acct + " from group " + g.Name + " (" + g.ID + ")"}
}

func hCreateGroup(c *call) reply {
	if !c.perms().SiteAdmin {
		return jiraErr(403, "You must be a site administrator to create groups.")
	}
	var body struct {
		Name string `json:"name"`
	}
	if err := c.decode(&body); err != nil || strings.TrimSpace(body.Name) == "" {
		return jiraFieldErr(400, map[string]string{"name": "You must specify a group name."})
	}
	if c.x.groupNames[strings.ToLower(body.Name)] != nil {
		return jiraFieldErr(400, map[string]string{"name": "A group with this name already exists."})
	}
	g := &Group{ID: hashUUID("created-group", c.x.t.CloudID, body.Name, c.trace), Name: body.Name}
	c.x.addGroup(g)
	if o := c.x.t.Org; o != nil && len(o.Directories) > 0 {
		mg := &ManagedGroup{ID: g.ID, Name: g.Name, DirectoryID: o.Directories[0].ID}
		o.Groups = append(o.Groups, mg)
		c.x.mgroups[mg.ID] = mg
	}
	c.audit("Group created", "group management", AuditItem{ID: g.ID, Name: g.Name, TypeName: "GROUP"})
	rep := created(c.groupJSON(g))
	rep.mutation = "created group " + g.Name + " (" + g.ID + ")"
	return rep
}

func hDeleteGroup(c *call) reply {
	g, rep := c.siteAdminGroupParam("You must be a site administrator to delete groups.")
	if rep != nil {
		return *rep
	}
	c.x.deleteGroup(g)
	c.audit("Group deleted", "group management", AuditItem{ID: g.ID, Name: g.Name, TypeName: "GROUP"})
	return reply{status: 200, raw: []byte{}, mutation: "deleted group " + g.Name + " (" + g.ID + ")"}
}
