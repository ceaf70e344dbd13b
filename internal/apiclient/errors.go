package apiclient

import (
	"bytes"
	"encoding/json"
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

// WriteWait appends the common tail of an error message: the wait asked
// for (with the rate-limit reason) and the attempt count, when they matter.
func WriteWait(b *strings.Builder, retryAfter time.Duration, reason string, attempts int) {
	if retryAfter > 0 {
		fmt.Fprintf(b, " (retry after %s", retryAfter)
		if reason != "" {
			b.WriteString(", " + reason)
		}
		b.WriteString(")")
	}
	if attempts > 1 {
		fmt.Fprintf(b, " after %d attempts", attempts)
	}
}

// ReadJSON reads the body of a 2xx answer to the request method full and
// decodes it into out. A nil out or a 204 discards (at most 64 KiB of) the
// body; an empty body leaves out unchanged. Errors start with pkg and name
// the request by its redacted URL.
func ReadJSON(pkg, method, full string, resp *http.Response, out any) error {
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: %s %s: reading response: %w", pkg, method, RedactURL(full), err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: %s %s: decoding response (%d bytes): %w", pkg, method, RedactURL(full), len(data), err)
	}
	return nil
}
