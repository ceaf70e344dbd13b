package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/pagination"
	sdkticket "github.com/conductorone/baton-sdk/pkg/types/ticket"
	"github.com/grpc-ecosystem/go-grpc-middleware/logging/zap/ctxzap"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"

	"github.com/batonkit/jiracloud/jira"
)

// Operation names of the ticketing calls, for error messages.
const (
	opListTicketSchemas = "list ticket schemas"
	opGetTicketSchema   = "get ticket schema"
	opCreateTicket      = "create ticket"
	opGetTicket         = "get ticket"
	opUpdateTicket      = "update ticket"
	opTransitionTicket  = "transition ticket"
	opCommentTicket     = "comment on ticket"
)

func init() {
	permissionFor[opListTicketSchemas] = `"Browse projects" and "Create issues" on the ticketing projects`
	permissionFor[opGetTicketSchema] = `"Browse projects" and "Create issues" on the project`
	permissionFor[opCreateTicket] = `"Create issues" on the project`
	permissionFor[opGetTicket] = `"Browse projects" on the issue's project`
	permissionFor[opUpdateTicket] = `"Edit issues" on the issue's project`
	permissionFor[opTransitionTicket] = `"Transition issues" on the issue's project`
	permissionFor[opCommentTicket] = `"Add comments" on the issue's project`
}

// metaTTL is how long the create metadata of one (project, issue type) is
// reused by CreateTicket before it is read again.
const metaTTL = 5 * time.Minute

// metaCacheMax bounds the create metadata kept in memory. Listing the
// schemas of a site with thousands of projects reads the metadata of every
// issue type (allowed values included); only the most recent are kept.
const metaCacheMax = 128

// ticketing is the connector's ticketing state: cached create metadata,
// the last project page read by ListTicketSchemas and the site's browse URL.
type ticketing struct {
	mu       sync.Mutex
	metas    map[string]*issueTypeMeta
	projPage *projectPage
	browse   string // site URL for browse links, "" until resolved

	// lookupWaits are the pauses before each search for an issue whose
	// create failed ambiguously (the search index can lag behind writes).
	lookupWaits []time.Duration
	// detachedTimeout bounds the work after the caller's context ended
	// mid-create (0: defaultDetachedTimeout).
	detachedTimeout time.Duration
	// now is the clock of the metadata cache.
	now func() time.Time
	// newLabel makes the request label of a create.
	newLabel func() string
}

type projectPage struct {
	fetched  time.Time
	cursor   string
	projects []jira.Project
	next     string
}

// issueTypeMeta is what a ticket schema is built from: a project, one of
// its issue types, the fields of its create screen and its statuses.
type issueTypeMeta struct {
	project   jira.Project
	issueType jira.IssueType
	fields    []jira.FieldCreateMetadata
	statuses  []jira.IssueStatus
	fetched   time.Time
}

func (m *issueTypeMeta) schemaID() string { return ticketSchemaID(m.project.Key, m.issueType.ID) }

func (m *issueTypeMeta) field(id string) (jira.FieldCreateMetadata, bool) {
	for _, f := range m.fields {
		if string(f.FieldID) == id {
			return f, true
		}
	}
	return jira.FieldCreateMetadata{}, false
}

// ticketSchemaID is baton-jira's schema ID: "<projectKey>:<issueTypeId>".
func ticketSchemaID(key jira.ProjectKey, it jira.IssueTypeID) string {
	return string(key) + ":" + string(it)
}

func parseTicketSchemaID(id string) (jira.ProjectKey, jira.IssueTypeID, error) {
	key, it, ok := strings.Cut(strings.TrimSpace(id), ":")
	if !ok || key == "" || it == "" || strings.Contains(it, ":") {
		return "", "", errorf(codes.InvalidArgument, "ticket schema ID %q is not <projectKey>:<issueTypeId> (e.g. PROJ:10001); list the schemas to find it", id)
	}
	return jira.ProjectKey(strings.ToUpper(key)), jira.IssueTypeID(it), nil
}

