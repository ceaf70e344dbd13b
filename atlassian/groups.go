package atlassian

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
)

// GroupsService covers the groups of an organization's directories: search,
// members, and adding and removing members. See
// https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/
type GroupsService service

// Group is a group of a directory (MultiDirectoryGroup). Its ID is the same
// as the Jira groupId of the group on the organization's sites.
type Group struct {
	// ID is the group ID.
	ID GroupID `json:"id"`
	// Name is the group name.
	Name string `json:"name"`
	// Description is the group description.
	Description string `json:"description"`
	// DirectoryID is the directory the group belongs to.
	DirectoryID DirectoryID `json:"directoryId"`
	// ManagementAccess tells what the API key may do with the group; nil when not sent.
	ManagementAccess *ManagementAccess `json:"managementAccess"`
	// ExternalSynced tells whether the group is synced from an identity
	// provider (its members cannot be changed here).
	ExternalSynced bool `json:"externalSynced"`
	// ManagedBy is external, admins, team-members or open.
	ManagedBy string `json:"managedBy"`
	// Counts holds user and resource counts when expanded; nil when not sent.
	Counts *GroupCounts `json:"counts"`
}

// UnmarshalJSON decodes a group, ignoring a managementAccess that is not
// the documented object rather than failing the whole page.
func (g *Group) UnmarshalJSON(b []byte) error {
	type plain Group
	aux := struct {
		*plain
		ManagementAccess json.RawMessage `json:"managementAccess"`
	}{plain: (*plain)(g)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	g.ManagementAccess = nil
	if bytes.HasPrefix(bytes.TrimSpace(aux.ManagementAccess), []byte("{")) {
		var ma ManagementAccess
		if err := json.Unmarshal(aux.ManagementAccess, &ma); err == nil {
			g.ManagementAccess = &ma
		}
	}
	return nil
}

// ManagementAccess tells whether a group can be read, modified or deleted.
type ManagementAccess struct {
	// Deletable tells whether the group can be deleted.
	Deletable bool `json:"deletable"`
	// Modifiable tells whether the group (and its membership) can be changed.
	Modifiable bool `json:"modifiable"`
	// Readable tells whether the group can be read.
	Readable bool `json:"readable"`
}

// GroupCounts are a group's counters.
type GroupCounts struct {
	// Users is the number of members.
	Users int `json:"users"`
	// Resources is the number of resources the group has roles on.
	Resources int `json:"resources"`
}

// Expand values for [GroupSearchOptions].Expand.
const (
	ExpandGroupUserCounts     = "counts.users"
	ExpandGroupResourceCounts = "counts.resources"
)

// GroupSearchOptions filters groups. Empty fields do not filter.
type GroupSearchOptions struct {
	ListOptions
	// AccountIDs keeps groups with these members.
	AccountIDs []AccountID
	// DirectoryIDs keeps groups of these directories.
	DirectoryIDs []DirectoryID
	// GroupIDs keeps these groups (exclusive with GroupNames).
	GroupIDs []GroupID
	// GroupNames keeps groups with these exact names, case-insensitively
	// ([GroupsService.Search] only; exclusive with SearchTerm and GroupIDs).
	GroupNames []string
	// ResourceIDs keeps groups with roles on these resources (ARIs; see [ResourceIDs]).
	ResourceIDs []string
	// ResourceOwners keeps groups with roles on resources of these product keys.
	ResourceOwners []string
	// RoleIDs keeps groups that grant these roles.
	RoleIDs []string
	// SearchTerm matches group names.
	SearchTerm string
	// Expand asks for counts ([GroupsService.Search] only):
	// ExpandGroupUserCounts, ExpandGroupResourceCounts.
	Expand []string
}

type groupSearchBody struct {
	Cursor         string   `json:"cursor,omitempty"`
	Limit          int      `json:"limit"`
	AccountIDs     []string `json:"accountIds,omitempty"`
	DirectoryIDs   []string `json:"directoryIds,omitempty"`
	RoleIDs        []string `json:"roleIds,omitempty"`
	ResourceOwners []string `json:"resourceOwners,omitempty"`
	ResourceIDs    []string `json:"resourceIds,omitempty"`
	SearchTerm     string   `json:"searchTerm,omitempty"`
	GroupIDs       []string `json:"groupIds,omitempty"`
	GroupNames     []string `json:"groupNames,omitempty"`
	Expand         []string `json:"expand,omitempty"`
}

func groupSearchListOptions(o *GroupSearchOptions) *ListOptions { return &o.ListOptions }

func groupsPath(org OrgID, dir DirectoryID) *pathBuilder {
	return newPath("/v2/orgs").id("organization ID", string(org)).lit("directories").
		id("directory ID", string(dir)).lit("groups")
}

// Search returns one page of the groups of dir ([AllDirectories] for every
// directory) matching opts. Like [DirectoriesService.Users], every page
// sends the filters, the limit and the cursor. Page size at most 100
// (default 100).
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/#api-v2-orgs-orgid-directories-directoryid-groups-search-post
//
//	POST /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search
func (s *GroupsService) Search(ctx context.Context, org OrgID, dir DirectoryID, opts *GroupSearchOptions) ([]Group, *Response, error) {
	path, err := groupsPath(org, dir).lit("search").build()
	if err != nil {
		return nil, nil, err
	}
	o := GroupSearchOptions{}
	if opts != nil {
		o = *opts
	}
	if len(o.GroupNames) > 0 && (o.SearchTerm != "" || len(o.GroupIDs) > 0) {
		return nil, nil, errors.New("atlassian: GroupNames cannot be combined with SearchTerm or GroupIDs")
	}
	body := groupSearchBody{
		Cursor: o.Cursor, Limit: pageSize(o.PageSize),
		AccountIDs: ids(o.AccountIDs), DirectoryIDs: ids(o.DirectoryIDs), RoleIDs: o.RoleIDs,
		ResourceOwners: o.ResourceOwners, ResourceIDs: o.ResourceIDs, SearchTerm: o.SearchTerm,
		GroupIDs: ids(o.GroupIDs), GroupNames: o.GroupNames, Expand: o.Expand,
	}
	return fetchPage[Group](ctx, s.client, request{method: http.MethodPost, path: path, body: body})
}

// SearchIter iterates over all groups of dir matching opts.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/#api-v2-orgs-orgid-directories-directoryid-groups-search-post
//
//	POST /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search
func (s *GroupsService) SearchIter(ctx context.Context, org OrgID, dir DirectoryID, opts *GroupSearchOptions) iter.Seq2[Group, error] {
	return paginateOpts(ctx, opts, groupSearchListOptions,
		func(ctx context.Context, o *GroupSearchOptions) ([]Group, *Response, error) {
			return s.Search(ctx, org, dir, o)
		})
}

// List returns one page of the groups of dir through the GET list.
//
// Deprecated: Atlassian stops serving this endpoint after June 30, 2027;
// use [GroupsService.Search]. GroupNames and Expand are not supported here,
// and later pages send only the cursor, as documented.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/#api-v2-orgs-orgid-directories-directoryid-groups-get
//
//	GET /admin/v2/orgs/{orgId}/directories/{directoryId}/groups
func (s *GroupsService) List(ctx context.Context, org OrgID, dir DirectoryID, opts *GroupSearchOptions) ([]Group, *Response, error) {
	path, err := groupsPath(org, dir).build()
	if err != nil {
		return nil, nil, err
	}
	o := GroupSearchOptions{}
	if opts != nil {
		o = *opts
	}
	if len(o.GroupNames) > 0 || len(o.Expand) > 0 {
		return nil, nil, errors.New("atlassian: GroupNames and Expand need GroupsService.Search")
	}
	q, first := listQuery(o.ListOptions)
	if first {
		addAll(q, "accountIds", ids(o.AccountIDs))
		addAll(q, "directoryIds", ids(o.DirectoryIDs))
		addAll(q, "groupIds", ids(o.GroupIDs))
		addAll(q, "resourceIds", o.ResourceIDs)
		addAll(q, "resourceOwners", o.ResourceOwners)
		addAll(q, "roleIds", o.RoleIDs)
		if o.SearchTerm != "" {
			q.Set("searchTerm", o.SearchTerm)
		}
	}
	return fetchPage[Group](ctx, s.client, request{method: http.MethodGet, path: path, query: q})
}

// ListIter iterates over the deprecated GET list.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/#api-v2-orgs-orgid-directories-directoryid-groups-get
//
//	GET /admin/v2/orgs/{orgId}/directories/{directoryId}/groups
//
// Deprecated: use [GroupsService.SearchIter].
func (s *GroupsService) ListIter(ctx context.Context, org OrgID, dir DirectoryID, opts *GroupSearchOptions) iter.Seq2[Group, error] {
	return paginateOpts(ctx, opts, groupSearchListOptions,
		func(ctx context.Context, o *GroupSearchOptions) ([]Group, *Response, error) {
			return s.List(ctx, org, dir, o)
		})
}

// Get returns one group of dir.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/#api-v2-orgs-orgid-directories-directoryid-groups-groupid-get
//
//	GET /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}
func (s *GroupsService) Get(ctx context.Context, org OrgID, dir DirectoryID, group GroupID) (*Group, *Response, error) {
	path, err := groupsPath(org, dir).id("group ID", string(group)).build()
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Data Group `json:"data"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: path}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Data, resp, nil
}

// Members returns one page of the members of group. The Admin API has no
// membership listing of its own: members are the users of dir found by the
// user search filtered on the group, so opts can narrow them further
// (status, expand, …) and its GroupIDs are replaced by group.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-search-post
//
//	POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search  {"groupIds":[groupId], …}
func (s *GroupsService) Members(ctx context.Context, org OrgID, dir DirectoryID, group GroupID, opts *UserSearchOptions) ([]DirectoryUser, *Response, error) {
	if group == "" {
		return nil, nil, errors.New("atlassian: group ID is empty")
	}
	o := UserSearchOptions{}
	if opts != nil {
		o = *opts
	}
	o.GroupIDs = []GroupID{group}
	return (*DirectoriesService)(s).Users(ctx, org, dir, &o)
}

// MembersIter iterates over all members of group.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v2-orgs-orgid-directories-directoryid-users-search-post
//
//	POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search  {"groupIds":[groupId], …}
func (s *GroupsService) MembersIter(ctx context.Context, org OrgID, dir DirectoryID, group GroupID, opts *UserSearchOptions) iter.Seq2[DirectoryUser, error] {
	return paginateOpts(ctx, opts, userSearchListOptions,
		func(ctx context.Context, o *UserSearchOptions) ([]DirectoryUser, *Response, error) {
			return s.Members(ctx, org, dir, group, o)
		})
}

// AddMember adds the account to group. The user must be in the group's
// directory; groups synced from an identity provider refuse changes.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/#api-v2-orgs-orgid-directories-directoryid-groups-groupid-memberships-post
//
//	POST /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/memberships  {"accountId":…}
func (s *GroupsService) AddMember(ctx context.Context, org OrgID, dir DirectoryID, group GroupID, id AccountID) (*Response, error) {
	path, err := groupsPath(org, dir).id("group ID", string(group)).lit("memberships").build()
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, errors.New("atlassian: account ID is empty")
	}
	body := struct {
		AccountID AccountID `json:"accountId"`
	}{id}
	return s.client.do(ctx, request{method: http.MethodPost, path: path, body: body}, nil)
}

// RemoveMember removes the account from group.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/#api-v2-orgs-orgid-directories-directoryid-groups-groupid-memberships-accountid-delete
//
//	DELETE /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/memberships/{accountId}
func (s *GroupsService) RemoveMember(ctx context.Context, org OrgID, dir DirectoryID, group GroupID, id AccountID) (*Response, error) {
	path, err := groupsPath(org, dir).id("group ID", string(group)).lit("memberships").id("account ID", string(id)).build()
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodDelete, path: path}, nil)
}

// AddMemberV1 adds the account to group through the v1 directory API (for
// organizations not yet on the multi-directory API).
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/#api-v1-orgs-orgid-directory-groups-groupid-memberships-post
//
//	POST /admin/v1/orgs/{orgId}/directory/groups/{groupId}/memberships  {"account_id":…}
func (s *GroupsService) AddMemberV1(ctx context.Context, org OrgID, group GroupID, id AccountID) (*Response, error) {
	path, err := newPath("/v1/orgs").id("organization ID", string(org)).lit("directory/groups").
		id("group ID", string(group)).lit("memberships").build()
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, errors.New("atlassian: account ID is empty")
	}
	body := struct {
		AccountID AccountID `json:"account_id"`
	}{id}
	return s.client.do(ctx, request{method: http.MethodPost, path: path, body: body}, nil)
}

// RemoveMemberV1 removes the account from group through the v1 directory API.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/#api-v1-orgs-orgid-directory-groups-groupid-memberships-accountid-delete
//
//	DELETE /admin/v1/orgs/{orgId}/directory/groups/{groupId}/memberships/{accountId}
func (s *GroupsService) RemoveMemberV1(ctx context.Context, org OrgID, group GroupID, id AccountID) (*Response, error) {
	path, err := newPath("/v1/orgs").id("organization ID", string(org)).lit("directory/groups").
		id("group ID", string(group)).lit("memberships").id("account ID", string(id)).build()
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodDelete, path: path}, nil)
}
