package connector

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// memberProxy sits between the connector and the fake: it records the
// member pages read and how many of one group's pages were in flight at
// once, and may change requests and answers of GET /group/member.
type memberProxy struct {
	mu       sync.Mutex
	reads    map[[2]string]int // (groupId, startAt) → requests
	inFlight map[string]int
	maxPar   map[string]int // most pages of a group in flight at once
	// shift, when set, returns the offset to ask the fake for instead of
	// startAt; total, the total to answer on a group's first page.
	shift func(startAt int) int
	total func(total int) int
}

func newMemberProxy(t *testing.T, srv *jiratest.Server) (*memberProxy, string) {
	t.Helper()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &memberProxy{reads: map[[2]string]int{}, inFlight: map[string]int{}, maxPar: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = p.modify
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path.Base(r.URL.Path) != "member" {
			rp.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		g, start := q.Get("groupId"), q.Get("startAt")
		p.mu.Lock()
		p.reads[[2]string{g, start}]++
		p.inFlight[g]++
		p.maxPar[g] = max(p.maxPar[g], p.inFlight[g])
		p.mu.Unlock()
		time.Sleep(20 * time.Millisecond) // let the pages of a group overlap
		if n, err := strconv.Atoi(start); err == nil && n > 0 && p.shift != nil {
			q.Set("startAt", strconv.Itoa(p.shift(n)))
			r.URL.RawQuery = q.Encode()
		}
		rp.ServeHTTP(w, r)
		p.mu.Lock()
		p.inFlight[g]--
		p.mu.Unlock()
	}))
	t.Cleanup(ts.Close)
	return p, ts.URL
}

func (p *memberProxy) modify(resp *http.Response) error {
	q := resp.Request.URL.Query()
	if p.total == nil || path.Base(resp.Request.URL.Path) != "member" || q.Get("startAt") != "0" || resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	var page map[string]any
	if err := json.Unmarshal(body, &page); err != nil {
		return err
	}
	if tot, ok := page["total"].(float64); ok {
		page["total"] = p.total(int(tot))
	}
	if body, err = json.Marshal(page); err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// parallelConfig is proxiedConfig with eight requests in flight.
func parallelConfig(srv *jiratest.Server, u string) Config {
	cfg := proxiedConfig(srv, u)
	cfg.Concurrency = 8
	return cfg
}

// TestGroupMembersReadInParallel checks that the member pages of a large
// group are read at once from its first page's total and page size (the
// server's, capped below what the connector asks), each page once, and
// that the grants are the ground truth.
func TestGroupMembersReadInParallel(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 7), jiratest.WithTotalDrift(),
		jiratest.WithMaxResultsCap("/rest/api/3/group/member", 3))
	p, u := newMemberProxy(t, srv)
	_, cs := newServerConn(t, ctx, parallelConfig(srv, u))
	got := walkSync(t, ctx, cs, "sync-par")
	compareTruth(t, groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), got.truth)

	want := map[[2]string]int{}
	largest, size := "", 0
	for _, g := range srv.Snapshot().Groups {
		pages := max(1, (len(g.Members)+2)/3)
		for i := range pages {
			want[[2]string{g.ID, strconv.Itoa(3 * i)}] = 1
		}
		if len(g.Members) > size {
			largest, size = g.ID, len(g.Members)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if d := cmp.Diff(want, p.reads); d != "" {
		t.Errorf("member pages read (-want +got):\n%s", d)
	}
	if size <= 9 || p.maxPar[largest] < 2 {
		t.Errorf("largest group (%d members): at most %d pages in flight at once, want several", size, p.maxPar[largest])
	}
}

// TestGroupMembersWrongTotal checks that a group is still read to the end,
// each member granted once, when the first page's total is too low or too
// high, or when members moved so that predicted pages overlap.
func TestGroupMembersWrongTotal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		total func(int) int
		shift func(int) int
	}{
		{name: "total too low", total: func(n int) int { return max(n-7, 0) }},
		{name: "total too high", total: func(n int) int { return n + 8 }},
		{name: "pages overlap", shift: func(n int) int { return n - 1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			srv := newTestServer(t, jiratest.Generate(jiratest.Small, 7), jiratest.WithTotalDrift(),
				jiratest.WithMaxResultsCap("/rest/api/3/group/member", 3))
			p, u := newMemberProxy(t, srv)
			p.total, p.shift = tc.total, tc.shift
			_, cs := newServerConn(t, ctx, parallelConfig(srv, u))
			got := walkSync(t, ctx, cs, "sync-wrong")
			compareTruth(t, groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), got.truth)
		})
	}
}

// TestGroupMembersSeenAreForgottenWhenRead checks that the record of members
// seen (kept to grant a member found on two pages once) is held only for
// groups under way: a group of several batches of pages keeps it between
// batches, and nothing is left once the walk is done.
func TestGroupMembersSeenAreForgottenWhenRead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Medium, 7), jiratest.WithMaxResultsCap("/rest/api/3/group/member", 5))
	conn := newConn(t, testConfig(srv, false))
	st := conn.state("sync-f")
	s := &groupSyncer{provisioner{conn}}
	seen := func() (groups, entries int) {
		st.members.mu.Lock()
		defer st.members.mu.Unlock()
		for _, m := range st.members.seen {
			entries += len(m)
		}
		return len(st.members.seen), entries
	}
	var ids []string
	maxEntries, heldBetween := 0, false
	for tok := ""; ; {
		gs, out, err := s.GrantsForResourceType(ctx, "group", rsOpts("sync-f", tok))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			ids = append(ids, g.GetId())
		}
		if tok = out.NextPageToken; tok == "" {
			break
		}
		n, e := seen()
		heldBetween = heldBetween || n > 0
		maxEntries = max(maxEntries, e)
	}
	slices.Sort(ids)
	if d := cmp.Diff(truthGrantIDs(groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), ":member"), ids); d != "" {
		t.Errorf("member grants (-truth +got):\n%s", d)
	}
	if !heldBetween {
		t.Error("no group under way between batches: the tenant does not exercise a group spanning batches")
	}
	if n, e := seen(); n != 0 || e != 0 {
		t.Errorf("after the walk, %d groups (%d members) still recorded, want none", n, e)
	}
	if total := srv.Snapshot(); maxEntries >= len(ids) {
		t.Errorf("between batches up to %d members recorded, want fewer than the %d memberships (groups under way only; %d groups)",
			maxEntries, len(ids), len(total.Groups))
	}
}
