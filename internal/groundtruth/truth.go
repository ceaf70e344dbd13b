// Package groundtruth computes what a complete sync of a fake Jira tenant (jira/jiratest) must produce, following
// docs/MODEL.md, and how many requests the reference connector (baton-jira) makes for the same tenant
// (reference-connector.md §9). It models the connector, not Jira, so it lives here rather than in the public fake:
// the connector and adapter tests compare their syncs with [Of], and examples/syncbench and examples/fakejira report
// [Of] and [Reference]. It reads tenants only.
package groundtruth

import (
	"cmp"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// Baton resource type IDs of docs/MODEL.md.
const (
	TypeUser        = "user"
	TypeGroup       = "group"
	TypeProject     = "project"
	TypeProjectRole = "project-role"
	TypeProduct     = "product"
	TypeSite        = "site"
)

// Options mirrors the connector options that change what a complete sync produces.
type Options struct {
	// SkipCustomers drops JSM customer accounts and every grant naming one (skip-customer-user).
	SkipCustomers bool
	// SkipParticipants omits project participate entitlements and grants (skip-project-participants).
	SkipParticipants bool
	// IncludeArchived syncs archived projects too.
	IncludeArchived bool
	// OrgMode syncs users and groups the organization way: the organization's directory accounts (claimed or not,
	// as the Admin directory-users endpoint lists them) with access to a Jira workspace of this site (display name =
	// Admin name), then every other account Jira lists (its display name); the organization's groups with a role on
	// a Jira workspace of this site, then every other Jira group; each once. Workspaces of other products on the same
	// host (Confluence) do not make an account or group part of the Jira site through the Admin API.
	OrgMode bool
	// SyncProjectKeys, when set, limits projects (and their roles and grants) to these keys.
	SyncProjectKeys []string
}

// Resource is a Baton resource a complete sync must produce.
type Resource struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	ParentType  string `json:"parentType,omitempty"`
	ParentID    string `json:"parentId,omitempty"`
	DisplayName string `json:"displayName"`
	// IssueLevelHolders is, for a project (unless participants are skipped), its profile's
	// browse_issue_level_holders: the Browse Projects holders that reach single issues and grant nothing (see
	// [IssueLevelHolder]), sorted, each once.
	IssueLevelHolders []string `json:"issueLevelHolders,omitempty"`
}

// IssueLevelHolder returns how docs/MODEL.md names a Browse Projects holder in browse_issue_level_holders, and
// false for the holders that grant "participate" or "portal": "reporter", "assignee", "userCustomField:<field>",
// "groupCustomField:<field>", and any holder type the model does not know as "<type>" or "<type>:<parameter>".
func IssueLevelHolder(typ, parameter string) (string, bool) {
	switch typ {
	case jiratest.HolderGroup, jiratest.HolderProjectRole, jiratest.HolderApplicationRole, jiratest.HolderUser, jiratest.HolderProjectLead, jiratest.HolderAnyone,
		jiratest.HolderPortalCustomer:
		return "", false
	case jiratest.HolderReporter, jiratest.HolderAssignee:
		return typ, true
	}
	if parameter != "" {
		return typ + ":" + parameter, true
	}
	return typ, true
}

// Grant is a grant of Entitlement to a principal; Expandable lists the entitlement IDs the grant expands onto
// (with resource type "user").
type Grant struct {
	Entitlement   string   `json:"entitlement"`
	PrincipalType string   `json:"principalType"`
	PrincipalID   string   `json:"principalId"`
	Expandable    []string `json:"expandable,omitempty"`
}

// ID returns the Baton grant ID "<entitlementId>:<principalType>:<principalId>".
func (g Grant) ID() string { return g.Entitlement + ":" + g.PrincipalType + ":" + g.PrincipalID }

