package jira

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRoleID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    RoleID
		wantErr bool
	}{
		{"https://acme.atlassian.net/rest/api/3/project/10000/role/10002", 10002, false},
		{"https://acme.atlassian.net/rest/api/3/project/EX/role/10360/", 10360, false},
		{"https://acme.atlassian.net/rest/api/3/project/EX/role/10360//", 10360, false},
		{"https://api.atlassian.com/ex/jira/0a1b/rest/api/3/project/EX/role/7?x=1", 7, false},
		{"/rest/api/3/project/EX/role/42", 42, false},
		{"  https://acme.atlassian.net/rest/api/3/project/EX/role/5  ", 5, false},
		{"https://acme.atlassian.net/rest/api/3/project/EX/role/Developers", 0, true},
		{"https://acme.atlassian.net/rest/api/3/project/EX/role/", 0, true},
		{"https://acme.atlassian.net/rest/api/3/project/EX/role/0", 0, true},
		{"https://acme.atlassian.net/rest/api/3/project/EX/role/-3", 0, true},
		{"https://acme.atlassian.net/rest/api/3/project/EX/role/99999999999999999999", 0, true},
		{"http://[::1%zz/role/1", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseRoleID(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseRoleID(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestRolesForProject(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/EX/role", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, nil)
		writeJSON(w, http.StatusOK, `{
			"Developers": "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10360",
			"Administrators": "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10002/",
			"atlassian-addons-project-access": "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10003",
			"Viewers": "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10100"
		}`)
	})
	refs, _, err := client.Roles.ForProject(t.Context(), "EX")
	if err != nil {
		t.Fatalf("ForProject: %v", err)
	}
	want := []ProjectRoleRef{
		{ID: 10002, Name: "Administrators", URL: "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10002/"},
		{ID: 10003, Name: "atlassian-addons-project-access", URL: "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10003"},
		{ID: 10100, Name: "Viewers", URL: "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10100"},
		{ID: 10360, Name: "Developers", URL: "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10360"},
	}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
}

func TestRolesForProject_badURL(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/10000/role", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{
			"Developers": "https://your-domain.atlassian.net/rest/api/3/project/EX/role/10360",
			"Broken": "https://your-domain.atlassian.net/rest/api/3/project/EX/role/abc"
		}`)
	})
	refs, resp, err := client.Roles.ForProject(t.Context(), "10000")
	if err == nil {
		t.Fatalf("ForProject succeeded with %v, want an error", refs)
	}
	if !strings.Contains(err.Error(), `"Broken"`) {
		t.Errorf("error %q does not name the role", err)
	}
	if resp == nil || resp.StatusCode != http.StatusOK {
		t.Errorf("resp = %v, want the 200 response", resp)
	}
}

func TestRolesForProject_empty(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/EX/role", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{}`)
	})
	refs, _, err := client.Roles.ForProject(t.Context(), "EX")
	if err != nil || len(refs) != 0 {
		t.Fatalf("ForProject = %v, %v; want no roles", refs, err)
	}
	if _, _, err := client.Roles.ForProject(t.Context(), ""); err == nil {
		t.Error("ForProject(\"\") succeeded, want an error")
	}
}

func wantDevelopersRole() *ProjectRole {
	return &ProjectRole{
		ID: 10360, Name: "Developers", Self: "https://your-domain.atlassian.net/rest/api/3/project/MKY/role/10360",
		Description: "A project role that represents developers in a project",
		Actors: []RoleActor{
			{ID: 10240, DisplayName: "jira-developers", Type: RoleActorGroup, Name: "jira-developers",
				ActorGroup: &ActorGroup{GroupID: "952d12c3-5b5b-4d04-bb32-44d383afc4b2", Name: "jira-developers", DisplayName: "jira-developers"}},
			{ID: 10241, DisplayName: "Mia Krystof", Type: RoleActorUser,
				AvatarURL: "https://avatar-management--avatars.server-location.prod.public.atl-paas.net/initials/MK-5.png",
				ActorUser: &ActorUser{AccountID: "5b10a2844c20165700ede21g"}},
		},
		Scope:            &RoleScope{Type: "PROJECT", Project: &RoleScopeProject{ID: "10000", Key: "KEY", Name: "Next Gen Project"}},
		TranslatedName:   "Developers",
		RoleConfigurable: true,
		Default:          true,
	}
}

func TestRolesGet(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var query atomic.Value
	mux.HandleFunc("/rest/api/3/project/MKY/role/10360", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		query.Store(r.URL.RawQuery)
		writeJSON(w, http.StatusOK, fixture(t, "roles_project_role.json"))
	})
	role, _, err := client.Roles.Get(t.Context(), "MKY", 10360, nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(wantDevelopersRole(), role); diff != "" {
		t.Errorf("role (-want +got):\n%s", diff)
	}
	if q := query.Load().(string); q != "" {
		t.Errorf("query = %q, want none", q)
	}
	if _, _, err := client.Roles.Get(t.Context(), "MKY", 10360, &RoleGetOptions{ExcludeInactive: true}); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if q := query.Load().(string); q != "excludeInactiveUsers=true" {
		t.Errorf("query = %q, want excludeInactiveUsers=true", q)
	}
	if _, _, err := client.Roles.Get(t.Context(), "MKY", 0, nil); err == nil {
		t.Error("Get with role 0 succeeded, want an error")
	}
}

