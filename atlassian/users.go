package atlassian

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// UsersService covers the organization-level (v1) user APIs: managed
// accounts, the user search of the new user management experience,
// last-active dates, and suspending, restoring or removing a user's access.
// For directory users prefer [DirectoriesService.Users]. See
// https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/
type UsersService service

// ManagedAccount is an account managed by the organization (its email
// domain is verified), as GET /v1/orgs/{orgId}/users returns it (snake_case).
type ManagedAccount struct {
	// AccountID is the account ID.
	AccountID AccountID `json:"account_id"`
	// AccountType is atlassian, customer or app.
	AccountType AccountType `json:"account_type"`
	// AccountStatus is active, inactive or closed.
	AccountStatus AccountStatus `json:"account_status"`
	// Name is the display name.
	Name string `json:"name"`
	// Picture is the URL of the avatar.
	Picture string `json:"picture"`
	// Email is the email address ("" when hidden).
	Email string `json:"email"`
	// AccessBillable tells whether the account is billed for Atlassian
	// Guard; nil when not sent.
	AccessBillable *bool `json:"access_billable"`
	// LastActive is the last activity in any product, or the zero time.
	LastActive time.Time `json:"last_active"`
	// ProductAccess lists the products the account uses.
	ProductAccess []ManagedProduct `json:"product_access"`
}

