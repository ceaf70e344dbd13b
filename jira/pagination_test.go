package jira

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOffsetOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cursor  string
		want    int
		wantErr bool
	}{
		{"", 0, false},
		{"o0", 0, false},
		{"o25", 25, false},
		{"o1000000", 1000000, false},
		{offsetCursor(137), 137, false},
		{"25", 0, true},
		{"o", 0, true},
		{"o-1", 0, true},
		{"oabc", 0, true},
		{"o 5", 0, true},
		{"o1.5", 0, true},
		{"tNEXTTOKEN", 0, true},
		{"O25", 0, true},
		{"o99999999999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := offsetOf(tt.cursor)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("offsetOf(%q) = %d, %v; want %d, error %v", tt.cursor, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "cursor") {
			t.Errorf("offsetOf(%q) error %q does not mention the cursor", tt.cursor, err)
		}
	}
}

func TestNextPageBean(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	tests := []struct {
		name     string
		start, n int
		isLast   *bool
		want     string
	}{
		{"full first page", 0, 50, nil, "o50"},
		{"isLast false", 50, 50, &no, "o100"},
		{"isLast true", 50, 50, &yes, ""},
		{"server lowered maxResults", 0, 17, &no, "o17"},
		{"short page without isLast keeps going", 100, 3, nil, "o103"},
		{"empty page", 100, 0, nil, ""},
		{"empty page claiming more", 100, 0, &no, ""},
	}
	for _, tt := range tests {
		if got := nextPageBean(tt.start, tt.n, tt.isLast); got != tt.want {
			t.Errorf("%s: nextPageBean(%d, %d) = %q, want %q", tt.name, tt.start, tt.n, got, tt.want)
		}
	}
}

func TestNextArray(t *testing.T) {
	t.Parallel()
	tests := []struct {
		start, n int
		want     string
	}{
		{0, 1000, "o1000"},
		{0, 37, "o37"}, // fewer than asked is not the end
		{100, 1, "o101"},
		{100, 0, ""},
		{0, 0, ""},
	}
	for _, tt := range tests {
		if got := nextArray(tt.start, tt.n); got != tt.want {
			t.Errorf("nextArray(%d, %d) = %q, want %q", tt.start, tt.n, got, tt.want)
		}
	}
}

func TestNextTotal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		start, n, total int
		want            string
	}{
		{0, 50, 120, "o50"},
		{50, 50, 120, "o100"},
		{100, 20, 120, ""},
		{100, 30, 120, ""}, // total shrank while paging
		{0, 0, 100, ""},
		{0, 10, 0, "o10"}, // no total reported: only an empty page ends the listing
		{0, 7, 100, "o7"},
	}
	for _, tt := range tests {
		if got := nextTotal(tt.start, tt.n, tt.total); got != tt.want {
			t.Errorf("nextTotal(%d, %d, %d) = %q, want %q", tt.start, tt.n, tt.total, got, tt.want)
		}
	}
}

func TestPageSize(t *testing.T) {
	t.Parallel()
	tests := []struct{ requested, def, max, want int }{
		{0, 50, 100, 50},
		{-3, 50, 100, 50},
		{20, 50, 100, 20},
		{100, 50, 100, 100},
		{500, 50, 100, 100},
		{500, 50, 0, 500},
	}
	for _, tt := range tests {
		if got := pageSize(tt.requested, tt.def, tt.max); got != tt.want {
			t.Errorf("pageSize(%d, %d, %d) = %d, want %d", tt.requested, tt.def, tt.max, got, tt.want)
		}
	}
}

// corePages is a fake page method over fixed pages, keyed by cursor. It
// records the options of every call.
type corePages struct {
	pages map[string]corePage
	calls []ListOptions
}

type corePage struct {
	items []int
	next  string
	err   error
}

