package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// configOutputs prints v every way a program might: fmt verbs on the value
// and a pointer, inside a struct, JSON, and slog's text and JSON handlers.
func configOutputs(v any) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%t", "%10.3v"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	out = append(out, fmt.Sprintf("%+v", struct{ Cfg any }{v}), fmt.Sprint([]any{v}))
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b))
	} else {
		out = append(out, "json error: "+err.Error())
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", v)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", v)
	out = append(out, buf.String())
	return out
}

// TestConfigRedactsEveryWay (issue 11, finding 6): no verb, no JSON and no
// slog handler prints a token, on the value or a pointer.
func TestConfigRedactsEveryWay(t *testing.T) {
	t.Parallel()
	c := validConfig()
	c.AtlassianOrgID, c.AtlassianAPIToken = "org-1", "ATCTT-admin-key"
	for _, v := range []any{c, &c} {
		for _, out := range configOutputs(v) {
			for _, secret := range []string{c.JiraAPIToken, c.AtlassianAPIToken} {
				if strings.Contains(out, secret) || strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", secret)) {
					t.Errorf("%T output leaks a secret: %s", v, out)
				}
			}
		}
	}
	b, err := json.Marshal(c)
	if err != nil || !strings.Contains(string(b), "admin@acme.com") || !strings.Contains(string(b), `"REDACTED"`) {
		t.Errorf("JSON = %s, %v", b, err)
	}
}

// TestOrgModeMatchesSiteByCloudID (issue 11, finding 11): the organization
// stores the site under another host (a renamed site, a custom domain) than
// the one serverInfo.baseUrl reports; the workspaces are still found, by
// the cloud ID the site reports at /_edge/tenant_info.
func TestOrgModeMatchesSiteByCloudID(t *testing.T) {
	t.Parallel()
	tenant := jiratest.Generate(jiratest.Small, 4)
	n := 0
	for _, w := range tenant.Org.Workspaces {
		if w.IsJira() && w.CloudID == tenant.CloudID {
			w.HostURL = "https://renamed-" + tenant.SiteHost
			n++
		}
	}
	if n == 0 {
		t.Fatal("the tenant has no Jira workspace for its site")
	}
	srv := newTestServer(t, tenant)
	conn, err := New(t.Context(), testConfig(srv, true))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := conn.orgResources(t.Context())
	if err != nil {
		t.Fatalf("orgResources: %v", err)
	}
	if len(ids) != n {
		t.Errorf("resource IDs %v, want the site's %d Jira workspaces", ids, n)
	}
	if conn.siteCloudID() != jira.CloudID(tenant.CloudID) {
		t.Errorf("cloud ID %q, want %q", conn.siteCloudID(), tenant.CloudID)
	}
}

// TestLastActiveByCloudID: an entry whose ID is merely a suffix of the
// site's ARI, another site's Jira and the site's Confluence do not count as
// activity on the site.
func TestLastActiveByCloudID(t *testing.T) {
	t.Parallel()
	const cloud = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u := atlassian.DirectoryUser{ProductAccess: []atlassian.ProductActivity{
		{Key: "jira-software", ID: "ari:cloud:jira-software::site/" + cloud, LastActive: t0},
		{Key: "jira-software", ID: "3c4d", LastActive: t0.Add(time.Hour)},
		{Key: "jira-software", ID: "ari:cloud:jira-software::site/ffffffff-4e5f-4a6b-8c7d-9e0f1a2b3c4d", LastActive: t0.Add(2 * time.Hour)},
		{Key: "confluence", ID: "ari:cloud:confluence::site/" + cloud, LastActive: t0.Add(3 * time.Hour)},
	}}
	if got := lastActive(u, cloud); !got.Equal(t0) {
		t.Errorf("lastActive = %v, want the site's Jira activity %v", got, t0)
	}
	// No entry for the site: the latest activity anywhere.
	if got := lastActive(u, "11111111-2222-4333-8444-555555555555"); !got.Equal(t0.Add(3 * time.Hour)) {
		t.Errorf("lastActive without a site entry = %v", got)
	}
}
