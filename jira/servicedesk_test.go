package jira

import (
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sdCustomersPage1 is shaped like the documented PagedDTOUserDTO answer: the
// server capped the page at 2 (below the requested limit) and says there is
// more, so the short page must not end the listing.
const sdCustomersPage1 = `{
  "_expands": [],
  "size": 2, "start": 0, "limit": 2, "isLastPage": false,
  "_links": {"base": "https://acme.atlassian.net/rest/servicedeskapi", "context": "context",
    "next": "https://acme.atlassian.net/rest/servicedeskapi/servicedesk/10001/customer?start=2&limit=2"},
  "values": [
    {"accountId": "qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3581db05e2a66fa80b",
     "name": "qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3581db05e2a66fa80b", "key": "",
     "emailAddress": "fred@example.com", "displayName": "Fred F. User", "active": true, "timeZone": "Australia/Sydney",
     "_links": {"jiraRest": "https://acme.atlassian.net/rest/api/2/user?accountId=qm:a713c8ea", "self": "https://acme.atlassian.net/rest/api/2/user?accountId=qm:a713c8ea"}},
    {"accountId": "qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3a01db05e2a66fa80bd",
     "displayName": "Jane Customer", "active": false}
  ]
}`

func TestServiceDeskCustomers(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/servicedeskapi/servicedesk/10001/customer", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testHeader(t, r, "X-ExperimentalApi", "opt-in")
		switch calls.Add(1) {
		case 1:
			testQuery(t, r, url.Values{"query": {"fred"}, "start": {"0"}, "limit": {"50"}})
			writeJSON(w, http.StatusOK, sdCustomersPage1)
		case 2:
			testQuery(t, r, url.Values{"query": {"fred"}, "start": {"2"}, "limit": {"50"}})
			writeJSON(w, http.StatusOK, `{"size":1,"start":2,"limit":2,"isLastPage":true,"values":[
				{"accountId":"5b10ac8d82e05b22cc7d4ef5","displayName":"Agent Smith","active":true}]}`)
		default:
			t.Errorf("request after isLastPage")
		}
	})
	var got []Customer
	for cu, err := range c.ServiceDesk.CustomersIter(t.Context(), "10001", &CustomerListOptions{Query: "fred"}) {
		if err != nil {
			t.Fatalf("CustomersIter: %v", err)
		}
		got = append(got, cu)
	}
	want := []Customer{
		{AccountID: "qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3581db05e2a66fa80b", DisplayName: "Fred F. User",
			EmailAddress: "fred@example.com", Active: true, TimeZone: "Australia/Sydney"},
		{AccountID: "qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3a01db05e2a66fa80bd", DisplayName: "Jane Customer"},
		{AccountID: "5b10ac8d82e05b22cc7d4ef5", DisplayName: "Agent Smith", Active: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("customers (-want +got):\n%s", diff)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
}

func TestServiceDeskCustomersPageCursor(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/servicedeskapi/servicedesk/10001/customer", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"start": {"0"}, "limit": {"10"}})
		writeJSON(w, http.StatusOK, sdCustomersPage1)
	})
	got, resp, err := c.ServiceDesk.Customers(t.Context(), "10001", &CustomerListOptions{ListOptions: ListOptions{PageSize: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || resp.NextCursor != "o2" {
		t.Errorf("got %d customers, NextCursor %q; want 2 and the cursor past them (o2)", len(got), resp.NextCursor)
	}
	if _, _, err := c.ServiceDesk.Customers(t.Context(), " ", nil); err == nil {
		t.Error("Customers with a blank service desk ID: no error")
	}
}

// TestServiceDeskPagingEnds: isLastPage ends the walk; without it an empty
// page does; a short page with isLastPage false does not.
func TestServiceDeskPagingEnds(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/servicedeskapi/organization", func(w http.ResponseWriter, r *http.Request) {
		switch start := r.URL.Query().Get("start"); start {
		case "0":
			writeJSON(w, http.StatusOK, `{"start":0,"limit":50,"size":1,"isLastPage":false,"values":[
				{"id":"1","name":"Charlie Cakes Franchises","created":{"iso8601":"2021-07-13T03:45:48+0000","epochMillis":1626147948000}}]}`)
		case "1":
			writeJSON(w, http.StatusOK, `{"start":1,"limit":50,"size":1,"values":[{"id":"2","name":"Atlas Coffee"}]}`)
		case "2":
			writeJSON(w, http.StatusOK, `{"start":2,"limit":50,"size":0,"values":[]}`)
		default:
			t.Errorf("unexpected start %q", start)
		}
		calls.Add(1)
	})
	var got []CustomerOrganization
	for o, err := range c.ServiceDesk.OrganizationsIter(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, o)
	}
	want := []CustomerOrganization{
		{ID: "1", Name: "Charlie Cakes Franchises", Created: &ServiceDeskDate{ISO8601: "2021-07-13T03:45:48+0000", EpochMillis: 1626147948000}},
		{ID: "2", Name: "Atlas Coffee"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("organizations (-want +got):\n%s", diff)
	}
	if created := got[0].Created.Time(); !created.Equal(time.Date(2021, 7, 13, 3, 45, 48, 0, time.UTC)) {
		t.Errorf("Created.Time() = %v", created)
	}
	if !(ServiceDeskDate{}).Time().IsZero() {
		t.Error("zero ServiceDeskDate has a non-zero Time")
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("requests = %d, want 3 (the last one empty)", n)
	}
}

