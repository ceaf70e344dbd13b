package atlassian

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOrgs_List(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		testQuery(t, r, url.Values{"cursor": {"bmV4dA"}})
		writeJSON(w, 200, `{"data":[{"id":"`+string(testOrg)+`","type":"orgs","attributes":{"name":"Acme"},
			"relationships":{},"links":{"self":"https://api.atlassian.com/admin/v1/orgs/`+string(testOrg)+`"}}],
			"links":{"self":"bmV4dA","prev":"","next":""}}`)
	})
	orgs, resp, err := c.Orgs.List(t.Context(), &ListOptions{Cursor: "bmV4dA", PageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := []Org{{ID: testOrg, Type: "orgs", Attributes: OrgAttributes{Name: "Acme"}}}
	if diff := cmp.Diff(want, orgs); diff != "" {
		t.Errorf("orgs (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "" || orgs[0].Name() != "Acme" {
		t.Errorf("NextCursor = %q, Name = %q", resp.NextCursor, orgs[0].Name())
	}
}

func TestOrgs_Get(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v1/orgs/{org}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("org") != string(testOrg) {
			t.Errorf("org = %q", r.PathValue("org"))
		}
		writeJSON(w, 200, `{"data":{"id":"`+string(testOrg)+`","type":"orgs","attributes":{"name":"Acme"}},"links":{"self":"x"}}`)
	})
	o, _, err := c.Orgs.Get(t.Context(), testOrg)
	if err != nil || o.ID != testOrg || o.Name() != "Acme" {
		t.Fatalf("Get = %+v, %v", o, err)
	}
}

func TestDomains_List(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /admin/v1/orgs/{org}/domains", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, nil)
		writeJSON(w, 200, `{"data":[
			{"id":"d1","type":"domains","attributes":{"name":"acme.com","claim":{"type":"dns","status":"verified"}},"links":{"self":"x"}},
			{"id":"d2","type":"domains","attributes":{"name":"acme.io","claim":{"type":"http","status":"unverified"}},"links":{"self":"y"}}],
			"links":{"next":"ZDM"}}`)
	})
	domains, resp, err := c.Domains.List(t.Context(), testOrg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Domain{
		{ID: "d1", Type: "domains", Attributes: DomainAttributes{Name: "acme.com", Claim: DomainClaim{Type: "dns", Status: "verified"}}},
		{ID: "d2", Type: "domains", Attributes: DomainAttributes{Name: "acme.io", Claim: DomainClaim{Type: "http", Status: "unverified"}}},
	}
	if diff := cmp.Diff(want, domains); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "ZDM" || !domains[0].Verified() || domains[1].Verified() || domains[0].Name() != "acme.com" {
		t.Errorf("NextCursor = %q, Verified = %v/%v", resp.NextCursor, domains[0].Verified(), domains[1].Verified())
	}
}

func TestDomains_ListIter(t *testing.T) {
	t.Parallel()
	c, mux, srv := setup(t)
	mux.HandleFunc("GET /admin/v1/orgs/{org}/domains", func(w http.ResponseWriter, r *http.Request) {
		switch cur := r.URL.Query().Get("cursor"); cur {
		case "":
			testQuery(t, r, nil)
			writeJSON(w, 200, `{"data":[{"id":"d1","type":"domains","attributes":{"name":"acme.com"}}],
				"links":{"next":"`+srv+`/admin/v1/orgs/`+string(testOrg)+`/domains?cursor=ZDI"}}`)
		case "ZDI":
			testQuery(t, r, url.Values{"cursor": {"ZDI"}})
			writeJSON(w, 200, `{"data":[{"id":"d2","type":"domains","attributes":{"name":"acme.io"}}],"links":{}}`)
		default:
			t.Errorf("unexpected cursor %q", cur)
		}
	})
	var names []string
	for d, err := range c.Domains.ListIter(t.Context(), testOrg, nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, d.Name())
	}
	if diff := cmp.Diff([]string{"acme.com", "acme.io"}, names); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
}
