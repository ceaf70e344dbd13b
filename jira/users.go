package jira

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// AccountType is the kind of Atlassian account behind a [User]. It is an open
// enum: Jira may add values, so compare against the constants and treat
// anything else like [AccountTypeUnknown].
type AccountType string

// Account types documented for User.accountType.
const (
	// AccountTypeAtlassian is a regular Atlassian account (a person).
	AccountTypeAtlassian AccountType = "atlassian"
	// AccountTypeApp is an app, a bot, a service account or a Rovo agent
	// (see [User].AppType).
	AccountTypeApp AccountType = "app"
	// AccountTypeCustomer is a Jira Service Management customer (portal-only) account.
	AccountTypeCustomer AccountType = "customer"
	// AccountTypeUnknown is sent for corrupted or unidentifiable accounts.
	AccountTypeUnknown AccountType = "unknown"
)

// AppType refines [AccountTypeApp] accounts. It is an open enum and is empty
// for every other account type.
type AppType string

// App types documented for User.appType.
const (
	// AppTypeService is an Atlassian service account.
	AppTypeService AppType = "service"
	// AppTypeAgent is a Rovo agent.
	AppTypeAgent AppType = "agent"
	// AppTypeUnknown is any other app account.
	AppTypeUnknown AppType = "unknown"
)

// Values for the expand argument of [Client.Myself] and [UsersService.Get].
const (
	// UserExpandGroups fills [User].Groups.
	UserExpandGroups = "groups"
	// UserExpandApplicationRoles fills [User].ApplicationRoles.
	UserExpandApplicationRoles = "applicationRoles"
)

// User is a Jira user as returned by /myself, /user, /users/search,
// /user/search, /user/bulk and (as UserDetails) /group/member.
//
// Privacy settings hide some fields: EmailAddress and Locale are "" when the
// user's profile visibility hides them from the caller (Jira then sends null
// or omits the key), so "" never means "has no email". Deleted ("right to be
// forgotten") users keep a placeholder DisplayName and blank fields.
type User struct {
	// Self is the REST URL of the user.
	Self string `json:"self"`
	// AccountID is the immutable account ID, the only stable way to identify a user.
	AccountID AccountID `json:"accountId"`
	// AccountType is atlassian, app, customer or unknown.
	AccountType AccountType `json:"accountType"`
	// AppType is set only when AccountType is app: service, agent or unknown.
	AppType AppType `json:"appType,omitempty"`
	// Active reports whether the account is active.
	Active bool `json:"active"`
	// DisplayName is the user's display name (possibly a placeholder for
	// deleted users). It can change and is not unique.
	DisplayName string `json:"displayName"`
	// EmailAddress is the email address, or "" when the user's privacy
	// settings hide it from the caller (Jira sends null or leaves it out).
	EmailAddress string `json:"emailAddress,omitempty"`
	// AvatarURLs maps a size ("16x16", "24x24", "32x32", "48x48") to an avatar URL.
	AvatarURLs map[string]string `json:"avatarUrls,omitempty"`
	// TimeZone is the IANA time zone, e.g. "Australia/Sydney", or "" when hidden.
	TimeZone string `json:"timeZone,omitempty"`
	// Locale is e.g. "en_US", or "" when hidden.
	Locale string `json:"locale,omitempty"`
	// Guest reports whether the account is a guest of the site.
	Guest bool `json:"guest,omitempty"`
	// Groups is nil unless the request expanded "groups" ([UserExpandGroups]).
	Groups *UserGroups `json:"groups,omitempty"`
	// ApplicationRoles is nil unless the request expanded "applicationRoles"
	// ([UserExpandApplicationRoles]).
	ApplicationRoles *UserApplicationRoles `json:"applicationRoles,omitempty"`
}

// UserGroups is the expanded "groups" list of a [User].
type UserGroups struct {
	// Size is the number of groups the user belongs to.
	Size int `json:"size"`
	// Items are the groups.
	Items []GroupName `json:"items"`
}

