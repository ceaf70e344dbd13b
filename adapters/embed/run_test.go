package embed

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdksync "github.com/conductorone/baton-sdk/pkg/sync"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// tinySnapshot is what a sync of tinyBuilder must produce.
func tinySnapshot() *Snapshot {
	return &Snapshot{
		ResourceTypes: []string{"group", "user"},
		Resources: []Resource{
			{Type: "group", ID: "g1", DisplayName: "Group g1"},
			{Type: "group", ID: "g2", DisplayName: "Group g2"},
			{Type: "user", ID: "u1", DisplayName: "User u1", Email: "u1@example.com"},
			{Type: "user", ID: "u2", DisplayName: "User u2"},
			{Type: "user", ID: "u3", DisplayName: "User u3"},
		},
		Entitlements: []Entitlement{
			{ID: "group:g1:member", ResourceType: "group", ResourceID: "g1", Slug: "member", DisplayName: "member", GrantableTo: []string{"group", "user"}},
			{ID: "group:g2:member", ResourceType: "group", ResourceID: "g2", Slug: "member", DisplayName: "member", GrantableTo: []string{"group", "user"}},
		},
		Grants: []Grant{
			{ID: "group:g1:member:group:g2", Entitlement: "group:g1:member", PrincipalType: "group", PrincipalID: "g2",
				Expandable: []string{"group:g2:member"}, ExpandableTypes: []string{"user"}},
			{ID: "group:g1:member:user:u1", Entitlement: "group:g1:member", PrincipalType: "user", PrincipalID: "u1"},
			{ID: "group:g1:member:user:u2", Entitlement: "group:g1:member", PrincipalType: "user", PrincipalID: "u2"},
			{ID: "group:g1:member:user:u3", Entitlement: "group:g1:member", PrincipalType: "user", PrincipalID: "u3",
				Sources: []string{"group:g2:member"}, Expanded: true},
			{ID: "group:g2:member:user:u3", Entitlement: "group:g2:member", PrincipalType: "user", PrincipalID: "u3"},
		},
	}
}

func runTiny(t *testing.T, b *tinyBuilder, opts ...Option) (*Result, error) {
	t.Helper()
	o, err := buildOptions(opts)
	if err != nil {
		t.Fatalf("options: %v", err)
	}
	return run(t.Context(), b, b.stats, o, time.Now())
}

