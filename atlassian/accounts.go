package atlassian

import (
	"context"
	"net/http"
)

// AccountsService is the user management API for managed accounts (those
// whose email domain the organization has verified): profiles, and
// deactivating and reactivating the account itself, which cuts or restores
// access to every Atlassian product, not only this organization's. Its root
// is the base URL without /admin (https://api.atlassian.com), and it
// refuses API keys created with scopes. See
// https://developer.atlassian.com/cloud/admin/user-management/rest/intro/
type AccountsService service

// AccountProfile is a managed account's profile (snake_case).
type AccountProfile struct {
	// AccountID is the account ID.
	AccountID AccountID `json:"account_id"`
	// AccountType is atlassian, customer or app.
	AccountType AccountType `json:"account_type"`
	// AccountStatus is active, inactive or closed.
	AccountStatus AccountStatus `json:"account_status"`
	// Name is the full name.
	Name string `json:"name"`
	// Nickname is the public name.
	Nickname string `json:"nickname"`
	// Email is the email address.
	Email string `json:"email"`
	// Picture is the URL of the avatar.
	Picture string `json:"picture"`
	// ZoneInfo is the time zone, e.g. "Europe/Paris".
	ZoneInfo string `json:"zoneinfo"`
	// Locale is the preferred locale, e.g. "en-US".
	Locale string `json:"locale"`
	// ExtendedProfile holds work details.
	ExtendedProfile ExtendedProfile `json:"extended_profile"`
}

// ExtendedProfile holds a managed account's work details.
type ExtendedProfile struct {
	// JobTitle is the job title.
	JobTitle string `json:"job_title"`
	// Organization is the employing organization.
	Organization string `json:"organization"`
	// Department is the department.
	Department string `json:"department"`
	// Location is the work location.
	Location string `json:"location"`
}

func managePath(id AccountID, rest string) (apiPath, error) {
	return newPath("/users").id("account ID", string(id)).lit(rest).build()
}

// Profile returns a managed account's profile.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/user-management/rest/api-group-users/#api-users-account-id-manage-profile-get
//
//	GET /users/{accountId}/manage/profile
func (s *AccountsService) Profile(ctx context.Context, id AccountID) (*AccountProfile, *Response, error) {
	path, err := managePath(id, "manage/profile")
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Account AccountProfile `json:"account"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: path, root: true}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out.Account, resp, nil
}

// Deactivate deactivates a managed account: it can no longer log in to any
// Atlassian product and is not billed. reason is shown to the user and may
// be ""; the body {"message": reason} is always sent, as the API requires
// a body. Reverse it with [AccountsService.Reactivate].
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/user-management/rest/api-group-lifecycle/#api-users-account-id-manage-lifecycle-disable-post
//
//	POST /users/{accountId}/manage/lifecycle/disable  {"message":…}
func (s *AccountsService) Deactivate(ctx context.Context, id AccountID, reason string) (*Response, error) {
	path, err := managePath(id, "manage/lifecycle/disable")
	if err != nil {
		return nil, err
	}
	body := struct {
		Message string `json:"message"`
	}{reason}
	return s.client.do(ctx, request{method: http.MethodPost, path: path, root: true, body: body}, nil)
}

// Reactivate reactivates a deactivated managed account.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/user-management/rest/api-group-lifecycle/#api-users-account-id-manage-lifecycle-enable-post
//
//	POST /users/{accountId}/manage/lifecycle/enable
func (s *AccountsService) Reactivate(ctx context.Context, id AccountID) (*Response, error) {
	path, err := managePath(id, "manage/lifecycle/enable")
	if err != nil {
		return nil, err
	}
	return s.client.do(ctx, request{method: http.MethodPost, path: path, root: true}, nil)
}
