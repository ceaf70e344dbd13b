package jira

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// System field IDs used by the typed helpers of [IssueCreate] and [Issue].
const (
	FieldProject     FieldID = "project"
	FieldIssueType   FieldID = "issuetype"
	FieldSummary     FieldID = "summary"
	FieldDescription FieldID = "description"
	FieldStatus      FieldID = "status"
	FieldAssignee    FieldID = "assignee"
	FieldReporter    FieldID = "reporter"
	FieldLabels      FieldID = "labels"
	FieldPriority    FieldID = "priority"
	FieldCreated     FieldID = "created"
	FieldUpdated     FieldID = "updated"
	FieldParent      FieldID = "parent"
)

// Status categories accepted by [StatusSearchOptions].StatusCategory.
const (
	StatusCategoryToDo       = "TODO"
	StatusCategoryInProgress = "IN_PROGRESS"
	StatusCategoryDone       = "DONE"
)

// ADFText returns a minimal Atlassian Document Format document holding
// text, one paragraph per line (an empty line gives an empty paragraph).
// In REST v3, description, environment and multi-line text custom fields
// take ADF documents rather than strings.
func ADFText(text string) map[string]any {
	content := []any{}
	if text != "" {
		for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			p := map[string]any{"type": "paragraph"}
			if line != "" {
				p["content"] = []any{map[string]any{"type": "text", "text": line}}
			}
			content = append(content, p)
		}
	}
	return map[string]any{"type": "doc", "version": 1, "content": content}
}

// IssueCreate is the body of [IssuesService.Create] (Jira's
// IssueUpdateDetails). Fields maps field IDs to values in Jira's JSON
// shapes; the Set methods fill the common ones and create the map as needed.
type IssueCreate struct {
	// Fields are the field values, keyed by field ID (e.g. "summary", "customfield_10010").
	Fields map[string]any `json:"fields"`
	// Update holds field operations, e.g. {"labels":[{"add":"x"}]}.
	Update map[string]any `json:"update,omitempty"`
	// Transition, if set, transitions the new issue at once: {"id":"<transition ID>"}.
	Transition *TransitionRef `json:"transition,omitempty"`
	// Properties are issue entity properties set with the issue. Unlike
	// fields, they do not depend on the create screen.
	Properties []EntityProperty `json:"properties,omitempty"`
}

// EntityProperty is an entity property (key and JSON value) in a request body.
type EntityProperty struct {
	// Key is the property key (at most 255 characters).
	Key string `json:"key"`
	// Value is any JSON value (at most 32768 characters encoded).
	Value any `json:"value"`
}

// TransitionRef names a workflow transition in a request body.
type TransitionRef struct {
	// ID is the transition ID.
	ID string `json:"id"`
}

// NewIssueCreate starts an [IssueCreate] for a project (ID or key), an issue
// type and a summary.
func NewIssueCreate(projectIDOrKey string, issueType IssueTypeID, summary string) IssueCreate {
	var c IssueCreate
	c.SetProject(projectIDOrKey).SetIssueType(issueType).SetSummary(summary)
	return c
}

// Set sets a field to a value in Jira's JSON shape and returns c.
func (c *IssueCreate) Set(field FieldID, value any) *IssueCreate {
	if c.Fields == nil {
		c.Fields = map[string]any{}
	}
	c.Fields[string(field)] = value
	return c
}

// SetProject sets the project: {"id":…} for a numeric ID, else {"key":…}.
func (c *IssueCreate) SetProject(idOrKey string) *IssueCreate {
	if isNumericID(idOrKey) {
		return c.Set(FieldProject, map[string]string{"id": idOrKey})
	}
	return c.Set(FieldProject, map[string]string{"key": idOrKey})
}

// SetIssueType sets the issue type by ID.
func (c *IssueCreate) SetIssueType(id IssueTypeID) *IssueCreate {
	return c.Set(FieldIssueType, map[string]string{"id": string(id)})
}

// SetSummary sets the summary (one line, at most 255 characters).
func (c *IssueCreate) SetSummary(summary string) *IssueCreate {
	return c.Set(FieldSummary, summary)
}

