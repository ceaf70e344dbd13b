package jiratest

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

type jStatusCategory struct {
	Self      string `json:"self"`
	ID        int    `json:"id"`
	Key       string `json:"key"`
	ColorName string `json:"colorName"`
	Name      string `json:"name"`
}

type jStatus struct {
	Self             string          `json:"self"`
	Description      string          `json:"description"`
	IconURL          string          `json:"iconUrl"`
	Name             string          `json:"name"`
	UntranslatedName string          `json:"untranslatedName"`
	ID               string          `json:"id"`
	StatusCategory   jStatusCategory `json:"statusCategory"`
}

func (c *call) statusJSON(s *Status) jStatus {
	cat := map[string]jStatusCategory{
		"TODO":        {ID: 2, Key: "new", ColorName: "blue-gray", Name: "To Do"},
		"IN_PROGRESS": {ID: 4, Key: "indeterminate", ColorName: "yellow", Name: "In Progress"},
		"DONE":        {ID: 3, Key: "done", ColorName: "green", Name: "Done"},
	}[s.Category]
	cat.Self = c.rest("/statuscategory/" + strconv.Itoa(cat.ID))
	return jStatus{Self: c.rest("/status/" + s.ID), Name: s.Name, UntranslatedName: s.Name, ID: s.ID,
		IconURL: c.base + "/images/icons/statuses/generic.png", StatusCategory: cat}
}

func (c *call) issueParam() (*Issue, *Project, *reply) {
	k := c.p["issueIdOrKey"]
	is := c.x.issues[strings.ToUpper(k)]
	if is == nil {
		is = c.x.issues[k]
	}
	var p *Project
	if is != nil {
		p = c.x.projects[is.ProjectID]
	}
	if is == nil || p == nil || p.Deleted || !c.canSeeProject(p) {
		r := jiraErr(404, "Issue does not exist or you do not have permission to see it.")
		return nil, nil, &r
	}
	return is, p, nil
}

// screenFieldFor returns the entry of fieldID on the create screen (create) or the edit screen of issue type it.
func screenFieldFor(it *IssueType, fieldID string, create bool) (IssueTypeField, bool) {
	if !create && it.EditFields != nil {
		for _, f := range it.EditFields {
			if f.FieldID == fieldID {
				return f, true
			}
		}
		return IssueTypeField{}, false
	}
	return screenField(it, fieldID)
}

// screenField returns the create-screen entry of fieldID for issue type it.
func screenField(it *IssueType, fieldID string) (IssueTypeField, bool) {
	for _, f := range it.Fields {
		if f.FieldID == fieldID {
			return f, true
		}
	}
	return IssueTypeField{}, false
}

type idOrKey struct {
	ID        string `json:"id"`
	Key       string `json:"key"`
	Name      string `json:"name"`
	AccountID string `json:"accountId"`
	Value     string `json:"value"`
}