func TestRolesList(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/role", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		writeJSON(w, http.StatusOK, fixture(t, "roles_list.json"))
	})
	roles, _, err := client.Roles.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []ProjectRole{
		{ID: 10360, Name: "Developers", Self: "https://your-domain.atlassian.net/rest/api/3/project/MKY/role/10360",
			Description: "A project role that represents developers in a project",
			Actors: []RoleActor{{ID: 10240, DisplayName: "jira-developers", Type: RoleActorGroup, Name: "jira-developers",
				ActorGroup: &ActorGroup{GroupID: "952d12c3-5b5b-4d04-bb32-44d383afc4b2", Name: "jira-developers", DisplayName: "jira-developers"}}},
			Scope: &RoleScope{Type: "PROJECT", Project: &RoleScopeProject{ID: "10000", Key: "KEY", Name: "Next Gen Project"}}},
		{ID: 10002, Name: "Administrators", Self: "https://your-domain.atlassian.net/rest/api/3/role/10002",
			Description: "A project role that represents administrators in a project", Actors: []RoleActor{}},
	}
	if diff := cmp.Diff(want, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if !roles[0].ProjectScoped() || roles[1].ProjectScoped() {
		t.Errorf("ProjectScoped = %v, %v; want true (PROJECT scope), false (no scope)", roles[0].ProjectScoped(), roles[1].ProjectScoped())
	}
	if (ProjectRole{Scope: &RoleScope{Type: ScopeTypeGlobal}}).ProjectScoped() {
		t.Error("a GLOBAL scope is project-scoped")
	}
}

func TestRolesDetails(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/KEY/roledetails", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		writeJSON(w, http.StatusOK, fixture(t, "roles_details.json"))
	})
	roles, _, err := client.Roles.Details(t.Context(), "KEY")
	if err != nil {
		t.Fatalf("Details: %v", err)
	}
	want := []ProjectRole{{ID: 10360, Name: "Developers", Self: "https://your-domain.atlassian.net/rest/api/3/project/MKY/role/10360",
		Description: "A project role that represents developers in a project", Default: true, RoleConfigurable: true,
		TranslatedName: "Developers",
		Scope:          &RoleScope{Type: "PROJECT", Project: &RoleScopeProject{ID: "10000", Key: "KEY", Name: "Next Gen Project"}}}}
	if diff := cmp.Diff(want, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
}

func TestRolesAddUsersAndGroups(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var wantBody atomic.Value
	mux.HandleFunc("/rest/api/3/project/MKY/role/10360", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testAuth(t, r)
		testHeader(t, r, "Content-Type", "application/json")
		testQuery(t, r, nil)
		testJSONBody(t, r, wantBody.Load().(string))
		writeJSON(w, http.StatusOK, fixture(t, "roles_project_role.json"))
	})

	wantBody.Store(`{"user":["5b10a2844c20165700ede21g","5b10ac8d82e05b22cc7d4ef5"]}`)
	role, _, err := client.Roles.AddUsers(t.Context(), "MKY", 10360, "5b10a2844c20165700ede21g", "5b10ac8d82e05b22cc7d4ef5")
	if err != nil {
		t.Fatalf("AddUsers: %v", err)
	}
	if diff := cmp.Diff(wantDevelopersRole(), role); diff != "" {
		t.Errorf("role (-want +got):\n%s", diff)
	}

	wantBody.Store(`{"groupId":["952d12c3-5b5b-4d04-bb32-44d383afc4b2"]}`)
	if _, _, err := client.Roles.AddGroups(t.Context(), "MKY", 10360, "952d12c3-5b5b-4d04-bb32-44d383afc4b2"); err != nil {
		t.Fatalf("AddGroups: %v", err)
	}

	if _, _, err := client.Roles.AddUsers(t.Context(), "MKY", 10360); err == nil {
		t.Error("AddUsers without users succeeded, want an error")
	}
	if _, _, err := client.Roles.AddUsers(t.Context(), "MKY", 10360, "a", ""); err == nil {
		t.Error("AddUsers with an empty ID succeeded, want an error")
	}
	if _, _, err := client.Roles.AddGroups(t.Context(), "MKY", 10360); err == nil {
		t.Error("AddGroups without groups succeeded, want an error")
	}
	if _, _, err := client.Roles.AddGroups(t.Context(), "", 10360, "g"); err == nil {
		t.Error("AddGroups without a project succeeded, want an error")
	}
}

