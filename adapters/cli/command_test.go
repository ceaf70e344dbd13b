package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdkcli "github.com/conductorone/baton-sdk/pkg/cli"
	"github.com/conductorone/baton-sdk/pkg/field"
)

// --jira-requests-per-second is a float on the command line, in the
// environment and in YAML, and whole numbers keep working everywhere. The
// command is decoded the way the SDK's runner does it (bind the parsed
// flags, then decode into Config), then validated against the schema.
// Not parallel: it sets BATON_* environment variables.
func TestRequestsPerSecondIsAFloat(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     string // BATON_JIRA_REQUESTS_PER_SECOND
		yaml    string // the value in a BATON_CONFIG_PATH file
		want    float64
		wantErr string // from parsing the flags or from validation
	}{
		{name: "flag decimal", args: []string{"--jira-requests-per-second", "2.5"}, want: 2.5},
		{name: "flag integer", args: []string{"--jira-requests-per-second=10"}, want: 10},
		{name: "env decimal", env: "0.5", want: 0.5},
		{name: "env integer", env: "10", want: 10},
		{name: "yaml decimal", yaml: "2.5", want: 2.5},
		{name: "yaml integer", yaml: "12", want: 12},
		{name: "flag beats env", args: []string{"--jira-requests-per-second", "3.25"}, env: "10", want: 3.25},
		{name: "unset", want: 0},
		{name: "flag not a number", args: []string{"--jira-requests-per-second", "fast"}, wantErr: `"fast"`},
		{name: "flag above the cap", args: []string{"--jira-requests-per-second", "1000.5"}, wantErr: "less than or equal to 1000"},
		{name: "env negative", env: "-0.5", wantErr: "greater than or equal to 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("BATON_JIRA_REQUESTS_PER_SECOND", tc.env)
			if tc.env == "" {
				os.Unsetenv("BATON_JIRA_REQUESTS_PER_SECOND")
			}
			t.Setenv("BATON_CONFIG_PATH", "")
			if tc.yaml != "" {
				path := filepath.Join(t.TempDir(), "baton.yaml")
				if err := os.WriteFile(path, []byte("jira-requests-per-second: "+tc.yaml+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				t.Setenv("BATON_CONFIG_PATH", path)
			}
			v, cmd, err := newCommand(t.Context(), "baton-jira", "test")
			if err != nil {
				t.Fatal(err)
			}
			args := append([]string{"--jira-url", "https://acme.atlassian.net", "--jira-email", "me@acme.com",
				"--jira-api-token", "tok"}, tc.args...)
			err = cmd.ParseFlags(args)
			var c *Config
			if err == nil {
				if err = v.BindPFlags(cmd.Flags()); err != nil {
					t.Fatal(err)
				}
				if c, err = sdkcli.MakeGenericConfiguration[*Config](v); err != nil {
					t.Fatal(err)
				}
				err = field.Validate(Configuration, c)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.RequestsPerSecond != tc.want {
				t.Errorf("RequestsPerSecond = %v, want %v", c.RequestsPerSecond, tc.want)
			}
			if got := c.ConnectorConfig().RequestsPerSecond; got != tc.want {
				t.Errorf("connector RequestsPerSecond = %v, want %v", got, tc.want)
			}
		})
	}
}

// The connector subprocess (_connector-service) parses the same arguments
// as the parent: its flag must be a float too.
func TestFloatFlagOnEverySubcommand(t *testing.T) {
	t.Setenv("BATON_CONFIG_PATH", "")
	_, cmd, err := newCommand(t.Context(), "baton-jira", "test")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, c := range append(cmd.Commands(), cmd) {
		if f := c.Flags().Lookup("jira-requests-per-second"); f != nil {
			seen++
			if f.Value.Type() != "float" {
				t.Errorf("%s: --jira-requests-per-second is a %s flag", c.Name(), f.Value.Type())
			}
		}
	}
	if seen < 2 {
		t.Errorf("found the flag on %d commands, want the root and _connector-service", seen)
	}
}
