package apiclient

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// ErrPaginationLimit is wrapped by the error of a listing that passed its
// page or item bound: the server kept returning fresh pages.
var ErrPaginationLimit = errors.New("pagination limit reached")

// Limits bounds one pagination walk; zero fields mean no bound.
type Limits struct {
	Pages, Items int
	// Option names the option that raises the limits, for the error.
	Option string
}

// check returns an error once pages or items passed the limits.
func (l Limits) check(pages, items int) error {
	if l.Pages > 0 && pages > l.Pages {
		return fmt.Errorf("%w: more than %d pages; the server keeps returning new pages (raise the limit with %s if the listing is really that long)", ErrPaginationLimit, l.Pages, l.Option)
	}
	if l.Items > 0 && items > l.Items {
		return fmt.Errorf("%w: more than %d items; the server keeps returning new pages (raise the limit with %s if the listing is really that long)", ErrPaginationLimit, l.Items, l.Option)
	}
	return nil
}

// Check returns an error wrapping ErrPaginationLimit once a walk fetched
// more than the page bound or listed more than the item bound; callers that
// drive a walk page by page themselves (e.g. across resumable page tokens)
// use it to apply the same bounds as the iterators.
func (l Limits) Check(pages, items int) error { return l.check(pages, items) }

// CheckOffset refuses an offset page starting past the item limit.
func (l Limits) CheckOffset(offset int) error { return l.check(0, offset) }

// Paginate turns a page fetcher into an iterator.
//
// opts is copied once (nil means the zero options); cursor returns the
// field of an options value that holds the page cursor. Every range starts
// afresh from that copy, and every page is fetched with a fresh copy
// carrying the page's cursor, so neither the caller's value nor the
// iterator's state is ever changed by fetch. next reads the next cursor
// from a page's response ("" after the last page); a nil response ends the
// listing.
//
// Between pages Paginate checks ctx. Before following a next cursor it asks
// stuck, passing the current cursor, the next one and whether the next one
// was already fetched in this range; a non-nil error is yielded as the
// listing's end. On any error it yields (zero, err) once and stops.
//
// lim bounds the pages fetched and items yielded in one range: past either
// bound the listing ends with an error wrapping ErrPaginationLimit.
func Paginate[O, T, R any](ctx context.Context, opts *O, cursor func(*O) *string,
	fetch func(context.Context, *O) ([]T, *R, error), next func(*R) string,
	stuck func(cur, next string, seen bool) error, lim Limits) iter.Seq2[T, error] {
	var start O
	if opts != nil {
		start = *opts
	}
	return func(yield func(T, error) bool) {
		var zero T
		o := start
		seen := map[string]bool{}
		pages, count := 0, 0
		for {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			pages++
			if err := lim.check(pages, count); err != nil {
				yield(zero, err)
				return
			}
			page := o
			items, resp, err := fetch(ctx, &page)
			if err != nil {
				yield(zero, err)
				return
			}
			count += len(items)
			if err := lim.check(pages, count); err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if resp == nil {
				return
			}
			cur, nc := *cursor(&o), next(resp)
			if nc == "" {
				return
			}
			seen[cur] = true
			if err := stuck(cur, nc, seen[nc]); err != nil {
				yield(zero, err)
				return
			}
			*cursor(&o) = nc
		}
	}
}

// Deref returns *p, or the zero value for a nil p.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// PageSize is the page size to ask for: def when requested is not
// positive, else requested capped at max when max > 0.
func PageSize(requested, def, max int) int {
	if requested <= 0 {
		return def
	}
	if max > 0 && requested > max {
		return max
	}
	return requested
}
