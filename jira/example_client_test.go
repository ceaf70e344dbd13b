package jira_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/batonkit/jiracloud/jira"
)

// clientExampleCloudID is the cloud ID of the in-process example site.
const clientExampleCloudID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

// clientExampleServer plays a Jira site under the gateway path
// /ex/jira/<cloudId>: GET /rest/api/3/myself answers for the right
// credentials, and an unknown project is a 404 with Jira's error body.
func clientExampleServer() *httptest.Server {
	mux := http.NewServeMux()
	prefix := "/ex/jira/" + clientExampleCloudID
	mux.HandleFunc("GET "+prefix+"/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		if email, token, ok := r.BasicAuth(); !ok || email != "me@acme.example" || token != "api-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"self":"https://acme.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g",`+
			`"accountId":"5b10a2844c20165700ede21g","accountType":"atlassian","emailAddress":"me@acme.example",`+
			`"displayName":"Mia Krystof","active":true,"timeZone":"Australia/Sydney","locale":"en_US"}`)
	})
	mux.HandleFunc("GET "+prefix+"/rest/api/3/project/{key}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprintf(w, `{"errorMessages":["No project could be found with key '%s'."],"errors":{}}`, r.PathValue("key"))
	})
	return httptest.NewServer(mux)
}

func ExampleNewClient() {
	srv := clientExampleServer()
	defer srv.Close()

	// A real site would be "https://acme.atlassian.net" (classic API token)
	// or "https://api.atlassian.com/ex/jira/<cloudId>" (scoped token);
	// WithLoopback allows the in-process test server instead.
	c, err := jira.NewClient(srv.URL+"/ex/jira/"+clientExampleCloudID,
		jira.WithLoopback(),
		jira.WithBasicAuth("me@acme.example", "api-token"))
	if err != nil {
		log.Fatal(err)
	}

	me, resp, err := c.Myself(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, me.DisplayName, me.AccountID, me.AccountType)
	// Output: 200 Mia Krystof 5b10a2844c20165700ede21g atlassian
}

func ExampleErrNotFound() {
	srv := clientExampleServer()
	defer srv.Close()
	c, err := jira.NewClient(srv.URL+"/ex/jira/"+clientExampleCloudID,
		jira.WithLoopback(), jira.WithBasicAuth("me@acme.example", "api-token"))
	if err != nil {
		log.Fatal(err)
	}

	_, _, err = c.Projects.Get(context.Background(), "NOPE")
	switch {
	case errors.Is(err, jira.ErrNotFound):
		fmt.Println("no such project")
	case err != nil:
		log.Fatal(err)
	}

	// errors.As gives the details Jira sent.
	var e *jira.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Messages[0])
	}
	// Output:
	// no such project
	// 404 No project could be found with key 'NOPE'.
}
