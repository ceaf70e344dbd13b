package groundtruth_test

import (
	"slices"
	"testing"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// handMade builds a small tenant with every grant rule of docs/MODEL.md in it.
func handMade() *jiratest.Tenant {
	tn := jiratest.NewTenant()
	alice := &jiratest.User{AccountID: "a-alice", AccountType: jiratest.AccountTypeAtlassian, DisplayName: "Alice Liddell", Active: true}
	bob := &jiratest.User{AccountID: "a-bob", AccountType: jiratest.AccountTypeAtlassian, DisplayName: "Bob", Active: false}
	cust := &jiratest.User{AccountID: "qm:1:2", AccountType: jiratest.AccountTypeCustomer, DisplayName: "Carol Customer", Active: true}
	tn.Users = append(tn.Users, alice, bob, cust)
	devs := &jiratest.Group{ID: "g-devs", Name: "devs & ops", Members: []string{"a-alice", "a-bob", "qm:1:2", "gone-user"}}
	tn.Groups = append(tn.Groups, devs)
	scheme := &jiratest.PermissionScheme{ID: 77, Name: "Mixed"}
	add := func(h jiratest.Holder) {
		scheme.Grants = append(scheme.Grants, &jiratest.PermissionGrant{ID: int64(900 + len(scheme.Grants)), Permission: jiratest.PermBrowseProjects, Holder: h})
	}
	add(jiratest.Holder{Type: jiratest.HolderGroup, GroupID: "g-devs"})
	add(jiratest.Holder{Type: jiratest.HolderGroup, GroupID: "g-devs"}) // twice: one grant
	add(jiratest.Holder{Type: jiratest.HolderGroup, GroupID: "g-ghost"})
	add(jiratest.Holder{Type: jiratest.HolderProjectRole, RoleID: jiratest.RoleMember})
	add(jiratest.Holder{Type: jiratest.HolderProjectRole, RoleID: 999}) // not a role of the project
	add(jiratest.Holder{Type: jiratest.HolderApplicationRole})          // any product
	add(jiratest.Holder{Type: jiratest.HolderApplicationRole, ApplicationKey: "jira-unknown"})
	add(jiratest.Holder{Type: jiratest.HolderUser, AccountID: "qm:1:2"})
	add(jiratest.Holder{Type: jiratest.HolderProjectLead})
	add(jiratest.Holder{Type: jiratest.HolderReporter})
	add(jiratest.Holder{Type: jiratest.HolderAnyone})
	tn.PermissionSchemes = append(tn.PermissionSchemes, scheme)
	tn.Projects = append(tn.Projects,
		&jiratest.Project{ID: "10000", Key: "DEV", Name: "Dev / Ops", TypeKey: jiratest.ProjectTypeSoftware,
			LeadAccountID: "a-alice", PermissionSchemeID: 77, IssueTypeIDs: []string{"10001"},
			RoleActors: []*jiratest.RoleActors{{RoleID: jiratest.RoleMember, Users: []string{"a-bob"}, Groups: []string{"g-devs"}}}},
		&jiratest.Project{ID: "10001", Key: "TM", Name: "Team", TypeKey: jiratest.ProjectTypeBusiness, Simplified: true,
			LeadAccountID: "a-bob", IssueTypeIDs: []string{"10001"},
			ScopedRoles: []*jiratest.Role{{ID: 30000, Name: "Administrator", Admin: true}, {ID: 30001, Name: "Member"}},
			RoleActors:  []*jiratest.RoleActors{{RoleID: 30001, Users: []string{"qm:1:2"}}}},
		&jiratest.Project{ID: "10002", Key: "OLD", Name: "Old", TypeKey: jiratest.ProjectTypeSoftware, Archived: true,
			LeadAccountID: "a-alice"},
		&jiratest.Project{ID: "10003", Key: "BIN", Name: "Binned", TypeKey: jiratest.ProjectTypeSoftware, Deleted: true,
			LeadAccountID: "a-alice"},
	)
	return tn
}

func grantSet(tr *groundtruth.Truth) map[string]groundtruth.Grant {
	out := map[string]groundtruth.Grant{}
	for _, g := range tr.Grants {
		out[g.ID()] = g
	}
	return out
}

func TestTruthRules(t *testing.T) {
	t.Parallel()
	tn := handMade()
	tr := groundtruth.Of(tn, groundtruth.Options{})
	gs := grantSet(tr)
	must := func(id string, expandable ...string) {
		t.Helper()
		g, ok := gs[id]
		if !ok {
			t.Errorf("missing grant %s", id)
			return
		}
		if !slices.Equal(g.Expandable, expandable) {
			t.Errorf("grant %s expandable %v, want %v", id, g.Expandable, expandable)
		}
	}
	mustNot := func(id string) {
		t.Helper()
		if _, ok := gs[id]; ok {
			t.Errorf("unexpected grant %s", id)
		}
	}
	part := "project:10000:participate"
	must(part+":group:g-devs", "group:g-devs:member")
	must(part+":project-role:10000:10003", "project-role:10000:10003:assigned")
	for _, k := range []string{"jira-software", "jira-servicedesk", "jira-product-discovery", "jira-core"} {
		must(part+":product:"+k, "product:"+k+":access")
	}
	must(part + ":user:qm:1:2")
	must(part + ":user:a-alice")
	// "anyone": the site, expandable onto every active non-customer account.
	must(part+":site:acme.atlassian.net", "site:acme.atlassian.net:anyone")
	must("site:acme.atlassian.net:anyone:user:a-alice")
	mustNot("site:acme.atlassian.net:anyone:user:a-bob")  // inactive
	mustNot("site:acme.atlassian.net:anyone:user:qm:1:2") // customer
	mustNot(part + ":group:g-ghost")
	mustNot(part + ":project-role:10000:999")
	mustNot(part + ":product:jira-unknown")
	must("group:g-devs:member:user:a-bob") // inactive members count
	mustNot("group:g-devs:member:user:gone-user")
	must("project-role:10000:10003:assigned:group:g-devs", "group:g-devs:member")
	must("project-role:10001:30001:assigned:user:qm:1:2")
	must("project:10001:lead:user:a-bob")
	mustNot("project:10002:lead:user:a-alice") // archived
	must("site:acme.atlassian.net:site-admin:group:"+groupID(tn, "site-admins"), "group:"+groupID(tn, "site-admins")+":member")
	must("site:acme.atlassian.net:admin:group:"+groupID(tn, "jira-admins-acme"), "group:"+groupID(tn, "jira-admins-acme")+":member")
	n := 0
	for id := range gs {
		if len(id) > len(part) && id[:len(part)] == part {
			n++
		}
	}
	if n != 9 {
		t.Errorf("participate grants = %d, want 9 (no duplicates)", n)
	}

	// Resources: scoped roles for team-managed, every global role for classic, parents set.
	var roles []string
	for _, r := range tr.Resources {
		if r.Type == "project-role" {
			roles = append(roles, r.ID)
			if r.ParentType != "project" || r.ParentID == "" {
				t.Errorf("project-role %s without project parent", r.ID)
			}
		}
	}
	if len(roles) != len(tn.Roles)+2 {
		t.Errorf("project roles %v: want %d global + 2 scoped", roles, len(tn.Roles))
	}
	if !slices.Contains(roles, "10001:30000") || slices.Contains(roles, "10001:10002") {
		t.Errorf("team-managed project roles wrong: %v", roles)
	}

	// Expansion: Browse through the group, the role and every product.
	exp := tr.Expanded()
	for _, u := range []string{"a-alice", "a-bob", "qm:1:2", tn.AdminAccountID} {
		if _, ok := exp[part+":user:"+u]; !ok {
			t.Errorf("%s should effectively participate", u)
		}
	}
	if got := tr.EffectiveUsers("project-role:10000:10003:assigned"); !slices.Equal(got, []string{"a-alice", "a-bob", "qm:1:2"}) {
		t.Errorf("effective role users = %v", got)
	}

	// Skip customers: no resource and no grant names the customer.
	sc := groundtruth.Of(tn, groundtruth.Options{SkipCustomers: true})
	for _, g := range sc.Grants {
		if g.PrincipalID == "qm:1:2" {
			t.Errorf("skip-customers kept grant %s", g.ID())
		}
	}
	for _, r := range sc.Resources {
		if r.ID == "qm:1:2" {
			t.Error("skip-customers kept the customer resource")
		}
	}

	// Archived on, participants off, project filter.
	ar := groundtruth.Of(tn, groundtruth.Options{IncludeArchived: true, SkipParticipants: true, SyncProjectKeys: []string{"old"}})
	var projects []string
	for _, r := range ar.Resources {
		if r.Type == "project" {
			projects = append(projects, r.ID)
		}
	}
	if !slices.Equal(projects, []string{"10002"}) {
		t.Errorf("projects = %v, want only the archived OLD", projects)
	}
	for _, e := range ar.Entitlements {
		if len(e) > 12 && e[len(e)-12:] == ":participate" {
			t.Errorf("participate entitlement %s with SkipParticipants", e)
		}
	}
}

func groupID(tn *jiratest.Tenant, name string) string {
	for _, g := range tn.Groups {
		if g.Name == name {
			return g.ID
		}
	}
	return ""
}

func TestTruthOrgMode(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 2)
	tr := groundtruth.Of(tn, groundtruth.Options{OrgMode: true})
	users := map[string]string{}
	for _, r := range tr.Resources {
		if r.Type == "user" {
			if _, dup := users[r.ID]; dup {
				t.Errorf("user %s twice", r.ID)
			}
			users[r.ID] = r.DisplayName
		}
	}
	if users[tn.ServiceAccountID] == "" {
		t.Error("service account (app user, also an org account) missing")
	}
	// Every account Jira lists is synced (organization mode adds detail, it
	// hides nothing), customers included unless skipped.
	onJira := map[string]bool{}
	for _, u := range tn.Users {
		onJira[u.AccountID] = true
		if _, ok := users[u.AccountID]; !ok {
			t.Errorf("Jira account %s (%s) not synced in org mode", u.AccountID, u.AccountType)
		}
	}
	skipped := groundtruth.Of(tn, groundtruth.Options{OrgMode: true, SkipCustomers: true})
	for _, r := range skipped.Resources {
		for _, u := range tn.Users {
			if r.Type == "user" && r.ID == u.AccountID && u.AccountType == jiratest.AccountTypeCustomer {
				t.Errorf("customer %s synced in org mode with SkipCustomers", u.AccountID)
			}
		}
	}
	// The organization's accounts with Jira access to the site are synced
	// with their Admin name; accounts of other sites only (a sandbox) are not.
	for _, a := range tn.Org.Accounts {
		onSite := false
		for _, pa := range a.ProductAccess {
			if pa.Key != "confluence" && pa.ResourceID[len(pa.ResourceID)-len(tn.CloudID):] == tn.CloudID {
				onSite = true
			}
		}
		name, ok := users[a.AccountID]
		switch {
		case onSite && (!ok || name != a.Name):
			t.Errorf("account %s with Jira access to the site: synced=%v as %q, want %q", a.AccountID, ok, name, a.Name)
		case !onSite && !onJira[a.AccountID] && ok:
			t.Errorf("account %s of another site only is synced", a.AccountID)
		}
	}
}

