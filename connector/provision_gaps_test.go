package connector

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestRevokeUnknownPrincipal: revoking any provisionable row from a
// principal that does not exist (decided by Jira's 404, not by wording) is
// NotFound naming the entitlement and the account or group, for every row,
// and writes nothing. A revoke from an existing principal without the
// grant stays "already revoked".
func TestRevokeUnknownPrincipal(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newProvWorld(t, true)
	srv := newTestServer(t, w.tenant)
	conn := newConn(t, testConfig(srv, false))
	host := w.tenant.SiteHost
	const ghost = "557058:00000000-dead-beef-0000-000000000000"
	const ghostGroup = "00000000-0000-0000-0000-00000000dead"
	// A role with a group actor, so the user branch that reads the user's
	// groups is covered as well as the one without group actors.
	if _, err := conn.Grant(ctx, w.roleEnt(w.classic, jiratest.RoleViewer), Principal{"group", w.other.ID}); err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		ent string
		p   Principal
	}{
		{"group:" + w.group.ID + ":member", Principal{"user", ghost}},
		{w.roleEnt(w.classic, jiratest.RoleMember), Principal{"user", ghost}},
		{w.roleEnt(w.classic, jiratest.RoleViewer), Principal{"user", ghost}},
		{w.roleEnt(w.classic, jiratest.RoleMember), Principal{"group", ghostGroup}},
		{w.roleEnt(w.team, w.scopedRole), Principal{"user", ghost}},
		{"product:" + w.jsm.Key + ":access", Principal{"user", ghost}},
		{"site:" + host + ":admin", Principal{"user", ghost}},
		{"site:" + host + ":site-admin", Principal{"user", ghost}},
		{"project:" + w.classic.ID + ":lead", Principal{"user", ghost}},
	}
	for _, r := range rows {
		n := len(srv.MutationLog())
		res, err := conn.Revoke(ctx, r.ent, r.p)
		if status.Code(err) != codes.NotFound || !strings.Contains(fmt2(err), r.p.ID) || !strings.Contains(fmt2(err), r.ent) ||
			!strings.Contains(fmt2(err), "does not exist") {
			t.Errorf("revoke %s from %s: %+v, %v; want NotFound naming the entitlement and %s", r.ent, r.p, res, err, r.p.ID)
		}
		if got := mutationsSince(srv, n); len(got) != 0 {
			t.Errorf("revoke %s from %s wrote %q", r.ent, r.p, got)
		}
	}
	// Existing principals without the grant: already revoked.
	for _, r := range []struct {
		ent string
		p   Principal
	}{
		{"group:" + w.group.ID + ":member", Principal{"user", w.alice}},
		{w.roleEnt(w.classic, jiratest.RoleMember), Principal{"user", w.alice}},
		{w.roleEnt(w.classic, jiratest.RoleMember), Principal{"group", w.group.ID}},
		{"product:" + w.jsm.Key + ":access", Principal{"user", w.alice}},
		{"site:" + host + ":admin", Principal{"user", w.alice}},
		{"project:" + w.classic.ID + ":lead", Principal{"user", w.alice}},
	} {
		if res, err := conn.Revoke(ctx, r.ent, r.p); err != nil || !res.AlreadyDone {
			t.Errorf("revoke %s from %s (not held): %+v, %v; want already revoked", r.ent, r.p, res, err)
		}
	}
}
