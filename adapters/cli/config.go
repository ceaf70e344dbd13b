package cli

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strings"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"

	"github.com/batonkit/jiracloud/internal/redact"
)

// Config is the typed configuration the Baton SDK decodes flags, BATON_*
// environment variables and the optional YAML file (BATON_CONFIG_PATH)
// into. Every field of [Configuration] has a field here with the flag name
// as its mapstructure tag; the SDK checks that at start-up. It satisfies
// the SDK's field.Configurable.
//
// Config holds secrets; String redacts them.
type Config struct {
	JiraURL                 string   `mapstructure:"jira-url"`
	JiraEmail               string   `mapstructure:"jira-email"`
	JiraAPIToken            string   `mapstructure:"jira-api-token"`
	AtlassianOrgID          string   `mapstructure:"atlassian-orgId"`
	AtlassianAPIToken       string   `mapstructure:"atlassian-api-token"`
	JiraProjectKeys         []string `mapstructure:"jira-project-keys"`
	SkipProjectParticipants bool     `mapstructure:"skip-project-participants"`
	SkipCustomerUser        bool     `mapstructure:"skip-customer-user"`
	SyncProjectKeys         []string `mapstructure:"sync-project-keys"`
	IncludeArchivedProjects bool     `mapstructure:"include-archived-projects"`
	ExpandParticipants      bool     `mapstructure:"expand-participants"`
	RequestsPerSecond       float64  `mapstructure:"jira-requests-per-second"`
	Concurrency             int      `mapstructure:"jira-concurrency"`

	// InsecureLoopback, GatewayURL and AdminURL are the hidden test fields.
	InsecureLoopback bool   `mapstructure:"jira-insecure-loopback"`
	GatewayURL       string `mapstructure:"jira-gateway-url"`
	AdminURL         string `mapstructure:"atlassian-admin-url"`

	// Ticketing is the SDK's own --ticketing flag (BATON_TICKETING): Jira
	// as external ticketing system, for the projects of JiraProjectKeys.
	Ticketing bool `mapstructure:"ticketing"`
}

// ConnectorConfig converts c to the connector's configuration. The hidden
// test fields become client options: --jira-insecure-loopback adds
// jira.WithLoopback and atlassian.WithLoopback, --jira-gateway-url adds
// jira.WithGatewayURL, --atlassian-admin-url adds atlassian.WithBaseURL.
// Those options still refuse any host other than Atlassian's unless
// loopback is allowed.
func (c *Config) ConnectorConfig() connector.Config {
	cfg := connector.DefaultConfig()
	cfg.JiraURL = strings.TrimSpace(c.JiraURL)
	cfg.JiraEmail = strings.TrimSpace(c.JiraEmail)
	cfg.JiraAPIToken = strings.TrimSpace(c.JiraAPIToken)
	cfg.AtlassianOrgID = strings.TrimSpace(c.AtlassianOrgID)
	cfg.AtlassianAPIToken = strings.TrimSpace(c.AtlassianAPIToken)
	cfg.SkipProjectParticipants = c.SkipProjectParticipants
	cfg.SkipCustomerUser = c.SkipCustomerUser
	cfg.SyncProjectKeys = splitList(c.SyncProjectKeys)
	cfg.JiraProjectKeys = splitList(c.JiraProjectKeys)
	cfg.IncludeArchivedProjects = c.IncludeArchivedProjects
	cfg.ExpandParticipants = c.ExpandParticipants
	cfg.RequestsPerSecond = c.RequestsPerSecond
	cfg.Concurrency = c.Concurrency
	if c.InsecureLoopback {
		cfg.JiraOptions = append(cfg.JiraOptions, jira.WithLoopback())
		cfg.AtlassianOptions = append(cfg.AtlassianOptions, atlassian.WithLoopback())
	}
	if u := strings.TrimSpace(c.GatewayURL); u != "" {
		cfg.JiraOptions = append(cfg.JiraOptions, jira.WithGatewayURL(u))
	}
	if u := strings.TrimSpace(c.AdminURL); u != "" {
		cfg.AtlassianOptions = append(cfg.AtlassianOptions, atlassian.WithBaseURL(u))
	}
	return cfg
}

// splitList trims the entries of a string-slice setting and drops empty
// ones. The SDK splits a flag or environment value on commas; a YAML list
// or a value such as "A, B" can still leave spaces.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, part := range strings.Split(s, ",") {
			if p := strings.TrimSpace(part); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// String prints the configuration with the API token and the Admin API key
// redacted. It, GoString, Format, MarshalJSON and LogValue are on the value,
// so that a copy of a Config prints redacted too.
func (c Config) String() string { return c.ConnectorConfig().String() }

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb, so that no verb (%d, %x, …) falls
// back to printing the fields, secrets included.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue implements slog.LogValuer with the secrets redacted.
func (c Config) LogValue() slog.Value { return c.ConnectorConfig().LogValue() }

// secretKeys are the settings MarshalJSON redacts.
var secretKeys = map[string]bool{"jira-api-token": true, "atlassian-api-token": true}

// MarshalJSON encodes the settings under their flag names with the API
// token and the Admin API key redacted.
func (c Config) MarshalJSON() ([]byte, error) {
	out := map[string]any{}
	v := reflect.ValueOf(c)
	for i := range v.NumField() {
		key := v.Type().Field(i).Tag.Get("mapstructure")
		val := v.Field(i).Interface()
		if s, ok := val.(string); ok && secretKeys[key] && s != "" {
			val = "REDACTED"
		}
		out[key] = val
	}
	return json.Marshal(out)
}

// lookup returns the value of the field tagged key (case-insensitively, as
// viper treats keys), or nil.
func (c *Config) lookup(key string) any {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := range t.NumField() {
		if strings.EqualFold(t.Field(i).Tag.Get("mapstructure"), key) {
			return v.Field(i).Interface()
		}
	}
	return nil
}

// GetString returns the string setting key, or "" (field.Configurable).
func (c *Config) GetString(key string) string {
	s, _ := c.lookup(key).(string)
	return s
}

// GetBool returns the bool setting key, or false (field.Configurable).
func (c *Config) GetBool(key string) bool {
	b, _ := c.lookup(key).(bool)
	return b
}

// GetInt returns the int setting key, or 0 (field.Configurable). A float
// setting (jira-requests-per-second) is rounded away from zero, so that the
// schema's whole-number bounds still reject values beyond them (1000.5 >
// 1000, -0.5 < 0).
func (c *Config) GetInt(key string) int {
	switch v := c.lookup(key).(type) {
	case int:
		return v
	case float64:
		if v < 0 {
			return int(math.Floor(v))
		}
		return int(math.Ceil(v))
	}
	return 0
}

// GetStringSlice returns the string-slice setting key, or nil
// (field.Configurable).
func (c *Config) GetStringSlice(key string) []string {
	s, _ := c.lookup(key).([]string)
	return s
}

// GetStringMap returns nil: the connector has no map settings
// (field.Configurable).
func (c *Config) GetStringMap(string) map[string]any { return nil }
