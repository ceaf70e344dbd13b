package connector

import (
	"context"
	"sort"
	"testing"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

type lister interface {
	List(context.Context, *v2.ResourceId, rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error)
}

func listAll(t *testing.T, s lister, syncID string) {
	t.Helper()
	for tok := ""; ; {
		_, out, err := s.List(t.Context(), nil, rsOpts(syncID, tok))
		if err != nil {
			t.Fatal(err)
		}
		if tok = out.NextPageToken; tok == "" {
			return
		}
	}
}

// TestReadAheadStartsProjectsAndMembersBeforeTheSDKAsks: with ReadAhead the
// sync's first users call starts the project walk, and the end of the group
// list starts the member walk, with no grants call at all; the member
// grants the SDK then takes are the truth's, each page read once.
func TestReadAheadStartsProjectsAndMembersBeforeTheSDKAsks(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 4))
	cfg := testConfig(srv, false)
	cfg.ReadAhead = true
	conn := newConn(t, cfg)
	st := conn.state("sync-ra")

	users := &userSyncer{c: conn}
	if _, _, err := users.List(t.Context(), nil, rsOpts("sync-ra", "")); err != nil {
		t.Fatal(err)
	}
	if keys := st.projectsAhead.pendingKeys(); len(keys) == 0 || keys[0] != "" {
		t.Fatalf("after the first users call the project walk holds %q, want it started from the first page", keys)
	}
	if keys := st.groupGrantsAhead.pendingKeys(); len(keys) != 0 {
		t.Fatalf("member walk started before the groups were listed: %q", keys)
	}
	listAll(t, &groupSyncer{provisioner{conn}}, "sync-ra")
	if keys := st.groupGrantsAhead.pendingKeys(); len(keys) == 0 || keys[0] != "" {
		t.Fatalf("after the group list the member walk holds %q, want it started from the first batch", keys)
	}
	pages := 0
	for _, g := range srv.Snapshot().Groups {
		pages += max(1, (len(g.Members)+49)/50)
	}
	// A liveness bound, not a timing assertion.
	deadline := time.Now().Add(2 * time.Minute)
	for srv.Stats().Routes["GET /rest/api/3/group/member"] < pages {
		if time.Now().After(deadline) {
			t.Fatalf("the member walk read %d of %d pages with no grants call", srv.Stats().Routes["GET /rest/api/3/group/member"], pages)
		}
		time.Sleep(5 * time.Millisecond)
	}
	listAll(t, &projectSyncer{provisioner{conn}}, "sync-ra")
	got, _ := groupGrantIDs(t, conn, "sync-ra", "")
	sort.Strings(got)
	if d := cmp.Diff(truthGrantIDs(groundtruth.Of(srv.Snapshot(), groundtruth.Options{}), ":member"), got); d != "" {
		t.Errorf("member grants (-truth +got):\n%s", d)
	}
	if n := srv.Stats().Routes["GET /rest/api/3/group/member"]; n != pages {
		t.Errorf("group/member read %d times, want %d (each page once)", n, pages)
	}
	if n := srv.Stats().Routes["GET /rest/api/3/project/search"]; n != 1 {
		t.Errorf("project/search read %d times, want 1 (the page read ahead is the one the List walk takes)", n)
	}
}

// TestNoReadAheadWaitsForTheSDK: without ReadAhead nothing of a grants walk
// starts before the SDK's first grants call, and the project walk starts at
// its own first List call.
func TestNoReadAheadWaitsForTheSDK(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 4))
	conn := newConn(t, testConfig(srv, false))
	st := conn.state("sync-nra")
	listAll(t, &userSyncer{c: conn}, "sync-nra")
	listAll(t, &groupSyncer{provisioner{conn}}, "sync-nra")
	if keys := st.projectsAhead.pendingKeys(); len(keys) != 0 {
		t.Errorf("project walk started before its List call: %q", keys)
	}
	if keys := st.groupGrantsAhead.pendingKeys(); len(keys) != 0 {
		t.Errorf("member walk started before a grants call: %q", keys)
	}
	if n := srv.Stats().Routes["GET /rest/api/3/group/member"]; n != 0 {
		t.Errorf("%d member pages read before a grants call", n)
	}
	if n := srv.Stats().Routes["GET /rest/api/3/project/search"]; n != 0 {
		t.Errorf("%d project pages read before the project List call", n)
	}
}
