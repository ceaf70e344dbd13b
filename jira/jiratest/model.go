package jiratest

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Account types as Jira reports them in User.accountType.
const (
	AccountTypeAtlassian = "atlassian"
	AccountTypeApp       = "app"
	AccountTypeCustomer  = "customer"
	AccountTypeUnknown   = "unknown"
)

// Application (product) role keys served by GET /rest/api/3/applicationrole.
const (
	ProductJiraSoftware         = "jira-software"
	ProductJiraServiceDesk      = "jira-servicedesk"
	ProductJiraProductDiscovery = "jira-product-discovery"
	ProductJiraCore             = "jira-core"
)

// Permission keys used by permission schemes, /mypermissions and /user/permission/search.
const (
	PermBrowseProjects     = "BROWSE_PROJECTS"
	PermCreateIssues       = "CREATE_ISSUES"
	PermEditIssues         = "EDIT_ISSUES"
	PermTransitionIssues   = "TRANSITION_ISSUES"
	PermAssignIssues       = "ASSIGN_ISSUES"
	PermAssignableUser     = "ASSIGNABLE_USER"
	PermAdministerProjects = "ADMINISTER_PROJECTS"
	PermAdminister         = "ADMINISTER"
	PermSystemAdmin        = "SYSTEM_ADMIN"
	PermUserPicker         = "USER_PICKER"
)

// Permission holder types (PermissionGrant.Holder.Type).
const (
	HolderGroup           = "group"
	HolderProjectRole     = "projectRole"
	HolderApplicationRole = "applicationRole"
	HolderUser            = "user"
	HolderProjectLead     = "projectLead"
	HolderReporter        = "reporter"
	HolderAssignee        = "assignee"
	HolderAnyone          = "anyone"
	// HolderUserCustomField and HolderGroupCustomField grant to the users (or members of the groups) named in a
	// custom field of an issue; FieldID is the field.
	HolderUserCustomField  = "userCustomField"
	HolderGroupCustomField = "groupCustomField"
	// HolderPortalCustomer is "Service project customer - portal access".
	HolderPortalCustomer = "sd.customer.portal.only"
)

// Project type keys.
const (
	ProjectTypeSoftware    = "software"
	ProjectTypeServiceDesk = "service_desk"
	ProjectTypeBusiness    = "business"
)

// Managed account statuses used by the Admin API (status field).
const (
	StatusActive      = "active"
	StatusSuspended   = "suspended"
	StatusDeactivated = "deactivated"
)

// Names of the three Jira system groups that the Admin API does not list (the reference connector keeps them from
// Jira in organization mode).
var systemJiraGroups = []string{"atlassian-addons", "atlassian-addons-admin", "system-administrators"}

// Tenant is the complete state of a fake Jira Cloud site and its Atlassian organization. All fields are exported so
// tests can build tenants by hand (start from [NewTenant]) or tweak generated ones (from [Generate]) before passing
// them to [NewServer]. A Tenant is plain data and is not safe for concurrent mutation; [NewServer] works on its own
// deep copy, so the value passed in is never modified by the server.
//
// Identifiers follow the real service: account IDs are opaque strings, group IDs are UUIDs, project IDs are numeric
// strings, role and permission-scheme IDs are int64.
type Tenant struct {
	// SiteHost is the stable host of the site, served as serverInfo.baseUrl "https://<SiteHost>" and used as the
	// resource id of the Baton "site" resource, e.g. "acme.atlassian.net".
	SiteHost string `json:"siteHost"`
	// CloudID is the site's cloud id (served by /_edge/tenant_info and used in the gateway URL).
	CloudID string `json:"cloudId"`
	// ServerTitle is serverInfo.serverTitle.
	ServerTitle string `json:"serverTitle"`
	// PaidPlan makes GET /auditing/record available (it answers 403 on free plans, like the real service).
	PaidPlan bool `json:"paidPlan"`
	// AdminAccountID is the account behind Server.Email (classic, scoped and OAuth credentials).
	AdminAccountID string `json:"adminAccountId"`
	// ServiceAccountID is the service account (accountType app, appType service) behind Server.ServiceAccountEmail.
	ServiceAccountID string `json:"serviceAccountId"`

	// Users is the site's user base in creation order, which is also the order of /users/search and the order
	// in which the user-search endpoints scan "the first 1000 users".
	Users             []*User             `json:"users"`
	Groups            []*Group            `json:"groups"`
	Projects          []*Project          `json:"projects"`
	Categories        []*ProjectCategory  `json:"categories"`
	Roles             []*Role             `json:"roles"`
	ApplicationRoles  []*ApplicationRole  `json:"applicationRoles"`
	PermissionSchemes []*PermissionScheme `json:"permissionSchemes"`
	IssueTypes        []*IssueType        `json:"issueTypes"`
	Fields            []*Field            `json:"fields"`
	Statuses          []*Status           `json:"statuses"`
	Transitions       []*Transition       `json:"transitions"`
	Priorities        []*Priority         `json:"priorities"`
	Issues            []*Issue            `json:"issues"`
	Audit             []*AuditRecord      `json:"audit"`
	// Workflows give issue types their own statuses and transitions (see [Workflow]); none means every issue
	// type has every status and transition.
	Workflows []*Workflow `json:"workflows,omitempty"`
	// ServiceDesks are the Jira Service Management desks of the service projects, and CustomerOrganizations the
	// customer organizations they give portal access to.
	ServiceDesks          []*ServiceDesk          `json:"serviceDesks,omitempty"`
	CustomerOrganizations []*CustomerOrganization `json:"customerOrganizations,omitempty"`
	// Org is the Atlassian organization that owns the site; nil means no organization (Admin API answers 404).
	Org *Org `json:"org,omitempty"`
}

