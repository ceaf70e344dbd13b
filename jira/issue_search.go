package jira

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// searchPageSize is the page size asked of /search/jql; Jira's documented
// maximum is 5000 for id/key-only searches and lower otherwise, and the
// server lowers it as it likes.
const searchPageSize = 100

// SearchOptions selects the fields and the page of [IssuesService.Search].
type SearchOptions struct {
	// Cursor is "" for the first page, else a previous Response.NextCursor.
	Cursor string
	// PageSize is the maxResults to ask for; 0 means 100.
	PageSize int
	// Fields lists the field IDs to return (Jira's default for /search/jql
	// is the issue ID only); "*all" and "*navigable" work as documented.
	Fields []string
	// Expand names extra data, as for [IssuesService.Get].
	Expand []string
	// Properties lists up to 5 issue entity property keys to return in
	// each issue's Properties.
	Properties []string
}

// Search returns one page of the issues matching a JQL query. It uses the
// enhanced search (token pagination): the cursor is Jira's nextPageToken
// and the listing ends when Jira returns no token, says isLast, or returns
// an empty page. Search is a GET, so the client retries it after a 5xx.
// Jira's search index can lag a few seconds behind writes.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get
//
//	GET /rest/api/3/search/jql
func (s *IssuesService) Search(ctx context.Context, jql string, opts *SearchOptions) ([]Issue, *Response, error) {
	if strings.TrimSpace(jql) == "" {
		return nil, nil, errors.New("jira: Issues.Search needs a JQL query (Jira refuses unbounded searches)")
	}
	o := SearchOptions{}
	if opts != nil {
		o = *opts
	}
	q := url.Values{"jql": {jql}}
	q.Set("maxResults", strconv.Itoa(pageSize(o.PageSize, searchPageSize, 0)))
	if o.Cursor != "" {
		tok, ok := strings.CutPrefix(o.Cursor, "t")
		if !ok || tok == "" {
			return nil, nil, errors.New("jira: invalid cursor " + strconv.Quote(o.Cursor) + " for a token-paged endpoint")
		}
		q.Set("nextPageToken", tok)
	}
	setCommaList(q, "fields", o.Fields)
	setExpand(q, o.Expand)
	setCommaList(q, "properties", o.Properties)
	var page struct {
		Issues        []Issue `json:"issues"`
		NextPageToken string  `json:"nextPageToken"`
		IsLast        *bool   `json:"isLast"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix + "/search/jql"), query: q}, &page)
	if err != nil {
		return nil, resp, err
	}
	if len(page.Issues) > 0 && page.NextPageToken != "" && (page.IsLast == nil || !*page.IsLast) {
		resp.NextCursor = "t" + page.NextPageToken
	}
	return page.Issues, resp, nil
}

// QuoteJQL quotes s as a JQL string literal.
func QuoteJQL(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// Comment is an issue comment.
type Comment struct {
	// ID is the comment ID.
	ID string `json:"id"`
	// Self is the comment's REST URL.
	Self string `json:"self,omitempty"`
	// Author is the comment's author, or nil.
	Author *User `json:"author,omitempty"`
	// Body is the comment's ADF document (REST v3), raw.
	Body json.RawMessage `json:"body,omitempty"`
	// Created is when the comment was added.
	Created Time `json:"created"`
	// Updated is when it was last edited.
	Updated Time `json:"updated"`
	// Properties are the comment's entity properties; only
	// [IssuesService.CommentsByID] with properties asked for fills them.
	Properties []EntityProperty `json:"properties,omitempty"`
}

// AddComment adds a comment with plain text (wrapped by [ADFText]) to an
// issue, with the given entity properties (not shown to users; a property
// holding a request ID lets a caller find the comment again after a lost
// answer, see [IssuesService.CommentsByID]). It is a POST: the client
// retries it on 429 only, never after a 5xx or a transport error (the
// comment may have been added).
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/#api-rest-api-3-issue-issueidorkey-comment-post
//
//	POST /rest/api/3/issue/{issueIdOrKey}/comment
func (s *IssuesService) AddComment(ctx context.Context, idOrKey, text string, props ...EntityProperty) (*Comment, *Response, error) {
	seg, err := pathSegment("Issues.AddComment", "issue ID or key", idOrKey)
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil, errors.New("jira: Issues.AddComment needs a non-empty comment")
	}
	body := map[string]any{"body": ADFText(text)}
	if len(props) > 0 {
		body["properties"] = props
	}
	cm := new(Comment)
	resp, err := s.client.do(ctx, request{method: http.MethodPost, path: endpoint(apiPrefix+"/issue/{}/comment", seg), body: body}, cm)
	if err != nil {
		return nil, resp, err
	}
	return cm, resp, nil
}

// CommentListOptions select a page of an issue's comments.
type CommentListOptions struct {
	ListOptions
	// NewestFirst orders the comments newest first (orderBy=-created)
	// instead of oldest first.
	NewestFirst bool
}

// Comments returns one page of an issue's comments. The cursor advances by
// the number returned and stops at total or on an empty page; PageSize
// defaults to 100 and is capped at 5000 (Jira's maximum).
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/#api-rest-api-3-issue-issueidorkey-comment-get
//
//	GET /rest/api/3/issue/{issueIdOrKey}/comment
func (s *IssuesService) Comments(ctx context.Context, idOrKey string, opts *CommentListOptions) ([]Comment, *Response, error) {
	seg, err := pathSegment("Issues.Comments", "issue ID or key", idOrKey)
	if err != nil {
		return nil, nil, err
	}
	var o CommentListOptions
	if opts != nil {
		o = *opts
	}
	q := url.Values{}
	if o.NewestFirst {
		q.Set("orderBy", "-created")
	}
	q, start, err := s.client.offsetQuery(q, startAtParams, o.ListOptions, 100, 5000)
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Total    int       `json:"total"`
		Comments []Comment `json:"comments"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/issue/{}/comment", seg), query: q}, &page)
	if err != nil {
		return nil, resp, err
	}
	resp.NextCursor = nextTotal(start, len(page.Comments), page.Total)
	resp.Total = page.Total
	return page.Comments, resp, nil
}

// CommentsByID returns the comments with the given IDs (at most 1000, on
// issues the account can browse; unknown IDs are left out), with their
// entity properties when withProperties is set. It is a POST that changes
// nothing.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/#api-rest-api-3-comment-list-post
//
//	POST /rest/api/3/comment/list
func (s *IssuesService) CommentsByID(ctx context.Context, ids []string, withProperties bool) ([]Comment, *Response, error) {
	if len(ids) == 0 || len(ids) > 1000 {
		return nil, nil, fmt.Errorf("jira: Issues.CommentsByID takes 1 to 1000 comment IDs, got %d", len(ids))
	}
	nums := make([]json.Number, 0, len(ids))
	for _, id := range ids {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return nil, nil, fmt.Errorf("jira: Issues.CommentsByID: comment ID %q is not a number", id)
		}
		nums = append(nums, json.Number(id))
	}
	var q url.Values
	if withProperties {
		q = url.Values{"expand": {"properties"}}
	}
	var page pageBean[Comment]
	resp, err := s.client.do(ctx, request{method: http.MethodPost, path: endpoint(apiPrefix + "/comment/list"), query: q,
		body: map[string]any{"ids": nums}}, &page)
	if err != nil {
		return nil, resp, err
	}
	return page.Values, resp, nil
}

