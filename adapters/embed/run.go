package embed

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	"github.com/conductorone/baton-sdk/pkg/dotc1z"
	"github.com/conductorone/baton-sdk/pkg/dotc1z/c1zstore"
	sdksync "github.com/conductorone/baton-sdk/pkg/sync"
	"github.com/conductorone/baton-sdk/pkg/types"
	"github.com/grpc-ecosystem/go-grpc-middleware/logging/zap/ctxzap"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/batonkit/jiracloud/internal/quietlog"
	"github.com/batonkit/jiracloud/internal/workdir"
)

// maxMessage bounds one gRPC message between syncer and connector. Pages
// of grants carry whole principal and entitlement objects, so the 4 MiB
// gRPC default is too tight for large pages.
const maxMessage = 64 << 20

// sampleEvery is how often the HTTP counters are sampled for APIDuration
// and progress reports.
const sampleEvery = 20 * time.Millisecond

// progressEvery is the minimum gap between two progress reports triggered by
// the sampler alone (pages stored by the SDK always report).
const progressEvery = 250 * time.Millisecond

// run syncs builder (a connectorbuilder.ConnectorBuilderV2) into a c1z file
// as described by o. stats may be nil.
func run(ctx context.Context, builder any, stats statsFunc, o options, start time.Time) (res *Result, err error) {
	logger := o.zap
	if logger == nil {
		logger = zap.NewNop()
		// Without a logger Sync is silent: drop Pebble's lines from the log
		// package too (see internal/quietlog).
		defer quietlog.Start()()
	}
	final, created, err := targetPath(o)
	if err != nil {
		return nil, err
	}
	// Leftovers of killed syncs: stale working directories and Pebble
	// stores in the temporary directory, old .partial files next to final.
	removed := workdir.Clean(o.tmpDir, o.staleAfter, nil)
	removed = append(removed, workdir.CleanPartials(final, o.staleAfter)...)
	if len(removed) > 0 {
		logger.Info("embed: removed the leftovers of interrupted syncs", zap.Strings("paths", removed))
	}
	priv, err := workdir.Open(syncDirFor(final))
	if err != nil {
		if created {
			_ = os.Remove(final)
		}
		if errors.Is(err, workdir.ErrLocked) {
			return nil, fmt.Errorf("embed: another sync is writing %s (its working directory %s is locked)", final, syncDirFor(final))
		}
		return nil, fmt.Errorf("embed: working directory: %w", err)
	}
	work := filepath.Join(priv.Path, "sync.c1z")
	resumed := prepareResume(priv.Path, work, o.fingerprint)
	if resumed {
		logger.Info("embed: resuming an interrupted sync", zap.String("c1z", final))
	}
	scratch, err := workdir.Create(o.tmpDir)
	if err != nil {
		_ = priv.Close()
		if created {
			_ = os.Remove(final)
		}
		return nil, fmt.Errorf("embed: working directory: %w", err)
	}
	defer func() { _ = scratch.Close() }()
	done := false
	defer func() {
		if done {
			_ = priv.Close()
			return
		}
		if o.checkpointEvery > 0 && !created && fileExists(work) {
			priv.Unlock() // keep the checkpointed sync for the next run to resume
		} else {
			_ = priv.Close()
		}
		if created {
			_ = os.Remove(final)
		}
	}()

	ctx = ctxzap.ToContext(ctx, logger)

	sess := &lazySessionStore{}
	bopts := append([]connectorbuilder.Opt{connectorbuilder.WithSessionStore(sess)}, o.builderOpts...)
	srv, err := connectorbuilder.NewConnector(ctx, builder, bopts...)
	if err != nil {
		return nil, fmt.Errorf("embed: connector server: %w", err)
	}
	tally := newGrantTally()
	cc, stop, err := serve(srv, logger, tally)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := stop(context.WithoutCancel(ctx)); cerr != nil && err == nil {
			err = fmt.Errorf("embed: close connector: %w", cerr)
		}
	}()

	tr := newTracker(start, stats, o.progress)
	tr.run()
	syncOpts := []sdksync.SyncOpt{
		sdksync.WithWorkerCount(o.workers),
		sdksync.WithSessionStore(sess),
		sdksync.WithProgressHandler(tr.onProgress),
		sdksync.WithTransitionHandler(tr.onTransition),
		sdksync.WithTmpDir(scratch.Path),
	}
	syncOpts = append(syncOpts, o.syncOpts...)
	// The store is opened here rather than by the syncer (sync.WithC1ZPath)
	// so that its options can be chosen (no grant digest index, see
	// WithStoreOptions); the syncer closes it, which writes the c1z.
	openStore := func() (c1zstore.Store, error) {
		store, err := dotc1z.NewStore(ctx, work, o.storeOptions(scratch.Path)...)
		if err != nil {
			return nil, fmt.Errorf("open c1z store: %w", err)
		}
		sess.SetSessionStore(ctx, store.SessionStore())
		return store, nil
	}

	syncErr, closeErr := syncInChunks(ctx, cc, openStore, syncOpts, o.checkpointEvery, tr, logger)
	apiEnd := tr.stop()
	if syncErr != nil {
		return nil, fmt.Errorf("embed: sync: %w", errors.Join(syncErr, closeErr))
	}
	if closeErr != nil {
		return nil, fmt.Errorf("embed: write c1z: %w", closeErr)
	}
	// The file holds emails, names and memberships: owner-only, before it
	// leaves the private directory.
	if err := os.Chmod(work, 0o600); err != nil {
		return nil, fmt.Errorf("embed: c1z permissions: %w", err)
	}
	if err := os.Rename(work, final); err != nil {
		return nil, fmt.Errorf("embed: move c1z into place: %w", err)
	}
	done = true

	res = &Result{C1ZPath: final, Duration: time.Since(start), APIDuration: apiEnd, Resumed: resumed}
	if stats != nil {
		st := stats()
		res.Requests, res.Retries, res.RateLimited = st.Requests, st.Retries, st.RateLimited
		res.ByRoute, res.Waited = st.ByRoute, st.Waited()
	}
	direct, exact := tally.direct()
	if resumed {
		exact = false // the calls before the interruption were not seen: count from the file
	}
	err = countInto(ctx, final, scratch.Path, res, direct, exact)
	if o.removeC1Z {
		if rerr := os.Remove(final); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = errors.Join(err, fmt.Errorf("embed: remove c1z: %w", rerr))
		}
		res.C1ZPath = ""
	}
	return res, err
}

