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
	// groupWindow is how many groups one grants call works on; each gets one
	// member page (at most 50 members) per call.
	groupWindow = 50
)

// groupSyncer lists groups (GET /group/bulk, or in organization mode the
// site's managed groups from the Admin API) and their members
// (GET /group/member?includeInactiveUsers=true).
type groupSyncer struct{ c *Connector }

func (s *groupSyncer) ResourceType(context.Context) *v2.ResourceType { return groupResourceType }

// List returns one page of groups; the page token is the client's cursor
// (a pagination.Bag in organization mode).
func (s *groupSyncer) List(ctx context.Context, _ *v2.ResourceId, opts rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error) {
	st := s.c.state(opts.SyncID)
	p, err := s.c.groupPage(ctx, opts.PageToken.Token)
	if err != nil {
		return nil, nil, err
	}
	st.groupsMu.Lock()
	if keep, restart := st.groups.observe(opts.PageToken.Token, p.next); keep {
		if restart {
			st.groups.reset()
		}
		st.groups.add(p.ids...)
	}
	st.groupsMu.Unlock()
	return p.resources, &rs.SyncOpResults{NextPageToken: p.next, Annotations: p.annos}, nil
}

// Entitlements returns the group's "member" entitlement.
func (s *groupSyncer) Entitlements(_ context.Context, r *v2.Resource, _ rs.SyncOpAttrs) ([]*v2.Entitlement, *rs.SyncOpResults, error) {
	return []*v2.Entitlement{
		ent.NewAssignmentEntitlement(r, memberEntitlement,
			ent.WithGrantableTo(userResourceType),
			ent.WithDisplayName(r.GetDisplayName()+" group member"),
			ent.WithDescription("Member of the "+r.GetDisplayName()+" group in Jira")),
	}, &rs.SyncOpResults{}, nil
}

// groupToken is the position of a group grants walk: the next index
// position to take groups from (P, -1 for a single group) and the groups in
// the window with the cursor of their next member page.
type groupToken struct {
	P int         `json:"p"`
	A [][2]string `json:"a,omitempty"`
}

// Grants returns the member grants of one group, one member page per call.
// The SDK uses GrantsForResourceType instead; this serves direct callers.
func (s *groupSyncer) Grants(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	tok := groupToken{P: -1, A: [][2]string{{r.GetId().GetResource(), ""}}}
	if opts.PageToken.Token != "" {
		tok = groupToken{}
		if err := decodeToken(opts.PageToken.Token, &tok); err != nil {
			return nil, nil, err
		}
	}
	return s.grants(ctx, opts.SyncID, tok)
}

// GrantsForResourceType returns the member grants of a window of groups:
// up to 50 groups at a time, one member page of each fetched concurrently
// per call. Groups whose members are exhausted leave the window and the next
// groups of the index take their place, so a call returns at most
// 50 × 50 grants whatever the size of the site.
func (s *groupSyncer) GrantsForResourceType(ctx context.Context, _ string, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	tok := groupToken{}
	if err := decodeToken(opts.PageToken.Token, &tok); err != nil {
		return nil, nil, err
	}
	return s.grants(ctx, opts.SyncID, tok)
}

func (s *groupSyncer) grants(ctx context.Context, syncID string, tok groupToken) ([]*v2.Grant, *rs.SyncOpResults, error) {
	c := s.c
	st := c.state(syncID)
	allowed, err := c.userFilter(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	if tok.P >= 0 {
		groups, err := c.groupIDs(ctx, st)
		if err != nil {
			return nil, nil, err
		}
		for len(tok.A) < groupWindow && tok.P < len(groups) {
			tok.A = append(tok.A, [2]string{string(groups[tok.P]), ""})
			tok.P++
		}
	}
	type result struct {
		grants []*v2.Grant
		next   string
	}
	results := make([]result, len(tok.A))
	var rt rateTracker
	errs := fanOut(ctx, c.cfg.concurrency(), len(tok.A), func(ctx context.Context, i int) error {
		gid := jira.GroupID(tok.A[i][0])
		members, resp, err := c.jira.Groups.Members(ctx, gid, &jira.MemberListOptions{
			ListOptions: jira.ListOptions{Cursor: tok.A[i][1]}, IncludeInactive: true})
		if err != nil {
			if isNotFound(err) {
				return nil // deleted since it was listed: no members
			}
			return wrapErr(opGroupMembers, err)
		}
		rt.observe(resp)
		stub := groupStub(gid)
		out := make([]*v2.Grant, 0, len(members))
		for _, m := range members {
			if !allowed(m.AccountID, m.AccountType) {
				continue
			}
			out = append(out, gr.NewGrant(stub, memberEntitlement, userID(m.AccountID)))
		}
		results[i] = result{grants: out, next: resp.NextCursor}
		return nil
	})
	failed, err := settle(errs)
	if err != nil {
		return nil, nil, err
	}
	var grants []*v2.Grant
	var remaining [][2]string
	for _, i := range failed {
		remaining = append(remaining, tok.A[i]) // ask for the same page again
	}
	for i, r := range results {
		if errs[i] != nil {
			continue
		}
		grants = append(grants, r.grants...)
		if r.next != "" && r.next != tok.A[i][1] {
			remaining = append(remaining, [2]string{tok.A[i][0], r.next})
		}
	}
	next := ""
	if len(remaining) > 0 || (tok.P >= 0 && !c.groupsExhausted(st, tok.P)) {
		if next, err = encodeToken(groupToken{P: tok.P, A: remaining}); err != nil {
			return nil, nil, err
		}
	}
	return grants, &rs.SyncOpResults{NextPageToken: next, Annotations: rt.annotations()}, nil
}

// groupsExhausted reports whether position p is past the last indexed group.
func (c *Connector) groupsExhausted(st *syncState, p int) bool {
	st.groupsMu.Lock()
	defer st.groupsMu.Unlock()
	return p >= len(st.groups.order)
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
		idx.walk = walk{started: true, complete: true}
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
