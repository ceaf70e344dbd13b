package httpserver

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// TestOpenAPIDocumentsEveryRoute checks docs/openapi.yaml against the
// routes the server registers (with the webhook route on), both ways.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	var documented, open []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			key := strings.ToUpper(method) + " " + path
			documented = append(documented, key)
			if m, ok := op.(map[string]any); ok {
				if sec, ok := m["security"].([]any); ok && len(sec) == 0 {
					open = append(open, key)
				}
			}
		}
	}
	cc, _ := fakeConfig(t)
	s, err := New(Config{Connector: cc, DataDir: t.TempDir(), Tokens: []string{testToken}, WebhookSecret: "webhook-secret-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	var served, noToken []string
	for _, r := range s.routes() {
		served = append(served, r.pattern)
		if r.auth != authToken {
			noToken = append(noToken, r.pattern)
		}
	}
	slices.Sort(open)
	slices.Sort(noToken)
	if diff := cmp.Diff(noToken, open); diff != "" {
		t.Errorf("routes without a bearer token (-served +documented with security: []):\n%s", diff)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if diff := cmp.Diff(served, documented); diff != "" {
		t.Errorf("routes (-served +documented):\n%s", diff)
	}
}
