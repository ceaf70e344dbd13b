package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestProvisioningCommands runs the binary's provisioning flags against the
// fake: a grant, a revoke of the grant as synced, an account creation, and a
// refused grant that exits non-zero with the reason.
func TestProvisioningCommands(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	snap := f.Snapshot()
	var group *jiratest.Group
	for _, g := range snap.Groups {
		if !g.Admin && !g.SiteAdmin && strings.Contains(g.Name, "servicemanagement-users") {
			group = g
		}
	}
	var user string
	for _, u := range snap.Users {
		if u.Active && u.AccountType == jiratest.AccountTypeAtlassian && !slices.Contains(group.Members, u.AccountID) {
			user = u.AccountID
			break
		}
	}
	if group == nil || user == "" {
		t.Fatal("the fake has no group and user to use")
	}
	env := f.env()
	file := filepath.Join(t.TempDir(), "sync.c1z")
	run := func(args ...string) result {
		t.Helper()
		r := runBin(t, env, append([]string{"-f", file}, args...)...)
		assertNoSecrets(t, r, f.secrets()...)
		return r
	}
	mutations := func() []string {
		var out []string
		for _, m := range f.MutationLog() {
			out = append(out, m.Summary)
		}
		return out
	}
	if r := run(); r.code != 0 {
		t.Fatalf("sync: exit status %d:\n%s", r.code, r.output())
	}

	entitlement := "group:" + group.ID + ":member"
	if r := run("--grant-entitlement", entitlement, "--grant-principal", user, "--grant-principal-type", "user"); r.code != 0 {
		t.Fatalf("grant: exit status %d:\n%s", r.code, r.output())
	}
	want := "added " + user + " to group " + group.Name + " (" + group.ID + ")"
	if got := mutations(); !slices.Equal(got, []string{want}) {
		t.Fatalf("after the grant the fake logged %q, want %q", got, want)
	}

	// The grant is revoked as the synced c1z names it.
	if r := run(); r.code != 0 {
		t.Fatalf("second sync: exit status %d:\n%s", r.code, r.output())
	}
	snapC1Z, err := embed.ReadC1Z(t.Context(), file)
	if err != nil {
		t.Fatal(err)
	}
	grantID := entitlement + ":user:" + user
	if !slices.ContainsFunc(snapC1Z.DirectGrants(), func(g embed.Grant) bool { return g.ID == grantID }) {
		t.Fatalf("the second sync lacks the new grant %s", grantID)
	}
	if r := run("--revoke-grant", grantID); r.code != 0 {
		t.Fatalf("revoke: exit status %d:\n%s", r.code, r.output())
	}
	if got := mutations(); len(got) != 2 || got[1] != "removed "+user+" from group "+group.Name+" ("+group.ID+")" {
		t.Fatalf("after the revoke the fake logged %q", got)
	}

	// An invite with an explicit empty product list.
	if r := run("--create-account-email", "cli.invite@example.org", "--create-account-login", "cli.invite@example.org",
		"--create-account-profile", `{"products":[]}`); r.code != 0 {
		t.Fatalf("create account: exit status %d:\n%s", r.code, r.output())
	}
	if got := mutations(); len(got) != 3 || !strings.HasPrefix(got[2], "created user ") || !strings.HasSuffix(got[2], "<cli.invite@example.org> products=") {
		t.Fatalf("after the invite the fake logged %q", got)
	}

	// A derived entitlement is refused with the reason and a non-zero exit.
	var project string
	for _, p := range snap.Projects {
		if !p.Deleted && !p.Archived {
			project = p.ID
			break
		}
	}
	r := run("--grant-entitlement", "project:"+project+":participate", "--grant-principal", user, "--grant-principal-type", "user")
	if r.code == 0 || !strings.Contains(r.output(), "is derived from the project's permission scheme") {
		t.Errorf("granting participate: exit status %d, want a refusal naming the reason:\n%s", r.code, r.output())
	}
	if got := mutations(); len(got) != 3 {
		t.Errorf("the refused grant changed the site: %q", got)
	}
}
