package cli

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	"github.com/conductorone/baton-sdk/pkg/field"
	"github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/connector"
)

// The reference connector's flags keep their names, environment variables,
// requiredness and secrecy; ours follow the same style.
func TestFieldsAndEnvironmentVariables(t *testing.T) {
	t.Parallel()
	type want struct {
		env              string
		variant          field.Variant
		required, secret bool
		hidden           bool
		export           field.ExportTarget
	}
	wants := map[string]want{
		// baton-jira's flags.
		"jira-url":                  {"BATON_JIRA_URL", field.StringVariant, true, false, false, field.ExportTargetGUI},
		"jira-email":                {"BATON_JIRA_EMAIL", field.StringVariant, true, false, false, field.ExportTargetGUI},
		"jira-api-token":            {"BATON_JIRA_API_TOKEN", field.StringVariant, true, true, false, field.ExportTargetGUI},
		"skip-project-participants": {"BATON_SKIP_PROJECT_PARTICIPANTS", field.BoolVariant, false, false, false, field.ExportTargetGUI},
		"skip-customer-user":        {"BATON_SKIP_CUSTOMER_USER", field.BoolVariant, false, false, false, field.ExportTargetGUI},
		"atlassian-orgId":           {"BATON_ATLASSIAN_ORGID", field.StringVariant, false, false, false, field.ExportTargetGUI},
		"atlassian-api-token":       {"BATON_ATLASSIAN_API_TOKEN", field.StringVariant, false, true, false, field.ExportTargetGUI},
		"jira-project-keys":         {"BATON_JIRA_PROJECT_KEYS", field.StringSliceVariant, false, false, false, field.ExportTargetGUI},
		// Ours.
		"sync-project-keys":         {"BATON_SYNC_PROJECT_KEYS", field.StringSliceVariant, false, false, false, field.ExportTargetGUI},
		"include-archived-projects": {"BATON_INCLUDE_ARCHIVED_PROJECTS", field.BoolVariant, false, false, false, field.ExportTargetGUI},
		"expand-participants":       {"BATON_EXPAND_PARTICIPANTS", field.BoolVariant, false, false, false, field.ExportTargetGUI},
		"jira-requests-per-second":  {"BATON_JIRA_REQUESTS_PER_SECOND", field.IntVariant, false, false, false, field.ExportTargetOps},
		"jira-concurrency":          {"BATON_JIRA_CONCURRENCY", field.IntVariant, false, false, false, field.ExportTargetOps},
		// Test hooks.
		"jira-insecure-loopback": {"BATON_JIRA_INSECURE_LOOPBACK", field.BoolVariant, false, false, true, field.ExportTargetCLIOnly},
		"jira-gateway-url":       {"BATON_JIRA_GATEWAY_URL", field.StringVariant, false, false, true, field.ExportTargetCLIOnly},
		"atlassian-admin-url":    {"BATON_ATLASSIAN_ADMIN_URL", field.StringVariant, false, false, true, field.ExportTargetCLIOnly},
	}
	got := map[string]bool{}
	for _, f := range Configuration.Fields {
		got[f.FieldName] = true
		w, ok := wants[f.FieldName]
		if !ok {
			t.Errorf("unexpected field %q", f.FieldName)
			continue
		}
		if !strings.Contains(f.GetDescription(), "($"+w.env+")") {
			t.Errorf("%s: help %q does not name $%s", f.FieldName, f.GetDescription(), w.env)
		}
		if f.Variant != w.variant || f.Required != w.required || f.Secret != w.secret || f.IsHidden() != w.hidden || f.ExportTarget != w.export {
			t.Errorf("%s: variant %s required %t secret %t hidden %t export %s; want %s %t %t %t %s", f.FieldName,
				f.Variant, f.Required, f.Secret, f.IsHidden(), f.ExportTarget, w.variant, w.required, w.secret, w.hidden, w.export)
		}
		if f.Description == "" {
			t.Errorf("%s has no description", f.FieldName)
		}
	}
	for name := range wants {
		if !got[name] {
			t.Errorf("field %q is missing", name)
		}
	}
	if f := fieldByName("expand-participants"); f.DefaultValue != true {
		t.Errorf("expand-participants defaults to %v, want true like connector.DefaultConfig", f.DefaultValue)
	}
}

func fieldByName(name string) field.SchemaField {
	for _, f := range Configuration.Fields {
		if f.FieldName == name {
			return f
		}
	}
	return field.SchemaField{}
}

