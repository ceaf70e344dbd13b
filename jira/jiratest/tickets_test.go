package jiratest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/internal/fakehttp"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

func TestTicketRoutes(t *testing.T) {
	t.Parallel()
	s := jiratest.NewServer(jiratest.NewTicketingTenant(1, 0), jiratest.Unlimited())
	defer s.Close()
	a := classic(s)
	api := s.URL + "/rest/api/3"

	// Typed validation: Jira's 400 {errors: {field: msg}} for every bad field at once.
	resp, body := fakehttp.Do(t, a, "POST", api+"/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "ACC"}, "issuetype": map[string]string{"id": jiratest.TicketingEverythingType},
		"summary":                 "x",
		"customfield_10030":       "three",
		jiratest.FieldDate:        "31/01/2027",
		jiratest.FieldMultiSelect: []map[string]string{{"id": "10200"}, {"id": "999"}},
		jiratest.FieldUser:        map[string]string{"accountId": "nobody"},
		"components":              []map[string]string{{"id": "1"}},
		jiratest.FieldGroup:       "jira-admins",
		jiratest.FieldGroups:      []map[string]string{{"name": "no-such-group"}},
		jiratest.FieldVersion:     map[string]string{"id": "10699"},
	}})
	fakehttp.WantStatus(t, resp, body, 400)
	for _, sub := range []string{`"customfield_10030":"Operation value must be a number"`, `Error parsing date string: 31/01/2027`,
		`"customfield_20002":"Specify a valid 'id' or 'name' for Systems"`, `"customfield_20005":"Specify a valid value for Manager"`,
		`"components":"Component with id '1' does not exist."`, `Field 'customfield_10060' is required`,
		`"customfield_20008":"Can not instantiate value of type`, `"customfield_20009":"Specify a valid value for Teams"`,
		`"customfield_20010":"Specify a valid 'id' or 'name' for Target Release"`} {
		wantContains(t, body, sub)
	}

	resp, body = fakehttp.Do(t, a, "POST", api+"/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "P001"}, "issuetype": map[string]string{"id": "10001"},
		"summary": "labelled", "labels": []string{"baton-1234"}}})
	fakehttp.WantStatus(t, resp, body, 201)

	// Enhanced search by label, with and without fields.
	var sr struct {
		Issues []struct {
			ID     string         `json:"id"`
			Key    string         `json:"key"`
			Fields map[string]any `json:"fields"`
		} `json:"issues"`
		IsLast bool `json:"isLast"`
	}
	fakehttp.GetJSON(t, a, api+"/search/jql?jql="+url.QueryEscape(`project = P001 AND labels = "baton-1234"`)+"&fields=summary", &sr)
	if len(sr.Issues) != 1 || sr.Issues[0].Key != "P001-1" || sr.Issues[0].Fields["summary"] != "labelled" || !sr.IsLast {
		t.Fatalf("search: %+v", sr)
	}
	fakehttp.GetJSON(t, a, api+"/search/jql?jql="+url.QueryEscape(`labels in (nope, other)`), &sr)
	if len(sr.Issues) != 0 {
		t.Fatalf("search for other labels: %+v", sr)
	}
	resp, body = fakehttp.Do(t, a, "GET", api+"/search/jql?jql="+url.QueryEscape(`reporter = currentUser()`), nil)
	fakehttp.WantStatus(t, resp, body, 400)
	resp, body = fakehttp.Do(t, a, "GET", api+"/search/jql", nil)
	fakehttp.WantStatus(t, resp, body, 400)
	wantContains(t, body, "Unbounded JQL")

	// Comments: ADF only on v3.
	resp, body = fakehttp.Do(t, a, "POST", api+"/issue/P001-1/comment", map[string]any{"body": "plain"})
	fakehttp.WantStatus(t, resp, body, 400)
	resp, body = fakehttp.Do(t, a, "POST", api+"/issue/P001-1/comment", map[string]any{"body": map[string]any{"type": "doc", "version": 1, "content": []any{}}})
	fakehttp.WantStatus(t, resp, body, 201)
	resp, body = fakehttp.Do(t, a, "POST", s.URL+"/rest/api/2/issue/P001-1/comment", map[string]any{"body": "plain on v2"})
	fakehttp.WantStatus(t, resp, body, 201)
	var cl struct {
		Total int `json:"total"`
	}
	fakehttp.GetJSON(t, a, api+"/issue/P001-1/comment", &cl)
	if cl.Total != 2 {
		t.Errorf("%d comments, want 2", cl.Total)
	}

	// Statuses per issue type.
	var sts []struct {
		ID       string `json:"id"`
		Subtask  bool   `json:"subtask"`
		Statuses []struct {
			Name string `json:"name"`
		} `json:"statuses"`
	}
	fakehttp.GetJSON(t, a, api+"/project/P001/statuses", &sts)
	if len(sts) != 2 || sts[1].ID != "10004" || !sts[1].Subtask || len(sts[0].Statuses) != 3 {
		t.Errorf("project statuses: %+v", sts)
	}
}