// syncInChunks runs the SDK syncer. With a checkpoint interval it runs it
// for at most that long at a time: the SDK then stops, Close saves the
// unfinished sync with its checkpoint into the c1z, and the next chunk
// resumes it, so a process killed mid-sync loses at most one interval of
// work. A chunk that stores nothing new makes the next one unbounded.
//
// Each chunk gets a store from openStore, which its syncer closes.
func syncInChunks(ctx context.Context, cc types.ConnectorClient, openStore func() (c1zstore.Store, error),
	opts []sdksync.SyncOpt, every time.Duration, tr *tracker, logger *zap.Logger) (syncErr, closeErr error) {
	for {
		store, err := openStore()
		if err != nil {
			return err, nil
		}
		chunkOpts := append([]sdksync.SyncOpt{sdksync.WithConnectorStore(store)}, opts...)
		before := tr.stored()
		if every > 0 {
			chunkOpts = append(chunkOpts, sdksync.WithRunDuration(every))
		}
		syncer, err := sdksync.NewSyncer(ctx, cc, chunkOpts...)
		if err != nil {
			return fmt.Errorf("new syncer: %w", errors.Join(err, store.Close(context.WithoutCancel(ctx)))), nil
		}
		syncErr = syncer.Sync(ctx)
		// Close writes the c1z (or cleans up after a failed sync); it must
		// run even when ctx is done.
		closeErr = syncer.Close(context.WithoutCancel(ctx))
		if every <= 0 || !errors.Is(syncErr, sdksync.ErrSyncNotComplete) || closeErr != nil || ctx.Err() != nil {
			return syncErr, closeErr
		}
		if tr.stored() == before {
			every = 0 // no progress within an interval: finish in one go
		}
		logger.Debug("embed: checkpoint saved, resuming", zap.Int64("stored", tr.stored()))
	}
}

