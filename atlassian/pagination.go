package atlassian

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/batonkit/jiracloud/internal/apiclient"
)

// ListOptions selects one page: Cursor is "" for the first page, else a
// previous [Response].NextCursor; PageSize 0 means the method's default
// (the largest the endpoint honours). It is the same type as
// jira.ListOptions. Some v1 endpoints take no page size and ignore PageSize.
type ListOptions = apiclient.ListOptions

// Page sizes. The v2 list and search endpoints accept at most 100 per page;
// the v1 endpoints without a limit parameter choose their own.
const (
	maxPageSize     = 100
	defaultPageSize = 100
)

// walkLimits bound one iterator walk: far above any organization, low
// enough that a server paging forever ends in an error.
var walkLimits = apiclient.Limits{Pages: apiclient.DefaultMaxPages, Items: apiclient.DefaultMaxItems, Option: "a page method with your own loop"}

// pageSize is the limit to ask for: the default for 0, at most maxPageSize.
func pageSize(requested int) int { return apiclient.PageSize(requested, defaultPageSize, maxPageSize) }

// links is the Admin API paging envelope: links.next is a cursor string on
// v2 and the v1 search endpoints, and a full URL on some v1 lists.
type links struct {
	Self string `json:"self"`
	Prev string `json:"prev"`
	Next string `json:"next"`
}

// page is the common {data, links} envelope.
type page[T any] struct {
	Data  []T   `json:"data"`
	Links links `json:"links"`
}

// nextCursor extracts the cursor from links.next, which is either a bare
// opaque cursor or a URL (absolute, or a path with a query) whose cursor
// query parameter holds it. "" means there is no next page.
func nextCursor(next string) (string, error) {
	next = strings.TrimSpace(next)
	if next == "" {
		return "", nil
	}
	isURL := strings.HasPrefix(next, "https://") || strings.HasPrefix(next, "http://")
	// A bare base64 cursor may start with "/", so a path counts as a URL
	// only when it carries a cursor parameter.
	if !isURL && strings.HasPrefix(next, "/") && strings.Contains(next, "?") {
		if u, err := url.Parse(next); err == nil && u.Query().Get("cursor") != "" {
			isURL = true
		}
	}
	if !isURL {
		return next, nil
	}
	u, err := url.Parse(next)
	if err != nil {
		return "", fmt.Errorf("atlassian: links.next is not a valid URL")
	}
	c := u.Query().Get("cursor")
	if c == "" {
		return "", fmt.Errorf("atlassian: links.next URL %s has no cursor parameter", apiclient.RedactURL(next))
	}
	return c, nil
}

// setNext fills resp.NextCursor from links.next. Cursor pages are followed
// as the server says, even past an empty page (filters may empty a page
// that is not the last); paginate stops a cursor that repeats.
func setNext(resp *Response, l links) error {
	c, err := nextCursor(l.Next)
	if err != nil {
		return err
	}
	if resp != nil {
		resp.NextCursor = c
	}
	return nil
}

// fetchPage sends r and decodes a {data, links} page, setting
// [Response].NextCursor from links.next.
func fetchPage[T any](ctx context.Context, c *Client, r request) ([]T, *Response, error) {
	var out page[T]
	resp, err := c.do(ctx, r, &out)
	if err != nil {
		return nil, resp, err
	}
	if err := setNext(resp, out.Links); err != nil {
		return nil, resp, err
	}
	return out.Data, resp, nil
}

// listQuery starts the query of a GET list for the page o selects. Later
// pages send only the cursor, because the API discards every other
// parameter next to one; the first page sends the limit, and first tells
// the caller to add its filters.
func listQuery(o ListOptions) (q url.Values, first bool) {
	if o.Cursor != "" {
		return url.Values{"cursor": {o.Cursor}}, false
	}
	return url.Values{"limit": {strconv.Itoa(pageSize(o.PageSize))}}, true
}

// pageFunc fetches one page.
type pageFunc[T any] = apiclient.PageFunc[T]

// paginate turns a page method into an iterator. It copies opts, follows
// NextCursor until it is empty, checks ctx between pages, refuses a cursor
// that does not advance, and on error yields (zero, err) once and stops.
func paginate[T any](ctx context.Context, opts *ListOptions, fetch pageFunc[T]) iter.Seq2[T, error] {
	return apiclient.PaginateList(ctx, opts, fetch, seenBefore, walkLimits)
}

// paginateOpts is [paginate] for page methods whose options struct embeds
// [ListOptions] (lo returns it): it copies *opts once (nil means the zero
// options), and fetches each page with a copy carrying the page's cursor,
// so the caller's value is never changed.
func paginateOpts[O, T any](ctx context.Context, opts *O, lo func(*O) *ListOptions, fetch func(context.Context, *O) ([]T, *Response, error)) iter.Seq2[T, error] {
	return apiclient.PaginateEmbedded(ctx, opts, lo, fetch, seenBefore, walkLimits)
}

// seenBefore refuses a next cursor already fetched in this listing: v1
// cursors are URLs a faulty server may send back in a cycle.
func seenBefore(_, next string, seen bool) error {
	if seen {
		return fmt.Errorf("atlassian: pagination did not advance (cursor %q seen before)", next)
	}
	return nil
}

// listOpts dereferences optional list options.
func listOpts(o *ListOptions) ListOptions { return apiclient.Deref(o) }

// ids converts typed IDs to strings for query parameters and bodies.
func ids[T ~string](in []T) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

// addAll adds each value under key (repeated parameters).
func addAll(q url.Values, key string, vals []string) {
	for _, v := range vals {
		q.Add(key, v)
	}
}
