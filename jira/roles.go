package jira

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/batonkit/jiracloud/internal/apiclient"
)

// RoleActorType tells whether a [RoleActor] is a user or a group.
type RoleActorType string

// Role actor types.
const (
	// RoleActorUser is a user actor; [RoleActor].ActorUser holds its account ID.
	RoleActorUser RoleActorType = "atlassian-user-role-actor"
	// RoleActorGroup is a group actor; [RoleActor].ActorGroup holds its group ID.
	RoleActorGroup RoleActorType = "atlassian-group-role-actor"
)

// ProjectRoleRef is one entry of a project's role list: the role's name, its
// REST URL and the role ID parsed from that URL.
type ProjectRoleRef struct {
	// ID is the role ID (roles are global: the same ID in every project).
	ID RoleID
	// Name is the role name, e.g. "Administrators".
	Name string
	// URL is the REST URL of the role in this project.
	URL string
}

// ProjectRole is a project role. In the context of a project (from
// [RolesService.Get] or the add methods) Actors are that project's members of
// the role; from [RolesService.List] they are the default actors; from
// [RolesService.Details] there are none.
type ProjectRole struct {
	// ID is the role ID.
	ID RoleID `json:"id"`
	// Name is the role name.
	Name string `json:"name"`
	// Description is the role description.
	Description string `json:"description,omitempty"`
	// Self is the role's REST URL.
	Self string `json:"self"`
	// Scope is set for roles that belong to one (team-managed) project; nil for global roles.
	Scope *RoleScope `json:"scope,omitempty"`
	// Actors are the users and groups in the role, sorted by display name.
	Actors []RoleActor `json:"actors,omitempty"`
	// Admin reports whether this is the admin role of a team-managed project.
	Admin bool `json:"admin"`
	// Default reports whether this is the default role of a team-managed project.
	Default bool `json:"default"`
	// RoleConfigurable reports whether the role's permissions can be changed.
	RoleConfigurable bool `json:"roleConfigurable"`
	// TranslatedName is the name in the caller's language.
	TranslatedName string `json:"translatedName,omitempty"`
	// CurrentUserRole reports whether the caller holds the role (some endpoints only).
	CurrentUserRole bool `json:"currentUserRole,omitempty"`
}

// RoleScope is the scope of a project-scoped role (also used for the scope
// of statuses and issue types, which carry only the project ID).
type RoleScope struct {
	// Type is "PROJECT" for project-scoped entities (or "TEMPLATE", "GLOBAL").
	Type string `json:"type"`
	// Project is the project the role belongs to.
	Project *RoleScopeProject `json:"project,omitempty"`
}

// Scope types of a [RoleScope].
const (
	// ScopeTypeProject marks an entity that belongs to one project.
	ScopeTypeProject = "PROJECT"
	// ScopeTypeGlobal marks an entity shared by the site.
	ScopeTypeGlobal = "GLOBAL"
	// ScopeTypeTemplate marks an entity of a project template.
	ScopeTypeTemplate = "TEMPLATE"
)

// ProjectScoped reports whether the role belongs to one (team-managed)
// project, that is whether its scope is of type [ScopeTypeProject]. Such a
// role exists only in its project, never in a company-managed project.
func (r ProjectRole) ProjectScoped() bool {
	return r.Scope != nil && r.Scope.Type == ScopeTypeProject
}

// RoleScopeProject names the project of a [RoleScope].
type RoleScopeProject struct {
	// ID is the project ID.
	ID ProjectID `json:"id"`
	// Key is the project key.
	Key ProjectKey `json:"key,omitempty"`
	// Name is the project name.
	Name string `json:"name,omitempty"`
}

