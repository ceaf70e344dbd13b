package connector

import (
	"context"
	"slices"
	"strings"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	rs "github.com/conductorone/baton-sdk/pkg/types/resource"

	"github.com/batonkit/jiracloud/jira"
)

// userResourceType is "user" (ref): Atlassian accounts, keyed by account ID.
// Users hold no entitlements, so the SDK is told to skip them.
var userResourceType = v2.ResourceType_builder{
	Id:          "user",
	DisplayName: "User",
	Traits:      []v2.ResourceType_Trait{v2.ResourceType_TRAIT_USER},
	Annotations: annotations.New(&v2.SkipEntitlementsAndGrants{}),
	Description: "An Atlassian account of the Jira site",
}.Build()

// userSyncer lists users: GET /users/search (every account of the site,
// pages of 1000), or in organization mode the site's app accounts from Jira
// plus its managed accounts from the Admin API.
type userSyncer struct{ c *Connector }

func (s *userSyncer) ResourceType(context.Context) *v2.ResourceType { return userResourceType }

// List returns one page of users. The page token is the Jira cursor (or, in
// organization mode, a pagination.Bag over the Jira and Admin walks). The
// next page is fetched ahead while the SDK stores this one.
func (s *userSyncer) List(ctx context.Context, _ *v2.ResourceId, opts rs.SyncOpAttrs) ([]*v2.Resource, *rs.SyncOpResults, error) {
	st := s.c.state(opts.SyncID)
	if opts.PageToken.Token == "" {
		s.c.readProjectsAhead(ctx, st)
	}
	p, err := pipelined(ctx, &st.usersAhead, opts.PageToken.Token, s.c.userPage, func(p userPageResult) string { return p.next })
	if err != nil {
		return nil, nil, err
	}
	st.usersMu.Lock()
	if keep, restart := st.users.observe(opts.PageToken.Token, p.next); keep {
		if restart {
			st.users.ids, st.anyone = nil, nil
		}
		st.anyone = append(st.anyone, p.active...)
		if s.c.admin != nil {
			// Organization mode: an account comes once even if both the
			// directory and Jira (or two directories) return it.
			kept := p.resources[:0]
			for _, r := range p.resources {
				id := jira.AccountID(r.GetId().GetResource())
				if st.users.has(id) {
					continue
				}
				st.users.add(id)
				kept = append(kept, r)
			}
			p.resources = kept
		} else {
			st.users.add(p.index...)
		}
	}
	st.usersMu.Unlock()
	return p.resources, &rs.SyncOpResults{NextPageToken: p.next, Annotations: p.annos}, nil
}

// Entitlements returns nothing: users hold no entitlements.
func (s *userSyncer) Entitlements(context.Context, *v2.Resource, rs.SyncOpAttrs) ([]*v2.Entitlement, *rs.SyncOpResults, error) {
	return nil, &rs.SyncOpResults{}, nil
}

// Grants returns nothing: users hold no entitlements.
func (s *userSyncer) Grants(context.Context, *v2.Resource, rs.SyncOpAttrs) ([]*v2.Grant, *rs.SyncOpResults, error) {
	return nil, &rs.SyncOpResults{}, nil
}

// userPageResult is one page of users: the resources, the IDs the user index
// records (customers, or in organization mode every synced account), the next
// token and the rate-limit annotations.
type userPageResult struct {
	resources []*v2.Resource
	index     []jira.AccountID
	// active are the page's Jira accounts that are active and not Service
	// Management customers: who a permission granted to "anyone" reaches
	// (see syncState.anyone).
	active []jira.AccountID
	next   string
	annos  annotations.Annotations
}

// userPage fetches the user page at tok. List and the user index share it.
func (c *Connector) userPage(ctx context.Context, tok string) (userPageResult, error) {
	if c.admin != nil {
		return c.orgUserPage(ctx, tok)
	}
	users, resp, err := c.jira.Users.List(ctx, &jira.ListOptions{Cursor: tok})
	if err != nil {
		return userPageResult{}, wrapErr(opListUsers, err)
	}
	out := userPageResult{next: resp.NextCursor, annos: rateAnnotations(resp), active: activeAccounts(users)}
	for _, u := range users {
		if u.AccountType == jira.AccountTypeCustomer && c.cfg.SkipCustomerUser {
			out.index = append(out.index, u.AccountID)
			continue
		}
		r, err := userResource(u)
		if err != nil {
			return userPageResult{}, err
		}
		out.resources = append(out.resources, r)
	}
	return out, nil
}

// userAllowed tells grants whether a user principal is a synced user.
type userAllowed func(id jira.AccountID, typ jira.AccountType) bool

// userFilter returns the principal filter of the current sync, building the
// user index by re-paging users if the List walk did not record it.
//
// Without organization mode and without skip-customer-user every account is
// synced, and no index is kept. With skip-customer-user the index holds the
// customer account IDs (role actors and permission holders carry no account
// type). In organization mode it holds every synced account ID.
func (c *Connector) userFilter(ctx context.Context, st *syncState) (userAllowed, error) {
	if c.admin == nil && !c.cfg.SkipCustomerUser {
		return func(jira.AccountID, jira.AccountType) bool { return true }, nil
	}
	st.usersMu.Lock()
	defer st.usersMu.Unlock()
	if err := c.ensureUsersLocked(ctx, st); err != nil {
		return nil, err
	}
	ids := st.users.ids
	skipCustomers := c.cfg.SkipCustomerUser
	if c.admin != nil {
		return func(id jira.AccountID, typ jira.AccountType) bool {
			if skipCustomers && typ == jira.AccountTypeCustomer {
				return false
			}
			_, ok := ids[id]
			return ok
		}, nil
	}
	return func(id jira.AccountID, typ jira.AccountType) bool {
		if typ == jira.AccountTypeCustomer {
			return false
		}
		_, customer := ids[id]
		return !customer
	}, nil
}