// schemaToken is the ListTicketSchemas page token: the position of the
// next (project, issue type page) to turn into schemas.
type schemaToken struct {
	// KeyIndex is the index into the configured project keys (with JiraProjectKeys).
	KeyIndex int `json:"k,omitempty"`
	// PageCursor and PageIndex locate the project in project/search pages (without keys).
	PageCursor string `json:"pc,omitempty"`
	PageIndex  int    `json:"pi,omitempty"`
	// Position is the project's position in the whole project/search listing.
	Position int `json:"po,omitempty"`
	// TypesCursor is the createmeta issue types cursor within the project.
	TypesCursor string `json:"ic,omitempty"`
}

func (c *Connector) ticketProjectKeys() []jira.ProjectKey {
	var out []jira.ProjectKey
	for _, k := range c.cfg.JiraProjectKeys {
		k = strings.ToUpper(strings.TrimSpace(k))
		if k != "" && !slices.Contains(out, jira.ProjectKey(k)) {
			out = append(out, jira.ProjectKey(k))
		}
	}
	return out
}

// ListTicketSchemas returns the ticket schemas of one project and one page
// of its issue types: one schema per (project, issue type), for the
// projects of JiraProjectKeys or, when it is empty, every project the
// account can see. The page token walks all projects and all issue type
// pages. Subtask issue types are left out: their issues need a parent.
// A configured project key that does not exist (or is not visible) is an
// InvalidArgument error naming it.
//
// Jira API: GET /rest/api/3/project/search or /project/{key},
// /project/{key}/statuses, /issue/createmeta/{key}/issuetypes and
// /issue/createmeta/{key}/issuetypes/{id} (all pages).
func (c *Connector) ListTicketSchemas(ctx context.Context, pt *pagination.Token) ([]*v2.TicketSchema, string, annotations.Annotations, error) {
	var tok schemaToken
	if pt != nil && pt.Token != "" {
		if err := json.Unmarshal([]byte(pt.Token), &tok); err != nil {
			return nil, "", nil, errorf(codes.InvalidArgument, "%s: invalid page token", opListTicketSchemas)
		}
	}
	keys := c.ticketProjectKeys()
	var project *jira.Project
	next := schemaToken{}
	done := false
	if len(keys) > 0 {
		if tok.KeyIndex < 0 || tok.KeyIndex >= len(keys) {
			return nil, "", nil, errorf(codes.InvalidArgument, "%s: invalid page token", opListTicketSchemas)
		}
		p, err := c.ticketProject(ctx, string(keys[tok.KeyIndex]), opListTicketSchemas)
		if err != nil {
			return nil, "", nil, err
		}
		project = p
		next.KeyIndex = tok.KeyIndex + 1
		done = next.KeyIndex >= len(keys)
	} else {
		page, err := c.projectSearchPage(ctx, tok.PageCursor)
		if err != nil {
			return nil, "", nil, err
		}
		if tok.PageIndex >= len(page.projects) {
			// The page is shorter than when the token was made (Jira
			// lowered the page size, or projects went away): read on from
			// the project's position in the whole listing.
			if page.next == "" {
				return nil, "", nil, nil
			}
			b, _ := json.Marshal(schemaToken{PageCursor: jira.OffsetCursor(tok.Position), Position: tok.Position})
			return nil, string(b), nil, nil
		}
		project = &page.projects[tok.PageIndex]
		next.PageCursor, next.PageIndex, next.Position = tok.PageCursor, tok.PageIndex+1, tok.Position+1
		if next.PageIndex >= len(page.projects) {
			next.PageCursor, next.PageIndex = page.next, 0
			done = page.next == ""
		}
	}
	types, resp, err := c.jira.Issues.CreateMetaIssueTypes(ctx, string(project.Key), &jira.ListOptions{Cursor: tok.TypesCursor})
	if err != nil {
		return nil, "", nil, wrapErr(opListTicketSchemas, fmt.Errorf("issue types of project %s: %w", project.Key, err))
	}
	if resp.NextCursor != "" {
		next = tok
		next.TypesCursor = resp.NextCursor
		done = false
	}
	var statuses []jira.IssueTypeStatuses
	if len(types) > 0 {
		statuses, _, err = c.jira.Projects.Statuses(ctx, string(project.Key))
		if err != nil {
			return nil, "", nil, wrapErr(opListTicketSchemas, fmt.Errorf("statuses of project %s: %w", project.Key, err))
		}
	}
	var out []*v2.TicketSchema
	for _, it := range types {
		if it.Subtask || it.HierarchyLevel < 0 {
			continue
		}
		m, err := c.loadIssueTypeMeta(ctx, *project, it, statuses, opListTicketSchemas)
		if errors.Is(err, jira.ErrNotFound) {
			// The issue type went away (or cannot be created here) since
			// the issue types were listed: leave it out, keep the others.
			ctxzap.Extract(ctx).Warn("baton-jira: skipping an issue type without create metadata",
				zap.String("project", string(project.Key)), zap.String("issue_type", string(it.ID)), zap.Error(err))
			continue
		}
		if err != nil {
			return nil, "", nil, err
		}
		out = append(out, m.schema())
	}
	if done {
		return out, "", nil, nil
	}
	b, _ := json.Marshal(next)
	return out, string(b), nil, nil
}

