package jira

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// GroupName is a group reference as returned by /user/groups, the expanded
// groups of a [User] and application roles.
type GroupName struct {
	// GroupID is the group's immutable ID. Prefer it to Name, which can change.
	GroupID GroupID `json:"groupId"`
	// Name is the group's name.
	Name string `json:"name"`
	// Self is the REST URL of the group.
	Self string `json:"self,omitempty"`
}

// GroupDetails is a group as returned by /group/bulk and by group creation.
type GroupDetails struct {
	// GroupID is the group's immutable ID. Prefer it to Name, which can change.
	GroupID GroupID `json:"groupId"`
	// Name is the group's name.
	Name string `json:"name"`
}

// Group is another name for [GroupDetails].
type Group = GroupDetails

// AccessType filters [GroupsService.List] by the access a group grants.
type AccessType string

// Access types accepted by /group/bulk.
const (
	// AccessUser selects groups granting product (user) access.
	AccessUser AccessType = "user"
	// AccessAdmin selects groups granting the Administer Jira permission.
	AccessAdmin AccessType = "admin"
	// AccessSiteAdmin selects groups granting site administration. Jira has
	// been seen to answer 500 for this filter on some sites.
	AccessSiteAdmin AccessType = "site-admin"
)

// GroupListOptions selects one page of [GroupsService.List] and filters the
// groups. The zero value lists every group.
type GroupListOptions struct {
	ListOptions
	// GroupIDs keeps only these groups (sent as repeated groupId).
	GroupIDs []GroupID
	// GroupNames keeps only the groups with these names (sent as repeated groupName).
	GroupNames []string
	// AccessType keeps only the groups granting this access; "" for any.
	AccessType AccessType
	// ApplicationKey, with AccessType, restricts to one product; "" for any.
	ApplicationKey ProductKey
}

// MemberListOptions selects one page of [GroupsService.Members].
type MemberListOptions struct {
	ListOptions
	// IncludeInactive also lists inactive users. It is always sent, as
	// includeInactiveUsers=true or false (Jira's default is false).
	IncludeInactive bool
}

// groupPageSize is the default and the largest page /group/bulk and
// /group/member honour (both document maxResults 50).
const groupPageSize = 50

// List returns one page of groups, optionally filtered. PageSize defaults
// to, and is capped at, 50.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/#api-rest-api-3-group-bulk-get
//
//	GET /rest/api/3/group/bulk
func (s *GroupsService) List(ctx context.Context, opts *GroupListOptions) ([]GroupDetails, *Response, error) {
	o := GroupListOptions{}
	if opts != nil {
		o = *opts
	}
	q := url.Values{}
	for _, id := range o.GroupIDs {
		q.Add("groupId", string(id))
	}
	for _, n := range o.GroupNames {
		q.Add("groupName", n)
	}
	if o.AccessType != "" {
		q.Set("accessType", string(o.AccessType))
	}
	if o.ApplicationKey != "" {
		q.Set("applicationKey", string(o.ApplicationKey))
	}
	return fetchPageBean[GroupDetails](ctx, s.client, endpoint(apiPrefix+"/group/bulk"), q, o.ListOptions, groupPageSize, groupPageSize)
}

// ListIter iterates over the groups selected by opts, fetching pages with
// [GroupsService.List]. opts is copied; the caller's value is never changed.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/#api-rest-api-3-group-bulk-get
//
//	GET /rest/api/3/group/bulk
func (s *GroupsService) ListIter(ctx context.Context, opts *GroupListOptions) iter.Seq2[GroupDetails, error] {
	return paginateOpts(ctx, s.client, opts, func(o *GroupListOptions) *ListOptions { return &o.ListOptions }, s.List)
}

// Members returns one page of a group's active members only, unless
// opts.IncludeInactive is set, ordered by Jira. PageSize defaults to, and is
// capped at, 50.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/#api-rest-api-3-group-member-get
//
//	GET /rest/api/3/group/member
func (s *GroupsService) Members(ctx context.Context, id GroupID, opts *MemberListOptions) ([]User, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("jira: Groups.Members needs a group ID")
	}
	o := MemberListOptions{}
	if opts != nil {
		o = *opts
	}
	q := url.Values{"groupId": {string(id)}, "includeInactiveUsers": {strconv.FormatBool(o.IncludeInactive)}}
	return fetchPageBean[User](ctx, s.client, endpoint(apiPrefix+"/group/member"), q, o.ListOptions, groupPageSize, groupPageSize)
}

