package apiclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/internal/apiclient/apitest"
)

type testOpts struct {
	Cursor string
	Filter []string
}

type testResp struct{ next string }

func cursorOf(o *testOpts) *string { return &o.Cursor }
func nextOf(r *testResp) string    { return r.next }

func sameCursor(cur, next string, _ bool) error {
	if cur == next {
		return fmt.Errorf("stuck at %q", cur)
	}
	return nil
}

func repeated(_, next string, seen bool) error {
	if seen {
		return fmt.Errorf("%q seen before", next)
	}
	return nil
}

// pages serves cursor → (items, next).
func pages(m map[string][2]string, calls *[]string) func(context.Context, *testOpts) ([]string, *testResp, error) {
	return func(_ context.Context, o *testOpts) ([]string, *testResp, error) {
		*calls = append(*calls, o.Cursor)
		p, ok := m[o.Cursor]
		if !ok {
			return nil, nil, fmt.Errorf("no page %q", o.Cursor)
		}
		o.Cursor = "changed by fetch" // must not leak into the walk
		return []string{p[0]}, &testResp{next: p[1]}, nil
	}
}

// drain collects a walk's items and errors.
func drain(seq func(func(string, error) bool)) ([]string, []error) { return apitest.Collect(seq) }

func TestPaginateFollowsCursorsAndRestarts(t *testing.T) {
	t.Parallel()
	var calls []string
	opts := &testOpts{Cursor: "a", Filter: []string{"f"}}
	seq := Paginate(t.Context(), opts, cursorOf, pages(map[string][2]string{
		"a": {"1", "b"}, "b": {"2", "c"}, "c": {"3", ""},
	}, &calls), nextOf, sameCursor, Limits{})
	opts.Cursor = "zzz" // copied when Paginate was called
	for range 2 {
		items, errs := drain(seq)
		if len(errs) != 0 || !slices.Equal(items, []string{"1", "2", "3"}) {
			t.Fatalf("items, errs = %v, %v", items, errs)
		}
	}
	if want := []string{"a", "b", "c", "a", "b", "c"}; !slices.Equal(calls, want) {
		t.Errorf("cursors fetched = %v, want %v (each range starts afresh)", calls, want)
	}
}

func TestPaginateStuckPolicies(t *testing.T) {
	t.Parallel()
	cycle := map[string][2]string{"": {"1", "b"}, "b": {"2", "c"}, "c": {"3", "b"}}
	// Equal-cursor policy: the b → c → b cycle is not caught by it, but a
	// self-loop is.
	var calls []string
	items, errs := drain(Paginate(t.Context(), nil, cursorOf,
		pages(map[string][2]string{"": {"1", "b"}, "b": {"2", "b"}}, &calls), nextOf, sameCursor, Limits{}))
	if !slices.Equal(items, []string{"1", "2"}) || len(errs) != 1 || errs[0].Error() != `stuck at "b"` {
		t.Errorf("self-loop: items %v, errs %v", items, errs)
	}
	// Seen-before policy: the cycle ends when b comes back.
	calls = nil
	items, errs = drain(Paginate(t.Context(), &testOpts{Filter: []string{"f"}}, cursorOf, pages(cycle, &calls), nextOf, repeated, Limits{}))
	if !slices.Equal(items, []string{"1", "2", "3"}) || len(errs) != 1 || errs[0].Error() != `"b" seen before` {
		t.Errorf("cycle: items %v, errs %v", items, errs)
	}
	if !slices.Equal(calls, []string{"", "b", "c"}) {
		t.Errorf("cycle: fetched %v", calls)
	}
}

