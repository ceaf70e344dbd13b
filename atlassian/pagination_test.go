package atlassian

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestNextCursor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		next, want, wantErr string
	}{
		{next: "", want: ""},
		{next: "  ", want: ""},
		{next: "kloHX1ZQVasDAkx_P48NYQ", want: "kloHX1ZQVasDAkx_P48NYQ"},
		{next: "/3dhc2Q+Zm9vPQ==", want: "/3dhc2Q+Zm9vPQ=="}, // base64 starting with "/"
		{next: "https://api.atlassian.com/admin/v1/orgs/o1/users?cursor=MDNlZWRm", want: "MDNlZWRm"},
		{next: "http://127.0.0.1:1234/admin/v1/orgs/o1/users?cursor=YWJj%3D%3D&x=1", want: "YWJj=="},
		{next: "/admin/v1/orgs/o1/users?cursor=cmVs", want: "cmVs"},
		{next: "https://api.atlassian.com/admin/v1/orgs/o1/users?page=2", wantErr: "no cursor parameter"},
	}
	for _, tt := range tests {
		got, err := nextCursor(tt.next)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("nextCursor(%q) err = %v, want %q", tt.next, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("nextCursor(%q) = %q, %v; want %q", tt.next, got, err, tt.want)
		}
	}
}

func TestPaginate_stopsOnRepeatedCursor(t *testing.T) {
	t.Parallel()
	calls := 0
	fetch := func(_ context.Context, o ListOptions) ([]int, *Response, error) {
		calls++
		next := map[string]string{"": "a", "a": "b", "b": "a"}[o.Cursor]
		return []int{calls}, &Response{NextCursor: next}, nil
	}
	var got []int
	var gotErr error
	for v, err := range paginate(t.Context(), nil, fetch) {
		if err != nil {
			gotErr = err
			continue
		}
		got = append(got, v)
	}
	if calls != 3 || len(got) != 3 || gotErr == nil || !strings.Contains(gotErr.Error(), "did not advance") {
		t.Errorf("calls = %d, items = %v, err = %v; want 3 pages then a loop error", calls, got, gotErr)
	}
}

func TestPaginate_errorOnceAndCopiesOptions(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	calls := 0
	fetch := func(_ context.Context, o ListOptions) ([]string, *Response, error) {
		calls++
		if o.PageSize != 7 {
			t.Errorf("page size = %d, want 7 on every page", o.PageSize)
		}
		if calls == 2 {
			return nil, nil, boom
		}
		return []string{"x", "y"}, &Response{NextCursor: fmt.Sprint("c", calls)}, nil
	}
	opts := &ListOptions{PageSize: 7}
	var items, errs int
	for _, err := range paginate(t.Context(), opts, fetch) {
		if err != nil {
			errs++
			if !errors.Is(err, boom) {
				t.Errorf("err = %v", err)
			}
			continue
		}
		items++
	}
	if calls != 2 || items != 2 || errs != 1 {
		t.Errorf("calls %d, items %d, errs %d; want 2, 2, 1", calls, items, errs)
	}
	if opts.Cursor != "" {
		t.Errorf("caller's options were changed: %+v", opts)
	}
}

func TestPaginate_earlyBreakAndCancel(t *testing.T) {
	t.Parallel()
	calls := 0
	fetch := func(context.Context, ListOptions) ([]int, *Response, error) {
		calls++
		return []int{1, 2, 3}, &Response{NextCursor: fmt.Sprint(calls)}, nil
	}
	for range paginate(t.Context(), nil, fetch) {
		break
	}
	if calls != 1 {
		t.Errorf("calls after break = %d, want 1", calls)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, err := range paginate(ctx, nil, fetch) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	}
	if calls != 1 {
		t.Errorf("fetched after cancel: calls = %d", calls)
	}
}

// TestIterator_acrossLinkForms walks an iterator whose pages answer
// links.next as a full URL, then as a bare cursor, then not at all, and
// counts the requests.
func TestIterator_acrossLinkForms(t *testing.T) {
	t.Parallel()
	c, mux, srv := setup(t)
	var cursors []string
	mux.HandleFunc("GET /admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
		cur := r.URL.Query().Get("cursor")
		cursors = append(cursors, cur)
		switch cur {
		case "":
			writeJSON(w, 200, `{"data":[{"id":"o1","type":"orgs","attributes":{"name":"One"}}],
				"links":{"self":"`+srv+`/admin/v1/orgs","next":"`+srv+`/admin/v1/orgs?cursor=cDI%3D"}}`)
		case "cDI=":
			writeJSON(w, 200, `{"data":[{"id":"o2","type":"orgs","attributes":{"name":"Two"}}],"links":{"next":"cDM"}}`)
		case "cDM":
			writeJSON(w, 200, `{"data":[{"id":"o3","type":"orgs","attributes":{"name":"Three"}}],"links":{"self":"cDM"}}`)
		default:
			t.Errorf("unexpected cursor %q", cur)
		}
	})
	var names []string
	for o, err := range c.Orgs.ListIter(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, o.Name())
	}
	if strings.Join(names, ",") != "One,Two,Three" || strings.Join(cursors, ",") != ",cDI=,cDM" {
		t.Errorf("names = %v, cursors = %q", names, cursors)
	}
}
