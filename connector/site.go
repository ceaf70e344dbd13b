package connector

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	ent "github.com/conductorone/baton-sdk/pkg/types/entitlement"
	gr "github.com/conductorone/baton-sdk/pkg/types/grant"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"github.com/grpc-ecosystem/go-grpc-middleware/logging/zap/ctxzap"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"

	"github.com/batonkit/jiracloud/jira"
)

// siteResourceType is "site": the Jira site itself, keyed by its host, with
// the administration entitlements. Its grants are type-scoped.
var siteResourceType = v2.ResourceType_builder{
	Id:          "site",
	DisplayName: "Site",
	Annotations: annotations.New(&v2.TypeScopedGrants{}),
	Description: "The Jira Cloud site and its administrators",
}.Build()

const (
	adminEntitlement     = "admin"
	siteAdminEntitlement = "site-admin"
	// anyoneEntitlement is held by every active account of the site that
	// is not a Service Management customer: whom a permission granted to
	// "anyone" (public access) reaches. It is derived, not assignable.
	anyoneEntitlement = "anyone"

	// anyoneBatch is how many "anyone" grants one call returns.
	anyoneBatch = 5000
)

// siteSyncer lists the site (host from GET /serverInfo) and grants
// "admin" (Administer Jira) and "site-admin" (site administration) to the
// groups GET /group/bulk returns for accessType=admin and site-admin, and
// "anyone" to every active, non-customer account the users walk returned
// (no request of its own).
type siteSyncer struct{ provisioner }

func (s *siteSyncer) ResourceType(context.Context) *v2.ResourceType { return siteResourceType }

// List returns the one site.
func (s *siteSyncer) List(ctx context.Context, _ *v2.ResourceId, opts rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error) {
	host, annos, err := s.c.siteHost(ctx, s.c.state(opts.SyncID))
	if err != nil {
		return nil, nil, err
	}
	r, err := rs.NewResource("Jira site "+host, siteResourceType, host,
		rs.WithResourceProfile(map[string]any{"host": host, "url": "https://" + host}))
	if err != nil {
		return nil, nil, wrapErr("convert site", err)
	}
	return []*v2.Resource{r}, &rs.SyncOpResults{Annotations: annos}, nil
}

// Entitlements returns "admin", "site-admin" and "anyone".
func (s *siteSyncer) Entitlements(ctx context.Context, r *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Entitlement, *rs.SyncOpResults, error) {
	return []*v2.Entitlement{
		ent.NewPermissionEntitlement(r, adminEntitlement,
			ent.WithGrantableTo(groupResourceType, userResourceType),
			ent.WithDisplayName("Jira administrator"),
			ent.WithDescription("Holds the Administer Jira global permission on "+r.GetId().GetResource())),
		ent.NewPermissionEntitlement(r, siteAdminEntitlement,
			ent.WithGrantableTo(groupResourceType, userResourceType),
			ent.WithDisplayName("Site administrator"),
			ent.WithDescription("Administers the site "+r.GetId().GetResource())),
		ent.NewPermissionEntitlement(r, anyoneEntitlement,
			ent.WithGrantableTo(userResourceType),
			ent.WithDisplayName("Anyone (public access)"),
			ent.WithDescription("Every active account of "+r.GetId().GetResource()+" that is not a Service Management "+
				"customer: whom a permission granted to \"anyone\" (public access) reaches; projects whose Browse Projects "+
				"permission is public grant participate through it. Derived from account status, not assignable")),
	}, &rs.SyncOpResults{}, nil
}

// siteToken is the position of a site grants walk: the entitlement being
// walked ("admin", then "site-admin", then "anyone") and the group page
// cursor, or for "anyone" the last account granted (accounts go in sorted
// order, so a resumed walk continues after it even if the list changed).
type siteToken struct {
	Entitlement string `json:"e"`
	Cursor      string `json:"c,omitempty"`
}

// Grants is GrantsForResourceType: there is one site.
func (s *siteSyncer) Grants(ctx context.Context, _ *v2.Resource, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	return s.GrantsForResourceType(ctx, siteResourceType.GetId(), opts)
}