// applyFields validates and applies fields to is; create requires the issue type's required fields.
func (c *call) applyFields(is *Issue, it *IssueType, fields map[string]json.RawMessage, create bool) *reply {
	ferrs := map[string]string{}
	var missing []string
	for k, raw := range fields {
		if k == "project" || k == "issuetype" {
			continue
		}
		if _, onScreen := screenFieldFor(it, k, create); !onScreen {
			ferrs[k] = "Field '" + k + "' cannot be set. It is not on the appropriate screen, or unknown."
			continue
		}
		switch k {
		case "summary":
			var s string
			if json.Unmarshal(raw, &s) != nil || strings.TrimSpace(s) == "" {
				ferrs[k] = "You must specify a summary of the issue."
			} else if javaLen(s) > 255 {
				ferrs[k] = "Summary must be less than 255 characters."
			} else {
				is.Summary = s
			}
		case "description", "customfield_10060":
			if string(raw) == "null" {
				if k == "description" {
					is.Description = nil
				} else {
					delete(is.CustomFields, k)
				}
				continue
			}
			var doc json.RawMessage
			var text string
			if json.Unmarshal(raw, &text) == nil {
				if c.version() == "3" {
					ferrs[k] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
					continue
				}
				doc = adfText(text)
			} else {
				var probe struct {
					Type    string `json:"type"`
					Version int    `json:"version"`
				}
				if json.Unmarshal(raw, &probe) != nil || probe.Type != "doc" {
					ferrs[k] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
					continue
				}
				doc = append(json.RawMessage(nil), raw...)
			}
			if k == "description" {
				is.Description = doc
			} else {
				c.setCustom(is, k, doc)
			}
		case "reporter", "assignee":
			if string(raw) == "null" {
				if k == "assignee" {
					is.AssigneeID = ""
					continue
				}
			}
			var v idOrKey
			id := ""
			if json.Unmarshal(raw, &v) == nil {
				id = cmp.Or(v.ID, v.AccountID)
			}
			if u := c.x.users[id]; u == nil || !u.Active {
				ferrs[k] = "Specify a valid value for " + k
				continue
			}
			if k == "reporter" {
				is.ReporterID = id
			} else {
				is.AssigneeID = id
			}
		case "priority":
			var v idOrKey
			_ = json.Unmarshal(raw, &v)
			found := ""
			for _, p := range c.x.t.Priorities {
				if p.ID == v.ID || (v.Name != "" && strings.EqualFold(p.Name, v.Name)) {
					found = p.ID
				}
			}
			if found == "" {
				ferrs[k] = "Specify a valid priority id or name"
				continue
			}
			is.PriorityID = found
		case "labels":
			var ls []string
			if json.Unmarshal(raw, &ls) != nil {
				ferrs[k] = "Labels must be an array of strings."
				continue
			}
			for _, l := range ls {
				if strings.ContainsAny(l, " \t") {
					ferrs[k] = "The label '" + l + "' contains spaces which is invalid."
				}
			}
			if ferrs[k] == "" {
				is.Labels = ls
			}
		case "parent":
			var v idOrKey
			_ = json.Unmarshal(raw, &v)
			parent := c.x.issues[strings.ToUpper(cmp.Or(v.Key, v.ID))]
			if parent == nil {
				parent = c.x.issues[v.ID]
			}
			if parent == nil || parent.ProjectID != is.ProjectID {
				ferrs[k] = "Given parent work item does not belong to appropriate hierarchy."
				continue
			}
			c.setCustom(is, k, json.RawMessage(strconv.Quote(parent.Key)))
		default:
			f := c.x.fields[k]
			if f != nil && typedField(f) {
				v, msg := c.checkTypedValue(f, raw)
				if msg != "" {
					ferrs[k] = msg
					continue
				}
				c.setCustom(is, k, v)
				continue
			}
			if f != nil && len(f.AllowedValues) > 0 {
				var v idOrKey
				_ = json.Unmarshal(raw, &v)
				okv := false
				for _, av := range f.AllowedValues {
					if av.ID == v.ID || (v.Value != "" && av.Value == v.Value) {
						okv = true
						raw = json.RawMessage(`{"id":"` + av.ID + `"}`)
					}
				}
				if !okv {
					ferrs[k] = "Specify a valid 'id' or 'name' for " + f.Name
					continue
				}
			}
			c.setCustom(is, k, append(json.RawMessage(nil), raw...))
		}
	}
	if create {
		for _, f := range it.Fields {
			if !f.Required || f.FieldID == "project" || f.FieldID == "issuetype" || f.FieldID == "reporter" {
				continue
			}
			if _, given := fields[f.FieldID]; given {
				continue
			}
			if f.FieldID == "summary" {
				ferrs["summary"] = "You must specify a summary of the issue."
				continue
			}
			missing = append(missing, "Field '"+f.FieldID+"' is required")
		}
	}
	if len(ferrs) > 0 || len(missing) > 0 {
		slices.Sort(missing)
		if missing == nil {
			missing = []string{}
		}
		r := reply{status: 400, v: jiraErrorBody{ErrorMessages: missing, Errors: ferrs}}
		return &r
	}
	return nil
}

func (c *call) setCustom(is *Issue, k string, v json.RawMessage) {
	if is.CustomFields == nil {
		is.CustomFields = map[string]json.RawMessage{}
	}
	is.CustomFields[k] = v
}

