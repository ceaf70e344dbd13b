package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	"github.com/conductorone/baton-sdk/pkg/pagination"
	sdkticket "github.com/conductorone/baton-sdk/pkg/types/ticket"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

const everything = "ACC:" + jiratest.TicketingEverythingType

func ticketConnector(t *testing.T, srv *jiratest.Server, edit func(*Config)) *Connector {
	t.Helper()
	cfg := testConfig(srv, false)
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.tk.lookupWaits = []time.Duration{0}
	return c
}

// allSchemas walks ListTicketSchemas to the end, checking that the token
// always moves.
func allSchemas(t *testing.T, c *Connector) []*v2.TicketSchema {
	t.Helper()
	var out []*v2.TicketSchema
	tok := ""
	for calls := 0; ; calls++ {
		if calls > 1000 {
			t.Fatal("ListTicketSchemas does not end")
		}
		page, next, _, err := c.ListTicketSchemas(t.Context(), &pagination.Token{Token: tok})
		if err != nil {
			t.Fatalf("ListTicketSchemas(%q): %v", tok, err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		if next == tok {
			t.Fatalf("page token %q did not move", tok)
		}
		tok = next
	}
}

func schemaIDs(ss []*v2.TicketSchema) []string {
	var ids []string
	for _, s := range ss {
		ids = append(ids, s.GetId())
	}
	slices.Sort(ids)
	return ids
}

func TestTicketSchemasAllPages(t *testing.T) {
	t.Parallel()
	var want []string
	want = append(want, "ACC:10001", "ACC:10005", everything, "BIG:10001")
	for i := 1; i <= 60; i++ {
		want = append(want, "BIG:"+itoa(30000+i))
	}
	for i := 1; i <= 60; i++ {
		want = append(want, "P"+pad3(i)+":10001")
	}
	slices.Sort(want)
	for _, tc := range []struct {
		name string
		opts []jiratest.Option
	}{
		{"current pages", nil},
		{"legacy pages, small caps", []jiratest.Option{jiratest.WithLegacyCreateMeta(),
			jiratest.WithMaxResultsCap("/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes", 7),
			jiratest.WithMaxResultsCap("/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}", 3),
			jiratest.WithMaxResultsCap("/rest/api/3/project/search", 9)}},
		{"PageBean pages (values, isLast), small caps", []jiratest.Option{jiratest.WithPageBeanCreateMeta(),
			jiratest.WithMaxResultsCap("/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes", 7),
			jiratest.WithMaxResultsCap("/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}", 3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, jiratest.NewTicketingTenant(60, 60), tc.opts...)
			c := ticketConnector(t, srv, nil)
			got := allSchemas(t, c)
			if diff := cmp.Diff(want, schemaIDs(got)); diff != "" {
				t.Fatalf("schema IDs (-want +got):\n%s", diff)
			}
			for _, s := range got {
				// Each issue type has its workflow's statuses: Access
				// Request its own, every other type the default ones.
				want := "10000 To Do, 3 In Progress, 10001 Done"
				if s.GetId() == "ACC:10005" {
					want = "10002 Waiting for approval, 10003 Approved, 10004 Declined, 10001 Done"
				}
				if got := statusList(s.GetStatuses()); got != want {
					t.Errorf("%s: statuses %q, want %q", s.GetId(), got, want)
				}
				if len(s.GetTypes()) != 1 || !strings.HasSuffix(s.GetId(), ":"+s.GetTypes()[0].GetId()) {
					t.Errorf("%s: types %v", s.GetId(), s.GetTypes())
				}
				if s.GetId() == everything && len(s.GetCustomFields()) < 12 {
					t.Errorf("%s has %d custom fields, want every field of the screen", s.GetId(), len(s.GetCustomFields()))
				}
			}
		})
	}
}

func statusList(sts []*v2.TicketStatus) string {
	var out []string
	for _, st := range sts {
		out = append(out, st.GetId()+" "+st.GetDisplayName())
	}
	return strings.Join(out, ", ")
}

func itoa(i int) string { return strconv.Itoa(i) }

func pad3(i int) string { return fmt.Sprintf("%03d", i) }

func mustAny(t *testing.T, m proto.Message) *anypb.Any {
	t.Helper()
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTicketSchemasConfiguredKeys(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(3, 2))
	c := ticketConnector(t, srv, func(cfg *Config) { cfg.JiraProjectKeys = []string{"big", "P002"} })
	got := schemaIDs(allSchemas(t, c))
	want := []string{"BIG:10001", "BIG:30001", "BIG:30002", "P002:10001"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("schema IDs (-want +got):\n%s", diff)
	}

	bad := ticketConnector(t, srv, func(cfg *Config) { cfg.JiraProjectKeys = []string{"P001", "NOPE"} })
	_, next, _, err := bad.ListTicketSchemas(t.Context(), &pagination.Token{})
	if err != nil {
		t.Fatalf("first page: %v", err)
	}
	_, _, _, err = bad.ListTicketSchemas(t.Context(), &pagination.Token{Token: next})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), `"NOPE"`) {
		t.Fatalf("unknown configured key: %v, want InvalidArgument naming NOPE", err)
	}
	for _, tok := range []string{"not json", `{"k":7}`} {
		if _, _, _, err := bad.ListTicketSchemas(t.Context(), &pagination.Token{Token: tok}); status.Code(err) != codes.InvalidArgument {
			t.Errorf("page token %q: %v, want InvalidArgument", tok, err)
		}
	}
}

func TestTicketSchemaFieldTypes(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(0, 0))
	c := ticketConnector(t, srv, nil)
	s, _, err := c.GetTicketSchema(t.Context(), everything)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		kind     any
		required bool
		allowed  int
	}
	wants := map[string]want{
		jiratest.FieldText:         {v2.TicketCustomField_StringValue_case, false, 0},
		"customfield_10060":        {v2.TicketCustomField_StringValue_case, true, 0},
		"customfield_10030":        {v2.TicketCustomField_NumberValue_case, false, 0},
		"customfield_10040":        {v2.TicketCustomField_PickObjectValue_case, true, 3},
		jiratest.FieldMultiSelect:  {v2.TicketCustomField_PickMultipleObjectValues_case, false, 3},
		jiratest.FieldDate:         {v2.TicketCustomField_TimestampValue_case, true, 0},
		jiratest.FieldDateTime:     {v2.TicketCustomField_TimestampValue_case, false, 0},
		jiratest.FieldUser:         {v2.TicketCustomField_StringValue_case, false, 0},
		"customfield_10050":        {v2.TicketCustomField_StringValues_case, false, 0},
		jiratest.FieldLabelsCustom: {v2.TicketCustomField_StringValues_case, false, 0},
		"components":               {v2.TicketCustomField_PickMultipleObjectValues_case, false, 3},
		"priority":                 {v2.TicketCustomField_PickObjectValue_case, false, 5},
		"assignee":                 {v2.TicketCustomField_StringValue_case, false, 0},
		"duedate":                  {v2.TicketCustomField_TimestampValue_case, false, 0},
		jiratest.FieldGroup:        {v2.TicketCustomField_StringValue_case, false, 0},
		jiratest.FieldGroups:       {v2.TicketCustomField_StringValues_case, false, 0},
		jiratest.FieldVersion:      {v2.TicketCustomField_PickObjectValue_case, false, 2},
		jiratest.FieldVersions:     {v2.TicketCustomField_PickMultipleObjectValues_case, false, 2},
	}
	got := s.GetCustomFields()
	for id, w := range wants {
		f := got[id]
		if f == nil {
			t.Errorf("field %s missing from the schema", id)
			continue
		}
		allowed := len(f.GetPickObjectValue().GetAllowedValues()) + len(f.GetPickMultipleObjectValues().GetAllowedValues())
		if any(f.WhichValue()) != w.kind || f.GetRequired() != w.required || allowed != w.allowed || f.GetDisplayName() == "" {
			t.Errorf("field %s: kind %v required %t allowed %d, want %v %t %d", id, f.WhichValue(), f.GetRequired(), allowed,
				w.kind, w.required, w.allowed)
		}
	}
	for _, id := range []string{"summary", "description", "labels", "project", "issuetype", "reporter", "customfield_10020", "customfield_10010"} {
		if got[id] != nil {
			t.Errorf("field %s should not be a custom field of the schema", id)
		}
	}
	if sel := got["customfield_10040"].GetPickObjectValue().GetAllowedValues(); sel[1].GetId() != "10101" || sel[1].GetDisplayName() != "Write" {
		t.Errorf("select allowed values: %v", sel)
	}
	// Versions are named ("name"), not valued ("value") like options.
	if vs := got[jiratest.FieldVersions].GetPickMultipleObjectValues().GetAllowedValues(); len(vs) != 2 || vs[1].GetId() != "10601" || vs[1].GetDisplayName() != "2.0" {
		t.Errorf("version picker allowed values: %v", vs)
	}
	if s.GetDisplayName() != "Everything (ACC)" {
		t.Errorf("display name %q", s.GetDisplayName())
	}
}

