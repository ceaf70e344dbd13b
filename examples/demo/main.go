// Command demo shows a complete Jira Cloud sync without any credentials.
//
//	go run ./examples/demo [-o demo.c1z] [-size small|medium] [-seed 1] [-org=false]
//
// It starts a fake Jira Cloud site and its Atlassian organization in this
// process (jira/jiratest: a generated company with users, groups, projects,
// roles, products and admins), syncs it with the connector through
// embed.Sync exactly as a real site would be synced, writes the c1z file,
// and prints what the file says: counts per resource type, who administers
// Jira, who has which product, the largest groups, and how to open the file
// with the baton CLI. Nothing leaves the machine.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func main() {
	// The SDK's storage engine prints housekeeping lines ("Found 0 WALs")
	// through the standard logger; they are noise here.
	log.SetOutput(io.Discard)
	if err := run(context.Background(), os.Stdout, os.Stderr, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "demo:", err)
		}
		os.Exit(2)
	}
}

// run is the whole demo: it parses args, syncs the fake site into the c1z
// file and writes the summary to w (usage and flag errors go to errw).
func run(ctx context.Context, w, errw io.Writer, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(errw)
	out := fs.String("o", "demo.c1z", "the c1z file to write")
	sizeName := fs.String("size", "small", "size of the generated company: small (50 users) or medium (2,000 users)")
	seed := fs.Int64("seed", 1, "seed of the generated company (the same seed gives the same company)")
	org := fs.Bool("org", true, "also read the Atlassian organization (organization mode)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	size, err := jiratest.ParseSize(*sizeName)
	if err != nil {
		return err
	}
	if size != jiratest.Small && size != jiratest.Medium {
		return fmt.Errorf("-size %s takes minutes; the demo offers small and medium (the benchmarks use the rest)", size)
	}

	srv := jiratest.NewServer(jiratest.Generate(size, *seed))
	defer srv.Close()

	cfg := connector.DefaultConfig()
	cfg.JiraURL = srv.URL
	cfg.JiraEmail = srv.Email
	cfg.JiraAPIToken = srv.APIToken
	// The fake listens on plain-HTTP loopback, which only these options allow.
	cfg.JiraOptions = []jira.Option{jira.WithLoopback()}
	if *org {
		cfg.AtlassianOrgID = srv.OrgID
		cfg.AtlassianAPIToken = srv.AdminKey
		cfg.AtlassianOptions = []atlassian.Option{atlassian.WithLoopback(), atlassian.WithBaseURL(srv.AdminURL())}
	}

	with := ""
	if *org {
		with = ", with its Atlassian organization"
	}
	fmt.Fprintf(w, "Syncing the fake site %s (%s company, seed %d%s) ...\n", srv.SiteHost, size, *seed, with)
	res, err := embed.Sync(ctx, cfg, embed.WithC1ZPath(*out))
	if err != nil {
		return err
	}
	snap, err := embed.ReadC1Z(ctx, res.C1ZPath)
	if err != nil {
		return err
	}
	printSummary(w, srv.SiteHost, res, snap)
	return nil
}

// view indexes a snapshot for the summary.
type view struct {
	names   map[string]string   // "type:id" → display name
	members map[string][]string // group id → user ids (direct member grants)
	grants  map[string][]embed.Grant
}

func newView(s *embed.Snapshot) *view {
	v := &view{names: map[string]string{}, members: map[string][]string{}, grants: map[string][]embed.Grant{}}
	for _, r := range s.Resources {
		v.names[r.Type+":"+r.ID] = r.DisplayName
	}
	for _, g := range s.Grants {
		v.grants[g.Entitlement] = append(v.grants[g.Entitlement], g)
		if g.Expanded || g.PrincipalType != "user" {
			continue
		}
		if gid, ok := strings.CutPrefix(g.Entitlement, "group:"); ok {
			if gid, ok := strings.CutSuffix(gid, ":member"); ok {
				v.members[gid] = append(v.members[gid], g.PrincipalID)
			}
		}
	}
	return v
}

func (v *view) name(typ, id string) string {
	if n := v.names[typ+":"+id]; n != "" {
		return n
	}
	return id
}

// holders returns the direct grants of entitlement to principals of type typ.
func (v *view) holders(entitlement, typ string) []string {
	var ids []string
	for _, g := range v.grants[entitlement] {
		if !g.Expanded && g.PrincipalType == typ {
			ids = append(ids, g.PrincipalID)
		}
	}
	return ids
}

// users counts the distinct users holding entitlement, directly or through expansion.
func (v *view) users(entitlement string) int {
	seen := map[string]bool{}
	for _, g := range v.grants[entitlement] {
		if g.PrincipalType == "user" {
			seen[g.PrincipalID] = true
		}
	}
	return len(seen)
}

func (v *view) userList(ids []string, limit int) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, v.name("user", id))
	}
	slices.Sort(names)
	if len(names) == 0 {
		return "(no members)"
	}
	if len(names) > limit {
		return strings.Join(names[:limit], ", ") + fmt.Sprintf(" and %d more", len(names)-limit)
	}
	return strings.Join(names, ", ")
}

