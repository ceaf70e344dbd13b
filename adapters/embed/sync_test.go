package embed_test

import (
	"cmp"
	"context"
	"encoding/json"
	sdksync "github.com/conductorone/baton-sdk/pkg/sync"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// testRetries keeps client retries quick; the SDK retries what is left.
var testRetries = jira.RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
	MaxRetryAfter: 2 * time.Second}

func newServer(t *testing.T, tenant *jiratest.Tenant, opts ...jiratest.Option) *jiratest.Server {
	t.Helper()
	srv := jiratest.NewServer(tenant, append([]jiratest.Option{jiratest.Unlimited()}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// testConfig returns the connector configuration for srv (classic token; with
// org, the organization's Admin API key too).
func testConfig(srv *jiratest.Server, org bool) connector.Config {
	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = srv.URL, srv.Email, srv.APIToken
	cfg.Concurrency = 4
	cfg.JiraOptions = []jira.Option{jira.WithLoopback(), jira.WithRetryPolicy(testRetries),
		jira.WithGatewayURL(srv.URL), jira.WithRateLimits(jira.UnlimitedRateLimits())}
	if org {
		cfg.AtlassianOrgID, cfg.AtlassianAPIToken = srv.OrgID, srv.AdminKey
		cfg.AtlassianOptions = []atlassian.Option{atlassian.WithBaseURL(srv.AdminURL()), atlassian.WithLoopback()}
	}
	return cfg
}

// syncTo runs embed.Sync into a fresh directory and reads the file back.
func syncTo(t *testing.T, cfg connector.Config, opts ...embed.Option) (*embed.Result, *embed.Snapshot) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sync.c1z")
	res, err := embed.Sync(t.Context(), cfg, append([]embed.Option{embed.WithC1ZPath(path), embed.WithTmpDir(t.TempDir())}, opts...)...)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	snap, err := embed.ReadC1Z(t.Context(), res.C1ZPath)
	if err != nil {
		t.Fatalf("ReadC1Z: %v", err)
	}
	return res, snap
}

// compareTruth checks every resource, entitlement and direct grant (with its
// expandable annotation) against want, and the user grants after expansion
// against want.Expanded().
func compareTruth(t *testing.T, want *groundtruth.Truth, snap *embed.Snapshot) {
	t.Helper()
	var res []groundtruth.Resource
	for _, r := range snap.Resources {
		tr := groundtruth.Resource{Type: r.Type, ID: r.ID, ParentType: r.ParentType, ParentID: r.ParentID, DisplayName: r.DisplayName}
		if hs, ok := r.Profile["browse_issue_level_holders"].([]any); ok {
			for _, h := range hs {
				tr.IssueLevelHolders = append(tr.IssueLevelHolders, h.(string))
			}
		}
		res = append(res, tr)
	}
	if d := gocmp.Diff(want.Resources, res); d != "" {
		t.Errorf("resources (-truth +c1z):\n%s", d)
	}
	var ents []string
	for _, e := range snap.Entitlements {
		ents = append(ents, e.ID)
	}
	if d := gocmp.Diff(want.Entitlements, ents); d != "" {
		t.Errorf("entitlements (-truth +c1z):\n%s", d)
	}

	var direct []groundtruth.Grant
	for _, g := range snap.DirectGrants() {
		direct = append(direct, groundtruth.Grant{Entitlement: g.Entitlement, PrincipalType: g.PrincipalType,
			PrincipalID: g.PrincipalID, Expandable: g.Expandable})
		if g.Expandable != nil && !slices.Equal(g.ExpandableTypes, []string{"user"}) {
			t.Errorf("grant %s expands onto types %v, want [user]", g.ID, g.ExpandableTypes)
		}
	}
	slices.SortFunc(direct, func(a, b groundtruth.Grant) int {
		return cmp.Or(cmp.Compare(a.Entitlement, b.Entitlement), cmp.Compare(a.PrincipalType, b.PrincipalType),
			cmp.Compare(a.PrincipalID, b.PrincipalID))
	})
	if d := gocmp.Diff(want.Grants, direct); d != "" {
		t.Errorf("direct grants (-truth +c1z):\n%s", d)
	}

	wantUsers := want.Expanded()
	gotUsers := map[string]struct{}{}
	for _, g := range snap.Grants {
		if g.PrincipalType == groundtruth.TypeUser {
			gotUsers[g.ID] = struct{}{}
		} else if g.Expanded {
			t.Errorf("expansion produced a %s grant %s; only users are expanded", g.PrincipalType, g.ID)
		}
	}
	missing, extra := setDiff(wantUsers, gotUsers), setDiff(gotUsers, wantUsers)
	if len(missing)+len(extra) > 0 {
		t.Errorf("user grants after expansion: %d missing, %d extra (truth %d, c1z %d); first missing %v, first extra %v",
			len(missing), len(extra), len(wantUsers), len(gotUsers), head(missing, 5), head(extra, 5))
	}
}

func setDiff(a, b map[string]struct{}) []string {
	var out []string
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func head(s []string, n int) []string { return s[:min(n, len(s))] }

// TestSyncMatchesGroundTruth runs full in-process syncs of Small tenants with
// the connector's options and compares every object with the ground truth.
func TestSyncMatchesGroundTruth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		truth groundtruth.Options
		edit  func(*connector.Config)
		opts  []embed.Option
		srv   []jiratest.Option
		check func(t *testing.T, tenant *jiratest.Tenant, snap *embed.Snapshot)
	}{
		{name: "default", check: checkEmails},
		{name: "skip customer users", truth: groundtruth.Options{SkipCustomers: true},
			edit: func(c *connector.Config) { c.SkipCustomerUser = true }, check: checkNoCustomers},
		{name: "skip project participants", truth: groundtruth.Options{SkipParticipants: true},
			edit: func(c *connector.Config) { c.SkipProjectParticipants = true }, check: checkNoParticipate},
		{name: "archived projects", truth: groundtruth.Options{IncludeArchived: true},
			edit: func(c *connector.Config) { c.IncludeArchivedProjects = true }},
		{name: "org mode", truth: groundtruth.Options{OrgMode: true}},
		{name: "org mode skipping customers", truth: groundtruth.Options{OrgMode: true, SkipCustomers: true},
			edit: func(c *connector.Config) { c.SkipCustomerUser = true }, check: checkNoCustomers},
		{name: "empty pages", srv: []jiratest.Option{jiratest.WithEmptyPages(2)}},
		{name: "lowered page sizes and drifting totals", srv: []jiratest.Option{jiratest.WithTotalDrift(),
			jiratest.WithMaxResultsCap("/rest/api/3/users/search", 7), jiratest.WithMaxResultsCap("/rest/api/3/group/member", 3),
			jiratest.WithMaxResultsCap("/rest/api/3/project/search", 2), jiratest.WithMaxResultsCap("/rest/api/3/group/bulk", 4)}},
		{name: "parallel syncer", opts: []embed.Option{embed.WithWorkers(4)}},
		{name: "sqlite engine", opts: []embed.Option{embed.WithStorageEngine(embed.EngineSQLite)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := jiratest.Generate(jiratest.Small, 7)
			srv := newServer(t, tenant, tc.srv...)
			cfg := testConfig(srv, tc.truth.OrgMode)
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			res, snap := syncTo(t, cfg, tc.opts...)
			compareTruth(t, groundtruth.Of(srv.Snapshot(), tc.truth), snap)
			checkResult(t, res, snap, srv)
			if tc.check != nil {
				tc.check(t, tenant, snap)
			}
		})
	}
}

// checkResult checks that Result's counts are those of the file and its
// request counters those of the fake.
func checkResult(t *testing.T, res *embed.Result, snap *embed.Snapshot, srv *jiratest.Server) {
	t.Helper()
	got := [5]int{res.ResourceTypes, res.Resources, res.Entitlements, res.Grants, res.ExpandedGrants}
	want := [5]int{len(snap.ResourceTypes), len(snap.Resources), len(snap.Entitlements), len(snap.Grants), len(snap.ExpandedGrants())}
	if got != want {
		t.Errorf("Result counts (types, resources, entitlements, grants, expanded) = %v, file has %v", got, want)
	}
	n := 0
	for _, c := range res.ByResourceType {
		n += c.Grants
	}
	if n != res.Grants || res.ByResourceType["project"].Resources == 0 {
		t.Errorf("ByResourceType = %+v does not add up to %d grants", res.ByResourceType, res.Grants)
	}
	// Per type, the counts (taken from the SDK's stats) are those of the file.
	byType := map[string]embed.TypeCounts{}
	bump := func(rt string, f func(*embed.TypeCounts)) {
		c := byType[rt]
		f(&c)
		byType[rt] = c
	}
	for _, r := range snap.Resources {
		bump(r.Type, func(c *embed.TypeCounts) { c.Resources++ })
	}
	for _, e := range snap.Entitlements {
		bump(e.ResourceType, func(c *embed.TypeCounts) { c.Entitlements++ })
	}
	for _, g := range snap.Grants {
		bump(strings.SplitN(g.Entitlement, ":", 2)[0], func(c *embed.TypeCounts) { c.Grants++ })
	}
	gotTypes := map[string]embed.TypeCounts{}
	for rt, c := range res.ByResourceType {
		if c != (embed.TypeCounts{}) {
			gotTypes[rt] = c
		}
	}
	if d := gocmp.Diff(byType, gotTypes); d != "" {
		t.Errorf("Result.ByResourceType differs from the file (-file +result):\n%s", d)
	}
	if st := srv.Stats(); int64(st.Total) != res.Requests || res.Requests == 0 {
		t.Errorf("Result.Requests = %d, the fake served %d", res.Requests, st.Total)
	}
	if res.APIDuration <= 0 || res.APIDuration > res.Duration {
		t.Errorf("APIDuration %v, Duration %v: want 0 < APIDuration <= Duration", res.APIDuration, res.Duration)
	}
}

// checkEmails: users with a hidden email have none in the c1z; the others
// carry the email Jira shows.
func checkEmails(t *testing.T, tenant *jiratest.Tenant, snap *embed.Snapshot) {
	t.Helper()
	byID := map[string]embed.Resource{}
	for _, r := range snap.Resources {
		byID[r.Type+"/"+r.ID] = r
	}
	hidden := 0
	for _, u := range tenant.Users {
		r, ok := byID["user/"+u.AccountID]
		if !ok {
			continue
		}
		if u.EmailHidden {
			hidden++
		}
		if r.Email != u.VisibleEmail() {
			t.Errorf("user %s (hidden %t): email %q, want %q", u.AccountID, u.EmailHidden, r.Email, u.VisibleEmail())
		}
	}
	if hidden == 0 {
		t.Error("the tenant has no user with a hidden email: the check proves nothing")
	}
}

func checkNoCustomers(t *testing.T, tenant *jiratest.Tenant, snap *embed.Snapshot) {
	t.Helper()
	customers := map[string]bool{}
	for _, u := range tenant.Users {
		if u.AccountType == jiratest.AccountTypeCustomer {
			customers[u.AccountID] = true
		}
	}
	if tenant.Org != nil {
		for _, a := range tenant.Org.Accounts {
			if a.AccountType == jiratest.AccountTypeCustomer {
				customers[a.AccountID] = true
			}
		}
	}
	if len(customers) == 0 {
		t.Fatal("the tenant has no customer accounts: the check proves nothing")
	}
	for _, g := range snap.Grants {
		if g.PrincipalType == groundtruth.TypeUser && customers[g.PrincipalID] {
			t.Errorf("grant %s names a customer account", g.ID)
		}
	}
	for _, r := range snap.Resources {
		if r.Type == groundtruth.TypeUser && customers[r.ID] {
			t.Errorf("customer account %s was synced", r.ID)
		}
	}
}

func checkNoParticipate(t *testing.T, _ *jiratest.Tenant, snap *embed.Snapshot) {
	t.Helper()
	for _, e := range snap.Entitlements {
		if e.Slug == "participate" {
			t.Errorf("entitlement %s synced with skip-project-participants", e.ID)
		}
	}
}

// TestSyncMedium syncs the Medium tenant once, with pagination quirks on
// the big listings, and compares everything with the ground truth.
func TestSyncMedium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("medium tenant skipped in -short mode")
	}
	tenant := jiratest.Generate(jiratest.Medium, 3)
	srv := newServer(t, tenant, jiratest.WithTotalDrift(),
		jiratest.WithMaxResultsCap("/rest/api/3/users/search", 333), jiratest.WithMaxResultsCap("/rest/api/3/group/member", 20))
	cfg := testConfig(srv, false)
	cfg.Concurrency = 8
	res, snap := syncTo(t, cfg)
	compareTruth(t, groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), snap)
	checkResult(t, res, snap, srv)
	t.Logf("medium: %d resources, %d entitlements, %d grants (%d expanded), %d requests, %v (API %v)",
		res.Resources, res.Entitlements, res.Grants, res.ExpandedGrants, res.Requests, res.Duration, res.APIDuration)
}

