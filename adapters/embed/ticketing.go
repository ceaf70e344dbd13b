package embed

import (
	"context"
	"fmt"
	"sync"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/pagination"
	sdkticket "github.com/conductorone/baton-sdk/pkg/types/ticket"

	"github.com/batonkit/jiracloud/connector"
)

// Ticketing uses a Jira Cloud site as an external ticketing system, in
// process: the operations the connector offers ConductorOne under
// --ticketing (schemas, create, get, bulk create and get), plus update,
// transition and comment, which the Baton SDK has no interface for.
//
// Tickets are Jira issues. A ticket schema is one issue type of one project,
// with the ID "<projectKey>:<issueTypeId>" (baton-jira's IDs); the projects
// are cfg.JiraProjectKeys, or every project when it is empty. Requests are
// checked against the issue type's create screen before anything is sent,
// and field problems come back together as one error wrapping a
// [*connector.TicketFieldError]. A create whose answer is lost is found by
// its request label rather than sent twice (see connector.CreateTicket).
//
// Errors carry gRPC status codes (status.Code works) and never contain the
// configuration's API tokens. A Ticketing is safe for concurrent use.
type Ticketing struct {
	c       *connector.Connector
	secrets []string
}

// NewTicketing builds a Ticketing from a connector configuration. It does no
// I/O; a bad configuration is reported with what to fix.
func NewTicketing(ctx context.Context, cfg connector.Config) (*Ticketing, error) {
	secrets := []string{cfg.JiraAPIToken, cfg.AtlassianAPIToken}
	c, err := connector.New(ctx, cfg)
	if err != nil {
		return nil, redact(fmt.Errorf("embed: build connector: %w", err), secrets)
	}
	return &Ticketing{c: c, secrets: secrets}, nil
}

// Close releases the connector.
func (t *Ticketing) Close(ctx context.Context) error { return t.c.Close(ctx) }

func (t *Ticketing) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return redact(fmt.Errorf("embed: %s: %w", op, err), t.secrets)
}

// Schemas returns every ticket schema: one per issue type (subtasks
// excepted) of each ticketing project, reading all pages.
func (t *Ticketing) Schemas(ctx context.Context) ([]*v2.TicketSchema, error) {
	var out []*v2.TicketSchema
	tok := ""
	for {
		page, next, _, err := t.c.ListTicketSchemas(ctx, &pagination.Token{Token: tok})
		if err != nil {
			return out, t.fail("ticket schemas", err)
		}
		out = append(out, page...)
		if next == "" || next == tok {
			return out, nil
		}
		tok = next
	}
}

// Schema returns one ticket schema, read afresh from Jira.
func (t *Ticketing) Schema(ctx context.Context, id string) (*v2.TicketSchema, error) {
	s, _, err := t.c.GetTicketSchema(ctx, id)
	return s, t.fail("ticket schema", err)
}

// TicketRequest is a ticket to create.
type TicketRequest struct {
	// SchemaID is "<projectKey>:<issueTypeId>", e.g. "ACC:10005".
	SchemaID string
	// Summary is the issue summary (one line, required).
	Summary string
	// Description is plain text; it is sent as an Atlassian document.
	Description string
	// Labels are added to the issue (spaces become underscores).
	Labels []string
	// Status, if set, is the status (ID or name) to move the new issue to.
	Status string
	// Fields are custom field values by field ID, as the schema lists them:
	// a string (text, user account ID, date "2006-01-02", an allowed value's
	// ID or name), a []string (several of those), a number (int or float64)
	// or a time.Time.
	Fields map[string]any
}

// customFields converts Go values to the SDK's custom field values.
func customFields(in map[string]any) (map[string]*v2.TicketCustomField, error) {
	out := map[string]*v2.TicketCustomField{}
	for id, v := range in {
		switch x := v.(type) {
		case string:
			out[id] = sdkticket.StringField(id, x)
		case []string:
			out[id] = sdkticket.StringsField(id, x)
		case int:
			out[id] = sdkticket.StringField(id, fmt.Sprint(x))
		case int64:
			out[id] = sdkticket.StringField(id, fmt.Sprint(x))
		case float64:
			out[id] = sdkticket.StringField(id, fmt.Sprint(x))
		case float32:
			out[id] = sdkticket.NumberField(id, x)
		case time.Time:
			out[id] = sdkticket.TimestampField(id, x)
		case nil:
			out[id] = sdkticket.StringField(id, "")
		case *v2.TicketCustomField:
			out[id] = x
		default:
			return nil, fmt.Errorf("embed: field %s: unsupported value type %T (use string, []string, a number or time.Time)", id, v)
		}
	}
	return out, nil
}

