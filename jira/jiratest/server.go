package jiratest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a running fake Jira Cloud site plus the Atlassian gateway, Admin and user-management APIs, all on one
// loopback listener (in the spirit of net/http/httptest). All methods are safe for concurrent use.
//
// Credentials (exported fields) work where the real ones do:
//   - Email + APIToken (classic API token, Basic): site URL only; 401 on the gateway.
//   - Email + ScopedToken (scoped API token, Basic): gateway only; 401 on the site URL.
//   - ServiceAccountEmail + ServiceAccountToken (scoped, Basic): gateway only.
//   - BearerToken (OAuth 2.0 access token): gateway only.
//   - AdminKey (org API key without scopes, Bearer): Admin API and user-management API.
//   - ScopedAdminKey (org API key with scopes, Bearer): Admin API only; the user-management API answers 403.
type Server struct {
	// URL is the site URL (like https://acme.atlassian.net): Jira REST under /rest/api/3, Basic auth with classic
	// tokens. The same listener also serves the gateway, Admin and user-management paths.
	URL string

	Email               string
	APIToken            string
	ScopedToken         string
	ServiceAccountEmail string
	ServiceAccountToken string
	BearerToken         string
	AdminKey            string
	ScopedAdminKey      string
	// OrgID is the organization ID ("" when the tenant has no organization).
	OrgID string
	// CloudID is the site's cloud ID.
	CloudID string
	// SiteHost is the stable site host (serverInfo.baseUrl is "https://"+SiteHost).
	SiteHost string

	ts     *httptest.Server
	cfg    config
	lim    *limiter
	seq    atomic.Uint64
	routes routeTable

	mu sync.RWMutex // guards x, creds
	x  *index
	// creds maps "basic <email>:<token>" or "bearer <token>" to a credential.
	creds map[string]*credential

	statMu    sync.Mutex
	stats     Stats
	mutations []Mutation
	routeSeq  map[string]uint64
	lastPages map[string]int
	auditSeq  int64
}

type credKind int

const (
	credClassic credKind = iota
	credScoped
	credOAuth
	credAdmin
	credAdminScoped
)

type credential struct {
	kind      credKind
	accountID string
	perms     Permissions
}

// Stats counts requests. Routes are keyed by "METHOD template" (e.g. "GET /rest/api/3/group/member"); the gateway
// prefix /ex/jira/{cloudId} is not part of the template.
type Stats struct {
	Total int `json:"total"`
	// Routes counts requests per route template ("UNMATCHED" for unknown paths).
	Routes map[string]int `json:"routes"`
	// Status counts responses per HTTP status (0 = connection reset).
	Status map[int]int `json:"status"`
	// RateLimited counts 429 responses (burst, quota, per-issue and injected storms).
	RateLimited int `json:"rateLimited"`
	// Faults counts injected faults; FaultKinds splits them by kind.
	Faults     int            `json:"faults"`
	FaultKinds map[string]int `json:"faultKinds"`
	// Gateway, Site and Admin split Total by entry point (Admin includes user management).
	Gateway int `json:"gateway"`
	Site    int `json:"site"`
	Admin   int `json:"admin"`
	// Mutations counts successful state changes.
	Mutations int `json:"mutations"`
}

// Mutation is one successful state change made through the API.
type Mutation struct {
	Time    time.Time `json:"time"`
	Method  string    `json:"method"`
	Route   string    `json:"route"`
	Summary string    `json:"summary"`
}

