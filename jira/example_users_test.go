package jira_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"

	"github.com/batonkit/jiracloud/jira"
)

// usersExampleSite starts an in-process fake Jira site serving a few users
// and one group, and returns a client for it and a function stopping it.
func usersExampleSite() (*jira.Client, func()) {
	users := []map[string]any{
		{"accountId": "5b10a2844c20165700ede21g", "accountType": "atlassian", "displayName": "Mia Krystof",
			"emailAddress": "mia@acme.example", "active": true},
		{"accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "atlassian", "displayName": "Emma Richards",
			"emailAddress": nil, "active": false}, // email hidden by the user's privacy settings
		{"accountId": "712020:6e2a1f4c-3b1d-4a57-9f0e-2c8d7b6a5e41", "accountType": "app", "appType": "service",
			"displayName": "Deploy bot", "active": true},
	}
	var mu sync.Mutex // guards members
	members := map[string]bool{"5b10a2844c20165700ede21g": true}
	mux := http.NewServeMux()
	// A bare array, and the server hands out at most 2 users per page
	// whatever maxResults says.
	mux.HandleFunc("GET /rest/api/3/users/search", func(w http.ResponseWriter, r *http.Request) {
		start, _ := strconv.Atoi(r.URL.Query().Get("startAt"))
		end := min(start+2, len(users))
		start = min(start, end)
		_ = json.NewEncoder(w).Encode(users[start:end])
	})
	mux.HandleFunc("GET /rest/api/3/group/member", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var page []map[string]any
		for _, u := range users {
			if members[u["accountId"].(string)] || (r.URL.Query().Get("includeInactiveUsers") == "true" && u["active"] == false) {
				page = append(page, u)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"startAt": 0, "maxResults": 50, "total": len(page), "isLast": true, "values": page})
	})
	mux.HandleFunc("POST /rest/api/3/group/user", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ AccountID string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if members[body.AccountID] {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"errorMessages":["Cannot add user. User is already a member of 'jira-software-users'"],"errors":{}}`)
			return
		}
		members[body.AccountID] = true
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"name":"jira-software-users","groupId":"276f955c-63d7-42c8-9520-92d01dca0625"}`)
	})
	mux.HandleFunc("GET /rest/api/3/user/groups", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		groups := []map[string]string{}
		if members[r.URL.Query().Get("accountId")] {
			groups = append(groups, map[string]string{"name": "jira-software-users", "groupId": "276f955c-63d7-42c8-9520-92d01dca0625"})
		}
		_ = json.NewEncoder(w).Encode(groups)
	})
	srv := httptest.NewServer(mux)
	c, err := jira.NewClient(srv.URL,
		jira.WithLoopback(), // only for this in-process fake site
		jira.WithBasicAuth("admin@acme.example", "api-token"),
		jira.WithRateLimits(jira.UnlimitedRateLimits()))
	if err != nil {
		log.Fatal(err)
	}
	return c, srv.Close
}

// ListIter walks every user of the site, following pages until Jira returns
// an empty one, and yields an error at most once.
func ExampleUsersService_ListIter() {
	c, stop := usersExampleSite()
	defer stop()

	for u, err := range c.Users.ListIter(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		email := u.EmailAddress
		if email == "" {
			email = "(hidden)"
		}
		fmt.Printf("%-9s %-14s active=%-5v %s\n", u.AccountType, u.DisplayName, u.Active, email)
	}
	// Output:
	// atlassian Mia Krystof    active=true  mia@acme.example
	// atlassian Emma Richards  active=false (hidden)
	// app       Deploy bot     active=true  (hidden)
}

// MembersIter lists a group's members; IncludeInactive adds deactivated users.
func ExampleGroupsService_MembersIter() {
	c, stop := usersExampleSite()
	defer stop()

	group := jira.GroupID("276f955c-63d7-42c8-9520-92d01dca0625")
	for u, err := range c.Groups.MembersIter(context.Background(), group, &jira.MemberListOptions{IncludeInactive: true}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.AccountID, u.DisplayName)
	}
	// Output:
	// 5b10a2844c20165700ede21g Mia Krystof
	// 5b10ac8d82e05b22cc7d4ef5 Emma Richards
}

// Make a group grant idempotent by state: read the user's groups first
// (one unpaged request, whatever the group's size) and add the user only
// when missing. The decision never depends on the wording of Jira's errors.
func ExampleGroupsService_AddUser() {
	c, stop := usersExampleSite()
	defer stop()

	ctx := context.Background()
	group := jira.GroupID("276f955c-63d7-42c8-9520-92d01dca0625")
	for _, id := range []jira.AccountID{"712020:6e2a1f4c-3b1d-4a57-9f0e-2c8d7b6a5e41", "5b10a2844c20165700ede21g"} {
		groups, _, err := c.Users.Groups(ctx, id)
		if err != nil {
			log.Fatal(err)
		}
		if slices.ContainsFunc(groups, func(g jira.GroupName) bool { return g.GroupID == group }) {
			fmt.Println(id, "was already a member")
			continue
		}
		if _, err := c.Groups.AddUser(ctx, group, id); err != nil {
			log.Fatal(err)
		}
		fmt.Println(id, "added")
	}
	// Output:
	// 712020:6e2a1f4c-3b1d-4a57-9f0e-2c8d7b6a5e41 added
	// 5b10a2844c20165700ede21g was already a member
}

// A user whose privacy settings hide the email address decodes with an
// empty EmailAddress: "" means "not visible", not "no email".
func ExampleUser_hiddenEmail() {
	var u jira.User
	_ = json.Unmarshal([]byte(`{"accountId":"5b10ac8d82e05b22cc7d4ef5","displayName":"Emma","emailAddress":null}`), &u)
	fmt.Printf("%s email=%q\n", u.DisplayName, u.EmailAddress)
	// Output: Emma email=""
}

// List reads one page at a time, as a connector that checkpoints does: keep
// NextCursor and pass it back. The fake site hands out at most 2 users per
// page whatever PageSize asks, and the cursor follows what came back.
func ExampleUsersService_List() {
	c, stop := usersExampleSite()
	defer stop()

	ctx := context.Background()
	opts := &jira.ListOptions{PageSize: 50}
	for {
		users, resp, err := c.Users.List(ctx, opts)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("page of %d, next cursor %q\n", len(users), resp.NextCursor)
		if resp.NextCursor == "" {
			break
		}
		opts.Cursor = resp.NextCursor
	}
	// Output:
	// page of 2, next cursor "o2"
	// page of 1, next cursor "o3"
	// page of 0, next cursor ""
}
