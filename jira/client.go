package jira

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// apiPrefix is the Jira platform REST API v3 path prefix.
const apiPrefix = "/rest/api/3"

// ServiceAccountDomain is the email domain of Atlassian service accounts.
const ServiceAccountDomain = "@serviceaccount.atlassian.com"

// Client is a Jira Cloud REST v3 client. Build it with [NewClient]; it is
// immutable afterwards and safe for concurrent use. API areas hang off it as
// services: c.Users, c.Groups, c.Projects, c.Roles, c.Permissions,
// c.ApplicationRoles, c.Issues, c.Audit, c.ServiceDesk.
type Client struct {
	site      Site
	gateway   string
	auth      authenticator
	tr        *transport.Transport
	userAgent string
	maxBody   int64 // bound on a 2xx body
	walk      walkLimits

	// resolveSem and hintSem are one-slot semaphores: mutexes whose
	// waiters give up when their context ends, because the holder may be
	// waiting on the network.
	resolveSem chan struct{}
	resolved   string // base URL after service-account resolution
	hintSem    chan struct{}
	hintDone   bool
	hint       string

	common service

	// Users lists, finds, invites and removes users.
	Users *UsersService
	// Groups lists groups and their members and changes membership.
	Groups *GroupsService
	// Projects searches and reads projects.
	Projects *ProjectsService
	// Roles reads project roles and changes their actors.
	Roles *RolesService
	// Permissions reads permission schemes and permission holders.
	Permissions *PermissionsService
	// ApplicationRoles reads products (application roles), their groups and seats.
	ApplicationRoles *ApplicationRolesService
	// Issues creates, reads, edits and transitions issues, and reads create metadata.
	Issues *IssuesService
	// Audit reads audit records.
	Audit *AuditService
	// ServiceDesk lists Jira Service Management service desks, their
	// customers and customer organizations.
	ServiceDesk *ServiceDeskService
}

type service struct{ client *Client }

// UsersService is the users API. See https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/
type UsersService service

// GroupsService is the groups API. See https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/
type GroupsService service

// ProjectsService is the projects API. See https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/
type ProjectsService service

// RolesService is the project roles and role actors API. See
// https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-roles/
type RolesService service

// PermissionsService covers permission schemes and permission searches. See
// https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permission-schemes/
type PermissionsService service

// ApplicationRolesService is the application roles (products) API. See
// https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-application-roles/
type ApplicationRolesService service

// ServiceDeskService is the part of the Jira Service Management API that
// lists service desks, their customers and customer organizations. See
// https://developer.atlassian.com/cloud/jira/service-desk/rest/intro/
type ServiceDeskService service

// IssuesService covers issues, transitions, create metadata, fields and
// statuses. See https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/
type IssuesService service

// AuditService reads audit records. See
// https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-audit-records/
type AuditService service

// Option configures a [Client]. Options validate their input; NewClient
// returns the first error.
type Option func(*clientConfig) error

type clientConfig struct {
	auth          authenticator
	tr            apiclient.TransportOptions
	allowLoopback bool
	gateway       string
	userAgent     string
	walk          walkLimits
}

// walkLimits bound one pagination walk (see [WithPaginationLimits]).
type walkLimits struct{ pages, items int }

// Default pagination bounds: far above any Jira Cloud site (at most 150,000
// users), low enough that a server paging forever ends in an error.
const (
	DefaultMaxPages = apiclient.DefaultMaxPages
	DefaultMaxItems = apiclient.DefaultMaxItems
)

func (w walkLimits) orDefault() walkLimits {
	if w.pages <= 0 {
		w.pages = DefaultMaxPages
	}
	if w.items <= 0 {
		w.items = DefaultMaxItems
	}
	return w
}

// WithMaxResponseSize bounds the body of a successful answer (default 64
// MiB). A longer body is not decoded: the call fails with an error that
// matches [ErrResponseTooLarge].
func WithMaxResponseSize(n int64) Option {
	return func(c *clientConfig) error { return c.tr.SetMaxResponseSize("jira", n) }
}

