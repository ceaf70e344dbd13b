package connector

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func TestSplitName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, first, last string }{
		{"Ada King Lovelace", "Ada", "King Lovelace"},
		{"  Grace   Hopper ", "Grace", "Hopper"},
		{"Cher", "Cher", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		first, last := splitName(tc.in)
		if first != tc.first || last != tc.last {
			t.Errorf("splitName(%q) = %q, %q; want %q, %q", tc.in, first, last, tc.first, tc.last)
		}
	}
}

func profileOf(t *testing.T, r *v2.Resource) map[string]any {
	t.Helper()
	return r.GetProfile().AsMap()
}

func TestUserResource(t *testing.T) {
	t.Parallel()
	r, err := userResource(jira.User{AccountID: "acc-1", AccountType: jira.AccountTypeAtlassian, Active: true,
		DisplayName: "Ada King Lovelace", EmailAddress: "ada@example.com", TimeZone: "Europe/London", Locale: "en_GB"})
	if err != nil {
		t.Fatal(err)
	}
	if r.GetId().GetResourceType() != "user" || r.GetId().GetResource() != "acc-1" || r.GetDisplayName() != "Ada King Lovelace" {
		t.Errorf("resource = %v", r)
	}
	ut, err := rs.GetUserTrait(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(ut.GetEmails()) != 1 || ut.GetEmails()[0].GetAddress() != "ada@example.com" || !ut.GetEmails()[0].GetIsPrimary() {
		t.Errorf("emails = %v", ut.GetEmails())
	}
	if ut.GetLogin() != "ada@example.com" {
		t.Errorf("login = %q", ut.GetLogin())
	}
	if ut.GetStatus().GetStatus() != v2.UserTrait_Status_STATUS_ENABLED {
		t.Errorf("status = %v", ut.GetStatus())
	}
	if ut.GetAccountType() != v2.UserTrait_ACCOUNT_TYPE_HUMAN {
		t.Errorf("account type = %v", ut.GetAccountType())
	}
	want := map[string]any{"login": "ada@example.com", "first_name": "Ada", "last_name": "King Lovelace", "user_id": "acc-1",
		"account_type": "atlassian", "time_zone": "Europe/London", "locale": "en_GB"}
	if d := cmp.Diff(want, ut.GetProfile().AsMap()); d != "" {
		t.Errorf("profile (-want +got):\n%s", d)
	}
}

func TestUserResourceHiddenEmailAndTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ    jira.AccountType
		active bool
		want   v2.UserTrait_AccountType
		status v2.UserTrait_Status_Status
	}{
		{jira.AccountTypeAtlassian, false, v2.UserTrait_ACCOUNT_TYPE_HUMAN, v2.UserTrait_Status_STATUS_DISABLED},
		{jira.AccountTypeApp, true, v2.UserTrait_ACCOUNT_TYPE_SERVICE, v2.UserTrait_Status_STATUS_ENABLED},
		{jira.AccountTypeCustomer, true, v2.UserTrait_ACCOUNT_TYPE_HUMAN, v2.UserTrait_Status_STATUS_ENABLED},
		{jira.AccountTypeUnknown, true, v2.UserTrait_ACCOUNT_TYPE_UNSPECIFIED, v2.UserTrait_Status_STATUS_ENABLED},
		{"something-new", true, v2.UserTrait_ACCOUNT_TYPE_UNSPECIFIED, v2.UserTrait_Status_STATUS_ENABLED},
	}
	for _, tc := range tests {
		r, err := userResource(jira.User{AccountID: "x", AccountType: tc.typ, Active: tc.active, DisplayName: "Someone"})
		if err != nil {
			t.Fatal(err)
		}
		ut, err := rs.GetUserTrait(r)
		if err != nil {
			t.Fatal(err)
		}
		if ut.GetAccountType() != tc.want {
			t.Errorf("%s: account type = %v, want %v", tc.typ, ut.GetAccountType(), tc.want)
		}
		if ut.GetStatus().GetStatus() != tc.status {
			t.Errorf("%s: status = %v, want %v", tc.typ, ut.GetStatus().GetStatus(), tc.status)
		}
		if len(ut.GetEmails()) != 0 || ut.GetLogin() != "" {
			t.Errorf("%s: hidden email produced emails %v / login %q", tc.typ, ut.GetEmails(), ut.GetLogin())
		}
		if _, ok := ut.GetProfile().AsMap()["login"]; ok {
			t.Errorf("%s: profile has a login without a visible email", tc.typ)
		}
	}
	// A user without a display name is named by its account ID.
	r, _ := userResource(jira.User{AccountID: "acc-9", AccountType: jira.AccountTypeAtlassian})
	if r.GetDisplayName() != "acc-9" {
		t.Errorf("display name = %q, want the account ID", r.GetDisplayName())
	}
}

