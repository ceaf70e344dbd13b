package embed_test

import (
	"context"
	"fmt"

	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// A Provisioner built once changes access on the site: here it invites a
// person, adds them to a group (twice: the second grant finds it done),
// revokes the grant by its Baton grant ID, and shows a refused request.
func ExampleProvisioner() {
	ctx := context.Background()
	tenant := jiratest.NewTenant()
	srv := jiratest.NewServer(tenant) // a fake Jira Cloud site on loopback
	defer srv.Close()

	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = srv.URL, srv.Email, srv.APIToken
	cfg.JiraOptions = []jira.Option{jira.WithLoopback(), jira.WithGatewayURL(srv.URL)} // tests only

	p, err := embed.NewProvisioner(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()

	acct, err := p.CreateAccount(ctx, "grace@acme.example", "jira-software")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("invited, existed before:", acct.Existed)

	var discovery string
	for _, g := range tenant.Groups {
		if g.Name == "jira-product-discovery-users-acme" {
			discovery = g.ID
		}
	}
	ent := "group:" + discovery + ":member"
	for range 2 {
		r, err := p.Grant(ctx, ent, embed.User(acct.AccountID))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("grant: already held:", r.AlreadyDone, "writes:", len(r.Changes))
	}
	r, err := p.Revoke(ctx, ent+":user:"+acct.AccountID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("revoke: already absent:", r.AlreadyDone, "writes:", len(r.Changes))

	_, err = p.Grant(ctx, "site:acme.atlassian.net:anyone", embed.User(acct.AccountID))
	fmt.Println("grant anyone:", status.Code(err))
	_, err = p.Deprovision(ctx, acct.AccountID)
	fmt.Println("deprovision without organization mode:", status.Code(err))
	// Output:
	// invited, existed before: false
	// grant: already held: false writes: 1
	// grant: already held: true writes: 0
	// revoke: already absent: false writes: 1
	// grant anyone: FailedPrecondition
	// deprovision without organization mode: FailedPrecondition
}
