package connector

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	sdkticket "github.com/conductorone/baton-sdk/pkg/types/ticket"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/grpc-ecosystem/go-grpc-middleware/logging/zap/ctxzap"

	"github.com/batonkit/jiracloud/jira"
)

var _ connectorbuilder.TicketManagerLimited = (*Connector)(nil)

// RequestLabelPrefix starts the label CreateTicket puts on every issue it
// creates ("baton-" and a random UUID). After a create whose answer was
// lost, the connector searches for that label before trying again, so a
// retry never makes a second issue.
const RequestLabelPrefix = "baton-"

// RequestPropertyKey is the issue entity property CreateTicket sets, to
// {"id": "baton-<uuid>"}, when the issue type's create screen has no Labels
// field. Entity properties do not depend on screens, so after a lost answer
// the connector can still find the issue: among the issues the account
// created in the project in the last minutes, the one with that property.
const RequestPropertyKey = "batonkit.request"

// propertyLookupPages bounds the search pages (100 issues each) read when
// looking for a lost create by its request property.
const propertyLookupPages = 10

// defaultLookupWaits are the pauses before each search for an issue whose
// create failed ambiguously: Jira's search index can lag a little.
var defaultLookupWaits = []time.Duration{0, time.Second, 3 * time.Second}

// maxCreateAttempts bounds the creates of one ticket (each after a search
// proved the previous one made no issue).
const maxCreateAttempts = 3

// bulkConcurrency is the number of tickets a bulk call handles at once.
const bulkConcurrency = 4

// TicketFieldError reports the fields of a ticket that Jira would reject
// (or did reject). It is the cause of the InvalidArgument error CreateTicket
// and UpdateTicket return, so errors.As finds it.
type TicketFieldError struct {
	// SchemaID is the ticket schema ("<projectKey>:<issueTypeId>"), or "".
	SchemaID string
	// Fields maps a field ID ("summary", "customfield_10040", …) to what is
	// wrong with its value.
	Fields map[string]string
	// Messages are problems not tied to one field.
	Messages []string
}

func (e *TicketFieldError) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, k+": "+e.Fields[k])
	}
	parts = append(parts, e.Messages...)
	where := ""
	if e.SchemaID != "" {
		where = " for schema " + e.SchemaID
	}
	return "invalid ticket" + where + ": " + strings.Join(parts, "; ")
}

func fieldErr(op string, fe *TicketFieldError) error {
	return &statusError{st: status.New(codes.InvalidArgument, errPrefix+op+": "+fe.Error()), cause: fe}
}

// newRequestLabel returns "baton-" and a random (version 4) UUID.
func newRequestLabel() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return RequestLabelPrefix + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// CreateTicket creates a Jira issue from a ticket in the project and issue
// type of the schema ("<projectKey>:<issueTypeId>"): summary from
// DisplayName, description (as an ADF document), labels (spaces become
// underscores, as in baton-jira), custom fields, and the status if one is
// given (by a transition after the create). The ticket is checked against
// the issue type's current create screen first; every problem Jira would
// reject (missing required field, unknown field, value not allowed, wrong
// type) comes back at once as an InvalidArgument error whose cause is a
// [*TicketFieldError]. Jira's own 400 field errors are reported the same way.
//
// Each create carries a request ID (RequestLabelPrefix + UUID): as a label,
// or, when the create screen has no Labels field, as the entity property
// RequestPropertyKey. If the answer is lost (timeout, connection reset,
// 5xx), the connector searches for it: a found issue is the result;
// otherwise the create is sent again, at most three times in all. So a
// retry does not duplicate an issue (unless Jira's search index lags more
// than the lookup waits). If the caller's context ends while the create is
// in flight, the search still runs, on a detached context bounded to 15 s:
// a found issue is returned (its status set and read back on a second
// detached context, also bounded to 15 s, so 30 s in all); otherwise the
// error is Aborted and names the label (or property) to search by before
// trying again.
func (c *Connector) CreateTicket(ctx context.Context, t *v2.Ticket, schema *v2.TicketSchema) (*v2.Ticket, annotations.Annotations, error) {
	if schema == nil || schema.GetId() == "" {
		return nil, nil, errorf(codes.InvalidArgument, "%s: a ticket schema is required (its ID is <projectKey>:<issueTypeId>)", opCreateTicket)
	}
	if t == nil {
		return nil, nil, errorf(codes.InvalidArgument, "%s: the ticket is empty", opCreateTicket)
	}
	schemaID, t, err := legacySchemaID(schema.GetId(), t)
	if err != nil {
		return nil, nil, err
	}
	m, err := c.issueTypeMetaFor(ctx, schemaID, opCreateTicket, false)
	if err != nil {
		return nil, nil, err
	}
	create, fe := c.buildCreate(m, t)
	if fe != nil {
		return nil, nil, fieldErr(opCreateTicket, fe)
	}
	req := requestMark{id: c.tk.label(), since: c.tk.clock()}
	if _, ok := m.field("labels"); ok {
		req.label = true
		create.Fields["labels"] = append(create.Fields["labels"].([]string), req.id)
	} else {
		create.Properties = []jira.EntityProperty{{Key: RequestPropertyKey, Value: map[string]string{"id": req.id}}}
	}
	ci, err := c.createOnce(ctx, m, create, req)
	if err != nil {
		return nil, nil, err
	}
	// The issue exists. If the caller's context has ended, finish (status,
	// read-back) on a bounded detached one: an error now would make the
	// caller create the ticket again.
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = c.detached(ctx)
		defer cancel()
	}
	if st := t.GetStatus(); st.GetId() != "" || st.GetDisplayName() != "" {
		if err := c.transitionTo(ctx, string(ci.ID), cmpOr(st.GetId(), st.GetDisplayName())); err != nil {
			// The issue exists: report it with its actual status rather
			// than fail (a failed create would be retried as a new issue).
			ctxzap.Extract(ctx).Warn("baton-jira: created ticket but could not set its status",
				zap.String("issue", string(ci.Key)), zap.Error(err))
		}
	}
	tk, an, err := c.getTicket(ctx, string(ci.ID), opCreateTicket)
	if err != nil && ctx.Err() != nil {
		dctx, cancel := c.detached(ctx)
		defer cancel()
		tk, an, err = c.getTicket(dctx, string(ci.ID), opCreateTicket)
	}
	return tk, an, err
}

