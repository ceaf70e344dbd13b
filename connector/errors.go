package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/uhttp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/internal/apiclient"
	"github.com/batonkit/jiracloud/internal/transport"
	"github.com/batonkit/jiracloud/jira"
)

// errPrefix starts every error message of the connector.
const errPrefix = "baton-jira: "

// Operation names used in error messages. Each one maps to the Jira
// permission it needs, so that a 403 can name it.
const (
	opValidate         = "validate"
	opListUsers        = "list users"
	opListOrgUsers     = "list organization users"
	opListGroups       = "list groups"
	opListOrgGroups    = "list organization groups"
	opGroupMembers     = "list group members"
	opListProjects     = "list projects"
	opListRoles        = "list project roles"
	opRoleActors       = "list project role actors"
	opPermissionScheme = "read permission scheme"
	opListProducts     = "list products"
	opServerInfo       = "read site info"
	opSiteAdmins       = "list site administrator groups"
	opFindSite         = "find the Jira site in the organization"
	opFetchAhead       = "wait for a page fetched ahead"
)

// permissionFor names what the account needs for an operation; used in 403 messages.
var permissionFor = map[string]string{
	opValidate:         `the "Browse users and groups" global permission`,
	opListUsers:        `the "Browse users and groups" global permission`,
	opListGroups:       `the "Browse users and groups" global permission`,
	opGroupMembers:     `the "Browse users and groups" global permission`,
	opListProjects:     `"Browse projects" on the projects (or "Administer Jira" to see every project)`,
	opListRoles:        `the "Administer Jira" global permission`,
	opRoleActors:       `"Administer projects" on the project (or "Administer Jira")`,
	opPermissionScheme: `the "Administer Jira" global permission`,
	opListProducts:     `the "Administer Jira" global permission (and a classic API token: /applicationrole accepts Basic auth only)`,
	opSiteAdmins:       `the "Administer Jira" global permission`,
	opListOrgUsers:     `an organization Admin API key (an unscoped key, or one with read:directories:admin and read:accounts:admin)`,
	opListOrgGroups:    `an organization Admin API key (an unscoped key, or one with read:directories:admin and read:groups:admin)`,
	opFindSite:         `an organization Admin API key of the organization that owns the Jira site`,
}

// statusError is a gRPC status that still unwraps to the client error it
// came from, so both status.Code(err) and errors.Is(err, jira.ErrNotFound)
// work on what wrapErr returns.
type statusError struct {
	st    *status.Status
	cause error
}

func (e *statusError) Error() string              { return e.st.Message() }
func (e *statusError) GRPCStatus() *status.Status { return e.st }
func (e *statusError) Unwrap() error              { return e.cause }

// wrapErr turns an error from the Jira or Admin client into a gRPC status
// error the Baton SDK understands, with the message prefixed
// "baton-jira: <op>: ". It returns nil for nil.
//
//   - 429, 503 and other 5xx → Unavailable, with a RateLimitDescription
//     detail whose ResetAt comes from Retry-After or X-RateLimit-Reset, so
//     the SDK's retryer waits exactly that long (Remaining 0 = wait until reset).
//   - 401 → Unauthenticated (with the client's hint, e.g. the gateway URL a
//     scoped token needs); 403 → PermissionDenied naming the permission the
//     operation needs; 404 → NotFound; 400 → InvalidArgument; 408 →
//     DeadlineExceeded; 409 on a read (users/search gives up after 10 s) →
//     Unavailable; other statuses as uhttp.GrpcCodeFromHTTPStatus.
//   - Transport failures (connection reset or refused, EOF, truncated
//     bodies, timeouts) → Unavailable; an ended context keeps its code.
//   - Anything else → Unknown.
func wrapErr(op string, err error) error {
	return wrapErrAt(op, err, time.Now())
}

