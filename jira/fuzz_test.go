package jira

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/batonkit/jiracloud/internal/apiclient"
)

// FuzzParseSite checks that ParseSite never panics, that whatever it accepts
// is https (or loopback when allowed) without a trailing slash, and that
// parsing an accepted BaseURL again yields the same Site.
func FuzzParseSite(f *testing.F) {
	for _, s := range []string{
		"https://acme.atlassian.net", "acme.atlassian.net", "https://acme.atlassian.net///", "HTTPS://ACME.ATLASSIAN.NET/jira/",
		"https://acme.atlassian.net:443", "https://acme.jira.com", "https://api.atlassian.com/ex/jira/" + testCloudID,
		"api.atlassian.com/ex/jira/" + coreUpperCloudID + "/", "http://acme.atlassian.net", "https://acme.example.com",
		"https://api.atlassian.com", "https://api.atlassian.com/ex/jira/nope", "https://u:p@acme.atlassian.net",
		"https://acme.atlassian.net?token=x", "https://acme.atlassian.net:8443", "http://127.0.0.1:8080",
		"http://localhost:1/ex/jira/" + testCloudID, "http://[::1]:80/", "ftp://127.0.0.1", "", " ", "://", "https://",
		"https://%41cme.atlassian.net", "https://acme.atlassian.net/%2e%2e/", "https://acme.atlassian.net\\@evil.com",
		"https://ACME.atlassian.net./", "http://127.0.0.1:8080/ex/jira/" + testCloudID + "/x",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, loopback bool) {
		site, err := ParseSite(raw, loopback)
		if err != nil {
			if site != (Site{}) {
				t.Errorf("ParseSite(%q) returned %+v with error %v", raw, site, err)
			}
			if !strings.Contains(err.Error(), "accepted forms") {
				t.Errorf("ParseSite(%q) error does not list the accepted forms: %v", raw, err)
			}
			return
		}
		u, perr := url.Parse(site.BaseURL)
		if perr != nil {
			t.Fatalf("ParseSite(%q) BaseURL %q does not parse: %v", raw, site.BaseURL, perr)
		}
		if u.Scheme != "https" && !(loopback && apiclient.IsLoopback(u.Hostname())) {
			t.Errorf("ParseSite(%q) accepted %q: neither https nor an allowed loopback", raw, site.BaseURL)
		}
		if strings.HasSuffix(site.BaseURL, "/") {
			t.Errorf("ParseSite(%q) BaseURL %q ends with a slash", raw, site.BaseURL)
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Errorf("ParseSite(%q) BaseURL %q carries user info, a query or a fragment", raw, site.BaseURL)
		}
		switch site.Kind {
		case SiteDirect:
			if site.CloudID != "" || site.Host == "" {
				t.Errorf("ParseSite(%q) direct site %+v", raw, site)
			}
		case SiteGateway:
			if !cloudIDRe.MatchString(string(site.CloudID)) || !strings.HasSuffix(site.BaseURL, "/ex/jira/"+string(site.CloudID)) {
				t.Errorf("ParseSite(%q) gateway site %+v", raw, site)
			}
		default:
			t.Errorf("ParseSite(%q) kind %v", raw, site.Kind)
		}
		again, err := ParseSite(site.BaseURL, loopback)
		if err != nil {
			t.Fatalf("ParseSite(%q) = %q, which does not parse again: %v", raw, site.BaseURL, err)
		}
		if again != site {
			t.Errorf("ParseSite(%q) = %+v, but its BaseURL parses as %+v", raw, site, again)
		}
	})
}

