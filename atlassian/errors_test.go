package atlassian

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/jira"
)

func TestErrorDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		want      *Error
		wantStr   string
		sentinels []error
		code      string
	}{
		{
			name:   "admin errors array",
			status: 404,
			body:   `{"errors":[{"id":"7f0c","status":"404","code":"ADMIN-404-8","title":"User not found","detail":"No user with that account ID is in the directory."}]}`,
			want: &Error{StatusCode: 404, Errors: []ErrorDetail{{ID: "7f0c", Status: "404", Code: "ADMIN-404-8",
				Title: "User not found", Detail: "No user with that account ID is in the directory."}}},
			wantStr:   "404 Not Found: ADMIN-404-8 User not found: No user with that account ID is in the directory.",
			sentinels: []error{ErrNotFound, jira.ErrNotFound},
			code:      CodeUserNotFound,
		},
		{
			name:      "several entries",
			status:    400,
			body:      `{"errors":[{"code":"ADMIN-400-1","title":"Invalid page cursor"},{"code":"ADMIN-400-24","title":"Invalid request body","detail":"limit must be at most 100"}]}`,
			want:      &Error{StatusCode: 400, Errors: []ErrorDetail{{Code: "ADMIN-400-1", Title: "Invalid page cursor"}, {Code: "ADMIN-400-24", Title: "Invalid request body", Detail: "limit must be at most 100"}}},
			wantStr:   "400 Bad Request: ADMIN-400-1 Invalid page cursor; ADMIN-400-24 Invalid request body: limit must be at most 100",
			sentinels: []error{ErrBadRequest, jira.ErrBadRequest},
			code:      CodeInvalidCursor,
		},
		{
			name:      "gateway body with numeric code",
			status:    403,
			body:      `{"code":403,"message":"The API key does not grant access to this organization"}`,
			want:      &Error{StatusCode: 403, Code: "403", Message: "The API key does not grant access to this organization"},
			wantStr:   "403 Forbidden: The API key does not grant access to this organization",
			sentinels: []error{ErrForbidden, jira.ErrForbidden},
			code:      "403",
		},
		{
			name:      "gateway body with string code",
			status:    401,
			body:      `{"code":"401","message":"Unauthorized"}`,
			want:      &Error{StatusCode: 401, Code: "401", Message: "Unauthorized"},
			wantStr:   "401 Unauthorized: Unauthorized",
			sentinels: []error{ErrUnauthorized},
		},
		{
			name:      "conflict",
			status:    409,
			body:      `{"errors":[{"status":"409","code":"ADMIN-409-5","title":"Group not empty"}]}`,
			want:      &Error{StatusCode: 409, Errors: []ErrorDetail{{Status: "409", Code: "ADMIN-409-5", Title: "Group not empty"}}},
			wantStr:   "409 Conflict: ADMIN-409-5 Group not empty",
			sentinels: []error{ErrConflict},
		},
		{
			name:    "plain text",
			status:  500,
			body:    "upstream connect error",
			want:    &Error{StatusCode: 500, Message: "upstream connect error"},
			wantStr: "500 Internal Server Error: upstream connect error",
		},
		{
			name:    "html is not a message",
			status:  502,
			body:    "<html><body>Bad gateway</body></html>",
			want:    &Error{StatusCode: 502},
			wantStr: "502 Bad Gateway",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, srv := setup(t, WithRetryPolicy(jira.RetryPolicy{MaxRetries: 0}))
			mux.HandleFunc("GET /admin/v1/orgs/{org}/domains", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Atl-Traceid", "trace-9")
				if strings.HasPrefix(tt.body, "{") {
					writeJSON(w, tt.status, tt.body)
					return
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			_, _, err := c.Domains.List(t.Context(), testOrg, &ListOptions{Cursor: "secret-cursor"})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			want := *tt.want
			want.Method = http.MethodGet
			want.URL = srv + "/admin/v1/orgs/" + string(testOrg) + "/domains"
			want.RequestID = "trace-9"
			want.Attempts = 1
			want.Body = []byte(tt.body)
			if diff := cmp.Diff(&want, e); diff != "" {
				t.Errorf("Error mismatch (-want +got):\n%s", diff)
			}
			wantStr := "atlassian: GET " + want.URL + ": " + tt.wantStr
			if err.Error() != wantStr {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), wantStr)
			}
			if strings.Contains(err.Error(), "secret-cursor") {
				t.Errorf("Error() leaks the query string: %q", err.Error())
			}
			for _, s := range tt.sentinels {
				if !errors.Is(err, s) {
					t.Errorf("errors.Is(err, %v) = false", s)
				}
			}
			if errors.Is(err, ErrRateLimited) {
				t.Error("errors.Is(err, ErrRateLimited) = true")
			}
			if tt.code != "" && !e.HasCode(tt.code) {
				t.Errorf("HasCode(%q) = false", tt.code)
			}
			if e.HasCode("ADMIN-999-9") || e.HasCode("") {
				t.Error("HasCode matches an absent code")
			}
		})
	}
}

