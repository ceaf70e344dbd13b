package connector

import (
	"context"
	"sync"
)

// ahead fetches in the background the pages or batches of one walk (a
// resource type's List pages, or its type-scoped grants batches) that the
// SDK will ask for next, so Jira's latency overlaps the SDK's storing.
//
// It holds a chain of up to depth fetches (one when depth is 0), each for
// the next token of the one before, so it never makes a request the walk
// would not make. A call with the head's token takes the head's result
// (once) and lets the chain grow; a call with any other token (a retry, a
// resumed walk) cancels the chain and fetches synchronously. A background
// error ends the chain and is returned by the call that takes it. stop
// cancels and waits for the chain at the end of the sync.
//
// The zero value is ready to use. An ahead is safe for concurrent use.
type ahead[T any] struct {
	mu      sync.Mutex
	q       []*pending[T] // the chain, in walk order; q[0] is taken next
	depth   int           // most fetches held (running or done); 0 means 1
	stopped bool
	walked  bool // a call of the walk has been answered
}

// pending is one background fetch.
type pending[T any] struct {
	key    string
	base   context.Context // the starting call's values without cancellation, shared by the chain
	ctx    context.Context // base, cancelled by cancel only
	fetch  func(ctx context.Context, key string) (T, error)
	next   func(T) string // nil: the chain does not grow from here
	cancel context.CancelFunc
	done   chan struct{} // closed when val and err are set
	val    T
	err    error
}

func (a *ahead[T]) maxDepth() int { return max(a.depth, 1) }

// take returns the result of the background fetch for key, waiting for it
// to finish. found is false when the chain's head is not key (the caller
// then fetches synchronously); a chain for other keys is cancelled first. If
// ctx ends while waiting, take returns ctx's error and leaves the fetch
// pending, so that a retry of the same call can still use it.
func (a *ahead[T]) take(ctx context.Context, key string) (val T, found bool, err error) {
	a.mu.Lock()
	a.walked = true
	if len(a.q) == 0 {
		a.mu.Unlock()
		return val, false, nil
	}
	p := a.q[0]
	if p.key != key {
		old := a.q
		a.q = nil
		a.mu.Unlock()
		cancelAll(old)
		return val, false, nil
	}
	a.mu.Unlock()
	select {
	case <-p.done:
	case <-ctx.Done():
		return val, true, wrapErr(opFetchAhead, ctx.Err())
	}
	a.mu.Lock()
	if len(a.q) == 0 || a.q[0] != p {
		// Taken by a concurrent call with the same key, or cancelled by
		// stop: never hand the same result out twice.
		a.mu.Unlock()
		return val, false, nil
	}
	a.q = a.q[1:]
	grow := a.growLocked()
	a.mu.Unlock()
	p.cancel()
	grow()
	return p.val, true, p.err
}

// cancelAll cancels the fetches of a chain and waits for them to end.
func cancelAll[T any](q []*pending[T]) {
	for _, p := range q {
		p.cancel()
	}
	for _, p := range q {
		<-p.done
	}
}

// start begins fetching key in the background, a chain of one, unless a
// fetch for key is already held; a chain for other keys is cancelled. The
// fetch runs with ctx's values (logger, tracing) but not its cancellation:
// it outlives the call that starts it and ends on its own, on take, on a
// mismatching call or on stop. After stop, start does nothing.
func (a *ahead[T]) start(ctx context.Context, key string, fetch func(ctx context.Context) (T, error)) {
	a.launch(ctx, key, func(ctx context.Context, _ string) (T, error) { return fetch(ctx) }, nil, false)
}

// startChain is start for a walk: when the fetch of key returns a next key
// (next returns "" at the end of the walk), that key is fetched too while
// the chain has room.
func (a *ahead[T]) startChain(ctx context.Context, key string, fetch func(ctx context.Context, key string) (T, error), next func(T) string) {
	a.launch(ctx, key, fetch, next, false)
}

// startFirst starts fetching the walk's first page ("") unless the walk
// has begun (a call has been answered) or a fetch is held.
func (a *ahead[T]) startFirst(ctx context.Context, fetch func(ctx context.Context) (T, error)) {
	a.launch(ctx, "", func(ctx context.Context, _ string) (T, error) { return fetch(ctx) }, nil, true)
}

// startFirstChain is startFirst for a walk, growing as startChain does.
func (a *ahead[T]) startFirstChain(ctx context.Context, fetch func(ctx context.Context, key string) (T, error), next func(T) string) {
	a.launch(ctx, "", fetch, next, true)
}

func (a *ahead[T]) launch(ctx context.Context, key string, fetch func(ctx context.Context, key string) (T, error), next func(T) string, first bool) {
	a.mu.Lock()
	if a.stopped || (first && (a.walked || len(a.q) > 0)) {
		a.mu.Unlock()
		return
	}
	for _, p := range a.q {
		if p.key == key {
			a.mu.Unlock()
			return
		}
	}
	old := a.q
	p := newPending(context.WithoutCancel(ctx), key, fetch, next)
	a.q = []*pending[T]{p}
	a.mu.Unlock()
	for _, o := range old {
		o.cancel()
	}
	go a.run(p)
}

func newPending[T any](base context.Context, key string, fetch func(ctx context.Context, key string) (T, error), next func(T) string) *pending[T] {
	p := &pending[T]{key: key, base: base, fetch: fetch, next: next, done: make(chan struct{})}
	p.ctx, p.cancel = context.WithCancel(base)
	return p
}

// run fetches p and then lets the chain grow from it.
func (a *ahead[T]) run(p *pending[T]) {
	p.val, p.err = p.fetch(p.ctx, p.key)
	close(p.done)
	a.mu.Lock()
	grow := a.growLocked()
	a.mu.Unlock()
	grow()
}

