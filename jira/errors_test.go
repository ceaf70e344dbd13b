package jira

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestErrorDecodeErrorBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		messages []string
		fields   map[string]string
	}{
		{
			name:     "jira messages and field errors",
			body:     `{"errorMessages":["Field 'priority' is required"],"errors":{"summary":"You must specify a summary of the issue.","project":"project is required"},"status":400}`,
			messages: []string{"Field 'priority' is required"},
			fields:   map[string]string{"summary": "You must specify a summary of the issue.", "project": "project is required"},
		},
		{
			name:     "jira messages with empty errors object",
			body:     `{"errorMessages":["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."],"errors":{}}`,
			messages: []string{"The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."},
		},
		{
			name:     "createmeta extra keys",
			body:     `{"errorMessages":["Parameter 'maxResults' must not exceed the limit '200'"],"errors":{},"httpStatusCode":{"empty":false,"present":true}}`,
			messages: []string{"Parameter 'maxResults' must not exceed the limit '200'"},
		},
		{
			name:   "field errors only",
			body:   `{"errorMessages":[],"errors":{"accountId":"The user does not exist."}}`,
			fields: map[string]string{"accountId": "The user does not exist."},
		},
		{
			name:   "field errors with non-string values",
			body:   `{"errors":{"count":3,"flag":true,"nested":{"a":"b"},"text":"plain"}}`,
			fields: map[string]string{"count": "3", "flag": "true", "nested": "map[a:b]", "text": "plain"},
		},
		{
			name:     "service management",
			body:     `{"errorMessage":"The customer does not exist.","i18nErrorMessage":{"i18nKey":"sd.customer.missing","parameters":[]}}`,
			messages: []string{"The customer does not exist."},
		},
		{
			name: "admin errors array",
			body: `{"errors":[{"id":"7f3b","status":"404","code":"ADMIN-404-8","title":"Not Found","detail":"User not found"},` +
				`{"code":"ADMIN-400-1"},{"detail":"Only a detail"}]}`,
			messages: []string{"ADMIN-404-8 Not Found: User not found", "ADMIN-400-1", "Only a detail"},
		},
		{
			name:     "gateway code and message",
			body:     `{"code":429,"message":"Rate limit exceeded"}`,
			messages: []string{"Rate limit exceeded"},
		},
		{
			name:     "gateway 401",
			body:     `{"code":401,"message":"Unauthorized; scope does not match"}`,
			messages: []string{"Unauthorized; scope does not match"},
		},
		{
			name: "html page",
			body: "<!DOCTYPE html><html><head><title>Oops</title></head><body>Something went wrong</body></html>",
		},
		{
			name:     "plain text",
			body:     "  Service Unavailable \n",
			messages: []string{"Service Unavailable"},
		},
		{name: "empty", body: ""},
		{name: "json null", body: "null"},
		{name: "empty object", body: "{}"},
		{name: "wrong types ignored", body: `{"errorMessages":"not a list","errors":"nope","errorMessage":42,"message":""}`},
		{
			name:     "json array body",
			body:     `["a","b"]`,
			messages: []string{`["a","b"]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &Error{StatusCode: http.StatusBadRequest}
			e.DecodeErrorBody([]byte(tt.body))
			if diff := cmp.Diff(tt.messages, e.Messages, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Messages (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.fields, e.FieldErrors, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("FieldErrors (-want +got):\n%s", diff)
			}
			if string(e.Body) != tt.body {
				t.Errorf("Body = %q, want the raw body", e.Body)
			}
		})
	}
}

func TestErrorDecodeLongPlainText(t *testing.T) {
	t.Parallel()
	// 511 ASCII bytes then multi-byte runes: the cut must not split one.
	body := strings.Repeat("x", 511) + strings.Repeat("é", 100)
	e := &Error{}
	e.DecodeErrorBody([]byte(body))
	if len(e.Messages) != 1 {
		t.Fatalf("Messages = %q", e.Messages)
	}
	m := e.Messages[0]
	if !strings.HasSuffix(m, "…") || len(m) > 512+len("…") {
		t.Errorf("message of %d bytes not truncated to 512 + …", len(m))
	}
	if !utf8.ValidString(m) {
		t.Errorf("truncated message is not valid UTF-8: %q", m[500:])
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    *Error
		want string
	}{
		{
			"status only",
			&Error{StatusCode: 404, Method: "GET", URL: "https://acme.atlassian.net/rest/api/3/project/NOPE"},
			"jira: GET https://acme.atlassian.net/rest/api/3/project/NOPE: 404 Not Found",
		},
		{
			"messages and sorted fields",
			&Error{StatusCode: 400, Method: "POST", URL: "https://acme.atlassian.net/rest/api/3/issue",
				Messages:    []string{"Field 'priority' is required"},
				FieldErrors: map[string]string{"summary": "required", "project": "unknown"}},
			"jira: POST https://acme.atlassian.net/rest/api/3/issue: 400 Bad Request: Field 'priority' is required; project: unknown; summary: required",
		},
		{
			"rate limited after attempts with hint",
			&Error{StatusCode: 429, Method: "GET", URL: "https://acme.atlassian.net/rest/api/3/users/search",
				RetryAfter: 30 * time.Second, RateLimitReason: "jira-burst-based", Attempts: 3, Hint: "slow down"},
			"jira: GET https://acme.atlassian.net/rest/api/3/users/search: 429 Too Many Requests (retry after 30s, jira-burst-based) after 3 attempts. slow down",
		},
		{
			"retry after without reason",
			&Error{StatusCode: 503, Method: "GET", URL: "https://x.atlassian.net/", RetryAfter: time.Second, Attempts: 1},
			"jira: GET https://x.atlassian.net/: 503 Service Unavailable (retry after 1s)",
		},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
	// Error never dumps the body.
	e := &Error{StatusCode: 500, Method: "GET", URL: "https://x.atlassian.net/", Body: []byte("<html>BODYMARK</html>")}
	if strings.Contains(e.Error(), "BODYMARK") {
		t.Errorf("Error() contains the raw body: %q", e.Error())
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	e := &Error{Messages: []string{"one", "two"}, FieldErrors: map[string]string{"f": "three"}}
	if got := e.Message(); got != "one; two; three" {
		t.Errorf("Message() = %q", got)
	}
	if got := (&Error{}).Message(); got != "" {
		t.Errorf("empty Message() = %q", got)
	}
}

func TestErrorTemporary(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{
		400: false, 401: false, 403: false, 404: false, 409: false,
		429: true, 500: true, 501: false, 502: true, 503: true, 504: true,
	} {
		if got := (&Error{StatusCode: status}).Temporary(); got != want {
			t.Errorf("Temporary() for %d = %v, want %v", status, got, want)
		}
	}
}

func TestErrorIsSentinels(t *testing.T) {
	t.Parallel()
	sentinels := map[int]error{
		http.StatusBadRequest:      ErrBadRequest,
		http.StatusUnauthorized:    ErrUnauthorized,
		http.StatusForbidden:       ErrForbidden,
		http.StatusNotFound:        ErrNotFound,
		http.StatusConflict:        ErrConflict,
		http.StatusTooManyRequests: ErrRateLimited,
	}
	all := []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrRateLimited}
	for _, status := range []int{400, 401, 403, 404, 409, 429, 500, 503, 422, 410} {
		var err error = &Error{StatusCode: status}
		wrapped := fmt.Errorf("baton-jira: list users: %w", err)
		for _, s := range all {
			want := sentinels[status] == s
			if got := errors.Is(err, s); got != want {
				t.Errorf("errors.Is(%d, %v) = %v, want %v", status, s, got, want)
			}
			if got := errors.Is(wrapped, s); got != want {
				t.Errorf("errors.Is(wrapped %d, %v) = %v, want %v", status, s, got, want)
			}
		}
		var je *Error
		if !errors.As(wrapped, &je) || je.StatusCode != status {
			t.Errorf("errors.As(wrapped %d) = %v", status, je)
		}
		if errors.Is(err, errors.New("jira: not found")) {
			t.Errorf("%d matched a foreign error with the same text", status)
		}
	}
}

func TestErrorFromResponse(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/NOPE", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Atl-Traceid", "trace-404")
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["No project could be found with key 'NOPE'."],"errors":{}}`)
	})
	resp, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/project/NOPE", nil, nil, nil)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err is %T, want *Error", err)
	}
	want := &Error{
		StatusCode: 404, Method: "GET", URL: c.Site().BaseURL + "/rest/api/3/project/NOPE",
		Messages: []string{"No project could be found with key 'NOPE'."}, RequestID: "trace-404", Attempts: 1,
		Body: []byte(`{"errorMessages":["No project could be found with key 'NOPE'."],"errors":{}}`),
	}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("*Error (-want +got):\n%s", diff)
	}
	if resp == nil || resp.StatusCode != 404 || resp.RequestID != "trace-404" {
		t.Errorf("resp = %+v, want the 404 response", resp)
	}
}

