package apiclient

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/batonkit/jiracloud/internal/transport"
)

func TestPlainMessage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 511) + "é" + "tail" // é straddles byte 512
	tests := []struct{ in, want string }{
		{"", ""},
		{"  \n", ""},
		{"<html><body>Bad gateway</body></html>", ""},
		{"  Service unavailable \n", "Service unavailable"},
		{strings.Repeat("x", 512), strings.Repeat("x", 512)},
		{strings.Repeat("x", 600), strings.Repeat("x", 512) + "…"},
		{long, strings.Repeat("a", 511) + "…"},
	}
	for _, tt := range tests {
		if got := PlainMessage([]byte(tt.in)); got != tt.want {
			t.Errorf("PlainMessage(%.20q…) = %.40q…, want %.40q…", tt.in, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	withWait := transport.ParseRate(http.Header{"Retry-After": {"7"}}, now)
	none := transport.Rate{}
	tests := []struct {
		status int
		rt     transport.Rate
		want   time.Duration
	}{
		{http.StatusTooManyRequests, withWait, 7 * time.Second},
		{http.StatusServiceUnavailable, withWait, 7 * time.Second},
		{http.StatusTooManyRequests, none, time.Second},
		{http.StatusServiceUnavailable, none, 0},
		{http.StatusInternalServerError, withWait, 0},
		{http.StatusNotFound, none, 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.status, tt.rt, now); got != tt.want {
			t.Errorf("RetryAfter(%d, %+v) = %v, want %v", tt.status, tt.rt, got, tt.want)
		}
	}
}

func TestPauseReasonAndWriteWait(t *testing.T) {
	t.Parallel()
	if got := PauseReason(&transport.PausedError{}); got != "client-side pause" {
		t.Errorf("endpoint pause reason = %q", got)
	}
	if got := PauseReason(&transport.PausedError{Quota: true}); got != "client-side quota pause" {
		t.Errorf("quota pause reason = %q", got)
	}
	const tooLong = "; the server asked for a wait longer than the %s the client honours, so it was not retried"
	tests := []struct {
		wait     time.Duration
		reason   string
		attempts int
		cap      time.Duration
		want     string
	}{
		{0, "ignored without a wait", 1, 0, ""},
		{2 * time.Second, "", 0, 0, " (retry after 2s)"},
		{2 * time.Second, "jira-quota-global-based", 3, 0, " (retry after 2s, jira-quota-global-based) after 3 attempts"},
		{0, "", 2, 0, " after 2 attempts"},
		{2 * time.Hour, "", 1, 0, " (retry after 2h0m0s)" + fmt.Sprintf(tooLong, "1h0m0s")},
		// The client's configured cap, not the default, is named and applied.
		{30 * time.Minute, "", 1, 10 * time.Minute, " (retry after 30m0s)" + fmt.Sprintf(tooLong, "10m0s")},
		{90 * time.Minute, "", 1, 2 * time.Hour, " (retry after 1h30m0s)"},
		{3 * time.Hour, "", 1, 2 * time.Hour, " (retry after 3h0m0s)" + fmt.Sprintf(tooLong, "2h0m0s")},
	}
	for _, tt := range tests {
		var b strings.Builder
		WriteWait(&b, tt.wait, tt.reason, tt.attempts, tt.cap)
		if b.String() != tt.want {
			t.Errorf("WriteWait(%v, %q, %d, %v) = %q, want %q", tt.wait, tt.reason, tt.attempts, tt.cap, b.String(), tt.want)
		}
	}
}

func TestReadJSON(t *testing.T) {
	t.Parallel()
	resp := func(status int, body io.Reader) *http.Response {
		return &http.Response{StatusCode: status, Body: io.NopCloser(body)}
	}
	var out struct{ A int }
	if err := ReadJSON("pkg", "GET", "https://h/p", resp(200, strings.NewReader(`{"A":3}`)), &out, 0, "WithX"); err != nil || out.A != 3 {
		t.Fatalf("decode: out %+v, err %v", out, err)
	}
	if err := ReadJSON("pkg", "GET", "https://h/p", resp(200, strings.NewReader("  \n")), &out, 0, "WithX"); err != nil || out.A != 3 {
		t.Errorf("empty body: out %+v, err %v (out must stay unchanged)", out, err)
	}
	if err := ReadJSON("pkg", "DELETE", "https://h/p", resp(204, strings.NewReader("ignored")), &out, 0, "WithX"); err != nil {
		t.Errorf("204: %v", err)
	}
	if err := ReadJSON("pkg", "POST", "https://h/p", resp(200, strings.NewReader("not json")), nil, 0, "WithX"); err != nil {
		t.Errorf("nil out: %v", err)
	}
	err := ReadJSON("pkg", "GET", "https://h/p?token=secret", resp(200, strings.NewReader("{bad")), &out, 0, "WithX")
	if err == nil || !strings.HasPrefix(err.Error(), "pkg: GET https://h/p: decoding response (4 bytes): ") || strings.Contains(err.Error(), "secret") {
		t.Errorf("bad JSON error = %v", err)
	}
	boom := errors.New("boom")
	err = ReadJSON("pkg", "GET", "https://h/p", resp(200, iotest.ErrReader(boom)), &out, 0, "WithX")
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "pkg: GET https://h/p: reading response: ") {
		t.Errorf("read error = %v", err)
	}
}

// countingReader serves n bytes of 'a' and counts what was read.
type countingReader struct{ left, read int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > r.left {
		n = r.left
	}
	for i := range p[:n] {
		p[i] = 'a'
	}
	r.left -= n
	r.read += n
	return int(n), nil
}

// TestReadJSONCapsBody: a 2xx body past the limit is neither read whole
// nor decoded; the error names the option that raises the limit.
func TestReadJSONCapsBody(t *testing.T) {
	t.Parallel()
	var out any
	body := &countingReader{left: 8 << 20}
	err := ReadJSON("pkg", "GET", "https://h/p", &http.Response{StatusCode: 200, ContentLength: -1, Body: io.NopCloser(body)}, &out, 1<<20, "WithMaxResponseSize")
	if !errors.Is(err, ErrResponseTooLarge) || !strings.Contains(err.Error(), "WithMaxResponseSize") {
		t.Errorf("err = %v, want ErrResponseTooLarge naming the option", err)
	}
	if body.read > 1<<20+64<<10+1 {
		t.Errorf("read %d bytes of an 8 MiB body with a 1 MiB limit", body.read)
	}
	// A Content-Length past the limit is refused before reading anything.
	body = &countingReader{left: 8 << 20}
	err = ReadJSON("pkg", "GET", "https://h/p", &http.Response{StatusCode: 200, ContentLength: 8 << 20, Body: io.NopCloser(body)}, &out, 1<<20, "WithMaxResponseSize")
	if !errors.Is(err, ErrResponseTooLarge) || body.read != 0 {
		t.Errorf("announced 8 MiB: err %v, read %d", err, body.read)
	}
	// At the limit exactly, the body decodes.
	exact := `"` + strings.Repeat("x", 98) + `"`
	if err := ReadJSON("pkg", "GET", "https://h/p", &http.Response{StatusCode: 200, ContentLength: -1, Body: io.NopCloser(strings.NewReader(exact))}, &out, 100, "W"); err != nil {
		t.Errorf("body of exactly the limit: %v", err)
	}
}

// TestReadErrorBodyRedactsBeforeTruncating puts a secret across the cut:
// no fragment of it may survive.
func TestReadErrorBodyRedactsBeforeTruncating(t *testing.T) {
	t.Parallel()
	secret := "s3cr3t-T0KEN-abcdefghijklmnop"
	for cut := 1; cut < len(secret); cut++ {
		body := strings.Repeat("x", 100-cut) + secret + " tail"
		got := string(ReadErrorBody(strings.NewReader(body), 100, secret))
		if len(got) > 100 {
			t.Fatalf("cut %d: %d bytes, limit 100", cut, len(got))
		}
		for n := 6; n <= cut; n++ {
			if strings.Contains(got, secret[:n]) {
				t.Fatalf("cut %d: body %q keeps the secret's first %d bytes", cut, got, n)
			}
		}
	}
	if got := string(ReadErrorBody(strings.NewReader("a "+secret+" b"), 100, secret)); got != "a REDACTED b" {
		t.Errorf("short body = %q", got)
	}
}

func TestCapMessage(t *testing.T) {
	t.Parallel()
	if got := CapMessage("short"); got != "short" {
		t.Errorf("CapMessage(short) = %q", got)
	}
	long := strings.Repeat("é", 1000)
	got := CapMessage(long)
	if len(got) > 1024+len("…") || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("CapMessage(2000 bytes) = %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}

// TestReadJSONNamesAWrongContentType: an HTML page answered with 200 (a
// proxy or login page) fails with an error that says so.
func TestReadJSONNamesAWrongContentType(t *testing.T) {
	t.Parallel()
	var out struct{ A int }
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body: io.NopCloser(strings.NewReader("<html><body>Log in</body></html>"))}
	err := ReadJSON("pkg", "GET", "https://h/p", resp, &out, 0, "W")
	if err == nil || !strings.Contains(err.Error(), "text/html, not JSON") {
		t.Errorf("err = %v", err)
	}
	// Valid JSON under a wrong content type is accepted.
	resp = &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: io.NopCloser(strings.NewReader(`{"A":1}`))}
	if err := ReadJSON("pkg", "GET", "https://h/p", resp, &out, 0, "W"); err != nil || out.A != 1 {
		t.Errorf("JSON as text/plain: %v, %+v", err, out)
	}
}
