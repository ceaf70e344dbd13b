package httpserver

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/connector"
)

// Config configures a [Server]. Connector, DataDir and an authentication
// method (Tokens, or TLS with ClientCAs) are required; every other field
// has a default.
//
// Config holds secrets (the connector's API tokens, the bearer tokens, the
// webhook secret); the server never logs them or puts them in a response.
type Config struct {
	// Connector is the Jira Cloud site the server syncs.
	Connector connector.Config
	// DataDir holds the c1z of the last successful sync (sync-<id>.c1z)
	// and, under DataDir/tmp, the SDK's working files. It is created if
	// missing. What a killed process left (embed.Sync's working directory
	// .sync-<id>.c1z.sync, scratch directories under DataDir/tmp) is
	// removed at start unless a live sync holds it locked, and the newest
	// c1z found is loaded for queries.
	DataDir string

	// Tokens are the accepted bearer tokens (several allow rotation). Each
	// must be at least 16 characters. Compared in constant time.
	Tokens []string
	// TLS, when set, is the listener's TLS configuration for [Server.Serve].
	// With ClientCAs set and ClientAuth at least VerifyClientCertIfGiven, a
	// request with a verified client certificate is authorised without a
	// token (mTLS). Health probes need neither.
	TLS *tls.Config

	// WebhookSecret enables POST /v1/webhooks/jira: Jira admin webhooks
	// registered with this secret sign their body (X-Hub-Signature:
	// sha256=<hex HMAC-SHA256>). Empty: the route is not served.
	WebhookSecret string
	// WebhookEvents are the webhookEvent names (or prefixes ending in "_"
	// or ":") that schedule a sync. Default: user_, group_, project_ and
	// any event whose name contains "role" or "permission".
	WebhookEvents []string
	// WebhookDebounce is how long the server waits after the last relevant
	// event before it syncs (default 30 s); WebhookMaxDelay caps the wait
	// from the first event of a burst (default 5 min).
	WebhookDebounce time.Duration
	WebhookMaxDelay time.Duration

	// Provisioning enables the write routes (POST /v1/grants, DELETE
	// /v1/grants/{grant}, POST /v1/accounts, DELETE /v1/users/{user}): the
	// server then builds one embed.Provisioner from Connector and closes it
	// on shutdown. Off (the default), those routes answer 403
	// provisioning_disabled and the server never writes to the site.
	Provisioning bool

	// SyncOptions are extra options for embed.Sync (workers, storage
	// engine, sdksync options). WithC1ZPath, WithTmpDir and WithProgress
	// are set by the server.
	SyncOptions []embed.Option

	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// CORSOrigins are the origins allowed to call the API from a browser.
	// Default none: no CORS headers are ever sent.
	CORSOrigins []string

	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout bound
	// connections of [Server.Serve] (defaults 10 s, 30 s, 60 s, 120 s).
	// The event stream and the c1z download move their own deadlines
	// forward as they write (DownloadTimeout, default 15 min, bounds one
	// download).
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	DownloadTimeout   time.Duration
	// KeepAlive is the gap between comment lines on an idle event stream
	// (default 15 s).
	KeepAlive time.Duration
	// ShutdownGrace is how long [Server.Serve] lets a running sync finish
	// once its context ends before cancelling it (default 30 s).
	ShutdownGrace time.Duration
	// DrainTimeout is how long [Server.Serve], after the sync has ended,
	// lets requests in flight finish before it closes their connections
	// (default 10 s). A supervisor should allow ShutdownGrace plus
	// DrainTimeout plus a margin before it kills the process.
	DrainTimeout time.Duration

	// History is how many finished syncs' statuses are kept in memory
	// (default 20). The last finished sync's and the last successful one's
	// are also recorded in DataDir (sync-<id>.json) and survive a restart,
	// with the timings the next sync's ETA is estimated from.
	History int
	// Logger receives structured logs; default slog.Default().
	Logger *slog.Logger
}

const minTokenLen = 16

func (c *Config) withDefaults() (Config, error) {
	out := *c
	if strings.TrimSpace(out.DataDir) == "" {
		return out, errors.New("httpserver: Config.DataDir is required (where the c1z files go)")
	}
	if err := out.Connector.Validate(); err != nil {
		return out, fmt.Errorf("httpserver: connector configuration: %w", err)
	}
	var toks []string
	for i, t := range out.Tokens {
		t = strings.TrimSpace(t)
		if len(t) < minTokenLen {
			return out, fmt.Errorf("httpserver: bearer token #%d is %d characters; use at least %d random characters", i+1, len(t), minTokenLen)
		}
		toks = append(toks, t)
	}
	out.Tokens = toks
	mtls := out.TLS != nil && out.TLS.ClientCAs != nil && out.TLS.ClientAuth >= tls.VerifyClientCertIfGiven
	if len(out.Tokens) == 0 && !mtls {
		return out, errors.New("httpserver: no authentication configured: give a bearer token (Config.Tokens) or a TLS configuration with ClientCAs for mTLS")
	}
	if out.WebhookSecret != "" && len(out.WebhookSecret) < minTokenLen {
		return out, fmt.Errorf("httpserver: the webhook secret is %d characters; use at least %d", len(out.WebhookSecret), minTokenLen)
	}
	if len(out.WebhookEvents) == 0 {
		out.WebhookEvents = []string{"user_", "group_", "project_"}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&out.WebhookDebounce, 30*time.Second)
	def(&out.WebhookMaxDelay, 5*time.Minute)
	def(&out.ReadHeaderTimeout, 10*time.Second)
	def(&out.ReadTimeout, 30*time.Second)
	def(&out.WriteTimeout, 60*time.Second)
	def(&out.IdleTimeout, 120*time.Second)
	def(&out.DownloadTimeout, 15*time.Minute)
	def(&out.KeepAlive, 15*time.Second)
	def(&out.ShutdownGrace, 30*time.Second)
	def(&out.DrainTimeout, 10*time.Second)
	if out.MaxBodyBytes <= 0 {
		out.MaxBodyBytes = 1 << 20
	}
	if out.History <= 0 {
		out.History = 20
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	return out, nil
}

// relevantEvent reports whether a webhookEvent name should schedule a sync.
func (c *Config) relevantEvent(name string) bool {
	if name == "" {
		return false
	}
	lower := strings.ToLower(name)
	if strings.Contains(lower, "role") || strings.Contains(lower, "permission") {
		return true
	}
	for _, e := range c.WebhookEvents {
		if strings.HasSuffix(e, "_") || strings.HasSuffix(e, ":") {
			if strings.HasPrefix(lower, strings.ToLower(e)) {
				return true
			}
		} else if strings.EqualFold(e, name) {
			return true
		}
	}
	return false
}
