package connector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/jira"
)

// numberWalker walks the numbers [0, n); fetch fails the items of flaky
// once with a retryable error, and the item fatal always with one that
// retrying does not fix.
type numberWalker struct {
	n     int
	fatal int

	mu      sync.Mutex
	flaky   map[int]bool
	fetched []int
	rooms   []int
}

func (w *numberWalker) plan(_ context.Context, pos, room int) ([]int, int, bool, error) {
	w.mu.Lock()
	w.rooms = append(w.rooms, room)
	w.mu.Unlock()
	var work []int
	for ; pos < w.n && len(work) < room; pos++ {
		work = append(work, pos)
	}
	return work, pos, pos < w.n, nil
}

func (w *numberWalker) fetch(_ context.Context, i int, _ *rateTracker) ([]*v2.Grant, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fetched = append(w.fetched, i)
	if i == w.fatal {
		return nil, status.Error(codes.PermissionDenied, "no")
	}
	if w.flaky[i] {
		delete(w.flaky, i)
		return nil, status.Error(codes.Unavailable, "busy")
	}
	return []*v2.Grant{gr.NewGrant(projectStub("p"), "e", userID(jira.AccountID(fmt.Sprint("u", i))))}, nil
}

// TestBatchWalkRetriesFailedItemsFirst: a batch returns what succeeded, the
// token carries the items that failed with a retryable error, and the next
// batch reads them first, in the room the plan would have used.
func TestBatchWalkRetriesFailedItemsFirst(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := &Connector{cfg: Config{Concurrency: 3}}
	w := &numberWalker{n: 10, fatal: -1, flaky: map[int]bool{1: true, 2: true}}
	var got []string
	batches := 0
	for tok := ""; ; {
		b, err := batchWalk(ctx, c, w, 4, tok)
		if err != nil {
			t.Fatal(err)
		}
		batches++
		for _, g := range b.allGrants() {
			got = append(got, g.GetPrincipal().GetId().GetResource())
		}
		if batches == 1 {
			var pos walkToken[int, int]
			if err := decodeToken(b.next, &pos); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(walkToken[int, int]{Pos: 4, Retry: []int{1, 2}}, pos); d != "" {
				t.Errorf("first token (-want +got):\n%s", d)
			}
		}
		if tok = b.next; tok == "" {
			break
		}
	}
	slices.Sort(got)
	want := []string{"u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("grants (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{4, 2, 4}, w.rooms); d != "" {
		t.Errorf("plan rooms (-want +got):\n%s", d)
	}
	if batches != 3 {
		t.Errorf("%d batches, want 3", batches)
	}
}

// TestBatchWalkFailsOnAnErrorRetryingCannotFix: such an error is the
// batch's error, and no token is made.
func TestBatchWalkFailsOnAnErrorRetryingCannotFix(t *testing.T) {
	t.Parallel()
	c := &Connector{cfg: Config{Concurrency: 1}}
	w := &numberWalker{n: 10, fatal: 2}
	b, err := batchWalk(t.Context(), c, w, 5, "")
	if status.Code(err) != codes.PermissionDenied || errors.Is(err, errSkipped) || b.next != "" {
		t.Fatalf("batch = %+v, %v; want PermissionDenied", b, err)
	}
	if _, err := batchWalk(t.Context(), c, w, 5, "not a token!"); status.Code(err) != codes.InvalidArgument {
		t.Errorf("bad token: %v, want InvalidArgument", err)
	}
}
