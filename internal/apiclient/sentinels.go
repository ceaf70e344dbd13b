package apiclient

import (
	"errors"
	"net/http"
)

// Sentinel errors matched by both clients' error types through errors.Is,
// by status code (see [StatusIs]). jira.ErrNotFound and
// atlassian.ErrNotFound are the same value, and so on.
var (
	// ErrNotFound matches a 404.
	ErrNotFound = errors.New("jira: not found")
	// ErrUnauthorized matches a 401.
	ErrUnauthorized = errors.New("jira: unauthorized")
	// ErrForbidden matches a 403.
	ErrForbidden = errors.New("jira: forbidden")
	// ErrRateLimited matches a 429.
	ErrRateLimited = errors.New("jira: rate limited")
	// ErrConflict matches a 409.
	ErrConflict = errors.New("jira: conflict")
	// ErrBadRequest matches a 400.
	ErrBadRequest = errors.New("jira: bad request")
)

// StatusIs reports whether an error with HTTP status status matches the
// sentinel target.
func StatusIs(status int, target error) bool {
	switch target {
	case ErrNotFound:
		return status == http.StatusNotFound
	case ErrUnauthorized:
		return status == http.StatusUnauthorized
	case ErrForbidden:
		return status == http.StatusForbidden
	case ErrRateLimited:
		return status == http.StatusTooManyRequests
	case ErrConflict:
		return status == http.StatusConflict
	case ErrBadRequest:
		return status == http.StatusBadRequest
	}
	return false
}

// Temporary reports whether retrying a call that ended with status may
// succeed later: 429, and 5xx except 501.
func Temporary(status int) bool {
	return status == http.StatusTooManyRequests || (status >= 500 && status != http.StatusNotImplemented)
}