func (p *corePages) fetch(_ context.Context, opts ListOptions) ([]int, *Response, error) {
	p.calls = append(p.calls, opts)
	pg, ok := p.pages[opts.Cursor]
	if !ok {
		return nil, nil, errors.New("unexpected cursor " + opts.Cursor)
	}
	if pg.err != nil {
		return nil, nil, pg.err
	}
	return pg.items, &Response{Response: &http.Response{StatusCode: 200}, NextCursor: pg.next}, nil
}

type coreYield struct {
	item int
	err  error
}

func coreDrain(seq func(func(int, error) bool)) []coreYield {
	var got []coreYield
	for it, err := range seq {
		got = append(got, coreYield{it, err})
	}
	return got
}

var coreCmp = cmp.Comparer(func(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
})

func TestPaginateFollowsCursorsAndCopiesOpts(t *testing.T) {
	t.Parallel()
	p := &corePages{pages: map[string]corePage{
		"":    {items: []int{1, 2}, next: "o2"},
		"o2":  {items: []int{3}, next: "o3"},
		"o3":  {items: nil, next: "o10"}, // an empty page that still has a cursor is skipped
		"o10": {items: []int{4}, next: ""},
	}}
	opts := &ListOptions{PageSize: 2}
	got := coreDrain(paginate(t.Context(), nil, opts, p.fetch))
	want := []coreYield{{1, nil}, {2, nil}, {3, nil}, {4, nil}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(coreYield{}), coreCmp); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	wantCalls := []ListOptions{{PageSize: 2}, {Cursor: "o2", PageSize: 2}, {Cursor: "o3", PageSize: 2}, {Cursor: "o10", PageSize: 2}}
	if diff := cmp.Diff(wantCalls, p.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if *opts != (ListOptions{PageSize: 2}) {
		t.Errorf("caller's options were changed to %+v", *opts)
	}
}

func TestPaginateNilOptsStartsAtFirstPage(t *testing.T) {
	t.Parallel()
	p := &corePages{pages: map[string]corePage{"": {items: []int{7}}}}
	got := coreDrain(paginate(t.Context(), nil, nil, p.fetch))
	if len(got) != 1 || got[0].item != 7 || got[0].err != nil {
		t.Errorf("got %+v", got)
	}
	if diff := cmp.Diff([]ListOptions{{}}, p.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestPaginateStartsAtGivenCursor(t *testing.T) {
	t.Parallel()
	p := &corePages{pages: map[string]corePage{"o50": {items: []int{51}, next: ""}}}
	got := coreDrain(paginate(t.Context(), nil, &ListOptions{Cursor: "o50"}, p.fetch))
	if len(got) != 1 || got[0].item != 51 {
		t.Errorf("got %+v", got)
	}
}

func TestPaginateStopsOnErrorAfterYieldingItOnce(t *testing.T) {
	t.Parallel()
	boom := &Error{StatusCode: 500, Method: "GET", URL: "https://acme.atlassian.net/rest/api/3/users/search"}
	p := &corePages{pages: map[string]corePage{
		"":   {items: []int{1, 2}, next: "o2"},
		"o2": {err: boom},
		"o4": {items: []int{99}},
	}}
	var got []coreYield
	// The consumer ignores the error and keeps ranging: the iterator must
	// still stop rather than re-yield a stale page.
	for it, err := range paginate(t.Context(), nil, nil, p.fetch) {
		got = append(got, coreYield{it, err})
	}
	want := []coreYield{{1, nil}, {2, nil}, {0, boom}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(coreYield{}), coreCmp); diff != "" {
		t.Errorf("yields (-want +got):\n%s", diff)
	}
	if !errors.Is(got[2].err, boom) {
		t.Errorf("error is %v, want the page error itself", got[2].err)
	}
	if len(p.calls) != 2 {
		t.Errorf("fetched %d pages, want 2", len(p.calls))
	}
}

func TestPaginateErrorOnFirstPage(t *testing.T) {
	t.Parallel()
	p := &corePages{pages: map[string]corePage{"": {err: ErrForbidden}}}
	got := coreDrain(paginate(t.Context(), nil, nil, p.fetch))
	if len(got) != 1 || !errors.Is(got[0].err, ErrForbidden) || got[0].item != 0 {
		t.Errorf("got %+v", got)
	}
}

func TestPaginateDetectsNonAdvancingCursor(t *testing.T) {
	t.Parallel()
	p := &corePages{pages: map[string]corePage{
		"":   {items: []int{1}, next: "o1"},
		"o1": {items: []int{2}, next: "o1"},
	}}
	got := coreDrain(paginate(t.Context(), nil, nil, p.fetch))
	if len(got) != 3 || got[0].item != 1 || got[1].item != 2 || got[2].err == nil {
		t.Fatalf("got %+v, want 1, 2 and an error", got)
	}
	if !strings.Contains(got[2].err.Error(), "did not advance") {
		t.Errorf("error = %v", got[2].err)
	}
	if len(p.calls) != 2 {
		t.Errorf("fetched %d pages, want 2", len(p.calls))
	}
}

func TestPaginateNilResponseStops(t *testing.T) {
	t.Parallel()
	calls := 0
	fetch := func(context.Context, ListOptions) ([]int, *Response, error) {
		calls++
		return []int{1}, nil, nil
	}
	if got := coreDrain(paginate(t.Context(), nil, nil, fetch)); len(got) != 1 || calls != 1 {
		t.Errorf("got %+v after %d calls", got, calls)
	}
}

func TestPaginateBreakStopsFetching(t *testing.T) {
	t.Parallel()
	p := &corePages{pages: map[string]corePage{
		"":   {items: []int{1, 2, 3}, next: "o3"},
		"o3": {items: []int{4}},
	}}
	var got []int
	for it, err := range paginate(t.Context(), nil, nil, p.fetch) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it)
		if it == 2 {
			break
		}
	}
	if diff := cmp.Diff([]int{1, 2}, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if len(p.calls) != 1 {
		t.Errorf("fetched %d pages after break, want 1", len(p.calls))
	}
}

func TestPaginateRespectsContext(t *testing.T) {
	t.Parallel()

	t.Run("cancelled before the first page", func(t *testing.T) {
		t.Parallel()
		p := &corePages{pages: map[string]corePage{"": {items: []int{1}}}}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		got := coreDrain(paginate(ctx, nil, nil, p.fetch))
		if len(got) != 1 || !errors.Is(got[0].err, context.Canceled) {
			t.Errorf("got %+v, want one context.Canceled", got)
		}
		if len(p.calls) != 0 {
			t.Errorf("fetched %d pages", len(p.calls))
		}
	})

	t.Run("cancelled between pages", func(t *testing.T) {
		t.Parallel()
		p := &corePages{pages: map[string]corePage{
			"":   {items: []int{1, 2}, next: "o2"},
			"o2": {items: []int{3}},
		}}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var got []coreYield
		for it, err := range paginate(ctx, nil, nil, p.fetch) {
			got = append(got, coreYield{it, err})
			if it == 2 {
				cancel()
			}
		}
		want := []coreYield{{1, nil}, {2, nil}, {0, context.Canceled}}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(coreYield{}), coreCmp); diff != "" {
			t.Errorf("yields (-want +got):\n%s", diff)
		}
		if len(p.calls) != 1 {
			t.Errorf("fetched %d pages, want 1", len(p.calls))
		}
	})
}

func TestPaginateIsReusable(t *testing.T) {
	t.Parallel()
	p := &corePages{pages: map[string]corePage{
		"":   {items: []int{1}, next: "o1"},
		"o1": {items: []int{2}},
	}}
	seq := paginate(t.Context(), nil, &ListOptions{PageSize: 1}, p.fetch)
	first := coreDrain(seq)
	second := coreDrain(seq)
	if diff := cmp.Diff(first, second, cmp.AllowUnexported(coreYield{}), coreCmp); diff != "" {
		t.Errorf("second range differs (-first +second):\n%s", diff)
	}
	if len(second) != 2 {
		t.Errorf("second range = %+v", second)
	}
}
