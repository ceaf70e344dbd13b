// Command syncbench measures a complete in-process sync of a generated fake
// Jira Cloud site and compares it with the ground truth and with the
// reference connector's request pattern.
//
//	go run ./examples/syncbench -size large -latency 80ms -out large.json
//
// It starts the fake tenant (jira/jiratest) with Jira's default burst limits
// (-unlimited turns them off) and the given latency per request, runs
// embed.Sync once, and prints a JSON report: requests per route as the fake
// counted them, 429s and retries, wall time split into the API half (until
// the last request) and the SDK half (grant expansion and writing the c1z),
// peak memory, the counts, completeness against the ground truth, and the
// reference connector's request count for the same tenant with its
// sequential time estimate (requests × latency): the formula of
// reference-connector.md §9 term by term, its total (the headline ratio) and
// the replay total (what the reference's loop makes when Jira filters the
// participant window, as documented).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/conductorone/baton-sdk/pkg/dotc1z"
	sdksync "github.com/conductorone/baton-sdk/pkg/sync"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/internal/memlimit"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

type flags struct {
	size        string
	seed        int64
	latency     time.Duration
	jitter      time.Duration
	workers     int
	concurrency int
	rps         float64
	expand      bool
	sdkExpand   bool
	engine      string
	unlimited   bool
	out         string
	keep        bool
	progress    bool
	timeout     time.Duration
	heapProfile string
	peakProfile string
	cpuProfile  string
	digest      string
	memTrace    string
	noVerify    bool
	memLimit    string
}

func main() {
	var f flags
	flag.StringVar(&f.size, "size", "medium", "tenant size: small, medium, large or xl")
	flag.Int64Var(&f.seed, "seed", 1, "tenant generator seed")
	flag.DurationVar(&f.latency, "latency", 80*time.Millisecond, "latency the fake adds to every request")
	flag.DurationVar(&f.jitter, "jitter", 0, "extra latency in [-jitter, +jitter] per request")
	flag.IntVar(&f.workers, "workers", 1, "SDK sync workers (1 = sequential syncer)")
	flag.IntVar(&f.concurrency, "concurrency", 0, "requests the connector keeps in flight per grants batch (0 = connector default)")
	flag.Float64Var(&f.rps, "rps", 0, "client-side cap on the total request rate (0 = Jira's per-endpoint limits only)")
	flag.BoolVar(&f.expand, "expand-participants", true, "make project participate grants of groups, roles and products expandable")
	flag.BoolVar(&f.sdkExpand, "sdk-expand", true, "let the SDK expand expandable grants (false: sync.WithDontExpandGrants, the platform expands)")
	flag.StringVar(&f.engine, "storage-engine", "", "c1z storage engine: pebble or sqlite (default: the SDK's)")
	flag.BoolVar(&f.unlimited, "unlimited", false, "turn off the fake's rate limits")
	flag.StringVar(&f.out, "out", "", "also write the JSON report to this file")
	flag.BoolVar(&f.keep, "keep", false, "keep the c1z file (its path is in the report)")
	flag.BoolVar(&f.progress, "progress", false, "print progress to stderr")
	flag.DurationVar(&f.timeout, "timeout", time.Hour, "give up after this long")
	flag.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the sync, both halves, to this file")
	flag.StringVar(&f.heapProfile, "heapprofile", "", "write a heap profile (pprof) to this file every 2 s while requests are in flight; the last one shows the end of the API half")
	flag.StringVar(&f.peakProfile, "peakheapprofile", "", "write a heap profile (pprof) to this file whenever the live heap reaches a new high during the whole sync (expansion included)")
	flag.StringVar(&f.digest, "grant-digest", "", "build the c1z's grant digest index: true or false (default: embed.Sync's default)")
	flag.StringVar(&f.memTrace, "memtrace", "", "write the process's memory every 200 ms during the sync to this CSV file")
	flag.StringVar(&f.memLimit, "memory-limit", "", "Go soft memory limit during the sync: a size such as 700MiB, or none (default: embed.Sync's, derived from the cgroup limit)")
	verify := flag.Bool("verify", true, "check the c1z against the ground truth after the sync")
	flag.Parse()
	f.noVerify = !*verify
	// The SDK's grant expansion opens a scratch Pebble database with the
	// default logger, which prints to the standard logger.
	log.SetOutput(io.Discard)
	if err := run(f, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "syncbench:", err)
		os.Exit(1)
	}
}

