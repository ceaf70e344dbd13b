package jira

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/batonkit/jiracloud/internal/apiclient"
	"github.com/batonkit/jiracloud/internal/transport"
)

// Sentinel errors matched by [*Error] through errors.Is, by status code.
// The Atlassian Admin client's [*Error] matches the same values.
var (
	// ErrNotFound matches a 404: an unknown ID or key, or an object the
	// caller may not see.
	ErrNotFound = apiclient.ErrNotFound
	// ErrUnauthorized matches a 401: missing, wrong or expired credentials
	// (see [Error].Hint for a scoped token sent to the site URL).
	ErrUnauthorized = apiclient.ErrUnauthorized
	// ErrForbidden matches a 403: the credentials lack a permission.
	ErrForbidden = apiclient.ErrForbidden
	// ErrRateLimited matches a 429, including a call refused during a long
	// server-imposed pause; [Error].RetryAfter says how long to wait.
	ErrRateLimited = apiclient.ErrRateLimited
	// ErrConflict matches a 409, e.g. a user search that took too long.
	ErrConflict = apiclient.ErrConflict
	// ErrBadRequest matches a 400: invalid input, or a change that is
	// already in place (read the state before writing to tell them apart).
	ErrBadRequest = apiclient.ErrBadRequest
	// ErrResponseTooLarge matches a successful answer whose body is larger
	// than the client's limit (see [WithMaxResponseSize]).
	ErrResponseTooLarge = apiclient.ErrResponseTooLarge
	// ErrPaginationLimit matches a listing that passed the client's
	// pagination bounds (see [WithPaginationLimits]).
	ErrPaginationLimit = apiclient.ErrPaginationLimit
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// Error is returned for every non-2xx answer from Jira, and as a 429 for a
// call refused during a long server-imposed pause (see RateLimitReason). It
// decodes Jira's {"errorMessages":[…],"errors":{field:msg}} body and the
// Jira Service Management {"errorMessage":…} shape; the raw body (at most
// 64 KiB) is kept. It never contains credentials: URL is redacted to
// scheme, host and path, and the request's credentials are cut out of the
// body if the server echoed them.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Method and URL are the request's; URL has no query string.
	Method, URL string
	// Messages are the errorMessages (or the JSM errorMessage).
	Messages []string
	// FieldErrors maps a field name to its message.
	FieldErrors map[string]string
	// RetryAfter is the server-requested wait on 429 or 503.
	RetryAfter time.Duration
	// MaxServerWait, on 429 and 503, is the longest server-requested wait
	// the client that returned the error honours (its
	// RetryPolicy.MaxServerWait, default 1 h; zero, as in an error built by
	// hand, means that default). A RetryAfter longer than it was neither
	// waited for nor retried.
	MaxServerWait time.Duration
	// RateLimitReason is the RateLimit-Reason header on 429, or
	// "client-side pause" / "client-side quota pause" when the call was not
	// sent because an earlier 429 paused the endpoint (or, for a quota,
	// every endpoint) for longer than the client waits in-process.
	RateLimitReason string
	// RateLimitReset is X-RateLimit-Reset on 429, if sent, or the end of a
	// client-side pause.
	RateLimitReset time.Time
	// RequestID is the Atl-Traceid (or X-Arequestid) header, for Atlassian support.
	RequestID string
	// Attempts is how many times the request was sent.
	Attempts int
	// Hint is a suggestion for fixing the problem (e.g. which URL a scoped
	// token needs), or "".
	Hint string
	// Body is the raw error body, truncated to 64 KiB.
	Body []byte
}

// pausedError turns the transport's refusal to send during a long
// server-imposed pause into the 429 the pause came from, so callers handle
// one error shape (and read the remaining wait from RetryAfter).
func pausedError(method, full string, pe *transport.PausedError, maxServerWait time.Duration) *Error {
	return &Error{StatusCode: http.StatusTooManyRequests, Method: method, URL: apiclient.RedactURL(full), Messages: []string{pe.Error()},
		RetryAfter: pe.Wait, RateLimitReason: apiclient.PauseReason(pe), RateLimitReset: pe.Until, MaxServerWait: maxServerWait}
}