// legacySchemaID handles the schemas of older baton-jira configurations:
// the schema ID is the project key alone and the issue type is the ticket's
// "issue_type" custom field (a picked object, or a string), next to a
// "project" custom field. It returns "<projectKey>:<issueTypeId>" and the
// ticket without those two fields; other schema IDs come back as they are.
func legacySchemaID(id string, t *v2.Ticket) (string, *v2.Ticket, error) {
	id = strings.TrimSpace(id)
	if strings.Contains(id, ":") {
		return id, t, nil
	}
	cf := t.GetCustomFields()["issue_type"]
	it := cmpOr(cf.GetPickObjectValue().GetValue().GetId(), cmpOr(cf.GetStringValue().GetValue(), cf.GetPickStringValue().GetValue()))
	if strings.TrimSpace(it) == "" {
		return "", nil, errorf(codes.InvalidArgument, "%s: ticket schema ID %q is not <projectKey>:<issueTypeId> (e.g. PROJ:10001), "+
			"and the ticket has no issue_type custom field (older baton-jira schemas); list the schemas to find a valid one", opCreateTicket, id)
	}
	t = proto.Clone(t).(*v2.Ticket)
	cfs := maps.Clone(t.GetCustomFields())
	delete(cfs, "issue_type")
	delete(cfs, "project")
	t.SetCustomFields(cfs)
	return id + ":" + strings.TrimSpace(it), t, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (t *ticketing) label() string {
	if t.newLabel != nil {
		return t.newLabel()
	}
	return newRequestLabel()
}

// ambiguousWrite reports whether a failed write may still have been applied:
// a 5xx or a transport failure after the request may have left. A 4xx
// (including 429, which Jira answers before doing anything) is definite.
func ambiguousWrite(err error) bool {
	var je *jira.Error
	if errors.As(err, &je) {
		return je.StatusCode >= 500 && je.StatusCode != http.StatusNotImplemented
	}
	return true // transport errors, timeouts, cancellation, truncated answers: unknown outcome
}

// requestMark is how a create can be found again: its request ID is a
// label of the issue (label) or the value of its RequestPropertyKey
// property; since is when the first attempt was sent.
type requestMark struct {
	id    string
	label bool
	since time.Time
}

// where says how to find the issue by hand.
func (r requestMark) where(key jira.ProjectKey) string {
	if r.label {
		return "search for label " + r.id + " in project " + string(key)
	}
	return "look in project " + string(key) + " for an issue with entity property " + RequestPropertyKey + ` = {"id":"` + r.id + `"}`
}

// createOnce sends the create and, after an ambiguous failure, looks for
// the request label (or property) before sending it again.
func (c *Connector) createOnce(ctx context.Context, m *issueTypeMeta, create jira.IssueCreate, req requestMark) (*jira.CreatedIssue, error) {
	label := req.id // the request ID (a label or a property value), for the log
	var lastErr error
	for attempt := 1; attempt <= maxCreateAttempts; attempt++ {
		ci, _, err := c.jira.Issues.Create(ctx, create)
		if err == nil {
			return ci, nil
		}
		var je *jira.Error
		if errors.As(err, &je) && je.StatusCode == http.StatusBadRequest && (len(je.FieldErrors) > 0 || len(je.Messages) > 0) {
			return nil, fieldErr(opCreateTicket, &TicketFieldError{SchemaID: m.schemaID(), Fields: je.FieldErrors, Messages: je.Messages})
		}
		if !ambiguousWrite(err) {
			return nil, wrapErr(opCreateTicket, err)
		}
		lastErr = err
		// When the caller's context has ended (its deadline fell during
		// the create), the check still runs, on a detached context bounded
		// by detachedTimeout: returning Aborted without it would make the
		// caller retry and duplicate an issue that exists.
		interrupted := ctx.Err() != nil
		found, ferr := c.findCreate(ctx, interrupted, m.project.Key, req)
		if ferr != nil && !interrupted && ctx.Err() != nil { // the caller's context ended during the check
			interrupted = true
			found, ferr = c.findCreate(ctx, true, m.project.Key, req)
		}
		if found != nil {
			ctxzap.Extract(ctx).Info("baton-jira: a create whose answer was lost had made the issue",
				zap.String("issue", string(found.Key)), zap.String("label", label), zap.Int("attempt", attempt),
				zap.Bool("callerContextEnded", interrupted))
			return &jira.CreatedIssue{ID: found.ID, Key: found.Key, Self: found.Self}, nil
		}
		if ferr != nil {
			why := err.Error()
			if interrupted {
				why = "interrupted: " + context.Cause(ctx).Error()
			}
			return nil, errorf(codes.Aborted, "%s: the create failed (%s) and may have made an issue; the check for it failed too (%v): %s before trying again",
				opCreateTicket, why, ferr, req.where(m.project.Key))
		}
		if interrupted {
			return nil, errorf(codes.Aborted, "%s: the create was interrupted (%v) before Jira answered; no issue with its request ID was found, "+
				"so it most likely made none (Jira's search can lag a few seconds: %s before trying again)",
				opCreateTicket, context.Cause(ctx), req.where(m.project.Key))
		}
	}
	return nil, wrapErr(opCreateTicket, fmt.Errorf("no issue was made after %d attempts: %w", maxCreateAttempts, lastErr))
}

// defaultDetachedTimeout bounds the work the connector does after the
// caller's context ended in the middle of a create: the search for the
// issue the create may have made, and reading back the issue it did make.
const defaultDetachedTimeout = 15 * time.Second

// detachedKey marks a context made by detached.
type detachedKey struct{}

// detached returns a context that keeps ctx's values but not its
// cancellation, bounded by the detached timeout. A context detached
// already is returned as it is (with its own deadline), so detaching again
// never extends the bound.
func (c *Connector) detached(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Value(detachedKey{}) != nil {
		return ctx, func() {}
	}
	d := c.tk.detachedTimeout
	if d <= 0 {
		d = defaultDetachedTimeout
	}
	return context.WithTimeout(context.WithValue(context.WithoutCancel(ctx), detachedKey{}, true), d)
}

// findCreate looks for the issue of request req by its label or property;
// detach runs the search on a detached context (the caller's has ended).
func (c *Connector) findCreate(ctx context.Context, detach bool, key jira.ProjectKey, req requestMark) (*jira.Issue, error) {
	if detach {
		var cancel context.CancelFunc
		ctx, cancel = c.detached(ctx)
		defer cancel()
	}
	if req.label {
		return c.findByLabel(ctx, key, req.id)
	}
	return c.findByProperty(ctx, key, req)
}

// findByLabel searches the project for the issue carrying label. It
// returns nil, nil when no issue has the label.
func (c *Connector) findByLabel(ctx context.Context, key jira.ProjectKey, label string) (*jira.Issue, error) {
	jql := "project = " + jira.QuoteJQL(string(key)) + " AND labels = " + jira.QuoteJQL(label)
	return c.lookup(ctx, func(ctx context.Context) (*jira.Issue, error) {
		issues, _, err := c.jira.Issues.Search(ctx, jql, &jira.SearchOptions{Fields: []string{"summary", "labels"}, PageSize: 2})
		if err != nil || len(issues) == 0 {
			return nil, err
		}
		return &issues[0], nil
	})
}

// findByProperty looks for the issue whose RequestPropertyKey property
// holds req.id among the issues the account created in the project since
// shortly before req.since (newest first, at most propertyLookupPages
// pages). It returns nil, nil when there is none.
func (c *Connector) findByProperty(ctx context.Context, key jira.ProjectKey, req requestMark) (*jira.Issue, error) {
	return c.lookup(ctx, func(ctx context.Context) (*jira.Issue, error) {
		// JQL's relative dates need no time zone; two minutes of margin
		// cover clock skew between this host and Jira.
		mins := int(c.tk.clock().Sub(req.since).Minutes()) + 3
		jql := "project = " + jira.QuoteJQL(string(key)) + " AND creator = currentUser() AND created >= " +
			jira.QuoteJQL("-"+strconv.Itoa(mins)+"m") + " ORDER BY created DESC"
		return c.scanForProperty(ctx, jql, req.id)
	})
}

// lookup runs search once per pause of lookupWaits (Jira's search index
// lags behind a create), after waiting that pause, until it finds the
// issue. It returns nil, nil when no attempt found it and the last one
// succeeded, else the last attempt's error.
func (c *Connector) lookup(ctx context.Context, search func(context.Context) (*jira.Issue, error)) (*jira.Issue, error) {
	waits := c.tk.lookupWaits
	if waits == nil {
		waits = defaultLookupWaits
	}
	var lastErr error
	for _, w := range waits {
		if w > 0 {
			t := time.NewTimer(w)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			}
		}
		found, err := search(ctx)
		if err != nil {
			lastErr = err
			continue
		}
		lastErr = nil
		if found != nil {
			return found, nil
		}
	}
	return nil, lastErr
}