// Truth is the expected result of a complete sync per docs/MODEL.md. Resources are sorted by (Type, ID),
// Entitlements and Grants by ID, so two Truths can be compared directly.
type Truth struct {
	Resources    []Resource `json:"resources"`
	Entitlements []string   `json:"entitlements"`
	Grants       []Grant    `json:"grants"`
}

// EntitlementID returns "<resourceType>:<resourceId>:<slug>".
func EntitlementID(resourceType, resourceID, slug string) string {
	return resourceType + ":" + resourceID + ":" + slug
}

// Of computes what a complete sync of t must produce under o, following docs/MODEL.md. It reads t only.
func Of(t *jiratest.Tenant, o Options) *Truth {
	jiraGroups := make(map[string]*jiratest.Group, len(t.Groups))
	for _, g := range t.Groups {
		jiraGroups[g.ID] = g
	}
	schemes := make(map[int64]*jiratest.PermissionScheme, len(t.PermissionSchemes))
	for _, s := range t.PermissionSchemes {
		schemes[s.ID] = s
	}
	b := &builder{grants: make(map[string]int), ents: make(map[string]bool)}

	// Users.
	users := make(map[string]bool)
	userName := make(map[string]string)
	var userOrder []string
	addUser := func(id, name string) {
		if !users[id] {
			users[id] = true
			userOrder = append(userOrder, id)
		}
		userName[id] = name
	}
	siteARIs := siteJiraResources(t)
	if !o.OrgMode {
		for _, u := range t.Users {
			if o.SkipCustomers && u.AccountType == jiratest.AccountTypeCustomer {
				continue
			}
			addUser(u.AccountID, u.DisplayName)
		}
	} else {
		// The organization's accounts on the site (Admin names), then every
		// other account Jira lists, which keeps its Jira display name.
		if t.Org != nil {
			for _, a := range t.Org.Accounts {
				if hasAnyResource(a, siteARIs) && !(o.SkipCustomers && a.AccountType == jiratest.AccountTypeCustomer) {
					addUser(a.AccountID, a.Name)
				}
			}
		}
		for _, u := range t.Users {
			if !users[u.AccountID] && !(o.SkipCustomers && u.AccountType == jiratest.AccountTypeCustomer) {
				addUser(u.AccountID, u.DisplayName)
			}
		}
	}
	for _, id := range userOrder {
		b.resource(Resource{Type: TypeUser, ID: id, DisplayName: userName[id]})
	}

	// Groups.
	groups := make(map[string]bool)
	addGroup := func(id, name string, members []string) {
		if groups[id] {
			return
		}
		groups[id] = true
		b.resource(Resource{Type: TypeGroup, ID: id, DisplayName: name})
		ent := EntitlementID(TypeGroup, id, "member")
		b.entitlement(ent)
		for _, m := range members {
			if users[m] {
				b.grant(Grant{Entitlement: ent, PrincipalType: TypeUser, PrincipalID: m})
			}
		}
	}
	membersOf := func(id string, fallback []string) []string {
		if g := jiraGroups[id]; g != nil {
			return g.Members
		}
		return fallback
	}
	if !o.OrgMode {
		for _, g := range t.Groups {
			addGroup(g.ID, g.Name, g.Members)
		}
	} else {
		// The organization's groups on the site, then every other Jira group.
		if t.Org != nil {
			for _, mg := range t.Org.Groups {
				if hasAny(mg.ResourceIDs, siteARIs) {
					addGroup(mg.ID, mg.Name, membersOf(mg.ID, mg.Members))
				}
			}
		}
		for _, g := range t.Groups {
			addGroup(g.ID, g.Name, g.Members)
		}
	}
	groupGrant := func(ent, gid string) {
		if groups[gid] {
			b.grant(Grant{Entitlement: ent, PrincipalType: TypeGroup, PrincipalID: gid,
				Expandable: []string{EntitlementID(TypeGroup, gid, "member")}})
		}
	}

	// Products.
	products := make(map[string]bool)
	for _, a := range t.ApplicationRoles {
		products[a.Key] = true
		b.resource(Resource{Type: TypeProduct, ID: a.Key, DisplayName: a.Name})
		ent := EntitlementID(TypeProduct, a.Key, "access")
		b.entitlement(ent)
		for _, gid := range a.GroupIDs {
			groupGrant(ent, gid)
		}
	}

	// Site.
	b.resource(Resource{Type: TypeSite, ID: t.SiteHost, DisplayName: "Jira site " + t.SiteHost})
	adminEnt := EntitlementID(TypeSite, t.SiteHost, "admin")
	siteAdminEnt := EntitlementID(TypeSite, t.SiteHost, "site-admin")
	anyoneEnt := EntitlementID(TypeSite, t.SiteHost, "anyone")
	b.entitlement(adminEnt)
	b.entitlement(siteAdminEnt)
	b.entitlement(anyoneEnt)
	// "anyone": every synced, active Jira account that is not a customer.
	for _, u := range t.Users {
		if u.Active && u.AccountType != jiratest.AccountTypeCustomer && users[u.AccountID] {
			b.grant(Grant{Entitlement: anyoneEnt, PrincipalType: TypeUser, PrincipalID: u.AccountID})
		}
	}
	for _, g := range t.Groups {
		if g.Admin {
			groupGrant(adminEnt, g.ID)
		}
		if g.SiteAdmin {
			groupGrant(siteAdminEnt, g.ID)
		}
	}

	// Projects and project roles.
	keys := make(map[string]bool)
	for _, k := range o.SyncProjectKeys {
		keys[strings.ToUpper(k)] = true
	}
	for _, p := range t.Projects {
		if !projectSynced(p, o, keys) {
			continue
		}
		pr := Resource{Type: TypeProject, ID: p.ID, DisplayName: p.Name}
		if s := schemes[p.PermissionSchemeID]; s != nil && !o.SkipParticipants {
			for _, pg := range s.Grants {
				if pg.Permission != jiratest.PermBrowseProjects {
					continue
				}
				param := pg.Holder.FieldID
				if h, ok := IssueLevelHolder(pg.Holder.Type, param); ok && !slices.Contains(pr.IssueLevelHolders, h) {
					pr.IssueLevelHolders = append(pr.IssueLevelHolders, h)
				}
			}
			slices.Sort(pr.IssueLevelHolders)
		}
		b.resource(pr)
		leadEnt := EntitlementID(TypeProject, p.ID, "lead")
		b.entitlement(leadEnt)
		if users[p.LeadAccountID] {
			b.grant(Grant{Entitlement: leadEnt, PrincipalType: TypeUser, PrincipalID: p.LeadAccountID})
		}
		roles := make(map[int64]bool)
		for _, r := range t.ProjectRoles(p) {
			roles[r.ID] = true
			prID := p.ID + ":" + strconv.FormatInt(r.ID, 10)
			b.resource(Resource{Type: TypeProjectRole, ID: prID, ParentType: TypeProject, ParentID: p.ID,
				DisplayName: p.Name + " - " + r.Name})
			ent := EntitlementID(TypeProjectRole, prID, "assigned")
			b.entitlement(ent)
			if ra := p.Actors(r.ID); ra != nil {
				for _, u := range ra.Users {
					if users[u] {
						b.grant(Grant{Entitlement: ent, PrincipalType: TypeUser, PrincipalID: u})
					}
				}
				for _, gid := range ra.Groups {
					groupGrant(ent, gid)
				}
			}
		}
		if o.SkipParticipants {
			continue
		}
		ent := EntitlementID(TypeProject, p.ID, "participate")
		b.entitlement(ent)
		if p.TypeKey == jiratest.ProjectTypeServiceDesk {
			// "portal": the customers of the project's service desk, on its list or in its organizations.
			portal := EntitlementID(TypeProject, p.ID, "portal")
			b.entitlement(portal)
			if d := serviceDeskOf(t, p); d != nil {
				for _, id := range t.PortalCustomers(d) {
					if users[id] {
						b.grant(Grant{Entitlement: portal, PrincipalType: TypeUser, PrincipalID: id})
					}
				}
			}
		}
		s := schemes[p.PermissionSchemeID]
		if s == nil {
			continue
		}
		for _, pg := range s.Grants {
			if pg.Permission != jiratest.PermBrowseProjects {
				continue
			}
			h := pg.Holder
			switch h.Type {
			case jiratest.HolderGroup:
				groupGrant(ent, h.GroupID)
			case jiratest.HolderProjectRole:
				if roles[h.RoleID] {
					prID := p.ID + ":" + strconv.FormatInt(h.RoleID, 10)
					b.grant(Grant{Entitlement: ent, PrincipalType: TypeProjectRole, PrincipalID: prID,
						Expandable: []string{EntitlementID(TypeProjectRole, prID, "assigned")}})
				}
			case jiratest.HolderApplicationRole:
				for _, a := range t.ApplicationRoles {
					if h.ApplicationKey == "" || h.ApplicationKey == a.Key {
						b.grant(Grant{Entitlement: ent, PrincipalType: TypeProduct, PrincipalID: a.Key,
							Expandable: []string{EntitlementID(TypeProduct, a.Key, "access")}})
					}
				}
			case jiratest.HolderUser:
				if users[h.AccountID] {
					b.grant(Grant{Entitlement: ent, PrincipalType: TypeUser, PrincipalID: h.AccountID})
				}
			case jiratest.HolderProjectLead:
				if users[p.LeadAccountID] {
					b.grant(Grant{Entitlement: ent, PrincipalType: TypeUser, PrincipalID: p.LeadAccountID})
				}
			case jiratest.HolderAnyone:
				b.grant(Grant{Entitlement: ent, PrincipalType: TypeSite, PrincipalID: t.SiteHost,
					Expandable: []string{anyoneEnt}})
			}
		}
	}
	return b.finish()
}

