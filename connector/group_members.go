package connector

import (
	"context"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/batonkit/jiracloud/jira"
)

// The member pages of a group form a chain: a page's cursor is known only
// once the previous page has arrived. memberWalker reads, per grants batch,
// up to groupBatchPages pages with Config.Concurrency requests in flight:
// first the pages the token names (the groups under way), then the first
// pages of the next groups of the index. A chain's next page is read as
// soon as it is known, ahead of groups not yet started, so the longest
// chain (not the number of requests) bounds a site with one very large
// group.
//
// A group whose first page reports a total beyond two pages is read in
// parallel: the other pages' offsets follow from the total and the page
// size the server applied, so they are queued at once as an offsetRange.
// Each predicted page is read on its own; the last one continues the chain,
// so the group is still read to its end when the total was low, and pages
// past the end come back empty when it was high. Members seen on two pages
// of a group are granted once (see syncState.dedupeMembers).
//
// On large (80 ms, -sdk-expand=false) this fan-out takes the grants phase
// from about 36 s to 24-26 s (docs/GRANTS-WALKS.md).

// memberPage is one member page to read: a group's first page (no cursor),
// a chain page (its next page follows it), a predicted page (read on its
// own), or a range of predicted pages, read one page at a time.
type memberPage struct {
	Group     jira.GroupID `json:"g"`
	Cursor    string       `json:"c,omitempty"`
	Predicted bool         `json:"p,omitempty"`
	Range     *offsetRange `json:"r,omitempty"`
}

func (pg memberPage) first() bool { return pg.Cursor == "" && pg.Range == nil }

// offsetRange is the predicted pages at offsets From, From+Step, … below To.
type offsetRange struct {
	From int `json:"f"`
	To   int `json:"t"`
	Step int `json:"s"`
}

func (r *offsetRange) valid() bool { return r.From >= 0 && r.Step > 0 && r.From < r.To }

// split returns the range's first page of group g and the rest of the
// range (nil when the first page is its last). Every page is predicted but
// the last, which continues the chain.
func (r *offsetRange) split(g jira.GroupID) (memberPage, *offsetRange) {
	pg := memberPage{Group: g, Cursor: jira.OffsetCursor(r.From)}
	if r.From+r.Step < r.To {
		pg.Predicted = true
		return pg, &offsetRange{From: r.From + r.Step, To: r.To, Step: r.Step}
	}
	return pg, nil
}

// maxPredictedPages bounds the pages predicted from one group's total, so
// that a wild total cannot cause a flood of empty pages; past it the
// group's pages are read one after another.
const maxPredictedPages = 2000

// predictRange returns the range of a group's pages after its first page,
// or nil when they are to be read one after another: the first page must be
// full (n members, the page size the server applied) and have a next page
// at offset n, and its total must reach beyond the second page.
func predictRange(n int, resp *jira.Response) *offsetRange {
	step := resp.PageSize
	if step <= 0 || n != step || resp.NextCursor != jira.OffsetCursor(step) || resp.Total <= 2*step {
		return nil
	}
	return &offsetRange{From: step, To: min(resp.Total, step*(maxPredictedPages+1)), Step: step}
}

// memberPos is the position of a group grants walk: the next group of the
// index (-1 for a single group's walk), the groups under way with their
// next pages, and the groups started first (see firstGroups), which the
// index walk skips.
type memberPos struct {
	Index   int            `json:"i"`
	Pending []memberPage   `json:"q,omitempty"`
	First   []jira.GroupID `json:"s,omitempty"`
}

// memberToken is the page token of a group grants walk; Retry holds the
// pages that failed with a retryable error (see settle).
type memberToken = walkToken[memberPos, memberPage]

// memberWalker reads one batch of member pages (see above).
type memberWalker struct {
	c       *Connector
	st      *syncState
	allowed userAllowed
	pacer   *chainPacer
	groups  []jira.GroupID // the group index; nil for a single group's walk
	index   int            // next group of groups to start
	skip    map[jira.GroupID]bool
	first   []jira.GroupID
	queue   []memberPage // pages to read before new groups, next pages first
}