func (c *Connector) scanForProperty(ctx context.Context, jql, id string) (*jira.Issue, error) {
	opts := &jira.SearchOptions{Fields: []string{"summary"}, Properties: []string{RequestPropertyKey}}
	for range propertyLookupPages {
		issues, resp, err := c.jira.Issues.Search(ctx, jql, opts)
		if err != nil {
			return nil, err
		}
		for i := range issues {
			var v struct {
				ID string `json:"id"`
			}
			if raw := issues[i].Properties[RequestPropertyKey]; raw != nil && json.Unmarshal(raw, &v) == nil && v.ID == id {
				return &issues[i], nil
			}
		}
		if resp.NextCursor == "" {
			return nil, nil
		}
		opts.Cursor = resp.NextCursor
	}
	return nil, fmt.Errorf("more than %d pages of recent issues to look through", propertyLookupPages)
}

// buildCreate turns a ticket into the create request, checking every field.
func (c *Connector) buildCreate(m *issueTypeMeta, t *v2.Ticket) (jira.IssueCreate, *TicketFieldError) {
	fe := &TicketFieldError{SchemaID: m.schemaID(), Fields: map[string]string{}}
	create := jira.NewIssueCreate(string(m.project.ID), m.issueType.ID, strings.TrimSpace(t.GetDisplayName()))
	if strings.TrimSpace(t.GetDisplayName()) == "" {
		fe.Fields["summary"] = "required: set the ticket's display name"
	} else if strings.ContainsAny(t.GetDisplayName(), "\r\n") || jiraLen(t.GetDisplayName()) > 255 {
		fe.Fields["summary"] = "must be one line of at most 255 characters"
	}
	if d := t.GetDescription(); strings.TrimSpace(d) != "" {
		if _, ok := m.field("description"); !ok {
			fe.Fields["description"] = "not on the create screen of " + m.issueType.Name + " in " + string(m.project.Key)
		} else {
			create.SetDescription(d)
		}
	} else if f, ok := m.field("description"); ok && f.Required && !f.HasDefaultValue {
		fe.Fields["description"] = "required (" + f.Name + "): set the ticket's description"
	}
	if _, ok := m.field("labels"); ok {
		create.Fields["labels"] = normalizeLabels(t.GetLabels())
	} else if len(t.GetLabels()) > 0 {
		fe.Fields["labels"] = "not on the create screen of " + m.issueType.Name + " in " + string(m.project.Key)
	}
	if st := t.GetStatus(); st != nil && (st.GetId() != "" || st.GetDisplayName() != "") {
		if !slices.ContainsFunc(m.statuses, func(s jira.IssueStatus) bool {
			want := cmpOr(st.GetId(), st.GetDisplayName())
			return s.ID == want || strings.EqualFold(s.Name, want)
		}) {
			fe.Fields["status"] = fmt.Sprintf("%q is not a status of %s in %s (one of: %s)", cmpOr(st.GetId(), st.GetDisplayName()),
				m.issueType.Name, m.project.Key, statusNames(m.statuses))
		}
	}
	cfs := t.GetCustomFields()
	for _, id := range slices.Sorted(maps.Keys(cfs)) {
		cf := cfs[id]
		f, ok := m.field(id)
		if !ok || !offered(f) {
			fe.Fields[id] = "not a field of the create screen of " + m.issueType.Name + " in " + string(m.project.Key)
			continue
		}
		v, present, msg := jiraValue(f, cf)
		if msg != "" {
			fe.Fields[id] = msg
			continue
		}
		if present {
			create.Set(f.FieldID, v)
		}
	}
	for _, f := range m.fields {
		id := string(f.FieldID)
		if !f.Required || f.HasDefaultValue || nativeFields[id] || fe.Fields[id] != "" {
			continue
		}
		if _, set := create.Fields[id]; !set {
			fe.Fields[id] = "required (" + f.Name + ")"
		}
	}
	if len(fe.Fields) > 0 {
		return create, fe
	}
	return create, nil
}

