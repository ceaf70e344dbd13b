package jira

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const coreUpperCloudID = "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"

func TestParseSiteAccepted(t *testing.T) {
	t.Parallel()
	direct := Site{Kind: SiteDirect, BaseURL: "https://acme.atlassian.net", Host: "acme.atlassian.net"}
	gateway := Site{Kind: SiteGateway, BaseURL: "https://api.atlassian.com/ex/jira/" + testCloudID, CloudID: testCloudID}
	tests := []struct {
		name     string
		raw      string
		loopback bool
		want     Site
	}{
		{"canonical", "https://acme.atlassian.net", false, direct},
		{"no scheme", "acme.atlassian.net", false, direct},
		{"trailing slash", "https://acme.atlassian.net/", false, direct},
		{"trailing slashes", "https://acme.atlassian.net///", false, direct},
		{"no scheme trailing slash", "acme.atlassian.net/", false, direct},
		{"surrounding space", "  https://acme.atlassian.net \n", false, direct},
		{"uppercase", "HTTPS://ACME.Atlassian.NET/", false, direct},
		{"jira path", "https://acme.atlassian.net/jira", false, direct},
		{"jira path slash", "https://acme.atlassian.net/jira/", false, direct},
		{"your work page", "https://acme.atlassian.net/jira/your-work", false, direct},
		{"secure path", "acme.atlassian.net/secure", false, direct},
		{"port 443", "https://acme.atlassian.net:443", false, direct},
		{"hyphen and digits", "https://acme-sandbox-2.atlassian.net",
			false, Site{Kind: SiteDirect, BaseURL: "https://acme-sandbox-2.atlassian.net", Host: "acme-sandbox-2.atlassian.net"}},
		{"jira.com", "https://legacy.jira.com", false, Site{Kind: SiteDirect, BaseURL: "https://legacy.jira.com", Host: "legacy.jira.com"}},
		{"gateway", "https://api.atlassian.com/ex/jira/" + testCloudID, false, gateway},
		{"gateway trailing slash", "https://api.atlassian.com/ex/jira/" + testCloudID + "/", false, gateway},
		{"gateway uppercase cloud id", "https://api.atlassian.com/ex/jira/" + coreUpperCloudID, false, gateway},
		{"gateway uppercase host", "HTTPS://API.ATLASSIAN.COM/ex/jira/" + testCloudID, false, gateway},
		{"gateway no scheme", "api.atlassian.com/ex/jira/" + testCloudID, false, gateway},
		{"loopback ip", "http://127.0.0.1:8080", true,
			Site{Kind: SiteDirect, BaseURL: "http://127.0.0.1:8080", Host: "127.0.0.1:8080"}},
		{"loopback localhost https slash", "https://LocalHost:9443/", true,
			Site{Kind: SiteDirect, BaseURL: "https://localhost:9443", Host: "localhost:9443"}},
		{"loopback ipv6", "http://[::1]:8080", true,
			Site{Kind: SiteDirect, BaseURL: "http://[::1]:8080", Host: "[::1]:8080"}},
		{"loopback 127/8", "http://127.1.2.3:80", true,
			Site{Kind: SiteDirect, BaseURL: "http://127.1.2.3:80", Host: "127.1.2.3:80"}},
		{"loopback gateway", "http://127.0.0.1:8080/ex/jira/" + coreUpperCloudID + "/", true,
			Site{Kind: SiteGateway, BaseURL: "http://127.0.0.1:8080/ex/jira/" + testCloudID, CloudID: testCloudID}},
		{"real site with loopback allowed", "acme.atlassian.net", true, direct},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSite(tt.raw, tt.loopback)
			if err != nil {
				t.Fatalf("ParseSite(%q): %v", tt.raw, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseSite(%q) mismatch (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}

func TestParseSiteRefused(t *testing.T) {
	t.Parallel()
	const password = "hunter2-Pa55"
	tests := []struct {
		name     string
		raw      string
		loopback bool
		mention  string // a substring the message must contain
	}{
		{"empty", "", false, "empty"},
		{"blank", "   ", false, "empty"},
		{"http real host", "http://acme.atlassian.net", false, "https"},
		{"ftp", "ftp://acme.atlassian.net", false, "https"},
		{"other domain", "https://acme.example.com", false, "acme.example.com"},
		{"lookalike domain", "https://acme.atlassian.net.evil.com", false, "not an Atlassian Cloud URL"},
		{"site in path", "https://evil.com/acme.atlassian.net", false, "evil.com"},
		{"bare atlassian.net", "https://atlassian.net", false, "not an Atlassian Cloud URL"},
		{"nested subdomain", "https://a.b.atlassian.net", false, "not a Jira Cloud site"},
		{"reserved label", "https://api.atlassian.net", false, "not a Jira Cloud site"},
		{"admin label", "https://admin.atlassian.net", false, "not a Jira Cloud site"},
		{"odd label", "https://ac'me.atlassian.net", false, ""},
		{"unexpected path", "https://acme.atlassian.net/wiki/spaces", false, "unexpected path"},
		{"gateway form on a site", "https://acme.atlassian.net/ex/jira/" + testCloudID, false, "unexpected path"},
		{"gateway without path", "https://api.atlassian.com", false, "not a Jira gateway URL"},
		{"gateway other product", "https://api.atlassian.com/ex/confluence/" + testCloudID, false, "not a Jira gateway URL"},
		{"gateway bad cloud id", "https://api.atlassian.com/ex/jira/not-a-cloud-id", false, "not a Jira gateway URL"},
		{"gateway short cloud id", "https://api.atlassian.com/ex/jira/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4", false, "not a Jira gateway URL"},
		{"gateway extra path", "https://api.atlassian.com/ex/jira/" + testCloudID + "/rest/api/3", false, "not a Jira gateway URL"},
		{"gateway over http", "http://api.atlassian.com/ex/jira/" + testCloudID, false, "https"},
		{"user info", "https://admin:" + password + "@acme.atlassian.net", false, "credentials"},
		{"user only", "https://admin@acme.atlassian.net", false, "credentials"},
		{"query string", "https://acme.atlassian.net/?token=" + password, false, "query"},
		{"fragment", "https://acme.atlassian.net/#/" + password, false, "fragment"},
		{"port", "https://acme.atlassian.net:8443", false, "port"},
		{"gateway port", "https://api.atlassian.com:8443/ex/jira/" + testCloudID, false, "port"},
		{"loopback without option", "http://127.0.0.1:8080", false, "https"},
		{"localhost https without option", "https://localhost/", false, "not an Atlassian Cloud URL"},
		{"localhost with port without option", "https://localhost:8443", false, "port"},
		{"loopback bad scheme", "ftp://127.0.0.1:21", true, "scheme"},
		{"loopback bad path", "http://127.0.0.1:8080/rest/api/3", true, "unexpected path"},
		{"non-loopback http with option", "http://10.0.0.1:8080", true, "https"},
		{"unparsable", "https://acme.atlassian.net:port/", false, "cannot parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSite(tt.raw, tt.loopback)
			if err == nil {
				t.Fatalf("ParseSite(%q) = %+v, want an error", tt.raw, got)
			}
			msg := err.Error()
			for _, form := range []string{"https://<site>.atlassian.net", "https://api.atlassian.com/ex/jira/<cloudId>"} {
				if !strings.Contains(msg, form) {
					t.Errorf("error %q does not list the accepted form %s", msg, form)
				}
			}
			if tt.mention != "" && !strings.Contains(msg, tt.mention) {
				t.Errorf("error %q does not mention %q", msg, tt.mention)
			}
			if strings.Contains(msg, password) {
				t.Errorf("error %q echoes the secret", msg)
			}
			if got != (Site{}) {
				t.Errorf("refused site returned %+v", got)
			}
		})
	}
}

func TestParseSiteUnparsableUserInfoNotEchoed(t *testing.T) {
	t.Parallel()
	// url.Parse fails on these, so the message falls back to the raw text,
	// which must still hide everything before the host.
	for _, raw := range []string{
		"https://me:p@ss%zzword@acme.atlassian.net",
		"https://me:pa/ss%zzword@acme.atlassian.net",
		"me:p@ss%zzword@acme.atlassian.net",
		"https://acme.atlassian.net:bad/?token=ss%zzword",
		"https://me:pa?ss%zzword@acme.atlassian.net",
		"https://me:pa#ss%zzword@acme.atlassian.net",
	} {
		_, err := ParseSite(raw, false)
		if err == nil {
			t.Errorf("ParseSite(%q) succeeded", raw)
			continue
		}
		if strings.Contains(err.Error(), "ss%zzword") {
			t.Errorf("ParseSite(%q) error echoes the secret: %v", raw, err)
		}
	}
}
