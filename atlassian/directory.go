package atlassian

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DirectoriesService covers the organization's user directories (Admin API
// v2): the directories themselves, the users in them, and suspending,
// restoring and removing a user's access. See
// https://developer.atlassian.com/cloud/admin/organization/rest/api-group-directory/
// and https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/
type DirectoriesService service

// Directory is a user directory of an organization.
type Directory struct {
	// ID is the directory ID.
	ID DirectoryID `json:"directoryId"`
	// Name is the directory's name.
	Name string `json:"name"`
	// Icon is the URL of the directory's icon.
	Icon string `json:"icon"`
}

// DirectoryUser is a user as the v2 directory APIs see it
// (MultiDirectoryUser). Expanded fields (PlatformRoles, Counts,
// ProductAccess, Groups) are set only when asked for with
// [UserSearchOptions].Expand on [DirectoriesService.Users].
type DirectoryUser struct {
	// AccountID is the user's account ID.
	AccountID AccountID `json:"accountId"`
	// AccountType is atlassian, customer or app.
	AccountType AccountType `json:"accountType"`
	// Status combines AccountStatus and MembershipStatus: active, suspended,
	// not_invited, deactivated or for_deletion.
	Status UserStatus `json:"status"`
	// AccountStatus is active, inactive or closed.
	AccountStatus AccountStatus `json:"accountStatus"`
	// MembershipStatus is active, suspended or no_membership.
	MembershipStatus MembershipStatus `json:"membershipStatus"`
	// AddedToOrg is when the user was first added to a directory of the organization.
	AddedToOrg time.Time `json:"addedToOrg"`
	// Name is the user's full name.
	Name string `json:"name"`
	// Nickname is the user's nickname.
	Nickname string `json:"nickname"`
	// Email is the user's email address ("" when hidden).
	Email string `json:"email"`
	// EmailVerified tells whether the user verified the email; nil when not sent.
	EmailVerified *bool `json:"emailVerified"`
	// ClaimStatus is managed or unmanaged.
	ClaimStatus ClaimStatus `json:"claimStatus"`
	// PlatformRoles are the organization-level admin role IDs (expand platformRoles).
	PlatformRoles []string `json:"platformRoles"`
	// Picture is the URL of the profile picture.
	Picture string `json:"picture"`
	// Avatar is the URL of the public avatar.
	Avatar string `json:"avatar"`
	// ManagementSource is invited, synced, or "" when unknown.
	ManagementSource string `json:"managementSource"`
	// MFAEnabled tells whether a managed account uses two-step
	// verification; nil when not sent.
	MFAEnabled *bool `json:"mfaEnabled"`
	// JobTitle is the job title from the profile.
	JobTitle string `json:"jobTitle"`
	// Department is the department from the profile.
	Department string `json:"department"`
	// Organization is the employer from the profile.
	Organization string `json:"organization"`
	// Location is the work location from the profile.
	Location string `json:"location"`
	// TimeZone is the time zone, e.g. "Europe/Paris".
	TimeZone string `json:"timeZone"`
	// Counts holds the number of resources (expand counts.resources); nil when not sent.
	Counts *UserCounts `json:"counts"`
	// ProductAccess is the last activity per product (expand productAccess).
	ProductAccess []ProductActivity `json:"productAccess"`
	// Groups are the user's groups in the requested directory (expand groups).
	Groups []UserGroup `json:"groups"`
	// DeactivatedOn is when the account was deactivated, or the zero time.
	DeactivatedOn time.Time `json:"deactivatedOn"`
	// ForDeletion tells whether a managed account is scheduled for deletion.
	ForDeletion bool `json:"forDeletion"`
}

