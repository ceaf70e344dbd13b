package jira_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"

	"github.com/batonkit/jiracloud/jira"
)

// exampleProjectsSite starts an in-process stand-in for a Jira site serving fixed
// JSON answers (keyed by "METHOD path?query") and returns a client for it.
// Real code passes https://<site>.atlassian.net and drops WithLoopback.
func exampleProjectsSite(answers map[string]string) (*jira.Client, func()) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		body, ok := answers[key]
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"errorMessages":["not found: `+key+`"],"errors":{}}`)
			return
		}
		status := http.StatusOK
		if len(body) > 4 && body[0] == '!' { // "!400 {...}": a non-200 answer
			_, _ = fmt.Sscanf(body[1:4], "%d", &status)
			body = body[5:]
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	c, err := jira.NewClient(srv.URL,
		jira.WithLoopback(),
		jira.WithBasicAuth("admin@example.com", "api-token"),
		jira.WithRateLimits(jira.UnlimitedRateLimits()))
	if err != nil {
		log.Fatal(err)
	}
	return c, srv.Close
}

// Iterate over every project, page by page: the iterator follows Jira's
// PageBean pages (here two of them) and stops on isLast.
func ExampleProjectsService_SearchIter() {
	c, done := exampleProjectsSite(map[string]string{
		"GET /rest/api/3/project/search?expand=lead&maxResults=2&startAt=0": `{"startAt":0,"maxResults":2,"isLast":false,"values":[
			{"id":"10000","key":"EX","name":"Example","style":"classic","lead":{"accountId":"5b10a2844c20165700ede21g","displayName":"Mia Krystof"}},
			{"id":"10001","key":"TEAM","name":"Team space","style":"next-gen","simplified":true}]}`,
		"GET /rest/api/3/project/search?expand=lead&maxResults=2&startAt=2": `{"startAt":2,"maxResults":2,"isLast":true,"values":[
			{"id":"10002","key":"OPS","name":"Operations","style":"classic"}]}`,
	})
	defer done()

	ctx := context.Background()
	opts := &jira.ProjectSearchOptions{ListOptions: jira.ListOptions{PageSize: 2}, Expand: []string{jira.ProjectExpandLead}}
	for p, err := range c.Projects.SearchIter(ctx, opts) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		lead := "-"
		if p.Lead != nil {
			lead = p.Lead.DisplayName
		}
		fmt.Printf("%s %-5s team-managed=%-5v lead=%s\n", p.ID, p.Key, p.TeamManaged(), lead)
	}
	// Output:
	// 10000 EX    team-managed=false lead=Mia Krystof
	// 10001 TEAM  team-managed=true  lead=-
	// 10002 OPS   team-managed=false lead=-
}

// List a project's roles (IDs parsed from Jira's name→URL map) and the
// members of one of them.
func ExampleRolesService_ForProject() {
	c, done := exampleProjectsSite(map[string]string{
		"GET /rest/api/3/project/EX/role": `{
			"Developers":"https://acme.atlassian.net/rest/api/3/project/EX/role/10360",
			"Administrators":"https://acme.atlassian.net/rest/api/3/project/EX/role/10002"}`,
		"GET /rest/api/3/project/EX/role/10002": `{"id":10002,"name":"Administrators","actors":[
			{"id":1,"displayName":"jira-admins","type":"atlassian-group-role-actor","actorGroup":{"groupId":"276f955c-63d7-42c8-9520-92d01dca0625","name":"jira-admins"}},
			{"id":2,"displayName":"Mia Krystof","type":"atlassian-user-role-actor","actorUser":{"accountId":"5b10a2844c20165700ede21g"}}]}`,
	})
	defer done()

	ctx := context.Background()
	roles, _, err := c.Roles.ForProject(ctx, "EX")
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range roles {
		fmt.Println(r.ID, r.Name)
	}
	admins, _, err := c.Roles.Get(ctx, "EX", roles[0].ID, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range admins.Actors {
		switch a.Type {
		case jira.RoleActorUser:
			fmt.Println("user", a.ActorUser.AccountID)
		case jira.RoleActorGroup:
			fmt.Println("group", a.ActorGroup.GroupID)
		}
	}
	// Output:
	// 10002 Administrators
	// 10360 Developers
	// group 276f955c-63d7-42c8-9520-92d01dca0625
	// user 5b10a2844c20165700ede21g
}

// Grant a project role idempotently by state: read the role's actors and
// add the user only when it is not one of them. The decision never depends
// on the wording of Jira's errors.
func ExampleRolesService_AddUsers() {
	c, done := exampleProjectsSite(map[string]string{
		"GET /rest/api/3/project/EX/role/10360": `{"id":10360,"name":"Developers","actors":[
			{"id":2,"displayName":"Mia Krystof","type":"atlassian-user-role-actor","actorUser":{"accountId":"5b10a2844c20165700ede21g"}}]}`,
		"POST /rest/api/3/project/EX/role/10360": `{"id":10360,"name":"Developers","actors":[
			{"id":2,"displayName":"Mia Krystof","type":"atlassian-user-role-actor","actorUser":{"accountId":"5b10a2844c20165700ede21g"}},
			{"id":3,"displayName":"Emma Richards","type":"atlassian-user-role-actor","actorUser":{"accountId":"5b10ac8d82e05b22cc7d4ef5"}}]}`,
	})
	defer done()

	ctx := context.Background()
	for _, id := range []jira.AccountID{"5b10a2844c20165700ede21g", "5b10ac8d82e05b22cc7d4ef5"} {
		role, _, err := c.Roles.Get(ctx, "EX", 10360, nil)
		if err != nil {
			log.Fatal(err)
		}
		if slices.ContainsFunc(role.Actors, func(a jira.RoleActor) bool { return a.ActorUser != nil && a.ActorUser.AccountID == id }) {
			fmt.Println(id, "already granted")
			continue
		}
		if _, _, err := c.Roles.AddUsers(ctx, "EX", 10360, id); err != nil {
			log.Fatal(err)
		}
		fmt.Println(id, "granted")
	}
	// Output:
	// 5b10a2844c20165700ede21g already granted
	// 5b10ac8d82e05b22cc7d4ef5 granted
}

// Open an access-request ticket. The description is plain text turned into
// an Atlassian Document Format document.
func ExampleIssuesService_Create() {
	c, done := exampleProjectsSite(map[string]string{
		"POST /rest/api/3/issue": `!201 {"id":"10042","key":"EX-42","self":"https://acme.atlassian.net/rest/api/3/issue/10042"}`,
	})
	defer done()

	ic := jira.NewIssueCreate("EX", "10001", "Access request: Administrators on EX")
	ic.SetDescription("Requested by Mia Krystof.\nApproved by the project lead.").SetLabels("access-request")
	created, _, err := c.Issues.Create(context.Background(), ic)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(created.Key)
	// Output:
	// EX-42
}
