package atlassian

import (
	"strings"
	"time"

	"github.com/batonkit/jiracloud/internal/apiclient"
)

// OrgID identifies an Atlassian organization (a UUID-like string shown in
// the Atlassian Administration URL and next to each API key).
type OrgID string

// DirectoryID identifies a user directory of an organization. The special
// value [AllDirectories] ("-") addresses every directory the API key may manage.
type DirectoryID string

// AllDirectories is the directory ID "-": every directory the requester may manage.
const AllDirectories DirectoryID = "-"

// WorkspaceID identifies a workspace (a product instance). For sited
// products it is an ARI such as "ari:cloud:jira-software::site/<cloudId>".
type WorkspaceID string

// AccountID identifies an Atlassian account; it is the same type as
// jira.AccountID, so IDs flow between both clients without conversion.
type AccountID = apiclient.AccountID

// GroupID identifies a group. Admin API group IDs are the same UUIDs as
// Jira's groupId, so this is the same type as jira.GroupID.
type GroupID = apiclient.GroupID

// CloudID identifies an Atlassian cloud site (a UUID); it is the same type
// as jira.CloudID.
type CloudID = apiclient.CloudID

// AccountType is the kind of account.
type AccountType string

// Account types.
const (
	AccountTypeAtlassian AccountType = "atlassian"
	AccountTypeCustomer  AccountType = "customer"
	AccountTypeApp       AccountType = "app"
)

// AccountStatus is the lifecycle status of the Atlassian account itself.
type AccountStatus string

// Account statuses.
const (
	// AccountStatusActive: the account can be used.
	AccountStatusActive AccountStatus = "active"
	// AccountStatusInactive: the account is deactivated and has no access.
	AccountStatusInactive AccountStatus = "inactive"
	// AccountStatusClosed: the account is closed.
	AccountStatusClosed AccountStatus = "closed"
)

// UserStatus is the composite status of a user in the organization's
// directories (v2 MultiDirectoryUser.status).
type UserStatus string

// User statuses.
const (
	// UserStatusActive: account active and membership active.
	UserStatusActive UserStatus = "active"
	// UserStatusSuspended: account active, membership suspended.
	UserStatusSuspended UserStatus = "suspended"
	// UserStatusNotInvited: account active, no directory membership.
	UserStatusNotInvited UserStatus = "not_invited"
	// UserStatusDeactivated: the account is inactive.
	UserStatusDeactivated UserStatus = "deactivated"
	// UserStatusForDeletion: a managed account scheduled for deletion.
	UserStatusForDeletion UserStatus = "for_deletion"
)

// MembershipStatus is the status of a user's directory membership.
type MembershipStatus string

// Membership statuses.
const (
	MembershipStatusActive       MembershipStatus = "active"
	MembershipStatusSuspended    MembershipStatus = "suspended"
	MembershipStatusNoMembership MembershipStatus = "no_membership"
)

// ClaimStatus tells whether the organization manages the account (its email
// domain is verified by the organization).
type ClaimStatus string

// Claim statuses.
const (
	ClaimStatusManaged   ClaimStatus = "managed"
	ClaimStatusUnmanaged ClaimStatus = "unmanaged"
)

// Role IDs used by the v2 user and group filters.
const (
	RoleUser            = "atlassian/user"
	RoleAdmin           = "atlassian/admin"
	RoleGuest           = "atlassian/guest"
	RoleCustomer        = "atlassian/customer"
	RoleUserAccessAdmin = "atlassian/user-access-admin"
	RoleContributor     = "atlassian/contributor"
	RoleBasic           = "atlassian/basic"
	RoleStakeholder     = "atlassian/stakeholder"
	RoleOrgAdmin        = "atlassian/org-admin"
	RoleSiteAdmin       = "atlassian/site-admin"
	RoleAIAccess        = "atlassian/ai-access"
)

// timeLayouts are the timestamp forms the Admin APIs use: ISO 8601 with or
// without fractional seconds, and plain dates (yyyy-MM-dd) for last-active
// dates.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// parseTime parses an Admin API timestamp. Empty, null or unparsable values
// give the zero time: one odd date must not fail a whole page.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		return time.Time{}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// optString turns a nullable JSON string into a string ("" for null).
func optString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