// WithPaginationLimits bounds one pagination walk: an iterator stops with
// an error after maxPages pages, and an offset-paged listing refuses a page
// that starts past maxItems items (defaults [DefaultMaxPages] and
// [DefaultMaxItems]; 0 keeps a default). It protects against a server that
// returns fresh pages forever.
func WithPaginationLimits(maxPages, maxItems int) Option {
	return func(c *clientConfig) error {
		if maxPages < 0 || maxItems < 0 {
			return errors.New("jira: WithPaginationLimits needs non-negative limits")
		}
		c.walk = walkLimits{pages: maxPages, items: maxItems}
		return nil
	}
}

// WithBasicAuth authenticates with an Atlassian account email and API token
// (classic or scoped). A service account (email ending in
// @serviceaccount.atlassian.com) given a site URL is switched to the gateway
// URL automatically: its cloud ID is read from /_edge/tenant_info on first use.
func WithBasicAuth(email, apiToken string) Option {
	email = strings.TrimSpace(email) // once, here: the Option may be reused concurrently
	return func(c *clientConfig) error {
		if email == "" || !strings.Contains(email, "@") {
			return errors.New("jira: WithBasicAuth needs the account's email address")
		}
		if strings.TrimSpace(apiToken) == "" {
			return errors.New("jira: WithBasicAuth needs an API token")
		}
		c.auth = basicAuth{email: email, token: newSecret(apiToken)}
		return nil
	}
}

// WithBearerToken authenticates with an OAuth 2.0 access token (3LO or
// service-account client credentials). Such tokens only work on the gateway
// URL https://api.atlassian.com/ex/jira/<cloudId>.
func WithBearerToken(token string) Option {
	return func(c *clientConfig) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("jira: WithBearerToken needs a token")
		}
		c.auth = bearerAuth{source: func(context.Context) (string, error) { return token, nil }}
		return nil
	}
}

// WithTokenSource authenticates with OAuth 2.0 access tokens from src, called
// before each request (it should cache and refresh tokens itself).
func WithTokenSource(src func(ctx context.Context) (string, error)) Option {
	return func(c *clientConfig) error {
		if src == nil {
			return errors.New("jira: WithTokenSource needs a function")
		}
		c.auth = bearerAuth{source: src}
		return nil
	}
}

// WithTransport shares an existing [Transport] (and so its limiter and
// counters) with this client. Other transport options are then ignored.
func WithTransport(t *Transport) Option {
	return func(c *clientConfig) error { return c.tr.SetTransport("jira", t) }
}

// WithHTTPClient uses hc's Transport and Timeout for the underlying requests.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *clientConfig) error { return c.tr.SetHTTPClient("jira", hc) }
}

// WithRateLimiter shares l between clients of one site.
func WithRateLimiter(l *Limiter) Option {
	return func(c *clientConfig) error { return c.tr.SetRateLimiter("jira", l) }
}

// WithRateLimits sets the client-side limits (default [DefaultRateLimits]).
func WithRateLimits(l RateLimits) Option {
	return func(c *clientConfig) error { return c.tr.SetRateLimits("jira", l) }
}

// WithRetryPolicy sets the retry policy (default [DefaultRetryPolicy]).
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *clientConfig) error { return c.tr.SetRetryPolicy("jira", p) }
}

// WithTimeout bounds each attempt (ctx deadlines still apply to the whole call).
func WithTimeout(d time.Duration) Option {
	return func(c *clientConfig) error { return c.tr.SetTimeout("jira", d) }
}

// WithLogger sends debug records of retries and waits to l. Records never
// contain headers, bodies, tokens or query strings. Default: silent.
func WithLogger(l *slog.Logger) Option {
	return func(c *clientConfig) error { c.tr.SetLogger(l); return nil }
}

// WithObserver calls f for every attempt, 429 answer and retry as it
// happens (for live metrics; [Client.Stats] has the totals). f runs on the
// goroutine sending the request, so it must be quick and safe for
// concurrent use; it sees the method and route template, never URLs,
// headers or bodies. Ignored with [WithTransport] (set
// [TransportConfig].Observer there).
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

