package connector

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestPortalGrants checks the portal entitlement of service projects: one
// user grant per account on the desk's customer list or in one of its
// customer organizations (each once), none naming a customer when customers
// are skipped, none at all when participants are skipped; and each desk,
// organization and desk list read once.
func TestPortalGrants(t *testing.T) {
	t.Parallel()
	tenant := jiratest.Generate(jiratest.Small, 7)
	if len(tenant.ServiceDesks) == 0 || len(tenant.CustomerOrganizations) == 0 {
		t.Fatalf("the tenant has %d service desks and %d customer organizations", len(tenant.ServiceDesks), len(tenant.CustomerOrganizations))
	}
	// An employee on a desk's list: an Atlassian account with portal access.
	var human *jiratest.User
	for _, u := range tenant.Users {
		if u.AccountType == jiratest.AccountTypeAtlassian && u.Active {
			human = u
		}
	}
	desk := tenant.ServiceDesks[0]
	desk.Customers = append(desk.Customers, human.AccountID)
	customers := map[string]bool{}
	for _, u := range tenant.Users {
		if u.AccountType == jiratest.AccountTypeCustomer {
			customers[u.AccountID] = true
		}
	}
	for _, tc := range []struct {
		name  string
		truth groundtruth.Options
		edit  func(*Config)
	}{
		{name: "default"},
		{name: "skip customers", truth: groundtruth.Options{SkipCustomers: true}, edit: func(c *Config) { c.SkipCustomerUser = true }},
		{name: "skip participants", truth: groundtruth.Options{SkipParticipants: true}, edit: func(c *Config) { c.SkipProjectParticipants = true }},
		{name: "org mode", truth: groundtruth.Options{OrgMode: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			srv := newTestServer(t, tenant)
			cfg := testConfig(srv, tc.truth.OrgMode)
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			_, cs := newServerConn(t, ctx, cfg)
			got := walkSync(t, ctx, cs, "sync-portal")
			compareTruth(t, groundtruth.Of(srv.Snapshot(), tc.truth), got.truth)

			var portal []groundtruth.Grant
			for _, g := range got.truth.Grants {
				if strings.HasSuffix(g.Entitlement, ":portal") {
					portal = append(portal, g)
				}
			}
			portalEnts := 0
			for _, e := range got.truth.Entitlements {
				if strings.HasSuffix(e, ":portal") {
					portalEnts++
				}
			}
			routes := srv.Stats().Routes
			if tc.truth.SkipParticipants {
				if len(portal) != 0 || portalEnts != 0 {
					t.Errorf("%d portal entitlements and %d grants with participants skipped", portalEnts, len(portal))
				}
				if n := routes["GET /rest/servicedeskapi/servicedesk"]; n != 0 {
					t.Errorf("service desks listed %d times with participants skipped", n)
				}
				return
			}
			if portalEnts == 0 || len(portal) == 0 {
				t.Fatalf("%d portal entitlements, %d portal grants; want some", portalEnts, len(portal))
			}
			namesCustomer, namesHuman := false, false
			for _, g := range portal {
				if g.PrincipalType != groundtruth.TypeUser || len(g.Expandable) != 0 {
					t.Errorf("portal grant %s: want a direct user grant", g.ID())
				}
				namesCustomer = namesCustomer || customers[g.PrincipalID]
				namesHuman = namesHuman || g.PrincipalID == human.AccountID
			}
			if tc.truth.SkipCustomers == namesCustomer {
				t.Errorf("skip customers %v, a portal grant names a customer: %v", tc.truth.SkipCustomers, namesCustomer)
			}
			if !namesHuman {
				t.Errorf("the employee on desk %s's list has no portal grant", desk.ID)
			}
			want := groundtruth.EntitlementID(groundtruth.TypeProject, desk.ProjectID, "portal") + ":user:" + human.AccountID
			if !slices.ContainsFunc(portal, func(g groundtruth.Grant) bool { return g.ID() == want }) {
				t.Errorf("missing %s", want)
			}
			if n := routes["GET /rest/servicedeskapi/servicedesk"]; n != 1 {
				t.Errorf("service desks listed %d times, want 1", n)
			}
			orgs := map[string]bool{}
			deskCount := 0
			live := map[string]bool{}
			for _, p := range tenant.Projects {
				live[p.ID] = !p.Deleted && !p.Archived
			}
			for _, d := range tenant.ServiceDesks {
				if !live[d.ProjectID] {
					continue
				}
				deskCount++
				for _, o := range d.OrganizationIDs {
					orgs[o] = true
				}
			}
			if n := routes["GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/customer"]; n != deskCount {
				t.Errorf("desk customers read %d times, want %d (one page per desk)", n, deskCount)
			}
			if n := routes["GET /rest/servicedeskapi/organization/{organizationId}/user"]; n != len(orgs) {
				t.Errorf("organization members read %d times, want %d (each organization once)", n, len(orgs))
			}
		})
	}
}

