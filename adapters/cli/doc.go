// Package cli is the command line of the Jira Cloud connector (the
// baton-jira binary in examples/baton-jira), built on the Baton SDK's
// configuration and runner: [Configuration] declares the connector's flags
// and environment variables, [Config] is their typed form, and [Run] hands
// both to the SDK's command builder (config.DefineConfigurationV2, what
// config.RunConnector calls), which supplies the rest (one-shot sync to a
// c1z file, service mode, provisioning switches, logging, health checks, and
// the capabilities and config subcommands). Run then adds the help: a
// one-line [Description], the connector's flags listed before the SDK's,
// [TicketingHelp], [ProvisioningHelp] and [AuthMethodHelp] in place of the
// SDK's texts, and a float --jira-requests-per-second.
//
// The flags shared with ConductorOne's baton-jira keep its names, meanings
// and BATON_* environment variables. Three hidden, CLI-only fields exist for
// tests against the loopback fake in jira/jiratest and never reach the
// exported configuration schema: --jira-insecure-loopback,
// --jira-gateway-url and --atlassian-admin-url.
//
// baton_capabilities.json and config_schema.json at the module root are the
// output of the binary's capabilities and config subcommands; a test fails
// when they are stale. Regenerate them with:
//
//	go generate ./adapters/cli
package cli

//go:generate go test -run TestGeneratedFiles -update .