// RoleActor is a user or group holding a project role.
type RoleActor struct {
	// ID is the actor's ID within the role.
	ID int64 `json:"id"`
	// DisplayName is the user's or group's display name.
	DisplayName string `json:"displayName"`
	// Type is [RoleActorUser] or [RoleActorGroup].
	Type RoleActorType `json:"type"`
	// Name is a legacy name (a group's name; empty or an ID for users).
	Name string `json:"name,omitempty"`
	// AvatarURL is the actor's avatar.
	AvatarURL string `json:"avatarUrl,omitempty"`
	// ActorUser is set for user actors.
	ActorUser *ActorUser `json:"actorUser,omitempty"`
	// ActorGroup is set for group actors.
	ActorGroup *ActorGroup `json:"actorGroup,omitempty"`
}

// ActorUser identifies the user behind a [RoleActor].
type ActorUser struct {
	// AccountID is the user's account ID.
	AccountID AccountID `json:"accountId"`
}

// ActorGroup identifies the group behind a [RoleActor].
type ActorGroup struct {
	// GroupID is the group's immutable ID.
	GroupID GroupID `json:"groupId"`
	// Name is the group's name (it can change).
	Name string `json:"name"`
	// DisplayName is the group's display name.
	DisplayName string `json:"displayName,omitempty"`
}

// RoleGetOptions tunes [RolesService.Get].
type RoleGetOptions struct {
	// ExcludeInactive leaves inactive users out of Actors.
	ExcludeInactive bool
}

// ParseRoleID returns the role ID at the end of a project role URL such as
// https://acme.atlassian.net/rest/api/3/project/10000/role/10002 (a trailing
// slash is allowed). It fails when the last path segment is not a positive
// integer.
func ParseRoleID(roleURL string) (RoleID, error) {
	u, err := url.Parse(strings.TrimSpace(roleURL))
	if err != nil {
		// url.Error repeats the whole URL, credentials and query included:
		// keep only its reason.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return 0, fmt.Errorf("jira: invalid role URL %q: %w", apiclient.RedactRaw(roleURL), err)
	}
	p := strings.TrimRight(u.Path, "/")
	seg := p[strings.LastIndexByte(p, '/')+1:]
	id, err := strconv.ParseInt(seg, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("jira: role URL %q does not end in a role ID", apiclient.RedactRaw(roleURL))
	}
	return RoleID(id), nil
}

// List returns every project role of the site with its default actors.
// That is the global roles, which every company-managed project shares, and
// the roles of each team-managed project, which carry a PROJECT scope (see
// [ProjectRole.ProjectScoped]) and exist in that project only. (Roles of a
// team-managed project in the trash come without a scope, JRACLOUD-76117.)
// For the roles of one project use [RolesService.Details]. Needs Administer
// Jira.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-roles/#api-rest-api-3-role-get
//
//	GET /rest/api/3/role
func (s *RolesService) List(ctx context.Context) ([]ProjectRole, *Response, error) {
	var roles []ProjectRole
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/role")}, &roles)
	if err != nil {
		return nil, resp, err
	}
	return roles, resp, nil
}

// ForProject returns the roles of a project. Jira answers a map from role
// name to role URL; ForProject parses each role ID from its URL's last path
// segment (an unparsable URL is an error) and sorts the roles by ID.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-roles/#api-rest-api-3-project-projectidorkey-role-get
//
//	GET /rest/api/3/project/{projectIdOrKey}/role
func (s *RolesService) ForProject(ctx context.Context, projectIDOrKey string) ([]ProjectRoleRef, *Response, error) {
	seg, err := pathSegment("Roles.ForProject", "project ID or key", projectIDOrKey)
	if err != nil {
		return nil, nil, err
	}
	var m map[string]string
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/project/{}/role", seg)}, &m)
	if err != nil {
		return nil, resp, err
	}
	refs := make([]ProjectRoleRef, 0, len(m))
	for name, u := range m {
		id, err := ParseRoleID(u)
		if err != nil {
			return nil, resp, fmt.Errorf("jira: role %q of project %s: %w", name, projectIDOrKey, err)
		}
		refs = append(refs, ProjectRoleRef{ID: id, Name: name, URL: u})
	}
	slices.SortFunc(refs, func(a, b ProjectRoleRef) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), strings.Compare(a.Name, b.Name))
	})
	return refs, resp, nil
}

