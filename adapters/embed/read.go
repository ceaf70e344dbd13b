package embed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/connectorstore"
	"github.com/conductorone/baton-sdk/pkg/dotc1z"
	"github.com/conductorone/baton-sdk/pkg/dotc1z/c1zstore"
)

// Snapshot is the content of a c1z file's latest finished sync as plain,
// comparable data. Every slice is sorted (see the element types), so two
// snapshots of the same data are equal with ==-style comparison such as
// cmp.Diff.
type Snapshot struct {
	// ResourceTypes lists the resource type ids, sorted.
	ResourceTypes []string
	// Resources is sorted by (Type, ID).
	Resources []Resource
	// Entitlements is sorted by ID.
	Entitlements []Entitlement
	// Grants is sorted by ID. It holds direct grants and the grants the SDK
	// derived by expansion (Expanded set).
	Grants []Grant
}

// Resource is a synced resource.
type Resource struct {
	Type        string
	ID          string
	ParentType  string // "" for a top-level resource
	ParentID    string
	DisplayName string
	// Email is a user's primary email from its user trait ("" when the
	// resource has none, e.g. a hidden email).
	Email string
	// Profile is the resource's profile (docs/MODEL.md lists the keys of
	// each type), nil when it has none.
	Profile map[string]any
}

// Entitlement is a synced entitlement.
type Entitlement struct {
	// ID is "<resourceType>:<resourceId>:<slug>".
	ID           string
	ResourceType string
	ResourceID   string
	Slug         string
	DisplayName  string
	// GrantableTo lists resource type ids, sorted.
	GrantableTo []string
}

// Grant is a synced grant.
type Grant struct {
	// ID is "<entitlementId>:<principalType>:<principalId>".
	ID            string
	Entitlement   string
	PrincipalType string
	PrincipalID   string
	// Expandable lists the entitlement ids of the grant's GrantExpandable
	// annotation, sorted; nil when the grant is not expandable.
	Expandable []string
	// ExpandableTypes lists GrantExpandable.ResourceTypeIds, sorted.
	ExpandableTypes []string
	// Sources lists the entitlement ids the grant was derived from, sorted
	// (the SDK adds the grant's own entitlement when a direct grant was
	// also reached by expansion).
	Sources []string
	// Expanded marks a grant that exists only because the SDK expanded an
	// expandable grant: it has sources, none of them its own entitlement.
	Expanded bool
}

// Visitor receives the objects of a c1z file from [ScanC1Z]. Nil fields are
// skipped; an error returned by a function stops the scan and is returned.
type Visitor struct {
	ResourceType func(id string) error
	Resource     func(Resource) error
	Entitlement  func(Entitlement) error
	Grant        func(Grant) error
}