// WithLoopback allows http(s) URLs on loopback addresses (127.0.0.0/8, ::1,
// localhost), for tests against a fake site such as jira/jiratest. Real
// sites are always https.
func WithLoopback() Option {
	return func(c *clientConfig) error { c.allowLoopback = true; return nil }
}

// WithGatewayURL overrides the API gateway (default https://api.atlassian.com,
// or the site itself for a loopback site URL) used when a service account's
// site URL is resolved to its gateway URL, and when a 401 on a site URL is
// checked against the gateway. Only https://api.atlassian.com or, with
// [WithLoopback], a loopback URL is accepted.
func WithGatewayURL(raw string) Option {
	return func(c *clientConfig) error {
		u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
		if err != nil || u.Host == "" {
			return fmt.Errorf("jira: invalid gateway URL %q", apiclient.RedactRaw(raw))
		}
		c.gateway = u.Scheme + "://" + u.Host
		return nil
	}
}

// NewClient returns a client for the Jira Cloud site at siteURL, which may be
// https://<site>.atlassian.net (scheme and trailing slashes optional) or the
// gateway form https://api.atlassian.com/ex/jira/<cloudId>. An
// authentication option is required: [WithBasicAuth], [WithBearerToken] or
// [WithTokenSource].
func NewClient(siteURL string, opts ...Option) (*Client, error) {
	cfg := clientConfig{}
	if err := apiclient.ApplyOptions(&cfg, opts); err != nil {
		return nil, err
	}
	site, err := ParseSite(siteURL, cfg.allowLoopback)
	if err != nil {
		return nil, err
	}
	if cfg.auth == nil {
		return nil, errors.New("jira: no credentials: use WithBasicAuth(email, apiToken) or WithBearerToken(token)")
	}
	gw := DefaultGatewayURL
	if cfg.gateway != "" {
		gu, _ := url.Parse(cfg.gateway)
		loopback := cfg.allowLoopback && apiclient.IsLoopback(gu.Hostname())
		if !loopback && (gu.Host != "api.atlassian.com" || gu.Scheme != "https") {
			return nil, fmt.Errorf("jira: gateway URL must be %s (or a loopback URL with WithLoopback)", DefaultGatewayURL)
		}
		gw = cfg.gateway
	} else if su, _ := url.Parse(site.BaseURL); site.Kind == SiteDirect && apiclient.IsLoopback(su.Hostname()) {
		// A fake site on loopback is its own gateway: a test must never
		// send credentials to the real api.atlassian.com.
		gw = su.Scheme + "://" + su.Host
	}
	if _, ok := cfg.auth.(bearerAuth); ok && site.Kind == SiteDirect {
		return nil, fmt.Errorf("jira: OAuth 2.0 access tokens only work through the gateway: use https://api.atlassian.com/ex/jira/<cloudId> instead of %s", site.BaseURL)
	}
	tr := cfg.tr.Transport(NewTransport)
	ua := apiclient.UserAgent(cfg.userAgent, Version)
	c := &Client{site: site, gateway: gw, auth: cfg.auth, tr: tr, userAgent: ua,
		maxBody: cfg.tr.MaxResponseSize(), walk: cfg.walk.orDefault(),
		resolveSem: make(chan struct{}, 1), hintSem: make(chan struct{}, 1)}
	c.common.client = c
	c.Users = (*UsersService)(&c.common)
	c.Groups = (*GroupsService)(&c.common)
	c.Projects = (*ProjectsService)(&c.common)
	c.Roles = (*RolesService)(&c.common)
	c.Permissions = (*PermissionsService)(&c.common)
	c.ApplicationRoles = (*ApplicationRolesService)(&c.common)
	c.Issues = (*IssuesService)(&c.common)
	c.Audit = (*AuditService)(&c.common)
	c.ServiceDesk = (*ServiceDeskService)(&c.common)
	return c, nil
}

// String describes the client without its credentials.
func (c *Client) String() string {
	kind := "site"
	if c.site.Kind == SiteGateway {
		kind = "gateway"
	}
	return "jira.Client(" + kind + " " + c.site.BaseURL + ")"
}

// GoString is String, so that %#v never prints credentials.
func (c *Client) GoString() string { return c.String() }

