package connector

import (
	"context"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	ent "github.com/conductorone/baton-sdk/pkg/types/entitlement"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"

	"github.com/batonkit/jiracloud/jira"
)

// groupResourceType is "group" (ref), keyed by the immutable group ID. Its
// grants are type-scoped: one grants call serves a window of groups.
var groupResourceType = v2.ResourceType_builder{
	Id:          "group",
	DisplayName: "Group",
	Traits:      []v2.ResourceType_Trait{v2.ResourceType_TRAIT_GROUP},
	Annotations: annotations.New(&v2.TypeScopedGrants{}),
	Description: "A Jira group",
}.Build()

const (
	memberEntitlement = "member"
	// groupBatchPages is how many member pages (at most 50 members each) one
	// grants call reads.
	groupBatchPages = 100
)

// groupSyncer lists groups (GET /group/bulk, or in organization mode the
// site's managed groups from the Admin API) and their members
// (GET /group/member?includeInactiveUsers=true).
type groupSyncer struct{ provisioner }

func (s *groupSyncer) ResourceType(context.Context) *v2.ResourceType { return groupResourceType }

// List returns one page of groups; the page token is the client's cursor
// (a pagination.Bag in organization mode). The next page is fetched ahead
// while the SDK stores this one.
func (s *groupSyncer) List(ctx context.Context, _ *v2.ResourceId, opts rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error) {
	st := s.c.state(opts.SyncID)
	p, err := pipelined(ctx, &st.groupsAhead, opts.PageToken.Token, s.c.groupPage, func(p groupPageResult) string { return p.next })
	if err != nil {
		return nil, nil, err
	}
	st.groupsMu.Lock()
	if keep, restart := st.groups.observe(opts.PageToken.Token, p.next); keep {
		if restart {
			st.groups.reset()
		}
		if s.c.admin != nil {
			// Organization mode: a group comes once even if both the
			// Admin API and Jira return it.
			kept := p.resources[:0]
			for i, r := range p.resources {
				if _, dup := st.groups.set[p.ids[i]]; !dup {
					kept = append(kept, r)
				}
			}
			p.resources = kept
		}
		st.groups.add(p.ids...)
	}
	st.groupsMu.Unlock()
	if p.next == "" {
		s.c.readMembersAhead(ctx, st)
	}
	return p.resources, &rs.SyncOpResults{NextPageToken: p.next, Annotations: p.annos}, nil
}

// Entitlements returns the group's "member" entitlement.
func (s *groupSyncer) Entitlements(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Entitlement, *rs.SyncOpResults, error) {
	return []*v2.Entitlement{
		ent.NewAssignmentEntitlement(r, memberEntitlement,
			ent.WithGrantableTo(userResourceType),
			ent.WithDisplayName(r.GetDisplayName()+" group member"),
			ent.WithDescription("Member of the "+r.GetDisplayName()+" group in Jira")),
	}, &rs.SyncOpResults{}, nil
}

// Grants returns the member grants of one group, up to groupBatchPages
// member pages per call. The SDK uses GrantsForResourceType instead; this
// serves direct callers.
func (s *groupSyncer) Grants(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	tok := memberToken{Pos: memberPos{Index: -1, Pending: []memberPage{{Group: jira.GroupID(r.GetId().GetResource())}}}}
	if opts.PageToken.Token != "" {
		tok = memberToken{}
		if err := decodeToken(opts.PageToken.Token, &tok); err != nil {
			return nil, nil, err
		}
	}
	b, err := s.batch(ctx, s.c.state(opts.SyncID), tok)
	if err != nil {
		return nil, nil, err
	}
	return b.allGrants(), &rs.SyncOpResults{NextPageToken: b.next, Annotations: b.annos}, nil
}

// GrantsForResourceType returns the member grants of the groups in index
// order, groupBatchPages member pages (at most 50 members each) per call,
// so a call returns at most 5,000 grants whatever the size of the site. The
// next batch is fetched ahead while the SDK stores this one.
func (s *groupSyncer) GrantsForResourceType(ctx context.Context, _ string, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	st := s.c.state(opts.SyncID)
	return s.c.grantsWalk(ctx, st, &st.groupGrantsAhead, opts.PageToken.Token, s.batchAt)
}

// batchAt computes the grants call for page token tok.
func (s *groupSyncer) batchAt(ctx context.Context, st *syncState, tok string) (grantsBatch, error) {
	pos := memberToken{}
	if err := decodeToken(tok, &pos); err != nil {
		return grantsBatch{}, err
	}
	if tok == "" {
		var err error
		if pos, err = s.c.firstGroups(ctx, st); err != nil {
			return grantsBatch{}, err
		}
	}
	return s.batch(ctx, st, pos)
}

