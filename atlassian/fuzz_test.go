package atlassian

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeErrorBody checks that any error body decodes without panicking,
// that the message of a plain-text body stays bounded and valid UTF-8, and
// that Error() never carries the API key once newError has scrubbed it.
func FuzzDecodeErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"errors":[{"id":"1","status":"404","code":"ADMIN-404-8","title":"User not found","detail":"No user"}]}`,
		`{"code":429,"message":"Rate limit exceeded"}`, `{"code":"429","message":"x"}`, `{"errors":{"a":"b"}}`,
		`{"errors":[1,2]}`, `{"message":null}`, `{"error":"invalid_token","error_description":"expired"}`,
		`<html>502</html>`, `plain text`, strings.Repeat("é", 600), ``, `null`, `[]`, `{`, `{"errors":null,"code":{}}`,
		`Unauthorized: Bearer ` + testKey,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := &Error{StatusCode: 400, Method: "GET", URL: "https://api.atlassian.com/admin/v1/orgs"}
		e.DecodeErrorBody(body)
		_ = e.Error()
		_ = e.HasCode("ADMIN-404-8")
		if len(e.Errors) == 0 && e.Code == "" && e.Message != "" && !strings.HasPrefix(strings.TrimSpace(string(body)), "{") {
			if len(e.Message) > 512+len("…") {
				t.Errorf("plain-text message is %d bytes, want at most 512 plus an ellipsis", len(e.Message))
			}
			if utf8.Valid(body) && !utf8.ValidString(e.Message) {
				t.Errorf("message %q is not valid UTF-8", e.Message)
			}
		}
		scrubbed := []byte(strings.ReplaceAll(string(body), testKey, "REDACTED"))
		s := &Error{StatusCode: 401}
		s.DecodeErrorBody(scrubbed)
		if strings.Contains(s.Error(), testKey) {
			t.Errorf("Error() of a scrubbed body carries the key: %q", s.Error())
		}
	})
}

// FuzzParseSiteRef checks that any site reference parses without panicking,
// that what it accepts is either a lower-case host or a canonical cloud ID,
// and that an error never echoes a password given in a URL's user info.
func FuzzParseSiteRef(f *testing.F) {
	for _, s := range []string{
		"https://acme.atlassian.net", "ACME.atlassian.net/", "https://api.atlassian.com/ex/jira/" + testCloud,
		"HTTPS://API.ATLASSIAN.COM/EX/JIRA/" + strings.ToUpper(testCloud) + "/", testCloud,
		"ari:cloud:jira-software::site/" + testCloud, "https://api.atlassian.com", "https://u:hunter2@acme.atlassian.net",
		"https://u:hun?ter2@acme.atlassian.net", "", " ", "://", "http://[::1", "acme.atlassian.net.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ref, err := parseSiteRef(raw)
		if err != nil {
			// A password in the user info (before the last "@") must not
			// be echoed, unless it also stands after the "@".
			if i := strings.LastIndex(raw, "@"); i >= 0 && strings.Contains(raw[:i], "hunter2") &&
				!strings.Contains(raw[i+1:], "hunter2") && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("parseSiteRef(%q) error echoes the password: %v", raw, err)
			}
			return
		}
		switch {
		case ref.cloudID != "":
			if ref.host != "" || !uuidRe.MatchString(string(ref.cloudID)) || strings.ToLower(string(ref.cloudID)) != string(ref.cloudID) {
				t.Errorf("parseSiteRef(%q) = %+v: want one lower-case cloud ID", raw, ref)
			}
		case ref.host != "":
			if ref.host != strings.ToLower(ref.host) || strings.HasSuffix(ref.host, ".") || strings.ContainsAny(ref.host, "/?#@") {
				t.Errorf("parseSiteRef(%q) host %q is not a normalised host", raw, ref.host)
			}
		default:
			t.Errorf("parseSiteRef(%q) accepted an empty reference", raw)
		}
	})
}

// FuzzNextCursor checks that links.next parses without panicking, that a
// bare cursor (not a URL) is returned unchanged apart from surrounding
// space, and that an error never echoes a URL's query string.
func FuzzNextCursor(f *testing.F) {
	for _, s := range []string{
		"", "kloHX1ZQVasDAkx_P48NYQ", "/3dhc2Q+Zm9vPQ==", "https://api.atlassian.com/admin/v1/orgs/o1/users?cursor=MDNl",
		"/admin/v1/orgs/o1/users?cursor=cmVs", "https://api.atlassian.com/x?page=2&token=SECRET", "http://%zz", " c ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		c, err := nextCursor(next)
		if err != nil {
			if u, perr := url.Parse(strings.TrimSpace(next)); perr == nil && strings.Contains(u.RawQuery, "SECRET") &&
				!strings.Contains(u.Host+u.Path, "SECRET") && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("nextCursor(%q) error echoes the query: %v", next, err)
			}
			return
		}
		trimmed := strings.TrimSpace(next)
		isURL := strings.HasPrefix(trimmed, "http://") || strings.HasPrefix(trimmed, "https://") ||
			(strings.HasPrefix(trimmed, "/") && strings.Contains(trimmed, "cursor="))
		if !isURL && c != trimmed {
			t.Errorf("nextCursor(%q) = %q, want the bare cursor unchanged", next, c)
		}
		if trimmed != "" && c == "" {
			t.Errorf("nextCursor(%q) ended the listing without an error", next)
		}
	})
}
