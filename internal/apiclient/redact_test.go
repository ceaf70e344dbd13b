package apiclient

import (
	"bytes"
	"testing"
)

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://acme.atlassian.net/rest/api/3/myself?token=x", "https://acme.atlassian.net/rest/api/3/myself"},
		{"https://u:p@acme.atlassian.net/a#frag", "https://acme.atlassian.net/a"},
		{"http://127.0.0.1:8080/ex/jira/0b5c1d2e-0000-4000-8000-000000000001/rest/api/3/user?accountId=1",
			"http://127.0.0.1:8080/ex/jira/0b5c1d2e-0000-4000-8000-000000000001/rest/api/3/user"},
		{"https://api.atlassian.com/admin/v1/orgs?cursor=abc", "https://api.atlassian.com/admin/v1/orgs"},
		{"http://[::1", "<invalid URL>"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactRaw(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://acme.atlassian.net", "https://acme.atlassian.net"},
		{"https://acme.atlassian.net/path?token=x#frag", "https://acme.atlassian.net/path"},
		{"https://api.atlassian.com/admin?token=x#frag", "https://api.atlassian.com/admin"},
		{"https://u:p@acme.atlassian.net/", "https://REDACTED@acme.atlassian.net/"},
		{"https://u:p@ss@acme.atlassian.net", "https://REDACTED@acme.atlassian.net"},
		{"u:p@acme.atlassian.net", "REDACTED@acme.atlassian.net"},
		{"u:p/ss@acme.atlassian.net", "REDACTED@acme.atlassian.net"},
		{"https://u:pa?ss@acme.atlassian.net/x?q=1", "https://REDACTED@acme.atlassian.net/x"},
		{"https://u:pa#ss@api.atlassian.com", "https://REDACTED@api.atlassian.com"},
		{"https://acme.atlassian.net/?email=a@b.c", "https://REDACTED@b.c"}, // over-redacted, never leaked
	}
	for _, tt := range tests {
		if got := RedactRaw(tt.in); got != tt.want {
			t.Errorf("RedactRaw(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.255.0.9": true, "::1": true,
		"10.0.0.1": false, "0.0.0.0": false, "acme.atlassian.net": false, "localhost.evil.com": false, "": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestRedactSecrets(t *testing.T) {
	t.Parallel()
	body := []byte(`{"echo":"Bearer tok-1 and tok-1, key k2"}`)
	got := RedactSecrets(body, "", "tok-1", "k2", "absent")
	if want := `{"echo":"Bearer REDACTED and REDACTED, key REDACTED"}`; string(got) != want {
		t.Errorf("RedactSecrets = %s, want %s", got, want)
	}
	if got := RedactSecrets([]byte("plain"), ""); !bytes.Equal(got, []byte("plain")) {
		t.Errorf("an empty secret changed the body: %s", got)
	}
}