// ReadC1Z reads the latest finished sync of the c1z file at path (either
// storage engine) into memory. For large files prefer [ScanC1Z].
func ReadC1Z(ctx context.Context, path string) (*Snapshot, error) {
	s := &Snapshot{}
	err := ScanC1Z(ctx, path, Visitor{
		ResourceType: func(id string) error { s.ResourceTypes = append(s.ResourceTypes, id); return nil },
		Resource:     func(r Resource) error { s.Resources = append(s.Resources, r); return nil },
		Entitlement:  func(e Entitlement) error { s.Entitlements = append(s.Entitlements, e); return nil },
		Grant:        func(g Grant) error { s.Grants = append(s.Grants, g); return nil },
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(s.ResourceTypes)
	slices.SortFunc(s.Resources, func(a, b Resource) int {
		if c := strings.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	slices.SortFunc(s.Entitlements, func(a, b Entitlement) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(s.Grants, func(a, b Grant) int { return strings.Compare(a.ID, b.ID) })
	return s, nil
}

// DirectGrants returns the grants the connector emitted (not Expanded).
func (s *Snapshot) DirectGrants() []Grant {
	var out []Grant
	for _, g := range s.Grants {
		if !g.Expanded {
			out = append(out, g)
		}
	}
	return out
}

// ExpandedGrants returns the grants the SDK derived by expansion.
func (s *Snapshot) ExpandedGrants() []Grant {
	var out []Grant
	for _, g := range s.Grants {
		if g.Expanded {
			out = append(out, g)
		}
	}
	return out
}

// ScanC1Z streams the latest finished sync of the c1z file at path to v,
// holding one page at a time: resource types, then resources, entitlements
// and grants, each in the store's order.
func ScanC1Z(ctx context.Context, path string, v Visitor) error {
	_, err := scan(ctx, path, "", v)
	return err
}

// scan opens path read-only and walks it; it returns the sync's stats (nil
// when the engine recorded none).
func scan(ctx context.Context, path, tmpDir string, v Visitor) (*c1zstats, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("embed: read c1z: %w", err)
	}
	st, err := openReadOnly(ctx, path, tmpDir)
	if err != nil {
		return nil, err
	}
	stats, err := walk(ctx, st, v)
	if cerr := st.Close(context.WithoutCancel(ctx)); cerr != nil && err == nil {
		err = fmt.Errorf("embed: close c1z %s: %w", path, cerr)
	}
	return stats, err
}

// openReadOnly opens the c1z at path for reading.
func openReadOnly(ctx context.Context, path, tmpDir string) (c1zstore.Store, error) {
	opts := []dotc1z.C1ZOption{dotc1z.WithReadOnly(true)}
	if tmpDir != "" {
		opts = append(opts, dotc1z.WithTmpDir(tmpDir))
	}
	st, err := dotc1z.NewStore(ctx, path, opts...)
	if err != nil {
		return nil, fmt.Errorf("embed: open c1z %s: %w", path, err)
	}
	return st, nil
}

type c1zstats struct {
	steps map[string]time.Duration
}

func walk(ctx context.Context, st c1zstore.Store, v Visitor) (*c1zstats, error) {
	run, err := st.SyncMeta().LatestFinishedSyncOfAnyType(ctx)
	if err != nil {
		return nil, fmt.Errorf("embed: read c1z: latest sync: %w", err)
	}
	if run == nil {
		return nil, errors.New("embed: read c1z: the file holds no finished sync")
	}
	if err := st.SetCurrentSync(ctx, run.ID); err != nil {
		return nil, fmt.Errorf("embed: read c1z: select sync: %w", err)
	}
	stats := &c1zstats{}
	ss := run.Stats
	if ss == nil {
		if v2s, err := st.SyncMeta().StatsV2(ctx, connectorstore.SyncTypeAny, run.ID); err == nil {
			ss = v2s
		}
	}
	if ms := ss.GetStepDurationsMs(); len(ms) > 0 {
		stats.steps = make(map[string]time.Duration, len(ms))
		for k, n := range ms {
			stats.steps[k] = time.Duration(n) * time.Millisecond
		}
	}

	for tok := ""; ; {
		resp, err := st.ListResourceTypes(ctx, v2.ResourceTypesServiceListResourceTypesRequest_builder{PageToken: tok}.Build())
		if err != nil {
			return nil, fmt.Errorf("embed: read c1z: resource types: %w", err)
		}
		for _, rt := range resp.GetList() {
			if v.ResourceType != nil {
				if err := v.ResourceType(rt.GetId()); err != nil {
					return nil, err
				}
			}
		}
		if tok = resp.GetNextPageToken(); tok == "" {
			break
		}
	}
	for tok := ""; ; {
		resp, err := st.ListResources(ctx, v2.ResourcesServiceListResourcesRequest_builder{PageToken: tok}.Build())
		if err != nil {
			return nil, fmt.Errorf("embed: read c1z: resources: %w", err)
		}
		for _, r := range resp.GetList() {
			if v.Resource != nil {
				if err := v.Resource(resourceOf(r)); err != nil {
					return nil, err
				}
			}
		}
		if tok = resp.GetNextPageToken(); tok == "" {
			break
		}
	}
	for tok := ""; ; {
		resp, err := st.ListEntitlements(ctx, v2.EntitlementsServiceListEntitlementsRequest_builder{PageToken: tok}.Build())
		if err != nil {
			return nil, fmt.Errorf("embed: read c1z: entitlements: %w", err)
		}
		for _, e := range resp.GetList() {
			if v.Entitlement != nil {
				if err := v.Entitlement(entitlementOf(e)); err != nil {
					return nil, err
				}
			}
		}
		if tok = resp.GetNextPageToken(); tok == "" {
			break
		}
	}
	// The SQLite engine strips GrantExpandable into a side column on write;
	// its expansion-aware listing puts it back.
	listGrants := st.ListGrants
	if x, ok := st.(connectorstore.ExpansionGrantLister); ok {
		listGrants = x.ListGrantsWithExpansion
	}
	for tok := ""; ; {
		resp, err := listGrants(ctx, v2.GrantsServiceListGrantsRequest_builder{PageToken: tok}.Build())
		if err != nil {
			return nil, fmt.Errorf("embed: read c1z: grants: %w", err)
		}
		for _, g := range resp.GetList() {
			if v.Grant != nil {
				gr, err := grantOf(g)
				if err != nil {
					return nil, err
				}
				if err := v.Grant(gr); err != nil {
					return nil, err
				}
			}
		}
		if tok = resp.GetNextPageToken(); tok == "" {
			break
		}
	}
	return stats, nil
}

func resourceOf(r *v2.Resource) Resource {
	out := Resource{
		Type:        r.GetId().GetResourceType(),
		ID:          r.GetId().GetResource(),
		ParentType:  r.GetParentResourceId().GetResourceType(),
		ParentID:    r.GetParentResourceId().GetResource(),
		DisplayName: r.GetDisplayName(),
	}
	if p := r.GetProfile(); p != nil {
		out.Profile = p.AsMap()
	}
	ut := &v2.UserTrait{}
	annos := annotations.Annotations(r.GetAnnotations())
	if ok, _ := annos.Pick(ut); ok {
		for i, e := range ut.GetEmails() {
			if e.GetIsPrimary() || i == 0 {
				out.Email = e.GetAddress()
			}
			if e.GetIsPrimary() {
				break
			}
		}
	}
	return out
}

func entitlementOf(e *v2.Entitlement) Entitlement {
	var to []string
	for _, rt := range e.GetGrantableTo() {
		to = append(to, rt.GetId())
	}
	slices.Sort(to)
	return Entitlement{
		ID:           e.GetId(),
		ResourceType: e.GetResource().GetId().GetResourceType(),
		ResourceID:   e.GetResource().GetId().GetResource(),
		Slug:         e.GetSlug(),
		DisplayName:  e.GetDisplayName(),
		GrantableTo:  to,
	}
}

func grantOf(g *v2.Grant) (Grant, error) {
	out := Grant{
		ID:            g.GetId(),
		Entitlement:   g.GetEntitlement().GetId(),
		PrincipalType: g.GetPrincipal().GetId().GetResourceType(),
		PrincipalID:   g.GetPrincipal().GetId().GetResource(),
	}
	annos := annotations.Annotations(g.GetAnnotations())
	exp := &v2.GrantExpandable{}
	ok, err := annos.Pick(exp)
	if err != nil {
		return Grant{}, fmt.Errorf("embed: read c1z: grant %s: %w", g.GetId(), err)
	}
	if ok {
		out.Expandable = slices.Sorted(slices.Values(exp.GetEntitlementIds()))
		if ids := exp.GetResourceTypeIds(); len(ids) > 0 {
			out.ExpandableTypes = slices.Sorted(slices.Values(ids))
		}
	}
	own := false
	for id := range g.GetSources().GetSources() {
		out.Sources = append(out.Sources, id)
		if id == out.Entitlement {
			own = true
		}
	}
	slices.Sort(out.Sources)
	out.Expanded = len(out.Sources) > 0 && !own
	return out, nil
}

// countInto fills the counts of res from the c1z at path: from the stats
// the SDK recorded for the sync when there are any (one read, whatever the
// size of the sync), else by reading every object back. direct is the
// number of distinct grants the connector returned to the SDK; when exact,
// the grants stored beyond those are the ones expansion added. Otherwise
// (a sync limited to some resource types), or when the numbers do not
// reconcile, every object is read back.
func countInto(ctx context.Context, path, tmpDir string, res *Result, direct int, exact bool) error {
	if exact {
		ok, err := countFromStats(ctx, path, tmpDir, res)
		if err != nil {
			return err
		}
		if ok && res.Grants >= direct {
			res.ExpandedGrants = res.Grants - direct
			return nil
		}
	}
	*res = Result{C1ZPath: res.C1ZPath, Duration: res.Duration, APIDuration: res.APIDuration, Requests: res.Requests,
		Retries: res.Retries, RateLimited: res.RateLimited, ByRoute: res.ByRoute, Waited: res.Waited, Resumed: res.Resumed}
	return countByScan(ctx, path, tmpDir, res)
}

// countFromStats fills the counts of res from the sync's recorded stats.
// It reports false when the c1z holds none.
func countFromStats(ctx context.Context, path, tmpDir string, res *Result) (bool, error) {
	st, err := openReadOnly(ctx, path, tmpDir)
	if err != nil {
		return false, err
	}
	defer func() { _ = st.Close(context.WithoutCancel(ctx)) }()
	run, err := st.SyncMeta().LatestFinishedSyncOfAnyType(ctx)
	if err != nil || run == nil {
		return false, nil
	}
	ss, err := st.SyncMeta().StatsV2(ctx, connectorstore.SyncTypeAny, run.ID)
	if err != nil || ss == nil || ss.GetResourceTypes() == 0 {
		return false, nil
	}
	res.ResourceTypes, res.Resources = int(ss.GetResourceTypes()), int(ss.GetResources())
	res.Entitlements, res.Grants = int(ss.GetEntitlements()), int(ss.GetGrants())
	res.ByResourceType = map[string]TypeCounts{}
	bump := func(m map[string]int64, f func(*TypeCounts, int)) {
		for rt, n := range m {
			c := res.ByResourceType[rt]
			f(&c, int(n))
			res.ByResourceType[rt] = c
		}
	}
	bump(ss.GetResourcesByResourceType(), func(c *TypeCounts, n int) { c.Resources = n })
	bump(ss.GetEntitlementsByResourceType(), func(c *TypeCounts, n int) { c.Entitlements = n })
	bump(ss.GetGrantsByResourceType(), func(c *TypeCounts, n int) { c.Grants = n })
	if ms := ss.GetStepDurationsMs(); len(ms) > 0 {
		res.Steps = make(map[string]time.Duration, len(ms))
		for k, n := range ms {
			res.Steps[k] = time.Duration(n) * time.Millisecond
		}
	}
	return true, nil
}

// countByScan fills the counts of res by reading every object of the c1z.
func countByScan(ctx context.Context, path, tmpDir string, res *Result) error {
	res.ByResourceType = map[string]TypeCounts{}
	bump := func(rt string, f func(*TypeCounts)) {
		c := res.ByResourceType[rt]
		f(&c)
		res.ByResourceType[rt] = c
	}
	stats, err := scan(ctx, path, tmpDir, Visitor{
		ResourceType: func(string) error { res.ResourceTypes++; return nil },
		Resource: func(r Resource) error {
			res.Resources++
			bump(r.Type, func(c *TypeCounts) { c.Resources++ })
			return nil
		},
		Entitlement: func(e Entitlement) error {
			res.Entitlements++
			bump(e.ResourceType, func(c *TypeCounts) { c.Entitlements++ })
			return nil
		},
		Grant: func(g Grant) error {
			res.Grants++
			if g.Expanded {
				res.ExpandedGrants++
			}
			bump(resourceTypeOfEntitlement(g.Entitlement), func(c *TypeCounts) { c.Grants++ })
			return nil
		},
	})
	if err != nil {
		return err
	}
	if stats != nil {
		res.Steps = stats.steps
	}
	return nil
}

// resourceTypeOfEntitlement returns the resource type part of an
// entitlement id "<resourceType>:<resourceId>:<slug>".
func resourceTypeOfEntitlement(id string) string {
	rt, _, _ := strings.Cut(id, ":")
	return rt
}
