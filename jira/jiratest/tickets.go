package jiratest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// IssueComment is a comment on an [Issue]. Body holds an Atlassian Document Format document; Properties are
// the comment's entity properties (set with the create's "properties", read with POST /comment/list
// ?expand=properties).
type IssueComment struct {
	ID         string                     `json:"id"`
	AuthorID   string                     `json:"authorId,omitempty"`
	Body       json.RawMessage            `json:"body"`
	Created    time.Time                  `json:"created"`
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
}

// WithLegacyCreateMeta makes the createmeta pages name their arrays the way older Jira Cloud builds did
// ("createMetaIssueType" for issue types, "results" for fields) instead of "issueTypes" and "fields"; both
// forms appear in the published API schema, so clients must read either.
func WithLegacyCreateMeta() Option { return func(c *config) { c.legacyCreateMeta = true } }

// WithPageBeanCreateMeta makes the createmeta pages PageBeans, as Jira Data Center answers them: the items under
// "values", with "isLast" (and startAt, maxResults, total). Clients that read only "issueTypes"/"fields" see nothing.
func WithPageBeanCreateMeta() Option { return func(c *config) { c.beanCreateMeta = true } }

func legacyCreateMetaKey(key string) string {
	switch key {
	case "issueTypes":
		return "createMetaIssueType"
	case "fields":
		return "results"
	}
	return key
}

// ticketRoutes registers the routes an external-ticketing client needs beyond plain issue CRUD: comments (with
// entity properties, and by ID with POST /comment/list), the enhanced JQL search (a subset of JQL, see
// hSearchJQL), the statuses of a project's issue types and an issue's edit screen (editmeta).
func ticketRoutes(j func(method, path string, h func(*call) reply, flags ...string)) {
	j("POST", "/issue/{issueIdOrKey}/comment", hAddComment, "write")
	j("GET", "/issue/{issueIdOrKey}/comment", hListComments)
	j("POST", "/comment/list", hCommentsByID)
	j("GET", "/search/jql", hSearchJQL)
	j("POST", "/search/jql", hSearchJQL)
	j("GET", "/project/{projectIdOrKey}/statuses", hProjectStatuses)
	j("GET", "/issue/{issueIdOrKey}/editmeta", hEditMeta)
}

func hAddComment(c *call) reply {
	is, _, rep := c.issueParam()
	if rep != nil {
		return *rep
	}
	p := c.x.projects[is.ProjectID]
	if !c.perms().AdministerJira && !c.x.hasProjectPermission(c.user, p, PermBrowseProjects) {
		return jiraErr(403, "You do not have permission to comment on issues in this project.")
	}
	var body struct {
		Body       json.RawMessage `json:"body"`
		Properties []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		} `json:"properties"`
	}
	if err := c.decode(&body); err != nil || len(body.Body) == 0 {
		return jiraFieldErr(400, map[string]string{"comment": "Comment body can not be empty!"})
	}
	var props map[string]json.RawMessage
	for _, pr := range body.Properties {
		if pr.Key == "" || javaLen(pr.Key) > 255 || len(pr.Value) == 0 || len(pr.Value) > 32768 {
			return jiraErr(400, "The property key must be between 1 and 255 characters and the value at most 32768.")
		}
		if props == nil {
			props = map[string]json.RawMessage{}
		}
		props[pr.Key] = append(json.RawMessage(nil), pr.Value...)
	}
	doc := body.Body
	var text string
	if json.Unmarshal(doc, &text) == nil {
		if c.version() == "3" {
			return jiraFieldErr(400, map[string]string{"comment": "Comment body is not valid! Operation value must be an Atlassian Document (see the Atlassian Document Format)"})
		}
		doc = adfText(text)
	} else {
		var probe struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(doc, &probe) != nil || probe.Type != "doc" {
			return jiraFieldErr(400, map[string]string{"comment": "Comment body is not valid! Operation value must be an Atlassian Document (see the Atlassian Document Format)"})
		}
	}
	n := 10000
	for _, o := range c.x.issues {
		for _, cm := range o.Comments {
			if v, err := strconv.Atoi(cm.ID); err == nil && v >= n {
				n = v + 1
			}
		}
	}
	cm := IssueComment{ID: strconv.Itoa(n), Body: append(json.RawMessage(nil), doc...), Created: c.now.UTC(), Properties: props}
	if c.user != nil {
		cm.AuthorID = c.user.AccountID
	}
	is.Comments = append(is.Comments, cm)
	is.Updated = c.now.UTC()
	rep2 := created(c.commentJSON(is, cm))
	rep2.mutation = "commented on issue " + is.Key
	return rep2
}