// Error formats the status, request and Jira's messages.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "jira: %s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	msgs := append([]string(nil), e.Messages...)
	keys := make([]string, 0, len(e.FieldErrors))
	for k := range e.FieldErrors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		msgs = append(msgs, k+": "+e.FieldErrors[k])
	}
	if len(msgs) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(msgs, "; "))
	}
	apiclient.WriteWait(&b, e.RetryAfter, e.RateLimitReason, e.Attempts, e.MaxServerWait)
	if e.Hint != "" {
		b.WriteString(". " + e.Hint)
	}
	return b.String()
}

// Is matches the sentinel errors by status code.
func (e *Error) Is(target error) bool { return apiclient.StatusIs(e.StatusCode, target) }

// maxDecodedMessages bounds how many messages and field errors are kept.
const maxDecodedMessages = 50

func (e *Error) capMessages() {
	if len(e.Messages) > maxDecodedMessages {
		e.Messages = append(e.Messages[:maxDecodedMessages:maxDecodedMessages], fmt.Sprintf("… and %d more", len(e.Messages)-maxDecodedMessages))
	}
	for i, m := range e.Messages {
		e.Messages[i] = apiclient.CapMessage(m)
	}
	n := 0
	for k, v := range e.FieldErrors {
		if n >= maxDecodedMessages || len(k) > 256 {
			delete(e.FieldErrors, k)
			continue
		}
		n++
		e.FieldErrors[k] = apiclient.CapMessage(v)
	}
}

// Message returns all messages joined, for matching Jira's wording.
func (e *Error) Message() string {
	msgs := append([]string(nil), e.Messages...)
	for _, v := range e.FieldErrors {
		msgs = append(msgs, v)
	}
	return strings.Join(msgs, "; ")
}

// Temporary reports whether retrying later may succeed (429, 5xx except 501).
func (e *Error) Temporary() bool { return apiclient.Temporary(e.StatusCode) }

// DecodeErrorBody fills Messages and FieldErrors from a Jira, Jira Service
// Management or gateway error body. Unknown shapes leave them empty; a plain
// text body becomes one message (trimmed to 512 bytes). Decoded messages
// are cut to 1 KiB each, and at most 50 are kept.
func (e *Error) DecodeErrorBody(body []byte) {
	e.Body = body
	defer e.capMessages()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		if txt := apiclient.PlainMessage(body); txt != "" {
			e.Messages = []string{txt}
		}
		return
	}
	if v, ok := raw["errorMessages"]; ok {
		var msgs []string
		if json.Unmarshal(v, &msgs) == nil {
			e.Messages = append(e.Messages, msgs...)
		}
	}
	if v, ok := raw["errors"]; ok {
		var fields map[string]string
		if json.Unmarshal(v, &fields) == nil && len(fields) > 0 {
			e.FieldErrors = fields
		} else {
			// Admin-style errors array, or a map with non-string values.
			var arr []struct{ Title, Detail, Code string }
			if json.Unmarshal(v, &arr) == nil {
				for _, a := range arr {
					e.Messages = append(e.Messages, strings.TrimSpace(strings.Trim(a.Code+" "+a.Title+": "+a.Detail, ": ")))
				}
			} else {
				var any map[string]any
				if json.Unmarshal(v, &any) == nil && len(any) > 0 {
					e.FieldErrors = map[string]string{}
					for k, x := range any {
						e.FieldErrors[k] = fmt.Sprint(x)
					}
				}
			}
		}
	}
	for _, k := range []string{"errorMessage", "message"} {
		if v, ok := raw[k]; ok {
			var s string
			if json.Unmarshal(v, &s) == nil && s != "" {
				e.Messages = append(e.Messages, s)
			}
		}
	}
}