func hCreateIssue(c *call) reply {
	var body struct {
		Fields     map[string]json.RawMessage `json:"fields"`
		Properties []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		} `json:"properties"`
	}
	if err := c.decode(&body); err != nil || body.Fields == nil {
		return jiraErr(400, "Invalid request payload. Refer to the REST API documentation and try again.")
	}
	props := map[string]json.RawMessage{}
	for _, pr := range body.Properties {
		switch {
		case strings.TrimSpace(pr.Key) == "" || len(pr.Key) > 255:
			return jiraErr(400, "The property key cannot be null or empty, and must be at most 255 characters.")
		case len(pr.Value) == 0 || len(pr.Value) > 32768:
			return jiraErr(400, "The property value must be valid JSON of at most 32768 characters.")
		}
		props[pr.Key] = append(json.RawMessage(nil), pr.Value...)
	}
	var pref, tref idOrKey
	_ = json.Unmarshal(body.Fields["project"], &pref)
	p := c.x.project(cmp.Or(pref.ID, pref.Key))
	if p == nil || p.Deleted || p.Archived || !c.canSeeProject(p) {
		return jiraFieldErr(400, map[string]string{"project": "Specify a valid project ID or key"})
	}
	_ = json.Unmarshal(body.Fields["issuetype"], &tref)
	var it *IssueType
	for _, id := range p.IssueTypeIDs {
		if t := c.x.issueTypes[id]; t != nil && (t.ID == tref.ID || (tref.Name != "" && strings.EqualFold(t.Name, tref.Name))) {
			it = t
		}
	}
	if it == nil {
		return jiraFieldErr(400, map[string]string{"issuetype": "Specify an issue type"})
	}
	if !c.perms().AdministerJira && !c.x.hasProjectPermission(c.user, p, PermCreateIssues) {
		return jiraFieldErr(400, map[string]string{"project": "You do not have permission to create issues in this project."})
	}
	n := c.x.issueCounters[p.ID] + 1
	is := &Issue{ProjectID: p.ID, IssueTypeID: it.ID, Key: p.Key + "-" + strconv.Itoa(n), PriorityID: "3",
		StatusID: c.x.initialStatus(it.ID), Created: c.now.UTC(), Updated: c.now.UTC()}
	if c.user != nil {
		is.ReporterID = c.user.AccountID
		is.CreatorID = c.user.AccountID
	}
	if len(props) > 0 {
		is.Properties = props
	}
	if rep := c.applyFields(is, it, body.Fields, true); rep != nil {
		return *rep
	}
	maxID := 9999
	for _, o := range c.x.t.Issues {
		if v, err := strconv.Atoi(o.ID); err == nil && v > maxID {
			maxID = v
		}
	}
	is.ID = strconv.Itoa(maxID + 1)
	c.x.issueCounters[p.ID] = n
	c.x.t.Issues = append(c.x.t.Issues, is)
	c.x.issues[strings.ToUpper(is.Key)] = is
	c.x.issues[is.ID] = is
	rep := created(map[string]string{"id": is.ID, "key": is.Key, "self": c.rest("/issue/" + is.ID)})
	rep.mutation = "created issue " + is.Key + " (" + it.Name + ") in project " + p.Key
	return rep
}

func (c *call) issueJSON(is *Issue, p *Project, fieldsParam string) map[string]any {
	want := func(string) bool { return true }
	if fieldsParam != "" && fieldsParam != "*all" && fieldsParam != "*navigable" {
		set := map[string]bool{}
		excl := map[string]bool{}
		all := false
		for _, f := range strings.Split(fieldsParam, ",") {
			f = strings.TrimSpace(f)
			switch {
			case f == "*all" || f == "*navigable":
				all = true
			case strings.HasPrefix(f, "-"):
				excl[f[1:]] = true
			default:
				set[f] = true
			}
		}
		want = func(k string) bool { return !excl[k] && (all || set[k]) }
	}
	f := map[string]any{}
	put := func(k string, v any) {
		if want(k) {
			f[k] = v
		}
	}
	put("summary", is.Summary)
	if c.version() == "3" {
		put("description", rawOrNil(is.Description))
	} else {
		put("description", adfPlain(is.Description))
	}
	if it := c.x.issueTypes[is.IssueTypeID]; it != nil {
		put("issuetype", c.issueTypeJSON(it))
	}
	put("project", map[string]any{"self": c.rest("/project/" + p.ID), "id": p.ID, "key": p.Key, "name": p.Name,
		"projectTypeKey": p.TypeKey, "simplified": p.Simplified, "avatarUrls": avatars("project-" + p.ID)})
	if s := c.x.statuses[is.StatusID]; s != nil {
		put("status", c.statusJSON(s))
	}
	put("reporter", nilIfEmpty(c.userRef(is.ReporterID)))
	put("assignee", nilIfEmpty(c.userRef(is.AssigneeID)))
	if pr := c.x.priorities[is.PriorityID]; pr != nil {
		put("priority", map[string]string{"self": c.rest("/priority/" + pr.ID), "id": pr.ID, "name": pr.Name,
			"iconUrl": c.base + "/images/icons/priorities/" + strings.ToLower(pr.Name) + ".svg"})
	}
	labels := is.Labels
	if labels == nil {
		labels = []string{}
	}
	put("labels", labels)
	put("created", jiraTime(is.Created))
	put("updated", jiraTime(is.Updated))
	for k, v := range is.CustomFields {
		if k == "parent" {
			var key string
			_ = json.Unmarshal(v, &key)
			if par := c.x.issues[strings.ToUpper(key)]; par != nil {
				put("parent", map[string]any{"id": par.ID, "key": par.Key, "self": c.rest("/issue/" + par.ID)})
			}
			continue
		}
		put(k, v)
	}
	return map[string]any{"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
		"id": is.ID, "self": c.rest("/issue/" + is.ID), "key": is.Key, "fields": f}
}