// Create creates one ticket and returns it as Jira stored it, with a link to
// the issue on the site.
func (t *Ticketing) Create(ctx context.Context, r TicketRequest) (*v2.Ticket, error) {
	cfs, err := customFields(r.Fields)
	if err != nil {
		return nil, err
	}
	tk := v2.Ticket_builder{DisplayName: r.Summary, Description: r.Description, Labels: r.Labels, CustomFields: cfs}
	if r.Status != "" {
		tk.Status = v2.TicketStatus_builder{Id: r.Status}.Build()
	}
	schema := v2.TicketSchema_builder{Id: r.SchemaID}.Build()
	out, _, err := t.c.CreateTicket(ctx, tk.Build(), schema)
	return out, t.fail("create ticket", err)
}

// TicketResult is the outcome of one ticket of a bulk call.
type TicketResult struct {
	// Ticket is the ticket, or nil on error.
	Ticket *v2.Ticket
	// Err is what went wrong with this ticket, or nil.
	Err error
}

// bulk runs f for 0..n-1, four at a time.
func bulk(n int, f func(i int) TicketResult) []TicketResult {
	out := make([]TicketResult, n)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = f(i)
		}()
	}
	wg.Wait()
	return out
}

// BulkCreate creates several tickets, a few at a time; each result is in
// the order of the requests.
func (t *Ticketing) BulkCreate(ctx context.Context, rs []TicketRequest) []TicketResult {
	return bulk(len(rs), func(i int) TicketResult {
		tk, err := t.Create(ctx, rs[i])
		return TicketResult{Ticket: tk, Err: err}
	})
}

// Get returns a ticket by issue ID or key.
func (t *Ticketing) Get(ctx context.Context, id string) (*v2.Ticket, error) {
	tk, _, err := t.c.GetTicket(ctx, id)
	return tk, t.fail("get ticket", err)
}

// BulkGet returns several tickets, a few at a time, in the order of ids.
func (t *Ticketing) BulkGet(ctx context.Context, ids []string) []TicketResult {
	return bulk(len(ids), func(i int) TicketResult {
		tk, err := t.Get(ctx, ids[i])
		return TicketResult{Ticket: tk, Err: err}
	})
}

// TicketChanges are the changes [Ticketing.Update] makes; zero fields are
// left alone.
type TicketChanges struct {
	// Summary replaces the summary.
	Summary string
	// Description replaces the description.
	Description string
	// Labels, if not nil, replaces the labels (the request label stays).
	Labels []string
	// Fields sets custom fields as in TicketRequest; an empty string clears one.
	Fields map[string]any
}

// Update changes a ticket's fields and returns the ticket afterwards.
func (t *Ticketing) Update(ctx context.Context, id string, ch TicketChanges) (*v2.Ticket, error) {
	cfs, err := customFields(ch.Fields)
	if err != nil {
		return nil, err
	}
	tk, err := t.c.UpdateTicket(ctx, id, v2.Ticket_builder{DisplayName: ch.Summary, Description: ch.Description,
		Labels: ch.Labels, CustomFields: cfs}.Build())
	return tk, t.fail("update ticket", err)
}

// Transition moves a ticket to a status (ID, status name or transition
// name) and returns the ticket afterwards. A ticket already there is left
// alone.
func (t *Ticketing) Transition(ctx context.Context, id, status string) (*v2.Ticket, error) {
	tk, err := t.c.TransitionTicket(ctx, id, status)
	return tk, t.fail("transition ticket", err)
}

// Comment adds a plain-text comment to a ticket and returns its ID. A
// comment whose answer was lost is looked for by its request ID before it
// is sent again, so it is not added twice (see
// [connector.Connector.CommentTicket]).
func (t *Ticketing) Comment(ctx context.Context, id, text string) (string, error) {
	cid, err := t.c.CommentTicket(ctx, id, text)
	return cid, t.fail("comment on ticket", err)
}
