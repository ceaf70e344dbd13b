package groundtruth_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// walker rebuilds the ground truth from the HTTP API only, the way a connector following docs/MODEL.md would.
type walker struct {
	t    testing.TB
	srv  *jiratest.Server
	a    auth
	base string
	o    groundtruth.Options

	res    []groundtruth.Resource
	ents   map[string]bool
	grants map[string]groundtruth.Grant
	users  map[string]bool
	groups map[string]bool
}

func rebuildTruth(t testing.TB, srv *jiratest.Server, o groundtruth.Options) *groundtruth.Truth {
	w := &walker{t: t, srv: srv, a: classic(srv), base: srv.URL + "/rest/api/3", o: o, ents: map[string]bool{},
		grants: map[string]groundtruth.Grant{}, users: map[string]bool{}, groups: map[string]bool{}}
	return w.run()
}

func (w *walker) resource(typ, id, parentType, parentID, name string) {
	w.res = append(w.res, groundtruth.Resource{Type: typ, ID: id, ParentType: parentType, ParentID: parentID, DisplayName: name})
}

func (w *walker) grant(ent, ptype, pid string, expandable ...string) {
	g := groundtruth.Grant{Entitlement: ent, PrincipalType: ptype, PrincipalID: pid, Expandable: expandable}
	w.grants[g.ID()] = g
}

func (w *walker) groupGrant(ent, gid string) {
	if w.groups[gid] {
		w.grant(ent, "group", gid, "group:"+gid+":member")
	}
}

