package connector

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/conductorone/baton-sdk/pkg/pagination"
	"google.golang.org/grpc/codes"

	"github.com/batonkit/jiracloud/internal/apiclient"
)

// The organization-mode walks are driven page by page by the SDK, so the
// clients' iterator bounds (jira.WithPaginationLimits) never see them: the
// walk counts its own pages and items in the page token, where they survive
// a resumed sync (a new process), and stops with an error wrapping
// jira.ErrPaginationLimit past the Jira client's bounds. A server handing
// out fresh cursors forever would otherwise keep the sync running forever.

// orgWalkPhase names what one phase of an organization-mode walk lists: the
// operation (for wrapErr) and the endpoint (for the error message).
type orgWalkPhase struct{ op, endpoint string }

var orgWalkPhases = map[string]orgWalkPhase{
	phaseOrgUsers:   {opListOrgUsers, "POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search"},
	phaseJiraUsers:  {opListUsers, "GET /rest/api/3/users/search"},
	phaseOrgGroups:  {opListOrgGroups, "POST /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search"},
	phaseJiraGroups: {opListGroups, "GET /rest/api/3/group/bulk"},
}

// walkCount counts the pages fetched and the items listed so far in the
// current phase of an organization-mode walk.
type walkCount struct {
	Pages int `json:"pages,omitempty"`
	Items int `json:"items,omitempty"`
}

// orgToken is the page token of an organization-mode walk: the JSON of the
// SDK's pagination.Bag with the current phase's counts beside it. A token
// without counts (written before they existed) resumes, counting from 0.
type orgToken struct {
	States       []pagination.PageState `json:"states"`
	CurrentState *pagination.PageState  `json:"current_state"`
	walkCount
}

// orgWalk is one page of an organization-mode walk in progress.
type orgWalk struct {
	bag   *pagination.Bag
	n     walkCount
	lim   apiclient.Limits
	phase orgWalkPhase
}

// startOrgWalk decodes tok (first, when tok has no state, pushing phases
// in the order they run, last first) and counts the page about to be
// fetched, failing once the walk passed the page bound.
func (c *Connector) startOrgWalk(tok string, phases ...string) (*orgWalk, error) {
	w := &orgWalk{bag: &pagination.Bag{}}
	if err := w.bag.Unmarshal(tok); err != nil {
		return nil, errorf(codes.InvalidArgument, "invalid page token: %v", err)
	}
	if tok != "" {
		var t orgToken
		if err := json.Unmarshal([]byte(tok), &t); err != nil || t.Pages < 0 || t.Items < 0 {
			return nil, errorf(codes.InvalidArgument, "invalid page token: bad page counts")
		}
		w.n = t.walkCount
	}
	if w.bag.Current() == nil {
		for _, p := range phases {
			w.bag.Push(pagination.PageState{ResourceTypeID: p})
		}
	}
	ph, ok := orgWalkPhases[w.bag.ResourceTypeID()]
	if !ok {
		return nil, errorf(codes.InvalidArgument, "invalid page token: unknown phase %q", w.bag.ResourceTypeID())
	}
	w.phase = ph
	maxPages, maxItems := c.jira.PaginationLimits()
	w.lim = apiclient.Limits{Pages: maxPages, Items: maxItems, Option: "jira.WithPaginationLimits in the connector's Config.JiraOptions"}
	w.n.Pages++
	return w, w.check()
}

// check fails once the walk passed its bounds, naming the endpoint and the
// limit; the error maps like the clients' jira.ErrPaginationLimit.
func (w *orgWalk) check() error {
	if err := w.lim.Check(w.n.Pages, w.n.Items); err != nil {
		return wrapErr(w.phase.op, fmt.Errorf("%s: %w", w.phase.endpoint, err))
	}
	return nil
}

// count adds the items of the page just fetched, failing once the walk
// passed the item bound (the page's items are then not listed).
func (w *orgWalk) count(items int) error {
	w.n.Items += items
	return w.check()
}

// next returns the token of the page after the one just fetched: the same
// phase at cursor, or (cursor "") the next phase, counted afresh; "" after
// the last page of the last phase. A cursor equal to the current one is
// refused: the walk would not advance.
func (w *orgWalk) next(cursor string) (string, error) {
	if cursor != "" && cursor == w.bag.PageToken() {
		return "", wrapErr(w.phase.op, fmt.Errorf("%s: %w", w.phase.endpoint, errNotAdvancing))
	}
	next, err := w.bag.NextToken(cursor)
	if err != nil {
		return "", errorf(codes.Internal, "page token: %v", err)
	}
	if cursor == "" || next == "" {
		return next, nil // a new phase starts counting at 0
	}
	var t orgToken
	if err := json.Unmarshal([]byte(next), &t); err != nil {
		return "", errorf(codes.Internal, "page token: %v", err)
	}
	t.walkCount = w.n
	b, err := json.Marshal(t)
	if err != nil {
		return "", errorf(codes.Internal, "page token: %v", err)
	}
	return string(b), nil
}

// errNotAdvancing is a next cursor equal to the current one.
var errNotAdvancing = errors.New("pagination did not advance: the server returned the same cursor again")