func TestLegacyCreateMeta(t *testing.T) {
	t.Parallel()
	for _, legacy := range []bool{false, true} {
		var opts []jiratest.Option
		if legacy {
			opts = append(opts, jiratest.WithLegacyCreateMeta())
		}
		s := jiratest.NewServer(jiratest.NewTicketingTenant(0, 0), append(opts, jiratest.Unlimited())...)
		var page map[string]any
		fakehttp.GetJSON(t, classic(s), s.URL+"/rest/api/3/issue/createmeta/ACC/issuetypes", &page)
		_, cur := page["issueTypes"]
		_, old := page["createMetaIssueType"]
		page = nil
		fakehttp.GetJSON(t, classic(s), s.URL+"/rest/api/3/issue/createmeta/ACC/issuetypes/10001", &page)
		_, fcur := page["fields"]
		_, fold := page["results"]
		if cur == legacy || old != legacy || fcur == legacy || fold != legacy {
			t.Errorf("legacy %t: keys %v", legacy, page)
		}
		s.Close()
	}
}

// TestCreateWithPropertiesAndRecentSearch: a create's entity properties are
// stored and returned by /search/jql's properties parameter, and the search
// understands creator = currentUser() and created >= a relative date.
func TestCreateWithPropertiesAndRecentSearch(t *testing.T) {
	t.Parallel()
	s := jiratest.NewServer(jiratest.NewTicketingTenant(1, 0), jiratest.Unlimited())
	defer s.Close()
	a := classic(s)
	api := s.URL + "/rest/api/3"
	resp, body := fakehttp.Do(t, a, "POST", api+"/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "P001"}, "issuetype": map[string]string{"id": "10001"}, "summary": "marked"},
		"properties": []map[string]any{{"key": "batonkit.request", "value": map[string]string{"id": "r1"}}}})
	fakehttp.WantStatus(t, resp, body, 201)
	resp, body = fakehttp.Do(t, a, "POST", api+"/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "P001"}, "issuetype": map[string]string{"id": "10001"}, "summary": "bad"},
		"properties": []map[string]any{{"key": "", "value": 1}}})
	fakehttp.WantStatus(t, resp, body, 400)

	var sr struct {
		Issues []struct {
			Key        string         `json:"key"`
			Properties map[string]any `json:"properties"`
		} `json:"issues"`
	}
	jql := `project = P001 AND creator = currentUser() AND created >= "-5m" ORDER BY created DESC`
	fakehttp.GetJSON(t, a, api+"/search/jql?jql="+url.QueryEscape(jql)+"&fields=summary&properties=batonkit.request", &sr)
	if len(sr.Issues) != 1 || sr.Issues[0].Key != "P001-1" || sr.Issues[0].Properties["batonkit.request"] == nil {
		t.Fatalf("search: %+v", sr)
	}
	fakehttp.GetJSON(t, a, api+"/search/jql?jql="+url.QueryEscape(`project = P001 AND creator = nobody`), &sr)
	if len(sr.Issues) != 0 {
		t.Fatalf("search by another creator: %+v", sr)
	}
	resp, body = fakehttp.Do(t, a, "GET", api+"/search/jql?jql="+url.QueryEscape(`created >= "yesterday"`), nil)
	fakehttp.WantStatus(t, resp, body, 400)
}