// Site returns the site the client was built for (before any service-account
// resolution).
func (c *Client) Site() Site { return c.site }

// Transport returns the client's transport, to share with other clients.
func (c *Client) Transport() *Transport { return c.tr }

// Stats returns the transport's counters.
func (c *Client) Stats() Stats { return c.tr.Stats() }

// IsServiceAccount reports whether email is an Atlassian service account.
func IsServiceAccount(email string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimSpace(email)), ServiceAccountDomain)
}

// BaseURL returns the base URL requests go to, resolving a service account's
// gateway URL first if needed.
func (c *Client) BaseURL(ctx context.Context) (string, error) {
	if c.site.Kind == SiteGateway {
		return c.site.BaseURL, nil
	}
	b, ok := c.auth.(basicAuth)
	if !ok || !IsServiceAccount(b.email) {
		return c.site.BaseURL, nil
	}
	if err := acquire(ctx, c.resolveSem); err != nil {
		return "", err
	}
	defer func() { <-c.resolveSem }()
	if c.resolved != "" {
		return c.resolved, nil
	}
	id, err := c.TenantCloudID(ctx)
	if err != nil {
		return "", fmt.Errorf("jira: service accounts must use the gateway URL, and resolving the cloud ID of %s failed: %w", c.site.Host, err)
	}
	c.resolved = c.gateway + "/ex/jira/" + string(id)
	return c.resolved, nil
}

// TenantCloudID reads the site's cloud ID from GET /_edge/tenant_info (no
// authentication). It needs a site URL; for a gateway URL it returns the ID
// in the URL.
func (c *Client) TenantCloudID(ctx context.Context) (CloudID, error) {
	if c.site.Kind == SiteGateway {
		return c.site.CloudID, nil
	}
	resp, res, err := c.tr.Do(ctx, transport.Request{Method: http.MethodGet, URL: c.site.BaseURL + "/_edge/tenant_info",
		Header: http.Header{"Accept": {"application/json"}, "User-Agent": {c.userAgent}}, Route: "/_edge/tenant_info"})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _, err := transport.ReadBounded(resp.Body, maxErrorBody)
	if err != nil {
		return "", err
	}
	if resp.StatusCode/100 != 2 {
		return "", c.newError(http.MethodGet, c.site.BaseURL+"/_edge/tenant_info", resp, res, body, "")
	}
	id, ok := decodeTenantInfo(body)
	if !ok {
		return "", fmt.Errorf("jira: %s/_edge/tenant_info did not return a cloud ID", c.site.BaseURL)
	}
	return id, nil
}

// decodeTenantInfo reads the cloud ID from a /_edge/tenant_info body
// ({"cloudId":"<uuid>"}), lower-cased; false when the body is not JSON or
// the value is not a UUID.
func decodeTenantInfo(body []byte) (CloudID, bool) {
	var ti struct {
		CloudID string `json:"cloudId"`
	}
	if err := json.Unmarshal(body, &ti); err != nil || !cloudIDRe.MatchString(ti.CloudID) {
		return "", false
	}
	return CloudID(strings.ToLower(ti.CloudID)), true
}

// Response wraps the HTTP response of a call (of this client or of the
// Atlassian Admin client: atlassian.Response is the same type). Its body has
// been read and closed. Besides the embedded *http.Response it holds:
//
//   - NextCursor, set by page methods: the cursor of the next page, or ""
//     after the last page.
//   - Rate: what the response said about rate limits.
//   - Attempts: how many times the request was sent.
//   - RequestID: the Atl-Traceid header (X-Arequestid, or the Admin API's
//     X-Request-Id, when absent).
//   - Total: the item count a PageBean page reported ("total"), or -1 when
//     the response reported none, which is every response that is not such
//     a page (Admin API responses included). It is a hint: Jira documents
//     that it may change between pages, so pagination never stops on it.
//   - PageSize: the page size the server applied to a PageBean page
//     ("maxResults", which may be lower than asked), or 0 when absent.
type Response = apiclient.Response

type authenticator interface {
	apply(ctx context.Context, h http.Header) error
}