// TestSyncProjectKeys limits the sync to two projects.
func TestSyncProjectKeys(t *testing.T) {
	t.Parallel()
	tenant := jiratest.Generate(jiratest.Small, 9)
	var keys []string
	for _, p := range tenant.Projects {
		if !p.Archived && !p.Deleted && len(keys) < 2 {
			keys = append(keys, p.Key)
		}
	}
	srv := newServer(t, tenant)
	cfg := testConfig(srv, false)
	cfg.SyncProjectKeys = keys
	_, snap := syncTo(t, cfg)
	compareTruth(t, groundtruth.Of(srv.Snapshot(), groundtruth.Options{SyncProjectKeys: keys}), snap)
	n := 0
	for _, r := range snap.Resources {
		if r.Type == groundtruth.TypeProject {
			n++
		}
	}
	if n != len(keys) {
		t.Errorf("synced %d projects, want %d (%v)", n, len(keys), keys)
	}
}

// TestSyncWithoutExpandableParticipants turns ExpandParticipants off: the
// participate grants are the same, none expandable, so no user is derived
// onto participate.
func TestSyncWithoutExpandableParticipants(t *testing.T) {
	t.Parallel()
	srv := newServer(t, jiratest.Generate(jiratest.Small, 7))
	cfg := testConfig(srv, false)
	cfg.ExpandParticipants = false
	_, snap := syncTo(t, cfg)
	want := groundtruth.Of(srv.Snapshot(), groundtruth.Options{})
	for i, g := range want.Grants {
		if strings.HasSuffix(g.Entitlement, ":participate") {
			want.Grants[i].Expandable = nil
		}
	}
	compareTruth(t, want, snap)
}

