package httpserver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/connector"
)

// TestConfigRedactsEveryWay: a Config printed with any fmt verb, marshalled
// to JSON or logged with slog (as a value, a pointer or a field of another
// struct) shows none of its secrets: bearer tokens, the webhook secret and
// the connector's API tokens.
func TestConfigRedactsEveryWay(t *testing.T) {
	t.Parallel()
	c := Config{
		Connector: connector.Config{JiraURL: "https://acme.atlassian.net", JiraEmail: "admin@acme.com",
			JiraAPIToken: "ATATT-jira-secret-0123456789", AtlassianOrgID: "org-1", AtlassianAPIToken: "ATCTT-admin-secret-987"},
		DataDir:       "/var/lib/jiracloud",
		Tokens:        []string{"bearer-one-aaaaaaaaaaaaaaaa", "bearer-two-bbbbbbbbbbbbbbbb"},
		WebhookSecret: "webhook-secret-cccccccccccc",
	}
	secrets := []string{c.Tokens[0], c.Tokens[1], c.WebhookSecret, c.Connector.JiraAPIToken, c.Connector.AtlassianAPIToken}
	var outs []string
	for _, v := range []any{c, &c, struct{ Cfg Config }{c}, struct{ Cfg *Config }{&c}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%T): %v", v, err)
		}
		outs = append(outs, string(b))
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("config", "cfg", v)
			outs = append(outs, buf.String())
		}
	}
	for _, out := range outs {
		for _, s := range secrets {
			for _, form := range []string{s, fmt.Sprintf("%x", s), base64.StdEncoding.EncodeToString([]byte(s))} {
				if strings.Contains(strings.ToLower(out), strings.ToLower(form)) {
					t.Errorf("output leaks %q: %s", s, out)
				}
			}
		}
	}
	// The redacted forms still say what is configured.
	if s := c.String(); !strings.Contains(s, "Tokens:[2 redacted]") || !strings.Contains(s, `WebhookSecret:"REDACTED"`) ||
		!strings.Contains(s, "admin@acme.com") || !strings.Contains(s, "/var/lib/jiracloud") {
		t.Errorf("String() = %s", s)
	}
	b, _ := json.Marshal(c)
	if !strings.Contains(string(b), `"tokens":"[2 redacted]"`) || !strings.Contains(string(b), `"jira_api_token":"REDACTED"`) {
		t.Errorf("JSON = %s", b)
	}
}
