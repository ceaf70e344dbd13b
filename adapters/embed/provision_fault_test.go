package embed_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// The provisioning half of the fault suite (issue 11): the same faults as
// TestFaultSuite, met by grants, revokes, an invitation and a suspension
// (organization mode) made through embed.Provisioner. Each fault must end
// with the clean run's site state and exactly its writes (no write twice,
// none lost), or with a clear error and no write at all; no token in the
// log or the errors; a bounded heap.

// provisionPlan is what one run does: targets picked from the tenant.
type provisionPlan struct {
	group, revokeGroup, project string
	role                        int64
	user, revokeUser, suspend   string
	invite                      string
	product                     string
}

// pickProvisionPlan chooses targets every operation writes for: a plain
// group the user is not in, a member to remove from another plain group, a
// company-managed project role the user does not hold, an active managed
// account to suspend, and a new email to invite.
func pickProvisionPlan(t *testing.T, tn *jiratest.Tenant) provisionPlan {
	t.Helper()
	var p provisionPlan
	product := map[string]bool{}
	for _, ar := range tn.ApplicationRoles {
		for _, g := range ar.GroupIDs {
			product[g] = true
		}
		if ar.Key == "jira-software" {
			p.product = ar.Key
		}
	}
	orgActive := map[string]bool{}
	for _, a := range tn.Org.Accounts {
		if a.Status == jiratest.StatusActive && a.AccountType == jiratest.AccountTypeAtlassian && a.ClaimStatus == "managed" {
			orgActive[a.AccountID] = true
		}
	}
	users := map[string]*jiratest.User{}
	var candidates []string
	for _, u := range tn.Users {
		users[u.AccountID] = u
		if u.Active && u.AccountType == jiratest.AccountTypeAtlassian && !u.Former && !u.Guest && orgActive[u.AccountID] &&
			u.AccountID != tn.AdminAccountID {
			candidates = append(candidates, u.AccountID)
		}
	}
	if len(candidates) < 3 {
		t.Fatalf("the tenant has %d active managed users, want 3", len(candidates))
	}
	p.user, p.suspend = candidates[0], candidates[len(candidates)-1]
	plain := func(g *jiratest.Group) bool {
		return !g.Admin && !g.SiteAdmin && !product[g.ID] && !strings.HasPrefix(g.Name, "atlassian-addons") &&
			g.Name != "system-administrators"
	}
	for _, g := range tn.Groups {
		if !plain(g) {
			continue
		}
		if p.group == "" && !slices.Contains(g.Members, p.user) {
			p.group = g.ID
			continue
		}
		if p.revokeGroup == "" {
			for _, m := range g.Members {
				if u := users[m]; u != nil && u.Active && m != p.user && m != p.suspend {
					p.revokeGroup, p.revokeUser = g.ID, m
					break
				}
			}
		}
	}
	for _, pr := range tn.Projects {
		if pr.Simplified || pr.Archived || pr.Deleted || p.project != "" {
			continue
		}
		for _, r := range tn.Roles {
			if ra := pr.Actors(r.ID); ra == nil || !slices.Contains(ra.Users, p.user) {
				p.project, p.role = pr.ID, r.ID
				break
			}
		}
	}
	if p.group == "" || p.revokeGroup == "" || p.project == "" {
		t.Fatalf("no targets in the tenant: %+v", p)
	}
	p.invite = "fault.suite.hire@" + tn.SiteHost
	return p
}

// provisionOp is one operation of a run; do reports whether it found its
// change already made (nothing written).
type provisionOp struct {
	name string
	do   func(ctx context.Context, p *embed.Provisioner) (already bool, err error)
}

func (pl provisionPlan) ops() []provisionOp {
	return []provisionOp{
		{"grant group membership", func(ctx context.Context, p *embed.Provisioner) (bool, error) {
			r, err := p.Grant(ctx, "group:"+pl.group+":member", embed.User(pl.user))
			return r.AlreadyDone, err
		}},
		{"grant project role", func(ctx context.Context, p *embed.Provisioner) (bool, error) {
			r, err := p.Grant(ctx, fmt.Sprintf("project-role:%s:%d:assigned", pl.project, pl.role), embed.User(pl.user))
			return r.AlreadyDone, err
		}},
		{"revoke group membership", func(ctx context.Context, p *embed.Provisioner) (bool, error) {
			r, err := p.Revoke(ctx, "group:"+pl.revokeGroup+":member:user:"+pl.revokeUser)
			return r.AlreadyDone, err
		}},
		{"create account", func(ctx context.Context, p *embed.Provisioner) (bool, error) {
			var products []string
			if pl.product != "" {
				products = append(products, pl.product)
			}
			r, err := p.CreateAccount(ctx, pl.invite, products...)
			return r.Existed, err
		}},
		{"deprovision", func(ctx context.Context, p *embed.Provisioner) (bool, error) {
			r, err := p.Deprovision(ctx, pl.suspend)
			return r.AlreadyDone, err
		}},
	}
}