func TestErrorRateLimitFields(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/users/search", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30") // above setup's MaxRetryAfter of 2 s: not waited for
		w.Header().Set("RateLimit-Reason", "jira-burst-based")
		w.Header().Set("X-RateLimit-Reset", "2026-03-02T10:31:00Z")
		w.Header().Set("X-RateLimit-Limit", "100")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("Atl-Traceid", "0123abcd")
		writeJSON(w, http.StatusTooManyRequests, `{"errorMessages":["Rate limit exceeded"]}`)
	})
	resp, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/users/search", nil, nil, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if !errors.Is(err, ErrRateLimited) {
		t.Errorf("errors.Is(err, ErrRateLimited) = false")
	}
	if e.RetryAfter != 30*time.Second || e.RateLimitReason != "jira-burst-based" || e.RequestID != "0123abcd" ||
		!e.RateLimitReset.Equal(time.Date(2026, 3, 2, 10, 31, 0, 0, time.UTC)) || e.Attempts != 1 {
		t.Errorf("*Error = %+v", e)
	}
	if !strings.Contains(e.Error(), "retry after 30s, jira-burst-based") {
		t.Errorf("Error() = %q", e.Error())
	}
	if resp == nil || resp.Rate.Limit != 100 || resp.Rate.Remaining != 0 || resp.Rate.RetryAfter != 30*time.Second {
		t.Errorf("resp.Rate = %+v", resp.Rate)
	}
}