func TestOrgUserResource(t *testing.T) {
	t.Parallel()
	verified := true
	const cloud = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	site := "ari:cloud:jira-software::site/" + cloud
	siteActive := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	u := atlassian.DirectoryUser{AccountID: "acc-2", AccountType: atlassian.AccountTypeAtlassian, Name: "Grace Brewster Hopper",
		Email: "grace@example.com", Status: atlassian.UserStatusSuspended, AccountStatus: atlassian.AccountStatusActive,
		ClaimStatus: atlassian.ClaimStatusManaged, EmailVerified: &verified, AddedToOrg: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC),
		ProductAccess: []atlassian.ProductActivity{
			{Key: "jira-software", ID: site, LastActive: siteActive},
			{Key: "confluence", ID: "ari:cloud:confluence::site/" + cloud, LastActive: siteActive.Add(24 * time.Hour)},
		}}
	r, err := orgUserResource(u, cloud)
	if err != nil {
		t.Fatal(err)
	}
	ut, _ := rs.GetUserTrait(r)
	if r.GetDisplayName() != "Grace Brewster Hopper" {
		t.Errorf("display name = %q", r.GetDisplayName())
	}
	if ut.GetStatus().GetStatus() != v2.UserTrait_Status_STATUS_DISABLED {
		t.Errorf("suspended user status = %v, want DISABLED", ut.GetStatus())
	}
	if !ut.GetLastLogin().AsTime().Equal(siteActive) {
		t.Errorf("last login = %v, want the site's last activity %v", ut.GetLastLogin().AsTime(), siteActive)
	}
	p := ut.GetProfile().AsMap()
	want := map[string]any{"account_status": "active", "status": "suspended", "claim_status": "managed", "email_verified": true,
		"added_to_org": "2024-05-06T00:00:00Z", "last_active": "2026-02-01T10:00:00Z", "first_name": "Grace", "last_name": "Brewster Hopper",
		"login": "grace@example.com", "user_id": "acc-2", "account_type": "atlassian"}
	if d := cmp.Diff(want, p); d != "" {
		t.Errorf("profile (-want +got):\n%s", d)
	}
	for st, want := range map[atlassian.UserStatus]v2.UserTrait_Status_Status{
		atlassian.UserStatusActive: v2.UserTrait_Status_STATUS_ENABLED, atlassian.UserStatusDeactivated: v2.UserTrait_Status_STATUS_DISABLED,
	} {
		if got := orgUserStatus(atlassian.DirectoryUser{Status: st}); got != want {
			t.Errorf("orgUserStatus(%s) = %v, want %v", st, got, want)
		}
	}
}

func TestProjectAndRoleResources(t *testing.T) {
	t.Parallel()
	p := jira.Project{ID: "10001", Key: "ENG", Name: "Engineering", ProjectTypeKey: "software", Simplified: true, IsPrivate: true,
		Lead: &jira.User{AccountID: "lead-1"}, ProjectCategory: &jira.ProjectCategory{Name: "Core"}}
	r, err := projectResource(p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"key": "ENG", "project_type": "software", "style": "next-gen", "category": "Core",
		"archived": false, "lead_account_id": "lead-1", "private": true}
	if d := cmp.Diff(want, profileOf(t, r)); d != "" {
		t.Errorf("project profile (-want +got):\n%s", d)
	}
	child := &v2.ChildResourceType{}
	annos := annotations.Annotations(r.GetAnnotations())
	if ok, _ := annos.Pick(child); !ok || child.GetResourceTypeId() != "project-role" {
		t.Errorf("project lacks the project-role child annotation: %v", r.GetAnnotations())
	}

	pi := newProjectInfo(p)
	role, err := projectRoleResource(pi, roleInfo{id: 10002, name: "Developers", description: "Devs", global: false})
	if err != nil {
		t.Fatal(err)
	}
	if role.GetId().GetResource() != "10001:10002" || role.GetDisplayName() != "Engineering - Developers" ||
		role.GetParentResourceId().GetResource() != "10001" || role.GetParentResourceId().GetResourceType() != "project" {
		t.Errorf("project role = %v", role)
	}
	rp := profileOf(t, role)
	if rp["scope"] != "project" || rp["role_id"] != "10002" || rp["project_id"] != "10001" || rp["description"] != "Devs" {
		t.Errorf("role profile = %v", rp)
	}
	if pid, rid, ok := splitProjectRoleID("10001:10002"); !ok || pid != "10001" || rid != 10002 {
		t.Errorf("splitProjectRoleID = %v %v %v", pid, rid, ok)
	}
	if _, _, ok := splitProjectRoleID("10001"); ok {
		t.Error("splitProjectRoleID accepted an ID without a role")
	}
}