// FuzzDecodeErrorBody checks that decoding any error body never panics, keeps
// the body (and no more than it), bounds plain-text messages, and that a
// secret present only in the request URL never reaches Error().
func FuzzDecodeErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"errorMessages":["Field 'priority' is required"],"errors":{"summary":"required"}}`,
		`{"errors":{"count":3,"nested":{"a":[1,2]}}}`,
		`{"errorMessage":"The customer does not exist.","i18nErrorMessage":{"i18nKey":"k","parameters":[]}}`,
		`{"errors":[{"id":"1","status":"404","code":"ADMIN-404-8","title":"Not Found","detail":"User not found"}]}`,
		`{"code":429,"message":"Rate limit exceeded"}`,
		`<html><body>Bad gateway</body></html>`, `Service Unavailable`, ``, `null`, `[]`, `{"errors":null}`,
		`{"errorMessages":null,"errors":[null]}`, `{"message":42}`, "\xff\xfe\xfd", strings.Repeat("é", 400),
	} {
		f.Add([]byte(s))
	}
	const marker = "URLSECRETMARKER"
	rawURL := "https://user:" + marker + "@acme.atlassian.net/rest/api/3/users/search?token=" + marker + "#" + marker
	f.Fuzz(func(t *testing.T, body []byte) {
		if bytes.Contains(body, []byte(marker)) {
			return // the body itself may legitimately be echoed
		}
		e := &Error{StatusCode: 400, Method: "GET", URL: apiclient.RedactURL(rawURL)}
		e.DecodeErrorBody(body)
		if !bytes.Equal(e.Body, body) {
			t.Errorf("Body = %q, want the input", e.Body)
		}
		msg := e.Error()
		if strings.Contains(msg, marker) {
			t.Errorf("Error() contains the URL secret: %q", msg)
		}
		if want := "jira: GET https://acme.atlassian.net/rest/api/3/users/search: 400 Bad Request"; !strings.HasPrefix(msg, want) {
			t.Errorf("Error() = %q, want prefix %q", msg, want)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(body, &obj) != nil {
			// Plain text: one message, at most 512 bytes plus the ellipsis,
			// and never a split UTF-8 sequence that was whole in the input.
			if len(e.Messages) > 1 || len(e.FieldErrors) > 0 {
				t.Errorf("plain-text body gave %q, %v", e.Messages, e.FieldErrors)
			}
			m := strings.Join(e.Messages, "")
			if len(m) > 512+len("…") {
				t.Errorf("plain-text message is %d bytes", len(m))
			}
			if utf8.Valid(body) && !utf8.ValidString(m) {
				t.Errorf("truncation split a rune: %q", m)
			}
		}
		// Decoding is deterministic.
		e2 := &Error{StatusCode: 400, Method: "GET", URL: e.URL}
		e2.DecodeErrorBody(body)
		if e2.Error() != msg {
			t.Errorf("decoding twice differs: %q vs %q", e2.Error(), msg)
		}
	})
}

// FuzzParseRoleID checks that ParseRoleID (which reads the role URLs of
// GET /project/{id}/role) never panics, that an accepted URL ends in the
// positive ID it returns, and that credentials or a query in the URL never
// reach the error.
func FuzzParseRoleID(f *testing.F) {
	for _, s := range []string{
		"https://acme.atlassian.net/rest/api/3/project/10000/role/10002", "https://acme.atlassian.net/rest/api/3/project/10000/role/10002/",
		"/rest/api/3/project/1/role/7", "10002", "role/0", "role/-1", "role/+5", "role/9223372036854775808", "role/abc", "", " ",
		"https://u:p@acme.atlassian.net/role/x", "https://acme.atlassian.net/role/12?token=s3cret", "%zz", "https://[::1/role/1",
		"https://acme.atlassian.net/role/1%2F2", "https://acme.atlassian.net/role/1#frag",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := ParseRoleID(raw)
		if err == nil {
			if id <= 0 {
				t.Fatalf("ParseRoleID(%q) = %d without an error", raw, id)
			}
			u, perr := url.Parse(strings.TrimSpace(raw))
			if perr != nil || !strings.HasSuffix(strings.TrimRight(u.Path, "/"), strconv.FormatInt(int64(id), 10)) &&
				!strings.HasSuffix(strings.TrimRight(u.Path, "/"), "+"+strconv.FormatInt(int64(id), 10)) {
				t.Errorf("ParseRoleID(%q) = %d, which does not end its path", raw, id)
			}
			return
		}
		if id != 0 {
			t.Errorf("ParseRoleID(%q) = %d with error %v", raw, id, err)
		}
		// A URL around the input with credentials and a query: neither
		// reaches the error.
		if strings.Contains(raw, "s3cr3t") || strings.ContainsAny(raw, "@?#") {
			return
		}
		wrapped := "https://bob:s3cr3tPW@acme.atlassian.net/rest/api/3/project/1/role/" + raw + "?token=s3cr3tQ"
		if _, err := ParseRoleID(wrapped); err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseRoleID(%q) error leaks a secret: %v", wrapped, err)
		}
	})
}

// FuzzDecodeTenantInfo checks that decoding any /_edge/tenant_info body
// never panics and accepts only a UUID, lower-cased, that the body holds.
func FuzzDecodeTenantInfo(f *testing.F) {
	for _, s := range []string{
		`{"cloudId":"` + testCloudID + `"}`, `{"cloudId":"` + strings.ToUpper(testCloudID) + `"}`, `{"cloudId":""}`, `{}`, `null`, `[]`,
		`{"cloudId":123}`, `{"cloudId":"not-a-uuid"}`, `<html>login</html>`, ``, `{"cloudId":"` + testCloudID + `","x":1}`,
		`{"cloudId":"` + testCloudID + `\n"}`, `{"cloudid":"` + testCloudID + `"}`, `{"cloudId":"` + testCloudID + `"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		id, ok := decodeTenantInfo(body)
		if !ok {
			if id != "" {
				t.Errorf("decodeTenantInfo(%q) = %q, false", body, id)
			}
			return
		}
		if !cloudIDRe.MatchString(string(id)) || string(id) != strings.ToLower(string(id)) {
			t.Errorf("decodeTenantInfo(%q) = %q: not a lower-case UUID", body, id)
		}
		if !bytes.Contains(bytes.ToLower(body), []byte(id)) && !json.Valid(body) {
			t.Errorf("decodeTenantInfo(%q) = %q, which the body does not hold", body, id)
		}
	})
}