func fullTicket(t *testing.T, srv *jiratest.Server) *v2.Ticket {
	t.Helper()
	at := time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	start := time.Date(2026, 9, 1, 8, 30, 0, 0, time.UTC)
	admin := srv.Snapshot().AdminAccountID
	cfs := map[string]*v2.TicketCustomField{
		jiratest.FieldText:         sdkticket.StringField(jiratest.FieldText, "CC-42"),
		"customfield_10060":        sdkticket.StringField("customfield_10060", "Quarter close\nneeds write"),
		"customfield_10030":        sdkticket.NumberField("customfield_10030", 3.5),
		"customfield_10040":        sdkticket.PickObjectValueField("customfield_10040", v2.TicketCustomFieldObjectValue_builder{Id: "10101"}.Build()),
		jiratest.FieldMultiSelect:  sdkticket.PickMultipleObjectValuesField(jiratest.FieldMultiSelect, []*v2.TicketCustomFieldObjectValue{v2.TicketCustomFieldObjectValue_builder{Id: "10200"}.Build(), v2.TicketCustomFieldObjectValue_builder{Id: "10202"}.Build()}),
		jiratest.FieldDate:         sdkticket.TimestampField(jiratest.FieldDate, at),
		jiratest.FieldDateTime:     sdkticket.TimestampField(jiratest.FieldDateTime, start),
		jiratest.FieldUser:         sdkticket.StringField(jiratest.FieldUser, admin),
		"customfield_10050":        sdkticket.StringsField("customfield_10050", []string{admin}),
		jiratest.FieldLabelsCustom: sdkticket.StringsField(jiratest.FieldLabelsCustom, []string{"q3 close"}),
		"components":               sdkticket.PickMultipleObjectValuesField("components", []*v2.TicketCustomFieldObjectValue{v2.TicketCustomFieldObjectValue_builder{Id: "10502"}.Build()}),
		"priority":                 sdkticket.PickStringField("priority", "High"),
		jiratest.FieldGroup:        sdkticket.StringField(jiratest.FieldGroup, ticketGroup(t, srv, 0)),
		jiratest.FieldGroups:       sdkticket.StringsField(jiratest.FieldGroups, []string{ticketGroup(t, srv, 0), ticketGroup(t, srv, 1)}),
		jiratest.FieldVersion:      sdkticket.PickStringField(jiratest.FieldVersion, "2.0"),
		jiratest.FieldVersions:     sdkticket.PickMultipleStringsField(jiratest.FieldVersions, []string{"10600", "2.0"}),
	}
	return v2.Ticket_builder{DisplayName: "Grant write access", Description: "Alice needs write.\nFor the close.",
		Labels: []string{"access request", "baton"}, CustomFields: cfs,
		Status: v2.TicketStatus_builder{Id: "3"}.Build()}.Build()
}

// ticketGroup returns the name of the tenant's group number i.
func ticketGroup(t *testing.T, srv *jiratest.Server, i int) string {
	t.Helper()
	gs := srv.Snapshot().Groups
	if len(gs) <= i {
		t.Fatalf("the tenant has %d groups", len(gs))
	}
	return gs[i].Name
}

func storedIssue(t *testing.T, srv *jiratest.Server, key string) *jiratest.Issue {
	t.Helper()
	for _, is := range srv.Snapshot().Issues {
		if is.Key == key || is.ID == key {
			return is
		}
	}
	t.Fatalf("issue %s not in the fake", key)
	return nil
}