// projectSearchPage returns the project/search page at cursor, reusing the
// last page read if it is fresh (ListTicketSchemas handles one project of it
// per call).
func (c *Connector) projectSearchPage(ctx context.Context, cursor string) (*projectPage, error) {
	c.tk.mu.Lock()
	if pp := c.tk.projPage; pp != nil && pp.cursor == cursor && c.tk.clock().Sub(pp.fetched) < metaTTL {
		c.tk.mu.Unlock()
		return pp, nil
	}
	c.tk.mu.Unlock()
	ps, resp, err := c.jira.Projects.Search(ctx, &jira.ProjectSearchOptions{ListOptions: jira.ListOptions{Cursor: cursor}})
	if err != nil {
		return nil, wrapErr(opListTicketSchemas, err)
	}
	pp := &projectPage{fetched: c.tk.clock(), cursor: cursor, projects: ps, next: resp.NextCursor}
	c.tk.mu.Lock()
	c.tk.projPage = pp
	c.tk.mu.Unlock()
	return pp, nil
}

// ticketProject reads a project by key, turning a 404 into an error that
// names the key.
func (c *Connector) ticketProject(ctx context.Context, key, op string) (*jira.Project, error) {
	p, _, err := c.jira.Projects.Get(ctx, key)
	if errors.Is(err, jira.ErrNotFound) {
		return nil, errorf(codes.InvalidArgument, "%s: project %q does not exist or the account cannot browse it "+
			"(check jira-project-keys and the account's project permissions)", op, key)
	}
	if err != nil {
		return nil, wrapErr(op, fmt.Errorf("project %s: %w", key, err))
	}
	return p, nil
}

// loadIssueTypeMeta reads all createmeta field pages of an issue type and
// caches the result.
func (c *Connector) loadIssueTypeMeta(ctx context.Context, p jira.Project, it jira.IssueType, statuses []jira.IssueTypeStatuses, op string) (*issueTypeMeta, error) {
	m := &issueTypeMeta{project: p, issueType: it, fetched: c.tk.clock()}
	cursor := ""
	for {
		fs, resp, err := c.jira.Issues.CreateMetaFields(ctx, string(p.Key), it.ID, &jira.ListOptions{Cursor: cursor})
		if err != nil {
			return nil, wrapErr(op, fmt.Errorf("fields of issue type %s (%s) in project %s: %w", it.Name, it.ID, p.Key, err))
		}
		m.fields = append(m.fields, fs...)
		if resp.NextCursor == "" || resp.NextCursor == cursor {
			break
		}
		cursor = resp.NextCursor
	}
	for _, s := range statuses {
		if s.ID == it.ID {
			m.statuses = s.Statuses
		}
	}
	c.tk.mu.Lock()
	c.tk.remember(m)
	c.tk.mu.Unlock()
	return m, nil
}

// remember caches m, first dropping expired entries and, at metaCacheMax
// entries, the oldest one. t.mu must be held.
func (t *ticketing) remember(m *issueTypeMeta) {
	if t.metas == nil {
		t.metas = map[string]*issueTypeMeta{}
	}
	id := m.schemaID()
	if _, ok := t.metas[id]; !ok && len(t.metas) >= metaCacheMax {
		now := t.clock()
		oldest := ""
		for k, v := range t.metas {
			if now.Sub(v.fetched) >= metaTTL {
				delete(t.metas, k)
				continue
			}
			if oldest == "" || v.fetched.Before(t.metas[oldest].fetched) {
				oldest = k
			}
		}
		if len(t.metas) >= metaCacheMax && oldest != "" {
			delete(t.metas, oldest)
		}
	}
	t.metas[id] = m
}