// GrantsForResourceType returns one page of administrator groups per call.
// Jira Cloud answers accessType=site-admin with a documented 500 ("Couldn't
// retrieve groups with the site-admin accessType"); that answer, or a 500
// that persisted through the client's retries, is logged as a warning and
// the site-admin grants are left out. Any other failure (a single 500,
// other 5xx, 429, network) fails the call, so the SDK retries it instead of
// finishing a sync without its site administrators.
func (s *siteSyncer) GrantsForResourceType(ctx context.Context, _ string, opts rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	tok := siteToken{Entitlement: adminEntitlement}
	if err := decodeToken(opts.PageToken.Token, &tok); err != nil {
		return nil, nil, err
	}
	st := s.c.state(opts.SyncID)
	s.c.warmGrants(ctx, st)
	host, _, err := s.c.siteHost(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	if tok.Entitlement == anyoneEntitlement {
		return s.anyoneGrants(ctx, st, host, tok.Cursor)
	}
	synced, err := s.c.groupSet(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	access := jira.AccessAdmin
	if tok.Entitlement == siteAdminEntitlement {
		access = jira.AccessSiteAdmin
	}
	groups, resp, err := s.c.jira.Groups.List(ctx, &jira.GroupListOptions{ListOptions: jira.ListOptions{Cursor: tok.Cursor}, AccessType: access})
	var grants []*v2.Grant
	next := ""
	switch {
	case err != nil && access == jira.AccessSiteAdmin && siteAdminUnsupported(err):
		ctxzap.Extract(ctx).Warn("baton-jira: Jira failed to list site-admin groups (a known Jira Cloud limitation); "+
			"site-admin grants are left out of this sync", zap.Error(err))
		if next, err = encodeToken(siteToken{Entitlement: anyoneEntitlement}); err != nil {
			return nil, nil, err
		}
	case err != nil:
		return nil, nil, wrapErr(opSiteAdmins, err)
	default:
		ids := make([]jira.GroupID, 0, len(groups))
		for _, g := range groups {
			ids = append(ids, g.GroupID)
		}
		grants = groupGrants(siteStub(host), tok.Entitlement, ids, synced, true)
		if resp.NextCursor != "" && resp.NextCursor != tok.Cursor {
			next, err = encodeToken(siteToken{Entitlement: tok.Entitlement, Cursor: resp.NextCursor})
		} else if tok.Entitlement == adminEntitlement {
			next, err = encodeToken(siteToken{Entitlement: siteAdminEntitlement})
		} else {
			next, err = encodeToken(siteToken{Entitlement: anyoneEntitlement})
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return grants, &rs.SyncOpResults{NextPageToken: next, Annotations: rateAnnotations(resp)}, nil
}

// anyoneGrants returns up to anyoneBatch "anyone" grants for the accounts
// after after (all of them when after is "").
func (s *siteSyncer) anyoneGrants(ctx context.Context, st *syncState, host, after string) ([]*v2.Grant, *rs.SyncOpResults, error) {
	accounts, err := s.c.anyoneAccounts(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	from := 0
	if after != "" {
		from, _ = slices.BinarySearch(accounts, jira.AccountID(after))
		if from < len(accounts) && accounts[from] == jira.AccountID(after) {
			from++
		}
	}
	to := min(from+anyoneBatch, len(accounts))
	stub := siteStub(host)
	grants := make([]*v2.Grant, 0, to-from)
	for _, id := range accounts[from:to] {
		grants = append(grants, gr.NewGrant(stub, anyoneEntitlement, userID(id)))
	}
	next := ""
	if to < len(accounts) {
		if next, err = encodeToken(siteToken{Entitlement: anyoneEntitlement, Cursor: string(accounts[to-1])}); err != nil {
			return nil, nil, err
		}
	}
	return grants, &rs.SyncOpResults{NextPageToken: next}, nil
}

// siteHost returns the site host from GET /serverInfo, read once per sync.
func (c *Connector) siteHost(ctx context.Context, st *syncState) (string, annotations.Annotations, error) {
	st.siteMu.Lock()
	defer st.siteMu.Unlock()
	if st.site != "" {
		return st.site, nil, nil
	}
	si, resp, err := c.jira.ServerInfo(ctx)
	if err != nil {
		return "", nil, wrapErr(opServerInfo, err)
	}
	host := si.Host()
	if host == "" {
		host = c.jira.Site().Host
	}
	if host == "" {
		return "", nil, errorf(codes.Unavailable, "%s: Jira returned no base URL", opServerInfo)
	}
	st.site = host
	return host, rateAnnotations(resp), nil
}

func siteStub(host string) *v2.Resource {
	return v2.Resource_builder{Id: v2.ResourceId_builder{ResourceType: siteResourceType.GetId(), Resource: host}.Build()}.Build()
}

// siteAdminUnsupported reports whether err is Jira refusing to list groups
// by the site-admin access type: a 500 whose message names that access type
// (the documented answer), or a 500 that persisted through the client's
// retries (the same refusal worded otherwise). A single 500, other 5xx, 429
// and network errors are not: the SDK retries them.
func siteAdminUnsupported(err error) bool {
	var je *jira.Error
	if !errors.As(err, &je) || je.StatusCode != http.StatusInternalServerError {
		return false
	}
	return siteAdminRefused(err) || je.Attempts > 1
}

// siteAdminRefused reports whether err is Jira's documented refusal to
// list groups by the site-admin access type: a 500 whose message names that
// access type. Unlike siteAdminUnsupported it leaves out a 500 worded
// otherwise, which may be an outage rather than the site's limitation.
func siteAdminRefused(err error) bool {
	var je *jira.Error
	if !errors.As(err, &je) || je.StatusCode != http.StatusInternalServerError {
		return false
	}
	for _, m := range je.Messages {
		if strings.Contains(strings.ToLower(m), "site-admin") {
			return true
		}
	}
	return false
}