// TestRateLimit_retryAfter: a 429 with Retry-After is waited out (at least
// the asked seconds, on the injected clock) and retried, even for POST.
func TestRateLimit_retryAfter(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	c, mux, _ := setup(t, WithClock(clk))
	var calls atomic.Int32
	mux.HandleFunc("POST /admin/v2/orgs/{org}/directories/{dir}/users/search", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"limit":100}`) // the body is replayed on the retry
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{"code":429,"message":"Rate limit exceeded"}`)
			return
		}
		writeJSON(w, 200, `{"data":[{"accountId":"a1","name":"Ann"}],"links":{}}`)
	})
	users, resp, err := c.Directories.Users(t.Context(), testOrg, AllDirectories, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].AccountID != "a1" || resp.Attempts != 2 || calls.Load() != 2 {
		t.Fatalf("users = %+v, attempts = %d, calls = %d", users, resp.Attempts, calls.Load())
	}
	var slept time.Duration
	for _, d := range clk.Sleeps() {
		slept += d
	}
	if slept < time.Second {
		t.Errorf("slept %v, want at least the 1 s Retry-After", slept)
	}
	st := c.Stats()
	if st.RateLimited != 1 || st.Retries != 1 {
		t.Errorf("stats: RateLimited %d, Retries %d; want 1, 1", st.RateLimited, st.Retries)
	}
}

// TestRateLimit_proxyBody: a 429 asking for longer than MaxRetryAfter is
// not slept through; the gateway's {code,message} body is decoded and the
// wait is on the error.
func TestRateLimit_proxyBody(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	c, mux, _ := setup(t, WithClock(clk))
	var calls atomic.Int32
	mux.HandleFunc("GET /admin/v1/orgs/{org}/users", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "120")
		w.Header().Set("X-RateLimit-Limit", "100")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "2026-05-04T10:02:00Z")
		writeJSON(w, 429, `{"code":429,"message":"Rate limit exceeded"}`)
	})
	_, resp, err := c.Users.ListManaged(t.Context(), testOrg, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if calls.Load() != 1 || len(clk.Sleeps()) != 0 {
		t.Errorf("calls = %d, sleeps = %v; want one attempt and no sleep", calls.Load(), clk.Sleeps())
	}
	if e.StatusCode != 429 || e.Code != "429" || e.Message != "Rate limit exceeded" || e.RetryAfter != 120*time.Second {
		t.Errorf("error = %+v", e)
	}
	if !e.RateLimitReset.Equal(mustTime(t, "2026-05-04T10:02:00Z")) {
		t.Errorf("RateLimitReset = %v", e.RateLimitReset)
	}
	if !errors.Is(err, ErrRateLimited) || !errors.Is(err, jira.ErrRateLimited) || !e.Temporary() {
		t.Error("a 429 must match ErrRateLimited and be temporary")
	}
	if !strings.HasSuffix(err.Error(), ": 429 Too Many Requests: Rate limit exceeded (retry after 2m0s)") {
		t.Errorf("Error() = %q", err.Error())
	}
	if resp == nil || resp.Rate.Remaining != 0 || resp.Rate.Limit != 100 {
		t.Errorf("resp.Rate = %+v", resp.Rate)
	}
}

