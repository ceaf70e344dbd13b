package connector

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestRevokeRoleHeldThroughGroup: a user who holds a project role only
// through a group actor is not told "already revoked" (the access is still
// there): the revoke is refused, naming the group, and nothing is written.
// A direct actor who also holds the role through a group loses the direct
// actor as asked.
func TestRevokeRoleHeldThroughGroup(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newProvWorld(t, true)
	srv := newTestServer(t, w.tenant)
	conn := newConn(t, testConfig(srv, false))
	role := w.roleEnt(w.classic, jiratest.RoleViewer)
	for _, g := range []struct {
		ent string
		p   Principal
	}{{role, Principal{"group", w.other.ID}}, {"group:" + w.other.ID + ":member", Principal{"user", w.alice}}} {
		if _, err := conn.Grant(ctx, g.ent, g.p); err != nil {
			t.Fatalf("grant %s to %s: %v", g.ent, g.p, err)
		}
	}
	n := len(srv.MutationLog())
	res, err := conn.Revoke(ctx, role, Principal{"user", w.alice})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(fmt2(err), w.other.ID) {
		t.Errorf("revoke a role held through a group: %+v, %v; want FailedPrecondition naming group %s", res, err, w.other.ID)
	}
	if got := mutationsSince(srv, n); len(got) != 0 {
		t.Errorf("the refused revoke wrote %q", got)
	}
	// Bob holds the role neither way: already revoked.
	if res, err := conn.Revoke(ctx, role, Principal{"user", w.bob}); err != nil || !res.AlreadyDone {
		t.Errorf("revoke from a user without the role: %+v, %v; want AlreadyDone", res, err)
	}
	// A direct actor is removed even when a group also gives the role.
	if _, err := conn.Grant(ctx, role, Principal{"user", w.alice}); err != nil {
		t.Fatal(err)
	}
	if res, err := conn.Revoke(ctx, role, Principal{"user", w.alice}); err != nil || res.AlreadyDone || len(res.Changes) != 1 {
		t.Errorf("revoke a direct actor who is also in a group actor: %+v, %v; want one change", res, err)
	}
}

func fmt2(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestProvisionRequestCounts pins how many requests each grant and revoke
// sends (state reads are exact and not repeated: the read that checks a
// role or the user's groups is also the first state check).
func TestProvisionRequestCounts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newProvWorld(t, true)
	srv := newTestServer(t, w.tenant)
	conn := newConn(t, testConfig(srv, false))
	host := w.tenant.SiteHost
	for _, op := range []struct {
		grant bool
		ent   string
		p     Principal
		want  int
	}{
		{true, "group:" + w.group.ID + ":member", Principal{"user", w.alice}, 4},  // group, user, user's groups, POST
		{true, "group:" + w.group.ID + ":member", Principal{"user", w.alice}, 3},  // already held: no write
		{false, "group:" + w.group.ID + ":member", Principal{"user", w.alice}, 3}, // group, user's groups, DELETE
		{true, w.roleEnt(w.classic, jiratest.RoleMember), Principal{"user", w.alice}, 3},
		{false, w.roleEnt(w.classic, jiratest.RoleMember), Principal{"user", w.alice}, 2},
		{true, "product:" + w.jsm.Key + ":access", Principal{"user", w.bob}, 4},  // products, user, user's groups, POST
		{false, "product:" + w.jsm.Key + ":access", Principal{"user", w.bob}, 5}, // products, user's groups, 2 admin lists, DELETE
		{true, "site:" + host + ":admin", Principal{"user", w.bob}, 5},           // site, admin groups, user, user's groups, POST
		{false, "site:" + host + ":admin", Principal{"user", w.bob}, 5},          // site, admin groups, user's groups, site-admin groups, DELETE
		{true, "project:" + w.classic.ID + ":lead", Principal{"user", w.bob}, 3}, // project, user, PUT
	} {
		srv.ResetStats()
		var err error
		if op.grant {
			_, err = conn.Grant(ctx, op.ent, op.p)
		} else {
			_, err = conn.Revoke(ctx, op.ent, op.p)
		}
		if err != nil {
			t.Fatalf("grant=%t %s: %v", op.grant, op.ent, err)
		}
		if st := srv.Stats(); st.Total != op.want {
			t.Errorf("grant=%t %s: %d requests, want %d: %v", op.grant, op.ent, st.Total, op.want, st.Routes)
		}
	}
}