// secret holds a credential behind a closure, so that no fmt verb can print
// it: not %v or %+v on the client, and not the reflection fmt falls back to
// on a copied struct or a wrong verb, which ignores String methods.
type secret func() string

func newSecret(s string) secret { return func() string { return s } }

type basicAuth struct {
	email string
	token secret
}

func (b basicAuth) apply(_ context.Context, h http.Header) error {
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(b.email+":"+b.token())))
	return nil
}

// String never prints the token.
func (b basicAuth) String() string { return "basic(" + b.email + ", REDACTED)" }

type bearerAuth struct {
	source func(context.Context) (string, error)
}

func (b bearerAuth) apply(ctx context.Context, h http.Header) error {
	tok, err := b.source(ctx)
	if err != nil {
		return fmt.Errorf("jira: getting an access token: %w", err)
	}
	h.Set("Authorization", "Bearer "+tok)
	return nil
}

// request describes one API call.
type request struct {
	method string
	path   apiPath // e.g. "/rest/api/3/users/search", routed as itself
	query  url.Values
	body   any
	header http.Header
}

// Do sends an API request and decodes a 2xx JSON answer into out (which may
// be nil). path is relative to the site and starts with "/", e.g.
// "/rest/api/3/myself"; a path that does not, or that would address another
// host, is refused before anything is sent. It is the escape hatch for
// endpoints without a typed method; non-2xx answers return an [*Error].
//
// The request is paced, counted and observed under a route like every
// typed call: when path addresses an endpoint a typed method uses, its
// route is that method's endpoint template (e.g. "/rest/api/3/project/ACME"
// → "/rest/api/3/project/{}"), so both share one rate budget; any other
// path is its own route, without its query string.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) (*Response, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("jira: path %q must start with /", apiclient.RedactRaw(path))
	}
	return c.do(ctx, request{method: method, path: rawPath(path), query: query, body: body}, out)
}

func (c *Client) do(ctx context.Context, r request, out any) (*Response, error) {
	base, err := c.BaseURL(ctx)
	if err != nil {
		return nil, err
	}
	full := base + r.path.path
	if len(r.query) > 0 {
		full += "?" + r.query.Encode()
	}
	if err := sameOrigin(base, full); err != nil {
		return nil, err
	}
	h := http.Header{}
	for k, v := range r.header {
		h[k] = v
	}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", c.userAgent)
	var body []byte
	if r.body != nil {
		if raw, ok := r.body.(json.RawMessage); ok {
			body = raw
		} else {
			body, err = json.Marshal(r.body)
			if err != nil {
				return nil, fmt.Errorf("jira: encoding %s %s body: %w", r.method, r.path.path, err)
			}
		}
		h.Set("Content-Type", "application/json")
	}
	if err := c.auth.apply(ctx, h); err != nil {
		return nil, err
	}
	httpResp, res, err := c.tr.Do(ctx, transport.Request{Method: r.method, URL: full, Header: h, Body: body, Route: r.path.route})
	if pe, ok := errors.AsType[*transport.PausedError](err); ok {
		return nil, pausedError(r.method, full, pe, c.tr.MaxServerWait())
	}
	if err != nil {
		return nil, fmt.Errorf("jira: %s %s: %w", r.method, apiclient.RedactURL(full), err)
	}
	defer httpResp.Body.Close()
	resp := apiclient.NewResponse(httpResp, res.Attempts, requestID(httpResp.Header), transport.ParseRate(httpResp.Header, c.tr.Clock().Now()))
	if httpResp.StatusCode/100 != 2 {
		data := apiclient.ReadErrorBody(httpResp.Body, maxErrorBody, c.secrets(h.Get("Authorization"))...)
		e := c.newError(r.method, full, httpResp, res, data, h.Get("Authorization"))
		if httpResp.StatusCode == http.StatusUnauthorized {
			e.Hint = c.unauthorizedHint(ctx)
		}
		return resp, e
	}
	return resp, apiclient.ReadJSON("jira", r.method, full, httpResp, out, c.maxBody, "jira.WithMaxResponseSize")
}

