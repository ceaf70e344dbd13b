package jiratest

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ---- Admin API (Bearer org API key) ----

func (c *call) org() (*Org, *reply) {
	o := c.x.t.Org
	if o == nil || c.p["orgId"] != o.ID {
		r := adminErr(c, 404, "ADMIN-404-2", "Not Found", "Organization not found")
		return nil, &r
	}
	return o, nil
}

func (c *call) adminUserNotFound(id string) reply {
	return adminErr(c, 404, "ADMIN-404-8", "Not Found", "User "+id+" not found")
}

// directoryOK checks {directoryId} ("-" = every directory; v1 routes have none).
func (c *call) directoryOK(o *Org) *reply {
	d := c.p["directoryId"]
	if d == "" || d == "-" {
		return nil
	}
	for _, dir := range o.Directories {
		if dir.ID == d {
			return nil
		}
	}
	r := adminErr(c, 404, "ADMIN-404-11", "Not Found", "Directory "+d+" not found")
	return &r
}

func (c *call) inDirectory(dirID string) bool {
	d := c.p["directoryId"]
	return d == "" || d == "-" || d == dirID
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// cursor state: every query parameter is in the cursor ("if present, all other parameters are discarded").
type cursorState struct {
	Offset int             `json:"o"`
	Limit  int             `json:"l"`
	Filter json.RawMessage `json:"f,omitempty"`
}

func encodeCursor(cs cursorState) string {
	b, _ := json.Marshal(cs)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c *call) decodeCursor(s string) (cursorState, *reply) {
	var cs cursorState
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &cs)
	}
	if err != nil || cs.Limit <= 0 || cs.Offset < 0 {
		r := adminErr(c, 400, "ADMIN-400-1", "Bad Request", "Invalid page cursor")
		return cs, &r
	}
	return cs, nil
}

// adminLimit validates a limit against [1, max] (the effective max may be lowered by WithMaxResultsCap).
func (c *call) adminLimit(n, def, max int) (int, *reply) {
	if n == 0 {
		n = def
	}
	if n < 1 || n > max {
		r := adminErr(c, 400, "ADMIN-400-3", "Bad Request", "limit must be between 1 and "+strconv.Itoa(max))
		return 0, &r
	}
	return min(n, c.capFor(max)), nil
}

type adminLinks struct {
	Self string `json:"self,omitempty"`
	Prev string `json:"prev,omitempty"`
	Next string `json:"next,omitempty"`
}

// cursorPage returns the bounds and links of a cursor page over n items.
func cursorPage(n, offset, limit int, filter json.RawMessage) (lo, hi int, links adminLinks) {
	lo, hi = min(offset, n), min(offset+limit, n)
	links.Self = encodeCursor(cursorState{Offset: offset, Limit: limit, Filter: filter})
	if hi < n {
		links.Next = encodeCursor(cursorState{Offset: hi, Limit: limit, Filter: filter})
	}
	if offset > 0 {
		links.Prev = encodeCursor(cursorState{Offset: max(offset-limit, 0), Limit: limit, Filter: filter})
	}
	return lo, hi, links
}

// cursorList answers one cursor page of list: {"data": [render(item)…], "links": …}; filter rides in the cursors.
func cursorList[T any](list []T, filter json.RawMessage, offset, limit int, render func(T) map[string]any) reply {
	lo, hi, links := cursorPage(len(list), offset, limit, filter)
	data := []map[string]any{}
	for _, v := range list[lo:hi] {
		data = append(data, render(v))
	}
	return ok(map[string]any{"data": data, "links": links})
}

// replayCursor answers the page a cursor names with the filter it carries (every other parameter is discarded).
func replayCursor[F any](c *call, o *Org, cur string, list func(*Org, F, int, int) reply) reply {
	cs, rep := c.decodeCursor(cur)
	if rep != nil {
		return *rep
	}
	var f F
	_ = json.Unmarshal(cs.Filter, &f)
	return list(o, f, cs.Offset, cs.Limit)
}

// adminBody decodes a non-empty request body into each of v; a body that does not decode is ADMIN-400-24.
func (c *call) adminBody(v ...any) *reply {
	if len(c.body) == 0 {
		return nil
	}
	for _, x := range v {
		if err := json.Unmarshal(c.body, x); err != nil {
			r := adminErr(c, 400, "ADMIN-400-24", "Bad Request", "Invalid request body")
			return &r
		}
	}
	return nil
}

// orgDirectory resolves {orgId} and checks {directoryId}.
func (c *call) orgDirectory() (*Org, *reply) {
	o, rep := c.org()
	if rep != nil {
		return nil, rep
	}
	if rep := c.directoryOK(o); rep != nil {
		return nil, rep
	}
	return o, nil
}

