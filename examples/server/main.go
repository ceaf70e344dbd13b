// Command server runs the jiracloud HTTP server (adapters/httpserver): syncs
// on demand and on Jira webhooks, progress as Server-Sent Events, the c1z,
// access queries and Prometheus metrics, behind a bearer token or mTLS.
//
//	go run ./examples/server
//
// serves a built-in fake Jira Cloud site (jira/jiratest) on 127.0.0.1:8080,
// writes a random bearer token to server-data/token and prints how to use it.
// A real site is configured like the CLI, by flags or BATON_* environment
// variables (a flag --x-y is also BATON_X_Y):
//
//	BATON_JIRA_URL=https://acme.atlassian.net BATON_JIRA_EMAIL=me@acme.com \
//	BATON_JIRA_API_TOKEN=… BATON_SERVER_TOKEN=… go run ./examples/server --server-addr :8080
//
// Secrets are best given by environment or file, never on the command line:
// BATON_JIRA_API_TOKEN, BATON_ATLASSIAN_API_TOKEN, BATON_SERVER_TOKEN (or
// --server-token-file; several tokens, comma- or line-separated, allow
// rotation) and BATON_SERVER_WEBHOOK_SECRET (or --server-webhook-secret-file).
// SIGINT or SIGTERM shut down gracefully: a running sync gets
// --server-shutdown-grace to finish, then is cancelled without leaving a
// partial file. --provisioning (BATON_PROVISIONING=true) enables the write
// routes: grants, revokes, invitations and, in organization mode,
// suspension (docs/PROVISIONING.md). See docs/SERVER.md for every setting
// (timeouts, shutdown, webhooks), docs/openapi.yaml for the API and
// examples/kubernetes/server.yaml for a deployment. Usage (-h) names the
// BATON_* variables but never prints their values.
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/batonkit/jiracloud/adapters/cli"
	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/adapters/httpserver"
	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
	sdksync "github.com/conductorone/baton-sdk/pkg/sync"
)

func main() {
	// The SDK's storage engine prints housekeeping lines through the
	// standard logger; structured logs go through slog.
	log.SetOutput(io.Discard)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "server:", err)
		}
		os.Exit(2)
	}
}

// flags binds flags to BATON_* variables. The FlagSet holds only the
// built-in defaults: the environment is applied after parsing (applyEnv), so
// the usage text that -h or a mistyped flag prints names each variable but
// never shows its value, which may be an API token.
type flags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	names  []string          // flags bound to a variable, in order
	kinds  map[string]string // what a valid value is, for errors
}