func TestRolesAddUsers_alreadyInRoleAndNoRetry(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var calls atomic.Int32
	status := atomic.Int32{}
	status.Store(http.StatusBadRequest)
	mux.HandleFunc("/rest/api/3/project/EX/role/10002", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch status.Load() {
		case http.StatusBadRequest:
			writeJSON(w, http.StatusBadRequest, `{"errorMessages":["'5b10ac8d82e05b22cc7d4ef5' is already a member of the project role."],"errors":{}}`)
		default:
			writeJSON(w, http.StatusInternalServerError, `{"errorMessages":["Internal server error"],"errors":{}}`)
		}
	})
	_, _, err := client.Roles.AddUsers(t.Context(), "EX", 10002, "5b10ac8d82e05b22cc7d4ef5")
	if !IsAlreadyInRole(err) || !errors.Is(err, ErrBadRequest) {
		t.Errorf("err = %v, want IsAlreadyInRole and ErrBadRequest", err)
	}
	if IsNotInRole(err) {
		t.Errorf("IsNotInRole(%v) = true", err)
	}

	status.Store(http.StatusInternalServerError)
	calls.Store(0)
	_, _, err = client.Roles.AddUsers(t.Context(), "EX", 10002, "5b10ac8d82e05b22cc7d4ef5")
	if err == nil || IsAlreadyInRole(err) {
		t.Errorf("err = %v, want a plain 500", err)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("POST sent %d times after a 500, want 1 (POST is never retried on 5xx)", got)
	}
}

func TestRolesRemove(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var wantQuery atomic.Value
	mux.HandleFunc("/rest/api/3/project/EX/role/10002", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodDelete)
		testAuth(t, r)
		testQuery(t, r, wantQuery.Load().(url.Values))
		w.WriteHeader(http.StatusNoContent)
	})
	wantQuery.Store(url.Values{"user": {"5b10ac8d82e05b22cc7d4ef5"}})
	resp, err := client.Roles.RemoveUser(t.Context(), "EX", 10002, "5b10ac8d82e05b22cc7d4ef5")
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("RemoveUser = %v, %v; want 204", resp, err)
	}
	wantQuery.Store(url.Values{"groupId": {"952d12c3-5b5b-4d04-bb32-44d383afc4b2"}})
	if _, err := client.Roles.RemoveGroup(t.Context(), "EX", 10002, "952d12c3-5b5b-4d04-bb32-44d383afc4b2"); err != nil {
		t.Fatalf("RemoveGroup: %v", err)
	}
	if _, err := client.Roles.RemoveUser(t.Context(), "EX", 10002, ""); err == nil {
		t.Error("RemoveUser without a user succeeded, want an error")
	}
	if _, err := client.Roles.RemoveGroup(t.Context(), "EX", 10002, ""); err == nil {
		t.Error("RemoveGroup without a group succeeded, want an error")
	}
	if _, err := client.Roles.RemoveGroup(t.Context(), "EX", -1, "g"); err == nil {
		t.Error("RemoveGroup with role -1 succeeded, want an error")
	}
}

func TestRolesRemove_notInRole(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/EX/role/10002", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["'5b10ac8d82e05b22cc7d4ef5' is not a member of the project role."],"errors":{}}`)
	})
	_, err := client.Roles.RemoveUser(t.Context(), "EX", 10002, "5b10ac8d82e05b22cc7d4ef5")
	if !IsNotInRole(err) {
		t.Errorf("IsNotInRole(%v) = false, want true", err)
	}
}

func TestIsAlreadyInRoleIsNotInRole(t *testing.T) {
	t.Parallel()
	jiraErr := func(status int, msgs ...string) error {
		return &Error{StatusCode: status, Method: http.MethodPost, URL: "https://x/rest/api/3/project/EX/role/1", Messages: msgs}
	}
	tests := []struct {
		name        string
		err         error
		already, in bool
	}{
		{"nil", nil, false, false},
		{"plain error", errors.New("already a member of the project role"), false, false},
		{"already 400", jiraErr(400, "'jira-developers' is already a member of the project role."), true, false},
		{"already wrapped", fmt.Errorf("grant: %w", jiraErr(400, "'x' is already a member of the project role.")), true, false},
		{"already 409", jiraErr(409, "User is already in this role"), true, false},
		{"already but 403", jiraErr(403, "'x' is already a member of the project role."), false, false},
		{"already in field errors", &Error{StatusCode: 400, FieldErrors: map[string]string{"user": "User is already a member of the project role."}}, true, false},
		{"other 400", jiraErr(400, "We can't find 'x'."), false, false},
		{"not member 400", jiraErr(400, "'x' is not a member of the project role."), false, true},
		{"not member 404", jiraErr(404, "User 'x' is not a member of the project role"), false, true},
		{"not in role 404", jiraErr(404, "The actor is not in the role"), false, true},
		{"unknown role 404", jiraErr(404, "No project role could be found with id 99"), false, false},
		{"unknown user 404", jiraErr(404, "The user does not exist"), false, false},
		{"bare 404", jiraErr(404), false, false},
		{"not member 500", jiraErr(500, "'x' is not a member of the project role."), false, false},
	}
	for _, tt := range tests {
		if got := IsAlreadyInRole(tt.err); got != tt.already {
			t.Errorf("%s: IsAlreadyInRole = %v, want %v", tt.name, got, tt.already)
		}
		if got := IsNotInRole(tt.err); got != tt.in {
			t.Errorf("%s: IsNotInRole = %v, want %v", tt.name, got, tt.in)
		}
	}
}
