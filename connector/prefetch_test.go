package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func TestAheadHandsAResultOutOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var a ahead[int]
	var calls atomic.Int32
	a.start(ctx, "k1", func(context.Context) (int, error) { calls.Add(1); return 42, nil })
	a.start(ctx, "k1", func(context.Context) (int, error) { calls.Add(1); return 43, nil }) // already pending
	v, found, err := a.take(ctx, "k1")
	if !found || err != nil || v != 42 {
		t.Fatalf("take(k1) = %d, %v, %v; want 42, true, nil", v, found, err)
	}
	if _, found, _ := a.take(ctx, "k1"); found {
		t.Error("a second take(k1) found the result again")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("fetch ran %d times, want 1", n)
	}
	if k, ok := a.pendingKey(); ok {
		t.Errorf("pending %q after take, want nothing", k)
	}
}

func TestAheadMismatchCancelsAndFallsBack(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var a ahead[int]
	started, ended := make(chan struct{}), make(chan struct{})
	a.start(ctx, "k1", func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done()
		close(ended)
		return 0, ctx.Err()
	})
	<-started
	v, found, err := a.take(ctx, "k2")
	if found || err != nil || v != 0 {
		t.Fatalf("take(k2) = %d, %v, %v; want a miss", v, found, err)
	}
	select {
	case <-ended:
	default:
		t.Fatal("take returned before the cancelled fetch ended")
	}
	if k, ok := a.pendingKey(); ok {
		t.Errorf("pending %q after a mismatch, want nothing", k)
	}
}

func TestAheadErrorIsReturnedByTheTakingCall(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var a ahead[int]
	boom := errors.New("boom")
	a.start(ctx, "k", func(context.Context) (int, error) { return 0, boom })
	if _, found, err := a.take(ctx, "k"); !found || !errors.Is(err, boom) {
		t.Fatalf("take(k) = %v, %v; want found with the fetch's error", found, err)
	}
	if _, found, err := a.take(ctx, "k"); found || err != nil {
		t.Errorf("second take(k) = %v, %v; want a miss (the error is reported once)", found, err)
	}
}

type ctxKey struct{}

func TestAheadFetchOutlivesTheStartingCall(t *testing.T) {
	t.Parallel()
	var a ahead[string]
	cctx, cancel := context.WithCancel(context.WithValue(t.Context(), ctxKey{}, "logger"))
	release := make(chan struct{})
	a.start(cctx, "k", func(ctx context.Context) (string, error) {
		<-release
		v, _ := ctx.Value(ctxKey{}).(string)
		return v, ctx.Err()
	})
	cancel() // the call that started the fetch returns
	close(release)
	v, found, err := a.take(t.Context(), "k")
	if !found || err != nil || v != "logger" {
		t.Fatalf("take(k) = %q, %v, %v; want the value seen through the caller's context, no error", v, found, err)
	}
}

func TestAheadTakeInterruptedKeepsTheFetch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var a ahead[int]
	release := make(chan struct{})
	a.start(ctx, "k", func(context.Context) (int, error) { <-release; return 7, nil })
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, found, err := a.take(cctx, "k"); !found || !errors.Is(err, context.Canceled) {
		t.Fatalf("take with a cancelled context = %v, %v; want found, context.Canceled", found, err)
	}
	close(release)
	if v, found, err := a.take(ctx, "k"); !found || err != nil || v != 7 {
		t.Fatalf("retried take(k) = %d, %v, %v; want 7, true, nil", v, found, err)
	}
}

func TestAheadStopEndsTheFetch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var a ahead[int]
	ended := make(chan struct{})
	a.start(ctx, "k", func(ctx context.Context) (int, error) { <-ctx.Done(); close(ended); return 0, ctx.Err() })
	a.stop()
	select {
	case <-ended:
	default:
		t.Fatal("stop returned before the fetch ended")
	}
	var ran atomic.Bool
	a.start(ctx, "k2", func(context.Context) (int, error) { ran.Store(true); return 1, nil })
	if _, found, _ := a.take(ctx, "k2"); found || ran.Load() {
		t.Errorf("start after stop fetched (found %v, ran %v)", found, ran.Load())
	}
	if k, ok := a.pendingKey(); ok {
		t.Errorf("pending %q after stop", k)
	}
}

// pageWalk is a three-page walk "" → "a" → "b" → end whose fetches are
// recorded; failOnce makes the first fetch of that key fail.
type pageWalk struct {
	mu       sync.Mutex
	fetched  []string
	failOnce map[string]bool
}