func nilIfEmpty(u *jUser) any {
	if u == nil {
		return nil
	}
	return u
}

func rawOrNil(r json.RawMessage) any {
	if len(r) == 0 {
		return nil
	}
	return r
}

// adfPlain flattens an ADF document to text (the v2 representation).
func adfPlain(r json.RawMessage) any {
	if len(r) == 0 {
		return nil
	}
	var node struct {
		Text    string            `json:"text"`
		Content []json.RawMessage `json:"content"`
	}
	if json.Unmarshal(r, &node) != nil {
		return nil
	}
	var sb strings.Builder
	sb.WriteString(node.Text)
	for i, ch := range node.Content {
		if s, ok := adfPlain(ch).(string); ok {
			if i > 0 && sb.Len() > 0 {
				sb.WriteString("\n")
			}
			sb.WriteString(s)
		}
	}
	return sb.String()
}

// writableIssue resolves {issueIdOrKey} for a write that needs perm (verb names it in the 403) and counts the write
// against the issue's rate limit.
func (c *call) writableIssue(perm, verb string) (*Issue, *Project, *reply) {
	is, p, rep := c.issueParam()
	if rep != nil {
		return nil, nil, rep
	}
	if !c.perms().AdministerJira && !c.x.hasProjectPermission(c.user, p, perm) {
		r := jiraErr(403, "You do not have permission to "+verb+" issues in this project.")
		return nil, nil, &r
	}
	if lr := c.s.lim.issueWrite(is.ID, c.now); !lr.ok {
		r := c.rateLimited(lr)
		return nil, nil, &r
	}
	return is, p, nil
}

func hGetIssue(c *call) reply {
	is, p, rep := c.issueParam()
	if rep != nil {
		return *rep
	}
	return ok(c.issueJSON(is, p, c.q.Get("fields")))
}

func hEditIssue(c *call) reply {
	is, p, rep := c.writableIssue(PermEditIssues, "edit")
	if rep != nil {
		return *rep
	}
	var body struct {
		Fields map[string]json.RawMessage              `json:"fields"`
		Update map[string][]map[string]json.RawMessage `json:"update"`
	}
	if err := c.decode(&body); err != nil {
		return jiraErr(400, "Invalid request payload. Refer to the REST API documentation and try again.")
	}
	it := c.x.issueTypes[is.IssueTypeID]
	work := cloneIssue(is)
	if rep := c.applyFields(work, it, body.Fields, false); rep != nil {
		return *rep
	}
	for field, ops := range body.Update {
		if field != "labels" {
			if _, on := screenFieldFor(it, field, false); !on {
				return jiraFieldErr(400, map[string]string{field: "Field '" + field + "' cannot be set. It is not on the appropriate screen, or unknown."})
			}
			for _, op := range ops {
				if v, ok := op["set"]; ok {
					if rep := c.applyFields(work, it, map[string]json.RawMessage{field: v}, false); rep != nil {
						return *rep
					}
				}
			}
			continue
		}
		for _, op := range ops {
			for verb, raw := range op {
				var l string
				_ = json.Unmarshal(raw, &l)
				switch verb {
				case "add":
					if !slices.Contains(work.Labels, l) {
						work.Labels = append(work.Labels, l)
					}
				case "remove":
					work.Labels = slices.DeleteFunc(work.Labels, func(s string) bool { return s == l })
				}
			}
		}
	}
	work.Updated = c.now.UTC()
	*is = *work
	out := noContent()
	if c.q.Get("returnIssue") == "true" {
		out = ok(c.issueJSON(is, p, ""))
	}
	out.mutation = "edited issue " + is.Key
	return out
}

