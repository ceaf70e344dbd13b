package jiratest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// auth describes how a test request authenticates.
type auth struct {
	user, pass string // Basic
	bearer     string // Bearer
}

func classic(s *jiratest.Server) auth { return auth{user: s.Email, pass: s.APIToken} }
func scoped(s *jiratest.Server) auth  { return auth{user: s.Email, pass: s.ScopedToken} }
func service(s *jiratest.Server) auth {
	return auth{user: s.ServiceAccountEmail, pass: s.ServiceAccountToken}
}
func bearer(s *jiratest.Server) auth { return auth{bearer: s.BearerToken} }
func admin(s *jiratest.Server) auth  { return auth{bearer: s.AdminKey} }

// do sends a raw request and returns the response (body already read) and the body.
func do(t testing.TB, a auth, method, url string, body any) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case a.bearer != "":
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	case a.user != "":
		req.SetBasicAuth(a.user, a.pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, url, err)
	}
	return resp, b
}

// getJSON GETs url, requires 200 and decodes into v.
func getJSON(t testing.TB, a auth, url string, v any) http.Header {
	t.Helper()
	resp, b := do(t, a, "GET", url, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: status %d: %s", url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: decode: %v: %s", url, err, b)
	}
	return resp.Header
}

func wantStatus(t testing.TB, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL, resp.StatusCode, want, body)
	}
}

func wantContains(t testing.TB, body []byte, sub string) {
	t.Helper()
	if !strings.Contains(string(body), sub) {
		t.Fatalf("body %s does not contain %q", body, sub)
	}
}

// pageBean is the PageBean shape as a client sees it.
type pageBean[T any] struct {
	Self       string `json:"self"`
	NextPage   string `json:"nextPage"`
	MaxResults int    `json:"maxResults"`
	StartAt    int    `json:"startAt"`
	Total      int    `json:"total"`
	IsLast     bool   `json:"isLast"`
	Values     []T    `json:"values"`
}

// walkPageBean follows a PageBean endpoint with startAt += len(values) until isLast or an empty page.
func walkPageBean[T any](t testing.TB, a auth, base string) []T {
	t.Helper()
	var out []T
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	for start, guard := 0, 0; ; guard++ {
		if guard > 100000 {
			t.Fatal("pagination does not end")
		}
		var pb pageBean[T]
		getJSON(t, a, base+sep+"startAt="+itoa(start), &pb)
		out = append(out, pb.Values...)
		if pb.IsLast || len(pb.Values) == 0 {
			return out
		}
		start += len(pb.Values)
	}
}

// walkArray follows a plain-array endpoint until an empty page.
func walkArray[T any](t testing.TB, a auth, base string, pageSize int) []T {
	t.Helper()
	var out []T
	for start := 0; ; {
		var page []T
		getJSON(t, a, base+"&startAt="+itoa(start)+"&maxResults="+itoa(pageSize), &page)
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		start += len(page)
	}
}

// smallSite starts a Small unlimited fake tenant for t and returns it with classic credentials and the v3 REST base.
func smallSite(t testing.TB) (*jiratest.Server, auth, string) {
	t.Helper()
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 4), jiratest.Unlimited())
	t.Cleanup(srv.Close)
	return srv, classic(srv), srv.URL + "/rest/api/3"
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

type jUser struct {
	AccountID    string `json:"accountId"`
	AccountType  string `json:"accountType"`
	AppType      string `json:"appType"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
	Active       bool   `json:"active"`
}

type jGroup struct {
	Name    string `json:"name"`
	GroupID string `json:"groupId"`
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode: %v: %s", err, b)
	}
}