func newMemberWalker(ctx context.Context, c *Connector, st *syncState, tok memberToken) (*memberWalker, error) {
	allowed, err := c.userFilter(ctx, st)
	if err != nil {
		return nil, err
	}
	w := &memberWalker{c: c, st: st, allowed: allowed, index: tok.Pos.Index, first: tok.Pos.First,
		queue: append(slices.Clone(tok.Pos.Pending), tok.Retry...), skip: map[jira.GroupID]bool{}}
	if w.index >= 0 {
		if w.groups, err = c.groupIDs(ctx, st); err != nil {
			return nil, err
		}
	}
	w.pacer = c.memberPacer(st)
	for _, id := range w.first {
		w.skip[id] = true
	}
	return w, nil
}

// peek returns the page to read next: a queued page, else the first page
// of the next group of the index.
func (w *memberWalker) peek() (memberPage, bool) {
	if len(w.queue) > 0 {
		q := w.queue[0]
		if q.Range != nil && q.Range.valid() {
			pg, _ := q.Range.split(q.Group)
			return pg, true
		}
		return q, true
	}
	w.skipStarted()
	if w.index >= 0 && w.index < len(w.groups) {
		return memberPage{Group: w.groups[w.index]}, true
	}
	return memberPage{}, false
}

// pop drops the page peek returned.
func (w *memberWalker) pop() {
	switch {
	case len(w.queue) == 0:
		w.index++
	case w.queue[0].Range != nil && w.queue[0].Range.valid():
		if _, rest := w.queue[0].Range.split(w.queue[0].Group); rest != nil {
			w.queue[0].Range = rest
			return
		}
		w.queue = w.queue[1:]
	default:
		w.queue = w.queue[1:]
	}
}

// skipStarted moves the index past groups that were started first.
func (w *memberWalker) skipStarted() {
	for w.index >= 0 && w.index < len(w.groups) && w.skip[w.groups[w.index]] {
		w.index++
	}
}

// pageResult is what reading one member page gave.
type pageResult struct {
	page    memberPage
	members []jira.AccountID
	next    memberPage // the group's page to read next; Group "" when none
	err     error
}

// fetch reads one member page (GET /group/member?includeInactiveUsers=true)
// and keeps the synced members it has not granted before.
func (w *memberWalker) fetch(ctx context.Context, pg memberPage, rt *rateTracker) pageResult {
	r := pageResult{page: pg}
	members, resp, err := w.c.jira.Groups.Members(ctx, pg.Group, &jira.MemberListOptions{
		ListOptions: jira.ListOptions{Cursor: pg.Cursor}, IncludeInactive: true})
	switch {
	case isNotFound(err):
		return r // deleted since it was listed: no (more) members
	case err != nil:
		r.err = wrapErr(opGroupMembers, err)
		return r
	}
	rt.observe(resp)
	var fan *offsetRange
	if pg.first() {
		fan = predictRange(len(members), resp)
	}
	members = w.st.dedupeMembers(pg.Group, pg.Cursor, members, !pg.first() || resp.NextCursor != "")
	r.members = make([]jira.AccountID, 0, len(members))
	for _, m := range members {
		if w.allowed(m.AccountID, m.AccountType) {
			r.members = append(r.members, m.AccountID)
		}
	}
	switch {
	case fan != nil:
		r.next = memberPage{Group: pg.Group, Range: fan}
	case pg.Predicted:
		// The chain continues from the range's last page.
	case resp.NextCursor != pg.Cursor && resp.NextCursor != "":
		r.next = memberPage{Group: pg.Group, Cursor: resp.NextCursor}
	}
	return r
}

// batch reads up to groupBatchPages member pages and returns their grants
// and the token of the next batch.
func (w *memberWalker) batch(ctx context.Context) (grantsBatch, error) {
	parent := ctx
	done := parent.Done() // the caller's end, not the batch's own cancel
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan pageResult)
	var rt rateTracker
	limit := w.c.cfg.concurrency()
	touched := map[jira.GroupID]bool{} // groups with a page read in this batch
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
			pg, ok := w.peek()
			if !ok {
				break
			}
			if d := w.pacer.delay(pg); d > 0 {
				wake = time.After(d)
				break
			}
			w.pop()
			started++
			inFlight++
			go func() { results <- w.fetch(ctx, pg, &rt) }()
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
			touched[r.page.Group] = true
			if len(r.members) > 0 {
				members = append(members, groupMembers{group: r.page.Group, accounts: r.members})
			}
			if r.next.Group != "" {
				w.queue = slices.Insert(w.queue, 0, r.next)
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
	w.forgetFinished(touched, failed)
	w.skipStarted()
	b := grantsBatch{members: members, annos: rt.annotations()}
	if len(w.queue) > 0 || len(failed) > 0 || (w.index >= 0 && w.index < len(w.groups)) {
		tok := memberToken{Pos: memberPos{Index: w.index, Pending: w.queue, First: w.first}, Retry: failed}
		var err error
		if b.next, err = encodeToken(tok); err != nil {
			return grantsBatch{}, err
		}
	}
	return b, nil
}