func grantIDs(gs []*v2.Grant) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.GetId())
	}
	slices.Sort(out)
	return out
}

func expandable(g *v2.Grant) []string {
	e := &v2.GrantExpandable{}
	annos := annotations.Annotations(g.GetAnnotations())
	if ok, _ := annos.Pick(e); !ok {
		return nil
	}
	return e.GetEntitlementIds()
}

func TestParticipateGrants(t *testing.T) {
	t.Parallel()
	p := &projectInfo{id: "100", lead: "lead", leadType: jira.AccountTypeAtlassian}
	holders := []jira.PermissionHolder{
		{Type: jira.HolderGroup, Parameter: "devs", Value: "g1"},
		{Type: jira.HolderGroup, Parameter: "devs", Value: "g1"}, // duplicate
		{Type: jira.HolderGroup, Value: "gone"},                  // not synced
		{Type: jira.HolderProjectRole, Parameter: "10002", Value: "10002"},
		{Type: jira.HolderProjectRole, Value: "99999"}, // not a role of the project
		{Type: jira.HolderApplicationRole, Parameter: "jira-software"},
		{Type: jira.HolderApplicationRole, Parameter: ""}, // any product
		{Type: jira.HolderUser, Parameter: "u1", Value: "u1"},
		{Type: jira.HolderUser, Value: "customer-1"},
		{Type: jira.HolderProjectLead},
		{Type: jira.HolderAnyone},
		{Type: jira.HolderReporter},
	}
	roles := []roleInfo{{id: 10002, name: "Developers", global: true}}
	pr := &principals{groups: map[jira.GroupID]struct{}{"g1": {}}, products: []jira.ProductKey{"jira-software", "jira-servicedesk"},
		site: "acme.atlassian.net"}
	allowed := func(id jira.AccountID, _ jira.AccountType) bool { return id != "customer-1" }
	gs := participateGrants(projectStub("100"), p, holders, roles, pr, allowed, true)
	want := []string{
		"project:100:participate:group:g1",
		"project:100:participate:product:jira-servicedesk",
		"project:100:participate:product:jira-software",
		"project:100:participate:project-role:100:10002",
		"project:100:participate:site:acme.atlassian.net",
		"project:100:participate:user:lead",
		"project:100:participate:user:u1",
	}
	if d := cmp.Diff(want, grantIDs(gs)); d != "" {
		t.Errorf("grants (-want +got):\n%s", d)
	}
	wantExp := map[string][]string{
		"project:100:participate:group:g1":                 {"group:g1:member"},
		"project:100:participate:product:jira-software":    {"product:jira-software:access"},
		"project:100:participate:product:jira-servicedesk": {"product:jira-servicedesk:access"},
		"project:100:participate:project-role:100:10002":   {"project-role:100:10002:assigned"},
		"project:100:participate:site:acme.atlassian.net":  {"site:acme.atlassian.net:anyone"},
	}
	for _, g := range gs {
		if d := cmp.Diff(wantExp[g.GetId()], expandable(g)); d != "" {
			t.Errorf("%s expandable (-want +got):\n%s", g.GetId(), d)
		}
	}
	// Without ExpandParticipants the same principals come back, none expandable.
	for _, g := range participateGrants(projectStub("100"), p, holders, roles, pr, allowed, false) {
		if e := expandable(g); e != nil {
			t.Errorf("%s is expandable without ExpandParticipants: %v", g.GetId(), e)
		}
	}
}

func TestRoleActorGrants(t *testing.T) {
	t.Parallel()
	actors := []jira.RoleActor{
		{Type: jira.RoleActorUser, ActorUser: &jira.ActorUser{AccountID: "u1"}},
		{Type: jira.RoleActorUser, ActorUser: &jira.ActorUser{AccountID: "u1"}},
		{Type: jira.RoleActorUser, ActorUser: &jira.ActorUser{AccountID: "cust"}},
		{Type: jira.RoleActorGroup, ActorGroup: &jira.ActorGroup{GroupID: "g1", Name: "devs"}},
		{Type: jira.RoleActorGroup, ActorGroup: &jira.ActorGroup{GroupID: "g-unsynced"}},
	}
	allowed := func(id jira.AccountID, _ jira.AccountType) bool { return id != "cust" }
	gs := roleActorGrants(projectRoleStub("100", 7), actors, map[jira.GroupID]struct{}{"g1": {}}, allowed)
	want := []string{"project-role:100:7:assigned:group:g1", "project-role:100:7:assigned:user:u1"}
	if d := cmp.Diff(want, grantIDs(gs)); d != "" {
		t.Errorf("grants (-want +got):\n%s", d)
	}
	for _, g := range gs {
		if g.GetPrincipal().GetId().GetResourceType() == "group" {
			if d := cmp.Diff([]string{"group:g1:member"}, expandable(g)); d != "" {
				t.Errorf("group actor grant expandable (-want +got):\n%s", d)
			}
		}
	}
}