func projectSynced(p *jiratest.Project, o Options, keys map[string]bool) bool {
	if p.Deleted || (p.Archived && !o.IncludeArchived) {
		return false
	}
	return len(keys) == 0 || keys[strings.ToUpper(p.Key)]
}

// siteJiraResources returns the IDs of the organization's Jira workspaces hosted on t's site.
func siteJiraResources(t *jiratest.Tenant) []string {
	if t.Org == nil {
		return nil
	}
	var out []string
	for _, w := range t.Org.Workspaces {
		if w.IsJira() && (w.CloudID == t.CloudID || strings.TrimSuffix(w.HostURL, "/") == t.SiteURL()) {
			out = append(out, w.ID)
		}
	}
	return out
}

// hasAnyResource reports whether a has product access to one of the workspaces ids.
func hasAnyResource(a *jiratest.OrgAccount, ids []string) bool {
	return slices.ContainsFunc(a.ProductAccess, func(pa jiratest.ProductAccess) bool { return slices.Contains(ids, pa.ResourceID) })
}

// hasAny reports whether a and b share an element.
func hasAny(a, b []string) bool {
	return slices.ContainsFunc(a, func(x string) bool { return slices.Contains(b, x) })
}

// serviceDeskOf returns the service desk of project p, or nil.
func serviceDeskOf(t *jiratest.Tenant, p *jiratest.Project) *jiratest.ServiceDesk {
	for _, d := range t.ServiceDesks {
		if d.ProjectID == p.ID {
			return d
		}
	}
	return nil
}