func (t *ticketing) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

// issueTypeMetaFor returns the (cached, at most metaTTL old) metadata of a
// schema ID, reading the project, its statuses and the fields otherwise.
func (c *Connector) issueTypeMetaFor(ctx context.Context, schemaID, op string, fresh bool) (*issueTypeMeta, error) {
	key, itID, err := parseTicketSchemaID(schemaID)
	if err != nil {
		return nil, err
	}
	id := ticketSchemaID(key, itID)
	c.tk.mu.Lock()
	m := c.tk.metas[id]
	c.tk.mu.Unlock()
	if m != nil && !fresh && c.tk.clock().Sub(m.fetched) < metaTTL {
		return m, nil
	}
	p, err := c.ticketProject(ctx, string(key), op)
	if err != nil {
		return nil, err
	}
	statuses, _, err := c.jira.Projects.Statuses(ctx, string(p.Key))
	if err != nil {
		return nil, wrapErr(op, fmt.Errorf("statuses of project %s: %w", p.Key, err))
	}
	var it *jira.IssueType
	for _, s := range statuses {
		if s.ID == itID {
			it = &jira.IssueType{ID: s.ID, Name: s.Name, Subtask: s.Subtask}
		}
	}
	if it == nil {
		return nil, errorf(codes.InvalidArgument, "%s: issue type %s is not available in project %s (ticket schema %s); list the schemas to find a valid one",
			op, itID, p.Key, schemaID)
	}
	return c.loadIssueTypeMeta(ctx, *p, *it, statuses, op)
}

// GetTicketSchema returns the schema "<projectKey>:<issueTypeId>", read
// afresh from Jira.
func (c *Connector) GetTicketSchema(ctx context.Context, schemaID string) (*v2.TicketSchema, annotations.Annotations, error) {
	m, err := c.issueTypeMetaFor(ctx, schemaID, opGetTicketSchema, true)
	if err != nil {
		return nil, nil, err
	}
	return m.schema(), nil, nil
}

// nativeFields are create-screen fields the ticket carries itself (or that
// cannot be set from a ticket); they are not offered as custom fields.
var nativeFields = map[string]bool{
	"project": true, "issuetype": true, "summary": true, "description": true, "labels": true,
	"reporter": true, "parent": true, "attachment": true, "issuelinks": true, "status": true,
	"created": true, "updated": true, "resolution": true, "resolutiondate": true, "timetracking": true,
	"worklog": true, "comment": true, "watches": true, "votes": true, "thumbnail": true,
}

// offeredSystemFields are the system fields offered as custom fields.
var offeredSystemFields = map[string]bool{
	"components": true, "priority": true, "duedate": true, "assignee": true, "fixVersions": true,
	"versions": true, "environment": true,
}

// fieldKind is how a Jira field's value is written.
type fieldKind int

const (
	kindText     fieldKind = iota + 1 // single-line text: a JSON string
	kindADF                           // multi-line text: an ADF document
	kindNumber                        // a JSON number
	kindDate                          // "2006-01-02"
	kindDateTime                      // Jira's date-time format
	kindUser                          // {"accountId": …}
	kindUsers                         // [{"accountId": …}]
	kindGroup                         // {"name": …}
	kindGroups                        // [{"name": …}]
	kindStrings                       // ["a", "b"] (labels-like)
	kindOption                        // {"id": …} from allowed values
	kindOptions                       // [{"id": …}] from allowed values
	kindRaw                           // JSON as given (or a string)
)

// fieldKindOf classifies a create-screen field; ok is false for fields a
// ticket cannot set (and that are not required).
func fieldKindOf(f jira.FieldCreateMetadata) (fieldKind, bool) {
	s := f.Schema
	hasAllowed := len(f.AllowedValues) > 0
	switch s.Type {
	case "array":
		switch {
		case s.Items == "option" || s.Items == "component" || s.Items == "version" || hasAllowed:
			return kindOptions, true
		case s.Items == "user":
			return kindUsers, true
		case s.Items == "group":
			return kindGroups, true
		case s.Items == "string":
			return kindStrings, true
		}
		return kindRaw, f.Required
	case "number":
		return kindNumber, true
	case "date":
		return kindDate, true
	case "datetime":
		return kindDateTime, true
	case "user":
		return kindUser, true
	case "group":
		return kindGroup, true
	case "string":
		if strings.HasSuffix(s.Custom, ":textarea") || s.System == "environment" || s.System == "description" {
			return kindADF, true
		}
		return kindText, true
	case "option", "priority", "version", "component", "securitylevel", "option-with-child":
		if hasAllowed {
			return kindOption, true
		}
		return kindRaw, f.Required
	}
	if hasAllowed {
		return kindOption, true
	}
	return kindRaw, f.Required
}

