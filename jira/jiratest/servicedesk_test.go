package jiratest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// walkSDPages reads every page of a Service Management start/limit endpoint, stopping on isLastPage or an empty
// page; experimental endpoints get the opt-in header.
func walkSDPages[T any](t testing.TB, a auth, u string, experimental bool) []T {
	t.Helper()
	var out []T
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	for start := 0; ; {
		req, err := http.NewRequest("GET", u+sep+"start="+itoa(start)+"&limit=50", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(a.user, a.pass)
		if experimental {
			req.Header.Set("X-ExperimentalApi", "opt-in")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			IsLastPage bool `json:"isLastPage"`
			Values     []T  `json:"values"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil {
			t.Fatalf("GET %s: status %d, %v", req.URL, resp.StatusCode, err)
		}
		out = append(out, page.Values...)
		if page.IsLastPage || len(page.Values) == 0 {
			return out
		}
		start += len(page.Values)
	}
}

type sdUser struct {
	AccountID string `json:"accountId"`
}

type sdOrg struct {
	ID string `json:"id"`
}

// TestServiceDeskEndpoints checks the Service Management reads: desks of live service projects, the experimental
// customer list (412 without the opt-in header), organizations of a desk and their members by account ID.
func TestServiceDeskEndpoints(t *testing.T) {
	t.Parallel()
	tn := jiratest.Generate(jiratest.Small, 7)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()
	a := classic(srv)
	sdBase := srv.URL + "/rest/servicedeskapi"
	desks := walkSDPages[struct {
		ID        string `json:"id"`
		ProjectID string `json:"projectId"`
		Key       string `json:"projectKey"`
	}](t, a, sdBase+"/servicedesk", false)
	if len(desks) == 0 {
		t.Fatal("no service desk listed")
	}
	d := tn.ServiceDesks[0]
	resp, body := do(t, a, "GET", sdBase+"/servicedesk/"+d.ID+"/customer", nil)
	wantStatus(t, resp, body, 412)
	got := walkSDPages[sdUser](t, a, sdBase+"/servicedesk/"+d.ID+"/customer", true)
	if len(got) != len(d.Customers) {
		t.Errorf("desk %s lists %d customers, want %d", d.ID, len(got), len(d.Customers))
	}
	// The desk can be named by its project key.
	byKey := walkSDPages[sdUser](t, a, sdBase+"/servicedesk/"+desks[0].Key+"/customer", true)
	if desks[0].ID == d.ID && len(byKey) != len(got) {
		t.Errorf("desk by project key lists %d customers, by ID %d", len(byKey), len(got))
	}
	orgs := walkSDPages[sdOrg](t, a, sdBase+"/servicedesk/"+d.ID+"/organization", false)
	if len(orgs) != len(d.OrganizationIDs) || len(orgs) == 0 {
		t.Fatalf("desk %s lists %d organizations, want %d (at least one)", d.ID, len(orgs), len(d.OrganizationIDs))
	}
	members := walkSDPages[sdUser](t, a, sdBase+"/organization/"+orgs[0].ID+"/user", false)
	for i := 1; i < len(members); i++ {
		if members[i-1].AccountID > members[i].AccountID {
			t.Errorf("organization members not ordered by account ID: %s before %s", members[i-1].AccountID, members[i].AccountID)
		}
	}
	resp, body = do(t, a, "GET", sdBase+"/servicedesk/999999/organization", nil)
	wantStatus(t, resp, body, 404)
	// Customers on the list and in organizations are portal customers once each.
	if pc := tn.PortalCustomers(d); len(pc) < len(d.Customers) {
		t.Errorf("PortalCustomers = %d accounts, fewer than the %d on the list", len(pc), len(d.Customers))
	}
}