// MembersIter iterates over a group's active members only, unless
// opts.IncludeInactive is set (the connector sets it: it syncs inactive
// members too), fetching pages with [GroupsService.Members].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/#api-rest-api-3-group-member-get
//
//	GET /rest/api/3/group/member
func (s *GroupsService) MembersIter(ctx context.Context, id GroupID, opts *MemberListOptions) iter.Seq2[User, error] {
	return paginateOpts(ctx, s.client, opts, func(o *MemberListOptions) *ListOptions { return &o.ListOptions },
		func(ctx context.Context, o *MemberListOptions) ([]User, *Response, error) {
			return s.Members(ctx, id, o)
		})
}

// AddUser adds a user to a group (site administration required). Adding a
// user who is already a member fails with a 400 that [IsAlreadyMember]
// recognises. It is a POST, so it is retried only on 429.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/#api-rest-api-3-group-user-post
//
//	POST /rest/api/3/group/user
func (s *GroupsService) AddUser(ctx context.Context, group GroupID, user AccountID) (*Response, error) {
	if group == "" || user == "" {
		return nil, errors.New("jira: Groups.AddUser needs a group ID and an account ID")
	}
	body := struct {
		AccountID AccountID `json:"accountId"`
	}{user}
	return s.client.do(ctx, request{method: http.MethodPost, path: endpoint(apiPrefix + "/group/user"),
		query: url.Values{"groupId": {string(group)}}, body: body}, nil)
}

// RemoveUser removes a user from a group (site administration required).
// Removing a user who is not a member fails with a 400 that [IsNotMember]
// recognises.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/#api-rest-api-3-group-user-delete
//
//	DELETE /rest/api/3/group/user
func (s *GroupsService) RemoveUser(ctx context.Context, group GroupID, user AccountID) (*Response, error) {
	if group == "" || user == "" {
		return nil, errors.New("jira: Groups.RemoveUser needs a group ID and an account ID")
	}
	return s.client.do(ctx, request{method: http.MethodDelete, path: endpoint(apiPrefix + "/group/user"),
		query: url.Values{"groupId": {string(group)}, "accountId": {string(user)}}}, nil)
}

// Create creates a group named name (site administration required).
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/#api-rest-api-3-group-post
//
//	POST /rest/api/3/group
func (s *GroupsService) Create(ctx context.Context, name string) (*GroupDetails, *Response, error) {
	if strings.TrimSpace(name) == "" {
		return nil, nil, errors.New("jira: Groups.Create needs a group name")
	}
	body := struct {
		Name string `json:"name"`
	}{name}
	g := new(GroupDetails)
	resp, err := s.client.do(ctx, request{method: http.MethodPost, path: endpoint(apiPrefix + "/group"), body: body}, g)
	if err != nil {
		return nil, resp, err
	}
	return g, resp, nil
}

// Delete deletes a group (site administration required). Comments and
// worklogs visible only to the group become inaccessible: Jira can move
// those restrictions to another group (swapGroupId), which Delete does not ask for.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/#api-rest-api-3-group-delete
//
//	DELETE /rest/api/3/group
func (s *GroupsService) Delete(ctx context.Context, id GroupID) (*Response, error) {
	if id == "" {
		return nil, errors.New("jira: Groups.Delete needs a group ID")
	}
	return s.client.do(ctx, request{method: http.MethodDelete, path: endpoint(apiPrefix + "/group"),
		query: url.Values{"groupId": {string(id)}}}, nil)
}

// IsAlreadyMember reports whether err is Jira's answer to adding a user to a
// group they already belong to, so that a grant can be treated as done. It
// requires an [*Error] with status 400 whose messages contain "already a
// member of" (case-insensitive). The wording relied on is Jira Cloud's
// "Cannot add user. User is already a member of '<group name>'"; it also
// matches the project-role wording "… is already a member of the project role".
//
// Deprecated: this matches Jira's English wording, which Atlassian does not
// document and may change or translate. Decide by state instead: read the
// user's groups with [UsersService.Groups] before adding or removing, as
// in the example of [GroupsService.AddUser] (the connector's provisioning
// works this way).
func IsAlreadyMember(err error) bool {
	return badRequestSays(err, "already a member of")
}

// IsNotMember reports whether err is Jira's answer to removing a user from a
// group they do not belong to, so that a revoke can be treated as done. It
// requires an [*Error] with status 400 whose messages contain "not a member
// of" (case-insensitive). The wording relied on is Jira's "Cannot remove user
// '<user>' from group '<group name>' since user is not a member of '<group name>'".
//
// Deprecated: this matches Jira's English wording, which Atlassian does not
// document and may change or translate. Decide by state instead: read the
// user's groups with [UsersService.Groups] before adding or removing, as
// in the example of [GroupsService.AddUser] (the connector's provisioning
// works this way).
func IsNotMember(err error) bool {
	return badRequestSays(err, "not a member of")
}

func badRequestSays(err error, phrase string) bool {
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest {
		return false
	}
	return strings.Contains(strings.ToLower(e.Message()), phrase)
}
