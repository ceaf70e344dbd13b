package connector

import (
	"context"
	"sync"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
)

// ahead fetches, in the background, the page or batch the SDK is expected
// to ask for next in one walk (one resource type's List pages, or its
// type-scoped grants batches, within one sync). When a call returns a page
// with a next token, the connector starts fetching the page for that token
// at once, so Jira's latency overlaps the time the SDK spends storing the
// current page.
//
// At most one fetch is pending per walk, so a walk holds at most one page
// beyond the one the SDK is working on. The next call with exactly that
// token takes the result, once; a call with any other token (a retry, a
// resumed or restarted walk) cancels the pending fetch, waits for it to end
// and fetches synchronously. An error of a background fetch is returned by
// the call that takes it. stop cancels and waits for the pending fetch; the
// sync state calls it when its sync ends.
//
// The zero value is ready to use. An ahead is safe for concurrent use.
type ahead[T any] struct {
	mu      sync.Mutex
	p       *pending[T]
	stopped bool
	walked  bool // a call of the walk has been answered
}

// pending is one background fetch.
type pending[T any] struct {
	key    string
	cancel context.CancelFunc
	done   chan struct{} // closed when val and err are set
	val    T
	err    error
}

// take returns the result of the background fetch for key, waiting for it
// to finish. found is false when no fetch for key is pending (the caller then
// fetches synchronously); a pending fetch for another key is cancelled
// first. If ctx ends while waiting, take returns ctx's error and leaves the
// fetch pending, so that a retry of the same call can still use it.
func (a *ahead[T]) take(ctx context.Context, key string) (val T, found bool, err error) {
	a.mu.Lock()
	a.walked = true
	p := a.p
	if p == nil {
		a.mu.Unlock()
		return val, false, nil
	}
	if p.key != key {
		a.p = nil
		a.mu.Unlock()
		p.cancel()
		<-p.done
		return val, false, nil
	}
	a.mu.Unlock()
	select {
	case <-p.done:
	case <-ctx.Done():
		return val, true, wrapErr(opFetchAhead, ctx.Err())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.p != p {
		// Taken by a concurrent call with the same key, or cancelled by
		// stop: never hand the same result out twice.
		return val, false, nil
	}
	a.p = nil
	p.cancel()
	return p.val, true, p.err
}

// start begins fetching key in the background unless a fetch for key is
// already pending; a pending fetch for another key is cancelled. The fetch
// runs with ctx's values (logger, tracing) but not its cancellation: it
// outlives the call that starts it and ends on its own, on take, on a
// mismatching call or on stop. After stop, start does nothing.
func (a *ahead[T]) start(ctx context.Context, key string, fetch func(ctx context.Context) (T, error)) {
	a.launch(ctx, key, fetch, false)
}

// startFirst starts fetching the walk's first page ("") unless the walk
// has begun (a call has been answered) or a fetch is pending.
func (a *ahead[T]) startFirst(ctx context.Context, fetch func(ctx context.Context) (T, error)) {
	a.launch(ctx, "", fetch, true)
}

func (a *ahead[T]) launch(ctx context.Context, key string, fetch func(ctx context.Context) (T, error), first bool) {
	a.mu.Lock()
	if a.stopped || (a.p != nil && a.p.key == key) || (first && (a.walked || a.p != nil)) {
		a.mu.Unlock()
		return
	}
	old := a.p
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p := &pending[T]{key: key, cancel: cancel, done: make(chan struct{})}
	a.p = p
	a.mu.Unlock()
	if old != nil {
		old.cancel()
	}
	go func() {
		defer close(p.done)
		p.val, p.err = fetch(fctx)
	}()
}

// stop cancels the pending fetch, waits for it to end and makes later
// starts do nothing.
func (a *ahead[T]) stop() {
	a.mu.Lock()
	p := a.p
	a.p, a.stopped = nil, true
	a.mu.Unlock()
	if p != nil {
		p.cancel()
		<-p.done
	}
}

// pendingKey returns the key of the pending fetch and whether there is one
// (for tests).
func (a *ahead[T]) pendingKey() (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.p == nil {
		return "", false
	}
	return a.p.key, true
}

// pipelined answers the call for key: with the background fetch started for
// it when there is one, else by fetching now. If the result has a next key
// (next returns "" at the end of the walk), the fetch of that key starts in
// the background before pipelined returns. Errors never start a fetch: the
// SDK retries the same key, which is then fetched synchronously.
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
		a.start(ctx, n, func(ctx context.Context) (T, error) { return fetch(ctx, n) })
	}
	return val, nil
}

// grantsBatch is what one type-scoped grants call returns.
type grantsBatch struct {
	grants []*v2.Grant
	next   string
	annos  annotations.Annotations
}

func (b grantsBatch) nextToken() string { return b.next }

// warmGrants starts the first batch of the project-role, project and group
// grants walks in the background, once per sync, as soon as the List walks
// those batches read from are complete (the user index where grants filter
// users, the groups and the projects). The SDK asks for grants only after
// it has listed every resource and stored their entitlements, and then one
// type at a time; the first batches, each on endpoints with their own rate
// budget, overlap that work and each other. Each is then taken by the walk's
// first call (page token "") like any batch fetched ahead. Called from every
// Entitlements and grants call; cheap once done.
func (c *Connector) warmGrants(ctx context.Context, st *syncState) {
	if st.warmed.Load() || !c.indexesComplete(st) || !st.warmed.CompareAndSwap(false, true) {
		return
	}
	roles, projects, groups := &projectRoleSyncer{c: c}, &projectSyncer{c: c}, &groupSyncer{c: c}
	st.roleGrantsAhead.startFirst(ctx, func(ctx context.Context) (grantsBatch, error) { return roles.batchAt(ctx, st, "") })
	st.projectGrantsAhead.startFirst(ctx, func(ctx context.Context) (grantsBatch, error) { return projects.batchAt(ctx, st, "") })
	st.groupGrantsAhead.startFirst(ctx, func(ctx context.Context) (grantsBatch, error) { return groups.batchAt(ctx, st, "") })
}

// indexesComplete reports whether the List walks recorded every index the
// grants batches need, so that starting them early makes no request the
// sync would not make anyway (an incomplete index would be re-paged).
func (c *Connector) indexesComplete(st *syncState) bool {
	if c.admin != nil || c.cfg.SkipCustomerUser {
		st.usersMu.Lock()
		ok := st.users.ok()
		st.usersMu.Unlock()
		if !ok {
			return false
		}
	}
	st.groupsMu.Lock()
	ok := st.groups.ok()
	st.groupsMu.Unlock()
	if !ok {
		return false
	}
	st.projectsMu.Lock()
	defer st.projectsMu.Unlock()
	return st.projects.ok()
}