// dirListQuery serves a deprecated GET list of a directory (limit default 20, max 100): a cursor replays the
// filter it carries, otherwise filter reads it from the query.
func dirListQuery[F any](c *call, list func(*Org, F, int, int) reply, filter func() F) reply {
	o, rep := c.orgDirectory()
	if rep != nil {
		return *rep
	}
	if cur := c.q.Get("cursor"); cur != "" {
		return replayCursor(c, o, cur, list)
	}
	n, bad := c.intParam("limit", 0)
	if bad != nil {
		return adminErr(c, 400, "ADMIN-400-3", "Bad Request", "Invalid limit")
	}
	limit, rep := c.adminLimit(n, 20, 100)
	if rep != nil {
		return *rep
	}
	return list(o, filter(), 0, limit)
}

// dirListSearch serves POST …/search of a directory: the body is the filter plus cursor and limit (default 50, max
// 100). A cursor replays the filter it carries; otherwise check validates the body's filter and scopes it.
func dirListSearch[F any](c *call, list func(*Org, F, int, int) reply, check func(*F) *reply) reply {
	o, rep := c.orgDirectory()
	if rep != nil {
		return *rep
	}
	var f F
	var page struct {
		Cursor string `json:"cursor"`
		Limit  int    `json:"limit"`
	}
	if rep := c.adminBody(&f, &page); rep != nil {
		return *rep
	}
	if page.Cursor != "" {
		return replayCursor(c, o, page.Cursor, list)
	}
	if rep := check(&f); rep != nil {
		return *rep
	}
	limit, rep := c.adminLimit(page.Limit, 50, 100)
	if rep != nil {
		return *rep
	}
	return list(o, f, 0, limit)
}

func hOrgs(c *call) reply {
	o := c.x.t.Org
	data := []any{}
	if o != nil {
		data = append(data, c.orgJSON(o))
	}
	return ok(map[string]any{"data": data, "links": adminLinks{Self: c.selfURL()}})
}

func (c *call) orgJSON(o *Org) map[string]any {
	return map[string]any{"id": o.ID, "type": "orgs", "attributes": map[string]string{"name": o.Name},
		"links": map[string]string{"self": c.s.URL + "/admin/v1/orgs/" + o.ID}}
}

func hOrg(c *call) reply {
	o, rep := c.org()
	if rep != nil {
		return *rep
	}
	return ok(map[string]any{"data": c.orgJSON(o)})
}

func lastActiveOf(a *OrgAccount) time.Time {
	var t time.Time
	for _, pa := range a.ProductAccess {
		if pa.LastActive.After(t) {
			t = pa.LastActive
		}
	}
	return t
}

func (c *call) workspaceOf(id string) *Workspace { return c.x.workspaces[id] }

// hV1Users lists managed accounts (snake_case); links.next is a full URL.
func hV1Users(c *call) reply {
	o, rep := c.org()
	if rep != nil {
		return *rep
	}
	var list []*OrgAccount
	for _, a := range o.Accounts {
		if a.ClaimStatus == "managed" {
			list = append(list, a)
		}
	}
	offset, limit := 0, c.capFor(100)
	if cur := c.q.Get("cursor"); cur != "" {
		cs, rep := c.decodeCursor(cur)
		if rep != nil {
			return *rep
		}
		offset = cs.Offset
	}
	lo, hi, links := cursorPage(len(list), offset, limit, nil)
	data := []map[string]any{}
	for _, a := range list[lo:hi] {
		pa := []map[string]string{}
		for _, p := range a.ProductAccess {
			w := c.workspaceOf(p.ResourceID)
			name, u := p.Key, ""
			if w != nil {
				name, u = w.Name, w.HostURL
			}
			pa = append(pa, map[string]string{"key": p.Key, "name": name, "url": u, "last_active": isoTime(p.LastActive)})
		}
		m := map[string]any{"account_id": a.AccountID, "account_type": a.AccountType, "account_status": a.AccountStatus,
			"name": a.Name, "picture": avatars(a.AccountID).P48, "email": a.Email,
			"access_billable": a.Status == StatusActive && len(a.ProductAccess) > 0,
			"product_access":  pa, "links": map[string]string{"self": c.s.URL + "/users/" + url.PathEscape(a.AccountID) + "/manage/profile"}}
		if la := lastActiveOf(a); !la.IsZero() {
			m["last_active"] = isoTime(la)
		}
		data = append(data, m)
	}
	full := func(cur string) string {
		if cur == "" {
			return ""
		}
		return c.s.URL + "/admin/v1/orgs/" + o.ID + "/users?cursor=" + url.QueryEscape(cur)
	}
	out := map[string]any{"data": data, "meta": map[string]int{"total": len(list)},
		"links": adminLinks{Self: full(links.Self), Prev: full(links.Prev), Next: full(links.Next)}}
	return ok(out)
}