type builder struct {
	res    []Resource
	ents   map[string]bool
	grants map[string]int
	gl     []Grant
}

func (b *builder) resource(r Resource)   { b.res = append(b.res, r) }
func (b *builder) entitlement(id string) { b.ents[id] = true }
func (b *builder) grant(g Grant) {
	if _, dup := b.grants[g.ID()]; dup {
		return
	}
	b.grants[g.ID()] = len(b.gl)
	b.gl = append(b.gl, g)
}

func (b *builder) finish() *Truth {
	t := &Truth{Resources: b.res, Grants: b.gl}
	slices.SortFunc(t.Resources, func(a, b Resource) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
	})
	for e := range b.ents {
		t.Entitlements = append(t.Entitlements, e)
	}
	slices.Sort(t.Entitlements)
	slices.SortFunc(t.Grants, func(a, b Grant) int {
		return cmp.Or(cmp.Compare(a.Entitlement, b.Entitlement), cmp.Compare(a.PrincipalType, b.PrincipalType),
			cmp.Compare(a.PrincipalID, b.PrincipalID))
	})
	return t
}

// GrantIDs returns the set of grant IDs.
func (t *Truth) GrantIDs() map[string]struct{} {
	out := make(map[string]struct{}, len(t.Grants))
	for _, g := range t.Grants {
		out[g.ID()] = struct{}{}
	}
	return out
}

