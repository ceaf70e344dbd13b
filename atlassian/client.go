package atlassian

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/batonkit/jiracloud/internal/apiclient"
	"github.com/batonkit/jiracloud/internal/transport"
)

// Version is the client version sent in the User-Agent header.
const Version = apiclient.Version

// DefaultBaseURL is the Atlassian Admin API base. The user management API
// (https://api.atlassian.com/users/{accountId}/manage/…) lives at the same
// host without the trailing /admin.
const DefaultBaseURL = "https://api.atlassian.com/admin"

// Client is an Atlassian Admin API client (organizations, workspaces,
// directories, users, groups, domains) plus the user management API for
// managed accounts. Build it with [NewClient]; it is immutable afterwards
// and safe for concurrent use.
type Client struct {
	base      string // e.g. https://api.atlassian.com/admin (no trailing slash)
	root      string // base without the trailing /admin
	key       secret
	tr        *transport.Transport
	userAgent string
	maxBody   int64 // bound on a 2xx body

	common service

	// Orgs lists and reads organizations.
	Orgs *OrgsService
	// Workspaces lists an organization's product workspaces and finds its Jira site.
	Workspaces *WorkspacesService
	// Directories lists directories and the users in them, and suspends,
	// restores or removes a user's access (v2).
	Directories *DirectoriesService
	// Groups searches groups, lists their members and changes membership.
	Groups *GroupsService
	// Users covers managed accounts (v1), last-active dates and the v1
	// access lifecycle.
	Users *UsersService
	// Accounts is the user management API: profiles and deactivation of
	// managed accounts.
	Accounts *AccountsService
	// Domains lists an organization's domains.
	Domains *DomainsService
}

type service struct{ client *Client }

// secret holds the API key behind a closure, so that no fmt verb can print
// it: not %v or %+v on the client, and not the reflection fmt falls back to
// on a copied struct or a wrong verb, which ignores String methods.
type secret func() string

// Response is the response of one call: the HTTP response (body already read
// and closed), NextCursor for page methods ("" after the last page), the
// parsed rate-limit headers (Rate), the attempt count (Attempts) and the
// request ID (Atl-Traceid, else X-Request-Id). Total is always -1: no Admin
// API page reports a total. It is the same type as jira.Response, which
// documents every field.
type Response = apiclient.Response

// Option configures a [Client]. Options validate their input; NewClient
// returns the first error.
type Option func(*clientConfig) error

type clientConfig struct {
	tr            apiclient.TransportOptions
	baseURL       string
	allowLoopback bool
	userAgent     string
}

// WithBaseURL overrides the Admin API base (default [DefaultBaseURL]), for
// tests against a fake such as jira/jiratest. The URL must end in /admin;
// the user management API is addressed at the same URL without it. Only
// https://api.atlassian.com/admin or, with [WithLoopback], an http(s)
// loopback URL is accepted, so the API key is never sent elsewhere.
func WithBaseURL(raw string) Option {
	return func(c *clientConfig) error {
		if strings.TrimSpace(raw) == "" {
			return errors.New("atlassian: WithBaseURL needs a URL")
		}
		c.baseURL = raw
		return nil
	}
}

// WithLoopback allows an http(s) base URL on a loopback address (127.0.0.0/8,
// ::1, localhost), for tests.
func WithLoopback() Option {
	return func(c *clientConfig) error { c.allowLoopback = true; return nil }
}

// WithTransport shares an existing [Transport] (and so its limiter and
// counters) with this client, typically the one of the Jira client of the
// same site. Other transport options are then ignored.
func WithTransport(t *Transport) Option {
	return func(c *clientConfig) error { return c.tr.SetTransport("atlassian", t) }
}

// WithHTTPClient uses hc's Transport and Timeout for the underlying requests.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *clientConfig) error { return c.tr.SetHTTPClient("atlassian", hc) }
}

// WithRateLimiter paces requests with l, shared with other clients.
func WithRateLimiter(l *Limiter) Option {
	return func(c *clientConfig) error { return c.tr.SetRateLimiter("atlassian", l) }
}

// WithRateLimits sets the client-side limits. The Admin API publishes no
// numbers; the default is jira.DefaultRateLimits, and 429 answers slow the
// endpoint down further.
func WithRateLimits(l RateLimits) Option {
	return func(c *clientConfig) error { return c.tr.SetRateLimits("atlassian", l) }
}

// WithRetryPolicy sets the retry policy (default jira.DefaultRetryPolicy).
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *clientConfig) error { return c.tr.SetRetryPolicy("atlassian", p) }
}

// WithTimeout bounds each attempt (ctx deadlines still apply to the whole call).
func WithTimeout(d time.Duration) Option {
	return func(c *clientConfig) error { return c.tr.SetTimeout("atlassian", d) }
}

// WithLogger sends debug records of retries and waits to l. Records never
// contain headers, bodies, the API key or query strings. Default: silent.
func WithLogger(l *slog.Logger) Option {
	return func(c *clientConfig) error { c.tr.SetLogger(l); return nil }
}