// SiteURL returns "https://<SiteHost>", the site URL as the real service and the organization know it.
func (t *Tenant) SiteURL() string { return "https://" + t.SiteHost }

// User is one account in the site's user base.
type User struct {
	AccountID string `json:"accountId"`
	// AccountType is one of the AccountType* constants.
	AccountType string `json:"accountType"`
	// AppType is "service" (service account), "agent" or "unknown" for app accounts, empty otherwise.
	AppType     string `json:"appType,omitempty"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email,omitempty"`
	// EmailHidden leaves emailAddress out of every Jira response (profile visibility), although Email is known
	// (and may be served by the Admin API).
	EmailHidden bool   `json:"emailHidden,omitempty"`
	Active      bool   `json:"active"`
	TimeZone    string `json:"timeZone,omitempty"`
	Locale      string `json:"locale,omitempty"`
	// Former marks a deleted ("right to be forgotten") user: served inactive, with blank fields and the display name
	// hint only.
	Former bool `json:"former,omitempty"`
	Guest  bool `json:"guest,omitempty"`
}

// VisibleEmail returns the email address as Jira serves it ("" when hidden or former).
func (u *User) VisibleEmail() string {
	if u.EmailHidden || u.Former {
		return ""
	}
	return u.Email
}

// Group is a Jira group. Members lists account IDs in insertion order; Jira serves them sorted by display name.
type Group struct {
	ID          string   `json:"groupId"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Members     []string `json:"members"`
	// Admin marks a group holding the Administer Jira global permission (group/bulk accessType=admin).
	Admin bool `json:"admin,omitempty"`
	// SiteAdmin marks a group granting site administration (group/bulk accessType=site-admin).
	SiteAdmin bool `json:"siteAdmin,omitempty"`
}

// ProjectCategory is a project category.
type ProjectCategory struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Project is a Jira project. Company-managed (classic) projects use every global role; team-managed projects
// (Simplified) have their own ScopedRoles.
type Project struct {
	ID          string `json:"id"`
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// TypeKey is one of the ProjectType* constants.
	TypeKey string `json:"projectTypeKey"`
	// Simplified marks a team-managed ("next-gen") project.
	Simplified bool `json:"simplified,omitempty"`
	Archived   bool `json:"archived,omitempty"`
	// Deleted marks a project in the trash (project/search status=deleted only).
	Deleted       bool   `json:"deleted,omitempty"`
	Private       bool   `json:"private,omitempty"`
	LeadAccountID string `json:"leadAccountId,omitempty"`
	CategoryID    string `json:"categoryId,omitempty"`
	// PermissionSchemeID references Tenant.PermissionSchemes (0 is the Default Permission Scheme, as in Jira).
	PermissionSchemeID int64 `json:"permissionSchemeId"`
	// IssueTypeIDs lists the issue types available in the project.
	IssueTypeIDs []string `json:"issueTypeIds"`
	// ScopedRoles are the project-scoped roles of a team-managed project (IDs unique across the site).
	ScopedRoles []*Role `json:"scopedRoles,omitempty"`
	// RoleActors holds the actors of each role of the project; a missing entry means no actors.
	RoleActors []*RoleActors `json:"roleActors"`
}

// Style returns "next-gen" for team-managed projects and "classic" otherwise.
func (p *Project) Style() string {
	if p.Simplified {
		return "next-gen"
	}
	return "classic"
}

// Actors returns the actor list of role id in p, or nil.
func (p *Project) Actors(roleID int64) *RoleActors {
	for _, ra := range p.RoleActors {
		if ra.RoleID == roleID {
			return ra
		}
	}
	return nil
}

// RoleActors lists the user (account ID) and group (group ID) actors of one role in one project.
type RoleActors struct {
	RoleID int64    `json:"roleId"`
	Users  []string `json:"users,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// Role is a project role: global (Tenant.Roles, used by every company-managed project) or project-scoped
// (Project.ScopedRoles).
type Role struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Admin marks the role that administers the project (roledetails "admin").
	Admin bool `json:"admin,omitempty"`
}

