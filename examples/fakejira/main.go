// Command fakejira serves a generated fake Jira Cloud site and Atlassian organization on loopback until Ctrl-C,
// and prints everything a connector needs to talk to it.
//
//	go run ./examples/fakejira -size medium
//	go run ./examples/fakejira -size small -addr 127.0.0.1:8080 -latency 80ms -jitter 20ms -truth truth.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fakejira:", err)
		os.Exit(1)
	}
}

func run() error {
	sizeFlag := flag.String("size", "small", "tenant size: small, medium, large or xl")
	seed := flag.Int64("seed", 1, "generator seed (same seed, same tenant)")
	addr := flag.String("addr", "", "loopback address to listen on (default: a random 127.0.0.1 port)")
	latency := flag.Duration("latency", 0, "latency added to every API request")
	jitter := flag.Duration("jitter", 0, "uniform jitter added to the latency")
	unlimited := flag.Bool("unlimited", false, "disable rate limits")
	faultRate := flag.Float64("faults", 0, "total fault rate (split between 5xx, 503+Retry-After, resets, truncation and 429 storms)")
	truthFile := flag.String("truth", "", "write the ground truth (docs/MODEL.md) as JSON to this file")
	flag.Parse()

	size, err := jiratest.ParseSize(*sizeFlag)
	if err != nil {
		return err
	}
	start := time.Now()
	tenant := jiratest.Generate(size, *seed)
	genTime := time.Since(start)

	opts := []jiratest.Option{jiratest.WithLatency(*latency), jiratest.WithJitter(*jitter)}
	if *addr != "" {
		opts = append(opts, jiratest.WithAddr(*addr))
	}
	if *unlimited {
		opts = append(opts, jiratest.Unlimited())
	}
	if *faultRate > 0 {
		r := *faultRate / 5
		opts = append(opts, jiratest.WithFaults(jiratest.Faults{Seed: *seed, Rate5xx: r, Rate503RetryAfter: r,
			RateReset: r, RateTruncated: r, Rate429Storm: r / 5}))
	}
	if *truthFile != "" {
		f, err := os.Create(*truthFile)
		if err != nil {
			return err
		}
		if err := groundtruth.WriteJSON(f, groundtruth.Of(tenant, groundtruth.Options{})); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}

	srv := jiratest.NewServer(tenant, opts...)
	defer srv.Close()

	s := tenant.Summary()
	fmt.Printf("fake Jira Cloud (%s, seed %d, generated in %v)\n\n", size, *seed, genTime.Round(time.Millisecond))
	rows := [][2]string{
		{"Site URL (classic token)", srv.URL},
		{"Gateway URL (scoped/OAuth)", srv.GatewayURL()},
		{"Admin API URL", srv.AdminURL()},
		{"API root (user management)", srv.APIRootURL()},
		{"Site host (serverInfo)", srv.SiteHost},
		{"Cloud ID", srv.CloudID},
		{"Org ID", srv.OrgID},
		{"Email", srv.Email},
		{"API token (classic)", srv.APIToken},
		{"Scoped API token", srv.ScopedToken},
		{"Service account email", srv.ServiceAccountEmail},
		{"Service account token", srv.ServiceAccountToken},
		{"OAuth bearer token", srv.BearerToken},
		{"Admin API key", srv.AdminKey},
		{"Admin API key (scoped)", srv.ScopedAdminKey},
	}
	for _, r := range rows {
		fmt.Printf("  %-28s %s\n", r[0]+":", r[1])
	}
	fmt.Printf("\n  users %d (active %d, apps %d, customers %d, former %d), groups %d, memberships %d,\n",
		s.Users, s.ActiveUsers, s.Apps, s.Customers, s.Former, s.Groups, s.Memberships)
	fmt.Printf("  projects %d live (+%d archived, %d trashed, %d team-managed), role actor lists %d, org accounts %d\n",
		s.Projects, s.Archived, s.Deleted, s.TeamManaged, s.RoleLists, s.OrgAccounts)
	fmt.Printf("  reference connector would make %d requests\n\n", groundtruth.ReferenceCallCount(tenant, groundtruth.Options{}))
	fmt.Printf("  try: curl -u '%s:%s' %s/rest/api/3/myself\n", srv.Email, srv.APIToken, srv.URL)
	fmt.Printf("  stats: %s/_jiratest/stats   mutations: %s/_jiratest/mutations   summary: %s/_jiratest/summary\n\n",
		srv.URL, srv.URL, srv.URL)
	fmt.Println("serving until Ctrl-C")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()

	st := srv.Stats()
	b, _ := json.MarshalIndent(struct {
		Total, RateLimited, Faults, Mutations int
	}{st.Total, st.RateLimited, st.Faults, st.Mutations}, "", "  ")
	fmt.Printf("\nstopped; %s\n", b)
	return nil
}