func (c *call) commentJSON(is *Issue, cm IssueComment) map[string]any {
	body := any(cm.Body)
	if c.version() != "3" {
		body = adfPlain(cm.Body)
	}
	return map[string]any{"self": c.rest("/issue/" + is.ID + "/comment/" + cm.ID), "id": cm.ID,
		"author": nilIfEmpty(c.userRef(cm.AuthorID)), "body": body, "created": jiraTime(cm.Created),
		"updated": jiraTime(cm.Created), "jsdPublic": true}
}

func hListComments(c *call) reply {
	is, _, rep := c.issueParam()
	if rep != nil {
		return *rep
	}
	start, limit, bad := c.paging(5000, 5000)
	if bad != nil {
		return *bad
	}
	order := c.r.URL.Query().Get("orderBy")
	switch order {
	case "", "created", "+created", "-created":
	default:
		return jiraErr(400, "Invalid orderBy value: "+order+". Valid values are: created, -created, +created.")
	}
	all := make([]map[string]any, 0, len(is.Comments))
	for _, cm := range is.Comments {
		all = append(all, c.commentJSON(is, cm))
	}
	if order == "-created" {
		slices.Reverse(all)
	}
	page := window(all, start, limit)
	if page == nil {
		page = []map[string]any{}
	}
	return ok(map[string]any{"startAt": start, "maxResults": limit, "total": len(all), "comments": page})
}

// hCommentsByID serves POST /comment/list: the comments with the given IDs (at most 1000) on issues the caller
// can see, as a PageBean, with their properties under expand=properties.
func hCommentsByID(c *call) reply {
	var body struct {
		IDs []int64 `json:"ids"`
	}
	if err := c.decode(&body); err != nil || len(body.IDs) == 0 {
		return jiraErr(400, "The ids list must not be empty.")
	}
	if len(body.IDs) > 1000 {
		return jiraErr(400, "The maximum number of comment ids is 1000.")
	}
	withProps := slices.Contains(strings.Split(c.r.URL.Query().Get("expand"), ","), "properties")
	want := map[string]bool{}
	for _, id := range body.IDs {
		want[strconv.FormatInt(id, 10)] = true
	}
	out := []map[string]any{}
	for _, is := range c.x.t.Issues {
		p := c.x.projects[is.ProjectID]
		if p == nil || p.Deleted || !c.canSeeProject(p) {
			continue
		}
		for _, cm := range is.Comments {
			if !want[cm.ID] {
				continue
			}
			m := c.commentJSON(is, cm)
			if withProps {
				props := []map[string]any{}
				for _, k := range slices.Sorted(maps.Keys(cm.Properties)) {
					props = append(props, map[string]any{"key": k, "value": cm.Properties[k]})
				}
				m["properties"] = props
			}
			out = append(out, m)
		}
	}
	return ok(map[string]any{"startAt": 0, "maxResults": 1000, "total": len(out), "isLast": true, "values": out})
}

// hProjectStatuses lists each issue type of the project with the statuses of its workflow.
func hProjectStatuses(c *call) reply {
	p, rep := c.projectParam()
	if rep != nil {
		return *rep
	}
	out := []map[string]any{}
	for _, id := range p.IssueTypeIDs {
		it := c.x.issueTypes[id]
		if it == nil {
			continue
		}
		sts := []jStatus{}
		if w := c.x.workflowOf(it.ID); w != nil {
			for _, sid := range w.StatusIDs {
				if s := c.x.statuses[sid]; s != nil && (s.ProjectID == "" || s.ProjectID == p.ID) {
					sts = append(sts, c.statusJSON(s))
				}
			}
		} else {
			for _, s := range c.x.t.Statuses {
				if s.ProjectID == "" || s.ProjectID == p.ID {
					sts = append(sts, c.statusJSON(s))
				}
			}
		}
		out = append(out, map[string]any{"self": c.rest("/issuetype/" + it.ID), "id": it.ID, "name": it.Name,
			"subtask": it.Subtask, "statuses": sts})
	}
	return ok(out)
}

