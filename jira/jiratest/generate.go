package jiratest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Size is a tenant size preset for [Generate].
type Size string

// Size presets. Counts are exact for users, groups and projects (including system users and groups, archived and
// trashed projects).
const (
	// Small has 50 users, 16 groups and 8 projects: fast enough for every unit test.
	Small Size = "small"
	// Medium has 2,000 users, 150 groups and 80 projects.
	Medium Size = "medium"
	// Large has 20,000 users, 1,000 groups and 500 projects (about 80,000 memberships).
	Large Size = "large"
	// XL has 100,000 users, 3,000 groups and 1,500 projects.
	XL Size = "xl"
)

// Sizes lists the presets from smallest to largest.
var Sizes = []Size{Small, Medium, Large, XL}

type sizeSpec struct {
	users, groups, projects int
	teamAvg                 float64 // mean team-group size
	issues                  int     // issues per live project
	maxRoleUsers            int
	workspaces              int // extra (non-site) workspaces, to exercise workspace paging
}

var sizeSpecs = map[Size]sizeSpec{
	Small:  {users: 50, groups: 16, projects: 8, teamAvg: 6, issues: 3, maxRoleUsers: 6, workspaces: 1},
	Medium: {users: 2000, groups: 150, projects: 80, teamAvg: 22, issues: 2, maxRoleUsers: 12, workspaces: 6},
	Large:  {users: 20000, groups: 1000, projects: 500, teamAvg: 45, issues: 1, maxRoleUsers: 15, workspaces: 18},
	XL:     {users: 100000, groups: 3000, projects: 1500, teamAvg: 60, issues: 1, maxRoleUsers: 15, workspaces: 30},
}

// ParseSize parses a size name (small, medium, large, xl; case-insensitive).
func ParseSize(s string) (Size, error) {
	sz := Size(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := sizeSpecs[sz]; !ok {
		return "", fmt.Errorf("jiratest: unknown size %q (want small, medium, large or xl)", s)
	}
	return sz, nil
}

// Counts returns the exact number of users, groups and projects a preset generates.
func (s Size) Counts() (users, groups, projects int) {
	sp := sizeSpecs[s]
	return sp.users, sp.groups, sp.projects
}

var (
	firstNames = []string{"José", "Zoë", "Łukasz", "Søren", "Anaïs", "Ngozi", "Hiroshi", "Olga", "Mary-Jane", "Jean Luc",
		"Émilie", "Björn", "Ayşe", "Priya", "Mohammed", "Chloé", "Dmitri", "Aoife", "Kwame", "Ingrid", "Mateo", "Yuki",
		"Fatima", "Liam", "Sofía", "Noah", "Amélie", "Oğuz", "Ana María", "Tomasz", "Grace", "Wei", "Lars", "Nadia",
		"Pablo", "Saoirse", "Arjun", "Elena", "Kofi", "Astrid", "Ravi", "Hannah", "Jürgen", "Mei", "Carlos", "Leila"}
	lastNames = []string{"Müller", "O'Brien", "van der Berg", "García Márquez", "Nguyễn", "Smith", "Kowalski", "D'Angelo",
		"Al-Farsi", "Johansson", "Okafor", "Tanaka", "Ivanova", "Dubois", "Schmidt", "Rossi", "Papadopoulos", "Singh",
		"Kim", "Costa", "Novák", "Fernández", "Hansen", "Yılmaz", "Murphy", "de la Cruz", "Lindqvist", "Chen", "Haddad",
		"Kuznetsov", "Björk", "Mensah", "Moreau", "Silva", "Wójcik", "Østergaard", "Sato", "Brown", "Patel", "Ríos"}
	cjkNames   = []string{"李小龙", "王芳", "山田太郎", "김민준", "陈静"}
	timeZones  = []string{"Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Europe/London", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata", "Africa/Lagos", "Etc/UTC"}
	locales    = []string{"en_US", "en_GB", "de_DE", "fr_FR", "ja_JP", "es_ES", "pt_BR", "pl_PL"}
	teamEdge   = []string{"R&D / Platform", "c++ devs", "Ops + SRE", "Équipe Qualité", "team alpha", "Sales & Marketing/EMEA", "データ分析チーム"}
	teamWords  = []string{"platform", "payments", "search", "mobile", "infra", "security", "growth", "billing", "data", "identity", "web", "api", "support", "design", "qa", "finance", "legal", "hr", "ml", "edge"}
	projEdge   = []string{"R&D Platform", "Développement / Ops", "C++ Toolchain", "Sales + Marketing", "数据平台", "Customer Help & Support", "Ops/Infra Ünïcode"}
	projWords  = []string{"Apollo", "Borealis", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Helix", "Indigo", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Orion", "Pioneer", "Quartz", "Raven", "Sierra", "Titan", "Umbra", "Vertex", "Willow", "Xenon", "Yonder", "Zephyr"}
	summaries  = []string{"Fix login redirect loop", "Grant access to billing dashboard", "Upgrade TLS certificates", "Onboard new contractor", "Quarterly access review", "Broken link on landing page", "Add SSO for vendor portal", "Rotate API keys"}
	appNames   = []string{"Automation for Jira", "Slack", "GitHub for Jira", "Rovo Dev Agent", "Jira Service Management Widget", "Tempo", "Zephyr Scale", "Opsgenie", "Statuspage", "Microsoft Teams"}
	emailFolds = map[rune]string{'ä': "ae", 'ö': "oe", 'ü': "ue", 'ß': "ss", 'ø': "o", 'æ': "ae", 'å': "a", 'ł': "l", 'é': "e", 'è': "e", 'ë': "e", 'ê': "e", 'á': "a", 'à': "a", 'í': "i", 'ï': "i", 'ó': "o", 'ò': "o", 'ú': "u", 'ñ': "n", 'ç': "c", 'ş': "s", 'ğ': "g", 'ı': "i", 'ễ': "e", 'š': "s", 'č': "c", 'ž': "z", 'ř': "r"}
)

// asciiFold lower-cases s and keeps only ASCII letters and digits (folding common accents).
func asciiFold(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			sb.WriteRune(r)
		case emailFolds[r] != "":
			sb.WriteString(emailFolds[r])
		}
	}
	return sb.String()
}

