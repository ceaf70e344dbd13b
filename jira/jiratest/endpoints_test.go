package jiratest_test

import (
	"encoding/json"
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestEndpointsSmoke calls every remaining route once and checks status and JSON shape.
func TestEndpointsSmoke(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 8)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()
	a, adm := classic(srv), admin(srv)
	j := srv.URL + "/rest/api/3"
	org := srv.AdminURL() + "/v2/orgs/" + srv.OrgID
	v1 := srv.AdminURL() + "/v1/orgs/" + srv.OrgID
	var classicP, tmP *jiratest.Project
	for _, p := range tn.Projects {
		if p.Archived || p.Deleted {
			continue
		}
		if p.Simplified && tmP == nil {
			tmP = p
		}
		if !p.Simplified && classicP == nil {
			classicP = p
		}
	}
	var victim, member *jiratest.OrgAccount
	for _, acc := range tn.Org.Accounts {
		if acc.AccountType == "atlassian" && acc.AccountID != tn.AdminAccountID && acc.Status == jiratest.StatusActive {
			if victim == nil {
				victim = acc
			} else if member == nil {
				member = acc
			}
		}
	}
	dir := tn.Org.Directories[0].ID
	steps := []struct {
		a      auth
		method string
		url    string
		body   any
		want   int
		sub    string
	}{
		{a, "GET", j + "/project?expand=lead", nil, 200, `"lead"`},
		{a, "GET", j + "/project/search?orderBy=-name&expand=description,issueTypes,url,projectKeys,insight", nil, 200, `"insight"`},
		{a, "GET", j + "/project/search?orderBy=owner&status=archived", nil, 200, `"archived":true`},
		{a, "GET", j + "/project/search?orderBy=category&typeKey=service_desk", nil, 200, `"service_desk"`},
		{a, "GET", j + "/project/search?orderBy=bogus", nil, 400, "orderBy"},
		{a, "GET", j + "/project/search?status=deleted", nil, 200, `"deleted":true`},
		{a, "GET", j + "/project/" + strings.ToLower(classicP.Key), nil, 200, `"roles"`},
		{a, "GET", j + "/project/" + classicP.ID + "/roledetails?excludeConnectAddons=true", nil, 200, `"roleConfigurable"`},
		{a, "PUT", j + "/project/" + classicP.ID + "/role/10004", map[string]any{"categorisedActors": map[string][]string{
			"atlassian-user-role-actor": {tn.AdminAccountID}}}, 200, tn.AdminAccountID},
		{a, "GET", j + "/project/" + tmP.ID + "/role/" + strconv.Itoa(int(tmP.ScopedRoles[0].ID)), nil, 200, `"type":"PROJECT"`},
		{a, "GET", j + "/role", nil, 200, `"Administrators"`},
		{a, "GET", j + "/role/" + strconv.Itoa(int(tmP.ScopedRoles[1].ID)), nil, 200, `"scope"`},
		{a, "GET", j + "/permissionscheme?expand=permissions,group", nil, 200, `"permissionSchemes"`},
		{a, "GET", j + "/project/" + classicP.Key + "/permissionscheme", nil, 200, `"name"`},
		{a, "GET", j + "/applicationrole", nil, 200, `"groupDetails"`},
		{a, "GET", j + "/applicationrole/jira-nope", nil, 404, "errorMessages"},
		{a, "GET", j + "/mypermissions?permissions=BROWSE_PROJECTS,ADMINISTER&projectKey=" + classicP.Key, nil, 200, `"havePermission":true`},
		{a, "GET", j + "/mypermissions", nil, 400, "permissions"},
		{a, "GET", j + "/permissions", nil, 200, `"USER_PICKER"`},
		{a, "GET", j + "/user/permission/search?permissions=ADMINISTER", nil, 200, tn.AdminAccountID},
		{a, "GET", j + "/user/permission/search?permissions=BROWSE_PROJECTS", nil, 400, "project"},
		{a, "GET", j + "/statuses/search?statusCategory=DONE&projectId=" + classicP.ID, nil, 200, `"DONE"`},
		{a, "GET", j + "/field", nil, 200, `"customfield_10040"`},
		{a, "GET", j + "/user?expand=groups,applicationRoles&accountId=" + url.QueryEscape(tn.AdminAccountID), nil, 200, `"applicationRoles"`},
		{a, "GET", j + "/user/bulk", nil, 400, "accountId"},
		{a, "GET", j + "/group/bulk?accessType=user&applicationKey=jira-software", nil, 200, `"values"`},
		{a, "GET", j + "/group/bulk?accessType=bogus", nil, 400, "accessType"},
		{a, "GET", srv.URL + "/rest/api/2/issue/" + tn.Issues[0].Key + "?fields=description,summary", nil, 200, `"description":"Generated issue`},
		{a, "GET", j + "/issue/NOPE-1", nil, 404, "Issue does not exist"},
		{a, "GET", j + "/nope", nil, 404, "errorMessages"},
		{a, "PATCH", j + "/myself", nil, 405, ""},
		{adm, "GET", v1, nil, 200, `"orgs"`},
		{adm, "GET", v1 + "/domains", nil, 200, `"claim"`},
		{adm, "GET", v1 + "/domains/" + tn.Org.Domains[0].ID, nil, 200, `"verified"`},
		{adm, "GET", v1 + "/domains/nope", nil, 404, "ADMIN-404"},
		{adm, "POST", v1 + "/users/search", map[string]any{"limit": 2}, 200, `"accountId"`},
		{adm, "POST", v1 + "/directory/users/" + url.PathEscape(victim.AccountID) + "/suspend-access", nil, 200, "successful"},
		{adm, "POST", v1 + "/directory/users/" + url.PathEscape(victim.AccountID) + "/restore-access", nil, 200, "successful"},
		{adm, "GET", org + "/directories", nil, 200, dir},
		{adm, "POST", org + "/directories/-/users/search", map[string]any{"limit": 5, "status": []string{"suspended", "deactivated"},
			"expand": []string{"productAccess", "groups", "counts.resources"}}, 200, `"productAccess"`},
		{adm, "GET", org + "/directories/" + dir + "/users?groupIds=" + tn.Groups[0].ID, nil, 200, `"data"`},
		{adm, "GET", org + "/directories/nope/users", nil, 404, "ADMIN-404"},
		{adm, "POST", org + "/directories/-/groups/search", map[string]any{"limit": 3, "expand": []string{"counts.users"}}, 200, `"counts"`},
		{adm, "GET", org + "/directories/-/groups?counts=true&searchTerm=team", nil, 200, `"team alpha"`},
		{adm, "GET", org + "/directories/-/groups/" + tn.Groups[2].ID, nil, 200, `"users"`},
		{adm, "GET", org + "/directories/-/groups/" + tn.Groups[2].ID + "/memberships?limit=5", nil, 200, `"accountId"`},
		{adm, "POST", org + "/directories/" + dir + "/groups", map[string]string{"name": "admin-made"}, 201, `"admin-made"`},
		{a, "GET", j + "/group/bulk?groupName=admin-made", nil, 200, `"admin-made"`},
		{adm, "DELETE", org + "/directories/-/users/" + url.PathEscape(victim.AccountID), nil, 204, ""},
		{adm, "GET", org + "/directories/-/users/" + url.PathEscape(victim.AccountID), nil, 404, "ADMIN-404-8"},
		{adm, "DELETE", v1 + "/directory/users/" + url.PathEscape(member.AccountID), nil, 204, ""},
		{adm, "GET", srv.APIRootURL() + "/users/" + url.PathEscape(tn.AdminAccountID) + "/manage", nil, 200, "lifecycle.enablement"},
		{adm, "GET", srv.APIRootURL() + "/users/nobody/manage/profile", nil, 404, "ADMIN-404-8"},
	}
	for _, s := range steps {
		resp, b := fakehttp.Do(t, s.a, s.method, s.url, s.body)
		if resp.StatusCode != s.want {
			t.Errorf("%s %s: status %d, want %d: %.300s", s.method, s.url, resp.StatusCode, s.want, b)
			continue
		}
		if len(b) > 0 && !json.Valid(b) {
			t.Errorf("%s %s: invalid JSON %.200s", s.method, s.url, b)
		}
		if s.sub != "" && !strings.Contains(string(b), s.sub) {
			t.Errorf("%s %s: body lacks %q: %.300s", s.method, s.url, s.sub, b)
		}
	}
	// Removing a user from the directory deactivates it on the site and drops its memberships.
	var ju jUser
	fakehttp.GetJSON(t, a, j+"/user?accountId="+url.QueryEscape(victim.AccountID), &ju)
	if ju.Active {
		t.Error("removed directory user still active in Jira")
	}
	var groups []jGroup
	fakehttp.GetJSON(t, a, j+"/user/groups?accountId="+url.QueryEscape(victim.AccountID), &groups)
	if len(groups) != 0 {
		t.Errorf("removed directory user still in %d groups", len(groups))
	}
}