// workflowOf returns the workflow of an issue type: the one listing it, else the default one (no issue types),
// else nil (every status and transition).
func (x *index) workflowOf(issueTypeID string) *Workflow {
	var def *Workflow
	for _, w := range x.t.Workflows {
		if slices.Contains(w.IssueTypeIDs, issueTypeID) {
			return w
		}
		if len(w.IssueTypeIDs) == 0 && def == nil {
			def = w
		}
	}
	return def
}

// inWorkflow reports whether tr is a transition of the issue type's workflow.
func (x *index) inWorkflow(issueTypeID string, tr *Transition) bool {
	w := x.workflowOf(issueTypeID)
	return w == nil || slices.Contains(w.TransitionIDs, tr.ID) && slices.Contains(w.StatusIDs, tr.ToStatusID)
}

// initialStatus is the status a new issue of the issue type starts in.
func (x *index) initialStatus(issueTypeID string) string {
	if w := x.workflowOf(issueTypeID); w != nil && len(w.StatusIDs) > 0 {
		return w.StatusIDs[0]
	}
	return x.t.Statuses[0].ID
}

// jqlClause matches one "field = value", "field >= value" or "field in (v1, v2)" clause.
var jqlClause = regexp.MustCompile(`(?i)^\s*([a-z_]+)\s*(=|in|>=)\s*(.+?)\s*$`)

// jqlRelative matches JQL's relative dates: "-15m", "-2h", "-1d", "-1w".
var jqlRelative = regexp.MustCompile(`^-(\d+)([mhdw])$`)