func (w *walker) run() *groundtruth.Truth {
	t, a, base := w.t, w.a, w.base
	var si struct {
		BaseURL string `json:"baseUrl"`
	}
	fakehttp.GetJSON(t, a, base+"/serverInfo", &si)
	u, _ := url.Parse(si.BaseURL)
	host := u.Host

	jiraUsers := fakehttp.WalkArray[jUser](t, a, base+"/users/search?", 1000)
	names := map[string]string{}
	var order []string
	addUser := func(id, name string) {
		if !w.users[id] {
			w.users[id] = true
			order = append(order, id)
		}
		names[id] = name
	}
	allGroups := fakehttp.WalkPageBean[jGroup](t, a, base+"/group/bulk")
	type siteGroup struct{ id, name string }
	var groups []siteGroup
	if !w.o.OrgMode {
		for _, ju := range jiraUsers {
			if !(w.o.SkipCustomers && ju.AccountType == "customer") {
				addUser(ju.AccountID, ju.DisplayName)
			}
		}
		for _, g := range allGroups {
			groups = append(groups, siteGroup{g.GroupID, g.Name})
		}
	} else {
		adm := auth{Bearer: w.srv.AdminKey}
		orgURL := w.srv.AdminURL() + "/v2/orgs/" + w.srv.OrgID
		type ws struct {
			ID         string `json:"id"`
			Attributes struct {
				TypeKey string `json:"typeKey"`
				HostURL string `json:"hostUrl"`
			} `json:"attributes"`
		}
		var sites []string
		body := map[string]any{}
		for {
			var page struct {
				Data  []ws `json:"data"`
				Links struct {
					Next string `json:"next"`
				} `json:"links"`
			}
			resp, b := fakehttp.Do(t, adm, "POST", orgURL+"/workspaces", body)
			fakehttp.WantStatus(t, resp, b, 200)
			mustUnmarshal(t, b, &page)
			for _, x := range page.Data {
				if strings.HasPrefix(x.Attributes.TypeKey, "jira") && x.Attributes.HostURL == si.BaseURL {
					sites = append(sites, x.ID)
				}
			}
			if page.Links.Next == "" {
				break
			}
			body = map[string]any{"cursor": page.Links.Next}
		}
		if len(sites) == 0 {
			t.Fatal("no Jira workspace for the site")
		}
		seenGroup := map[string]bool{}
		for _, s := range sites {
			type dirUser struct {
				AccountID string `json:"accountId"`
				Name      string `json:"name"`
			}
			type dirGroup struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			}
			users, dirGroups := orgURL+"/directories/-/users", orgURL+"/directories/-/groups"
			onSite := "?limit=100&resourceIds=" + url.QueryEscape(s)
			for _, x := range fakehttp.WalkCursor[dirUser](t, adm, users, users+onSite) {
				addUser(x.AccountID, x.Name)
			}
			for _, x := range fakehttp.WalkCursor[dirGroup](t, adm, dirGroups, dirGroups+onSite) {
				if !seenGroup[x.ID] {
					seenGroup[x.ID] = true
					groups = append(groups, siteGroup{x.ID, x.Name})
				}
			}
		}
		// Then every other account and group Jira lists.
		for _, ju := range jiraUsers {
			if !w.users[ju.AccountID] && !(w.o.SkipCustomers && ju.AccountType == "customer") {
				addUser(ju.AccountID, ju.DisplayName)
			}
		}
		for _, g := range allGroups {
			if !seenGroup[g.GroupID] {
				seenGroup[g.GroupID] = true
				groups = append(groups, siteGroup{g.GroupID, g.Name})
			}
		}
	}
	for _, id := range order {
		w.resource("user", id, "", "", names[id])
	}
	for _, g := range groups {
		w.groups[g.id] = true
	}
	for _, g := range groups {
		w.resource("group", g.id, "", "", g.name)
		ent := "group:" + g.id + ":member"
		w.ents[ent] = true
		members := fakehttp.WalkPageBean[jUser](t, a, base+"/group/member?includeInactiveUsers=true&groupId="+url.QueryEscape(g.id))
		for _, m := range members {
			if w.users[m.AccountID] {
				w.grant(ent, "user", m.AccountID)
			}
		}
	}

	var apps []struct {
		Key          string   `json:"key"`
		Name         string   `json:"name"`
		GroupDetails []jGroup `json:"groupDetails"`
	}
	fakehttp.GetJSON(t, a, base+"/applicationrole", &apps)
	var productKeys []string
	for _, ar := range apps {
		productKeys = append(productKeys, ar.Key)
		w.resource("product", ar.Key, "", "", ar.Name)
		ent := "product:" + ar.Key + ":access"
		w.ents[ent] = true
		for _, g := range ar.GroupDetails {
			w.groupGrant(ent, g.GroupID)
		}
	}

	w.resource("site", host, "", "", "Jira site "+host)
	for _, kind := range []string{"admin", "site-admin"} {
		ent := "site:" + host + ":" + kind
		w.ents[ent] = true
		for _, g := range fakehttp.WalkPageBean[jGroup](t, a, base+"/group/bulk?accessType="+kind) {
			w.groupGrant(ent, g.GroupID)
		}
	}
	anyone := "site:" + host + ":anyone"
	w.ents[anyone] = true
	for _, ju := range jiraUsers {
		if ju.Active && ju.AccountType != "customer" && w.users[ju.AccountID] {
			w.grant(anyone, "user", ju.AccountID)
		}
	}

	type project struct {
		ID   string `json:"id"`
		Key  string `json:"key"`
		Name string `json:"name"`
		Lead *jUser `json:"lead"`
		Type string `json:"projectTypeKey"`
	}
	q := base + "/project/search?expand=lead"
	if w.o.IncludeArchived {
		q += "&status=live&status=archived"
	}
	for _, k := range w.o.SyncProjectKeys {
		q += "&keys=" + url.QueryEscape(k)
	}
	type holder struct {
		Type      string `json:"type"`
		Parameter string `json:"parameter"`
		Value     string `json:"value"`
	}
	type scheme struct {
		Permissions []struct {
			Holder     holder `json:"holder"`
			Permission string `json:"permission"`
		} `json:"permissions"`
	}
	schemes := map[int64]scheme{}
	for _, p := range fakehttp.WalkPageBean[project](t, a, q) {
		pidx := len(w.res)
		w.resource("project", p.ID, "", "", p.Name)
		leadEnt := "project:" + p.ID + ":lead"
		w.ents[leadEnt] = true
		if p.Lead != nil && w.users[p.Lead.AccountID] {
			w.grant(leadEnt, "user", p.Lead.AccountID)
		}
		var roleURLs map[string]string
		fakehttp.GetJSON(t, a, base+"/project/"+p.ID+"/role", &roleURLs)
		roles := map[string]bool{}
		for roleName, ru := range roleURLs {
			rid := path.Base(ru)
			roles[rid] = true
			prID := p.ID + ":" + rid
			w.resource("project-role", prID, "project", p.ID, p.Name+" - "+roleName)
			ent := "project-role:" + prID + ":assigned"
			w.ents[ent] = true
			var role struct {
				Actors []struct {
					Type       string                      `json:"type"`
					ActorUser  *struct{ AccountID string } `json:"actorUser"`
					ActorGroup *struct{ GroupID string }   `json:"actorGroup"`
				} `json:"actors"`
			}
			fakehttp.GetJSON(t, a, ru, &role)
			for _, act := range role.Actors {
				switch act.Type {
				case "atlassian-user-role-actor":
					if w.users[act.ActorUser.AccountID] {
						w.grant(ent, "user", act.ActorUser.AccountID)
					}
				case "atlassian-group-role-actor":
					w.groupGrant(ent, act.ActorGroup.GroupID)
				}
			}
		}
		if w.o.SkipParticipants {
			continue
		}
		ent := "project:" + p.ID + ":participate"
		w.ents[ent] = true
		if p.Type == "service_desk" {
			w.portal(p.ID)
		}
		var ref struct {
			ID int64 `json:"id"`
		}
		fakehttp.GetJSON(t, a, base+"/project/"+p.ID+"/permissionscheme", &ref)
		s, seen := schemes[ref.ID]
		if !seen {
			fakehttp.GetJSON(t, a, base+"/permissionscheme/"+fmt.Sprint(ref.ID)+"?expand=permissions", &s)
			schemes[ref.ID] = s
		}
		var issueLevel []string
		for _, pg := range s.Permissions {
			if pg.Permission != "BROWSE_PROJECTS" {
				continue
			}
			h := pg.Holder
			if il, ok := groundtruth.IssueLevelHolder(h.Type, h.Parameter); ok && !slices.Contains(issueLevel, il) {
				issueLevel = append(issueLevel, il)
			}
			switch h.Type {
			case "group":
				w.groupGrant(ent, h.Value)
			case "projectRole":
				if roles[h.Parameter] {
					prID := p.ID + ":" + h.Parameter
					w.grant(ent, "project-role", prID, "project-role:"+prID+":assigned")
				}
			case "applicationRole":
				for _, k := range productKeys {
					if h.Parameter == "" || h.Parameter == k {
						w.grant(ent, "product", k, "product:"+k+":access")
					}
				}
			case "user":
				if w.users[h.Parameter] {
					w.grant(ent, "user", h.Parameter)
				}
			case "projectLead":
				if p.Lead != nil && w.users[p.Lead.AccountID] {
					w.grant(ent, "user", p.Lead.AccountID)
				}
			case "anyone":
				w.grant(ent, "site", host, anyone)
			}
		}
		slices.Sort(issueLevel)
		w.res[pidx].IssueLevelHolders = issueLevel
	}

	out := &groundtruth.Truth{Resources: w.res}
	slices.SortFunc(out.Resources, func(a, b groundtruth.Resource) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
	})
	for e := range w.ents {
		out.Entitlements = append(out.Entitlements, e)
	}
	slices.Sort(out.Entitlements)
	for _, g := range w.grants {
		out.Grants = append(out.Grants, g)
	}
	slices.SortFunc(out.Grants, func(a, b groundtruth.Grant) int {
		return cmp.Or(cmp.Compare(a.Entitlement, b.Entitlement), cmp.Compare(a.PrincipalType, b.PrincipalType),
			cmp.Compare(a.PrincipalID, b.PrincipalID))
	})
	return out
}

