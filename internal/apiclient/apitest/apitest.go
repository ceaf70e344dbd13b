// Package apitest holds the request assertions and response writer shared
// by the Jira and Atlassian Admin clients' tests, so that both check
// requests the same way. Each package's setup_test.go wraps them under the
// names its tests use (testMethod, testQuery, …).
package apitest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// Method checks the request method.
func Method(t testing.TB, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method = %s, want %s", r.Method, want)
	}
}

// Query checks the full query string (order-insensitive); a nil or empty
// want means no query at all.
func Query(t testing.TB, r *http.Request, want url.Values) {
	t.Helper()
	got := r.URL.Query()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("query = %v, want %v", got, want)
	}
}

// Header checks one request header.
func Header(t testing.TB, r *http.Request, name, want string) {
	t.Helper()
	if got := r.Header.Get(name); got != want {
		t.Errorf("header %s = %q, want %q", name, got, want)
	}
}

// JSONBody checks that the request body is JSON equal to want (a JSON string).
func JSONBody(t testing.TB, r *http.Request, want string) {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	var got, exp any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("body is not JSON: %q", b)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad want JSON: %v", err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("body = %s, want %s", b, want)
	}
}

// NoBody checks that the request has no body.
func NoBody(t testing.TB, r *http.Request) {
	t.Helper()
	b, _ := io.ReadAll(r.Body)
	if len(b) != 0 {
		t.Errorf("body = %q, want none", b)
	}
}

// WriteJSON answers status with the JSON body.
func WriteJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// Fixture returns the contents of testdata/name (relative to the test's
// package directory).
func Fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading fixture: %v", err)
	}
	return string(b)
}

// Collect drains an iterator, returning the items and the errors seen.
func Collect[T any](seq func(func(T, error) bool)) (items []T, errs []error) {
	for v, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, v)
	}
	return items, errs
}