// Report is the JSON the command prints.
type Report struct {
	Setup   Setup            `json:"setup"`
	Machine Machine          `json:"machine"`
	Tenant  jiratest.Summary `json:"tenant"`

	Requests Requests `json:"requests"`
	Time     Timing   `json:"time"`
	Memory   Memory   `json:"memory"`
	Counts   Counts   `json:"counts"`

	Completeness Completeness `json:"completeness"`
	Reference    Reference    `json:"reference"`
	Ratios       Ratios       `json:"ratios"`

	C1ZBytes int64  `json:"c1zBytes"`
	C1ZPath  string `json:"c1zPath,omitempty"`
}

// Setup echoes the flags.
type Setup struct {
	Size               string  `json:"size"`
	Seed               int64   `json:"seed"`
	LatencyMs          float64 `json:"latencyMs"`
	JitterMs           float64 `json:"jitterMs"`
	Workers            int     `json:"workers"`
	Concurrency        int     `json:"concurrency"`
	RequestsPerSecond  float64 `json:"requestsPerSecond"`
	ExpandParticipants bool    `json:"expandParticipants"`
	SDKExpandsGrants   bool    `json:"sdkExpandsGrants"`
	StorageEngine      string  `json:"storageEngine"`
	FakeRateLimits     string  `json:"fakeRateLimits"`
}

// Machine describes where the benchmark ran.
type Machine struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GoVersion  string `json:"goVersion"`
	OS         string `json:"os"`
	CPUModel   string `json:"cpuModel,omitempty"`
}

// Requests counts HTTP traffic: per route as the fake saw it, and the
// client's retries and waits.
type Requests struct {
	Total          int            `json:"total"`
	ByRoute        map[string]int `json:"byRoute"`
	Status         map[int]int    `json:"status"`
	RateLimited429 int            `json:"rateLimited429"`
	ClientRetries  int64          `json:"clientRetries"`
	ClientWaitedS  float64        `json:"clientWaitedSeconds"`
}

// Timing splits the wall time.
type Timing struct {
	WallSeconds float64 `json:"wallSeconds"`
	// APISeconds runs until the last request; SDKSeconds is the rest
	// (grant expansion and writing the c1z).
	APISeconds float64            `json:"apiSeconds"`
	SDKSeconds float64            `json:"sdkSeconds"`
	SDKSteps   map[string]float64 `json:"sdkStepsSeconds,omitempty"`
	// CPUSeconds is the user and system CPU time of the process during the
	// sync (the in-process fake's share included): unlike wall time it
	// hardly changes with what else the machine runs.
	CPUSeconds float64 `json:"cpuSeconds"`
	// ReadBackSeconds is the time embed.Sync spent counting the file
	// (not part of WallSeconds) plus the completeness check.
	VerifySeconds float64 `json:"verifySeconds"`
}

// Memory reports the process: resident set before the sync (the fake
// tenant and server are in the same process) and its peak during the sync.
type Memory struct {
	RSSBeforeMiB   float64 `json:"rssBeforeSyncMiB"`
	PeakRSSMiB     float64 `json:"peakRssMiB"`
	PeakDeltaMiB   float64 `json:"peakDeltaMiB"`
	PeakResetWorks bool    `json:"peakResetWorked"`
	// PeakAPIHalfMiB is the peak RSS seen by the last progress report,
	// i.e. at the end of the API half, before grant expansion.
	PeakAPIHalfMiB float64 `json:"peakRssApiHalfMiB"`
	HeapInUseMiB   float64 `json:"heapInUseAfterSyncMiB"`
	HeapSysMiB     float64 `json:"heapSysMiB"`
	TotalAllocMiB  float64 `json:"totalAllocDuringSyncMiB"`
	NumGC          uint32  `json:"gcCyclesDuringSync"`
	// Sampled are the peaks of a 50 ms sampler over the whole sync: the
	// resident set split into the Go runtime's memory and the rest.
	Sampled MemPeaks `json:"sampled"`
}