// TestEnsureConcurrentChange: when Jira refuses a write that cannot have
// been applied (a 4xx to a POST, or to a request sent once) and a read then
// shows the wanted state, another request made the change: ensure reports
// it as already done (GrantAlreadyExists), not as a change of its own.
// After an unknown outcome of our own, a refusal followed by the wanted
// state counts as our change.
func TestEnsureConcurrentChange(t *testing.T) {
	t.Parallel()
	c := &Connector{}
	refused := func(method string, attempts int) error {
		return &jira.Error{StatusCode: 400, Method: method, Attempts: attempts, Messages: []string{"anything"}}
	}
	for _, tc := range []struct {
		name        string
		errs        []error // the answers to successive writes
		wantAlready bool
		wantWrites  int
	}{
		{"POST refused, state now held", []error{refused("POST", 1)}, true, 1},
		{"POST refused after 429 resends", []error{refused("POST", 3)}, true, 1},
		{"DELETE refused, sent once", []error{refused("DELETE", 1)}, true, 1},
		{"DELETE refused after resends (a 5xx may have applied it)", []error{refused("DELETE", 2)}, false, 1},
		{"5xx of ours, then refused", []error{&jira.Error{StatusCode: 502, Method: "POST", Attempts: 1}, refused("POST", 1)}, false, 2},
	} {
		reads, writes := 0, 0
		held := func(context.Context) (bool, error) {
			reads++
			// Not held at first; held once the last write has been answered.
			return writes == len(tc.errs), nil
		}
		write := func(context.Context) error {
			err := tc.errs[writes]
			writes++
			return err
		}
		already, err := c.ensure(t.Context(), "test", true, held, write)
		if err != nil || already != tc.wantAlready || writes != tc.wantWrites {
			t.Errorf("%s: already=%t err=%v writes=%d; want already=%t, %d writes", tc.name, already, err, writes, tc.wantAlready, tc.wantWrites)
		}
	}
}

// TestConcurrentGrants: several grants of the same membership at once (the
// SDK's retries, two workers) all succeed, Jira sees one addition, and
// exactly one of them reports the change; the others report it already done.
func TestConcurrentGrants(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newProvWorld(t, true)
	srv := newTestServer(t, w.tenant)
	conn := newConn(t, testConfig(srv, false))
	const n = 6
	results := make([]ProvisionResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = conn.Grant(ctx, "group:"+w.group.ID+":member", Principal{"user", w.alice})
		})
	}
	wg.Wait()
	changed := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("grant %d: %v", i, errs[i])
		}
		if !results[i].AlreadyDone {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("%d grants report a change, want 1: %+v", changed, results)
	}
	if m := srv.MutationLog(); len(m) != 1 {
		t.Errorf("%d mutations, want 1: %+v", len(m), m)
	}
}

// TestCreateAccountMalformedEmail: an address Jira's invite would refuse
// with a 400 is InvalidArgument before any request (a 400 to an invite
// without products would otherwise read as "the account exists").
func TestCreateAccountMalformedEmail(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 21))
	conn := newConn(t, testConfig(srv, false))
	for _, bad := range []string{"", "ana", "ana@", "@acme.com", "ana@@acme.com", "ana@acme", "Ana <ana@acme.com>", "ana smith@acme.com", "ana@acme..com"} {
		srv.ResetStats()
		_, err := conn.CreateAccount(t.Context(), bad)
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(fmt2(err), "not an email address") {
			t.Errorf("CreateAccount(%q): %v, want InvalidArgument", bad, err)
		}
		if n := srv.Stats().Total; n != 0 {
			t.Errorf("CreateAccount(%q) sent %d requests", bad, n)
		}
	}
	for _, good := range []string{"ana@acme.com", "ana.maria+jira@eu.acme.co.uk"} {
		if !plainEmail(good) {
			t.Errorf("plainEmail(%q) = false", good)
		}
	}
}

// TestGrantStateInBigGroup: membership is decided by the user's own groups
// (GET /user/groups, exact and unpaged), not by paging the group, so a
// member listed far beyond the first page of a large group is found: the
// grant is already done, the revoke removes them, and no group page is read.
func TestGrantStateInBigGroup(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newProvWorld(t, true)
	var members []string
	for i := range 130 {
		u := &jiratest.User{AccountID: jiratest.NewAccountID(fmt.Sprint("big-group-", i)), AccountType: jiratest.AccountTypeAtlassian,
			DisplayName: fmt.Sprintf("Zz Member %03d", i), Email: fmt.Sprintf("member%03d@acme.example", i), Active: true}
		w.tenant.Users = append(w.tenant.Users, u)
		members = append(members, u.AccountID)
	}
	w.group.Members = append(w.group.Members, members...)
	last := members[len(members)-1] // sorts last by display name: far beyond the first page of 50
	srv := newTestServer(t, w.tenant)
	conn := newConn(t, testConfig(srv, false))
	ent := "group:" + w.group.ID + ":member"
	res, err := conn.Grant(ctx, ent, Principal{"user", last})
	if err != nil || !res.AlreadyDone {
		t.Errorf("grant to member %d of %d: %+v, %v; want AlreadyDone", len(members), len(members), res, err)
	}
	res, err = conn.Revoke(ctx, ent, Principal{"user", last})
	if err != nil || res.AlreadyDone || len(srv.MutationLog()) != 1 {
		t.Errorf("revoke from member %d: %+v, %v, mutations %+v; want one removal", len(members), res, err, srv.MutationLog())
	}
	if n := srv.Stats().Routes["GET /rest/api/3/group/member"]; n != 0 {
		t.Errorf("%d group member pages read; the state check must not page the group", n)
	}
}
