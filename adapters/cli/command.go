package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	sdkcli "github.com/conductorone/baton-sdk/pkg/cli"
	"github.com/conductorone/baton-sdk/pkg/config"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	"github.com/conductorone/baton-sdk/pkg/connectorrunner"
	"github.com/conductorone/baton-sdk/pkg/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Description is the one line --help prints under the command name.
const Description = "Sync who has access to what in Jira Cloud (users, groups, projects, project roles, products, " +
	"organization accounts) into a Baton c1z file, or serve a ConductorOne tenant."

// Help texts of the Baton SDK flags whose truth depends on what this
// connector implements. They replace the SDK's generic texts in --help.
// Change the text here (and nothing else in this file); TestHelp checks
// that --help shows these constants.
const (
	// TicketingHelp is the --help text of the SDK's --ticketing flag.
	TicketingHelp = "Use Jira as an external ticketing system: a ticket schema per issue type of the projects in " +
		"--jira-project-keys, or all projects; create, get and bulk operations (see docs/TICKETING.md)"
	// ProvisioningHelp is the --help text of the SDK's --provisioning flag.
	ProvisioningHelp = "Allow changes to Jira: grant and revoke group membership, project-role actors, product access, " +
		"site administration and project lead; invite accounts; suspend accounts in organization mode (see docs/PROVISIONING.md)"
	// AuthMethodHelp is the --help text of the SDK's --auth-method flag.
	AuthMethodHelp = "Unused: this connector has one way to authenticate (jira-email and jira-api-token, plus " +
		"atlassian-orgId and atlassian-api-token for an organization)"
)

// sdkFlagHelp maps SDK flag names to the texts above.
var sdkFlagHelp = map[string]string{
	"ticketing":    TicketingHelp,
	"provisioning": ProvisioningHelp,
	"auth-method":  AuthMethodHelp,
}

// floatFields are connector fields declared as IntField in the schema (the
// SDK has no float field, and the exported schema keeps offering whole
// numbers) whose value is a float64 in Config: their command-line flags
// accept decimals, and environment variables and YAML may hold either.
var floatFields = []string{RequestsPerSecondField.FieldName}

// newCommand builds the baton-jira command: the SDK's command (its flags,
// subcommands and runner) with this connector's help on top — a one-line
// description, the connector's flags listed before the SDK's, honest texts
// for the SDK flags this connector does not support, and float flags for
// the float settings.
//
// It returns the SDK's viper instance too, which the command decodes into
// Config when it runs.
func newCommand(ctx context.Context, name, version string) (*viper.Viper, *cobra.Command, error) {
	//nolint:staticcheck // RunConnector has no way to reach the command before it runs; this is what it calls.
	v, cmd, err := config.DefineConfigurationV2(ctx, name, connectorFunc, Configuration,
		connectorrunner.WithDefaultCapabilitiesConnectorFactory(capabilitiesConnector))
	if err != nil {
		return nil, nil, err
	}
	cmd.Version = version
	cmd.Short = Description
	cmd.Long = name + " - " + Description
	for _, c := range append([]*cobra.Command{cmd}, cmd.Commands()...) {
		for _, n := range floatFields {
			for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
				if err := makeFloat(fs, n); err != nil {
					return nil, nil, err
				}
			}
		}
	}
	for n, help := range sdkFlagHelp {
		if f := cmd.PersistentFlags().Lookup(n); f != nil {
			f.Usage = help + " ($BATON_" + strings.ToUpper(strings.ReplaceAll(n, "-", "_")) + ")"
		}
	}
	defaultUsage := (&cobra.Command{}).UsageFunc()
	cmd.SetUsageFunc(func(c *cobra.Command) error {
		if c != cmd {
			return defaultUsage(c)
		}
		return writeUsage(c.OutOrStderr(), c)
	})
	return v, cmd, nil
}

// connectorFunc is what config.RunConnector derives from NewConnector.
func connectorFunc(ctx context.Context, c *Config, rt sdkcli.RunTimeOpts) (types.ConnectorServer, error) {
	b, opts, err := NewConnector(ctx, c, &sdkcli.ConnectorOpts{
		TokenSource:         rt.TokenSource,
		SelectedAuthMethod:  rt.SelectedAuthMethod,
		SyncResourceTypeIDs: rt.SyncResourceTypeIDs,
		EgressPolicy:        rt.EgressPolicy,
	})
	if err != nil {
		return nil, err
	}
	opts = append(opts, connectorbuilder.WithSessionStore(rt.SessionStore))
	return connectorbuilder.NewConnector(ctx, b, opts...)
}

// floatValue is a pflag.Value holding a float64.
type floatValue float64

func (v *floatValue) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }
func (v *floatValue) Type() string   { return "float" }
func (v *floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("want a number such as 10 or 2.5, got %q", s)
	}
	*v = floatValue(f)
	return nil
}

// makeFloat turns the int flag name of fs, if there is one, into a float
// flag, keeping a value already set from the environment or YAML.
func makeFloat(fs *pflag.FlagSet, name string) error {
	f := fs.Lookup(name)
	if f == nil || f.Value.Type() == "float" {
		return nil
	}
	v := new(floatValue)
	if err := v.Set(f.Value.String()); err != nil {
		return fmt.Errorf("flag %s: %w", name, err)
	}
	f.Value = v
	return nil
}

// writeUsage writes the root command's usage with the connector's flags
// first, in schema order, then the SDK's, sorted.
func writeUsage(w io.Writer, c *cobra.Command) error {
	ours := map[string]bool{}
	own := pflag.NewFlagSet("jira", pflag.ContinueOnError)
	own.SortFlags = false
	sdk := pflag.NewFlagSet("sdk", pflag.ContinueOnError)
	local := c.LocalFlags()
	for _, sf := range Fields {
		if f := local.Lookup(sf.FieldName); f != nil {
			own.AddFlag(f)
			ours[sf.FieldName] = true
		}
	}
	local.VisitAll(func(f *pflag.Flag) {
		if !ours[f.Name] {
			sdk.AddFlag(f)
		}
	})

	var b strings.Builder
	b.WriteString("Usage:\n")
	if c.Runnable() {
		fmt.Fprintf(&b, "  %s\n", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "  %s [command]\n", c.CommandPath())
		b.WriteString("\nAvailable Commands:\n")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(&b, "  %-*s %s\n", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	fmt.Fprintf(&b, "\nJira Cloud flags:\n%s", own.FlagUsages())
	fmt.Fprintf(&b, "\nBaton SDK flags (output file, service mode, logging, sync selection):\n%s", sdk.FlagUsages())
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\nUse \"%s [command] --help\" for more information about a command.\n", c.CommandPath())
	}
	_, err := io.WriteString(w, b.String())
	return err
}
