package connector

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"
	"google.golang.org/grpc/codes"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
)

// Page states of the organization-mode walks (pagination.Bag resource types).
const (
	phaseOrgUsers   = "org-users"
	phaseJiraUsers  = "jira-users"
	phaseOrgGroups  = "org-groups"
	phaseJiraGroups = "jira-groups"
)

// orgSite is the site's Jira workspaces in the organization, found once per
// sync: Validate, which the SDK calls before each sync, looks them up afresh
// (the workspace search pages through every workspace of the org).
type orgSite struct {
	mu          sync.Mutex
	resourceIDs []string
	workspaces  []atlassian.Workspace
	cloudID     jira.CloudID
}

// orgResources returns the resource IDs (ARIs) of the site's Jira
// workspaces: the filter that selects the site's users and groups. The site
// is matched by cloud ID: the one in a gateway URL, else the one the site
// itself reports at /_edge/tenant_info (never by host, which a renamed site
// or a custom domain would change).
func (c *Connector) orgResources(ctx context.Context) ([]string, error) {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	if c.org.resourceIDs != nil {
		return c.org.resourceIDs, nil
	}
	org := atlassian.OrgID(strings.TrimSpace(c.cfg.AtlassianOrgID))
	id, err := c.jira.TenantCloudID(ctx)
	if err != nil {
		return nil, wrapErr(opServerInfo, err)
	}
	ref := string(id)
	ws, err := c.admin.Workspaces.FindJiraSite(ctx, org, ref)
	if err != nil {
		if errors.Is(err, atlassian.ErrSiteNotFound) {
			return nil, errorf(codes.FailedPrecondition,
				"%s: the Jira site %s is not a Jira workspace of organization %s: set atlassian-orgId to the organization that owns the site (%v)",
				opFindSite, ref, org, err)
		}
		return nil, wrapErr(opFindSite, err)
	}
	c.org.workspaces = ws
	c.org.cloudID = id
	c.org.resourceIDs = atlassian.ResourceIDs(ws)
	return c.org.resourceIDs, nil
}

// orgUserPage is one page of organization-mode users: first the
// organization's accounts with access to the site's Jira workspaces (one
// search over all of them, so an account matching several workspaces comes
// once), with their Admin traits (status, last active); then every other
// account Jira lists (apps, which the directory does not hold, accounts of
// other organizations, customers unless skipped), so that turning
// organization mode on adds detail and never hides an account. The index
// records every synced account; an account already emitted in this walk is
// skipped.
func (c *Connector) orgUserPage(ctx context.Context, tok string) (userPageResult, error) {
	w, err := c.startOrgWalk(tok, phaseJiraUsers, phaseOrgUsers)
	if err != nil {
		return userPageResult{}, err
	}
	bag := w.bag
	var out userPageResult
	var cursor string
	switch bag.ResourceTypeID() {
	case phaseOrgUsers:
		res, err := c.orgResources(ctx)
		if err != nil {
			return userPageResult{}, err
		}
		users, resp, err := c.admin.Directories.Users(ctx, atlassian.OrgID(strings.TrimSpace(c.cfg.AtlassianOrgID)), atlassian.AllDirectories,
			&atlassian.UserSearchOptions{
				ListOptions: atlassian.ListOptions{Cursor: bag.PageToken()},
				ResourceIDs: res,
				Expand:      []string{atlassian.ExpandProductAccess},
			})
		if err != nil {
			return userPageResult{}, wrapErr(opListOrgUsers, err)
		}
		cursor, out.annos = resp.NextCursor, rateAnnotations(resp)
		if err := w.count(len(users)); err != nil {
			return userPageResult{}, err
		}
		for _, u := range users {
			if c.cfg.SkipCustomerUser && u.AccountType == atlassian.AccountTypeCustomer {
				continue
			}
			r, err := orgUserResource(u, c.siteCloudID())
			if err != nil {
				return userPageResult{}, err
			}
			out.resources = append(out.resources, r)
			out.index = append(out.index, u.AccountID)
		}
	case phaseJiraUsers:
		users, resp, err := c.jira.Users.List(ctx, &jira.ListOptions{Cursor: bag.PageToken()})
		if err != nil {
			return userPageResult{}, wrapErr(opListUsers, err)
		}
		cursor, out.annos = resp.NextCursor, rateAnnotations(resp)
		if err := w.count(len(users)); err != nil {
			return userPageResult{}, err
		}
		out.active = activeAccounts(users)
		for _, u := range users {
			if c.cfg.SkipCustomerUser && u.AccountType == jira.AccountTypeCustomer {
				continue
			}
			r, err := userResource(u)
			if err != nil {
				return userPageResult{}, err
			}
			out.resources = append(out.resources, r)
			out.index = append(out.index, u.AccountID)
		}
	default:
		return userPageResult{}, errorf(codes.InvalidArgument, "invalid page token: unknown phase %q", bag.ResourceTypeID())
	}
	next, err := w.next(cursor)
	if err != nil {
		return userPageResult{}, err
	}
	out.next = next
	return out, nil
}

