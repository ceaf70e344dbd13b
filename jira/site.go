package jira

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/batonkit/jiracloud/internal/apiclient"
)

// SiteKind tells how a client addresses Jira.
type SiteKind int

const (
	// SiteDirect is a site URL such as https://acme.atlassian.net.
	SiteDirect SiteKind = iota + 1
	// SiteGateway is the API gateway form https://api.atlassian.com/ex/jira/<cloudId>,
	// required for scoped API tokens, service accounts and OAuth 2.0.
	SiteGateway
)

// DefaultGatewayURL is the Atlassian API gateway.
const DefaultGatewayURL = "https://api.atlassian.com"

var cloudIDRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// siteLabelRe is the <site> of <site>.atlassian.net: a DNS label.
var siteLabelRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

const acceptedForms = "accepted forms: https://<site>.atlassian.net (scheme and trailing slash optional) " +
	"or https://api.atlassian.com/ex/jira/<cloudId>"

// Site is a normalised Jira Cloud address.
type Site struct {
	// Kind is SiteDirect or SiteGateway.
	Kind SiteKind
	// BaseURL has no trailing slash: "https://acme.atlassian.net" or
	// "https://api.atlassian.com/ex/jira/<cloudId>".
	BaseURL string
	// Host is the site host for SiteDirect ("acme.atlassian.net"), or "".
	Host string
	// CloudID is set for SiteGateway.
	CloudID CloudID
}

// ParseSite normalises a Jira Cloud URL. It accepts https://<site>.atlassian.net
// (also without scheme, with trailing slashes or a stray "/jira" path, in any
// case) and the gateway form https://api.atlassian.com/ex/jira/<cloudId>.
// Loopback http(s) URLs (127.0.0.0/8, ::1, localhost), optionally with an
// /ex/jira/<cloudId> path, are accepted only when allowLoopback is true (for
// tests against a fake site). Anything else is an error listing the accepted forms.
func ParseSite(raw string, allowLoopback bool) (Site, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Site{}, fmt.Errorf("jira: site URL is empty; %s", acceptedForms)
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return Site{}, fmt.Errorf("jira: cannot parse site URL %q; %s", apiclient.RedactRaw(raw), acceptedForms)
	}
	if u.User != nil {
		return Site{}, fmt.Errorf("jira: site URL must not contain credentials; %s", acceptedForms)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Site{}, fmt.Errorf("jira: site URL %q must not have a query or fragment; %s", apiclient.RedactRaw(u.Host+u.Path), acceptedForms)
	}
	host := strings.ToLower(u.Hostname())
	path := strings.TrimRight(u.EscapedPath(), "/")
	scheme := strings.ToLower(u.Scheme)
	if allowLoopback && apiclient.IsLoopback(host) {
		if scheme != "http" && scheme != "https" {
			return Site{}, fmt.Errorf("jira: unsupported scheme %q; %s", scheme, acceptedForms)
		}
		base := scheme + "://" + strings.ToLower(u.Host)
		if id, ok := gatewayPath(path); ok {
			return Site{Kind: SiteGateway, BaseURL: base + "/ex/jira/" + id, CloudID: CloudID(id)}, nil
		}
		if path != "" {
			return Site{}, fmt.Errorf("jira: unexpected path %q in loopback site URL; %s", path, acceptedForms)
		}
		return Site{Kind: SiteDirect, BaseURL: base, Host: strings.ToLower(u.Host)}, nil
	}
	if scheme != "https" {
		return Site{}, fmt.Errorf("jira: site URL must use https, got %q; %s", scheme+"://"+host, acceptedForms)
	}
	if u.Port() != "" && u.Port() != "443" {
		return Site{}, fmt.Errorf("jira: site URL must not name a port; %s", acceptedForms)
	}
	switch {
	case host == "api.atlassian.com":
		id, ok := gatewayPath(path)
		if !ok {
			return Site{}, fmt.Errorf("jira: %q is not a Jira gateway URL (want https://api.atlassian.com/ex/jira/<cloudId>); %s",
				host+path, acceptedForms)
		}
		return Site{Kind: SiteGateway, BaseURL: "https://api.atlassian.com/ex/jira/" + id, CloudID: CloudID(id)}, nil
	case strings.HasSuffix(host, ".atlassian.net") || strings.HasSuffix(host, ".jira.com"):
		label := strings.TrimSuffix(strings.TrimSuffix(host, ".atlassian.net"), ".jira.com")
		if !siteLabelRe.MatchString(label) || label == "api" || label == "admin" || label == "id" {
			return Site{}, fmt.Errorf("jira: %q is not a Jira Cloud site; %s", host, acceptedForms)
		}
		switch path {
		case "", "/jira", "/secure", "/jira/your-work":
		default:
			return Site{}, fmt.Errorf("jira: unexpected path %q in site URL (give only the site, e.g. https://%s); %s", path, host, acceptedForms)
		}
		return Site{Kind: SiteDirect, BaseURL: "https://" + host, Host: host}, nil
	}
	return Site{}, fmt.Errorf("jira: %q is not an Atlassian Cloud URL; %s", host, acceptedForms)
}

func gatewayPath(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/ex/jira/")
	if !ok {
		return "", false
	}
	rest = strings.Trim(rest, "/")
	if !cloudIDRe.MatchString(rest) {
		return "", false
	}
	return strings.ToLower(rest), true
}
