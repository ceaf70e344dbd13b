package jira

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
)

// Project permission keys (granted by permission schemes).
const (
	PermissionAdministerProjects   = "ADMINISTER_PROJECTS"
	PermissionBrowseProjects       = "BROWSE_PROJECTS"
	PermissionManageSprints        = "MANAGE_SPRINTS_PERMISSION"
	PermissionServiceDeskAgent     = "SERVICEDESK_AGENT"
	PermissionViewDevTools         = "VIEW_DEV_TOOLS"
	PermissionViewReadonlyWorkflow = "VIEW_READONLY_WORKFLOW"
	PermissionAssignIssues         = "ASSIGN_ISSUES"
	PermissionAssignableUser       = "ASSIGNABLE_USER"
	PermissionCloseIssues          = "CLOSE_ISSUES"
	PermissionCreateIssues         = "CREATE_ISSUES"
	PermissionDeleteIssues         = "DELETE_ISSUES"
	PermissionEditIssues           = "EDIT_ISSUES"
	PermissionLinkIssues           = "LINK_ISSUES"
	PermissionModifyReporter       = "MODIFY_REPORTER"
	PermissionMoveIssues           = "MOVE_ISSUES"
	PermissionResolveIssues        = "RESOLVE_ISSUES"
	PermissionScheduleIssues       = "SCHEDULE_ISSUES"
	PermissionSetIssueSecurity     = "SET_ISSUE_SECURITY"
	PermissionTransitionIssues     = "TRANSITION_ISSUES"
	PermissionAddComments          = "ADD_COMMENTS"
	PermissionCreateAttachments    = "CREATE_ATTACHMENTS"
	PermissionWorkOnIssues         = "WORK_ON_ISSUES"
)

// Global permission keys.
const (
	PermissionAdminister          = "ADMINISTER"
	PermissionSystemAdmin         = "SYSTEM_ADMIN"
	PermissionUserPicker          = "USER_PICKER"
	PermissionCreateSharedObjects = "CREATE_SHARED_OBJECTS"
	PermissionManageGroupFilters  = "MANAGE_GROUP_FILTER_SUBSCRIPTIONS"
	PermissionBulkChange          = "BULK_CHANGE"
)

// Values for the expand arguments of the permission scheme methods.
const (
	PermissionSchemeExpandPermissions = "permissions"
	PermissionSchemeExpandUser        = "user"
	PermissionSchemeExpandGroup       = "group"
	PermissionSchemeExpandProjectRole = "projectRole"
	PermissionSchemeExpandField       = "field"
	PermissionSchemeExpandAll         = "all"
)

// HolderType says who a [PermissionGrant] grants to. It is an open enum.
type HolderType string

// Permission holder types. For HolderGroup, Parameter is the group name
// (deprecated) and Value the group ID; for HolderProjectRole, Parameter and
// Value are the role ID; for HolderUser, the account ID; for
// HolderApplicationRole, the product key ("" or absent: any product user).
const (
	HolderAnyone              HolderType = "anyone"
	HolderApplicationRole     HolderType = "applicationRole"
	HolderAssignee            HolderType = "assignee"
	HolderGroup               HolderType = "group"
	HolderGroupCustomField    HolderType = "groupCustomField"
	HolderProjectLead         HolderType = "projectLead"
	HolderProjectRole         HolderType = "projectRole"
	HolderReporter            HolderType = "reporter"
	HolderServiceDeskCustomer HolderType = "sd.customer.portal.only"
	HolderUser                HolderType = "user"
	HolderUserCustomField     HolderType = "userCustomField"
)

// PermissionScheme is a permission scheme. Permissions is filled only when
// the grants were expanded.
type PermissionScheme struct {
	// ID is the scheme ID.
	ID PermissionSchemeID `json:"id"`
	// Name is the scheme name.
	Name string `json:"name"`
	// Description is the scheme description.
	Description string `json:"description,omitempty"`
	// Self is the scheme's REST URL.
	Self string `json:"self"`
	// Expand lists the expansions the object supports.
	Expand string `json:"expand,omitempty"`
	// Permissions are the scheme's grants (expand "permissions").
	Permissions []PermissionGrant `json:"permissions,omitempty"`
}

// PermissionGrant grants one permission to one holder.
type PermissionGrant struct {
	// ID is the grant ID.
	ID int64 `json:"id"`
	// Self is the grant's REST URL.
	Self string `json:"self,omitempty"`
	// Holder is who receives the permission.
	Holder PermissionHolder `json:"holder"`
	// Permission is the permission key, e.g. [PermissionBrowseProjects].
	Permission string `json:"permission"`
}

// PermissionHolder is who a [PermissionGrant] grants to.
type PermissionHolder struct {
	// Type is the holder type, e.g. [HolderGroup].
	Type HolderType `json:"type"`
	// Parameter identifies the holder within its type (see [HolderType]).
	Parameter string `json:"parameter,omitempty"`
	// Value is the immutable identifier (group ID, role ID, account ID).
	Value string `json:"value,omitempty"`
	// Expand lists the expansions the holder supports.
	Expand string `json:"expand,omitempty"`
}

