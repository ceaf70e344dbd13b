package httpserver

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/google/go-cmp/cmp"
)

// TestQueriesMatchTheSDKExpansion derives every principal's access and
// every entitlement's holders from the index (direct grants only) and
// compares them with the grants the SDK wrote, expanded ones included.
func TestQueriesMatchTheSDKExpansion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	st := e.syncOnce()
	f := e.srv.latest.Load()
	snap, err := embed.ReadC1Z(t.Context(), f.path)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.ExpandedGrants()) == 0 {
		t.Fatal("the fake site produced no expanded grants; the comparison would be weak")
	}
	if got, want := f.ix.grants(), len(snap.DirectGrants()); got != want {
		t.Errorf("index holds %d grants, the c1z %d direct ones", got, want)
	}
	wantAccess := map[string][]string{}  // principal key → entitlement ids
	wantHolders := map[string][]string{} // entitlement id → principal keys
	for _, g := range snap.Grants {
		p := g.PrincipalType + ":" + g.PrincipalID
		wantAccess[p] = append(wantAccess[p], g.Entitlement)
		wantHolders[g.Entitlement] = append(wantHolders[g.Entitlement], p)
	}
	for _, r := range snap.Resources {
		key := r.Type + ":" + r.ID
		acc := f.ix.access(f.ix.resByKey[key])
		var got []string
		for ent := range acc {
			got = append(got, f.ix.entID[ent])
		}
		want := wantAccess[key]
		sort.Strings(got)
		sort.Strings(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("access of %s (-sdk +index):\n%s", key, diff)
		}
	}
	for _, en := range snap.Entitlements {
		hs := f.ix.holders(f.ix.entByID[en.ID])
		var got []string
		for p := range hs {
			got = append(got, f.ix.resKey[p])
		}
		want := wantHolders[en.ID]
		sort.Strings(got)
		sort.Strings(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("holders of %s (-sdk +index):\n%s", en.ID, diff)
		}
	}

	// Over HTTP: a user's access, marked direct or derived with its path.
	var user embed.Resource
	for _, g := range snap.ExpandedGrants() {
		if g.PrincipalType == "user" && strings.HasPrefix(g.Entitlement, "project:") {
			i := slices.IndexFunc(snap.Resources, func(r embed.Resource) bool { return r.Type == "user" && r.ID == g.PrincipalID })
			user = snap.Resources[i]
			break
		}
	}
	var acc AccessAnswer
	e.getJSON("/v1/users/"+url.PathEscape(user.ID)+"/access", 200, &acc)
	if acc.SyncID != st.ID || acc.Principal.ID != user.ID || acc.Total != len(wantAccess["user:"+user.ID]) {
		t.Fatalf("access answer %+v", acc.page)
	}
	derived := 0
	for _, a := range acc.Access {
		if !a.Direct {
			derived++
			if len(a.Via) == 0 {
				t.Errorf("derived %s has no via", a.Entitlement)
			}
		}
		if a.Resource.Type == "" || a.Slug == "" || !strings.HasSuffix(a.Entitlement, ":"+a.Slug) {
			t.Errorf("row %+v", a)
		}
	}
	if derived == 0 {
		t.Errorf("no derived access for %s", user.ID)
	}
	if user.Email != "" {
		var byEmail AccessAnswer
		e.getJSON("/v1/users/"+url.PathEscape(strings.ToUpper(user.Email))+"/access", 200, &byEmail)
		if byEmail.Principal.ID != user.ID {
			t.Errorf("email lookup found %s", byEmail.Principal.ID)
		}
	}

	// Paging.
	var p1, p2 AccessAnswer
	e.getJSON("/v1/users/"+url.PathEscape(user.ID)+"/access?limit=2", 200, &p1)
	if p1.Next == nil || len(p1.Access) != 2 {
		t.Fatalf("page 1: %+v", p1.page)
	}
	e.getJSON(fmt.Sprintf("/v1/users/%s/access?limit=2&offset=%d", url.PathEscape(user.ID), *p1.Next), 200, &p2)
	if len(p2.Access) == 0 || p2.Access[0].Entitlement == p1.Access[1].Entitlement {
		t.Errorf("page 2 does not follow page 1")
	}

	// The named queries.
	pick := func(prefix, suffix string) string {
		for _, en := range snap.Entitlements {
			if strings.HasPrefix(en.ID, prefix) && strings.HasSuffix(en.ID, suffix) && len(wantHolders[en.ID]) > 0 {
				return strings.TrimSuffix(strings.TrimPrefix(en.ID, prefix), suffix)
			}
		}
		t.Fatalf("no %s…%s entitlement with holders", prefix, suffix)
		return ""
	}
	for _, q := range []struct{ path, ent string }{
		{"/v1/groups/%s/members", "group:%s:member"},
		{"/v1/projects/%s/browsers", "project:%s:participate"},
		{"/v1/project-roles/%s/holders", "project-role:%s:assigned"},
	} {
		prefix, suffix, _ := strings.Cut(q.ent, "%s")
		id := pick(prefix, suffix)
		var ans HoldersAnswer
		e.getJSON(fmt.Sprintf(q.path, url.PathEscape(id))+"?limit=10000", 200, &ans)
		ent := fmt.Sprintf(q.ent, id)
		if ans.Entitlement != ent || ans.Total != len(wantHolders[ent]) || len(ans.Holders) != ans.Total {
			t.Errorf("%s: %s total %d, want %d", q.path, ans.Entitlement, ans.Total, len(wantHolders[ent]))
		}
		var users HoldersAnswer
		e.getJSON(fmt.Sprintf(q.path, url.PathEscape(id))+"?type=user", 200, &users)
		for _, h := range users.Holders {
			if h.Principal.Type != "user" {
				t.Errorf("type=user returned %+v", h.Principal)
			}
		}
	}
	var ans HoldersAnswer
	site := pick("site:", ":anyone")
	e.getJSON("/v1/entitlements/"+url.PathEscape("site:"+site+":anyone")+"/holders?limit=1", 200, &ans)
	if ans.Total != len(wantHolders["site:"+site+":anyone"]) || len(ans.Holders) != 1 {
		t.Errorf("entitlement holders: %+v", ans.page)
	}

	// Clear 404s and 400s.
	for _, c := range []struct {
		path string
		code int
		msg  string
	}{
		{"/v1/users/nobody/access", 404, "accountId"},
		{"/v1/groups/Administrators/members", 404, "not by name"},
		{"/v1/projects/PROJ/browsers", 404, "numeric id, not their key"},
		{"/v1/project-roles/1/holders", 404, "<projectId>:<roleId>"},
		{"/v1/entitlements/nope/holders", 404, "<resourceType>:<resourceId>:<slug>"},
		{"/v1/users/" + url.PathEscape(user.ID) + "/access?limit=0", 400, "limit must be"},
		{"/v1/users/" + url.PathEscape(user.ID) + "/access?offset=-1", 400, "offset must be"},
		{"/v1/syncs/nope", 404, "no sync"},
	} {
		var ae apiError
		e.getJSON(c.path, c.code, &ae)
		if !strings.Contains(ae.Error.Message, c.msg) {
			t.Errorf("%s: %q lacks %q", c.path, ae.Error.Message, c.msg)
		}
	}
	_ = http.StatusOK
}
