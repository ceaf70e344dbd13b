package atlassian

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/batonkit/jiracloud/internal/apiclient"
	"github.com/batonkit/jiracloud/internal/transport"
)

// Sentinel errors matched by [*Error] through errors.Is, by status code.
// They are the Jira client's sentinels, so errors.Is(err, jira.ErrNotFound)
// and errors.Is(err, atlassian.ErrNotFound) are the same test.
var (
	// ErrNotFound matches a 404 (e.g. [CodeUserNotFound], [CodeGroupNotFound]).
	ErrNotFound = apiclient.ErrNotFound
	// ErrUnauthorized matches a 401: a missing, wrong or expired API key.
	ErrUnauthorized = apiclient.ErrUnauthorized
	// ErrForbidden matches a 403: the key may not manage this organization,
	// group or account (or is a scoped key on the user management API).
	ErrForbidden = apiclient.ErrForbidden
	// ErrRateLimited matches a 429, including a call refused during a long
	// server-imposed pause; [Error].RetryAfter says how long to wait.
	ErrRateLimited = apiclient.ErrRateLimited
	// ErrConflict matches a 409.
	ErrConflict = apiclient.ErrConflict
	// ErrBadRequest matches a 400 (e.g. [CodeInvalidCursor], [CodeInvalidBody]).
	ErrBadRequest = apiclient.ErrBadRequest
)

// ErrSiteNotFound is returned by [WorkspacesService.FindJiraSite] when no
// Jira workspace of the organization matches the site.
var ErrSiteNotFound = errors.New("atlassian: no Jira workspace of the organization matches the site")

// Admin API error codes worth testing for with [Error.HasCode].
const (
	// CodeInvalidCursor: the page cursor is invalid or expired.
	CodeInvalidCursor = "ADMIN-400-1"
	// CodeInvalidResource: a resource ID in the request is invalid.
	CodeInvalidResource = "ADMIN-400-4"
	// CodeInvalidBody: the request body is invalid.
	CodeInvalidBody = "ADMIN-400-24"
	// CodeOrgNotManaged: the API key may not manage the organization.
	CodeOrgNotManaged = "ADMIN-403-3"
	// CodeOrgNotFound: no such organization.
	CodeOrgNotFound = "ADMIN-404-2"
	// CodeUserNotFound: no such user.
	CodeUserNotFound = "ADMIN-404-8"
	// CodeGroupNotFound: no such group.
	CodeGroupNotFound = "ADMIN-404-10"
	// CodeRateLimited: the rate limit was exceeded.
	CodeRateLimited = "ADMIN-429-1"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// ErrorDetail is one entry of the Admin API error body
// {"errors":[{"id","status","code","title","detail"}]}.
type ErrorDetail struct {
	// ID identifies this occurrence of the error.
	ID string `json:"id"`
	// Status is the HTTP status, as a string.
	Status string `json:"status"`
	// Code is the application code, e.g. "ADMIN-404-8".
	Code string `json:"code"`
	// Title is a short summary.
	Title string `json:"title"`
	// Detail explains this occurrence and how to resolve it.
	Detail string `json:"detail"`
}

// Error is returned for every non-2xx answer from the Admin or user
// management API. It decodes the Admin error body (errors[{id, status, code,
// title, detail}]) and the API gateway's {code, message} body (sent, for
// example, with 429); the raw body (at most 64 KiB) is kept. It never
// contains the API key: URL is redacted to scheme, host and path.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Method and URL are the request's; URL has no query string.
	Method, URL string
	// Errors are the Admin API error entries.
	Errors []ErrorDetail
	// Code is the gateway's code (e.g. "429"), or "".
	Code string
	// Message is the gateway's message, or a plain-text body.
	Message string
	// RetryAfter is the server-requested wait on 429 or 503.
	RetryAfter time.Duration
	// MaxServerWait, on 429 and 503, is the longest server-requested wait
	// the client that returned the error honours (its
	// RetryPolicy.MaxServerWait, default 1 h; zero, as in an error built by
	// hand, means that default). A RetryAfter longer than it was neither
	// waited for nor retried.
	MaxServerWait time.Duration
	// RateLimitReason is the RateLimit-Reason header on 429, if sent, or
	// "client-side pause" / "client-side quota pause" when the call was not
	// sent because an earlier 429 paused the endpoint (or every endpoint)
	// for longer than the client waits.
	RateLimitReason string
	// RateLimitReset is X-RateLimit-Reset, if sent, or the end of a
	// client-side pause.
	RateLimitReset time.Time
	// RequestID is the Atl-Traceid (or X-Request-Id) header, for Atlassian support.
	RequestID string
	// Attempts is how many times the request was sent.
	Attempts int
	// Body is the raw error body, truncated to 64 KiB.
	Body []byte
}