// SetDescription sets the description to plain text wrapped by [ADFText].
func (c *IssueCreate) SetDescription(text string) *IssueCreate {
	return c.Set(FieldDescription, ADFText(text))
}

// SetAssignee sets the assignee by account ID.
func (c *IssueCreate) SetAssignee(id AccountID) *IssueCreate {
	return c.Set(FieldAssignee, map[string]string{"id": string(id)})
}

// SetLabels sets the labels.
func (c *IssueCreate) SetLabels(labels ...string) *IssueCreate {
	return c.Set(FieldLabels, slices.Clone(labels))
}

func isNumericID(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// CreatedIssue is Jira's answer to [IssuesService.Create].
type CreatedIssue struct {
	// ID is the new issue's ID.
	ID IssueID `json:"id"`
	// Key is the new issue's key, e.g. "PROJ-12".
	Key IssueKey `json:"key"`
	// Self is the issue's REST URL.
	Self string `json:"self"`
	// Transition reports the outcome of a requested transition, or nil.
	Transition *CreatedIssueTransition `json:"transition,omitempty"`
}

// CreatedIssueTransition is the outcome of the transition requested with a create.
type CreatedIssueTransition struct {
	// Status is the HTTP status of the transition.
	Status int `json:"status"`
	// ErrorCollection holds the transition's errors, if any.
	ErrorCollection *ErrorCollection `json:"errorCollection,omitempty"`
}

// ErrorCollection is Jira's error body embedded in a successful answer.
type ErrorCollection struct {
	// ErrorMessages are general messages.
	ErrorMessages []string `json:"errorMessages,omitempty"`
	// Errors maps a field to its message.
	Errors map[string]string `json:"errors,omitempty"`
}

// Create creates an issue (or subtask). Jira answers 400 for missing or
// invalid fields (see the [*Error]'s FieldErrors) and 422 for a project
// configuration problem.
//
// Create is a POST and Jira has no idempotency key: the client retries it on
// 429 only (Jira rejected it before doing anything), never after a 5xx or a
// transport error, because the issue may have been created. After such an
// error, search for the issue before creating it again.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
//
//	POST /rest/api/3/issue
func (s *IssuesService) Create(ctx context.Context, issue IssueCreate) (*CreatedIssue, *Response, error) {
	if len(issue.Fields) == 0 && len(issue.Update) == 0 {
		return nil, nil, errors.New("jira: Issues.Create needs fields")
	}
	body := issue
	if body.Fields == nil {
		body.Fields = map[string]any{}
	}
	ci := new(CreatedIssue)
	resp, err := s.client.do(ctx, request{method: http.MethodPost, path: endpoint(apiPrefix + "/issue"), body: body}, ci)
	if err != nil {
		return nil, resp, err
	}
	return ci, resp, nil
}

// Issue is an issue as returned by [IssuesService.Get]. Fields keeps each
// field's raw JSON (custom fields have site-specific shapes); the accessor
// methods decode the common system fields, and [Issue.Field] decodes any.
type Issue struct {
	// ID is the issue ID.
	ID IssueID `json:"id"`
	// Key is the issue key.
	Key IssueKey `json:"key"`
	// Self is the issue's REST URL.
	Self string `json:"self"`
	// Expand lists the expansions the issue supports.
	Expand string `json:"expand,omitempty"`
	// Fields maps field IDs (or keys, with fieldsByKeys) to raw JSON values.
	Fields map[string]json.RawMessage `json:"fields"`
	// RenderedFields holds HTML renderings (expand "renderedFields").
	RenderedFields map[string]json.RawMessage `json:"renderedFields,omitempty"`
	// Names maps field IDs to display names (expand "names").
	Names map[string]string `json:"names,omitempty"`
	// Properties maps entity property keys to raw JSON values (only the
	// properties asked for, e.g. with [SearchOptions].Properties).
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
}

// Field decodes the field with the given ID into v. It returns false
// (and no error) when the field is absent or null.
func (i Issue) Field(id FieldID, v any) (bool, error) {
	raw, ok := i.Fields[string(id)]
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("jira: issue %s field %s: %w", i.Key, id, err)
	}
	return true, nil
}