// allowedValue is one allowed value of a field: option, component, version, priority.
type allowedValue struct {
	ID    string `json:"id"`
	Value string `json:"value"`
	Name  string `json:"name"`
	// Children are a cascading select parent option's child options.
	Children []allowedValue `json:"children"`
}

// cascadeSep joins a cascading select's parent and child option IDs in
// the ticket's value ("10300:10301"); Jira option IDs are numeric.
const cascadeSep = ":"

func (a allowedValue) label() string {
	if a.Value != "" {
		return a.Value
	}
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

func allowedValues(f jira.FieldCreateMetadata) []allowedValue {
	var out []allowedValue
	for _, raw := range f.AllowedValues {
		var a allowedValue
		if json.Unmarshal(raw, &a) == nil && a.ID != "" {
			out = append(out, a)
			// A cascading select's children become values of their own:
			// "<parent>:<child>", shown as "Parent / Child".
			for _, ch := range a.Children {
				if ch.ID != "" {
					out = append(out, allowedValue{ID: a.ID + cascadeSep + ch.ID, Value: a.label() + " / " + ch.label()})
				}
			}
		}
	}
	return out
}

func objectValues(f jira.FieldCreateMetadata) []*v2.TicketCustomFieldObjectValue {
	var out []*v2.TicketCustomFieldObjectValue
	for _, a := range allowedValues(f) {
		out = append(out, v2.TicketCustomFieldObjectValue_builder{Id: a.ID, DisplayName: a.label()}.Build())
	}
	return out
}

// offered reports whether a create-screen field is a custom field of the schema.
func offered(f jira.FieldCreateMetadata) bool {
	id := string(f.FieldID)
	if nativeFields[id] {
		return false
	}
	if f.Schema.Custom == "" && !offeredSystemFields[id] && !f.Required {
		return false
	}
	_, ok := fieldKindOf(f)
	return ok
}

// schemaField is the SDK custom field of a Jira create-screen field.
func schemaField(f jira.FieldCreateMetadata) *v2.TicketCustomField {
	id, name, req := string(f.FieldID), f.Name, f.Required
	kind, _ := fieldKindOf(f)
	switch kind {
	case kindNumber:
		return sdkticket.NumberFieldSchema(id, name, req)
	case kindDate, kindDateTime:
		return sdkticket.TimestampFieldSchema(id, name, req)
	case kindUsers, kindGroups, kindStrings:
		return sdkticket.StringsFieldSchema(id, name, req)
	case kindOption:
		return sdkticket.PickObjectValueFieldSchema(id, name, req, objectValues(f))
	case kindOptions:
		return sdkticket.PickMultipleObjectValuesFieldSchema(id, name, req, objectValues(f))
	}
	return sdkticket.StringFieldSchema(id, name, req)
}

// schema builds the SDK ticket schema.
func (m *issueTypeMeta) schema() *v2.TicketSchema {
	cfs := map[string]*v2.TicketCustomField{}
	for _, f := range m.fields {
		if offered(f) {
			cfs[string(f.FieldID)] = schemaField(f)
		}
	}
	var sts []*v2.TicketStatus
	for _, s := range m.statuses {
		sts = append(sts, v2.TicketStatus_builder{Id: s.ID, DisplayName: s.Name}.Build())
	}
	return v2.TicketSchema_builder{
		Id:           m.schemaID(),
		DisplayName:  m.issueType.Name + " (" + string(m.project.Key) + ")",
		Types:        []*v2.TicketType{v2.TicketType_builder{Id: string(m.issueType.ID), DisplayName: m.issueType.Name}.Build()},
		Statuses:     sts,
		CustomFields: cfs,
	}.Build()
}
