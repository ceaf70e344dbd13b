package jira

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ServerInfo describes the Jira site, from GET /serverInfo.
type ServerInfo struct {
	// BaseURL is the site's base URL, e.g. "https://acme.atlassian.net".
	BaseURL string `json:"baseUrl"`
	// Version is the Jira version, e.g. "1001.0.0-SNAPSHOT".
	Version string `json:"version"`
	// VersionNumbers are the major, minor and patch numbers of Version.
	VersionNumbers []int `json:"versionNumbers,omitempty"`
	// DeploymentType is "Cloud" for Jira Cloud.
	DeploymentType string `json:"deploymentType"`
	// BuildNumber is the build number.
	BuildNumber int64 `json:"buildNumber"`
	// BuildDate is when the build was made; zero if absent or unparsable.
	BuildDate time.Time `json:"buildDate"`
	// ServerTime is the server's clock at the time of the call; zero if
	// absent or unparsable.
	ServerTime time.Time `json:"serverTime"`
	// SCMInfo is the source revision of the build.
	SCMInfo string `json:"scmInfo,omitempty"`
	// ServerTitle is the site's title.
	ServerTitle string `json:"serverTitle,omitempty"`
	// DisplayURL is the URL users see the site under (a custom domain, if
	// any), else "".
	DisplayURL string `json:"displayUrl,omitempty"`
	// DisplayURLServicedeskHelpCenter is the help center URL of Jira Service
	// Management, if it has its own, else "".
	DisplayURLServicedeskHelpCenter string `json:"displayUrlServicedeskHelpCenter,omitempty"`
}

// UnmarshalJSON decodes a ServerInfo, accepting Jira's time format
// ("2020-03-26T22:20:59.000+0000") as well as RFC 3339 for BuildDate and
// ServerTime. A time that parses in neither is left zero.
func (si *ServerInfo) UnmarshalJSON(data []byte) error {
	type plain ServerInfo
	var raw struct {
		plain
		BuildDate  string `json:"buildDate"`
		ServerTime string `json:"serverTime"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*si = ServerInfo(raw.plain)
	si.BuildDate = parseServerInfoTime(raw.BuildDate)
	si.ServerTime = parseServerInfoTime(raw.ServerTime)
	return nil
}

func parseServerInfoTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// Host returns the lower-cased host (with the port, if any) of BaseURL, e.g.
// "acme.atlassian.net", or "" when BaseURL is empty or not a URL.
func (si ServerInfo) Host() string {
	u, err := url.Parse(strings.TrimSpace(si.BaseURL))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// Myself returns the user the client authenticates as. expand may name
// [UserExpandGroups] and [UserExpandApplicationRoles].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get
//
//	GET /rest/api/3/myself
func (c *Client) Myself(ctx context.Context, expand ...string) (*User, *Response, error) {
	q := url.Values{}
	setExpand(q, expand)
	u := new(User)
	resp, err := c.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/myself"), query: q}, u)
	if err != nil {
		return nil, resp, err
	}
	return u, resp, nil
}

// ServerInfo returns information about the site: base URL, version,
// deployment type and server time. Anonymous access is allowed, but the
// client always sends its credentials.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-server-info/#api-rest-api-3-serverinfo-get
//
//	GET /rest/api/3/serverInfo
func (c *Client) ServerInfo(ctx context.Context) (*ServerInfo, *Response, error) {
	si := new(ServerInfo)
	resp, err := c.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/serverInfo")}, si)
	if err != nil {
		return nil, resp, err
	}
	return si, resp, nil
}