func wrapErrAt(op string, err error, now time.Time) error {
	if err == nil {
		return nil
	}
	var se *statusError
	if errors.As(err, &se) {
		return err // already mapped by an inner wrapErr
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown && !hasClientError(err) {
		// Already a status (e.g. from a nested wrapErr): keep it, add the prefix once.
		if strings.HasPrefix(st.Message(), errPrefix) {
			return err
		}
		return &statusError{st: status.New(st.Code(), errPrefix+op+": "+st.Message()), cause: err}
	}
	msg := errPrefix + op + ": " + err.Error()

	var je *jira.Error
	if errors.As(err, &je) {
		return httpStatusErr(op, msg, je.StatusCode, je.Method, je.RetryAfter, je.RateLimitReset, je.MaxServerWait, now, err)
	}
	var ae *atlassian.Error
	if errors.As(err, &ae) {
		return httpStatusErr(op, msg, ae.StatusCode, ae.Method, ae.RetryAfter, ae.RateLimitReset, ae.MaxServerWait, now, err)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &statusError{st: status.New(codes.Canceled, msg), cause: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &statusError{st: status.New(codes.DeadlineExceeded, msg), cause: err}
	case transport.Permanent(err):
		// A certificate that does not verify, a host that does not exist:
		// retrying cannot help, the configuration must change.
		return &statusError{st: status.New(codes.FailedPrecondition, msg), cause: err}
	case transient(err):
		return &statusError{st: status.New(codes.Unavailable, msg), cause: err}
	}
	return &statusError{st: status.New(codes.Unknown, msg), cause: err}
}

func hasClientError(err error) bool {
	var je *jira.Error
	var ae *atlassian.Error
	return errors.As(err, &je) || errors.As(err, &ae)
}

// httpStatusErr maps a client's HTTP error to a status. maxServerWait is the
// cap on server waits of the client that returned it (its error's
// MaxServerWait; zero means the transport's default).
func httpStatusErr(op, msg string, code int, method string, retryAfter time.Duration, reset time.Time, maxServerWait time.Duration, now time.Time, cause error) error {
	var c codes.Code
	wait := retryAfter
	if wait <= 0 && !reset.IsZero() {
		wait = reset.Sub(now)
	}
	switch {
	case (code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable) && wait > apiclient.ServerWaitCap(maxServerWait):
		// An absurd wait (Retry-After: 1e9) is an error, not a pause: the
		// SDK does not retry ResourceExhausted, so the sync ends with this
		// message instead of sleeping for years.
		return &statusError{st: status.New(codes.ResourceExhausted, msg), cause: cause}
	case code == http.StatusTooManyRequests || code >= 500 && code != http.StatusNotImplemented:
		c = codes.Unavailable
	case code == http.StatusConflict && (method == http.MethodGet || method == ""):
		// GET /users/search answers 409 when the query ran longer than 10 s.
		c = codes.Unavailable
	case code == http.StatusForbidden:
		c = codes.PermissionDenied
		if p, ok := permissionFor[op]; ok {
			msg += " (the account needs " + p + ")"
		}
	case code == http.StatusUnauthorized:
		c = codes.Unauthenticated
	default:
		c = uhttp.GrpcCodeFromHTTPStatus(code)
	}
	st := status.New(c, msg)
	if c == codes.Unavailable {
		if d := rateLimitDetail(code, retryAfter, reset, now); d != nil {
			if withD, err := st.WithDetails(d); err == nil {
				st = withD
			}
		}
	}
	return &statusError{st: st, cause: cause}
}

// rateLimitDetail builds the RateLimitDescription for a retryable answer,
// or nil when the server gave no wait (the SDK then backs off linearly).
func rateLimitDetail(code int, retryAfter time.Duration, reset, now time.Time) *v2.RateLimitDescription {
	var resetAt time.Time
	switch {
	case retryAfter > 0:
		resetAt = now.Add(retryAfter)
	case !reset.IsZero() && reset.After(now):
		resetAt = reset
	case code == http.StatusTooManyRequests:
		// A 429 without any wait: ask for one second, the smallest sane pause.
		resetAt = now.Add(time.Second)
	default:
		return nil
	}
	st := v2.RateLimitDescription_STATUS_ERROR
	if code == http.StatusTooManyRequests {
		st = v2.RateLimitDescription_STATUS_OVERLIMIT
	}
	return v2.RateLimitDescription_builder{
		Status:    st,
		Remaining: 0,
		ResetAt:   timestamppb.New(resetAt),
	}.Build()
}

// transient reports whether err is a transport failure worth retrying (the
// transport's one classifier, shared with its retry policy).
func transient(err error) bool { return transport.Transient(err) }

// rateAnnotations turns what a response said about rate limits into the
// annotation the SDK reads (nil when the response carried no rate headers).
func rateAnnotations(resp *jira.Response) annotations.Annotations {
	if resp == nil {
		return nil
	}
	return rateAnnotationsFrom(resp.Rate)
}

func rateAnnotationsFrom(r jira.Rate) annotations.Annotations {
	if r.Limit <= 0 && r.Remaining < 0 && r.Reset.IsZero() {
		return nil
	}
	b := v2.RateLimitDescription_builder{Status: v2.RateLimitDescription_STATUS_OK, Limit: int64(r.Limit)}
	if r.Remaining >= 0 {
		b.Remaining = int64(r.Remaining)
	}
	if !r.Reset.IsZero() {
		b.ResetAt = timestamppb.New(r.Reset)
	}
	var annos annotations.Annotations
	annos.WithRateLimiting(b.Build())
	return annos
}

// errorf builds a status error with the connector prefix.
func errorf(c codes.Code, format string, args ...any) error {
	return status.Error(c, errPrefix+fmt.Sprintf(format, args...))
}

// rateTracker keeps the tightest rate-limit state seen across the
// (concurrent) responses of one call, for the call's annotations.
type rateTracker struct {
	mu   sync.Mutex
	rate jira.Rate
	seen bool
}

func (t *rateTracker) observe(resp *jira.Response) {
	if resp == nil {
		return
	}
	r := resp.Rate
	if r.Limit <= 0 && r.Remaining < 0 && r.Reset.IsZero() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.seen || (r.Remaining >= 0 && (t.rate.Remaining < 0 || r.Remaining < t.rate.Remaining)) {
		t.rate, t.seen = r, true
	}
}

func (t *rateTracker) annotations() annotations.Annotations {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.seen {
		return nil
	}
	return rateAnnotationsFrom(t.rate)
}

// isNotFound reports whether err is a 404 from Jira or the Admin API.
func isNotFound(err error) bool { return errors.Is(err, jira.ErrNotFound) }

// cancelledElsewhere reports whether err, the result of a shared fetch
// started by another call, is that call's cancellation while ctx is still
// alive: the waiter should fetch again rather than fail.
func cancelledElsewhere(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	c := status.Code(err)
	return c == codes.Canceled || c == codes.DeadlineExceeded
}