// UserPermission is one permission and whether the caller has it
// ([PermissionsService.Mine]).
type UserPermission struct {
	// ID is the permission ID.
	ID string `json:"id"`
	// Key is the permission key, e.g. [PermissionBrowseProjects].
	Key string `json:"key"`
	// Name is the permission's display name.
	Name string `json:"name"`
	// Type is PROJECT or GLOBAL.
	Type string `json:"type"`
	// Description is the permission's description.
	Description string `json:"description,omitempty"`
	// HavePermission reports whether the caller has the permission in the requested context.
	HavePermission bool `json:"havePermission"`
	// DeprecatedKey marks a deprecated permission key.
	DeprecatedKey bool `json:"deprecatedKey,omitempty"`
}

// MyPermissionsOptions selects the permissions [PermissionsService.Mine]
// checks and the context (project or issue) to check them in.
type MyPermissionsOptions struct {
	// Permissions are the permission keys to check (required).
	Permissions []string
	// ProjectKey checks the permissions in this project.
	ProjectKey ProjectKey
	// ProjectID checks the permissions in this project (instead of ProjectKey).
	ProjectID ProjectID
	// IssueKey checks the permissions on this issue.
	IssueKey IssueKey
	// IssueID checks the permissions on this issue (instead of IssueKey).
	IssueID IssueID
}

// UserPermissionSearchOptions selects users for [PermissionsService.UsersWithPermission].
type UserPermissionSearchOptions struct {
	ListOptions
	// Permissions are the permission keys the users must all have (required).
	Permissions []string
	// ProjectKey checks the permissions in this project.
	ProjectKey ProjectKey
	// IssueKey checks the permissions on this issue.
	IssueKey IssueKey
	// Query matches user attributes (display name, email; prefix match).
	// Jira documents it as required unless AccountID is set.
	Query string
	// AccountID checks one user.
	AccountID AccountID
}

// BrowseUserSearchOptions selects users for [PermissionsService.UsersWhoCanBrowse].
type BrowseUserSearchOptions struct {
	ListOptions
	// ProjectKey is the project the users must be able to browse (this or IssueKey is required).
	ProjectKey ProjectKey
	// IssueKey is the issue the users must be able to browse (this or ProjectKey is required).
	IssueKey IssueKey
	// Query matches user attributes (display name, email; prefix match).
	// Jira documents it as required unless AccountID is set.
	Query string
	// AccountID checks one user.
	AccountID AccountID
}

// Page sizes of the user permission searches: Jira documents a default of
// 50 and no maximum; we cap at 1000 like the other user searches. They
// answer bare arrays, so only an empty page ends the listing.
const (
	permissionUserPageSize    = 50
	permissionUserMaxPageSize = 1000
)

// ProjectScheme returns the permission scheme a project uses. expand may
// name [PermissionSchemeExpandPermissions] (grants) and the holder
// expansions ("user", "group", "projectRole", "field", "all").
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-project-permission-schemes/#api-rest-api-3-project-projectkeyorid-permissionscheme-get
//
//	GET /rest/api/3/project/{projectKeyOrId}/permissionscheme
func (s *PermissionsService) ProjectScheme(ctx context.Context, projectIDOrKey string, expand ...string) (*PermissionScheme, *Response, error) {
	seg, err := pathSegment("Permissions.ProjectScheme", "project ID or key", projectIDOrKey)
	if err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	setExpand(q, expand)
	ps := new(PermissionScheme)
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/project/{}/permissionscheme", seg), query: q}, ps)
	if err != nil {
		return nil, resp, err
	}
	return ps, resp, nil
}

// GetScheme returns a permission scheme with its grants. Without expand it
// asks for "permissions"; pass other values (e.g. "all") to also expand
// the holders.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permission-schemes/#api-rest-api-3-permissionscheme-schemeid-get
//
//	GET /rest/api/3/permissionscheme/{schemeId}
func (s *PermissionsService) GetScheme(ctx context.Context, id PermissionSchemeID, expand ...string) (*PermissionScheme, *Response, error) {
	if id < 0 { // 0 is valid: Jira's Default Permission Scheme
		return nil, nil, errors.New("jira: Permissions.GetScheme needs a scheme ID (0 or more)")
	}
	if len(expand) == 0 {
		expand = []string{PermissionSchemeExpandPermissions}
	}
	q := url.Values{}
	setExpand(q, expand)
	ps := new(PermissionScheme)
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/permissionscheme/{}", id.String()), query: q}, ps)
	if err != nil {
		return nil, resp, err
	}
	return ps, resp, nil
}