// orgGroupPage is one page of organization-mode groups: the organization's
// groups with a role on the site's Jira workspaces (one search over all of
// them), then every other Jira group (system groups the Admin API does not
// return, groups without a product role that are still project role actors
// or permission holders). The List call skips a group already emitted.
func (c *Connector) orgGroupPage(ctx context.Context, tok string) (groupPageResult, error) {
	w, err := c.startOrgWalk(tok, phaseJiraGroups, phaseOrgGroups)
	if err != nil {
		return groupPageResult{}, err
	}
	bag := w.bag
	var out groupPageResult
	var cursor string
	add := func(id jira.GroupID, name string) error {
		r, err := groupResource(id, name)
		if err != nil {
			return err
		}
		out.resources = append(out.resources, r)
		out.ids = append(out.ids, id)
		return nil
	}
	switch bag.ResourceTypeID() {
	case phaseOrgGroups:
		res, err := c.orgResources(ctx)
		if err != nil {
			return groupPageResult{}, err
		}
		groups, resp, err := c.admin.Groups.Search(ctx, atlassian.OrgID(strings.TrimSpace(c.cfg.AtlassianOrgID)), atlassian.AllDirectories,
			&atlassian.GroupSearchOptions{ListOptions: atlassian.ListOptions{Cursor: bag.PageToken()}, ResourceIDs: res})
		if err != nil {
			return groupPageResult{}, wrapErr(opListOrgGroups, err)
		}
		cursor, out.annos = resp.NextCursor, rateAnnotations(resp)
		if err := w.count(len(groups)); err != nil {
			return groupPageResult{}, err
		}
		for _, g := range groups {
			if err := add(g.ID, g.Name); err != nil {
				return groupPageResult{}, err
			}
		}
	case phaseJiraGroups:
		groups, resp, err := c.jira.Groups.List(ctx, &jira.GroupListOptions{ListOptions: jira.ListOptions{Cursor: bag.PageToken()}})
		if err != nil {
			return groupPageResult{}, wrapErr(opListGroups, err)
		}
		cursor, out.annos = resp.NextCursor, rateAnnotations(resp)
		if err := w.count(len(groups)); err != nil {
			return groupPageResult{}, err
		}
		for _, g := range groups {
			if err := add(g.GroupID, g.Name); err != nil {
				return groupPageResult{}, err
			}
		}
	default:
		return groupPageResult{}, errorf(codes.InvalidArgument, "invalid page token: unknown phase %q", bag.ResourceTypeID())
	}
	next, err := w.next(cursor)
	if err != nil {
		return groupPageResult{}, err
	}
	out.next = next
	return out, nil
}

// orgUserStatus maps the Admin API's composite user status: active →
// ENABLED; suspended, deactivated and for_deletion → DISABLED; otherwise the
// account status decides.
func orgUserStatus(u atlassian.DirectoryUser) v2.UserTrait_Status_Status {
	switch u.Status {
	case atlassian.UserStatusActive:
		return v2.UserTrait_Status_STATUS_ENABLED
	case atlassian.UserStatusSuspended, atlassian.UserStatusDeactivated, atlassian.UserStatusForDeletion:
		return v2.UserTrait_Status_STATUS_DISABLED
	}
	return userStatus(u.AccountStatus == atlassian.AccountStatusActive)
}

// siteCloudID is the cloud ID orgResources matched the site by.
func (c *Connector) siteCloudID() jira.CloudID {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	return c.org.cloudID
}

// lastActive returns the latest activity of u in the site's Jira products
// (entries whose ARI or ID carries the site's cloud ID), or in any product
// when none of its entries names the site.
func lastActive(u atlassian.DirectoryUser, cloudID jira.CloudID) time.Time {
	var site, any time.Time
	for _, p := range u.ProductAccess {
		if p.LastActive.After(any) {
			any = p.LastActive
		}
		if cloudID != "" && p.CloudID() == cloudID && p.IsJira() && p.LastActive.After(site) {
			site = p.LastActive
		}
	}
	if !site.IsZero() {
		return site
	}
	return any
}

// orgUserResource converts an organization account (display name = Admin
// name) with the organization traits of docs/MODEL.md: account_status,
// status, last_active (also the last-login trait), added_to_org,
// email_verified and claim_status.
func orgUserResource(u atlassian.DirectoryUser, cloudID jira.CloudID) (*v2.Resource, error) {
	ju := jira.User{AccountID: u.AccountID, AccountType: jira.AccountType(u.AccountType), DisplayName: u.Name,
		EmailAddress: u.Email, TimeZone: u.TimeZone, Active: orgUserStatus(u) == v2.UserTrait_Status_STATUS_ENABLED}
	profile := userProfile(ju)
	set := func(k, v string) {
		if v != "" {
			profile[k] = v
		}
	}
	set("account_status", string(u.AccountStatus))
	set("status", string(u.Status))
	set("claim_status", string(u.ClaimStatus))
	if !u.AddedToOrg.IsZero() {
		profile["added_to_org"] = u.AddedToOrg.UTC().Format(time.RFC3339)
	}
	if u.EmailVerified != nil {
		profile["email_verified"] = *u.EmailVerified
	}
	extra := []rs.UserTraitOption{rs.WithStatus(orgUserStatus(u))}
	if la := lastActive(u, cloudID); !la.IsZero() {
		profile["last_active"] = la.UTC().Format(time.RFC3339)
		extra = append(extra, rs.WithLastLogin(la))
	}
	extra = append(extra, rs.WithUserProfile(profile))
	return userResource(ju, extra...)
}