// ApplicationRole is a product (application role) with the groups that grant access to it.
type ApplicationRole struct {
	Key               string   `json:"key"`
	Name              string   `json:"name"`
	GroupIDs          []string `json:"groupIds"`
	DefaultGroupIDs   []string `json:"defaultGroupIds"`
	SelectedByDefault bool     `json:"selectedByDefault,omitempty"`
	// NumberOfSeats is the licensed seat count; ignored when UnlimitedSeats.
	NumberOfSeats  int  `json:"numberOfSeats"`
	UnlimitedSeats bool `json:"unlimitedSeats,omitempty"`
	// Platform marks the platform application (jira-core).
	Platform bool `json:"platform,omitempty"`
}

// PermissionScheme is a permission scheme with its grants.
type PermissionScheme struct {
	ID          int64              `json:"id"`
	Name        string             `json:"name"`
	Description string             `json:"description,omitempty"`
	Grants      []*PermissionGrant `json:"grants"`
}

// PermissionGrant grants Permission to Holder.
type PermissionGrant struct {
	ID         int64  `json:"id"`
	Permission string `json:"permission"`
	Holder     Holder `json:"holder"`
}

// Holder is a permission holder. Only the field that matches Type is used: GroupID for "group", RoleID for
// "projectRole", ApplicationKey for "applicationRole" (empty = any product, "Any logged in user"), AccountID for
// "user", FieldID for "userCustomField" and "groupCustomField"; "projectLead", "reporter", "assignee", "anyone"
// and "sd.customer.portal.only" carry no parameter.
type Holder struct {
	Type           string `json:"type"`
	GroupID        string `json:"groupId,omitempty"`
	RoleID         int64  `json:"roleId,omitempty"`
	ApplicationKey string `json:"applicationKey,omitempty"`
	AccountID      string `json:"accountId,omitempty"`
	FieldID        string `json:"fieldId,omitempty"`
}

// IssueType is an issue type with its create-screen fields.
type IssueType struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Description    string `json:"description,omitempty"`
	Subtask        bool   `json:"subtask,omitempty"`
	HierarchyLevel int    `json:"hierarchyLevel"`
	// Fields lists the fields on the create screen, in order.
	Fields []IssueTypeField `json:"fields"`
	// EditFields lists the fields on the edit screen (PUT /issue, GET /issue/{key}/editmeta); nil means the
	// create screen's.
	EditFields []IssueTypeField `json:"editFields,omitempty"`
}

// IssueTypeField is a field on an issue type's create screen.
type IssueTypeField struct {
	FieldID  string `json:"fieldId"`
	Required bool   `json:"required,omitempty"`
}

// Field is a system or custom field (GET /field, createmeta).
type Field struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Custom bool   `json:"custom,omitempty"`
	// SchemaType is schema.type (string, number, array, user, option, priority, date, …).
	SchemaType string `json:"schemaType"`
	// SchemaItems is schema.items for arrays.
	SchemaItems string `json:"schemaItems,omitempty"`
	// SchemaSystem is schema.system for system fields; SchemaCustom is schema.custom for custom fields.
	SchemaSystem  string        `json:"schemaSystem,omitempty"`
	SchemaCustom  string        `json:"schemaCustom,omitempty"`
	CustomID      int64         `json:"customId,omitempty"`
	AllowedValues []FieldOption `json:"allowedValues,omitempty"`
	// Children are the child options of a cascading select (SchemaType "option-with-child"), by parent option ID.
	Children map[string][]FieldOption `json:"children,omitempty"`
}