// TestSyncLimitedTypesCountsTheFile: with the sync limited to some resource
// types the SDK drops grants naming the others; Result's counts are still
// those of the file, expanded grants included.
func TestSyncLimitedTypesCountsTheFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t, jiratest.Generate(jiratest.Small, 7))
	res, snap := syncTo(t, testConfig(srv, false),
		embed.WithSyncOptions(sdksync.WithSyncResourceTypes([]string{"user", "group", "project"})))
	if len(snap.ExpandedGrants()) == 0 {
		t.Fatal("the limited sync expanded nothing; the test needs expanded grants")
	}
	got := [3]int{res.Resources, res.Grants, res.ExpandedGrants}
	want := [3]int{len(snap.Resources), len(snap.Grants), len(snap.ExpandedGrants())}
	if got != want {
		t.Errorf("Result (resources, grants, expanded) = %v, file has %v", got, want)
	}
}

// TestSyncSkippingGrantsReadsNoGrants: a sync told to skip grants (a
// resources-only sync) reads no member page, role actor list or service
// desk customer, even though the connector reads grants ahead of the SDK.
// Permission schemes are read, each project's once and each scheme once:
// the project profiles name their issue-level Browse Projects holders.
func TestSyncSkippingGrantsReadsNoGrants(t *testing.T) {
	t.Parallel()
	srv := newServer(t, jiratest.Generate(jiratest.Medium, 7))
	res, snap := syncTo(t, testConfig(srv, false), embed.WithSyncOptions(sdksync.WithSkipGrants(true)))
	if len(snap.Grants) != 0 || res.Grants != 0 {
		t.Errorf("%d grants in the file (Result says %d), want none", len(snap.Grants), res.Grants)
	}
	if len(snap.Resources) == 0 {
		t.Fatal("no resources synced")
	}
	routes := srv.Stats().Routes
	for _, r := range []string{"GET /rest/api/3/group/member", "GET /rest/api/3/project/{projectIdOrKey}/role/{id}",
		"GET /rest/servicedeskapi/servicedesk", "GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/customer"} {
		if n := routes[r]; n != 0 {
			t.Errorf("%s read %d times by a sync that skips grants", r, n)
		}
	}
	projects := 0
	for _, r := range snap.Resources {
		if r.Type == "project" {
			projects++
		}
	}
	if n := routes["GET /rest/api/3/project/{projectIdOrKey}/permissionscheme"]; n > projects+1 {
		t.Errorf("project permission schemes looked up %d times for %d projects", n, projects)
	}
}