// Details returns the roles of a project with their details (scope, admin,
// default) but without actors. For team-managed projects this includes the
// project's own roles.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-roles/#api-rest-api-3-project-projectidorkey-roledetails-get
//
//	GET /rest/api/3/project/{projectIdOrKey}/roledetails
func (s *RolesService) Details(ctx context.Context, projectIDOrKey string) ([]ProjectRole, *Response, error) {
	seg, err := pathSegment("Roles.Details", "project ID or key", projectIDOrKey)
	if err != nil {
		return nil, nil, err
	}
	var roles []ProjectRole
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/project/{}/roledetails", seg)}, &roles)
	if err != nil {
		return nil, resp, err
	}
	return roles, resp, nil
}

// rolePath returns /project/{p}/role/{id}.
func rolePath(method, projectIDOrKey string, id RoleID) (apiPath, error) {
	seg, err := pathSegment(method, "project ID or key", projectIDOrKey)
	if err != nil {
		return apiPath{}, err
	}
	if id <= 0 {
		return apiPath{}, fmt.Errorf("jira: %s needs a role ID, got %d", method, id)
	}
	return endpoint(apiPrefix+"/project/{}/role/{}", seg, id.String()), nil
}

// Get returns a project role in a project with all its actors (the role's
// members in that project). The endpoint is not paged.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-roles/#api-rest-api-3-project-projectidorkey-role-id-get
//
//	GET /rest/api/3/project/{projectIdOrKey}/role/{id}
func (s *RolesService) Get(ctx context.Context, projectIDOrKey string, id RoleID, opts *RoleGetOptions) (*ProjectRole, *Response, error) {
	path, err := rolePath("Roles.Get", projectIDOrKey, id)
	if err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	if opts != nil && opts.ExcludeInactive {
		q.Set("excludeInactiveUsers", "true")
	}
	r := new(ProjectRole)
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: path, query: q}, r)
	if err != nil {
		return nil, resp, err
	}
	return r, resp, nil
}

// roleActors is the ActorsMap body of POST /project/{p}/role/{id}.
type roleActors struct {
	User    []AccountID `json:"user,omitempty"`
	GroupID []GroupID   `json:"groupId,omitempty"`
}

// AddUsers adds users to a project role in a project and returns the role
// with its full actor list. Adding a user who already holds the role fails
// with a 400 that [IsAlreadyInRole] recognises; an inactive or unknown user
// gives 404. It is a POST: the client retries it on 429 only, never after a
// 5xx or a transport error.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-role-actors/#api-rest-api-3-project-projectidorkey-role-id-post
//
//	POST /rest/api/3/project/{projectIdOrKey}/role/{id}
func (s *RolesService) AddUsers(ctx context.Context, projectIDOrKey string, id RoleID, users ...AccountID) (*ProjectRole, *Response, error) {
	if len(users) == 0 || slices.Contains(users, "") {
		return nil, nil, errors.New("jira: Roles.AddUsers needs non-empty account IDs")
	}
	return s.addActors(ctx, "Roles.AddUsers", projectIDOrKey, id, roleActors{User: users})
}

// AddGroups adds groups (by group ID) to a project role in a project and
// returns the role with its full actor list. See [RolesService.AddUsers]
// for errors and retries.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-role-actors/#api-rest-api-3-project-projectidorkey-role-id-post
//
//	POST /rest/api/3/project/{projectIdOrKey}/role/{id}
func (s *RolesService) AddGroups(ctx context.Context, projectIDOrKey string, id RoleID, groups ...GroupID) (*ProjectRole, *Response, error) {
	if len(groups) == 0 || slices.Contains(groups, "") {
		return nil, nil, errors.New("jira: Roles.AddGroups needs non-empty group IDs")
	}
	return s.addActors(ctx, "Roles.AddGroups", projectIDOrKey, id, roleActors{GroupID: groups})
}

