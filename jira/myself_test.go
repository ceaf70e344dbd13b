package jira

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMyself(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		expand []string
		want   url.Values
	}{
		{"no expand", nil, nil},
		{"groups", []string{UserExpandGroups}, url.Values{"expand": {"groups"}}},
		{"both, deduplicated", []string{"groups", " applicationRoles", "groups", ""}, url.Values{"expand": {"groups,applicationRoles"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				testAuth(t, r)
				testQuery(t, r, tt.want)
				writeJSON(w, http.StatusOK, `{"self":"https://acme.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g",`+
					`"accountId":"5b10a2844c20165700ede21g","accountType":"atlassian","emailAddress":"admin@example.com",`+
					`"displayName":"Site Admin","active":true,"timeZone":"Europe/Berlin","locale":"de_DE",`+
					`"groups":{"size":1,"items":[{"name":"site-admins","groupId":"g1"}]},"applicationRoles":{"size":0,"items":[]}}`)
			})
			u, _, err := c.Myself(t.Context(), tt.expand...)
			if err != nil {
				t.Fatalf("Myself: %v", err)
			}
			want := &User{Self: "https://acme.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
				AccountID: "5b10a2844c20165700ede21g", AccountType: AccountTypeAtlassian, EmailAddress: "admin@example.com",
				DisplayName: "Site Admin", Active: true, TimeZone: "Europe/Berlin", Locale: "de_DE",
				Groups:           &UserGroups{Size: 1, Items: []GroupName{{GroupID: "g1", Name: "site-admins"}}},
				ApplicationRoles: &UserApplicationRoles{Items: []ApplicationRole{}}}
			if diff := cmp.Diff(want, u); diff != "" {
				t.Errorf("user (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServerInfo(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/serverInfo", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, nil)
		writeJSON(w, http.StatusOK, `{"baseUrl":"https://Acme.atlassian.net","buildDate":"2020-03-26T22:20:59.000+0000",`+
			`"buildNumber":582,"deploymentType":"Cloud","scmInfo":"1f51473f5c7b75c1a69a0090f4832cdc5053702a",`+
			`"serverTime":"2020-03-31T16:43:50.000+0200","serverTitle":"My Jira instance","version":"1001.0.0-SNAPSHOT",`+
			`"versionNumbers":[1001,0,0],"displayUrl":"https://jira.acme.example",`+
			`"displayUrlServicedeskHelpCenter":"https://help.acme.example","serverTimeZone":{"id":"Etc/UTC"}}`)
	})
	si, _, err := c.ServerInfo(t.Context())
	if err != nil {
		t.Fatalf("ServerInfo: %v", err)
	}
	want := &ServerInfo{
		BaseURL: "https://Acme.atlassian.net", Version: "1001.0.0-SNAPSHOT", VersionNumbers: []int{1001, 0, 0},
		DeploymentType: "Cloud", BuildNumber: 582,
		BuildDate:   time.Date(2020, 3, 26, 22, 20, 59, 0, time.UTC),
		ServerTime:  time.Date(2020, 3, 31, 14, 43, 50, 0, time.UTC),
		SCMInfo:     "1f51473f5c7b75c1a69a0090f4832cdc5053702a",
		ServerTitle: "My Jira instance", DisplayURL: "https://jira.acme.example",
		DisplayURLServicedeskHelpCenter: "https://help.acme.example",
	}
	// Compare instants, not locations.
	if diff := cmp.Diff(want, si, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("server info (-want +got):\n%s", diff)
	}
	if got := si.Host(); got != "acme.atlassian.net" {
		t.Errorf("Host() = %q, want acme.atlassian.net", got)
	}
}

func TestServerInfo_lenientTimes(t *testing.T) {
	t.Parallel()
	var si ServerInfo
	if err := json.Unmarshal([]byte(`{"baseUrl":"x","buildDate":"yesterday","serverTime":"2026-01-02T03:04:05Z"}`), &si); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if !si.BuildDate.IsZero() {
		t.Errorf("BuildDate = %v, want zero for an unparsable value", si.BuildDate)
	}
	if !si.ServerTime.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("ServerTime = %v, want RFC 3339 accepted", si.ServerTime)
	}
	if err := json.Unmarshal([]byte(`{"buildNumber":"not a number"}`), &si); err == nil {
		t.Error("a mistyped field should still be an error")
	}
}

func TestServerInfoHost(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                                   "",
		"https://acme.atlassian.net":         "acme.atlassian.net",
		"https://ACME.atlassian.net/":        "acme.atlassian.net",
		" https://acme.atlassian.net/jira  ": "acme.atlassian.net",
		"http://127.0.0.1:8080":              "127.0.0.1:8080",
		"://bad":                             "",
	}
	for base, want := range tests {
		if got := (ServerInfo{BaseURL: base}).Host(); got != want {
			t.Errorf("Host(%q) = %q, want %q", base, got, want)
		}
	}
}
