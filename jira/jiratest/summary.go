package jiratest

// Summary counts what a tenant holds, as the Jira and Admin endpoints list it.
type Summary struct {
	// Users counts every account /users/search returns (app, customer, inactive and former included).
	Users       int `json:"users"`
	ActiveUsers int `json:"activeUsers"`
	Apps        int `json:"apps"`
	Customers   int `json:"customers"`
	Former      int `json:"former"`
	// Groups counts the Jira groups (/group/bulk).
	Groups int `json:"groups"`
	// Memberships is the number of (group, account) pairs; ActiveMemberships counts active members only.
	Memberships       int `json:"memberships"`
	ActiveMemberships int `json:"activeMemberships"`
	// Projects counts live projects (the /project/search default); Archived and Deleted are counted apart.
	Projects    int `json:"projects"`
	Archived    int `json:"archived"`
	Deleted     int `json:"deleted"`
	TeamManaged int `json:"teamManaged"`
	// RoleLists counts role actor lists over live projects (one per project and role); DistinctRoles counts the
	// roles they use.
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