func TestCreateTicketEveryFieldType(t *testing.T) {
	t.Parallel()
	for _, gateway := range []bool{false, true} {
		t.Run(map[bool]string{false: "site URL", true: "gateway URL"}[gateway], func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, jiratest.NewTicketingTenant(0, 0))
			c := ticketConnector(t, srv, func(cfg *Config) {
				if gateway {
					cfg.JiraURL, cfg.JiraAPIToken = srv.GatewayURL(), srv.ScopedToken
				}
			})
			schema, _, err := c.GetTicketSchema(t.Context(), everything)
			if err != nil {
				t.Fatal(err)
			}
			tk, _, err := c.CreateTicket(t.Context(), fullTicket(t, srv), schema)
			if err != nil {
				t.Fatalf("CreateTicket: %v", err)
			}
			is := storedIssue(t, srv, tk.GetId())
			wantURL := srv.URL + "/browse/" + is.Key
			if gateway {
				wantURL = "https://acme.atlassian.net/browse/" + is.Key
			}
			if tk.GetUrl() != wantURL {
				t.Errorf("URL %q, want %q", tk.GetUrl(), wantURL)
			}
			if tk.GetDisplayName() != "Grant write access" || tk.GetDescription() != "Alice needs write.\nFor the close." {
				t.Errorf("ticket %q / %q", tk.GetDisplayName(), tk.GetDescription())
			}
			if tk.GetStatus().GetId() != "3" || tk.GetType().GetId() != jiratest.TicketingEverythingType {
				t.Errorf("status %v type %v", tk.GetStatus(), tk.GetType())
			}
			if is.StatusID != "3" {
				t.Errorf("stored status %s, want 3 (In Progress)", is.StatusID)
			}
			var reqLabel string
			for _, l := range is.Labels {
				if strings.HasPrefix(l, RequestLabelPrefix) {
					reqLabel = l
				}
			}
			if reqLabel == "" || !slices.Contains(is.Labels, "access_request") || !slices.Contains(is.Labels, "baton") {
				t.Errorf("labels %v: want access_request, baton and a request label", is.Labels)
			}
			admin := srv.Snapshot().AdminAccountID
			g0, g1 := srv.Snapshot().Groups[0], srv.Snapshot().Groups[1]
			wantFields := map[string]string{
				jiratest.FieldText:         `"CC-42"`,
				"customfield_10030":        `3.5`,
				"customfield_10040":        `{"id":"10101"}`,
				jiratest.FieldMultiSelect:  `[{"id":"10200"},{"id":"10202"}]`,
				jiratest.FieldDate:         `"2026-09-30"`,
				jiratest.FieldDateTime:     `"2026-09-01T08:30:00.000+0000"`,
				jiratest.FieldUser:         `{"accountId":"` + admin + `"}`,
				"customfield_10050":        `[{"accountId":"` + admin + `"}]`,
				jiratest.FieldLabelsCustom: `["q3_close"]`,
				"components":               `[{"id":"10502"}]`,
				jiratest.FieldGroup:        `{"groupId":"` + g0.ID + `","name":"` + g0.Name + `"}`,
				jiratest.FieldGroups:       `[{"groupId":"` + g0.ID + `","name":"` + g0.Name + `"},{"groupId":"` + g1.ID + `","name":"` + g1.Name + `"}]`,
				jiratest.FieldVersion:      `{"id":"10601"}`,
				jiratest.FieldVersions:     `[{"id":"10600"},{"id":"10601"}]`,
			}
			for id, w := range wantFields {
				if got := string(is.CustomFields[id]); got != w {
					t.Errorf("stored %s = %s, want %s", id, got, w)
				}
			}
			if is.PriorityID != "2" {
				t.Errorf("priority %s, want 2 (High)", is.PriorityID)
			}
			if !strings.Contains(string(is.CustomFields["customfield_10060"]), `"type":"doc"`) ||
				!strings.Contains(string(is.Description), "For the close.") {
				t.Errorf("multi-line text is not ADF: %s / %s", is.CustomFields["customfield_10060"], is.Description)
			}

			got, _, err := c.GetTicket(t.Context(), is.Key)
			if err != nil || got.GetId() != tk.GetId() || got.GetUrl() != wantURL || len(got.GetAssignees()) != 0 ||
				got.GetReporter().GetId().GetResource() != admin || got.GetCreatedAt() == nil {
				t.Errorf("GetTicket(%s) = %v, %v", is.Key, got, err)
			}
			// The custom fields read back as the SDK's types.
			obj := func(o *v2.TicketCustomFieldObjectValue) string { return o.GetId() + "=" + o.GetDisplayName() }
			objs := func(os []*v2.TicketCustomFieldObjectValue) []string {
				var out []string
				for _, o := range os {
					out = append(out, obj(o))
				}
				return out
			}
			cf := got.GetCustomFields()
			roundTrip := map[string]any{
				jiratest.FieldText:         cf[jiratest.FieldText].GetStringValue().GetValue(),
				"customfield_10060":        cf["customfield_10060"].GetStringValue().GetValue(),
				"customfield_10030":        cf["customfield_10030"].GetNumberValue().GetValue().GetValue(),
				"customfield_10040":        obj(cf["customfield_10040"].GetPickObjectValue().GetValue()),
				jiratest.FieldMultiSelect:  objs(cf[jiratest.FieldMultiSelect].GetPickMultipleObjectValues().GetValues()),
				jiratest.FieldDate:         cf[jiratest.FieldDate].GetTimestampValue().GetValue().AsTime().Format(time.DateOnly),
				jiratest.FieldDateTime:     cf[jiratest.FieldDateTime].GetTimestampValue().GetValue().AsTime().Format(time.RFC3339),
				jiratest.FieldUser:         cf[jiratest.FieldUser].GetStringValue().GetValue(),
				"customfield_10050":        cf["customfield_10050"].GetStringValues().GetValues(),
				jiratest.FieldLabelsCustom: cf[jiratest.FieldLabelsCustom].GetStringValues().GetValues(),
				"components":               objs(cf["components"].GetPickMultipleObjectValues().GetValues()),
				"priority":                 obj(cf["priority"].GetPickObjectValue().GetValue()),
				jiratest.FieldGroup:        cf[jiratest.FieldGroup].GetStringValue().GetValue(),
				jiratest.FieldGroups:       cf[jiratest.FieldGroups].GetStringValues().GetValues(),
				jiratest.FieldVersion:      obj(cf[jiratest.FieldVersion].GetPickObjectValue().GetValue()),
				jiratest.FieldVersions:     objs(cf[jiratest.FieldVersions].GetPickMultipleObjectValues().GetValues()),
			}
			wantRT := map[string]any{
				jiratest.FieldText:         "CC-42",
				"customfield_10060":        "Quarter close\nneeds write",
				"customfield_10030":        float32(3.5),
				"customfield_10040":        "10101=Write",
				jiratest.FieldMultiSelect:  []string{"10200=Okta", "10202=AWS"},
				jiratest.FieldDate:         "2026-09-30",
				jiratest.FieldDateTime:     "2026-09-01T08:30:00Z",
				jiratest.FieldUser:         admin,
				"customfield_10050":        []string{admin},
				jiratest.FieldLabelsCustom: []string{"q3_close"},
				"components":               []string{"10502=Identity"},
				"priority":                 "2=High",
				jiratest.FieldGroup:        g0.Name,
				jiratest.FieldGroups:       []string{g0.Name, g1.Name},
				jiratest.FieldVersion:      "10601=2.0",
				jiratest.FieldVersions:     []string{"10600=1.0", "10601=2.0"},
			}
			if diff := cmp.Diff(wantRT, roundTrip); diff != "" {
				t.Errorf("custom fields read back (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateTicketBadInput(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(1, 0))
	c := ticketConnector(t, srv, nil)
	schema, _, err := c.GetTicketSchema(t.Context(), everything)
	if err != nil {
		t.Fatal(err)
	}
	good := fullTicket(t, srv)
	without := func(id string) *v2.Ticket {
		t2 := fullTicket(t, srv)
		delete(t2.GetCustomFields(), id)
		return t2
	}
	with := func(id string, f *v2.TicketCustomField) *v2.Ticket {
		t2 := fullTicket(t, srv)
		t2.GetCustomFields()[id] = f
		return t2
	}
	sid := func(id string) *v2.TicketSchema { return v2.TicketSchema_builder{Id: id}.Build() }
	tests := []struct {
		name   string
		ticket *v2.Ticket
		schema *v2.TicketSchema
		code   codes.Code
		field  string // the TicketFieldError field, if any
		text   string // in the message
	}{
		{"unknown project", good, sid("NOPE:10001"), codes.InvalidArgument, "", `project "NOPE" does not exist`},
		{"issue type not in project", good, sid("P001:10005"), codes.InvalidArgument, "", "issue type 10005 is not available in project P001"},
		{"malformed schema ID", good, sid("ACC"), codes.InvalidArgument, "", "<projectKey>:<issueTypeId>"},
		{"missing required field", without("customfield_10040"), schema, codes.InvalidArgument, "customfield_10040", "required (Access Level)"},
		{"missing summary", v2.Ticket_builder{CustomFields: good.GetCustomFields()}.Build(), schema, codes.InvalidArgument, "summary", "required"},
		{"bad option", with("customfield_10040", sdkticket.PickObjectValueField("customfield_10040",
			v2.TicketCustomFieldObjectValue_builder{Id: "999"}.Build())), schema, codes.InvalidArgument, "customfield_10040", "Read [10100], Write [10101], Admin [10102]"},
		{"bad multi option", with(jiratest.FieldMultiSelect, sdkticket.PickMultipleStringsField(jiratest.FieldMultiSelect,
			[]string{"Okta", "Azure"})), schema, codes.InvalidArgument, jiratest.FieldMultiSelect, `"Azure" is not an allowed value`},
		{"number as text", with("customfield_10030", sdkticket.StringField("customfield_10030", "three")), schema,
			codes.InvalidArgument, "customfield_10030", `"three" is not a number`},
		{"unknown field", with("customfield_99999", sdkticket.StringField("customfield_99999", "x")), schema,
			codes.InvalidArgument, "customfield_99999", "not a field of the create screen"},
		{"bad status", v2.Ticket_builder{DisplayName: "x", CustomFields: good.GetCustomFields(),
			Status: v2.TicketStatus_builder{Id: "777"}.Build()}.Build(), schema, codes.InvalidArgument, "status", "To Do [10000]"},
		{"Jira rejects the user", with(jiratest.FieldUser, sdkticket.StringField(jiratest.FieldUser, "557058:nobody")), schema,
			codes.InvalidArgument, jiratest.FieldUser, "Specify a valid value for Manager"},
		{"Jira rejects the group", with(jiratest.FieldGroups, sdkticket.StringsField(jiratest.FieldGroups, []string{"no-such-group"})), schema,
			codes.InvalidArgument, jiratest.FieldGroups, "Specify a valid value for Teams"},
		{"bad version", with(jiratest.FieldVersion, sdkticket.PickStringField(jiratest.FieldVersion, "3.0")), schema,
			codes.InvalidArgument, jiratest.FieldVersion, "1.0 [10600], 2.0 [10601]"},
	}
	before := len(srv.Snapshot().Issues)
	for _, tt := range tests {
		_, _, err := c.CreateTicket(t.Context(), tt.ticket, tt.schema)
		if status.Code(err) != tt.code || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: %v, want %v containing %q", tt.name, err, tt.code, tt.text)
			continue
		}
		var fe *TicketFieldError
		if tt.field != "" && (!errors.As(err, &fe) || fe.Fields[tt.field] == "") {
			t.Errorf("%s: no field error for %s in %v", tt.name, tt.field, err)
		}
	}
	if n := len(srv.Snapshot().Issues); n != before {
		t.Errorf("bad input created %d issues", n-before)
	}
}

// loseAnswer lets POST /issue requests through but, for the first n of
// them, drops the answer (the issue exists, the caller sees an error), or
// with before set, fails them before they are sent.
type loseAnswer struct {
	base   http.RoundTripper
	n      atomic.Int32
	before bool
}

func (l *loseAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/rest/api/3/issue") && l.n.Add(-1) >= 0 {
		if l.before {
			return nil, io.ErrUnexpectedEOF
		}
		resp, err := l.base.RoundTrip(r)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return nil, context.DeadlineExceeded
	}
	return l.base.RoundTrip(r)
}

func TestCreateTicketLostAnswerNoDuplicate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		before      bool
		wantPosts   int
		wantLookups int
	}{
		{"answer lost after the create", false, 1, 1},
		{"request failed before reaching Jira", true, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, jiratest.NewTicketingTenant(0, 0))
			rt := &loseAnswer{base: http.DefaultTransport, before: tc.before}
			rt.n.Store(1)
			c := ticketConnector(t, srv, func(cfg *Config) {
				cfg.JiraOptions = append(cfg.JiraOptions, jira.WithHTTPClient(&http.Client{Transport: rt}))
			})
			schema := v2.TicketSchema_builder{Id: everything}.Build()
			tk, _, err := c.CreateTicket(t.Context(), fullTicket(t, srv), schema)
			if err != nil {
				t.Fatalf("CreateTicket: %v", err)
			}
			var mine []*jiratest.Issue
			for _, is := range srv.Snapshot().Issues {
				if is.Summary == "Grant write access" {
					mine = append(mine, is)
				}
			}
			if len(mine) != 1 || mine[0].ID != tk.GetId() {
				t.Fatalf("%d issues made (want exactly 1, the ticket's %s)", len(mine), tk.GetId())
			}
			st := srv.Stats()
			if got := st.Routes["POST /rest/api/3/issue"]; got != tc.wantPosts {
				t.Errorf("POST /issue reached Jira %d times, want %d", got, tc.wantPosts)
			}
			if got := st.Routes["GET /rest/api/3/search/jql"]; got != tc.wantLookups {
				t.Errorf("label searches %d, want %d", got, tc.wantLookups)
			}
		})
	}
}