func compareTruth(t *testing.T, want, got *groundtruth.Truth) {
	t.Helper()
	var wb, gb bytes.Buffer
	if err := groundtruth.WriteJSON(&wb, want); err != nil {
		t.Fatal(err)
	}
	if err := groundtruth.WriteJSON(&gb, got); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(wb.Bytes(), gb.Bytes()) {
		return
	}
	diffSets(t, "resource", keysOf(want.Resources, resKey), keysOf(got.Resources, resKey))
	diffSets(t, "entitlement", want.Entitlements, got.Entitlements)
	diffSets(t, "grant", keysOf(want.Grants, grantKey), keysOf(got.Grants, grantKey))
	t.Fatal("ground truth differs from what the endpoints serve")
}

func resKey(r groundtruth.Resource) string {
	return r.Type + "|" + r.ID + "|" + r.ParentType + "|" + r.ParentID + "|" + r.DisplayName
}
func grantKey(g groundtruth.Grant) string { return g.ID() + " " + strings.Join(g.Expandable, ",") }

func keysOf[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func diffSets(t *testing.T, what string, want, got []string) {
	t.Helper()
	ws, gs := map[string]bool{}, map[string]bool{}
	for _, x := range want {
		ws[x] = true
	}
	for _, x := range got {
		gs[x] = true
	}
	n := 0
	for _, x := range want {
		if !gs[x] && n < 10 {
			t.Errorf("%s only in GroundTruth: %s", what, x)
			n++
		}
	}
	for _, x := range got {
		if !ws[x] && n < 20 {
			t.Errorf("%s only in endpoints: %s", what, x)
			n++
		}
	}
	if len(want) != len(got) {
		t.Errorf("%s count: GroundTruth %d, endpoints %d", what, len(want), len(got))
	}
}

func TestGroundTruthMatchesEndpoints(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 11)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()
	firstKey := ""
	for _, p := range tn.Projects {
		if !p.Archived && !p.Deleted {
			firstKey = p.Key
			break
		}
	}
	for _, o := range []groundtruth.Options{
		{},
		{SkipCustomers: true},
		{IncludeArchived: true, SkipParticipants: true},
		{SyncProjectKeys: []string{firstKey}},
		{OrgMode: true},
		{OrgMode: true, IncludeArchived: true},
	} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			compareTruth(t, groundtruth.Of(tn, o), rebuildTruth(t, srv, o))
		})
	}
}

