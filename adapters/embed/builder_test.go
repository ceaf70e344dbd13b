package embed

import (
	"context"
	"sync/atomic"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	ent "github.com/conductorone/baton-sdk/pkg/types/entitlement"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/jira"
)

// tinyBuilder is a minimal ConnectorBuilderV2 for testing the in-process
// plumbing without the Jira connector: users u1..u3, group g1 (members u1,
// u2) and group g2 (member u3), and g2 holding g1:member expandably, so the
// SDK derives g1:member for u3. Each List/Grants call counts one "request".
// If failGrants is set, Grants fails with that error.
type tinyBuilder struct {
	requests   atomic.Int64
	failGrants error
	closed     atomic.Bool
	// sessionOK records that opts.Session worked during List.
	sessionOK atomic.Bool
}

var (
	tinyUser  = rs.NewResourceType("user", []v2.ResourceType_Trait{v2.ResourceType_TRAIT_USER}, &v2.SkipEntitlementsAndGrants{})
	tinyGroup = rs.NewResourceType("group", []v2.ResourceType_Trait{v2.ResourceType_TRAIT_GROUP})
)

func (b *tinyBuilder) stats() jira.Stats {
	return jira.Stats{Requests: b.requests.Load(), ByRoute: map[string]int64{"GET /tiny": b.requests.Load()}}
}

func (b *tinyBuilder) Metadata(context.Context) (*v2.ConnectorMetadata, error) {
	return v2.ConnectorMetadata_builder{DisplayName: "tiny"}.Build(), nil
}

func (b *tinyBuilder) Validate(context.Context) (annotations.Annotations, error) { return nil, nil }

func (b *tinyBuilder) Close(context.Context) error { b.closed.Store(true); return nil }

func (b *tinyBuilder) ResourceSyncers(context.Context) []connectorbuilder.ResourceSyncerV2 {
	return []connectorbuilder.ResourceSyncerV2{tinyUsers{b}, tinyGroups{b}}
}

type tinyUsers struct{ b *tinyBuilder }

func (s tinyUsers) ResourceType(context.Context) *v2.ResourceType { return tinyUser }

func (s tinyUsers) List(ctx context.Context, _ *v2.ResourceId, opts rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error) {
	s.b.requests.Add(1)
	if err := opts.Session.Set(ctx, "k", []byte("v")); err == nil {
		if v, ok, err := opts.Session.Get(ctx, "k"); err == nil && ok && string(v) == "v" {
			s.b.sessionOK.Store(true)
		}
	}
	// Two pages: u1,u2 then u3.
	var out []*v2.Resource
	ids := []string{"u1", "u2"}
	next := "p2"
	if opts.PageToken.Token == "p2" {
		ids, next = []string{"u3"}, ""
	}
	for _, id := range ids {
		traits := []rs.UserTraitOption{rs.WithStatus(v2.UserTrait_Status_STATUS_ENABLED)}
		if id == "u1" {
			traits = append(traits, rs.WithEmail("u1@example.com", true))
		}
		r, err := rs.NewUserResource("User "+id, tinyUser, id, traits)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
	}
	return out, &rs.SyncOpResults{NextPageToken: next}, nil
}

func (s tinyUsers) Entitlements(context.Context, *v2.Resource, rs.SyncOpAttrs) ([]*v2.Entitlement, *rs.SyncOpResults, error) {
	return nil, nil, nil
}

func (s tinyUsers) Grants(context.Context, *v2.Resource, rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	return nil, nil, nil
}

type tinyGroups struct{ b *tinyBuilder }

func (s tinyGroups) ResourceType(context.Context) *v2.ResourceType { return tinyGroup }

func groupResource(id string) *v2.Resource {
	r, err := rs.NewGroupResource("Group "+id, tinyGroup, id, nil)
	if err != nil {
		panic(err)
	}
	return r
}

func (s tinyGroups) List(context.Context, *v2.ResourceId, rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error) {
	s.b.requests.Add(1)
	return []*v2.Resource{groupResource("g1"), groupResource("g2")}, nil, nil
}

func (s tinyGroups) Entitlements(_ context.Context, r *v2.Resource, _ rs.SyncOpAttrs) ([]*v2.Entitlement, *rs.SyncOpResults, error) {
	return []*v2.Entitlement{ent.NewAssignmentEntitlement(r, "member", ent.WithGrantableTo(tinyUser, tinyGroup))}, nil, nil
}

func (s tinyGroups) Grants(_ context.Context, r *v2.Resource, _ rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	s.b.requests.Add(1)
	if s.b.failGrants != nil {
		return nil, nil, s.b.failGrants
	}
	user := func(id string) *v2.ResourceId {
		return v2.ResourceId_builder{ResourceType: "user", Resource: id}.Build()
	}
	switch r.GetId().GetResource() {
	case "g1":
		return []*v2.Grant{
			gr.NewGrant(r, "member", user("u1")),
			gr.NewGrant(r, "member", user("u2")),
			gr.NewGrant(r, "member", groupResource("g2").GetId(), gr.WithAnnotation(v2.GrantExpandable_builder{
				EntitlementIds:  []string{"group:g2:member"},
				ResourceTypeIds: []string{"user"},
			}.Build())),
		}, nil, nil
	case "g2":
		return []*v2.Grant{gr.NewGrant(r, "member", user("u3"))}, nil, nil
	}
	return nil, nil, status.Error(codes.NotFound, "no such group")
}