func TestRunWritesC1Z(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"pebble", nil},
		{"sqlite", []Option{WithStorageEngine(EngineSQLite)}},
		{"workers", []Option{WithWorkers(4)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "out.c1z")
			var (
				mu   sync.Mutex
				last Progress
				n    int
			)
			b := &tinyBuilder{}
			opts := append([]Option{WithC1ZPath(path), WithTmpDir(t.TempDir()), WithProgress(func(p Progress) {
				mu.Lock()
				last, n = p, n+1
				mu.Unlock()
			})}, tc.opts...)
			res, err := runTiny(t, b, opts...)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if res.C1ZPath != path {
				t.Errorf("C1ZPath = %q, want %q", res.C1ZPath, path)
			}
			want := Result{
				C1ZPath: path, ResourceTypes: 2, Resources: 5, Entitlements: 2, Grants: 5, ExpandedGrants: 1,
				ByResourceType: map[string]TypeCounts{
					"user":  {Resources: 3},
					"group": {Resources: 2, Entitlements: 2, Grants: 5},
				},
				Requests: 5, ByRoute: map[string]int64{"GET /tiny": 5},
			}
			got := *res
			got.Duration, got.APIDuration, got.Steps = 0, 0, nil
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("Result mismatch (-want +got):\n%s", d)
			}
			if res.Duration <= 0 || res.APIDuration <= 0 || res.APIDuration > res.Duration {
				t.Errorf("Duration = %v, APIDuration = %v: want 0 < APIDuration <= Duration", res.Duration, res.APIDuration)
			}
			snap, err := ReadC1Z(t.Context(), path)
			if err != nil {
				t.Fatalf("ReadC1Z: %v", err)
			}
			if d := cmp.Diff(tinySnapshot(), snap); d != "" {
				t.Errorf("snapshot mismatch (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tinySnapshot().Grants[3:4], snap.ExpandedGrants()); d != "" {
				t.Errorf("ExpandedGrants mismatch (-want +got):\n%s", d)
			}
			if got := len(snap.DirectGrants()); got != 4 {
				t.Errorf("DirectGrants = %d, want 4", got)
			}
			// Result's counts came from the SDK's recorded stats (one read),
			// not from reading every grant back.
			var fromStats Result
			if ok, err := countFromStats(t.Context(), path, "", &fromStats); err != nil || !ok {
				t.Errorf("countFromStats = %v, %v; want the sync's recorded stats", ok, err)
			}
			var scanned Result
			if err := countByScan(t.Context(), path, "", &scanned); err != nil {
				t.Fatal(err)
			}
			if fromStats.Grants != scanned.Grants || fromStats.Resources != scanned.Resources ||
				fromStats.Entitlements != scanned.Entitlements || fromStats.ResourceTypes != scanned.ResourceTypes {
				t.Errorf("stats counts %+v, scanned counts %+v", fromStats, scanned)
			}
			mu.Lock()
			defer mu.Unlock()
			if n == 0 {
				t.Fatal("progress was never reported")
			}
			if last.Resources != 5 || last.Grants != 4 || last.ResourceTypes != 2 || last.Entitlements != 2 {
				t.Errorf("last progress = %+v, want 2 types, 5 resources, 2 entitlements, 4 grants", last)
			}
			if !b.closed.Load() {
				t.Error("connector was not closed")
			}
			if !b.sessionOK.Load() {
				t.Error("the connector's session store did not work")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("directory holds %v, want only out.c1z", names)
			}
		})
	}
}

func TestRunEngineMagic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		engine StorageEngine
		magic  string
	}{{EngineSQLite, "C1ZF\x00"}, {EnginePebble, "C1Z3\x00"}} {
		t.Run(string(tc.engine), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "x.c1z")
			if _, err := runTiny(t, &tinyBuilder{}, WithC1ZPath(path), WithStorageEngine(tc.engine)); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte(tc.magic)) {
				t.Errorf("file starts with %q, want %q", b[:min(len(b), 5)], tc.magic)
			}
		})
	}
}

func TestRunDefaultPathIsTempFile(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	res, err := runTiny(t, &tinyBuilder{}, WithTmpDir(tmp))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(res.C1ZPath) != tmp || !strings.HasSuffix(res.C1ZPath, ".c1z") {
		t.Errorf("C1ZPath = %q, want a .c1z file in %s", res.C1ZPath, tmp)
	}
	if fi, err := os.Stat(res.C1ZPath); err != nil || fi.Size() == 0 {
		t.Errorf("c1z file: %v, %v", fi, err)
	}
}

// WithRemoveC1Z: the counts are read, then the file goes; nothing is left
// in the directory.
func TestRunRemoveC1Z(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	res, err := runTiny(t, &tinyBuilder{}, WithTmpDir(tmp), WithRemoveC1Z())
	if err != nil {
		t.Fatal(err)
	}
	if res.C1ZPath != "" {
		t.Errorf("C1ZPath = %q, want \"\" after WithRemoveC1Z", res.C1ZPath)
	}
	if res.Resources == 0 || res.Grants == 0 {
		t.Errorf("counts were not read before the file was removed: %+v", res)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("WithRemoveC1Z left %s in the directory", e.Name())
	}
	if _, err := buildOptions([]Option{WithRemoveC1Z(), WithC1ZPath("keep.c1z")}); err == nil ||
		!strings.Contains(err.Error(), "WithRemoveC1Z") {
		t.Errorf("WithRemoveC1Z with WithC1ZPath: error %v, want one naming both", err)
	}
}

