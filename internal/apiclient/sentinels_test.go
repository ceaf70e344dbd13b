package apiclient

import (
	"errors"
	"testing"
)

func TestStatusIsAndTemporary(t *testing.T) {
	t.Parallel()
	sentinels := map[error]int{ErrNotFound: 404, ErrUnauthorized: 401, ErrForbidden: 403,
		ErrRateLimited: 429, ErrConflict: 409, ErrBadRequest: 400}
	for target, status := range sentinels {
		for _, s := range []int{400, 401, 403, 404, 409, 429, 500} {
			if got := StatusIs(s, target); got != (s == status) {
				t.Errorf("StatusIs(%d, %v) = %v", s, target, got)
			}
		}
	}
	if StatusIs(404, errors.New("jira: not found")) {
		t.Error("StatusIs matched an error that only reads like a sentinel")
	}
	for s, want := range map[int]bool{429: true, 500: true, 502: true, 503: true, 501: false, 404: false, 400: false} {
		if got := Temporary(s); got != want {
			t.Errorf("Temporary(%d) = %v, want %v", s, got, want)
		}
	}
}