// hSearchJQL serves the enhanced search. It understands clauses joined by AND on project, key/issuekey, id,
// issuetype and labels, with = or in (...), creator (= an account ID or currentUser()) and created >= a relative
// date ("-15m", "-2h", "-1d", "-1w"), and an ignored ORDER BY; anything else answers 400 as Jira does for a query
// it cannot parse. Results come newest first. Paging: nextPageToken (opaque), maxResults default 50. The
// properties parameter (up to 5 keys) returns those entity properties of each issue.
func hSearchJQL(c *call) reply {
	jql := c.q.Get("jql")
	fields := c.q.Get("fields")
	maxResults := c.q.Get("maxResults")
	token := c.q.Get("nextPageToken")
	props := c.q.Get("properties")
	if c.r.Method == "POST" {
		var body struct {
			JQL           string   `json:"jql"`
			Fields        []string `json:"fields"`
			MaxResults    int      `json:"maxResults"`
			NextPageToken string   `json:"nextPageToken"`
			Properties    []string `json:"properties"`
		}
		if err := c.decode(&body); err != nil {
			return jiraErr(400, "Invalid request payload. Refer to the REST API documentation and try again.")
		}
		jql, fields, token = body.JQL, strings.Join(body.Fields, ","), body.NextPageToken
		props = strings.Join(body.Properties, ",")
		if body.MaxResults > 0 {
			maxResults = strconv.Itoa(body.MaxResults)
		}
	}
	if strings.TrimSpace(jql) == "" {
		return jiraErr(400, "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.")
	}
	limit := 50
	if maxResults != "" {
		n, err := strconv.Atoi(maxResults)
		if err != nil || n < 0 {
			return jiraErr(400, "The maxResults parameter must be a non-negative integer.")
		}
		limit = min(n, 5000)
	}
	limit = min(limit, c.capFor(5000))
	if limit == 0 {
		limit = 50
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "pt"))
		if err != nil || n < 0 || !strings.HasPrefix(token, "pt") {
			return jiraErr(400, "The provided next page token is invalid or expired.")
		}
		start = n
	}
	q := strings.TrimSpace(jql)
	if i := strings.Index(strings.ToUpper(q), "ORDER BY"); i >= 0 {
		q = strings.TrimSpace(q[:i])
	}
	match := func(*Issue, *Project) bool { return true }
	if q != "" {
		for _, part := range regexp.MustCompile(`(?i)\s+AND\s+`).Split(q, -1) {
			m := jqlClause.FindStringSubmatch(part)
			if m == nil {
				return jiraErr(400, "Error in the JQL Query: the query '"+jql+"' could not be parsed.")
			}
			field, op := strings.ToLower(m[1]), strings.ToLower(m[2])
			if (op == ">=") != (field == "created") {
				return jiraErr(400, "Error in the JQL Query: the operator '"+m[2]+"' is not supported by the fake for field '"+m[1]+"'.")
			}
			var vals []string
			if op == "in" {
				inner := strings.TrimSpace(m[3])
				if !strings.HasPrefix(inner, "(") || !strings.HasSuffix(inner, ")") {
					return jiraErr(400, "Error in the JQL Query: expected '(' after 'in'.")
				}
				for _, v := range strings.Split(inner[1:len(inner)-1], ",") {
					vals = append(vals, jqlValue(v))
				}
			} else {
				vals = []string{jqlValue(m[3])}
			}
			prev := match
			var f func(*Issue, *Project) bool
			switch field {
			case "project":
				f = func(_ *Issue, p *Project) bool {
					return slices.ContainsFunc(vals, func(v string) bool { return strings.EqualFold(v, p.Key) || v == p.ID })
				}
			case "key", "issuekey":
				f = func(is *Issue, _ *Project) bool {
					return slices.ContainsFunc(vals, func(v string) bool { return strings.EqualFold(v, is.Key) || v == is.ID })
				}
			case "id":
				f = func(is *Issue, _ *Project) bool { return slices.Contains(vals, is.ID) }
			case "issuetype":
				f = func(is *Issue, _ *Project) bool {
					it := c.x.issueTypes[is.IssueTypeID]
					return slices.ContainsFunc(vals, func(v string) bool { return v == is.IssueTypeID || it != nil && strings.EqualFold(v, it.Name) })
				}
			case "labels":
				f = func(is *Issue, _ *Project) bool {
					return slices.ContainsFunc(vals, func(v string) bool { return slices.Contains(is.Labels, v) })
				}
			case "creator":
				for i, v := range vals {
					if strings.EqualFold(v, "currentUser()") {
						vals[i] = ""
						if c.user != nil {
							vals[i] = c.user.AccountID
						}
					}
				}
				f = func(is *Issue, _ *Project) bool { return is.CreatorID != "" && slices.Contains(vals, is.CreatorID) }
			case "created":
				rm := jqlRelative.FindStringSubmatch(vals[0])
				if rm == nil {
					return jiraErr(400, "Date value '"+vals[0]+"' for field 'created' is invalid.")
				}
				n, _ := strconv.Atoi(rm[1])
				unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[rm[2]]
				since := c.now.Add(-time.Duration(n) * unit)
				f = func(is *Issue, _ *Project) bool { return !is.Created.Before(since) }
			default:
				return jiraErr(400, "Field '"+m[1]+"' does not exist or you do not have permission to view it.")
			}
			match = func(is *Issue, p *Project) bool { return prev(is, p) && f(is, p) }
		}
	}
	var hits []*Issue
	for _, is := range c.x.t.Issues {
		p := c.x.projects[is.ProjectID]
		if p == nil || p.Deleted || !c.canSeeProject(p) {
			continue
		}
		if match(is, p) {
			hits = append(hits, is)
		}
	}
	slices.SortStableFunc(hits, func(a, b *Issue) int {
		if d := b.Created.Compare(a.Created); d != 0 {
			return d
		}
		ai, _ := strconv.Atoi(a.ID)
		bi, _ := strconv.Atoi(b.ID)
		return cmp.Compare(bi, ai)
	})
	page := window(hits, start, limit)
	out := []map[string]any{}
	for _, is := range page {
		m := map[string]any{"id": is.ID}
		if fields != "" {
			m = c.issueJSON(is, c.x.projects[is.ProjectID], fields)
		}
		if props != "" {
			pm := map[string]json.RawMessage{}
			for _, k := range strings.Split(props, ",") {
				if v, ok := is.Properties[strings.TrimSpace(k)]; ok {
					pm[strings.TrimSpace(k)] = v
				}
			}
			m["properties"] = pm
		}
		out = append(out, m)
	}
	body := map[string]any{"issues": out, "isLast": start+len(page) >= len(hits)}
	if start+len(page) < len(hits) {
		body["nextPageToken"] = "pt" + strconv.Itoa(start+len(page))
	}
	return ok(body)
}

