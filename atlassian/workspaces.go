package atlassian

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/batonkit/jiracloud/internal/apiclient"
)

// WorkspacesService lists an organization's workspaces (product instances)
// and finds the ones of a Jira site. See
// https://developer.atlassian.com/cloud/admin/organization/rest/api-group-workspaces/
type WorkspacesService service

// Workspace is one product instance of an organization, e.g. the Jira
// Software, Jira Service Management or Confluence product of a site. The
// products of one site share its host and cloud ID.
type Workspace struct {
	// ID is the workspace ID, an ARI such as "ari:cloud:jira-software::site/<cloudId>".
	ID WorkspaceID `json:"id"`
	// Type is the resource type.
	Type string `json:"type"`
	// Attributes describe the product instance.
	Attributes WorkspaceAttributes `json:"attributes"`
}

// WorkspaceAttributes describe a workspace.
type WorkspaceAttributes struct {
	// Name is the workspace's display name.
	Name string `json:"name"`
	// TypeKey is the product key: "jira-software", "jira-servicedesk",
	// "jira-product-discovery", "confluence", …
	TypeKey string `json:"typeKey"`
	// Type is the product family, e.g. "jira".
	Type string `json:"type"`
	// Owner is the owner ARI, or "".
	Owner string `json:"owner"`
	// Status is "online", "offline" or "deprecated".
	Status string `json:"status"`
	// StatusDetails qualify Status.
	StatusDetails []string `json:"statusDetails"`
	// HostURL is the site URL, e.g. "https://acme.atlassian.net".
	HostURL string `json:"hostUrl"`
	// Realm is the data residency realm.
	Realm string `json:"realm"`
	// Regions are the data residency regions.
	Regions []string `json:"regions"`
	// Labels are the workspace's labels.
	Labels []string `json:"labels"`
	// Capacity is the seat limit, when known.
	Capacity *int `json:"capacity"`
	// CreatedAt is when the workspace was created, when known.
	CreatedAt time.Time `json:"createdAt"`
}

