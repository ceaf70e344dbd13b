package jiratest

import (
	"net/mail"
	"slices"
	"strings"
)

func (c *call) perms() Permissions {
	if c.caller == nil {
		return Permissions{}
	}
	return c.caller.perms
}

func (c *call) canBrowseUsers() bool {
	p := c.perms()
	return p.BrowseUsersAndGroups || p.AdministerJira || p.SiteAdmin
}

// userSearchWindow is how many users the user-search endpoints reach: only the first 1000.
const userSearchWindow = 1000

var (
	errNoBrowseUsers = "You do not have the permission to browse users and groups."
	errNotAdmin      = "You are not authorized to perform this operation. Please contact your Jira administrators."
)

func hTenantInfo(c *call) reply {
	return ok(map[string]string{"cloudId": c.x.t.CloudID})
}

func hServerInfo(c *call) reply {
	base := "https://" + c.x.t.SiteHost
	return ok(map[string]any{
		"baseUrl":        base,
		"displayUrl":     base,
		"version":        "1001.0.0-SNAPSHOT",
		"versionNumbers": []int{1001, 0, 0},
		"deploymentType": "Cloud",
		"buildNumber":    100291,
		"buildDate":      "2026-05-28T00:00:00.000+0000",
		"serverTime":     jiraTime(c.now),
		"scmInfo":        "3d8f8b1c0e7a5f2b9c4d6e1a0b3c5d7e9f1a2b4c",
		"serverTitle":    c.x.t.ServerTitle,
		"defaultLocale":  map[string]string{"locale": "en_US"},
		"serverTimeZone": "Etc/UTC",
	})
}

func hMyself(c *call) reply {
	if c.user == nil {
		return jiraErr(401, "You are not authenticated. Authentication required to perform this operation.")
	}
	j := c.userJSON(c.user, true)
	c.expandUser(&j, c.user, c.q.Get("expand"))
	return ok(j)
}

// hUsersSearch serves /users/search and /users: every account in site order, default 50, silently capped at 1000.
func hUsersSearch(c *call) reply {
	if !c.canBrowseUsers() {
		return jiraErr(403, errNoBrowseUsers)
	}
	start, limit, bad := c.paging(50, 1000)
	if bad != nil {
		return *bad
	}
	return ok(renderWindow(c.x.t.Users, start, limit, c.listedUser))
}

// listedUser renders u as the user lists do (User, with the locale).
func (c *call) listedUser(u *User) jUser { return c.userJSON(u, true) }

// userQuery resolves the required accountId query parameter.
func (c *call) userQuery() (*User, *reply) {
	id := c.q.Get("accountId")
	if id == "" {
		r := jiraErr(400, "The query parameter 'accountId' is required.")
		return nil, &r
	}
	u := c.x.users[id]
	if u == nil {
		r := jiraErr(404, "Specified user does not exist or you do not have required permissions")
		return nil, &r
	}
	return u, nil
}

func hUser(c *call) reply {
	if !c.canBrowseUsers() {
		return jiraErr(403, errNoBrowseUsers)
	}
	u, rep := c.userQuery()
	if rep != nil {
		return *rep
	}
	j := c.userJSON(u, true)
	c.expandUser(&j, u, c.q.Get("expand"))
	return ok(j)
}

var validProducts = []string{ProductJiraCore, ProductJiraServiceDesk, ProductJiraProductDiscovery, ProductJiraSoftware}