// Counts are what the c1z holds.
type Counts struct {
	ResourceTypes  int                         `json:"resourceTypes"`
	Resources      int                         `json:"resources"`
	Entitlements   int                         `json:"entitlements"`
	Grants         int                         `json:"grants"`
	DirectGrants   int                         `json:"directGrants"`
	ExpandedGrants int                         `json:"expandedGrants"`
	ByResourceType map[string]embed.TypeCounts `json:"byResourceType"`
}

// Completeness compares the c1z with the ground truth.
type Completeness struct {
	ResourcesPct      float64 `json:"resourcesPct"`
	ResourcesMissing  int     `json:"resourcesMissing"`
	ResourcesExtra    int     `json:"resourcesExtra"`
	EntitlementsPct   float64 `json:"entitlementsPct"`
	EntitlementsExtra int     `json:"entitlementsExtra"`
	// DirectGrants compares the connector's grants (principal and
	// expandable annotation) with truth.Grants.
	DirectGrantsPct     float64 `json:"directGrantsPct"`
	DirectGrantsMissing int     `json:"directGrantsMissing"`
	DirectGrantsExtra   int     `json:"directGrantsExtra"`
	// UserGrants compares every user grant after expansion with the truth
	// expanded transitively.
	UserGrantsTruth   int     `json:"userGrantsTruth"`
	UserGrantsPct     float64 `json:"userGrantsPct"`
	UserGrantsMissing int     `json:"userGrantsMissing"`
	UserGrantsExtra   int     `json:"userGrantsExtra"`
	// ExpansionDeferred: the SDK did not expand (-sdk-expand=false), so user
	// grants are compared with the truth's direct user grants only.
	ExpansionDeferred bool `json:"expansionDeferred"`
	Complete          bool `json:"complete"`
}

// Reference is the reference connector's request pattern for the tenant
// (reference-connector.md §9). Requests is the formula's total with k_p, the
// participant pages, read as the doc writes it (full pages of browsing users
// up to the 1,000-user window); Replay is what the reference's loop makes
// against Jira's documented filtering of that window (one participant page per
// project here, and the count a replay against the fake gives); Max takes the
// doc's upper bound of 21 pages per project. Sequential seconds are requests ×
// latency: the reference sends one request at a time.
type Reference struct {
	Requests          int                        `json:"requests"`
	SequentialSeconds float64                    `json:"sequentialSeconds"`
	Replay            RefTotal                   `json:"replay"`
	Max               RefTotal                   `json:"max"`
	Terms             groundtruth.ReferenceTerms `json:"terms"`
}

// RefTotal is one reading of the reference's request count.
type RefTotal struct {
	Requests          int     `json:"requests"`
	SequentialSeconds float64 `json:"sequentialSeconds"`
}

// Ratios compare us with the reference's formula count (and its replay).
type Ratios struct {
	RequestsOursOverReference float64 `json:"requestsOursOverReference"`
	// SpeedupWall is the reference's sequential API time over our whole wall
	// time; SpeedupAPI over our API half.
	SpeedupWall float64 `json:"speedupWall"`
	SpeedupAPI  float64 `json:"speedupAPI"`
	// The same against the replay count.
	RequestsOursOverReplay float64 `json:"requestsOursOverReplay"`
	SpeedupWallReplay      float64 `json:"speedupWallReplay"`
}

