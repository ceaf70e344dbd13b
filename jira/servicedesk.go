package jira

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// sdPrefix is the Jira Service Management REST API path prefix.
const sdPrefix = "/rest/servicedeskapi"

// ServiceDeskID identifies a service desk (numeric, carried as a string as
// Jira Service Management does).
type ServiceDeskID string

// CustomerOrganizationID identifies a Jira Service Management customer
// organization (numeric, carried as a string as the API's bodies do).
type CustomerOrganizationID string

// ServiceDesk is a Jira Service Management service desk: the
// customer-facing side of one service project.
type ServiceDesk struct {
	// ID is the service desk ID (not the project ID).
	ID ServiceDeskID `json:"id"`
	// ProjectID is the ID of the service project behind the desk.
	ProjectID ProjectID `json:"projectId"`
	// ProjectName is the name of that project.
	ProjectName string `json:"projectName"`
	// ProjectKey is the key of that project.
	ProjectKey ProjectKey `json:"projectKey"`
}

// Customer is a user as Jira Service Management lists it (UserDTO): a
// portal customer, or an agent, of a service desk or an organization.
// Customer account IDs often look like "qm:<uuid>:<hex>".
type Customer struct {
	// AccountID is the account ID.
	AccountID AccountID `json:"accountId"`
	// DisplayName is the display name.
	DisplayName string `json:"displayName"`
	// EmailAddress is the email address, or "" when hidden.
	EmailAddress string `json:"emailAddress,omitempty"`
	// Active reports whether the account is active.
	Active bool `json:"active"`
	// TimeZone is the IANA time zone, or "" when hidden.
	TimeZone string `json:"timeZone,omitempty"`
}

// CustomerOrganization is a Jira Service Management customer organization
// (a set of customers; not an Atlassian organization).
type CustomerOrganization struct {
	// ID is the organization ID.
	ID CustomerOrganizationID `json:"id"`
	// Name is the organization's name.
	Name string `json:"name"`
	// Created is when the organization was created, or nil if not sent.
	Created *ServiceDeskDate `json:"created,omitempty"`
}

// ServiceDeskDate is a Jira Service Management date (DateDTO).
type ServiceDeskDate struct {
	// ISO8601 is the time in ISO 8601 form, e.g. "2021-07-13T03:45:48+0000".
	ISO8601 string `json:"iso8601"`
	// EpochMillis is the time in milliseconds since the Unix epoch.
	EpochMillis int64 `json:"epochMillis"`
}

// Time returns the date as a time.Time in UTC (zero if EpochMillis is 0).
func (d ServiceDeskDate) Time() time.Time {
	if d.EpochMillis == 0 {
		return time.Time{}
	}
	return time.UnixMilli(d.EpochMillis).UTC()
}

// CustomerListOptions selects one page of [ServiceDeskService.Customers].
type CustomerListOptions struct {
	ListOptions
	// Query keeps the customers whose display name, name or email address
	// matches it; "" keeps all.
	Query string
}

// sdPageSize is Jira Service Management's documented default limit; the
// server caps it per method, and pagination follows what comes back.
const sdPageSize = 50

// fetchSDPage fetches one page of a Service Management start/limit endpoint.
// The server caps limit per method without saying so, so only isLastPage or
// an empty page ends the listing; the cursor advances by what came back.
func fetchSDPage[T any](ctx context.Context, c *Client, path apiPath, q url.Values, h http.Header, o ListOptions) ([]T, *Response, error) {
	return fetchBean[T](ctx, c, request{method: http.MethodGet, path: path, query: q, header: h}, sdParams, o, sdPageSize, 0)
}

// List returns one page of the service desks the caller can see. PageSize
// defaults to 50; the server may return fewer, and only isLastPage or an
// empty page ends the listing.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-servicedesk/#api-rest-servicedeskapi-servicedesk-get
//
//	GET /rest/servicedeskapi/servicedesk
func (s *ServiceDeskService) List(ctx context.Context, opts *ListOptions) ([]ServiceDesk, *Response, error) {
	return fetchSDPage[ServiceDesk](ctx, s.client, endpoint(sdPrefix+"/servicedesk"), nil, nil, listOpts(opts))
}

// ListIter iterates over the service desks, fetching pages with [ServiceDeskService.List].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-servicedesk/#api-rest-servicedeskapi-servicedesk-get
//
//	GET /rest/servicedeskapi/servicedesk
func (s *ServiceDeskService) ListIter(ctx context.Context, opts *ListOptions) iter.Seq2[ServiceDesk, error] {
	return paginate(ctx, s.client, opts, func(ctx context.Context, o ListOptions) ([]ServiceDesk, *Response, error) {
		return s.List(ctx, &o)
	})
}

// Customers returns one page of the customers of a service desk. The
// endpoint is experimental: the client sends X-ExperimentalApi: opt-in, and
// Jira answers 412 without it. Jira limits it to 5 requests per second per
// site. PageSize defaults to 50; only isLastPage or an empty page ends the
// listing. Needs the Service Desk Administer or Agent permission.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-servicedesk/#api-rest-servicedeskapi-servicedesk-servicedeskid-customer-get
//
//	GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/customer
func (s *ServiceDeskService) Customers(ctx context.Context, id ServiceDeskID, opts *CustomerListOptions) ([]Customer, *Response, error) {
	seg, err := pathSegment("ServiceDesk.Customers", "service desk ID", string(id))
	if err != nil {
		return nil, nil, err
	}
	o := CustomerListOptions{}
	if opts != nil {
		o = *opts
	}
	q := url.Values{}
	if o.Query != "" {
		q.Set("query", o.Query)
	}
	h := http.Header{"X-Experimentalapi": {"opt-in"}}
	return fetchSDPage[Customer](ctx, s.client, endpoint(sdPrefix+"/servicedesk/{}/customer", seg), q, h, o.ListOptions)
}

