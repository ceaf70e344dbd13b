package jiratest_test

import (
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// PUT /project/{id} changes the lead: Administer Jira only, an active lead
// only, 200 with the project, one mutation (none when nothing changes).
func TestProjectLeadMutation(t *testing.T) {
	t.Parallel()
	srv, a, base := smallSite(t)
	snap := srv.Snapshot()
	var p *jiratest.Project
	for _, x := range snap.Projects {
		if !x.Deleted && !x.Archived {
			p = x
			break
		}
	}
	var active, inactive, customer string
	for _, u := range snap.Users {
		switch {
		case u.AccountType == jiratest.AccountTypeAtlassian && u.Active && u.AccountID != p.LeadAccountID && active == "":
			active = u.AccountID
		case u.AccountType == jiratest.AccountTypeAtlassian && !u.Active && inactive == "":
			inactive = u.AccountID
		case u.AccountType == jiratest.AccountTypeCustomer && customer == "":
			customer = u.AccountID
		}
	}
	n := len(srv.MutationLog())
	for _, bad := range []string{inactive, customer, "557058:nobody"} {
		resp, b := fakehttp.Do(t, a, "PUT", base+"/project/"+p.ID, map[string]string{"leadAccountId": bad})
		fakehttp.WantStatus(t, resp, b, 400)
		wantContains(t, b, `"projectLead"`)
	}
	browse := "browse@acme.example"
	srv.AddAccount(browse, "browse-token", jiratest.Permissions{BrowseUsersAndGroups: true})
	resp, b := fakehttp.Do(t, auth{User: browse, Pass: "browse-token"}, "PUT", base+"/project/"+p.ID, map[string]string{"leadAccountId": active})
	fakehttp.WantStatus(t, resp, b, 403)
	resp, b = fakehttp.Do(t, a, "PUT", base+"/project/99999999", map[string]string{"leadAccountId": active})
	fakehttp.WantStatus(t, resp, b, 404)
	if got := srv.MutationLog()[n:]; len(got) != 0 {
		t.Fatalf("refused updates were logged: %+v", got)
	}

	resp, b = fakehttp.Do(t, a, "PUT", base+"/project/"+p.Key, map[string]string{"leadAccountId": active})
	fakehttp.WantStatus(t, resp, b, 200)
	wantContains(t, b, `"accountId":"`+active+`"`)
	var got struct {
		Lead struct {
			AccountID string `json:"accountId"`
		} `json:"lead"`
	}
	fakehttp.GetJSON(t, a, base+"/project/"+p.ID, &got)
	if got.Lead.AccountID != active {
		t.Errorf("lead after the update: %q, want %q", got.Lead.AccountID, active)
	}
	resp, b = fakehttp.Do(t, a, "PUT", base+"/project/"+p.ID, map[string]string{"leadAccountId": active})
	fakehttp.WantStatus(t, resp, b, 200)
	log := srv.MutationLog()[n:]
	if len(log) != 1 || log[0].Route != "PUT /rest/api/3/project/{projectIdOrKey}" ||
		!strings.Contains(log[0].Summary, "changed lead of project "+p.Key+" from "+p.LeadAccountID+" to "+active) {
		t.Errorf("mutation log %+v, want one lead change", log)
	}
}

// Rate5xxAfterApply applies the write, logs it, and answers 5xx: the group
// gains the member although the client saw an error; a plain Rate5xx
// answers before the handler runs and changes nothing.
func TestFault5xxAfterApply(t *testing.T) {
	t.Parallel()
	tenant := jiratest.Generate(jiratest.Small, 4)
	var group *jiratest.Group
	var user string
	for _, g := range tenant.Groups {
		if !g.Admin && !g.SiteAdmin && group == nil {
			group = g
		}
	}
	for _, u := range tenant.Users {
		if u.AccountType == jiratest.AccountTypeAtlassian && u.Active && !u.Former && !strings.Contains(strings.Join(group.Members, " "), u.AccountID) {
			user = u.AccountID
			break
		}
	}
	route := "POST /rest/api/3/group/user"
	for name, f := range map[string]jiratest.Faults{
		"after":  {Seed: 1, Rate5xxAfterApply: 1, Routes: []string{route}},
		"before": {Seed: 1, Rate5xx: 1, Routes: []string{route}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := jiratest.NewServer(tenant, jiratest.Unlimited(), jiratest.WithFaults(f))
			t.Cleanup(srv.Close)
			resp, b := fakehttp.Do(t, classic(srv), "POST", srv.URL+"/rest/api/3/group/user?groupId="+group.ID,
				map[string]string{"accountId": user})
			if resp.StatusCode < 500 {
				t.Fatalf("status %d, want a 5xx: %s", resp.StatusCode, b)
			}
			var member bool
			for _, g := range srv.Snapshot().Groups {
				if g.ID == group.ID {
					member = strings.Contains(strings.Join(g.Members, " "), user)
				}
			}
			log := srv.MutationLog()
			if want := name == "after"; member != want || (len(log) == 1) != want {
				t.Errorf("member %t, mutation log %+v; want the write applied: %t", member, log, want)
			}
			if k := srv.Stats().FaultKinds; k["5xx-after-apply"]+k["5xx"] != 1 {
				t.Errorf("fault kinds %v, want one", k)
			}
		})
	}
}