// growLocked appends the fetch of the next key after the chain's tail when
// the tail is done without error, has a next key and the chain has room. It
// returns the function that starts that fetch (a no-op when nothing was
// added), to be called after a.mu is released.
func (a *ahead[T]) growLocked() func() {
	nop := func() {}
	if a.stopped || len(a.q) == 0 || len(a.q) >= a.maxDepth() {
		return nop
	}
	t := a.q[len(a.q)-1]
	select {
	case <-t.done:
	default:
		return nop
	}
	if t.err != nil || t.next == nil {
		return nop
	}
	nk := t.next(t.val)
	if nk == "" || nk == t.key {
		return nop
	}
	p := newPending(t.base, nk, t.fetch, t.next)
	a.q = append(a.q, p)
	return func() { go a.run(p) }
}

// stop cancels the chain, waits for it to end and makes later starts do
// nothing.
func (a *ahead[T]) stop() {
	a.mu.Lock()
	q := a.q
	a.q, a.stopped = nil, true
	a.mu.Unlock()
	cancelAll(q)
}

// pipelined answers the call for key: with the background fetch started for
// it when there is one, else by fetching now. If the result has a next key
// (next returns "" at the end of the walk), the chain of fetches from that
// key starts in the background before pipelined returns, unless it is
// already running. Errors never start a fetch: the SDK retries the same key,
// which is then fetched synchronously.
func pipelined[T any](ctx context.Context, a *ahead[T], key string, fetch func(ctx context.Context, key string) (T, error), next func(T) string) (T, error) {
	val, found, err := a.take(ctx, key)
	if !found {
		val, err = fetch(ctx, key)
	}
	if err != nil {
		var zero T
		return zero, err
	}
	if n := next(val); n != "" && n != key {
		a.startChain(ctx, n, fetch, next)
	}
	return val, nil
}

// warmGrants starts the project-role, project and group grants walks in
// the background (up to grantsAheadDepth batches each, see ahead), once per
// sync, at the first grants call after the List walks they read from are
// complete. The walks use different endpoints' rate budgets, so they
// overlap each other and the SDK's storing. The role walk starts only when
// project roles were listed in this sync. The service projects' portal
// customers are read ahead too (see prefetchPortal). Cheap once done.
func (c *Connector) warmGrants(ctx context.Context, st *syncState) {
	if st.warmed.Load() || !c.indexesComplete(st) || !st.warmed.CompareAndSwap(false, true) {
		return
	}
	start := func(a *ahead[grantsBatch], batchAt func(context.Context, *syncState, string) (grantsBatch, error)) {
		a.startFirstChain(ctx, func(ctx context.Context, tok string) (grantsBatch, error) {
			return batchAt(ctx, st, tok)
		}, grantsBatch.nextToken)
	}
	if st.rolesListed.Load() {
		start(&st.roleGrantsAhead, (&projectRoleSyncer{provisioner{c}}).batchAt)
	}
	start(&st.projectGrantsAhead, (&projectSyncer{provisioner{c}}).batchAt)
	start(&st.groupGrantsAhead, (&groupSyncer{provisioner{c}}).batchAt)
	if !c.cfg.SkipProjectParticipants {
		st.projectsMu.Lock()
		projects := st.projects.order
		st.projectsMu.Unlock()
		c.prefetchPortal(ctx, st, projects)
	}
}

// indexesComplete reports whether the SDK's List walks recorded, in this
// process, every index the grants batches need. Only then are the walks
// known to be ones the SDK will ask for from the start: an index rebuilt by
// re-paging (a sync resumed in a new process, or a type the sync does not
// list) means the SDK may have finished those walks before, or never asks.
func (c *Connector) indexesComplete(st *syncState) bool {
	if !c.memberIndexesComplete(st) {
		return false
	}
	st.projectsMu.Lock()
	defer st.projectsMu.Unlock()
	return st.projects.listed()
}

// memberIndexesComplete is indexesComplete for the group grants walk alone:
// the groups, and the users where they filter members (organization mode,
// skip-customer-user).
func (c *Connector) memberIndexesComplete(st *syncState) bool {
	if c.admin != nil || c.cfg.SkipCustomerUser {
		st.usersMu.Lock()
		ok := st.users.listed()
		st.usersMu.Unlock()
		if !ok {
			return false
		}
	}
	st.groupsMu.Lock()
	defer st.groupsMu.Unlock()
	return st.groups.listed()
}

// readMembersAhead starts the group grants walk as soon as the groups are
// listed (Config.ReadAhead) instead of at the SDK's first grants call. It
// is the longest walk, bound by the member endpoint's rate (2,158 pages at
// 100/s on a large site), so starting it early lets it overlap the listing
// of projects and roles. warmGrants later finds it running.
func (c *Connector) readMembersAhead(ctx context.Context, st *syncState) {
	if !c.cfg.ReadAhead || !c.memberIndexesComplete(st) {
		return
	}
	gs := &groupSyncer{provisioner{c}}
	st.groupGrantsAhead.startFirstChain(ctx, func(ctx context.Context, tok string) (grantsBatch, error) {
		return gs.batchAt(ctx, st, tok)
	}, grantsBatch.nextToken)
}

// readProjectsAhead starts the project List walk, its pages and each
// page's permission schemes, at the sync's first call (Config.ReadAhead),
// so those reads overlap the listing of users and groups instead of
// following it.
func (c *Connector) readProjectsAhead(ctx context.Context, st *syncState) {
	if !c.cfg.ReadAhead {
		return
	}
	st.projectsAhead.startFirstChain(ctx, func(ctx context.Context, tok string) (projectPageResult, error) {
		return c.projectPageWithHolders(ctx, st, tok)
	}, func(p projectPageResult) string { return p.next })
}