// NewServer starts a fake serving a deep copy of t (nil means [NewTenant]); t itself is never modified. Call Close
// when done.
func NewServer(t *Tenant, opts ...Option) *Server {
	if t == nil {
		t = NewTenant()
	}
	t = t.Clone()
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, lim: newLimiter(cfg.limits), x: newIndex(t), creds: map[string]*credential{},
		routeSeq: map[string]uint64{}, lastPages: map[string]int{}}
	s.resetStatsLocked()
	s.routes = buildRoutes()
	s.CloudID, s.SiteHost = t.CloudID, t.SiteHost
	if t.Org != nil {
		s.OrgID = t.Org.ID
	}
	s.setupCredentials()
	for _, a := range t.Audit {
		s.auditSeq = max(s.auditSeq, a.ID)
	}
	s.ts = httptest.NewUnstartedServer(s)
	if cfg.addr != "" {
		l, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			panic(fmt.Sprintf("jiratest: listen on %s: %v", cfg.addr, err))
		}
		_ = s.ts.Listener.Close()
		s.ts.Listener = l
	}
	// URL is set before the server starts: handlers read it, and a request
	// can arrive the moment it listens (a loopback port is soon reused).
	s.URL = "http://" + s.ts.Listener.Addr().String()
	s.ts.Start()
	if s.ts.URL != s.URL {
		panic("jiratest: server URL " + s.ts.URL + " differs from " + s.URL)
	}
	return s
}

func (s *Server) setupCredentials() {
	t := s.x.t
	admin := s.x.users[t.AdminAccountID]
	if admin == nil {
		if t.AdminAccountID == "" {
			t.AdminAccountID = NewAccountID("admin@" + t.SiteHost)
		}
		admin = &User{AccountID: t.AdminAccountID, AccountType: AccountTypeAtlassian, DisplayName: "Jira Admin",
			Email: "admin@" + t.SiteHost, Active: true, TimeZone: "Etc/UTC", Locale: "en_US"}
		s.x.addUser(admin)
	}
	if admin.Email == "" {
		admin.Email = "admin@" + t.SiteHost
		s.x.emails[admin.Email] = admin
	}
	svc := s.x.users[t.ServiceAccountID]
	if svc == nil {
		if t.ServiceAccountID == "" {
			t.ServiceAccountID = NewAccountID("service@" + t.SiteHost)
		}
		svc = &User{AccountID: t.ServiceAccountID, AccountType: AccountTypeApp, AppType: "service",
			DisplayName: "baton-sync", Email: "baton-sync@serviceaccount.atlassian.com", Active: true}
		s.x.addUser(svc)
	}
	seed := s.CloudID
	s.Email = admin.Email
	s.APIToken = "ATATT3xFfGF0" + hashHex(48, "classic", seed)
	s.ScopedToken = "ATATT3xFfGF0" + hashHex(48, "scoped", seed)
	s.ServiceAccountEmail = svc.Email
	s.ServiceAccountToken = "ATSTT3xFfGF0" + hashHex(48, "service", seed)
	s.BearerToken = "eyJraWQiOiJmYWtlIn0." + hashHex(64, "oauth", seed)
	s.AdminKey = "ATCTT3xFfGF0" + hashHex(48, "admin", seed)
	s.ScopedAdminKey = "ATCTT3xFfGF0" + hashHex(48, "admin-scoped", seed)
	s.creds["basic "+s.Email+":"+s.APIToken] = &credential{credClassic, admin.AccountID, FullPermissions}
	s.creds["basic "+s.Email+":"+s.ScopedToken] = &credential{credScoped, admin.AccountID, FullPermissions}
	s.creds["basic "+s.ServiceAccountEmail+":"+s.ServiceAccountToken] = &credential{credScoped, svc.AccountID, FullPermissions}
	s.creds["bearer "+s.BearerToken] = &credential{credOAuth, admin.AccountID, FullPermissions}
	s.creds["bearer "+s.AdminKey] = &credential{kind: credAdmin}
	s.creds["bearer "+s.ScopedAdminKey] = &credential{kind: credAdminScoped}
}

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// Client returns an *http.Client for the server (plain HTTP on loopback).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// GatewayURL returns the scoped-token / OAuth base URL, URL + "/ex/jira/" + CloudID (like
// https://api.atlassian.com/ex/jira/{cloudId}).
func (s *Server) GatewayURL() string { return s.URL + "/ex/jira/" + s.CloudID }

