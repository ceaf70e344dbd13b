package jira

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/batonkit/jiracloud/internal/apiclient"
)

// ListOptions selects one page. Every paged method takes it, whatever the
// underlying pagination style (PageBean, plain array, createmeta pages, audit
// offset/limit, Service Management start/limit): Cursor is opaque and comes
// from the previous page's [Response].NextCursor; Cursor "" is the first
// page. PageSize is the number of items to ask for; 0 means the method's
// documented best value (often the largest the endpoint honours). The
// server may return fewer: pagination follows what came back. It is the
// same type as atlassian.ListOptions.
type ListOptions = apiclient.ListOptions

// cursor encodings: "o<offset>" for offset styles, "t<token>" for tokens.
func offsetOf(cursor string) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	rest, ok := strings.CutPrefix(cursor, "o")
	if !ok {
		return 0, fmt.Errorf("jira: invalid cursor %q for an offset-paged endpoint", cursor)
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("jira: invalid cursor %q", cursor)
	}
	return n, nil
}

func offsetCursor(n int) string { return "o" + strconv.Itoa(n) }

// OffsetCursor returns the cursor of the page that starts at item offset
// of an offset-paged listing (PageBean, plain array, offset/limit), for
// callers that read several pages at once from [Response.Total] and
// [Response.PageSize]. A negative offset counts as 0.
func OffsetCursor(offset int) string { return offsetCursor(max(offset, 0)) }

// pageBean is Jira's PageBean envelope, and also decodes Jira Service
// Management's PagedDTO, which names its last-page flag isLastPage. Only
// the values and the flag matter: start and size are never trusted.
type pageBean[T any] struct {
	IsLast     *bool `json:"isLast"`
	IsLastPage *bool `json:"isLastPage"`
	Values     []T   `json:"values"`
	// Total and MaxResults are hints only (see Response.Total).
	Total      *int `json:"total"`
	MaxResults *int `json:"maxResults"`
}

// last returns the page's last-page flag, whichever name it came under.
func (p *pageBean[T]) last() *bool {
	if p.IsLast != nil {
		return p.IsLast
	}
	return p.IsLastPage
}

// nextPageBean computes the next cursor of a PageBean page: done on isLast or
// an empty page; otherwise advance by what came back (never by what was asked).
func nextPageBean(start int, n int, isLast *bool) string {
	if n == 0 || (isLast != nil && *isLast) {
		return ""
	}
	return offsetCursor(start + n)
}

// nextArray is for endpoints answering a bare JSON array: only an empty page
// proves the end, because the server may lower maxResults silently.
func nextArray(start, n int) string {
	if n == 0 {
		return ""
	}
	return offsetCursor(start + n)
}

// nextTotal is for envelopes with total but no isLast (createmeta, audit):
// done on an empty page or when the items seen reach total. A missing (zero)
// total while items came back proves nothing, so only an empty page ends
// such a listing.
func nextTotal(start, n, total int) string {
	if n == 0 || (total > 0 && start+n >= total) {
		return ""
	}
	return offsetCursor(start + n)
}

// pageSize is the page size to ask for: def when requested is not
// positive, else requested capped at max when max > 0.
func pageSize(requested, def, max int) int { return apiclient.PageSize(requested, def, max) }

// pageFunc fetches one page.
type pageFunc[T any] = apiclient.PageFunc[T]

// paginate turns a page method into an iterator. It copies opts, follows
// NextCursor until it is empty, checks ctx between pages, refuses a next
// cursor equal to the current one, and on error yields (zero, err) once and
// stops.
func paginate[T any](ctx context.Context, c *Client, opts *ListOptions, fetch pageFunc[T]) iter.Seq2[T, error] {
	return apiclient.PaginateList(ctx, opts, fetch, notAdvancing, c.walkLimits())
}

// paginateOpts is [paginate] for page methods whose options struct embeds
// [ListOptions] (lo returns it): it copies *opts once (nil means the zero
// options), and fetches each page with a copy carrying the page's cursor,
// so the caller's value is never changed.
func paginateOpts[O, T any](ctx context.Context, c *Client, opts *O, lo func(*O) *ListOptions, fetch func(context.Context, *O) ([]T, *Response, error)) iter.Seq2[T, error] {
	return apiclient.PaginateEmbedded(ctx, opts, lo, fetch, notAdvancing, c.walkLimits())
}

