package apiclient

import (
	"context"
	"iter"
)

// ListOptions selects one page of any page method of either client,
// whatever the underlying pagination style: Cursor is opaque and comes from
// the previous page's [Response].NextCursor.
type ListOptions struct {
	// Cursor is "" for the first page, else a previous Response.NextCursor.
	Cursor string
	// PageSize is the number of items to ask for; 0 means the method's
	// documented best value (often the largest the endpoint honours). The
	// server may return fewer: pagination follows what came back.
	PageSize int
}

// Default pagination bounds: far above any Jira Cloud site (at most 150,000
// users) or organization, low enough that a server paging forever ends in
// an error.
const (
	DefaultMaxPages = 100_000
	DefaultMaxItems = 2_000_000
)

// PageFunc fetches the page o selects.
type PageFunc[T any] func(ctx context.Context, o ListOptions) ([]T, *Response, error)

// PaginateList turns a page method taking [ListOptions] into an iterator
// (see [Paginate]): it follows [Response].NextCursor until it is empty;
// stuck is the client's policy against cursors that do not advance.
func PaginateList[T any](ctx context.Context, opts *ListOptions, fetch PageFunc[T],
	stuck func(cur, next string, seen bool) error, lim Limits) iter.Seq2[T, error] {
	return PaginateEmbedded(ctx, opts, func(o *ListOptions) *ListOptions { return o },
		func(ctx context.Context, o *ListOptions) ([]T, *Response, error) { return fetch(ctx, *o) }, stuck, lim)
}

// PaginateEmbedded is [PaginateList] for page methods whose options struct
// O embeds [ListOptions] (lo returns it): *opts is copied once (nil means
// the zero options) and each page is fetched with a copy carrying the
// page's cursor, so the caller's value is never changed.
func PaginateEmbedded[O, T any](ctx context.Context, opts *O, lo func(*O) *ListOptions,
	fetch func(context.Context, *O) ([]T, *Response, error),
	stuck func(cur, next string, seen bool) error, lim Limits) iter.Seq2[T, error] {
	return Paginate(ctx, opts, func(o *O) *string { return &lo(o).Cursor }, fetch, nextCursor, stuck, lim)
}

// nextCursor is a page response's next cursor.
func nextCursor(r *Response) string { return r.NextCursor }
