package connector

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	"github.com/conductorone/baton-sdk/pkg/pagination"
	"github.com/conductorone/baton-sdk/pkg/types"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// fastRetries keeps tests quick when the fake answers 5xx.
var fastRetries = jira.RetryPolicy{MaxRetries: 1, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
	MaxRetryAfter: time.Second}

// testConfig returns a connector configuration for srv with the server's
// classic token (and, with org, the organization's Admin API key).
func testConfig(srv *jiratest.Server, org bool) Config {
	cfg := DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = srv.URL, srv.Email, srv.APIToken
	cfg.JiraOptions = []jira.Option{jira.WithLoopback(), jira.WithRetryPolicy(fastRetries),
		jira.WithGatewayURL(srv.URL), jira.WithRateLimits(jira.UnlimitedRateLimits())}
	if org {
		cfg.AtlassianOrgID, cfg.AtlassianAPIToken = srv.OrgID, srv.AdminKey
		cfg.AtlassianOptions = []atlassian.Option{atlassian.WithBaseURL(srv.AdminURL()), atlassian.WithLoopback()}
	}
	return cfg
}

func newTestServer(t *testing.T, tenant *jiratest.Tenant, opts ...jiratest.Option) *jiratest.Server {
	t.Helper()
	srv := jiratest.NewServer(tenant, append([]jiratest.Option{jiratest.Unlimited()}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// syncResult is what a walk of the connector produced, in the shape of
// groundtruth.Truth.
type syncResult struct {
	truth groundtruth.Truth
	calls map[string]int // SDK calls per kind, e.g. "grants:group"
	// retries counts calls retried after a retryable error, and rateLimited
	// those whose error carried a RateLimitDescription with a future ResetAt.
	retries, rateLimited int
}

// retryable runs call until it returns a non-retryable result, like the
// SDK's retryer: Unavailable and DeadlineExceeded are retried (here with a
// token sleep instead of the full wait, to keep tests fast).
func (r *syncResult) retryable(t *testing.T, call func() error) error {
	t.Helper()
	for attempt := 0; ; attempt++ {
		err := call()
		code := status.Code(err)
		if err == nil || (code != codes.Unavailable && code != codes.DeadlineExceeded) || attempt > 50 {
			return err
		}
		r.retries++
		st, _ := status.FromError(err)
		for _, d := range st.Details() {
			if rl, ok := d.(*v2.RateLimitDescription); ok && rl.GetResetAt().AsTime().After(time.Now()) {
				r.rateLimited++
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// walkSync drives a ConnectorServer the way the SDK's sequential syncer does:
// every resource type is listed page by page (children under their parents),
// then entitlements per resource, then grants (type-scoped where the type
// says so). It fails on a repeated page token.
func walkSync(t *testing.T, ctx context.Context, srv types.ConnectorServer, syncID string) syncResult {
	t.Helper()
	res := syncResult{calls: map[string]int{}}
	rtResp, err := srv.ListResourceTypes(ctx, v2.ResourceTypesServiceListResourceTypesRequest_builder{}.Build())
	if err != nil {
		t.Fatalf("ListResourceTypes: %v", err)
	}
	rtypes := map[string]*v2.ResourceType{}
	var order []string
	for _, rt := range rtResp.GetList() {
		rtypes[rt.GetId()] = rt
		order = append(order, rt.GetId())
	}
	annosOf := func(rt *v2.ResourceType) annotations.Annotations { return annotations.Annotations(rt.GetAnnotations()) }

	var resources []*v2.Resource
	var list func(typ string, parent *v2.ResourceId)
	list = func(typ string, parent *v2.ResourceId) {
		tok := ""
		for {
			var resp *v2.ResourcesServiceListResourcesResponse
			err := res.retryable(t, func() (err error) {
				resp, err = srv.ListResources(ctx, v2.ResourcesServiceListResourcesRequest_builder{
					ResourceTypeId: typ, ParentResourceId: parent, PageToken: tok, ActiveSyncId: syncID}.Build())
				return err
			})
			if err != nil {
				t.Fatalf("ListResources(%s, %v, %q): %v", typ, parent, tok, err)
			}
			res.calls["list:"+typ]++
			for _, r := range resp.GetList() {
				resources = append(resources, r)
				annos := annotations.Annotations(r.GetAnnotations())
				child := &v2.ChildResourceType{}
				if ok, _ := annos.Pick(child); ok {
					list(child.GetResourceTypeId(), r.GetId())
				}
			}
			next := resp.GetNextPageToken()
			if next == "" {
				return
			}
			if next == tok {
				t.Fatalf("ListResources(%s): page token %q repeated", typ, tok)
			}
			tok = next
		}
	}
	for _, typ := range order {
		list(typ, nil)
	}

	for _, r := range resources {
		tr := groundtruth.Resource{Type: r.GetId().GetResourceType(), ID: r.GetId().GetResource(), DisplayName: r.GetDisplayName()}
		if p := r.GetParentResourceId(); p != nil {
			tr.ParentType, tr.ParentID = p.GetResourceType(), p.GetResource()
		}
		if tr.Type == "project" {
			for _, v := range r.GetProfile().GetFields()["browse_issue_level_holders"].GetListValue().GetValues() {
				tr.IssueLevelHolders = append(tr.IssueLevelHolders, v.GetStringValue())
			}
		}
		res.truth.Resources = append(res.truth.Resources, tr)
		rannos := annosOf(rtypes[tr.Type])
		if rannos.Contains(&v2.SkipEntitlementsAndGrants{}) {
			continue
		}
		tok := ""
		for {
			resp, err := srv.ListEntitlements(ctx, v2.EntitlementsServiceListEntitlementsRequest_builder{
				Resource: r, PageToken: tok, ActiveSyncId: syncID}.Build())
			if err != nil {
				t.Fatalf("ListEntitlements(%s): %v", tr.ID, err)
			}
			for _, e := range resp.GetList() {
				res.truth.Entitlements = append(res.truth.Entitlements, e.GetId())
			}
			if tok = resp.GetNextPageToken(); tok == "" {
				break
			}
		}
	}

	addGrants := func(gs []*v2.Grant) {
		for _, g := range gs {
			tg := groundtruth.Grant{Entitlement: g.GetEntitlement().GetId(),
				PrincipalType: g.GetPrincipal().GetId().GetResourceType(), PrincipalID: g.GetPrincipal().GetId().GetResource()}
			if tg.ID() != g.GetId() {
				t.Errorf("grant ID %q, want %q", g.GetId(), tg.ID())
			}
			e := &v2.GrantExpandable{}
			annos := annotations.Annotations(g.GetAnnotations())
			if ok, _ := annos.Pick(e); ok {
				tg.Expandable = e.GetEntitlementIds()
				if !slices.Equal(e.GetResourceTypeIds(), []string{"user"}) {
					t.Errorf("grant %s expands onto types %v, want [user]", g.GetId(), e.GetResourceTypeIds())
				}
			}
			res.truth.Grants = append(res.truth.Grants, tg)
		}
	}
	for _, typ := range order {
		rannos := annosOf(rtypes[typ])
		if rannos.Contains(&v2.SkipEntitlementsAndGrants{}) {
			continue
		}
		if !rannos.Contains(&v2.TypeScopedGrants{}) {
			t.Fatalf("type %s has per-resource grants; this walk expects every grant to be type-scoped", typ)
		}
		tok := ""
		for {
			stub := v2.Resource_builder{Id: v2.ResourceId_builder{ResourceType: typ, Resource: typ}.Build()}.Build()
			var resp *v2.GrantsServiceListGrantsResponse
			err := res.retryable(t, func() (err error) {
				resp, err = srv.ListGrants(ctx, v2.GrantsServiceListGrantsRequest_builder{Resource: stub, PageToken: tok,
					ActiveSyncId: syncID, Annotations: annotations.New(&v2.TypeScopedGrants{})}.Build())
				return err
			})
			if err != nil {
				t.Fatalf("ListGrants(%s, %q): %v", typ, tok, err)
			}
			res.calls["grants:"+typ]++
			addGrants(resp.GetList())
			next := resp.GetNextPageToken()
			if next == "" {
				break
			}
			if next == tok {
				t.Fatalf("ListGrants(%s): page token repeated", typ)
			}
			tok = next
		}
	}
	normalise(&res.truth)
	return res
}

// normalise sorts like groundtruth.Truth and reports duplicates as such.
func normalise(tr *groundtruth.Truth) {
	sort.Slice(tr.Resources, func(i, j int) bool {
		a, b := tr.Resources[i], tr.Resources[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.ID < b.ID
	})
	slices.Sort(tr.Entitlements)
	sort.Slice(tr.Grants, func(i, j int) bool { return tr.Grants[i].ID() < tr.Grants[j].ID() })
}

// newConn builds a connector for cfg, closed when the test ends.
func newConn(t *testing.T, cfg Config) *Connector {
	t.Helper()
	conn, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.WithoutCancel(t.Context())) })
	return conn
}

func newServerConn(t *testing.T, ctx context.Context, cfg Config) (*Connector, types.ConnectorServer) {
	t.Helper()
	conn, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv, err := connectorbuilder.NewConnector(ctx, conn)
	if err != nil {
		t.Fatalf("connectorbuilder.NewConnector: %v", err)
	}
	return conn, srv
}

func compareTruth(t *testing.T, want *groundtruth.Truth, got groundtruth.Truth) {
	t.Helper()
	wantCopy := *want
	normalise(&wantCopy)
	if d := cmp.Diff(wantCopy.Resources, got.Resources); d != "" {
		t.Errorf("resources (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantCopy.Entitlements, got.Entitlements); d != "" {
		t.Errorf("entitlements (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantCopy.Grants, got.Grants); d != "" {
		t.Errorf("grants (-want +got):\n%s", d)
	}
}

func TestSyncMatchesGroundTruth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		truth  groundtruth.Options
		edit   func(*Config)
		tenant func() *jiratest.Tenant
		opts   []jiratest.Option
	}{
		{name: "default", truth: groundtruth.Options{}},
		{name: "skip customers and participants",
			truth: groundtruth.Options{SkipCustomers: true, SkipParticipants: true},
			edit:  func(c *Config) { c.SkipCustomerUser, c.SkipProjectParticipants = true, true }},
		{name: "archived projects", truth: groundtruth.Options{IncludeArchived: true},
			edit: func(c *Config) { c.IncludeArchivedProjects = true }},
		{name: "org mode", truth: groundtruth.Options{OrgMode: true}},
		{name: "org mode skipping customers", truth: groundtruth.Options{OrgMode: true, SkipCustomers: true},
			edit: func(c *Config) { c.SkipCustomerUser = true }},
		{name: "small pages and drifting totals", truth: groundtruth.Options{},
			opts: []jiratest.Option{jiratest.WithTotalDrift(),
				jiratest.WithMaxResultsCap("/rest/api/3/users/search", 7), jiratest.WithMaxResultsCap("/rest/api/3/group/member", 3),
				jiratest.WithMaxResultsCap("/rest/api/3/project/search", 2), jiratest.WithMaxResultsCap("/rest/api/3/group/bulk", 4)}},
		{name: "site-admin 500", truth: groundtruth.Options{},
			opts: []jiratest.Option{jiratest.WithSiteAdminAccessTypeError()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			tenant := jiratest.Generate(jiratest.Small, 7)
			srv := newTestServer(t, tenant, tc.opts...)
			cfg := testConfig(srv, tc.truth.OrgMode)
			cfg.Concurrency = 4
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			conn, cs := newServerConn(t, ctx, cfg)
			if _, err := conn.Validate(ctx); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			got := walkSync(t, ctx, cs, "sync-1")
			want := groundtruth.Of(srv.Snapshot(), tc.truth)
			if strings.Contains(tc.name, "500") {
				// The site-admin grants cannot be read: the connector leaves them out.
				var kept []groundtruth.Grant
				for _, g := range want.Grants {
					if !strings.HasSuffix(g.Entitlement, ":site-admin") {
						kept = append(kept, g)
					}
				}
				want.Grants = kept
			}
			compareTruth(t, want, got.truth)
		})
	}
}

// TestSyncSurvivesFaults injects 429 storms, 5xx, 503s with Retry-After,
// connection resets and truncated bodies, with client retries off: every
// failure must reach the SDK as a retryable status (429s with their reset
// time), and retried batches must still add up to the ground truth.
func TestSyncSurvivesFaults(t *testing.T) {
	t.Parallel()
	// Seed 9 fails the site-admin group list with a generic 5xx: that must
	// be retried, not taken for Jira's documented site-admin 500.
	for _, seed := range []int64{42, 9, 23} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			srv := newTestServer(t, jiratest.Generate(jiratest.Small, 4), jiratest.WithFaults(jiratest.Faults{Seed: seed,
				Rate5xx: 0.04, Rate503RetryAfter: 0.01, RateReset: 0.03, RateTruncated: 0.03, Rate429Storm: 0.01, StormLength: 2}))
			cfg := testConfig(srv, true)
			cfg.JiraOptions = append(cfg.JiraOptions, jira.WithRetryPolicy(jira.RetryPolicy{MaxRetries: 0, MaxRetryAfter: time.Millisecond}))
			_, cs := newServerConn(t, ctx, cfg)
			got := walkSync(t, ctx, cs, "sync-faults")
			compareTruth(t, groundtruth.Of(srv.Snapshot(), groundtruth.Options{OrgMode: true}), got.truth)
			if st := srv.Stats(); st.Faults == 0 || got.retries == 0 {
				t.Fatalf("no faults reached the connector (faults %d, retries %d)", st.Faults, got.retries)
			}
			t.Logf("faults %v, SDK-level retries %d (%d rate limited)", srv.Stats().FaultKinds, got.retries, got.rateLimited)
			if seed == 42 && got.rateLimited == 0 {
				t.Errorf("no retried error carried a RateLimitDescription (retries %d)", got.retries)
			}
		})
	}
}

// TestSyncFetchesNothingTwice checks the request budget of one sync: one
// roles list for the company-managed projects, each permission scheme once, each team-managed project's roles
// once, one actor list per project role, one products list, and projects
// paged once even though grants walk them again.
func TestSyncFetchesNothingTwice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tenant := jiratest.Generate(jiratest.Small, 11)
	srv := newTestServer(t, tenant)
	cfg := testConfig(srv, false)
	conn, cs := newServerConn(t, ctx, cfg)
	res := walkSync(t, ctx, cs, "sync-budget")
	stats := srv.Stats()
	routes := stats.Routes
	once := []string{"GET /rest/api/3/applicationrole", "GET /rest/api/3/serverInfo"}
	if n := routes["GET /rest/api/3/role"]; n != 0 {
		t.Errorf("GET /role called %d times; it lists team-managed roles too, the connector must not use it", n)
	}
	for _, r := range once {
		if routes[r] != 1 {
			t.Errorf("%s called %d times, want 1", r, routes[r])
		}
	}
	snap := srv.Snapshot()
	var live, teamManaged, classic, roleLists int
	schemes := map[int64]bool{}
	for _, p := range snap.Projects {
		if p.Deleted || p.Archived {
			continue
		}
		live++
		schemes[p.PermissionSchemeID] = true
		if p.Simplified {
			teamManaged++
			roleLists += len(p.ScopedRoles)
		} else {
			classic++
			roleLists += len(snap.Roles)
		}
	}
	// One roles list per team-managed project, one for all company-managed ones.
	if got, want := routes["GET /rest/api/3/project/{projectIdOrKey}/roledetails"], teamManaged+min(classic, 1); got != want {
		t.Errorf("roledetails called %d times, want %d (team-managed projects + 1)", got, want)
	}
	if got := routes["GET /rest/api/3/project/{projectIdOrKey}/role/{id}"]; got != roleLists {
		t.Errorf("role actors read %d times, want %d", got, roleLists)
	}
	if got := routes["GET /rest/api/3/project/{projectIdOrKey}/permissionscheme"] + routes["GET /rest/api/3/permissionscheme/{schemeId}"]; got > live+len(schemes) {
		t.Errorf("permission scheme reads = %d, want at most %d (one per project plus one per distinct scheme)", got, live+len(schemes))
	}
	// One request per member page (50 members), however the pages of large
	// groups were interleaved with others and read ahead.
	memberPages := 0
	for _, g := range snap.Groups {
		memberPages += max(1, (len(g.Members)+49)/50)
	}
	if got := routes["GET /rest/api/3/group/member"]; got != memberPages {
		t.Errorf("group/member called %d times, want %d (one per member page)", got, memberPages)
	}
	if got, want := routes["GET /rest/api/3/project/search"], (live+49)/50; got != want {
		t.Errorf("project/search called %d times, want %d (List only; grants use the index)", got, want)
	}
	// Pages of 1000: one page of users, then the empty page that proves the
	// end of a bare-array endpoint.
	if got := routes["GET /rest/api/3/users/search"]; got != 2 {
		t.Errorf("users/search called %d times, want 2 for a small site (pages of 1000)", got)
	}
	// Grants of a small site come in a handful of calls thanks to batching.
	if res.calls["grants:group"] > 2 || res.calls["grants:project"] > 1 || res.calls["grants:project-role"] > 2 {
		t.Errorf("grants calls = %v, want batches", res.calls)
	}
	if s := conn.Stats(); s.Requests != int64(stats.Total) {
		t.Errorf("connector counted %d requests, server saw %d", s.Requests, stats.Total)
	}
}

// TestGrantsWithoutList checks the fall-back: grants asked for in a sync
// whose List calls happened elsewhere (a resumed sync) rebuild the indexes
// and still return every grant.
func TestGrantsWithoutList(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 3))
	cfg := testConfig(srv, false)
	cfg.SkipCustomerUser = true
	_, cs := newServerConn(t, ctx, cfg)
	full := walkSync(t, ctx, cs, "sync-a")
	// A second connector sees only grants calls.
	conn2, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []groundtruth.Grant
	for _, s := range conn2.ResourceSyncers(ctx) {
		ts, ok := s.(connectorbuilder.TypeScopedGrantsSyncer)
		if !ok {
			continue
		}
		typ := s.ResourceType(ctx).GetId()
		tok := ""
		for {
			gs, out, err := ts.GrantsForResourceType(ctx, typ, rsOpts("sync-b", tok))
			if err != nil {
				t.Fatalf("GrantsForResourceType(%s): %v", typ, err)
			}
			for _, g := range gs {
				got = append(got, groundtruth.Grant{Entitlement: g.GetEntitlement().GetId(),
					PrincipalType: g.GetPrincipal().GetId().GetResourceType(), PrincipalID: g.GetPrincipal().GetId().GetResource(),
					Expandable: expandable(g)})
			}
			if tok = out.NextPageToken; tok == "" {
				break
			}
		}
	}
	sort.Slice(got, func(i, j int) bool { return got[i].ID() < got[j].ID() })
	if d := cmp.Diff(full.truth.Grants, got); d != "" {
		t.Errorf("grants without List differ (-with List +without):\n%s", d)
	}
	// Each sync read each member page and each role's actors once (nothing
	// fetched ahead was thrown away).
	pages := 0
	for _, g := range srv.Snapshot().Groups {
		pages += max(1, (len(g.Members)+49)/50)
	}
	routes := srv.Stats().Routes
	if n := routes["GET /rest/api/3/group/member"]; n != 2*pages {
		t.Errorf("group/member read %d times in two syncs, want %d", n, 2*pages)
	}
	if n := routes["GET /rest/api/3/project/{projectIdOrKey}/role/{id}"]; n%2 != 0 {
		t.Errorf("role actors read %d times in two syncs, want an even number", n)
	}
}