func run(f flags, stdout io.Writer) error {
	size, err := jiratest.ParseSize(f.size)
	if err != nil {
		return err
	}
	engine := embed.StorageEngine(f.engine)
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()

	tenant := jiratest.Generate(size, f.seed)
	var sopts []jiratest.Option
	limits := "jira-default"
	if f.unlimited {
		sopts = append(sopts, jiratest.Unlimited())
		limits = "unlimited"
	}
	if f.latency > 0 {
		sopts = append(sopts, jiratest.WithLatency(f.latency))
	}
	if f.jitter > 0 {
		sopts = append(sopts, jiratest.WithJitter(f.jitter))
	}
	srv := jiratest.NewServer(tenant, sopts...)
	defer srv.Close()

	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = srv.URL, srv.Email, srv.APIToken
	cfg.Concurrency = f.concurrency
	cfg.RequestsPerSecond = f.rps
	cfg.ExpandParticipants = f.expand
	cfg.JiraOptions = []jira.Option{jira.WithLoopback(), jira.WithGatewayURL(srv.URL)}

	dir, err := os.MkdirTemp("", "syncbench-*")
	if err != nil {
		return err
	}
	defer func() {
		if !f.keep {
			_ = os.RemoveAll(dir)
		}
	}()
	path := filepath.Join(dir, "sync.c1z")
	opts := []embed.Option{embed.WithC1ZPath(path), embed.WithTmpDir(dir), embed.WithWorkers(f.workers)}
	if engine != "" {
		opts = append(opts, embed.WithStorageEngine(engine))
	}
	if !f.sdkExpand {
		opts = append(opts, embed.WithSyncOptions(sdksync.WithDontExpandGrants()))
	}
	switch f.memLimit {
	case "":
	case "none":
		opts = append(opts, embed.WithMemoryLimit(embed.NoMemoryLimit))
	default:
		n, err := memlimit.ParseSize(f.memLimit)
		if err != nil {
			return fmt.Errorf("-memory-limit: %w", err)
		}
		opts = append(opts, embed.WithMemoryLimit(n))
	}
	switch f.digest {
	case "":
	case "true", "false":
		opts = append(opts, embed.WithStoreOptions(dotc1z.WithGrantDigestIndex(f.digest == "true")))
	default:
		return fmt.Errorf("-grant-digest: want true or false, got %q", f.digest)
	}
	// Progress is reported while pages are stored and requests are sent, so
	// the peak RSS seen by the last report is the peak of the API half.
	var apiPeak float64
	var lastSample, lastPrint, lastProfile time.Time
	opts = append(opts, embed.WithProgress(func(p embed.Progress) {
		if time.Since(lastSample) < 100*time.Millisecond {
			return
		}
		lastSample = time.Now()
		apiPeak = procStatusMiB("VmHWM")
		if f.heapProfile != "" && time.Since(lastProfile) >= 2*time.Second {
			lastProfile = lastSample
			writeHeapProfile(f.heapProfile)
		}
		if f.progress && time.Since(lastPrint) >= time.Second {
			lastPrint = lastSample
			fmt.Fprintf(os.Stderr, "%6.1fs %-22s requests %6d resources %6d entitlements %5d grants %7d rss %5.0f MiB\n",
				p.Elapsed.Seconds(), p.Phase, p.Requests, p.Resources, p.Entitlements, p.Grants, procStatusMiB("VmRSS"))
		}
	}))

	// Baseline: the tenant and the fake live in this process too.
	runtime.GC()
	debug.FreeOSMemory()
	resetWorked := resetPeakRSS()
	before := procStatusMiB("VmRSS")
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)

	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			pf.Close()
			return err
		}
		defer pf.Close()
	}
	var trace io.Writer
	if f.memTrace != "" {
		tf, err := os.Create(f.memTrace)
		if err != nil {
			return err
		}
		defer tf.Close()
		trace = tf
	}
	watch := newMemWatch(50*time.Millisecond, f.peakProfile, trace)
	watch.start()
	cpu0 := cpuSeconds()
	res, err := embed.Sync(ctx, cfg, opts...)
	cpu := cpuSeconds() - cpu0
	sampled := watch.stop()
	if f.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	peak := procStatusMiB("VmHWM")
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	if err != nil {
		return err
	}
	fakeStats := srv.Stats()
	if f.progress {
		fmt.Fprintf(os.Stderr, "sync done in %v (API %v); checking against the ground truth\n",
			res.Duration.Round(time.Millisecond), res.APIDuration.Round(time.Millisecond))
	}

	verifyStart := time.Now()
	truth := groundtruth.Of(tenant, groundtruth.Options{})
	if !f.expand {
		for i, g := range truth.Grants {
			if strings.HasSuffix(g.Entitlement, ":participate") {
				truth.Grants[i].Expandable = nil
			}
		}
	}
	var comp Completeness
	var direct int
	if !f.noVerify {
		comp, direct, err = completeness(ctx, res.C1ZPath, truth, f.sdkExpand)
		if err != nil {
			return err
		}
	}
	verify := time.Since(verifyStart)

	terms := groundtruth.Reference(tenant, groundtruth.Options{})
	ref := terms.Formula()
	refSeconds := float64(ref) * f.latency.Seconds()
	replay := RefTotal{Requests: terms.Replay(), SequentialSeconds: float64(terms.Replay()) * f.latency.Seconds()}
	rep := Report{
		Setup: Setup{Size: string(size), Seed: f.seed, LatencyMs: ms(f.latency), JitterMs: ms(f.jitter), Workers: f.workers,
			Concurrency: f.concurrency, RequestsPerSecond: f.rps, ExpandParticipants: f.expand, SDKExpandsGrants: f.sdkExpand, StorageEngine: string(engine),
			FakeRateLimits: limits},
		Machine: Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(),
			OS: runtime.GOOS + "/" + runtime.GOARCH, CPUModel: cpuModel()},
		Tenant: tenant.Summary(),
		Requests: Requests{Total: fakeStats.Total, ByRoute: fakeStats.Routes, Status: fakeStats.Status,
			RateLimited429: fakeStats.RateLimited, ClientRetries: res.Retries, ClientWaitedS: res.Waited.Seconds()},
		Time: Timing{WallSeconds: res.Duration.Seconds(), APISeconds: res.APIDuration.Seconds(),
			SDKSeconds: (res.Duration - res.APIDuration).Seconds(), VerifySeconds: verify.Seconds(), CPUSeconds: cpu},
		Memory: Memory{RSSBeforeMiB: before, PeakRSSMiB: peak, PeakDeltaMiB: peak - before, PeakResetWorks: resetWorked,
			PeakAPIHalfMiB: apiPeak,
			HeapInUseMiB:   mib(m1.HeapInuse), HeapSysMiB: mib(m1.HeapSys), TotalAllocMiB: mib(m1.TotalAlloc - m0.TotalAlloc),
			NumGC: m1.NumGC - m0.NumGC, Sampled: sampled},
		Counts: Counts{ResourceTypes: res.ResourceTypes, Resources: res.Resources, Entitlements: res.Entitlements,
			Grants: res.Grants, DirectGrants: direct, ExpandedGrants: res.ExpandedGrants, ByResourceType: res.ByResourceType},
		Completeness: comp,
		Reference: Reference{Requests: ref, SequentialSeconds: refSeconds, Replay: replay, Terms: terms,
			Max: RefTotal{Requests: terms.Max(), SequentialSeconds: float64(terms.Max()) * f.latency.Seconds()}},
		Ratios: Ratios{RequestsOursOverReference: ratio(float64(fakeStats.Total), float64(ref)),
			SpeedupWall: ratio(refSeconds, res.Duration.Seconds()), SpeedupAPI: ratio(refSeconds, res.APIDuration.Seconds()),
			RequestsOursOverReplay: ratio(float64(fakeStats.Total), float64(replay.Requests)),
			SpeedupWallReplay:      ratio(replay.SequentialSeconds, res.Duration.Seconds())},
	}
	if len(res.Steps) > 0 {
		rep.Time.SDKSteps = map[string]float64{}
		for k, d := range res.Steps {
			rep.Time.SDKSteps[k] = d.Seconds()
		}
	}
	if fi, err := os.Stat(res.C1ZPath); err == nil {
		rep.C1ZBytes = fi.Size()
	}
	if f.keep {
		rep.C1ZPath = res.C1ZPath
	}

	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if f.out != "" {
		if err := os.WriteFile(f.out, b, 0o644); err != nil {
			return err
		}
	}
	_, err = stdout.Write(b)
	return err
}