// walkLimits are the client's pagination bounds.
func (c *Client) walkLimits() apiclient.Limits {
	if c == nil {
		return apiclient.Limits{Pages: DefaultMaxPages, Items: DefaultMaxItems, Option: "jira.WithPaginationLimits"}
	}
	return apiclient.Limits{Pages: c.walk.pages, Items: c.walk.items, Option: "jira.WithPaginationLimits"}
}

// PaginationLimits returns the bounds of one pagination walk: the ones set
// with [WithPaginationLimits], else [DefaultMaxPages] and [DefaultMaxItems].
// A caller that drives a walk page by page itself (across resumable page
// tokens, or over another API's cursors) can apply the same bounds.
func (c *Client) PaginationLimits() (maxPages, maxItems int) {
	l := c.walkLimits()
	return l.Pages, l.Items
}

// notAdvancing refuses a next cursor equal to the current one.
func notAdvancing(cur, next string, _ bool) error {
	if next == cur {
		return fmt.Errorf("jira: pagination did not advance (cursor %q)", cur)
	}
	return nil
}

// listOpts dereferences optional list options.
func listOpts(o *ListOptions) ListOptions { return apiclient.Deref(o) }

// setExpand sets the comma-separated expand parameter, dropping blanks and duplicates.
func setExpand(q url.Values, expand []string) {
	setCommaList(q, "expand", expand)
}

// setCommaList sets key to the comma-separated, de-duplicated, non-blank values.
func setCommaList(q url.Values, key string, values []string) {
	var parts []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(parts, v) {
			parts = append(parts, v)
		}
	}
	if len(parts) > 0 {
		q.Set(key, strings.Join(parts, ","))
	}
}

// offsetParams names the offset and page-size query parameters of an
// offset-paged endpoint.
type offsetParams struct{ start, size string }

var (
	// startAtParams are the platform API's (PageBean, arrays, createmeta).
	startAtParams = offsetParams{"startAt", "maxResults"}
	// auditParams are /auditing/record's.
	auditParams = offsetParams{"offset", "limit"}
	// sdParams are Jira Service Management's.
	sdParams = offsetParams{"start", "limit"}
)

// offsetQuery sets the offset and page size of the page o selects (default
// size def, capped at max when max > 0) and returns the start offset. An
// offset past the client's item bound is refused (see WithPaginationLimits).
func (c *Client) offsetQuery(q url.Values, p offsetParams, o ListOptions, def, max int) (url.Values, int, error) {
	start, err := offsetOf(o.Cursor)
	if err != nil {
		return nil, 0, err
	}
	if err := c.walkLimits().CheckOffset(start); err != nil {
		return nil, 0, fmt.Errorf("jira: %w", err)
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set(p.start, strconv.Itoa(start))
	q.Set(p.size, strconv.Itoa(pageSize(o.PageSize, def, max)))
	return q, start, nil
}

// fetchPageBean fetches one page of a startAt/maxResults endpoint answering a PageBean.
func fetchPageBean[T any](ctx context.Context, c *Client, path apiPath, q url.Values, o ListOptions, def, max int) ([]T, *Response, error) {
	return fetchBean[T](ctx, c, request{method: http.MethodGet, path: path, query: q}, startAtParams, o, def, max)
}

// fetchBean sends the GET r for the page o selects (offset and size named
// by p) and decodes a PageBean or PagedDTO answer: the cursor advances by
// the values that came back and ends on the last-page flag or an empty page.
func fetchBean[T any](ctx context.Context, c *Client, r request, p offsetParams, o ListOptions, def, max int) ([]T, *Response, error) {
	q, start, err := c.offsetQuery(r.query, p, o, def, max)
	if err != nil {
		return nil, nil, err
	}
	r.query = q
	var page pageBean[T]
	resp, err := c.do(ctx, r, &page)
	if err != nil {
		return nil, resp, err
	}
	resp.NextCursor = nextPageBean(start, len(page.Values), page.last())
	if page.Total != nil {
		resp.Total = *page.Total
	}
	if page.MaxResults != nil {
		resp.PageSize = *page.MaxResults
	}
	return page.Values, resp, nil
}

// fetchArray fetches one page of a startAt/maxResults endpoint answering a bare JSON array.
func fetchArray[T any](ctx context.Context, c *Client, path apiPath, q url.Values, o ListOptions, def, max int) ([]T, *Response, error) {
	q, start, err := c.offsetQuery(q, startAtParams, o, def, max)
	if err != nil {
		return nil, nil, err
	}
	var items []T
	resp, err := c.do(ctx, request{method: http.MethodGet, path: path, query: q}, &items)
	if err != nil {
		return nil, resp, err
	}
	resp.NextCursor = nextArray(start, len(items))
	return items, resp, nil
}