func TestPerResourceGrantsMatchTypeScoped(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 5), jiratest.WithMaxResultsCap("/rest/api/3/group/member", 2))
	cfg := testConfig(srv, false)
	conn, cs := newServerConn(t, ctx, cfg)
	full := walkSync(t, ctx, cs, "sync-p")
	var got []string
	for _, s := range conn.ResourceSyncers(ctx) {
		typ := s.ResourceType(ctx).GetId()
		if typ == "user" {
			continue
		}
		for _, r := range full.truth.Resources {
			if r.Type != typ {
				continue
			}
			res := v2.Resource_builder{Id: v2.ResourceId_builder{ResourceType: r.Type, Resource: r.ID}.Build(), DisplayName: r.DisplayName}.Build()
			tok := ""
			for {
				gs, out, err := s.Grants(ctx, res, rsOpts("sync-p", tok))
				if err != nil {
					t.Fatalf("Grants(%s/%s): %v", r.Type, r.ID, err)
				}
				for _, g := range gs {
					got = append(got, g.GetId())
				}
				if tok = out.NextPageToken; tok == "" {
					break
				}
			}
		}
	}
	slices.Sort(got)
	var want []string
	for _, g := range full.truth.Grants {
		want = append(want, g.ID())
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("per-resource grants differ from type-scoped ones (-type-scoped +per-resource):\n%s", d)
	}
}