// provisionScope is every API request a provisioner sends (Jira, Admin and
// user management), not the tenant_info lookup.
func provisionScope(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/_edge/") }

// everyRequest aims the error scenarios at every request in scope.
func everyRequest(*http.Request) bool { return true }

// provisionConfig is the organization-mode configuration through url.
func provisionConfig(srv *jiratest.Server, url string, extra ...jira.Option) connector.Config {
	cfg := faultConfig(srv, url, extra...)
	cfg.AtlassianOrgID, cfg.AtlassianAPIToken = srv.OrgID, srv.AdminKey
	cfg.AtlassianOptions = []atlassian.Option{atlassian.WithBaseURL(url + "/admin"), atlassian.WithLoopback()}
	return cfg
}

// runProvisionOps runs the plan as a careful caller would: an operation
// that fails with Unavailable (Jira trouble worth retrying) is tried again,
// up to 5 times; any other error stops it. A first call that finds its
// change already made is an error (the plan's targets all need a write); a
// later one may, when an earlier call's write took effect. It returns each
// operation's last error and the number of calls.
func runProvisionOps(ctx context.Context, p *embed.Provisioner, ops []provisionOp) (errs []error, calls int) {
	for _, op := range ops {
		var err error
		for try := range 5 {
			calls++
			var already bool
			already, err = op.do(ctx, p)
			if err == nil && already && try == 0 {
				err = fmt.Errorf("%s: nothing was written: the change was already made", op.name)
			}
			if err == nil || status.Code(err) != codes.Unavailable {
				break
			}
		}
		errs = append(errs, err)
	}
	return errs, calls
}

// siteState is the part of a tenant a provisioning run may change, with
// times (the fake's clock) and the audit log left out.
func siteState(tn *jiratest.Tenant) *jiratest.Tenant {
	tn.Audit = nil
	return tn
}

var ignoreTimes = cmpopts.IgnoreTypes(time.Time{})

// mutationSummaries lists the fake's effective writes, route and summary.
func mutationSummaries(srv *jiratest.Server) []string {
	var out []string
	for _, m := range srv.MutationLog() {
		out = append(out, m.Route+": "+m.Summary)
	}
	return out
}

func TestProvisionFaultSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("provisioning under faults")
	}
	size, seeds := jiratest.Small, []int64{4}
	if *faultLong {
		size, seeds = jiratest.Medium, []int64{4, 5, 6}
	}
	for _, seed := range seeds {
		tenant := jiratest.Generate(size, seed)
		if tenant.Org == nil {
			t.Fatal("the generated tenant has no organization")
		}
		plan := pickProvisionPlan(t, tenant)
		ops := plan.ops()

		// The clean run: every operation writes once.
		clean := newServer(t, tenant)
		before := siteState(clean.Snapshot())
		cleanProxy := newScopedFaultProxy(t, clean.URL, nil, provisionScope)
		p, err := embed.NewProvisioner(t.Context(), provisionConfig(clean, cleanProxy.URL))
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		stopClean := heapPeak()
		// opWrites[i] are the writes of operation i.
		opWrites := make([][]string, len(ops))
		for i, op := range ops {
			n := len(clean.MutationLog())
			if errs, _ := runProvisionOps(t.Context(), p, []provisionOp{op}); errs[0] != nil {
				t.Fatalf("clean run: %s: %v", op.name, errs[0])
			}
			opWrites[i] = mutationSummaries(clean)[n:]
			if len(opWrites[i]) != 1 {
				t.Fatalf("clean run: %s made %d writes, want 1: %q", op.name, len(opWrites[i]), opWrites[i])
			}
		}
		cleanPeak := stopClean()
		_ = p.Close()
		cleanWrites := mutationSummaries(clean)
		cleanState := siteState(clean.Snapshot())
		if gocmp.Equal(before, cleanState, ignoreTimes) {
			t.Fatal("clean run: the site did not change")
		}
		limit := cleanPeak + 256<<20
		t.Logf("clean run: %d writes; live heap peak %d MiB", len(cleanWrites), cleanPeak>>20)

		var leaked atomic.Int64
		elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "" {
				leaked.Add(1)
			}
			w.WriteHeader(http.StatusTeapot)
		}))
		t.Cleanup(elsewhere.Close)

		// Every write answered with a same-origin 307: a write with a body
		// (add to group, add role actor, invite) is refused and nothing is
		// sent twice; one without (DELETE of a membership, POST of a
		// suspension) may follow it on the same origin, once.
		var resent atomic.Int64
		writeRedirect := scenario{name: "307 of every write (bodies never resent)", wantErr: "refusing redirect",
			rule: func(w http.ResponseWriter, r *http.Request, n int, next http.Handler) bool {
				q := r.URL.Query()
				if q.Get("redirected") != "" {
					if r.ContentLength != 0 {
						resent.Add(1)
					}
					return false
				}
				if r.Method == http.MethodGet {
					return false
				}
				q.Set("redirected", "1")
				http.Redirect(w, r, r.URL.Path+"?"+q.Encode(), http.StatusTemporaryRedirect)
				return true
			}}
		bodiless := map[string]bool{"revoke group membership": true, "deprovision": true}
		// Faults on the writes alone, often: a 5xx or a reset before the
		// write, or the write done and its answer cut off. The outcome is
		// unknown to the client each time; the state must still end as
		// the clean run's with each write made once.
		writeFaults := scenario{name: "writes failing before or after their effect", faults: &jiratest.Faults{Seed: seed,
			Rate5xx: 0.25, RateReset: 0.2, RateTruncated: 0.25, Methods: []string{http.MethodPost, http.MethodPut, http.MethodDelete}}}

		for _, sc := range append(faultScenarios(seed, &leaked, elsewhere.URL, everyRequest), writeFaults, writeRedirect) {
			if sc.syncOnly {
				continue
			}
			t.Run(fmt.Sprintf("%s/seed %d", sc.name, seed), func(t *testing.T) {
				target := newServer(t, tenant)
				if sc.faults != nil {
					target = newServer(t, tenant, jiratest.WithFaults(*sc.faults))
				}
				proxy := newScopedFaultProxy(t, target.URL, sc.rule, provisionScope)
				var logs bytes.Buffer
				logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				cfg := provisionConfig(target, proxy.URL, append(sc.opts, jira.WithLogger(logger))...)
				p, err := embed.NewProvisioner(t.Context(), cfg, embed.WithLogger(logger))
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				runtime.GC()
				stop := heapPeak()
				errs, calls := runProvisionOps(t.Context(), p, ops)
				peak := stop()

				for _, s := range secretsOf(target) {
					if strings.Contains(logs.String(), s) {
						t.Errorf("a token appears in the log")
					}
					for i, err := range errs {
						if err != nil && strings.Contains(err.Error(), s) {
							t.Errorf("%s: a token appears in the error", ops[i].name)
						}
					}
				}
				if sc.leaks != nil && sc.leaks.Load() != 0 {
					t.Errorf("credentials reached another host %d times", sc.leaks.Load())
				}
				if resent.Load() != 0 {
					t.Errorf("a redirected write was sent again %d times", resent.Load())
				}
				if peak > limit {
					t.Errorf("heap peaked at %d MiB", peak>>20)
				}
				injected := proxy.injected.Load()
				if sc.faults != nil {
					injected = int64(target.Stats().Faults)
				}
				if injected == 0 {
					t.Fatalf("no fault was injected")
				}
				writes, state := mutationSummaries(target), siteState(target.Snapshot())
				if sc.wantErr != "" {
					// Every operation fails clearly before it writes (but
					// for the bodiless writes a same-origin 307 may move,
					// which then write exactly what they write cleanly).
					var want []string
					for i, err := range errs {
						if err == nil && sc.name == writeRedirect.name && bodiless[ops[i].name] {
							want = append(want, opWrites[i]...)
							continue
						}
						if err == nil || !strings.Contains(err.Error(), sc.wantErr) {
							t.Errorf("%s: err = %v, want a clear error containing %q", ops[i].name, err, sc.wantErr)
						}
					}
					if d := gocmp.Diff(want, writes); d != "" {
						t.Errorf("a refused run's writes (-want +got):\n%s", d)
					}
					if len(want) == 0 {
						if d := gocmp.Diff(before, state, ignoreTimes); d != "" {
							t.Errorf("a refused run changed the site (-before +after):\n%s", d)
						}
					}
					t.Logf("%d faults; first error: %.300s; heap peak %d MiB", injected, errs[0], peak>>20)
					return
				}
				for i, err := range errs {
					if err != nil {
						t.Errorf("%s: %v", ops[i].name, err)
					}
				}
				// Exactly the clean run's writes, each once, and its state.
				if d := gocmp.Diff(cleanWrites, writes); d != "" {
					t.Errorf("the writes differ from the clean run's (-clean +faults):\n%s", d)
				}
				if d := gocmp.Diff(cleanState, state, ignoreTimes); d != "" {
					t.Errorf("the site differs from the clean run's (-clean +faults):\n%s", d)
				}
				st := target.Stats()
				t.Logf("%d faults %v; %d calls for %d operations; %d requests, %d 429s; heap peak %d MiB", injected, st.FaultKinds,
					calls, len(ops), st.Total, st.RateLimited, peak>>20)
			})
		}
	}
}
