package connector

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/jira"
)

// A type-scoped grants walk answers the SDK's GrantsForResourceType calls
// for one resource type in batches. A resource type describes its walk with
// a grantsWalker (what to fetch); batchWalk runs it (when and how: the page
// token, requests in flight, partial failures). grantsWalk adds the batches
// fetched ahead of the SDK (see ahead).
//
// Adding a type-scoped resource type: write a grantsWalker for it, call
// batchWalk from its batch function, and give it an ahead in syncState and
// a line in warmGrants.

// grantsWalker is one resource type's grants walk: a position P in the
// sync's index (kept in the page token) and work items W, each read with
// one request (W is encoded in the token too, when an item is to be asked
// for again, so it must be a small JSON-encodable key).
type grantsWalker[P, W any] interface {
	// plan returns up to room work items from pos on, the position after
	// them, and whether the walk has more after next.
	plan(ctx context.Context, pos P, room int) (work []W, next P, more bool, err error)
	// fetch reads one item and maps it to grants. Responses go to rt for
	// the call's rate-limit annotations.
	fetch(ctx context.Context, w W, rt *rateTracker) ([]*v2.Grant, error)
}

// walkToken is the page token of a grants walk: where the walk is, and
// the items of the previous batch that failed with a retryable error.
type walkToken[P, W any] struct {
	Pos   P   `json:"p"`
	Retry []W `json:"f,omitempty"`
}

// batchWalk answers the grants call at page token tok: the items to retry
// first, then up to size items in all from the walker's plan, read with
// Config.Concurrency requests in flight.
func batchWalk[P, W any](ctx context.Context, c *Connector, w grantsWalker[P, W], size int, tok string) (grantsBatch, error) {
	var t walkToken[P, W]
	if err := decodeToken(tok, &t); err != nil {
		return grantsBatch{}, err
	}
	work, next, more, err := w.plan(ctx, t.Pos, size-len(t.Retry))
	if err != nil {
		return grantsBatch{}, err
	}
	work = append(t.Retry, work...)
	grants, failed, annos, err := fetchAll(ctx, c.cfg.concurrency(), w, work)
	if err != nil {
		return grantsBatch{}, err
	}
	b := grantsBatch{grants: grants, annos: annos}
	if more || len(failed) > 0 {
		if b.next, err = encodeToken(walkToken[P, W]{Pos: next, Retry: failed}); err != nil {
			return grantsBatch{}, err
		}
	}
	return b, nil
}

// fetchAll fetches work with at most limit requests in flight and returns
// the grants and the items to ask for again (see settle).
func fetchAll[P, W any](ctx context.Context, limit int, w grantsWalker[P, W], work []W) ([]*v2.Grant, []W, annotations.Annotations, error) {
	if len(work) == 0 {
		return nil, nil, nil, nil
	}
	results := make([][]*v2.Grant, len(work))
	var rt rateTracker
	errs := fanOut(ctx, limit, len(work), func(ctx context.Context, i int) error {
		g, err := w.fetch(ctx, work[i], &rt)
		if err != nil {
			return err
		}
		results[i] = g
		return nil
	})
	failedIdx, err := settle(errs)
	if err != nil {
		return nil, nil, nil, err
	}
	var grants []*v2.Grant
	for _, g := range results {
		grants = append(grants, g...)
	}
	var failed []W
	for _, i := range failedIdx {
		failed = append(failed, work[i])
	}
	return grants, failed, rt.annotations(), nil
}

// grantsWalk answers a type-scoped grants call of one walk: it starts the
// walks ahead (warmGrants), takes the batch for tok (fetched ahead or now)
// and starts the next ones in the background.
func (c *Connector) grantsWalk(ctx context.Context, st *syncState, a *ahead[grantsBatch], tok string,
	batchAt func(context.Context, *syncState, string) (grantsBatch, error)) ([]*v2.Grant, *rs.SyncOpResults, error) {
	c.warmGrants(ctx, st)
	b, err := pipelined(ctx, a, tok, func(ctx context.Context, tok string) (grantsBatch, error) {
		return batchAt(ctx, st, tok)
	}, grantsBatch.nextToken)
	if err != nil {
		return nil, nil, err
	}
	return b.allGrants(), &rs.SyncOpResults{NextPageToken: b.next, Annotations: b.annos}, nil
}

// grantsBatch is what one type-scoped grants call returns.
type grantsBatch struct {
	grants []*v2.Grant
	// members are group memberships not yet made grants: a group batch
	// holds them in this compact form (about a tenth of the memory of a
	// grant) while it waits ahead of the SDK; allGrants builds them.
	members []groupMembers
	next    string
	annos   annotations.Annotations
}

// groupMembers is members of one group, each to be granted the group's
// member entitlement.
type groupMembers struct {
	group    jira.GroupID
	accounts []jira.AccountID
}

// allGrants returns the batch's grants with its memberships made grants.
func (b grantsBatch) allGrants() []*v2.Grant {
	if len(b.members) == 0 {
		return b.grants
	}
	n := len(b.grants)
	for _, m := range b.members {
		n += len(m.accounts)
	}
	out := make([]*v2.Grant, 0, n)
	out = append(out, b.grants...)
	for _, m := range b.members {
		stub := groupStub(m.group)
		for _, a := range m.accounts {
			out = append(out, gr.NewGrant(stub, memberEntitlement, userID(a)))
		}
	}
	return out
}

func (b grantsBatch) nextToken() string { return b.next }

// errSkipped marks batch items that were not started because another item
// failed for good.
var errSkipped = errors.New(errPrefix + "skipped after another request failed")

// fanOut runs fn for each index in [0, n) with at most limit running at
// once and returns every item's error. Once an item fails with an error
// that retrying will not fix, items not yet started are skipped.
func fanOut(ctx context.Context, limit, n int, fn func(ctx context.Context, i int) error) []error {
	errs := make([]error, n)
	if n == 0 {
		return errs
	}
	if limit <= 0 {
		limit = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			for j := i; j < n; j++ {
				errs[j] = errSkipped
			}
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				errs[i] = err
				if !retryable(err) {
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

// retryable reports whether a batch item may succeed when asked again.
func retryable(err error) bool {
	if errors.Is(err, errSkipped) {
		return true
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return true
	}
	return false
}

// settle decides what a batch whose items failed returns. A failure that
// retrying will not fix, or a batch where nothing succeeded, is returned as
// the error (the SDK then backs off, waiting out any rate limit the error
// carries). Otherwise the batch returns what succeeded and the indexes of
// the failed items, which go into the next page token, so that one flaky
// request never repeats a whole batch.
func settle(errs []error) (failed []int, err error) {
	var first error
	for i, e := range errs {
		if e == nil {
			continue
		}
		if !retryable(e) && !errors.Is(e, errSkipped) {
			return nil, e
		}
		if first == nil || errors.Is(first, errSkipped) {
			first = e
		}
		failed = append(failed, i)
	}
	if len(failed) > 0 && len(failed) == len(errs) {
		return nil, first
	}
	return failed, nil
}

// encodeToken turns a batch position into an opaque page token.
func encodeToken(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("%sencoding page token: %w", errPrefix, err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeToken reads a token made by encodeToken; "" leaves v as is.
func decodeToken(tok string, v any) error {
	if tok == "" {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return errorf(codes.InvalidArgument, "invalid page token: %v", err)
	}
	return nil
}