func TestErrorRateLimitedAfterRetries(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var hits atomic.Int64
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("X-Arequestid", "req-7")
		writeJSON(w, http.StatusTooManyRequests, `{"code":429,"message":"Rate limit exceeded"}`)
	})
	_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	// setup allows 3 retries; without a server wait the error suggests 1 s.
	if e.Attempts != 4 || hits.Load() != 4 || e.RetryAfter != time.Second || e.RequestID != "req-7" {
		t.Errorf("Attempts %d, hits %d, RetryAfter %v, RequestID %q", e.Attempts, hits.Load(), e.RetryAfter, e.RequestID)
	}
	if diff := cmp.Diff([]string{"Rate limit exceeded"}, e.Messages); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(e.Error(), "after 4 attempts") {
		t.Errorf("Error() = %q", e.Error())
	}
	if s := c.Stats(); s.RateLimited != 4 || s.Retries != 3 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestError503RetryAfter(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/myself", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
	})
	_, err := c.Do(t.Context(), http.MethodGet, "/rest/api/3/myself", nil, nil, nil)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 503 || e.RetryAfter != 2*time.Minute || !e.Temporary() {
		t.Fatalf("err = %#v", err)
	}
}

func TestErrorHugeBodyTruncated(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	huge := `{"errorMessages":["` + strings.Repeat("A", 200<<10) + `"]}`
	mux.HandleFunc("/rest/api/3/issue", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, huge)
	})
	_, err := c.Do(t.Context(), http.MethodPost, "/rest/api/3/issue", nil, map[string]any{"fields": map[string]any{}}, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if len(e.Body) != 64<<10 || string(e.Body) != huge[:64<<10] {
		t.Errorf("Body has %d bytes, want the first 64 KiB", len(e.Body))
	}
	if n := len(e.Error()); n > 1024 {
		t.Errorf("Error() is %d bytes long", n)
	}
}
