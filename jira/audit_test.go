package jira

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTimeUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{`"2014-03-19T18:45:42.967+0000"`, time.Date(2014, 3, 19, 18, 45, 42, 967e6, time.UTC), false},
		{`"2014-03-19T18:45:42+0000"`, time.Date(2014, 3, 19, 18, 45, 42, 0, time.UTC), false},
		{`"2014-03-19T20:45:42.967+0200"`, time.Date(2014, 3, 19, 18, 45, 42, 967e6, time.UTC), false},
		{`"2014-03-19T13:45:42.967-0500"`, time.Date(2014, 3, 19, 18, 45, 42, 967e6, time.UTC), false},
		{`"2014-03-19T18:45:42.967Z"`, time.Date(2014, 3, 19, 18, 45, 42, 967e6, time.UTC), false},
		{`"2014-03-19T18:45:42Z"`, time.Date(2014, 3, 19, 18, 45, 42, 0, time.UTC), false},
		{`"2014-03-19T20:45:42.123456789+02:00"`, time.Date(2014, 3, 19, 18, 45, 42, 123456789, time.UTC), false},
		{`"2014-03-19"`, time.Date(2014, 3, 19, 0, 0, 0, 0, time.UTC), false},
		{`null`, time.Time{}, false},
		{`""`, time.Time{}, false},
		{`"yesterday"`, time.Time{}, true},
		{`"2014-03-19 18:45:42"`, time.Time{}, true},
		{`1395254742967`, time.Time{}, true},
	}
	for _, tt := range tests {
		var got Time
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("Unmarshal(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !got.Equal(tt.want) || got.IsZero() != tt.want.IsZero() {
			t.Errorf("Unmarshal(%s) = %v, want %v", tt.in, got.Time, tt.want)
		}
	}
}

func TestTimeMarshalJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct {
		A Time `json:"a"`
		B Time `json:"b"`
	}{A: Time{time.Date(2014, 3, 19, 18, 45, 42, 967e6, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"a":"2014-03-19T18:45:42.967+0000","b":null}` {
		t.Errorf("Marshal = %s", b)
	}
	var back struct{ A, B Time }
	if err := json.Unmarshal(b, &back); err != nil || !back.A.Equal(time.Date(2014, 3, 19, 18, 45, 42, 967e6, time.UTC)) || !back.B.IsZero() {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}

func TestAuditRecords(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/auditing/record", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAuth(t, r)
		testQuery(t, r, url.Values{
			"offset": {"0"}, "limit": {"1000"}, "filter": {"user created"},
			"from": {"2014-03-19T00:00:00.000Z"}, "to": {"2014-03-20T16:30:00.500Z"},
		})
		writeJSON(w, http.StatusOK, fixture(t, "audit_records.json"))
	})
	paris := time.FixedZone("CET", 3600)
	records, resp, err := client.Audit.Records(t.Context(), &AuditOptions{
		Filter: "user created",
		From:   time.Date(2014, 3, 19, 0, 0, 0, 0, time.UTC),
		To:     time.Date(2014, 3, 20, 17, 30, 0, 500e6, paris),
	})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	want := []AuditRecord{{
		ID: 1, Summary: "User created", RemoteAddress: "192.168.1.1", AuthorKey: "administrator",
		AuthorAccountID: "5ab8f18d741e9c2c7e9d4538", Created: workTime(2014, 3, 19, 18, 45, 42, 967),
		Category: "user management", EventSource: "Jira Connect Plugin", Description: "Optional description",
		ObjectItem:    AuditItem{ID: "user", Name: "user", TypeName: "USER", ParentID: "1", ParentName: "Jira Internal Directory"},
		ChangedValues: []AuditChangedValue{{FieldName: "email", ChangedFrom: "user@atlassian.com", ChangedTo: "newuser@atlassian.com"}},
		AssociatedItems: []AuditItem{{ID: "jira-software-users", Name: "jira-software-users", TypeName: "GROUP",
			ParentID: "1", ParentName: "Jira Internal Directory"}},
	}}
	if diff := cmp.Diff(want, records); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if resp.NextCursor != "" {
		t.Errorf("NextCursor = %q, want none (total reached)", resp.NextCursor)
	}
}

func TestAuditRecords_invalidOptions(t *testing.T) {
	t.Parallel()
	client, _, _ := setup(t)
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, opts := range map[string]*AuditOptions{
		"to before from": {From: now, To: now.Add(-time.Hour)},
		"bad cursor":     {ListOptions: ListOptions{Cursor: "o-1"}},
	} {
		if _, _, err := client.Audit.Records(t.Context(), opts); err == nil {
			t.Errorf("%s: Records succeeded, want an error", name)
		}
	}
}

func TestAuditRecordsIter_paging(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "offset")
	// Asked for 3 per page, the server caps at 2; it stops at total=5 without
	// asking for an empty page.
	h.pages["0"] = `{"offset":0,"limit":2,"total":5,"records":[{"id":5},{"id":4}]}`
	h.pages["2"] = `{"offset":2,"limit":2,"total":5,"records":[{"id":3},{"id":2}]}`
	h.pages["4"] = `{"offset":4,"limit":2,"total":5,"records":[{"id":1}]}`
	mux.HandleFunc("/rest/api/3/auditing/record", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("limit"); got != "3" {
			t.Errorf("limit = %s, want 3", got)
		}
		if got := r.URL.Query().Get("filter"); got != "group" {
			t.Errorf("filter = %q on a later page", got)
		}
		h.ServeHTTP(w, r)
	})
	opts := &AuditOptions{ListOptions: ListOptions{PageSize: 3}, Filter: "group"}
	records, errs := collect(client.Audit.RecordsIter(t.Context(), opts))
	noErrs(t, errs)
	ids := pluck(records, func(r AuditRecord) int64 { return r.ID })
	if diff := cmp.Diff([]int64{5, 4, 3, 2, 1}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"0", "2", "4"}, h.seen()); diff != "" {
		t.Errorf("offset sequence (-want +got):\n%s", diff)
	}
	if opts.Cursor != "" {
		t.Errorf("RecordsIter modified the caller's options")
	}
}

func TestAuditRecordsIter_emptyPageStops(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "offset")
	// total says 10 (records may be purged meanwhile): the empty page ends it.
	h.pages["0"] = `{"offset":0,"limit":1000,"total":10,"records":[{"id":3},{"id":2},{"id":1}]}`
	h.pages["3"] = `{"offset":3,"limit":1000,"total":10,"records":[]}`
	mux.Handle("/rest/api/3/auditing/record", h)
	records, errs := collect(client.Audit.RecordsIter(t.Context(), nil))
	if len(errs) != 0 || len(records) != 3 {
		t.Fatalf("records %v, errors %v", records, errs)
	}
	if got := h.calls.Load(); got != 2 {
		t.Errorf("calls = %d, want 2", got)
	}
}

func TestAuditRecordsIter_errorStops(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	h := newWorkPageHandler(t, "offset")
	h.pages["0"] = `{"errorMessages":["You do not have permission to view audit records."],"errors":{}}`
	h.status["0"] = http.StatusForbidden
	mux.Handle("/rest/api/3/auditing/record", h)
	records, errs := collect(client.Audit.RecordsIter(t.Context(), nil))
	if len(records) != 0 || len(errs) != 1 || !errors.Is(errs[0], ErrForbidden) {
		t.Fatalf("records %v, errors %v; want one ErrForbidden", records, errs)
	}
	if got := h.calls.Load(); got != 1 {
		t.Errorf("calls = %d, want 1", got)
	}
}