// CustomersIter iterates over the customers of a service desk, fetching
// pages with [ServiceDeskService.Customers].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-servicedesk/#api-rest-servicedeskapi-servicedesk-servicedeskid-customer-get
//
//	GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/customer
func (s *ServiceDeskService) CustomersIter(ctx context.Context, id ServiceDeskID, opts *CustomerListOptions) iter.Seq2[Customer, error] {
	return paginateOpts(ctx, s.client, opts, func(o *CustomerListOptions) *ListOptions { return &o.ListOptions },
		func(ctx context.Context, o *CustomerListOptions) ([]Customer, *Response, error) {
			return s.Customers(ctx, id, o)
		})
}

// Organizations returns one page of the site's customer organizations.
// PageSize defaults to 50; only isLastPage or an empty page ends the listing.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-organization/#api-rest-servicedeskapi-organization-get
//
//	GET /rest/servicedeskapi/organization
func (s *ServiceDeskService) Organizations(ctx context.Context, opts *ListOptions) ([]CustomerOrganization, *Response, error) {
	return fetchSDPage[CustomerOrganization](ctx, s.client, endpoint(sdPrefix+"/organization"), nil, nil, listOpts(opts))
}

// OrganizationsIter iterates over the customer organizations, fetching
// pages with [ServiceDeskService.Organizations].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-organization/#api-rest-servicedeskapi-organization-get
//
//	GET /rest/servicedeskapi/organization
func (s *ServiceDeskService) OrganizationsIter(ctx context.Context, opts *ListOptions) iter.Seq2[CustomerOrganization, error] {
	return paginate(ctx, s.client, opts, func(ctx context.Context, o ListOptions) ([]CustomerOrganization, *Response, error) {
		return s.Organizations(ctx, &o)
	})
}

// OrganizationUsers returns one page of the users of a customer
// organization, ordered by account ID. PageSize defaults to 50; only
// isLastPage or an empty page ends the listing.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-organization/#api-rest-servicedeskapi-organization-organizationid-user-get
//
//	GET /rest/servicedeskapi/organization/{organizationId}/user
func (s *ServiceDeskService) OrganizationUsers(ctx context.Context, id CustomerOrganizationID, opts *ListOptions) ([]Customer, *Response, error) {
	seg, err := pathSegment("ServiceDesk.OrganizationUsers", "organization ID", string(id))
	if err != nil {
		return nil, nil, err
	}
	return fetchSDPage[Customer](ctx, s.client, endpoint(sdPrefix+"/organization/{}/user", seg), nil, nil, listOpts(opts))
}

// OrganizationUsersIter iterates over the users of a customer
// organization, fetching pages with [ServiceDeskService.OrganizationUsers].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-organization/#api-rest-servicedeskapi-organization-organizationid-user-get
//
//	GET /rest/servicedeskapi/organization/{organizationId}/user
func (s *ServiceDeskService) OrganizationUsersIter(ctx context.Context, id CustomerOrganizationID, opts *ListOptions) iter.Seq2[Customer, error] {
	return paginate(ctx, s.client, opts, func(ctx context.Context, o ListOptions) ([]Customer, *Response, error) {
		return s.OrganizationUsers(ctx, id, &o)
	})
}

// DeskOrganizations returns one page of the customer organizations of a
// service desk: their members have portal access to it. id may also be the
// project ID or key of the desk's service project. PageSize defaults to
// 50; only isLastPage or an empty page ends the listing.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-servicedesk/#api-rest-servicedeskapi-servicedesk-servicedeskid-organization-get
//
//	GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/organization
func (s *ServiceDeskService) DeskOrganizations(ctx context.Context, id ServiceDeskID, opts *ListOptions) ([]CustomerOrganization, *Response, error) {
	seg, err := pathSegment("ServiceDesk.DeskOrganizations", "service desk ID", string(id))
	if err != nil {
		return nil, nil, err
	}
	return fetchSDPage[CustomerOrganization](ctx, s.client, endpoint(sdPrefix+"/servicedesk/{}/organization", seg), nil, nil, listOpts(opts))
}

// DeskOrganizationsIter iterates over the customer organizations of a
// service desk, fetching pages with [ServiceDeskService.DeskOrganizations].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-servicedesk/#api-rest-servicedeskapi-servicedesk-servicedeskid-organization-get
//
//	GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/organization
func (s *ServiceDeskService) DeskOrganizationsIter(ctx context.Context, id ServiceDeskID, opts *ListOptions) iter.Seq2[CustomerOrganization, error] {
	return paginate(ctx, s.client, opts, func(ctx context.Context, o ListOptions) ([]CustomerOrganization, *Response, error) {
		return s.DeskOrganizations(ctx, id, &o)
	})
}
