package atlassian

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// OrgsService reads organizations. See
// https://developer.atlassian.com/cloud/admin/organization/rest/api-group-orgs/
type OrgsService service

// DomainsService lists an organization's domains. See
// https://developer.atlassian.com/cloud/admin/organization/rest/api-group-domains/
type DomainsService service

// Org is an organization.
type Org struct {
	// ID is the organization ID.
	ID OrgID `json:"id"`
	// Type is "orgs".
	Type string `json:"type"`
	// Attributes holds the organization's name.
	Attributes OrgAttributes `json:"attributes"`
}

// OrgAttributes are an organization's attributes.
type OrgAttributes struct {
	// Name is the organization's name.
	Name string `json:"name"`
}

// Name returns the organization's name.
func (o Org) Name() string { return o.Attributes.Name }

// List returns one page of the organizations the API key can see. The
// endpoint takes no page size.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-orgs/#api-v1-orgs-get
//
//	GET /admin/v1/orgs
func (s *OrgsService) List(ctx context.Context, opts *ListOptions) ([]Org, *Response, error) {
	path, _ := newPath("/v1/orgs").build()
	return cursorGET[Org](ctx, s.client, path, opts)
}

// ListIter iterates over all organizations the API key can see.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-orgs/#api-v1-orgs-get
//
//	GET /admin/v1/orgs
func (s *OrgsService) ListIter(ctx context.Context, opts *ListOptions) iter.Seq2[Org, error] {
	return paginate(ctx, opts, func(ctx context.Context, o ListOptions) ([]Org, *Response, error) {
		return s.List(ctx, &o)
	})
}

// Get returns one organization.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-orgs/#api-v1-orgs-orgid-get
//
//	GET /admin/v1/orgs/{orgId}
func (s *OrgsService) Get(ctx context.Context, org OrgID) (*Org, *Response, error) {
	path, err := newPath("/v1/orgs").id("organization ID", string(org)).build()
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Data Org `json:"data"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: path}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Data, resp, nil
}

// Domain is a domain claimed by an organization.
type Domain struct {
	// ID is the domain's ID.
	ID string `json:"id"`
	// Type is "domains".
	Type string `json:"type"`
	// Attributes holds the name and the verification claim.
	Attributes DomainAttributes `json:"attributes"`
}

// DomainAttributes are a domain's attributes.
type DomainAttributes struct {
	// Name is the domain name, e.g. "acme.com".
	Name string `json:"name"`
	// Claim is how and whether the domain is verified.
	Claim DomainClaim `json:"claim"`
}

// DomainClaim is a domain's verification claim.
type DomainClaim struct {
	// Type is "http" or "dns".
	Type string `json:"type"`
	// Status is "verified", "unverified", "deleted", "superseded" or "missing_token".
	Status string `json:"status"`
}

// Name returns the domain name.
func (d Domain) Name() string { return d.Attributes.Name }

// Verified reports whether the organization has verified the domain, which
// makes the accounts with that email domain managed accounts.
func (d Domain) Verified() bool { return d.Attributes.Claim.Status == "verified" }

// List returns one page of the organization's domains. The endpoint takes
// no page size.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-domains/#api-v1-orgs-orgid-domains-get
//
//	GET /admin/v1/orgs/{orgId}/domains
func (s *DomainsService) List(ctx context.Context, org OrgID, opts *ListOptions) ([]Domain, *Response, error) {
	path, err := newPath("/v1/orgs").id("organization ID", string(org)).lit("domains").build()
	if err != nil {
		return nil, nil, err
	}
	return cursorGET[Domain](ctx, s.client, path, opts)
}

// ListIter iterates over all the organization's domains.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-domains/#api-v1-orgs-orgid-domains-get
//
//	GET /admin/v1/orgs/{orgId}/domains
func (s *DomainsService) ListIter(ctx context.Context, org OrgID, opts *ListOptions) iter.Seq2[Domain, error] {
	return paginate(ctx, opts, func(ctx context.Context, o ListOptions) ([]Domain, *Response, error) {
		return s.List(ctx, org, &o)
	})
}

// cursorGET fetches one page of a v1 list that takes only ?cursor= and
// answers {data, links}, with links.next either a URL or a cursor.
func cursorGET[T any](ctx context.Context, c *Client, path apiPath, opts *ListOptions) ([]T, *Response, error) {
	q := url.Values{}
	if opts != nil && opts.Cursor != "" {
		q.Set("cursor", opts.Cursor)
	}
	return fetchPage[T](ctx, c, request{method: http.MethodGet, path: path, query: q})
}