func TestRunFailureLeavesTargetUntouched(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "keep.c1z")
	if err := os.WriteFile(path, []byte("previous sync"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := &tinyBuilder{failGrants: status.Error(codes.PermissionDenied, "jira: 403 on GET /group/member")}
	res, err := runTiny(t, b, WithC1ZPath(path), WithTmpDir(t.TempDir()))
	if err == nil {
		t.Fatalf("run succeeded (%+v), want an error", res)
	}
	if !strings.HasPrefix(err.Error(), "embed: sync: ") || !strings.Contains(err.Error(), "403 on GET /group/member") {
		t.Errorf("error = %q, want it to start with \"embed: sync: \" and carry the connector's message", err)
	}
	if got := status.Code(err); got != codes.PermissionDenied {
		t.Errorf("status.Code(err) = %v, want PermissionDenied (the connector's code survives the wraps)", got)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "previous sync" {
		t.Errorf("target file = %q, want the previous content", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only keep.c1z", len(entries))
	}
	if !b.closed.Load() {
		t.Error("connector was not closed after a failed sync")
	}

	// Default (temporary) path: nothing is left behind at all.
	tmp := t.TempDir()
	if _, err := runTiny(t, &tinyBuilder{failGrants: status.Error(codes.PermissionDenied, "no")}, WithTmpDir(tmp)); err == nil {
		t.Fatal("run succeeded, want an error")
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("tmp dir holds %d entries after a failed sync, want 0", len(entries))
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	o, _ := buildOptions([]Option{WithC1ZPath(filepath.Join(t.TempDir(), "x.c1z"))})
	b := &tinyBuilder{}
	_, err := run(ctx, b, b.stats, o, time.Now())
	if err == nil {
		t.Fatal("run with a cancelled context succeeded")
	}
	if !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestRunSyncOptions(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.c1z")
	res, err := runTiny(t, &tinyBuilder{}, WithC1ZPath(path), WithSyncOptions(sdksync.WithDontExpandGrants()))
	if err != nil {
		t.Fatal(err)
	}
	if res.Grants != 4 || res.ExpandedGrants != 0 {
		t.Errorf("without expansion: Grants = %d, ExpandedGrants = %d, want 4 and 0", res.Grants, res.ExpandedGrants)
	}
}

type recordHandler struct {
	mu   sync.Mutex
	msgs []string
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.msgs = append(h.msgs, r.Message)
	h.mu.Unlock()
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

func TestRunLogger(t *testing.T) {
	t.Parallel()
	h := &recordHandler{}
	if _, err := runTiny(t, &tinyBuilder{}, WithC1ZPath(filepath.Join(t.TempDir(), "x.c1z")), WithLogger(slog.New(h))); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.msgs) == 0 {
		t.Error("WithLogger received no records from the SDK")
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  Option
		want string
	}{
		{"empty path", WithC1ZPath(" "), "WithC1ZPath needs a path"},
		{"dir path", WithC1ZPath("out/"), "needs a file name"},
		{"empty tmp", WithTmpDir(""), "WithTmpDir needs a directory"},
		{"zero workers", WithWorkers(0), "at least 1 worker"},
		{"engine", WithStorageEngine("rocks"), "unknown storage engine"},
		{"progress", WithProgress(nil), "WithProgress needs a function"},
		{"logger", WithLogger(nil), "WithLogger needs a logger"},
		{"zap", WithZapLogger(nil), "WithZapLogger needs a logger"},
		{"connector opt", WithConnectorOptions(nil), "nil option"},
		{"sync opt", WithSyncOptions(nil), "nil option"},
	} {
		_, err := buildOptions([]Option{tc.opt})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	base := errors.New("get https://x.atlassian.net: auth tok-SECRET-123 rejected")
	err := redact(base, []string{"tok-SECRET-123", "", "ab"})
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("redacted error still holds the secret: %q", err)
	}
	if !strings.Contains(err.Error(), "[redacted]") || !errors.Is(err, base) {
		t.Errorf("redact = %q (Is base: %v), want the marker and the original in the chain", err, errors.Is(err, base))
	}
	if redact(base, []string{"absent-token"}) != base {
		t.Error("redact changed an error that held no secret")
	}
}
