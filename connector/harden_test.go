package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// configOutputs prints v every way a program might: fmt verbs on the value
// and a pointer, inside a struct, JSON, and slog's text and JSON handlers.
func configOutputs(v any) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%t", "%10.3v"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	out = append(out, fmt.Sprintf("%+v", struct{ Cfg any }{v}), fmt.Sprint([]any{v}))
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b))
	} else {
		out = append(out, "json error: "+err.Error())
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", v)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", v)
	out = append(out, buf.String())
	return out
}

// TestConfigRedactsEveryWay (issue 11, finding 6): no verb, no JSON and no
// slog handler prints a token, on the value or a pointer.
func TestConfigRedactsEveryWay(t *testing.T) {
	t.Parallel()
	c := validConfig()
	c.AtlassianOrgID, c.AtlassianAPIToken = "org-1", "ATCTT-admin-key"
	for _, v := range []any{c, &c} {
		for _, out := range configOutputs(v) {
			for _, secret := range []string{c.JiraAPIToken, c.AtlassianAPIToken} {
				if strings.Contains(out, secret) || strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", secret)) {
					t.Errorf("%T output leaks a secret: %s", v, out)
				}
			}
		}
	}
	b, err := json.Marshal(c)
	if err != nil || !strings.Contains(string(b), "admin@acme.com") || !strings.Contains(string(b), `"REDACTED"`) {
		t.Errorf("JSON = %s, %v", b, err)
	}
}