// Summary returns the summary, or "" if absent.
func (i Issue) Summary() string {
	var s string
	_, _ = i.Field(FieldSummary, &s)
	return s
}

// Status returns the status, or nil if absent (or not decodable).
func (i Issue) Status() *IssueStatus {
	st := new(IssueStatus)
	if ok, err := i.Field(FieldStatus, st); !ok || err != nil {
		return nil
	}
	return st
}

// IssueType returns the issue type, or nil if absent.
func (i Issue) IssueType() *IssueType {
	it := new(IssueType)
	if ok, err := i.Field(FieldIssueType, it); !ok || err != nil {
		return nil
	}
	return it
}

// Project returns the issue's project, or nil if absent.
func (i Issue) Project() *Project {
	p := new(Project)
	if ok, err := i.Field(FieldProject, p); !ok || err != nil {
		return nil
	}
	return p
}

// Assignee returns the assignee, or nil if unassigned or absent.
func (i Issue) Assignee() *User {
	u := new(User)
	if ok, err := i.Field(FieldAssignee, u); !ok || err != nil {
		return nil
	}
	return u
}

// Reporter returns the reporter, or nil if absent.
func (i Issue) Reporter() *User {
	u := new(User)
	if ok, err := i.Field(FieldReporter, u); !ok || err != nil {
		return nil
	}
	return u
}

// Labels returns the labels (nil if none).
func (i Issue) Labels() []string {
	var l []string
	_, _ = i.Field(FieldLabels, &l)
	return l
}

// Description returns the description's raw ADF document, or nil.
func (i Issue) Description() json.RawMessage {
	raw, ok := i.Fields[string(FieldDescription)]
	if !ok || string(raw) == "null" {
		return nil
	}
	return raw
}

// Created returns the creation time (zero if absent).
func (i Issue) Created() Time {
	var t Time
	_, _ = i.Field(FieldCreated, &t)
	return t
}

// Updated returns the last update time (zero if absent).
func (i Issue) Updated() Time {
	var t Time
	_, _ = i.Field(FieldUpdated, &t)
	return t
}

// IssueStatus is a workflow status as embedded in issues and transitions.
type IssueStatus struct {
	// ID is the status ID.
	ID string `json:"id"`
	// Name is the status name.
	Name string `json:"name"`
	// Description is the status description.
	Description string `json:"description,omitempty"`
	// Self is the status's REST URL.
	Self string `json:"self,omitempty"`
	// IconURL is the status icon.
	IconURL string `json:"iconUrl,omitempty"`
	// StatusCategory is the status's category, or nil.
	StatusCategory *StatusCategory `json:"statusCategory,omitempty"`
}

// StatusCategory is a status category (To Do, In Progress, Done).
type StatusCategory struct {
	// ID is the category ID.
	ID int64 `json:"id"`
	// Key is e.g. "new", "indeterminate", "done".
	Key string `json:"key"`
	// Name is the display name.
	Name string `json:"name"`
	// ColorName is the category colour.
	ColorName string `json:"colorName,omitempty"`
	// Self is the category's REST URL.
	Self string `json:"self,omitempty"`
}

// IssueType is an issue type as embedded in projects, issues and create metadata.
type IssueType struct {
	// ID is the issue type ID.
	ID IssueTypeID `json:"id"`
	// Name is the issue type name.
	Name string `json:"name"`
	// Description is the issue type description.
	Description string `json:"description,omitempty"`
	// Self is the issue type's REST URL.
	Self string `json:"self,omitempty"`
	// IconURL is the issue type icon.
	IconURL string `json:"iconUrl,omitempty"`
	// Subtask reports whether issues of this type are subtasks.
	Subtask bool `json:"subtask"`
	// HierarchyLevel is 0 for standard types, -1 for subtasks, 1 for epics.
	HierarchyLevel int `json:"hierarchyLevel"`
	// AvatarID is the avatar ID.
	AvatarID int64 `json:"avatarId,omitempty"`
	// EntityID is the type's UUID (team-managed projects).
	EntityID string `json:"entityId,omitempty"`
	// UntranslatedName is the name before translation.
	UntranslatedName string `json:"untranslatedName,omitempty"`
	// Scope is set for issue types of one team-managed project (Type
	// "PROJECT", Project.ID only); nil for global issue types.
	Scope *RoleScope `json:"scope,omitempty"`
}