func TestBulkTickets(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(2, 0))
	c := ticketConnector(t, srv, nil)
	ref := func(id string) []*anypb.Any {
		return []*anypb.Any{mustAny(t, v2.ExternalTicketRef_builder{Id: id}.Build())}
	}
	var reqs []*v2.TicketsServiceCreateTicketRequest
	for i, sid := range []string{"P001:10001", "P002:10001", "NOPE:10001", "P001:10001", everything} {
		reqs = append(reqs, v2.TicketsServiceCreateTicketRequest_builder{
			Request: v2.TicketRequest_builder{DisplayName: "bulk " + itoa(i), Labels: []string{"bulk"}}.Build(),
			Schema:  v2.TicketSchema_builder{Id: sid}.Build(), Annotations: ref("r" + itoa(i)),
		}.Build())
	}
	resp, err := c.BulkCreateTickets(t.Context(), v2.TicketsServiceBulkCreateTicketsRequest_builder{TicketRequests: reqs}.Build())
	if err != nil {
		t.Fatal(err)
	}
	out := resp.GetTickets()
	if len(out) != 5 {
		t.Fatalf("%d responses, want 5", len(out))
	}
	var ids []string
	for i, r := range out {
		var got v2.ExternalTicketRef
		if len(r.GetAnnotations()) != 1 || r.GetAnnotations()[0].UnmarshalTo(&got) != nil || got.GetId() != "r"+itoa(i) {
			t.Errorf("response %d: annotations not echoed", i)
		}
		switch i {
		case 2:
			if !strings.Contains(r.GetError(), `"NOPE"`) || r.GetTicket() != nil {
				t.Errorf("response 2: error %q ticket %v, want the unknown project", r.GetError(), r.GetTicket())
			}
		case 4:
			if !strings.Contains(r.GetError(), "customfield_10040: required") {
				t.Errorf("response 4: error %q, want the missing required fields", r.GetError())
			}
		default:
			if r.GetError() != "" || r.GetTicket().GetDisplayName() != "bulk "+itoa(i) {
				t.Errorf("response %d: %q %v", i, r.GetError(), r.GetTicket())
			}
			ids = append(ids, r.GetTicket().GetId())
		}
	}
	if n := len(srv.Snapshot().Issues); n != 3 {
		t.Errorf("%d issues, want 3", n)
	}

	var greqs []*v2.TicketsServiceGetTicketRequest
	for _, id := range append(ids, "P001-999") {
		greqs = append(greqs, v2.TicketsServiceGetTicketRequest_builder{Id: id}.Build())
	}
	gresp, err := c.BulkGetTickets(t.Context(), v2.TicketsServiceBulkGetTicketsRequest_builder{TicketRequests: greqs}.Build())
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range gresp.GetTickets() {
		if i < len(ids) && (r.GetError() != "" || r.GetTicket().GetId() != ids[i]) {
			t.Errorf("get %d: %q %v", i, r.GetError(), r.GetTicket())
		}
		if i == len(ids) && !strings.Contains(r.GetError(), `"P001-999" does not exist`) {
			t.Errorf("get of an unknown issue: %q", r.GetError())
		}
	}
}

func TestUpdateTransitionComment(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(0, 0))
	c := ticketConnector(t, srv, nil)
	tk, _, err := c.CreateTicket(t.Context(), fullTicket(t, srv), v2.TicketSchema_builder{Id: everything}.Build())
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UpdateTicket(t.Context(), tk.GetId(), v2.Ticket_builder{DisplayName: "Grant admin access",
		Labels: []string{"escalated"}, CustomFields: map[string]*v2.TicketCustomField{
			"customfield_10040": sdkticket.PickStringField("customfield_10040", "Admin"),
			jiratest.FieldText:  sdkticket.StringField(jiratest.FieldText, ""),
		}}.Build())
	if err != nil {
		t.Fatalf("UpdateTicket: %v", err)
	}
	is := storedIssue(t, srv, tk.GetId())
	if up.GetDisplayName() != "Grant admin access" || is.Summary != "Grant admin access" ||
		string(is.CustomFields["customfield_10040"]) != `{"id":"10102"}` || is.CustomFields[jiratest.FieldText] != nil &&
		string(is.CustomFields[jiratest.FieldText]) != "null" {
		t.Errorf("after update: %q %s %s", is.Summary, is.CustomFields["customfield_10040"], is.CustomFields[jiratest.FieldText])
	}
	if len(is.Labels) != 2 || is.Labels[0] != "escalated" || !strings.HasPrefix(is.Labels[1], RequestLabelPrefix) {
		t.Errorf("labels %v: want escalated and the request label kept", is.Labels)
	}
	_, err = c.UpdateTicket(t.Context(), tk.GetId(), v2.Ticket_builder{CustomFields: map[string]*v2.TicketCustomField{
		"customfield_10040": sdkticket.PickStringField("customfield_10040", "Root")}}.Build())
	var fe *TicketFieldError
	if status.Code(err) != codes.InvalidArgument || !errors.As(err, &fe) || fe.Fields["customfield_10040"] == "" {
		t.Errorf("bad update: %v", err)
	}

	done, err := c.TransitionTicket(t.Context(), tk.GetId(), "done")
	if err != nil || done.GetStatus().GetId() != "10001" || storedIssue(t, srv, tk.GetId()).StatusID != "10001" {
		t.Fatalf("TransitionTicket(done) = %v, %v", done.GetStatus(), err)
	}
	again, err := c.TransitionTicket(t.Context(), tk.GetId(), "10001")
	if err != nil || again.GetStatus().GetId() != "10001" {
		t.Errorf("transition to the current status: %v, %v", again.GetStatus(), err)
	}
	if _, err := c.TransitionTicket(t.Context(), tk.GetId(), "Blocked"); status.Code(err) != codes.InvalidArgument ||
		!strings.Contains(err.Error(), "To Do [10000]") {
		t.Errorf("unreachable status: %v", err)
	}

	id, err := c.CommentTicket(t.Context(), tk.GetId(), "Approved by\nthe manager")
	if err != nil || id == "" {
		t.Fatalf("CommentTicket: %q %v", id, err)
	}
	cms := storedIssue(t, srv, tk.GetId()).Comments
	if len(cms) != 1 || cms[0].ID != id || !strings.Contains(string(cms[0].Body), "the manager") {
		t.Errorf("comments %v", cms)
	}
	if _, err := c.CommentTicket(t.Context(), "ACC-999", "x"); status.Code(err) != codes.NotFound {
		t.Errorf("comment on an unknown issue: %v", err)
	}
}

// TestTicketingThroughSDK checks that the SDK's builder accepts the
// connector as its ticket manager and serves schemas and tickets.
func TestTicketingThroughSDK(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(2, 0))
	c := ticketConnector(t, srv, nil)
	s, err := connectorbuilder.NewConnector(t.Context(), c, connectorbuilder.WithTicketingEnabled())
	if err != nil {
		t.Fatal(err)
	}
	md, err := s.GetMetadata(t.Context(), &v2.ConnectorServiceGetMetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var ts v2.ExternalTicketSettings
	annos := annotations.Annotations(md.GetMetadata().GetAnnotations())
	if ok, _ := annos.Pick(&ts); !ok || !ts.GetEnabled() {
		t.Errorf("metadata does not announce enabled ticketing")
	}
	ls, err := s.ListTicketSchemas(t.Context(), v2.TicketsServiceListTicketSchemasRequest_builder{PageSize: 10}.Build())
	if err != nil || len(ls.GetList()) == 0 {
		t.Fatalf("ListTicketSchemas: %v, %v", ls, err)
	}
	cr, err := s.CreateTicket(t.Context(), v2.TicketsServiceCreateTicketRequest_builder{
		Request: v2.TicketRequest_builder{DisplayName: "via the SDK"}.Build(),
		Schema:  v2.TicketSchema_builder{Id: "P001:10001"}.Build()}.Build())
	if err != nil || !strings.HasSuffix(cr.GetTicket().GetUrl(), "/browse/P001-1") {
		t.Fatalf("CreateTicket: %v, %v", cr, err)
	}
	// Bulk create through the SDK's ticketing interface: one ticket per
	// request, in order, each with its own error.
	var reqs []*v2.TicketsServiceCreateTicketRequest
	for _, sid := range []string{"P002:10001", "NOPE:10001", "P001:10001"} {
		reqs = append(reqs, v2.TicketsServiceCreateTicketRequest_builder{
			Request: v2.TicketRequest_builder{DisplayName: "bulk via the SDK " + sid, Status: v2.TicketStatus_builder{Id: "10001"}.Build()}.Build(),
			Schema:  v2.TicketSchema_builder{Id: sid}.Build()}.Build())
	}
	br, err := s.BulkCreateTickets(t.Context(), v2.TicketsServiceBulkCreateTicketsRequest_builder{TicketRequests: reqs}.Build())
	if err != nil || len(br.GetTickets()) != 3 {
		t.Fatalf("BulkCreateTickets: %v, %v", br, err)
	}
	for i, r := range br.GetTickets() {
		if i == 1 {
			if !strings.Contains(r.GetError(), `"NOPE"`) || r.GetTicket() != nil {
				t.Errorf("bulk ticket 1: %q %v, want the unknown project", r.GetError(), r.GetTicket())
			}
			continue
		}
		tk := r.GetTicket()
		if r.GetError() != "" || tk.GetDisplayName() != "bulk via the SDK "+reqs[i].GetSchema().GetId() || tk.GetStatus().GetId() != "10001" ||
			storedIssue(t, srv, tk.GetId()).StatusID != "10001" {
			t.Errorf("bulk ticket %d: %q %v", i, r.GetError(), tk)
		}
	}
}

