package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"time"
)

// Time is a timestamp as Jira sends it. Jira's REST API writes
// "2014-03-19T18:45:42.967+0000" (milliseconds and a zone offset without a
// colon), which encoding/json's time.Time refuses; Time accepts that form
// (with or without milliseconds), RFC 3339 (with or without fractional
// seconds) and a bare date "2006-01-02". JSON null and "" decode to the zero
// Time, which marshals back to null.
type Time struct {
	time.Time
}

// jiraTimeLayouts are tried in order by [Time.UnmarshalJSON].
// Fractional seconds are accepted after the seconds field by every layout.
var jiraTimeLayouts = []string{
	"2006-01-02T15:04:05Z0700", // Jira: 2014-03-19T18:45:42.967+0000
	time.RFC3339,               // 2014-03-19T18:45:42.967Z, …+00:00
	"2006-01-02",
}

// jiraTimeFormat is the layout [Time.MarshalJSON] writes (Jira's own).
const jiraTimeFormat = "2006-01-02T15:04:05.000-0700"

// ParseTime parses a timestamp in any form [Time] accepts.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range jiraTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("jira: cannot parse time %q", s)
}

// UnmarshalJSON decodes a Jira timestamp string; null and "" give the zero Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("jira: time must be a JSON string, got %s", b)
	}
	if strings.TrimSpace(s) == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON writes Jira's form "2006-01-02T15:04:05.000-0700", or null for
// the zero Time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Format(jiraTimeFormat))
}

// AuditOptions selects audit records. The zero value asks for the newest
// records of any kind, 1000 per page.
type AuditOptions struct {
	ListOptions
	// Filter matches, as a substring, the summary, category, event source,
	// object item fields, changed values and remote address.
	Filter string
	// From keeps records created at or after this instant (zero: no bound).
	From time.Time
	// To keeps records created at or before this instant (zero: no bound).
	// When both are set From must be before To, or Jira returns nothing.
	To time.Time
}

// auditPageSize is Jira's documented default limit for /auditing/record,
// also the largest page it returns.
const auditPageSize = 1000

// AuditRecord is one entry of the Jira audit log.
type AuditRecord struct {
	// ID is the record ID.
	ID int64 `json:"id"`
	// Summary describes the event, e.g. "User added to group".
	Summary string `json:"summary"`
	// Category is e.g. "group management", "user management", "permissions".
	Category string `json:"category"`
	// EventSource is the event source, e.g. "Jira" or an app name.
	EventSource string `json:"eventSource"`
	// Description is the optional longer description.
	Description string `json:"description,omitempty"`
	// Created is when the event happened.
	Created Time `json:"created"`
	// AuthorKey is deprecated and usually empty; use AuthorAccountID.
	AuthorKey string `json:"authorKey,omitempty"`
	// AuthorAccountID is the account that caused the event ("" for system events).
	AuthorAccountID AccountID `json:"authorAccountId,omitempty"`
	// RemoteAddress is the IP address the change came from, if known.
	RemoteAddress string `json:"remoteAddress,omitempty"`
	// ObjectItem is the object the event acted on (zero if not reported).
	ObjectItem AuditItem `json:"objectItem"`
	// AssociatedItems are other objects involved, e.g. the user added to a group.
	AssociatedItems []AuditItem `json:"associatedItems,omitempty"`
	// ChangedValues lists the fields the event changed.
	ChangedValues []AuditChangedValue `json:"changedValues,omitempty"`
}

// AuditItem is an object named by an audit record.
type AuditItem struct {
	// ID is the object's ID (e.g. an account ID or a group ID).
	ID string `json:"id,omitempty"`
	// Name is the object's name.
	Name string `json:"name,omitempty"`
	// TypeName is the kind of object, e.g. "USER", "GROUP", "PROJECT", "SCHEME".
	TypeName string `json:"typeName,omitempty"`
	// ParentID is the ID of the object's parent (e.g. a directory).
	ParentID string `json:"parentId,omitempty"`
	// ParentName is the name of the object's parent.
	ParentName string `json:"parentName,omitempty"`
}

// AuditChangedValue is one field changed by an audited event.
type AuditChangedValue struct {
	// FieldName is the name of the changed field.
	FieldName string `json:"fieldName"`
	// ChangedFrom is the previous value ("" if none).
	ChangedFrom string `json:"changedFrom,omitempty"`
	// ChangedTo is the new value ("" if none).
	ChangedTo string `json:"changedTo,omitempty"`
}

// auditRecords is Jira's AuditRecords envelope.
type auditRecords struct {
	Offset  int           `json:"offset"`
	Limit   int           `json:"limit"`
	Total   int           `json:"total"`
	Records []AuditRecord `json:"records"`
}

// auditTimeFormat is how From and To are sent (ISO 8601 with milliseconds, UTC).
const auditTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Records returns one page of audit records, newest first. Paging uses
// Jira's offset and limit: PageSize defaults to, and is capped at, 1000
// (Jira's documented default), and the cursor advances by the number of
// records returned until the page is empty or total is reached. The caller
// needs Administer Jira, and the site needs at least one paid Jira product
// (Jira answers 403 otherwise).
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-audit-records/#api-rest-api-3-auditing-record-get
//
//	GET /rest/api/3/auditing/record
func (s *AuditService) Records(ctx context.Context, opts *AuditOptions) ([]AuditRecord, *Response, error) {
	o := AuditOptions{}
	if opts != nil {
		o = *opts
	}
	if !o.From.IsZero() && !o.To.IsZero() && o.To.Before(o.From) {
		return nil, nil, errors.New("jira: Audit.Records: To is before From")
	}
	q, start, err := s.client.offsetQuery(nil, auditParams, o.ListOptions, auditPageSize, auditPageSize)
	if err != nil {
		return nil, nil, err
	}
	if o.Filter != "" {
		q.Set("filter", o.Filter)
	}
	if !o.From.IsZero() {
		q.Set("from", o.From.UTC().Format(auditTimeFormat))
	}
	if !o.To.IsZero() {
		q.Set("to", o.To.UTC().Format(auditTimeFormat))
	}
	var page auditRecords
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/auditing/record"), query: q}, &page)
	if err != nil {
		return nil, resp, err
	}
	resp.NextCursor = nextTotal(start, len(page.Records), page.Total)
	return page.Records, resp, nil
}

// RecordsIter iterates over the audit records selected by opts, fetching
// pages with [AuditService.Records].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-audit-records/#api-rest-api-3-auditing-record-get
//
//	GET /rest/api/3/auditing/record
func (s *AuditService) RecordsIter(ctx context.Context, opts *AuditOptions) iter.Seq2[AuditRecord, error] {
	return paginateOpts(ctx, s.client, opts, func(o *AuditOptions) *ListOptions { return &o.ListOptions }, s.Records)
}
