package connector

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"google.golang.org/grpc/codes"

	"github.com/batonkit/jiracloud/jira"
)

// The SDK's ticket manager has no update, transition or comment calls;
// these methods offer them to Go callers (see adapters/embed.Ticketing).

// issueMeta returns the issue's create metadata (for its project and issue
// type) and the issue itself.
func (c *Connector) issueMeta(ctx context.Context, id, op string) (*issueTypeMeta, *jira.Issue, error) {
	if strings.TrimSpace(id) == "" {
		return nil, nil, errorf(codes.InvalidArgument, "%s: the ticket ID is empty", op)
	}
	is, _, err := c.jira.Issues.Get(ctx, id, &jira.IssueGetOptions{Fields: []string{"project", "issuetype", "labels", "status"}})
	if err != nil {
		if errors.Is(err, jira.ErrNotFound) {
			return nil, nil, errorf(codes.NotFound, "%s: issue %q does not exist or the account cannot browse it", op, id)
		}
		return nil, nil, wrapErr(op, err)
	}
	p, it := is.Project(), is.IssueType()
	if p == nil || it == nil {
		return nil, nil, errorf(codes.Internal, "%s: Jira returned issue %s without its project or issue type", op, id)
	}
	m, err := c.issueTypeMetaFor(ctx, ticketSchemaID(p.Key, it.ID), op, false)
	if err != nil {
		return nil, nil, err
	}
	return m, is, nil
}

