package transport

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// Transient reports whether err, a failure to send a request or to read its
// answer, may go away when the request is sent again: a timeout, a
// connection refused, reset, aborted or closed, an answer cut short (EOF in
// the middle of a body, truncated JSON), a temporary DNS failure, or any
// other failed HTTP round trip (*url.Error) that [Permanent] does not rule
// out. It is the one classifier of network errors: the transport retries
// idempotent requests on it, and the connector maps it to Unavailable.
// Context errors are the caller's to check first.
func Transient(err error) bool {
	if err == nil || Permanent(err) {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) {
		return true
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	if de, ok := errors.AsType[*net.DNSError](err); ok {
		return de.IsTemporary || de.IsTimeout
	}
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true // http.Client wraps every failed round trip in one
	}
	// A 2xx answer cut short decodes as truncated JSON.
	if se, ok := errors.AsType[*json.SyntaxError](err); ok && strings.Contains(se.Error(), "unexpected end") {
		return true
	}
	return strings.Contains(err.Error(), "unexpected end of JSON input")
}

// Permanent reports whether err, a failure to get any HTTP answer, cannot be
// cured by sending the request again: a certificate that does not verify, a
// host that does not exist, an unsupported scheme, a redirect loop or a
// refused redirect, or an invalid header. Connection resets, refusals,
// timeouts and the like are not permanent.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		return true
	}
	if de, ok := errors.AsType[*net.DNSError](err); ok && de.IsNotFound {
		return true
	}
	if _, ok := errors.AsType[*RedirectError](err); ok {
		return true
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		// net/http gives these no type of their own.
		msg := ue.Error()
		if strings.Contains(msg, "stopped after") || strings.Contains(msg, "unsupported protocol scheme") ||
			strings.Contains(msg, "invalid header") {
			return true
		}
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return true
	}
	_, ok := errors.AsType[x509.HostnameError](err)
	return ok
}
