package jira

import (
	"context"
	"errors"
	"net/http"
)

// ApplicationRole is a Jira product (application role) such as Jira
// Software: the groups that grant access to it and its seats.
type ApplicationRole struct {
	// Key is the product key, e.g. "jira-software".
	Key ProductKey `json:"key"`
	// Name is the display name, e.g. "Jira Software".
	Name string `json:"name"`
	// Groups are the names of the groups granting access (deprecated by
	// Jira; use GroupDetails, which carries group IDs).
	Groups []string `json:"groups,omitempty"`
	// GroupDetails are the groups granting access to the product.
	GroupDetails []GroupName `json:"groupDetails,omitempty"`
	// DefaultGroups are the names of the groups new users are added to.
	DefaultGroups []string `json:"defaultGroups,omitempty"`
	// DefaultGroupsDetails are the groups new users are added to.
	DefaultGroupsDetails []GroupName `json:"defaultGroupsDetails,omitempty"`
	// SelectedByDefault reports whether new users get this product by default.
	SelectedByDefault bool `json:"selectedByDefault"`
	// Defined reports whether the application role is defined (licensed).
	Defined bool `json:"defined"`
	// NumberOfSeats is the number of licensed seats; meaningless when
	// HasUnlimitedSeats is true.
	NumberOfSeats int `json:"numberOfSeats"`
	// RemainingSeats is the number of free seats (negative when over the limit).
	RemainingSeats int `json:"remainingSeats"`
	// UserCount is the number of users counting against the license.
	UserCount int `json:"userCount"`
	// UserCountDescription names what UserCount counts, e.g. "users".
	UserCountDescription string `json:"userCountDescription,omitempty"`
	// HasUnlimitedSeats reports whether the license has no seat limit.
	HasUnlimitedSeats bool `json:"hasUnlimitedSeats"`
	// Platform reports whether this is the platform role (Jira itself, not a product).
	Platform bool `json:"platform"`
}

// List returns every application role (product) of the site. The endpoint is
// not paged. It needs Administer Jira and accepts Basic auth only.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-application-roles/#api-rest-api-3-applicationrole-get
//
//	GET /rest/api/3/applicationrole
func (s *ApplicationRolesService) List(ctx context.Context) ([]ApplicationRole, *Response, error) {
	var roles []ApplicationRole
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/applicationrole")}, &roles)
	if err != nil {
		return nil, resp, err
	}
	return roles, resp, nil
}

// Get returns one application role. An unknown key gives an [*Error]
// matching [ErrNotFound].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-application-roles/#api-rest-api-3-applicationrole-key-get
//
//	GET /rest/api/3/applicationrole/{key}
func (s *ApplicationRolesService) Get(ctx context.Context, key ProductKey) (*ApplicationRole, *Response, error) {
	if key == "" {
		return nil, nil, errors.New("jira: ApplicationRoles.Get needs a product key")
	}
	seg, err := pathSegment("ApplicationRoles.Get", "product key", string(key))
	if err != nil {
		return nil, nil, err
	}
	r := new(ApplicationRole)
	resp, err := s.client.do(ctx, request{method: http.MethodGet,
		path: endpoint(apiPrefix+"/applicationrole/{}", seg)}, r)
	if err != nil {
		return nil, resp, err
	}
	return r, resp, nil
}
