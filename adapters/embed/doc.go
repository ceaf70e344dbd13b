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
// whose path is in [Result.C1ZPath]; the caller removes it.
//
// # Logging
//
// The SDK logs through zap, carried in the context. Sync is silent unless
// [WithLogger] (log/slog) or [WithZapLogger] is given. One line escapes:
// the SDK's grant expansion opens a scratch Pebble database with Pebble's
// default logger, which prints "Found 0 WALs" through the standard library's
// log package; programs that mind can call log.SetOutput.
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