func TestReferenceCallCountFormula(t *testing.T) {
	t.Parallel()
	tn := handMade()
	s := tn.Summary()
	// 2 + users + groups + members + 2×projects + P + R_u + ΣR_p + Σk_p
	want := 2 + (s.Users/50 + 1) + (s.Groups/50 + 1)
	for _, g := range tn.Groups {
		active := 0
		for _, m := range g.Members {
			for _, u := range tn.Users {
				if u.AccountID == m && u.Active {
					active++
				}
			}
		}
		want += active/50 + 1
	}
	want += 2*(s.Projects/50+1) + s.Projects + s.DistinctRoles + s.RoleLists
	noPart := groundtruth.ReferenceCallCount(tn, groundtruth.Options{SkipParticipants: true})
	if noPart != want {
		t.Errorf("ReferenceCallCount without participants = %d, want %d", noPart, want)
	}
	// Both live projects have fewer than 50 browsing users: one participant page each.
	if got := groundtruth.ReferenceCallCount(tn, groundtruth.Options{}); got != want+2 {
		t.Errorf("ReferenceCallCount = %d, want %d", got, want+2)
	}
	if s.Projects != 2 || s.DistinctRoles != len(tn.Roles)+2 || s.RoleLists != len(tn.Roles)+2 {
		t.Errorf("summary %+v", s)
	}
}

