package connector

import (
	"fmt"
	"testing"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestSyncProjectRolesExist checks that a company-managed project lists only
// the roles it has. GET /role lists every role of the site, the roles of
// team-managed projects included (with a PROJECT scope, or none when the
// project is in the trash); pairing those with company-managed projects
// made one 404 per (project, foreign role) and a project-role resource that
// does not exist. On a consistent site a sync makes no 404 at all, reads one
// actor list per real (project, role) pair and lists exactly the
// project-role resources of the ground truth.
func TestSyncProjectRolesExist(t *testing.T) {
	t.Parallel()
	sizes := []jiratest.Size{jiratest.Small}
	if !testing.Short() {
		sizes = append(sizes, jiratest.Medium)
	}
	for _, sz := range sizes {
		for _, trashed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s trashed=%v", sz, trashed), func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				tenant := jiratest.Generate(sz, 5)
				var teamManaged []*jiratest.Project
				for _, p := range tenant.Projects {
					if p.Simplified && !p.Deleted {
						teamManaged = append(teamManaged, p)
					}
				}
				if len(teamManaged) < 2 {
					t.Fatalf("the tenant has %d team-managed projects, want at least 2", len(teamManaged))
				}
				if trashed {
					// Its roles stay in GET /role, without a scope (JRACLOUD-76117).
					p := teamManaged[len(teamManaged)-1]
					p.Deleted, p.Archived = true, false
				}
				srv := newTestServer(t, tenant)
				var scoped, unscopedForeign int
				for _, r := range listRoles(t, srv) {
					switch {
					case r.ProjectScoped():
						scoped++
					case r.ID >= 20000: // the generator's team-managed role IDs
						unscopedForeign++
					}
				}
				if scoped == 0 || trashed != (unscopedForeign > 0) {
					t.Fatalf("GET /role lists %d scoped roles and %d unscoped team-managed roles; the fake must list them as Jira does",
						scoped, unscopedForeign)
				}
				_, cs := newServerConn(t, ctx, testConfig(srv, false))
				got := walkSync(t, ctx, cs, "sync-roles")
				stats := srv.Stats()
				if n := stats.Status[404]; n != 0 {
					t.Errorf("the sync got %d 404s on a consistent site, want 0 (routes %v)", n, stats.Routes)
				}
				want := groundtruth.Of(srv.Snapshot(), groundtruth.Options{})
				wantRoles := map[string]bool{}
				for _, r := range want.Resources {
					if r.Type == groundtruth.TypeProjectRole {
						wantRoles[r.ID] = true
					}
				}
				gotRoles := 0
				for _, r := range got.truth.Resources {
					if r.Type != groundtruth.TypeProjectRole {
						continue
					}
					gotRoles++
					if !wantRoles[r.ID] {
						t.Errorf("phantom project-role resource %s (%s)", r.ID, r.DisplayName)
					}
				}
				if gotRoles != len(wantRoles) {
					t.Errorf("%d project-role resources, want %d", gotRoles, len(wantRoles))
				}
				if n := stats.Routes["GET /rest/api/3/project/{projectIdOrKey}/role/{id}"]; n != len(wantRoles) {
					t.Errorf("%d actor lists read, want one per project role (%d)", n, len(wantRoles))
				}
				compareTruth(t, want, got.truth)
			})
		}
	}
}

// listRoles reads GET /role from srv (outside any request count that matters:
// call it before the sync or mind its one request).
func listRoles(t *testing.T, srv *jiratest.Server) []jira.ProjectRole {
	t.Helper()
	cfg := testConfig(srv, false)
	c, err := jira.NewClient(srv.URL, append(cfg.JiraOptions, jira.WithBasicAuth(srv.Email, srv.APIToken))...)
	if err != nil {
		t.Fatal(err)
	}
	roles, _, err := c.Roles.List(t.Context())
	if err != nil {
		t.Fatalf("GET /role: %v", err)
	}
	return roles
}

// TestGlobalRolesFromAProjectGone checks that when the company-managed
// project whose roles are read first is gone (404), it gets no roles and the
// next project reads them: nothing is cached from a failed read.
func TestGlobalRolesFromAProjectGone(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tenant := jiratest.Generate(jiratest.Small, 5)
	srv := newTestServer(t, tenant)
	conn := newConn(t, testConfig(srv, false))
	st := conn.state("sync-gone")
	gone := &projectInfo{id: "99999", key: "GONE", name: "Gone"}
	roles, err := conn.projectRoles(ctx, st, gone)
	if err != nil || len(roles) != 0 {
		t.Fatalf("roles of a deleted project = %v, %v; want none, no error", roles, err)
	}
	var classic *jiratest.Project
	for _, p := range tenant.Projects {
		if !p.Simplified && !p.Deleted && !p.Archived {
			classic = p
			break
		}
	}
	roles, err = conn.projectRoles(ctx, st, &projectInfo{id: jira.ProjectID(classic.ID), key: jira.ProjectKey(classic.Key)})
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != len(tenant.Roles) {
		t.Errorf("%d roles for %s, want the %d global roles", len(roles), classic.Key, len(tenant.Roles))
	}
	for _, r := range roles {
		if !r.global {
			t.Errorf("role %d of a company-managed project is not global", r.id)
		}
	}
}
