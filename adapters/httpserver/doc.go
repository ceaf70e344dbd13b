// Package httpserver serves one Jira Cloud site as an authenticated HTTP
// API on net/http alone: it runs syncs with adapters/embed (one at a time),
// streams their progress, serves the c1z, answers access queries over the
// last successful sync, exposes Prometheus metrics, and syncs again when
// Jira's webhooks say users, groups, projects or roles changed. With
// Config.Provisioning it also changes access (grant, revoke, invite,
// deprovision) through one embed.Provisioner; without it those routes
// answer 403 provisioning_disabled.
//
//	srv, err := httpserver.New(httpserver.Config{
//		Connector: cfg,                    // connector.Config of the site
//		DataDir:   "/var/lib/jiracloud",
//		Tokens:    []string{os.Getenv("BATON_SERVER_TOKEN")},
//	})
//	if err != nil { ... }
//	ln, _ := net.Listen("tcp", ":8080")
//	err = srv.Serve(ctx, ln) // until ctx ends, then a graceful shutdown
//
// The routes are documented in docs/openapi.yaml; examples/server is a
// runnable main with flags and environment variables like the CLI.
//
// # Security
//
// Every route except GET /healthz and GET /readyz needs a bearer token
// (compared in constant time) or, with Config.TLS and client CAs, a
// verified client certificate. The webhook route is instead verified by the
// HMAC signature Jira admin webhooks send (X-Hub-Signature: sha256=…).
// Bodies are size-limited, connections have read, write and idle timeouts
// (the event stream and the download move their write deadline forward
// themselves), CORS is off unless origins are configured, and no token or
// secret is ever logged or returned.
//
// # Provisioning
//
// POST /v1/grants, DELETE /v1/grants/{grant}, POST /v1/accounts and DELETE
// /v1/users/{user} call embed.Provisioner: idempotent by state (a repeat
// answers alreadyDone and writes nothing), each write logged at info with
// IDs only. The provisioner's gRPC codes map to HTTP: InvalidArgument 400,
// NotFound 404, FailedPrecondition 409, PermissionDenied 403, Unavailable
// and ResourceExhausted 503 (Retry-After when the site gave a wait),
// DeadlineExceeded 504, anything else 502; the error body carries the
// connector's message.
//
// # Syncs and files
//
// A sync writes DataDir/sync-<id>.c1z through embed.Sync, which works in
// the private directory DataDir/.sync-<id>.c1z.sync and renames the file
// into place only after success; a failed or cancelled sync leaves no c1z,
// and the previous file stays served. Once the new file is indexed it
// becomes the latest and the old one is removed. Every finished sync's
// final status is recorded in DataDir/sync-<id>.json (0600, written
// atomically); the records of the last finished sync and of the last
// successful one are kept, so that after a restart GET /v1/syncs/{id}
// still answers for them and the next sync has an ETA. At start, what a
// killed process left (working directories no live sync holds locked,
// torn records) is removed and the newest c1z is indexed in the
// background.
//
// # Queries and memory
//
// Queries (a user's access, a group's members, who can browse a project,
// who holds a project role, the holders of any entitlement) read an index
// built from the c1z after each sync. The index holds resources,
// entitlements and the direct grants only, as integer arrays (about 21
// bytes a grant); grants the SDK derived by expansion, most of a large
// site's grants, are derived at query time by following the expandable
// grants as the SDK does. Answers mark each row direct or derived, with the
// principals it came through.
package httpserver