// WithObserver calls f for every attempt, 429 answer and retry as it
// happens; see jira.WithObserver. Ignored with [WithTransport].
func WithObserver(f func(Event)) Option {
	return func(c *clientConfig) error { c.tr.SetObserver(f); return nil }
}

// WithClock injects the time source of the limiter and backoff (tests).
func WithClock(clk Clock) Option {
	return func(c *clientConfig) error { c.tr.SetClock(clk); return nil }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *clientConfig) error { c.userAgent = ua; return nil }
}

// WithMaxResponseSize bounds the body of a successful answer (default 64
// MiB). A longer body is not decoded: the call fails with an error that
// matches jira.ErrResponseTooLarge.
func WithMaxResponseSize(n int64) Option {
	return func(c *clientConfig) error { return c.tr.SetMaxResponseSize("atlassian", n) }
}

// NewClient returns an Admin API client authenticated with an organization
// API key (Authorization: Bearer). Create the key in Atlassian
// Administration under Settings → API keys. The user management API
// ([AccountsService]) refuses keys created with scopes; use a key without
// scopes if you need it. The key is kept only in memory and never appears in
// an error, a log record or the output of fmt.
func NewClient(apiKey string, opts ...Option) (*Client, error) {
	cfg := clientConfig{}
	if err := apiclient.ApplyOptions(&cfg, opts); err != nil {
		return nil, err
	}
	if strings.TrimSpace(apiKey) == "" {
		return nil, errors.New("atlassian: NewClient needs an organization API key")
	}
	if strings.ContainsFunc(apiKey, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("atlassian: the API key contains spaces or control characters; copy it again")
	}
	base, root, err := parseBaseURL(cfg.baseURL, cfg.allowLoopback)
	if err != nil {
		return nil, err
	}
	tr := cfg.tr.Transport(apiclient.NewTransport)
	ua := apiclient.UserAgent(cfg.userAgent, Version)
	c := &Client{base: base, root: root, key: func() string { return apiKey }, tr: tr, userAgent: ua, maxBody: cfg.tr.MaxResponseSize()}
	c.common.client = c
	c.Orgs = (*OrgsService)(&c.common)
	c.Workspaces = (*WorkspacesService)(&c.common)
	c.Directories = (*DirectoriesService)(&c.common)
	c.Groups = (*GroupsService)(&c.common)
	c.Users = (*UsersService)(&c.common)
	c.Accounts = (*AccountsService)(&c.common)
	c.Domains = (*DomainsService)(&c.common)
	return c, nil
}

