package jira

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestADFText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{"", `{"type":"doc","version":1,"content":[]}`},
		{"Hello", `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Hello"}]}]}`},
		{"a\r\n\nb", `{"type":"doc","version":1,"content":[
			{"type":"paragraph","content":[{"type":"text","text":"a"}]},
			{"type":"paragraph"},
			{"type":"paragraph","content":[{"type":"text","text":"b"}]}]}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(ADFText(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		_ = json.Unmarshal(got, &g)
		if err := json.Unmarshal([]byte(tt.want), &w); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("ADFText(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestIssueCreateHelpers(t *testing.T) {
	t.Parallel()
	byID := NewIssueCreate("10000", "10001", "s")
	byKey := NewIssueCreate("EX", "10001", "s")
	if diff := cmp.Diff(map[string]string{"id": "10000"}, byID.Fields["project"]); diff != "" {
		t.Errorf("numeric project (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"key": "EX"}, byKey.Fields["project"]); diff != "" {
		t.Errorf("project key (-want +got):\n%s", diff)
	}
	var zero IssueCreate
	zero.Set("customfield_10010", map[string]string{"value": "High"})
	if zero.Fields == nil || zero.Fields["customfield_10010"] == nil {
		t.Error("Set on a zero IssueCreate did not create the field map")
	}
}

func TestIssuesCreate(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/issue", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testAuth(t, r)
		testHeader(t, r, "Content-Type", "application/json")
		testQuery(t, r, nil)
		testJSONBody(t, r, `{
			"fields": {
				"project": {"key": "EX"},
				"issuetype": {"id": "10001"},
				"summary": "Grant access to EX",
				"description": {"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Please grant access."}]}]},
				"assignee": {"id": "5b10a2844c20165700ede21g"},
				"labels": ["access"],
				"customfield_10010": {"value": "High"}
			},
			"update": {"labels": [{"add": "baton"}]},
			"transition": {"id": "11"}
		}`)
		writeJSON(w, http.StatusCreated, `{"id":"10000","key":"EX-24","self":"https://your-domain.atlassian.net/rest/api/3/issue/10000",
			"transition":{"status":200,"errorCollection":{"errorMessages":[],"errors":{}}}}`)
	})
	ic := NewIssueCreate("EX", "10001", "Grant access to EX")
	ic.SetDescription("Please grant access.").SetAssignee("5b10a2844c20165700ede21g").SetLabels("access").
		Set("customfield_10010", map[string]string{"value": "High"})
	ic.Update = map[string]any{"labels": []any{map[string]string{"add": "baton"}}}
	ic.Transition = &TransitionRef{ID: "11"}
	created, resp, err := client.Issues.Create(t.Context(), ic)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	want := &CreatedIssue{ID: "10000", Key: "EX-24", Self: "https://your-domain.atlassian.net/rest/api/3/issue/10000",
		Transition: &CreatedIssueTransition{Status: 200, ErrorCollection: &ErrorCollection{ErrorMessages: []string{}, Errors: map[string]string{}}}}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status = %d, want 201", resp.StatusCode)
	}
	if _, _, err := client.Issues.Create(t.Context(), IssueCreate{}); err == nil {
		t.Error("Create with no fields succeeded, want an error")
	}
}

func TestIssuesCreate_errorsAndNoRetry(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var calls atomic.Int32
	status := atomic.Int32{}
	mux.HandleFunc("/rest/api/3/issue", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch status.Load() {
		case http.StatusBadRequest:
			writeJSON(w, http.StatusBadRequest, `{"errorMessages":["Field 'priority' is required"],"errors":{"summary":"You must specify a summary of the issue."}}`)
		default:
			writeJSON(w, http.StatusServiceUnavailable, `{"errorMessages":["Service unavailable"],"errors":{}}`)
		}
	})
	status.Store(http.StatusBadRequest)
	_, _, err := client.Issues.Create(t.Context(), NewIssueCreate("EX", "1", ""))
	var jerr *Error
	if !errors.As(err, &jerr) || jerr.FieldErrors["summary"] != "You must specify a summary of the issue." ||
		len(jerr.Messages) != 1 {
		t.Errorf("err = %#v, want the decoded 400", err)
	}

	status.Store(http.StatusServiceUnavailable)
	calls.Store(0)
	if _, _, err := client.Issues.Create(t.Context(), NewIssueCreate("EX", "1", "s")); err == nil {
		t.Fatal("Create succeeded on 503")
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("POST /issue sent %d times after a 503, want 1 (never retried on 5xx)", got)
	}
}

func TestIssuesGet(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var wantQuery atomic.Value
	mux.HandleFunc("/rest/api/3/issue/ED-1", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, wantQuery.Load().(url.Values))
		writeJSON(w, http.StatusOK, fixture(t, "issues_get.json"))
	})
	wantQuery.Store(url.Values{"fields": {"summary,status,customfield_10010"}, "expand": {"names"}})
	is, _, err := client.Issues.Get(t.Context(), "ED-1", &IssueGetOptions{
		Fields: []string{"summary", "status", "customfield_10010"}, Expand: []string{"names"},
	})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if is.ID != "10002" || is.Key != "ED-1" || is.Self != "https://your-domain.atlassian.net/rest/api/3/issue/10002" {
		t.Errorf("identity = %s %s %s", is.ID, is.Key, is.Self)
	}
	if diff := cmp.Diff(map[string]string{"summary": "Summary", "status": "Status"}, is.Names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if got := is.Summary(); got != "Grant access to the ED project" {
		t.Errorf("Summary = %q", got)
	}
	wantStatus := &IssueStatus{ID: "10000", Name: "To Do", Self: "https://your-domain.atlassian.net/rest/api/3/status/10000",
		IconURL: "https://your-domain.atlassian.net/",
		StatusCategory: &StatusCategory{ID: 2, Key: "new", Name: "To Do", ColorName: "blue-gray",
			Self: "https://your-domain.atlassian.net/rest/api/3/statuscategory/2"}}
	if diff := cmp.Diff(wantStatus, is.Status()); diff != "" {
		t.Errorf("Status (-want +got):\n%s", diff)
	}
	if it := is.IssueType(); it == nil || it.ID != "10001" || it.Name != "Task" {
		t.Errorf("IssueType = %+v", it)
	}
	if p := is.Project(); p == nil || p.ID != "10000" || p.Key != "ED" || p.ProjectTypeKey != ProjectTypeSoftware {
		t.Errorf("Project = %+v", p)
	}
	if a := is.Assignee(); a != nil {
		t.Errorf("Assignee = %+v, want nil (null)", a)
	}
	if r := is.Reporter(); r == nil || r.AccountID != "5b10a2844c20165700ede21g" || !r.Active {
		t.Errorf("Reporter = %+v", r)
	}
	if diff := cmp.Diff([]string{"access", "baton"}, is.Labels()); diff != "" {
		t.Errorf("Labels (-want +got):\n%s", diff)
	}
	if got, want := is.Created(), workTime(2024, 3, 19, 18, 45, 42, 967); !got.Equal(want.Time) {
		t.Errorf("Created = %v, want %v", got, want)
	}
	if got, want := is.Updated(), workTime(2024, 3, 20, 9, 0, 0, 0); !got.Equal(want.Time) {
		t.Errorf("Updated = %v, want %v", got, want)
	}
	var doc struct {
		Type    string `json:"type"`
		Content []struct {
			Content []struct{ Text string } `json:"content"`
		} `json:"content"`
	}
	if err := json.Unmarshal(is.Description(), &doc); err != nil || doc.Type != "doc" || doc.Content[0].Content[0].Text != "Please grant access." {
		t.Errorf("Description = %s (%v)", is.Description(), err)
	}
	var opt struct{ Value, ID string }
	if ok, err := is.Field("customfield_10010", &opt); !ok || err != nil || opt.Value != "High" || opt.ID != "10100" {
		t.Errorf("Field(customfield_10010) = %v, %v, %+v", ok, err, opt)
	}
	if ok, err := is.Field("customfield_99999", &opt); ok || err != nil {
		t.Errorf("absent field = %v, %v; want false, nil", ok, err)
	}
	var n int
	if _, err := is.Field(FieldSummary, &n); err == nil {
		t.Error("decoding a string field into an int succeeded")
	}

	wantQuery.Store(url.Values{})
	if _, _, err := client.Issues.Get(t.Context(), "ED-1", nil); err != nil {
		t.Fatalf("Get without options: %v", err)
	}
}

func TestIssueAccessors_missing(t *testing.T) {
	t.Parallel()
	var is Issue
	if is.Summary() != "" || is.Status() != nil || is.IssueType() != nil || is.Project() != nil ||
		is.Assignee() != nil || is.Reporter() != nil || is.Labels() != nil || !is.Created().IsZero() ||
		!is.Updated().IsZero() || is.Description() != nil {
		t.Error("accessors of an issue without fields must return zero values")
	}
}

func TestIssuesEdit(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var wantBody atomic.Value
	mux.HandleFunc("/rest/api/3/issue/10002", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		testAuth(t, r)
		testJSONBody(t, r, wantBody.Load().(string))
		w.WriteHeader(http.StatusNoContent)
	})
	wantBody.Store(`{"fields":{"summary":"new"},"update":{"labels":[{"add":"x"}]}}`)
	resp, err := client.Issues.Edit(t.Context(), "10002", map[string]any{"summary": "new"},
		map[string]any{"labels": []map[string]string{{"add": "x"}}})
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("Edit = %v, %v", resp, err)
	}
	wantBody.Store(`{"fields":{"summary":"only"}}`)
	if _, err := client.Issues.Edit(t.Context(), "10002", map[string]any{"summary": "only"}, nil); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	if _, err := client.Issues.Edit(t.Context(), "10002", nil, nil); err == nil {
		t.Error("Edit with nothing to change succeeded, want an error")
	}
}

func TestIssuesTransitions(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var posted atomic.Int32
	mux.HandleFunc("/rest/api/3/issue/EX-1/transitions", func(w http.ResponseWriter, r *http.Request) {
		testAuth(t, r)
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, fixture(t, "issues_transitions.json"))
		case http.MethodPost:
			posted.Add(1)
			testJSONBody(t, r, `{"transition":{"id":"2"},"fields":{"resolution":{"name":"Done"}}}`)
			w.WriteHeader(http.StatusNoContent)
		default:
			t.Errorf("method %s", r.Method)
		}
	})
	trs, _, err := client.Issues.Transitions(t.Context(), "EX-1")
	if err != nil {
		t.Fatalf("Transitions: %v", err)
	}
	want := []Transition{
		{ID: "2", Name: "Close Issue", IsAvailable: true, To: &IssueStatus{ID: "10000", Name: "Closed", Description: "The issue is closed.",
			Self: "https://your-domain.atlassian.net/rest/api/3/status/10000", IconURL: "https://your-domain.atlassian.net/images/icons/statuses/closed.png",
			StatusCategory: &StatusCategory{ID: 3, Key: "done", Name: "Done", ColorName: "green", Self: "https://your-domain.atlassian.net/rest/api/3/statuscategory/3"}}},
		{ID: "711", Name: "QA Review", HasScreen: true, IsGlobal: true, IsAvailable: true, IsConditional: true,
			To: &IssueStatus{ID: "5", Name: "Under Review", Description: "The issue is under review.", Self: "https://your-domain.atlassian.net/rest/api/3/status/5"}},
	}
	if diff := cmp.Diff(want, trs); diff != "" {
		t.Errorf("transitions (-want +got):\n%s", diff)
	}
	if _, err := client.Issues.Transition(t.Context(), "EX-1", "2", map[string]any{"resolution": map[string]string{"name": "Done"}}); err != nil {
		t.Fatalf("Transition: %v", err)
	}
	if _, err := client.Issues.Transition(t.Context(), "EX-1", " ", nil); err == nil {
		t.Error("Transition without an ID succeeded, want an error")
	}
	if got := posted.Load(); got != 1 {
		t.Errorf("POSTs = %d, want 1", got)
	}
}

func TestIssuesCreateMetaIssueTypes(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var wantQuery atomic.Value
	mux.HandleFunc("/rest/api/3/issue/createmeta/EX/issuetypes", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, wantQuery.Load().(url.Values))
		writeJSON(w, http.StatusOK, `{"maxResults":50,"startAt":0,"total":3,"issueTypes":[
			{"self":"https://your-domain.atlassian.net/rest/api/3/issueType/1","id":"1","description":"An error in the code","iconUrl":"https://your-domain.atlassian.net/images/icons/issuetypes/bug.png","name":"Bug","subtask":false,"hierarchyLevel":0},
			{"id":"10002","name":"Sub-task","subtask":true,"hierarchyLevel":-1},
			{"id":"10000","name":"Epic","subtask":false,"hierarchyLevel":1}
		]}`)
	})
	wantQuery.Store(url.Values{"startAt": {"0"}, "maxResults": {"50"}})
	types, resp, err := client.Issues.CreateMetaIssueTypes(t.Context(), "EX", nil)
	if err != nil {
		t.Fatalf("CreateMetaIssueTypes: %v", err)
	}
	want := []IssueType{
		{ID: "1", Name: "Bug", Description: "An error in the code", Self: "https://your-domain.atlassian.net/rest/api/3/issueType/1",
			IconURL: "https://your-domain.atlassian.net/images/icons/issuetypes/bug.png"},
		{ID: "10002", Name: "Sub-task", Subtask: true, HierarchyLevel: -1},
		{ID: "10000", Name: "Epic", HierarchyLevel: 1},
	}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "" {
		t.Errorf("NextCursor = %q, want none (total reached)", resp.NextCursor)
	}
	wantQuery.Store(url.Values{"startAt": {"0"}, "maxResults": {"200"}})
	if _, _, err := client.Issues.CreateMetaIssueTypes(t.Context(), "EX", &ListOptions{PageSize: 1000}); err != nil {
		t.Fatalf("CreateMetaIssueTypes: %v", err)
	}
}

func TestIssuesCreateMetaIssueTypesIter_serverCapsPageSize(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	// Asked for 200, the server answers 2 per page and says so in
	// maxResults; the second page uses the legacy createMetaIssueType key.
	h.pages["0"] = `{"startAt":0,"maxResults":2,"total":5,"issueTypes":[{"id":"1","name":"A"},{"id":"2","name":"B"}]}`
	h.pages["2"] = `{"startAt":2,"maxResults":2,"total":5,"createMetaIssueType":[{"id":"3","name":"C"},{"id":"4","name":"D"}]}`
	h.pages["4"] = `{"startAt":4,"maxResults":2,"total":5,"issueTypes":[{"id":"5","name":"E"}]}`
	mux.HandleFunc("/rest/api/3/issue/createmeta/10000/issuetypes", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("maxResults"); got != "200" {
			t.Errorf("maxResults = %s, want 200", got)
		}
		h.ServeHTTP(w, r)
	})
	types, errs := collect(client.Issues.CreateMetaIssueTypesIter(t.Context(), "10000", &ListOptions{PageSize: 200}))
	noErrs(t, errs)
	ids := pluck(types, func(it IssueType) IssueTypeID { return it.ID })
	if diff := cmp.Diff([]IssueTypeID{"1", "2", "3", "4", "5"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	wantStarts(t, h.seen(), "0", "2", "4")
}

func TestIssuesCreateMetaFields(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/issue/createmeta/EX/issuetypes/10001", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"startAt": {"0"}, "maxResults": {"50"}})
		writeJSON(w, http.StatusOK, fixture(t, "issues_createmeta_fields.json"))
	})
	fields, resp, err := client.Issues.CreateMetaFields(t.Context(), "EX", "10001", nil)
	if err != nil {
		t.Fatalf("CreateMetaFields: %v", err)
	}
	want := []FieldCreateMetadata{
		{FieldID: "assignee", Key: "assignee", Name: "Assignee", Operations: []string{"set"}, Required: true,
			Schema:          FieldSchema{Type: "user", System: "assignee"},
			AutoCompleteURL: "https://your-domain.atlassian.net/rest/api/3/user/search?query="},
		{FieldID: "customfield_10010", Key: "customfield_10010", Name: "Access level", Operations: []string{"set"},
			Schema: FieldSchema{Type: "option", Custom: "com.atlassian.jira.plugin.system.customfieldtypes:select", CustomID: 10010},
			AllowedValues: []json.RawMessage{
				json.RawMessage(`{"self": "https://your-domain.atlassian.net/rest/api/3/customFieldOption/10100", "value": "High", "id": "10100"}`),
				json.RawMessage(`{"self": "https://your-domain.atlassian.net/rest/api/3/customFieldOption/10101", "value": "Low", "id": "10101"}`),
			},
			DefaultValue: json.RawMessage(`{"value": "Low", "id": "10101"}`), HasDefaultValue: true},
	}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "" {
		t.Errorf("NextCursor = %q, want none", resp.NextCursor)
	}
	for _, bad := range [][2]string{{"", "1"}, {"EX", ""}} {
		if _, _, err := client.Issues.CreateMetaFields(t.Context(), bad[0], IssueTypeID(bad[1]), nil); err == nil {
			t.Errorf("CreateMetaFields(%q, %q) succeeded, want an error", bad[0], bad[1])
		}
	}
}

func TestIssuesCreateMetaFieldsIter_legacyAndEmptyPage(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	// total claims 10 but the second page is empty: the walk must stop.
	h.pages["0"] = `{"startAt":0,"maxResults":3,"total":10,"results":[{"fieldId":"summary","required":true},{"fieldId":"labels"},{"fieldId":"priority"}]}`
	h.pages["3"] = `{"startAt":3,"maxResults":3,"total":10,"fields":[]}`
	mux.Handle("/rest/api/3/issue/createmeta/EX/issuetypes/10001", h)
	fields, errs := collect(client.Issues.CreateMetaFieldsIter(t.Context(), "EX", "10001", &ListOptions{PageSize: 3}))
	noErrs(t, errs)
	ids := pluck(fields, func(f FieldCreateMetadata) FieldID { return f.FieldID })
	if diff := cmp.Diff([]FieldID{"summary", "labels", "priority"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if got := h.calls.Load(); got != 2 {
		t.Errorf("calls = %d, want 2", got)
	}
}

func TestIssuesCreateMetaIter_errorStops(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	h.pages["0"] = `{"startAt":0,"maxResults":1,"total":3,"issueTypes":[{"id":"1"}]}`
	h.pages["1"] = `{"errorMessages":["Parameter 'maxResults' must not exceed the limit '200'"],"errors":{},"httpStatusCode":{"empty":false,"present":true}}`
	h.status["1"] = http.StatusBadRequest
	mux.Handle("/rest/api/3/issue/createmeta/EX/issuetypes", h)
	types, errs := collect(client.Issues.CreateMetaIssueTypesIter(t.Context(), "EX", &ListOptions{PageSize: 1}))
	if len(types) != 1 || len(errs) != 1 || !errors.Is(errs[0], ErrBadRequest) {
		t.Fatalf("types %v, errors %v; want 1 type then one 400", types, errs)
	}
	var jerr *Error
	if errors.As(errs[0], &jerr); jerr.Messages[0] != "Parameter 'maxResults' must not exceed the limit '200'" {
		t.Errorf("messages = %v", jerr.Messages)
	}
	if got := h.calls.Load(); got != 2 {
		t.Errorf("calls = %d, want 2", got)
	}
}

func TestIssuesFields(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/field", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, nil)
		writeJSON(w, http.StatusOK, fixture(t, "issues_fields.json"))
	})
	fields, _, err := client.Issues.Fields(t.Context())
	if err != nil {
		t.Fatalf("Fields: %v", err)
	}
	want := []Field{
		{ID: "description", Key: "description", Name: "Description", Orderable: true, Navigable: true, Searchable: true,
			ClauseNames: []string{"description"}, Schema: &FieldSchema{Type: "string", System: "description"}},
		{ID: "customfield_10101", Key: "customfield_10101", Name: "New custom field", UntranslatedName: "New custom field",
			Custom: true, Orderable: true, Navigable: true, Searchable: true, ClauseNames: []string{"cf[10101]", "New custom field"},
			Schema: &FieldSchema{Type: "project", Custom: "com.atlassian.jira.plugin.system.customfieldtypes:project", CustomID: 10101}},
		{ID: "issuekey", Key: "issuekey", Name: "Key", Navigable: true, ClauseNames: []string{"id", "issue", "issuekey", "key"}},
	}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestIssuesStatuses(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/statuses/search", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{"projectId": {"1"}, "statusCategory": {"DONE"}, "searchString": {"fin"},
			"startAt": {"0"}, "maxResults": {"200"}})
		writeJSON(w, http.StatusOK, fixture(t, "issues_statuses.json"))
	})
	statuses, resp, err := client.Issues.Statuses(t.Context(), &StatusSearchOptions{
		ProjectID: "1", StatusCategory: StatusCategoryDone, SearchString: "fin",
	})
	if err != nil {
		t.Fatalf("Statuses: %v", err)
	}
	want := []Status{
		{ID: "1000", Name: "Finished", StatusCategory: StatusCategoryDone, Description: "The issue is resolved",
			Scope: &RoleScope{Type: "PROJECT", Project: &RoleScopeProject{ID: "1"}}},
		{ID: "1001", Name: "To Do", StatusCategory: StatusCategoryToDo},
	}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "" {
		t.Errorf("NextCursor = %q, want none (isLast)", resp.NextCursor)
	}
}

func TestIssuesStatusesIter(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	h.pages["0"] = `{"startAt":0,"maxResults":2,"isLast":false,"values":[{"id":"1"},{"id":"2"}]}`
	h.pages["2"] = `{"startAt":2,"maxResults":2,"isLast":true,"values":[{"id":"3"}]}`
	mux.HandleFunc("/rest/api/3/statuses/search", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("statusCategory"); got != "TODO" {
			t.Errorf("statusCategory = %q on a later page", got)
		}
		h.ServeHTTP(w, r)
	})
	statuses, errs := collect(client.Issues.StatusesIter(t.Context(), &StatusSearchOptions{
		ListOptions: ListOptions{PageSize: 2}, StatusCategory: StatusCategoryToDo,
	}))
	if len(errs) != 0 || len(statuses) != 3 || statuses[2].ID != "3" {
		t.Fatalf("statuses %v, errors %v", statuses, errs)
	}
	if got := h.calls.Load(); got != 2 {
		t.Errorf("calls = %d, want 2", got)
	}
}

// TestIssuesCreateMetaFieldsIter_pageBean reads createmeta pages in the
// PageBean form ("values", "isLast"): isLast, not total, decides the end.
func TestIssuesCreateMetaFieldsIter_pageBean(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "startAt")
	h.pages["0"] = `{"startAt":0,"maxResults":2,"total":2,"isLast":false,"values":[{"fieldId":"summary"},{"fieldId":"labels"}]}`
	h.pages["2"] = `{"startAt":2,"maxResults":2,"isLast":true,"values":[{"fieldId":"customfield_1"}]}`
	mux.Handle("/rest/api/3/issue/createmeta/EX/issuetypes/10001", h)
	fields, errs := collect(client.Issues.CreateMetaFieldsIter(t.Context(), "EX", "10001", nil))
	noErrs(t, errs)
	ids := pluck(fields, func(f FieldCreateMetadata) FieldID { return f.FieldID })
	if diff := cmp.Diff([]FieldID{"summary", "labels", "customfield_1"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	wantStarts(t, h.seen(), "0", "2")
}