// sameOrigin refuses a request URL whose scheme or host differs from the
// base URL's: credentials go to the site and nowhere else.
func sameOrigin(base, full string) error {
	bu, baseErr := url.Parse(base)
	fu, fullErr := url.Parse(full)
	if baseErr != nil || fullErr != nil || fu.User != nil || !strings.EqualFold(bu.Scheme, fu.Scheme) || !strings.EqualFold(bu.Host, fu.Host) {
		return fmt.Errorf("jira: request URL %s does not address the site %s; refusing to send credentials there",
			apiclient.RedactRaw(full), apiclient.RedactURL(base))
	}
	return nil
}

func requestID(h http.Header) string {
	if v := h.Get("Atl-Traceid"); v != "" {
		return v
	}
	return h.Get("X-Arequestid")
}

// newError builds the [*Error] of a non-2xx answer. authz is the request's
// Authorization header: its credentials (and a Basic auth token) are cut
// out of the body before it is decoded, in case a proxy echoes them.
func (c *Client) newError(method, full string, resp *http.Response, res transport.Result, body []byte, authz string) *Error {
	body = apiclient.RedactSecrets(body, c.secrets(authz)...)
	now := c.tr.Clock().Now()
	rt := transport.ParseRate(resp.Header, now)
	e := &Error{StatusCode: resp.StatusCode, Method: method, URL: apiclient.RedactURL(full), RequestID: requestID(resp.Header),
		Attempts: res.Attempts, RateLimitReason: rt.Reason, RateLimitReset: rt.Reset, RetryAfter: apiclient.RetryAfter(resp.StatusCode, rt, now)}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.MaxServerWait = c.tr.MaxServerWait()
	}
	e.DecodeErrorBody(body)
	return e
}

// unauthorizedHint explains a 401. On a site URL with Basic auth it checks
// once whether the token is a scoped token that works through the gateway,
// and if so names the URL to use instead.
func (c *Client) unauthorizedHint(ctx context.Context) string {
	b, ok := c.auth.(basicAuth)
	if !ok {
		return "the OAuth access token was refused; it may have expired or lack the needed scopes"
	}
	if c.site.Kind == SiteGateway || IsServiceAccount(b.email) {
		return "check the email and the scoped API token, and that the token has the needed scopes (read:jira-user, read:jira-work, manage:jira-configuration, manage:jira-project)"
	}
	const generic = "check the email and API token"
	if err := acquire(ctx, c.hintSem); err != nil {
		return generic
	}
	defer func() { <-c.hintSem }()
	if c.hintDone {
		return c.hint
	}
	c.hint = generic
	id, err := c.TenantCloudID(ctx)
	if err != nil {
		c.hintDone = ctx.Err() == nil // a cancelled check may be retried by a later 401
		return c.hint
	}
	gw := c.gateway + "/ex/jira/" + string(id)
	h := http.Header{"Accept": {"application/json"}, "User-Agent": {c.userAgent}}
	_ = b.apply(ctx, h)
	resp, _, err := c.tr.Do(ctx, transport.Request{Method: http.MethodGet, URL: gw + apiPrefix + "/myself", Header: h, Route: apiPrefix + "/myself"})
	if err != nil {
		c.hintDone = ctx.Err() == nil
		return c.hint
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	c.hintDone = true
	if resp.StatusCode/100 == 2 {
		public := "https://api.atlassian.com/ex/jira/" + string(id)
		if c.gateway != DefaultGatewayURL {
			public = gw
		}
		c.hint = "this is a scoped API token, which the site URL refuses: use the URL " + public + " instead"
	}
	return c.hint
}

// acquire takes the one-slot semaphore sem, or gives up when ctx ends.
func acquire(ctx context.Context, sem chan struct{}) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// secrets lists the credentials a request carried: the Authorization
// header's credential part (a Basic auth base64 blob or a bearer token) and
// the API token of Basic auth.
func (c *Client) secrets(authz string) []string {
	var out []string
	if _, cred, ok := strings.Cut(authz, " "); ok && cred != "" {
		out = append(out, cred)
	}
	if b, ok := c.auth.(basicAuth); ok {
		out = append(out, b.token())
	}
	return out
}
