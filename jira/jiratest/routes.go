package jiratest

import "strings"

// route is one served endpoint.
type route struct {
	api        apiKind // apiSite for Jira routes (served on the site URL and the gateway)
	method     string
	segs       []string
	tmpl       string
	write      bool // takes the write lock; successful replies with a mutation summary are logged
	anonymous  bool // no authentication required
	basicOnly  bool // no OAuth scope: Bearer OAuth tokens are refused
	userSearch bool // shares the collective user-search bucket
	h          func(*call) reply
}

func (r *route) template(ver string) string {
	if ver == "" {
		return r.tmpl
	}
	return strings.Replace(r.tmpl, "{ver}", ver, 1)
}

type routeTable struct {
	jira, admin, user, edge []*route
}

func (t *routeTable) add(api apiKind, method, tmpl string, h func(*call) reply, flags ...string) {
	r := &route{api: api, method: method, tmpl: tmpl, segs: strings.Split(strings.Trim(tmpl, "/"), "/"), h: h}
	for _, f := range flags {
		switch f {
		case "write":
			r.write = true
		case "anonymous":
			r.anonymous = true
		case "basic":
			r.basicOnly = true
		case "user-search":
			r.userSearch = true
		}
	}
	switch api {
	case apiSite:
		t.jira = append(t.jira, r)
	case apiAdmin:
		t.admin = append(t.admin, r)
	case apiUserMgmt:
		t.user = append(t.user, r)
	case apiEdge:
		t.edge = append(t.edge, r)
	}
}

// prefixed returns a registrar for the routes of api below prefix.
func (t *routeTable) prefixed(api apiKind, prefix string) func(method, path string, h func(*call) reply, flags ...string) {
	return func(method, path string, h func(*call) reply, flags ...string) {
		t.add(api, method, prefix+path, h, flags...)
	}
}

// match finds the route for method and path segments. pathOK reports that the path exists for another method.
func (t *routeTable) match(api apiKind, method string, segs []string) (best *route, params map[string]string, pathOK bool) {
	var list []*route
	switch api {
	case apiSite, apiGateway:
		list = t.jira
	case apiAdmin:
		list = t.admin
	case apiUserMgmt:
		list = t.user
	case apiEdge:
		list = t.edge
	}
	bestScore := -1
	for _, r := range list {
		if len(r.segs) != len(segs) {
			continue
		}
		score := 0
		var p map[string]string
		matched := true
		for i, s := range r.segs {
			if strings.HasPrefix(s, "{") {
				if segs[i] == "" || (s == "{ver}" && segs[i] != "2" && segs[i] != "3") {
					matched = false
					break
				}
				if p == nil {
					p = map[string]string{}
				}
				p[strings.Trim(s, "{}")] = segs[i]
				continue
			}
			if s != segs[i] {
				matched = false
				break
			}
			score++
		}
		if !matched {
			continue
		}
		if r.method != method {
			pathOK = true
			continue
		}
		if score > bestScore {
			best, params, bestScore = r, p, score
		}
	}
	if best != nil {
		pathOK = false
	}
	return best, params, pathOK
}