// TestLostAnswerFault: with Faults.RateLostAnswer the write is made, but
// the client gets no answer (the connection closes).
func TestLostAnswerFault(t *testing.T) {
	t.Parallel()
	s := jiratest.NewServer(jiratest.NewTicketingTenant(1, 0), jiratest.Unlimited(),
		jiratest.WithFaults(jiratest.Faults{Seed: 3, RateLostAnswer: 1, Routes: []string{"POST /rest/api/3/issue/{issueIdOrKey}/comment"}}))
	defer s.Close()
	a := classic(s)
	api := s.URL + "/rest/api/3"
	resp, body := fakehttp.Do(t, a, "POST", api+"/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "P001"}, "issuetype": map[string]string{"id": "10001"}, "summary": "x"}})
	fakehttp.WantStatus(t, resp, body, 201)
	req, _ := http.NewRequest("POST", api+"/issue/P001-1/comment",
		strings.NewReader(`{"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi"}]}]}}`))
	req.SetBasicAuth(a.User, a.Pass)
	req.Header.Set("Content-Type", "application/json")
	if r, err := http.DefaultClient.Do(req); err == nil {
		r.Body.Close()
		t.Fatalf("comment answered %d, want the answer lost", r.StatusCode)
	}
	var cs struct {
		Total int `json:"total"`
	}
	fakehttp.GetJSON(t, a, api+"/issue/P001-1/comment", &cs)
	if cs.Total != 1 || s.Stats().FaultKinds["lost-answer"] != 1 {
		t.Fatalf("comments %d, faults %v: want the comment made and its answer lost", cs.Total, s.Stats().FaultKinds)
	}
}

// TestWorkflowsPerIssueType: statuses, initial status and transitions
// follow each issue type's workflow.
func TestWorkflowsPerIssueType(t *testing.T) {
	t.Parallel()
	s := jiratest.NewServer(jiratest.NewTicketingTenant(0, 0), jiratest.Unlimited())
	defer s.Close()
	a := classic(s)
	api := s.URL + "/rest/api/3"
	var sts []struct {
		ID       string `json:"id"`
		Statuses []struct {
			ID string `json:"id"`
		} `json:"statuses"`
	}
	fakehttp.GetJSON(t, a, api+"/project/ACC/statuses", &sts)
	got := map[string]string{}
	for _, it := range sts {
		var ids []string
		for _, st := range it.Statuses {
			ids = append(ids, st.ID)
		}
		got[it.ID] = strings.Join(ids, ",")
	}
	if got["10001"] != "10000,3,10001" || got["10005"] != "10002,10003,10004,10001" {
		t.Fatalf("statuses per issue type: %v", got)
	}
	for _, tc := range []struct{ typ, wantStatus, otherTransition string }{{"10001", "10000", "41"}, {"10005", "10002", "21"}} {
		var ci struct{ Key string }
		fields := map[string]any{"project": map[string]string{"key": "ACC"}, "issuetype": map[string]string{"id": tc.typ}, "summary": "x"}
		if tc.typ == "10005" { // Access Request's required fields
			fields["customfield_10040"] = map[string]string{"value": "Read"}
			fields["customfield_10060"] = map[string]any{"type": "doc", "version": 1, "content": []any{}}
		}
		resp, body := fakehttp.Do(t, a, "POST", api+"/issue", map[string]any{"fields": fields})
		fakehttp.WantStatus(t, resp, body, 201)
		_ = json.Unmarshal(body, &ci)
		var is struct {
			Fields struct {
				Status struct{ ID string } `json:"status"`
			} `json:"fields"`
		}
		fakehttp.GetJSON(t, a, api+"/issue/"+ci.Key+"?fields=status", &is)
		if is.Fields.Status.ID != tc.wantStatus {
			t.Errorf("new issue of type %s in status %s, want %s", tc.typ, is.Fields.Status.ID, tc.wantStatus)
		}
		resp, body = fakehttp.Do(t, a, "POST", api+"/issue/"+ci.Key+"/transitions",
			map[string]any{"transition": map[string]string{"id": tc.otherTransition}})
		fakehttp.WantStatus(t, resp, body, 400)
	}
}

// TestCommentPropertiesAndList: comments keep the entity properties they
// were created with; GET …/comment?orderBy=-created lists newest first;
// POST /comment/list returns comments by ID, with properties on request.
func TestCommentPropertiesAndList(t *testing.T) {
	t.Parallel()
	s := jiratest.NewServer(jiratest.NewTicketingTenant(1, 0), jiratest.Unlimited())
	defer s.Close()
	a := classic(s)
	api := s.URL + "/rest/api/3"
	resp, body := fakehttp.Do(t, a, "POST", api+"/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "P001"}, "issuetype": map[string]string{"id": "10001"}, "summary": "x"}})
	fakehttp.WantStatus(t, resp, body, 201)
	doc := map[string]any{"type": "doc", "version": 1, "content": []any{}}
	var ids []string
	for i, props := range [][]map[string]any{nil, {{"key": "batonkit.request", "value": map[string]string{"id": "r-2"}}}} {
		resp, body = fakehttp.Do(t, a, "POST", api+"/issue/P001-1/comment", map[string]any{"body": doc, "properties": props})
		fakehttp.WantStatus(t, resp, body, 201)
		var cm struct{ ID string }
		if err := json.Unmarshal(body, &cm); err != nil || cm.ID == "" {
			t.Fatalf("comment %d: %s", i, body)
		}
		ids = append(ids, cm.ID)
	}
	var page struct {
		Total    int `json:"total"`
		Comments []struct {
			ID string `json:"id"`
		} `json:"comments"`
	}
	fakehttp.GetJSON(t, a, api+"/issue/P001-1/comment?orderBy=-created", &page)
	if page.Total != 2 || len(page.Comments) != 2 || page.Comments[0].ID != ids[1] {
		t.Fatalf("newest first: %+v (ids %v)", page, ids)
	}
	resp, body = fakehttp.Do(t, a, "GET", api+"/issue/P001-1/comment?orderBy=author", nil)
	fakehttp.WantStatus(t, resp, body, 400)

	resp, body = fakehttp.Do(t, a, "POST", api+"/comment/list?expand=properties", map[string]any{"ids": []json.Number{json.Number(ids[0]), json.Number(ids[1]), "99999"}})
	fakehttp.WantStatus(t, resp, body, 200)
	var list struct {
		IsLast bool `json:"isLast"`
		Values []struct {
			ID         string `json:"id"`
			Properties []struct {
				Key   string            `json:"key"`
				Value map[string]string `json:"value"`
			} `json:"properties"`
		} `json:"values"`
	}
	if err := json.Unmarshal(body, &list); err != nil || !list.IsLast || len(list.Values) != 2 {
		t.Fatalf("comment/list: %s", body)
	}
	for _, v := range list.Values {
		want := 0
		if v.ID == ids[1] {
			want = 1
		}
		if len(v.Properties) != want || want == 1 && (v.Properties[0].Key != "batonkit.request" || v.Properties[0].Value["id"] != "r-2") {
			t.Errorf("comment %s properties %+v", v.ID, v.Properties)
		}
	}
	resp, body = fakehttp.Do(t, a, "POST", api+"/comment/list", map[string]any{"ids": []int{}})
	fakehttp.WantStatus(t, resp, body, 400)
}

// TestEditMeta: editmeta lists the edit screen (Access Request's differs
// from its create screen) and PUT /issue enforces it.
func TestEditMeta(t *testing.T) {
	t.Parallel()
	s := jiratest.NewServer(jiratest.NewTicketingTenant(0, 0), jiratest.Unlimited())
	defer s.Close()
	a := classic(s)
	api := s.URL + "/rest/api/3"
	resp, body := fakehttp.Do(t, a, "POST", api+"/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "ACC"}, "issuetype": map[string]string{"id": "10005"}, "summary": "x",
		"customfield_10040": map[string]string{"value": "Read"},
		"customfield_10060": map[string]any{"type": "doc", "version": 1, "content": []any{}}}})
	fakehttp.WantStatus(t, resp, body, 201)
	var em struct {
		Fields map[string]map[string]any `json:"fields"`
	}
	fakehttp.GetJSON(t, a, api+"/issue/ACC-1/editmeta", &em)
	if em.Fields[jiratest.FieldResolutionNotes] == nil || em.Fields["customfield_10050"] != nil || em.Fields["project"] != nil ||
		em.Fields["summary"]["key"] != "summary" || em.Fields["summary"]["fieldId"] != nil {
		t.Fatalf("editmeta fields: %v", em.Fields)
	}
	resp, body = fakehttp.Do(t, a, "PUT", api+"/issue/ACC-1", map[string]any{"fields": map[string]any{jiratest.FieldResolutionNotes: "done"}})
	fakehttp.WantStatus(t, resp, body, 204)
	resp, body = fakehttp.Do(t, a, "PUT", api+"/issue/ACC-1", map[string]any{"fields": map[string]any{"customfield_10050": []any{}}})
	fakehttp.WantStatus(t, resp, body, 400)
	wantContains(t, body, "It is not on the appropriate screen")
}