// IssueGetOptions selects what [IssuesService.Get] returns. nil returns
// every field (Jira's default, "*all") and no expansions.
type IssueGetOptions struct {
	// Fields lists field IDs to return; "*all", "*navigable" and "-field" are
	// accepted as Jira documents. Empty means Jira's default.
	Fields []string
	// Expand names extra data: renderedFields, names, schema, transitions,
	// editmeta, changelog, versionedRepresentations.
	Expand []string
}

// Get returns an issue by ID or key. Jira looks an unknown key up
// case-insensitively and follows moved issues; an unknown or invisible
// issue gives an [*Error] matching [ErrNotFound].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-get
//
//	GET /rest/api/3/issue/{issueIdOrKey}
func (s *IssuesService) Get(ctx context.Context, idOrKey string, opts *IssueGetOptions) (*Issue, *Response, error) {
	seg, err := pathSegment("Issues.Get", "issue ID or key", idOrKey)
	if err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	if opts != nil {
		setCommaList(q, "fields", opts.Fields)
		setExpand(q, opts.Expand)
	}
	is := new(Issue)
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/issue/{}", seg), query: q}, is)
	if err != nil {
		return nil, resp, err
	}
	return is, resp, nil
}

// Edit sets fields (field ID → new value) and applies update operations
// (field ID → list of {"add"|"set"|"remove"|"edit": value}) on an issue.
// Jira answers 204; a field not on the edit screen gives a 400 naming it.
// Edit is a PUT, so the client may retry it after a 5xx.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-put
//
//	PUT /rest/api/3/issue/{issueIdOrKey}
func (s *IssuesService) Edit(ctx context.Context, idOrKey string, fields, update map[string]any) (*Response, error) {
	seg, err := pathSegment("Issues.Edit", "issue ID or key", idOrKey)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 && len(update) == 0 {
		return nil, errors.New("jira: Issues.Edit needs fields or update operations")
	}
	body := struct {
		Fields map[string]any `json:"fields,omitempty"`
		Update map[string]any `json:"update,omitempty"`
	}{maps.Clone(fields), maps.Clone(update)}
	return s.client.do(ctx, request{method: http.MethodPut, path: endpoint(apiPrefix+"/issue/{}", seg), body: body}, nil)
}

// Transition is a workflow transition available on an issue.
type Transition struct {
	// ID is the transition ID, passed to [IssuesService.Transition].
	ID string `json:"id"`
	// Name is the transition name, e.g. "Done".
	Name string `json:"name"`
	// To is the status the transition leads to.
	To *IssueStatus `json:"to,omitempty"`
	// HasScreen reports whether the transition shows a screen.
	HasScreen bool `json:"hasScreen"`
	// IsGlobal reports whether the transition is available from every status.
	IsGlobal bool `json:"isGlobal"`
	// IsInitial reports whether it is the workflow's initial transition.
	IsInitial bool `json:"isInitial"`
	// IsAvailable reports whether the transition can be performed now.
	IsAvailable bool `json:"isAvailable"`
	// IsConditional reports whether the transition has conditions.
	IsConditional bool `json:"isConditional"`
	// IsLooped reports whether the transition returns to the same status.
	IsLooped bool `json:"isLooped"`
	// Fields describes the transition screen's fields (expand "transitions.fields").
	Fields map[string]json.RawMessage `json:"fields,omitempty"`
}