type gen struct {
	r           *rand.Rand
	t           *Tenant
	spec        sizeSpec
	kind        map[string]userKind
	nextGrantID int64
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }
func (g *gen) pick(n int) int        { return g.r.IntN(n) }

// Generate builds a deterministic tenant of the given size: the same size and seed always yield a byte-identical
// tenant (compare their JSON encodings). It panics on an unknown size; use [ParseSize] for user input.
//
// Generated tenants contain the edge cases connectors trip over: names with spaces, unicode, slashes, "+" and "&";
// hidden emails; app accounts (one a service account, one a Rovo agent); JSM customers with "qm:" account IDs;
// inactive and former (deleted) users; team-managed projects with project-scoped roles; archived and trashed
// projects; groups as role actors; a group holding Browse Projects twice in one scheme; Browse holders of every
// type (group, projectRole, applicationRole with and without key, user, projectLead, anyone, reporter, assignee),
// including holders naming a deleted group and an unknown product; product access through groups; admin and
// site-admin groups; and an organization with several sites (a Confluence workspace on the Jira site's host, a
// sandbox Jira site), managed and unmanaged accounts that are active, suspended or deactivated, with last-active
// dates.
func Generate(size Size, seed int64) *Tenant {
	spec, ok := sizeSpecs[size]
	if !ok {
		panic(fmt.Sprintf("jiratest: unknown size %q", size))
	}
	g := &gen{r: rand.New(rand.NewPCG(uint64(seed), 0x6a697261746573)), t: NewTenant(), spec: spec,
		kind: make(map[string]userKind)}
	g.users()
	g.groups()
	g.schemes()
	g.projects()
	g.org()
	g.serviceDesks(rand.New(rand.NewPCG(uint64(seed), 0x73657276696365)))
	return g.t
}

type userKind int

const (
	kindHuman userKind = iota
	kindApp
	kindCustomer
	kindFormer
	kindConfluenceOnly
)

func (g *gen) users() {
	t := g.t
	n := g.spec.users - len(t.Users)
	apps := max(3, n/100)
	apps = min(apps, len(appNames))
	customers := max(2, n*5/100)
	former := max(1, n/100)
	confOnly := max(1, n*2/100)
	kinds := make([]userKind, 0, n)
	for range apps {
		kinds = append(kinds, kindApp)
	}
	for range customers {
		kinds = append(kinds, kindCustomer)
	}
	for range former {
		kinds = append(kinds, kindFormer)
	}
	for range confOnly {
		kinds = append(kinds, kindConfluenceOnly)
	}
	for len(kinds) < n {
		kinds = append(kinds, kindHuman)
	}
	g.r.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	appIdx := 0
	for i, k := range kinds {
		u := &User{Active: true, AccountType: AccountTypeAtlassian,
			TimeZone: timeZones[g.pick(len(timeZones))], Locale: locales[g.pick(len(locales))]}
		switch k {
		case kindApp:
			name := appNames[appIdx]
			appIdx++
			u.AccountType = AccountTypeApp
			u.AccountID = "557058:" + randUUID(g.r)
			u.DisplayName = name
			u.Email = asciiFold(name) + "@connect.atlassian.com"
			u.EmailHidden = true
			u.AppType = "unknown"
			if strings.HasPrefix(name, "Rovo") {
				u.AppType = "agent"
			}
		case kindCustomer:
			u.AccountType = AccountTypeCustomer
			u.AccountID = customerAccountID(g.r)
			fn, ln := firstNames[g.pick(len(firstNames))], lastNames[g.pick(len(lastNames))]
			u.DisplayName = fn + " " + ln
			u.Email = fmt.Sprintf("%s.%s%d@customer%d.example", asciiFold(fn), asciiFold(ln), i, g.pick(5))
			u.Active = !g.chance(0.1)
			u.TimeZone, u.Locale = "", ""
		case kindFormer:
			u.AccountID = g.accountID()
			u.DisplayName = "Former user"
			u.Former = true
			u.Active = false
			u.TimeZone, u.Locale = "", ""
		default:
			u.AccountID = g.accountID()
			fn, ln := firstNames[g.pick(len(firstNames))], lastNames[g.pick(len(lastNames))]
			switch {
			case g.chance(0.03):
				u.DisplayName = cjkNames[g.pick(len(cjkNames))]
			case g.chance(0.02):
				u.DisplayName = fn // a single-token name
			default:
				u.DisplayName = fn + " " + ln
			}
			local := asciiFold(fn) + "." + asciiFold(ln)
			domain := "acme.example"
			switch x := g.r.Float64(); {
			case x < 0.10:
				domain = "contractor.example"
			case x < 0.15:
				domain = "acme-labs.example"
			}
			u.Email = fmt.Sprintf("%s%d@%s", local, i, domain)
			u.EmailHidden = g.chance(0.15)
			u.Active = !g.chance(0.06)
			u.Guest = domain == "contractor.example" && g.chance(0.2)
		}
		g.kind[u.AccountID] = k
		t.Users = append(t.Users, u)
	}
}

