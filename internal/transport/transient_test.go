package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"
)

func TestTransient(t *testing.T) {
	t.Parallel()
	get := func(err error) error { return &url.Error{Op: "Get", URL: "https://acme.atlassian.net/x", Err: err} }
	var truncated *json.SyntaxError
	if err := json.Unmarshal([]byte(`{"values":[`), new(any)); !errors.As(err, &truncated) {
		t.Fatalf("truncated JSON gave %T, want *json.SyntaxError", err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection reset", get(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), true},
		{"bare connection reset", syscall.ECONNRESET, true},
		{"connection refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), true},
		{"EOF mid-body", fmt.Errorf("jira: decoding: %w", io.ErrUnexpectedEOF), true},
		{"EOF", io.EOF, true},
		{"closed connection", net.ErrClosed, true},
		{"attempt timeout", get(context.DeadlineExceeded), true},
		{"DNS timeout", &net.DNSError{Err: "timeout", IsTimeout: true}, true},
		{"DNS temporary", &net.DNSError{Err: "server misbehaving", IsTemporary: true}, true},
		{"DNS other", &net.DNSError{Err: "odd"}, false},
		{"truncated JSON", fmt.Errorf("jira: %w", truncated), true},
		{"truncated JSON text", errors.New("unexpected end of JSON input"), true},
		{"any other round-trip failure", get(errors.New("http2: server sent GOAWAY")), true},
		{"no such host", get(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}), false},
		{"certificate", get(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), false},
		{"refused redirect", get(&RedirectError{From: "https://a", To: "http://a", Reason: "r"}), false},
		{"redirect loop", get(errors.New("stopped after 10 redirects")), false},
		{"cancelled", context.Canceled, false},
		{"bad JSON", &json.SyntaxError{}, false},
		{"plain error", errors.New("jira: project not found"), false},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("%s: Transient(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
		if tc.want && Permanent(tc.err) {
			t.Errorf("%s: both Transient and Permanent", tc.name)
		}
	}
}