// hCreateUser invites a user: emailAddress must be a bare RFC 5322 address (400 field error otherwise); products is
// required ([] = no product access); an existing user with Jira access is returned with 201; an existing user without
// access and no products requested gets 400. An account created by a caller who is not a site administrator (a
// product admin with Administer Jira) is created inactive, suspended in the organization, as Atlassian's knowledge
// base documents ("Invited User's account marked as suspended": product admins cannot manage licenses).
func hCreateUser(c *call) reply {
	if !c.perms().AdministerJira {
		return jiraErr(403, errNotAdmin)
	}
	var body struct {
		EmailAddress string    `json:"emailAddress"`
		Products     *[]string `json:"products"`
	}
	if err := c.decode(&body); err != nil {
		return jiraErr(400, "Invalid request payload. Refer to the REST API documentation and try again.")
	}
	if a, err := mail.ParseAddress(body.EmailAddress); err != nil || a.Address != body.EmailAddress {
		return jiraFieldErr(400, map[string]string{"emailAddress": "You must specify a valid email address."})
	}
	if body.Products == nil {
		return jiraFieldErr(400, map[string]string{"products": "You must specify the products the user should get access to."})
	}
	for _, p := range *body.Products {
		if !slices.Contains(validProducts, p) || c.x.appRoles[p] == nil {
			return jiraFieldErr(400, map[string]string{"products": "Invalid product key: " + p})
		}
	}
	grant := func(u *User) []string {
		var added []string
		for _, key := range *body.Products {
			a := c.x.appRoles[key]
			if c.x.hasProduct(u.AccountID, key) {
				continue
			}
			for _, gid := range a.DefaultGroupIDs {
				if g := c.x.groups[gid]; g != nil {
					c.x.addMember(g, u.AccountID)
					added = append(added, g.Name)
				}
			}
		}
		return added
	}
	if u := c.x.emails[strings.ToLower(body.EmailAddress)]; u != nil {
		hadAccess := c.x.hasProduct(u.AccountID, "")
		if !hadAccess && len(*body.Products) == 0 {
			return jiraErr(400, "The user already exists and has no access to Jira & no new jira-products are requested.")
		}
		added := grant(u)
		j := c.userJSON(u, true)
		rep := created(j)
		if len(added) > 0 {
			rep.mutation = "granted " + strings.Join(*body.Products, ",") + " to existing user " + u.AccountID
			c.audit("User added to group", "group management", AuditItem{ID: u.AccountID, Name: u.AccountID, TypeName: "USER"})
		}
		return rep
	}
	local, domain, _ := strings.Cut(body.EmailAddress, "@")
	siteAdmin := c.perms().SiteAdmin
	u := &User{AccountID: NewAccountID(strings.ToLower(body.EmailAddress)), AccountType: AccountTypeAtlassian,
		DisplayName: local, Email: body.EmailAddress, Active: siteAdmin, TimeZone: "Etc/UTC", Locale: "en_US"}
	c.x.addUser(u)
	grant(u)
	if o := c.x.t.Org; o != nil && len(o.Directories) > 0 {
		claim := "unmanaged"
		for _, d := range o.Domains {
			if strings.EqualFold(d.Name, domain) && d.ClaimStatus == "verified" {
				claim = "managed"
			}
		}
		a := &OrgAccount{AccountID: u.AccountID, AccountType: AccountTypeAtlassian, Name: local, Nickname: local,
			Email: body.EmailAddress, Status: StatusActive, AccountStatus: "active", ClaimStatus: claim,
			DirectoryID: o.Directories[0].ID, AddedToOrg: c.now.UTC(), ManagementSource: "invited"}
		for _, w := range o.Workspaces {
			if w.CloudID == c.x.t.CloudID && w.IsJira() {
				for _, key := range *body.Products {
					if w.TypeKey == key || (key == ProductJiraCore && w.TypeKey == ProductJiraSoftware) {
						a.ProductAccess = append(a.ProductAccess, ProductAccess{Key: w.TypeKey, ResourceID: w.ID})
					}
				}
			}
		}
		if !siteAdmin {
			a.Status = StatusSuspended
		}
		o.Accounts = append(o.Accounts, a)
		c.x.accounts[a.AccountID] = a
	}
	c.audit("User created", "user management", AuditItem{ID: u.AccountID, Name: u.AccountID, TypeName: "USER"})
	rep := created(c.userJSON(u, true))
	rep.mutation = "created user " + u.AccountID + " <" + body.EmailAddress + "> products=" + strings.Join(*body.Products, ",")
	if !siteAdmin {
		rep.mutation += " (suspended: invited by a product admin)"
	}
	return rep
}