// FieldOption is an allowed value of a field.
type FieldOption struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// Status is a workflow status; ProjectID scopes it to one team-managed project ("" = global).
type Status struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Category  string `json:"category"` // TODO, IN_PROGRESS or DONE
	ProjectID string `json:"projectId,omitempty"`
}

// Transition is a global workflow transition to status ToStatusID (available from every status of the workflows
// that list it, see [Workflow]).
type Transition struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	ToStatusID string `json:"toStatusId"`
}

// Workflow is the workflow of the issue types IssueTypeIDs: its statuses (the first is where a new issue starts)
// and its transitions, each available from every other status of the workflow. A workflow without issue types is
// the default one, for the issue types no workflow lists; without a default workflow those have every status and
// transition. As in a company-managed workflow scheme shared by every project, an issue type has the same
// workflow in every project.
type Workflow struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	IssueTypeIDs  []string `json:"issueTypeIds,omitempty"`
	StatusIDs     []string `json:"statusIds"`
	TransitionIDs []string `json:"transitionIds"`
}

// Priority is an issue priority.
type Priority struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Issue is a Jira issue. Description holds an Atlassian Document Format document (v3) as raw JSON.
type Issue struct {
	ID           string                     `json:"id"`
	Key          string                     `json:"key"`
	ProjectID    string                     `json:"projectId"`
	IssueTypeID  string                     `json:"issueTypeId"`
	Summary      string                     `json:"summary"`
	Description  json.RawMessage            `json:"description,omitempty"`
	StatusID     string                     `json:"statusId"`
	ReporterID   string                     `json:"reporterId,omitempty"`
	AssigneeID   string                     `json:"assigneeId,omitempty"`
	PriorityID   string                     `json:"priorityId,omitempty"`
	Labels       []string                   `json:"labels,omitempty"`
	CustomFields map[string]json.RawMessage `json:"customFields,omitempty"`
	Created      time.Time                  `json:"created"`
	Updated      time.Time                  `json:"updated"`
	// Comments are the issue's comments, oldest first (POST /issue/{key}/comment).
	Comments []IssueComment `json:"comments,omitempty"`
	// CreatorID is the account that created the issue (JQL "creator").
	CreatorID string `json:"creatorId,omitempty"`
	// Properties are the issue's entity properties (set with the create's "properties").
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
}

// AuditRecord is one Jira audit-log record. Mutations made through the server append records.
type AuditRecord struct {
	ID              int64          `json:"id"`
	Summary         string         `json:"summary"`
	Category        string         `json:"category"`
	EventSource     string         `json:"eventSource"`
	Created         time.Time      `json:"created"`
	AuthorAccountID string         `json:"authorAccountId,omitempty"`
	RemoteAddress   string         `json:"remoteAddress,omitempty"`
	ObjectItem      AuditItem      `json:"objectItem"`
	AssociatedItems []AuditItem    `json:"associatedItems,omitempty"`
	ChangedValues   []AuditChanged `json:"changedValues,omitempty"`
}

// AuditItem is an audit record object or associated item.
type AuditItem struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	TypeName   string `json:"typeName"`
	ParentID   string `json:"parentId,omitempty"`
	ParentName string `json:"parentName,omitempty"`
}

// AuditChanged is a changed value of an audit record.
type AuditChanged struct {
	FieldName   string `json:"fieldName"`
	ChangedFrom string `json:"changedFrom,omitempty"`
	ChangedTo   string `json:"changedTo,omitempty"`
}

// Org is the Atlassian organization behind the Admin API.
type Org struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Directories []*Directory    `json:"directories"`
	Workspaces  []*Workspace    `json:"workspaces"`
	Domains     []*Domain       `json:"domains"`
	Accounts    []*OrgAccount   `json:"accounts"`
	Groups      []*ManagedGroup `json:"groups"`
}

// Directory is an organization directory.
type Directory struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Workspace is a product instance of the organization (Admin v2 workspaces). ID is the resource ARI, e.g.
// "ari:cloud:jira-software::site/<cloudId>", which is also the value of the users/groups resourceIds filter.
type Workspace struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	TypeKey string `json:"typeKey"` // jira-software, jira-servicedesk, jira-product-discovery, confluence, …
	Type    string `json:"type"`    // product family: jira, confluence
	// HostURL is the site URL as the organization stores it, e.g. "https://acme.atlassian.net".
	HostURL string `json:"hostUrl"`
	Status  string `json:"status"` // online, offline, deprecated
	CloudID string `json:"cloudId"`
}