var errPage = errors.New("page failed")

func (w *pageWalk) fetch(_ context.Context, key string) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fetched = append(w.fetched, key)
	if w.failOnce[key] {
		delete(w.failOnce, key)
		return "", errPage
	}
	return map[string]string{"": "a", "a": "b", "b": ""}[key], nil
}

func (w *pageWalk) log() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.fetched)
}

func nextOf(v string) string { return v }

func TestPipelinedFetchesEachPageOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := &pageWalk{}
	var a ahead[string]
	for _, key := range []string{"", "a", "b"} {
		if _, err := pipelined(ctx, &a, key, w.fetch, nextOf); err != nil {
			t.Fatalf("pipelined(%q): %v", key, err)
		}
		if k, _ := a.pendingKey(); key == "" && k != "a" {
			t.Errorf("after the first page, pending %q, want the next page a", k)
		}
	}
	if d := cmp.Diff([]string{"", "a", "b"}, w.log()); d != "" {
		t.Errorf("fetches (-want +got):\n%s", d)
	}
	if k, ok := a.pendingKey(); ok {
		t.Errorf("pending %q after the last page, want nothing", k)
	}
}

func TestPipelinedUnexpectedTokenFetchesSynchronously(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := &pageWalk{}
	var a ahead[string]
	if v, err := pipelined(ctx, &a, "", w.fetch, nextOf); err != nil || v != "a" {
		t.Fatalf("first page = %q, %v", v, err)
	}
	// The SDK asks for the first page again (a retry): the page fetched
	// ahead is not used, and the walk goes on correctly.
	if v, err := pipelined(ctx, &a, "", w.fetch, nextOf); err != nil || v != "a" {
		t.Fatalf("first page again = %q, %v", v, err)
	}
	if v, err := pipelined(ctx, &a, "a", w.fetch, nextOf); err != nil || v != "b" {
		t.Fatalf("page a = %q, %v", v, err)
	}
	// "" (synchronous), "a" (ahead, dropped by the repeated call), ""
	// (synchronous again), "a" (ahead, taken), then maybe "b" (ahead).
	if got := w.log(); len(got) < 4 || !slices.Equal(got[:4], []string{"", "a", "", "a"}) {
		t.Errorf("fetches %q, want \"\", a, \"\", a first", got)
	}
	if k, _ := a.pendingKey(); k != "b" {
		t.Errorf("pending %q, want b", k)
	}
}

func TestPipelinedReturnsTheErrorOfAPageFetchedAhead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := &pageWalk{failOnce: map[string]bool{"a": true}}
	var a ahead[string]
	if _, err := pipelined(ctx, &a, "", w.fetch, nextOf); err != nil {
		t.Fatal(err)
	}
	if _, err := pipelined(ctx, &a, "a", w.fetch, nextOf); !errors.Is(err, errPage) {
		t.Fatalf("page a = %v, want the error of its fetch ahead", err)
	}
	if k, ok := a.pendingKey(); ok {
		t.Errorf("pending %q after an error, want nothing", k)
	}
	if v, err := pipelined(ctx, &a, "a", w.fetch, nextOf); err != nil || v != "b" {
		t.Fatalf("page a retried = %q, %v", v, err)
	}
	if v, err := pipelined(ctx, &a, "b", w.fetch, nextOf); err != nil || v != "" {
		t.Fatalf("page b = %q, %v", v, err)
	}
	if d := cmp.Diff([]string{"", "a", "a", "b"}, w.log()); d != "" {
		t.Errorf("fetches (-want +got):\n%s", d)
	}
}

// faultProxy forwards to a fake site and fails the requests fail selects
// with 403 (an error retrying does not fix).
type faultProxy struct {
	*httptest.Server
	fail func(r *http.Request) bool
}

