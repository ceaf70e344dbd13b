package connector

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func TestOffsetRangeSplit(t *testing.T) {
	t.Parallel()
	var pages []memberPage
	for r := (&offsetRange{From: 50, To: 160, Step: 50}); r != nil; {
		if !r.valid() {
			t.Fatalf("range %+v not valid", r)
		}
		var pg memberPage
		pg, r = r.split("g")
		pages = append(pages, pg)
	}
	want := []memberPage{
		{Group: "g", Cursor: jira.OffsetCursor(50), Predicted: true},
		{Group: "g", Cursor: jira.OffsetCursor(100), Predicted: true},
		{Group: "g", Cursor: jira.OffsetCursor(150)}, // the last continues the chain
	}
	if d := cmp.Diff(want, pages); d != "" {
		t.Errorf("pages (-want +got):\n%s", d)
	}
	for _, bad := range []offsetRange{{From: 5, To: 5, Step: 1}, {From: 1, To: 9, Step: 0}, {From: -1, To: 9, Step: 1}} {
		if bad.valid() {
			t.Errorf("range %+v valid, want not", bad)
		}
	}
}

func TestPredictRange(t *testing.T) {
	t.Parallel()
	resp := func(size, total int, next string) *jira.Response {
		return &jira.Response{PageSize: size, Total: total, NextCursor: next}
	}
	tests := []struct {
		name string
		n    int
		resp *jira.Response
		want *offsetRange
	}{
		{"three pages", 50, resp(50, 120, jira.OffsetCursor(50)), &offsetRange{From: 50, To: 120, Step: 50}},
		{"server page size", 3, resp(3, 10, jira.OffsetCursor(3)), &offsetRange{From: 3, To: 10, Step: 3}},
		{"two pages only", 50, resp(50, 100, jira.OffsetCursor(50)), nil},
		{"short first page", 49, resp(50, 500, jira.OffsetCursor(49)), nil},
		{"no page size", 50, resp(0, 500, jira.OffsetCursor(50)), nil},
		{"last page", 50, resp(50, 500, ""), nil},
		{"wild total", 50, resp(50, 1<<30, jira.OffsetCursor(50)), &offsetRange{From: 50, To: 50 * (maxPredictedPages + 1), Step: 50}},
	}
	for _, tc := range tests {
		if d := cmp.Diff(tc.want, predictRange(tc.n, tc.resp)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

// TestMemberWalkerOrder: queued pages come first (a range one page at a
// time), then the index's groups, skipping the ones started first.
func TestMemberWalkerOrder(t *testing.T) {
	t.Parallel()
	w := &memberWalker{
		groups: []jira.GroupID{"a", "b", "c"},
		skip:   map[jira.GroupID]bool{"b": true},
		queue: []memberPage{
			{Group: "x", Range: &offsetRange{From: 50, To: 150, Step: 50}},
			{Group: "y", Cursor: jira.OffsetCursor(50)},
		},
	}
	var got []memberPage
	for pg, ok := w.peek(); ok; pg, ok = w.peek() {
		got = append(got, pg)
		w.pop()
	}
	want := []memberPage{
		{Group: "x", Cursor: jira.OffsetCursor(50), Predicted: true},
		{Group: "x", Cursor: jira.OffsetCursor(100)},
		{Group: "y", Cursor: jira.OffsetCursor(50)},
		{Group: "a"},
		{Group: "c"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pages (-want +got):\n%s", d)
	}
	single := &memberWalker{index: -1, queue: []memberPage{{Group: "g"}}}
	if pg, ok := single.peek(); !ok || pg.Group != "g" {
		t.Fatalf("single group walk: %+v, %v", pg, ok)
	}
	single.pop()
	if pg, ok := single.peek(); ok {
		t.Errorf("single group walk goes on with %+v", pg)
	}
}

func TestMemberTokenRoundTrip(t *testing.T) {
	t.Parallel()
	in := memberToken{
		Pos: memberPos{Index: 7, First: []jira.GroupID{"p1"}, Pending: []memberPage{
			{Group: "p1", Range: &offsetRange{From: 100, To: 400, Step: 50}},
			{Group: "g2", Cursor: jira.OffsetCursor(50)},
		}},
		Retry: []memberPage{{Group: "g3", Cursor: jira.OffsetCursor(50), Predicted: true}, {Group: "g4"}},
	}
	tok, err := encodeToken(in)
	if err != nil {
		t.Fatal(err)
	}
	var out memberToken
	if err := decodeToken(tok, &out); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(in, out); d != "" {
		t.Errorf("token (-in +out):\n%s", d)
	}
	if err := decodeToken("bm90IGpzb24", &out); err == nil {
		t.Error("a token that is not JSON decoded without error")
	}
}

// TestMemberWalkerSingleGroup walks one large group through Grants, batch
// after batch, and checks each member page is read once and every member
// granted once.
func TestMemberWalkerSingleGroup(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Medium, 7), jiratest.WithMaxResultsCap("/rest/api/3/group/member", 2))
	conn := newConn(t, testConfig(srv, false))
	largest := &jiratest.Group{}
	for _, g := range srv.Snapshot().Groups {
		if len(g.Members) > len(largest.Members) {
			largest = g
		}
	}
	pages := (len(largest.Members) + 1) / 2
	if pages <= groupBatchPages {
		t.Fatalf("largest group has %d pages, the test needs more than one batch", pages)
	}
	res := groupStub(jira.GroupID(largest.ID))
	var got []string
	calls := 0
	for tok := ""; ; calls++ {
		gs, out, err := (&groupSyncer{provisioner{conn}}).Grants(ctx, res, rsOpts("sync-one", tok))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			got = append(got, g.GetPrincipal().GetId().GetResource())
		}
		if tok = out.NextPageToken; tok == "" {
			break
		}
	}
	want := slices.Clone(largest.Members)
	slices.Sort(got)
	slices.Sort(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("members (-want +got):\n%s", d)
	}
	if calls+1 < (pages+groupBatchPages-1)/groupBatchPages {
		t.Errorf("%d calls for %d pages, want at most %d pages per call", calls+1, pages, groupBatchPages)
	}
	if n := srv.Stats().Routes["GET /rest/api/3/group/member"]; n != pages {
		t.Errorf("group/member read %d times, want %d (each page once)", n, pages)
	}
}

func TestChainPacerServesNextPagesFirst(t *testing.T) {
	t.Parallel()
	p := &chainPacer{lim: rate.NewLimiter(10, 1)} // one request per 100 ms
	if d := p.delay(memberPage{Group: "g1"}); d != 0 {
		t.Fatalf("first page on a fresh budget waits %v", d)
	}
	if d := p.delay(memberPage{Group: "g2", Cursor: "o50"}); d != 0 {
		t.Errorf("a next page waits %v, want 0 (it takes its share at once)", d)
	}
	if d := p.delay(memberPage{Group: "g3"}); d < 150*time.Millisecond {
		t.Errorf("a first page after two requests waits %v, want about 200ms", d)
	}
	var nilPacer *chainPacer
	if d := nilPacer.delay(memberPage{Group: "g"}); d != 0 {
		t.Errorf("nil pacer delays %v", d)
	}
}
