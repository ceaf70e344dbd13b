package embed_test

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func newTicketing(t *testing.T, srv *jiratest.Server) *embed.Ticketing {
	t.Helper()
	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = srv.URL, srv.Email, srv.APIToken
	cfg.JiraOptions = []jira.Option{jira.WithLoopback(), jira.WithGatewayURL(srv.URL), jira.WithRateLimits(jira.UnlimitedRateLimits())}
	tk, err := embed.NewTicketing(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tk.Close(t.Context()) })
	return tk
}

func TestTicketingBulkAndUpdate(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(jiratest.NewTicketingTenant(3, 0), jiratest.Unlimited())
	t.Cleanup(srv.Close)
	tk := newTicketing(t, srv)
	every := map[string]any{
		"customfield_10040":       "10100",
		"customfield_10060":       "why",
		jiratest.FieldDate:        time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC),
		"customfield_10030":       5,
		jiratest.FieldMultiSelect: []string{"Okta", "AWS"},
	}
	res := tk.BulkCreate(t.Context(), []embed.TicketRequest{
		{SchemaID: "P001:10001", Summary: "one"},
		{SchemaID: "P003:10001", Summary: "two", Status: "Done"},
		{SchemaID: "ACC:" + jiratest.TicketingEverythingType, Summary: "three", Fields: every},
		{SchemaID: "ACC:" + jiratest.TicketingEverythingType, Summary: "bad", Fields: map[string]any{"customfield_10030": struct{}{}}},
	})
	for i, r := range res[:3] {
		if r.Err != nil || r.Ticket == nil {
			t.Fatalf("ticket %d: %v", i, r.Err)
		}
	}
	if res[1].Ticket.GetStatus().GetDisplayName() != "Done" {
		t.Errorf("status on create: %v", res[1].Ticket.GetStatus())
	}
	if res[3].Err == nil || !strings.Contains(res[3].Err.Error(), "unsupported value type") {
		t.Errorf("bad value type: %v", res[3].Err)
	}
	all := srv.Snapshot().Issues
	var three *jiratest.Issue
	for _, is := range all {
		if is.Summary == "three" {
			three = is
		}
	}
	if len(all) != 3 || three == nil || string(three.CustomFields["customfield_10030"]) != "5" ||
		string(three.CustomFields[jiratest.FieldMultiSelect]) != `[{"id":"10200"},{"id":"10202"}]` ||
		string(three.CustomFields[jiratest.FieldDate]) != `"2027-01-31"` {
		t.Fatalf("stored issues: %d, ticket three: %+v", len(all), three)
	}

	got := tk.BulkGet(t.Context(), []string{"P001-1", res[1].Ticket.GetId(), "P001-77"})
	if got[0].Err != nil || got[0].Ticket.GetDisplayName() != "one" || got[1].Ticket.GetDisplayName() != "two" ||
		status.Code(got[2].Err) != codes.NotFound {
		t.Errorf("BulkGet: %+v", got)
	}

	up, err := tk.Update(t.Context(), "P001-1", embed.TicketChanges{Summary: "one, renamed", Fields: map[string]any{"customfield_10030": 8.5}})
	if err != nil || up.GetDisplayName() != "one, renamed" {
		t.Fatalf("Update: %v %v", up, err)
	}
	if _, err := tk.Update(t.Context(), "P001-1", embed.TicketChanges{Fields: map[string]any{"customfield_10040": "Write"}}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("update of a field not on the screen: %v", err)
	}
	if _, err := tk.Schema(t.Context(), "NOPE:1"); status.Code(err) != codes.InvalidArgument || strings.Contains(err.Error(), srv.APIToken) {
		t.Errorf("unknown schema: %v", err)
	}
}
