package jiratest

// Writes added for provisioning (issue 13). Routes are registered in buildRoutes.

// hUpdateProject serves PUT /project/{projectIdOrKey} for the one field the fake edits, leadAccountId: Administer
// Jira is required (403 otherwise, as documented); an unknown or inactive lead is refused with a field error (400);
// the answer is 200 with the project. Setting the current lead again changes nothing and logs no mutation.
func hUpdateProject(c *call) reply {
	if !c.perms().AdministerJira {
		return jiraErr(403, "You must have global administrator rights in order to modify projects.")
	}
	p, rep := c.projectParam()
	if rep != nil {
		return *rep
	}
	var body struct {
		LeadAccountID *string `json:"leadAccountId"`
	}
	if err := c.decode(&body); err != nil {
		return jiraErr(400, "Invalid request payload. Refer to the REST API documentation and try again.")
	}
	if body.LeadAccountID == nil {
		return ok(c.projectJSON(p, "", true))
	}
	u := c.x.users[*body.LeadAccountID]
	if u == nil || !u.Active || u.Former {
		return jiraFieldErr(400, map[string]string{"projectLead": "The project lead must be an active user with access to the project."})
	}
	if u.AccountType == AccountTypeCustomer {
		return jiraFieldErr(400, map[string]string{"projectLead": "The project lead must be an active user with access to the project."})
	}
	if p.LeadAccountID == u.AccountID {
		return ok(c.projectJSON(p, "", true))
	}
	old := p.LeadAccountID
	p.LeadAccountID = u.AccountID
	c.audit("Project updated", "projects", AuditItem{ID: p.ID, Name: p.Name, TypeName: "PROJECT"},
		AuditItem{ID: u.AccountID, Name: u.AccountID, TypeName: "USER"})
	out := ok(c.projectJSON(p, "", true))
	out.mutation = "changed lead of project " + p.Key + " from " + old + " to " + u.AccountID
	return out
}