func statusNames(sts []jira.IssueStatus) string {
	var n []string
	for _, s := range sts {
		n = append(n, s.Name+" ["+s.ID+"]")
	}
	return strings.Join(n, ", ")
}

func normalizeLabels(in []string) []string {
	out := []string{}
	for _, l := range in {
		l = strings.Join(strings.Fields(l), "_")
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// jiraDateTime is the date-time format Jira accepts for datetime fields.
const jiraDateTime = "2006-01-02T15:04:05.000-0700"

// jiraValue converts a ticket custom field into the Jira value of field f.
// present is false for an empty value (nothing to set); msg says what is
// wrong, or is "".
func jiraValue(f jira.FieldCreateMetadata, cf *v2.TicketCustomField) (v any, present bool, msg string) {
	kind, _ := fieldKindOf(f)
	allowed := allowedValues(f)
	pick := func(s string) (string, bool) {
		for _, a := range allowed {
			if a.ID == s {
				return a.ID, true
			}
		}
		for _, a := range allowed {
			if strings.EqualFold(a.label(), s) {
				return a.ID, true
			}
		}
		return "", false
	}
	notAllowed := func(s string) string {
		var names []string
		for _, a := range allowed {
			names = append(names, a.label()+" ["+a.ID+"]")
		}
		return fmt.Sprintf("%q is not an allowed value (one of: %s)", s, strings.Join(names, ", "))
	}
	// Collect the ticket's value as strings, whatever SDK type carried it.
	var strs []string
	switch cf.WhichValue() {
	case v2.TicketCustomField_StringValue_case:
		strs = nonEmpty(cmpOr(cf.GetStringValue().GetValue(), cf.GetStringValue().GetDefaultValue()))
	case v2.TicketCustomField_StringValues_case:
		strs = nonEmpty(cf.GetStringValues().GetValues()...)
	case v2.TicketCustomField_PickStringValue_case:
		strs = nonEmpty(cf.GetPickStringValue().GetValue())
	case v2.TicketCustomField_PickMultipleStringValues_case:
		strs = nonEmpty(cf.GetPickMultipleStringValues().GetValues()...)
	case v2.TicketCustomField_PickObjectValue_case:
		strs = nonEmpty(cf.GetPickObjectValue().GetValue().GetId())
	case v2.TicketCustomField_PickMultipleObjectValues_case:
		for _, o := range cf.GetPickMultipleObjectValues().GetValues() {
			strs = append(strs, nonEmpty(o.GetId())...)
		}
	case v2.TicketCustomField_NumberValue_case:
		if kind != kindNumber {
			return nil, false, "a number was given, but " + f.Name + " is not a number field"
		}
		nv := cf.GetNumberValue().GetValue()
		if nv == nil {
			return nil, false, ""
		}
		f := float64(nv.GetValue())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, false, "a finite number is required"
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 32)), true, ""
	case v2.TicketCustomField_TimestampValue_case:
		ts := cf.GetTimestampValue().GetValue()
		if ts == nil {
			return nil, false, ""
		}
		switch kind {
		case kindDate:
			return ts.AsTime().UTC().Format("2006-01-02"), true, ""
		case kindDateTime:
			return ts.AsTime().UTC().Format(jiraDateTime), true, ""
		}
		return nil, false, "a timestamp was given, but " + f.Name + " is not a date field"
	case v2.TicketCustomField_BoolValue_case:
		return nil, false, "Jira has no yes/no fields; give " + f.Name + " a value of its type"
	default:
		return nil, false, "the value is empty or of an unknown type"
	}
	if len(strs) == 0 {
		return nil, false, ""
	}
	single := func() (string, string) {
		if len(strs) > 1 {
			return "", f.Name + " takes one value, got " + strconv.Itoa(len(strs))
		}
		return strs[0], ""
	}
	switch kind {
	case kindText:
		s, m := single()
		if m != "" {
			return nil, false, m
		}
		if strings.ContainsAny(s, "\r\n") || jiraLen(s) > 255 {
			return nil, false, "single-line text of at most 255 characters expected"
		}
		return s, true, ""
	case kindADF:
		return jira.ADFText(strings.Join(strs, "\n")), true, ""
	case kindNumber:
		s, m := single()
		if m != "" {
			return nil, false, m
		}
		// ParseFloat also takes NaN, Inf, hex and "_" separators, none of
		// which is a JSON number: send the number's own shortest form.
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, false, fmt.Sprintf("%q is not a number", s)
		}
		return json.Number(strconv.FormatFloat(n, 'g', -1, 64)), true, ""
	case kindDate, kindDateTime:
		s, m := single()
		if m != "" {
			return nil, false, m
		}
		var ts time.Time
		var err error
		if ts, err = time.Parse(time.RFC3339, s); err != nil {
			if ts, err = time.Parse("2006-01-02", s); err != nil {
				return nil, false, fmt.Sprintf("%q is not a date (use YYYY-MM-DD or RFC 3339)", s)
			}
		}
		if kind == kindDate {
			return ts.Format("2006-01-02"), true, ""
		}
		return ts.Format(jiraDateTime), true, ""
	case kindUser:
		s, m := single()
		if m != "" {
			return nil, false, m
		}
		return map[string]string{"accountId": s}, true, ""
	case kindGroup:
		s, m := single()
		if m != "" {
			return nil, false, m
		}
		return map[string]string{"name": s}, true, ""
	case kindUsers:
		var out []map[string]string
		for _, s := range strs {
			out = append(out, map[string]string{"accountId": s})
		}
		return out, true, ""
	case kindGroups:
		var out []map[string]string
		for _, s := range strs {
			out = append(out, map[string]string{"name": s})
		}
		return out, true, ""
	case kindStrings:
		if strings.HasSuffix(f.Schema.Custom, ":labels") {
			return normalizeLabels(strs), true, ""
		}
		return strs, true, ""
	case kindOption:
		s, m := single()
		if m != "" {
			return nil, false, m
		}
		id, ok := pick(s)
		if !ok {
			return nil, false, notAllowed(s)
		}
		if parent, child, ok := strings.Cut(id, cascadeSep); ok {
			return map[string]any{"id": parent, "child": map[string]string{"id": child}}, true, ""
		}
		return map[string]string{"id": id}, true, ""
	case kindOptions:
		var out []map[string]string
		for _, s := range strs {
			id, ok := pick(s)
			if !ok {
				return nil, false, notAllowed(s)
			}
			out = append(out, map[string]string{"id": id})
		}
		return out, true, ""
	}
	s, m := single()
	if m != "" {
		return nil, false, m
	}
	if json.Valid([]byte(s)) && (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) {
		return json.RawMessage(s), true, ""
	}
	return s, true, ""
}

