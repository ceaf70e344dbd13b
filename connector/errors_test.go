package connector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestWrapErr(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	reset := now.Add(90 * time.Second)
	tests := []struct {
		name      string
		op        string
		err       error
		code      codes.Code
		resetAt   time.Time // zero: no RateLimitDescription expected
		overLimit bool
		contains  []string
	}{
		{name: "429 retry-after", op: opGroupMembers,
			err:  &jira.Error{StatusCode: 429, Method: "GET", URL: "https://x/rest/api/3/group/member", RetryAfter: 7 * time.Second},
			code: codes.Unavailable, resetAt: now.Add(7 * time.Second), overLimit: true},
		{name: "429 reset header only", op: opListUsers,
			err:  &jira.Error{StatusCode: 429, Method: "GET", RateLimitReset: reset},
			code: codes.Unavailable, resetAt: reset, overLimit: true},
		{name: "429 without any wait", op: opListUsers,
			err:  &jira.Error{StatusCode: 429, Method: "GET"},
			code: codes.Unavailable, resetAt: now.Add(time.Second), overLimit: true},
		{name: "503 retry-after", op: opListProjects,
			err:  &jira.Error{StatusCode: 503, Method: "GET", RetryAfter: 30 * time.Second},
			code: codes.Unavailable, resetAt: now.Add(30 * time.Second)},
		{name: "429 asking for years is an error, not a wait", op: opListUsers,
			err:  &jira.Error{StatusCode: 429, Method: "GET", RetryAfter: 1e9 * time.Second},
			code: codes.ResourceExhausted},
		{name: "503 reset a day away is an error", op: opListUsers,
			err:  &jira.Error{StatusCode: 503, Method: "GET", RateLimitReset: now.Add(24 * time.Hour)},
			code: codes.ResourceExhausted},
		// The client's configured cap decides, not the 1 h default.
		{name: "30 min wait past a 10 min cap is an error", op: opListUsers,
			err:  &jira.Error{StatusCode: 429, Method: "GET", RetryAfter: 30 * time.Minute, MaxServerWait: 10 * time.Minute},
			code: codes.ResourceExhausted},
		{name: "Admin API: 30 min wait past a 10 min cap is an error", op: opListUsers,
			err:  &atlassian.Error{StatusCode: 429, Method: "POST", RetryAfter: 30 * time.Minute, MaxServerWait: 10 * time.Minute},
			code: codes.ResourceExhausted},
		{name: "503 reset 30 min away past a 10 min cap is an error", op: opListUsers,
			err:  &jira.Error{StatusCode: 503, Method: "GET", RateLimitReset: now.Add(30 * time.Minute), MaxServerWait: 10 * time.Minute},
			code: codes.ResourceExhausted},
		{name: "90 min wait under a 2 h cap is a wait", op: opListUsers,
			err:  &jira.Error{StatusCode: 429, Method: "GET", RetryAfter: 90 * time.Minute, MaxServerWait: 2 * time.Hour},
			code: codes.Unavailable, resetAt: now.Add(90 * time.Minute), overLimit: true},
		{name: "500 no wait", op: opListProjects, err: &jira.Error{StatusCode: 500, Method: "GET"}, code: codes.Unavailable},
		{name: "502", op: opListProjects, err: &jira.Error{StatusCode: 502, Method: "GET"}, code: codes.Unavailable},
		{name: "501 is not retryable", op: opListProjects, err: &jira.Error{StatusCode: 501, Method: "GET"}, code: codes.Unimplemented},
		{name: "401", op: opListUsers,
			err:  &jira.Error{StatusCode: 401, Method: "GET", Hint: "use the URL https://api.atlassian.com/ex/jira/abc instead"},
			code: codes.Unauthenticated, contains: []string{"use the URL https://api.atlassian.com/ex/jira/abc"}},
		{name: "403 names the permission", op: opListUsers, err: &jira.Error{StatusCode: 403, Method: "GET"},
			code: codes.PermissionDenied, contains: []string{`"Browse users and groups"`}},
		{name: "403 roles", op: opListRoles, err: &jira.Error{StatusCode: 403, Method: "GET"},
			code: codes.PermissionDenied, contains: []string{`"Administer Jira"`}},
		{name: "404", op: opRoleActors, err: &jira.Error{StatusCode: 404, Method: "GET"}, code: codes.NotFound},
		{name: "400", op: opListProjects, err: &jira.Error{StatusCode: 400, Method: "GET"}, code: codes.InvalidArgument},
		{name: "408", op: opListProjects, err: &jira.Error{StatusCode: 408, Method: "GET"}, code: codes.DeadlineExceeded},
		{name: "409 on users/search", op: opListUsers, err: &jira.Error{StatusCode: 409, Method: "GET"}, code: codes.Unavailable},
		{name: "409 on a write", op: opListUsers, err: &jira.Error{StatusCode: 409, Method: "POST"}, code: codes.AlreadyExists},
		{name: "wrapped jira error", op: opListUsers,
			err:  fmt.Errorf("outer: %w", &jira.Error{StatusCode: 429, Method: "GET", RetryAfter: 2 * time.Second}),
			code: codes.Unavailable, resetAt: now.Add(2 * time.Second), overLimit: true},
		{name: "admin 429", op: opListOrgUsers,
			err:  &atlassian.Error{StatusCode: 429, Method: "POST", RetryAfter: 5 * time.Second},
			code: codes.Unavailable, resetAt: now.Add(5 * time.Second), overLimit: true},
		{name: "admin 403", op: opListOrgUsers, err: &atlassian.Error{StatusCode: 403, Method: "POST"},
			code: codes.PermissionDenied, contains: []string{"Admin API key"}},
		{name: "EOF", op: opListUsers, err: fmt.Errorf("jira: GET x: %w", io.ErrUnexpectedEOF), code: codes.Unavailable},
		{name: "connection reset", op: opListUsers, err: &net.OpError{Op: "read", Err: syscall.ECONNRESET}, code: codes.Unavailable},
		{name: "timeout", op: opListUsers, err: &url.Error{Op: "Get", URL: "https://x", Err: timeoutErr{}}, code: codes.Unavailable},
		{name: "unknown certificate authority is not retried", op: opListUsers,
			err:  &url.Error{Op: "Get", URL: "https://x", Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}},
			code: codes.FailedPrecondition, contains: []string{"certificate"}},
		{name: "wrong host name on the certificate is not retried", op: opListUsers,
			err:  &url.Error{Op: "Get", URL: "https://x", Err: x509.HostnameError{Host: "x", Certificate: &x509.Certificate{}}},
			code: codes.FailedPrecondition},
		{name: "unknown host is not retried", op: opListUsers,
			err:  &url.Error{Op: "Get", URL: "https://x", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}}},
			code: codes.FailedPrecondition, contains: []string{"no such host"}},
		{name: "DNS timeout is retried", op: opListUsers,
			err:  &url.Error{Op: "Get", URL: "https://x", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "timeout", Name: "x", IsTimeout: true}}},
			code: codes.Unavailable},
		{name: "truncated JSON", op: opListUsers,
			err: fmt.Errorf("jira: decoding response: %w", errors.New("unexpected end of JSON input")), code: codes.Unavailable},
		{name: "canceled", op: opListUsers, err: context.Canceled, code: codes.Canceled},
		{name: "deadline", op: opListUsers, err: fmt.Errorf("x: %w", context.DeadlineExceeded), code: codes.DeadlineExceeded},
		{name: "other", op: opListUsers, err: errors.New("jira: invalid cursor"), code: codes.Unknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := wrapErrAt(tc.op, tc.err, now)
			st, ok := status.FromError(err)
			if !ok {
				t.Fatalf("wrapErr(%v) = %v, not a status", tc.err, err)
			}
			if st.Code() != tc.code {
				t.Errorf("code = %v, want %v (%v)", st.Code(), tc.code, err)
			}
			wantPrefix := errPrefix + tc.op + ": "
			if !strings.HasPrefix(err.Error(), wantPrefix) {
				t.Errorf("message %q does not start with %q", err.Error(), wantPrefix)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not contain %q", err.Error(), s)
				}
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("errors.Is(wrapped, original) = false")
			}
			var rl *v2.RateLimitDescription
			for _, d := range st.Details() {
				if x, ok := d.(*v2.RateLimitDescription); ok {
					rl = x
				}
			}
			switch {
			case tc.resetAt.IsZero() && rl != nil:
				t.Errorf("unexpected RateLimitDescription %v", rl)
			case !tc.resetAt.IsZero() && rl == nil:
				t.Errorf("no RateLimitDescription, want ResetAt %v", tc.resetAt)
			case rl != nil:
				if got := rl.GetResetAt().AsTime(); !got.Equal(tc.resetAt) {
					t.Errorf("ResetAt = %v, want %v", got, tc.resetAt)
				}
				if rl.GetRemaining() != 0 {
					t.Errorf("Remaining = %d, want 0 (the SDK then waits until ResetAt)", rl.GetRemaining())
				}
				if over := rl.GetStatus() == v2.RateLimitDescription_STATUS_OVERLIMIT; over != tc.overLimit {
					t.Errorf("status = %v, want overlimit %v", rl.GetStatus(), tc.overLimit)
				}
			}
		})
	}
}