// UnmarshalJSON decodes a user leniently: nullable strings become "" and
// timestamps are parsed in any ISO 8601 form.
func (u *DirectoryUser) UnmarshalJSON(b []byte) error {
	type plain DirectoryUser
	aux := struct {
		*plain
		AddedToOrg       *string `json:"addedToOrg"`
		DeactivatedOn    *string `json:"deactivatedOn"`
		ManagementSource *string `json:"managementSource"`
		Department       *string `json:"department"`
		Organization     *string `json:"organization"`
		Location         *string `json:"location"`
		TimeZone         *string `json:"timeZone"`
		JobTitle         *string `json:"jobTitle"`
	}{plain: (*plain)(u)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	u.AddedToOrg = parseTime(optString(aux.AddedToOrg))
	u.DeactivatedOn = parseTime(optString(aux.DeactivatedOn))
	u.ManagementSource = optString(aux.ManagementSource)
	u.Department = optString(aux.Department)
	u.Organization = optString(aux.Organization)
	u.Location = optString(aux.Location)
	u.TimeZone = optString(aux.TimeZone)
	u.JobTitle = optString(aux.JobTitle)
	return nil
}

// UserCounts are a user's counters.
type UserCounts struct {
	// Resources is the number of resources the user can access.
	Resources int `json:"resources"`
}

// ProductActivity is a user's last activity in one product instance.
type ProductActivity struct {
	// Key is the product key, e.g. "jira" or "confluence".
	Key string `json:"key"`
	// ID is the product instance ID.
	ID string `json:"id"`
	// LastActive is the last activity, or the zero time.
	LastActive time.Time `json:"lastActiveTimestamp"`
}

// CloudID is the cloud ID of the product instance: from a site ARI
// (ari:cloud:jira-software::site/<cloudId>) or a bare cloud ID, else "".
func (p ProductActivity) CloudID() CloudID { return cloudIDOf(p.ID) }

// IsJira reports whether the product is a Jira product (jira-software,
// jira-servicedesk, jira-product-discovery, jira-core, …), by its key or,
// without one, by its ARI.
func (p ProductActivity) IsJira() bool {
	key := strings.ToLower(p.Key)
	if key == "" {
		key = strings.ToLower(strings.TrimPrefix(p.ID, "ari:cloud:"))
	}
	return key == "jira" || strings.HasPrefix(key, "jira-") || strings.HasPrefix(key, "jira:")
}

// UnmarshalJSON parses the timestamp leniently.
func (p *ProductActivity) UnmarshalJSON(b []byte) error {
	type plain ProductActivity
	aux := struct {
		*plain
		LastActive *string `json:"lastActiveTimestamp"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.LastActive = parseTime(optString(aux.LastActive))
	return nil
}

// UserGroup is a group a user belongs to (expand groups).
type UserGroup struct {
	// ID is the group ID.
	ID GroupID `json:"id"`
	// Name is the group name.
	Name string `json:"name"`
	// Description is the group description.
	Description string `json:"description"`
}

// Expand values for [UserSearchOptions].Expand.
const (
	ExpandPlatformRoles  = "platformRoles"
	ExpandResourceCounts = "counts.resources"
	ExpandProductAccess  = "productAccess"
	ExpandGroups         = "groups"
)

// UserSearchOptions filters users. Empty fields do not filter. Lists of IDs
// are limited by the API (10 account, directory or group IDs; 20 resource IDs).
type UserSearchOptions struct {
	ListOptions
	// AccountIDs keeps only these accounts.
	AccountIDs []AccountID
	// DirectoryIDs keeps only users of these directories.
	DirectoryIDs []DirectoryID
	// ResourceIDs keeps only users with a role on these resources (ARIs such
	// as "ari:cloud:jira-software::site/<cloudId>"; see [ResourceIDs]).
	ResourceIDs []string
	// GroupIDs keeps only members of these groups.
	GroupIDs []GroupID
	// Status keeps only these composite statuses.
	Status []UserStatus
	// AccountStatus keeps only these account statuses.
	AccountStatus []AccountStatus
	// MembershipStatus keeps only these membership statuses.
	MembershipStatus []MembershipStatus
	// ClaimStatus keeps only managed or unmanaged accounts.
	ClaimStatus ClaimStatus
	// RoleIDs keeps only users with these roles (RoleUser, RoleAdmin, …).
	RoleIDs []string
	// EmailDomains keeps only these email domains.
	EmailDomains []string
	// SearchTerm matches names and email addresses (exclusive with Emails).
	SearchTerm string
	// Emails keeps only these exact addresses ([DirectoriesService.Users] only).
	Emails []string
	// MFAEnabled keeps only users with (true) or without (false) two-step verification.
	MFAEnabled *bool
	// Expand asks for more fields ([DirectoriesService.Users] only):
	// ExpandPlatformRoles, ExpandResourceCounts, ExpandProductAccess, ExpandGroups.
	Expand []string
}

// userSearchBody is the body of POST …/users/search.
type userSearchBody struct {
	Cursor           string   `json:"cursor,omitempty"`
	Limit            int      `json:"limit"`
	AccountIDs       []string `json:"accountIds,omitempty"`
	DirectoryIDs     []string `json:"directoryIds,omitempty"`
	ResourceIDs      []string `json:"resourceIds,omitempty"`
	GroupIDs         []string `json:"groupIds,omitempty"`
	MFAEnabled       *bool    `json:"mfaEnabled,omitempty"`
	ClaimStatus      string   `json:"claimStatus,omitempty"`
	Status           []string `json:"status,omitempty"`
	AccountStatus    []string `json:"accountStatus,omitempty"`
	MembershipStatus []string `json:"membershipStatus,omitempty"`
	RoleIDs          []string `json:"roleIds,omitempty"`
	EmailDomains     []string `json:"emailDomains,omitempty"`
	SearchTerm       string   `json:"searchTerm,omitempty"`
	Emails           []string `json:"emails,omitempty"`
	Expand           []string `json:"expand,omitempty"`
}

func userSearchListOptions(o *UserSearchOptions) *ListOptions { return &o.ListOptions }

func (o UserSearchOptions) body() userSearchBody {
	return userSearchBody{
		Cursor:           o.Cursor,
		Limit:            pageSize(o.PageSize),
		AccountIDs:       ids(o.AccountIDs),
		DirectoryIDs:     ids(o.DirectoryIDs),
		ResourceIDs:      o.ResourceIDs,
		GroupIDs:         ids(o.GroupIDs),
		MFAEnabled:       o.MFAEnabled,
		ClaimStatus:      string(o.ClaimStatus),
		Status:           ids(o.Status),
		AccountStatus:    ids(o.AccountStatus),
		MembershipStatus: ids(o.MembershipStatus),
		RoleIDs:          o.RoleIDs,
		EmailDomains:     o.EmailDomains,
		SearchTerm:       o.SearchTerm,
		Emails:           o.Emails,
		Expand:           o.Expand,
	}
}

// List returns one page of the organization's directories.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-directory/#api-v2-orgs-orgid-directories-get
//
//	GET /admin/v2/orgs/{orgId}/directories
func (s *DirectoriesService) List(ctx context.Context, org OrgID, opts *ListOptions) ([]Directory, *Response, error) {
	path, err := newPath("/v2/orgs").id("organization ID", string(org)).lit("directories").build()
	if err != nil {
		return nil, nil, err
	}
	q, _ := listQuery(listOpts(opts))
	return fetchPage[Directory](ctx, s.client, request{method: http.MethodGet, path: path, query: q})
}

// ListIter iterates over all the organization's directories.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-directory/#api-v2-orgs-orgid-directories-get
//
//	GET /admin/v2/orgs/{orgId}/directories
func (s *DirectoriesService) ListIter(ctx context.Context, org OrgID, opts *ListOptions) iter.Seq2[Directory, error] {
	return paginate(ctx, opts, func(ctx context.Context, o ListOptions) ([]Directory, *Response, error) {
		return s.List(ctx, org, &o)
	})
}

// Users returns one page of the users of directory dir ([AllDirectories]
// for every directory) matching opts, through the search endpoint, which
// replaces the deprecated GET list. Every page sends the same filters,
// limit and the cursor: unlike the GET list, the search body is not
// documented to drop other fields when a cursor is present, so repeating
// the filters is the safe choice. The page size is at most 100 (default 100).
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-search-post
//
//	POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search
func (s *DirectoriesService) Users(ctx context.Context, org OrgID, dir DirectoryID, opts *UserSearchOptions) ([]DirectoryUser, *Response, error) {
	path, err := newPath("/v2/orgs").id("organization ID", string(org)).lit("directories").
		id("directory ID", string(dir)).lit("users/search").build()
	if err != nil {
		return nil, nil, err
	}
	o := UserSearchOptions{}
	if opts != nil {
		o = *opts
	}
	if o.SearchTerm != "" && len(o.Emails) > 0 {
		return nil, nil, errors.New("atlassian: SearchTerm and Emails cannot be combined")
	}
	return fetchPage[DirectoryUser](ctx, s.client, request{method: http.MethodPost, path: path, body: o.body()})
}

// UsersIter iterates over all users of dir matching opts (see [DirectoriesService.Users]).
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-search-post
//
//	POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search
func (s *DirectoriesService) UsersIter(ctx context.Context, org OrgID, dir DirectoryID, opts *UserSearchOptions) iter.Seq2[DirectoryUser, error] {
	return paginateOpts(ctx, opts, userSearchListOptions,
		func(ctx context.Context, o *UserSearchOptions) ([]DirectoryUser, *Response, error) {
			return s.Users(ctx, org, dir, o)
		})
}

// ListUsers returns one page of the users of dir through the GET list.
//
// Deprecated: Atlassian stops serving this endpoint after June 30, 2027;
// use [DirectoriesService.Users]. Emails and Expand are not supported here.
// Following the documentation ("if cursor is present, all other parameters
// are discarded"), later pages send only the cursor.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-get
//
//	GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users
func (s *DirectoriesService) ListUsers(ctx context.Context, org OrgID, dir DirectoryID, opts *UserSearchOptions) ([]DirectoryUser, *Response, error) {
	path, err := newPath("/v2/orgs").id("organization ID", string(org)).lit("directories").
		id("directory ID", string(dir)).lit("users").build()
	if err != nil {
		return nil, nil, err
	}
	o := UserSearchOptions{}
	if opts != nil {
		o = *opts
	}
	if len(o.Emails) > 0 || len(o.Expand) > 0 {
		return nil, nil, errors.New("atlassian: Emails and Expand need DirectoriesService.Users (the search endpoint)")
	}
	q, first := listQuery(o.ListOptions)
	if first {
		addAll(q, "accountIds", ids(o.AccountIDs))
		addAll(q, "directoryIds", ids(o.DirectoryIDs))
		addAll(q, "resourceIds", o.ResourceIDs)
		addAll(q, "groupIds", ids(o.GroupIDs))
		addAll(q, "status", ids(o.Status))
		addAll(q, "accountStatus", ids(o.AccountStatus))
		addAll(q, "membershipStatus", ids(o.MembershipStatus))
		addAll(q, "roleIds", o.RoleIDs)
		addAll(q, "emailDomains", o.EmailDomains)
		if o.ClaimStatus != "" {
			q.Set("claimStatus", string(o.ClaimStatus))
		}
		if o.MFAEnabled != nil {
			q.Set("mfaEnabled", strconv.FormatBool(*o.MFAEnabled))
		}
		if o.SearchTerm != "" {
			q.Set("searchTerm", o.SearchTerm)
		}
	}
	return fetchPage[DirectoryUser](ctx, s.client, request{method: http.MethodGet, path: path, query: q})
}

// ListUsersIter iterates over the deprecated GET list.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-get
//
//	GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users
//
// Deprecated: use [DirectoriesService.UsersIter].
func (s *DirectoriesService) ListUsersIter(ctx context.Context, org OrgID, dir DirectoryID, opts *UserSearchOptions) iter.Seq2[DirectoryUser, error] {
	return paginateOpts(ctx, opts, userSearchListOptions,
		func(ctx context.Context, o *UserSearchOptions) ([]DirectoryUser, *Response, error) {
			return s.ListUsers(ctx, org, dir, o)
		})
}

// GetUser returns one user of dir.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-accountid-get
//
//	GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}
func (s *DirectoriesService) GetUser(ctx context.Context, org OrgID, dir DirectoryID, id AccountID) (*DirectoryUser, *Response, error) {
	path, err := userPath(org, dir, id).build()
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Data DirectoryUser `json:"data"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: path}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Data, resp, nil
}

func userPath(org OrgID, dir DirectoryID, id AccountID) *pathBuilder {
	return newPath("/v2/orgs").id("organization ID", string(org)).lit("directories").
		id("directory ID", string(dir)).lit("users").id("account ID", string(id))
}

// SuspendUser suspends the user's access in dir: the user loses access to
// the directory's apps and is not billed, but keeps roles and group
// memberships, which come back with [DirectoriesService.RestoreUser].
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-accountid-suspend-post
//
//	POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/suspend
func (s *DirectoriesService) SuspendUser(ctx context.Context, org OrgID, dir DirectoryID, id AccountID) (*Response, error) {
	path, err := userPath(org, dir, id).lit("suspend").build()
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodPost, path: path}, nil)
}

// RestoreUser restores a suspended user's access in dir, with the roles and
// group memberships the user had.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-accountid-restore-post
//
//	POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/restore
func (s *DirectoriesService) RestoreUser(ctx context.Context, org OrgID, dir DirectoryID, id AccountID) (*Response, error) {
	path, err := userPath(org, dir, id).lit("restore").build()
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodPost, path: path}, nil)
}

// RemoveUser removes the user from dir: access, roles and group
// memberships are gone, and the user must be invited again to come back.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-accountid-delete
//
//	DELETE /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}
func (s *DirectoriesService) RemoveUser(ctx context.Context, org OrgID, dir DirectoryID, id AccountID) (*Response, error) {
	path, err := userPath(org, dir, id).build()
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodDelete, path: path}, nil)
}