// ListSchemes returns every permission scheme (the endpoint is not paged).
// Grants are included only if expand names "permissions" (or "all").
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permission-schemes/#api-rest-api-3-permissionscheme-get
//
//	GET /rest/api/3/permissionscheme
func (s *PermissionsService) ListSchemes(ctx context.Context, expand ...string) ([]PermissionScheme, *Response, error) {
	q := url.Values{}
	setExpand(q, expand)
	var out struct {
		PermissionSchemes []PermissionScheme `json:"permissionSchemes"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/permissionscheme"), query: q}, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.PermissionSchemes, resp, nil
}

// Mine reports which of the requested permissions the caller has, globally
// or in the project or issue named by opts. The map is keyed by permission key.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permissions/#api-rest-api-3-mypermissions-get
//
//	GET /rest/api/3/mypermissions
func (s *PermissionsService) Mine(ctx context.Context, opts *MyPermissionsOptions) (map[string]UserPermission, *Response, error) {
	if opts == nil || len(opts.Permissions) == 0 {
		return nil, nil, errors.New("jira: Permissions.Mine needs at least one permission key")
	}
	q := url.Values{}
	setCommaList(q, "permissions", opts.Permissions)
	if opts.ProjectKey != "" {
		q.Set("projectKey", string(opts.ProjectKey))
	}
	if opts.ProjectID != "" {
		q.Set("projectId", string(opts.ProjectID))
	}
	if opts.IssueKey != "" {
		q.Set("issueKey", string(opts.IssueKey))
	}
	if opts.IssueID != "" {
		q.Set("issueId", string(opts.IssueID))
	}
	var out struct {
		Permissions map[string]UserPermission `json:"permissions"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/mypermissions"), query: q}, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Permissions == nil {
		out.Permissions = map[string]UserPermission{}
	}
	return out.Permissions, resp, nil
}

// UsersWithPermission returns one page of the users who have all the
// permissions in opts.Permissions (globally, or in opts.ProjectKey or on
// opts.IssueKey). The answer is a bare array: only an empty page ends the
// listing. PageSize defaults to 50 and is capped at 1000. User searches
// share a collective per-site rate limit.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/#api-rest-api-3-user-permission-search-get
//
//	GET /rest/api/3/user/permission/search
func (s *PermissionsService) UsersWithPermission(ctx context.Context, opts *UserPermissionSearchOptions) ([]User, *Response, error) {
	if opts == nil || len(opts.Permissions) == 0 {
		return nil, nil, errors.New("jira: Permissions.UsersWithPermission needs at least one permission key")
	}
	q := url.Values{}
	setCommaList(q, "permissions", opts.Permissions)
	setUserSearch(q, opts.Query, opts.AccountID, opts.ProjectKey, opts.IssueKey)
	return fetchArray[User](ctx, s.client, endpoint(apiPrefix+"/user/permission/search"), q, opts.ListOptions,
		permissionUserPageSize, permissionUserMaxPageSize)
}

// UsersWithPermissionIter iterates over the users selected by opts, fetching
// pages with [PermissionsService.UsersWithPermission].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/#api-rest-api-3-user-permission-search-get
//
//	GET /rest/api/3/user/permission/search
func (s *PermissionsService) UsersWithPermissionIter(ctx context.Context, opts *UserPermissionSearchOptions) iter.Seq2[User, error] {
	return paginateOpts(ctx, s.client, opts, func(o *UserPermissionSearchOptions) *ListOptions { return &o.ListOptions }, s.UsersWithPermission)
}

// UsersWhoCanBrowse returns one page of the users who can browse the
// project or issue named by opts (one of ProjectKey and IssueKey is
// required). The answer is a bare array: only an empty page ends the
// listing. PageSize defaults to 50 and is capped at 1000.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/#api-rest-api-3-user-viewissue-search-get
//
//	GET /rest/api/3/user/viewissue/search
func (s *PermissionsService) UsersWhoCanBrowse(ctx context.Context, opts *BrowseUserSearchOptions) ([]User, *Response, error) {
	if opts == nil || (opts.ProjectKey == "" && opts.IssueKey == "") {
		return nil, nil, errors.New("jira: Permissions.UsersWhoCanBrowse needs a project key or an issue key")
	}
	q := url.Values{}
	setUserSearch(q, opts.Query, opts.AccountID, opts.ProjectKey, opts.IssueKey)
	return fetchArray[User](ctx, s.client, endpoint(apiPrefix+"/user/viewissue/search"), q, opts.ListOptions,
		permissionUserPageSize, permissionUserMaxPageSize)
}

// UsersWhoCanBrowseIter iterates over the users selected by opts, fetching
// pages with [PermissionsService.UsersWhoCanBrowse].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/#api-rest-api-3-user-viewissue-search-get
//
//	GET /rest/api/3/user/viewissue/search
func (s *PermissionsService) UsersWhoCanBrowseIter(ctx context.Context, opts *BrowseUserSearchOptions) iter.Seq2[User, error] {
	return paginateOpts(ctx, s.client, opts, func(o *BrowseUserSearchOptions) *ListOptions { return &o.ListOptions }, s.UsersWhoCanBrowse)
}

func setUserSearch(q url.Values, query string, account AccountID, project ProjectKey, issue IssueKey) {
	if query != "" {
		q.Set("query", query)
	}
	if account != "" {
		q.Set("accountId", string(account))
	}
	if project != "" {
		q.Set("projectKey", string(project))
	}
	if issue != "" {
		q.Set("issueKey", string(issue))
	}
}