// hV1UsersSearch is POST /v1/orgs/{orgId}/users/search (camelCase, bare cursor).
func hV1UsersSearch(c *call) reply {
	o, rep := c.org()
	if rep != nil {
		return *rep
	}
	var body struct {
		Cursor     string   `json:"cursor"`
		Limit      int      `json:"limit"`
		AccountIDs []string `json:"accountIds"`
		Emails     []string `json:"emailUsernames"`
	}
	if rep := c.adminBody(&body); rep != nil {
		return *rep
	}
	offset := 0
	limit, rep := c.adminLimit(body.Limit, 50, 100)
	if rep != nil {
		return *rep
	}
	if body.Cursor != "" {
		cs, rep := c.decodeCursor(body.Cursor)
		if rep != nil {
			return *rep
		}
		offset, limit = cs.Offset, cs.Limit
		_ = json.Unmarshal(cs.Filter, &body.AccountIDs)
	}
	var list []*OrgAccount
	for _, a := range o.Accounts {
		if len(body.AccountIDs) == 0 || slices.Contains(body.AccountIDs, a.AccountID) {
			list = append(list, a)
		}
	}
	f, _ := json.Marshal(body.AccountIDs)
	lo, hi, links := cursorPage(len(list), offset, limit, f)
	data := []map[string]any{}
	for _, a := range list[lo:hi] {
		data = append(data, map[string]any{"accountId": a.AccountID, "accountType": a.AccountType,
			"accountStatus": a.AccountStatus, "status": a.Status, "name": a.Name, "nickname": a.Nickname,
			"email": a.Email, "claimStatus": a.ClaimStatus, "addedToOrg": isoTime(a.AddedToOrg)})
	}
	return ok(map[string]any{"data": data, "links": adminLinks{Self: links.Self, Next: links.Next}})
}

func (c *call) domainJSON(d *Domain) map[string]any {
	return map[string]any{"id": d.ID, "type": "domains", "attributes": map[string]any{"name": d.Name,
		"claim": map[string]string{"type": d.ClaimType, "status": d.ClaimStatus}},
		"links": map[string]string{"self": c.s.URL + "/admin/v1/orgs/" + c.x.t.Org.ID + "/domains/" + d.ID}}
}

func hDomains(c *call) reply {
	o, rep := c.org()
	if rep != nil {
		return *rep
	}
	data := []any{}
	for _, d := range o.Domains {
		data = append(data, c.domainJSON(d))
	}
	return ok(map[string]any{"data": data, "links": adminLinks{Self: c.selfURL()}})
}

func hDomain(c *call) reply {
	o, rep := c.org()
	if rep != nil {
		return *rep
	}
	for _, d := range o.Domains {
		if d.ID == c.p["domainId"] {
			return ok(map[string]any{"data": c.domainJSON(d)})
		}
	}
	return adminErr(c, 404, "ADMIN-404-3", "Not Found", "Domain not found")
}

func hLastActive(c *call) reply {
	if _, rep := c.org(); rep != nil {
		return *rep
	}
	a := c.x.accounts[c.p["accountId"]]
	if a == nil {
		return c.adminUserNotFound(c.p["accountId"])
	}
	pa := []map[string]string{}
	for _, p := range a.ProductAccess {
		if p.LastActive.IsZero() {
			continue
		}
		pa = append(pa, map[string]string{"id": p.ResourceID, "key": p.Key,
			"last_active": p.LastActive.UTC().Format("2006-01-02"), "last_active_timestamp": isoTime(p.LastActive)})
	}
	data := map[string]any{"product_access": pa}
	if !a.AddedToOrg.IsZero() {
		data["added_to_org"] = a.AddedToOrg.UTC().Format("2006-01-02")
	}
	return ok(map[string]any{"data": data, "links": map[string]string{}})
}

// setStatus changes an account's directory status and the Jira user's active flag.
func (c *call) setStatus(a *OrgAccount, status string) {
	a.Status = status
	switch status {
	case StatusActive:
		a.AccountStatus = "active"
		a.DeactivatedOn = time.Time{}
	case StatusDeactivated:
		a.AccountStatus = "inactive"
		a.DeactivatedOn = c.now.UTC()
	}
	c.x.setActive(a.AccountID, status == StatusActive)
}

func (c *call) accountParam() (*OrgAccount, *reply) {
	if _, rep := c.orgDirectory(); rep != nil {
		return nil, rep
	}
	a := c.x.accounts[c.p["accountId"]]
	if a == nil || !c.inDirectory(a.DirectoryID) {
		r := c.adminUserNotFound(c.p["accountId"])
		return nil, &r
	}
	return a, nil
}

// setAccountStatus sets the status of {accountId} and answers out, logged as summary followed by the account ID.
//
// The Admin API documents no error for suspending a suspended account or restoring an active one, so both succeed
// and change nothing (no mutation is logged). Suspension and restoration are about access, not the account itself:
// a deactivated account stays deactivated (reactivating it is lifecycle/enable of the user management API).
func (c *call) setAccountStatus(status string, out reply, summary string) reply {
	a, rep := c.accountParam()
	if rep != nil {
		return *rep
	}
	if a.Status == status || a.Status == StatusDeactivated {
		return out
	}
	c.setStatus(a, status)
	out.mutation = summary + a.AccountID
	return out
}

// v1Success is the v1 directory mutations' answer.
func v1Success() reply {
	return ok(map[string]string{"message": "Your request was successful."})
}

