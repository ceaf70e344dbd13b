package connector

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/grpc-ecosystem/go-grpc-middleware/logging/zap/ctxzap"
	"go.uber.org/zap"
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
// checked against the issue's edit screen (which can differ from the create
// screen the schema shows) as CreateTicket checks them: field problems come
// back as one InvalidArgument error caused by a [*TicketFieldError]. Status
// is not changed here: use TransitionTicket. Returns the updated ticket.
//
// Jira API: GET /rest/api/3/issue/{issueIdOrKey}/editmeta, then PUT
// /rest/api/3/issue/{issueIdOrKey} (retried after a 5xx: setting the same
// values twice is harmless).
func (c *Connector) UpdateTicket(ctx context.Context, ticketID string, changes *v2.Ticket) (*v2.Ticket, error) {
	m, is, err := c.issueMeta(ctx, ticketID, opUpdateTicket)
	if err != nil {
		return nil, err
	}
	if changes == nil {
		return nil, errorf(codes.InvalidArgument, "%s: no changes given", opUpdateTicket)
	}
	editFields, _, err := c.jira.Issues.EditMeta(ctx, string(is.ID))
	if err != nil {
		return nil, wrapErr(opUpdateTicket, fmt.Errorf("edit screen of issue %s: %w", is.Key, err))
	}
	if len(editFields) == 0 {
		return nil, errorf(codes.PermissionDenied, "%s: the account cannot edit issue %s (it needs the Edit issues permission in project %s)",
			opUpdateTicket, is.Key, m.project.Key)
	}
	em := &issueTypeMeta{project: m.project, issueType: m.issueType, fields: editFields}
	notOnScreen := "not on the edit screen of " + m.issueType.Name + " in " + string(m.project.Key)
	fe := &TicketFieldError{SchemaID: m.schemaID(), Fields: map[string]string{}}
	fields := map[string]any{}
	if s := changes.GetDisplayName(); s != "" {
		if _, ok := em.field("summary"); !ok {
			fe.Fields["summary"] = notOnScreen
		} else if strings.ContainsAny(s, "\r\n") || jiraLen(s) > 255 {
			fe.Fields["summary"] = "must be one line of at most 255 characters"
		}
		fields["summary"] = strings.TrimSpace(s)
	}
	if d := changes.GetDescription(); d != "" {
		if _, ok := em.field("description"); !ok {
			fe.Fields["description"] = notOnScreen
		}
		fields["description"] = jira.ADFText(d)
	}
	if changes.GetLabels() != nil {
		if _, ok := em.field("labels"); !ok {
			fe.Fields["labels"] = notOnScreen
		}
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
		f, ok := em.field(id)
		if !ok || !offered(f) {
			fe.Fields[id] = notOnScreen
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

// commentLookupPage is how many of an issue's newest comments are read
// when looking for a comment whose answer was lost.
const commentLookupPage = 50

// CommentTicket adds a plain-text comment (sent as an ADF document) to an
// issue and returns the comment's ID. Each comment carries a request ID in
// its entity property RequestPropertyKey ({"id": "baton-<uuid>"}, not shown
// to users). After an ambiguous failure (timeout, connection reset, 5xx)
// the connector looks for that property among the issue's comments made in
// the last minutes: a found comment is the result; if there is none, the
// comment is sent once more. If the check itself fails, the error is
// Aborted and says what to look for. If the caller's context has ended,
// the check still runs on a detached context bounded to 15 s.
//
// Jira API: POST /rest/api/3/issue/{issueIdOrKey}/comment; after a lost
// answer GET /rest/api/3/issue/{issueIdOrKey}/comment?orderBy=-created and
// POST /rest/api/3/comment/list?expand=properties.
func (c *Connector) CommentTicket(ctx context.Context, ticketID, text string) (string, error) {
	if strings.TrimSpace(ticketID) == "" {
		return "", errorf(codes.InvalidArgument, "%s: the ticket ID is empty", opCommentTicket)
	}
	if strings.TrimSpace(text) == "" {
		return "", errorf(codes.InvalidArgument, "%s: the comment is empty", opCommentTicket)
	}
	req := requestMark{id: c.tk.label(), since: c.tk.clock()}
	prop := jira.EntityProperty{Key: RequestPropertyKey, Value: map[string]string{"id": req.id}}
	where := func() string {
		return "look among the comments of " + ticketID + " for entity property " + RequestPropertyKey + ` = {"id":"` + req.id + `"}`
	}
	var lastErr error
	for attempt := 1; attempt <= 2; attempt++ {
		cm, _, err := c.jira.Issues.AddComment(ctx, ticketID, text, prop)
		if err == nil {
			return cm.ID, nil
		}
		if errors.Is(err, jira.ErrNotFound) {
			return "", errorf(codes.NotFound, "%s: issue %q does not exist or the account cannot browse it", opCommentTicket, ticketID)
		}
		if !ambiguousWrite(err) {
			return "", wrapErr(opCommentTicket, err)
		}
		lastErr = err
		interrupted := ctx.Err() != nil
		found, ferr := c.findComment(ctx, interrupted, ticketID, req)
		if ferr != nil && !interrupted && ctx.Err() != nil { // the caller's context ended during the check
			interrupted = true
			found, ferr = c.findComment(ctx, true, ticketID, req)
		}
		if found != "" {
			ctxzap.Extract(ctx).Info("baton-jira: a comment whose answer was lost had been added",
				zap.String("issue", ticketID), zap.String("comment", found), zap.Int("attempt", attempt))
			return found, nil
		}
		if ferr != nil {
			return "", errorf(codes.Aborted, "%s: adding the comment to %s failed (%v) and it may have been added; the check for it failed too (%v): "+
				"%s (or check the comments of %s) before trying again", opCommentTicket, ticketID, err, ferr, where(), ticketID)
		}
		if interrupted {
			return "", errorf(codes.Aborted, "%s: adding the comment to %s was interrupted (%v); no comment with its request ID was found, "+
				"so it was most likely not added and can be sent again", opCommentTicket, ticketID, context.Cause(ctx))
		}
	}
	return "", wrapErr(opCommentTicket, fmt.Errorf("no comment was added after 2 attempts: %w", lastErr))
}

// findComment looks among the issue's comments made since shortly before
// req.since for the one whose RequestPropertyKey property holds req.id. It
// returns "" and no error when there is none; detach runs it on a detached
// context (the caller's has ended).
func (c *Connector) findComment(ctx context.Context, detach bool, ticketID string, req requestMark) (string, error) {
	if detach {
		var cancel context.CancelFunc
		ctx, cancel = c.detached(ctx)
		defer cancel()
	}
	cms, resp, err := c.jira.Issues.Comments(ctx, ticketID, &jira.CommentListOptions{ListOptions: jira.ListOptions{PageSize: commentLookupPage}, NewestFirst: true})
	if err != nil {
		return "", err
	}
	// Two minutes of margin cover clock skew between this host and Jira.
	cutoff := req.since.Add(-2 * time.Minute)
	var ids []string
	older := false
	for _, cm := range cms {
		if !cm.Created.IsZero() && cm.Created.Before(cutoff) {
			older = true
			break
		}
		ids = append(ids, cm.ID)
	}
	if len(ids) == 0 {
		return "", nil
	}
	byID, _, err := c.jira.Issues.CommentsByID(ctx, ids, true)
	if err != nil {
		return "", err
	}
	for _, cm := range byID {
		for _, p := range cm.Properties {
			if v, ok := p.Value.(map[string]any); ok && p.Key == RequestPropertyKey && v["id"] == req.id {
				return cm.ID, nil
			}
		}
	}
	// More comments than this page are newer than the cutoff: the one we
	// look for may be among them. Decided by what Jira answered (a next
	// page, or a total above what came back), not by the page size asked.
	if more := resp != nil && (resp.NextCursor != "" || resp.Total > len(cms)); !older && more {
		return "", fmt.Errorf("more than %d comments were added to %s in the last minutes", commentLookupPage, ticketID)
	}
	return "", nil
}