// firstGroups is the start of a group grants walk: the synced groups that
// grant product access come first. In Jira Cloud these default access
// groups (jira-software-users-<site>, …) usually hold every licensed user,
// so they are the site's largest groups and the longest chains of member
// pages; starting them first lets the small groups' pages fill in around
// them instead of leaving them to finish alone at the end.
func (c *Connector) firstGroups(ctx context.Context, st *syncState) (memberToken, error) {
	synced, err := c.groupSet(ctx, st)
	if err != nil {
		return memberToken{}, err
	}
	products, err := c.productList(ctx, st)
	if err != nil {
		return memberToken{}, err
	}
	tok := memberToken{}
	seen := map[jira.GroupID]bool{}
	for _, p := range products {
		for _, id := range p.groups {
			if _, ok := synced[id]; !ok || seen[id] {
				continue
			}
			seen[id] = true
			tok.Pos.Pending = append(tok.Pos.Pending, memberPage{Group: id})
			tok.Pos.First = append(tok.Pos.First, id)
		}
	}
	return tok, nil
}

// batch reads one batch of member pages from tok (see memberWalker).
func (s *groupSyncer) batch(ctx context.Context, st *syncState, tok memberToken) (grantsBatch, error) {
	w, err := newMemberWalker(ctx, s.c, st, tok)
	if err != nil {
		return grantsBatch{}, err
	}
	return w.batch(ctx)
}

// groupPageResult is one page of groups.
type groupPageResult struct {
	resources []*v2.Resource
	ids       []jira.GroupID
	next      string
	annos     annotations.Annotations
}

// groupPage fetches the group page at tok. List and the group index share it.
func (c *Connector) groupPage(ctx context.Context, tok string) (groupPageResult, error) {
	if c.admin != nil {
		return c.orgGroupPage(ctx, tok)
	}
	groups, resp, err := c.jira.Groups.List(ctx, &jira.GroupListOptions{ListOptions: jira.ListOptions{Cursor: tok}})
	if err != nil {
		return groupPageResult{}, wrapErr(opListGroups, err)
	}
	out := groupPageResult{next: resp.NextCursor, annos: rateAnnotations(resp)}
	for _, g := range groups {
		r, err := groupResource(g.GroupID, g.Name)
		if err != nil {
			return groupPageResult{}, err
		}
		out.resources = append(out.resources, r)
		out.ids = append(out.ids, g.GroupID)
	}
	return out, nil
}

// groupIDs returns the synced groups in list order, re-paging groups once if
// the List walk did not record them.
func (c *Connector) groupIDs(ctx context.Context, st *syncState) ([]jira.GroupID, error) {
	st.groupsMu.Lock()
	defer st.groupsMu.Unlock()
	if !st.groups.ok() {
		idx := groupIndex{}
		idx.reset()
		tok := ""
		for {
			p, err := c.groupPage(ctx, tok)
			if err != nil {
				return nil, err
			}
			idx.add(p.ids...)
			if p.next == "" || p.next == tok {
				break
			}
			tok = p.next
		}
		idx.walk = walk{started: true, complete: true, rebuilt: true}
		st.groups = idx
	}
	return st.groups.order, nil
}

// groupSet returns the set of synced group IDs (see groupIDs).
func (c *Connector) groupSet(ctx context.Context, st *syncState) (map[jira.GroupID]struct{}, error) {
	if _, err := c.groupIDs(ctx, st); err != nil {
		return nil, err
	}
	st.groupsMu.Lock()
	defer st.groupsMu.Unlock()
	return st.groups.set, nil
}

// groupResource converts a group; its profile carries id and name (ref).
func groupResource(id jira.GroupID, name string) (*v2.Resource, error) {
	if name == "" {
		name = string(id)
	}
	r, err := rs.NewGroupResource(name, groupResourceType, string(id),
		[]rs.GroupTraitOption{rs.WithGroupProfile(map[string]any{"id": string(id), "name": name})})
	if err != nil {
		return nil, wrapErr("convert group "+string(id), err)
	}
	return r, nil
}

// groupStub is the minimal group resource a grant refers to.
func groupStub(id jira.GroupID) *v2.Resource {
	return v2.Resource_builder{Id: groupID(id)}.Build()
}

func groupID(id jira.GroupID) *v2.ResourceId {
	return v2.ResourceId_builder{ResourceType: groupResourceType.GetId(), Resource: string(id)}.Build()
}

func userID(id jira.AccountID) *v2.ResourceId {
	return v2.ResourceId_builder{ResourceType: userResourceType.GetId(), Resource: string(id)}.Build()
}

// expandGroup makes a grant to a group expandable onto its members.
func expandGroup(id jira.GroupID) gr.GrantOption {
	return gr.WithAnnotation(v2.GrantExpandable_builder{
		EntitlementIds:  []string{groupResourceType.GetId() + ":" + string(id) + ":" + memberEntitlement},
		ResourceTypeIds: []string{userResourceType.GetId()},
	}.Build())
}

// groupGrants grants entitlement name on res to each synced group of ids,
// once each, expandable onto the group's members.
func groupGrants(res *v2.Resource, name string, ids []jira.GroupID, synced map[jira.GroupID]struct{}, expand bool) []*v2.Grant {
	var out []*v2.Grant
	seen := map[jira.GroupID]bool{}
	for _, id := range ids {
		if _, ok := synced[id]; !ok || seen[id] {
			continue
		}
		seen[id] = true
		var opts []gr.GrantOption
		if expand {
			opts = append(opts, expandGroup(id))
		}
		out = append(out, gr.NewGrant(res, name, groupID(id), opts...))
	}
	return out
}