func printSummary(w io.Writer, host string, res *embed.Result, s *embed.Snapshot) {
	v := newView(s)
	fmt.Fprintf(w, "\nSynced in %s with %d requests: %d resources, %d entitlements, %d grants (%d of them derived by expanding group, role, product and public-access grants).\n",
		res.Duration.Round(time.Millisecond), res.Requests, res.Resources, res.Entitlements, res.Grants, res.ExpandedGrants)
	fmt.Fprintf(w, "Wrote %s\n", res.C1ZPath)

	fmt.Fprintf(w, "\n== Resources per type ==\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "type\tresources\tentitlements\tgrants")
	types := slices.Clone(s.ResourceTypes)
	slices.SortFunc(types, func(a, b string) int { return cmp.Compare(typeOrder(a), typeOrder(b)) })
	for _, t := range types {
		c := res.ByResourceType[t]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", t, c.Resources, c.Entitlements, c.Grants)
	}
	tw.Flush()

	fmt.Fprintf(w, "\n== Who administers Jira ==\n")
	for _, e := range []struct{ slug, what string }{
		{"admin", "Administer Jira (global permission)"},
		{"site-admin", "Site administration"},
	} {
		ent := "site:" + host + ":" + e.slug
		groups := v.holders(ent, "group")
		fmt.Fprintf(w, "%s — %s: %d users through %d groups\n", e.what, ent, v.users(ent), len(groups))
		slices.SortFunc(groups, func(a, b string) int { return strings.Compare(v.name("group", a), v.name("group", b)) })
		for _, g := range groups {
			fmt.Fprintf(w, "  %s: %s\n", v.name("group", g), v.userList(v.members[g], 6))
		}
	}

	fmt.Fprintf(w, "\n== Product access ==\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "product\tusers\tthrough groups")
	var products []embed.Resource
	for _, r := range s.Resources {
		if r.Type == "product" {
			products = append(products, r)
		}
	}
	slices.SortStableFunc(products, func(a, b embed.Resource) int {
		return cmp.Compare(v.users("product:"+b.ID+":access"), v.users("product:"+a.ID+":access"))
	})
	for _, r := range products {
		ent := "product:" + r.ID + ":access"
		var via []string
		for _, g := range v.holders(ent, "group") {
			via = append(via, fmt.Sprintf("%s (%d)", v.name("group", g), len(v.members[g])))
		}
		slices.Sort(via)
		if len(via) == 0 {
			via = []string{"(no groups)"}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", r.DisplayName, v.users(ent), strings.Join(via, ", "))
	}
	tw.Flush()

	fmt.Fprintf(w, "\n== Largest groups ==\n")
	type sized struct {
		id string
		n  int
	}
	var groups []sized
	for _, r := range s.Resources {
		if r.Type == "group" {
			groups = append(groups, sized{r.ID, len(v.members[r.ID])})
		}
	}
	slices.SortFunc(groups, func(a, b sized) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return strings.Compare(v.name("group", a.id), v.name("group", b.id))
	})
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "group\tmembers")
	for _, g := range groups[:min(5, len(groups))] {
		fmt.Fprintf(tw, "%s\t%d\n", v.name("group", g.id), g.n)
	}
	tw.Flush()

	fmt.Fprintf(w, "\n== Open the file with the baton CLI ==\n")
	fmt.Fprintf(w, "  go build -o bin/baton github.com/conductorone/baton-sdk/cmd/baton\n")
	fmt.Fprintf(w, "  bin/baton resources -f %s\n", res.C1ZPath)
	fmt.Fprintf(w, "  bin/baton grants -f %s -o json\n", res.C1ZPath)
	fmt.Fprintf(w, "  bin/baton grants -f %s -e site:%s:admin    # who administers Jira, members included\n", res.C1ZPath, host)
}

// typeOrder puts the resource types in the order of docs/MODEL.md.
func typeOrder(t string) int {
	if i := slices.Index([]string{"user", "group", "project", "project-role", "product", "site"}, t); i >= 0 {
		return i
	}
	return 100
}