func hDeleteUser(c *call) reply {
	if !c.perms().SiteAdmin {
		return jiraErr(403, "Only site administrators can remove users.")
	}
	u, bad := c.userQuery()
	if bad != nil {
		return *bad
	}
	id := u.AccountID
	if id == c.x.t.AdminAccountID {
		return jiraErr(400, "You cannot delete yourself.")
	}
	c.x.removeUser(u)
	c.audit("User deleted", "user management", AuditItem{ID: id, Name: id, TypeName: "USER"})
	rep := noContent()
	rep.mutation = "removed user " + id + " from the site"
	return rep
}

// matchQuery is Jira's user-search match: prefix of the display name, any name word, or the visible email.
// "", "." and "*" match everybody (clients use "." to list all users).
func matchQuery(u *User, q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" || q == "." || q == "*" {
		return true
	}
	name := strings.ToLower(u.DisplayName)
	if strings.HasPrefix(name, q) {
		return true
	}
	for _, w := range strings.Fields(name) {
		if strings.HasPrefix(w, q) {
			return true
		}
	}
	return strings.HasPrefix(strings.ToLower(u.VisibleEmail()), q)
}

// hUserSearch: active users only, filtered, then the window startAt..startAt+maxResults of the first 1000 matches.
// Without permission it answers an empty list.
func hUserSearch(c *call) reply {
	_, hasQ := c.q["query"]
	acct := c.q.Get("accountId")
	if !hasQ && acct == "" && c.q.Get("property") == "" {
		return jiraErr(400, "One of 'query', 'accountId' or 'property' query parameters must be provided.")
	}
	start, limit, bad := c.paging(50, 1000)
	if bad != nil {
		return *bad
	}
	out := []jUser{}
	if !c.canBrowseUsers() {
		return ok(out)
	}
	var matches []*User
	for _, u := range c.x.activeUsers() {
		if acct != "" && u.AccountID != acct {
			continue
		}
		if hasQ && !matchQuery(u, c.q.Get("query")) {
			continue
		}
		matches = append(matches, u)
		if len(matches) == userSearchWindow {
			break
		}
	}
	return ok(renderWindow(matches, start, limit, c.listedUser))
}

func hUserBulk(c *call) reply {
	ids := c.q["accountId"]
	if len(ids) == 0 {
		return jiraErr(400, "At least one accountId is required.")
	}
	start, limit, bad := c.paging(10, 200)
	if bad != nil {
		return *bad
	}
	var found []jUser
	if c.canBrowseUsers() {
		seen := map[string]bool{}
		for _, id := range ids {
			if u := c.x.users[id]; u != nil && !seen[id] {
				seen[id] = true
				found = append(found, c.userJSON(u, true))
			}
		}
	}
	return ok(pageOf(c, found, start, limit))
}

func hUserGroups(c *call) reply {
	if !c.canBrowseUsers() {
		return jiraErr(403, errNoBrowseUsers)
	}
	u, rep := c.userQuery()
	if rep != nil {
		return *rep
	}
	out := []jGroupName{}
	for _, g := range c.x.userGroupList(u.AccountID) {
		out = append(out, c.groupName(g))
	}
	return ok(out)
}

// windowUsers returns the active users in the window [start, start+limit) of the first 1000, the population the
// viewissue and permission searches scan before filtering.
func (c *call) windowUsers(start, limit int) []*User {
	pop := c.x.activeUsers()
	end := min(start+limit, len(pop), userSearchWindow)
	if start >= end {
		return nil
	}
	return pop[start:end]
}