func newFaultProxy(t *testing.T, target string, fail func(r *http.Request) bool) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{fail: fail}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.fail(r) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"errorMessages":["injected"],"errors":{}}`)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// proxiedConfig is testConfig with requests sent through proxy.
func proxiedConfig(srv *jiratest.Server, proxy string) Config {
	cfg := testConfig(srv, false)
	cfg.JiraURL = proxy
	cfg.JiraOptions = []jira.Option{jira.WithLoopback(), jira.WithRetryPolicy(fastRetries),
		jira.WithGatewayURL(proxy), jira.WithRateLimits(jira.UnlimitedRateLimits())}
	return cfg
}

// groupGrantIDs walks the group grants from tok to the end and returns the
// grant IDs and the number of calls.
func groupGrantIDs(t *testing.T, conn *Connector, syncID, tok string) ([]string, int) {
	t.Helper()
	s := &groupSyncer{provisioner{conn}}
	var ids []string
	calls := 0
	for {
		gs, out, err := s.GrantsForResourceType(t.Context(), "group", rsOpts(syncID, tok))
		if err != nil {
			t.Fatalf("GrantsForResourceType(group, %q): %v", tok, err)
		}
		calls++
		for _, g := range gs {
			ids = append(ids, g.GetId())
		}
		if tok = out.NextPageToken; tok == "" {
			return ids, calls
		}
	}
}

func truthGrantIDs(tr *groundtruth.Truth, suffix string) []string {
	var out []string
	for _, g := range tr.Grants {
		if strings.HasSuffix(g.Entitlement, suffix) {
			out = append(out, g.ID())
		}
	}
	sort.Strings(out)
	return out
}

func TestGroupGrantsPrefetchErrorReachesTheSDK(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Medium, 1))
	var members, armed atomic.Int64
	armed.Store(1)
	proxy := newFaultProxy(t, srv.URL, func(r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/group/member") {
			return false
		}
		// The first call reads exactly groupBatchPages pages; every later
		// page fails while armed, so the batch fetched ahead fails.
		return members.Add(1) > groupBatchPages && armed.Load() == 1
	})
	conn, err := New(ctx, proxiedConfig(srv, proxy.URL))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(ctx) })
	s := &groupSyncer{provisioner{conn}}
	first, out, err := s.GrantsForResourceType(ctx, "group", rsOpts("sync-e", ""))
	if err != nil || out.NextPageToken == "" {
		t.Fatalf("first call = %d grants, %v, %v; want a batch with a next token", len(first), out, err)
	}
	tok := out.NextPageToken
	_, _, err = s.GrantsForResourceType(ctx, "group", rsOpts("sync-e", tok))
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("second call = %v, want the PermissionDenied of the batch fetched ahead", err)
	}
	armed.Store(0)
	rest, _ := groupGrantIDs(t, conn, "sync-e", tok)
	var got []string
	for _, g := range first {
		got = append(got, g.GetId())
	}
	got = append(got, rest...)
	sort.Strings(got)
	if d := cmp.Diff(truthGrantIDs(groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), ":member"), got); d != "" {
		t.Errorf("member grants after the failed batch (-truth +got):\n%s", d)
	}
}

// TestGroupGrantsRepeatedTokenFallsBack asks for the first batch twice, as
// the SDK does when it could not store a batch: the batch fetched ahead for
// the first answer's token is dropped, and the walk from the second answer
// is complete. (Which pages a batch holds depends on the order responses
// arrive in, so the two answers may differ; each is complete with its own
// continuation.)
func TestGroupGrantsRepeatedTokenFallsBack(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Medium, 2))
	conn := newConn(t, testConfig(srv, false))
	s := &groupSyncer{provisioner{conn}}
	_, outA, err := s.GrantsForResourceType(ctx, "group", rsOpts("sync-r", ""))
	if err != nil {
		t.Fatal(err)
	}
	st := conn.state("sync-r")
	if k, _ := st.groupGrantsAhead.pendingKey(); k != outA.NextPageToken {
		t.Fatalf("after the first call, pending %q, want the next token", k)
	}
	b, outB, err := s.GrantsForResourceType(ctx, "group", rsOpts("sync-r", ""))
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := st.groupGrantsAhead.pendingKey(); k != outB.NextPageToken {
		t.Fatalf("after the repeated call, pending %q, want its next token", k)
	}
	rest, _ := groupGrantIDs(t, conn, "sync-r", outB.NextPageToken)
	var got []string
	for _, g := range b {
		got = append(got, g.GetId())
	}
	got = append(got, rest...)
	sort.Strings(got)
	if d := cmp.Diff(truthGrantIDs(groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), ":member"), got); d != "" {
		t.Errorf("member grants (-truth +got):\n%s", d)
	}
}

func TestGroupGrantsResumeInANewProcess(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tenant := jiratest.Generate(jiratest.Medium, 3)
	srv := newTestServer(t, tenant)
	cfg := testConfig(srv, false)
	cfg.Concurrency = 3
	conn1, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	first, out, err := (&groupSyncer{provisioner{conn1}}).GrantsForResourceType(ctx, "group", rsOpts("sync-x", ""))
	if err != nil || out.NextPageToken == "" {
		t.Fatalf("first call: %v (next %q)", err, out.NextPageToken)
	}
	if err := conn1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// The product groups went first.
	pos := memberToken{}
	if err := decodeToken(out.NextPageToken, &pos); err != nil {
		t.Fatal(err)
	}
	if len(pos.Pos.First) == 0 {
		t.Fatalf("token %+v names no groups read first", pos)
	}
	conn2, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn2.Close(ctx) })
	rest, _ := groupGrantIDs(t, conn2, "sync-x", out.NextPageToken)
	var got []string
	for _, g := range first {
		got = append(got, g.GetId())
	}
	got = append(got, rest...)
	sort.Strings(got)
	if d := cmp.Diff(truthGrantIDs(groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), ":member"), got); d != "" {
		t.Errorf("member grants across two processes (-truth +got):\n%s", d)
	}
}

func TestFirstGroupsAreTheProductGroups(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 2))
	conn, err := New(ctx, testConfig(srv, false))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := conn.firstGroups(ctx, conn.state("s"))
	if err != nil {
		t.Fatal(err)
	}
	snap := srv.Snapshot()
	var want []string
	for _, r := range snap.ApplicationRoles {
		for _, g := range r.GroupIDs {
			if !slices.Contains(want, g) {
				want = append(want, g)
			}
		}
	}
	var got []string
	for _, pg := range tok.Pos.Pending {
		got = append(got, string(pg.Group))
		if !pg.first() {
			t.Errorf("group %s starts at page %+v", pg.Group, pg)
		}
	}
	if len(want) == 0 {
		t.Fatal("the tenant has no product groups")
	}
	var first []string
	for _, id := range tok.Pos.First {
		first = append(first, string(id))
	}
	if d := cmp.Diff(want, got); d != "" || !slices.Equal(first, got) {
		t.Errorf("first groups (-products' groups +got):\n%s\nskip set %v", d, first)
	}
}

func TestProjectRolesFetchedAheadReportTheirError(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tenant := jiratest.Generate(jiratest.Small, 6)
	var victim string
	for _, p := range tenant.Projects {
		if p.Simplified && !p.Archived && !p.Deleted {
			victim = string(p.ID)
			break
		}
	}
	if victim == "" {
		t.Fatal("the tenant has no team-managed project")
	}
	srv := newTestServer(t, tenant)
	var failures atomic.Int64
	failures.Store(1)
	proxy := newFaultProxy(t, srv.URL, func(r *http.Request) bool {
		return strings.HasSuffix(r.URL.Path, "/project/"+victim+"/roledetails") && failures.Add(-1) >= 0
	})
	conn, err := New(ctx, proxiedConfig(srv, proxy.URL))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(ctx) })
	projects := &projectSyncer{provisioner{conn}}
	for tok := ""; ; {
		_, out, err := projects.List(ctx, nil, rsOpts("sync-pr", tok))
		if err != nil {
			t.Fatal(err)
		}
		if tok = out.NextPageToken; tok == "" {
			break
		}
	}
	st := conn.state("sync-pr")
	st.bg.Wait() // the roles read ahead are in
	roles := &projectRoleSyncer{provisioner{conn}}
	parent := v2.ResourceId_builder{ResourceType: "project", Resource: victim}.Build()
	if _, _, err := roles.List(ctx, parent, rsOpts("sync-pr", "")); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("List(roles of %s) = %v, want the PermissionDenied of the fetch ahead", victim, err)
	}
	got, _, err := roles.List(ctx, parent, rsOpts("sync-pr", ""))
	if err != nil || len(got) == 0 {
		t.Fatalf("List(roles of %s) retried = %d roles, %v", victim, len(got), err)
	}
	if n := srv.Stats().Routes["GET /rest/api/3/project/{projectIdOrKey}/roledetails"]; n == 0 {
		t.Error("no roledetails request reached the site")
	}
}

// TestPrefetchLeavesNothingBehind checks that a complete sync ends with no
// fetch pending, and that Close and a new sync ID stop a walk cut short:
// no request is sent after they return.
func TestPrefetchLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 8))
	conn, cs := newServerConn(t, ctx, testConfig(srv, false))
	walkSync(t, ctx, cs, "sync-full")
	st := conn.state("sync-full")
	for name, pending := range map[string]func() (string, bool){
		"users": st.usersAhead.pendingKey, "groups": st.groupsAhead.pendingKey, "projects": st.projectsAhead.pendingKey,
		"group grants": st.groupGrantsAhead.pendingKey, "project grants": st.projectGrantsAhead.pendingKey,
		"role grants": st.roleGrantsAhead.pendingKey,
	} {
		if k, ok := pending(); ok {
			t.Errorf("%s: a fetch for %q is still pending after the sync", name, k)
		}
	}

	slow := newTestServer(t, jiratest.Generate(jiratest.Medium, 4), jiratest.WithLatency(30*time.Millisecond))
	for _, end := range []string{"close", "new sync"} {
		conn, err := New(ctx, testConfig(slow, false))
		if err != nil {
			t.Fatal(err)
		}
		_, out, err := (&groupSyncer{provisioner{conn}}).GrantsForResourceType(ctx, "group", rsOpts("sync-cut", ""))
		if err != nil || out.NextPageToken == "" {
			t.Fatalf("%s: first call: %v", end, err)
		}
		old := conn.state("sync-cut")
		if _, ok := old.groupGrantsAhead.pendingKey(); !ok {
			t.Fatalf("%s: nothing fetched ahead", end)
		}
		if end == "close" {
			if err := conn.Close(ctx); err != nil {
				t.Fatal(err)
			}
		} else {
			conn.state("sync-next")
		}
		if k, ok := old.groupGrantsAhead.pendingKey(); ok {
			t.Errorf("%s: fetch %q still pending", end, k)
		}
		before := conn.Stats().Requests
		time.Sleep(100 * time.Millisecond)
		if after := conn.Stats().Requests; after != before {
			t.Errorf("%s: %d requests sent after the walk was stopped", end, after-before)
		}
		_ = conn.Close(ctx)
	}
}

// TestSyncUnderRateLimits runs a whole sync with Jira's limits on both
// sides, so the chain pacer and the limiter work together.
func TestSyncUnderRateLimits(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 10))
	t.Cleanup(srv.Close)
	cfg := testConfig(srv, false)
	cfg.JiraOptions = []jira.Option{jira.WithLoopback(), jira.WithRetryPolicy(fastRetries), jira.WithGatewayURL(srv.URL)}
	conn, cs := newServerConn(t, ctx, cfg)
	if conn.memberPacer(conn.state("sync-rl")) == nil {
		t.Fatal("no chain pacer under Jira's default limits")
	}
	got := walkSync(t, ctx, cs, "sync-rl")
	compareTruth(t, groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), got.truth)
	if n := srv.Stats().RateLimited; n != 0 {
		t.Errorf("%d requests were rate limited", n)
	}
}

// TestWarmGrantsWaitsForTheLists checks when the first grants batches start
// ahead: not while an index they read is incomplete (that would re-page
// it), then once, at the first Entitlements call after the List walks, for
// the project-role, project and group walks; and never for a walk already
// under way.
func TestWarmGrantsWaitsForTheLists(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 12))
	conn := newConn(t, testConfig(srv, false))
	st := conn.state("sync-w")
	walks := map[string]*ahead[grantsBatch]{"roles": &st.roleGrantsAhead, "projects": &st.projectGrantsAhead, "groups": &st.groupGrantsAhead}
	// A grants call of another type (the site's admins) is what starts the
	// walks, and only once their lists are complete.
	site := &siteSyncer{provisioner{conn}}
	siteGrants := func() {
		t.Helper()
		if _, _, err := site.GrantsForResourceType(ctx, "site", rsOpts("sync-w", "")); err != nil {
			t.Fatal(err)
		}
	}
	siteGrants()
	for name, a := range walks {
		if k, ok := a.pendingKey(); ok {
			t.Errorf("%s: batch %q started before the lists", name, k)
		}
	}
	list := func(s interface {
		List(context.Context, *v2.ResourceId, rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error)
	}) {
		for tok := ""; ; {
			_, out, err := s.List(ctx, nil, rsOpts("sync-w", tok))
			if err != nil {
				t.Fatal(err)
			}
			if tok = out.NextPageToken; tok == "" {
				return
			}
		}
	}
	gs := &groupSyncer{provisioner{conn}}
	list(gs)
	list(&projectSyncer{provisioner{conn}})
	// Entitlements calls come before any grants call: they start nothing
	// (a sync that skips grants must not read them).
	group := v2.Resource_builder{Id: v2.ResourceId_builder{ResourceType: "group", Resource: "g"}.Build(), DisplayName: "g"}.Build()
	if _, _, err := gs.Entitlements(ctx, group, rsOpts("sync-w", "")); err != nil {
		t.Fatal(err)
	}
	for name, a := range walks {
		if k, ok := a.pendingKey(); ok {
			t.Errorf("%s: batch %q started by an Entitlements call", name, k)
		}
	}
	// Project roles were not listed: their walk is not one the SDK will ask for.
	siteGrants()
	for name, a := range walks {
		k, ok := a.pendingKey()
		if name == "roles" && ok {
			t.Errorf("roles: batch %q started, but no project role was listed in this sync", k)
		}
		if name != "roles" && (!ok || k != "") {
			t.Errorf("%s: pending %q (%v) after the lists, want the first batch", name, k, ok)
		}
	}
	got, _ := groupGrantIDs(t, conn, "sync-w", "")
	if k, ok := st.groupGrantsAhead.pendingKey(); ok {
		t.Errorf("group walk: %q pending after the walk", k)
	}
	sort.Strings(got)
	if d := cmp.Diff(truthGrantIDs(groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), ":member"), got); d != "" {
		t.Errorf("member grants (-truth +got):\n%s", d)
	}
	// Nothing was fetched twice: the group walk read each member page once.
	snap := srv.Snapshot()
	pages := 0
	for _, g := range snap.Groups {
		pages += max(1, (len(g.Members)+49)/50)
	}
	if n := srv.Stats().Routes["GET /rest/api/3/group/member"]; n != pages {
		t.Errorf("group/member read %d times, want %d", n, pages)
	}
}

func TestAheadStartFirstOnlyBeforeTheWalk(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	one := func(context.Context) (int, error) { return 1, nil }
	var fresh ahead[int]
	fresh.startFirst(ctx, one)
	if k, ok := fresh.pendingKey(); !ok || k != "" {
		t.Fatalf("startFirst on a fresh walk: pending %q (%v), want the first page", k, ok)
	}
	var walked ahead[int]
	if _, found, _ := walked.take(ctx, ""); found {
		t.Fatal("take on an empty ahead found something")
	}
	walked.startFirst(ctx, one)
	if k, ok := walked.pendingKey(); ok {
		t.Errorf("startFirst after the walk began: pending %q", k)
	}
	var busy ahead[int]
	busy.start(ctx, "t2", func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() })
	busy.startFirst(ctx, one)
	if k, _ := busy.pendingKey(); k != "t2" {
		t.Errorf("startFirst replaced the pending t2 with %q", k)
	}
	busy.stop()
}

// gatedWalk is a walk "p0" → "p1" → … → "p<n-1>" → end whose fetches are
// recorded and each wait for their key's gate (nil gates: no waiting).
type gatedWalk struct {
	n     int
	mu    sync.Mutex
	log   []string
	gates map[string]chan struct{}
	fail  map[string]bool
}

func (w *gatedWalk) fetch(ctx context.Context, key string) (string, error) {
	w.mu.Lock()
	w.log = append(w.log, key)
	gate := w.gates[key]
	fail := w.fail[key]
	w.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if fail {
		return "", errPage
	}
	var i int
	fmt.Sscanf(key, "p%d", &i)
	if i+1 >= w.n {
		return "", nil
	}
	return fmt.Sprintf("p%d", i+1), nil
}

func (w *gatedWalk) fetched() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.log)
}

// waitKeys waits until the chain holds exactly want (in walk order).
func waitKeys[T any](t *testing.T, a *ahead[T], want []string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := a.pendingKeys()
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("chain holds %q, want %q", got, want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAheadChainGrowsToItsDepthAndNoFurther(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := &gatedWalk{n: 10}
	a := ahead[string]{depth: 3}
	a.startChain(ctx, "p0", w.fetch, nextOf)
	waitKeys(t, &a, []string{"p0", "p1", "p2"})
	// Nothing beyond the depth is fetched, however long we wait.
	time.Sleep(20 * time.Millisecond)
	if got := w.fetched(); len(got) != 3 {
		t.Fatalf("fetched %q with a chain of depth 3, want 3 fetches", got)
	}
	// Each call takes its batch; the chain refills behind it.
	for i := 0; i < 10; i++ {
		key := fmt.Sprintf("p%d", i)
		v, err := pipelined(ctx, &a, key, w.fetch, nextOf)
		if err != nil {
			t.Fatalf("pipelined(%s): %v", key, err)
		}
		if want := fmt.Sprintf("p%d", i+1); i < 9 && v != want {
			t.Fatalf("pipelined(%s) = %q, want %q", key, v, want)
		}
	}
	want := make([]string, 10)
	for i := range want {
		want[i] = fmt.Sprintf("p%d", i)
	}
	if d := cmp.Diff(want, w.fetched()); d != "" {
		t.Errorf("fetches (-want +got): each key once, in walk order\n%s", d)
	}
	if k, ok := a.pendingKey(); ok {
		t.Errorf("pending %q after the last batch", k)
	}
}

func TestAheadChainStopsAtAnError(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := &gatedWalk{n: 10, fail: map[string]bool{"p1": true}}
	a := ahead[string]{depth: 5}
	a.startChain(ctx, "p0", w.fetch, nextOf)
	waitKeys(t, &a, []string{"p0", "p1"})
	time.Sleep(20 * time.Millisecond)
	if got := w.fetched(); !slices.Equal(got, []string{"p0", "p1"}) {
		t.Fatalf("fetched %q, want the chain to end at the failed p1", got)
	}
	if _, err := pipelined(ctx, &a, "p0", w.fetch, nextOf); err != nil {
		t.Fatal(err)
	}
	if _, err := pipelined(ctx, &a, "p1", w.fetch, nextOf); !errors.Is(err, errPage) {
		t.Fatalf("p1 = %v, want the error of its fetch ahead", err)
	}
	// The SDK retries p1: fetched again synchronously, and the chain
	// restarts from p2.
	w.mu.Lock()
	w.fail = nil
	w.mu.Unlock()
	if v, err := pipelined(ctx, &a, "p1", w.fetch, nextOf); err != nil || v != "p2" {
		t.Fatalf("p1 retried = %q, %v", v, err)
	}
	waitKeys(t, &a, []string{"p2", "p3", "p4", "p5", "p6"})
	a.stop()
}

func TestAheadChainMismatchAndStopCancelEveryFetch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, how := range []string{"mismatch", "stop"} {
		gates := map[string]chan struct{}{"p2": make(chan struct{}), "p3": make(chan struct{})}
		w := &gatedWalk{n: 10, gates: gates}
		a := ahead[string]{depth: 4}
		a.startChain(ctx, "p0", w.fetch, nextOf)
		waitKeys(t, &a, []string{"p0", "p1", "p2"}) // p2 blocks: the chain waits on it
		if how == "mismatch" {
			if _, found, err := a.take(ctx, "p7"); found || err != nil {
				t.Fatalf("take(p7) = %v, %v; want a miss", found, err)
			}
		} else {
			a.stop()
		}
		// take and stop return only after every fetch of the chain ended
		// (p2 returned through its cancelled context).
		if keys := a.pendingKeys(); len(keys) != 0 {
			t.Errorf("%s: chain holds %q, want nothing", how, keys)
		}
		time.Sleep(10 * time.Millisecond)
		if got := w.fetched(); !slices.Equal(got, []string{"p0", "p1", "p2"}) {
			t.Errorf("%s: fetched %q, want p0..p2 and nothing after", how, got)
		}
	}
}

// TestGrantsWalksRunAheadOfTheSDK: once the lists are done, the group and
// role grants walks read every page in the background, before the SDK asks
// for a single batch (a walk of a few batches fits in the chain), and the
// SDK's walk then makes no request of its own.
func TestGrantsWalksRunAheadOfTheSDK(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tn := jiratest.Generate(jiratest.Medium, 4)
	srv := newTestServer(t, tn)
	conn := newConn(t, testConfig(srv, false))
	st := conn.state("sync-r")
	for _, s := range []interface {
		List(context.Context, *v2.ResourceId, rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error)
	}{&userSyncer{c: conn}, &groupSyncer{provisioner{conn}}, &projectSyncer{provisioner{conn}}} {
		for tok := ""; ; {
			_, out, err := s.List(ctx, nil, rsOpts("sync-r", tok))
			if err != nil {
				t.Fatal(err)
			}
			if tok = out.NextPageToken; tok == "" {
				break
			}
		}
	}
	pages := 0
	for _, g := range srv.Snapshot().Groups {
		pages += max(1, (len(g.Members)+49)/50)
	}
	if pages <= 2*groupBatchPages {
		t.Fatalf("tenant has %d member pages; the test needs a walk of at least three batches", pages)
	}
	conn.warmGrants(ctx, st)
	// A liveness bound, not a timing assertion: generous, because the race
	// detector on a loaded two-core machine slows the walk many times over.
	deadline := time.Now().Add(2 * time.Minute)
	for srv.Stats().Routes["GET /rest/api/3/group/member"] < pages {
		if time.Now().After(deadline) {
			t.Fatalf("after 2 min the background walk read %d of %d member pages",
				srv.Stats().Routes["GET /rest/api/3/group/member"], pages)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if keys := st.groupGrantsAhead.pendingKeys(); len(keys) < 3 || keys[0] != "" {
		t.Errorf("group walk holds %d batches (%q), want the whole walk from the first", len(keys), keys)
	}
	got, _ := groupGrantIDs(t, conn, "sync-r", "")
	sort.Strings(got)
	if d := cmp.Diff(truthGrantIDs(groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), ":member"), got); d != "" {
		t.Errorf("member grants (-truth +got):\n%s", d)
	}
	if n := srv.Stats().Routes["GET /rest/api/3/group/member"]; n != pages {
		t.Errorf("group/member read %d times, want %d (each page once)", n, pages)
	}
}

// TestWarmGrantsStartsTheRoleWalkOnceRolesAreListed: when the sync listed
// project roles, the first grants call starts their walk too.
func TestWarmGrantsStartsTheRoleWalkOnceRolesAreListed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 12))
	conn := newConn(t, testConfig(srv, false))
	st := conn.state("sync-r2")
	var projects []*v2.Resource
	for _, s := range []interface {
		List(context.Context, *v2.ResourceId, rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error)
	}{&groupSyncer{provisioner{conn}}, &projectSyncer{provisioner{conn}}} {
		for tok := ""; ; {
			page, out, err := s.List(ctx, nil, rsOpts("sync-r2", tok))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := s.(*projectSyncer); ok {
				projects = append(projects, page...)
			}
			if tok = out.NextPageToken; tok == "" {
				break
			}
		}
	}
	if len(projects) == 0 {
		t.Fatal("no projects listed")
	}
	if _, _, err := (&projectRoleSyncer{provisioner{conn}}).List(ctx, projects[0].GetId(), rsOpts("sync-r2", "")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (&siteSyncer{provisioner{conn}}).GrantsForResourceType(ctx, "site", rsOpts("sync-r2", "")); err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]*ahead[grantsBatch]{"roles": &st.roleGrantsAhead, "projects": &st.projectGrantsAhead, "groups": &st.groupGrantsAhead} {
		if k, ok := a.pendingKey(); !ok || k != "" {
			t.Errorf("%s: pending %q (%v), want the first batch", name, k, ok)
		}
	}
}

// TestWarmGrantsNotAfterARebuild: in a sync resumed in a new process the
// indexes are rebuilt by re-paging, not recorded by the SDK's List walks;
// the SDK may have finished some grants walks before its checkpoint, so
// none is started ahead.
func TestWarmGrantsNotAfterARebuild(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 12))
	conn := newConn(t, testConfig(srv, false))
	st := conn.state("sync-resumed")
	if _, err := conn.groupIDs(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.projectList(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (&siteSyncer{provisioner{conn}}).GrantsForResourceType(ctx, "site", rsOpts("sync-resumed", "")); err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]*ahead[grantsBatch]{"roles": &st.roleGrantsAhead, "projects": &st.projectGrantsAhead, "groups": &st.groupGrantsAhead} {
		if k, ok := a.pendingKey(); ok {
			t.Errorf("%s: batch %q started ahead after rebuilt indexes", name, k)
		}
	}
	if n := srv.Stats().Routes["GET /rest/api/3/group/member"]; n != 0 {
		t.Errorf("%d member pages read that the SDK did not ask for", n)
	}
}

// pendingKey returns the key of the chain's head and whether there is one.
func (a *ahead[T]) pendingKey() (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.q) == 0 {
		return "", false
	}
	return a.q[0].key, true
}

// pendingKeys returns the keys of the chain in walk order.
func (a *ahead[T]) pendingKeys() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	keys := make([]string, len(a.q))
	for i, p := range a.q {
		keys[i] = p.key
	}
	return keys
}