// The Admin API documents no error for suspending a suspended account: the
// fake answers 204 and changes nothing (one mutation for two suspensions);
// suspending or restoring a deactivated account leaves it deactivated;
// deactivating twice logs one deactivation.
func TestSuspendIdempotent(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 4)
	var target, deactivated *jiratest.OrgAccount
	for _, a := range tn.Org.Accounts {
		switch {
		case target == nil && a.Status == jiratest.StatusActive && a.ClaimStatus == "managed" && a.AccountType == "atlassian" &&
			a.AccountID != tn.AdminAccountID:
			target = a
		case deactivated == nil && a.Status == jiratest.StatusDeactivated:
			deactivated = a
		}
	}
	if target == nil || deactivated == nil {
		t.Fatal("the tenant lacks an active managed or a deactivated account")
	}
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	t.Cleanup(srv.Close)
	adm := admin(srv)
	users := srv.AdminURL() + "/v2/orgs/" + srv.OrgID + "/directories/-/users/"
	for range 2 {
		resp, b := fakehttp.Do(t, adm, "POST", users+target.AccountID+"/suspend", nil)
		fakehttp.WantStatus(t, resp, b, 204)
	}
	for _, op := range []string{"suspend", "restore"} {
		resp, b := fakehttp.Do(t, adm, "POST", users+deactivated.AccountID+"/"+op, nil)
		fakehttp.WantStatus(t, resp, b, 204)
	}
	status := map[string]string{}
	for _, a := range srv.Snapshot().Org.Accounts {
		status[a.AccountID] = a.Status
	}
	if status[target.AccountID] != jiratest.StatusSuspended || status[deactivated.AccountID] != jiratest.StatusDeactivated {
		t.Errorf("statuses %q and %q, want suspended and deactivated", status[target.AccountID], status[deactivated.AccountID])
	}
	log := srv.MutationLog()
	if len(log) != 1 || log[0].Summary != "suspended "+target.AccountID {
		t.Errorf("mutation log %+v, want one suspension", log)
	}
}

// An account invited by a product admin (Administer Jira, not site admin)
// is created suspended, as Atlassian's knowledge base documents; a site
// admin's invitation is active.
func TestInviteByProductAdminSuspended(t *testing.T) {
	t.Parallel()
	srv, a, base := smallSite(t)
	srv.AddAccount("jira-admin@acme.example", "jira-admin-token", jiratest.Permissions{BrowseUsersAndGroups: true, AdministerJira: true})
	for _, c := range []struct {
		who    auth
		email  string
		active bool
	}{{auth{User: "jira-admin@acme.example", Pass: "jira-admin-token"}, "by.product.admin@acme.example", false}, {a, "by.site.admin@acme.example", true}} {
		resp, b := fakehttp.Do(t, c.who, "POST", base+"/user", map[string]any{"emailAddress": c.email, "products": []string{"jira-software"}})
		fakehttp.WantStatus(t, resp, b, 201)
		var u jUser
		mustUnmarshal(t, b, &u)
		if u.Active != c.active {
			t.Errorf("%s: active %t, want %t", c.email, u.Active, c.active)
		}
	}
}
