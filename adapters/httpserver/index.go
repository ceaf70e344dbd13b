package httpserver

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/batonkit/jiracloud/adapters/embed"
)

// index answers the queries over one finished sync. It is built once from
// the c1z with embed.ScanC1Z (one page in memory at a time) and then only
// read, so any number of queries can share it without locks.
//
// Memory is the design constraint. The index keeps the resources, the
// entitlements and the DIRECT grants only, as integer arrays: about 21
// bytes per direct grant plus the expandable entitlement lists. Grants the
// SDK derived by expansion (on a large site 5.4 of 6.5 million) are not
// stored; queries derive them on demand by following the expandable grants
// exactly as the SDK does (a grant of E to P, expandable onto X for types
// T, gives E to every holder of X whose type is in T, transitively). The
// tests check the derivation against the SDK's own expansion in the c1z.
type index struct {
	syncID string
	built  time.Duration

	// Resources: key is "<type>:<id>" (resource types have no colon).
	resKey   []string
	resName  []string
	resEmail []string
	resByKey map[string]uint32
	byEmail  map[string]uint32 // lower-cased email → user resource

	// Entitlements.
	entID   []string
	entRes  []uint32 // resource of the entitlement
	entByID map[string]uint32

	// Direct grants, in scan order.
	gEnt    []uint32
	gPrin   []uint32 // resource index of the principal
	gExpOff []uint32 // len(gEnt)+1 offsets into gExp
	gExp    []uint32 // entitlement indexes of the Expandable lists
	gTypes  []uint16 // index into typeSets (0: not expandable)

	typeSets [][]string // ExpandableTypes sets, interned; [0] is nil

	// CSR adjacency: grants of an entitlement, grants of a principal, and
	// the grants that expand from an entitlement.
	entStart, entG   []uint32
	prinStart, prinG []uint32
	revStart, revG   []uint32
}