// AdminURL returns the Admin API base URL, URL + "/admin" (like https://api.atlassian.com/admin).
func (s *Server) AdminURL() string { return s.URL + "/admin" }

// APIRootURL returns the API root (like https://api.atlassian.com), where /users/{accountId}/manage/... lives.
func (s *Server) APIRootURL() string { return s.URL }

// AddAccount adds a classic API-token credential for email with the given global rights and returns its account
// ID. When no user has that email, a new active atlassian user (in no group) is added to the site, which changes the
// tenant's ground truth. Use it to test 403s: an account without BrowseUsersAndGroups cannot list users or group
// members.
func (s *Server) AddAccount(email, token string, p Permissions) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.x.emails[strings.ToLower(email)]
	if u == nil {
		local, _, _ := strings.Cut(email, "@")
		u = &User{AccountID: NewAccountID(email), AccountType: AccountTypeAtlassian, DisplayName: local,
			Email: email, Active: true, TimeZone: "Etc/UTC", Locale: "en_US"}
		s.x.addUser(u)
	}
	s.creds["basic "+email+":"+token] = &credential{credClassic, u.AccountID, p}
	return u.AccountID
}

// Snapshot returns a deep copy of the current tenant, mutations included.
func (s *Server) Snapshot() *Tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.x.t.Clone()
}

// Update runs f on the live tenant under the write lock and rebuilds the indexes, for changes no endpoint makes.
func (s *Server) Update(f func(t *Tenant)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.x.t)
	s.x.rebuild()
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.statMu.Lock()
	defer s.statMu.Unlock()
	c := s.stats
	c.Routes = copyMap(s.stats.Routes)
	c.Status = copyMap(s.stats.Status)
	c.FaultKinds = copyMap(s.stats.FaultKinds)
	return c
}

// MutationLog returns the successful mutations in order.
func (s *Server) MutationLog() []Mutation {
	s.statMu.Lock()
	defer s.statMu.Unlock()
	return append([]Mutation(nil), s.mutations...)
}

// ResetStats clears the counters and the mutation log (not the fault sequence numbers).
func (s *Server) ResetStats() {
	s.statMu.Lock()
	defer s.statMu.Unlock()
	s.resetStatsLocked()
}

func (s *Server) resetStatsLocked() {
	s.stats = Stats{Routes: map[string]int{}, Status: map[int]int{}, FaultKinds: map[string]int{}}
	s.mutations = nil
}

func copyMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- request handling ----

type apiKind int

const (
	apiSite apiKind = iota
	apiGateway
	apiAdmin
	apiUserMgmt
	apiEdge
)

// call is one request being served.
type call struct {
	s      *Server
	r      *http.Request
	q      url.Values
	p      map[string]string
	api    apiKind
	ver    string // "2" or "3" for Jira routes
	base   string // base URL for self links
	key    string // "METHOD template"
	caller *credential
	user   *User // caller's user (Jira APIs)
	now    time.Time
	body   []byte
	trace  string
	x      *index
}

// reply is a handler's answer.
type reply struct {
	status   int
	v        any
	raw      []byte
	ctype    string
	header   map[string]string
	mutation string // summary for the mutation log (successful mutations only)
}

