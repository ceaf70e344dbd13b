package jira

import "testing"

// TestPaginationLimits: the bounds a caller driving its own walk reads are
// the configured ones, with 0 (and no option) keeping the defaults.
func TestPaginationLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opts         []Option
		pages, items int
	}{
		{nil, DefaultMaxPages, DefaultMaxItems},
		{[]Option{WithPaginationLimits(5, 0)}, 5, DefaultMaxItems},
		{[]Option{WithPaginationLimits(0, 250)}, DefaultMaxPages, 250},
	} {
		c, _, _ := setup(t, tc.opts...)
		if p, i := c.PaginationLimits(); p != tc.pages || i != tc.items {
			t.Errorf("PaginationLimits() = %d, %d, want %d, %d", p, i, tc.pages, tc.items)
		}
	}
}
