package jiratest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Global role IDs of a new site (company-managed projects use all of them).
const (
	RoleAdministrators       int64 = 10002
	RoleMember               int64 = 10003
	RoleViewer               int64 = 10004
	RoleAddonsProjectAccess  int64 = 10005
	RoleServiceDeskTeam      int64 = 10006
	RoleServiceDeskCustomers int64 = 10007
)

// DefaultPermissionSchemeID is the ID of the "Default Permission Scheme" (0, as in Jira).
const DefaultPermissionSchemeID int64 = 0

// genEpoch is the fixed "now" of generated data, so generated tenants do not depend on the wall clock.
var genEpoch = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// hashUUID derives a stable UUID-formatted string from parts.
func hashUUID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return formatUUID(h[:16])
}

func formatUUID(b []byte) string {
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	x := hex.EncodeToString(b[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func randUUID(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return formatUUID(b[:])
}

func randHex(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	sb.Grow(n)
	for range n {
		sb.WriteByte(digits[r.IntN(16)])
	}
	return sb.String()
}

func hashHex(n int, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	x := hex.EncodeToString(h[:])
	for len(x) < n {
		x += x
	}
	return x[:n]
}

// siteShortName returns the first label of a host ("acme" for "acme.atlassian.net").
func siteShortName(host string) string {
	name, _, _ := strings.Cut(host, ".")
	return name
}

// NewTenant returns a small but complete site "acme.atlassian.net" with the system basics of a new Jira Cloud
// site: an admin user, a service account, the default groups (site-admins, jira-admins-acme, the product user
// groups, atlassian-addons, atlassian-addons-admin, system-administrators), the global project roles, the four
// application roles, the Default Permission Scheme (ID 0), issue types, fields, statuses, transitions and
// priorities, and an organization that owns the site. Add users, groups and projects to it to build a hand-made
// tenant.
func NewTenant() *Tenant {
	const host = "acme.atlassian.net"
	t := &Tenant{
		SiteHost:         host,
		CloudID:          "3f9d2a1c-6b7e-4c58-9a0d-2e1f4b6c8d70",
		ServerTitle:      "Jira",
		PaidPlan:         true,
		AdminAccountID:   "5b10a2844c20165700ede21f",
		ServiceAccountID: "712020:8f0c3c52-2e5b-4d7f-9f55-0c0f7f4c2a91",
	}
	t.Users = []*User{
		{AccountID: t.AdminAccountID, AccountType: AccountTypeAtlassian, DisplayName: "Ada Admin",
			Email: "admin@acme.example", Active: true, TimeZone: "Europe/Berlin", Locale: "en_US"},
		{AccountID: t.ServiceAccountID, AccountType: AccountTypeApp, AppType: "service", DisplayName: "baton-sync",
			Email: "baton-sync-4f2a9c@serviceaccount.atlassian.com", Active: true, TimeZone: "Etc/UTC", Locale: "en_US"},
	}
	short := siteShortName(host)
	mk := func(name string, admin, siteAdmin bool, members ...string) *Group {
		return &Group{ID: hashUUID("group", host, name), Name: name, Admin: admin, SiteAdmin: siteAdmin,
			Members: append([]string(nil), members...)}
	}
	admin, svc := t.AdminAccountID, t.ServiceAccountID
	gSiteAdmins := mk("site-admins", false, true, admin)
	gJiraAdmins := mk("jira-admins-"+short, true, false, admin, svc)
	gSoftware := mk("jira-software-users-"+short, false, false, admin, svc)
	gJSM := mk("jira-servicemanagement-users-"+short, false, false, admin)
	gJPD := mk("jira-product-discovery-users-"+short, false, false)
	gCore := mk("jira-work-management-users-"+short, false, false)
	gAddons := mk("atlassian-addons", false, false)
	gAddonsAdmin := mk("atlassian-addons-admin", true, false)
	gSysAdmins := mk("system-administrators", true, true, admin)
	t.Groups = []*Group{gSiteAdmins, gJiraAdmins, gSoftware, gJSM, gJPD, gCore, gAddons, gAddonsAdmin, gSysAdmins}

	t.Roles = []*Role{
		{ID: RoleAdministrators, Name: "Administrators", Description: "A project role that represents administrators in a project", Admin: true},
		{ID: RoleMember, Name: "Member", Description: "A project role that represents members in a project"},
		{ID: RoleViewer, Name: "Viewer", Description: "A project role that represents viewers in a project"},
		{ID: RoleAddonsProjectAccess, Name: "atlassian-addons-project-access", Description: "A project role that represents Connect add-ons declaring a scope that requires more than read issue permissions"},
		{ID: RoleServiceDeskTeam, Name: "Service Desk Team", Description: "Members of the service desk team"},
		{ID: RoleServiceDeskCustomers, Name: "Service Desk Customers", Description: "Customers of the service desk"},
	}
	t.ApplicationRoles = []*ApplicationRole{
		{Key: ProductJiraSoftware, Name: "Jira Software", GroupIDs: []string{gSoftware.ID, gJiraAdmins.ID},
			DefaultGroupIDs: []string{gSoftware.ID}, SelectedByDefault: true, NumberOfSeats: 35000},
		{Key: ProductJiraServiceDesk, Name: "Jira Service Management", GroupIDs: []string{gJSM.ID},
			DefaultGroupIDs: []string{gJSM.ID}, NumberOfSeats: 5000},
		{Key: ProductJiraProductDiscovery, Name: "Jira Product Discovery", GroupIDs: []string{gJPD.ID},
			DefaultGroupIDs: []string{gJPD.ID}, NumberOfSeats: 1000},
		{Key: ProductJiraCore, Name: "Jira Work Management", GroupIDs: []string{gCore.ID, gSoftware.ID},
			DefaultGroupIDs: []string{gCore.ID}, UnlimitedSeats: true, Platform: true},
	}
	t.PermissionSchemes = []*PermissionScheme{defaultScheme(gJiraAdmins.ID)}
	t.IssueTypes, t.Fields = defaultIssueTypesAndFields()
	t.Statuses = []*Status{
		{ID: "10000", Name: "To Do", Category: "TODO"},
		{ID: "3", Name: "In Progress", Category: "IN_PROGRESS"},
		{ID: "10001", Name: "Done", Category: "DONE"},
	}
	t.Transitions = []*Transition{
		{ID: "11", Name: "To Do", ToStatusID: "10000"},
		{ID: "21", Name: "In Progress", ToStatusID: "3"},
		{ID: "31", Name: "Done", ToStatusID: "10001"},
	}
	t.Priorities = []*Priority{{"1", "Highest"}, {"2", "High"}, {"3", "Medium"}, {"4", "Low"}, {"5", "Lowest"}}

	dir := hashUUID("directory", host)
	jsw := "ari:cloud:jira-software::site/" + t.CloudID
	jsm := "ari:cloud:jira-servicedesk::site/" + t.CloudID
	conf := "ari:cloud:confluence::site/" + t.CloudID
	t.Org = &Org{
		ID:          "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
		Name:        "Acme",
		Directories: []*Directory{{ID: dir, Name: "Acme"}},
		Workspaces: []*Workspace{
			{ID: jsw, Name: short, TypeKey: "jira-software", Type: "jira", HostURL: t.SiteURL(), Status: "online", CloudID: t.CloudID},
			{ID: jsm, Name: short, TypeKey: "jira-servicedesk", Type: "jira", HostURL: t.SiteURL(), Status: "online", CloudID: t.CloudID},
			{ID: conf, Name: short, TypeKey: "confluence", Type: "confluence", HostURL: t.SiteURL(), Status: "online", CloudID: t.CloudID},
		},
		Domains: []*Domain{{ID: hashUUID("domain", "acme.example"), Name: "acme.example", ClaimType: "dns", ClaimStatus: "verified"}},
		Accounts: []*OrgAccount{
			{AccountID: admin, AccountType: AccountTypeAtlassian, Name: "Ada Admin", Nickname: "ada", Email: "admin@acme.example",
				EmailVerified: true, Status: StatusActive, AccountStatus: "active", ClaimStatus: "managed", DirectoryID: dir,
				AddedToOrg: genEpoch.AddDate(-3, 0, 0), ManagementSource: "invited", MFAEnabled: true, TimeZone: "Europe/Berlin",
				PlatformRoles: []string{"atlassian/org-admin"},
				ProductAccess: []ProductAccess{{Key: "jira-software", ResourceID: jsw, LastActive: genEpoch.Add(-2 * time.Hour)},
					{Key: "jira-servicedesk", ResourceID: jsm, LastActive: genEpoch.Add(-26 * time.Hour)}}},
			{AccountID: svc, AccountType: AccountTypeApp, Name: "baton-sync", Email: "baton-sync-4f2a9c@serviceaccount.atlassian.com",
				EmailVerified: true, Status: StatusActive, AccountStatus: "active", ClaimStatus: "managed", DirectoryID: dir,
				AddedToOrg: genEpoch.AddDate(0, -2, 0), TimeZone: "Etc/UTC",
				ProductAccess: []ProductAccess{{Key: "jira-software", ResourceID: jsw, LastActive: genEpoch.Add(-time.Hour)}}},
		},
	}
	for _, g := range t.Groups {
		if isSystemJiraGroup(g.Name) {
			continue
		}
		res := []string{jsw}
		if g == gJSM {
			res = []string{jsm}
		}
		t.Org.Groups = append(t.Org.Groups, &ManagedGroup{ID: g.ID, Name: g.Name, DirectoryID: dir, ResourceIDs: res,
			Members: append([]string(nil), g.Members...)})
	}
	return t
}

func isSystemJiraGroup(name string) bool {
	for _, n := range systemJiraGroups {
		if n == name {
			return true
		}
	}
	return false
}

// defaultScheme returns the Default Permission Scheme: Browse for any product user and the project roles.
func defaultScheme(adminGroupID string) *PermissionScheme {
	s := &PermissionScheme{ID: DefaultPermissionSchemeID, Name: "Default Permission Scheme",
		Description: "This is the default Permission Scheme. Any new projects that are created will be assigned this scheme."}
	add := func(perm string, h Holder) {
		s.Grants = append(s.Grants, &PermissionGrant{ID: 10000 + int64(len(s.Grants)), Permission: perm, Holder: h})
	}
	add(PermBrowseProjects, Holder{Type: HolderApplicationRole})
	add(PermBrowseProjects, Holder{Type: HolderProjectRole, RoleID: RoleAdministrators})
	add(PermCreateIssues, Holder{Type: HolderApplicationRole})
	add(PermEditIssues, Holder{Type: HolderApplicationRole})
	add(PermTransitionIssues, Holder{Type: HolderApplicationRole})
	add(PermAssignIssues, Holder{Type: HolderProjectRole, RoleID: RoleAdministrators})
	add(PermAssignableUser, Holder{Type: HolderApplicationRole})
	add(PermAdministerProjects, Holder{Type: HolderProjectRole, RoleID: RoleAdministrators})
	add(PermAdministerProjects, Holder{Type: HolderGroup, GroupID: adminGroupID})
	return s
}

func defaultIssueTypesAndFields() ([]*IssueType, []*Field) {
	fields := []*Field{
		{ID: "summary", Name: "Summary", SchemaType: "string", SchemaSystem: "summary"},
		{ID: "issuetype", Name: "Issue Type", SchemaType: "issuetype", SchemaSystem: "issuetype"},
		{ID: "project", Name: "Project", SchemaType: "project", SchemaSystem: "project"},
		{ID: "description", Name: "Description", SchemaType: "string", SchemaSystem: "description"},
		{ID: "reporter", Name: "Reporter", SchemaType: "user", SchemaSystem: "reporter"},
		{ID: "assignee", Name: "Assignee", SchemaType: "user", SchemaSystem: "assignee"},
		{ID: "labels", Name: "Labels", SchemaType: "array", SchemaItems: "string", SchemaSystem: "labels"},
		{ID: "priority", Name: "Priority", SchemaType: "priority", SchemaSystem: "priority"},
		{ID: "components", Name: "Components", SchemaType: "array", SchemaItems: "component", SchemaSystem: "components"},
		{ID: "duedate", Name: "Due date", SchemaType: "date", SchemaSystem: "duedate"},
		{ID: "status", Name: "Status", SchemaType: "status", SchemaSystem: "status"},
		{ID: "created", Name: "Created", SchemaType: "datetime", SchemaSystem: "created"},
		{ID: "updated", Name: "Updated", SchemaType: "datetime", SchemaSystem: "updated"},
		{ID: "parent", Name: "Parent", SchemaType: "issuelink", SchemaSystem: "parent"},
		{ID: "customfield_10010", Name: "Request Type", Custom: true, SchemaType: "sd-customerrequesttype",
			SchemaCustom: "com.atlassian.servicedesk:vp-origin", CustomID: 10010},
		{ID: "customfield_10020", Name: "Sprint", Custom: true, SchemaType: "array", SchemaItems: "json",
			SchemaCustom: "com.pyxis.greenhopper.jira:gh-sprint", CustomID: 10020},
		{ID: "customfield_10030", Name: "Story Points", Custom: true, SchemaType: "number",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:float", CustomID: 10030},
		{ID: "customfield_10040", Name: "Access Level", Custom: true, SchemaType: "option",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:select", CustomID: 10040,
			AllowedValues: []FieldOption{{"10100", "Read"}, {"10101", "Write"}, {"10102", "Admin"}}},
		{ID: "customfield_10050", Name: "Approvers", Custom: true, SchemaType: "array", SchemaItems: "user",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:multiuserpicker", CustomID: 10050},
		{ID: "customfield_10060", Name: "Justification", Custom: true, SchemaType: "string",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:textarea", CustomID: 10060},
	}
	common := []IssueTypeField{{"summary", true}, {"issuetype", true}, {"project", true}, {"description", false},
		{"reporter", true}, {"assignee", false}, {"labels", false}, {"priority", false}, {"components", false},
		{"duedate", false}}
	with := func(extra ...IssueTypeField) []IssueTypeField {
		return append(append([]IssueTypeField(nil), common...), extra...)
	}
	types := []*IssueType{
		{ID: "10000", Name: "Epic", Description: "A big user story that needs to be broken down.", HierarchyLevel: 1, Fields: with()},
		{ID: "10001", Name: "Task", Description: "A small, distinct piece of work.", Fields: with(IssueTypeField{FieldID: "customfield_10030"})},
		{ID: "10002", Name: "Bug", Description: "A problem or error.", Fields: with()},
		{ID: "10003", Name: "Story", Description: "A user story.", Fields: with(IssueTypeField{FieldID: "customfield_10020"}, IssueTypeField{FieldID: "customfield_10030"})},
		{ID: "10004", Name: "Subtask", Description: "A small piece of work that's part of a larger task.", Subtask: true, HierarchyLevel: -1,
			Fields: with(IssueTypeField{FieldID: "parent", Required: true})},
		{ID: "10005", Name: "Access Request", Description: "Request access to a system.",
			Fields: with(IssueTypeField{FieldID: "customfield_10040", Required: true}, IssueTypeField{FieldID: "customfield_10050"},
				IssueTypeField{FieldID: "customfield_10060", Required: true}, IssueTypeField{FieldID: "customfield_10010"})},
	}
	return types, fields
}

// defaultIssueTypeIDs returns the issue types of a project of the given type.
func defaultIssueTypeIDs(typeKey string) []string {
	switch typeKey {
	case ProjectTypeServiceDesk:
		return []string{"10001", "10004", "10005"}
	case ProjectTypeBusiness:
		return []string{"10001", "10004"}
	default:
		return []string{"10000", "10001", "10002", "10003", "10004"}
	}
}

// NewAccountID returns a new-style account ID ("712020:<uuid>") derived from seed text; handy for hand-made tenants.
func NewAccountID(seed string) string { return "712020:" + hashUUID("account", seed) }

// NewGroupID returns a UUID group ID derived from seed text.
func NewGroupID(seed string) string { return hashUUID("group-id", seed) }

// customerAccountID returns a JSM customer account ID "qm:<uuid>:<hex>".
func customerAccountID(r *rand.Rand) string {
	return fmt.Sprintf("qm:%s:%s", randUUID(r), randHex(r, 24))
}
