// Command quickstart reads a fake Jira Cloud site with the standalone client,
// then syncs it with embed.Sync. No credentials and no network: the fake
// (jira/jiratest) runs in-process on loopback.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) error {
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1))
	defer srv.Close()

	// The fake speaks plain http:// on a loopback port: jira.WithLoopback()
	// allows that (and only that) for tests.
	c, err := jira.NewClient(srv.URL, jira.WithBasicAuth(srv.Email, srv.APIToken), jira.WithLoopback())
	if err != nil {
		return err
	}
	users, active := 0, 0
	for u, err := range c.Users.ListIter(ctx, nil) {
		if err != nil {
			return err
		}
		users++
		if u.Active {
			active++
		}
	}
	groups, members := 0, 0
	for g, err := range c.Groups.ListIter(ctx, nil) {
		if err != nil {
			return err
		}
		groups++
		inactiveToo := &jira.MemberListOptions{IncludeInactive: true}
		for _, err := range c.Groups.MembersIter(ctx, g.GroupID, inactiveToo) {
			if err != nil {
				return err
			}
			members++
		}
	}
	fmt.Fprintf(w, "%d users (%d active), %d groups with %d memberships\n", users, active, groups, members)

	// The connector takes the same escape through Config.JiraOptions.
	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = srv.URL, srv.Email, srv.APIToken
	cfg.JiraOptions = []jira.Option{jira.WithLoopback()}
	res, err := embed.Sync(ctx, cfg, embed.WithRemoveC1Z())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "synced %d resources, %d entitlements, %d grants (%d expanded) with %d requests\n",
		res.Resources, res.Entitlements, res.Grants, res.ExpandedGrants, res.Requests)
	return nil
}