func TestSyncProjectKeys(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tenant := jiratest.Generate(jiratest.Small, 9)
	var keys []string
	for _, p := range tenant.Projects {
		if !p.Archived && !p.Deleted && len(keys) < 2 {
			keys = append(keys, strings.ToLower(p.Key))
		}
	}
	srv := newTestServer(t, tenant)
	cfg := testConfig(srv, false)
	cfg.SyncProjectKeys = keys
	_, cs := newServerConn(t, ctx, cfg)
	got := walkSync(t, ctx, cs, "sync-k")
	compareTruth(t, groundtruth.Of(srv.Snapshot(), groundtruth.Options{SyncProjectKeys: keys}), got.truth)
	n := 0
	for _, r := range got.truth.Resources {
		if r.Type == "project" {
			n++
		}
	}
	if n != len(keys) {
		t.Errorf("synced %d projects, want %d", n, len(keys))
	}
}

func TestBuilderRegistration(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := validConfig()
	conn, cs := newServerConn(t, ctx, cfg)
	md, err := cs.GetMetadata(ctx, v2.ConnectorServiceGetMetadataRequest_builder{}.Build())
	if err != nil {
		t.Fatal(err)
	}
	if md.GetMetadata().GetDisplayName() != "Jira Cloud" || md.GetMetadata().GetDescription() == "" {
		t.Errorf("metadata = %v", md.GetMetadata())
	}
	var ids []string
	for _, s := range conn.ResourceSyncers(ctx) {
		ids = append(ids, s.ResourceType(ctx).GetId())
	}
	want := []string{"user", "group", "project", "project-role", "product", "site"}
	if d := cmp.Diff(want, ids); d != "" {
		t.Errorf("resource types (-want +got):\n%s", d)
	}
	if s := conn.Stats(); s.Requests != 0 {
		t.Errorf("New made %d requests, want none", s.Requests)
	}
	if err := conn.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestNewSharesOneTransport(t *testing.T) {
	t.Parallel()
	cfg := validConfig()
	cfg.AtlassianOrgID, cfg.AtlassianAPIToken = "org-1", "ATCTT-key"
	cfg.RequestsPerSecond = 7
	conn, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if conn.admin == nil || conn.admin.Transport() != conn.jira.Transport() {
		t.Fatal("the Admin API client does not share the Jira client's transport")
	}
	if got := conn.jira.Transport().Limiter().Limits().Global; got != 7 {
		t.Errorf("global limit = %v, want 7 (RequestsPerSecond)", got)
	}
	if got := conn.jira.Transport().Limiter().Limits().PerMethod["GET"]; got != 100 {
		t.Errorf("GET limit = %v, want Jira's documented 100/s per endpoint", got)
	}
	bad := validConfig()
	bad.JiraAPIToken = ""
	if _, err := New(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "jira-api-token is required") {
		t.Errorf("New with an invalid config = %v", err)
	}
}

func rsOpts(syncID, tok string) rs.SyncOpAttrs {
	return rs.SyncOpAttrs{SyncID: syncID, PageToken: pagination.Token{Token: tok}}
}

// TestSyncMediumMatchesGroundTruth runs the whole walk on a medium site
// (2,000 users, 150 groups, 80 projects): groups with many member pages,
// team-managed projects and several permission schemes.
func TestSyncMediumMatchesGroundTruth(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("medium tenant")
	}
	for _, org := range []bool{false, true} {
		t.Run(fmt.Sprintf("org=%v", org), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			srv := newTestServer(t, jiratest.Generate(jiratest.Medium, 1))
			_, cs := newServerConn(t, ctx, testConfig(srv, org))
			got := walkSync(t, ctx, cs, "sync-medium")
			compareTruth(t, groundtruth.Of(srv.Snapshot(), groundtruth.Options{OrgMode: org}), got.truth)
			// ~240 member pages in batches of 100, 72 projects in one batch of
			// 100, ~390 role lists in batches of 250.
			if got.calls["grants:project"] != 1 || got.calls["grants:project-role"] != 2 || got.calls["grants:group"] != 3 {
				t.Errorf("grants calls = %v", got.calls)
			}
		})
	}
}

func TestInvalidPageTokens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 1))
	conn, err := New(ctx, testConfig(srv, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range conn.ResourceSyncers(ctx) {
		typ := s.ResourceType(ctx).GetId()
		if ts, ok := s.(connectorbuilder.TypeScopedGrantsSyncer); ok && typ != "product" {
			if _, _, err := ts.GrantsForResourceType(ctx, typ, rsOpts("s", "%%%not-a-token")); status.Code(err) != codes.InvalidArgument {
				t.Errorf("GrantsForResourceType(%s) with a corrupt token = %v, want InvalidArgument", typ, err)
			}
		}
	}
	users := &userSyncer{c: conn}
	if _, _, err := users.List(ctx, nil, rsOpts("s", "{not json")); status.Code(err) != codes.InvalidArgument {
		t.Errorf("org-mode user List with a corrupt token = %v, want InvalidArgument", err)
	}
}
