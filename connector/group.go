package connector

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	ent "github.com/conductorone/baton-sdk/pkg/types/entitlement"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"golang.org/x/time/rate"

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

// groupToken is the position of a group grants walk: the next index
// position to take groups from (P, -1 for a single group), the groups
// under way, each with the cursor of its next member page (A), read first,
// and the groups the walk started with, which the index walk skips (S).
type groupToken struct {
	P int         `json:"p"`
	A [][2]string `json:"a,omitempty"`
	S []string    `json:"s,omitempty"`
}

// Grants returns the member grants of one group, up to groupBatchPages
// member pages per call. The SDK uses GrantsForResourceType instead; this
// serves direct callers.
func (s *groupSyncer) Grants(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	tok := groupToken{P: -1, A: [][2]string{{r.GetId().GetResource(), ""}}}
	if opts.PageToken.Token != "" {
		tok = groupToken{}
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
	pos := groupToken{}
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
func (c *Connector) firstGroups(ctx context.Context, st *syncState) (groupToken, error) {
	synced, err := c.groupSet(ctx, st)
	if err != nil {
		return groupToken{}, err
	}
	products, err := c.productList(ctx, st)
	if err != nil {
		return groupToken{}, err
	}
	tok := groupToken{}
	seen := map[jira.GroupID]bool{}
	for _, p := range products {
		for _, id := range p.groups {
			if _, ok := synced[id]; !ok || seen[id] {
				continue
			}
			seen[id] = true
			tok.A = append(tok.A, memberPage{string(id), ""})
			tok.S = append(tok.S, string(id))
		}
	}
	return tok, nil
}

// memberPage is one member page to read: a group ID and the page cursor.
// In a token the cursor is "" (the group's first page), a client cursor (a
// page whose next page follows it), predictedPrefix and a client cursor (a
// predicted page, read on its own), or a range of predicted pages made by
// fanOutRange.
type memberPage = [2]string

const (
	// predictedPrefix marks a predicted member page, read without
	// following its next cursor.
	predictedPrefix = "="
	// rangePrefix marks a range of predicted member pages.
	rangePrefix = "*"
	// maxPredictedPages bounds the pages predicted from one group's total,
	// so that a wild total cannot cause a flood of empty pages; past it the
	// group's pages are read one after another.
	maxPredictedPages = 2000
)

// fanOutRange returns the range of a group's pages after its first page,
// or "" when they are to be read one after another: the first page must be
// full (n members, the page size the server applied) and have a next page
// at offset n, and its total must reach beyond the second page. The range
// "*<from>:<to>:<step>" stands for the pages at offsets from, from+step, …
// below to.
func fanOutRange(n int, resp *jira.Response) string {
	step := resp.PageSize
	if step <= 0 || n != step || resp.NextCursor != jira.OffsetCursor(step) || resp.Total <= 2*step {
		return ""
	}
	to := min(resp.Total, step*(maxPredictedPages+1))
	return rangeCursor(step, to, step)
}

func rangeCursor(from, to, step int) string {
	return rangePrefix + strconv.Itoa(from) + ":" + strconv.Itoa(to) + ":" + strconv.Itoa(step)
}

// splitRange returns the first page of the range c and the rest of it
// ("" when the first page is its last), or ok false when c is no valid
// range. Every page is predicted but the last, which continues the chain.
func splitRange(c string) (page, rest string, ok bool) {
	body, found := strings.CutPrefix(c, rangePrefix)
	if !found {
		return "", "", false
	}
	parts := strings.Split(body, ":")
	if len(parts) != 3 {
		return "", "", false
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return "", "", false
		}
		v[i] = n
	}
	from, to, step := v[0], v[1], v[2]
	if step <= 0 || from >= to {
		return "", "", false
	}
	if from+step < to {
		return predictedPrefix + jira.OffsetCursor(from), rangeCursor(from+step, to, step), true
	}
	return jira.OffsetCursor(from), "", true
}

// batch reads up to groupBatchPages member pages with Config.Concurrency
// requests in flight: first the pages named by the token, then the first
// pages of the next groups of the index. A member page is only known once
// the previous page of its group has arrived, so a large group is a chain
// of requests; its next page is read as soon as it is known, ahead of
// groups not yet started, so that the chain never waits behind other
// groups (the longest chain, not the number of requests, bounds a site with
// one very large group). The token of the next call lists the groups under
// way with the cursor of their next page; pages that failed with a
// retryable error are asked for again there (see settle).
//
// A group whose first page reports a total beyond one page is read in
// parallel: the other pages' offsets follow from the total and the page size
// the server applied, so they are queued at once as a range (see
// splitRange) and read like any next page, ahead of groups not yet started.
// Each predicted page is read on its own; the last one is a chain page, so
// the group is still read to the end (isLast or an empty page) when the
// total was low, and pages past the end come back empty when it was high.
// When members moved between the pages of a group (read in parallel or
// not), a member seen twice is granted once (see syncState.dedupeMembers).
func (s *groupSyncer) batch(ctx context.Context, st *syncState, tok groupToken) (grantsBatch, error) {
	c := s.c
	allowed, err := c.userFilter(ctx, st)
	if err != nil {
		return grantsBatch{}, err
	}
	var groups []jira.GroupID
	if tok.P >= 0 {
		if groups, err = c.groupIDs(ctx, st); err != nil {
			return grantsBatch{}, err
		}
	}
	queue := slices.Clone(tok.A)
	pos := tok.P
	skip := map[jira.GroupID]bool{}
	for _, id := range tok.S {
		skip[jira.GroupID(id)] = true
	}
	// peek returns the page to read next: a page of the queue (the next
	// pages of groups under way come first), else the first page of the
	// next group of the index.
	peek := func() (memberPage, bool) {
		if len(queue) > 0 {
			if pg, _, ok := splitRange(queue[0][1]); ok {
				return memberPage{queue[0][0], pg}, true
			}
			return queue[0], true
		}
		for pos >= 0 && pos < len(groups) && skip[groups[pos]] {
			pos++
		}
		if pos >= 0 && pos < len(groups) {
			return memberPage{string(groups[pos]), ""}, true
		}
		return memberPage{}, false
	}
	pop := func() {
		if len(queue) > 0 {
			if _, rest, ok := splitRange(queue[0][1]); ok && rest != "" {
				queue[0][1] = rest
			} else {
				queue = queue[1:]
			}
		} else {
			pos++
		}
	}

	type result struct {
		page    memberPage
		members []jira.AccountID
		next    string
		err     error
	}
	parent := ctx
	done := parent.Done() // the caller's end, not the batch's own cancel
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan result)
	var rt rateTracker
	read := func(pg memberPage) {
		r := result{page: pg}
		gid := jira.GroupID(pg[0])
		cursor, predicted := strings.CutPrefix(pg[1], predictedPrefix)
		members, resp, err := c.jira.Groups.Members(ctx, gid, &jira.MemberListOptions{
			ListOptions: jira.ListOptions{Cursor: cursor}, IncludeInactive: true})
		switch {
		case isNotFound(err):
			// Deleted since it was listed: no (more) members.
		case err != nil:
			r.err = wrapErr(opGroupMembers, err)
		default:
			rt.observe(resp)
			fan := ""
			if pg[1] == "" {
				fan = fanOutRange(len(members), resp)
			}
			members = st.dedupeMembers(gid, cursor, members, pg[1] != "" || resp.NextCursor != "")
			r.members = make([]jira.AccountID, 0, len(members))
			for _, m := range members {
				if allowed(m.AccountID, m.AccountType) {
					r.members = append(r.members, m.AccountID)
				}
			}
			switch {
			case fan != "":
				r.next = fan
			case predicted:
				// A predicted page: the chain continues from the last one.
			case resp.NextCursor != cursor:
				r.next = resp.NextCursor
			}
		}
		results <- r
	}

	pacer := c.memberPacer(st)
	limit := c.cfg.concurrency()
	touched := map[string]bool{} // groups with a page read in this batch
	var (
		members  []groupMembers
		errs     []error // one per page read, for settle
		failed   []memberPage
		started  int
		inFlight int
		stopErr  error // set once nothing more may start
	)
	for {
		var wake <-chan time.Time
		for stopErr == nil && inFlight < limit && started < groupBatchPages {
			pg, ok := peek()
			if !ok {
				break
			}
			if d := pacer.delay(pg); d > 0 {
				wake = time.After(d)
				break
			}
			pop()
			started++
			inFlight++
			go read(pg)
		}
		if inFlight == 0 && wake == nil {
			break
		}
		select {
		case r := <-results:
			inFlight--
			errs = append(errs, r.err)
			if r.err != nil {
				failed = append(failed, r.page) // the same page again next call
				if !retryable(r.err) && stopErr == nil {
					stopErr = r.err
					cancel() // stop the pages in flight; the call fails
				}
				continue
			}
			touched[r.page[0]] = true
			if len(r.members) > 0 {
				members = append(members, groupMembers{group: jira.GroupID(r.page[0]), accounts: r.members})
			}
			if r.next != "" {
				queue = slices.Insert(queue, 0, memberPage{r.page[0], r.next})
			}
		case <-wake:
		case <-done:
			done = nil
			if stopErr == nil {
				stopErr = wrapErr(opGroupMembers, parent.Err())
				cancel()
			}
		}
	}
	if stopErr != nil {
		return grantsBatch{}, stopErr
	}
	if _, err := settle(errs); err != nil {
		return grantsBatch{}, err
	}
	remaining := append(queue, failed...)
	// A group read in this batch with no page left to read is complete:
	// its record of members seen (see dedupeMembers) is no longer needed.
	under := make(map[string]bool, len(remaining))
	for _, pg := range remaining {
		under[pg[0]] = true
	}
	for gid := range touched {
		if !under[gid] {
			st.forgetMembers(jira.GroupID(gid))
		}
	}
	for pos >= 0 && pos < len(groups) && skip[groups[pos]] {
		pos++
	}
	next := ""
	if len(remaining) > 0 || (pos >= 0 && pos < len(groups)) {
		if next, err = encodeToken(groupToken{P: pos, A: remaining, S: tok.S}); err != nil {
			return grantsBatch{}, err
		}
	}
	return grantsBatch{members: members, next: next, annos: rt.annotations()}, nil
}

