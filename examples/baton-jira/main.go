// Command baton-jira is the Baton connector for Jira Cloud, a drop-in
// replacement for ConductorOne's baton-jira: same flags, same BATON_*
// environment variables, same resource and entitlement IDs.
//
//	go build -o bin/baton-jira ./examples/baton-jira
//	BATON_JIRA_URL=https://acme.atlassian.net BATON_JIRA_EMAIL=me@acme.com \
//	  BATON_JIRA_API_TOKEN=… bin/baton-jira -f sync.c1z
//
// Run it with --client-id and --client-secret to serve a ConductorOne
// tenant (service mode), and see --help for every flag.
package main

import (
	"context"

	"github.com/batonkit/jiracloud/adapters/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	cli.Run(context.Background(), "baton-jira", version)
}