// UserApplicationRoles is the expanded "applicationRoles" list of a [User]:
// the products the user can access.
type UserApplicationRoles struct {
	// Size is the number of application roles.
	Size int `json:"size"`
	// Items are the application roles.
	Items []ApplicationRole `json:"items"`
}

// Page sizes of the user endpoints.
const (
	// usersSearchPageSize is the largest maxResults /users/search honours
	// (its documented default is 50). It is also our default.
	usersSearchPageSize = 1000
	// userSearchPageSize is the same cap for /user/search, which stops at
	// the thousandth user anyway.
	userSearchPageSize = 1000
	// userBulkPageSize is our default and maximum for /user/bulk, whose
	// documented default is 10 and whose documented maximum is none;
	// Atlassian caps the sibling Confluence endpoint at 200 account IDs.
	userBulkPageSize = 200
)

// List returns one page of all users of the site: active, inactive and
// previously deleted users with an Atlassian account, including app and
// customer accounts. The answer is a bare array, so only an empty page ends
// the listing; a short page does not. PageSize defaults to, and is capped
// at, 1000, the largest page the endpoint honours.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/#api-rest-api-3-users-search-get
//
//	GET /rest/api/3/users/search
func (s *UsersService) List(ctx context.Context, opts *ListOptions) ([]User, *Response, error) {
	return fetchArray[User](ctx, s.client, endpoint(apiPrefix+"/users/search"), nil, listOpts(opts), usersSearchPageSize, usersSearchPageSize)
}

// ListIter iterates over all users of the site, fetching pages with [UsersService.List].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/#api-rest-api-3-users-search-get
//
//	GET /rest/api/3/users/search
func (s *UsersService) ListIter(ctx context.Context, opts *ListOptions) iter.Seq2[User, error] {
	return paginate(ctx, s.client, opts, func(ctx context.Context, o ListOptions) ([]User, *Response, error) {
		return s.List(ctx, &o)
	})
}

// Get returns one user. expand may name [UserExpandGroups] and
// [UserExpandApplicationRoles]. An unknown account ID gives an [*Error]
// matching [ErrNotFound].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/#api-rest-api-3-user-get
//
//	GET /rest/api/3/user
func (s *UsersService) Get(ctx context.Context, id AccountID, expand ...string) (*User, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("jira: Users.Get needs an account ID")
	}
	q := url.Values{"accountId": {string(id)}}
	setExpand(q, expand)
	u := new(User)
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/user"), query: q}, u)
	if err != nil {
		return nil, resp, err
	}
	return u, resp, nil
}

// Search returns one page of the active users matching query (display name
// and email address, prefix match). Jira filters only the first 1000 users
// of the site, so Search is not a way to list everyone: use
// [UsersService.List]. Without the Browse users and groups permission Jira
// answers an empty list rather than an error. PageSize defaults to, and is
// capped at, 1000. Jira applies a collective rate limit to user searches.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/#api-rest-api-3-user-search-get
//
//	GET /rest/api/3/user/search
func (s *UsersService) Search(ctx context.Context, query string, opts *ListOptions) ([]User, *Response, error) {
	if strings.TrimSpace(query) == "" {
		return nil, nil, errors.New("jira: Users.Search needs a query")
	}
	return fetchArray[User](ctx, s.client, endpoint(apiPrefix+"/user/search"), url.Values{"query": {query}}, listOpts(opts),
		userSearchPageSize, userSearchPageSize)
}

// SearchIter iterates over the users matching query, fetching pages with [UsersService.Search].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/#api-rest-api-3-user-search-get
//
//	GET /rest/api/3/user/search
func (s *UsersService) SearchIter(ctx context.Context, query string, opts *ListOptions) iter.Seq2[User, error] {
	return paginate(ctx, s.client, opts, func(ctx context.Context, o ListOptions) ([]User, *Response, error) {
		return s.Search(ctx, query, &o)
	})
}

