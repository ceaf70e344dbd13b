package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestConfigRedactsEveryWay (issue 11, finding 6): the CLI configuration
// prints, logs and marshals without its secrets, as a value and a pointer.
func TestConfigRedactsEveryWay(t *testing.T) {
	t.Parallel()
	c := Config{JiraURL: "https://acme.atlassian.net", JiraEmail: "admin@acme.com", JiraAPIToken: "ATATT-cli-secret",
		AtlassianOrgID: "org-1", AtlassianAPIToken: "ATCTT-cli-admin-key"}
	for _, v := range []any{c, &c} {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json: %v", err)
		}
		outs = append(outs, string(b))
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", v)
		outs = append(outs, buf.String())
		for _, out := range outs {
			for _, secret := range []string{c.JiraAPIToken, c.AtlassianAPIToken} {
				if strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
					t.Errorf("%T output leaks a secret: %s", v, out)
				}
			}
			if !strings.Contains(out, "admin@acme.com") && !strings.Contains(out, fmt.Sprintf("%x", "admin@acme.com")) {
				t.Errorf("%T output lost the email: %s", v, out)
			}
		}
	}
}