// completeness streams the c1z and compares it with truth. It returns the
// number of direct grants too.
//
// Without SDK expansion (the platform expands), user grants are compared with
// the truth's direct user grants and ExpansionDeferred is set.
func completeness(ctx context.Context, path string, truth *groundtruth.Truth, expanded bool) (Completeness, int, error) {
	wantRes := map[string]bool{}
	for _, r := range truth.Resources {
		wantRes[r.Type+"\x00"+r.ID+"\x00"+r.ParentType+"\x00"+r.ParentID+"\x00"+r.DisplayName] = true
	}
	wantEnt := map[string]bool{}
	for _, e := range truth.Entitlements {
		wantEnt[e] = true
	}
	wantDirect := map[string]bool{}
	for _, g := range truth.Grants {
		wantDirect[g.ID()+"\x00"+strings.Join(g.Expandable, ",")] = true
	}
	users := truth.Holders(expanded)

	c := Completeness{ExpansionDeferred: !expanded}
	var foundRes, foundEnt, foundDirect, direct int
	foundUsers := 0
	err := embed.ScanC1Z(ctx, path, embed.Visitor{
		Resource: func(r embed.Resource) error {
			if wantRes[r.Type+"\x00"+r.ID+"\x00"+r.ParentType+"\x00"+r.ParentID+"\x00"+r.DisplayName] {
				foundRes++
			} else {
				c.ResourcesExtra++
			}
			return nil
		},
		Entitlement: func(e embed.Entitlement) error {
			if wantEnt[e.ID] {
				foundEnt++
			} else {
				c.EntitlementsExtra++
			}
			return nil
		},
		Grant: func(g embed.Grant) error {
			if !g.Expanded {
				direct++
				if wantDirect[g.ID+"\x00"+strings.Join(g.Expandable, ",")] {
					foundDirect++
				} else {
					c.DirectGrantsExtra++
				}
			}
			if g.PrincipalType == groundtruth.TypeUser {
				if _, ok := users.Users(g.Entitlement)[g.PrincipalID]; ok {
					foundUsers++
				} else {
					c.UserGrantsExtra++
				}
			}
			return nil
		},
	})
	if err != nil {
		return c, 0, err
	}
	for _, ent := range truth.Entitlements {
		c.UserGrantsTruth += len(users.Users(ent))
	}
	c.ResourcesMissing = len(truth.Resources) - foundRes
	c.DirectGrantsMissing = len(truth.Grants) - foundDirect
	c.UserGrantsMissing = c.UserGrantsTruth - foundUsers
	c.ResourcesPct = pct(foundRes, len(truth.Resources))
	c.EntitlementsPct = pct(foundEnt, len(truth.Entitlements))
	c.DirectGrantsPct = pct(foundDirect, len(truth.Grants))
	c.UserGrantsPct = pct(foundUsers, c.UserGrantsTruth)
	c.Complete = c.ResourcesMissing == 0 && c.ResourcesExtra == 0 && foundEnt == len(truth.Entitlements) &&
		c.EntitlementsExtra == 0 && c.DirectGrantsMissing == 0 && c.DirectGrantsExtra == 0 &&
		c.UserGrantsMissing == 0 && c.UserGrantsExtra == 0
	return c, direct, nil
}

// writeHeapProfile writes the current heap profile to path (best effort).
func writeHeapProfile(path string) {
	fh, err := os.Create(path)
	if err != nil {
		return
	}
	defer fh.Close()
	_ = pprof.WriteHeapProfile(fh)
}

// resetPeakRSS resets VmHWM to the current RSS (Linux ≥ 4.0).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// procStatusMiB reads a "kB" field of /proc/self/status in MiB (0 if absent).
func procStatusMiB(field string) float64 {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != field {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		if err != nil {
			return 0
		}
		return n / 1024
	}
	return 0
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mib(n uint64) float64       { return float64(n) / (1 << 20) }

func pct(n, of int) float64 {
	if of == 0 {
		return 100
	}
	return float64(n) * 100 / float64(of)
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
