package embed_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// ExampleTicketing uses a (fake) Jira site as a ticketing system: list the
// schemas of one project, create an access request, move it along, comment,
// and see a field problem reported before anything is sent.
func ExampleTicketing() {
	ctx := context.Background()
	srv := jiratest.NewServer(jiratest.NewTicketingTenant(0, 0), jiratest.Unlimited())
	defer srv.Close()

	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = srv.GatewayURL(), srv.Email, srv.ScopedToken
	cfg.JiraProjectKeys = []string{"ACC"}
	cfg.JiraOptions = []jira.Option{jira.WithLoopback()} // the fake listens on loopback

	tk, err := embed.NewTicketing(ctx, cfg)
	if err != nil {
		panic(err)
	}
	defer tk.Close(ctx)

	schemas, err := tk.Schemas(ctx)
	if err != nil {
		panic(err)
	}
	for _, s := range schemas {
		fmt.Println("schema", s.GetId(), s.GetDisplayName())
	}

	t, err := tk.Create(ctx, embed.TicketRequest{
		SchemaID:    "ACC:10005", // Access Request
		Summary:     "Write access to the finance space",
		Description: "Needed for the quarterly close.",
		Fields: map[string]any{
			"customfield_10040": "Write", // Access Level: an allowed value, by name or ID
			"customfield_10060": "Quarterly close, approved by Ada.",
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("created", t.GetUrl(), t.GetStatus().GetDisplayName())

	t, err = tk.Transition(ctx, t.GetId(), "Approved") // the Access Request workflow's
	if err != nil {
		panic(err)
	}
	fmt.Println("status", t.GetStatus().GetDisplayName())
	if _, err := tk.Comment(ctx, t.GetId(), "Granted by the identity team."); err != nil {
		panic(err)
	}

	_, err = tk.Create(ctx, embed.TicketRequest{SchemaID: "ACC:10005", Summary: "Root",
		Fields: map[string]any{"customfield_10040": "Root"}})
	var fe *connector.TicketFieldError
	if errors.As(err, &fe) {
		for _, id := range []string{"customfield_10040", "customfield_10060"} {
			fmt.Println("rejected", id+":", strings.SplitN(fe.Fields[id], " (", 2)[0])
		}
	}
	// Output:
	// schema ACC:10001 Task (ACC)
	// schema ACC:10005 Access Request (ACC)
	// schema ACC:10100 Everything (ACC)
	// created https://acme.atlassian.net/browse/ACC-1 Waiting for approval
	// status Approved
	// rejected customfield_10040: "Root" is not an allowed value
	// rejected customfield_10060: required
}