// jiraLen is the length of s as Jira counts it for its 255-character
// limits: UTF-16 code units (Java string length), not bytes.
func jiraLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// GetTicket returns the issue with the given ID or key as a ticket.
func (c *Connector) GetTicket(ctx context.Context, ticketID string) (*v2.Ticket, annotations.Annotations, error) {
	if strings.TrimSpace(ticketID) == "" {
		return nil, nil, errorf(codes.InvalidArgument, "%s: the ticket ID is empty", opGetTicket)
	}
	return c.getTicket(ctx, ticketID, opGetTicket)
}

func (c *Connector) getTicket(ctx context.Context, id, op string) (*v2.Ticket, annotations.Annotations, error) {
	is, _, err := c.jira.Issues.Get(ctx, id, nil)
	if err != nil {
		if errors.Is(err, jira.ErrNotFound) {
			return nil, nil, errorf(codes.NotFound, "%s: issue %q does not exist or the account cannot browse it", op, id)
		}
		return nil, nil, wrapErr(op, err)
	}
	base, err := c.browseBase(ctx)
	if err != nil {
		return nil, nil, err
	}
	t := ticketFromIssue(is, base)
	// The schema's custom fields, read back in the SDK's types. Without
	// create metadata (the issue type can no longer be created, say) the
	// ticket is still returned, without them.
	if p, it := is.Project(), is.IssueType(); p != nil && it != nil {
		m, err := c.issueTypeMetaFor(ctx, ticketSchemaID(p.Key, it.ID), op, false)
		if err != nil {
			ctxzap.Extract(ctx).Debug("baton-jira: ticket custom fields not read", zap.String("issue", string(is.Key)), zap.Error(err))
		} else {
			t.SetCustomFields(ticketFields(m, is))
		}
	}
	return t, nil, nil
}