// prepareResume keeps the c1z a killed sync into the same path checkpointed
// when it was made with the same configuration (fingerprint), and removes
// it otherwise. It records fingerprint for the next run and reports
// whether there is a sync to resume.
func prepareResume(dir, work, fingerprint string) bool {
	fpPath := filepath.Join(dir, "config")
	prev, _ := os.ReadFile(fpPath)
	resume := fingerprint != "" && string(prev) == fingerprint && fileExists(work)
	if !resume {
		_ = os.Remove(work)
	}
	_ = os.Remove(work + ".tmp") // a save cut short
	_ = os.WriteFile(fpPath, []byte(fingerprint), 0o600)
	return resume
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// serve starts an in-memory gRPC server for srv and returns a connector
// client for it and a function that stops both and closes the connector.
// tally watches the calls (see grantTally).
func serve(srv types.ConnectorServer, logger *zap.Logger, tally *grantTally) (types.ConnectorClient, func(context.Context) error, error) {
	lis := bufconn.Listen(1 << 20)
	gs := grpc.NewServer(
		grpc.MaxRecvMsgSize(maxMessage),
		grpc.MaxSendMsgSize(maxMessage),
		// The handlers' contexts come from the gRPC stream, not from the
		// caller: hand them the logger the way the SDK's runner does.
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			resp, err := h(ctxzap.ToContext(ctx, logger), req)
			if err == nil {
				tally.observe(req, resp)
			}
			return resp, err
		}),
		grpc.ChainStreamInterceptor(func(s any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			return h(s, loggedStream{ServerStream: ss, ctx: ctxzap.ToContext(ss.Context(), logger)})
		}),
	)
	v2.RegisterConnectorServiceServer(gs, srv)
	v2.RegisterResourceTypesServiceServer(gs, srv)
	v2.RegisterResourcesServiceServer(gs, srv)
	v2.RegisterResourceGetterServiceServer(gs, srv)
	v2.RegisterEntitlementsServiceServer(gs, srv)
	v2.RegisterGrantsServiceServer(gs, srv)
	v2.RegisterAssetServiceServer(gs, srv)
	v2.RegisterEventServiceServer(gs, srv)
	v2.RegisterActionServiceServer(gs, srv)
	v2.RegisterTicketsServiceServer(gs, srv)
	v2.RegisterGrantManagerServiceServer(gs, srv)
	v2.RegisterResourceManagerServiceServer(gs, srv)
	v2.RegisterResourceDeleterServiceServer(gs, srv)
	v2.RegisterAccountManagerServiceServer(gs, srv)
	v2.RegisterCredentialManagerServiceServer(gs, srv)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = gs.Serve(lis)
	}()

	conn, err := grpc.NewClient("passthrough:///jiracloud-embed",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)),
	)
	if err != nil {
		gs.Stop()
		<-served
		return nil, nil, fmt.Errorf("embed: in-memory gRPC client: %w", err)
	}
	stop := func(ctx context.Context) error {
		cerr := conn.Close()
		gs.Stop()
		<-served
		_ = lis.Close()
		if c, ok := srv.(interface{ Close(context.Context) error }); ok {
			cerr = errors.Join(cerr, c.Close(ctx))
		}
		return cerr
	}
	return newConnectorClient(conn), stop, nil
}

// connectorClient is the aggregate client the syncer talks to. It is what
// connectorclient.NewConnectorClient builds; building it here keeps the
// SDK's gRPC service-mode stack (internal/connector, with its auth and
// OpenTelemetry interceptors) out of the dependency graph.
type connectorClient struct {
	v2.ResourceTypesServiceClient
	v2.ResourcesServiceClient
	v2.EntitlementsServiceClient
	v2.GrantsServiceClient
	v2.ConnectorServiceClient
	v2.AssetServiceClient
	v2.GrantManagerServiceClient
	v2.ResourceManagerServiceClient
	v2.ResourceDeleterServiceClient
	v2.AccountManagerServiceClient
	v2.CredentialManagerServiceClient
	v2.EventServiceClient
	v2.TicketsServiceClient
	v2.ActionServiceClient
	v2.ResourceGetterServiceClient
}

var _ types.ConnectorClient = (*connectorClient)(nil)

func newConnectorClient(cc grpc.ClientConnInterface) *connectorClient {
	return &connectorClient{
		ResourceTypesServiceClient:     v2.NewResourceTypesServiceClient(cc),
		ResourcesServiceClient:         v2.NewResourcesServiceClient(cc),
		EntitlementsServiceClient:      v2.NewEntitlementsServiceClient(cc),
		GrantsServiceClient:            v2.NewGrantsServiceClient(cc),
		ConnectorServiceClient:         v2.NewConnectorServiceClient(cc),
		AssetServiceClient:             v2.NewAssetServiceClient(cc),
		GrantManagerServiceClient:      v2.NewGrantManagerServiceClient(cc),
		ResourceManagerServiceClient:   v2.NewResourceManagerServiceClient(cc),
		ResourceDeleterServiceClient:   v2.NewResourceDeleterServiceClient(cc),
		AccountManagerServiceClient:    v2.NewAccountManagerServiceClient(cc),
		CredentialManagerServiceClient: v2.NewCredentialManagerServiceClient(cc),
		EventServiceClient:             v2.NewEventServiceClient(cc),
		TicketsServiceClient:           v2.NewTicketsServiceClient(cc),
		ActionServiceClient:            v2.NewActionServiceClient(cc),
		ResourceGetterServiceClient:    v2.NewResourceGetterServiceClient(cc),
	}
}

type loggedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s loggedStream) Context() context.Context { return s.ctx }