// IsJira reports whether the workspace is a Jira product.
func (w *Workspace) IsJira() bool { return strings.HasPrefix(w.TypeKey, "jira") }

// Domain is an organization domain with its claim.
type Domain struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ClaimType   string `json:"claimType"`   // dns or http
	ClaimStatus string `json:"claimStatus"` // verified, unverified, …
}

// OrgAccount is an account in the organization's directory (Admin API user).
type OrgAccount struct {
	AccountID   string `json:"accountId"`
	AccountType string `json:"accountType"` // atlassian or app
	Name        string `json:"name"`
	Nickname    string `json:"nickname,omitempty"`
	Email       string `json:"email,omitempty"`
	// EmailVerified is emailVerified.
	EmailVerified bool `json:"emailVerified"`
	// Status is active, suspended or deactivated (StatusActive, …).
	Status string `json:"status"`
	// AccountStatus is active, inactive or closed.
	AccountStatus string `json:"accountStatus"`
	// ClaimStatus is managed (domain verified by the org) or unmanaged. Only managed accounts can be acted on
	// through the user-management API.
	ClaimStatus      string          `json:"claimStatus"`
	DirectoryID      string          `json:"directoryId"`
	AddedToOrg       time.Time       `json:"addedToOrg"`
	ManagementSource string          `json:"managementSource,omitempty"`
	MFAEnabled       bool            `json:"mfaEnabled,omitempty"`
	JobTitle         string          `json:"jobTitle,omitempty"`
	Department       string          `json:"department,omitempty"`
	TimeZone         string          `json:"timeZone,omitempty"`
	PlatformRoles    []string        `json:"platformRoles,omitempty"`
	DeactivatedOn    time.Time       `json:"deactivatedOn,omitzero"`
	ProductAccess    []ProductAccess `json:"productAccess"`
}

// ProductAccess is an account's access to one workspace with its last-active time (zero = never active).
type ProductAccess struct {
	// Key is the product key (jira-software, confluence, …).
	Key string `json:"key"`
	// ResourceID is the workspace ARI.
	ResourceID string    `json:"resourceId"`
	LastActive time.Time `json:"lastActive,omitzero"`
}

// ManagedGroup is a group in the organization's directory. When a Jira group with the same ID exists, the Jira
// group's membership is authoritative for both APIs (Members is kept in sync by the server).
type ManagedGroup struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	DirectoryID string `json:"directoryId"`
	// ResourceIDs lists the workspace ARIs the group has roles on (the resourceIds filter matches these).
	ResourceIDs []string `json:"resourceIds"`
	Members     []string `json:"members"`
}

