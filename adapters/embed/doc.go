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
// [WithLogger] (log/slog) or [WithZapLogger] is given. One line escapes:
// the SDK's grant expansion opens a scratch Pebble database with Pebble's
// default logger, which prints "Found 0 WALs" through the standard library's
// log package; programs that mind can call log.SetOutput.
//
// # Errors
//
// Errors are prefixed "embed: " and name the stage that failed; the
// connector's gRPC status codes survive the wrapping (status.Code works).
// The API tokens of the configuration never appear in an error message.
package embed