func hV1Suspend(c *call) reply {
	return c.setAccountStatus(StatusSuspended, v1Success(), "suspended access of ")
}

func hV1Restore(c *call) reply {
	return c.setAccountStatus(StatusActive, v1Success(), "restored access of ")
}

// removeFromDirectory removes product access and memberships; the Jira user becomes inactive.
func (c *call) removeFromDirectory(a *OrgAccount) {
	o := c.x.t.Org
	o.Accounts = slices.DeleteFunc(o.Accounts, func(x *OrgAccount) bool { return x == a })
	delete(c.x.accounts, a.AccountID)
	for _, mg := range o.Groups {
		if g := c.x.groups[mg.ID]; g != nil {
			c.x.removeMember(g, a.AccountID)
		} else {
			mg.Members = slices.DeleteFunc(mg.Members, func(s string) bool { return s == a.AccountID })
		}
	}
	c.x.setActive(a.AccountID, false)
}

// removeAccount removes {accountId} from its directory: 204, logged as removed from where.
func (c *call) removeAccount(where string) reply {
	a, rep := c.accountParam()
	if rep != nil {
		return *rep
	}
	c.removeFromDirectory(a)
	out := noContent()
	out.mutation = "removed " + a.AccountID + " from " + where
	return out
}

func hV1RemoveUser(c *call) reply {
	return c.removeAccount("the directory")
}

// ---- v2 ----

type workspaceQuery struct {
	Cursor *string `json:"cursor"`
	Limit  *int    `json:"limit"`
	Query  any     `json:"query"`
	Sort   any     `json:"sort"`
}

// hWorkspaces is POST /v2/orgs/{orgId}/workspaces: body {"cursor"} or {"limit",…}; both together is 400.
func hWorkspaces(c *call) reply {
	o, rep := c.org()
	if rep != nil {
		return *rep
	}
	var body workspaceQuery
	if rep := c.adminBody(&body); rep != nil {
		return *rep
	}
	if body.Cursor != nil && *body.Cursor != "" && (body.Limit != nil || body.Query != nil || body.Sort != nil) {
		return adminErr(c, 400, "ADMIN-400-24", "Bad Request", "cursor cannot be combined with other fields")
	}
	offset, limit := 0, 20
	if body.Limit != nil {
		l, rep := c.adminLimit(*body.Limit, 20, 100)
		if rep != nil {
			return *rep
		}
		limit = l
	}
	limit = min(limit, c.capFor(100))
	if body.Cursor != nil && *body.Cursor != "" {
		cs, rep := c.decodeCursor(*body.Cursor)
		if rep != nil {
			return *rep
		}
		offset, limit = cs.Offset, cs.Limit
	}
	lo, hi, links := cursorPage(len(o.Workspaces), offset, limit, nil)
	data := []map[string]any{}
	for _, w := range o.Workspaces[lo:hi] {
		attrs := map[string]any{"name": w.Name, "typeKey": w.TypeKey, "type": w.Type, "owner": o.ID, "status": w.Status,
			"statusDetails": []string{}, "realm": "us", "regions": []string{"us-east-1"}}
		if w.HostURL != "" {
			attrs["hostUrl"] = w.HostURL
		}
		data = append(data, map[string]any{"id": w.ID, "type": "workspace", "attributes": attrs,
			"links": map[string]string{"self": c.s.URL + "/admin/v2/orgs/" + o.ID + "/workspaces/" + url.PathEscape(w.ID)}})
	}
	total := len(o.Workspaces)
	if c.s.cfg.totalDrift {
		total = driftTotal(total, offset, limit)
	}
	return ok(map[string]any{"data": data, "links": links,
		"meta": map[string]int{"pageSize": limit, "startIndex": lo, "endIndex": hi, "total": total}})
}

func hDirectories(c *call) reply {
	o, rep := c.org()
	if rep != nil {
		return *rep
	}
	data := []map[string]string{}
	for _, d := range o.Directories {
		data = append(data, map[string]string{"directoryId": d.ID, "name": d.Name,
			"icon": "https://admin.atlassian.com/assets/directory.svg"})
	}
	return ok(map[string]any{"data": data, "links": adminLinks{}})
}

// userFilter holds the v2 user filters.
type userFilter struct {
	AccountIDs       []string `json:"accountIds,omitempty"`
	DirectoryIDs     []string `json:"directoryIds,omitempty"`
	ResourceIDs      []string `json:"resourceIds,omitempty"`
	GroupIDs         []string `json:"groupIds,omitempty"`
	Status           []string `json:"status,omitempty"`
	AccountStatus    []string `json:"accountStatus,omitempty"`
	MembershipStatus []string `json:"membershipStatus,omitempty"`
	ClaimStatus      string   `json:"claimStatus,omitempty"`
	SearchTerm       string   `json:"searchTerm,omitempty"`
	Emails           []string `json:"emails,omitempty"`
	EmailDomains     []string `json:"emailDomains,omitempty"`
	Expand           []string `json:"expand,omitempty"`
	Dir              string   `json:"dir,omitempty"`
}