func TestGroundTruthMatchesEndpointsMedium(t *testing.T) {
	if testing.Short() {
		t.Skip("medium walk skipped in -short")
	}
	t.Parallel()
	tn := jiratest.Generate(jiratest.Medium, 3)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()
	compareTruth(t, groundtruth.Of(tn, groundtruth.Options{}), rebuildTruth(t, srv, groundtruth.Options{}))
}

// TestGroundTruthAfterMutations checks that the server's live state and its ground truth move together.
func TestGroundTruthAfterMutations(t *testing.T) {
	t.Parallel()
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 5), jiratest.Unlimited())
	defer srv.Close()
	snap := srv.Snapshot()
	var team *jiratest.Group
	for _, g := range snap.Groups {
		if g.Name == "team alpha" {
			team = g
		}
	}
	var outsider string
	for _, u := range snap.Users {
		if u.Active && u.AccountType == "atlassian" && !slices.Contains(team.Members, u.AccountID) {
			outsider = u.AccountID
			break
		}
	}
	resp, b := fakehttp.Do(t, classic(srv), "POST", srv.URL+"/rest/api/3/group/user?groupId="+team.ID, map[string]string{"accountId": outsider})
	fakehttp.WantStatus(t, resp, b, 201)
	truth := groundtruth.Of(srv.Snapshot(), groundtruth.Options{})
	if _, ok := truth.GrantIDs()["group:"+team.ID+":member:user:"+outsider]; !ok {
		t.Fatal("membership added over HTTP is missing from the ground truth")
	}
	compareTruth(t, truth, rebuildTruth(t, srv, groundtruth.Options{}))
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode: %v: %s", err, b)
	}
}