// javaLen is the length Jira (Java) gives s: UTF-16 code units, not bytes.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func jqlValue(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		v = v[1 : len(v)-1]
		v = strings.NewReplacer(`\"`, `"`, `\'`, `'`, `\\`, `\`).Replace(v)
	}
	return v
}

// typedField reports whether the value of f is checked by checkTypedValue: custom fields and the system fields
// components and duedate. Other system fields have their own rules in applyFields.
func typedField(f *Field) bool {
	return f.Custom || f.ID == "components" || f.ID == "duedate"
}

// checkTypedValue validates raw against f's schema the way Jira does on create and edit, returning the value to
// store (options normalised to {"id":…}) or Jira's error message for the field.
func (c *call) checkTypedValue(f *Field, raw json.RawMessage) (json.RawMessage, string) {
	if string(raw) == "null" {
		return raw, ""
	}
	switch f.SchemaType {
	case "number":
		var n float64
		if json.Unmarshal(raw, &n) != nil {
			return nil, "Operation value must be a number"
		}
		return raw, ""
	case "date":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "Operation value must be a string"
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, "Error parsing date string: " + s
		}
		return raw, ""
	case "datetime":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "Operation value must be a string"
		}
		if parseLooseTime(s).IsZero() {
			return nil, "Error parsing date string: " + s
		}
		return raw, ""
	case "user":
		return c.checkUser(f, raw)
	case "group":
		return c.checkGroup(f, raw)
	case "option", "version":
		return c.checkOption(f, raw)
	case "option-with-child":
		return c.checkCascade(f, raw)
	case "string":
		if strings.HasSuffix(f.SchemaCustom, ":textarea") {
			var probe struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(raw, &probe) != nil || probe.Type != "doc" {
				var s string
				if c.version() != "3" && json.Unmarshal(raw, &s) == nil {
					return adfText(s), ""
				}
				return nil, "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
			}
			return raw, ""
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "Operation value must be a string"
		}
		if javaLen(s) > 255 {
			return nil, "Text fields cannot be longer than 255 characters."
		}
		return raw, ""
	case "array":
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil, "Operation value must be an array"
		}
		out := make([]json.RawMessage, 0, len(items))
		for _, it := range items {
			var v json.RawMessage
			msg := ""
			switch f.SchemaItems {
			case "option", "component", "version":
				v, msg = c.checkOption(f, it)
			case "user":
				v, msg = c.checkUser(f, it)
			case "group":
				v, msg = c.checkGroup(f, it)
			case "string":
				var s string
				if json.Unmarshal(it, &s) != nil {
					msg = "Operation value must be a string"
				} else if strings.ContainsAny(s, " \t") && strings.HasSuffix(f.SchemaCustom, ":labels") {
					msg = "The label '" + s + "' contains spaces which is invalid."
				}
				v = it
			default:
				v = it
			}
			if msg != "" {
				return nil, msg
			}
			out = append(out, v)
		}
		b, _ := json.Marshal(out)
		return b, ""
	}
	return raw, ""
}

// checkCascade validates a cascading select value {"id": parent[, "child": {"id": child}]} (or by "value").
func (c *call) checkCascade(f *Field, raw json.RawMessage) (json.RawMessage, string) {
	var v struct {
		idOrKey
		Child *idOrKey `json:"child"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return nil, "Specify a valid 'id' or 'name' for " + f.Name
	}
	var parent *FieldOption
	for i, av := range f.AllowedValues {
		if (v.ID != "" && av.ID == v.ID) || (v.Value != "" && av.Value == v.Value) {
			parent = &f.AllowedValues[i]
		}
	}
	if parent == nil {
		return nil, "Specify a valid 'id' or 'name' for " + f.Name
	}
	out := map[string]any{"id": parent.ID, "value": parent.Value}
	if v.Child != nil {
		var child *FieldOption
		for i, k := range f.Children[parent.ID] {
			if (v.Child.ID != "" && k.ID == v.Child.ID) || (v.Child.Value != "" && k.Value == v.Child.Value) {
				child = &f.Children[parent.ID][i]
			}
		}
		if child == nil {
			return nil, "Option value '" + cmp.Or(v.Child.ID, v.Child.Value) + "' is not valid for the parent option " + parent.Value
		}
		out["child"] = map[string]string{"id": child.ID, "value": child.Value}
	}
	b, _ := json.Marshal(out)
	return b, ""
}