func TestSchemaExportOmitsTestFields(t *testing.T) {
	t.Parallel()
	data, err := json.Marshal(&Configuration)
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		DisplayName string `json:"displayName"`
		Fields      []struct {
			Name     string `json:"name"`
			IsSecret bool   `json:"isSecret"`
		} `json:"fields"`
		Constraints []struct {
			Kind       string   `json:"kind"`
			FieldNames []string `json:"fieldNames"`
		} `json:"constraints"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	var names, secrets []string
	for _, f := range schema.Fields {
		names = append(names, f.Name)
		if f.IsSecret {
			secrets = append(secrets, f.Name)
		}
	}
	wantNames := []string{"jira-url", "jira-email", "jira-api-token", "atlassian-orgId", "atlassian-api-token", "jira-project-keys",
		"skip-project-participants", "skip-customer-user", "sync-project-keys", "include-archived-projects",
		"expand-participants", "jira-requests-per-second", "jira-concurrency"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("exported fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"jira-api-token", "atlassian-api-token"}, secrets); diff != "" {
		t.Errorf("secret fields (-want +got):\n%s", diff)
	}
	for _, hidden := range []string{"jira-insecure-loopback", "jira-gateway-url", "atlassian-admin-url"} {
		if strings.Contains(string(data), hidden) {
			t.Errorf("the exported schema mentions the test-only field %q", hidden)
		}
	}
	if schema.DisplayName != "Jira Cloud" {
		t.Errorf("display name %q", schema.DisplayName)
	}
	if len(schema.Constraints) != 1 || schema.Constraints[0].Kind != "CONSTRAINT_KIND_REQUIRED_TOGETHER" ||
		!reflect.DeepEqual(schema.Constraints[0].FieldNames, []string{"atlassian-orgId", "atlassian-api-token"}) {
		t.Errorf("constraints = %+v, want atlassian-orgId and atlassian-api-token required together", schema.Constraints)
	}
}

// Every schema field decodes into a Config field (the SDK refuses to start
// otherwise), and the getters read them back by flag name.
func TestConfigCoversSchemaAndGetters(t *testing.T) {
	t.Parallel()
	c := &Config{
		JiraURL: "https://acme.atlassian.net", JiraEmail: "me@acme.com", JiraAPIToken: "tok",
		AtlassianOrgID: "org-1", SkipCustomerUser: true, SyncProjectKeys: []string{"ENG"},
		RequestsPerSecond: 7, Concurrency: 3, InsecureLoopback: true,
	}
	typ := reflect.TypeFor[Config]()
	tags := map[string]bool{}
	for i := range typ.NumField() {
		tags[typ.Field(i).Tag.Get("mapstructure")] = true
	}
	for _, f := range Configuration.Fields {
		if !tags[f.FieldName] {
			t.Errorf("schema field %q has no Config field", f.FieldName)
		}
	}
	checks := []struct {
		got, want any
	}{
		{c.GetString("jira-url"), "https://acme.atlassian.net"},
		{c.GetString("atlassian-orgId"), "org-1"},
		{c.GetString("atlassian-orgid"), "org-1"}, // viper lower-cases keys
		{c.GetString("jira-concurrency"), ""},     // wrong type: zero value, no panic
		{c.GetString("log-level"), ""},            // an SDK field
		{c.GetBool("skip-customer-user"), true},
		{c.GetBool("skip-project-participants"), false},
		{c.GetBool("jira-insecure-loopback"), true},
		{c.GetInt("jira-requests-per-second"), 7},
		{c.GetInt("jira-concurrency"), 3},
		{c.GetStringSlice("sync-project-keys"), []string{"ENG"}},
		{c.GetStringSlice("nope"), []string(nil)},
		{c.GetStringMap("anything"), map[string]any(nil)},
	}
	for i, ch := range checks {
		if diff := cmp.Diff(ch.want, ch.got); diff != "" {
			t.Errorf("check %d (-want +got):\n%s", i, diff)
		}
	}
}

func TestRequiredTogether(t *testing.T) {
	t.Parallel()
	base := Config{JiraURL: "https://acme.atlassian.net", JiraEmail: "me@acme.com", JiraAPIToken: "tok"}
	for _, tc := range []struct {
		name    string
		mod     func(*Config)
		wantErr string
	}{
		{"neither", func(*Config) {}, ""},
		{"both", func(c *Config) { c.AtlassianOrgID, c.AtlassianAPIToken = "org", "key" }, ""},
		{"org only", func(c *Config) { c.AtlassianOrgID = "org" }, "atlassian-api-token"},
		{"key only", func(c *Config) { c.AtlassianAPIToken = "key" }, "atlassian-orgId"},
		{"no token", func(c *Config) { c.JiraAPIToken = "" }, "jira-api-token"},
	} {
		c := base
		tc.mod(&c)
		err := field.Validate(Configuration, &c)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.wantErr)
		}
	}
}

func TestConnectorConfig(t *testing.T) {
	t.Parallel()
	c := &Config{
		JiraURL: " https://acme.atlassian.net/ ", JiraEmail: " me@acme.com", JiraAPIToken: "tok ",
		AtlassianOrgID: "org", AtlassianAPIToken: "key", SkipProjectParticipants: true, SkipCustomerUser: true,
		SyncProjectKeys: []string{"ENG, OPS", "", " WEB "}, IncludeArchivedProjects: true, ExpandParticipants: false,
		RequestsPerSecond: 25, Concurrency: 4, JiraProjectKeys: []string{" HELP "},
	}
	got := c.ConnectorConfig()
	want := connector.Config{
		JiraURL: "https://acme.atlassian.net/", JiraEmail: "me@acme.com", JiraAPIToken: "tok",
		AtlassianOrgID: "org", AtlassianAPIToken: "key", SkipProjectParticipants: true, SkipCustomerUser: true,
		SyncProjectKeys: []string{"ENG", "OPS", "WEB"}, IncludeArchivedProjects: true, ExpandParticipants: false,
		RequestsPerSecond: 25, Concurrency: 4, JiraProjectKeys: []string{"HELP"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ConnectorConfig (-want +got):\n%s", diff)
	}
	if len(got.JiraOptions) != 0 || len(got.AtlassianOptions) != 0 {
		t.Errorf("without the test fields there must be no client options, got %d and %d", len(got.JiraOptions), len(got.AtlassianOptions))
	}
	if s := c.String(); strings.Contains(s, "tok") || strings.Contains(s, "key\"") {
		t.Errorf("String leaks a secret: %s", s)
	}
}

// The test hooks work only together: a loopback site needs
// --jira-insecure-loopback, and the URL overrides cannot point anywhere
// but Atlassian without it.
func TestLoopbackHooks(t *testing.T) {
	t.Parallel()
	base := Config{JiraURL: "http://127.0.0.1:9", JiraEmail: "me@acme.com", JiraAPIToken: "tok", ExpandParticipants: true}
	for _, tc := range []struct {
		name    string
		mod     func(*Config)
		wantErr string
	}{
		{"loopback site refused by default", func(*Config) {}, "https"},
		{"loopback site with the hook", func(c *Config) { c.InsecureLoopback = true }, ""},
		{"gateway elsewhere refused", func(c *Config) {
			c.JiraURL = "https://acme.atlassian.net"
			c.GatewayURL = "https://evil.example.com"
		}, "gateway"},
		{"loopback gateway needs the hook", func(c *Config) {
			c.JiraURL = "https://acme.atlassian.net"
			c.GatewayURL = "http://127.0.0.1:9"
		}, "gateway"},
		{"loopback gateway with the hook", func(c *Config) { c.InsecureLoopback, c.GatewayURL = true, "http://127.0.0.1:9" }, ""},
		{"admin URL elsewhere refused", func(c *Config) {
			c.JiraURL = "https://acme.atlassian.net"
			c.AtlassianOrgID, c.AtlassianAPIToken, c.AdminURL = "org", "key", "https://evil.example.com/admin"
		}, "api.atlassian.com/admin"},
		{"loopback admin URL with the hook", func(c *Config) {
			c.InsecureLoopback = true
			c.AtlassianOrgID, c.AtlassianAPIToken, c.AdminURL = "org", "key", "http://127.0.0.1:9/admin"
		}, ""},
	} {
		c := base
		tc.mod(&c)
		_, _, err := NewConnector(t.Context(), &c, nil)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.wantErr)
		}
	}
}

func TestNewConnectorTicketing(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{false, true} {
		c := &Config{JiraURL: "https://acme.atlassian.net", JiraEmail: "me@acme.com", JiraAPIToken: "tok", Ticketing: on}
		b, opts, err := NewConnector(t.Context(), c, nil)
		if err != nil {
			t.Fatalf("NewConnector(ticketing %t): %v", on, err)
		}
		if want := map[bool]int{false: 0, true: 1}[on]; len(opts) != want {
			t.Errorf("ticketing %t: %d builder options, want %d", on, len(opts), want)
		}
		srv, err := connectorbuilder.NewConnector(t.Context(), b, opts...)
		if err != nil {
			t.Fatalf("connectorbuilder.NewConnector(ticketing %t): %v", on, err)
		}
		md, err := srv.GetMetadata(t.Context(), &v2.ConnectorServiceGetMetadataRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var ts v2.ExternalTicketSettings
		annos := annotations.Annotations(md.GetMetadata().GetAnnotations())
		if ok, _ := annos.Pick(&ts); !ok || ts.GetEnabled() != on {
			t.Errorf("ticketing %t: metadata says enabled=%t (found %t)", on, ts.GetEnabled(), ok)
		}
	}
}
