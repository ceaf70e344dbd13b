package connector

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/batonkit/jiracloud/jira"
)

// syncState is what the connector remembers during one sync (one SDK sync
// ID) so that nothing is fetched twice: compact indexes (users where grants
// filter them, groups and projects in list order, roles, products, the
// site host, permission schemes' BROWSE_PROJECTS holders), never resources
// or grants, plus the sync's background work (the pages and batches fetched
// ahead, see ahead), which stop ends.
//
// The indexes are filled as a side effect of the SDK's List walks, which
// come before any grants call. A walk is recorded only if its pages arrive
// in order from the first; otherwise (a sync resumed in a new process,
// grants without a List) userFilter, groupIDs and projectList re-page the
// source once. Grants are held only in the batches fetched ahead: one page
// per List walk, at most grantsAheadDepth batches per grants walk.
type syncState struct {
	id string

	usersMu sync.Mutex
	// users holds, in organization mode, the synced account IDs; otherwise
	// (with skip-customer-user) the customer account IDs. Role actors carry
	// no account type, so this set is how grants drop unsynced users.
	users accountIndex
	// anyone holds the active, non-customer Jira accounts the users walk
	// returned (recorded with users): the holders of site:<host>:anyone.
	anyone []jira.AccountID

	groupsMu sync.Mutex
	groups   groupIndex

	// members is the group member walk's state (see memberWalker).
	members memberState

	projectsMu sync.Mutex
	projects   projectIndex

	rolesMu     sync.Mutex
	globalRoles []roleInfo
	rolesOK     bool
	tmRoles     map[jira.ProjectID]*rolesEntry

	productsMu sync.Mutex
	products   []productInfo
	productsOK bool

	siteMu sync.Mutex
	site   string

	schemesMu sync.Mutex
	schemes   map[jira.PermissionSchemeID]*schemeEntry

	// portal holds the service desks and customer organizations (see portalState).
	portal portalState

	// The pages and batches fetched ahead (see ahead), one per walk.
	usersAhead         ahead[userPageResult]
	groupsAhead        ahead[groupPageResult]
	projectsAhead      ahead[projectPageResult]
	groupGrantsAhead   ahead[grantsBatch]
	projectGrantsAhead ahead[grantsBatch]
	roleGrantsAhead    ahead[grantsBatch]

	warmed      atomic.Bool // see Connector.warmGrants
	rolesListed atomic.Bool // project roles were listed in this sync

	// bg tracks the other background work of the sync (team-managed roles
	// read ahead of the project-role List calls).
	bgMu      sync.Mutex
	bgStopped bool
	bgCancel  []context.CancelFunc
	bg        sync.WaitGroup
}

// grantsAheadDepth is how many grants batches a walk holds ahead of the SDK
// (see ahead and Connector.warmGrants). A group batch is at most
// groupBatchPages×50 memberships, a role batch roleBatch actor lists, a
// project batch projectBatch projects, so what the walks hold ahead is
// bounded whatever the size of the site.
const grantsAheadDepth = 16

// projectPagesAhead is how many project pages (50 projects and their
// permission schemes each) the project List walk reads ahead of the SDK:
// the schemes endpoint's rate, not the SDK, bounds that walk, so its pages
// come one after the other instead of one per List call.
const projectPagesAhead = 16

func newSyncState(id string) *syncState {
	st := &syncState{id: id, tmRoles: map[jira.ProjectID]*rolesEntry{}, schemes: map[jira.PermissionSchemeID]*schemeEntry{}}
	st.projectsAhead.depth = projectPagesAhead
	st.groupGrantsAhead.depth = grantsAheadDepth
	st.projectGrantsAhead.depth = grantsAheadDepth
	st.roleGrantsAhead.depth = grantsAheadDepth
	return st
}

// stop ends the sync's background work: it cancels every fetch ahead and
// waits for them, so nothing outlives the sync.
func (st *syncState) stop() {
	st.usersAhead.stop()
	st.groupsAhead.stop()
	st.projectsAhead.stop()
	st.groupGrantsAhead.stop()
	st.projectGrantsAhead.stop()
	st.roleGrantsAhead.stop()
	st.bgMu.Lock()
	st.bgStopped = true
	cancels := st.bgCancel
	st.bgCancel = nil
	st.bgMu.Unlock()
	for _, cancel := range cancels {
		cancel()
	}
	st.bg.Wait()
}

// goBackground runs fn in a goroutine with ctx's values but not its
// cancellation; stop cancels it and waits for it. It reports false (and
// does not run fn) once the sync is stopped.
func (st *syncState) goBackground(ctx context.Context, fn func(ctx context.Context)) bool {
	st.bgMu.Lock()
	defer st.bgMu.Unlock()
	if st.bgStopped {
		return false
	}
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	st.bgCancel = append(st.bgCancel, cancel)
	st.bg.Add(1)
	go func() {
		defer st.bg.Done()
		defer cancel()
		fn(bctx)
	}()
	return true
}