// ServeHTTP serves one request; the Server is the handler of its own listener, and can also be mounted elsewhere
// (self links and nextPage URLs then still point at s.URL).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.EscapedPath())
	if len(segs) > 0 && segs[0] == "_jiratest" {
		s.serveControl(w, r, segs[1:])
		return
	}
	n := s.seq.Add(1)
	c := &call{s: s, r: r, q: r.URL.Query(), now: s.cfg.clock(), trace: hashHex(16, "trace", strconv.FormatUint(n, 10))}
	var rest []string
	switch {
	case len(segs) == 2 && segs[0] == "_edge" && segs[1] == "tenant_info":
		c.api, rest, c.base = apiEdge, segs, s.URL
	case len(segs) >= 4 && segs[0] == "ex" && segs[1] == "jira" && segs[3] == "rest":
		c.api, rest, c.base = apiGateway, segs[3:], s.URL+"/ex/jira/"+segs[2]
		if segs[2] != s.CloudID {
			s.finish(w, c, nil, gatewayErr(404, "Not Found"), "UNMATCHED")
			return
		}
	case len(segs) >= 1 && segs[0] == "rest":
		c.api, rest, c.base = apiSite, segs, s.URL
	case len(segs) >= 1 && segs[0] == "admin":
		c.api, rest, c.base = apiAdmin, segs, s.URL
	case len(segs) >= 3 && segs[0] == "users" && segs[2] == "manage":
		c.api, rest, c.base = apiUserMgmt, segs, s.URL
	default:
		s.finish(w, c, nil, jiraErr(404, "null for uri: "+r.URL.String()), "UNMATCHED")
		return
	}
	rt, params, methodOK := s.routes.match(c.api, r.Method, rest)
	if rt == nil {
		if methodOK {
			s.finish(w, c, nil, reply{status: 405, raw: []byte{}}, "UNMATCHED")
		} else if c.api == apiAdmin || c.api == apiUserMgmt {
			s.finish(w, c, nil, adminErr(c, 404, "ADMIN-404-1", "Not Found", "No such endpoint"), "UNMATCHED")
		} else {
			s.finish(w, c, nil, jiraErr(404, "null for uri: "+r.URL.String()), "UNMATCHED")
		}
		return
	}
	c.p = params
	c.ver = params["ver"]
	c.key = r.Method + " " + rt.template(c.ver)
	s.count(c)

	if d := s.latencyFor(n); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if rep, ok := s.authenticate(c, rt); !ok {
		s.finish(w, c, rt, rep, c.key)
		return
	}
	lim := s.lim.take(limiterKey(c.key), c.now)
	if !lim.ok {
		rep := c.rateLimited(lim)
		if rt.userSearch {
			rep.v = jiraErrorBody{ErrorMessages: []string{"User search endpoints share a collective rate limit for the tenant. " +
				"Please respect the Retry-After header."}, Errors: map[string]string{}}
		}
		s.finish(w, c, rt, rep, c.key)
		return
	}
	fk, status := s.fault(c)
	switch fk {
	case fault5xx:
		s.finish(w, c, rt, s.faultReply(c, status, false), c.key)
		return
	case fault503:
		s.finish(w, c, rt, s.faultReply(c, 503, true), c.key)
		return
	case faultStorm:
		s.finish(w, c, rt, c.rateLimited(limitResult{limit: max(lim.limit, 100), retryAfter: time.Second,
			reset: c.now.Add(time.Second), reason: "jira-burst-based"}), c.key)
		return
	case faultReset:
		s.recordStatus(0)
		resetConn(w)
		return
	case faultSlow:
		select {
		case <-time.After(s.cfg.faults.SlowDelay):
		case <-r.Context().Done():
			return
		}
	}
	if r.Body != nil && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		if err != nil {
			s.finish(w, c, rt, jiraErr(400, "Unable to read request body"), c.key)
			return
		}
		c.body = b
	}
	rep := s.run(c, rt)
	if rep.header == nil {
		rep.header = map[string]string{}
	}
	if c.api != apiEdge && !s.cfg.limits.Unlimited {
		rep.header["X-RateLimit-Limit"] = strconv.Itoa(lim.limit)
		rep.header["X-RateLimit-Remaining"] = strconv.Itoa(lim.remaining)
		if float64(lim.remaining) < 0.2*float64(lim.limit) {
			rep.header["X-RateLimit-NearLimit"] = "true"
		}
	}
	if fk == fault5xxAfter {
		s.finish(w, c, rt, s.faultReply(c, status, false), c.key)
		return
	}
	if fk == faultTruncated && rep.status < 300 {
		s.writeTruncated(w, c, rep)
		return
	}
	if fk == faultLost {
		s.recordStatus(0)
		resetConn(w)
		return
	}
	s.finish(w, c, rt, rep, c.key)
}

