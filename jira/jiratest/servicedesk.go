package jiratest

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// ServiceDesk is the Jira Service Management side of one service project: who may use its help center portal.
// Customers on its list and the members of its customer organizations have portal access (the permission
// schemes' "sd.customer.portal.only" holder, "Service project customer - portal access").
type ServiceDesk struct {
	// ID is the service desk ID (not the project ID).
	ID string `json:"id"`
	// ProjectID is the service project behind the desk.
	ProjectID string `json:"projectId"`
	// Customers are the accounts added to the desk's customer list one by one.
	Customers []string `json:"customers,omitempty"`
	// OrganizationIDs are the customer organizations added to the desk (Tenant.CustomerOrganizations).
	OrganizationIDs []string `json:"organizationIds,omitempty"`
}

// CustomerOrganization is a Jira Service Management customer organization: a named set of accounts that
// service desks can give portal access to at once.
type CustomerOrganization struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members,omitempty"`
}

// PortalCustomers returns the accounts with portal access to service desk d: its customers, then the members
// of its organizations, each once, in that order.
func (t *Tenant) PortalCustomers(d *ServiceDesk) []string {
	out := slices.Clone(d.Customers)
	for _, oid := range d.OrganizationIDs {
		for _, o := range t.CustomerOrganizations {
			if o.ID != oid {
				continue
			}
			for _, m := range o.Members {
				if !slices.Contains(out, m) {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func cloneServiceDesks(t *Tenant, c *Tenant) {
	c.ServiceDesks = cloneSlice(t.ServiceDesks, func(d *ServiceDesk) *ServiceDesk {
		v := *d
		v.Customers = slices.Clone(d.Customers)
		v.OrganizationIDs = slices.Clone(d.OrganizationIDs)
		return &v
	})
	c.CustomerOrganizations = cloneSlice(t.CustomerOrganizations, func(o *CustomerOrganization) *CustomerOrganization {
		v := *o
		v.Members = slices.Clone(o.Members)
		return &v
	})
}

// serviceDesks gives every service project a desk, with customers on its list and customer organizations. It
// draws from its own random source so that the rest of the tenant is what it was before desks were generated.
func (g *gen) serviceDesks(r *rand.Rand) {
	t := g.t
	customers := g.byKind(kindCustomer)
	humans := g.byKind(kindHuman)
	if len(customers) == 0 {
		return
	}
	var desks []*Project
	for _, p := range t.Projects {
		if p.TypeKey == ProjectTypeServiceDesk {
			desks = append(desks, p)
		}
	}
	if len(desks) == 0 {
		return
	}
	pickCustomers := func(k int) []string {
		var out []string
		for range k {
			if id := customers[r.IntN(len(customers))].AccountID; !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return out
	}
	nOrgs := max(1, len(desks)/2)
	for i := range nOrgs {
		o := &CustomerOrganization{ID: strconv.Itoa(1 + i), Name: orgNames[i%len(orgNames)] + " " + strconv.Itoa(i+1),
			Members: pickCustomers(2 + r.IntN(7))}
		if len(humans) > 0 && r.Float64() < 0.2 {
			// Employees can be customers too (an Atlassian account on an organization).
			o.Members = append(o.Members, humans[r.IntN(len(humans))].AccountID)
		}
		t.CustomerOrganizations = append(t.CustomerOrganizations, o)
	}
	for i, p := range desks {
		d := &ServiceDesk{ID: strconv.Itoa(1 + i), ProjectID: p.ID, Customers: pickCustomers(1 + r.IntN(6))}
		if len(humans) > 0 && r.Float64() < 0.3 {
			d.Customers = append(d.Customers, humans[r.IntN(len(humans))].AccountID)
		}
		for range r.IntN(3) {
			if oid := t.CustomerOrganizations[r.IntN(nOrgs)].ID; !slices.Contains(d.OrganizationIDs, oid) {
				d.OrganizationIDs = append(d.OrganizationIDs, oid)
			}
		}
		if i == 0 && len(d.OrganizationIDs) == 0 {
			d.OrganizationIDs = []string{t.CustomerOrganizations[0].ID}
		}
		if i == 0 && len(t.CustomerOrganizations[0].Members) > 0 && !slices.Contains(d.Customers, t.CustomerOrganizations[0].Members[0]) {
			// A customer both on the list and in an organization of the desk: one portal grant.
			d.Customers = append(d.Customers, t.CustomerOrganizations[0].Members[0])
		}
		t.ServiceDesks = append(t.ServiceDesks, d)
	}
}

var orgNames = []string{"Acme Corp", "Globex", "Initech", "Umbrella", "Soylent", "Hooli", "Stark Industries", "Wayne Enterprises"}

// ---- Jira Service Management REST API (/rest/servicedeskapi) ----

func addServiceDeskRoutes(t *routeTable) {
	sd := t.prefixed(apiSite, "/rest/servicedeskapi")
	sd("GET", "/servicedesk", hServiceDesks)
	sd("GET", "/servicedesk/{serviceDeskId}/customer", hServiceDeskCustomers)
	sd("GET", "/servicedesk/{serviceDeskId}/organization", hServiceDeskOrganizations)
	sd("GET", "/organization", hCustomerOrganizations)
	sd("GET", "/organization/{organizationId}/user", hCustomerOrganizationUsers)
}

// sdPage is the Service Management PagedDTO.
type sdPage struct {
	Size       int               `json:"size"`
	Start      int               `json:"start"`
	Limit      int               `json:"limit"`
	IsLastPage bool              `json:"isLastPage"`
	Values     any               `json:"values"`
	Links      map[string]string `json:"_links"`
}

type jServiceDesk struct {
	ID          string            `json:"id"`
	ProjectID   string            `json:"projectId"`
	ProjectName string            `json:"projectName"`
	ProjectKey  string            `json:"projectKey"`
	Links       map[string]string `json:"_links"`
}

type jSDUser struct {
	AccountID    string            `json:"accountId"`
	DisplayName  string            `json:"displayName"`
	EmailAddress string            `json:"emailAddress,omitempty"`
	Active       bool              `json:"active"`
	TimeZone     string            `json:"timeZone,omitempty"`
	Links        map[string]string `json:"_links"`
}

type jCustomerOrg struct {
	ID    string            `json:"id"`
	Name  string            `json:"name"`
	Links map[string]string `json:"_links"`
}

func (c *call) sdURL(path string) string { return c.base + "/rest/servicedeskapi" + path }

// sdPaging reads start/limit (default 50, silent maximum 50, as the server caps it).
func (c *call) sdPaging() (start, limit int, bad *reply) {
	start, bad = c.intParam("start", 0)
	if bad != nil {
		return
	}
	limit, bad = c.intParam("limit", 50)
	if bad != nil {
		return
	}
	start = max(start, 0)
	if limit <= 0 {
		limit = 50
	}
	return start, min(limit, c.capFor(50)), nil
}

func sdPageOf[T, J any](c *call, all []T, render func(T) J) reply {
	start, limit, bad := c.sdPaging()
	if bad != nil {
		return *bad
	}
	vals := renderWindow(all, start, limit, render)
	links := map[string]string{"base": c.base + "/rest/servicedeskapi", "self": c.selfURL()}
	last := start+len(vals) >= len(all)
	if !last {
		links["next"] = c.withQuery("start", strconv.Itoa(start+len(vals)))
	}
	return ok(sdPage{Size: len(vals), Start: start, Limit: limit, IsLastPage: last, Values: vals, Links: links})
}

func sdErr(status int, msg string) reply {
	return reply{status: status, v: map[string]any{"errorMessage": msg, "i18nErrorMessage": map[string]any{
		"i18nKey": "sd.error", "parameters": []string{}}}}
}

// liveDesks returns the desks whose project is not in the trash, in desk order.
func (c *call) liveDesks() []*ServiceDesk {
	var out []*ServiceDesk
	for _, d := range c.x.t.ServiceDesks {
		if p := c.x.projects[d.ProjectID]; p != nil && !p.Deleted {
			out = append(out, d)
		}
	}
	return out
}

func hServiceDesks(c *call) reply {
	return sdPageOf(c, c.liveDesks(), func(d *ServiceDesk) jServiceDesk {
		p := c.x.projects[d.ProjectID]
		return jServiceDesk{ID: d.ID, ProjectID: p.ID, ProjectName: p.Name, ProjectKey: p.Key,
			Links: map[string]string{"self": c.sdURL("/servicedesk/" + d.ID)}}
	})
}

// deskParam resolves {serviceDeskId}: a desk ID, or (as the API allows) the project ID or key of its project.
func (c *call) deskParam() (*ServiceDesk, *reply) {
	if !c.perms().AdministerJira {
		r := sdErr(403, "You do not have permission to view the customers of this service project.")
		return nil, &r
	}
	id := c.p["serviceDeskId"]
	for _, d := range c.liveDesks() {
		p := c.x.projects[d.ProjectID]
		if d.ID == id || p.ID == id || strings.EqualFold(p.Key, id) {
			return d, nil
		}
	}
	r := sdErr(404, "The service project with the ID "+id+" does not exist.")
	return nil, &r
}

func (c *call) sdUser(id string) jSDUser {
	u := c.x.users[id]
	if u == nil {
		return jSDUser{AccountID: id, Links: map[string]string{}}
	}
	j := jSDUser{AccountID: id, DisplayName: u.DisplayName, Active: u.Active, TimeZone: u.TimeZone,
		Links: map[string]string{"jiraRest": c.rest("/user?accountId=" + id)}}
	if !u.EmailHidden {
		j.EmailAddress = u.Email
	}
	return j
}

// hServiceDeskCustomers lists the customers added to the desk's list (not the members of its organizations).
// The endpoint is experimental: without X-ExperimentalApi: opt-in it answers 412.
func hServiceDeskCustomers(c *call) reply {
	if !strings.EqualFold(c.r.Header.Get("X-ExperimentalApi"), "opt-in") {
		return sdErr(412, "This API is experimental. Experimental APIs are not guaranteed to be stable. "+
			"Set the 'X-ExperimentalApi: opt-in' header to use it.")
	}
	d, rep := c.deskParam()
	if rep != nil {
		return *rep
	}
	q := strings.ToLower(c.q.Get("query"))
	var ids []string
	for _, id := range d.Customers {
		if u := c.x.users[id]; u != nil && (q == "" || strings.Contains(strings.ToLower(u.DisplayName), q) ||
			(!u.EmailHidden && strings.Contains(strings.ToLower(u.Email), q))) {
			ids = append(ids, id)
		}
	}
	return sdPageOf(c, ids, c.sdUser)
}

func (c *call) customerOrg(id string) *CustomerOrganization {
	for _, o := range c.x.t.CustomerOrganizations {
		if o.ID == id {
			return o
		}
	}
	return nil
}

func (c *call) customerOrgJSON(o *CustomerOrganization) jCustomerOrg {
	return jCustomerOrg{ID: o.ID, Name: o.Name, Links: map[string]string{"self": c.sdURL("/organization/" + o.ID)}}
}

func hServiceDeskOrganizations(c *call) reply {
	d, rep := c.deskParam()
	if rep != nil {
		return *rep
	}
	var orgs []*CustomerOrganization
	for _, id := range d.OrganizationIDs {
		if o := c.customerOrg(id); o != nil {
			orgs = append(orgs, o)
		}
	}
	return sdPageOf(c, orgs, c.customerOrgJSON)
}

func hCustomerOrganizations(c *call) reply {
	if !c.perms().AdministerJira {
		return sdErr(403, "You do not have permission to view organizations.")
	}
	return sdPageOf(c, c.x.t.CustomerOrganizations, c.customerOrgJSON)
}

// hCustomerOrganizationUsers lists an organization's members ordered by account ID, as documented.
func hCustomerOrganizationUsers(c *call) reply {
	if !c.perms().AdministerJira {
		return sdErr(403, "You do not have permission to view the users of this organization.")
	}
	o := c.customerOrg(c.p["organizationId"])
	if o == nil {
		return sdErr(404, "The organization with the ID "+c.p["organizationId"]+" does not exist.")
	}
	ids := slices.Clone(o.Members)
	slices.Sort(ids)
	return sdPageOf(c, ids, c.sdUser)
}
