package jiratest_test

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// Example starts a fake site and reads it with a classic API token.
func Example() {
	tn := jiratest.Generate(jiratest.Small, 1)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()

	get := func(path string, v any) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.SetBasicAuth(srv.Email, srv.APIToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		_ = json.NewDecoder(resp.Body).Decode(v)
		return resp.StatusCode
	}

	var info struct {
		BaseURL string `json:"baseUrl"`
	}
	get("/rest/api/3/serverInfo", &info)
	fmt.Println("site:", info.BaseURL)

	var users []struct {
		AccountID string `json:"accountId"`
	}
	get("/rest/api/3/users/search?maxResults=1000", &users)
	fmt.Println("users:", len(users))

	var groups struct {
		Total  int  `json:"total"`
		IsLast bool `json:"isLast"`
	}
	get("/rest/api/3/group/bulk?maxResults=10", &groups)
	fmt.Println("groups:", groups.Total, "first page is last:", groups.IsLast)

	fmt.Println("requests served:", srv.Stats().Total)
	// Output:
	// site: https://acme.atlassian.net
	// users: 50
	// groups: 16 first page is last: false
	// requests served: 3
}
