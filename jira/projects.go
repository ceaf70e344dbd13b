package jira

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ProjectStatus is a project's lifecycle state, used to filter [ProjectsService.Search].
type ProjectStatus string

// Project statuses accepted by GET /project/search.
const (
	// ProjectStatusLive is an active project (Jira's default filter).
	ProjectStatusLive ProjectStatus = "live"
	// ProjectStatusArchived is an archived project.
	ProjectStatusArchived ProjectStatus = "archived"
	// ProjectStatusDeleted is a project in the trash.
	ProjectStatusDeleted ProjectStatus = "deleted"
)

// Project styles reported in [Project].Style.
const (
	// ProjectStyleClassic is a company-managed project.
	ProjectStyleClassic = "classic"
	// ProjectStyleNextGen is a team-managed project.
	ProjectStyleNextGen = "next-gen"
)

// Project type keys reported in [Project].ProjectTypeKey.
const (
	ProjectTypeSoftware    = "software"
	ProjectTypeServiceDesk = "service_desk"
	ProjectTypeBusiness    = "business"
)

// Values for [ProjectSearchOptions].Expand and [ProjectsService.Get]'s expand.
const (
	ProjectExpandLead        = "lead"
	ProjectExpandDescription = "description"
	ProjectExpandIssueTypes  = "issueTypes"
	ProjectExpandURL         = "url"
	ProjectExpandProjectKeys = "projectKeys"
	ProjectExpandInsight     = "insight"
)

// maxProjectFilter is the most project IDs, or keys, /project/search accepts.
const maxProjectFilter = 50

// projectSearchPageSize is the default maxResults of /project/search. Jira
// documents no maximum, and Jira Cloud returns at most 50 projects per page
// whatever is asked (JRACLOUD-84803), so 50 is also the largest useful page.
const projectSearchPageSize = 50

// Project is a Jira project as returned by /project/search and /project/{p}.
// Fields that need an expand are empty unless it was requested.
type Project struct {
	// ID is the immutable project ID (numeric, carried as a string).
	ID ProjectID `json:"id"`
	// Key is the project key, e.g. "PROJ"; it can change.
	Key ProjectKey `json:"key"`
	// Name is the project name.
	Name string `json:"name"`
	// Self is the project's REST URL.
	Self string `json:"self"`
	// ProjectTypeKey is software, service_desk or business.
	ProjectTypeKey string `json:"projectTypeKey"`
	// Simplified is true for team-managed (next-gen) projects.
	Simplified bool `json:"simplified"`
	// Style is "classic" (company-managed) or "next-gen" (team-managed).
	Style string `json:"style"`
	// IsPrivate reports whether the project is private (team-managed access "private").
	IsPrivate bool `json:"isPrivate"`
	// Archived reports whether the project is archived.
	Archived bool `json:"archived,omitempty"`
	// Deleted reports whether the project is in the trash.
	Deleted bool `json:"deleted,omitempty"`
	// ArchivedDate is when the project was archived (zero if not archived).
	ArchivedDate Time `json:"archivedDate"`
	// DeletedDate is when the project was moved to the trash (zero if not deleted).
	DeletedDate Time `json:"deletedDate"`
	// RetentionTillDate is when a deleted project will be purged.
	RetentionTillDate Time `json:"retentionTillDate"`
	// Lead is the project lead; nil unless sent (Search needs expand "lead").
	Lead *User `json:"lead,omitempty"`
	// AssigneeType is the default assignee: PROJECT_LEAD or UNASSIGNED.
	AssigneeType string `json:"assigneeType,omitempty"`
	// ProjectCategory is the project's category, or nil.
	ProjectCategory *ProjectCategory `json:"projectCategory,omitempty"`
	// IssueTypes are the project's issue types (Search needs expand "issueTypes").
	IssueTypes []IssueType `json:"issueTypes,omitempty"`
	// UUID is the project's UUID (team-managed projects).
	UUID string `json:"uuid,omitempty"`
	// Description is the plain-text description (expand "description").
	Description string `json:"description,omitempty"`
	// URL is the project's informational URL (expand "url").
	URL string `json:"url,omitempty"`
	// Email is the project's email address, if set.
	Email string `json:"email,omitempty"`
	// Roles maps a project role name to its REST URL (sent by Get); see
	// [RolesService.ForProject] for parsed role IDs.
	Roles map[string]string `json:"roles,omitempty"`
	// ProjectKeys lists every key the project has had (expand "projectKeys").
	ProjectKeys []ProjectKey `json:"projectKeys,omitempty"`
	// Insight holds issue statistics (expand "insight"), or nil.
	Insight *ProjectInsight `json:"insight,omitempty"`
	// AvatarURLs maps a size ("16x16", …, "48x48") to an avatar URL.
	AvatarURLs map[string]string `json:"avatarUrls,omitempty"`
	// Expand lists the expansions the object supports.
	Expand string `json:"expand,omitempty"`
}

// TeamManaged reports whether p is a team-managed (formerly next-gen)
// project: such projects have their own roles and no permission scheme of
// their own to administer. It is true when Jira marks the project simplified
// or its style is "next-gen".
func (p Project) TeamManaged() bool {
	return p.Simplified || p.Style == ProjectStyleNextGen
}

// ProjectCategory is a project category.
type ProjectCategory struct {
	// ID is the category ID.
	ID string `json:"id"`
	// Name is the category name.
	Name string `json:"name"`
	// Description is the category description.
	Description string `json:"description,omitempty"`
	// Self is the category's REST URL.
	Self string `json:"self,omitempty"`
}