// TestTicketSchemasBoundedCache lists the schemas of more projects than the
// metadata cache holds: every schema comes back, and the connector keeps at
// most metaCacheMax issue types' create metadata in memory.
func TestTicketSchemasBoundedCache(t *testing.T) {
	t.Parallel()
	n := metaCacheMax + 40
	srv := newTestServer(t, jiratest.NewTicketingTenant(n, 0))
	c := ticketConnector(t, srv, nil)
	got := allSchemas(t, c)
	if want := n + 4; len(got) != want { // P001…, ACC (3 types), BIG (1)
		t.Fatalf("%d schemas, want %d", len(got), want)
	}
	c.tk.mu.Lock()
	cached := len(c.tk.metas)
	c.tk.mu.Unlock()
	if cached > metaCacheMax {
		t.Fatalf("%d issue types' create metadata held in memory, want at most %d", cached, metaCacheMax)
	}
	// A create still works for a schema whose metadata was dropped.
	tk, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "after the listing"}.Build(),
		v2.TicketSchema_builder{Id: "P001:10001"}.Build())
	if err != nil || tk.GetDisplayName() != "after the listing" {
		t.Fatalf("CreateTicket after the listing: %v, %v", tk, err)
	}
}

// TestCreateTicketLostAnswerNoLabelsField: when the issue type's create
// screen has no Labels field, a create whose answer is lost is found again
// by its request entity property (set with the create), not refused.
func TestCreateTicketLostAnswerNoLabelsField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		before    bool
		wantPosts int
	}{
		{"answer lost after the create", false, 1},
		{"request failed before reaching Jira", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ten := jiratest.NewTicketingTenant(0, 0)
			addACCIssueType(ten, "10200", "No Labels", func(f *jiratest.IssueTypeField) bool { return f.FieldID != "labels" })
			srv := newTestServer(t, ten)
			rt := &loseAnswer{base: http.DefaultTransport, before: tc.before}
			c := ticketConnector(t, srv, func(cfg *Config) {
				cfg.JiraOptions = append(cfg.JiraOptions, jira.WithHTTPClient(&http.Client{Transport: rt}))
			})
			// An older issue of the account in the same project must not be taken for it.
			if _, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "older"}.Build(),
				v2.TicketSchema_builder{Id: "ACC:10001"}.Build()); err != nil {
				t.Fatal(err)
			}
			rt.n.Store(1)
			tk, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "no labels here"}.Build(),
				v2.TicketSchema_builder{Id: "ACC:10200"}.Build())
			if err != nil {
				t.Fatalf("CreateTicket: %v", err)
			}
			var mine []*jiratest.Issue
			for _, is := range srv.Snapshot().Issues {
				if is.Summary == "no labels here" {
					mine = append(mine, is)
				}
			}
			if len(mine) != 1 || mine[0].ID != tk.GetId() {
				t.Fatalf("%d issues made (want exactly 1, the ticket's %s)", len(mine), tk.GetId())
			}
			if len(mine[0].Labels) != 0 || !strings.Contains(string(mine[0].Properties[RequestPropertyKey]), RequestLabelPrefix) {
				t.Errorf("issue labels %v, properties %s: want no labels and the request property", mine[0].Labels, mine[0].Properties)
			}
			st := srv.Stats()
			if got := st.Routes["POST /rest/api/3/issue"]; got != tc.wantPosts+1 {
				t.Errorf("POST /issue reached Jira %d times, want %d", got, tc.wantPosts+1)
			}
			if got := st.Routes["GET /rest/api/3/search/jql"]; got != 1 {
				t.Errorf("searches %d, want 1", got)
			}
		})
	}
}

// TestCreateTicketRequiredDescription: a create screen that requires the
// description refuses a ticket without one before anything is sent, with a
// field error for "description".
func TestCreateTicketRequiredDescription(t *testing.T) {
	t.Parallel()
	ten := jiratest.NewTicketingTenant(0, 0)
	addACCIssueType(ten, "10201", "Described", func(f *jiratest.IssueTypeField) bool {
		if f.FieldID == "description" {
			f.Required = true
		}
		return true
	})
	srv := newTestServer(t, ten)
	c := ticketConnector(t, srv, nil)
	schema := v2.TicketSchema_builder{Id: "ACC:10201"}.Build()
	_, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "no description", Description: "  "}.Build(), schema)
	var fe *TicketFieldError
	if status.Code(err) != codes.InvalidArgument || !errors.As(err, &fe) || !strings.Contains(fe.Fields["description"], "required") {
		t.Fatalf("CreateTicket without the required description: %v (field errors %+v)", err, fe)
	}
	if n := srv.Stats().Routes["POST /rest/api/3/issue"]; n != 0 {
		t.Fatalf("POST /issue sent %d times for a ticket the schema refuses", n)
	}
	tk, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "described", Description: "why"}.Build(), schema)
	if err != nil || tk.GetDescription() != "why" {
		t.Fatalf("CreateTicket with the description: %v, %v", tk, err)
	}
}

// TestTransitionTicketStatusIDBeforeTransitionID: a target that is a status
// ID picks the transition leading to that status, even when another
// transition has that number as its own ID.
func TestTransitionTicketStatusIDBeforeTransitionID(t *testing.T) {
	t.Parallel()
	ten := jiratest.NewTicketingTenant(0, 0)
	// Transition "3" (to Done) comes first; status "3" is In Progress.
	ten.Transitions = append([]*jiratest.Transition{{ID: "3", Name: "Close", ToStatusID: "10001"}}, ten.Transitions...)
	ten.Workflows[0].TransitionIDs = append(ten.Workflows[0].TransitionIDs, "3") // the default workflow's
	srv := newTestServer(t, ten)
	c := ticketConnector(t, srv, nil)
	tk, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "move me"}.Build(), v2.TicketSchema_builder{Id: "ACC:10001"}.Build())
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.TransitionTicket(t.Context(), tk.GetId(), "3")
	if err != nil {
		t.Fatal(err)
	}
	if got.GetStatus().GetId() != "3" {
		t.Fatalf("status after TransitionTicket(%q) = %s (%s), want 3 (In Progress)", "3", got.GetStatus().GetId(), got.GetStatus().GetDisplayName())
	}
	// By transition name it still works.
	if got, err = c.TransitionTicket(t.Context(), tk.GetId(), "Close"); err != nil || got.GetStatus().GetId() != "10001" {
		t.Fatalf("TransitionTicket(Close) = %v, %v", got.GetStatus(), err)
	}
}

// TestCreateTicketLegacySchema: older baton-jira configurations send the
// project key as the schema ID and the issue type in an issue_type custom
// field (with a project field); such a ticket is created in that project
// and issue type. Without issue_type the error says what is missing.
func TestCreateTicketLegacySchema(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(0, 0))
	c := ticketConnector(t, srv, nil)
	legacy := v2.TicketSchema_builder{Id: "ACC"}.Build()
	tk, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "legacy", CustomFields: map[string]*v2.TicketCustomField{
		"issue_type": sdkticket.PickObjectValueField("issue_type", v2.TicketCustomFieldObjectValue_builder{Id: "10001", DisplayName: "Task"}.Build()),
		"project":    sdkticket.PickObjectValueField("project", v2.TicketCustomFieldObjectValue_builder{Id: "10000"}.Build()),
	}}.Build(), legacy)
	if err != nil {
		t.Fatalf("CreateTicket with a legacy schema: %v", err)
	}
	is := storedIssue(t, srv, tk.GetId())
	if is.ProjectID != "10000" || is.IssueTypeID != "10001" || is.Summary != "legacy" {
		t.Fatalf("made %+v, want a Task in ACC", is)
	}
	_, _, err = c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "no type"}.Build(), legacy)
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "issue_type") {
		t.Fatalf("legacy schema without issue_type: %v", err)
	}
}