// Error formats the status, the request and the decoded messages.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "atlassian: %s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if msgs := e.Messages(); len(msgs) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(msgs, "; "))
	}
	apiclient.WriteWait(&b, e.RetryAfter, e.RateLimitReason, e.Attempts, e.MaxServerWait)
	return b.String()
}

// Messages returns one line per error entry ("ADMIN-404-8 User not found:
// detail") followed by the gateway message, if any.
func (e *Error) Messages() []string {
	var out []string
	for _, d := range e.Errors {
		var parts []string
		head := strings.TrimSpace(d.Code + " " + d.Title)
		if head != "" {
			parts = append(parts, head)
		}
		if d.Detail != "" && d.Detail != d.Title {
			parts = append(parts, d.Detail)
		}
		if len(parts) > 0 {
			out = append(out, strings.Join(parts, ": "))
		}
	}
	if e.Message != "" {
		out = append(out, e.Message)
	}
	return out
}

// HasCode reports whether one of the error entries (or the gateway body)
// carries code, e.g. [CodeUserNotFound].
func (e *Error) HasCode(code string) bool {
	if e.Code == code {
		return code != ""
	}
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// Is matches the sentinel errors by status code, exactly as jira.Error
// does (they are the same sentinels).
func (e *Error) Is(target error) bool { return apiclient.StatusIs(e.StatusCode, target) }

// Temporary reports whether retrying later may succeed (429, 5xx except
// 501), exactly as jira.Error does.
func (e *Error) Temporary() bool { return apiclient.Temporary(e.StatusCode) }

// DecodeErrorBody fills Errors, Code and Message from an Admin API or
// gateway error body. Unknown shapes leave them empty; a plain-text body
// becomes the Message (trimmed to 512 bytes).
func (e *Error) DecodeErrorBody(body []byte) {
	e.Body = body
	defer e.capMessages()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		if txt := apiclient.PlainMessage(body); txt != "" {
			e.Message = txt
		}
		return
	}
	if v, ok := raw["errors"]; ok {
		var details []ErrorDetail
		if json.Unmarshal(v, &details) == nil {
			e.Errors = details
		}
	}
	if v, ok := raw["code"]; ok {
		e.Code = jsonScalar(v)
	}
	for _, k := range []string{"message", "errorMessage", "error_description", "error"} {
		if v, ok := raw[k]; ok {
			var s string
			if json.Unmarshal(v, &s) == nil && s != "" {
				e.Message = s
				break
			}
		}
	}
}

// maxDecodedErrors bounds how many error entries are kept.
const maxDecodedErrors = 50

// capMessages cuts every decoded string to 1 KiB and keeps at most 50 entries.
func (e *Error) capMessages() {
	if len(e.Errors) > maxDecodedErrors {
		e.Errors = e.Errors[:maxDecodedErrors]
	}
	for i := range e.Errors {
		d := &e.Errors[i]
		d.ID, d.Status, d.Code = apiclient.CapMessage(d.ID), apiclient.CapMessage(d.Status), apiclient.CapMessage(d.Code)
		d.Title, d.Detail = apiclient.CapMessage(d.Title), apiclient.CapMessage(d.Detail)
	}
	e.Code, e.Message = apiclient.CapMessage(e.Code), apiclient.CapMessage(e.Message)
}

// jsonScalar renders a JSON string or number as text.
func jsonScalar(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String()
	}
	return ""
}

// pausedError turns the transport's refusal to send during a long
// server-imposed pause into the 429 the pause came from, so callers handle
// one error shape (and read the remaining wait from RetryAfter).
func pausedError(method, full string, pe *transport.PausedError, maxServerWait time.Duration) *Error {
	return &Error{StatusCode: http.StatusTooManyRequests, Method: method, URL: apiclient.RedactURL(full), Message: pe.Error(),
		RetryAfter: pe.Wait, RateLimitReason: apiclient.PauseReason(pe), RateLimitReset: pe.Until, MaxServerWait: maxServerWait}
}

// newError builds the [*Error] of a non-2xx answer, with the API key cut
// out of the body in case a proxy echoes it.
func (c *Client) newError(method, full string, resp *http.Response, res transport.Result, body []byte) *Error {
	now := c.tr.Clock().Now()
	rt := transport.ParseRate(resp.Header, now)
	body = apiclient.RedactSecrets(body, c.key())
	e := &Error{StatusCode: resp.StatusCode, Method: method, URL: apiclient.RedactURL(full), RequestID: requestID(resp.Header),
		Attempts: res.Attempts, RateLimitReason: rt.Reason, RateLimitReset: rt.Reset, RetryAfter: apiclient.RetryAfter(resp.StatusCode, rt, now)}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.MaxServerWait = c.tr.MaxServerWait()
	}
	e.DecodeErrorBody(body)
	return e
}