// Clone returns a deep copy of t.
func (t *Tenant) Clone() *Tenant {
	if t == nil {
		return nil
	}
	c := *t
	c.Users = cloneSlice(t.Users, func(u *User) *User { v := *u; return &v })
	c.Groups = cloneSlice(t.Groups, func(g *Group) *Group {
		v := *g
		v.Members = slices.Clone(g.Members)
		return &v
	})
	c.Projects = cloneSlice(t.Projects, cloneProject)
	c.Categories = cloneSlice(t.Categories, func(x *ProjectCategory) *ProjectCategory { v := *x; return &v })
	c.Roles = cloneSlice(t.Roles, func(r *Role) *Role { v := *r; return &v })
	c.ApplicationRoles = cloneSlice(t.ApplicationRoles, func(a *ApplicationRole) *ApplicationRole {
		v := *a
		v.GroupIDs = slices.Clone(a.GroupIDs)
		v.DefaultGroupIDs = slices.Clone(a.DefaultGroupIDs)
		return &v
	})
	c.PermissionSchemes = cloneSlice(t.PermissionSchemes, func(s *PermissionScheme) *PermissionScheme {
		v := *s
		v.Grants = cloneSlice(s.Grants, func(g *PermissionGrant) *PermissionGrant { x := *g; return &x })
		return &v
	})
	c.IssueTypes = cloneSlice(t.IssueTypes, func(it *IssueType) *IssueType {
		v := *it
		v.Fields = slices.Clone(it.Fields)
		v.EditFields = slices.Clone(it.EditFields)
		return &v
	})
	c.Fields = cloneSlice(t.Fields, func(f *Field) *Field {
		v := *f
		v.AllowedValues = slices.Clone(f.AllowedValues)
		return &v
	})
	c.Statuses = cloneSlice(t.Statuses, func(s *Status) *Status { v := *s; return &v })
	c.Transitions = cloneSlice(t.Transitions, func(s *Transition) *Transition { v := *s; return &v })
	c.Workflows = cloneSlice(t.Workflows, func(w *Workflow) *Workflow {
		v := *w
		v.IssueTypeIDs = slices.Clone(w.IssueTypeIDs)
		v.StatusIDs = slices.Clone(w.StatusIDs)
		v.TransitionIDs = slices.Clone(w.TransitionIDs)
		return &v
	})
	c.Priorities = cloneSlice(t.Priorities, func(s *Priority) *Priority { v := *s; return &v })
	c.Issues = cloneSlice(t.Issues, cloneIssue)
	cloneServiceDesks(t, &c)
	c.Audit = cloneSlice(t.Audit, func(a *AuditRecord) *AuditRecord {
		v := *a
		v.AssociatedItems = slices.Clone(a.AssociatedItems)
		v.ChangedValues = slices.Clone(a.ChangedValues)
		return &v
	})
	if t.Org != nil {
		o := *t.Org
		o.Directories = cloneSlice(t.Org.Directories, func(d *Directory) *Directory { v := *d; return &v })
		o.Workspaces = cloneSlice(t.Org.Workspaces, func(w *Workspace) *Workspace { v := *w; return &v })
		o.Domains = cloneSlice(t.Org.Domains, func(d *Domain) *Domain { v := *d; return &v })
		o.Accounts = cloneSlice(t.Org.Accounts, func(a *OrgAccount) *OrgAccount {
			v := *a
			v.PlatformRoles = slices.Clone(a.PlatformRoles)
			v.ProductAccess = slices.Clone(a.ProductAccess)
			return &v
		})
		o.Groups = cloneSlice(t.Org.Groups, func(g *ManagedGroup) *ManagedGroup {
			v := *g
			v.ResourceIDs = slices.Clone(g.ResourceIDs)
			v.Members = slices.Clone(g.Members)
			return &v
		})
		c.Org = &o
	}
	return &c
}

func cloneProject(p *Project) *Project {
	v := *p
	v.IssueTypeIDs = slices.Clone(p.IssueTypeIDs)
	v.ScopedRoles = cloneSlice(p.ScopedRoles, func(r *Role) *Role { x := *r; return &x })
	v.RoleActors = cloneSlice(p.RoleActors, func(ra *RoleActors) *RoleActors {
		return &RoleActors{RoleID: ra.RoleID, Users: slices.Clone(ra.Users), Groups: slices.Clone(ra.Groups)}
	})
	return &v
}

func cloneIssue(i *Issue) *Issue {
	v := *i
	v.Description = slices.Clone(i.Description)
	v.Labels = slices.Clone(i.Labels)
	if i.CustomFields != nil {
		v.CustomFields = make(map[string]json.RawMessage, len(i.CustomFields))
		for k, x := range i.CustomFields {
			v.CustomFields[k] = slices.Clone(x)
		}
	}
	if i.Properties != nil {
		v.Properties = make(map[string]json.RawMessage, len(i.Properties))
		for k, x := range i.Properties {
			v.Properties[k] = slices.Clone(x)
		}
	}
	v.Comments = cloneSlice(i.Comments, func(c IssueComment) IssueComment {
		c.Body = slices.Clone(c.Body)
		if c.Properties != nil {
			props := make(map[string]json.RawMessage, len(c.Properties))
			for k, x := range c.Properties {
				props[k] = slices.Clone(x)
			}
			c.Properties = props
		}
		return c
	})
	return &v
}

func cloneSlice[T any](s []T, f func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, x := range s {
		out[i] = f(x)
	}
	return out
}

// ProjectRoles returns the roles of project p as GET /project/{id} lists them: every global role (Tenant.Roles) for a
// company-managed project, its ScopedRoles for a team-managed one.
func (t *Tenant) ProjectRoles(p *Project) []*Role {
	if p.Simplified {
		return p.ScopedRoles
	}
	return t.Roles
}

// ProjectPermissions returns a function that reports whether user u holds permission perm (a Perm* key) in project
// p, evaluated as the fake's permission endpoints evaluate it (GET /mypermissions, /user/permission/search,
// /user/viewissue/search): through p's permission scheme, for active users only, with JSM customers getting nothing
// through "anyone" or products. The function reads t as it is when ProjectPermissions is called; it does not see
// later changes to t.
func (t *Tenant) ProjectPermissions() func(u *User, p *Project, perm string) bool {
	return newIndex(t).hasProjectPermission
}
