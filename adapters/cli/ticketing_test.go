package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestTicketingCLI runs baton-jira's ticket tasks against the fake, with
// baton-jira's flags: --ticketing and --jira-project-keys.
func TestTicketingCLI(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(jiratest.NewTicketingTenant(2, 0), jiratest.Unlimited())
	t.Cleanup(srv.Close)
	f := fake{Server: srv}
	dir := t.TempDir()
	tpl := filepath.Join(dir, "ticket.json")
	if err := os.WriteFile(tpl, []byte(`{"schema_id":"P002:10001","display_name":"Access for Alice",
		"description":"Alice needs access.","labels":["from cli"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := merge(f.env(), "BATON_TICKETING", "true")

	// The SDK's local task prints the first page only: one project's schemas.
	r := runBin(t, env, "--jira-project-keys", "P001,P002", "--list-ticket-schemas")
	if r.code != 0 || !strings.Contains(r.output(), "P001:10001") || strings.Contains(r.output(), "ACC:") ||
		strings.Contains(r.output(), "P001:10004") {
		t.Fatalf("--list-ticket-schemas: exit %d, want the Task schema of P001 (no subtasks):\n%s", r.code, r.output())
	}
	assertNoSecrets(t, r, f.secrets()...)

	r = runBin(t, env, "--create-ticket", "--ticket-template-path", tpl)
	if r.code != 0 {
		t.Fatalf("--create-ticket: exit %d:\n%s", r.code, r.output())
	}
	var made []*jiratest.Issue
	for _, is := range srv.Snapshot().Issues {
		if is.Summary == "Access for Alice" {
			made = append(made, is)
		}
	}
	if len(made) != 1 || made[0].Key != "P002-1" || !strings.Contains(strings.Join(made[0].Labels, " "), "from_cli") {
		t.Fatalf("issues made by --create-ticket: %v", made)
	}
	if !strings.Contains(r.output(), "/browse/P002-1") {
		t.Errorf("--create-ticket output does not link the issue:\n%s", r.output())
	}

	r = runBin(t, env, "--get-ticket", "--ticket-id", made[0].ID)
	if r.code != 0 || !strings.Contains(r.output(), "Access for Alice") {
		t.Errorf("--get-ticket: exit %d:\n%s", r.code, r.output())
	}
}
