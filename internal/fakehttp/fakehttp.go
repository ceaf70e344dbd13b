// Package fakehttp reads the fake tenant (jira/jiratest) as a raw HTTP
// client, for tests that check the fake's endpoints or compute what a
// sync must find from what the endpoints answer. Every helper fails the
// test on a transport error or an unexpected status.
package fakehttp

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// Auth says how a request authenticates: Basic with User and Pass, or
// Bearer with Bearer; none when all are empty.
type Auth struct {
	User, Pass string
	Bearer     string
}

// User is a user as the REST API answers it (the fields tests read).
type User struct {
	AccountID    string `json:"accountId"`
	AccountType  string `json:"accountType"`
	AppType      string `json:"appType"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
	Active       bool   `json:"active"`
}

// Group is a group as the REST API answers it.
type Group struct {
	Name    string `json:"name"`
	GroupID string `json:"groupId"`
}

// Do sends a request, with body encoded as JSON when it is not nil, and
// returns the response (its body already read and closed) and the body.
func Do(t testing.TB, a Auth, method, url string, body any) (*http.Response, []byte) {
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
	case a.Bearer != "":
		req.Header.Set("Authorization", "Bearer "+a.Bearer)
	case a.User != "":
		req.SetBasicAuth(a.User, a.Pass)
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

// GetJSON GETs url, requires 200 and decodes the body into v; it returns
// the response headers.
func GetJSON(t testing.TB, a Auth, url string, v any) http.Header {
	t.Helper()
	resp, b := Do(t, a, "GET", url, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: status %d: %s", url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: decode: %v: %s", url, err, b)
	}
	return resp.Header
}

// WantStatus fails the test unless resp has status want.
func WantStatus(t testing.TB, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL, resp.StatusCode, want, body)
	}
}

// PageBean is Jira's PageBean page as a client sees it.
type PageBean[T any] struct {
	Self       string `json:"self"`
	NextPage   string `json:"nextPage"`
	MaxResults int    `json:"maxResults"`
	StartAt    int    `json:"startAt"`
	Total      int    `json:"total"`
	IsLast     bool   `json:"isLast"`
	Values     []T    `json:"values"`
}

// WalkPageBean follows a PageBean endpoint, startAt += len(values), until
// isLast or an empty page.
func WalkPageBean[T any](t testing.TB, a Auth, base string) []T {
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
		var pb PageBean[T]
		GetJSON(t, a, base+sep+"startAt="+strconv.Itoa(start), &pb)
		out = append(out, pb.Values...)
		if pb.IsLast || len(pb.Values) == 0 {
			return out
		}
		start += len(pb.Values)
	}
}

// WalkArray follows a plain-array endpoint (base already has a query)
// until an empty page.
func WalkArray[T any](t testing.TB, a Auth, base string, pageSize int) []T {
	t.Helper()
	var out []T
	for start := 0; ; {
		var page []T
		GetJSON(t, a, base+"&startAt="+strconv.Itoa(start)+"&maxResults="+strconv.Itoa(pageSize), &page)
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		start += len(page)
	}
}

// WalkCursor follows an Admin API GET list: first is the first page's URL,
// later pages are base?cursor=links.next.
func WalkCursor[T any](t testing.TB, a Auth, base, first string) []T {
	t.Helper()
	var out []T
	for q := first; ; {
		var page struct {
			Data  []T `json:"data"`
			Links struct {
				Next string `json:"next"`
			} `json:"links"`
		}
		GetJSON(t, a, q, &page)
		out = append(out, page.Data...)
		if page.Links.Next == "" {
			return out
		}
		q = base + "?cursor=" + url.QueryEscape(page.Links.Next)
	}
}

// WalkServiceDesk reads every page of a Service Management start/limit
// endpoint, stopping on isLastPage or an empty page; experimental endpoints
// get the opt-in header.
func WalkServiceDesk[T any](t testing.TB, a Auth, u string, experimental bool) []T {
	t.Helper()
	var out []T
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	for start := 0; ; {
		req, err := http.NewRequest("GET", u+sep+"start="+strconv.Itoa(start)+"&limit=50", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(a.User, a.Pass)
		if experimental {
			req.Header.Set("X-ExperimentalApi", "opt-in")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			IsLastPage bool `json:"isLastPage"`
			Values     []T  `json:"values"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil {
			t.Fatalf("GET %s: status %d, %v", req.URL, resp.StatusCode, err)
		}
		out = append(out, page.Values...)
		if page.IsLastPage || len(page.Values) == 0 {
			return out
		}
		start += len(page.Values)
	}
}
