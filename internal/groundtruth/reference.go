package groundtruth

import (
	"slices"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// Reference page sizes (reference-connector.md §9).
const (
	refPage          = 50
	refWorkspacePage = 20
	refAdminPage     = 100
	userSearchWindow = 1000
)

// ReferenceCallCount computes the number of requests the reference connector (baton-jira) makes for a complete sync
// of t against the fake (jira/jiratest), with the formula of reference-connector.md §9:
//
//	2 (validate) + (⌊U/50⌋+1) + (⌊G/50⌋+1) + Σ_g(⌊m_g/50⌋+1) + 2(⌊P/50⌋+1) + P + R_u + Σ_p R_p + Σ_p k_p
//
// where m_g counts active members only (the reference does not send includeInactiveUsers), P counts live projects,
// and k_p is what the reference's viewissue/search loop does here: pages of 50 over the first 1000 active users,
// stopping at the first page with fewer than 50 users. SkipParticipants drops the k_p term. OrgMode adds the
// workspace search (⌈W/20⌉ pages) and, for each workspace whose hostUrl equals the site URL (the reference compares
// strings, so Confluence workspaces on the same host count), ⌈U_ws/100⌉ user pages and ⌈G_ws/100⌉ group pages (at
// least one each). SyncProjectKeys and SkipCustomers do not change the reference's requests.
func ReferenceCallCount(t *jiratest.Tenant, o Options) int {
	return Reference(t, o).Replay()
}

// referenceOrgCalls is the organization-mode term of the reference's count.
func referenceOrgCalls(t *jiratest.Tenant) int {
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
				if hasAnyResource(a, []string{w.ID}) {
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

// referenceParticipantPages simulates the reference's viewissue/search loop for p over pop, the active users in site
// order (the population the user searches scan).
func referenceParticipantPages(pop []*jiratest.User, p *jiratest.Project, can browseFunc) int {
	k := 0
	for start := 0; ; start += refPage {
		k++
		n := 0
		for i := start; i < start+refPage && i < len(pop) && i < userSearchWindow; i++ {
			if can(pop[i], p, jiratest.PermBrowseProjects) {
				n++
			}
		}
		if n < refPage {
			return k
		}
	}
}

// browseFunc is [jiratest.Tenant.ProjectPermissions].
type browseFunc = func(u *jiratest.User, p *jiratest.Project, perm string) bool

// activeMembers counts the distinct active accounts among members, as GET /group/member lists them without
// includeInactiveUsers (members that are not users of the site are not listed).
func activeMembers(users map[string]*jiratest.User, members []string) int {
	seen := make(map[string]bool, len(members))
	n := 0
	for _, m := range members {
		if seen[m] {
			continue
		}
		seen[m] = true
		if u := users[m]; u != nil && u.Active {
			n++
		}
	}
	return n
}

// ReferenceTerms is the reference connector's request count for a tenant, term by term, in the notation of
// reference-connector.md §9. Everything but the participant term is fixed by the tenant. The participant term
// Σ_p k_p has three readings, all reported:
//
//   - ParticipantsReplay: what the reference's loop does against Jira's documented behaviour (each page of
//     user/viewissue/search filters one window slice, so a page is short as soon as one user in the slice may not
//     browse, and the loop stops there). This is what [ReferenceCallCount] counts and what a replay
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

// Replay is the total with ParticipantsReplay; it equals [ReferenceCallCount].
func (r ReferenceTerms) Replay() int { return r.Fixed() + r.ParticipantsReplay }

// Formula is the total with ParticipantsFormula.
func (r ReferenceTerms) Formula() int { return r.Fixed() + r.ParticipantsFormula }

// Max is the total with ParticipantsMax.
func (r ReferenceTerms) Max() int { return r.Fixed() + r.ParticipantsMax }

// Reference returns the reference's request count for t term by term. Its Replay total is
// [ReferenceCallCount]; SkipParticipants zeroes the three participant terms.
func Reference(t *jiratest.Tenant, o Options) ReferenceTerms {
	users := make(map[string]*jiratest.User, len(t.Users))
	var active []*jiratest.User
	for _, u := range t.Users {
		users[u.AccountID] = u
		if u.Active {
			active = append(active, u)
		}
	}
	groups := make(map[string]*jiratest.Group, len(t.Groups))
	for _, g := range t.Groups {
		groups[g.ID] = g
	}
	pages := func(n, size int) int { return n/size + 1 }
	r := ReferenceTerms{Validate: 2, Users: pages(len(t.Users), refPage), Groups: pages(len(t.Groups), refPage)}
	for _, g := range t.Groups {
		r.GroupMembers += pages(activeMembers(users, groups[g.ID].Members), refPage)
	}
	var live []*jiratest.Project
	distinct := make(map[int64]bool)
	for _, p := range t.Projects {
		if p.Deleted || p.Archived {
			continue
		}
		live = append(live, p)
		for _, rl := range t.ProjectRoles(p) {
			distinct[rl.ID] = true
			r.RoleActors++
		}
	}
	r.ProjectSearch = 2 * pages(len(live), refPage)
	r.ProjectDetails = len(live)
	r.RoleDetails = len(distinct)
	if !o.SkipParticipants {
		can := t.ProjectPermissions()
		for _, p := range live {
			r.ParticipantsReplay += referenceParticipantPages(active, p, can)
			n := 0
			for _, u := range active {
				if can(u, p, jiratest.PermBrowseProjects) {
					n++
				}
			}
			r.ParticipantsFormula += pages(min(n, userSearchWindow), refPage)
			r.ParticipantsMax += userSearchWindow/refPage + 1
		}
	}
	if o.OrgMode {
		r.Org = referenceOrgCalls(t)
	}
	return r
}
