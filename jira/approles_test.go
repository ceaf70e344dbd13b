package jira

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestApplicationRolesList(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/applicationrole", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, nil)
		writeJSON(w, http.StatusOK, fixture(t, "approles_list.json"))
	})
	roles, resp, err := c.ApplicationRoles.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	swUsers := GroupName{GroupID: "276f955c-63d7-42c8-9520-92d01dca0625", Name: "jira-software-users",
		Self: "https://acme.atlassian.net/rest/api/3/group?groupId=276f955c-63d7-42c8-9520-92d01dca0625"}
	want := []ApplicationRole{
		{
			Key:    ProductJiraSoftware,
			Name:   "Jira Software",
			Groups: []string{"jira-software-users", "jira-testers"},
			GroupDetails: []GroupName{swUsers, {GroupID: "6e87dc72-4f1f-421f-9382-2fee8b652487", Name: "jira-testers",
				Self: "https://acme.atlassian.net/rest/api/3/group?groupId=6e87dc72-4f1f-421f-9382-2fee8b652487"}},
			DefaultGroups:        []string{"jira-software-users"},
			DefaultGroupsDetails: []GroupName{swUsers},
			NumberOfSeats:        10,
			RemainingSeats:       5,
			UserCount:            5,
			UserCountDescription: "5 developers",
		},
		{
			Key:    ProductJiraServiceManagement,
			Name:   "Jira Service Management",
			Groups: []string{"jira-servicemanagement-users"},
			GroupDetails: []GroupName{{GroupID: "9f2c7e51-0d3b-4b8a-a6c4-5e1f0b2d3c4a", Name: "jira-servicemanagement-users",
				Self: "https://acme.atlassian.net/rest/api/3/group?groupId=9f2c7e51-0d3b-4b8a-a6c4-5e1f0b2d3c4a"}},
			DefaultGroups:        []string{},
			DefaultGroupsDetails: []GroupName{},
			Defined:              true,
			NumberOfSeats:        -1,
			RemainingSeats:       -1,
			UserCount:            48,
			UserCountDescription: "agents",
			HasUnlimitedSeats:    true,
		},
	}
	if diff := cmp.Diff(want, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "" {
		t.Errorf("unpaged endpoint set NextCursor %q", resp.NextCursor)
	}
}

func TestApplicationRolesGet(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/applicationrole/jira-software", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, nil)
		writeJSON(w, http.StatusOK, `{"key":"jira-software","name":"Jira Software","groups":["jira-software-users"],`+
			`"groupDetails":[{"name":"jira-software-users","groupId":"276f955c-63d7-42c8-9520-92d01dca0625"}],`+
			`"selectedByDefault":true,"defined":true,"numberOfSeats":10,"remainingSeats":-2,"userCount":12,`+
			`"userCountDescription":"users","hasUnlimitedSeats":false,"platform":false}`)
	})
	r, _, err := c.ApplicationRoles.Get(t.Context(), ProductJiraSoftware)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := &ApplicationRole{Key: ProductJiraSoftware, Name: "Jira Software", Groups: []string{"jira-software-users"},
		GroupDetails:      []GroupName{{GroupID: "276f955c-63d7-42c8-9520-92d01dca0625", Name: "jira-software-users"}},
		SelectedByDefault: true, Defined: true, NumberOfSeats: 10, RemainingSeats: -2, UserCount: 12,
		UserCountDescription: "users"}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("role (-want +got):\n%s", diff)
	}
}

func TestApplicationRolesGet_escapesKeyAndNotFound(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/applicationrole/", func(w http.ResponseWriter, r *http.Request) {
		if got, want := r.URL.EscapedPath(), "/ex/jira/"+testCloudID+"/rest/api/3/applicationrole/a%2Fb%3Fc"; got != want &&
			got != "/rest/api/3/applicationrole/a%2Fb%3Fc" {
			t.Errorf("path = %s, want the key escaped as one segment", got)
		}
		testQuery(t, r, url.Values{})
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["No application role found for key a/b?c"],"errors":{}}`)
	})
	r, resp, err := c.ApplicationRoles.Get(t.Context(), "a/b?c")
	if !errors.Is(err, ErrNotFound) || r != nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("Get = %v, %v, %v; want ErrNotFound", r, resp, err)
	}
	if _, _, err := c.ApplicationRoles.Get(t.Context(), ""); err == nil {
		t.Error("empty key: want an error")
	}
}