// memberRoute is the rate-limit route of GET /group/member.
const memberRoute = "/rest/api/3/group/member"

// chainPacer gives the chains of large groups priority over the first
// pages of other groups. The shared limiter serves requests in arrival
// order: when the first pages of many small groups fill the member
// endpoint's budget, every page of a large group would queue behind them,
// and the longest chain, which bounds the whole walk, would slow down. So
// the batch keeps its own account of the endpoint's budget: a next page
// takes its share at once, and a first page waits for what is left. The
// shared limiter then never has a queue for a next page to wait in. One
// pacer serves the batches of one sync; it is safe for concurrent use.
type chainPacer struct {
	lim *rate.Limiter
}

// memberPacer returns the sync's chain pacer at the member endpoint's
// current rate, or nil when member requests are not rate limited.
func (c *Connector) memberPacer(st *syncState) *chainPacer {
	lim := c.jira.Transport().Limiter()
	r := lim.CurrentRate(http.MethodGet, memberRoute)
	if g := lim.Limits().Global; g > 0 && g < r {
		r = g
	}
	if math.IsInf(r, 1) || r <= 0 {
		return nil
	}
	st.groupsMu.Lock()
	defer st.groupsMu.Unlock()
	if st.pacer == nil {
		st.pacer = &chainPacer{lim: rate.NewLimiter(rate.Limit(r), 1)}
	} else if st.pacer.lim.Limit() != rate.Limit(r) {
		st.pacer.lim.SetLimit(rate.Limit(r))
	}
	return st.pacer
}

// delay returns how long the member page pg must wait for its turn: a
// next page (with a cursor) takes its share of the budget at once, a first
// page waits for what is left. A nil pacer never delays.
func (p *chainPacer) delay(pg memberPage) time.Duration {
	if p == nil {
		return 0
	}
	r := p.lim.Reserve()
	if pg[1] != "" {
		return 0
	}
	d := r.Delay()
	if d > 0 {
		r.Cancel()
	}
	return d
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