func (s *RolesService) addActors(ctx context.Context, method, projectIDOrKey string, id RoleID, body roleActors) (*ProjectRole, *Response, error) {
	path, err := rolePath(method, projectIDOrKey, id)
	if err != nil {
		return nil, nil, err
	}
	r := new(ProjectRole)
	resp, err := s.client.do(ctx, request{method: http.MethodPost, path: path, body: body}, r)
	if err != nil {
		return nil, resp, err
	}
	return r, resp, nil
}

// RemoveUser removes a user from a project role in a project. Removing a
// user who does not hold the role is either a no-op (204) or an error that
// [IsNotInRole] recognises.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-role-actors/#api-rest-api-3-project-projectidorkey-role-id-delete
//
//	DELETE /rest/api/3/project/{projectIdOrKey}/role/{id}?user={accountId}
func (s *RolesService) RemoveUser(ctx context.Context, projectIDOrKey string, id RoleID, user AccountID) (*Response, error) {
	if user == "" {
		return nil, errors.New("jira: Roles.RemoveUser needs an account ID")
	}
	return s.removeActor(ctx, "Roles.RemoveUser", projectIDOrKey, id, url.Values{"user": {string(user)}})
}

// RemoveGroup removes a group (by group ID) from a project role in a
// project. Removing a group that does not hold the role is either a no-op
// (204) or an error that [IsNotInRole] recognises.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-role-actors/#api-rest-api-3-project-projectidorkey-role-id-delete
//
//	DELETE /rest/api/3/project/{projectIdOrKey}/role/{id}?groupId={groupId}
func (s *RolesService) RemoveGroup(ctx context.Context, projectIDOrKey string, id RoleID, group GroupID) (*Response, error) {
	if group == "" {
		return nil, errors.New("jira: Roles.RemoveGroup needs a group ID")
	}
	return s.removeActor(ctx, "Roles.RemoveGroup", projectIDOrKey, id, url.Values{"groupId": {string(group)}})
}

func (s *RolesService) removeActor(ctx context.Context, method, projectIDOrKey string, id RoleID, q url.Values) (*Response, error) {
	path, err := rolePath(method, projectIDOrKey, id)
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodDelete, path: path, query: q}, nil)
}

// IsAlreadyInRole reports whether err is Jira's answer to adding an actor
// that already holds the project role, so that a grant can be treated as
// done: an [*Error] with status 400 or 409 whose messages say "already a
// member of the project role" (Jira: "'<actor>' is already a member of the
// project role.") or, more loosely, "already" together with "role".
//
// Deprecated: this matches Jira's English wording, which Atlassian does not
// document and may change or translate. Decide by state instead: read the
// role's actors with [RolesService.Get] before adding or removing, as in
// the example of [RolesService.AddUsers] (the connector's provisioning
// works this way).
func IsAlreadyInRole(err error) bool {
	var e *Error
	if !errors.As(err, &e) || (e.StatusCode != http.StatusBadRequest && e.StatusCode != http.StatusConflict) {
		return false
	}
	m := strings.ToLower(e.Message())
	return strings.Contains(m, "already a member of the project role") ||
		(strings.Contains(m, "already") && strings.Contains(m, "role"))
}

// IsNotInRole reports whether err is Jira's answer to removing an actor that
// does not hold the project role, so that a revoke can be treated as done:
// an [*Error] with status 400 or 404 whose messages say the actor is "not a
// member" of the role (or "not in" the role). A 404 about an unknown
// project, role, user or group does not match. Jira often treats such a
// removal as a no-op and answers 204, in which case there is no error at all.
//
// Deprecated: this matches Jira's English wording, which Atlassian does not
// document and may change or translate. Decide by state instead: read the
// role's actors with [RolesService.Get] before adding or removing, as in
// the example of [RolesService.AddUsers] (the connector's provisioning
// works this way).
func IsNotInRole(err error) bool {
	var e *Error
	if !errors.As(err, &e) || (e.StatusCode != http.StatusBadRequest && e.StatusCode != http.StatusNotFound) {
		return false
	}
	m := strings.ToLower(e.Message())
	return strings.Contains(m, "not a member") ||
		(strings.Contains(m, "not in") && strings.Contains(m, "role"))
}