// ProjectInsight holds issue statistics of a project.
type ProjectInsight struct {
	// TotalIssueCount is the number of issues in the project.
	TotalIssueCount int64 `json:"totalIssueCount"`
	// LastIssueUpdateTime is when an issue of the project was last updated.
	LastIssueUpdateTime Time `json:"lastIssueUpdateTime"`
}

// ProjectSearchOptions filters and orders [ProjectsService.Search]. The zero
// value lists the live projects the caller can see, ordered by key.
type ProjectSearchOptions struct {
	ListOptions
	// IDs keeps only these projects (at most 50).
	IDs []ProjectID
	// Keys keeps only these projects (at most 50).
	Keys []ProjectKey
	// Query matches project keys (exact, case-insensitive) and names (substring).
	Query string
	// TypeKey keeps projects of these types: a comma-separated list of
	// software, service_desk and business.
	TypeKey string
	// CategoryID keeps projects of this category (0: any).
	CategoryID int64
	// Status keeps projects in these states. Empty means Jira's default,
	// live projects only.
	Status []ProjectStatus
	// IncludeArchived adds archived projects to Status (and live ones when
	// Status is empty).
	IncludeArchived bool
	// Action keeps projects the caller may act on: view (Jira's default),
	// browse, edit or create.
	Action string
	// Expand names extra data: lead, description, issueTypes, url,
	// projectKeys, insight (see the ProjectExpand constants).
	Expand []string
	// OrderBy orders the results, e.g. "key" (Jira's default), "-name",
	// "category", "owner", "issueCount", "lastIssueUpdatedDate",
	// "archivedDate", "deletedDate"; "-" reverses.
	OrderBy string
}

func (o *ProjectSearchOptions) query() (url.Values, error) {
	q := url.Values{}
	if len(o.IDs) > maxProjectFilter {
		return nil, fmt.Errorf("jira: Projects.Search accepts at most %d project IDs, got %d", maxProjectFilter, len(o.IDs))
	}
	if len(o.Keys) > maxProjectFilter {
		return nil, fmt.Errorf("jira: Projects.Search accepts at most %d project keys, got %d", maxProjectFilter, len(o.Keys))
	}
	for _, id := range o.IDs {
		if id == "" {
			return nil, errors.New("jira: Projects.Search: empty project ID")
		}
		q.Add("id", string(id))
	}
	for _, k := range o.Keys {
		if k == "" {
			return nil, errors.New("jira: Projects.Search: empty project key")
		}
		q.Add("keys", string(k))
	}
	if o.Query != "" {
		q.Set("query", o.Query)
	}
	if o.TypeKey != "" {
		q.Set("typeKey", o.TypeKey)
	}
	if o.CategoryID != 0 {
		q.Set("categoryId", strconv.FormatInt(o.CategoryID, 10))
	}
	status := slices.Clone(o.Status)
	if o.IncludeArchived {
		if len(status) == 0 {
			status = append(status, ProjectStatusLive)
		}
		if !slices.Contains(status, ProjectStatusArchived) {
			status = append(status, ProjectStatusArchived)
		}
	}
	for _, st := range status {
		q.Add("status", string(st))
	}
	if o.Action != "" {
		q.Set("action", o.Action)
	}
	setExpand(q, o.Expand)
	if o.OrderBy != "" {
		q.Set("orderBy", o.OrderBy)
	}
	return q, nil
}

// Search returns one page of the projects visible to the caller that match
// opts. It is a PageBean endpoint: the cursor advances by the number of
// projects returned and stops on isLast or an empty page. PageSize defaults
// to 50, Jira's documented default, which is also the most Jira Cloud
// returns per page; a larger PageSize is sent as is, and the paging follows
// what comes back. More than 50 IDs or keys is an error.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-search-get
//
//	GET /rest/api/3/project/search
func (s *ProjectsService) Search(ctx context.Context, opts *ProjectSearchOptions) ([]Project, *Response, error) {
	o := ProjectSearchOptions{}
	if opts != nil {
		o = *opts
	}
	q, err := o.query()
	if err != nil {
		return nil, nil, err
	}
	return fetchPageBean[Project](ctx, s.client, endpoint(apiPrefix+"/project/search"), q, o.ListOptions, projectSearchPageSize, 0)
}

// SearchIter iterates over the projects matching opts, fetching pages with
// [ProjectsService.Search].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-search-get
//
//	GET /rest/api/3/project/search
func (s *ProjectsService) SearchIter(ctx context.Context, opts *ProjectSearchOptions) iter.Seq2[Project, error] {
	return paginateOpts(ctx, s.client, opts, func(o *ProjectSearchOptions) *ListOptions { return &o.ListOptions }, s.Search)
}

// Get returns one project by ID or key (keys are case-sensitive). Jira's
// documented answer includes the lead, issue types and role URLs; expand
// names extras such as description, projectKeys or issueTypeHierarchy. An
// unknown or invisible project gives an [*Error] matching [ErrNotFound].
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-projectidorkey-get
//
//	GET /rest/api/3/project/{projectIdOrKey}
func (s *ProjectsService) Get(ctx context.Context, idOrKey string, expand ...string) (*Project, *Response, error) {
	seg, err := pathSegment("Projects.Get", "project ID or key", idOrKey)
	if err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	setExpand(q, expand)
	p := new(Project)
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: endpoint(apiPrefix+"/project/{}", seg), query: q}, p)
	if err != nil {
		return nil, resp, err
	}
	return p, resp, nil
}

// pathSegment checks that v is a usable path segment and escapes it.
func pathSegment(method, what, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fmt.Errorf("jira: %s needs a %s", method, what)
	}
	if v == "." || v == ".." {
		return "", fmt.Errorf("jira: %s: invalid %s %q", method, what, v)
	}
	return url.PathEscape(v), nil
}