// limiterKey maps a route to its bucket: the user-search endpoints share one collective bucket per method.
func limiterKey(key string) string {
	for _, p := range []string{"/user/search", "/user/viewissue/search", "/user/permission/search"} {
		if strings.HasSuffix(key, p) && strings.HasPrefix(key, "GET /rest/api/") {
			return "GET user-search (collective)"
		}
	}
	return key
}

// run executes the handler under the right lock and encodes the body.
func (s *Server) run(c *call, rt *route) reply {
	if rt.write {
		s.mu.Lock()
		defer s.mu.Unlock()
	} else {
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	c.x = s.x
	if c.caller != nil && c.caller.accountID != "" {
		c.user = s.x.users[c.caller.accountID]
	}
	rep := rt.h(c)
	if rep.v != nil && rep.raw == nil {
		b, err := json.Marshal(rep.v)
		if err != nil {
			return jiraErr(500, "encode: "+err.Error())
		}
		rep.raw = b
	}
	if rt.write && rep.mutation != "" && rep.status < 300 {
		s.logMutation(c, rep.mutation)
	}
	return rep
}

func (s *Server) logMutation(c *call, summary string) {
	s.statMu.Lock()
	defer s.statMu.Unlock()
	s.stats.Mutations++
	s.mutations = append(s.mutations, Mutation{Time: c.now, Method: c.r.Method, Route: c.key, Summary: summary})
}

func (s *Server) count(c *call) {
	s.statMu.Lock()
	defer s.statMu.Unlock()
	s.stats.Total++
	s.stats.Routes[c.key]++
	switch c.api {
	case apiGateway:
		s.stats.Gateway++
	case apiAdmin, apiUserMgmt:
		s.stats.Admin++
	default:
		s.stats.Site++
	}
}

func (s *Server) recordStatus(status int) {
	s.statMu.Lock()
	defer s.statMu.Unlock()
	s.stats.Status[status]++
	if status == 429 {
		s.stats.RateLimited++
	}
}

func (s *Server) latencyFor(n uint64) time.Duration {
	d := s.cfg.latency
	if s.cfg.jitter > 0 {
		u := unitHash(0, "jitter", n, "")
		d += time.Duration((2*u - 1) * float64(s.cfg.jitter))
	}
	return max(d, 0)
}

func (s *Server) fault(c *call) (faultKind, int) {
	f := s.cfg.faults
	if !f.enabled() || c.api == apiEdge {
		return faultNone, 0
	}
	s.statMu.Lock()
	s.routeSeq[c.key]++
	n := s.routeSeq[c.key]
	s.statMu.Unlock()
	k, st := f.decide(c.key, c.r.Method, n)
	if k != faultNone {
		s.statMu.Lock()
		s.stats.Faults++
		s.stats.FaultKinds[string(k)]++
		s.statMu.Unlock()
	}
	return k, st
}

func (s *Server) faultReply(c *call, status int, retryAfter bool) reply {
	var rep reply
	switch c.api {
	case apiAdmin, apiUserMgmt:
		rep = reply{status: status, v: map[string]any{"code": status, "message": http.StatusText(status)}}
	default:
		if status == 502 || status == 504 {
			rep = reply{status: status, raw: []byte("<html><body><h1>" + strconv.Itoa(status) + " " +
				http.StatusText(status) + "</h1></body></html>"), ctype: "text/html"}
		} else {
			rep = jiraErr(status, "Internal server error")
		}
	}
	if retryAfter {
		rep.header = map[string]string{"Retry-After": "1"}
	}
	return rep
}

// rateLimited builds a 429 reply with Jira's headers.
func (c *call) rateLimited(l limitResult) reply {
	secs := int(math.Ceil(l.retryAfter.Seconds()))
	secs = max(secs, 1)
	var rep reply
	if c.api == apiAdmin || c.api == apiUserMgmt {
		rep = reply{status: 429, v: map[string]any{"code": 429, "message": "Rate limit exceeded"}}
	} else {
		rep = jiraErr(429, "Rate limit exceeded.")
	}
	rep.header = map[string]string{
		"Retry-After":           strconv.Itoa(secs),
		"X-RateLimit-Limit":     strconv.Itoa(l.limit),
		"X-RateLimit-Remaining": "0",
		"X-RateLimit-Reset":     l.reset.UTC().Format("2006-01-02T15:04:05Z"),
		"X-RateLimit-NearLimit": "true",
	}
	if c.api != apiAdmin && c.api != apiUserMgmt {
		rep.header["RateLimit-Reason"] = l.reason
	}
	return rep
}

func (s *Server) finish(w http.ResponseWriter, c *call, rt *route, rep reply, key string) {
	if key == "UNMATCHED" {
		s.statMu.Lock()
		s.stats.Total++
		s.stats.Routes["UNMATCHED"]++
		s.statMu.Unlock()
	}
	s.recordStatus(rep.status)
	h := w.Header()
	s.commonHeaders(h, c, rep)
	if rep.v != nil && rep.raw == nil {
		rep.raw, _ = json.Marshal(rep.v)
	}
	if rep.status != 204 {
		h.Set("Content-Length", strconv.Itoa(len(rep.raw)))
	}
	w.WriteHeader(rep.status)
	if rep.status != 204 && c.r.Method != http.MethodHead {
		_, _ = w.Write(rep.raw)
	}
}

func (s *Server) commonHeaders(h http.Header, c *call, rep reply) {
	ctype := rep.ctype
	if ctype == "" {
		ctype = "application/json;charset=UTF-8"
	}
	if rep.status != 204 {
		h.Set("Content-Type", ctype)
	}
	h.Set("Atl-Traceid", c.trace)
	h.Set("X-Arequestid", c.trace[:8])
	if c.caller != nil && c.caller.accountID != "" && c.api != apiAdmin && c.api != apiUserMgmt {
		h.Set("X-AAccountId", c.caller.accountID)
	}
	for k, v := range rep.header {
		h.Set(k, v)
	}
}

func (s *Server) writeTruncated(w http.ResponseWriter, c *call, rep reply) {
	s.recordStatus(rep.status)
	h := w.Header()
	s.commonHeaders(h, c, rep)
	h.Set("Content-Length", strconv.Itoa(len(rep.raw)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.raw[:len(rep.raw)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}

// resetConn closes the client connection abruptly (RST where the platform allows).
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if u, err := url.PathUnescape(s); err == nil {
			parts[i] = u
		}
	}
	return parts
}

// ---- authentication ----

const siteUnauthorized = "Client must be authenticated to access this resource."

func (s *Server) authenticate(c *call, rt *route) (reply, bool) {
	if rt.anonymous {
		c.caller = s.lookupCred(c.r)
		return reply{}, true
	}
	cred := s.lookupCred(c.r)
	switch c.api {
	case apiSite:
		if cred == nil {
			if c.r.Header.Get("Authorization") == "" {
				return jiraErr(401, "You are not authenticated. Authentication required to perform this operation."), false
			}
			return siteAuthErr(), false
		}
		if cred.kind != credClassic {
			return siteAuthErr(), false
		}
	case apiGateway:
		if cred == nil || (cred.kind != credScoped && cred.kind != credOAuth) {
			return gatewayErr(401, "Unauthorized"), false
		}
		if rt.basicOnly && cred.kind == credOAuth {
			return gatewayErr(401, "Unauthorized; scope does not match"), false
		}
	case apiAdmin:
		if cred == nil || (cred.kind != credAdmin && cred.kind != credAdminScoped) {
			return gatewayErr(401, "Unauthorized"), false
		}
	case apiUserMgmt:
		if cred == nil || (cred.kind != credAdmin && cred.kind != credAdminScoped) {
			return gatewayErr(401, "Unauthorized"), false
		}
		if cred.kind == credAdminScoped {
			return adminErr(c, 403, "ADMIN-403-3", "Forbidden", "API keys with scopes cannot use the user management API"), false
		}
	}
	if cred.accountID != "" {
		s.mu.RLock()
		u := s.x.users[cred.accountID]
		s.mu.RUnlock()
		if u == nil || !u.Active {
			if c.api == apiGateway {
				return gatewayErr(401, "Unauthorized"), false
			}
			return siteAuthErr(), false
		}
	}
	c.caller = cred
	return reply{}, true
}

func siteAuthErr() reply {
	return reply{status: 401, raw: []byte(siteUnauthorized), ctype: "text/plain;charset=UTF-8",
		header: map[string]string{"WWW-Authenticate": `Basic realm="protected-area"`}}
}

func gatewayErr(status int, msg string) reply {
	return reply{status: status, v: map[string]any{"code": status, "message": msg}}
}

func (s *Server) lookupCred(r *http.Request) *credential {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil
	}
	scheme, val, _ := strings.Cut(h, " ")
	var key string
	switch strings.ToLower(scheme) {
	case "basic":
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
		if err != nil {
			return nil
		}
		key = "basic " + string(dec)
	case "bearer":
		key = "bearer " + strings.TrimSpace(val)
	default:
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.creds[key]
}

// ---- reply helpers ----

// jiraErrorBody is Jira's ErrorCollection.
type jiraErrorBody struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

func jiraErr(status int, msgs ...string) reply {
	if msgs == nil {
		msgs = []string{}
	}
	return reply{status: status, v: jiraErrorBody{ErrorMessages: msgs, Errors: map[string]string{}}}
}

func jiraFieldErr(status int, fields map[string]string) reply {
	return reply{status: status, v: jiraErrorBody{ErrorMessages: []string{}, Errors: fields}}
}

type adminError struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Code   string `json:"code"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

func adminErr(c *call, status int, code, title, detail string) reply {
	return reply{status: status, v: map[string]any{"errors": []adminError{{ID: c.trace, Status: strconv.Itoa(status),
		Code: code, Title: title, Detail: detail}}}}
}

func ok(v any) reply      { return reply{status: 200, v: v} }
func created(v any) reply { return reply{status: 201, v: v} }
func noContent() reply    { return reply{status: 204, raw: []byte{}} }

// decode unmarshals the request body into v.
func (c *call) decode(v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return errors.New("empty body")
	}
	return json.Unmarshal(c.body, v)
}

// intParam parses an integer query parameter.
func (c *call) intParam(name string, def int) (int, *reply) {
	v := c.q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r := jiraErr(400, fmt.Sprintf("The value '%s' is invalid for parameter '%s'.", v, name))
		return 0, &r
	}
	return n, nil
}

// capFor returns the effective maximum page size for this route.
func (c *call) capFor(max int) int {
	if n, ok := c.s.cfg.caps[c.key]; ok && n < max {
		return n
	}
	return max
}

// paging reads startAt/maxResults with Jira's default and silent maximum.
func (c *call) paging(def, max int) (start, limit int, bad *reply) {
	start, bad = c.intParam("startAt", 0)
	if bad != nil {
		return
	}
	limit, bad = c.intParam("maxResults", def)
	if bad != nil {
		return
	}
	if start < 0 {
		start = 0
	}
	if limit < 0 {
		r := jiraErr(400, "'maxResults' must be greater than or equal to 0.")
		return 0, 0, &r
	}
	limit = min(limit, c.capFor(max))
	return start, limit, nil
}

// selfURL is the request URL as seen through this entry point.
func (c *call) selfURL() string {
	u := c.base + "/" + strings.Join(splitPathKeep(c.r.URL.EscapedPath(), c.api), "/")
	if c.r.URL.RawQuery != "" {
		u += "?" + c.r.URL.RawQuery
	}
	return u
}

func splitPathKeep(p string, api apiKind) []string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if api == apiGateway && len(parts) > 3 {
		return parts[3:]
	}
	return parts
}

// pageBean is Jira's PageBean.
type pageBean struct {
	Self       string `json:"self"`
	NextPage   string `json:"nextPage,omitempty"`
	MaxResults int    `json:"maxResults"`
	StartAt    int    `json:"startAt"`
	Total      int    `json:"total"`
	IsLast     bool   `json:"isLast"`
	Values     any    `json:"values"`
}

// window returns all[start:start+limit], clamped to all (nil when all is nil).
func window[T any](all []T, start, limit int) []T {
	return all[min(start, len(all)):min(start+limit, len(all))]
}

// renderWindow renders the items of all[start:start+limit] (never nil).
func renderWindow[T, J any](all []T, start, limit int, render func(T) J) []J {
	page := window(all, start, limit)
	out := make([]J, 0, len(page))
	for _, v := range page {
		out = append(out, render(v))
	}
	return out
}

// pageOf slices all[start:start+limit] into a PageBean.
func pageOf[T any](c *call, all []T, start, limit int) pageBean {
	return pageWindow(c, window(all, start, limit), start, limit, len(all))
}

// pageWindow builds a PageBean from the values of one page, applying total drift and injected empty pages.
func pageWindow[T any](c *call, vals []T, start, limit, total int) pageBean {
	hi := start + len(vals)
	pb := pageBean{Self: c.selfURL(), MaxResults: limit, StartAt: start, Total: total, IsLast: hi >= total}
	if every := c.s.cfg.emptyEvery; every > 0 {
		if len(vals) == 0 {
			// At or past the end: an empty page that does not claim to be the last one.
			pb.IsLast = false
		} else if pb.IsLast {
			c.s.statMu.Lock()
			c.s.lastPages[c.key]++
			n := c.s.lastPages[c.key]
			c.s.statMu.Unlock()
			if (n-1)%every == 0 {
				pb.IsLast = false // the client has to ask for one more (empty) page
			}
		}
	}
	if !pb.IsLast {
		next := hi
		if len(vals) == 0 {
			next = start + max(limit, 1)
		}
		pb.NextPage = c.withQuery("startAt", strconv.Itoa(next))
	}
	if c.s.cfg.totalDrift {
		pb.Total = driftTotal(total, start, limit)
	}
	if vals == nil {
		vals = []T{}
	}
	pb.Values = vals
	return pb
}

// driftTotal perturbs a total depending on the page, as if the collection changed between pages.
func driftTotal(total, start, limit int) int {
	page := 0
	if limit > 0 {
		page = start / limit
	}
	d := []int{0, 3, -2, 7, -1, 1}[page%6]
	return max(total+d, 0)
}

// withQuery returns the request URL with one query parameter replaced.
func (c *call) withQuery(k, v string) string {
	q := c.r.URL.Query()
	q.Set(k, v)
	u := c.base + "/" + strings.Join(splitPathKeep(c.r.URL.EscapedPath(), c.api), "/")
	return u + "?" + q.Encode()
}

// ---- control endpoints ----

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request, segs []string) {
	path := strings.Join(segs, "/")
	write := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	}
	switch {
	case r.Method == http.MethodGet && path == "stats":
		write(s.Stats())
	case r.Method == http.MethodGet && path == "mutations":
		m := s.MutationLog()
		if m == nil {
			m = []Mutation{}
		}
		write(m)
	case r.Method == http.MethodPost && path == "reset-stats":
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && path == "summary":
		write(s.Snapshot().Summary())
	default:
		http.NotFound(w, r)
	}
}
