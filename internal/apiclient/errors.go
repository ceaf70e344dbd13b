package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batonkit/jiracloud/internal/transport"
)

// maxPlainMessage bounds a plain-text error body kept as a message.
const maxPlainMessage = 512

// PlainMessage returns a non-JSON error body as one message: trimmed, ""
// for an empty or HTML body, and cut to 512 bytes (without splitting a
// UTF-8 sequence) with an ellipsis when longer.
func PlainMessage(body []byte) string {
	txt := strings.TrimSpace(string(body))
	if txt == "" || strings.HasPrefix(txt, "<") {
		return ""
	}
	if len(txt) > maxPlainMessage {
		cut := maxPlainMessage
		for cut > 0 && !utf8.RuneStart(txt[cut]) {
			cut-- // do not split a UTF-8 sequence
		}
		txt = txt[:cut] + "…"
	}
	return txt
}

// PlainContentType is a Content-Type without parameters, cut to 64 bytes.
func PlainContentType(ct string) string {
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.TrimSpace(ct)
	if len(ct) > 64 {
		ct = ct[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return '?'
		}
		return r
	}, ct)
}

// ReadErrorBody reads at most limit bytes of an error body with every
// secret replaced by REDACTED. It redacts before it truncates: it reads
// enough past limit to see a secret that straddles the limit whole, so no
// fragment of one survives the cut.
func ReadErrorBody(r io.Reader, limit int64, secrets ...string) []byte {
	extra := 0
	for _, s := range secrets {
		extra = max(extra, len(s))
	}
	data, more, _ := transport.ReadBounded(r, limit+int64(extra))
	data = RedactSecrets(data, secrets...)
	if more {
		// The read cut the body: a secret may start in its last bytes.
		// Redaction shortens what precedes it, which could move that
		// fragment under the limit; drop it.
		data = trimSecretStart(data, secrets)
	}
	if int64(len(data)) > limit {
		data = data[:limit]
	}
	return data
}

// trimSecretStart drops the longest tail of data that is the start of a
// secret.
func trimSecretStart(data []byte, secrets []string) []byte {
	cut := 0
	for _, s := range secrets {
		for n := min(len(s)-1, len(data)); n > cut; n-- {
			if bytes.HasSuffix(data, []byte(s[:n])) {
				cut = n
				break
			}
		}
	}
	return data[:len(data)-cut]
}

// maxDecodedMessage bounds one message decoded from a JSON error body.
const maxDecodedMessage = 1024

// CapMessage cuts a message decoded from an error body to 1 KiB (without
// splitting a UTF-8 sequence), with an ellipsis when it was longer, so a
// hostile or broken server cannot make error strings arbitrarily long.
func CapMessage(s string) string {
	if len(s) <= maxDecodedMessage {
		return s
	}
	cut := maxDecodedMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// RetryAfter is the wait a non-2xx answer asks for: the server's (from rt)
// on 429 or 503, else one second on a 429 that names none, else 0.
func RetryAfter(status int, rt transport.Rate, now time.Time) time.Duration {
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return 0
	}
	if w, ok := rt.ServerWait(now); ok {
		return w
	}
	if status == http.StatusTooManyRequests {
		return time.Second
	}
	return 0
}

// PauseReason names a client-side pause for an error's RateLimitReason.
func PauseReason(pe *transport.PausedError) string {
	if pe.Quota {
		return "client-side quota pause"
	}
	return "client-side pause"
}

// ServerWaitCap is maxServerWait, the cap on server waits a client was
// built with (an error's MaxServerWait), or transport.DefaultMaxServerWait
// when it is zero (an error built by hand).
func ServerWaitCap(maxServerWait time.Duration) time.Duration {
	if maxServerWait > 0 {
		return maxServerWait
	}
	return transport.DefaultMaxServerWait
}

// WriteWait appends the common tail of an error message: the wait asked
// for (with the rate-limit reason), whether it passed maxServerWait (the
// client's cap, see ServerWaitCap), and the attempt count, when they
// matter.
func WriteWait(b *strings.Builder, retryAfter time.Duration, reason string, attempts int, maxServerWait time.Duration) {
	if retryAfter > 0 {
		fmt.Fprintf(b, " (retry after %s", retryAfter)
		if reason != "" {
			b.WriteString(", " + reason)
		}
		b.WriteString(")")
		if limit := ServerWaitCap(maxServerWait); retryAfter > limit {
			fmt.Fprintf(b, "; the server asked for a wait longer than the %s the client honours, so it was not retried", limit)
		}
	}
	if attempts > 1 {
		fmt.Fprintf(b, " after %d attempts", attempts)
	}
}

// DefaultMaxResponseSize is the default bound on a 2xx response body.
const DefaultMaxResponseSize = 64 << 20

// ErrResponseTooLarge is wrapped by the error of a 2xx answer whose body is
// larger than the client's limit.
var ErrResponseTooLarge = errors.New("response body too large")

// ReadJSON reads the body of a 2xx answer to the request method full and
// decodes it into out. A nil out or a 204 discards (at most 64 KiB of) the
// body; an empty body leaves out unchanged. A body longer than limit bytes
// (DefaultMaxResponseSize when limit <= 0) is not decoded: the error wraps
// ErrResponseTooLarge and names optionName, the option that raises the
// limit. Errors start with pkg and name the request by its redacted URL.
func ReadJSON(pkg, method, full string, resp *http.Response, out any, limit int64, optionName string) error {
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	if limit <= 0 {
		limit = DefaultMaxResponseSize
	}
	if resp.ContentLength > limit {
		return fmt.Errorf("%s: %s %s: %w: the server announced %d bytes, more than the limit of %d (raise it with %s)",
			pkg, method, RedactURL(full), ErrResponseTooLarge, resp.ContentLength, limit, optionName)
	}
	data, more, err := transport.ReadBounded(resp.Body, limit)
	if err != nil {
		return fmt.Errorf("%s: %s %s: reading response: %w", pkg, method, RedactURL(full), err)
	}
	if more {
		return fmt.Errorf("%s: %s %s: %w: more than the limit of %d bytes (raise it with %s)",
			pkg, method, RedactURL(full), ErrResponseTooLarge, limit, optionName)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
			return fmt.Errorf("%s: %s %s: the server answered %d with %s, not JSON (a proxy, login or error page?): decoding response (%d bytes): %w",
				pkg, method, RedactURL(full), resp.StatusCode, PlainContentType(ct), len(data), err)
		}
		return fmt.Errorf("%s: %s %s: decoding response (%d bytes): %w", pkg, method, RedactURL(full), len(data), err)
	}
	return nil
}
