package connector

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		org    bool
		tenant func(*jiratest.Tenant)
		edit   func(*Config, *jiratest.Server)
		code   codes.Code
		want   []string
	}{
		{name: "ok", code: codes.OK},
		{name: "ok in org mode", org: true, code: codes.OK},
		{name: "wrong token", code: codes.Unauthenticated,
			edit: func(c *Config, _ *jiratest.Server) { c.JiraAPIToken = "ATATT-wrong" },
			want: []string{"refused the credentials", "check the email and API token"}},
		{name: "scoped token on the site URL", code: codes.Unauthenticated,
			edit: func(c *Config, s *jiratest.Server) { c.JiraAPIToken = s.ScopedToken },
			want: []string{"scoped API token", "/ex/jira/"}},
		{name: "cannot browse users and groups", code: codes.PermissionDenied,
			edit: func(c *Config, s *jiratest.Server) {
				s.AddAccount("viewer@example.com", "tok-viewer", jiratest.Permissions{})
				c.JiraEmail, c.JiraAPIToken = "viewer@example.com", "tok-viewer"
			},
			want: []string{`"Browse users and groups"`, "viewer@example.com"}},
		{name: "not a Jira administrator", code: codes.PermissionDenied,
			edit: func(c *Config, s *jiratest.Server) {
				s.AddAccount("browser@example.com", "tok-browser", jiratest.Permissions{BrowseUsersAndGroups: true})
				c.JiraEmail, c.JiraAPIToken = "browser@example.com", "tok-browser"
			},
			want: []string{`"Administer Jira"`}},
		{name: "sync-project-keys all found", code: codes.OK,
			edit: func(c *Config, s *jiratest.Server) { c.SyncProjectKeys = []string{projectKey(s, false)} }},
		{name: "sync-project-keys with an unknown key", code: codes.InvalidArgument,
			edit: func(c *Config, s *jiratest.Server) { c.SyncProjectKeys = []string{projectKey(s, false), "NOPE"} },
			want: []string{"sync-project-keys", "no project NOPE"}},
		{name: "sync-project-keys naming an archived project", code: codes.InvalidArgument,
			edit: func(c *Config, s *jiratest.Server) { c.SyncProjectKeys = []string{projectKey(s, true)} },
			want: []string{"sync-project-keys", "archived", "include-archived-projects"}},
		{name: "sync-project-keys naming an archived project that is synced", code: codes.OK,
			edit: func(c *Config, s *jiratest.Server) {
				c.SyncProjectKeys, c.IncludeArchivedProjects = []string{strings.ToLower(projectKey(s, true))}, true
			}},
		{name: "wrong Admin API key", org: true, code: codes.Unauthenticated,
			edit: func(c *Config, _ *jiratest.Server) { c.AtlassianAPIToken = "ATCTT-wrong" },
			want: []string{"atlassian-api-token"}},
		{name: "unknown organization", org: true, code: codes.FailedPrecondition,
			edit: func(c *Config, _ *jiratest.Server) { c.AtlassianOrgID = "no-such-org" },
			want: []string{"no-such-org", "atlassian-orgId"}},
		{name: "site not in the organization", org: true, code: codes.FailedPrecondition,
			tenant: func(tn *jiratest.Tenant) {
				for _, w := range tn.Org.Workspaces {
					w.HostURL = "https://elsewhere.atlassian.net"
					w.CloudID = "00000000-0000-4000-8000-000000000000"
					w.ID = "ari:cloud:" + w.TypeKey + "::site/00000000-0000-4000-8000-000000000000"
				}
			},
			want: []string{"is not a Jira workspace of organization", "atlassian-orgId"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			tenant := jiratest.Generate(jiratest.Small, 2)
			if tc.tenant != nil {
				tc.tenant(tenant)
			}
			srv := newTestServer(t, tenant)
			cfg := testConfig(srv, tc.org)
			if tc.edit != nil {
				tc.edit(&cfg, srv)
			}
			conn, err := New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = conn.Validate(ctx)
			if got := status.Code(err); got != tc.code {
				t.Fatalf("Validate() code = %v (%v), want %v", got, err, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if err != nil {
				if strings.Contains(err.Error(), cfg.JiraAPIToken) || (cfg.AtlassianAPIToken != "" && strings.Contains(err.Error(), cfg.AtlassianAPIToken)) {
					t.Errorf("error leaks a secret: %v", err)
				}
			}
		})
	}
}

// projectKey returns the key of a live (or, with archived, an archived)
// project of the fake; "NO_SUCH_PROJECT" when there is none, which fails
// the cases that expect it to be found.
func projectKey(s *jiratest.Server, archived bool) string {
	for _, p := range s.Snapshot().Projects {
		if !p.Deleted && p.Archived == archived {
			return p.Key
		}
	}
	return "NO_SUCH_PROJECT"
}

// TestValidateLooksTheSiteUpAfresh: a long-lived connector validates before
// each sync; a site no longer among the organization's workspaces is then
// reported, not served from the first lookup.
func TestValidateLooksTheSiteUpAfresh(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 2))
	conn := newConn(t, testConfig(srv, true))
	if _, err := conn.Validate(ctx); err != nil {
		t.Fatalf("first Validate: %v", err)
	}
	srv.Update(func(tn *jiratest.Tenant) {
		for _, w := range tn.Org.Workspaces {
			w.HostURL = "https://elsewhere.atlassian.net"
			w.CloudID = "00000000-0000-4000-8000-000000000000"
			w.ID = "ari:cloud:" + w.TypeKey + "::site/00000000-0000-4000-8000-000000000000"
		}
	})
	if _, err := conn.Validate(ctx); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("Validate after the site left the organization: %v, want FailedPrecondition", err)
	}
}