// UpdateTicket changes the fields of an issue that the changes ticket sets:
// DisplayName (summary), Description, Labels (replacing the labels, but
// keeping the connector's request label) and CustomFields. Unset fields are
// left alone; a custom field with an empty value is cleared. The values are
// checked as for CreateTicket (field problems come back as one
// InvalidArgument error caused by a [*TicketFieldError]). Status is not
// changed here: use TransitionTicket. Returns the updated ticket.
//
// Jira API: PUT /rest/api/3/issue/{issueIdOrKey} (retried after a 5xx:
// setting the same values twice is harmless).
func (c *Connector) UpdateTicket(ctx context.Context, ticketID string, changes *v2.Ticket) (*v2.Ticket, error) {
	m, is, err := c.issueMeta(ctx, ticketID, opUpdateTicket)
	if err != nil {
		return nil, err
	}
	if changes == nil {
		return nil, errorf(codes.InvalidArgument, "%s: no changes given", opUpdateTicket)
	}
	fe := &TicketFieldError{SchemaID: m.schemaID(), Fields: map[string]string{}}
	fields := map[string]any{}
	if s := changes.GetDisplayName(); s != "" {
		if strings.ContainsAny(s, "\r\n") || jiraLen(s) > 255 {
			fe.Fields["summary"] = "must be one line of at most 255 characters"
		}
		fields["summary"] = strings.TrimSpace(s)
	}
	if d := changes.GetDescription(); d != "" {
		fields["description"] = jira.ADFText(d)
	}
	if changes.GetLabels() != nil {
		labels := normalizeLabels(changes.GetLabels())
		for _, l := range is.Labels() {
			if strings.HasPrefix(l, RequestLabelPrefix) && !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
		fields["labels"] = labels
	}
	cfs := changes.GetCustomFields()
	for _, id := range slices.Sorted(maps.Keys(cfs)) {
		f, ok := m.field(id)
		if !ok || !offered(f) {
			fe.Fields[id] = "not a field of " + m.issueType.Name + " in " + string(m.project.Key)
			continue
		}
		v, present, msg := jiraValue(f, cfs[id])
		switch {
		case msg != "":
			fe.Fields[id] = msg
		case !present && f.Required:
			fe.Fields[id] = "required (" + f.Name + "): it cannot be cleared"
		case !present:
			fields[id] = nil
		default:
			fields[id] = v
		}
	}
	if len(fe.Fields) > 0 {
		return nil, fieldErr(opUpdateTicket, fe)
	}
	if len(fields) == 0 {
		return nil, errorf(codes.InvalidArgument, "%s: no changes given (set a display name, description, labels or custom fields)", opUpdateTicket)
	}
	if _, err := c.jira.Issues.Edit(ctx, string(is.ID), fields, nil); err != nil {
		var je *jira.Error
		if errors.As(err, &je) && je.StatusCode == http.StatusBadRequest && (len(je.FieldErrors) > 0 || len(je.Messages) > 0) {
			return nil, fieldErr(opUpdateTicket, &TicketFieldError{SchemaID: m.schemaID(), Fields: je.FieldErrors, Messages: je.Messages})
		}
		return nil, wrapErr(opUpdateTicket, err)
	}
	t, _, err := c.getTicket(ctx, string(is.ID), opUpdateTicket)
	return t, err
}

// TransitionTicket moves an issue to a status, given by status ID, status
// name or transition name, through the workflow transition that leads
// there. An issue already in that status is left alone. A status that no
// available transition reaches is an InvalidArgument error listing the
// reachable ones. Returns the ticket as it is afterwards.
//
// Jira API: GET and POST /rest/api/3/issue/{issueIdOrKey}/transitions. The
// POST is not retried blindly: after an ambiguous failure the issue's
// status is read back, and the transition is sent again only if the issue
// has not moved.
func (c *Connector) TransitionTicket(ctx context.Context, ticketID, statusIDOrName string) (*v2.Ticket, error) {
	if strings.TrimSpace(ticketID) == "" {
		return nil, errorf(codes.InvalidArgument, "%s: the ticket ID is empty", opTransitionTicket)
	}
	if strings.TrimSpace(statusIDOrName) == "" {
		return nil, errorf(codes.InvalidArgument, "%s: the target status is empty", opTransitionTicket)
	}
	if err := c.transitionTo(ctx, ticketID, statusIDOrName); err != nil {
		return nil, err
	}
	t, _, err := c.getTicket(ctx, ticketID, opTransitionTicket)
	return t, err
}

func (c *Connector) transitionTo(ctx context.Context, id, target string) error {
	inStatus := func() (bool, error) {
		is, _, err := c.jira.Issues.Get(ctx, id, &jira.IssueGetOptions{Fields: []string{"status"}})
		if err != nil {
			if errors.Is(err, jira.ErrNotFound) {
				return false, errorf(codes.NotFound, "%s: issue %q does not exist or the account cannot browse it", opTransitionTicket, id)
			}
			return false, wrapErr(opTransitionTicket, err)
		}
		st := is.Status()
		return st != nil && (st.ID == target || strings.EqualFold(st.Name, target)), nil
	}
	if done, err := inStatus(); err != nil || done {
		return err
	}
	trs, _, err := c.jira.Issues.Transitions(ctx, id)
	if err != nil {
		return wrapErr(opTransitionTicket, err)
	}
	// Status and transition IDs are both small numbers and can collide, so
	// the match goes from the most to the least specific: the target
	// status's ID, its name, the transition's name, the transition's ID.
	var tr *jira.Transition
	for _, match := range []func(t *jira.Transition) bool{
		func(t *jira.Transition) bool { return t.To != nil && t.To.ID == target },
		func(t *jira.Transition) bool { return t.To != nil && strings.EqualFold(t.To.Name, target) },
		func(t *jira.Transition) bool { return strings.EqualFold(t.Name, target) },
		func(t *jira.Transition) bool { return t.ID == target },
	} {
		for i := range trs {
			if tr == nil && match(&trs[i]) {
				tr = &trs[i]
			}
		}
	}
	if tr == nil {
		var names []string
		for _, t := range trs {
			if t.To != nil {
				names = append(names, t.To.Name+" ["+t.To.ID+"]")
			}
		}
		return errorf(codes.InvalidArgument, "%s: no transition of issue %s leads to status %q (reachable now: %s)",
			opTransitionTicket, id, target, strings.Join(names, ", "))
	}
	for attempt := 1; ; attempt++ {
		_, err := c.jira.Issues.Transition(ctx, id, tr.ID, nil)
		if err == nil {
			return nil
		}
		var je *jira.Error
		if !ambiguousWrite(err) || attempt >= 2 || ctx.Err() != nil {
			if errors.As(err, &je) && je.StatusCode == http.StatusBadRequest {
				return errorf(codes.InvalidArgument, "%s: Jira refused transition %q of issue %s: %v", opTransitionTicket, tr.Name, id, err)
			}
			return wrapErr(opTransitionTicket, err)
		}
		done, rerr := inStatus()
		if rerr != nil {
			return wrapErr(opTransitionTicket, fmt.Errorf("%w (and reading the status back failed: %v)", err, rerr))
		}
		if done {
			return nil
		}
	}
}

// CommentTicket adds a plain-text comment (sent as an ADF document) to an
// issue and returns the comment's ID. A comment is a POST without any key
// to find it again, so it is not retried after an ambiguous failure: the
// error (Aborted) says the comment may have been added.
//
// Jira API: POST /rest/api/3/issue/{issueIdOrKey}/comment.
func (c *Connector) CommentTicket(ctx context.Context, ticketID, text string) (string, error) {
	if strings.TrimSpace(ticketID) == "" {
		return "", errorf(codes.InvalidArgument, "%s: the ticket ID is empty", opCommentTicket)
	}
	if strings.TrimSpace(text) == "" {
		return "", errorf(codes.InvalidArgument, "%s: the comment is empty", opCommentTicket)
	}
	cm, _, err := c.jira.Issues.AddComment(ctx, ticketID, text)
	if err != nil {
		if errors.Is(err, jira.ErrNotFound) {
			return "", errorf(codes.NotFound, "%s: issue %q does not exist or the account cannot browse it", opCommentTicket, ticketID)
		}
		var je *jira.Error
		if errors.As(err, &je) && je.StatusCode < 500 {
			return "", wrapErr(opCommentTicket, err)
		}
		if ambiguousWrite(err) {
			return "", errorf(codes.Aborted, "%s: adding the comment to %s failed (%v) and it may have been added: check the comments of %s before trying again",
				opCommentTicket, ticketID, err, ticketID)
		}
		return "", wrapErr(opCommentTicket, err)
	}
	return cm.ID, nil
}
