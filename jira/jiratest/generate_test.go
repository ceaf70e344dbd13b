package jiratest_test

import (
	"bytes"
	"encoding/json"
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	for _, sz := range []jiratest.Size{jiratest.Small, jiratest.Medium} {
		a, b := mustJSON(t, jiratest.Generate(sz, 7)), mustJSON(t, jiratest.Generate(sz, 7))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: same seed gave different tenants", sz)
		}
		if bytes.Equal(a, mustJSON(t, jiratest.Generate(sz, 8))) {
			t.Errorf("%s: different seeds gave the same tenant", sz)
		}
	}
}

func TestSizePresets(t *testing.T) {
	t.Parallel()
	if u, g, p := jiratest.XL.Counts(); u != 100000 || g != 3000 || p != 1500 {
		t.Errorf("XL counts %d/%d/%d", u, g, p)
	}
	if u, g, p := jiratest.Large.Counts(); u != 20000 || g != 1000 || p != 500 {
		t.Errorf("Large counts %d/%d/%d", u, g, p)
	}
	sizes := []jiratest.Size{jiratest.Small, jiratest.Medium}
	if !testing.Short() {
		sizes = append(sizes, jiratest.Large)
	}
	if os.Getenv("JIRATEST_XL") != "" {
		sizes = append(sizes, jiratest.XL)
	}
	for _, sz := range sizes {
		tn := jiratest.Generate(sz, 1)
		u, g, p := sz.Counts()
		if len(tn.Users) != u || len(tn.Groups) != g || len(tn.Projects) != p {
			t.Errorf("%s: %d users, %d groups, %d projects; want %d/%d/%d", sz, len(tn.Users), len(tn.Groups), len(tn.Projects), u, g, p)
		}
		s := tn.Summary()
		t.Logf("%s: %+v", sz, s)
		if sz == jiratest.Large && (s.Memberships < 60000 || s.Memberships > 110000) {
			t.Errorf("large memberships %d, want about 80,000", s.Memberships)
		}
	}
	for _, in := range []string{"small", "Medium", " LARGE ", "xl"} {
		if _, err := jiratest.ParseSize(in); err != nil {
			t.Errorf("ParseSize(%q): %v", in, err)
		}
	}
	if _, err := jiratest.ParseSize("huge"); err == nil {
		t.Error("ParseSize(huge) succeeded")
	}
}

func TestGeneratedEdgeCases(t *testing.T) {
	t.Parallel()
	for _, sz := range []jiratest.Size{jiratest.Small, jiratest.Medium} {
		tn := jiratest.Generate(sz, 99)
		has := map[string]bool{}
		for _, u := range tn.Users {
			has["user:"+u.AccountType] = true
			if u.AppType == "service" {
				has["service account"] = true
			}
			if u.AccountType == "customer" && strings.HasPrefix(u.AccountID, "qm:") {
				has["qm customer"] = true
			}
			if u.EmailHidden && !u.Former {
				has["hidden email"] = true
			}
			if !u.Active && !u.Former && u.AccountType == "atlassian" {
				has["inactive"] = true
			}
			if u.Former && u.DisplayName == "Former user" && u.Email == "" {
				has["former"] = true
			}
			if utf8.RuneCountInString(u.DisplayName) != len(u.DisplayName) {
				has["unicode name"] = true
			}
		}
		for _, g := range tn.Groups {
			for _, c := range []string{" ", "/", "+", "&"} {
				if strings.Contains(g.Name, c) {
					has["group name with "+c] = true
				}
			}
			if g.Admin {
				has["admin group"] = true
			}
			if g.SiteAdmin {
				has["site-admin group"] = true
			}
		}
		for _, p := range tn.Projects {
			if p.Simplified && len(p.ScopedRoles) > 0 {
				has["team-managed"] = true
			}
			if p.Archived {
				has["archived"] = true
			}
			for _, ra := range p.RoleActors {
				if len(ra.Groups) > 0 {
					has["group actor"] = true
				}
				seen := map[string]bool{}
				for _, u := range ra.Users {
					if seen[u] {
						t.Errorf("%s: user %s twice in a role of %s", sz, u, p.Key)
					}
					seen[u] = true
				}
			}
		}
		for _, s := range tn.PermissionSchemes {
			groups := map[string]int{}
			for _, g := range s.Grants {
				if g.Permission != jiratest.PermBrowseProjects {
					continue
				}
				has["holder:"+g.Holder.Type] = true
				if g.Holder.Type == jiratest.HolderApplicationRole {
					has["applicationRole key="+map[bool]string{true: "yes", false: "no"}[g.Holder.ApplicationKey != ""]] = true
				}
				if g.Holder.Type == jiratest.HolderGroup {
					groups[g.Holder.GroupID]++
					if groups[g.Holder.GroupID] == 2 {
						has["group holding Browse twice"] = true
					}
				}
			}
		}
		for _, a := range tn.ApplicationRoles {
			if len(a.GroupIDs) > 0 {
				has["product "+a.Key] = true
			}
		}
		hosts := map[string]bool{}
		for _, w := range tn.Org.Workspaces {
			if w.HostURL != "" {
				hosts[w.HostURL] = true
			}
			if w.TypeKey == "confluence" && w.HostURL == tn.SiteURL() {
				has["confluence on the jira host"] = true
			}
		}
		if len(hosts) > 1 {
			has["several sites"] = true
		}
		for _, acc := range tn.Org.Accounts {
			has["org "+acc.Status] = true
			for _, pa := range acc.ProductAccess {
				if !pa.LastActive.IsZero() {
					has["last active"] = true
				}
			}
		}
		for _, want := range []string{"user:atlassian", "user:app", "user:customer", "service account", "qm customer",
			"hidden email", "inactive", "former", "unicode name", "group name with  ", "group name with /",
			"group name with +", "group name with &", "admin group", "site-admin group", "team-managed", "archived",
			"group actor", "holder:group", "holder:projectRole", "holder:applicationRole", "holder:user",
			"holder:projectLead", "holder:anyone", "holder:reporter", "applicationRole key=yes", "applicationRole key=no",
			"group holding Browse twice", "product jira-software", "product jira-servicedesk",
			"product jira-product-discovery", "product jira-core", "confluence on the jira host", "several sites",
			"org active", "org suspended", "org deactivated", "last active"} {
			if !has[want] {
				t.Errorf("%s: generated tenant lacks %q", sz, want)
			}
		}
	}
}

func TestClone(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 3)
	c := tn.Clone()
	if !bytes.Equal(mustJSON(t, tn), mustJSON(t, c)) {
		t.Fatal("clone differs")
	}
	c.Groups[0].Members = append(c.Groups[0].Members, "x")
	c.Projects[0].RoleActors[0].Users[0] = "y"
	c.Org.Accounts[0].ProductAccess = nil
	if bytes.Equal(mustJSON(t, tn), mustJSON(t, c)) {
		t.Fatal("clone shares state with the original")
	}
}

// TestServerDoesNotModifyTenant checks NewServer works on its own copy.
func TestServerDoesNotModifyTenant(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 3)
	before := mustJSON(t, tn)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()
	resp, b := fakehttp.Do(t, classic(srv), "POST", srv.URL+"/rest/api/3/group", map[string]string{"name": "fresh"})
	fakehttp.WantStatus(t, resp, b, 201)
	if !bytes.Equal(before, mustJSON(t, tn)) {
		t.Fatal("the server modified the caller's tenant")
	}
	if len(srv.Snapshot().Groups) != len(tn.Groups)+1 {
		t.Fatal("snapshot does not show the new group")
	}
}