// walk tracks whether a List walk arrived page by page from the first page.
type walk struct {
	started, complete, broken bool
	// rebuilt marks an index built by re-paging its source outside the
	// SDK's List walk (a resumed sync, or a type the sync does not list).
	rebuilt bool
	next    string
}

// observe records that the page with token tok was listed and returned next.
// It reports whether the page's items belong to an in-order walk (and so
// should be added to the index). A first page restarts the walk.
func (w *walk) observe(tok, next string) (keep, restart bool) {
	switch {
	case tok == "":
		*w = walk{started: true}
		restart = true
	case !w.started || w.broken || w.complete || tok != w.next:
		w.broken = true
		return false, false
	}
	w.next = next
	if next == "" {
		w.complete = true
	}
	return true, restart
}

func (w *walk) ok() bool { return w.complete && !w.broken }

// listed reports whether the SDK's own List walk recorded the whole index in
// this process (not a rebuild).
func (w *walk) listed() bool { return w.ok() && !w.rebuilt }

// accountIndex is a set of account IDs (see syncState).
type accountIndex struct {
	walk
	ids map[jira.AccountID]struct{}
}

func (x *accountIndex) add(ids ...jira.AccountID) {
	if x.ids == nil {
		x.ids = map[jira.AccountID]struct{}{}
	}
	for _, id := range ids {
		x.ids[id] = struct{}{}
	}
}

func (x *accountIndex) has(id jira.AccountID) bool {
	_, ok := x.ids[id]
	return ok
}

type groupIndex struct {
	walk
	order []jira.GroupID
	set   map[jira.GroupID]struct{}
}

func (x *groupIndex) reset() { x.order, x.set = nil, map[jira.GroupID]struct{}{} }

func (x *groupIndex) add(ids ...jira.GroupID) {
	if x.set == nil {
		x.set = map[jira.GroupID]struct{}{}
	}
	for _, id := range ids {
		if _, dup := x.set[id]; dup {
			continue
		}
		x.set[id] = struct{}{}
		x.order = append(x.order, id)
	}
}

// projectInfo is what grants and project roles need to know about a project.
type projectInfo struct {
	id          jira.ProjectID
	key         jira.ProjectKey
	name        string
	lead        jira.AccountID
	leadType    jira.AccountType
	teamManaged bool
	// serviceDesk marks a service project (projectTypeKey service_desk),
	// which has a help center portal.
	serviceDesk bool
	// schemeID is the project's permission scheme when schemeKnown (read
	// when the project was listed; set before the info is shared).
	schemeID    jira.PermissionSchemeID
	schemeKnown bool
}

type projectIndex struct {
	walk
	order []*projectInfo
	byID  map[jira.ProjectID]*projectInfo
}

func (x *projectIndex) reset() { x.order, x.byID = nil, map[jira.ProjectID]*projectInfo{} }

func (x *projectIndex) add(ps ...*projectInfo) {
	if x.byID == nil {
		x.byID = map[jira.ProjectID]*projectInfo{}
	}
	for _, p := range ps {
		if _, dup := x.byID[p.id]; dup {
			continue
		}
		x.byID[p.id] = p
		x.order = append(x.order, p)
	}
}

// roleInfo is a project role as the connector models it.
type roleInfo struct {
	id          jira.RoleID
	name        string
	description string
	global      bool
}

// productInfo is an application role with the groups granting it.
type productInfo struct {
	role   jira.ApplicationRole
	groups []jira.GroupID
}

// schemeEntry is one permission scheme's BROWSE_PROJECTS holders, fetched
// once however many projects (and concurrent workers) ask for it.
type schemeEntry struct {
	done    chan struct{}
	holders []jira.PermissionHolder
	err     error
}

// rolesEntry is the project-scoped roles of one team-managed project,
// fetched once (maybe ahead of the call that needs them) and shared by
// concurrent callers.
type rolesEntry struct {
	done  chan struct{}
	roles []roleInfo
	err   error
}

// state returns the sync state of syncID, starting a fresh one when a new
// sync begins. The background work of the previous sync is stopped.
func (c *Connector) state(syncID string) *syncState {
	c.mu.Lock()
	old := c.st
	if old != nil && old.id == syncID {
		c.mu.Unlock()
		return old
	}
	st := newSyncState(syncID)
	c.st = st
	c.mu.Unlock()
	if old != nil {
		old.stop()
	}
	return st
}