// Transitions returns the transitions the caller can perform on an issue
// in its current status.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-transitions-get
//
//	GET /rest/api/3/issue/{issueIdOrKey}/transitions
func (s *IssuesService) Transitions(ctx context.Context, idOrKey string) ([]Transition, *Response, error) {
	seg, err := pathSegment("Issues.Transitions", "issue ID or key", idOrKey)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Transitions []Transition `json:"transitions"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/issue/{}/transitions", seg)}, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Transitions, resp, nil
}

// Transition performs a workflow transition on an issue, optionally setting
// fields of the transition screen. Jira answers 204. It is a POST: the
// client retries it on 429 only, never after a 5xx or a transport error.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-transitions-post
//
//	POST /rest/api/3/issue/{issueIdOrKey}/transitions
func (s *IssuesService) Transition(ctx context.Context, idOrKey, transitionID string, fields map[string]any) (*Response, error) {
	seg, err := pathSegment("Issues.Transition", "issue ID or key", idOrKey)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(transitionID) == "" {
		return nil, errors.New("jira: Issues.Transition needs a transition ID")
	}
	body := struct {
		Transition TransitionRef  `json:"transition"`
		Fields     map[string]any `json:"fields,omitempty"`
	}{TransitionRef{ID: transitionID}, maps.Clone(fields)}
	return s.client.do(ctx, request{method: http.MethodPost, path: endpoint(apiPrefix+"/issue/{}/transitions", seg), body: body}, nil)
}

// createMetaPageSize is Jira's documented default maxResults of the
// createmeta pages; createMetaMaxPageSize is the documented maximum (Jira
// answers 400 above it).
const (
	createMetaPageSize    = 50
	createMetaMaxPageSize = 200
)

// createMetaPage is PageOfCreateMetaIssueTypes / PageOfCreateMetaIssueTypeWithField,
// with their legacy array names, and the PageBean form ("values", "isLast")
// that Jira Data Center answers.
type createMetaPage struct {
	StartAt    int   `json:"startAt"`
	MaxResults int   `json:"maxResults"`
	Total      int   `json:"total"`
	IsLast     *bool `json:"isLast"`

	IssueTypes       []IssueType `json:"issueTypes"`
	LegacyIssueTypes []IssueType `json:"createMetaIssueType"`

	Fields       []FieldCreateMetadata `json:"fields"`
	LegacyFields []FieldCreateMetadata `json:"results"`

	Values json.RawMessage `json:"values"`
}

// createMetaItems picks the page's items from whichever array it has and
// sets the next cursor: on isLast when the page says it, else on total.
func createMetaItems[T any](page *createMetaPage, start int, resp *Response, current, legacy []T) ([]T, error) {
	items := current
	if items == nil {
		items = legacy
	}
	if items == nil && len(page.Values) > 0 && string(page.Values) != "null" {
		if err := json.Unmarshal(page.Values, &items); err != nil {
			return nil, fmt.Errorf("jira: createmeta page values: %w", err)
		}
	}
	if page.IsLast != nil {
		resp.NextCursor = nextPageBean(start, len(items), page.IsLast)
	} else {
		resp.NextCursor = nextTotal(start, len(items), page.Total)
	}
	return items, nil
}

// CreateMetaIssueTypes returns one page of the issue types a project can
// create issues of. The cursor advances by the number returned and stops at
// total (or isLast, for a PageBean answer) or on an empty page. PageSize defaults to 50 and is capped at 200
// (Jira's documented default and maximum); the server may return fewer.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-createmeta-projectidorkey-issuetypes-get
//
//	GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes
func (s *IssuesService) CreateMetaIssueTypes(ctx context.Context, projectIDOrKey string, opts *ListOptions) ([]IssueType, *Response, error) {
	seg, err := pathSegment("Issues.CreateMetaIssueTypes", "project ID or key", projectIDOrKey)
	if err != nil {
		return nil, nil, err
	}
	page, start, resp, err := s.createMeta(ctx, endpoint(apiPrefix+"/issue/createmeta/{}/issuetypes", seg), opts)
	if err != nil {
		return nil, resp, err
	}
	items, err := createMetaItems(page, start, resp, page.IssueTypes, page.LegacyIssueTypes)
	if err != nil {
		return nil, resp, err
	}
	return items, resp, nil
}

// CreateMetaIssueTypesIter iterates over a project's creatable issue types,
// fetching pages with [IssuesService.CreateMetaIssueTypes].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-createmeta-projectidorkey-issuetypes-get
//
//	GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes
func (s *IssuesService) CreateMetaIssueTypesIter(ctx context.Context, projectIDOrKey string, opts *ListOptions) iter.Seq2[IssueType, error] {
	return paginate(ctx, s.client, opts, func(ctx context.Context, o ListOptions) ([]IssueType, *Response, error) {
		return s.CreateMetaIssueTypes(ctx, projectIDOrKey, &o)
	})
}

// FieldCreateMetadata describes a field of the create screen of an issue type.
type FieldCreateMetadata struct {
	// FieldID is the field ID, e.g. "summary" or "customfield_10010".
	FieldID FieldID `json:"fieldId"`
	// Key is the field key.
	Key string `json:"key"`
	// Name is the field's display name.
	Name string `json:"name"`
	// Operations are the update operations the field supports (set, add, …).
	Operations []string `json:"operations"`
	// Required reports whether a value must be given.
	Required bool `json:"required"`
	// Schema describes the field's value type.
	Schema FieldSchema `json:"schema"`
	// AllowedValues are the permitted values (options, versions, …), raw.
	AllowedValues []json.RawMessage `json:"allowedValues,omitempty"`
	// DefaultValue is the default, raw (nil if none).
	DefaultValue json.RawMessage `json:"defaultValue,omitempty"`
	// HasDefaultValue reports whether the field has a default.
	HasDefaultValue bool `json:"hasDefaultValue"`
	// AutoCompleteURL suggests values (user pickers, labels).
	AutoCompleteURL string `json:"autoCompleteUrl,omitempty"`
	// Configuration is the field's configuration, raw (some custom fields).
	Configuration json.RawMessage `json:"configuration,omitempty"`
}

// FieldSchema describes a field's value type.
type FieldSchema struct {
	// Type is the JSON type: string, number, array, user, option, date, …
	Type string `json:"type"`
	// Items is the element type of array fields.
	Items string `json:"items,omitempty"`
	// System is the system field name, for system fields.
	System string `json:"system,omitempty"`
	// Custom is the custom field type key, for custom fields.
	Custom string `json:"custom,omitempty"`
	// CustomID is the custom field's numeric ID.
	CustomID int64 `json:"customId,omitempty"`
}

// CreateMetaFields returns one page of the create-screen fields of an issue
// type in a project. Paging is as for [IssuesService.CreateMetaIssueTypes]
// (PageSize default 50, cap 200).
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-createmeta-projectidorkey-issuetypes-issuetypeid-get
//
//	GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}
func (s *IssuesService) CreateMetaFields(ctx context.Context, projectIDOrKey string, issueType IssueTypeID, opts *ListOptions) ([]FieldCreateMetadata, *Response, error) {
	seg, err := pathSegment("Issues.CreateMetaFields", "project ID or key", projectIDOrKey)
	if err != nil {
		return nil, nil, err
	}
	it, err := pathSegment("Issues.CreateMetaFields", "issue type ID", string(issueType))
	if err != nil {
		return nil, nil, err
	}
	page, start, resp, err := s.createMeta(ctx, endpoint(apiPrefix+"/issue/createmeta/{}/issuetypes/{}", seg, it), opts)
	if err != nil {
		return nil, resp, err
	}
	items, err := createMetaItems(page, start, resp, page.Fields, page.LegacyFields)
	if err != nil {
		return nil, resp, err
	}
	return items, resp, nil
}

// CreateMetaFieldsIter iterates over the create-screen fields of an issue
// type, fetching pages with [IssuesService.CreateMetaFields].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-createmeta-projectidorkey-issuetypes-issuetypeid-get
//
//	GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}
func (s *IssuesService) CreateMetaFieldsIter(ctx context.Context, projectIDOrKey string, issueType IssueTypeID, opts *ListOptions) iter.Seq2[FieldCreateMetadata, error] {
	return paginate(ctx, s.client, opts, func(ctx context.Context, o ListOptions) ([]FieldCreateMetadata, *Response, error) {
		return s.CreateMetaFields(ctx, projectIDOrKey, issueType, &o)
	})
}

func (s *IssuesService) createMeta(ctx context.Context, path apiPath, opts *ListOptions) (*createMetaPage, int, *Response, error) {
	q, start, err := s.client.offsetQuery(nil, startAtParams, listOpts(opts), createMetaPageSize, createMetaMaxPageSize)
	if err != nil {
		return nil, 0, nil, err
	}
	page := new(createMetaPage)
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: path, query: q}, page)
	if err != nil {
		return nil, 0, resp, err
	}
	return page, start, resp, nil
}

// Field is a system or custom field of the site.
type Field struct {
	// ID is the field ID, e.g. "summary" or "customfield_10010".
	ID FieldID `json:"id"`
	// Key is the field key.
	Key string `json:"key"`
	// Name is the display name.
	Name string `json:"name"`
	// UntranslatedName is the name before translation (custom fields).
	UntranslatedName string `json:"untranslatedName,omitempty"`
	// Custom reports whether it is a custom field.
	Custom bool `json:"custom"`
	// Orderable reports whether the field can be used in ORDER BY.
	Orderable bool `json:"orderable"`
	// Navigable reports whether the field can be shown in the issue navigator.
	Navigable bool `json:"navigable"`
	// Searchable reports whether the field can be searched with JQL.
	Searchable bool `json:"searchable"`
	// ClauseNames are the JQL names of the field.
	ClauseNames []string `json:"clauseNames"`
	// Schema describes the value type; nil for fields without one.
	Schema *FieldSchema `json:"schema,omitempty"`
}

// Fields returns every system and custom field of the site (not paged).
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/#api-rest-api-3-field-get
//
//	GET /rest/api/3/field
func (s *IssuesService) Fields(ctx context.Context) ([]Field, *Response, error) {
	var fields []Field
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/field")}, &fields)
	if err != nil {
		return nil, resp, err
	}
	return fields, resp, nil
}

// Status is a workflow status as returned by [IssuesService.Statuses].
type Status struct {
	// ID is the status ID.
	ID string `json:"id"`
	// Name is the status name.
	Name string `json:"name"`
	// StatusCategory is TODO, IN_PROGRESS or DONE.
	StatusCategory string `json:"statusCategory"`
	// Description is the status description.
	Description string `json:"description,omitempty"`
	// Scope is set for statuses of one team-managed project (Type "PROJECT",
	// Project.ID only); nil or Type "GLOBAL" for global statuses.
	Scope *RoleScope `json:"scope,omitempty"`
}

// StatusSearchOptions filters [IssuesService.Statuses]. The zero value
// lists every status.
type StatusSearchOptions struct {
	ListOptions
	// ProjectID keeps the statuses of one project ("" for all, including global ones).
	ProjectID ProjectID
	// StatusCategory keeps one category: [StatusCategoryToDo],
	// [StatusCategoryInProgress] or [StatusCategoryDone].
	StatusCategory string
	// SearchString matches status names.
	SearchString string
}

// statusSearchPageSize is Jira's documented default maxResults of /statuses/search.
const statusSearchPageSize = 200

// Statuses returns one page of workflow statuses. It is a PageBean
// endpoint: the cursor advances by the number returned and stops on isLast
// or an empty page. PageSize defaults to 200, Jira's documented default.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-status/#api-rest-api-3-statuses-search-get
//
//	GET /rest/api/3/statuses/search
func (s *IssuesService) Statuses(ctx context.Context, opts *StatusSearchOptions) ([]Status, *Response, error) {
	o := StatusSearchOptions{}
	if opts != nil {
		o = *opts
	}
	q := url.Values{}
	if o.ProjectID != "" {
		q.Set("projectId", string(o.ProjectID))
	}
	if o.StatusCategory != "" {
		q.Set("statusCategory", o.StatusCategory)
	}
	if o.SearchString != "" {
		q.Set("searchString", o.SearchString)
	}
	return fetchPageBean[Status](ctx, s.client, endpoint(apiPrefix+"/statuses/search"), q, o.ListOptions, statusSearchPageSize, 0)
}

// StatusesIter iterates over the statuses selected by opts, fetching pages
// with [IssuesService.Statuses].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-status/#api-rest-api-3-statuses-search-get
//
//	GET /rest/api/3/statuses/search
func (s *IssuesService) StatusesIter(ctx context.Context, opts *StatusSearchOptions) iter.Seq2[Status, error] {
	return paginateOpts(ctx, s.client, opts, func(o *StatusSearchOptions) *ListOptions { return &o.ListOptions }, s.Statuses)
}