func hTransitions(c *call) reply {
	is, _, rep := c.issueParam()
	if rep != nil {
		return *rep
	}
	out := []map[string]any{}
	for _, tr := range c.x.t.Transitions {
		s := c.x.statuses[tr.ToStatusID]
		if s == nil || tr.ToStatusID == is.StatusID || !c.x.inWorkflow(is.IssueTypeID, tr) {
			continue
		}
		out = append(out, map[string]any{"id": tr.ID, "name": tr.Name, "to": c.statusJSON(s), "hasScreen": false,
			"isGlobal": true, "isInitial": false, "isAvailable": true, "isConditional": false, "isLooped": false})
	}
	return ok(map[string]any{"expand": "transitions", "transitions": out})
}

func hDoTransition(c *call) reply {
	is, _, rep := c.writableIssue(PermTransitionIssues, "transition")
	if rep != nil {
		return *rep
	}
	var body struct {
		Transition struct {
			ID string `json:"id"`
		} `json:"transition"`
	}
	if err := c.decode(&body); err != nil || body.Transition.ID == "" {
		return jiraErr(400, "Transition id must be specified.")
	}
	tr := c.x.transitions[body.Transition.ID]
	if tr == nil || tr.ToStatusID == is.StatusID || !c.x.inWorkflow(is.IssueTypeID, tr) {
		return jiraErr(400, "Transition id '"+body.Transition.ID+"' is not valid for this issue.")
	}
	from := is.StatusID
	is.StatusID = tr.ToStatusID
	is.Updated = c.now.UTC()
	out := noContent()
	out.mutation = "transitioned issue " + is.Key + " from status " + from + " to " + tr.ToStatusID
	return out
}

// createMetaParams resolves {projectIdOrKey} and createmeta's paging.
func (c *call) createMetaParams() (p *Project, start, limit int, rep *reply) {
	if p, rep = c.projectParam(); rep != nil {
		return nil, 0, 0, rep
	}
	if start, limit, rep = c.createMetaPaging(); rep != nil {
		return nil, 0, 0, rep
	}
	return p, start, limit, nil
}

// createMetaPaging enforces createmeta's limits: default 50, 400 above 200.
func (c *call) createMetaPaging() (int, int, *reply) {
	if v := c.q.Get("maxResults"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 200 {
			r := reply{status: 400, v: map[string]any{"errorMessages": []string{"Parameter 'maxResults' must not exceed the limit '200'"},
				"errors": map[string]string{}, "httpStatusCode": map[string]any{"empty": false, "present": true}}}
			return 0, 0, &r
		}
	}
	return c.paging(50, 200)
}

// createMetaPage answers the createmeta page start..start+limit of items under key.
func createMetaPage[T any](c *call, key string, items []T, start, limit int) reply {
	page := window(items, start, limit)
	if page == nil {
		page = []T{}
	}
	if c.s.cfg.legacyCreateMeta {
		key = legacyCreateMetaKey(key)
	}
	if c.s.cfg.beanCreateMeta {
		return ok(map[string]any{"startAt": start, "maxResults": limit, "total": len(items), "values": page,
			"isLast": start+len(page) >= len(items)})
	}
	return ok(map[string]any{"startAt": start, "maxResults": limit, "total": len(items), key: page})
}

func hCreateMetaTypes(c *call) reply {
	p, start, limit, rep := c.createMetaParams()
	if rep != nil {
		return *rep
	}
	var types []jIssueType
	for _, id := range p.IssueTypeIDs {
		if it := c.x.issueTypes[id]; it != nil {
			types = append(types, c.issueTypeJSON(it))
		}
	}
	return createMetaPage(c, "issueTypes", types, start, limit)
}

type jFieldMeta struct {
	Required        bool      `json:"required"`
	Schema          jSchema   `json:"schema"`
	Name            string    `json:"name"`
	Key             string    `json:"key"`
	FieldID         string    `json:"fieldId"`
	AutoCompleteURL string    `json:"autoCompleteUrl,omitempty"`
	HasDefaultValue bool      `json:"hasDefaultValue"`
	Operations      []string  `json:"operations"`
	AllowedValues   []any     `json:"allowedValues,omitempty"`
	DefaultValue    any       `json:"defaultValue,omitempty"`
	Configuration   *struct{} `json:"configuration,omitempty"`
}