// TestRateLimit_longPauseIsA429: after a 429 asking for longer than the
// client waits in-process, further calls are not sent while the pause lasts:
// they fail at once with a 429 *Error carrying the remaining wait, like the
// Jira client's. Without RateLimit-Reason only that endpoint is paused; a
// quota reason pauses every endpoint.
func TestRateLimit_longPauseIsA429(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		reason      string
		wantReason  string
		otherPaused bool
	}{
		{name: "endpoint", reason: "", wantReason: "client-side pause", otherPaused: false},
		{name: "quota", reason: "jira-quota-tenant-based", wantReason: "client-side quota pause", otherPaused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			c, mux, _ := setup(t, WithClock(clk))
			var users, orgs atomic.Int32
			mux.HandleFunc("GET /admin/v1/orgs/{org}/users", func(w http.ResponseWriter, r *http.Request) {
				users.Add(1)
				w.Header().Set("Retry-After", "1800")
				if tt.reason != "" {
					w.Header().Set("RateLimit-Reason", tt.reason)
				}
				writeJSON(w, 429, `{"code":429,"message":"Rate limit exceeded"}`)
			})
			mux.HandleFunc("GET /admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
				orgs.Add(1)
				writeJSON(w, 200, `{"data":[],"links":{}}`)
			})
			if _, _, err := c.Users.ListManaged(t.Context(), testOrg, nil); !errors.Is(err, ErrRateLimited) {
				t.Fatalf("first call: err = %v, want a 429", err)
			}
			clk.mu.Lock()
			clk.now = clk.now.Add(10 * time.Minute)
			clk.mu.Unlock()

			_, resp, err := c.Users.ListManaged(t.Context(), testOrg, &ListOptions{Cursor: "next"})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("second call: err = %v (%T), want *Error", err, err)
			}
			if resp != nil || e.StatusCode != 429 || !errors.Is(err, ErrRateLimited) || !errors.Is(err, jira.ErrRateLimited) {
				t.Errorf("second call: resp = %v, err = %v; want no response and a 429", resp, err)
			}
			if e.RetryAfter != 20*time.Minute || e.RateLimitReason != tt.wantReason {
				t.Errorf("RetryAfter = %v, RateLimitReason = %q; want 20m0s, %q", e.RetryAfter, e.RateLimitReason, tt.wantReason)
			}
			if want := mustTime(t, "2026-05-04T10:30:00Z"); !e.RateLimitReset.Equal(want) {
				t.Errorf("RateLimitReset = %v, want %v", e.RateLimitReset, want)
			}
			if !strings.Contains(e.URL, "/admin/v1/orgs/"+string(testOrg)+"/users") || strings.Contains(e.URL, "cursor") {
				t.Errorf("URL = %q, want the redacted request URL", e.URL)
			}
			if !strings.Contains(err.Error(), "(retry after 20m0s, "+tt.wantReason+")") {
				t.Errorf("Error() = %q", err.Error())
			}
			if n := users.Load(); n != 1 {
				t.Errorf("the paused endpoint was called %d times, want 1", n)
			}

			_, _, err = c.Orgs.List(t.Context(), nil)
			if tt.otherPaused {
				if !errors.Is(err, ErrRateLimited) || orgs.Load() != 0 {
					t.Errorf("another endpoint during a quota pause: err = %v, calls = %d; want a 429 and no call", err, orgs.Load())
				}
			} else if err != nil || orgs.Load() != 1 {
				t.Errorf("another endpoint during an endpoint pause: err = %v, calls = %d; want one successful call", err, orgs.Load())
			}
		})
	}
}

// TestRateLimit_adminCode: the Admin error shape on 429 (ADMIN-429-1).
func TestRateLimit_adminCode(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithRetryPolicy(jira.RetryPolicy{MaxRetries: 0, MaxRetryAfter: time.Minute}))
	mux.HandleFunc("GET /admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 429, `{"errors":[{"status":"429","code":"ADMIN-429-1","title":"Limit exceeded"}]}`)
	})
	_, _, err := c.Orgs.List(t.Context(), nil)
	var e *Error
	if !errors.As(err, &e) || !e.HasCode(CodeRateLimited) || e.RetryAfter != time.Second {
		t.Fatalf("err = %v (%+v), want ADMIN-429-1 with the default 1 s wait", err, e)
	}
}

// TestRetries_postNotRetriedOn5xx: lifecycle POSTs are not repeated after
// a 5xx (unknown outcome); GETs are.
func TestRetries_postNotRetriedOn5xx(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var posts, gets atomic.Int32
	mux.HandleFunc("POST /users/{id}/manage/lifecycle/disable", func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		writeJSON(w, 502, `{"code":502,"message":"Bad gateway"}`)
	})
	mux.HandleFunc("GET /users/{id}/manage/profile", func(w http.ResponseWriter, r *http.Request) {
		if gets.Add(1) < 3 {
			writeJSON(w, 500, `{"errors":[{"code":"ADMIN-500-1","title":"Internal error"}]}`)
			return
		}
		writeJSON(w, 200, `{"account":{"account_id":"a1"}}`)
	})
	_, err := c.Accounts.Deactivate(t.Context(), "a1", "")
	if posts.Load() != 1 || !errors.As(err, new(*Error)) {
		t.Errorf("POST sent %d times (err %v); want once", posts.Load(), err)
	}
	p, resp, err := c.Accounts.Profile(t.Context(), "a1")
	if err != nil || p.AccountID != "a1" || resp.Attempts != 3 {
		t.Errorf("Profile = %+v, attempts %v, err %v; want success on the 3rd attempt", p, resp, err)
	}
}

func TestDecodeErrorBody_longText(t *testing.T) {
	t.Parallel()
	e := &Error{}
	e.DecodeErrorBody([]byte(strings.Repeat("é", 400))) // 800 bytes of 2-byte runes
	if !strings.HasSuffix(e.Message, "…") || len(e.Message) > 512+len("…") || !utf8.ValidString(e.Message) {
		t.Errorf("Message = %d bytes, valid UTF-8 %v", len(e.Message), utf8.ValidString(e.Message))
	}
}
