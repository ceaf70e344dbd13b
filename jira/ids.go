package jira

import (
	"strconv"

	"github.com/batonkit/jiracloud/internal/apiclient"
)

// AccountID identifies an Atlassian account (the same ID the Atlassian Admin
// API uses). It is opaque, up to 128 characters; customer accounts look like
// "qm:<uuid>:<hex>". It is the same type as atlassian.AccountID.
type AccountID = apiclient.AccountID

// GroupID is a group's immutable UUID. Prefer it to the group name, which
// can change. It is the same type as atlassian.GroupID.
type GroupID = apiclient.GroupID

// ProjectID is a project's numeric ID, carried as a string as Jira does.
type ProjectID string

// ProjectKey is a project's key, e.g. "PROJ". Keys can change; IDs cannot.
type ProjectKey string

// RoleID is a project role's numeric ID.
type RoleID int64

// String returns the decimal form of the role ID.
func (id RoleID) String() string { return strconv.FormatInt(int64(id), 10) }

// IssueID is an issue's numeric ID (as a string).
type IssueID string

// IssueKey is an issue key such as "PROJ-12".
type IssueKey string

// IssueTypeID identifies an issue type.
type IssueTypeID string

// FieldID identifies a field, e.g. "summary" or "customfield_10010".
type FieldID string

// PermissionSchemeID identifies a permission scheme.
type PermissionSchemeID int64

// String returns the decimal form of the scheme ID.
func (id PermissionSchemeID) String() string { return strconv.FormatInt(int64(id), 10) }

// ProductKey is an application role (product) key such as "jira-software".
type ProductKey string

// Products that can be granted when inviting a user.
const (
	ProductJiraSoftware          ProductKey = "jira-software"
	ProductJiraServiceManagement ProductKey = "jira-servicedesk"
	ProductJiraProductDiscovery  ProductKey = "jira-product-discovery"
	ProductJiraCore              ProductKey = "jira-core"
)

// CloudID identifies an Atlassian cloud site (a UUID). It is the same type
// as atlassian.CloudID.
type CloudID = apiclient.CloudID