func multi(q url.Values, name string) []string {
	var out []string
	for _, k := range []string{name, name + "[]"} {
		for _, v := range q[k] {
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func membershipStatus(a *OrgAccount) string {
	if a.Status == StatusSuspended {
		return "suspended"
	}
	return "active"
}

func (c *call) memberOf(mg *ManagedGroup, acct string) bool {
	if g := c.x.groups[mg.ID]; g != nil {
		return c.x.inGroup(acct, g.ID)
	}
	return slices.Contains(mg.Members, acct)
}

func (c *call) managedMembers(mg *ManagedGroup) []string {
	if g := c.x.groups[mg.ID]; g != nil {
		return g.Members
	}
	return mg.Members
}

func (c *call) matchUser(a *OrgAccount, f *userFilter) bool {
	if f.Dir != "" && f.Dir != "-" && a.DirectoryID != f.Dir {
		return false
	}
	if len(f.AccountIDs) > 0 && !slices.Contains(f.AccountIDs, a.AccountID) {
		return false
	}
	if len(f.DirectoryIDs) > 0 && !slices.Contains(f.DirectoryIDs, a.DirectoryID) {
		return false
	}
	if len(f.ResourceIDs) > 0 && !a.hasAnyResource(f.ResourceIDs) {
		return false
	}
	if len(f.GroupIDs) > 0 && !slices.ContainsFunc(f.GroupIDs, func(gid string) bool {
		mg := c.x.mgroups[gid]
		return mg != nil && c.memberOf(mg, a.AccountID)
	}) {
		return false
	}
	if len(f.Status) > 0 && !slices.Contains(f.Status, a.Status) {
		return false
	}
	if len(f.AccountStatus) > 0 && !slices.Contains(f.AccountStatus, a.AccountStatus) {
		return false
	}
	if len(f.MembershipStatus) > 0 && !slices.Contains(f.MembershipStatus, membershipStatus(a)) {
		return false
	}
	if f.ClaimStatus != "" && f.ClaimStatus != a.ClaimStatus {
		return false
	}
	if len(f.Emails) > 0 && !slices.ContainsFunc(f.Emails, func(e string) bool { return strings.EqualFold(e, a.Email) }) {
		return false
	}
	if len(f.EmailDomains) > 0 {
		_, dom, _ := strings.Cut(a.Email, "@")
		if !slices.ContainsFunc(f.EmailDomains, func(d string) bool { return strings.EqualFold(d, dom) }) {
			return false
		}
	}
	if t := strings.ToLower(f.SearchTerm); t != "" && !strings.Contains(strings.ToLower(a.Name), t) &&
		!strings.Contains(strings.ToLower(a.Email), t) && !strings.Contains(strings.ToLower(a.Nickname), t) {
		return false
	}
	return true
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (c *call) v2UserJSON(a *OrgAccount, expand []string) map[string]any {
	m := map[string]any{"accountId": a.AccountID, "accountType": a.AccountType, "status": a.Status,
		"accountStatus": a.AccountStatus, "membershipStatus": membershipStatus(a), "addedToOrg": isoTime(a.AddedToOrg),
		"name": a.Name, "nickname": a.Nickname, "email": a.Email, "emailVerified": a.EmailVerified,
		"claimStatus": a.ClaimStatus, "picture": avatars(a.AccountID).P48, "avatar": avatars(a.AccountID).P48,
		"managementSource": strPtr(a.ManagementSource), "mfaEnabled": a.MFAEnabled, "department": strPtr(a.Department),
		"organization": nil, "location": nil, "timeZone": strPtr(a.TimeZone), "forDeletion": false,
		"links": map[string]string{"self": encodeCursor(cursorState{Offset: 0, Limit: 1, Filter: json.RawMessage(strconv.Quote(a.AccountID))})}}
	if a.JobTitle != "" {
		m["jobTitle"] = a.JobTitle
	}
	if a.Email == "" {
		delete(m, "email")
	}
	if !a.DeactivatedOn.IsZero() {
		m["deactivatedOn"] = isoTime(a.DeactivatedOn)
	} else {
		m["deactivatedOn"] = nil
	}
	if slices.Contains(expand, "platformRoles") {
		m["platformRoles"] = append([]string{}, a.PlatformRoles...)
	}
	if slices.Contains(expand, "counts.resources") || slices.Contains(expand, "counts") {
		m["counts"] = map[string]int{"resources": len(a.ProductAccess)}
	}
	if slices.Contains(expand, "productAccess") {
		pa := []map[string]string{}
		for _, p := range a.ProductAccess {
			e := map[string]string{"key": p.Key, "id": p.ResourceID}
			if !p.LastActive.IsZero() {
				e["lastActiveTimestamp"] = isoTime(p.LastActive)
			}
			pa = append(pa, e)
		}
		m["productAccess"] = pa
	}
	if slices.Contains(expand, "groups") {
		gs := []map[string]string{}
		for _, mg := range c.x.t.Org.Groups {
			if c.memberOf(mg, a.AccountID) {
				gs = append(gs, map[string]string{"id": mg.ID, "name": mg.Name, "description": mg.Description})
			}
		}
		m["groups"] = gs
	}
	return m
}

// listUsers pages the accounts matching f.
func (c *call) listUsers(o *Org, f userFilter, offset, limit int) reply {
	var list []*OrgAccount
	for _, a := range o.Accounts {
		if c.matchUser(a, &f) {
			list = append(list, a)
		}
	}
	fj, _ := json.Marshal(f)
	return cursorList(list, fj, offset, limit, func(a *OrgAccount) map[string]any { return c.v2UserJSON(a, f.Expand) })
}

// hV2Users is the deprecated GET …/directories/{dir}/users (limit default 20, max 100; cursor carries the query).
func hV2Users(c *call) reply {
	return dirListQuery(c, c.listUsers, func() userFilter {
		return userFilter{AccountIDs: multi(c.q, "accountIds"), DirectoryIDs: multi(c.q, "directoryIds"),
			ResourceIDs: multi(c.q, "resourceIds"), GroupIDs: multi(c.q, "groupIds"), Status: multi(c.q, "status"),
			AccountStatus: multi(c.q, "accountStatus"), MembershipStatus: multi(c.q, "membershipStatus"),
			ClaimStatus: c.q.Get("claimStatus"), SearchTerm: c.q.Get("searchTerm"), EmailDomains: multi(c.q, "emailDomains"),
			Dir: c.p["directoryId"]}
	})
}

// hV2UsersSearch is POST …/directories/{dir}/users/search (limit default 50, max 100).
func hV2UsersSearch(c *call) reply {
	return dirListSearch(c, c.listUsers, func(f *userFilter) *reply {
		if len(f.Emails) > 0 && f.SearchTerm != "" {
			r := adminErr(c, 400, "ADMIN-400-24", "Bad Request", "emails and searchTerm are mutually exclusive")
			return &r
		}
		f.Dir = c.p["directoryId"]
		return nil
	})
}

func hV2User(c *call) reply {
	a, rep := c.accountParam()
	if rep != nil {
		return *rep
	}
	return ok(map[string]any{"data": c.v2UserJSON(a, []string{"productAccess", "groups", "counts.resources", "platformRoles"})})
}

func hV2RemoveUser(c *call) reply {
	return c.removeAccount("directory " + c.p["directoryId"])
}

func hV2Suspend(c *call) reply {
	return c.setAccountStatus(StatusSuspended, noContent(), "suspended ")
}

func hV2Restore(c *call) reply {
	return c.setAccountStatus(StatusActive, noContent(), "restored ")
}

type groupFilter struct {
	AccountIDs  []string `json:"accountIds,omitempty"`
	GroupIDs    []string `json:"groupIds,omitempty"`
	GroupNames  []string `json:"groupNames,omitempty"`
	ResourceIDs []string `json:"resourceIds,omitempty"`
	SearchTerm  string   `json:"searchTerm,omitempty"`
	Expand      []string `json:"expand,omitempty"`
	Dir         string   `json:"dir,omitempty"`
}

func (c *call) groupJSONAdmin(mg *ManagedGroup, counts bool) map[string]any {
	m := map[string]any{"id": mg.ID, "name": mg.Name, "description": mg.Description, "directoryId": mg.DirectoryID,
		"managementAccess": "full", "externalSynced": false, "managedBy": "admins",
		"links": map[string]string{"self": encodeCursor(cursorState{Offset: 0, Limit: 1, Filter: json.RawMessage(strconv.Quote(mg.ID))})}}
	if counts {
		m["counts"] = map[string]int{"users": len(c.managedMembers(mg)), "resources": len(mg.ResourceIDs)}
	}
	return m
}

func (c *call) listGroups(o *Org, f groupFilter, offset, limit int) reply {
	var list []*ManagedGroup
	for _, mg := range o.Groups {
		if f.Dir != "" && f.Dir != "-" && mg.DirectoryID != f.Dir {
			continue
		}
		if len(f.GroupIDs) > 0 && !slices.Contains(f.GroupIDs, mg.ID) {
			continue
		}
		if len(f.GroupNames) > 0 && !slices.ContainsFunc(f.GroupNames, func(n string) bool { return strings.EqualFold(n, mg.Name) }) {
			continue
		}
		if len(f.ResourceIDs) > 0 && !hasAny(mg.ResourceIDs, f.ResourceIDs) {
			continue
		}
		if len(f.AccountIDs) > 0 && !slices.ContainsFunc(f.AccountIDs, func(a string) bool { return c.memberOf(mg, a) }) {
			continue
		}
		if t := strings.ToLower(f.SearchTerm); t != "" && !strings.Contains(strings.ToLower(mg.Name), t) {
			continue
		}
		list = append(list, mg)
	}
	fj, _ := json.Marshal(f)
	counts := slices.Contains(f.Expand, "counts.users") || slices.Contains(f.Expand, "counts.resources") ||
		slices.Contains(f.Expand, "counts")
	return cursorList(list, fj, offset, limit, func(mg *ManagedGroup) map[string]any { return c.groupJSONAdmin(mg, counts) })
}

// hV2Groups is the deprecated GET …/directories/{dir}/groups (limit default 20, max 100; cursor carries the query).
func hV2Groups(c *call) reply {
	return dirListQuery(c, c.listGroups, func() groupFilter {
		f := groupFilter{AccountIDs: multi(c.q, "accountIds"), GroupIDs: multi(c.q, "groupIds"),
			ResourceIDs: multi(c.q, "resourceIds"), SearchTerm: c.q.Get("searchTerm"), Dir: c.p["directoryId"]}
		if v, _ := strconv.ParseBool(c.q.Get("counts")); v {
			f.Expand = []string{"counts"}
		}
		return f
	})
}

// hV2GroupsSearch is POST …/directories/{dir}/groups/search (limit default 50, max 100).
func hV2GroupsSearch(c *call) reply {
	return dirListSearch(c, c.listGroups, func(f *groupFilter) *reply {
		f.Dir = c.p["directoryId"]
		return nil
	})
}

func (c *call) managedGroupParam() (*Org, *ManagedGroup, *reply) {
	o, rep := c.orgDirectory()
	if rep != nil {
		return nil, nil, rep
	}
	mg := c.x.mgroups[c.p["groupId"]]
	if mg == nil || !c.inDirectory(mg.DirectoryID) {
		r := adminErr(c, 404, "ADMIN-404-10", "Not Found", "Group "+c.p["groupId"]+" not found")
		return nil, nil, &r
	}
	return o, mg, nil
}

func hV2Group(c *call) reply {
	_, mg, rep := c.managedGroupParam()
	if rep != nil {
		return *rep
	}
	return ok(map[string]any{"data": c.groupJSONAdmin(mg, true)})
}

// hV2CreateGroup creates a directory group; it also appears as a Jira group with the same ID.
func hV2CreateGroup(c *call) reply {
	o, rep := c.org()
	if rep != nil {
		return *rep
	}
	if c.p["directoryId"] == "-" {
		return adminErr(c, 400, "ADMIN-400-4", "Bad Request", "A directory ID is required to create a group")
	}
	if rep := c.directoryOK(o); rep != nil {
		return *rep
	}
	var body struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	if err := c.decode(&body); err != nil || strings.TrimSpace(body.Name) == "" {
		return adminErr(c, 400, "ADMIN-400-24", "Bad Request", "name is required")
	}
	if c.x.groupNames[strings.ToLower(body.Name)] != nil {
		return adminErr(c, 409, "ADMIN-409-1", "Conflict", "A group with this name already exists")
	}
	id := hashUUID("admin-group", o.ID, body.Name, c.trace)
	mg := &ManagedGroup{ID: id, Name: body.Name, Description: body.Description, DirectoryID: c.p["directoryId"]}
	o.Groups = append(o.Groups, mg)
	c.x.mgroups[id] = mg
	c.x.addGroup(&Group{ID: id, Name: body.Name, Description: body.Description})
	out := created(map[string]any{"data": c.groupJSONAdmin(mg, true)})
	out.mutation = "created directory group " + body.Name + " (" + id + ")"
	return out
}

func hV2DeleteGroup(c *call) reply {
	_, mg, rep := c.managedGroupParam()
	if rep != nil {
		return *rep
	}
	if g := c.x.groups[mg.ID]; g != nil {
		c.x.deleteGroup(g)
	} else {
		c.x.deleteManagedGroup(mg)
	}
	out := noContent()
	out.mutation = "deleted directory group " + mg.Name + " (" + mg.ID + ")"
	return out
}

// hV2Memberships lists the members of a group. The path is not in the public spec snapshots (members are usually
// listed with the users endpoint's groupIds filter, which the fake also supports).
func hV2Memberships(c *call) reply {
	_, mg, rep := c.managedGroupParam()
	if rep != nil {
		return *rep
	}
	offset, limit := 0, 0
	if cur := c.q.Get("cursor"); cur != "" {
		cs, rep := c.decodeCursor(cur)
		if rep != nil {
			return *rep
		}
		offset, limit = cs.Offset, cs.Limit
	} else {
		n, _ := c.intParam("limit", 0)
		l, rep := c.adminLimit(n, 20, 100)
		if rep != nil {
			return *rep
		}
		limit = l
	}
	return cursorList(c.managedMembers(mg), nil, offset, limit, func(id string) map[string]any {
		m := map[string]any{"accountId": id}
		if a := c.x.accounts[id]; a != nil {
			m["name"], m["email"], m["status"] = a.Name, a.Email, a.Status
		} else if u := c.x.users[id]; u != nil {
			m["name"] = u.DisplayName
		}
		return m
	})
}

func hV2AddMembership(c *call) reply {
	_, mg, rep := c.managedGroupParam()
	if rep != nil {
		return *rep
	}
	var body struct {
		AccountID string `json:"accountId"`
	}
	if err := c.decode(&body); err != nil || body.AccountID == "" {
		return adminErr(c, 400, "ADMIN-400-24", "Bad Request", "accountId is required")
	}
	a := c.x.accounts[body.AccountID]
	if a == nil || (a.DirectoryID != mg.DirectoryID) {
		return c.adminUserNotFound(body.AccountID)
	}
	if c.memberOf(mg, a.AccountID) {
		return noContent() // idempotent, nothing changes
	}
	if g := c.x.groups[mg.ID]; g != nil {
		if c.x.users[a.AccountID] == nil {
			return adminErr(c, 400, "ADMIN-400-4", "Bad Request", "The user has no access to the group's site")
		}
		c.x.addMember(g, a.AccountID)
	} else {
		mg.Members = append(mg.Members, a.AccountID)
	}
	out := noContent()
	out.mutation = "added " + a.AccountID + " to directory group " + mg.Name + " (" + mg.ID + ")"
	return out
}

func hV2RemoveMembership(c *call) reply {
	_, mg, rep := c.managedGroupParam()
	if rep != nil {
		return *rep
	}
	acct := c.p["accountId"]
	if !c.memberOf(mg, acct) {
		return c.adminUserNotFound(acct)
	}
	if g := c.x.groups[mg.ID]; g != nil {
		c.x.removeMember(g, acct)
	} else {
		mg.Members = slices.DeleteFunc(mg.Members, func(s string) bool { return s == acct })
	}
	out := noContent()
	out.mutation = "removed " + acct + " from directory group " + mg.Name + " (" + mg.ID + ")"
	return out
}

// ---- user management API (/users/{accountId}/manage/...) ----

// managedAccount resolves {accountId}; accounts whose domain the org has not verified answer 403.
func (c *call) managedAccount() (*OrgAccount, *reply) {
	id := c.p["accountId"]
	a := c.x.accounts[id]
	if a == nil {
		if c.x.users[id] != nil {
			r := adminErr(c, 403, "ADMIN-403-2", "Forbidden", "The account is not managed by your organization")
			return nil, &r
		}
		r := c.adminUserNotFound(id)
		return nil, &r
	}
	if a.ClaimStatus != "managed" {
		r := adminErr(c, 403, "ADMIN-403-2", "Forbidden", "The account is not managed by your organization")
		return nil, &r
	}
	return a, nil
}

func hManage(c *call) reply {
	if _, rep := c.managedAccount(); rep != nil {
		return *rep
	}
	out := map[string]bool{}
	for _, p := range []string{"profile.read", "profile.write", "email.set", "lifecycle.enablement", "lifecycle.delete",
		"apiToken.read", "apiToken.delete"} {
		out[p] = true
	}
	return ok(out)
}

func hManageProfile(c *call) reply {
	a, rep := c.managedAccount()
	if rep != nil {
		return *rep
	}
	locale := ""
	if u := c.x.users[a.AccountID]; u != nil {
		locale = u.Locale
	}
	acc := map[string]any{"account_id": a.AccountID, "account_type": a.AccountType, "account_status": a.AccountStatus,
		"name": a.Name, "nickname": a.Nickname, "email": a.Email, "picture": avatars(a.AccountID).P48,
		"zoneinfo": a.TimeZone, "locale": locale,
		"extended_profile": map[string]string{"job_title": a.JobTitle, "department": a.Department}}
	return ok(map[string]any{"account": acc})
}

func hLifecycleDisable(c *call) reply {
	a, rep := c.managedAccount()
	if rep != nil {
		return *rep
	}
	var body map[string]any
	if err := c.decode(&body); err != nil {
		return adminErr(c, 400, "ADMIN-400-24", "Bad Request", "A request body with a message is required")
	}
	if _, ok := body["message"]; !ok {
		return adminErr(c, 400, "ADMIN-400-24", "Bad Request", "message is required")
	}
	out := noContent()
	if a.Status == StatusDeactivated {
		return out // already deactivated: nothing changes
	}
	c.setStatus(a, StatusDeactivated)
	out.mutation = "deactivated account " + a.AccountID
	return out
}

func hLifecycleEnable(c *call) reply {
	a, rep := c.managedAccount()
	if rep != nil {
		return *rep
	}
	out := noContent()
	if a.Status != StatusDeactivated {
		return out // not deactivated: nothing to reactivate
	}
	c.setStatus(a, StatusActive)
	out.mutation = "reactivated account " + a.AccountID
	return out
}

// hasAnyResource reports whether a has product access to one of the workspaces ids.
func (a *OrgAccount) hasAnyResource(ids []string) bool {
	for _, pa := range a.ProductAccess {
		if slices.Contains(ids, pa.ResourceID) {
			return true
		}
	}
	return false
}

// hasAny reports whether a and b share an element.
func hasAny(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