// TestSyncSurvivesFaults injects 429 storms with Retry-After, 5xx, 503 with
// Retry-After, connection resets and truncated bodies: the c1z must be
// identical to a clean sync of the same tenant.
func TestSyncSurvivesFaults(t *testing.T) {
	t.Parallel()
	tenant := jiratest.Generate(jiratest.Small, 4)
	clean := newServer(t, tenant)
	_, want := syncTo(t, testConfig(clean, true))

	srv := newServer(t, tenant, jiratest.WithFaults(jiratest.Faults{Seed: 42, Rate5xx: 0.05, Rate503RetryAfter: 0.02,
		RateReset: 0.03, RateTruncated: 0.02, Rate429Storm: 0.02, StormLength: 3}))
	res, got := syncTo(t, testConfig(srv, true))
	if d := gocmp.Diff(want, got); d != "" {
		t.Errorf("sync under faults differs from a clean sync (-clean +faults):\n%s", d)
	}
	compareTruth(t, groundtruth.Of(srv.Snapshot(), groundtruth.Options{OrgMode: true}), got)
	st := srv.Stats()
	if st.Faults == 0 || st.FaultKinds["storm"]+st.RateLimited == 0 {
		t.Fatalf("faults %v, 429s %d: the test injected too little", st.FaultKinds, st.RateLimited)
	}
	if res.Retries == 0 || res.RateLimited == 0 {
		t.Errorf("Result.Retries = %d, RateLimited = %d: want both > 0 under faults", res.Retries, res.RateLimited)
	}
	t.Logf("faults %v; %d requests, %d retries, %d 429s, waited %v", st.FaultKinds, res.Requests, res.Retries, res.RateLimited, res.Waited)
}