func (c *call) checkUser(f *Field, raw json.RawMessage) (json.RawMessage, string) {
	var v idOrKey
	if json.Unmarshal(raw, &v) != nil {
		return nil, "Specify a valid value for " + f.Name
	}
	id := cmp.Or(v.AccountID, v.ID)
	if u := c.x.users[id]; u == nil || !u.Active {
		return nil, "Specify a valid value for " + f.Name
	}
	b, _ := json.Marshal(map[string]string{"accountId": id})
	return b, ""
}

// checkGroup validates a group picker value, {"name": …} or {"groupId": …}, stored as both. A bare string is
// refused the way Jira's JSON binding refuses it.
func (c *call) checkGroup(f *Field, raw json.RawMessage) (json.RawMessage, string) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return nil, "Can not instantiate value of type [simple type, class com.atlassian.jira.issue.fields.rest.json.beans.GroupJsonBean] " +
			"from JSON String; no single-String constructor/factory method"
	}
	var v struct {
		Name    string `json:"name"`
		GroupID string `json:"groupId"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return nil, "Specify a valid value for " + f.Name
	}
	g := c.x.groupByIDOrName(v.GroupID, v.Name)
	if g == nil {
		return nil, "Specify a valid value for " + f.Name
	}
	b, _ := json.Marshal(map[string]string{"name": g.Name, "groupId": g.ID})
	return b, ""
}

func (c *call) checkOption(f *Field, raw json.RawMessage) (json.RawMessage, string) {
	var v idOrKey
	if json.Unmarshal(raw, &v) != nil {
		return nil, "Specify a valid 'id' or 'name' for " + f.Name
	}
	for _, av := range f.AllowedValues {
		if (v.ID != "" && av.ID == v.ID) || (v.Value != "" && av.Value == v.Value) || (v.Name != "" && av.Value == v.Name) {
			b, _ := json.Marshal(map[string]string{"id": av.ID})
			return b, ""
		}
	}
	if f.ID == "components" {
		return nil, "Component with id '" + cmp.Or(v.ID, v.Name) + "' does not exist."
	}
	return nil, "Specify a valid 'id' or 'name' for " + f.Name
}

// Field and issue type IDs of [NewTicketingTenant].
const (
	// TicketingEverythingType is the issue type whose create screen has a field of every kind.
	TicketingEverythingType = "10100"
	// FieldText … FieldLabelsCustom are the custom fields added by NewTicketingTenant.
	FieldText         = "customfield_20001"
	FieldMultiSelect  = "customfield_20002"
	FieldDate         = "customfield_20003"
	FieldDateTime     = "customfield_20004"
	FieldUser         = "customfield_20005"
	FieldLabelsCustom = "customfield_20006"
	// FieldCascade is a cascading select (Okta → Admin, User; AWS → PowerUser) on the Everything screen.
	FieldCascade = "customfield_20007"
	// FieldGroup and FieldGroups are a single and a multi group picker; FieldVersion and FieldVersions a single
	// and a multi version picker (versions 10600 "1.0" and 10601 "2.0"). All four are on the Everything screen.
	FieldGroup    = "customfield_20008"
	FieldGroups   = "customfield_20009"
	FieldVersion  = "customfield_20010"
	FieldVersions = "customfield_20011"
	// FieldResolutionNotes is a text field only on Access Request's edit screen, which also lacks the create
	// screen's Approvers (customfield_10050).
	FieldResolutionNotes = "customfield_20012"
	// StatusWaitingForApproval, StatusApproved and StatusDeclined are the statuses of the Access Request
	// workflow (with Done); the other issue types have To Do, In Progress and Done.
	StatusWaitingForApproval = "10002"
	StatusApproved           = "10003"
	StatusDeclined           = "10004"
)

// NewTicketingTenant returns [NewTenant] set up for external-ticketing tests:
//   - custom fields of every kind: single-line text, multi-line text (customfield_10060), number
//     (customfield_10030), single select (customfield_10040), multi select, date, date-time, single user,
//     multi user (customfield_10050), a labels field, a cascading select, single and multi group pickers and
//     single and multi version pickers, plus components with allowed values;
//   - issue type "Everything" (TicketingEverythingType) whose create screen has all of them, with the single
//     select, the date and the multi-line text required;
//   - project ACC (service desk: Task, Subtask, Access Request, Everything);
//   - projects P001…P<projects> (Task and Subtask each);
//   - project BIG with Task, Subtask and issueTypes more issue types "Type 1"… (IDs 30001…);
//   - Access Request's edit screen differs from its create screen: it has FieldResolutionNotes and lacks
//     Approvers (customfield_10050);
//   - two workflows: Access Request's (Waiting for approval, Approved, Declined, Done; transitions Approve,
//     Decline, Close) and the default one of every other issue type (To Do, In Progress, Done).
func NewTicketingTenant(projects, issueTypes int) *Tenant {
	t := NewTenant()
	for _, f := range t.Fields {
		if f.ID == "components" {
			f.AllowedValues = []FieldOption{{"10500", "Backend"}, {"10501", "Frontend"}, {"10502", "Identity"}}
		}
	}
	t.Fields = append(t.Fields,
		&Field{ID: FieldText, Name: "Cost Center", Custom: true, SchemaType: "string",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:textfield", CustomID: 20001},
		&Field{ID: FieldMultiSelect, Name: "Systems", Custom: true, SchemaType: "array", SchemaItems: "option",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:multiselect", CustomID: 20002,
			AllowedValues: []FieldOption{{"10200", "Okta"}, {"10201", "GitHub"}, {"10202", "AWS"}}},
		&Field{ID: FieldDate, Name: "Access Until", Custom: true, SchemaType: "date",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:datepicker", CustomID: 20003},
		&Field{ID: FieldDateTime, Name: "Start At", Custom: true, SchemaType: "datetime",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:datetime", CustomID: 20004},
		&Field{ID: FieldUser, Name: "Manager", Custom: true, SchemaType: "user",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:userpicker", CustomID: 20005},
		&Field{ID: FieldLabelsCustom, Name: "Tags", Custom: true, SchemaType: "array", SchemaItems: "string",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:labels", CustomID: 20006},
		&Field{ID: FieldCascade, Name: "System / Role", Custom: true, SchemaType: "option-with-child",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:cascadingselect", CustomID: 20007,
			AllowedValues: []FieldOption{{"10300", "Okta"}, {"10310", "AWS"}},
			Children:      map[string][]FieldOption{"10300": {{"10301", "Admin"}, {"10302", "User"}}, "10310": {{"10311", "PowerUser"}}}},
		&Field{ID: FieldGroup, Name: "Approver Group", Custom: true, SchemaType: "group",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:grouppicker", CustomID: 20008},
		&Field{ID: FieldGroups, Name: "Teams", Custom: true, SchemaType: "array", SchemaItems: "group",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:multigrouppicker", CustomID: 20009},
		&Field{ID: FieldVersion, Name: "Target Release", Custom: true, SchemaType: "version",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:version", CustomID: 20010,
			AllowedValues: []FieldOption{{"10600", "1.0"}, {"10601", "2.0"}}},
		&Field{ID: FieldVersions, Name: "Affected Releases", Custom: true, SchemaType: "array", SchemaItems: "version",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:multiversion", CustomID: 20011,
			AllowedValues: []FieldOption{{"10600", "1.0"}, {"10601", "2.0"}}},
		&Field{ID: FieldResolutionNotes, Name: "Resolution Notes", Custom: true, SchemaType: "string",
			SchemaCustom: "com.atlassian.jira.plugin.system.customfieldtypes:textfield", CustomID: 20012},
	)
	var base []IssueTypeField
	for _, it := range t.IssueTypes {
		if it.ID == "10001" {
			base = it.Fields
		}
		if it.ID == "10005" { // Access Request: approvers are set on create only; resolution notes on edit only
			for _, f := range it.Fields {
				if f.FieldID != "customfield_10050" {
					it.EditFields = append(it.EditFields, f)
				}
			}
			it.EditFields = append(it.EditFields, IssueTypeField{FieldID: FieldResolutionNotes})
		}
	}
	every := append(slices.Clone(base),
		IssueTypeField{FieldID: FieldText}, IssueTypeField{FieldID: "customfield_10060", Required: true},
		IssueTypeField{FieldID: "customfield_10040", Required: true}, IssueTypeField{FieldID: FieldMultiSelect},
		IssueTypeField{FieldID: FieldDate, Required: true}, IssueTypeField{FieldID: FieldDateTime},
		IssueTypeField{FieldID: FieldUser}, IssueTypeField{FieldID: "customfield_10050"},
		IssueTypeField{FieldID: FieldLabelsCustom}, IssueTypeField{FieldID: FieldCascade}, IssueTypeField{FieldID: "customfield_10020"},
		IssueTypeField{FieldID: "customfield_10010"}, IssueTypeField{FieldID: FieldGroup}, IssueTypeField{FieldID: FieldGroups},
		IssueTypeField{FieldID: FieldVersion}, IssueTypeField{FieldID: FieldVersions})
	t.IssueTypes = append(t.IssueTypes, &IssueType{ID: TicketingEverythingType, Name: "Everything",
		Description: "Every kind of field.", Fields: every})
	big := []string{"10001", "10004"}
	for i := 1; i <= issueTypes; i++ {
		id := strconv.Itoa(30000 + i)
		t.IssueTypes = append(t.IssueTypes, &IssueType{ID: id, Name: "Type " + strconv.Itoa(i), Fields: slices.Clone(base)})
		big = append(big, id)
	}
	// Access Request (10005) has its own workflow: Waiting for approval → Approved or Declined → Done.
	t.Statuses = append(t.Statuses,
		&Status{ID: StatusWaitingForApproval, Name: "Waiting for approval", Category: "TODO"},
		&Status{ID: StatusApproved, Name: "Approved", Category: "IN_PROGRESS"},
		&Status{ID: StatusDeclined, Name: "Declined", Category: "DONE"})
	t.Transitions = append(t.Transitions,
		&Transition{ID: "41", Name: "Approve", ToStatusID: StatusApproved},
		&Transition{ID: "51", Name: "Decline", ToStatusID: StatusDeclined},
		&Transition{ID: "61", Name: "Close", ToStatusID: "10001"})
	t.Workflows = []*Workflow{
		{ID: "1", Name: "Software Simplified Workflow", StatusIDs: []string{"10000", "3", "10001"},
			TransitionIDs: []string{"11", "21", "31"}},
		{ID: "2", Name: "Access Request Workflow", IssueTypeIDs: []string{"10005"},
			StatusIDs:     []string{StatusWaitingForApproval, StatusApproved, StatusDeclined, "10001"},
			TransitionIDs: []string{"41", "51", "61"}},
	}
	add := func(id, key, name, typeKey string, types []string) {
		t.Projects = append(t.Projects, &Project{ID: id, Key: key, Name: name, TypeKey: typeKey,
			LeadAccountID: t.AdminAccountID, IssueTypeIDs: types})
	}
	add("10000", "ACC", "Access Requests", ProjectTypeServiceDesk, []string{"10001", "10004", "10005", TicketingEverythingType})
	add("10001", "BIG", "Big Project", ProjectTypeSoftware, big)
	for i := 1; i <= projects; i++ {
		add(strconv.Itoa(11000+i), fmt.Sprintf("P%03d", i), fmt.Sprintf("Project %d", i), ProjectTypeBusiness, []string{"10001", "10004"})
	}
	return t
}