// UnmarshalJSON decodes the attributes leniently (nullable fields and
// timestamps in several forms).
func (a *WorkspaceAttributes) UnmarshalJSON(b []byte) error {
	type plain WorkspaceAttributes
	aux := struct {
		*plain
		Owner     *string `json:"owner"`
		HostURL   *string `json:"hostUrl"`
		CreatedAt *string `json:"createdAt"`
	}{plain: (*plain)(a)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.Owner = optString(aux.Owner)
	a.HostURL = optString(aux.HostURL)
	a.CreatedAt = parseTime(optString(aux.CreatedAt))
	return nil
}

var (
	uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// hostRe is a DNS host name (lower case, no trailing dot).
	hostRe    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)
	siteARIRe = regexp.MustCompile(`(?i)^ari:cloud:[a-z0-9.-]*::site/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
)

// IsJira reports whether the workspace is a Jira product (Jira Software,
// Jira Service Management, Jira Product Discovery, Jira Work Management…).
func (w Workspace) IsJira() bool {
	k := strings.ToLower(w.Attributes.TypeKey)
	if k == "" {
		k = strings.ToLower(w.Attributes.Type)
	}
	return k == "jira" || strings.HasPrefix(k, "jira-")
}

// CloudID returns the site's cloud ID, read from the workspace's ARI (or
// from an ID that is itself a cloud ID), lower-cased; "" if there is none.
func (w Workspace) CloudID() CloudID {
	return cloudIDOf(string(w.ID))
}

func cloudIDOf(s string) CloudID {
	s = strings.TrimSpace(s)
	if m := siteARIRe.FindStringSubmatch(s); m != nil {
		return CloudID(strings.ToLower(m[1]))
	}
	if uuidRe.MatchString(s) {
		return CloudID(strings.ToLower(s))
	}
	return ""
}

// ResourceID returns the workspace's resource ARI, for the ResourceIDs
// filters of user and group searches: the ID when it is an ARI, else one
// built from the product key and the cloud ID.
func (w Workspace) ResourceID() string {
	id := string(w.ID)
	if strings.HasPrefix(strings.ToLower(id), "ari:") {
		return id
	}
	if cid := w.CloudID(); cid != "" && w.Attributes.TypeKey != "" {
		return "ari:cloud:" + w.Attributes.TypeKey + "::site/" + string(cid)
	}
	return id
}

// Host returns the workspace's host from HostURL, lower-cased, e.g.
// "acme.atlassian.net"; "" if HostURL is empty.
func (w Workspace) Host() string {
	return normalHost(w.Attributes.HostURL)
}

// normalHost reduces a URL or bare host to its lower-case host name
// without port, trailing dot or path.
func normalHost(raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.TrimRight(strings.ToLower(u.Hostname()), ".")
}

// ResourceIDs returns the distinct resource ARIs of ws, in order: pass them
// as the ResourceIDs filter of [DirectoriesService.Users] or
// [GroupsService.Search] to keep only the users and groups of a site.
func ResourceIDs(ws []Workspace) []string {
	var out []string
	for _, w := range ws {
		if id := w.ResourceID(); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// List returns one page of the organization's workspaces. The first page
// sends {"limit": N}; later pages send only {"cursor": "…"}, because the
// endpoint refuses any other field next to a cursor.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-workspaces/#api-v2-orgs-orgid-workspaces-post
//
//	POST /admin/v2/orgs/{orgId}/workspaces
func (s *WorkspacesService) List(ctx context.Context, org OrgID, opts *ListOptions) ([]Workspace, *Response, error) {
	path, err := newPath("/v2/orgs").id("organization ID", string(org)).lit("workspaces").build()
	if err != nil {
		return nil, nil, err
	}
	o := listOpts(opts)
	var body any
	if o.Cursor != "" {
		body = struct {
			Cursor string `json:"cursor"`
		}{o.Cursor}
	} else {
		body = struct {
			Limit int `json:"limit"`
		}{pageSize(o.PageSize)}
	}
	return fetchPage[Workspace](ctx, s.client, request{method: http.MethodPost, path: path, body: body})
}

// ListIter iterates over all the organization's workspaces.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-workspaces/#api-v2-orgs-orgid-workspaces-post
//
//	POST /admin/v2/orgs/{orgId}/workspaces
func (s *WorkspacesService) ListIter(ctx context.Context, org OrgID, opts *ListOptions) iter.Seq2[Workspace, error] {
	return paginate(ctx, opts, func(ctx context.Context, o ListOptions) ([]Workspace, *Response, error) {
		return s.List(ctx, org, &o)
	})
}

// siteRef is a normalised reference to a Jira site: a host or a cloud ID.
type siteRef struct {
	host    string
	cloudID CloudID
}

// parseSiteRef accepts a site URL in any case, with or without scheme and
// trailing slashes (https://acme.atlassian.net, acme.atlassian.net/), the
// gateway form https://api.atlassian.com/ex/jira/<cloudId> (on any host, so
// a fake gateway works too), a bare cloud ID, or a site ARI
// (ari:cloud:jira-software::site/<cloudId>).
func parseSiteRef(raw string) (siteRef, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return siteRef{}, errors.New("atlassian: FindJiraSite needs a site URL or cloud ID")
	}
	if id := cloudIDOf(s); id != "" {
		return siteRef{cloudID: id}, nil
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return siteRef{}, fmt.Errorf("atlassian: cannot read a site from %q; give https://<site>.atlassian.net, https://api.atlassian.com/ex/jira/<cloudId> or a cloud ID", apiclient.RedactRaw(raw))
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	// The gateway form names the cloud ID in its path, whatever the host
	// (api.atlassian.com, or a fake gateway in tests).
	segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	if len(segs) >= 3 && strings.EqualFold(segs[0], "ex") && strings.EqualFold(segs[1], "jira") {
		if id := cloudIDOf(segs[2]); id != "" {
			return siteRef{cloudID: id}, nil
		}
	}
	if host == "api.atlassian.com" {
		return siteRef{}, fmt.Errorf("atlassian: %q is not a Jira gateway URL (want https://api.atlassian.com/ex/jira/<cloudId>)", apiclient.RedactRaw(raw))
	}
	if !hostRe.MatchString(host) && net.ParseIP(host) == nil {
		// e.g. "." or "..": nothing to match, and an empty host would
		// match every workspace without a hostUrl.
		return siteRef{}, fmt.Errorf("atlassian: cannot read a site from %q; give https://<site>.atlassian.net, https://api.atlassian.com/ex/jira/<cloudId> or a cloud ID", apiclient.RedactRaw(raw))
	}
	return siteRef{host: host}, nil
}

func (r siteRef) matches(w Workspace) bool {
	if !w.IsJira() {
		return false
	}
	if r.cloudID != "" {
		return w.CloudID() == r.cloudID
	}
	return w.Host() == r.host
}

// FindJiraSite returns every Jira workspace of the organization that
// belongs to one site (Jira Software, Jira Service Management and Jira
// Product Discovery of a site are separate workspaces sharing its host and
// cloud ID). site may be a site URL in any case, with or without scheme and
// trailing slashes, the gateway form https://api.atlassian.com/ex/jira/<cloudId>,
// a bare cloud ID or a site ARI; URLs are matched on the host of each
// workspace's hostUrl and cloud IDs on the cloud ID in each workspace's ARI,
// never by exact string comparison. Non-Jira workspaces (Confluence, …) of
// the same site are left out. It reads every page of workspaces.
//
// If nothing matches, the error wraps [ErrSiteNotFound] and names the Jira
// sites the organization does have.
//
// Atlassian API docs: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-workspaces/#api-v2-orgs-orgid-workspaces-post
//
//	POST /admin/v2/orgs/{orgId}/workspaces
func (s *WorkspacesService) FindJiraSite(ctx context.Context, org OrgID, site string) ([]Workspace, error) {
	ref, err := parseSiteRef(site)
	if err != nil {
		return nil, err
	}
	var found []Workspace
	var others []string
	for w, err := range s.ListIter(ctx, org, nil) {
		if err != nil {
			return nil, err
		}
		switch {
		case ref.matches(w):
			found = append(found, w)
		case w.IsJira():
			name := w.Host()
			if name == "" {
				name = string(w.CloudID())
			}
			if name != "" && !slices.Contains(others, name) {
				others = append(others, name)
			}
		}
	}
	if len(found) == 0 {
		want := ref.host
		if want == "" {
			want = "cloud ID " + string(ref.cloudID)
		}
		if len(others) == 0 {
			return nil, fmt.Errorf("%w: %s (organization %s has no Jira workspace the API key can see)", ErrSiteNotFound, want, org)
		}
		return nil, fmt.Errorf("%w: %s (Jira sites of organization %s: %s)", ErrSiteNotFound, want, org, strings.Join(others, ", "))
	}
	return found, nil
}