// Expanded returns the effective (entitlement, user) pairs after transitive expansion of expandable grants, keyed
// like the grant IDs the expansion produces: "<entitlementId>:user:<accountId>". Direct user grants are included;
// only user principals are derived. It can be large (every Browse-through-product pair of a big site): prefer
// [Truth.EffectiveUsers] for spot checks on big tenants.
func (t *Truth) Expanded() map[string]struct{} {
	h := t.Holders(true)
	out := make(map[string]struct{})
	for _, ent := range t.Entitlements {
		for u := range h.Users(ent) {
			out[ent+":user:"+u] = struct{}{}
		}
	}
	return out
}

// EffectiveUsers returns the sorted account IDs that hold entitlement after expansion.
func (t *Truth) EffectiveUsers(entitlement string) []string {
	set := t.Holders(true).Users(entitlement)
	out := make([]string, 0, len(set))
	for u := range set {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// Holders answers which users hold each entitlement, memoised per
// entitlement (see Truth.Holders).
type Holders struct {
	direct  map[string][]string
	sources map[string][]string
	memo    map[string]map[string]struct{}
	busy    map[string]bool
}

// Holders returns the users holding each entitlement: the direct user
// grants and, when transitive, the users of every expandable grant's
// sources, transitively (onto users only, as the SDK expands). It does
// what Expanded does without materialising every grant ID, which matters
// for the millions of pairs of a large tenant.
func (t *Truth) Holders(transitive bool) *Holders {
	h := &Holders{direct: map[string][]string{}, sources: map[string][]string{},
		memo: map[string]map[string]struct{}{}, busy: map[string]bool{}}
	for _, g := range t.Grants {
		if g.PrincipalType == TypeUser {
			h.direct[g.Entitlement] = append(h.direct[g.Entitlement], g.PrincipalID)
		}
		if transitive {
			h.sources[g.Entitlement] = append(h.sources[g.Entitlement], g.Expandable...)
		}
	}
	return h
}

// Users returns the account IDs holding entitlement ent. The set is shared
// with later calls: do not modify it.
func (h *Holders) Users(ent string) map[string]struct{} {
	if m, ok := h.memo[ent]; ok {
		return m
	}
	m := make(map[string]struct{})
	if h.busy[ent] {
		return m // a cycle: the SDK stops expanding too
	}
	h.busy[ent] = true
	for _, u := range h.direct[ent] {
		m[u] = struct{}{}
	}
	for _, src := range h.sources[ent] {
		for u := range h.Users(src) {
			m[u] = struct{}{}
		}
	}
	delete(h.busy, ent)
	h.memo[ent] = m
	return m
}

// WriteJSON writes truth as indented JSON.
func WriteJSON(w io.Writer, truth *Truth) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(truth)
}