// ticketFields converts the issue's values of the schema's custom fields
// to the SDK's types (the reverse of jiraValue). Empty fields are left out.
func ticketFields(m *issueTypeMeta, is *jira.Issue) map[string]*v2.TicketCustomField {
	out := map[string]*v2.TicketCustomField{}
	for _, f := range m.fields {
		id := string(f.FieldID)
		raw, ok := is.Fields[id]
		if !offered(f) || !ok || len(raw) == 0 || string(raw) == "null" {
			continue
		}
		if cf := ticketField(f, raw); cf != nil {
			out[id] = cf
		}
	}
	return out
}

func ticketField(f jira.FieldCreateMetadata, raw json.RawMessage) *v2.TicketCustomField {
	id := string(f.FieldID)
	kind, _ := fieldKindOf(f)
	type ref struct {
		ID          string `json:"id"`
		AccountID   string `json:"accountId"`
		Name        string `json:"name"`
		Value       string `json:"value"`
		DisplayName string `json:"displayName"`
		Child       *struct {
			ID    string `json:"id"`
			Value string `json:"value"`
		} `json:"child"`
	}
	obj := func(r ref) *v2.TicketCustomFieldObjectValue {
		return v2.TicketCustomFieldObjectValue_builder{Id: r.ID, DisplayName: cmpOr(r.Value, r.Name)}.Build()
	}
	switch kind {
	case kindText:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return sdkticket.StringField(id, s)
		}
	case kindADF:
		return sdkticket.StringField(id, adfToText(raw))
	case kindNumber:
		var n float64
		if json.Unmarshal(raw, &n) == nil {
			return sdkticket.NumberField(id, float32(n))
		}
	case kindDate, kindDateTime:
		var jt jira.Time
		if json.Unmarshal(raw, &jt) == nil && !jt.IsZero() {
			return sdkticket.TimestampField(id, jt.Time)
		}
	case kindUser, kindGroup:
		var r ref
		if json.Unmarshal(raw, &r) == nil {
			return sdkticket.StringField(id, cmpOr(r.AccountID, r.Name))
		}
	case kindUsers, kindGroups:
		var rs []ref
		if json.Unmarshal(raw, &rs) == nil {
			var vs []string
			for _, r := range rs {
				vs = append(vs, cmpOr(r.AccountID, r.Name))
			}
			return sdkticket.StringsField(id, vs)
		}
	case kindStrings:
		var vs []string
		if json.Unmarshal(raw, &vs) == nil {
			return sdkticket.StringsField(id, vs)
		}
	case kindOption:
		var r ref
		if json.Unmarshal(raw, &r) == nil && r.ID != "" {
			if r.Child != nil && r.Child.ID != "" { // a cascading select's parent and child
				o := v2.TicketCustomFieldObjectValue_builder{Id: r.ID + cascadeSep + r.Child.ID}.Build()
				if r.Value != "" && r.Child.Value != "" {
					o.SetDisplayName(r.Value + " / " + r.Child.Value)
				}
				return sdkticket.PickObjectValueField(id, labelled(f, o))
			}
			return sdkticket.PickObjectValueField(id, labelled(f, obj(r)))
		}
	case kindOptions:
		var rs []ref
		if json.Unmarshal(raw, &rs) == nil {
			var vs []*v2.TicketCustomFieldObjectValue
			for _, r := range rs {
				vs = append(vs, labelled(f, obj(r)))
			}
			return sdkticket.PickMultipleObjectValuesField(id, vs)
		}
	default:
		return sdkticket.StringField(id, string(raw))
	}
	return nil
}