// UnmarshalJSON parses the timestamp leniently (date or date-time).
func (a *ManagedAccount) UnmarshalJSON(b []byte) error {
	type plain ManagedAccount
	aux := struct {
		*plain
		LastActive *string `json:"last_active"`
	}{plain: (*plain)(a)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.LastActive = parseTime(optString(aux.LastActive))
	return nil
}

// ManagedProduct is a product a managed account uses.
type ManagedProduct struct {
	// Key is the product key, e.g. "jira-software".
	Key string `json:"key"`
	// Name is the product name.
	Name string `json:"name"`
	// URL is the product's site URL.
	URL string `json:"url"`
	// LastActive is the last activity in the product, or the zero time.
	LastActive time.Time `json:"last_active"`
}

// UnmarshalJSON parses the timestamp leniently (date or date-time).
func (p *ManagedProduct) UnmarshalJSON(b []byte) error {
	type plain ManagedProduct
	aux := struct {
		*plain
		LastActive *string `json:"last_active"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.LastActive = parseTime(optString(aux.LastActive))
	return nil
}

// ListManaged returns one page of the organization's managed accounts. The
// endpoint takes no page size; its links.next is a full URL, whose cursor
// becomes [Response].NextCursor.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v1-orgs-orgid-users-get
//
//	GET /admin/v1/orgs/{orgId}/users
func (s *UsersService) ListManaged(ctx context.Context, org OrgID, opts *ListOptions) ([]ManagedAccount, *Response, error) {
	path, err := newPath("/v1/orgs").id("organization ID", string(org)).lit("users").build()
	if err != nil {
		return nil, nil, err
	}
	return cursorGET[ManagedAccount](ctx, s.client, path, opts)
}

// ListManagedIter iterates over all managed accounts.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v1-orgs-orgid-users-get
//
//	GET /admin/v1/orgs/{orgId}/users
func (s *UsersService) ListManagedIter(ctx context.Context, org OrgID, opts *ListOptions) iter.Seq2[ManagedAccount, error] {
	return paginate(ctx, opts, func(ctx context.Context, o ListOptions) ([]ManagedAccount, *Response, error) {
		return s.ListManaged(ctx, org, &o)
	})
}

// OrgUser is a user found by [UsersService.Search] (camelCase). The
// documented answer carries the ID, type and status; the other fields are
// set when the API sends them.
type OrgUser struct {
	// AccountID is the account ID.
	AccountID AccountID `json:"accountId"`
	// AccountType is atlassian, customer or app.
	AccountType AccountType `json:"accountType"`
	// AccountStatus is active, inactive or closed.
	AccountStatus AccountStatus `json:"accountStatus"`
	// Name is the display name, when sent.
	Name string `json:"name"`
	// Nickname is the nickname, when sent.
	Nickname string `json:"nickname"`
	// Email is the email address, when sent and visible.
	Email string `json:"email"`
}

// OrgUserSearchOptions filters [UsersService.Search]. Empty fields do not filter.
type OrgUserSearchOptions struct {
	ListOptions
	// AccountIDs keeps only these accounts.
	AccountIDs []AccountID
	// AccountTypes keeps only these account types.
	AccountTypes []AccountType
	// AccountStatuses keeps only these account statuses.
	AccountStatuses []AccountStatus
	// IsSuspended keeps only suspended (true) or unsuspended (false) users.
	IsSuspended *bool
	// Expand asks for more fields.
	Expand []string
	// Filters adds other documented body fields verbatim (namesOrNicknames,
	// emailUsernames, emailDomains), e.g. {"emailDomains": {"eq": ["acme.com"]}}.
	Filters map[string]json.RawMessage
}

// Search returns one page of the organization's users matching opts (new
// user management experience only). Its links.next is a bare cursor. Every
// page sends the filters, the limit and the cursor. Page size at most 100
// (default 100).
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v1-orgs-orgid-users-search-post
//
//	POST /admin/v1/orgs/{orgId}/users/search
func (s *UsersService) Search(ctx context.Context, org OrgID, opts *OrgUserSearchOptions) ([]OrgUser, *Response, error) {
	path, err := newPath("/v1/orgs").id("organization ID", string(org)).lit("users/search").build()
	if err != nil {
		return nil, nil, err
	}
	o := OrgUserSearchOptions{}
	if opts != nil {
		o = *opts
	}
	body := map[string]any{}
	for k, v := range o.Filters {
		body[k] = v
	}
	body["limit"] = pageSize(o.PageSize)
	if o.Cursor != "" {
		body["cursor"] = o.Cursor
	}
	if len(o.AccountIDs) > 0 {
		body["accountIds"] = ids(o.AccountIDs)
	}
	if len(o.AccountTypes) > 0 {
		body["accountTypes"] = ids(o.AccountTypes)
	}
	if len(o.AccountStatuses) > 0 {
		body["accountStatuses"] = ids(o.AccountStatuses)
	}
	if o.IsSuspended != nil {
		body["isSuspended"] = *o.IsSuspended
	}
	if len(o.Expand) > 0 {
		body["expand"] = o.Expand
	}
	return fetchPage[OrgUser](ctx, s.client, request{method: http.MethodPost, path: path, body: body})
}

// SearchIter iterates over all users matching opts.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v1-orgs-orgid-users-search-post
//
//	POST /admin/v1/orgs/{orgId}/users/search
func (s *UsersService) SearchIter(ctx context.Context, org OrgID, opts *OrgUserSearchOptions) iter.Seq2[OrgUser, error] {
	return paginateOpts(ctx, opts, func(o *OrgUserSearchOptions) *ListOptions { return &o.ListOptions },
		func(ctx context.Context, o *OrgUserSearchOptions) ([]OrgUser, *Response, error) {
			return s.Search(ctx, org, o)
		})
}

// LastActive is a user's last activity per product and the date the user
// joined the organization. Activity means viewing a product page for at
// least 2 seconds; it may lag by up to 24 hours.
type LastActive struct {
	// Products holds the last activity per product ("" when the user has
	// never used one).
	Products []ProductLastActive `json:"product_access"`
	// AddedToOrg is when the user was added to the organization, or the zero time.
	AddedToOrg time.Time `json:"added_to_org"`
}

// UnmarshalJSON prefers added_to_org_timestamp to the added_to_org date.
func (l *LastActive) UnmarshalJSON(b []byte) error {
	type plain LastActive
	aux := struct {
		*plain
		AddedToOrg          *string `json:"added_to_org"`
		AddedToOrgTimestamp *string `json:"added_to_org_timestamp"`
	}{plain: (*plain)(l)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	l.AddedToOrg = parseTime(optString(aux.AddedToOrgTimestamp))
	if l.AddedToOrg.IsZero() {
		l.AddedToOrg = parseTime(optString(aux.AddedToOrg))
	}
	return nil
}

// Latest returns the most recent activity over all products, or the zero
// time if the user has none.
func (l LastActive) Latest() time.Time {
	var t time.Time
	for _, p := range l.Products {
		if p.LastActive.After(t) {
			t = p.LastActive
		}
	}
	return t
}

// ProductLastActive is the last activity in one product instance.
type ProductLastActive struct {
	// ID is the product instance ID.
	ID string `json:"id"`
	// Key is the product key, e.g. "jira-software", "jira-service-desk", "confluence".
	Key string `json:"key"`
	// LastActive is the last activity: last_active_timestamp when sent,
	// else the last_active date at midnight UTC; the zero time if neither.
	LastActive time.Time `json:"last_active"`
}

// UnmarshalJSON prefers last_active_timestamp to the last_active date.
func (p *ProductLastActive) UnmarshalJSON(b []byte) error {
	type plain ProductLastActive
	aux := struct {
		*plain
		LastActive          *string `json:"last_active"`
		LastActiveTimestamp *string `json:"last_active_timestamp"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.LastActive = parseTime(optString(aux.LastActiveTimestamp))
	if p.LastActive.IsZero() {
		p.LastActive = parseTime(optString(aux.LastActive))
	}
	return nil
}

// LastActiveDates returns one page of the user's last-active dates. Most
// users fit in one page; [UsersService.LastActive] reads them all.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v1-orgs-orgid-directory-users-accountid-last-active-dates-get
//
//	GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates
func (s *UsersService) LastActiveDates(ctx context.Context, org OrgID, id AccountID, opts *ListOptions) (*LastActive, *Response, error) {
	path, err := newPath("/v1/orgs").id("organization ID", string(org)).lit("directory/users").
		id("account ID", string(id)).lit("last-active-dates").build()
	if err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	if opts != nil && opts.Cursor != "" {
		q.Set("cursor", opts.Cursor)
	}
	var out struct {
		Data  LastActive `json:"data"`
		Links links      `json:"links"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: path, query: q}, &out)
	if err != nil {
		return nil, resp, err
	}
	if err := setNext(resp, out.Links); err != nil {
		return nil, resp, err
	}
	return &out.Data, resp, nil
}

// maxLastActivePages bounds LastActive's walk (a user has one entry per product).
const maxLastActivePages = 50

// LastActive returns all of the user's last-active dates, following pages.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v1-orgs-orgid-directory-users-accountid-last-active-dates-get
//
//	GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates
func (s *UsersService) LastActive(ctx context.Context, org OrgID, id AccountID) (*LastActive, error) {
	all := &LastActive{}
	pages := 0
	fetch := func(ctx context.Context, o ListOptions) ([]ProductLastActive, *Response, error) {
		if pages++; pages > maxLastActivePages {
			return nil, nil, errors.New("atlassian: last-active-dates has more pages than expected")
		}
		la, resp, err := s.LastActiveDates(ctx, org, id, &o)
		if err != nil {
			return nil, resp, err
		}
		if all.AddedToOrg.IsZero() {
			all.AddedToOrg = la.AddedToOrg
		}
		return la.Products, resp, nil
	}
	for p, err := range paginate(ctx, nil, fetch) {
		if err != nil {
			return nil, err
		}
		all.Products = append(all.Products, p)
	}
	return all, nil
}

func v1UserPath(org OrgID, id AccountID) *pathBuilder {
	return newPath("/v1/orgs").id("organization ID", string(org)).lit("directory/users").id("account ID", string(id))
}

// SuspendAccess suspends the user's access to every product of the
// organization (v1; they keep roles and groups, restored by
// [UsersService.RestoreAccess]).
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v1-orgs-orgid-directory-users-accountid-suspend-access-post
//
//	POST /admin/v1/orgs/{orgId}/directory/users/{accountId}/suspend-access
func (s *UsersService) SuspendAccess(ctx context.Context, org OrgID, id AccountID) (*Response, error) {
	path, err := v1UserPath(org, id).lit("suspend-access").build()
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodPost, path: path}, nil)
}

// RestoreAccess restores a suspended user's access (v1).
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v1-orgs-orgid-directory-users-accountid-restore-access-post
//
//	POST /admin/v1/orgs/{orgId}/directory/users/{accountId}/restore-access
func (s *UsersService) RestoreAccess(ctx context.Context, org OrgID, id AccountID) (*Response, error) {
	path, err := v1UserPath(org, id).lit("restore-access").build()
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodPost, path: path}, nil)
}

// RemoveFromDirectory removes the user's product access and directory
// membership (v1, new user management experience only).
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-users/#api-v1-orgs-orgid-directory-users-accountid-delete
//
//	DELETE /admin/v1/orgs/{orgId}/directory/users/{accountId}
func (s *UsersService) RemoveFromDirectory(ctx context.Context, org OrgID, id AccountID) (*Response, error) {
	path, err := v1UserPath(org, id).build()
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodDelete, path: path}, nil)
}