// TestIssueLevelHoldersOnProfile checks that the Browse Projects holders
// that reach single issues (reporter, assignee, custom-field holders, and
// holder types the model does not know) grant nothing and are named on the
// project's profile, each once; the portal holder is not among them (it is
// the portal entitlement).
func TestIssueLevelHoldersOnProfile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tenant := jiratest.Generate(jiratest.Small, 3)
	var target *jiratest.Project
	for _, p := range tenant.Projects {
		if !p.Simplified && !p.Deleted && !p.Archived && p.PermissionSchemeID != 0 {
			target = p
			break
		}
	}
	scheme := &jiratest.PermissionScheme{ID: 19999, Name: "Issue-level"}
	for i, h := range []jiratest.Holder{
		{Type: jiratest.HolderProjectRole, RoleID: jiratest.RoleMember},
		{Type: jiratest.HolderAssignee},
		{Type: jiratest.HolderReporter},
		{Type: jiratest.HolderReporter},
		{Type: jiratest.HolderGroupCustomField, FieldID: "customfield_10060"},
		{Type: jiratest.HolderUserCustomField, FieldID: "customfield_10050"},
		{Type: jiratest.HolderPortalCustomer},
		{Type: "someFutureHolder"},
	} {
		scheme.Grants = append(scheme.Grants, &jiratest.PermissionGrant{ID: int64(50000 + i), Permission: jiratest.PermBrowseProjects, Holder: h})
	}
	tenant.PermissionSchemes = append(tenant.PermissionSchemes, scheme)
	target.PermissionSchemeID = scheme.ID
	srv := newTestServer(t, tenant)
	_, cs := newServerConn(t, ctx, testConfig(srv, false))
	got := walkSync(t, ctx, cs, "sync-issue-level")
	want := groundtruth.Of(srv.Snapshot(), groundtruth.Options{})
	compareTruth(t, want, got.truth)
	wantHolders := []string{"assignee", "groupCustomField:customfield_10060", "reporter", "someFutureHolder", "userCustomField:customfield_10050"}
	for _, r := range got.truth.Resources {
		if r.Type == groundtruth.TypeProject && r.ID == target.ID && !slices.Equal(r.IssueLevelHolders, wantHolders) {
			t.Errorf("project %s browse_issue_level_holders = %v, want %v", r.ID, r.IssueLevelHolders, wantHolders)
		}
	}
	// Only the project role holder grants participate.
	for _, g := range got.truth.Grants {
		if g.Entitlement == "project:"+target.ID+":participate" && g.PrincipalType != groundtruth.TypeProjectRole {
			t.Errorf("unexpected participate grant %s", g.ID())
		}
	}
	// Each project's scheme was looked up once, while listing, not again
	// for grants (plus one read of the Default Permission Scheme through a
	// project, which GET /permissionscheme/0 cannot address).
	live := 0
	for _, p := range tenant.Projects {
		if !p.Deleted && !p.Archived {
			live++
		}
	}
	if n := srv.Stats().Routes["GET /rest/api/3/project/{projectIdOrKey}/permissionscheme"]; n < live || n > live+1 {
		t.Errorf("project scheme looked up %d times, want %d or %d (once per project)", n, live, live+1)
	}
}

// TestPortalForbidden checks that a token without the Service Management
// permission on one desk (403 on its customer list) syncs everything else:
// that project's portal grants are left out (and logged), nothing fails.
func TestPortalForbidden(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tenant := jiratest.Generate(jiratest.Small, 7)
	desk := tenant.ServiceDesks[0]
	srv := newTestServer(t, tenant)
	proxy := newFaultProxy(t, srv.URL, func(r *http.Request) bool {
		return strings.HasPrefix(r.URL.Path, "/rest/servicedeskapi/servicedesk/"+desk.ID+"/")
	})
	_, cs := newServerConn(t, ctx, proxiedConfig(srv, proxy.URL))
	got := walkSync(t, ctx, cs, "sync-portal-403")
	want := groundtruth.Of(srv.Snapshot(), groundtruth.Options{})
	portal := groundtruth.EntitlementID(groundtruth.TypeProject, desk.ProjectID, "portal")
	kept := want.Grants[:0:0]
	dropped := 0
	for _, g := range want.Grants {
		if g.Entitlement == portal {
			dropped++
			continue
		}
		kept = append(kept, g)
	}
	if dropped == 0 {
		t.Fatalf("desk %s has no portal grant to leave out", desk.ID)
	}
	want.Grants = kept
	compareTruth(t, want, got.truth)
}
