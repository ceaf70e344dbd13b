package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
)

func TestPermanent(t *testing.T) {
	t.Parallel()
	get := func(err error) error { return &url.Error{Op: "Get", URL: "https://acme.atlassian.net/x", Err: err} }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"unknown authority", get(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), true},
		{"bare unknown authority", get(x509.UnknownAuthorityError{}), true},
		{"expired certificate", get(x509.CertificateInvalidError{Reason: x509.Expired}), true},
		{"host name mismatch", get(x509.HostnameError{Host: "x", Certificate: &x509.Certificate{}}), true},
		{"no such host", get(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}), true},
		{"redirect loop", get(errors.New("stopped after 10 redirects")), true},
		{"DNS timeout", get(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "timeout", IsTimeout: true}}), false},
		{"connection reset", get(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), false},
		{"connection refused", get(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), false},
		{"wrapped reset", fmt.Errorf("jira: %w", get(syscall.ECONNRESET)), false},
		{"nil", nil, false},
	} {
		if got := Permanent(tc.err); got != tc.want {
			t.Errorf("%s: Permanent = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestDefaultRoundTripperTimeouts: the default round tripper bounds the
// wait for response headers (issue 11, finding 8), and redirects that
// leave the origin are permanent failures (finding 2).
func TestDefaultRoundTripperTimeouts(t *testing.T) {
	tr := New(Config{})
	rc := tr.retryClient(&reqState{})
	prt, ok := rc.HTTPClient.Transport.(*pacedRoundTripper)
	if !ok {
		t.Fatalf("transport %T", rc.HTTPClient.Transport)
	}
	ht, ok := prt.base.(*http.Transport)
	if !ok || ht.ResponseHeaderTimeout != DefaultResponseHeaderTimeout {
		t.Errorf("base %T: ResponseHeaderTimeout not the default", prt.base)
	}
	if rc.HTTPClient.CheckRedirect == nil {
		t.Error("no redirect policy")
	}
	if !Permanent(&url.Error{Op: "Get", URL: "https://a", Err: &RedirectError{From: "https://a", To: "http://a", Reason: "r"}}) {
		t.Error("a refused redirect is retried")
	}
}