// hViewIssueSearch scans the window startAt..startAt+maxResults of the first 1000 site users, then keeps those
// matching the query with Browse Projects: pages are usually shorter than maxResults.
func hViewIssueSearch(c *call) reply {
	_, hasQ := c.q["query"]
	acct := c.q.Get("accountId")
	if !hasQ && acct == "" {
		return jiraErr(400, "Either 'query' or 'accountId' must be provided.")
	}
	p, rep := c.projectForUserSearch()
	if rep != nil {
		return *rep
	}
	start, limit, bad := c.paging(50, 1000)
	if bad != nil {
		return *bad
	}
	out := []jUser{}
	if !c.canBrowseUsers() {
		return ok(out)
	}
	for _, u := range c.windowUsers(start, limit) {
		if (acct != "" && u.AccountID != acct) || (hasQ && !matchQuery(u, c.q.Get("query"))) {
			continue
		}
		if c.x.hasProjectPermission(u, p, PermBrowseProjects) {
			out = append(out, c.userJSON(u, true))
		}
	}
	return ok(out)
}

func (c *call) projectForUserSearch() (*Project, *reply) {
	if key := c.q.Get("issueKey"); key != "" {
		is := c.x.issues[strings.ToUpper(key)]
		if is == nil {
			r := jiraErr(404, "Issue does not exist or you do not have permission to see it.")
			return nil, &r
		}
		return c.x.projects[is.ProjectID], nil
	}
	if key := c.q.Get("projectKey"); key != "" {
		p := c.x.project(key)
		if p == nil || p.Deleted {
			r := jiraErr(404, "No project could be found with key '"+key+"'.")
			return nil, &r
		}
		return p, nil
	}
	r := jiraErr(400, "Either 'projectKey' or 'issueKey' must be provided.")
	return nil, &r
}

type permDef struct {
	key, id, name, typ, desc string
}

var permissionCatalog = []permDef{
	{PermAdminister, "0", "Administer Jira", "GLOBAL", "Create and administer projects, issue types, fields, workflows, and schemes for all projects."},
	{PermSystemAdmin, "44", "Jira System Administrators", "GLOBAL", "Ability to perform all administration functions."},
	{PermUserPicker, "27", "Browse users and groups", "GLOBAL", "View and select users or groups from the user picker."},
	{PermBrowseProjects, "10", "Browse Projects", "PROJECT", "Ability to browse projects and the issues within them."},
	{PermCreateIssues, "11", "Create Issues", "PROJECT", "Ability to create issues."},
	{PermEditIssues, "12", "Edit Issues", "PROJECT", "Ability to edit issues."},
	{PermAssignIssues, "13", "Assign Issues", "PROJECT", "Ability to assign issues to other people."},
	{PermAssignableUser, "17", "Assignable User", "PROJECT", "Users with this permission may be assigned to issues."},
	{PermAdministerProjects, "23", "Administer Projects", "PROJECT", "Ability to administer a project in Jira."},
	{PermTransitionIssues, "46", "Transition Issues", "PROJECT", "Ability to transition issues."},
}

func permByKey(k string) *permDef {
	for i := range permissionCatalog {
		if permissionCatalog[i].key == k {
			return &permissionCatalog[i]
		}
	}
	return nil
}

// userHas evaluates one permission for u (project-level ones need p).
func (c *call) userHas(u *User, p *Project, perm *permDef) bool {
	if perm.typ == "GLOBAL" {
		return c.x.hasGlobalPermission(u, perm.key)
	}
	return p != nil && c.x.hasProjectPermission(u, p, perm.key)
}

func parsePerms(s string) ([]*permDef, *reply) {
	var out []*permDef
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		d := permByKey(k)
		if d == nil {
			r := jiraErr(400, "Unrecognized permission key: "+k)
			return nil, &r
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		r := jiraErr(400, "The 'permissions' query parameter is required.")
		return nil, &r
	}
	return out, nil
}

