package atlassian_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
)

const (
	exampleOrg   atlassian.OrgID = "0b5c7e2a-1f3d-4c8e-9a6b-2d4f6e8a0c1e"
	exampleCloud                 = "3f1d2c4b-5a6e-4f70-8b9c-0d1e2f3a4b5c"
)

// exampleServer stands in for https://api.atlassian.com in the examples.
func exampleServer() *httptest.Server {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
	mux.HandleFunc("POST /admin/v2/orgs/{org}/workspaces", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"data":[
			{"id":"ari:cloud:jira-software::site/`+exampleCloud+`","attributes":{"typeKey":"jira-software","type":"jira","hostUrl":"https://acme.atlassian.net"}},
			{"id":"ari:cloud:confluence::site/`+exampleCloud+`","attributes":{"typeKey":"confluence","type":"confluence","hostUrl":"https://acme.atlassian.net"}},
			{"id":"ari:cloud:jira-servicedesk::site/`+exampleCloud+`","attributes":{"typeKey":"jira-servicedesk","type":"jira","hostUrl":"https://acme.atlassian.net/"}}],
			"links":{}}`)
	})
	var mu sync.Mutex
	members := map[string]bool{"a1": true} // of the one group
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/groups/{group}/memberships", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ AccountID string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		members[body.AccountID] = true
		mu.Unlock()
		reply(w, 200, `{}`)
	})
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/users/search", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Cursor   string
			GroupIDs []string
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		if len(body.GroupIDs) > 0 { // members of a group, in one page
			mu.Lock()
			defer mu.Unlock()
			var page []map[string]string
			for _, u := range []map[string]string{{"accountId": "a1", "name": "Ann"}, {"accountId": "a2", "name": "Bob"}, {"accountId": "a3", "name": "Cid"}} {
				if members[u["accountId"]] {
					page = append(page, u)
				}
			}
			data, _ := json.Marshal(map[string]any{"data": page, "links": map[string]string{}})
			reply(w, 200, string(data))
			return
		}
		if body.Cursor == "" {
			reply(w, 200, `{"data":[{"accountId":"a1","name":"Ann","status":"active"},{"accountId":"a2","name":"Bob","status":"suspended"}],
				"links":{"next":"cGFnZTI"}}`)
			return
		}
		reply(w, 200, `{"data":[{"accountId":"a3","name":"Cid","status":"active"}],"links":{}}`)
	})
	mux.HandleFunc("GET /admin/v2/orgs/{org}/directories/{dir}/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 404, `{"errors":[{"status":"404","code":"ADMIN-404-8","title":"User not found"}]}`)
	})
	return httptest.NewServer(mux)
}

// exampleClient returns a client for srv; real code calls
// atlassian.NewClient(apiKey) with no options.
func exampleClient(srv *httptest.Server) *atlassian.Client {
	c, err := atlassian.NewClient("example-api-key",
		atlassian.WithBaseURL(srv.URL+"/admin"), atlassian.WithLoopback())
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// Find the Jira workspaces of a site, whatever form its URL is given in;
// Confluence on the same site is left out.
func ExampleWorkspacesService_FindJiraSite() {
	srv := exampleServer()
	defer srv.Close()
	c := exampleClient(srv)
	ctx := context.Background()

	sites, err := c.Workspaces.FindJiraSite(ctx, exampleOrg, "ACME.atlassian.net/")
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range sites {
		fmt.Println(w.Attributes.TypeKey, w.CloudID())
	}
	fmt.Println(len(atlassian.ResourceIDs(sites)), "resource IDs")
	// Output:
	// jira-software 3f1d2c4b-5a6e-4f70-8b9c-0d1e2f3a4b5c
	// jira-servicedesk 3f1d2c4b-5a6e-4f70-8b9c-0d1e2f3a4b5c
	// 2 resource IDs
}

// Iterate over every user of a site across pages.
func ExampleDirectoriesService_UsersIter() {
	srv := exampleServer()
	defer srv.Close()
	c := exampleClient(srv)
	ctx := context.Background()

	opts := &atlassian.UserSearchOptions{
		ResourceIDs: []string{"ari:cloud:jira-software::site/" + exampleCloud},
	}
	for u, err := range c.Directories.UsersIter(ctx, exampleOrg, atlassian.AllDirectories, opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.AccountID, u.Name, u.Status)
	}
	// Output:
	// a1 Ann active
	// a2 Bob suspended
	// a3 Cid active
}

// Page by page, as a connector does: keep NextCursor and pass it back.
func ExampleDirectoriesService_Users() {
	srv := exampleServer()
	defer srv.Close()
	c := exampleClient(srv)
	ctx := context.Background()

	opts := &atlassian.UserSearchOptions{}
	for {
		users, resp, err := c.Directories.Users(ctx, exampleOrg, atlassian.AllDirectories, opts)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("page of %d, next %q\n", len(users), resp.NextCursor)
		if resp.NextCursor == "" {
			break
		}
		opts.Cursor = resp.NextCursor
	}
	// Output:
	// page of 2, next "cGFnZTI"
	// page of 1, next ""
}

// Admin errors match the same sentinels as the Jira client's.
func ExampleError() {
	srv := exampleServer()
	defer srv.Close()
	c := exampleClient(srv)

	_, _, err := c.Directories.GetUser(context.Background(), exampleOrg, "dir-1", "nobody")
	var e *atlassian.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.HasCode(atlassian.CodeUserNotFound))
	}
	fmt.Println(errors.Is(err, jira.ErrNotFound), errors.Is(err, atlassian.ErrNotFound))
	// Output:
	// 404 true
	// true true
}

// Members lists a group's members through the user search filtered on the
// group; adding a member is one call.
func ExampleGroupsService_MembersIter() {
	srv := exampleServer()
	defer srv.Close()
	c := exampleClient(srv)
	ctx := context.Background()

	group := atlassian.GroupID("276f955c-63d7-42c8-9520-92d01dca0625")
	if _, err := c.Groups.AddMember(ctx, exampleOrg, atlassian.AllDirectories, group, "a3"); err != nil {
		log.Fatal(err)
	}
	for u, err := range c.Groups.MembersIter(ctx, exampleOrg, atlassian.AllDirectories, group, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.AccountID, u.Name)
	}
	// Output:
	// a1 Ann
	// a3 Cid
}