func TestServiceDeskListAndOrganizationUsers(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/servicedeskapi/servicedesk", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testQuery(t, r, url.Values{"start": {"0"}, "limit": {"50"}})
		if r.Header.Get("X-ExperimentalApi") != "" {
			t.Error("a stable endpoint got the experimental opt-in header")
		}
		writeJSON(w, http.StatusOK, `{"start":0,"limit":50,"size":1,"isLastPage":true,"values":[
			{"id":"10001","projectId":"11001","projectName":"IT Help Desk","projectKey":"ITH",
			 "_links":{"self":"https://acme.atlassian.net/rest/servicedeskapi/servicedesk/10001"}}]}`)
	})
	mux.HandleFunc("/rest/servicedeskapi/organization/{id}/user", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "7" {
			t.Errorf("organization ID = %q", r.PathValue("id"))
		}
		testQuery(t, r, url.Values{"start": {"5"}, "limit": {"20"}})
		writeJSON(w, http.StatusOK, `{"start":5,"limit":20,"size":1,"isLastPage":true,"values":[
			{"accountId":"qm:1:2","displayName":"Org User","active":true}]}`)
	})
	desks, resp, err := c.ServiceDesk.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ServiceDesk{{ID: "10001", ProjectID: "11001", ProjectName: "IT Help Desk", ProjectKey: "ITH"}}, desks); diff != "" {
		t.Errorf("desks (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "" {
		t.Errorf("NextCursor = %q after isLastPage", resp.NextCursor)
	}
	users, resp, err := c.ServiceDesk.OrganizationUsers(t.Context(), "7", &ListOptions{Cursor: "o5", PageSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].AccountID != "qm:1:2" || resp.NextCursor != "" {
		t.Errorf("users = %+v, NextCursor %q", users, resp.NextCursor)
	}
	if _, _, err := c.ServiceDesk.OrganizationUsers(t.Context(), "7", &ListOptions{Cursor: "t-token"}); err == nil {
		t.Error("a non-offset cursor was accepted")
	}
}

// TestServiceDeskErrorShape: Service Management's {"errorMessage", "i18nErrorMessage"} body.
func TestServiceDeskErrorShape(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/servicedeskapi/servicedesk/999/customer", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"errorMessage":"The service desk does not exist.",
			"i18nErrorMessage":{"i18nKey":"sd.servicedesk.error.not.found","parameters":[]}}`)
	})
	_, _, err := c.ServiceDesk.Customers(t.Context(), "999", nil)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want a 404 *Error", err)
	}
	if e.Message() != "The service desk does not exist." {
		t.Errorf("Message() = %q", e.Message())
	}
}

// TestServiceDeskCustomerRateLimit: Jira documents a 5 requests/s burst
// limit for the customer list; the default limiter paces it so.
func TestServiceDeskCustomerRateLimit(t *testing.T) {
	t.Parallel()
	c, err := NewClient("https://acme.atlassian.net", WithBasicAuth(testEmail, testToken))
	if err != nil {
		t.Fatal(err)
	}
	const route = "/rest/servicedeskapi/servicedesk/{}/customer"
	for name, l := range map[string]*Limiter{"NewClient": c.Transport().Limiter(), "NewTransport": NewTransport(TransportConfig{}).Limiter()} {
		if got := l.CurrentRate(http.MethodGet, route); got != 5 {
			t.Errorf("%s: rate of GET %s = %v, want 5", name, route, got)
		}
		if got := l.CurrentRate(http.MethodGet, "/rest/servicedeskapi/organization"); got != 100 {
			t.Errorf("%s: rate of GET organization = %v, want the GET default 100", name, got)
		}
	}
}

func TestServiceDeskIterators(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/servicedeskapi/servicedesk", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("start") {
		case "0":
			writeJSON(w, http.StatusOK, `{"start":0,"limit":1,"size":1,"isLastPage":false,"values":[{"id":"1","projectKey":"ITH"}]}`)
		case "1":
			writeJSON(w, http.StatusOK, `{"start":1,"limit":1,"size":1,"isLastPage":true,"values":[{"id":"2","projectKey":"HR"}]}`)
		default:
			t.Errorf("unexpected query %s", r.URL.RawQuery)
		}
	})
	mux.HandleFunc("/rest/servicedeskapi/organization/{id}/user", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("start") {
		case "0":
			writeJSON(w, http.StatusOK, `{"start":0,"limit":50,"size":1,"isLastPage":false,"values":[{"accountId":"qm:1"}]}`)
		case "1":
			writeJSON(w, http.StatusOK, `{"start":1,"limit":50,"size":0,"isLastPage":false,"values":[]}`)
		default:
			t.Errorf("unexpected query %s", r.URL.RawQuery)
		}
	})
	var keys []ProjectKey
	for d, err := range c.ServiceDesk.ListIter(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, d.ProjectKey)
	}
	var ids []AccountID
	for u, err := range c.ServiceDesk.OrganizationUsersIter(t.Context(), "7", nil) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.AccountID)
	}
	if diff := cmp.Diff([]ProjectKey{"ITH", "HR"}, keys); diff != "" {
		t.Errorf("desks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]AccountID{"qm:1"}, ids); diff != "" {
		t.Errorf("organization users (-want +got):\n%s", diff)
	}
}

func TestServiceDeskDeskOrganizations(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/servicedeskapi/servicedesk/4/organization", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		switch calls.Add(1) {
		case 1:
			testQuery(t, r, url.Values{"start": {"0"}, "limit": {"50"}})
			writeJSON(w, http.StatusOK, `{"size":1,"start":0,"limit":1,"isLastPage":false,"values":[{"id":"1","name":"Charlie Cakes Franchises"}]}`)
		case 2:
			testQuery(t, r, url.Values{"start": {"1"}, "limit": {"50"}})
			writeJSON(w, http.StatusOK, `{"size":0,"start":1,"limit":1,"isLastPage":false,"values":[]}`)
		default:
			t.Errorf("request after an empty page")
		}
	})
	var got []CustomerOrganization
	for o, err := range c.ServiceDesk.DeskOrganizationsIter(t.Context(), "4", nil) {
		if err != nil {
			t.Fatalf("DeskOrganizationsIter: %v", err)
		}
		got = append(got, o)
	}
	if want := []CustomerOrganization{{ID: "1", Name: "Charlie Cakes Franchises"}}; !cmp.Equal(want, got) {
		t.Errorf("organizations = %+v, want %+v", got, want)
	}
	if _, _, err := c.ServiceDesk.DeskOrganizations(t.Context(), "", nil); err == nil {
		t.Error("an empty desk ID was accepted")
	}
}