// TestCreateTicketLengthsAndNumbers: Jira's 255-character limits count
// characters (UTF-16 units), not bytes, so non-ASCII text up to 255
// characters is accepted; a number that is not a JSON number (NaN, Inf) is
// a field error before anything is sent, and other forms are sent as
// plain JSON numbers.
func TestCreateTicketLengthsAndNumbers(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(0, 0))
	c := ticketConnector(t, srv, nil)
	long := strings.Repeat("é", 200) // 400 bytes, 200 characters
	tk := fullTicket(t, srv)
	tk.SetDisplayName(long)
	tk.GetCustomFields()[jiratest.FieldText] = sdkticket.StringField(jiratest.FieldText, strings.Repeat("ü", 255))
	tk.GetCustomFields()["customfield_10030"] = sdkticket.StringField("customfield_10030", "1e3")
	got, _, err := c.CreateTicket(t.Context(), tk, v2.TicketSchema_builder{Id: everything}.Build())
	if err != nil {
		t.Fatalf("CreateTicket with a 200-character non-ASCII summary: %v", err)
	}
	is := storedIssue(t, srv, got.GetId())
	if is.Summary != long || string(is.CustomFields["customfield_10030"]) != "1000" {
		t.Fatalf("stored summary %d bytes, number %s", len(is.Summary), is.CustomFields["customfield_10030"])
	}
	posts := srv.Stats().Routes["POST /rest/api/3/issue"]
	for _, bad := range []*v2.TicketCustomField{
		sdkticket.StringField("customfield_10030", "NaN"),
		sdkticket.StringField("customfield_10030", "-Inf"),
		sdkticket.NumberField("customfield_10030", float32(math.Inf(1))),
	} {
		tk := fullTicket(t, srv)
		tk.GetCustomFields()["customfield_10030"] = bad
		_, _, err := c.CreateTicket(t.Context(), tk, v2.TicketSchema_builder{Id: everything}.Build())
		var fe *TicketFieldError
		if status.Code(err) != codes.InvalidArgument || !errors.As(err, &fe) || fe.Fields["customfield_10030"] == "" {
			t.Errorf("number %v: %v, want a field error for customfield_10030", bad, err)
		}
	}
	tk = fullTicket(t, srv)
	tk.SetDisplayName(strings.Repeat("é", 256))
	if _, _, err := c.CreateTicket(t.Context(), tk, v2.TicketSchema_builder{Id: everything}.Build()); status.Code(err) != codes.InvalidArgument {
		t.Errorf("256-character summary: %v, want InvalidArgument", err)
	}
	if n := srv.Stats().Routes["POST /rest/api/3/issue"]; n != posts {
		t.Errorf("%d creates sent for refused tickets", n-posts)
	}
	if n := srv.Stats().Routes["GET /rest/api/3/search/jql"]; n != 0 {
		t.Errorf("%d lookups after refused tickets", n)
	}
}

// TestADFToText: descriptions written in Jira's editor hold mentions,
// emoji, status lozenges and smart links, which carry their text in attrs;
// the ticket's plain-text description keeps them.
func TestADFToText(t *testing.T) {
	t.Parallel()
	doc := `{"type":"doc","version":1,"content":[
		{"type":"paragraph","content":[{"type":"mention","attrs":{"id":"5b10","text":"@Alice"}},{"type":"text","text":" needs access "},
			{"type":"emoji","attrs":{"shortName":":lock:","text":"🔒"}},{"type":"hardBreak"},{"type":"text","text":"see "},
			{"type":"inlineCard","attrs":{"url":"https://acme.atlassian.net/browse/ACC-1"}},{"type":"text","text":" "},
			{"type":"status","attrs":{"text":"APPROVED","color":"green"}}]},
		{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"item"}]}]}]}]}`
	want := "@Alice needs access 🔒\nsee https://acme.atlassian.net/browse/ACC-1 APPROVED\nitem"
	if got := adfToText([]byte(doc)); got != want {
		t.Fatalf("adfToText:\n got %q\nwant %q", got, want)
	}
	if got := adfToText(jsonRaw(t, jira.ADFText("a\n\nb"))); got != "a\n\nb" {
		t.Fatalf("round trip of ADFText: %q", got)
	}
}

func jsonRaw(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCreateTicketCascadingSelect: a cascading select offers its parent
// options and each "Parent / Child" pair (ID "<parent>:<child>"); the pair
// is written as {"id": parent, "child": {"id": child}} and read back the
// same way.
func TestCreateTicketCascadingSelect(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(0, 0))
	c := ticketConnector(t, srv, nil)
	schema, _, err := c.GetTicketSchema(t.Context(), everything)
	if err != nil {
		t.Fatal(err)
	}
	var offered []string
	for _, v := range schema.GetCustomFields()[jiratest.FieldCascade].GetPickObjectValue().GetAllowedValues() {
		offered = append(offered, v.GetId()+"="+v.GetDisplayName())
	}
	if diff := cmp.Diff([]string{"10300=Okta", "10300:10301=Okta / Admin", "10300:10302=Okta / User", "10310=AWS", "10310:10311=AWS / PowerUser"}, offered); diff != "" {
		t.Fatalf("cascading select values (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		name   string
		value  *v2.TicketCustomField
		stored string
		readID string
	}{
		{"pair by ID", sdkticket.PickObjectValueField(jiratest.FieldCascade, v2.TicketCustomFieldObjectValue_builder{Id: "10300:10301"}.Build()),
			`{"child":{"id":"10301","value":"Admin"},"id":"10300","value":"Okta"}`, "10300:10301"},
		{"pair by name", sdkticket.PickStringField(jiratest.FieldCascade, "okta / user"),
			`{"child":{"id":"10302","value":"User"},"id":"10300","value":"Okta"}`, "10300:10302"},
		{"parent only", sdkticket.PickStringField(jiratest.FieldCascade, "AWS"), `{"id":"10310","value":"AWS"}`, "10310"},
	} {
		tk := fullTicket(t, srv)
		tk.GetCustomFields()[jiratest.FieldCascade] = tc.value
		got, _, err := c.CreateTicket(t.Context(), tk, schema)
		if err != nil {
			t.Fatalf("%s: CreateTicket: %v", tc.name, err)
		}
		if s := string(storedIssue(t, srv, got.GetId()).CustomFields[jiratest.FieldCascade]); s != tc.stored {
			t.Errorf("%s: stored %s, want %s", tc.name, s, tc.stored)
		}
		if id := got.GetCustomFields()[jiratest.FieldCascade].GetPickObjectValue().GetValue().GetId(); id != tc.readID {
			t.Errorf("%s: read back %q, want %q", tc.name, id, tc.readID)
		}
	}
	tk := fullTicket(t, srv)
	tk.GetCustomFields()[jiratest.FieldCascade] = sdkticket.PickObjectValueField(jiratest.FieldCascade, v2.TicketCustomFieldObjectValue_builder{Id: "10300:10311"}.Build())
	_, _, err = c.CreateTicket(t.Context(), tk, schema)
	var fe *TicketFieldError
	if !errors.As(err, &fe) || !strings.Contains(fe.Fields[jiratest.FieldCascade], "Okta / Admin [10300:10301]") {
		t.Fatalf("a child of another parent: %v", err)
	}
}

// TestTicketSchemasPageShrinks: when Jira answers a re-read project page
// with fewer projects than before (it lowered the page size), the listing
// goes on from the token's project instead of ending early, and no project
// is lost.
func TestTicketSchemasPageShrinks(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(60, 0))
	rt := &lowerPageSize{base: http.DefaultTransport}
	c := ticketConnector(t, srv, func(cfg *Config) {
		cfg.JiraOptions = append(cfg.JiraOptions, jira.WithHTTPClient(&http.Client{Transport: rt}))
	})
	var clock atomic.Int64
	base := time.Now()
	// Every call sees the cached project page expired, so it re-reads it.
	c.tk.now = func() time.Time { return base.Add(time.Duration(clock.Add(1)) * metaTTL) }
	seen := map[string]bool{}
	tok := ""
	for calls := 0; ; calls++ {
		if calls > 500 {
			t.Fatal("ListTicketSchemas does not end")
		}
		var st schemaToken
		_ = json.Unmarshal([]byte(tok), &st)
		if tok != "" && st.PageCursor == "" && st.PageIndex == 30 {
			rt.size.Store(20) // from now on Jira answers 20 projects a page
		}
		page, next, _, err := c.ListTicketSchemas(t.Context(), &pagination.Token{Token: tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page {
			seen[s.GetId()] = true
		}
		if next == "" {
			break
		}
		tok = next
	}
	if rt.size.Load() == 0 {
		t.Fatal("the listing never reached the 31st project")
	}
	for i := 1; i <= 60; i++ {
		if id := "P" + pad3(i) + ":10001"; !seen[id] {
			t.Errorf("schema %s not listed after Jira lowered the project page size", id)
		}
	}
}

// lowerPageSize rewrites maxResults of project/search requests to size,
// once size is set.
type lowerPageSize struct {
	base http.RoundTripper
	size atomic.Int32
}

func (l *lowerPageSize) RoundTrip(r *http.Request) (*http.Response, error) {
	if n := l.size.Load(); n > 0 && strings.HasSuffix(r.URL.Path, "/project/search") {
		r = r.Clone(r.Context())
		q := r.URL.Query()
		q.Set("maxResults", strconv.Itoa(int(n)))
		r.URL.RawQuery = q.Encode()
	}
	return l.base.RoundTrip(r)
}

// addACCIssueType adds to project ACC an issue type id named name whose
// create screen is issue type 10001's, each field passed through keep (which
// may edit it; false leaves it off the screen).
func addACCIssueType(ten *jiratest.Tenant, id, name string, keep func(f *jiratest.IssueTypeField) bool) {
	var fields []jiratest.IssueTypeField
	for _, it := range ten.IssueTypes {
		if it.ID != "10001" {
			continue
		}
		for _, f := range it.Fields {
			if keep(&f) {
				fields = append(fields, f)
			}
		}
	}
	ten.IssueTypes = append(ten.IssueTypes, &jiratest.IssueType{ID: id, Name: name, Fields: fields})
	for _, p := range ten.Projects {
		if p.Key == "ACC" {
			p.IssueTypeIDs = append(p.IssueTypeIDs, id)
		}
	}
}

// lostAnswers makes the fake apply every request of route and then drop
// its answer (connection closed without a response).
func lostAnswers(route string) jiratest.Option {
	return jiratest.WithFaults(jiratest.Faults{Seed: 1, RateLostAnswer: 1, Routes: []string{route}})
}

func mutationsLike(srv *jiratest.Server, prefix string) []string {
	var out []string
	for _, m := range srv.MutationLog() {
		if strings.HasPrefix(m.Summary, prefix) {
			out = append(out, m.Summary)
		}
	}
	return out
}

// TestTransitionTicketLostAnswer: the answer to POST …/transitions is lost
// after Jira made the transition. The connector reads the status back,
// finds the issue moved and reports success without sending the
// transition again.
func TestTransitionTicketLostAnswer(t *testing.T) {
	t.Parallel()
	const route = "POST /rest/api/3/issue/{issueIdOrKey}/transitions"
	srv := newTestServer(t, jiratest.NewTicketingTenant(1, 0), lostAnswers(route))
	c := ticketConnector(t, srv, nil)
	tk, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "move me"}.Build(), v2.TicketSchema_builder{Id: "P001:10001"}.Build())
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetStats()
	done, err := c.TransitionTicket(t.Context(), tk.GetId(), "Done")
	if err != nil || done.GetStatus().GetId() != "10001" {
		t.Fatalf("TransitionTicket after a lost answer = %v, %v; want status Done (10001)", done.GetStatus(), err)
	}
	st := srv.Stats()
	if st.FaultKinds["lost-answer"] != 1 {
		t.Fatalf("fault kinds %v: the transition's answer was not lost", st.FaultKinds)
	}
	if n := st.Routes[route]; n != 1 {
		t.Errorf("POST transitions sent %d times, want 1", n)
	}
	if got := mutationsLike(srv, "transitioned issue"); len(got) != 1 {
		t.Errorf("transitions made %v, want exactly one", got)
	}
	// Read before choosing the transition, read back after the lost
	// answer, and the final read of the ticket.
	if n := st.Routes["GET /rest/api/3/issue/{issueIdOrKey}"]; n < 3 {
		t.Errorf("GET issue %d times: the status was not read back after the lost answer", n)
	}
}

