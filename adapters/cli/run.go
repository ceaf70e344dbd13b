package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	sdkcli "github.com/conductorone/baton-sdk/pkg/cli"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	"github.com/conductorone/baton-sdk/pkg/exit"
	"github.com/conductorone/baton-sdk/pkg/types"

	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/internal/memlimit"
	"github.com/batonkit/jiracloud/internal/quietlog"
	"github.com/batonkit/jiracloud/internal/workdir"
)

// Run runs the connector's command line through the Baton SDK and does not
// return: it exits with status 0 on success and non-zero after printing
// the error. name is the command name (baton-jira) and version its version.
//
// Everything beyond the connector fields comes from the SDK: one-shot sync
// to --file, service mode (--client-id/--client-secret), --provisioning,
// --ticketing (with the hidden --list-ticket-schemas, --create-ticket,
// --get-ticket and --bulk-create-ticket tasks), --workers, logging, health
// checks, and the capabilities and config subcommands.
//
// Before that, Run makes the files the process creates owner-only (umask
// 077 on Unix: the c1z file is written 0600, not the SDK's 0644) and removes
// what killed syncs left in the temporary directory (os.TempDir and
// BATON_C1Z_TEMP_DIR): the SDK's c1z-pebble* stores, when they are the
// user's, unchanged for 15 minutes and not locked by a running process.
//
// It also sets a soft memory limit for the Go runtime, derived from the
// container's memory limit (1 GiB when there is none) and shared between the
// two processes of a sync: an eighth for the connector process, the rest,
// less 384 MiB for what the SDK's Pebble store holds outside the Go heap, for
// the process running the syncer. JIRACLOUD_MEMORY_BUDGET sets the budget
// instead of the container's limit (a size such as 2GiB, or "off" for no
// limit; anything else is an error). GOMEMLIMIT, when set (to a size or
// "off"), is left to the Go runtime instead.
func Run(ctx context.Context, name, version string) {
	if _, err := setMemoryLimit(os.Args, os.Getenv, memlimit.Root()); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
	privateFiles()
	cleanLeftovers()
	// The SDK's grant expansion makes Pebble print "Found 0 WALs" through
	// the log package, outside the SDK's logger and its --log-format.
	quietlog.Start()
	_, cmd, err := newCommand(ctx, name, version)
	if err != nil {
		exit.LogExit(err)
		return
	}
	if err := cmd.Execute(); err != nil {
		exit.LogExit(err)
	}
}

// cleanLeftovers removes stale working directories of killed syncs.
func cleanLeftovers() {
	dirs := []string{os.TempDir()}
	if d := strings.TrimSpace(os.Getenv("BATON_C1Z_TEMP_DIR")); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		for _, p := range workdir.Clean(d, workdir.DefaultStaleAfter, nil) {
			fmt.Fprintf(os.Stderr, "%s: removed the working directory of an interrupted sync: %s\n", "baton-jira", p)
		}
	}
}

// NewConnector builds the connector from the decoded configuration; it is
// the constructor the SDK runner calls (see Run). It only checks the
// configuration and builds clients (the SDK calls it once in the CLI
// process and once in its connector subprocess); credentials and
// permissions are checked by the connector's Validate at the start of
// every sync.
func NewConnector(ctx context.Context, c *Config, _ *sdkcli.ConnectorOpts) (connectorbuilder.ConnectorBuilderV2, []connectorbuilder.Opt, error) {
	conn, err := connector.New(ctx, c.ConnectorConfig())
	if err != nil {
		return nil, nil, err
	}
	var opts []connectorbuilder.Opt
	if c.Ticketing {
		// Jira as external ticketing system: schemas of the projects in
		// --jira-project-keys (all projects when empty).
		opts = append(opts, connectorbuilder.WithTicketingEnabled())
	}
	return conn, opts, nil
}

// capabilitiesConnector builds a connector for the capabilities
// subcommand, which must work without a site or credentials: the
// capabilities depend only on the resource types and what their syncers
// implement, never on the site. Nothing is sent to the placeholder site.
func capabilitiesConnector(ctx context.Context) (types.ConnectorServer, error) {
	cfg := connector.DefaultConfig()
	cfg.JiraURL = "https://example.atlassian.net"
	cfg.JiraEmail = "capabilities@example.com"
	cfg.JiraAPIToken = "unused"
	b, err := connector.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return connectorbuilder.NewConnector(ctx, b)
}