// TestAnyoneGrantsPaged: the "anyone" grants come anyoneBatch at a time, in
// account order, each account once, from the accounts the users walk
// recorded (no request of their own).
func TestAnyoneGrantsPaged(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 3))
	conn := newConn(t, testConfig(srv, false))
	st := conn.state("sync-anyone")
	n := 2*anyoneBatch + 17
	st.usersMu.Lock()
	st.users.walk = walk{started: true, complete: true}
	for i := n - 1; i >= 0; i-- { // out of order, and one account twice
		st.anyone = append(st.anyone, jira.AccountID(fmt.Sprintf("acct-%06d", i)))
	}
	st.anyone = append(st.anyone, "acct-000000")
	st.usersMu.Unlock()
	st.siteMu.Lock()
	st.site = "acme.atlassian.net"
	st.siteMu.Unlock()
	before := srv.Stats().Total

	s := &siteSyncer{provisioner{conn}}
	tok, err := encodeToken(siteToken{Entitlement: anyoneEntitlement})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	calls := 0
	for tok != "" {
		gs, out, err := s.GrantsForResourceType(ctx, "site", rsOpts("sync-anyone", tok))
		if err != nil {
			t.Fatal(err)
		}
		calls++
		if len(gs) > anyoneBatch {
			t.Errorf("call %d returned %d grants, more than %d", calls, len(gs), anyoneBatch)
		}
		ids = append(ids, grantIDs(gs)...)
		tok = out.NextPageToken
	}
	if calls != 3 || len(ids) != n {
		t.Fatalf("%d calls, %d grants; want 3 calls and %d grants", calls, len(ids), n)
	}
	if !slices.IsSorted(ids) || ids[0] != "site:acme.atlassian.net:anyone:user:acct-000000" {
		t.Errorf("grants not in account order from the first: %s … %s", ids[0], ids[len(ids)-1])
	}
	if got := srv.Stats().Total - before; got != 0 {
		t.Errorf("the anyone grants made %d requests, want none", got)
	}

	// A walk resumed after accounts changed (one granted earlier is gone)
	// continues after the last account it granted: none is skipped.
	first, out, err := s.GrantsForResourceType(ctx, "site", rsOpts("sync-anyone", mustToken(t, siteToken{Entitlement: anyoneEntitlement})))
	if err != nil {
		t.Fatal(err)
	}
	st.usersMu.Lock()
	st.anyone = slices.DeleteFunc(st.anyone, func(id jira.AccountID) bool { return id == "acct-000003" })
	st.usersMu.Unlock()
	rest, _, err := s.GrantsForResourceType(ctx, "site", rsOpts("sync-anyone", out.NextPageToken))
	if err != nil {
		t.Fatal(err)
	}
	last, next := grantIDs(first)[len(first)-1], grantIDs(rest)[0]
	if want := fmt.Sprintf("site:acme.atlassian.net:anyone:user:acct-%06d", anyoneBatch); last >= next || next != want {
		t.Errorf("resumed walk: first batch ends at %s, next starts at %s, want %s", last, next, want)
	}
}

func mustToken(t *testing.T, v any) string {
	t.Helper()
	tok, err := encodeToken(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestSiteAdminUnsupported(t *testing.T) {
	t.Parallel()
	documented := []string{"Couldn't retrieve groups with the site-admin accessType"}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"documented 500", &jira.Error{StatusCode: 500, Messages: documented, Attempts: 1}, true},
		{"documented 500, wrapped", fmt.Errorf("list: %w", &jira.Error{StatusCode: 500, Messages: documented, Attempts: 1}), true},
		{"500 that persisted through retries", &jira.Error{StatusCode: 500, Messages: []string{"Internal server error"}, Attempts: 4}, true},
		{"a single 500", &jira.Error{StatusCode: 500, Attempts: 1}, false},
		{"502 after retries", &jira.Error{StatusCode: 502, Attempts: 4}, false},
		{"503 with the message", &jira.Error{StatusCode: 503, Messages: documented, Attempts: 1}, false},
		{"429", &jira.Error{StatusCode: 429, Attempts: 4}, false},
		{"not a Jira error", fmt.Errorf("connection reset"), false},
	} {
		if got := siteAdminUnsupported(tc.err); got != tc.want {
			t.Errorf("%s: siteAdminUnsupported = %v, want %v", tc.name, got, tc.want)
		}
		// Provisioning trusts only the documented wording.
		if got, want := siteAdminRefused(tc.err), strings.HasPrefix(tc.name, "documented"); got != want {
			t.Errorf("%s: siteAdminRefused = %v, want %v", tc.name, got, want)
		}
	}
}