// labelled fills in an object value's display name from the field's
// allowed values when the issue gave only the ID.
func labelled(f jira.FieldCreateMetadata, o *v2.TicketCustomFieldObjectValue) *v2.TicketCustomFieldObjectValue {
	if o.GetDisplayName() == "" {
		for _, a := range allowedValues(f) {
			if a.ID == o.GetId() {
				o.SetDisplayName(a.label())
			}
		}
	}
	return o
}

// browseBase returns the site URL browse links start with: the configured
// site, or for a gateway URL (scoped tokens, service accounts) the site's
// baseUrl from GET /serverInfo, read once.
func (c *Connector) browseBase(ctx context.Context) (string, error) {
	c.tk.mu.Lock()
	b := c.tk.browse
	c.tk.mu.Unlock()
	if b != "" {
		return b, nil
	}
	site := c.jira.Site()
	if site.Kind == jira.SiteDirect {
		b = site.BaseURL
	} else {
		si, _, err := c.jira.ServerInfo(ctx)
		if err != nil {
			return "", wrapErr(opServerInfo, err)
		}
		b = strings.TrimRight(strings.TrimSpace(si.BaseURL), "/")
		if b == "" {
			return "", errorf(codes.Unavailable, "%s: Jira returned no base URL for browse links", opServerInfo)
		}
	}
	c.tk.mu.Lock()
	c.tk.browse = b
	c.tk.mu.Unlock()
	return b, nil
}

func ticketFromIssue(is *jira.Issue, base string) *v2.Ticket {
	b := v2.Ticket_builder{
		Id:          string(is.ID),
		DisplayName: is.Summary(),
		Description: adfToText(is.Description()),
		Labels:      is.Labels(),
		Url:         base + "/browse/" + string(is.Key),
	}
	if st := is.Status(); st != nil {
		b.Status = v2.TicketStatus_builder{Id: st.ID, DisplayName: st.Name}.Build()
	}
	if it := is.IssueType(); it != nil {
		b.Type = v2.TicketType_builder{Id: string(it.ID), DisplayName: it.Name}.Build()
	}
	if t := is.Created(); !t.IsZero() {
		b.CreatedAt = timestamppb.New(t.Time)
	}
	if t := is.Updated(); !t.IsZero() {
		b.UpdatedAt = timestamppb.New(t.Time)
	}
	var resolved jira.Time
	if ok, _ := is.Field("resolutiondate", &resolved); ok && !resolved.IsZero() {
		b.CompletedAt = timestamppb.New(resolved.Time)
	}
	if u := is.Assignee(); u != nil && u.AccountID != "" {
		b.Assignees = []*v2.Resource{userRef(u)}
	}
	if u := is.Reporter(); u != nil && u.AccountID != "" {
		b.Reporter = userRef(u)
	}
	return b.Build()
}