// IssueTypeStatuses lists the workflow statuses of one issue type of a project.
type IssueTypeStatuses struct {
	// ID is the issue type ID.
	ID IssueTypeID `json:"id"`
	// Name is the issue type name.
	Name string `json:"name"`
	// Subtask reports whether the issue type is a subtask type.
	Subtask bool `json:"subtask"`
	// Statuses are the statuses of the issue type's workflow.
	Statuses []IssueStatus `json:"statuses"`
}

// Statuses returns, for every issue type of a project, the statuses of its
// workflow (not paged).
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-projectidorkey-statuses-get
//
//	GET /rest/api/3/project/{projectIdOrKey}/statuses
func (s *ProjectsService) Statuses(ctx context.Context, idOrKey string) ([]IssueTypeStatuses, *Response, error) {
	seg, err := pathSegment("Projects.Statuses", "project ID or key", idOrKey)
	if err != nil {
		return nil, nil, err
	}
	var out []IssueTypeStatuses
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/project/{}/statuses", seg)}, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// EditMeta returns the fields of an issue's edit screen, the fields an
// edit may set, sorted by field ID. Each entry's FieldID is its key in
// Jira's answer. An account without the Edit issues permission gets no
// fields.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-editmeta-get
//
//	GET /rest/api/3/issue/{issueIdOrKey}/editmeta
func (s *IssuesService) EditMeta(ctx context.Context, idOrKey string) ([]FieldCreateMetadata, *Response, error) {
	seg, err := pathSegment("Issues.EditMeta", "issue ID or key", idOrKey)
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Fields map[string]FieldCreateMetadata `json:"fields"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/issue/{}/editmeta", seg)}, &page)
	if err != nil {
		return nil, resp, err
	}
	out := make([]FieldCreateMetadata, 0, len(page.Fields))
	for _, id := range slices.Sorted(maps.Keys(page.Fields)) {
		f := page.Fields[id]
		f.FieldID = FieldID(id)
		out = append(out, f)
	}
	return out, resp, nil
}