func hPermissionSearch(c *call) reply {
	if !c.canBrowseUsers() {
		return jiraErr(403, errNoBrowseUsers)
	}
	perms, rep := parsePerms(c.q.Get("permissions"))
	if rep != nil {
		return *rep
	}
	var p *Project
	if c.q.Get("projectKey") != "" || c.q.Get("issueKey") != "" {
		if p, rep = c.projectForUserSearch(); rep != nil {
			return *rep
		}
	} else {
		for _, d := range perms {
			if d.typ == "PROJECT" {
				return jiraErr(400, "A project or issue is required to check project permissions.")
			}
		}
	}
	start, limit, bad := c.paging(50, 1000)
	if bad != nil {
		return *bad
	}
	_, hasQ := c.q["query"]
	acct := c.q.Get("accountId")
	out := []jUser{}
	for _, u := range c.windowUsers(start, limit) {
		if (acct != "" && u.AccountID != acct) || (hasQ && !matchQuery(u, c.q.Get("query"))) {
			continue
		}
		all := true
		for _, d := range perms {
			if !c.userHas(u, p, d) {
				all = false
				break
			}
		}
		if all {
			out = append(out, c.userJSON(u, true))
		}
	}
	return ok(out)
}

type jPermission struct {
	ID             string `json:"id"`
	Key            string `json:"key"`
	Name           string `json:"name"`
	Type           string `json:"type"`
	Description    string `json:"description"`
	HavePermission *bool  `json:"havePermission,omitempty"`
}

// callerHas evaluates a permission for the caller: the credential's rights for global permissions, the permission
// scheme for project ones (Jira administrators see every project).
func (c *call) callerHas(p *Project, d *permDef) bool {
	if c.user == nil {
		return false
	}
	switch d.key {
	case PermAdminister:
		return c.perms().AdministerJira
	case PermSystemAdmin:
		return c.perms().SiteAdmin
	case PermUserPicker:
		return c.canBrowseUsers()
	}
	if p == nil {
		return false
	}
	if d.key == PermBrowseProjects && c.perms().AdministerJira {
		return true
	}
	return c.x.hasProjectPermission(c.user, p, d.key)
}

func hMyPermissions(c *call) reply {
	perms, rep := parsePerms(c.q.Get("permissions"))
	if rep != nil {
		return *rep
	}
	var p *Project
	if k := c.q.Get("projectKey"); k != "" {
		if p = c.x.project(k); p == nil {
			return jiraErr(404, "No project could be found with key '"+k+"'.")
		}
	} else if id := c.q.Get("projectId"); id != "" {
		if p = c.x.project(id); p == nil {
			return jiraErr(404, "No project could be found with id '"+id+"'.")
		}
	} else if k := c.q.Get("issueKey"); k != "" {
		is := c.x.issues[strings.ToUpper(k)]
		if is == nil {
			return jiraErr(404, "Issue does not exist or you do not have permission to see it.")
		}
		p = c.x.projects[is.ProjectID]
	}
	out := map[string]jPermission{}
	for _, d := range perms {
		have := c.callerHas(p, d)
		out[d.key] = jPermission{ID: d.id, Key: d.key, Name: d.name, Type: d.typ, Description: d.desc, HavePermission: &have}
	}
	return ok(map[string]any{"permissions": out})
}

func hPermissions(c *call) reply {
	if !c.perms().AdministerJira {
		return jiraErr(403, errNotAdmin)
	}
	out := map[string]jPermission{}
	for _, d := range permissionCatalog {
		out[d.key] = jPermission{ID: d.id, Key: d.key, Name: d.name, Type: d.typ, Description: d.desc}
	}
	return ok(map[string]any{"permissions": out})
}

// audit appends a Jira audit record (callers hold the write lock).
func (c *call) audit(summary, category string, object AuditItem, associated ...AuditItem) {
	c.s.statMu.Lock()
	c.s.auditSeq++
	id := c.s.auditSeq
	c.s.statMu.Unlock()
	author := ""
	if c.caller != nil {
		author = c.caller.accountID
	}
	c.x.t.Audit = append(c.x.t.Audit, &AuditRecord{ID: id, Summary: summary, Category: category,
		EventSource: "", Created: c.now.UTC(), AuthorAccountID: author, RemoteAddress: "127.0.0.1",
		ObjectItem: object, AssociatedItems: associated})
}