// commentFaults fails POST …/comment requests: the first before ones
// before they reach Jira. With failLookup, reading an issue's comments
// fails (403).
type commentFaults struct {
	base       http.RoundTripper
	before     atomic.Int32
	failLookup bool
}

func (f *commentFaults) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/comment") {
		if r.Method == http.MethodPost && f.before.Add(-1) >= 0 {
			return nil, io.ErrUnexpectedEOF
		}
		if r.Method == http.MethodGet && f.failLookup {
			return &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(`{"errorMessages":["no"],"errors":{}}`)), Request: r}, nil
		}
	}
	return f.base.RoundTrip(r)
}

// TestCommentTicketLostAnswer: a comment whose answer is lost is looked
// for by its request property: found, it is the result and is not sent
// again; not found (the request never reached Jira), it is sent once more;
// when the check fails, the caller gets Aborted, told what to look for.
func TestCommentTicketLostAnswer(t *testing.T) {
	t.Parallel()
	const route = "POST /rest/api/3/issue/{issueIdOrKey}/comment"
	for _, tc := range []struct {
		name       string
		lost       bool // the fake adds the comment, then drops the answer
		before     int32
		failLookup bool
		wantPosts  int
		wantErr    []string
	}{
		{"answer lost after the comment was added", true, 0, false, 1, nil},
		{"request failed before reaching Jira", false, 1, false, 1, nil},
		{"answer lost and the check fails", true, 0, true, 1, []string{"may have been added", "the check for it failed too",
			"look among the comments of", RequestPropertyKey, "before trying again"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []jiratest.Option
			if tc.lost {
				opts = append(opts, lostAnswers(route))
			}
			srv := newTestServer(t, jiratest.NewTicketingTenant(1, 0), opts...)
			rt := &commentFaults{base: http.DefaultTransport, failLookup: tc.failLookup}
			rt.before.Store(tc.before)
			c := ticketConnector(t, srv, func(cfg *Config) {
				cfg.JiraOptions = append(cfg.JiraOptions, jira.WithHTTPClient(&http.Client{Transport: rt}))
			})
			tk, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "comment me"}.Build(), v2.TicketSchema_builder{Id: "P001:10001"}.Build())
			if err != nil {
				t.Fatal(err)
			}
			id, err := c.CommentTicket(t.Context(), tk.GetId(), "approved")
			if n := srv.Stats().Routes[route]; n != tc.wantPosts {
				t.Errorf("POST comment reached Jira %d times, want %d", n, tc.wantPosts)
			}
			cms := storedIssue(t, srv, tk.GetId()).Comments
			if len(cms) != 1 {
				t.Fatalf("%d comments on the issue, want exactly 1", len(cms))
			}
			if tc.wantErr == nil {
				if err != nil || id != cms[0].ID {
					t.Fatalf("CommentTicket = %q, %v; want comment %s", id, err, cms[0].ID)
				}
				if !strings.Contains(string(cms[0].Properties[RequestPropertyKey]), RequestLabelPrefix) {
					t.Errorf("comment properties %v: no request ID", cms[0].Properties)
				}
				return
			}
			if status.Code(err) != codes.Aborted || id != "" {
				t.Fatalf("CommentTicket = %q, %v; want Aborted", id, err)
			}
			for _, sub := range tc.wantErr {
				if !strings.Contains(err.Error(), sub) {
					t.Errorf("error %q does not say %q", err, sub)
				}
			}
		})
	}
}

// endsCallerMidCreate plays a caller whose deadline falls while POST /issue
// is in flight: the create reaches Jira (unless before is set), and the
// caller's context ends before the answer comes back. With hangSearch,
// searches never answer (they end with their context).
type endsCallerMidCreate struct {
	base       http.RoundTripper
	cancel     context.CancelCauseFunc
	before     bool
	hangSearch bool
	searches   atomic.Int32
}

func (e *endsCallerMidCreate) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/rest/api/3/issue") {
		if !e.before {
			resp, err := e.base.RoundTrip(r)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		e.cancel(context.DeadlineExceeded)
		return nil, context.DeadlineExceeded
	}
	if strings.HasSuffix(r.URL.Path, "/search/jql") {
		e.searches.Add(1)
		if e.hangSearch {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
	}
	return e.base.RoundTrip(r)
}