func TestWrapErrNilAndNested(t *testing.T) {
	t.Parallel()
	if err := wrapErr("x", nil); err != nil {
		t.Fatalf("wrapErr(nil) = %v", err)
	}
	inner := wrapErr(opGroupMembers, &jira.Error{StatusCode: 404, Method: "GET"})
	outer := wrapErr(opListGroups, inner)
	if got := strings.Count(outer.Error(), errPrefix); got != 1 {
		t.Errorf("prefix appears %d times in %q", got, outer.Error())
	}
	if status.Code(outer) != codes.NotFound {
		t.Errorf("code = %v, want NotFound", status.Code(outer))
	}
	if !errors.Is(outer, jira.ErrNotFound) {
		t.Error("errors.Is(outer, jira.ErrNotFound) = false")
	}
	// The SDK wraps connector errors with %w; the code and details must survive.
	sdk := fmt.Errorf("error: listing grants failed: %w", wrapErr(opListUsers, &jira.Error{StatusCode: 429, Method: "GET", RetryAfter: time.Minute}))
	st, _ := status.FromError(sdk)
	if st.Code() != codes.Unavailable || len(st.Details()) != 1 {
		t.Errorf("after SDK wrapping: code %v, %d details", st.Code(), len(st.Details()))
	}
}

func TestRateAnnotations(t *testing.T) {
	t.Parallel()
	if a := rateAnnotationsFrom(jira.Rate{Remaining: -1}); a != nil {
		t.Errorf("no headers: got %v, want nil", a)
	}
	reset := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
	a := rateAnnotationsFrom(jira.Rate{Limit: 350, Remaining: 12, Reset: reset})
	rl := &v2.RateLimitDescription{}
	ok, err := a.Pick(rl)
	if err != nil || !ok {
		t.Fatalf("Pick = %v, %v", ok, err)
	}
	if rl.GetLimit() != 350 || rl.GetRemaining() != 12 || !rl.GetResetAt().AsTime().Equal(reset) ||
		rl.GetStatus() != v2.RateLimitDescription_STATUS_OK {
		t.Errorf("got %v", rl)
	}

	var rt rateTracker
	rt.observe(&jira.Response{Rate: jira.Rate{Limit: 100, Remaining: 80}})
	rt.observe(&jira.Response{Rate: jira.Rate{Remaining: -1}})
	rt.observe(&jira.Response{Rate: jira.Rate{Limit: 100, Remaining: 5}})
	rt.observe(&jira.Response{Rate: jira.Rate{Limit: 100, Remaining: 50}})
	got := rt.annotations()
	rl = &v2.RateLimitDescription{}
	if ok, _ := got.Pick(rl); !ok || rl.GetRemaining() != 5 {
		t.Errorf("tracker kept %v, want the tightest (remaining 5)", rl)
	}
}