// buildIndex scans the c1z at path.
func buildIndex(ctx context.Context, syncID, path string) (*index, error) {
	start := time.Now()
	ix := &index{
		syncID:   syncID,
		resByKey: map[string]uint32{},
		byEmail:  map[string]uint32{},
		entByID:  map[string]uint32{},
		typeSets: [][]string{nil},
		gExpOff:  []uint32{0},
	}
	typeSetIdx := map[string]uint16{}
	err := embed.ScanC1Z(ctx, path, embed.Visitor{
		Resource: func(r embed.Resource) error {
			i := ix.resource(r.Type, r.ID)
			ix.resName[i] = r.DisplayName
			if r.Type == "user" && r.Email != "" {
				ix.resEmail[i] = r.Email
				ix.byEmail[strings.ToLower(r.Email)] = i
			}
			return nil
		},
		Entitlement: func(e embed.Entitlement) error {
			ix.entitlement(e.ID, e.ResourceType, e.ResourceID)
			return nil
		},
		Grant: func(g embed.Grant) error {
			if g.Expanded {
				return nil // derived on demand (see the type comment)
			}
			if len(ix.gEnt) >= 1<<32-2 {
				return fmt.Errorf("more than %d grants", 1<<32-2)
			}
			ix.gEnt = append(ix.gEnt, ix.entitlement(g.Entitlement, "", ""))
			ix.gPrin = append(ix.gPrin, ix.resource(g.PrincipalType, g.PrincipalID))
			for _, x := range g.Expandable {
				ix.gExp = append(ix.gExp, ix.entitlement(x, "", ""))
			}
			ix.gExpOff = append(ix.gExpOff, uint32(len(ix.gExp)))
			var ts uint16
			if len(g.Expandable) > 0 {
				key := strings.Join(g.ExpandableTypes, ",")
				var ok bool
				if ts, ok = typeSetIdx[key]; !ok {
					if len(ix.typeSets) >= 1<<16-1 {
						return fmt.Errorf("too many distinct expandable type sets")
					}
					ts = uint16(len(ix.typeSets))
					typeSetIdx[key] = ts
					ix.typeSets = append(ix.typeSets, slices.Clone(g.ExpandableTypes))
				}
			}
			ix.gTypes = append(ix.gTypes, ts)
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	ix.entStart, ix.entG = csr(len(ix.entID), len(ix.gEnt), func(yield func(k, g uint32)) {
		for g, e := range ix.gEnt {
			yield(e, uint32(g))
		}
	})
	ix.prinStart, ix.prinG = csr(len(ix.resKey), len(ix.gEnt), func(yield func(k, g uint32)) {
		for g, p := range ix.gPrin {
			yield(p, uint32(g))
		}
	})
	ix.revStart, ix.revG = csr(len(ix.entID), len(ix.gExp), func(yield func(k, g uint32)) {
		for g := range ix.gEnt {
			for _, x := range ix.gExp[ix.gExpOff[g]:ix.gExpOff[g+1]] {
				yield(x, uint32(g))
			}
		}
	})
	ix.built = time.Since(start)
	return ix, nil
}

// csr builds compressed adjacency lists: for each key k in [0,n), the
// values given with it, in the order given. each is called twice.
func csr(n, m int, each func(yield func(k, v uint32))) (start, vals []uint32) {
	start = make([]uint32, n+1)
	each(func(k, _ uint32) { start[k+1]++ })
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	vals = make([]uint32, m)
	next := slices.Clone(start[:n])
	each(func(k, v uint32) {
		vals[next[k]] = v
		next[k]++
	})
	return start, vals
}

func (ix *index) resource(typ, id string) uint32 {
	key := typ + ":" + id
	if i, ok := ix.resByKey[key]; ok {
		return i
	}
	i := uint32(len(ix.resKey))
	ix.resKey = append(ix.resKey, key)
	ix.resName = append(ix.resName, "")
	ix.resEmail = append(ix.resEmail, "")
	ix.resByKey[key] = i
	return i
}

// entitlement returns the index of the entitlement id, adding it (and its
// resource, from typ and id or else from the id's form) when new.
func (ix *index) entitlement(id, typ, resID string) uint32 {
	if i, ok := ix.entByID[id]; ok {
		return i
	}
	if typ == "" {
		// "<type>:<resourceId>:<slug>"; the resource id may hold colons.
		t, rest, _ := strings.Cut(id, ":")
		if j := strings.LastIndexByte(rest, ':'); j >= 0 {
			rest = rest[:j]
		}
		typ, resID = t, rest
	}
	i := uint32(len(ix.entID))
	ix.entID = append(ix.entID, id)
	ix.entRes = append(ix.entRes, ix.resource(typ, resID))
	ix.entByID[id] = i
	return i
}

func (ix *index) grants() int { return len(ix.gEnt) }

// typeOf returns the resource type of resource i.
func (ix *index) typeOf(i uint32) string {
	k := ix.resKey[i]
	return k[:strings.IndexByte(k, ':')]
}

// allows reports whether grant g's expansion reaches principals of type t.
func (ix *index) allows(g uint32, t string) bool {
	ts := ix.typeSets[ix.gTypes[g]]
	return len(ts) == 0 || slices.Contains(ts, t)
}

// held is one answer row: a resource (principal or entitlement) reached
// directly or through expandable grants.
type held struct {
	direct bool
	via    []uint32 // resource indexes of the expandable grants' principals
}

func addVia(h *held, v uint32) {
	if !slices.Contains(h.via, v) {
		h.via = append(h.via, v)
	}
}

// access returns every entitlement principal p holds, directly or derived.
// via names the principals of the expandable grants that gave a derived
// entitlement (a group, a project role, a product, the site).
func (ix *index) access(p uint32) map[uint32]*held {
	out := map[uint32]*held{}
	var queue []uint32
	typ := ix.typeOf(p)
	for _, g := range ix.prinG[ix.prinStart[p]:ix.prinStart[p+1]] {
		e := ix.gEnt[g]
		if h, ok := out[e]; ok {
			h.direct = true
			continue
		}
		out[e] = &held{direct: true}
		queue = append(queue, e)
	}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, g := range ix.revG[ix.revStart[x]:ix.revStart[x+1]] {
			if !ix.allows(g, typ) {
				continue
			}
			e := ix.gEnt[g]
			h, ok := out[e]
			if !ok {
				h = &held{}
				out[e] = h
				queue = append(queue, e)
			}
			if !h.direct {
				addVia(h, ix.gPrin[g])
			}
		}
	}
	return out
}

// holders returns every principal holding entitlement e, directly or
// derived; via as in access.
func (ix *index) holders(e uint32) map[uint32]*held {
	out := map[uint32]*held{}
	memo := map[uint32][]uint32{}
	for _, g := range ix.entG[ix.entStart[e]:ix.entStart[e+1]] {
		p := ix.gPrin[g]
		h, ok := out[p]
		if !ok {
			h = &held{}
			out[p] = h
		}
		h.direct = true
		h.via = nil
	}
	for _, g := range ix.entG[ix.entStart[e]:ix.entStart[e+1]] {
		for _, x := range ix.gExp[ix.gExpOff[g]:ix.gExpOff[g+1]] {
			for _, p := range ix.closure(x, memo, map[uint32]bool{e: true}) {
				if !ix.allows(g, ix.typeOf(p)) {
					continue
				}
				h, ok := out[p]
				if !ok {
					h = &held{}
					out[p] = h
				}
				if !h.direct {
					addVia(h, ix.gPrin[g])
				}
			}
		}
	}
	return out
}

// closure returns the principals holding x directly or derived (memoised;
// visiting guards against cycles of expandable grants).
func (ix *index) closure(x uint32, memo map[uint32][]uint32, visiting map[uint32]bool) []uint32 {
	if ps, ok := memo[x]; ok {
		return ps
	}
	if visiting[x] {
		return nil
	}
	visiting[x] = true
	defer delete(visiting, x)
	seen := map[uint32]bool{}
	var ps []uint32
	add := func(p uint32) {
		if !seen[p] {
			seen[p] = true
			ps = append(ps, p)
		}
	}
	for _, g := range ix.entG[ix.entStart[x]:ix.entStart[x+1]] {
		add(ix.gPrin[g])
	}
	for _, g := range ix.entG[ix.entStart[x]:ix.entStart[x+1]] {
		for _, y := range ix.gExp[ix.gExpOff[g]:ix.gExpOff[g+1]] {
			for _, p := range ix.closure(y, memo, visiting) {
				if ix.allows(g, ix.typeOf(p)) {
					add(p)
				}
			}
		}
	}
	memo[x] = ps
	return ps
}
