package jiratest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/internal/fakehttp"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// auth is how a raw request to the fake authenticates.
type auth = fakehttp.Auth

func classic(s *jiratest.Server) auth { return auth{User: s.Email, Pass: s.APIToken} }
func scoped(s *jiratest.Server) auth  { return auth{User: s.Email, Pass: s.ScopedToken} }
func service(s *jiratest.Server) auth {
	return auth{User: s.ServiceAccountEmail, Pass: s.ServiceAccountToken}
}
func bearer(s *jiratest.Server) auth { return auth{Bearer: s.BearerToken} }
func admin(s *jiratest.Server) auth  { return auth{Bearer: s.AdminKey} }

func wantContains(t testing.TB, body []byte, sub string) {
	t.Helper()
	if !strings.Contains(string(body), sub) {
		t.Fatalf("body %s does not contain %q", body, sub)
	}
}

// smallSite starts a Small unlimited fake tenant for t and returns it with classic credentials and the v3 REST base.
func smallSite(t testing.TB) (*jiratest.Server, auth, string) {
	t.Helper()
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 4), jiratest.Unlimited())
	t.Cleanup(srv.Close)
	return srv, classic(srv), srv.URL + "/rest/api/3"
}

// jUser and jGroup are a user and a group as the REST API answers them.
type (
	jUser  = fakehttp.User
	jGroup = fakehttp.Group
)

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode: %v: %s", err, b)
	}
}
