// Package embed runs a complete Baton sync of a Jira Cloud site inside the
// calling program and writes the c1z file: no subprocess, no CLI, no
// os.Exit, so it can run in a long-lived service, a test or a benchmark.
//
//	res, err := embed.Sync(ctx, cfg, embed.WithC1ZPath("jira.c1z"))
//	if err != nil {
//		return err
//	}
//	fmt.Println(res.Resources, res.Grants, res.Requests, res.Duration)
//
// [Ticketing] uses the site as an external ticketing system in process:
// ticket schemas, create, get, bulk create and get (what --ticketing offers
// ConductorOne), plus update, transition and comment.
//
//	tk, err := embed.NewTicketing(ctx, cfg)
//	t, err := tk.Create(ctx, embed.TicketRequest{SchemaID: "ACC:10005", Summary: "Access to X"})
//
// # How it works
//
// [Sync] builds the connector (connector.New), wraps it with the SDK's
// connectorbuilder.NewConnector, serves that on an in-memory gRPC listener
// (google.golang.org/grpc/test/bufconn) and drives it with the SDK's own
// syncer (sync.NewSyncer, Sync, Close), exactly as the baton CLI's
// subprocess would, minus the process. The connector gets a working session
// store backed by the c1z. After the sync the file is read back
// ([ReadC1Z], [ScanC1Z]) to fill in the counts of the [Result].
//
// # Files
//
// The c1z is written atomically: the syncer writes a temporary file next to
// the target, which is renamed onto it only after a successful sync. A failed
// or cancelled sync leaves no file behind (and an existing file at the target
// untouched). Without [WithC1ZPath] the file goes to a new temporary file
// whose path is in [Result.C1ZPath]; the caller removes it, or passes
// [WithRemoveC1Z] to have Sync remove it once the counts are read.
//
// # Memory
//
// While it runs, Sync sets the Go runtime's soft memory limit from the
// memory the process may use (the container's limit, JIRACLOUD_MEMORY_BUDGET,
// or 1 GiB) unless GOMEMLIMIT or the program chose one, and restores the
// previous limit afterwards; see [WithMemoryLimit]. It opens the c1z store
// without the SDK's grant digest index, which halves the memory of the
// sync's last step ([WithStoreOptions] turns it back on). A large site (20,000
// users, 453 projects, 6.6 million grants after expansion) peaks at about
// 1.1 GiB; docs/BENCHMARKS.md has the measurements.
//
// # Logging
//
// The SDK logs through zap, carried in the context. Sync is silent unless
// [WithLogger] (log/slog) or [WithZapLogger] is given: nothing on stdout or
// stderr. One line needs more than that: the SDK's grant expansion opens a
// scratch Pebble database with Pebble's default logger, which prints
// "Found 0 WALs" through the standard library's log package, and no option
// reaches it. While a Sync without a logger runs, the log package's output
// is therefore wrapped in a filter that drops the lines Pebble's default
// logger writes at info level (recognised by the caller, not the text) and
// passes every other line to the previous writer; the last such Sync puts
// that writer back, unless the program replaced it meanwhile. With a
// logger, the log package is left alone.
//
// # Provisioning
//
// [Provisioner] changes access on the site in-process, with no CLI and no
// gRPC server: grants and revokes by entitlement or grant ID, invitations,
// and suspension of accounts in organization mode. Build it once from a
// connector.Config and share it (one client, one rate limiter); every
// method is idempotent by state and returns a typed result that says
// whether anything had to change. [GrantAccess], [RevokeAccess],
// [CreateAccount] and [Deprovision] build one for a single call.
//
//	p, err := embed.NewProvisioner(ctx, cfg)
//	if err != nil {
//		return err
//	}
//	defer p.Close()
//	r, err := p.Grant(ctx, "group:"+groupID+":member", embed.User(accountID))
//	// r.AlreadyDone: the user was a member already, nothing was written
//
// docs/PROVISIONING.md describes what each entitlement does.
//
// # Errors
//
// Errors are prefixed "embed: " and name the stage that failed; the
// connector's gRPC status codes survive the wrapping (status.Code works).
// The API tokens of the configuration never appear in an error message.
package embed