// splitName splits a display name into first name (the first word) and last
// name (the rest): "Ada King Lovelace" → "Ada", "King Lovelace".
func splitName(display string) (first, last string) {
	f := strings.Fields(display)
	if len(f) == 0 {
		return "", ""
	}
	return f[0], strings.Join(f[1:], " ")
}

// accountType maps Jira's account type onto Baton's.
func accountType(t jira.AccountType) v2.UserTrait_AccountType {
	switch t {
	case jira.AccountTypeAtlassian, jira.AccountTypeCustomer:
		return v2.UserTrait_ACCOUNT_TYPE_HUMAN
	case jira.AccountTypeApp:
		return v2.UserTrait_ACCOUNT_TYPE_SERVICE
	}
	return v2.UserTrait_ACCOUNT_TYPE_UNSPECIFIED
}

// userStatus maps Jira's active flag onto Baton's user status.
func userStatus(active bool) v2.UserTrait_Status_Status {
	if active {
		return v2.UserTrait_Status_STATUS_ENABLED
	}
	return v2.UserTrait_Status_STATUS_DISABLED
}

// userProfile is the profile of a Jira user (docs/MODEL.md): login (email
// when visible), first_name, last_name, user_id, account_type, app_type,
// time_zone and locale. Empty values are left out.
func userProfile(u jira.User) map[string]any {
	first, last := splitName(u.DisplayName)
	p := map[string]any{"user_id": string(u.AccountID)}
	set := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	set("login", u.EmailAddress)
	set("first_name", first)
	set("last_name", last)
	set("account_type", string(u.AccountType))
	set("app_type", string(u.AppType))
	set("time_zone", u.TimeZone)
	set("locale", u.Locale)
	return p
}

// userResource converts a Jira user. The email (primary) and login traits are
// set only when the user's privacy settings let the email through.
func userResource(u jira.User, extra ...rs.UserTraitOption) (*v2.Resource, error) {
	name := u.DisplayName
	if strings.TrimSpace(name) == "" {
		name = string(u.AccountID)
	}
	opts := []rs.UserTraitOption{
		rs.WithUserProfile(userProfile(u)),
		rs.WithStatus(userStatus(u.Active)),
		rs.WithAccountType(accountType(u.AccountType)),
	}
	if u.EmailAddress != "" {
		opts = append(opts, rs.WithEmail(u.EmailAddress, true), rs.WithUserLogin(u.EmailAddress))
	}
	opts = append(opts, extra...)
	// NewUserTrait turns an unspecified account type into HUMAN; the second
	// WithUserTrait edits the trait in place and keeps UNSPECIFIED.
	ropts := []rs.ResourceOption{}
	if accountType(u.AccountType) == v2.UserTrait_ACCOUNT_TYPE_UNSPECIFIED {
		ropts = append(ropts, rs.WithUserTrait(rs.WithAccountType(v2.UserTrait_ACCOUNT_TYPE_UNSPECIFIED)))
	}
	r, err := rs.NewUserResource(name, userResourceType, string(u.AccountID), opts, ropts...)
	if err != nil {
		return nil, wrapErr("convert user "+string(u.AccountID), err)
	}
	return r, nil
}

// ensureUsersLocked re-pages users once when the List walk did not record
// them (a resumed sync, or grants without a List), rebuilding the user index
// and the accounts "anyone" reaches. st.usersMu must be held.
func (c *Connector) ensureUsersLocked(ctx context.Context, st *syncState) error {
	if st.users.ok() {
		return nil
	}
	idx := accountIndex{}
	var active []jira.AccountID
	tok := ""
	for {
		p, err := c.userPage(ctx, tok)
		if err != nil {
			return err
		}
		idx.add(p.index...)
		active = append(active, p.active...)
		if p.next == "" || p.next == tok {
			break
		}
		tok = p.next
	}
	idx.walk = walk{started: true, complete: true, rebuilt: true}
	st.users, st.anyone = idx, active
	return nil
}

// activeAccounts returns the active accounts of users that are not Service
// Management customers.
func activeAccounts(users []jira.User) []jira.AccountID {
	var out []jira.AccountID
	for _, u := range users {
		if u.Active && u.AccountType != jira.AccountTypeCustomer {
			out = append(out, u.AccountID)
		}
	}
	return out
}

// anyoneAccounts returns, sorted, the synced accounts a permission granted
// to "anyone" reaches: active Jira accounts that are not customers (in
// organization mode, those the sync includes).
func (c *Connector) anyoneAccounts(ctx context.Context, st *syncState) ([]jira.AccountID, error) {
	st.usersMu.Lock()
	err := c.ensureUsersLocked(ctx, st)
	active := slices.Clone(st.anyone)
	st.usersMu.Unlock()
	if err != nil {
		return nil, err
	}
	allowed, err := c.userFilter(ctx, st)
	if err != nil {
		return nil, err
	}
	slices.Sort(active)
	active = slices.Compact(active)
	return slices.DeleteFunc(active, func(id jira.AccountID) bool { return !allowed(id, "") }), nil
}