// tracker counts progress from the SDK's handlers, samples the HTTP
// counters to find when the last request was sent, and reports progress.
type tracker struct {
	start    time.Time
	stats    statsFunc
	report   func(Progress)
	rt, r, e atomic.Int64
	g        atomic.Int64
	phase    atomic.Value // string

	mu         sync.Mutex // serialises report and guards the fields below
	lastReport time.Time
	lastReqs   int64
	lastSeen   time.Time // when the request counter last changed

	quit chan struct{}
	wg   sync.WaitGroup
}

func newTracker(start time.Time, stats statsFunc, report func(Progress)) *tracker {
	t := &tracker{start: start, stats: stats, report: report, quit: make(chan struct{}), lastSeen: start}
	t.phase.Store("")
	return t
}

func (t *tracker) requests() int64 {
	if t.stats == nil {
		return 0
	}
	return t.stats().Requests
}

// run starts the sampler.
func (t *tracker) run() {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(sampleEvery)
		defer tick.Stop()
		for {
			select {
			case <-t.quit:
				return
			case now := <-tick.C:
				t.sample(now, false)
			}
		}
	}()
}

// sample notes a change of the request counter and, if force or if it
// changed and no report went out for progressEvery, reports progress.
func (t *tracker) sample(now time.Time, force bool) {
	n := t.requests()
	t.mu.Lock()
	defer t.mu.Unlock()
	changed := n != t.lastReqs
	if changed {
		t.lastReqs, t.lastSeen = n, now
	}
	if t.report == nil {
		return
	}
	if force || (changed && now.Sub(t.lastReport) >= progressEvery) {
		t.lastReport = now
		t.report(Progress{
			Phase:         t.phase.Load().(string),
			ResourceTypes: int(t.rt.Load()),
			Resources:     int(t.r.Load()),
			Entitlements:  int(t.e.Load()),
			Grants:        int(t.g.Load()),
			Requests:      n,
			Elapsed:       now.Sub(t.start),
		})
	}
}

func (t *tracker) onProgress(p *sdksync.Progress) {
	if p == nil {
		return
	}
	n := int64(p.Count)
	switch p.Action {
	case "list-resource-types":
		t.rt.Add(n)
	case "list-resources":
		t.r.Add(n)
	case "list-entitlements", "list-static-entitlements":
		t.e.Add(n)
	case "list-grants":
		t.g.Add(n)
	}
	if p.Action != "" {
		t.phase.Store(p.Action)
	}
	t.sample(time.Now(), true)
}

// stored is the number of objects the SDK has stored so far.
func (t *tracker) stored() int64 { return t.rt.Load() + t.r.Load() + t.e.Load() + t.g.Load() }

func (t *tracker) onTransition(a sdksync.Action) {
	t.phase.Store(a.Op.String())
}

// stop ends the sampler and returns the time from start until the request
// counter last changed.
func (t *tracker) stop() time.Duration {
	select {
	case <-t.quit:
	default:
		close(t.quit)
	}
	t.wg.Wait()
	n := t.requests()
	t.mu.Lock()
	defer t.mu.Unlock()
	if n != t.lastReqs {
		t.lastReqs, t.lastSeen = n, time.Now()
	}
	return t.lastSeen.Sub(t.start)
}

// grantTally watches the in-process calls for what Result.ExpandedGrants
// needs: the distinct grants the connector returned, and whether the SDK
// listed every resource type the connector declares. A sync limited to some
// types has the SDK drop grants naming the others, so stored grants minus
// returned grants would not be the expanded ones; the counts are then read
// from the file instead.
type grantTally struct {
	mu       sync.Mutex
	seed     maphash.Seed
	ids      map[uint64]struct{}
	declared map[string]bool
	listed   map[string]bool
}

func newGrantTally() *grantTally {
	return &grantTally{seed: maphash.MakeSeed(), ids: map[uint64]struct{}{}, declared: map[string]bool{}, listed: map[string]bool{}}
}

func (g *grantTally) observe(req, resp any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch r := resp.(type) {
	case *v2.GrantsServiceListGrantsResponse:
		for _, gt := range r.GetList() {
			g.ids[maphash.String(g.seed, gt.GetId())] = struct{}{}
		}
	case *v2.ResourceTypesServiceListResourceTypesResponse:
		for _, rt := range r.GetList() {
			g.declared[rt.GetId()] = true
		}
	}
	if q, ok := req.(*v2.ResourcesServiceListResourcesRequest); ok {
		g.listed[q.GetResourceTypeId()] = true
	}
}

// direct returns the number of distinct grants returned, and whether it
// reconciles with the file (every declared type was listed).
func (g *grantTally) direct() (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	exact := len(g.declared) > 0
	for rt := range g.declared {
		exact = exact && g.listed[rt]
	}
	return len(g.ids), exact
}
