package connector

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
