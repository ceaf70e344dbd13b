package jiratest_test

import (
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"testing"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

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
	desks := fakehttp.WalkServiceDesk[struct {
		ID        string `json:"id"`
		ProjectID string `json:"projectId"`
		Key       string `json:"projectKey"`
	}](t, a, sdBase+"/servicedesk", false)
	if len(desks) == 0 {
		t.Fatal("no service desk listed")
	}
	d := tn.ServiceDesks[0]
	resp, body := fakehttp.Do(t, a, "GET", sdBase+"/servicedesk/"+d.ID+"/customer", nil)
	fakehttp.WantStatus(t, resp, body, 412)
	got := fakehttp.WalkServiceDesk[sdUser](t, a, sdBase+"/servicedesk/"+d.ID+"/customer", true)
	if len(got) != len(d.Customers) {
		t.Errorf("desk %s lists %d customers, want %d", d.ID, len(got), len(d.Customers))
	}
	// The desk can be named by its project key.
	byKey := fakehttp.WalkServiceDesk[sdUser](t, a, sdBase+"/servicedesk/"+desks[0].Key+"/customer", true)
	if desks[0].ID == d.ID && len(byKey) != len(got) {
		t.Errorf("desk by project key lists %d customers, by ID %d", len(byKey), len(got))
	}
	orgs := fakehttp.WalkServiceDesk[sdOrg](t, a, sdBase+"/servicedesk/"+d.ID+"/organization", false)
	if len(orgs) != len(d.OrganizationIDs) || len(orgs) == 0 {
		t.Fatalf("desk %s lists %d organizations, want %d (at least one)", d.ID, len(orgs), len(d.OrganizationIDs))
	}
	members := fakehttp.WalkServiceDesk[sdUser](t, a, sdBase+"/organization/"+orgs[0].ID+"/user", false)
	for i := 1; i < len(members); i++ {
		if members[i-1].AccountID > members[i].AccountID {
			t.Errorf("organization members not ordered by account ID: %s before %s", members[i-1].AccountID, members[i].AccountID)
		}
	}
	resp, body = fakehttp.Do(t, a, "GET", sdBase+"/servicedesk/999999/organization", nil)
	fakehttp.WantStatus(t, resp, body, 404)
	// Customers on the list and in organizations are portal customers once each.
	if pc := tn.PortalCustomers(d); len(pc) < len(d.Customers) {
		t.Errorf("PortalCustomers = %d accounts, fewer than the %d on the list", len(pc), len(d.Customers))
	}
}