func TestPaginateStopsOnErrorNilResponseAndCancel(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	n := 0
	items, errs := drain(Paginate(t.Context(), nil, cursorOf, func(context.Context, *testOpts) ([]string, *testResp, error) {
		n++
		if n == 2 {
			return nil, nil, boom
		}
		return []string{"a"}, &testResp{next: "n"}, nil
	}, nextOf, repeated, Limits{}))
	if !slices.Equal(items, []string{"a"}) || len(errs) != 1 || !errors.Is(errs[0], boom) {
		t.Errorf("error: items %v, errs %v", items, errs)
	}

	items, errs = drain(Paginate(t.Context(), nil, cursorOf, func(context.Context, *testOpts) ([]string, *testResp, error) {
		return []string{"only"}, nil, nil
	}, nextOf, repeated, Limits{}))
	if !slices.Equal(items, []string{"only"}) || len(errs) != 0 {
		t.Errorf("nil response: items %v, errs %v", items, errs)
	}

	ctx, cancel := context.WithCancel(t.Context())
	items, errs = drain(Paginate(ctx, nil, cursorOf, func(context.Context, *testOpts) ([]string, *testResp, error) {
		cancel()
		return []string{"p"}, &testResp{next: "n"}, nil
	}, nextOf, repeated, Limits{}))
	if !slices.Equal(items, []string{"p"}) || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("cancel: items %v, errs %v", items, errs)
	}
}

func TestPaginateEarlyBreak(t *testing.T) {
	t.Parallel()
	var calls []string
	for v, err := range Paginate(t.Context(), &testOpts{Filter: []string{"f"}}, cursorOf,
		pages(map[string][2]string{"": {"1", "b"}, "b": {"2", ""}}, &calls), nextOf, repeated, Limits{}) {
		if err != nil || v != "1" {
			t.Fatalf("first = %q, %v", v, err)
		}
		break
	}
	if !slices.Equal(calls, []string{""}) {
		t.Errorf("fetched %v after a break on the first item", calls)
	}
}

func TestPageSizeAndDeref(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ req, def, max, want int }{
		{0, 50, 100, 50}, {-3, 50, 100, 50}, {20, 50, 100, 20}, {500, 50, 100, 100}, {500, 50, 0, 500},
	} {
		if got := PageSize(tt.req, tt.def, tt.max); got != tt.want {
			t.Errorf("PageSize(%d, %d, %d) = %d, want %d", tt.req, tt.def, tt.max, got, tt.want)
		}
	}
	if got := Deref[testOpts](nil); got.Cursor != "" || got.Filter != nil {
		t.Errorf("Deref(nil) = %+v", got)
	}
	if got := Deref(&testOpts{Cursor: "c"}); got.Cursor != "c" {
		t.Errorf("Deref = %+v", got)
	}
}

// TestPaginateLimits ends an endless listing (fresh cursors forever) with an
// error wrapping ErrPaginationLimit, by pages and by items.
func TestPaginateLimits(t *testing.T) {
	t.Parallel()
	n := 0
	endless := func(context.Context, *testOpts) ([]string, *testResp, error) {
		n++
		return []string{"x", "y"}, &testResp{next: fmt.Sprint("c", n)}, nil
	}
	items, errs := drain(Paginate(t.Context(), nil, cursorOf, endless, nextOf, repeated, Limits{Pages: 5, Option: "WithX"}))
	if len(items) != 10 || len(errs) != 1 || !errors.Is(errs[0], ErrPaginationLimit) || !strings.Contains(errs[0].Error(), "WithX") {
		t.Errorf("page bound: %d items, errs %v", len(items), errs)
	}
	n = 0
	items, errs = drain(Paginate(t.Context(), nil, cursorOf, endless, nextOf, repeated, Limits{Items: 7}))
	if len(items) != 6 || len(errs) != 1 || !errors.Is(errs[0], ErrPaginationLimit) {
		t.Errorf("item bound: %d items, errs %v", len(items), errs)
	}
	if err := (Limits{Items: 100}).CheckOffset(101); !errors.Is(err, ErrPaginationLimit) {
		t.Errorf("CheckOffset(101) = %v", err)
	}
	if err := (Limits{Items: 100}).CheckOffset(100); err != nil {
		t.Errorf("CheckOffset(100) = %v", err)
	}
}