func userRef(u *jira.User) *v2.Resource {
	return v2.Resource_builder{
		Id:          v2.ResourceId_builder{ResourceType: userResourceType.GetId(), Resource: string(u.AccountID)}.Build(),
		DisplayName: u.DisplayName,
	}.Build()
}

// adfToText flattens an ADF document to plain text: one line per block.
func adfToText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s // REST v2 answers plain text
	}
	type node struct {
		Type  string `json:"type"`
		Text  string `json:"text"`
		Attrs struct {
			Text      string `json:"text"`
			ShortName string `json:"shortName"`
			URL       string `json:"url"`
		} `json:"attrs"`
		Content []node `json:"content"`
	}
	var doc node
	if json.Unmarshal(raw, &doc) != nil {
		return ""
	}
	var lines []string
	var inline func(n node, sb *strings.Builder)
	inline = func(n node, sb *strings.Builder) {
		switch n.Type {
		case "hardBreak":
			sb.WriteString("\n")
		case "mention", "status": // "@Alice", a status lozenge
			sb.WriteString(n.Attrs.Text)
		case "emoji":
			sb.WriteString(cmpOr(n.Attrs.Text, n.Attrs.ShortName))
		case "inlineCard": // a smart link
			sb.WriteString(n.Attrs.URL)
		}
		sb.WriteString(n.Text)
		for _, ch := range n.Content {
			inline(ch, sb)
		}
	}
	var block func(n node)
	block = func(n node) {
		switch n.Type {
		case "paragraph", "heading", "codeBlock":
			var sb strings.Builder
			inline(n, &sb)
			lines = append(lines, sb.String())
		default:
			if n.Text != "" {
				lines = append(lines, n.Text)
			}
			for _, ch := range n.Content {
				block(ch)
			}
		}
	}
	block(doc)
	return strings.Join(lines, "\n")
}

// BulkCreateTickets creates each requested ticket as CreateTicket does, a
// few at a time. A ticket that fails gets its error in the response's Error
// field; the others are created. Request annotations (the external ticket
// reference) are echoed on each response.
func (c *Connector) BulkCreateTickets(ctx context.Context, req *v2.TicketsServiceBulkCreateTicketsRequest) (*v2.TicketsServiceBulkCreateTicketsResponse, error) {
	reqs := req.GetTicketRequests()
	out := make([]*v2.TicketsServiceCreateTicketResponse, len(reqs))
	forEach(len(reqs), func(i int) {
		r := reqs[i]
		b := v2.TicketsServiceCreateTicketResponse_builder{Annotations: r.GetAnnotations()}
		body := r.GetRequest()
		if body == nil {
			b.Error = errPrefix + opCreateTicket + ": the ticket request is empty"
			out[i] = b.Build()
			return
		}
		t := v2.Ticket_builder{DisplayName: body.GetDisplayName(), Description: body.GetDescription(), Status: body.GetStatus(),
			Labels: body.GetLabels(), CustomFields: body.GetCustomFields(), RequestedFor: body.GetRequestedFor()}.Build()
		tk, _, err := c.CreateTicket(ctx, t, r.GetSchema())
		if err != nil {
			b.Error = err.Error()
		}
		b.Ticket = tk
		out[i] = b.Build()
	})
	return v2.TicketsServiceBulkCreateTicketsResponse_builder{Tickets: out}.Build(), nil
}

// BulkGetTickets reads each requested ticket as GetTicket does; a ticket
// that fails gets its error in the response's Error field.
func (c *Connector) BulkGetTickets(ctx context.Context, req *v2.TicketsServiceBulkGetTicketsRequest) (*v2.TicketsServiceBulkGetTicketsResponse, error) {
	reqs := req.GetTicketRequests()
	out := make([]*v2.TicketsServiceGetTicketResponse, len(reqs))
	forEach(len(reqs), func(i int) {
		r := reqs[i]
		b := v2.TicketsServiceGetTicketResponse_builder{Annotations: r.GetAnnotations()}
		tk, _, err := c.GetTicket(ctx, r.GetId())
		if err != nil {
			b.Error = err.Error()
		}
		b.Ticket = tk
		out[i] = b.Build()
	})
	return v2.TicketsServiceBulkGetTicketsResponse_builder{Tickets: out}.Build(), nil
}

// forEach runs f(0..n-1), bulkConcurrency at a time.
func forEach(n int, f func(i int)) {
	sem := make(chan struct{}, bulkConcurrency)
	var wg sync.WaitGroup
	// Every item runs, also after ctx ends: each then fails fast with its
	// own error, so every response has a ticket or an error.
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}