// BulkGet returns one page of the users with the given account IDs (unknown
// IDs are left out). The IDs travel in the URL as repeated accountId
// parameters, so keep each call to a few hundred IDs at most (too long a URL
// gets 400 or 414). PageSize defaults to, and is capped at, 200 (Jira's
// documented default is 10 and no maximum is documented); the page follows
// what the server returns.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/#api-rest-api-3-user-bulk-get
//
//	GET /rest/api/3/user/bulk
func (s *UsersService) BulkGet(ctx context.Context, ids []AccountID, opts *ListOptions) ([]User, *Response, error) {
	if len(ids) == 0 {
		return nil, nil, errors.New("jira: Users.BulkGet needs at least one account ID")
	}
	q := url.Values{}
	for _, id := range ids {
		if id == "" {
			return nil, nil, errors.New("jira: Users.BulkGet: empty account ID")
		}
		q.Add("accountId", string(id))
	}
	return fetchPageBean[User](ctx, s.client, endpoint(apiPrefix+"/user/bulk"), q, listOpts(opts), userBulkPageSize, userBulkPageSize)
}

// BulkGetIter iterates over the users with the given account IDs, fetching
// pages with [UsersService.BulkGet].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/#api-rest-api-3-user-bulk-get
//
//	GET /rest/api/3/user/bulk
func (s *UsersService) BulkGetIter(ctx context.Context, ids []AccountID, opts *ListOptions) iter.Seq2[User, error] {
	ids = slices.Clone(ids)
	return paginate(ctx, s.client, opts, func(ctx context.Context, o ListOptions) ([]User, *Response, error) {
		return s.BulkGet(ctx, ids, &o)
	})
}

// inviteRequest is NewUserDetails. Products is never omitted: the current
// API requires it, and [] means "no product access".
type inviteRequest struct {
	EmailAddress string       `json:"emailAddress"`
	Products     []ProductKey `json:"products"`
}

// Invite creates (invites) a user with the given email address and grants
// access to products ([ProductJiraSoftware], …). A nil or empty products
// slice is sent as "products":[], which means NO product access: the user is
// created without any Jira product. Jira answers 201 with the user, also when
// the account already exists and has Jira access; it answers 400 when the
// account exists without Jira access and no new product is requested. The
// caller needs Administer Jira and, on current sites, organization admin
// rights; the endpoint accepts Basic auth only (no OAuth scope). Invite is a
// POST and is never retried after a 5xx or a transport error, only on 429.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/#api-rest-api-3-user-post
//
//	POST /rest/api/3/user
func (s *UsersService) Invite(ctx context.Context, email string, products []ProductKey) (*User, *Response, error) {
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") {
		return nil, nil, fmt.Errorf("jira: Users.Invite needs an email address, got %q", email)
	}
	body := inviteRequest{EmailAddress: email, Products: slices.Clone(products)}
	if body.Products == nil {
		body.Products = []ProductKey{}
	}
	u := new(User)
	resp, err := s.client.do(ctx, request{method: http.MethodPost, path: endpoint(apiPrefix + "/user"), body: body}, u)
	if err != nil {
		return nil, resp, err
	}
	return u, resp, nil
}

// Remove deletes a user from Jira's user base (site administration
// permission required). It does not delete the Atlassian account.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/#api-rest-api-3-user-delete
//
//	DELETE /rest/api/3/user
func (s *UsersService) Remove(ctx context.Context, id AccountID) (*Response, error) {
	if id == "" {
		return nil, errors.New("jira: Users.Remove needs an account ID")
	}
	return s.client.do(ctx, request{method: http.MethodDelete, path: endpoint(apiPrefix + "/user"),
		query: url.Values{"accountId": {string(id)}}}, nil)
}

// Groups returns every group the user belongs to (the endpoint is not paged).
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/#api-rest-api-3-user-groups-get
//
//	GET /rest/api/3/user/groups
func (s *UsersService) Groups(ctx context.Context, id AccountID) ([]GroupName, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("jira: Users.Groups needs an account ID")
	}
	var groups []GroupName
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/user/groups"),
		query: url.Values{"accountId": {string(id)}}}, &groups)
	if err != nil {
		return nil, resp, err
	}
	return groups, resp, nil
}
