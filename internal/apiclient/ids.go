package apiclient

// AccountID identifies an Atlassian account (the same ID the Jira API and
// the Atlassian Admin API use). It is opaque, up to 128 characters;
// customer accounts look like "qm:<uuid>:<hex>".
type AccountID string

// GroupID is a group's immutable UUID, the same in the Jira API (groupId)
// and the Atlassian Admin API. Prefer it to the group name, which can change.
type GroupID string

// CloudID identifies an Atlassian cloud site (a UUID).
type CloudID string