// TestReferenceFormulaTerms checks the term-by-term reference count: its replay reading is ReferenceCallCount, and
// its formula reading pages over the active users the ground truth lets browse each project (plus every active
// non-customer where Browse Projects is granted to "anyone", which the model leaves without grants), capped at the
// window.
func TestReferenceFormulaTerms(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Medium, 3)
	r := groundtruth.Reference(tn, groundtruth.Options{})
	s := tn.Summary()
	if r.Users != s.Users/50+1 || r.ProjectDetails != s.Projects || r.RoleDetails != s.DistinctRoles ||
		r.RoleActors != s.RoleLists || r.ProjectSearch != 2*(s.Projects/50+1) || r.Validate != 2 {
		t.Errorf("terms %+v do not follow the tenant %+v", r, s)
	}
	active, public := map[string]bool{}, 0
	for _, u := range tn.Users {
		if u.Active {
			active[u.AccountID] = true
			if u.AccountType != jiratest.AccountTypeCustomer {
				public++
			}
		}
	}
	anyone := map[int64]bool{}
	for _, s := range tn.PermissionSchemes {
		for _, g := range s.Grants {
			if g.Permission == jiratest.PermBrowseProjects && g.Holder.Type == jiratest.HolderAnyone {
				anyone[s.ID] = true
			}
		}
	}
	truth := groundtruth.Of(tn, groundtruth.Options{})
	want, live := 0, 0
	for _, p := range tn.Projects {
		if p.Deleted || p.Archived {
			continue
		}
		live++
		n := 0
		if anyone[p.PermissionSchemeID] {
			n = public
		}
		for _, u := range truth.EffectiveUsers(groundtruth.EntitlementID("project", p.ID, "participate")) {
			if active[u] && !anyone[p.PermissionSchemeID] {
				n++
			}
		}
		want += min(n, 1000)/50 + 1
	}
	if r.ParticipantsFormula != want {
		t.Errorf("ParticipantsFormula = %d, want %d from the ground truth", r.ParticipantsFormula, want)
	}
	if r.ParticipantsMax != 21*live || r.Max() != r.Fixed()+21*live {
		t.Errorf("ParticipantsMax = %d, Max() = %d, want 21×%d", r.ParticipantsMax, r.Max(), live)
	}
	if !(r.ParticipantsReplay <= r.ParticipantsFormula && r.ParticipantsFormula <= r.ParticipantsMax) || r.ParticipantsReplay < live {
		t.Errorf("participant readings out of order: %+v", r)
	}
	skip := groundtruth.Reference(tn, groundtruth.Options{SkipParticipants: true})
	if skip.ParticipantsReplay+skip.ParticipantsFormula+skip.ParticipantsMax != 0 || skip.Fixed() != r.Fixed() {
		t.Errorf("SkipParticipants: %+v, want the fixed terms %d and no participants", skip, r.Fixed())
	}
}