type jSchema struct {
	Type     string `json:"type"`
	Items    string `json:"items,omitempty"`
	System   string `json:"system,omitempty"`
	Custom   string `json:"custom,omitempty"`
	CustomID int64  `json:"customId,omitempty"`
}

func fieldSchema(f *Field) jSchema {
	return jSchema{Type: f.SchemaType, Items: f.SchemaItems, System: f.SchemaSystem, Custom: f.SchemaCustom, CustomID: f.CustomID}
}

func hCreateMetaFields(c *call) reply {
	p, start, limit, rep := c.createMetaParams()
	if rep != nil {
		return *rep
	}
	id := c.p["issueTypeId"]
	if !slices.Contains(p.IssueTypeIDs, id) || c.x.issueTypes[id] == nil {
		return jiraErr(404, "Issue type with id '"+id+"' does not exist or is not available in project '"+p.Key+"'.")
	}
	it := c.x.issueTypes[id]
	var out []jFieldMeta
	for _, sf := range it.Fields {
		if m, ok := c.fieldMeta(p, it, sf); ok {
			out = append(out, m)
		}
	}
	return createMetaPage(c, "fields", out, start, limit)
}

// fieldMeta is the createmeta/editmeta entry of screen field sf of issue type it in project p.
func (c *call) fieldMeta(p *Project, it *IssueType, sf IssueTypeField) (jFieldMeta, bool) {
	f := c.x.fields[sf.FieldID]
	if f == nil {
		return jFieldMeta{}, false
	}
	m := jFieldMeta{Required: sf.Required, Schema: fieldSchema(f), Name: f.Name, Key: f.ID, FieldID: f.ID,
		Operations: []string{"set"}}
	switch {
	case f.SchemaType == "array":
		m.Operations = []string{"add", "set", "remove"}
	case f.ID == "reporter":
		m.HasDefaultValue = true
	case f.ID == "priority":
		m.HasDefaultValue = true
		m.DefaultValue = map[string]string{"id": "3", "name": "Medium"}
	}
	if f.SchemaType == "user" || f.SchemaItems == "user" {
		m.AutoCompleteURL = c.rest("/user/search?query=")
	}
	switch f.ID {
	case "issuetype":
		m.AllowedValues = []any{c.issueTypeJSON(it)}
	case "project":
		m.AllowedValues = []any{map[string]string{"id": p.ID, "key": p.Key, "name": p.Name}}
	case "priority":
		for _, pr := range c.x.t.Priorities {
			m.AllowedValues = append(m.AllowedValues, map[string]string{"id": pr.ID, "name": pr.Name})
		}
	case "components":
		m.AllowedValues = []any{}
	}
	for _, av := range f.AllowedValues {
		if f.SchemaType == "version" || f.SchemaItems == "version" { // versions have names, not values
			m.AllowedValues = append(m.AllowedValues, map[string]any{"self": c.rest("/version/" + av.ID), "id": av.ID,
				"name": av.Value, "archived": false, "released": false, "projectId": p.ID})
			continue
		}
		o := map[string]any{"self": c.rest("/customFieldOption/" + av.ID), "value": av.Value, "id": av.ID}
		if kids, ok := f.Children[av.ID]; ok {
			var ch []map[string]string
			for _, k := range kids {
				ch = append(ch, map[string]string{"self": c.rest("/customFieldOption/" + k.ID), "value": k.Value, "id": k.ID})
			}
			o["children"] = ch
		}
		m.AllowedValues = append(m.AllowedValues, o)
	}
	return m, true
}

// hEditMeta serves GET /issue/{key}/editmeta: the fields of the issue type's edit screen (less project), keyed
// by field ID; none without the Edit issues permission.
func hEditMeta(c *call) reply {
	is, p, rep := c.issueParam()
	if rep != nil {
		return *rep
	}
	out := map[string]any{}
	if !c.perms().AdministerJira && !c.x.hasProjectPermission(c.user, p, PermEditIssues) {
		return ok(map[string]any{"fields": out})
	}
	it := c.x.issueTypes[is.IssueTypeID]
	screen := it.Fields
	if it.EditFields != nil {
		screen = it.EditFields
	}
	for _, sf := range screen {
		if sf.FieldID == "project" {
			continue
		}
		if m, ok := c.fieldMeta(p, it, sf); ok {
			// editmeta's entries carry key but no fieldId.
			var v map[string]any
			b, _ := json.Marshal(m)
			_ = json.Unmarshal(b, &v)
			delete(v, "fieldId")
			out[sf.FieldID] = v
		}
	}
	return ok(map[string]any{"fields": out})
}

