package httpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/batonkit/jiracloud/adapters/httpserver"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// The server syncs a fake site on request, then answers who can browse
// its projects.
func ExampleNew() {
	fake := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1))
	defer fake.Close()
	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = fake.URL, fake.Email, fake.APIToken
	cfg.JiraOptions = []jira.Option{jira.WithLoopback()}

	dir, _ := os.MkdirTemp("", "example-*")
	defer os.RemoveAll(dir)
	const token = "example-token-0123456789"
	srv, err := httpserver.New(httpserver.Config{Connector: cfg, DataDir: dir, Tokens: []string{token},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(context.Background())
	ts := httptest.NewServer(srv)
	defer ts.Close()

	call := func(method, path string, out any) int {
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, out)
		return resp.StatusCode
	}
	var started httpserver.StartResponse
	fmt.Println("POST /v1/syncs:", call("POST", "/v1/syncs", &started), started.Started)
	var st httpserver.SyncStatus
	for st.State != "succeeded" && st.State != "failed" {
		time.Sleep(50 * time.Millisecond)
		call("GET", "/v1/syncs/"+started.Sync.ID, &st)
	}
	fmt.Println("sync:", st.State, st.Result.Resources, "resources,", st.Result.Grants, "grants")

	var ans httpserver.HoldersAnswer
	call("GET", "/v1/entitlements/product:jira-software:access/holders?type=user&limit=3", &ans)
	fmt.Println("jira-software users:", ans.Total)
	for _, h := range ans.Holders {
		fmt.Println(" ", h.Principal.DisplayName, "direct:", h.Direct, "via:", h.Via)
	}
	// Output:
	// POST /v1/syncs: 202 true
	// sync: succeeded 104 resources, 620 grants
	// jira-software users: 38
	//   Ana María Kowalski direct: false via: [group:277b687b-1a6e-4293-943c-67b8f404dcca]
	//   Grace Schmidt direct: false via: [group:277b687b-1a6e-4293-943c-67b8f404dcca]
	//   Saoirse Schmidt direct: false via: [group:277b687b-1a6e-4293-943c-67b8f404dcca group:da7becb7-24d2-4607-a3aa-aa16464c902c]
}