// TestCreateTicketCallerDeadlineMidCreate: the caller's deadline falls
// while the create is in flight. The connector still looks for the issue
// (on a detached, bounded context): found, it is the result; not found, or
// the search itself failing, gives Aborted naming the label to search by.
// The create is never sent twice.
func TestCreateTicketCallerDeadlineMidCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		before     bool // the create never reached Jira
		hangSearch bool
		wantIssues int
		wantErr    []string // empty: the created ticket comes back
	}{
		{"create took effect", false, false, 1, nil},
		{"create never reached Jira", true, false, 0, []string{"no issue with its request ID was found", "search for label baton-"}},
		{"the check fails too", false, true, 1, []string{"may have made an issue", "the check for it failed too", "search for label baton-"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, jiratest.NewTicketingTenant(1, 0))
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			rt := &endsCallerMidCreate{base: http.DefaultTransport, cancel: cancel, before: tc.before, hangSearch: tc.hangSearch}
			c := ticketConnector(t, srv, func(cfg *Config) {
				cfg.JiraOptions = append(cfg.JiraOptions, jira.WithHTTPClient(&http.Client{Transport: rt}))
			})
			c.tk.detachedTimeout = 2 * time.Second
			tk, _, err := c.CreateTicket(ctx, v2.Ticket_builder{DisplayName: "late", Status: v2.TicketStatus_builder{Id: "3"}.Build()}.Build(),
				v2.TicketSchema_builder{Id: "P001:10001"}.Build())
			if ctx.Err() == nil {
				t.Fatal("the caller's context did not end mid-create")
			}
			if got := len(srv.Snapshot().Issues); got != tc.wantIssues {
				t.Errorf("%d issues in Jira, want %d", got, tc.wantIssues)
			}
			if n := srv.Stats().Routes["POST /rest/api/3/issue"]; n > 1 {
				t.Errorf("the create reached Jira %d times", n)
			}
			if rt.searches.Load() == 0 {
				t.Errorf("no search for the request label after the caller's context ended")
			}
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("CreateTicket = %v; want the issue the create made", err)
				}
				is := srv.Snapshot().Issues[0]
				if tk.GetId() != is.ID || !strings.HasSuffix(tk.GetUrl(), "/browse/"+is.Key) || tk.GetStatus().GetId() != "3" {
					t.Errorf("ticket %s %s status %v, want issue %s in status 3", tk.GetId(), tk.GetUrl(), tk.GetStatus(), is.ID)
				}
				return
			}
			if status.Code(err) != codes.Aborted || tk != nil {
				t.Fatalf("CreateTicket = %v, %v; want Aborted", tk, err)
			}
			for _, sub := range tc.wantErr {
				if !strings.Contains(err.Error(), sub) {
					t.Errorf("error %q does not say %q", err, sub)
				}
			}
		})
	}
}

// TestTicketStatusesPerIssueType: an Access Request follows its own
// workflow (Waiting for approval → Approved/Declined → Done), a Task the
// default one; a ticket reaches only the statuses of its own workflow.
func TestTicketStatusesPerIssueType(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(0, 0))
	c := ticketConnector(t, srv, nil)
	ar, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "access", CustomFields: map[string]*v2.TicketCustomField{
		"customfield_10040": sdkticket.PickStringField("customfield_10040", "Read"),
		"customfield_10060": sdkticket.StringField("customfield_10060", "needed"),
	}}.Build(), v2.TicketSchema_builder{Id: "ACC:10005"}.Build())
	if err != nil || ar.GetStatus().GetId() != jiratest.StatusWaitingForApproval {
		t.Fatalf("new Access Request: %v, %v; want status Waiting for approval", ar.GetStatus(), err)
	}
	_, _, err = c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "task", Status: v2.TicketStatus_builder{DisplayName: "Approved"}.Build()}.Build(),
		v2.TicketSchema_builder{Id: "ACC:10001"}.Build())
	var fe *TicketFieldError
	if !errors.As(err, &fe) || !strings.Contains(fe.Fields["status"], "one of: To Do [10000], In Progress [3], Done [10001]") {
		t.Fatalf("new Task asked to be Approved: %v; want a status error listing the Task workflow's statuses", err)
	}
	task, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "task"}.Build(), v2.TicketSchema_builder{Id: "ACC:10001"}.Build())
	if err != nil || task.GetStatus().GetId() != "10000" {
		t.Fatalf("new Task: %v, %v; want To Do", task.GetStatus(), err)
	}
	if _, err := c.TransitionTicket(t.Context(), task.GetId(), "Approved"); status.Code(err) != codes.InvalidArgument ||
		!strings.Contains(err.Error(), "In Progress [3]") || strings.Contains(err.Error(), "Approved [") {
		t.Errorf("Task to Approved: %v; want InvalidArgument listing only the Task workflow's statuses", err)
	}
	if _, err := c.TransitionTicket(t.Context(), ar.GetId(), "In Progress"); status.Code(err) != codes.InvalidArgument ||
		!strings.Contains(err.Error(), "Approved [10003]") || strings.Contains(err.Error(), "In Progress [") {
		t.Errorf("Access Request to In Progress: %v; want InvalidArgument listing only its workflow's statuses", err)
	}
	got, err := c.TransitionTicket(t.Context(), ar.GetId(), "approved")
	if err != nil || got.GetStatus().GetId() != jiratest.StatusApproved || storedIssue(t, srv, ar.GetId()).StatusID != jiratest.StatusApproved {
		t.Fatalf("Access Request to Approved: %v, %v", got.GetStatus(), err)
	}
}

// TestUpdateTicketEditScreen: updates are checked against the issue's edit
// screen, not the create screen: a field only on the edit screen can be
// set; a field only on the create screen is refused before anything is
// sent.
func TestUpdateTicketEditScreen(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.NewTicketingTenant(0, 0))
	c := ticketConnector(t, srv, nil)
	tk, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "access", CustomFields: map[string]*v2.TicketCustomField{
		"customfield_10040": sdkticket.PickStringField("customfield_10040", "Read"),
		"customfield_10060": sdkticket.StringField("customfield_10060", "needed"),
	}}.Build(), v2.TicketSchema_builder{Id: "ACC:10005"}.Build())
	if err != nil {
		t.Fatal(err)
	}
	const put = "PUT /rest/api/3/issue/{issueIdOrKey}"
	if _, err := c.UpdateTicket(t.Context(), tk.GetId(), v2.Ticket_builder{CustomFields: map[string]*v2.TicketCustomField{
		jiratest.FieldResolutionNotes: sdkticket.StringField(jiratest.FieldResolutionNotes, "granted for a quarter"),
	}}.Build()); err != nil {
		t.Fatalf("update of a field on the edit screen only: %v", err)
	}
	if got := string(storedIssue(t, srv, tk.GetId()).CustomFields[jiratest.FieldResolutionNotes]); got != `"granted for a quarter"` {
		t.Errorf("stored resolution notes %s", got)
	}
	srv.ResetStats()
	_, err = c.UpdateTicket(t.Context(), tk.GetId(), v2.Ticket_builder{CustomFields: map[string]*v2.TicketCustomField{
		"customfield_10050": sdkticket.StringsField("customfield_10050", []string{srv.Snapshot().AdminAccountID}),
	}}.Build())
	var fe *TicketFieldError
	if status.Code(err) != codes.InvalidArgument || !errors.As(err, &fe) ||
		!strings.Contains(fe.Fields["customfield_10050"], "not on the edit screen of Access Request in ACC") {
		t.Fatalf("update of a field on the create screen only: %v", err)
	}
	if n := srv.Stats().Routes[put]; n != 0 {
		t.Errorf("the refused update was sent (%d PUTs)", n)
	}
}

// TestCommentLookupManyRecentComments: when more recent comments exist than
// the lookup reads (a next page, by Jira's answer), a comment that is not
// among them may still exist: the connector does not resend it blindly but
// answers Aborted, saying why.
func TestCommentLookupManyRecentComments(t *testing.T) {
	t.Parallel()
	const route = "POST /rest/api/3/issue/{issueIdOrKey}/comment"
	srv := newTestServer(t, jiratest.NewTicketingTenant(1, 0))
	rt := &commentFaults{base: http.DefaultTransport}
	c := ticketConnector(t, srv, func(cfg *Config) {
		cfg.JiraOptions = append(cfg.JiraOptions, jira.WithHTTPClient(&http.Client{Transport: rt}))
	})
	tk, _, err := c.CreateTicket(t.Context(), v2.Ticket_builder{DisplayName: "busy issue"}.Build(), v2.TicketSchema_builder{Id: "P001:10001"}.Build())
	if err != nil {
		t.Fatal(err)
	}
	const earlier = commentLookupPage + 10
	for i := range earlier {
		if _, err := c.CommentTicket(t.Context(), tk.GetId(), fmt.Sprintf("note %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	rt.before.Store(1) // the next comment fails before reaching Jira
	id, err := c.CommentTicket(t.Context(), tk.GetId(), "approved")
	if status.Code(err) != codes.Aborted || id != "" || !strings.Contains(err.Error(), fmt.Sprintf("more than %d comments", commentLookupPage)) {
		t.Fatalf("CommentTicket = %q, %v; want Aborted saying more than %d recent comments", id, err, commentLookupPage)
	}
	if n := srv.Stats().Routes[route]; n != earlier {
		t.Errorf("POST comment reached Jira %d times, want %d (the earlier comments only)", n, earlier)
	}
}
