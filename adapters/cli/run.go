package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	sdkcli "github.com/conductorone/baton-sdk/pkg/cli"
	"github.com/conductorone/baton-sdk/pkg/config"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	"github.com/conductorone/baton-sdk/pkg/connectorrunner"
	"github.com/conductorone/baton-sdk/pkg/types"

	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/internal/memlimit"
)

// ErrTicketingUnsupported is returned when --ticketing (BATON_TICKETING) is
// set: external ticketing is not implemented yet, and a setting that is
// accepted and then ignored would hide that.
var ErrTicketingUnsupported = errors.New("baton-jira-cloud: --ticketing (BATON_TICKETING) is not supported yet: " +
	"this connector does not create Jira tickets; remove the setting")

// Run runs the connector's command line through the Baton SDK and does not
// return: it exits with status 0 on success and non-zero after printing
// the error. name is the command name (baton-jira) and version its version.
//
// Everything beyond the connector fields comes from the SDK: one-shot sync
// to --file, service mode (--client-id/--client-secret), --provisioning,
// --workers, logging, health checks, and the capabilities and config
// subcommands.
//
// Run sets a soft memory limit for the Go runtime first, derived from the
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
	config.RunConnector(ctx, name, version, Configuration, NewConnector,
		connectorrunner.WithDefaultCapabilitiesConnectorFactory(capabilitiesConnector))
}

// NewConnector builds the connector from the decoded configuration; it is
// the constructor handed to config.RunConnector. It only checks the
// configuration and builds clients (the SDK calls it once in the CLI
// process and once in its connector subprocess); credentials and
// permissions are checked by the connector's Validate at the start of
// every sync.
func NewConnector(ctx context.Context, c *Config, _ *sdkcli.ConnectorOpts) (connectorbuilder.ConnectorBuilderV2, []connectorbuilder.Opt, error) {
	if c.Ticketing {
		return nil, nil, ErrTicketingUnsupported
	}
	conn, err := connector.New(ctx, c.ConnectorConfig())
	if err != nil {
		return nil, nil, err
	}
	return conn, nil, nil
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