func envName(name string) string {
	return "BATON_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

func (f *flags) bind(name, kind, usage string) string {
	f.names = append(f.names, name)
	if f.kinds == nil {
		f.kinds = map[string]string{}
	}
	f.kinds[name] = kind
	return usage + " (" + envName(name) + ")"
}

func (f *flags) str(name, def, usage string) *string {
	return f.fs.String(name, def, f.bind(name, "", usage))
}

func (f *flags) boolean(name string, def bool, usage string) *bool {
	return f.fs.Bool(name, def, f.bind(name, "true or false", usage))
}

func (f *flags) integer(name string, def int, usage string) *int {
	return f.fs.Int(name, def, f.bind(name, "a number", usage))
}

func (f *flags) float(name string, def float64, usage string) *float64 {
	return f.fs.Float64(name, def, f.bind(name, "a number", usage))
}

func (f *flags) duration(name string, def time.Duration, usage string) *time.Duration {
	return f.fs.Duration(name, def, f.bind(name, "a duration (e.g. 30s)", usage))
}

// applyEnv sets every bound flag that the command line did not set from
// its non-empty BATON_* variable (the command line wins). Call it after
// Parse.
func (f *flags) applyEnv() error {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	var errs []error
	for _, name := range f.names {
		v := f.getenv(envName(name))
		if set[name] || v == "" {
			continue
		}
		if err := f.fs.Set(name, v); err != nil {
			// Only typed flags fail, and none of them holds a secret.
			errs = append(errs, fmt.Errorf("%s=%q is not %s", envName(name), v, f.kinds[name]))
		}
	}
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// run parses args, builds the server and serves until ctx ends. ready, if
// set, gets the listening address and the token file (fake mode).
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready func(addr, tokenFile string)) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &flags{fs: fs, getenv: getenv}

	// The connector's settings, named as in the CLI (adapters/cli).
	var cc cli.Config
	jiraURL := f.str("jira-url", "", "Jira Cloud site URL; empty serves the built-in fake site")
	jiraEmail := f.str("jira-email", "", "email of the account that owns the API token")
	jiraToken := f.str("jira-api-token", "", "Jira API token (prefer the environment variable)")
	orgID := f.str("atlassian-orgId", "", "Atlassian organization ID (organization mode)")
	orgKey := f.str("atlassian-api-token", "", "Atlassian Admin API key (prefer the environment variable)")
	syncKeys := f.str("sync-project-keys", "", "comma-separated project keys to limit the sync to")
	skipPart := f.boolean("skip-project-participants", false, "leave out the project participate entitlement")
	skipCust := f.boolean("skip-customer-user", false, "leave out Service Management customers")
	archived := f.boolean("include-archived-projects", false, "also sync archived projects")
	expandPart := f.boolean("expand-participants", true, "make participate grants expandable onto members")
	rps := f.float("jira-requests-per-second", 0, "cap on the total request rate (0: Jira's per-endpoint limits)")
	conc := f.integer("jira-concurrency", 0, "requests in flight while reading grants (0: the default)")

	// The server's own settings.
	addr := f.str("server-addr", "127.0.0.1:8080", "address to listen on")
	dataDir := f.str("server-data-dir", "server-data", "directory for the c1z files")
	tokenFile := f.str("server-token-file", "", "file with the bearer token(s), one a line (or BATON_SERVER_TOKEN)")
	tlsCert := f.str("server-tls-cert", "", "TLS certificate file (PEM); with --server-tls-key serves HTTPS")
	tlsKey := f.str("server-tls-key", "", "TLS key file (PEM)")
	clientCA := f.str("server-client-ca", "", "CA file (PEM) for client certificates: a verified certificate authorises like a token (mTLS)")
	hookFile := f.str("server-webhook-secret-file", "", "file with the Jira webhook secret (or BATON_SERVER_WEBHOOK_SECRET); enables POST /v1/webhooks/jira")
	debounce := f.duration("server-webhook-debounce", 30*time.Second, "sync this long after the last webhook event")
	maxDelay := f.duration("server-webhook-max-delay", 5*time.Minute, "a burst of webhook events syncs no later than this after its first event")
	hookEvents := f.str("server-webhook-events", "user_,group_,project_", "comma-separated webhookEvent names, or prefixes ending in _ or :, that schedule a sync (events naming a role or permission always do)")
	cors := f.str("server-cors-origins", "", "comma-separated browser origins allowed (default none: CORS off)")
	grace := f.duration("server-shutdown-grace", 30*time.Second, "on SIGTERM, time a running sync gets to finish before it is cancelled")
	drain := f.duration("server-drain-timeout", 10*time.Second, "on SIGTERM, after the sync: time in-flight requests get to finish")
	maxBody := f.integer("server-max-body-bytes", 1<<20, "request body limit")
	readHeader := f.duration("server-read-header-timeout", 10*time.Second, "time a client gets to send the request headers")
	readTO := f.duration("server-read-timeout", 30*time.Second, "time a client gets to send the whole request")
	writeTO := f.duration("server-write-timeout", 60*time.Second, "time to write a response (the event stream moves it forward at each event)")
	idleTO := f.duration("server-idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	downloadTO := f.duration("server-download-timeout", 15*time.Minute, "time one c1z download may take")
	logFormat := f.str("server-log-format", "json", "log format: json or text")
	logLevel := f.str("server-log-level", "info", "log level: debug, info, warn, error")
	workers := f.integer("sync-workers", 1, "SDK sync workers (more than 1: the SDK's parallel syncer)")
	provisioning := f.boolean("provisioning", false, "serve the write routes (grant, revoke, invite, deprovision); off, they answer 403")
	sdkExpand := f.boolean("sdk-expand", true, "let the SDK expand grants into the c1z (off: faster syncs and smaller files; queries still expand)")

	fakeSize := f.str("fake-size", "small", "size of the built-in fake site: small, medium, large or xl")
	fakeLatency := f.duration("fake-latency", 0, "latency the fake site adds to each request")
	fakeOrg := f.boolean("fake-org", true, "sync the fake site's Atlassian organization too")

	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	if err := f.applyEnv(); err != nil {
		return err
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--server-log-level %q: use debug, info, warn or error", *logLevel)
	}
	hopts := &slog.HandlerOptions{Level: level}
	var logger *slog.Logger
	switch *logFormat {
	case "json":
		logger = slog.New(slog.NewJSONHandler(stderr, hopts))
	case "text":
		logger = slog.New(slog.NewTextHandler(stderr, hopts))
	default:
		return fmt.Errorf("--server-log-format %q: use json or text", *logFormat)
	}

	var conn connector.Config
	fake := strings.TrimSpace(*jiraURL) == ""
	if fake {
		size, err := jiratest.ParseSize(*fakeSize)
		if err != nil {
			return err
		}
		srv := jiratest.NewServer(jiratest.Generate(size, 1), jiratest.WithLatency(*fakeLatency))
		defer srv.Close()
		conn = connector.DefaultConfig()
		conn.JiraURL, conn.JiraEmail, conn.JiraAPIToken = srv.URL, srv.Email, srv.APIToken
		conn.JiraOptions = []jira.Option{jira.WithLoopback()}
		if *fakeOrg {
			conn.AtlassianOrgID, conn.AtlassianAPIToken = srv.OrgID, srv.AdminKey
			conn.AtlassianOptions = []atlassian.Option{atlassian.WithLoopback(), atlassian.WithBaseURL(srv.AdminURL())}
		}
		logger.Info("serving the built-in fake site (set --jira-url for a real one)", "site", srv.SiteHost, "size", size)
	} else {
		cc = cli.Config{JiraURL: *jiraURL, JiraEmail: *jiraEmail, JiraAPIToken: *jiraToken, AtlassianOrgID: *orgID,
			AtlassianAPIToken: *orgKey, SyncProjectKeys: splitList(*syncKeys), SkipProjectParticipants: *skipPart,
			SkipCustomerUser: *skipCust, IncludeArchivedProjects: *archived, ExpandParticipants: *expandPart,
			RequestsPerSecond: *rps, Concurrency: *conc}
		conn = cc.ConnectorConfig()
	}

	tokens := splitList(getenv("BATON_SERVER_TOKEN"))
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return fmt.Errorf("--server-token-file: %w", err)
		}
		tokens = append(tokens, splitList(string(b))...)
	}
	var hookSecret string
	if *hookFile != "" {
		b, err := os.ReadFile(*hookFile)
		if err != nil {
			return fmt.Errorf("--server-webhook-secret-file: %w", err)
		}
		hookSecret = strings.TrimSpace(string(b))
	} else {
		hookSecret = strings.TrimSpace(getenv("BATON_SERVER_WEBHOOK_SECRET"))
	}

	var tlsCfg *tls.Config
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("--server-tls-cert and --server-tls-key go together")
	}
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return fmt.Errorf("TLS certificate: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if *clientCA != "" {
			pem, err := os.ReadFile(*clientCA)
			if err != nil {
				return fmt.Errorf("--server-client-ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("--server-client-ca %s holds no PEM certificate", *clientCA)
			}
			tlsCfg.ClientCAs = pool
			// Probes come without a certificate; API routes then need a token.
			tlsCfg.ClientAuth = tls.VerifyClientCertIfGiven
		}
	} else if *clientCA != "" {
		return errors.New("--server-client-ca needs --server-tls-cert and --server-tls-key")
	}

	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return fmt.Errorf("--server-data-dir: %w", err)
	}
	var genTokenFile string
	if len(tokens) == 0 && fake && tlsCfg == nil {
		// The fake site needs no secrets; make a token so that the API is
		// still protected, and leave it in a file only the user can read.
		var b [24]byte
		_, _ = rand.Read(b[:])
		tok := hex.EncodeToString(b[:])
		genTokenFile = filepath.Join(*dataDir, "token")
		if err := os.WriteFile(genTokenFile, []byte(tok+"\n"), 0o600); err != nil {
			return fmt.Errorf("write the generated token: %w", err)
		}
		tokens = []string{tok}
	}

	var syncOpts []embed.Option
	if *workers > 1 {
		syncOpts = append(syncOpts, embed.WithWorkers(*workers))
	}
	if !*sdkExpand {
		syncOpts = append(syncOpts, embed.WithSyncOptions(sdksync.WithDontExpandGrants()))
	}
	srv, err := httpserver.New(httpserver.Config{
		Connector: conn, DataDir: *dataDir, Tokens: tokens, TLS: tlsCfg,
		WebhookSecret: hookSecret, WebhookDebounce: *debounce, WebhookMaxDelay: *maxDelay,
		WebhookEvents: splitList(*hookEvents), CORSOrigins: splitList(*cors),
		MaxBodyBytes: int64(*maxBody), ShutdownGrace: *grace, DrainTimeout: *drain, SyncOptions: syncOpts, Logger: logger,
		ReadHeaderTimeout: *readHeader, ReadTimeout: *readTO, WriteTimeout: *writeTO, IdleTimeout: *idleTO,
		DownloadTimeout: *downloadTO, Provisioning: *provisioning,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		_ = srv.Shutdown(context.Background())
		return fmt.Errorf("--server-addr: %w", err)
	}
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	logger.Info("listening", "url", scheme+"://"+ln.Addr().String(), "data_dir", *dataDir,
		"webhooks", hookSecret != "", "mtls", tlsCfg != nil && tlsCfg.ClientCAs != nil, "provisioning", *provisioning)
	if genTokenFile != "" {
		fmt.Fprintf(stderr, "\nA bearer token for this run is in %s (mode 0600). Try:\n"+
			"  TOKEN=$(cat %s)\n  curl -s -X POST -H \"Authorization: Bearer $TOKEN\" %s://%s/v1/syncs\n"+
			"  curl -sN -H \"Authorization: Bearer $TOKEN\" %s://%s/v1/syncs/current/events\n\n",
			genTokenFile, genTokenFile, scheme, ln.Addr(), scheme, ln.Addr())
	}
	if ready != nil {
		ready(ln.Addr().String(), genTokenFile)
	}
	return srv.Serve(ctx, ln)
}
