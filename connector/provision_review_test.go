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