func TestSettle(t *testing.T) {
	t.Parallel()
	busy := wrapErr(opGroupMembers, &jira.Error{StatusCode: 429, Method: "GET", RetryAfter: time.Second})
	denied := wrapErr(opGroupMembers, &jira.Error{StatusCode: 403, Method: "GET"})
	tests := []struct {
		name       string
		errs       []error
		wantFailed []int
		wantCode   codes.Code
	}{
		{"all ok", []error{nil, nil}, nil, codes.OK},
		{"partial retryable", []error{nil, busy, nil, errSkipped}, []int{1, 3}, codes.OK},
		{"all retryable", []error{busy, busy}, nil, codes.Unavailable},
		{"fatal wins", []error{nil, busy, denied}, nil, codes.PermissionDenied},
		{"skipped only after a retryable", []error{errSkipped, busy}, nil, codes.Unavailable},
	}
	for _, tc := range tests {
		failed, err := settle(tc.errs)
		if status.Code(err) != tc.wantCode {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantCode)
		}
		if !slices.Equal(failed, tc.wantFailed) {
			t.Errorf("%s: failed = %v, want %v", tc.name, failed, tc.wantFailed)
		}
	}
}

func TestFanOutStopsOnFatal(t *testing.T) {
	t.Parallel()
	denied := wrapErr(opGroupMembers, &jira.Error{StatusCode: 403, Method: "GET"})
	var started atomic.Int32
	errs := fanOut(t.Context(), 1, 10, func(_ context.Context, i int) error {
		started.Add(1)
		if i == 2 {
			return denied
		}
		return nil
	})
	if n := started.Load(); n != 3 {
		t.Errorf("%d items started, want 3 (none after the fatal error)", n)
	}
	if !errors.Is(errs[9], errSkipped) || errs[1] != nil || !errors.Is(errs[2], jira.ErrForbidden) {
		t.Errorf("errs = %v", errs)
	}
}
