package apiclient

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadJSON: any 2xx body decodes or fails cleanly; a body over the
// limit always fails with ErrResponseTooLarge and is never decoded.
func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,2,3]`, ``, `   `, `{"a":`, `<html>`, `null`, `"x"`, strings.Repeat("[", 200)} {
		f.Add([]byte(s), int64(16), "application/json")
	}
	f.Fuzz(func(t *testing.T, body []byte, limit int64, ct string) {
		limit = limit%4096 + 1
		if limit <= 0 {
			limit = -limit + 1
		}
		var out any
		resp := &http.Response{StatusCode: 200, ContentLength: -1, Header: http.Header{"Content-Type": {ct}},
			Body: io.NopCloser(bytes.NewReader(body))}
		err := ReadJSON("pkg", "GET", "https://h/p?x=secret", resp, &out, limit, "W")
		if int64(len(body)) > limit && !errors.Is(err, ErrResponseTooLarge) {
			t.Fatalf("%d-byte body with limit %d: err %v", len(body), limit, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Fatalf("error leaks the query: %v", err)
		}
	})
}

// FuzzReadErrorBody: whatever the body, no copy of the secret survives and
// the result fits the limit.
func FuzzReadErrorBody(f *testing.F) {
	f.Add([]byte("xx tok-SECRET-123 yy"), "tok-SECRET-123", int64(10))
	f.Add([]byte("tok-SECRET-123tok-SECRET-123"), "tok-SECRET-123", int64(20))
	f.Add([]byte(""), "s", int64(1))
	f.Add([]byte("ACTEDzzzzzzzz"), "ACTEDzzzz", int64(100)) // redaction forms a new occurrence
	f.Fuzz(func(t *testing.T, body []byte, secret string, limit int64) {
		if secret == "" {
			return
		}
		limit = limit%4096 + 1
		if limit <= 0 {
			limit = -limit + 1
		}
		got := ReadErrorBody(bytes.NewReader(body), limit, secret)
		if int64(len(got)) > limit {
			t.Fatalf("%d bytes, limit %d", len(got), limit)
		}
		if bytes.Contains(got, []byte(secret)) {
			t.Fatalf("secret survived: %q", got)
		}
		// No fragment of the secret from beyond the limit moves into the
		// result: a body made of one secret after redacted ones shows none.
		if len(secret) >= 8 && !strings.Contains("REDACTED", secret[:4]) && !strings.Contains(secret, "x") {
			pre := bytes.Repeat([]byte(secret), 3)
			body := append(append(pre, bytes.Repeat([]byte("x"), int(limit))...), secret...)
			got := ReadErrorBody(bytes.NewReader(body), limit+int64(len(secret))/2, secret)
			if bytes.Contains(got, []byte(secret[:4])) {
				t.Fatalf("fragment %q survived in %q", secret[:4], got)
			}
		}
	})
}

// FuzzMessages: plain and decoded messages stay bounded and valid UTF-8
// when the input is.
func FuzzMessages(f *testing.F) {
	for _, s := range []string{"", "ok", "<html>", strings.Repeat("é", 900), strings.Repeat("x", 2000), "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := PlainMessage([]byte(s))
		if len(p) > maxPlainMessage+len("…") {
			t.Fatalf("PlainMessage: %d bytes", len(p))
		}
		c := CapMessage(s)
		if len(c) > maxDecodedMessage+len("…") {
			t.Fatalf("CapMessage: %d bytes", len(c))
		}
		if utf8.ValidString(s) && (!utf8.ValidString(p) || !utf8.ValidString(c)) {
			t.Fatalf("valid input made invalid UTF-8")
		}
		if ct := PlainContentType(s); len(ct) > 64 {
			t.Fatalf("PlainContentType: %d bytes", len(ct))
		}
	})
}