func (g *gen) accountID() string {
	if g.chance(0.5) {
		return randHex(g.r, 24)
	}
	return "712020:" + randUUID(g.r)
}

// byKind returns the users of kind k (after the two system users), in site order.
func (g *gen) byKind(k userKind) []*User {
	var out []*User
	for _, u := range g.t.Users[2:] {
		if g.kind[u.AccountID] == k {
			out = append(out, u)
		}
	}
	return out
}

func (g *gen) sample(pool []*User, p float64) []string {
	var out []string
	for _, u := range pool {
		if g.chance(p) {
			out = append(out, u.AccountID)
		}
	}
	return out
}

// samplePositions returns k distinct positions in [0, n) (Floyd's algorithm, in draw order).
func (g *gen) samplePositions(n, k int) []int {
	seen := make(map[int]bool, k)
	out := make([]int, 0, k)
	for j := n - k; j < n; j++ {
		t := g.pick(j + 1)
		if seen[t] {
			t = j
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// pickIDs draws k times from n items (id names item i) and keeps the distinct IDs in draw order.
func (g *gen) pickIDs(k, n int, id func(int) string) []string {
	var out []string
	for range k {
		if s := id(g.pick(n)); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (g *gen) groupByName(name string) *Group {
	return g.findGroup(func(gr *Group) bool { return gr.Name == name })
}

// findGroup returns the first group that matches, or nil.
func (g *gen) findGroup(match func(*Group) bool) *Group {
	if i := slices.IndexFunc(g.t.Groups, match); i >= 0 {
		return g.t.Groups[i]
	}
	return nil
}

func (g *gen) groups() {
	t := g.t
	short := siteShortName(t.SiteHost)
	humans := g.byKind(kindHuman)
	apps := g.byKind(kindApp)
	customers := g.byKind(kindCustomer)
	confOnly := g.byKind(kindConfluenceOnly)
	former := g.byKind(kindFormer)

	sets := make(map[*Group]map[string]bool)
	add := func(gr *Group, ids ...string) {
		set := sets[gr]
		if set == nil {
			set = make(map[string]bool, len(gr.Members)+len(ids))
			for _, m := range gr.Members {
				set[m] = true
			}
			sets[gr] = set
		}
		for _, id := range ids {
			if !set[id] {
				set[id] = true
				gr.Members = append(gr.Members, id)
			}
		}
	}
	add(g.groupByName("jira-software-users-"+short), g.sample(humans, 0.85)...)
	add(g.groupByName("jira-work-management-users-"+short), g.sample(humans, 0.20)...)
	add(g.groupByName("jira-servicemanagement-users-"+short), g.sample(humans, 0.08)...)
	add(g.groupByName("jira-product-discovery-users-"+short), g.sample(humans, 0.04)...)
	admins := g.sample(humans, 0.005)
	if len(admins) < 2 {
		admins = append(admins, humans[0].AccountID, humans[1].AccountID)
	}
	add(g.groupByName("jira-admins-"+short), admins...)
	add(g.groupByName("site-admins"), humans[2].AccountID)
	for _, a := range apps {
		add(g.groupByName("atlassian-addons"), a.AccountID)
	}
	add(g.groupByName("atlassian-addons-admin"), apps[0].AccountID, apps[1].AccountID)

	conf := &Group{ID: hashUUID("group", t.SiteHost, "confluence-users"), Name: "confluence-users-" + short}
	add(conf, g.sample(humans, 0.6)...)
	for _, u := range confOnly {
		add(conf, u.AccountID)
	}
	cust := &Group{ID: hashUUID("group", t.SiteHost, "customers"), Name: "jira-servicemanagement-customers-" + short}
	for _, u := range customers {
		add(cust, u.AccountID)
	}
	t.Groups = append(t.Groups, conf, cust)

	// Team groups.
	used := make(map[string]bool)
	for _, gr := range t.Groups {
		used[strings.ToLower(gr.Name)] = true
	}
	for i := 0; len(t.Groups) < g.spec.groups; i++ {
		var name string
		if i < len(teamEdge) {
			name = teamEdge[i]
		} else {
			w := teamWords[g.pick(len(teamWords))]
			switch g.pick(5) {
			case 0:
				name = fmt.Sprintf("team-%s-%d", w, i)
			case 1:
				name = fmt.Sprintf("%s squad %d", strings.ToUpper(w[:1])+w[1:], i)
			case 2:
				name = fmt.Sprintf("%s/%s-%d", w, teamWords[g.pick(len(teamWords))], i)
			case 3:
				name = fmt.Sprintf("%s+%s %d", w, teamWords[g.pick(len(teamWords))], i)
			default:
				name = fmt.Sprintf("grp_%s_%d", w, i)
			}
		}
		if used[strings.ToLower(name)] {
			continue
		}
		used[strings.ToLower(name)] = true
		gr := &Group{ID: randUUID(g.r), Name: name, Description: "Team group " + name}
		size := 2 + int(-math.Log(1-g.r.Float64())*g.spec.teamAvg)
		if i == 0 && len(humans) > 60 {
			size = max(size, 60+g.pick(80)) // at least one team spans several member pages
		}
		size = min(size, len(humans))
		for _, k := range g.samplePositions(len(humans), size) {
			add(gr, humans[k].AccountID)
		}
		if g.chance(0.05) {
			add(gr, apps[g.pick(len(apps))].AccountID)
		}
		if g.chance(0.03) {
			add(gr, customers[g.pick(len(customers))].AccountID)
		}
		if i == 1 && len(former) > 0 {
			add(gr, former[0].AccountID) // a deleted user still listed in a group
		}
		t.Groups = append(t.Groups, gr)
	}
	t.Categories = []*ProjectCategory{
		{ID: "10000", Name: "Engineering", Description: "Product engineering"},
		{ID: "10001", Name: "Business & Ops", Description: "Business teams"},
		{ID: "10002", Name: "Support / Help", Description: "Customer support"},
	}
}

// Scheme IDs created by the generator.
const (
	schemeSoftware    int64 = 10000
	schemeRestricted  int64 = 10001
	schemePublic      int64 = 10002
	schemeServiceDesk int64 = 10003
)

func (g *gen) teamGroups() []*Group {
	return g.t.Groups[11:]
}

func (g *gen) schemes() {
	t := g.t
	short := siteShortName(t.SiteHost)
	jiraAdmins := g.groupByName("jira-admins-" + short).ID
	siteAdmins := g.groupByName("site-admins").ID
	cust := g.groupByName("jira-servicemanagement-customers-" + short).ID
	team := g.teamGroups()
	humans := g.byKind(kindHuman)
	id := int64(10100)
	mk := func(sid int64, name, desc string, grants ...[2]any) {
		s := &PermissionScheme{ID: sid, Name: name, Description: desc}
		for _, gr := range grants {
			s.Grants = append(s.Grants, &PermissionGrant{ID: id, Permission: gr[0].(string), Holder: gr[1].(Holder)})
			id++
		}
		t.PermissionSchemes = append(t.PermissionSchemes, s)
	}
	B := PermBrowseProjects
	mk(schemeSoftware, "Software Permission Scheme", "Browse for Jira Software users and project members",
		[2]any{B, Holder{Type: HolderApplicationRole, ApplicationKey: ProductJiraSoftware}},
		[2]any{B, Holder{Type: HolderProjectRole, RoleID: RoleAdministrators}},
		[2]any{B, Holder{Type: HolderProjectRole, RoleID: RoleMember}},
		[2]any{B, Holder{Type: HolderGroup, GroupID: jiraAdmins}},
		[2]any{B, Holder{Type: HolderGroup, GroupID: jiraAdmins}}, // the same group twice: real schemes do this
		[2]any{B, Holder{Type: HolderProjectLead}},
		[2]any{B, Holder{Type: HolderReporter}},
		[2]any{PermCreateIssues, Holder{Type: HolderApplicationRole, ApplicationKey: ProductJiraSoftware}},
		[2]any{PermEditIssues, Holder{Type: HolderProjectRole, RoleID: RoleMember}},
		[2]any{PermTransitionIssues, Holder{Type: HolderProjectRole, RoleID: RoleMember}},
		[2]any{PermAssignableUser, Holder{Type: HolderProjectRole, RoleID: RoleMember}},
		[2]any{PermAdministerProjects, Holder{Type: HolderProjectRole, RoleID: RoleAdministrators}},
	)
	mk(schemeRestricted, "Restricted / Confidential scheme", "Only project members & named people",
		[2]any{B, Holder{Type: HolderProjectRole, RoleID: RoleAdministrators}},
		[2]any{B, Holder{Type: HolderProjectRole, RoleID: RoleMember}},
		[2]any{B, Holder{Type: HolderProjectRole, RoleID: RoleViewer}},
		[2]any{B, Holder{Type: HolderGroup, GroupID: team[0].ID}},
		[2]any{B, Holder{Type: HolderUser, AccountID: humans[3].AccountID}},
		[2]any{B, Holder{Type: HolderGroup, GroupID: hashUUID("deleted-group")}},                   // names a group that no longer exists
		[2]any{B, Holder{Type: HolderApplicationRole, ApplicationKey: "jira-incident-management"}}, // unknown product
		[2]any{B, Holder{Type: HolderAssignee}},
		[2]any{B, Holder{Type: HolderUserCustomField, FieldID: "customfield_10050"}}, // e.g. "Approvers"
		[2]any{PermCreateIssues, Holder{Type: HolderProjectRole, RoleID: RoleMember}},
		[2]any{PermAdministerProjects, Holder{Type: HolderProjectRole, RoleID: RoleAdministrators}},
	)
	mk(schemePublic, "Public scheme", "Anyone on the web can browse",
		[2]any{B, Holder{Type: HolderAnyone}},
		[2]any{B, Holder{Type: HolderGroup, GroupID: siteAdmins}},
		[2]any{PermCreateIssues, Holder{Type: HolderApplicationRole}},
		[2]any{PermAdministerProjects, Holder{Type: HolderGroup, GroupID: siteAdmins}},
	)
	mk(schemeServiceDesk, "Jira Service Management Permission Scheme for Support", "Agents and customers",
		[2]any{B, Holder{Type: HolderApplicationRole, ApplicationKey: ProductJiraServiceDesk}},
		[2]any{B, Holder{Type: HolderProjectRole, RoleID: RoleServiceDeskTeam}},
		[2]any{B, Holder{Type: HolderProjectRole, RoleID: RoleServiceDeskCustomers}},
		[2]any{B, Holder{Type: HolderGroup, GroupID: cust}},
		[2]any{B, Holder{Type: HolderProjectRole, RoleID: RoleAdministrators}},
		[2]any{B, Holder{Type: HolderReporter}},
		[2]any{B, Holder{Type: HolderPortalCustomer}},
		[2]any{PermCreateIssues, Holder{Type: HolderProjectRole, RoleID: RoleServiceDeskCustomers}},
		[2]any{PermAdministerProjects, Holder{Type: HolderProjectRole, RoleID: RoleAdministrators}},
	)
	g.nextGrantID = id
}

func projectKey(name string, used map[string]bool, i int) string {
	var letters []rune
	for _, r := range asciiFold(name) {
		if r >= 'a' && r <= 'z' {
			letters = append(letters, unicode.ToUpper(r))
		}
		if len(letters) == 4 {
			break
		}
	}
	key := string(letters)
	if len(key) < 2 {
		key = "PRJ"
	}
	if used[key] {
		key += strconv.Itoa(i)
	}
	used[key] = true
	return key
}

func (g *gen) projects() {
	t := g.t
	short := siteShortName(t.SiteHost)
	humans := g.byKind(kindHuman)
	var activeHumans, inactiveHumans []*User
	for _, u := range humans {
		if u.Active {
			activeHumans = append(activeHumans, u)
		} else {
			inactiveHumans = append(inactiveHumans, u)
		}
	}
	apps := g.byKind(kindApp)
	customers := g.byKind(kindCustomer)
	former := g.byKind(kindFormer)
	team := g.teamGroups()
	jiraAdmins := g.groupByName("jira-admins-" + short).ID
	jsm := g.groupByName("jira-servicemanagement-users-" + short).ID
	cust := g.groupByName("jira-servicemanagement-customers-" + short).ID
	addons := g.groupByName("atlassian-addons").ID
	conf := g.groupByName("confluence-users-" + short).ID
	usedKeys := make(map[string]bool)
	n := g.spec.projects
	nextScopedRole := int64(20000)
	issueID := 10000
	pickUsers := func(k int) []string {
		return g.pickIDs(k, len(activeHumans), func(i int) string { return activeHumans[i].AccountID })
	}
	pickGroups := func(k int) []string {
		return g.pickIDs(k, len(team), func(i int) string { return team[i].ID })
	}
	for i := range n {
		var name string
		if i < len(projEdge) {
			name = projEdge[i]
		} else {
			name = fmt.Sprintf("%s %s %d", projWords[g.pick(len(projWords))], []string{"Web", "Core", "Ops", "Mobile", "Data", "Desk"}[g.pick(6)], i)
		}
		p := &Project{ID: strconv.Itoa(10000 + i), Name: name, Key: projectKey(name, usedKeys, i)}
		switch x := g.r.Float64(); {
		case i == 5 || x < 0.15:
			p.TypeKey = ProjectTypeServiceDesk
		case x < 0.35:
			p.TypeKey = ProjectTypeBusiness
		default:
			p.TypeKey = ProjectTypeSoftware
		}
		p.Simplified = p.TypeKey != ProjectTypeServiceDesk && (i == 2 || i == 6 || g.chance(0.2))
		p.Archived = i == 6 || (i > 7 && g.chance(0.05))
		p.Deleted = !p.Archived && (i == 7 || (i > 7 && g.chance(0.02)))
		p.Private = g.chance(0.1)
		p.Description = "Project " + name
		if g.chance(0.7) {
			p.CategoryID = t.Categories[g.pick(len(t.Categories))].ID
		}
		switch {
		case i == 4 && len(former) > 0:
			p.LeadAccountID = former[0].AccountID // the lead was deleted
		case g.chance(0.05) && len(inactiveHumans) > 0:
			p.LeadAccountID = inactiveHumans[g.pick(len(inactiveHumans))].AccountID
		default:
			p.LeadAccountID = activeHumans[g.pick(len(activeHumans))].AccountID
		}
		p.IssueTypeIDs = defaultIssueTypeIDs(p.TypeKey)
		maxU := g.spec.maxRoleUsers
		if p.Simplified {
			admin := &Role{ID: nextScopedRole, Name: "Administrator", Description: "Admins can do most things, like update settings and add other admins.", Admin: true}
			member := &Role{ID: nextScopedRole + 1, Name: "Member", Description: "Members are part of the team, and can add, edit, and collaborate on all work."}
			viewer := &Role{ID: nextScopedRole + 2, Name: "Viewer", Description: "Viewers can search through, view, and comment on your team's work, but not much else."}
			nextScopedRole += 3
			p.ScopedRoles = []*Role{admin, member, viewer}
			p.RoleActors = []*RoleActors{
				{RoleID: admin.ID, Users: dedupe(append([]string{p.LeadAccountID}, pickUsers(g.pick(2))...))},
				{RoleID: member.ID, Users: pickUsers(g.pick(maxU + 1)), Groups: pickGroups(g.pick(3))},
			}
			if g.chance(0.5) {
				p.RoleActors = append(p.RoleActors, &RoleActors{RoleID: viewer.ID, Groups: pickGroups(1 + g.pick(2))})
			}
			s := &PermissionScheme{ID: 11000 + int64(i), Name: "Permission scheme for team-managed project " + p.Key}
			add := func(perm string, h Holder) {
				s.Grants = append(s.Grants, &PermissionGrant{ID: g.nextGrantID, Permission: perm, Holder: h})
				g.nextGrantID++
			}
			for _, r := range p.ScopedRoles {
				add(PermBrowseProjects, Holder{Type: HolderProjectRole, RoleID: r.ID})
			}
			if !p.Private {
				add(PermBrowseProjects, Holder{Type: HolderApplicationRole, ApplicationKey: ProductJiraSoftware})
			}
			add(PermAdministerProjects, Holder{Type: HolderProjectRole, RoleID: admin.ID})
			add(PermCreateIssues, Holder{Type: HolderProjectRole, RoleID: member.ID})
			t.PermissionSchemes = append(t.PermissionSchemes, s)
			p.PermissionSchemeID = s.ID
		} else {
			adm := &RoleActors{RoleID: RoleAdministrators, Users: []string{p.LeadAccountID}}
			if g.chance(0.5) {
				adm.Groups = []string{jiraAdmins}
			}
			member := &RoleActors{RoleID: RoleMember, Users: pickUsers(g.pick(maxU + 1)), Groups: pickGroups(g.pick(3))}
			if g.chance(0.2) && len(inactiveHumans) > 0 {
				member.Users = dedupe(append(member.Users, inactiveHumans[g.pick(len(inactiveHumans))].AccountID))
			}
			if g.chance(0.1) {
				member.Users = append(member.Users, apps[g.pick(len(apps))].AccountID)
			}
			p.RoleActors = []*RoleActors{adm, member}
			if g.chance(0.6) {
				v := &RoleActors{RoleID: RoleViewer, Groups: pickGroups(1 + g.pick(2))}
				if g.chance(0.3) {
					v.Groups = dedupe(append(v.Groups, conf))
				}
				p.RoleActors = append(p.RoleActors, v)
			}
			p.RoleActors = append(p.RoleActors, &RoleActors{RoleID: RoleAddonsProjectAccess, Groups: []string{addons}})
			if p.TypeKey == ProjectTypeServiceDesk {
				p.RoleActors = append(p.RoleActors,
					&RoleActors{RoleID: RoleServiceDeskTeam, Users: pickUsers(1 + g.pick(3)), Groups: []string{jsm}},
					&RoleActors{RoleID: RoleServiceDeskCustomers, Groups: []string{cust},
						Users: []string{customers[g.pick(len(customers))].AccountID}})
				p.PermissionSchemeID = schemeServiceDesk
			} else {
				switch x := g.r.Float64(); {
				case i == 0:
					p.PermissionSchemeID = DefaultPermissionSchemeID
				case i == 1:
					p.PermissionSchemeID = schemeSoftware
				case i == 3:
					p.PermissionSchemeID = schemePublic
				case i == 4:
					p.PermissionSchemeID = schemeRestricted
				case x < 0.3:
					p.PermissionSchemeID = DefaultPermissionSchemeID
				case x < 0.7:
					p.PermissionSchemeID = schemeSoftware
				case x < 0.9:
					p.PermissionSchemeID = schemeRestricted
				default:
					p.PermissionSchemeID = schemePublic
				}
			}
		}
		t.Projects = append(t.Projects, p)
		if p.Archived || p.Deleted {
			continue
		}
		for k := 1; k <= g.spec.issues; k++ {
			var it string
			for it == "" || it == "10004" {
				it = p.IssueTypeIDs[g.pick(len(p.IssueTypeIDs))]
			}
			created := genEpoch.Add(-time.Duration(g.pick(400*24)) * time.Hour)
			is := &Issue{ID: strconv.Itoa(issueID), Key: fmt.Sprintf("%s-%d", p.Key, k), ProjectID: p.ID, IssueTypeID: it,
				Summary:     summaries[g.pick(len(summaries))],
				Description: adfText("Generated issue " + strconv.Itoa(k) + " of " + p.Name),
				StatusID:    t.Statuses[g.pick(len(t.Statuses))].ID, ReporterID: p.LeadAccountID,
				AssigneeID: activeHumans[g.pick(len(activeHumans))].AccountID, PriorityID: t.Priorities[g.pick(5)].ID,
				Labels: []string{"generated"}, Created: created, Updated: created.Add(time.Duration(g.pick(72)) * time.Hour)}
			if it == "10005" {
				is.CustomFields = map[string]json.RawMessage{
					"customfield_10040": json.RawMessage(`{"id":"10101"}`),
					"customfield_10060": adfText("Needs access for quarterly close"),
				}
			}
			issueID++
			t.Issues = append(t.Issues, is)
		}
	}
}

func dedupe(s []string) []string {
	out := s[:0:0]
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// adfText returns a one-paragraph Atlassian Document Format document.
func adfText(s string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"type": "doc", "version": 1, "content": []any{
		map[string]any{"type": "paragraph", "content": []any{map[string]any{"type": "text", "text": s}}},
	}})
	return b
}

func (g *gen) org() {
	t := g.t
	o := t.Org
	short := siteShortName(t.SiteHost)
	mainDir := o.Directories[0].ID
	contractorDir := hashUUID("directory", t.SiteHost, "contractors")
	o.Directories = append(o.Directories, &Directory{ID: contractorDir, Name: "Contractors"})
	o.Domains = append(o.Domains,
		&Domain{ID: hashUUID("domain", "acme-labs.example"), Name: "acme-labs.example", ClaimType: "http", ClaimStatus: "verified"},
		&Domain{ID: hashUUID("domain", "contractor.example"), Name: "contractor.example", ClaimType: "dns", ClaimStatus: "unverified"},
	)
	jsw := "ari:cloud:jira-software::site/" + t.CloudID
	jsm := "ari:cloud:jira-servicedesk::site/" + t.CloudID
	jpd := "ari:cloud:jira-product-discovery::site/" + t.CloudID
	conf := "ari:cloud:confluence::site/" + t.CloudID
	sandboxCloud := hashUUID("cloud", "acme-sandbox")
	sandbox := "ari:cloud:jira-software::site/" + sandboxCloud
	o.Workspaces = append(o.Workspaces,
		&Workspace{ID: jpd, Name: short, TypeKey: "jira-product-discovery", Type: "jira", HostURL: t.SiteURL(), Status: "online", CloudID: t.CloudID},
		&Workspace{ID: sandbox, Name: short + "-sandbox", TypeKey: "jira-software", Type: "jira", HostURL: "https://" + short + "-sandbox.atlassian.net", Status: "online", CloudID: sandboxCloud},
		&Workspace{ID: "ari:cloud:confluence::site/" + hashUUID("cloud", "acme-wiki"), Name: short + "-wiki", TypeKey: "confluence", Type: "confluence", HostURL: "https://" + short + "-wiki.atlassian.net", Status: "online", CloudID: hashUUID("cloud", "acme-wiki")},
		&Workspace{ID: "ari:cloud:jira-software::site/" + hashUUID("cloud", "acme-old"), Name: short + "-old", TypeKey: "jira-software", Type: "jira", HostURL: "https://" + short + "-old.atlassian.net", Status: "offline", CloudID: hashUUID("cloud", "acme-old")},
	)
	for i := range g.spec.workspaces {
		id := hashUUID("bitbucket", strconv.Itoa(i))
		o.Workspaces = append(o.Workspaces, &Workspace{ID: "ari:cloud:bitbucket::workspace/" + id, Name: fmt.Sprintf("acme-eng-%d", i),
			TypeKey: "bitbucket", Type: "bitbucket", Status: "online"})
	}

	productGroups := map[string]string{}
	for _, name := range []string{"jira-software-users-", "jira-work-management-users-", "jira-admins-"} {
		productGroups[g.groupByName(name+short).ID] = jsw
	}
	productGroups[g.groupByName("jira-servicemanagement-users-"+short).ID] = jsm
	productGroups[g.groupByName("jira-product-discovery-users-"+short).ID] = jpd
	productGroups[g.groupByName("confluence-users-"+short).ID] = conf
	memberOf := make(map[string][]string)
	for _, gr := range t.Groups {
		if ari, ok := productGroups[gr.ID]; ok {
			for _, m := range gr.Members {
				if !slices.Contains(memberOf[m], ari) {
					memberOf[m] = append(memberOf[m], ari)
				}
			}
		}
	}
	keyOf := map[string]string{jsw: "jira-software", jsm: "jira-servicedesk", jpd: "jira-product-discovery", conf: "confluence", sandbox: "jira-software"}
	lastActive := func() time.Time {
		if g.chance(0.1) {
			return time.Time{}
		}
		return genEpoch.Add(-time.Duration(g.pick(90*24*60)) * time.Minute).Truncate(time.Second)
	}
	existing := map[string]bool{}
	for _, a := range o.Accounts {
		existing[a.AccountID] = true
	}
	for _, u := range t.Users {
		if u.AccountType != AccountTypeAtlassian || u.Former || existing[u.AccountID] {
			continue
		}
		_, domain, _ := strings.Cut(u.Email, "@")
		a := &OrgAccount{AccountID: u.AccountID, AccountType: AccountTypeAtlassian, Name: u.DisplayName,
			Nickname: strings.ToLower(strings.Fields(u.DisplayName)[0]), Email: u.Email, EmailVerified: !g.chance(0.03),
			Status: StatusActive, AccountStatus: "active", ClaimStatus: "managed", DirectoryID: mainDir,
			AddedToOrg: genEpoch.Add(-time.Duration(24*(1+g.pick(5*365))) * time.Hour), ManagementSource: "invited",
			MFAEnabled: g.chance(0.6), TimeZone: u.TimeZone}
		if g.chance(0.3) {
			a.ManagementSource = "synced"
			a.JobTitle = []string{"Engineer", "Manager", "Analyst", "Designer"}[g.pick(4)]
			a.Department = []string{"R&D", "Sales", "Support", "Finance"}[g.pick(4)]
		}
		if domain == "contractor.example" {
			a.ClaimStatus = "unmanaged"
			a.DirectoryID = contractorDir
			a.ManagementSource = ""
		}
		if !u.Active {
			if g.chance(0.7) {
				a.Status = StatusDeactivated
				a.AccountStatus = "inactive"
				a.DeactivatedOn = genEpoch.Add(-time.Duration(24*(1+g.pick(200))) * time.Hour)
			} else {
				a.Status = StatusSuspended
			}
		}
		for _, ari := range memberOf[u.AccountID] {
			a.ProductAccess = append(a.ProductAccess, ProductAccess{Key: keyOf[ari], ResourceID: ari, LastActive: lastActive()})
		}
		if g.chance(0.05) {
			a.ProductAccess = append(a.ProductAccess, ProductAccess{Key: "jira-software", ResourceID: sandbox, LastActive: lastActive()})
		}
		o.Accounts = append(o.Accounts, a)
	}
	// Accounts of the organization that are not users of this site.
	var sandboxOnly []string
	for i := range max(3, len(t.Users)/50) {
		fn, ln := firstNames[g.pick(len(firstNames))], lastNames[g.pick(len(lastNames))]
		a := &OrgAccount{AccountID: g.accountID(), AccountType: AccountTypeAtlassian, Name: fn + " " + ln,
			Email: fmt.Sprintf("%s.%s.sbx%d@acme.example", asciiFold(fn), asciiFold(ln), i), EmailVerified: true,
			Status: StatusActive, AccountStatus: "active", ClaimStatus: "managed", DirectoryID: mainDir,
			AddedToOrg: genEpoch.Add(-time.Duration(24*(1+g.pick(900))) * time.Hour), ManagementSource: "invited"}
		if i%7 != 0 {
			a.ProductAccess = []ProductAccess{{Key: "jira-software", ResourceID: sandbox, LastActive: lastActive()}}
			sandboxOnly = append(sandboxOnly, a.AccountID)
		}
		o.Accounts = append(o.Accounts, a)
	}
	// Managed groups: every Jira group except the three system groups, plus sandbox-only groups.
	for _, gr := range t.Groups {
		if isSystemJiraGroup(gr.Name) || g.hasManagedGroup(gr.ID) {
			continue
		}
		res := []string{jsw}
		if ari, ok := productGroups[gr.ID]; ok {
			res = []string{ari}
		}
		switch gr.Name {
		case "site-admins":
			res = []string{jsw, jsm, conf}
		case "jira-servicemanagement-customers-" + short:
			res = []string{jsm}
		}
		if ari := productGroups[gr.ID]; ari == jsw && gr.Name == "jira-software-users-"+short {
			res = []string{jsw, jpd} // one group on two workspaces of the same site
		}
		o.Groups = append(o.Groups, &ManagedGroup{ID: gr.ID, Name: gr.Name, Description: gr.Description, DirectoryID: mainDir,
			ResourceIDs: res, Members: slices.Clone(gr.Members)})
	}
	for i := range max(2, len(t.Groups)/20) {
		mg := &ManagedGroup{ID: randUUID(g.r), Name: fmt.Sprintf("sandbox-testers-%d", i), DirectoryID: mainDir,
			ResourceIDs: []string{sandbox}}
		for _, id := range sandboxOnly {
			if g.chance(0.5) {
				mg.Members = append(mg.Members, id)
			}
		}
		o.Groups = append(o.Groups, mg)
	}
	// Keep the NewTenant managed groups in sync with the generated memberships.
	for _, mg := range o.Groups {
		if gr := g.groupByID(mg.ID); gr != nil {
			mg.Members = slices.Clone(gr.Members)
		}
	}
}

func (g *gen) hasManagedGroup(id string) bool {
	return slices.ContainsFunc(g.t.Org.Groups, func(mg *ManagedGroup) bool { return mg.ID == id })
}

func (g *gen) groupByID(id string) *Group {
	return g.findGroup(func(gr *Group) bool { return gr.ID == id })
}