// forgetFinished drops the record of members seen (see dedupeMembers) of
// the groups read in this batch that have no page left to read.
func (w *memberWalker) forgetFinished(touched map[jira.GroupID]bool, failed []memberPage) {
	under := make(map[jira.GroupID]bool, len(w.queue)+len(failed))
	for _, pg := range w.queue {
		under[pg.Group] = true
	}
	for _, pg := range failed {
		under[pg.Group] = true
	}
	for g := range touched {
		if !under[g] {
			w.st.forgetMembers(g)
		}
	}
}

// memberState is what the member walks of one sync share.
type memberState struct {
	mu    sync.Mutex
	pacer *chainPacer
	// seen holds, for each group of more than one member page under way,
	// the page cursor each member was first granted by (see dedupeMembers).
	seen map[jira.GroupID]map[jira.AccountID]string
}

// dedupeMembers drops the members of group id that another page of the
// group returned in this sync, and records the others with page, the
// cursor of the page they came on. Offset pages overlap when members were
// added while they were read (more likely with predicted pages); a member
// is then granted by the page that returned it first only, and a page read
// again (an SDK retry) returns its members again. Only groups of more than
// one page are tracked (track starts tracking id), and only while they are
// under way (see forgetMembers). A sync resumed in a new process dedupes
// only the pages it reads itself.
func (st *syncState) dedupeMembers(id jira.GroupID, page string, members []jira.User, track bool) []jira.User {
	ms := &st.members
	ms.mu.Lock()
	defer ms.mu.Unlock()
	seen := ms.seen[id]
	if seen == nil {
		if !track {
			return members
		}
		if ms.seen == nil {
			ms.seen = map[jira.GroupID]map[jira.AccountID]string{}
		}
		seen = map[jira.AccountID]string{}
		ms.seen[id] = seen
	}
	out := members[:0:0]
	for _, m := range members {
		if first, dup := seen[m.AccountID]; dup {
			if first != page {
				continue
			}
		} else {
			seen[m.AccountID] = page
		}
		out = append(out, m)
	}
	return out
}

// forgetMembers drops the record of members seen for group id (see
// dedupeMembers), once the group has been read to its end.
func (st *syncState) forgetMembers(id jira.GroupID) {
	st.members.mu.Lock()
	defer st.members.mu.Unlock()
	delete(st.members.seen, id)
}

// memberRoute is the rate-limit route of GET /group/member.
const memberRoute = "/rest/api/3/group/member"

// chainPacer gives the chains of large groups priority over the first
// pages of other groups. The shared limiter serves requests in arrival
// order, so when first pages of small groups fill the member endpoint's
// budget, a large group's next pages would queue behind them. The pacer
// keeps its own account of that budget: a next page takes its share at
// once, a first page waits for what is left. One pacer serves the batches
// of one sync; it is safe for concurrent use.
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
	ms := &st.members
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ms.pacer == nil {
		ms.pacer = &chainPacer{lim: rate.NewLimiter(rate.Limit(r), 1)}
	} else if ms.pacer.lim.Limit() != rate.Limit(r) {
		ms.pacer.lim.SetLimit(rate.Limit(r))
	}
	return ms.pacer
}

// delay returns how long page pg must wait for its turn: a next page
// takes its share of the budget at once, a first page waits for what is
// left. A nil pacer never delays.
func (p *chainPacer) delay(pg memberPage) time.Duration {
	if p == nil {
		return 0
	}
	r := p.lim.Reserve()
	if !pg.first() {
		return 0
	}
	d := r.Delay()
	if d > 0 {
		r.Cancel()
	}
	return d
}