func buildRoutes() routeTable {
	var t routeTable
	j := t.prefixed(apiSite, "/rest/api/{ver}")
	t.add(apiEdge, "GET", "/_edge/tenant_info", hTenantInfo, "anonymous")

	j("GET", "/myself", hMyself)
	j("GET", "/serverInfo", hServerInfo, "anonymous")
	j("GET", "/users/search", hUsersSearch)
	j("GET", "/users", hUsersSearch)
	j("GET", "/user", hUser)
	j("POST", "/user", hCreateUser, "write", "basic")
	j("DELETE", "/user", hDeleteUser, "write", "basic")
	j("GET", "/user/search", hUserSearch, "user-search")
	j("GET", "/user/bulk", hUserBulk)
	j("GET", "/user/groups", hUserGroups)
	j("GET", "/user/viewissue/search", hViewIssueSearch, "user-search")
	j("GET", "/user/permission/search", hPermissionSearch, "user-search")
	j("GET", "/mypermissions", hMyPermissions)
	j("GET", "/permissions", hPermissions)

	j("GET", "/group/bulk", hGroupBulk)
	j("GET", "/group/member", hGroupMember)
	j("POST", "/group/user", hAddGroupUser, "write")
	j("DELETE", "/group/user", hRemoveGroupUser, "write")
	j("POST", "/group", hCreateGroup, "write")
	j("DELETE", "/group", hDeleteGroup, "write")

	j("GET", "/project/search", hProjectSearch)
	j("GET", "/project", hProjectList)
	j("GET", "/project/{projectIdOrKey}", hProject)
	j("PUT", "/project/{projectIdOrKey}", hUpdateProject, "write")
	j("GET", "/project/{projectIdOrKey}/role", hProjectRoles)
	j("GET", "/project/{projectIdOrKey}/roledetails", hProjectRoleDetails)
	j("GET", "/project/{projectIdOrKey}/role/{id}", hProjectRole)
	j("POST", "/project/{projectIdOrKey}/role/{id}", hAddRoleActors, "write")
	j("PUT", "/project/{projectIdOrKey}/role/{id}", hSetRoleActors, "write")
	j("DELETE", "/project/{projectIdOrKey}/role/{id}", hRemoveRoleActor, "write")
	j("GET", "/project/{projectIdOrKey}/permissionscheme", hProjectPermissionScheme)
	j("GET", "/role", hRoles)
	j("GET", "/role/{id}", hRole)
	j("GET", "/permissionscheme", hPermissionSchemes)
	j("GET", "/permissionscheme/{schemeId}", hPermissionScheme)
	j("GET", "/applicationrole", hApplicationRoles, "basic")
	j("GET", "/applicationrole/{key}", hApplicationRole, "basic")

	j("POST", "/issue", hCreateIssue, "write")
	j("GET", "/issue/{issueIdOrKey}", hGetIssue)
	j("PUT", "/issue/{issueIdOrKey}", hEditIssue, "write")
	j("GET", "/issue/{issueIdOrKey}/transitions", hTransitions)
	j("POST", "/issue/{issueIdOrKey}/transitions", hDoTransition, "write")
	j("GET", "/issue/createmeta/{projectIdOrKey}/issuetypes", hCreateMetaTypes)
	j("GET", "/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}", hCreateMetaFields)
	j("GET", "/field", hFields)
	ticketRoutes(j)
	j("GET", "/statuses/search", hStatusesSearch)
	j("GET", "/auditing/record", hAudit)
	j("GET", "/search", hSearchGone)
	j("POST", "/search", hSearchGone)

	v1 := t.prefixed(apiAdmin, "/admin/v1/orgs/{orgId}")
	v2 := t.prefixed(apiAdmin, "/admin/v2/orgs/{orgId}")
	dir := t.prefixed(apiAdmin, "/admin/v2/orgs/{orgId}/directories/{directoryId}")
	t.add(apiAdmin, "GET", "/admin/v1/orgs", hOrgs)
	v1("GET", "", hOrg)
	v1("GET", "/users", hV1Users)
	v1("POST", "/users/search", hV1UsersSearch)
	v1("GET", "/domains", hDomains)
	v1("GET", "/domains/{domainId}", hDomain)
	v1("GET", "/directory/users/{accountId}/last-active-dates", hLastActive)
	v1("POST", "/directory/users/{accountId}/suspend-access", hV1Suspend, "write")
	v1("POST", "/directory/users/{accountId}/restore-access", hV1Restore, "write")
	v1("DELETE", "/directory/users/{accountId}", hV1RemoveUser, "write")
	v2("POST", "/workspaces", hWorkspaces)
	v2("GET", "/directories", hDirectories)
	dir("GET", "/users", hV2Users)
	dir("POST", "/users/search", hV2UsersSearch)
	dir("GET", "/users/{accountId}", hV2User)
	dir("DELETE", "/users/{accountId}", hV2RemoveUser, "write")
	dir("POST", "/users/{accountId}/suspend", hV2Suspend, "write")
	dir("POST", "/users/{accountId}/restore", hV2Restore, "write")
	dir("GET", "/groups", hV2Groups)
	dir("POST", "/groups/search", hV2GroupsSearch)
	dir("POST", "/groups", hV2CreateGroup, "write")
	dir("GET", "/groups/{groupId}", hV2Group)
	dir("DELETE", "/groups/{groupId}", hV2DeleteGroup, "write")
	dir("GET", "/groups/{groupId}/memberships", hV2Memberships)
	dir("POST", "/groups/{groupId}/memberships", hV2AddMembership, "write")
	dir("DELETE", "/groups/{groupId}/memberships/{accountId}", hV2RemoveMembership, "write")

	addServiceDeskRoutes(&t)

	u := t.prefixed(apiUserMgmt, "/users/{accountId}/manage")
	u("GET", "", hManage)
	u("GET", "/profile", hManageProfile)
	u("POST", "/lifecycle/disable", hLifecycleDisable, "write")
	u("POST", "/lifecycle/enable", hLifecycleEnable, "write")
	return t
}