func hFields(c *call) reply {
	out := []map[string]any{}
	for _, f := range c.x.t.Fields {
		clause := []string{f.ID}
		if f.Custom {
			clause = []string{"cf[" + strconv.FormatInt(f.CustomID, 10) + "]", f.Name}
		}
		m := map[string]any{"id": f.ID, "key": f.ID, "name": f.Name, "untranslatedName": f.Name, "custom": f.Custom,
			"orderable": true, "navigable": true, "searchable": true, "clauseNames": clause, "schema": fieldSchema(f)}
		out = append(out, m)
	}
	return ok(out)
}

func hStatusesSearch(c *call) reply {
	start, limit, bad := c.paging(200, 200)
	if bad != nil {
		return *bad
	}
	pid := c.q.Get("projectId")
	cat := c.q.Get("statusCategory")
	search := strings.ToLower(c.q.Get("searchString"))
	var list []map[string]any
	for _, s := range c.x.t.Statuses {
		if pid != "" && s.ProjectID != "" && s.ProjectID != pid {
			continue
		}
		if cat != "" && !strings.EqualFold(cat, s.Category) {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(s.Name), search) {
			continue
		}
		scope := map[string]any{"type": "GLOBAL"}
		if s.ProjectID != "" {
			scope = map[string]any{"type": "PROJECT", "project": map[string]string{"id": s.ProjectID}}
		}
		list = append(list, map[string]any{"id": s.ID, "name": s.Name, "statusCategory": s.Category, "scope": scope,
			"description": "", "usages": []any{}})
	}
	return ok(pageOf(c, list, start, limit))
}

func hAudit(c *call) reply {
	if !c.perms().AdministerJira {
		return jiraErr(403, errNotAdmin)
	}
	if !c.x.t.PaidPlan {
		return jiraErr(403, "Could not find any Jira product on a paid plan. Audit log is available for paid plans only.")
	}
	offset, bad := c.intParam("offset", 0)
	if bad != nil {
		return *bad
	}
	limit, bad := c.intParam("limit", 1000)
	if bad != nil {
		return *bad
	}
	limit = min(max(limit, 0), c.capFor(1000))
	filter := strings.ToLower(c.q.Get("filter"))
	from, to := parseLooseTime(c.q.Get("from")), parseLooseTime(c.q.Get("to"))
	var recs []*AuditRecord
	for i := len(c.x.t.Audit) - 1; i >= 0; i-- {
		a := c.x.t.Audit[i]
		if !from.IsZero() && a.Created.Before(from) || !to.IsZero() && a.Created.After(to) {
			continue
		}
		if filter != "" && !strings.Contains(strings.ToLower(a.Summary+" "+a.Category+" "+a.ObjectItem.Name+" "+a.RemoteAddress), filter) {
			continue
		}
		recs = append(recs, a)
	}
	lo, hi := min(max(offset, 0), len(recs)), min(max(offset, 0)+limit, len(recs))
	out := []map[string]any{}
	for _, a := range recs[lo:hi] {
		assoc := a.AssociatedItems
		if assoc == nil {
			assoc = []AuditItem{}
		}
		changed := a.ChangedValues
		if changed == nil {
			changed = []AuditChanged{}
		}
		out = append(out, map[string]any{"id": a.ID, "summary": a.Summary, "remoteAddress": a.RemoteAddress,
			"authorKey": a.AuthorAccountID, "authorAccountId": a.AuthorAccountID, "created": jiraTime(a.Created),
			"category": a.Category, "eventSource": a.EventSource, "objectItem": a.ObjectItem,
			"changedValues": changed, "associatedItems": assoc})
	}
	return ok(map[string]any{"offset": offset, "limit": limit, "total": len(recs), "records": out})
}

func parseLooseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func hSearchGone(c *call) reply {
	return jiraErr(410, "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "+
		"A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046")
}
