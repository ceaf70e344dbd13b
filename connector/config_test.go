package connector

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func validConfig() Config {
	c := DefaultConfig()
	c.JiraURL = "https://acme.atlassian.net"
	c.JiraEmail = "admin@acme.com"
	c.JiraAPIToken = "ATATT-secret-token"
	return c
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(*Config)
		wantOK bool
		want   []string
	}{
		{name: "valid", edit: func(*Config) {}, wantOK: true},
		{name: "gateway URL", edit: func(c *Config) {
			c.JiraURL = "https://api.atlassian.com/ex/jira/0b9d2c59-4a6e-4b1c-9d3e-2f1a5b6c7d8e"
		}, wantOK: true},
		{name: "org mode", edit: func(c *Config) { c.AtlassianOrgID, c.AtlassianAPIToken = "org-1", "key" }, wantOK: true},
		{name: "missing everything", edit: func(c *Config) { *c = Config{} },
			want: []string{"jira-url is required", "jira-email is required", "jira-api-token is required"}},
		{name: "bad URL", edit: func(c *Config) { c.JiraURL = "https://example.com" },
			want: []string{"jira-url is invalid", "https://<site>.atlassian.net"}},
		{name: "bad email", edit: func(c *Config) { c.JiraEmail = "admin" }, want: []string{`jira-email "admin" is not an email address`}},
		{name: "org without key", edit: func(c *Config) { c.AtlassianOrgID = "org-1" },
			want: []string{"atlassian-orgId is set but atlassian-api-token is not"}},
		{name: "key without org", edit: func(c *Config) { c.AtlassianAPIToken = "key" },
			want: []string{"atlassian-api-token is set but atlassian-orgId is not"}},
		{name: "bad project key", edit: func(c *Config) { c.SyncProjectKeys = []string{"OK", "1BAD"} },
			want: []string{`sync-project-keys: "1BAD" is not a project key`}},
		{name: "negative rate", edit: func(c *Config) { c.RequestsPerSecond = -1 }, want: []string{"requests-per-second"}},
		{name: "too much concurrency", edit: func(c *Config) { c.Concurrency = 100000 }, want: []string{"concurrency must be between"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tc.edit(&c)
			err := c.Validate()
			if (err == nil) != tc.wantOK {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.wantOK)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestConfigRedactsSecrets(t *testing.T) {
	t.Parallel()
	c := validConfig()
	c.AtlassianOrgID, c.AtlassianAPIToken = "org-1", "ATCTT-admin-key"
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", c)
	outputs := []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", &c), c.String(), buf.String()}
	for _, out := range outputs {
		for _, secret := range []string{c.JiraAPIToken, c.AtlassianAPIToken} {
			if strings.Contains(out, secret) {
				t.Errorf("output leaks a secret: %s", out)
			}
		}
		if !strings.Contains(out, "admin@acme.com") {
			t.Errorf("output lost the non-secret email: %s", out)
		}
	}
}

func TestConfigHelpers(t *testing.T) {
	t.Parallel()
	c := validConfig()
	if c.concurrency() != DefaultConcurrency {
		t.Errorf("concurrency() = %d, want %d", c.concurrency(), DefaultConcurrency)
	}
	c.Concurrency = 3
	if c.concurrency() != 3 {
		t.Errorf("concurrency() = %d, want 3", c.concurrency())
	}
	c.SyncProjectKeys = []string{" proj ", "PROJ", "abc"}
	got := c.syncProjectKeys()
	if len(got) != 2 || got[0] != "PROJ" || got[1] != "ABC" {
		t.Errorf("syncProjectKeys() = %v, want [PROJ ABC]", got)
	}
	if c.OrgMode() {
		t.Error("OrgMode() = true without org settings")
	}
	if !DefaultConfig().ExpandParticipants {
		t.Error("DefaultConfig().ExpandParticipants = false, want true")
	}
}

// Errors carry the name of the binary users run (examples/baton-jira), one
// name everywhere: the configuration errors and those wrapped from the
// clients.
func TestErrorPrefixIsTheBinaryName(t *testing.T) {
	t.Parallel()
	const want = "baton-jira: "
	if errPrefix != want {
		t.Fatalf("errPrefix = %q, want %q", errPrefix, want)
	}
	c := validConfig()
	c.JiraURL = "http://acme.example.com"
	err := c.Validate()
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Validate: %v, want an error starting %q", err, want)
	}
	_, err = New(t.Context(), c)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("New: %v, want an error starting %q", err, want)
	}
	if err := wrapErr(opListUsers, fmt.Errorf("boom")); err == nil || !strings.HasPrefix(err.Error(), want+opListUsers+": ") {
		t.Errorf("wrapErr: %v, want an error starting %q", err, want+opListUsers+": ")
	}
}