// TestSyncProgress checks the progress callback: counts only grow and the
// request counter reaches the final total.
func TestSyncProgress(t *testing.T) {
	t.Parallel()
	srv := newServer(t, jiratest.Generate(jiratest.Small, 7), jiratest.WithLatency(2*time.Millisecond))
	var (
		mu   sync.Mutex
		seen []embed.Progress
	)
	res, _ := syncTo(t, testConfig(srv, false), embed.WithProgress(func(p embed.Progress) {
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	}))
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 3 {
		t.Fatalf("%d progress reports, want several", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		a, b := seen[i-1], seen[i]
		if b.Resources < a.Resources || b.Grants < a.Grants || b.Requests < a.Requests || b.Elapsed < a.Elapsed {
			t.Fatalf("progress went backwards: %+v then %+v", a, b)
		}
	}
	last := seen[len(seen)-1]
	if last.Resources != res.Resources || last.Requests > res.Requests || last.Grants == 0 {
		t.Errorf("last progress %+v; result has %d resources and %d requests", last, res.Resources, res.Requests)
	}
}

// TestSyncErrors: a bad token fails the sync with a clean error that does
// not contain the token, and leaves no file behind.
func TestSyncErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t, jiratest.Generate(jiratest.Small, 7))

	t.Run("bad token", func(t *testing.T) {
		t.Parallel()
		cfg := testConfig(srv, false)
		cfg.JiraAPIToken = "ATATT-wrong-token-0123456789"
		dir := t.TempDir()
		_, err := embed.Sync(t.Context(), cfg, embed.WithC1ZPath(filepath.Join(dir, "x.c1z")))
		if err == nil {
			t.Fatal("Sync with a wrong token succeeded")
		}
		if strings.Contains(err.Error(), cfg.JiraAPIToken) || strings.Contains(err.Error(), srv.APIToken) {
			t.Errorf("error leaks a token: %v", err)
		}
		if !strings.HasPrefix(err.Error(), "embed: ") {
			t.Errorf("error = %q, want the embed: prefix", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%d files left behind after a failed sync", len(entries))
		}
	})
	t.Run("invalid config", func(t *testing.T) {
		t.Parallel()
		cfg := testConfig(srv, false)
		cfg.JiraURL = ""
		_, err := embed.Sync(t.Context(), cfg, embed.WithC1ZPath(filepath.Join(t.TempDir(), "x.c1z")))
		if err == nil || !strings.Contains(err.Error(), "jira-url is required") {
			t.Errorf("error = %v, want the connector's validation message", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		slow := newServer(t, jiratest.Generate(jiratest.Small, 7), jiratest.WithLatency(50*time.Millisecond))
		time.AfterFunc(200*time.Millisecond, cancel)
		dir := t.TempDir()
		_, err := embed.Sync(ctx, testConfig(slow, false), embed.WithC1ZPath(filepath.Join(dir, "x.c1z")))
		if err == nil {
			t.Fatal("Sync survived cancellation")
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%d files left behind after a cancelled sync", len(entries))
		}
	})
}

// TestC1ZOpensWithBatonCLI reads the file with the baton CLI. It needs the
// CLI binary in $JIRACLOUD_BATON_CLI (build it with
// `go build -o /tmp/baton github.com/conductorone/baton-sdk/cmd/baton`);
// without it the test is skipped: ReadC1Z opens the file the way the CLI does.
func TestC1ZOpensWithBatonCLI(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("JIRACLOUD_BATON_CLI")
	if bin == "" {
		t.Skip("set JIRACLOUD_BATON_CLI to a baton binary to run this test")
	}
	srv := newServer(t, jiratest.Generate(jiratest.Small, 7))
	res, snap := syncTo(t, testConfig(srv, false))
	out, err := exec.CommandContext(t.Context(), bin, "resources", "-f", res.C1ZPath, "-o", "json").Output()
	if err != nil {
		t.Fatalf("baton resources: %v", err)
	}
	var doc struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("baton output: %v", err)
	}
	if len(doc.Resources) != len(snap.Resources) {
		t.Errorf("baton lists %d resources, ReadC1Z %d", len(doc.Resources), len(snap.Resources))
	}
}