// parseBaseURL validates the Admin base URL and derives the user management
// root from it by trimming the trailing /admin.
func parseBaseURL(raw string, allowLoopback bool) (base, root string, err error) {
	if raw == "" {
		return DefaultBaseURL, strings.TrimSuffix(DefaultBaseURL, "/admin"), nil
	}
	const want = "atlassian: the base URL must be https://api.atlassian.com/admin (or, with WithLoopback, a loopback http(s) URL ending in /admin)"
	u, perr := url.Parse(strings.TrimSpace(raw))
	if perr != nil || u.Host == "" {
		return "", "", fmt.Errorf("%s; cannot parse %q", want, apiclient.RedactRaw(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("%s; it must not carry credentials, a query or a fragment", want)
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	switch {
	case allowLoopback && apiclient.IsLoopback(host):
		if scheme != "http" && scheme != "https" {
			return "", "", fmt.Errorf("%s; got scheme %q", want, scheme)
		}
	case scheme == "https" && host == "api.atlassian.com" && (u.Port() == "" || u.Port() == "443"):
	default:
		return "", "", fmt.Errorf("%s; got %s://%s", want, scheme, u.Host)
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	if !strings.HasSuffix(path, "/admin") {
		return "", "", fmt.Errorf("%s; got path %q", want, path)
	}
	prefix := scheme + "://" + strings.ToLower(u.Host)
	return prefix + path, prefix + strings.TrimSuffix(path, "/admin"), nil
}

// BaseURL returns the Admin API base, e.g. https://api.atlassian.com/admin.
func (c *Client) BaseURL() string { return c.base }

// origin is the scheme and host of the base URL.
func (c *Client) origin() string {
	u, _ := url.Parse(c.base)
	return u.Scheme + "://" + u.Host
}

// UserManagementURL returns the user management API root, e.g.
// https://api.atlassian.com (the base URL without /admin).
func (c *Client) UserManagementURL() string { return c.root }

// Transport returns the client's transport, to share with other clients.
func (c *Client) Transport() *Transport { return c.tr }

// Stats returns the transport's counters (shared with every client that
// uses the same transport).
func (c *Client) Stats() Stats { return c.tr.Stats() }

// String describes the client without its key.
func (c *Client) String() string { return "atlassian.Client(" + c.base + ")" }

// GoString describes the client without its key.
func (c *Client) GoString() string { return c.String() }

// request describes one API call.
type request struct {
	method string
	path   apiPath // relative to the Admin base, e.g. "/v1/orgs"
	root   bool    // path is relative to the user management root instead
	query  url.Values
	body   any
}

// Do sends a request to the Admin API and decodes a 2xx JSON answer into out
// (which may be nil). path is relative to the base URL, e.g. "/v1/orgs". It
// is the escape hatch for endpoints without a typed method; non-2xx answers
// return an [*Error]. The request is paced, counted and observed under its
// path as the route ("/admin" + path, without a query string), since the
// client cannot know which segments are identifiers.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) (*Response, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("atlassian: path %q must start with /", apiclient.RedactRaw(path))
	}
	route := path
	if u, err := url.Parse(path); err == nil {
		route = u.Path
	} else if i := strings.IndexAny(route, "?#"); i >= 0 {
		route = route[:i]
	}
	return c.do(ctx, request{method: method, path: apiPath{path: path, route: route}, query: query, body: body}, out)
}

func (c *Client) do(ctx context.Context, r request, out any) (*Response, error) {
	full := c.base + r.path.path
	route := "/admin" + r.path.route
	if r.root {
		full = c.root + r.path.path
		route = r.path.route
	}
	if len(r.query) > 0 {
		full += "?" + r.query.Encode()
	}
	if fu, err := url.Parse(full); err != nil || fu.User != nil || !strings.EqualFold(fu.Scheme+"://"+fu.Host, c.origin()) {
		return nil, fmt.Errorf("atlassian: request URL %s does not address %s; refusing to send the API key there", apiclient.RedactRaw(full), c.root)
	}
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", c.userAgent)
	var body []byte
	if r.body != nil {
		var err error
		body, err = json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("atlassian: encoding %s %s body: %w", r.method, r.path.path, err)
		}
		h.Set("Content-Type", "application/json")
	}
	h.Set("Authorization", "Bearer "+c.key())
	httpResp, res, err := c.tr.Do(ctx, transport.Request{Method: r.method, URL: full, Header: h, Body: body, Route: route})
	if pe, ok := errors.AsType[*transport.PausedError](err); ok {
		return nil, pausedError(r.method, full, pe, c.tr.MaxServerWait())
	}
	if err != nil {
		return nil, fmt.Errorf("atlassian: %s %s: %w", r.method, apiclient.RedactURL(full), c.scrubErr(err))
	}
	defer httpResp.Body.Close()
	resp := apiclient.NewResponse(httpResp, res.Attempts, requestID(httpResp.Header), transport.ParseRate(httpResp.Header, c.tr.Clock().Now()))
	if httpResp.StatusCode/100 != 2 {
		data := apiclient.ReadErrorBody(httpResp.Body, maxErrorBody, c.key())
		return resp, c.newError(r.method, full, httpResp, res, data)
	}
	return resp, apiclient.ReadJSON("atlassian", r.method, full, httpResp, out, c.maxBody, "atlassian.WithMaxResponseSize")
}

// scrubErr makes sure a transport error cannot carry the key (it never
// should: the key only travels in a header).
func (c *Client) scrubErr(err error) error {
	if key := c.key(); strings.Contains(err.Error(), key) {
		return errors.New(strings.ReplaceAll(err.Error(), key, "REDACTED"))
	}
	return err
}

func requestID(h http.Header) string {
	if v := h.Get("Atl-Traceid"); v != "" {
		return v
	}
	return h.Get("X-Request-Id")
}

// apiPath is a request path plus its route: the endpoint template (IDs
// replaced by "{}"), which keys the limiter's buckets, the counters,
// observer events and metrics.
type apiPath struct {
	path  string // e.g. "/v1/orgs/0b5c…/users"
	route string // e.g. "/v1/orgs/{}/users"
}

// pathBuilder assembles an API path from literal segments and escaped,
// validated identifiers.
type pathBuilder struct {
	b, route strings.Builder
	err      error
}

func newPath(lit string) *pathBuilder {
	p := &pathBuilder{}
	p.b.WriteString(lit)
	p.route.WriteString(lit)
	return p
}

// lit appends literal segments ("users/search").
func (p *pathBuilder) lit(s string) *pathBuilder {
	p.b.WriteString("/" + s)
	p.route.WriteString("/" + s)
	return p
}

// id appends one identifier segment; what names it in the error when empty.
func (p *pathBuilder) id(what, v string) *pathBuilder {
	if p.err == nil {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			p.err = fmt.Errorf("atlassian: %s is empty", what)
		case v == "." || v == "..":
			p.err = fmt.Errorf("atlassian: invalid %s %q", what, v)
		}
	}
	p.b.WriteString("/" + url.PathEscape(v))
	p.route.WriteString("/{}")
	return p
}

func (p *pathBuilder) build() (apiPath, error) {
	return apiPath{path: p.b.String(), route: p.route.String()}, p.err
}
