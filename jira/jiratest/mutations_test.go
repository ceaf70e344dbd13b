package jiratest_test

import (
	"encoding/json"
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

func findGroup(tn *jiratest.Tenant, name string) *jiratest.Group {
	for _, g := range tn.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

func TestGroupMembershipMutations(t *testing.T) {
	t.Parallel()
	srv, a, base := smallSite(t)
	snap := srv.Snapshot()
	g := findGroup(snap, "Ops + SRE")
	var user string
	for _, u := range snap.Users {
		if u.Active && u.AccountType == "atlassian" && !slices.Contains(g.Members, u.AccountID) {
			user = u.AccountID
			break
		}
	}
	members := func() []string {
		var ids []string
		for _, m := range fakehttp.WalkPageBean[jUser](t, a, base+"/group/member?includeInactiveUsers=true&groupId="+g.ID) {
			ids = append(ids, m.AccountID)
		}
		return ids
	}
	before := members()
	resp, b := fakehttp.Do(t, a, "POST", base+"/group/user?groupId="+g.ID, map[string]string{"accountId": user})
	fakehttp.WantStatus(t, resp, b, 201)
	wantContains(t, b, `"groupId":"`+g.ID+`"`)
	if after := members(); len(after) != len(before)+1 || !slices.Contains(after, user) {
		t.Fatalf("member not added: %d → %d", len(before), len(after))
	}
	resp, b = fakehttp.Do(t, a, "POST", base+"/group/user?groupId="+g.ID, map[string]string{"accountId": user})
	fakehttp.WantStatus(t, resp, b, 400)
	wantContains(t, b, "User is already a member of")
	var groups []jGroup
	fakehttp.GetJSON(t, a, base+"/user/groups?accountId="+url.QueryEscape(user), &groups)
	if !slices.ContainsFunc(groups, func(x jGroup) bool { return x.GroupID == g.ID }) {
		t.Error("user/groups does not show the new group")
	}
	resp, b = fakehttp.Do(t, a, "DELETE", base+"/group/user?groupId="+g.ID+"&accountId="+url.QueryEscape(user), nil)
	fakehttp.WantStatus(t, resp, b, 200)
	resp, b = fakehttp.Do(t, a, "DELETE", base+"/group/user?groupId="+g.ID+"&accountId="+url.QueryEscape(user), nil)
	fakehttp.WantStatus(t, resp, b, 400)
	wantContains(t, b, "not a member of")
	resp, b = fakehttp.Do(t, a, "POST", base+"/group/user?groupId=nope", map[string]string{"accountId": user})
	fakehttp.WantStatus(t, resp, b, 404)
	resp, b = fakehttp.Do(t, a, "GET", base+"/group/member?groupId="+g.ID+"&groupname=x", nil)
	fakehttp.WantStatus(t, resp, b, 400)

	// Group create / delete.
	resp, b = fakehttp.Do(t, a, "POST", base+"/group", map[string]string{"name": "new / shiny & team"})
	fakehttp.WantStatus(t, resp, b, 201)
	var created jGroup
	mustUnmarshal(t, b, &created)
	resp, b = fakehttp.Do(t, a, "POST", base+"/group", map[string]string{"name": "NEW / shiny & team"})
	fakehttp.WantStatus(t, resp, b, 400)
	var gb fakehttp.PageBean[jGroup]
	fakehttp.GetJSON(t, a, base+"/group/bulk?groupName="+url.QueryEscape("new / shiny & team"), &gb)
	if len(gb.Values) != 1 || gb.Values[0].GroupID != created.GroupID {
		t.Errorf("created group not listed: %+v", gb.Values)
	}
	resp, b = fakehttp.Do(t, a, "DELETE", base+"/group?groupId="+created.GroupID, nil)
	fakehttp.WantStatus(t, resp, b, 200)
	resp, b = fakehttp.Do(t, a, "GET", base+"/group/member?groupId="+created.GroupID, nil)
	fakehttp.WantStatus(t, resp, b, 404)

	log := srv.MutationLog()
	if len(log) != 4 {
		t.Fatalf("mutation log has %d entries, want 4: %+v", len(log), log)
	}
	if log[0].Route != "POST /rest/api/3/group/user" || !strings.Contains(log[0].Summary, user) {
		t.Errorf("first mutation %+v", log[0])
	}
	st := srv.Stats()
	if st.Mutations != 4 || st.Routes["POST /rest/api/3/group/user"] != 3 {
		t.Errorf("stats %+v", st)
	}
	var audit struct {
		Total   int `json:"total"`
		Records []struct {
			Summary string `json:"summary"`
		} `json:"records"`
	}
	fakehttp.GetJSON(t, a, base+"/auditing/record?limit=2", &audit)
	if audit.Total != 4 || len(audit.Records) != 2 || audit.Records[0].Summary != "Group deleted" {
		t.Errorf("audit %+v", audit)
	}
}

func TestRoleActorMutations(t *testing.T) {
	t.Parallel()
	srv, a, base := smallSite(t)
	snap := srv.Snapshot()
	var p *jiratest.Project
	for _, x := range snap.Projects {
		if !x.Simplified && !x.Archived && !x.Deleted {
			p = x
			break
		}
	}
	var user, inactive string
	for _, u := range snap.Users {
		if u.AccountType != "atlassian" || u.Former {
			continue
		}
		if u.Active && user == "" && !slices.Contains(p.Actors(jiratest.RoleViewer).Users, u.AccountID) {
			user = u.AccountID
		}
		if !u.Active && inactive == "" {
			inactive = u.AccountID
		}
	}
	roleURL := base + "/project/" + p.Key + "/role/10004"
	type actor struct {
		DisplayName string
		Type        string
		ActorUser   *struct{ AccountID string }
		ActorGroup  *struct{ GroupID string }
	}
	type role struct {
		ID     int64   `json:"id"`
		Actors []actor `json:"actors"`
	}
	resp, b := fakehttp.Do(t, a, "POST", roleURL, map[string][]string{"user": {user}})
	fakehttp.WantStatus(t, resp, b, 200)
	var r role
	fakehttp.GetJSON(t, a, roleURL, &r)
	if !slices.ContainsFunc(r.Actors, func(x actor) bool { return x.ActorUser != nil && x.ActorUser.AccountID == user }) {
		t.Fatal("user actor not added")
	}
	for i := 1; i < len(r.Actors); i++ {
		if strings.ToLower(r.Actors[i-1].DisplayName) > strings.ToLower(r.Actors[i].DisplayName) {
			t.Errorf("actors not sorted by display name")
		}
	}
	resp, b = fakehttp.Do(t, a, "POST", roleURL, map[string][]string{"user": {user}})
	fakehttp.WantStatus(t, resp, b, 400)
	wantContains(t, b, "already a member of the project role.")
	resp, b = fakehttp.Do(t, a, "POST", roleURL, map[string][]string{"user": {inactive}})
	fakehttp.WantStatus(t, resp, b, 404)
	team := findGroup(snap, "team alpha")
	resp, b = fakehttp.Do(t, a, "POST", roleURL, map[string][]string{"group": {"team alpha"}})
	if resp.StatusCode != 200 && !strings.Contains(string(b), "already a member") {
		t.Fatalf("add group by name: %d %s", resp.StatusCode, b)
	}
	resp, b = fakehttp.Do(t, a, "DELETE", roleURL+"?groupId="+team.ID, nil)
	fakehttp.WantStatus(t, resp, b, 204)
	resp, b = fakehttp.Do(t, a, "DELETE", roleURL+"?user="+url.QueryEscape(user), nil)
	fakehttp.WantStatus(t, resp, b, 204)
	resp, b = fakehttp.Do(t, a, "DELETE", roleURL+"?user="+url.QueryEscape(user), nil)
	fakehttp.WantStatus(t, resp, b, 404)
	// A global role is not a role of a team-managed project.
	for _, x := range snap.Projects {
		if x.Simplified && !x.Archived && !x.Deleted {
			resp, b = fakehttp.Do(t, a, "GET", base+"/project/"+x.ID+"/role/10002", nil)
			fakehttp.WantStatus(t, resp, b, 404)
			var roles map[string]string
			fakehttp.GetJSON(t, a, base+"/project/"+x.ID+"/role", &roles)
			if _, ok := roles["Administrators"]; ok || len(roles) != len(x.ScopedRoles) {
				t.Errorf("team-managed roles %v", roles)
			}
			break
		}
	}
	if n := len(srv.MutationLog()); n < 3 {
		t.Errorf("mutation log %d", n)
	}
}

func TestCreateAndDeleteUser(t *testing.T) {
	t.Parallel()
	srv, a, base := smallSite(t)
	resp, b := fakehttp.Do(t, a, "POST", base+"/user", map[string]any{"emailAddress": "new.person@acme.example"})
	fakehttp.WantStatus(t, resp, b, 400) // products is required
	wantContains(t, b, "products")
	resp, b = fakehttp.Do(t, a, "POST", base+"/user", map[string]any{"emailAddress": "new.person@acme.example", "products": []string{}})
	fakehttp.WantStatus(t, resp, b, 201)
	var u jUser
	mustUnmarshal(t, b, &u)
	var me struct {
		ApplicationRoles struct {
			Size int `json:"size"`
		} `json:"applicationRoles"`
	}
	fakehttp.GetJSON(t, a, base+"/user?expand=applicationRoles&accountId="+url.QueryEscape(u.AccountID), &me)
	if me.ApplicationRoles.Size != 0 {
		t.Errorf("products [] gave %d products", me.ApplicationRoles.Size)
	}
	// Existing user without access and no products: 400. With products: access granted, 201.
	resp, b = fakehttp.Do(t, a, "POST", base+"/user", map[string]any{"emailAddress": "NEW.person@acme.example", "products": []string{}})
	fakehttp.WantStatus(t, resp, b, 400)
	resp, b = fakehttp.Do(t, a, "POST", base+"/user", map[string]any{"emailAddress": "new.person@acme.example", "products": []string{"jira-software"}})
	fakehttp.WantStatus(t, resp, b, 201)
	fakehttp.GetJSON(t, a, base+"/user?expand=applicationRoles&accountId="+url.QueryEscape(u.AccountID), &me)
	if me.ApplicationRoles.Size == 0 {
		t.Error("jira-software not granted")
	}
	// Existing user with access: 201, same account.
	resp, b = fakehttp.Do(t, a, "POST", base+"/user", map[string]any{"emailAddress": srv.Email, "products": []string{}})
	fakehttp.WantStatus(t, resp, b, 201)
	wantContains(t, b, srv.Snapshot().AdminAccountID)
	resp, b = fakehttp.Do(t, a, "POST", base+"/user", map[string]any{"emailAddress": "x@acme.example", "products": []string{"jira-bogus"}})
	fakehttp.WantStatus(t, resp, b, 400)
	// The org learns about the invited account (managed: acme.example is verified).
	mgmt := srv.APIRootURL() + "/users/" + url.PathEscape(u.AccountID) + "/manage/profile"
	resp, b = fakehttp.Do(t, admin(srv), "GET", mgmt, nil)
	fakehttp.WantStatus(t, resp, b, 200)

	resp, b = fakehttp.Do(t, a, "DELETE", base+"/user?accountId="+url.QueryEscape(u.AccountID), nil)
	fakehttp.WantStatus(t, resp, b, 204)
	resp, b = fakehttp.Do(t, a, "GET", base+"/user?accountId="+url.QueryEscape(u.AccountID), nil)
	fakehttp.WantStatus(t, resp, b, 404)
	// OAuth bearer tokens cannot use the basic-auth-only user endpoints.
	resp, b = fakehttp.Do(t, bearer(srv), "POST", srv.GatewayURL()+"/rest/api/3/user", map[string]any{"emailAddress": "y@acme.example", "products": []string{}})
	fakehttp.WantStatus(t, resp, b, 401)
}

func TestIssues(t *testing.T) {
	t.Parallel()
	srv, a, base := smallSite(t)
	var p *jiratest.Project
	for _, x := range srv.Snapshot().Projects {
		if x.TypeKey == jiratest.ProjectTypeServiceDesk && !x.Archived && !x.Deleted {
			p = x
		}
	}
	fields := map[string]any{"project": map[string]string{"key": p.Key}, "issuetype": map[string]string{"id": "10005"},
		"summary": "Need access", "description": "plain text"}
	resp, b := fakehttp.Do(t, a, "POST", base+"/issue", map[string]any{"fields": fields})
	fakehttp.WantStatus(t, resp, b, 400)
	wantContains(t, b, "Atlassian Document")
	fields["description"] = map[string]any{"type": "doc", "version": 1, "content": []any{}}
	resp, b = fakehttp.Do(t, a, "POST", base+"/issue", map[string]any{"fields": fields})
	fakehttp.WantStatus(t, resp, b, 400)
	wantContains(t, b, "Field 'customfield_10040' is required")
	fields["customfield_10040"] = map[string]string{"value": "Write"}
	fields["customfield_10060"] = map[string]any{"type": "doc", "version": 1, "content": []any{}}
	fields["customfield_99999"] = "x"
	resp, b = fakehttp.Do(t, a, "POST", base+"/issue", map[string]any{"fields": fields})
	fakehttp.WantStatus(t, resp, b, 400)
	wantContains(t, b, "It is not on the appropriate screen, or unknown.")
	delete(fields, "customfield_99999")
	resp, b = fakehttp.Do(t, a, "POST", base+"/issue", map[string]any{"fields": fields})
	fakehttp.WantStatus(t, resp, b, 201)
	var ci struct{ ID, Key, Self string }
	mustUnmarshal(t, b, &ci)
	var issue struct {
		Key    string `json:"key"`
		Fields struct {
			Summary string `json:"summary"`
			Status  struct {
				ID string `json:"id"`
			} `json:"status"`
			Access json.RawMessage `json:"customfield_10040"`
		} `json:"fields"`
	}
	fakehttp.GetJSON(t, a, base+"/issue/"+strings.ToLower(ci.Key), &issue)
	if issue.Key != ci.Key || issue.Fields.Summary != "Need access" || string(issue.Fields.Access) != `{"id":"10101"}` {
		t.Errorf("issue %+v", issue)
	}
	var tr struct {
		Transitions []struct{ ID string } `json:"transitions"`
	}
	fakehttp.GetJSON(t, a, base+"/issue/"+ci.Key+"/transitions", &tr)
	resp, b = fakehttp.Do(t, a, "POST", base+"/issue/"+ci.Key+"/transitions", map[string]any{"transition": map[string]string{"id": "31"}})
	fakehttp.WantStatus(t, resp, b, 204)
	fakehttp.GetJSON(t, a, base+"/issue/"+ci.Key, &issue)
	if issue.Fields.Status.ID != "10001" {
		t.Errorf("status after transition %s", issue.Fields.Status.ID)
	}
	resp, b = fakehttp.Do(t, a, "POST", base+"/issue/"+ci.Key+"/transitions", map[string]any{"transition": map[string]string{"id": "31"}})
	fakehttp.WantStatus(t, resp, b, 400)
	resp, b = fakehttp.Do(t, a, "PUT", base+"/issue/"+ci.Key, map[string]any{"fields": map[string]any{"summary": "Renamed"}})
	fakehttp.WantStatus(t, resp, b, 204)
	fakehttp.GetJSON(t, a, base+"/issue/"+ci.ID, &issue)
	if issue.Fields.Summary != "Renamed" {
		t.Error("edit not applied")
	}
	resp, b = fakehttp.Do(t, a, "GET", base+"/search?jql=project=X", nil)
	fakehttp.WantStatus(t, resp, b, 410)
	var cm struct {
		Fields []struct {
			FieldID  string `json:"fieldId"`
			Required bool   `json:"required"`
		} `json:"fields"`
	}
	fakehttp.GetJSON(t, a, base+"/issue/createmeta/"+p.ID+"/issuetypes/10005", &cm)
	if len(cm.Fields) == 0 {
		t.Error("no createmeta fields")
	}
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 4)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()
	adm := admin(srv)
	org := srv.AdminURL() + "/v2/orgs/" + srv.OrgID

	resp, b := fakehttp.Do(t, adm, "POST", org+"/workspaces", map[string]any{"cursor": "abc", "limit": 5})
	fakehttp.WantStatus(t, resp, b, 400)
	wantContains(t, b, `"code":"ADMIN-400-24"`)
	var ws struct {
		Data []struct {
			ID         string `json:"id"`
			Attributes struct {
				TypeKey string `json:"typeKey"`
				HostURL string `json:"hostUrl"`
			} `json:"attributes"`
		} `json:"data"`
		Links struct{ Next string } `json:"links"`
	}
	resp, b = fakehttp.Do(t, adm, "POST", org+"/workspaces", map[string]any{"limit": 3})
	fakehttp.WantStatus(t, resp, b, 200)
	mustUnmarshal(t, b, &ws)
	if len(ws.Data) != 3 || ws.Links.Next == "" || strings.Contains(ws.Links.Next, "http") {
		t.Fatalf("workspaces page: %s", b)
	}
	n := 3
	for next := ws.Links.Next; next != ""; {
		resp, b = fakehttp.Do(t, adm, "POST", org+"/workspaces", map[string]any{"cursor": next})
		fakehttp.WantStatus(t, resp, b, 200)
		ws.Links.Next = ""
		mustUnmarshal(t, b, &ws)
		n += len(ws.Data)
		next = ws.Links.Next
	}
	if n != len(tn.Org.Workspaces) {
		t.Errorf("workspaces walked %d, want %d", n, len(tn.Org.Workspaces))
	}
	confOnSite := false
	for _, w := range tn.Org.Workspaces {
		if w.TypeKey == "confluence" && w.HostURL == "https://"+tn.SiteHost {
			confOnSite = true
		}
	}
	if !confOnSite {
		t.Error("no Confluence workspace on the Jira host")
	}

	// v2 users: limit default 20, cursor carries the filters, links are bare cursors.
	site := "ari:cloud:jira-software::site/" + tn.CloudID
	var page struct {
		Data []struct {
			AccountID string `json:"accountId"`
			Status    string `json:"status"`
		} `json:"data"`
		Links struct{ Self, Prev, Next string } `json:"links"`
	}
	fakehttp.GetJSON(t, adm, org+"/directories/-/users?resourceIds="+url.QueryEscape(site), &page)
	if len(page.Data) != 20 || page.Links.Next == "" || strings.Contains(page.Links.Next, "/") {
		t.Fatalf("v2 users page: %d next=%q", len(page.Data), page.Links.Next)
	}
	resp, b = fakehttp.Do(t, adm, "GET", org+"/directories/-/users?limit=101", nil)
	fakehttp.WantStatus(t, resp, b, 400)
	resp, b = fakehttp.Do(t, adm, "GET", org+"/directories/-/users?cursor=garbage", nil)
	fakehttp.WantStatus(t, resp, b, 400)
	wantContains(t, b, "ADMIN-400-1")
	resp, b = fakehttp.Do(t, adm, "POST", org+"/directories/-/users/search", map[string]any{"emails": []string{"a@b"}, "searchTerm": "x"})
	fakehttp.WantStatus(t, resp, b, 400)

	// Suspend an active managed user: Jira sees it inactive; restore brings it back.
	var target *jiratest.OrgAccount
	for _, acc := range tn.Org.Accounts {
		if acc.Status == jiratest.StatusActive && acc.ClaimStatus == "managed" && acc.AccountType == "atlassian" && acc.AccountID != tn.AdminAccountID {
			target = acc
			break
		}
	}
	resp, b = fakehttp.Do(t, adm, "POST", org+"/directories/-/users/"+url.PathEscape(target.AccountID)+"/suspend", nil)
	fakehttp.WantStatus(t, resp, b, 204)
	var ju jUser
	fakehttp.GetJSON(t, classic(srv), srv.URL+"/rest/api/3/user?accountId="+url.QueryEscape(target.AccountID), &ju)
	if ju.Active {
		t.Error("suspended account still active in Jira")
	}
	var one struct {
		Data struct {
			Status string `json:"status"`
		} `json:"data"`
	}
	fakehttp.GetJSON(t, adm, org+"/directories/-/users/"+url.PathEscape(target.AccountID), &one)
	if one.Data.Status != "suspended" {
		t.Errorf("status %q", one.Data.Status)
	}
	resp, b = fakehttp.Do(t, adm, "POST", org+"/directories/-/users/"+url.PathEscape(target.AccountID)+"/restore", nil)
	fakehttp.WantStatus(t, resp, b, 204)
	fakehttp.GetJSON(t, classic(srv), srv.URL+"/rest/api/3/user?accountId="+url.QueryEscape(target.AccountID), &ju)
	if !ju.Active {
		t.Error("restored account inactive in Jira")
	}

	// v1 users: snake_case, full-URL next link.
	var v1 struct {
		Data  []map[string]any `json:"data"`
		Meta  struct{ Total int }
		Links struct{ Next string } `json:"links"`
	}
	fakehttp.GetJSON(t, adm, srv.AdminURL()+"/v1/orgs/"+srv.OrgID+"/users", &v1)
	if len(v1.Data) == 0 || v1.Data[0]["account_id"] == nil || v1.Meta.Total == 0 {
		t.Errorf("v1 users: %+v", v1)
	}
	var la struct {
		Data struct {
			ProductAccess []struct{ Key, LastActive string } `json:"product_access"`
		} `json:"data"`
	}
	fakehttp.GetJSON(t, adm, srv.AdminURL()+"/v1/orgs/"+srv.OrgID+"/directory/users/"+url.PathEscape(tn.AdminAccountID)+"/last-active-dates", &la)
	if len(la.Data.ProductAccess) == 0 {
		t.Error("no last-active dates")
	}
	resp, b = fakehttp.Do(t, adm, "GET", srv.AdminURL()+"/v1/orgs/nope", nil)
	fakehttp.WantStatus(t, resp, b, 404)
	wantContains(t, b, "ADMIN-404-2")

	// User management: lifecycle needs a body with message; unmanaged accounts are 403.
	mgmt := srv.APIRootURL() + "/users/" + url.PathEscape(target.AccountID) + "/manage/lifecycle/disable"
	resp, b = fakehttp.Do(t, adm, "POST", mgmt, nil)
	fakehttp.WantStatus(t, resp, b, 400)
	resp, b = fakehttp.Do(t, adm, "POST", mgmt, map[string]string{"message": "offboarded"})
	fakehttp.WantStatus(t, resp, b, 204)
	fakehttp.GetJSON(t, classic(srv), srv.URL+"/rest/api/3/user?accountId="+url.QueryEscape(target.AccountID), &ju)
	if ju.Active {
		t.Error("deactivated account active in Jira")
	}
	resp, b = fakehttp.Do(t, adm, "POST", srv.APIRootURL()+"/users/"+url.PathEscape(target.AccountID)+"/manage/lifecycle/enable", nil)
	fakehttp.WantStatus(t, resp, b, 204)
	for _, acc := range tn.Org.Accounts {
		if acc.ClaimStatus == "unmanaged" {
			resp, b = fakehttp.Do(t, adm, "GET", srv.APIRootURL()+"/users/"+url.PathEscape(acc.AccountID)+"/manage/profile", nil)
			fakehttp.WantStatus(t, resp, b, 403)
			break
		}
	}

	// Group memberships through the Admin API show up in Jira.
	g := findGroup(tn, "c++ devs")
	var outsider string
	for _, acc := range tn.Org.Accounts {
		if acc.DirectoryID == tn.Org.Directories[0].ID && !slices.Contains(g.Members, acc.AccountID) && acc.AccountType == "atlassian" {
			if slices.ContainsFunc(tn.Users, func(u *jiratest.User) bool { return u.AccountID == acc.AccountID }) {
				outsider = acc.AccountID
				break
			}
		}
	}
	dir := tn.Org.Directories[0].ID
	resp, b = fakehttp.Do(t, adm, "POST", org+"/directories/"+dir+"/groups/"+g.ID+"/memberships", map[string]string{"accountId": outsider})
	fakehttp.WantStatus(t, resp, b, 204)
	members := fakehttp.WalkPageBean[jUser](t, classic(srv), srv.URL+"/rest/api/3/group/member?includeInactiveUsers=true&groupId="+g.ID)
	if !slices.ContainsFunc(members, func(u jUser) bool { return u.AccountID == outsider }) {
		t.Error("Admin membership not visible in Jira")
	}
	resp, b = fakehttp.Do(t, adm, "DELETE", org+"/directories/"+dir+"/groups/"+g.ID+"/memberships/"+url.PathEscape(outsider), nil)
	fakehttp.WantStatus(t, resp, b, 204)
	if len(srv.MutationLog()) < 6 {
		t.Errorf("mutations: %+v", srv.MutationLog())
	}
}

func TestControlEndpoints(t *testing.T) {
	t.Parallel()
	srv, _, _ := smallSite(t)
	fakehttp.Do(t, classic(srv), "GET", srv.URL+"/rest/api/3/users/search", nil)
	fakehttp.Do(t, classic(srv), "GET", srv.GatewayURL()+"/rest/api/3/users/search", nil)
	fakehttp.Do(t, scoped(srv), "GET", srv.GatewayURL()+"/rest/api/2/users/search", nil)
	var st jiratest.Stats
	fakehttp.GetJSON(t, auth{}, srv.URL+"/_jiratest/stats", &st)
	if st.Total != 3 || st.Routes["GET /rest/api/3/users/search"] != 2 || st.Routes["GET /rest/api/2/users/search"] != 1 ||
		st.Status[401] != 1 || st.Gateway != 2 || st.Site != 1 {
		t.Errorf("stats %+v", st)
	}
	resp, b := fakehttp.Do(t, auth{}, "POST", srv.URL+"/_jiratest/reset-stats", nil)
	fakehttp.WantStatus(t, resp, b, 204)
	fakehttp.GetJSON(t, auth{}, srv.URL+"/_jiratest/stats", &st)
	if st.Total != 0 {
		t.Errorf("stats after reset %+v", st)
	}
	var muts []jiratest.Mutation
	fakehttp.GetJSON(t, auth{}, srv.URL+"/_jiratest/mutations", &muts)
	if len(muts) != 0 {
		t.Errorf("mutations %+v", muts)
	}
	var sum jiratest.Summary
	fakehttp.GetJSON(t, auth{}, srv.URL+"/_jiratest/summary", &sum)
	if want := srv.Snapshot().Summary(); sum != want || sum.Users == 0 {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
}
