package jiratest

import (
	"cmp"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
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

// TruthOptions mirrors the connector options that change what a complete sync produces.
type TruthOptions struct {
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

// TruthResource is a Baton resource a complete sync must produce.
type TruthResource struct {
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
	case HolderGroup, HolderProjectRole, HolderApplicationRole, HolderUser, HolderProjectLead, HolderAnyone,
		HolderPortalCustomer:
		return "", false
	case HolderReporter, HolderAssignee:
		return typ, true
	}
	if parameter != "" {
		return typ + ":" + parameter, true
	}
	return typ, true
}

// TruthGrant is a grant of Entitlement to a principal; Expandable lists the entitlement IDs the grant expands onto
// (with resource type "user").
type TruthGrant struct {
	Entitlement   string   `json:"entitlement"`
	PrincipalType string   `json:"principalType"`
	PrincipalID   string   `json:"principalId"`
	Expandable    []string `json:"expandable,omitempty"`
}

// ID returns the Baton grant ID "<entitlementId>:<principalType>:<principalId>".
func (g TruthGrant) ID() string { return g.Entitlement + ":" + g.PrincipalType + ":" + g.PrincipalID }

// Truth is the expected result of a complete sync per docs/MODEL.md. Resources are sorted by (Type, ID),
// Entitlements and Grants by ID, so two Truths can be compared directly.
type Truth struct {
	Resources    []TruthResource `json:"resources"`
	Entitlements []string        `json:"entitlements"`
	Grants       []TruthGrant    `json:"grants"`
}

// EntitlementID returns "<resourceType>:<resourceId>:<slug>".
func EntitlementID(resourceType, resourceID, slug string) string {
	return resourceType + ":" + resourceID + ":" + slug
}

// GroundTruth computes what a complete sync of t must produce under o, following docs/MODEL.md. It reads t only.
func (t *Tenant) GroundTruth(o TruthOptions) *Truth {
	x := newIndex(t)
	b := &truthBuilder{grants: make(map[string]int), ents: make(map[string]bool)}

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
	siteARIs := t.siteJiraResources()
	if !o.OrgMode {
		for _, u := range t.Users {
			if o.SkipCustomers && u.AccountType == AccountTypeCustomer {
				continue
			}
			addUser(u.AccountID, u.DisplayName)
		}
	} else {
		// The organization's accounts on the site (Admin names), then every
		// other account Jira lists, which keeps its Jira display name.
		if t.Org != nil {
			for _, a := range t.Org.Accounts {
				if a.hasAnyResource(siteARIs) && !(o.SkipCustomers && a.AccountType == AccountTypeCustomer) {
					addUser(a.AccountID, a.Name)
				}
			}
		}
		for _, u := range t.Users {
			if !users[u.AccountID] && !(o.SkipCustomers && u.AccountType == AccountTypeCustomer) {
				addUser(u.AccountID, u.DisplayName)
			}
		}
	}
	for _, id := range userOrder {
		b.resource(TruthResource{Type: TypeUser, ID: id, DisplayName: userName[id]})
	}

	// Groups.
	groups := make(map[string]bool)
	addGroup := func(id, name string, members []string) {
		if groups[id] {
			return
		}
		groups[id] = true
		b.resource(TruthResource{Type: TypeGroup, ID: id, DisplayName: name})
		ent := EntitlementID(TypeGroup, id, "member")
		b.entitlement(ent)
		for _, m := range members {
			if users[m] {
				b.grant(TruthGrant{Entitlement: ent, PrincipalType: TypeUser, PrincipalID: m})
			}
		}
	}
	membersOf := func(id string, fallback []string) []string {
		if g := x.groups[id]; g != nil {
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
			b.grant(TruthGrant{Entitlement: ent, PrincipalType: TypeGroup, PrincipalID: gid,
				Expandable: []string{EntitlementID(TypeGroup, gid, "member")}})
		}
	}

	// Products.
	products := make(map[string]bool)
	for _, a := range t.ApplicationRoles {
		products[a.Key] = true
		b.resource(TruthResource{Type: TypeProduct, ID: a.Key, DisplayName: a.Name})
		ent := EntitlementID(TypeProduct, a.Key, "access")
		b.entitlement(ent)
		for _, gid := range a.GroupIDs {
			groupGrant(ent, gid)
		}
	}

	// Site.
	b.resource(TruthResource{Type: TypeSite, ID: t.SiteHost, DisplayName: "Jira site " + t.SiteHost})
	adminEnt := EntitlementID(TypeSite, t.SiteHost, "admin")
	siteAdminEnt := EntitlementID(TypeSite, t.SiteHost, "site-admin")
	anyoneEnt := EntitlementID(TypeSite, t.SiteHost, "anyone")
	b.entitlement(adminEnt)
	b.entitlement(siteAdminEnt)
	b.entitlement(anyoneEnt)
	// "anyone": every synced, active Jira account that is not a customer.
	for _, u := range t.Users {
		if u.Active && u.AccountType != AccountTypeCustomer && users[u.AccountID] {
			b.grant(TruthGrant{Entitlement: anyoneEnt, PrincipalType: TypeUser, PrincipalID: u.AccountID})
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
		pr := TruthResource{Type: TypeProject, ID: p.ID, DisplayName: p.Name}
		if s := x.schemes[p.PermissionSchemeID]; s != nil && !o.SkipParticipants {
			for _, pg := range s.Grants {
				if pg.Permission != PermBrowseProjects {
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
			b.grant(TruthGrant{Entitlement: leadEnt, PrincipalType: TypeUser, PrincipalID: p.LeadAccountID})
		}
		roles := make(map[int64]bool)
		for _, r := range x.projectRoles(p) {
			roles[r.ID] = true
			prID := p.ID + ":" + strconv.FormatInt(r.ID, 10)
			b.resource(TruthResource{Type: TypeProjectRole, ID: prID, ParentType: TypeProject, ParentID: p.ID,
				DisplayName: p.Name + " - " + r.Name})
			ent := EntitlementID(TypeProjectRole, prID, "assigned")
			b.entitlement(ent)
			if ra := p.Actors(r.ID); ra != nil {
				for _, u := range ra.Users {
					if users[u] {
						b.grant(TruthGrant{Entitlement: ent, PrincipalType: TypeUser, PrincipalID: u})
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
		if p.TypeKey == ProjectTypeServiceDesk {
			// "portal": the customers of the project's service desk, on its list or in its organizations.
			portal := EntitlementID(TypeProject, p.ID, "portal")
			b.entitlement(portal)
			if d := t.serviceDeskOf(p); d != nil {
				for _, id := range t.PortalCustomers(d) {
					if users[id] {
						b.grant(TruthGrant{Entitlement: portal, PrincipalType: TypeUser, PrincipalID: id})
					}
				}
			}
		}
		s := x.schemes[p.PermissionSchemeID]
		if s == nil {
			continue
		}
		for _, pg := range s.Grants {
			if pg.Permission != PermBrowseProjects {
				continue
			}
			h := pg.Holder
			switch h.Type {
			case HolderGroup:
				groupGrant(ent, h.GroupID)
			case HolderProjectRole:
				if roles[h.RoleID] {
					prID := p.ID + ":" + strconv.FormatInt(h.RoleID, 10)
					b.grant(TruthGrant{Entitlement: ent, PrincipalType: TypeProjectRole, PrincipalID: prID,
						Expandable: []string{EntitlementID(TypeProjectRole, prID, "assigned")}})
				}
			case HolderApplicationRole:
				for _, a := range t.ApplicationRoles {
					if h.ApplicationKey == "" || h.ApplicationKey == a.Key {
						b.grant(TruthGrant{Entitlement: ent, PrincipalType: TypeProduct, PrincipalID: a.Key,
							Expandable: []string{EntitlementID(TypeProduct, a.Key, "access")}})
					}
				}
			case HolderUser:
				if users[h.AccountID] {
					b.grant(TruthGrant{Entitlement: ent, PrincipalType: TypeUser, PrincipalID: h.AccountID})
				}
			case HolderProjectLead:
				if users[p.LeadAccountID] {
					b.grant(TruthGrant{Entitlement: ent, PrincipalType: TypeUser, PrincipalID: p.LeadAccountID})
				}
			case HolderAnyone:
				b.grant(TruthGrant{Entitlement: ent, PrincipalType: TypeSite, PrincipalID: t.SiteHost,
					Expandable: []string{anyoneEnt}})
			}
		}
	}
	return b.finish()
}

func projectSynced(p *Project, o TruthOptions, keys map[string]bool) bool {
	if p.Deleted || (p.Archived && !o.IncludeArchived) {
		return false
	}
	return len(keys) == 0 || keys[strings.ToUpper(p.Key)]
}

// siteJiraResources returns the IDs of the organization's Jira workspaces hosted on this site.
func (t *Tenant) siteJiraResources() []string {
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

func (a *OrgAccount) hasAnyResource(ids []string) bool {
	for _, pa := range a.ProductAccess {
		if slices.Contains(ids, pa.ResourceID) {
			return true
		}
	}
	return false
}

func hasAny(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

type truthBuilder struct {
	res    []TruthResource
	ents   map[string]bool
	grants map[string]int
	gl     []TruthGrant
}

func (b *truthBuilder) resource(r TruthResource) { b.res = append(b.res, r) }
func (b *truthBuilder) entitlement(id string)    { b.ents[id] = true }
func (b *truthBuilder) grant(g TruthGrant) {
	if _, dup := b.grants[g.ID()]; dup {
		return
	}
	b.grants[g.ID()] = len(b.gl)
	b.gl = append(b.gl, g)
}

func (b *truthBuilder) finish() *Truth {
	t := &Truth{Resources: b.res, Grants: b.gl}
	slices.SortFunc(t.Resources, func(a, b TruthResource) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
	})
	for e := range b.ents {
		t.Entitlements = append(t.Entitlements, e)
	}
	slices.Sort(t.Entitlements)
	slices.SortFunc(t.Grants, func(a, b TruthGrant) int {
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
	e := t.expander()
	out := make(map[string]struct{})
	for _, ent := range t.Entitlements {
		for u := range e.users(ent) {
			out[ent+":user:"+u] = struct{}{}
		}
	}
	return out
}

// EffectiveUsers returns the sorted account IDs that hold entitlement after expansion.
func (t *Truth) EffectiveUsers(entitlement string) []string {
	set := t.expander().users(entitlement)
	out := make([]string, 0, len(set))
	for u := range set {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

type expander struct {
	direct  map[string][]string
	sources map[string][]string
	memo    map[string]map[string]struct{}
	busy    map[string]bool
}

func (t *Truth) expander() *expander {
	e := &expander{direct: map[string][]string{}, sources: map[string][]string{},
		memo: map[string]map[string]struct{}{}, busy: map[string]bool{}}
	for _, g := range t.Grants {
		if g.PrincipalType == TypeUser {
			e.direct[g.Entitlement] = append(e.direct[g.Entitlement], g.PrincipalID)
		}
		e.sources[g.Entitlement] = append(e.sources[g.Entitlement], g.Expandable...)
	}
	return e
}

func (e *expander) users(ent string) map[string]struct{} {
	if m, ok := e.memo[ent]; ok {
		return m
	}
	m := make(map[string]struct{})
	if e.busy[ent] {
		return m // a cycle: the SDK stops expanding too
	}
	e.busy[ent] = true
	for _, u := range e.direct[ent] {
		m[u] = struct{}{}
	}
	for _, src := range e.sources[ent] {
		for u := range e.users(src) {
			m[u] = struct{}{}
		}
	}
	delete(e.busy, ent)
	e.memo[ent] = m
	return m
}

// WriteTruthJSON writes truth as indented JSON.
func WriteTruthJSON(w io.Writer, truth *Truth) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(truth)
}

// Summary counts the quantities of the reference call-count formula and a few more.
type Summary struct {
	// Users is U: every account /users/search returns (app, customer, inactive and former included).
	Users       int `json:"users"`
	ActiveUsers int `json:"activeUsers"`
	Apps        int `json:"apps"`
	Customers   int `json:"customers"`
	Former      int `json:"former"`
	// Groups is G.
	Groups int `json:"groups"`
	// Memberships is the number of (group, account) pairs; ActiveMemberships (M) counts active members only.
	Memberships       int `json:"memberships"`
	ActiveMemberships int `json:"activeMemberships"`
	// Projects is P: live projects (project/search default); Archived and Deleted are counted apart.
	Projects    int `json:"projects"`
	Archived    int `json:"archived"`
	Deleted     int `json:"deleted"`
	TeamManaged int `json:"teamManaged"`
	// RoleLists is Σ_p R_p over live projects (one actor list per project and role); DistinctRoles is R_u.
	RoleLists     int `json:"roleLists"`
	DistinctRoles int `json:"distinctRoles"`
	// RoleActors counts actor entries over live projects.
	RoleActors        int `json:"roleActors"`
	ApplicationRoles  int `json:"applicationRoles"`
	PermissionSchemes int `json:"permissionSchemes"`
	Issues            int `json:"issues"`
	OrgAccounts       int `json:"orgAccounts"`
	OrgGroups         int `json:"orgGroups"`
	Workspaces        int `json:"workspaces"`
}

// Summary returns the tenant's counts.
func (t *Tenant) Summary() Summary {
	x := newIndex(t)
	s := Summary{Users: len(t.Users), Groups: len(t.Groups), ApplicationRoles: len(t.ApplicationRoles),
		PermissionSchemes: len(t.PermissionSchemes), Issues: len(t.Issues)}
	for _, u := range t.Users {
		switch {
		case u.Former:
			s.Former++
		case u.AccountType == AccountTypeApp:
			s.Apps++
		case u.AccountType == AccountTypeCustomer:
			s.Customers++
		}
		if u.Active {
			s.ActiveUsers++
		}
	}
	for _, g := range t.Groups {
		for _, m := range x.sorted[g.ID] {
			s.Memberships++
			if m.Active {
				s.ActiveMemberships++
			}
		}
	}
	distinct := make(map[int64]bool)
	for _, p := range t.Projects {
		switch {
		case p.Deleted:
			s.Deleted++
			continue
		case p.Archived:
			s.Archived++
			continue
		}
		s.Projects++
		if p.Simplified {
			s.TeamManaged++
		}
		for _, r := range x.projectRoles(p) {
			distinct[r.ID] = true
			s.RoleLists++
			if ra := p.Actors(r.ID); ra != nil {
				s.RoleActors += len(ra.Users) + len(ra.Groups)
			}
		}
	}
	s.DistinctRoles = len(distinct)
	if t.Org != nil {
		s.OrgAccounts, s.OrgGroups, s.Workspaces = len(t.Org.Accounts), len(t.Org.Groups), len(t.Org.Workspaces)
	}
	return s
}

// Reference page sizes (reference-connector.md §9).
const (
	refPage          = 50
	refWorkspacePage = 20
	refAdminPage     = 100
	userSearchWindow = 1000
)

// ReferenceCallCount computes the number of requests the reference connector (baton-jira) makes for a complete sync
// of t against this fake, with the formula of reference-connector.md §9:
//
//	2 (validate) + (⌊U/50⌋+1) + (⌊G/50⌋+1) + Σ_g(⌊m_g/50⌋+1) + 2(⌊P/50⌋+1) + P + R_u + Σ_p R_p + Σ_p k_p
//
// where m_g counts active members only (the reference does not send includeInactiveUsers), P counts live projects,
// and k_p is what the reference's viewissue/search loop does here: pages of 50 over the first 1000 active users,
// stopping at the first page with fewer than 50 users. SkipParticipants drops the k_p term. OrgMode adds the
// workspace search (⌈W/20⌉ pages) and, for each workspace whose hostUrl equals the site URL (the reference compares
// strings, so Confluence workspaces on the same host count), ⌈U_ws/100⌉ user pages and ⌈G_ws/100⌉ group pages (at
// least one each). SyncProjectKeys and SkipCustomers do not change the reference's requests.
func (t *Tenant) ReferenceCallCount(o TruthOptions) int {
	return t.ReferenceFormula(o).Replay()
}

// referenceOrgCalls is the organization-mode term of the reference's count.
func (t *Tenant) referenceOrgCalls() int {
	calls := 0
	if t.Org != nil {
		ceil := func(n, size int) int { return max(1, (n+size-1)/size) }
		calls += ceil(len(t.Org.Workspaces), refWorkspacePage)
		for _, w := range t.Org.Workspaces {
			if w.HostURL != t.SiteURL() {
				continue
			}
			nu, ng := 0, 0
			for _, a := range t.Org.Accounts {
				if a.hasAnyResource([]string{w.ID}) {
					nu++
				}
			}
			for _, g := range t.Org.Groups {
				if slices.Contains(g.ResourceIDs, w.ID) {
					ng++
				}
			}
			calls += ceil(nu, refAdminPage) + ceil(ng, refAdminPage)
		}
	}
	return calls
}

// referenceParticipantPages simulates the reference's viewissue/search loop for p.
func (x *index) referenceParticipantPages(p *Project) int {
	pop := x.activeUsers()
	k := 0
	for start := 0; ; start += refPage {
		k++
		n := 0
		for i := start; i < start+refPage && i < len(pop) && i < userSearchWindow; i++ {
			if x.hasProjectPermission(pop[i], p, PermBrowseProjects) {
				n++
			}
		}
		if n < refPage {
			return k
		}
	}
}

// ReferenceTerms is the reference connector's request count for a tenant, term by term, in the notation of
// reference-connector.md §9. Everything but the participant term is fixed by the tenant. The participant term
// Σ_p k_p has three readings, all reported:
//
//   - ParticipantsReplay: what the reference's loop does against Jira's documented behaviour (each page of
//     user/viewissue/search filters one window slice, so a page is short as soon as one user in the slice may not
//     browse, and the loop stops there). This is what [Tenant.ReferenceCallCount] counts and what a replay
//     against the fake makes.
//   - ParticipantsFormula: the formula as the reference doc reads it, k_p = ⌊n_p/50⌋+1 with n_p the active users
//     who may browse p, capped at the 1,000-user window: the pages the loop needs when pages come back full.
//   - ParticipantsMax: the upper bound of the doc, 21 per project.
type ReferenceTerms struct {
	Validate, Users, Groups, GroupMembers, ProjectSearch, ProjectDetails, RoleDetails, RoleActors int
	ParticipantsReplay, ParticipantsFormula, ParticipantsMax                                      int
	// Org is the organization-mode term (0 unless OrgMode).
	Org int
}

// Fixed is every term but the participants.
func (r ReferenceTerms) Fixed() int {
	return r.Validate + r.Users + r.Groups + r.GroupMembers + r.ProjectSearch + r.ProjectDetails + r.RoleDetails +
		r.RoleActors + r.Org
}

// Replay is the total with ParticipantsReplay; it equals [Tenant.ReferenceCallCount].
func (r ReferenceTerms) Replay() int { return r.Fixed() + r.ParticipantsReplay }

// Formula is the total with ParticipantsFormula.
func (r ReferenceTerms) Formula() int { return r.Fixed() + r.ParticipantsFormula }

// Max is the total with ParticipantsMax.
func (r ReferenceTerms) Max() int { return r.Fixed() + r.ParticipantsMax }

// ReferenceFormula returns the reference's request count for t term by term. Its Replay total is
// [Tenant.ReferenceCallCount]; SkipParticipants zeroes the three participant terms.
func (t *Tenant) ReferenceFormula(o TruthOptions) ReferenceTerms {
	x := newIndex(t)
	pages := func(n, size int) int { return n/size + 1 }
	r := ReferenceTerms{Validate: 2, Users: pages(len(t.Users), refPage), Groups: pages(len(t.Groups), refPage)}
	for _, g := range t.Groups {
		active := 0
		for _, u := range x.sorted[g.ID] {
			if u.Active {
				active++
			}
		}
		r.GroupMembers += pages(active, refPage)
	}
	var live []*Project
	distinct := make(map[int64]bool)
	for _, p := range t.Projects {
		if p.Deleted || p.Archived {
			continue
		}
		live = append(live, p)
		for _, rl := range x.projectRoles(p) {
			distinct[rl.ID] = true
			r.RoleActors++
		}
	}
	r.ProjectSearch = 2 * pages(len(live), refPage)
	r.ProjectDetails = len(live)
	r.RoleDetails = len(distinct)
	if !o.SkipParticipants {
		for _, p := range live {
			r.ParticipantsReplay += x.referenceParticipantPages(p)
			n := 0
			for _, u := range x.activeUsers() {
				if x.hasProjectPermission(u, p, PermBrowseProjects) {
					n++
				}
			}
			r.ParticipantsFormula += pages(min(n, userSearchWindow), refPage)
			r.ParticipantsMax += userSearchWindow/refPage + 1
		}
	}
	if o.OrgMode {
		r.Org = t.referenceOrgCalls()
	}
	return r
}
