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
	// Ticketing on by the environment (BATON_TICKETING) here, by the flag
	// (--ticketing) below.
	r := runBin(t, env, "--jira-project-keys", "P001,P002", "--list-ticket-schemas")
	if r.code != 0 || !strings.Contains(r.output(), "P001:10001") || strings.Contains(r.output(), "ACC:") ||
		strings.Contains(r.output(), "P001:10004") {
		t.Fatalf("--list-ticket-schemas: exit %d, want the Task schema of P001 (no subtasks):\n%s", r.code, r.output())
	}
	assertNoSecrets(t, r, f.secrets()...)

	r = runBin(t, f.env(), "--ticketing", "--jira-project-keys", "P002", "--create-ticket", "--ticket-template-path", tpl)
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

	r = runBin(t, f.env(), "--ticketing", "--get-ticket", "--ticket-id", made[0].ID)
	if r.code != 0 || !strings.Contains(r.output(), "Access for Alice") {
		t.Errorf("--get-ticket: exit %d:\n%s", r.code, r.output())
	}

	// Bulk create through the SDK (its task calls the connector's
	// BulkCreateTickets): status and custom fields per ticket.
	bulk := filepath.Join(dir, "bulk.json")
	if err := os.WriteFile(bulk, []byte(`{"tickets":[
		{"schema_id":"P001:10001","display_name":"bulk one","custom_fields":{"priority":{"id":"2"}}},
		{"schema_id":"P002:10001","display_name":"bulk two","status_id":"10001","labels":["bulk"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runBin(t, f.env(), "--ticketing", "--bulk-create-ticket", "--bulk-ticket-template-path", bulk)
	if r.code != 0 {
		t.Fatalf("--bulk-create-ticket: exit %d:\n%s", r.code, r.output())
	}
	got := map[string]*jiratest.Issue{}
	for _, is := range srv.Snapshot().Issues {
		if strings.HasPrefix(is.Summary, "bulk ") {
			got[is.Summary] = is
		}
	}
	one, two := got["bulk one"], got["bulk two"]
	if len(got) != 2 || one == nil || two == nil {
		t.Fatalf("issues made by --bulk-create-ticket: %v", got)
	}
	if !strings.HasPrefix(one.Key, "P001-") || one.PriorityID != "2" {
		t.Errorf("bulk one: %s, priority %s (want 2, High)", one.Key, one.PriorityID)
	}
	if !strings.HasPrefix(two.Key, "P002-") || two.StatusID != "10001" || !strings.Contains(strings.Join(two.Labels, " "), "bulk") {
		t.Errorf("bulk two: %s, status %s, labels %v", two.Key, two.StatusID, two.Labels)
	}
	assertNoSecrets(t, r, f.secrets()...)
}
