package httpserver

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Queries answer over the last successful sync, from its index: direct
// grants as synced, derived grants by following expandable grants the way
// the SDK expands them (see index). Lists are sorted and paged with
// offset and limit (default 1000, at most 10000).

const (
	defaultLimit = 1000
	maxLimit     = 10000
)

// ResourceRef names a resource in query answers.
type ResourceRef struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	DisplayName string `json:"displayName,omitempty"`
	Email       string `json:"email,omitempty"`
}

// AccessItem is one entitlement a principal holds.
type AccessItem struct {
	Entitlement string      `json:"entitlement"`
	Slug        string      `json:"slug"`
	Resource    ResourceRef `json:"resource"`
	// Direct is true when the connector granted it; otherwise it is
	// derived through the principals in Via (a group, a project role, a
	// product, the site's public access).
	Direct bool     `json:"direct"`
	Via    []string `json:"via,omitempty"`
}

// HolderItem is one principal holding an entitlement.
type HolderItem struct {
	Principal ResourceRef `json:"principal"`
	Direct    bool        `json:"direct"`
	Via       []string    `json:"via,omitempty"`
}

// page is the paging part of every list answer.
type page struct {
	SyncID string `json:"syncId"`
	Total  int    `json:"total"`
	Offset int    `json:"offset"`
	Limit  int    `json:"limit"`
	// Next is the offset of the next page; absent on the last page.
	Next *int `json:"next,omitempty"`
}

// AccessAnswer answers GET /v1/users/{user}/access.
type AccessAnswer struct {
	page
	Principal ResourceRef  `json:"principal"`
	Access    []AccessItem `json:"access"`
}

// HoldersAnswer answers the holder queries.
type HoldersAnswer struct {
	page
	Entitlement string       `json:"entitlement"`
	Resource    ResourceRef  `json:"resource"`
	Holders     []HolderItem `json:"holders"`
}

func (ix *index) ref(i uint32) ResourceRef {
	k := ix.resKey[i]
	j := strings.IndexByte(k, ':')
	return ResourceRef{Type: k[:j], ID: k[j+1:], DisplayName: ix.resName[i], Email: ix.resEmail[i]}
}

func (ix *index) vias(h *held) []string {
	if len(h.via) == 0 {
		return nil
	}
	out := make([]string, len(h.via))
	for i, v := range h.via {
		out[i] = ix.resKey[v]
	}
	slices.Sort(out)
	return out
}

// index returns the query index, or writes 409 when no sync has finished.
func (s *Server) index(w http.ResponseWriter) *index {
	f := s.latest.Load()
	if f == nil {
		writeError(w, http.StatusConflict, "no_sync", "no sync has finished yet: start one with POST /v1/syncs")
		return nil
	}
	return f.ix
}

// paging reads offset, limit and type.
func paging(w http.ResponseWriter, r *http.Request) (offset, limit int, typ string, ok bool) {
	q := r.URL.Query()
	limit = defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			writeError(w, http.StatusBadRequest, "bad_limit", fmt.Sprintf("limit must be a number from 1 to %d, got %q", maxLimit, v))
			return 0, 0, "", false
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "bad_offset", fmt.Sprintf("offset must be a number from 0, got %q", v))
			return 0, 0, "", false
		}
		offset = n
	}
	return offset, limit, q.Get("type"), true
}

func cut[T any](items []T, p *page, offset, limit int) []T {
	p.Total, p.Offset, p.Limit = len(items), offset, limit
	if offset >= len(items) {
		return []T{}
	}
	end := min(len(items), offset+limit)
	if end < len(items) {
		p.Next = &end
	}
	return items[offset:end]
}

func (s *Server) handleUserAccess(w http.ResponseWriter, r *http.Request) {
	ix := s.index(w)
	if ix == nil {
		return
	}
	offset, limit, _, ok := paging(w, r)
	if !ok {
		return
	}
	id := r.PathValue("user")
	p, found := ix.resByKey["user:"+id]
	if !found && strings.Contains(id, "@") {
		p, found = ix.byEmail[strings.ToLower(id)]
	}
	if !found {
		writeError(w, http.StatusNotFound, "no_user", fmt.Sprintf("no user %q in sync %s (give an accountId, or an email the site shows)", id, ix.syncID))
		return
	}
	acc := ix.access(p)
	items := make([]AccessItem, 0, len(acc))
	for e, h := range acc {
		id := ix.entID[e]
		items = append(items, AccessItem{Entitlement: id, Slug: id[strings.LastIndexByte(id, ':')+1:],
			Resource: ix.ref(ix.entRes[e]), Direct: h.direct, Via: ix.vias(h)})
	}
	slices.SortFunc(items, func(a, b AccessItem) int { return cmp.Compare(a.Entitlement, b.Entitlement) })
	ans := AccessAnswer{page: page{SyncID: ix.syncID}, Principal: ix.ref(p)}
	ans.Access = cut(items, &ans.page, offset, limit)
	writeJSON(w, http.StatusOK, ans)
}

// holders answers for entitlement id; what names the thing asked about
// for the 404 message.
func (s *Server) holders(w http.ResponseWriter, r *http.Request, entID, what string) {
	ix := s.index(w)
	if ix == nil {
		return
	}
	offset, limit, typ, ok := paging(w, r)
	if !ok {
		return
	}
	e, found := ix.entByID[entID]
	if !found {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("%s in sync %s", what, ix.syncID))
		return
	}
	hs := ix.holders(e)
	items := make([]HolderItem, 0, len(hs))
	for p, h := range hs {
		if typ != "" && ix.typeOf(p) != typ {
			continue
		}
		items = append(items, HolderItem{Principal: ix.ref(p), Direct: h.direct, Via: ix.vias(h)})
	}
	slices.SortFunc(items, func(a, b HolderItem) int {
		return cmp.Or(cmp.Compare(a.Principal.Type, b.Principal.Type), cmp.Compare(a.Principal.ID, b.Principal.ID))
	})
	ans := HoldersAnswer{page: page{SyncID: ix.syncID}, Entitlement: entID, Resource: ix.ref(ix.entRes[e])}
	ans.Holders = cut(items, &ans.page, offset, limit)
	writeJSON(w, http.StatusOK, ans)
}

func (s *Server) handleGroupMembers(w http.ResponseWriter, r *http.Request) {
	g := r.PathValue("group")
	s.holders(w, r, "group:"+g+":member", fmt.Sprintf("no group with id %q (groups are named by groupId, not by name)", g))
}

func (s *Server) handleProjectBrowsers(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("project")
	what := fmt.Sprintf("no project %q with a participate entitlement", p)
	if _, err := strconv.Atoi(p); err != nil {
		what = fmt.Sprintf("no project %q: projects are named by their numeric id, not their key", p)
	}
	s.holders(w, r, "project:"+p+":participate", what+" (with skip-project-participants there is none)")
}

func (s *Server) handleRoleHolders(w http.ResponseWriter, r *http.Request) {
	role := r.PathValue("role")
	s.holders(w, r, "project-role:"+role+":assigned", fmt.Sprintf("no project role %q (project roles are named <projectId>:<roleId>)", role))
}

func (s *Server) handleEntitlementHolders(w http.ResponseWriter, r *http.Request) {
	e := r.PathValue("entitlement")
	s.holders(w, r, e, fmt.Sprintf("no entitlement %q (ids are <resourceType>:<resourceId>:<slug>)", e))
}
