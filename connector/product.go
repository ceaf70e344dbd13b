package connector

import (
	"context"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	ent "github.com/conductorone/baton-sdk/pkg/types/entitlement"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"

	"github.com/batonkit/jiracloud/jira"
)

// productResourceType is "product": a Jira application role (Jira Software,
// Jira Service Management, …), keyed by its key. Its grants are type-scoped.
var productResourceType = v2.ResourceType_builder{
	Id:          "product",
	DisplayName: "Product",
	Annotations: annotations.New(&v2.TypeScopedGrants{}),
	Description: "A Jira product (application role) and the groups that grant access to it",
}.Build()

const accessEntitlement = "access"

// productSyncer lists products from GET /applicationrole (read once per
// sync) and grants "access" to the groups in each product's groupDetails.
type productSyncer struct{ provisioner }

func (s *productSyncer) ResourceType(context.Context) *v2.ResourceType { return productResourceType }

// List returns every product in one page.
func (s *productSyncer) List(ctx context.Context, _ *v2.ResourceId, opts rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error) {
	products, err := s.c.productList(ctx, s.c.state(opts.SyncID))
	if err != nil {
		return nil, nil, err
	}
	out := make([]*v2.Resource, 0, len(products))
	for _, p := range products {
		r, err := productResource(p.role)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
	}
	return out, &rs.SyncOpResults{}, nil
}

// Entitlements returns the product's "access" entitlement.
func (s *productSyncer) Entitlements(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Entitlement, *rs.SyncOpResults, error) {
	return []*v2.Entitlement{
		ent.NewAssignmentEntitlement(r, accessEntitlement,
			ent.WithGrantableTo(groupResourceType, userResourceType),
			ent.WithDisplayName(r.GetDisplayName()+" access"),
			ent.WithDescription("Access to "+r.GetDisplayName()+" (granted through product access groups)")),
	}, &rs.SyncOpResults{}, nil
}

// Grants returns the access grants of one product. The SDK uses
// GrantsForResourceType instead; this serves direct callers.
func (s *productSyncer) Grants(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	return s.grants(ctx, opts.SyncID, jira.ProductKey(r.GetId().GetResource()))
}

// GrantsForResourceType returns the access grants of every product in one
// call (products are few and were read by List already).
func (s *productSyncer) GrantsForResourceType(ctx context.Context, _ string, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	s.c.warmGrants(ctx, s.c.state(opts.SyncID))
	return s.grants(ctx, opts.SyncID, "")
}

// grants grants access to the synced groups of product only ("" = every
// product), expandable onto their members.
func (s *productSyncer) grants(ctx context.Context, syncID string, only jira.ProductKey) ([]*v2.Grant, *rs.SyncOpResults, error) {
	st := s.c.state(syncID)
	products, err := s.c.productList(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	groups, err := s.c.groupSet(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	var out []*v2.Grant
	for _, p := range products {
		if only != "" && p.role.Key != only {
			continue
		}
		out = append(out, groupGrants(productStub(p.role.Key), accessEntitlement, p.groups, groups, true)...)
	}
	return out, &rs.SyncOpResults{}, nil
}

// productList returns the site's products, read once per sync.
func (c *Connector) productList(ctx context.Context, st *syncState) ([]productInfo, error) {
	st.productsMu.Lock()
	defer st.productsMu.Unlock()
	if st.productsOK {
		return st.products, nil
	}
	roles, _, err := c.jira.ApplicationRoles.List(ctx)
	if err != nil {
		return nil, wrapErr(opListProducts, err)
	}
	st.products = make([]productInfo, 0, len(roles))
	for _, r := range roles {
		p := productInfo{role: r}
		for _, g := range r.GroupDetails {
			p.groups = append(p.groups, g.GroupID)
		}
		// Keep only what the resource and grants need.
		p.role.Groups, p.role.GroupDetails, p.role.DefaultGroups, p.role.DefaultGroupsDetails = nil, nil, nil, nil
		st.products = append(st.products, p)
	}
	st.productsOK = true
	return st.products, nil
}

// productResource converts an application role; its profile carries key,
// seats, remaining_seats, user_count and unlimited_seats.
func productResource(r jira.ApplicationRole) (*v2.Resource, error) {
	name := r.Name
	if name == "" {
		name = string(r.Key)
	}
	profile := map[string]any{
		"key":             string(r.Key),
		"seats":           r.NumberOfSeats,
		"remaining_seats": r.RemainingSeats,
		"user_count":      r.UserCount,
		"unlimited_seats": r.HasUnlimitedSeats,
	}
	res, err := rs.NewResource(name, productResourceType, string(r.Key), rs.WithResourceProfile(profile))
	if err != nil {
		return nil, wrapErr("convert product "+string(r.Key), err)
	}
	return res, nil
}

func productID(k jira.ProductKey) *v2.ResourceId {
	return v2.ResourceId_builder{ResourceType: productResourceType.GetId(), Resource: string(k)}.Build()
}

// productStub is the minimal product resource a grant refers to.
func productStub(k jira.ProductKey) *v2.Resource {
	return v2.Resource_builder{Id: productID(k)}.Build()
}
