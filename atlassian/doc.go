// Package atlassian is a typed client for the Atlassian Admin APIs: the
// Organizations REST API (organizations, workspaces, directories, users,
// groups, domains; v1 and v2) and the user management API for managed
// accounts. It is the sibling of package jira, shares its transport, IDs,
// pagination model and error sentinels, and depends on no Baton, gRPC or
// protobuf package.
//
//	c, err := atlassian.NewClient(os.Getenv("ATLASSIAN_API_KEY"))
//	sites, err := c.Workspaces.FindJiraSite(ctx, org, "https://acme.atlassian.net")
//	opts := &atlassian.UserSearchOptions{ResourceIDs: atlassian.ResourceIDs(sites)}
//	for u, err := range c.Directories.UsersIter(ctx, org, atlassian.AllDirectories, opts) { … }
//
// A [*Client] is immutable after [NewClient] and safe for concurrent use.
// Every I/O method takes a context first.
//
// # Authentication
//
// [NewClient] takes an organization API key, sent as "Authorization: Bearer
// <key>". Create it in Atlassian Administration under Settings → API keys;
// keys last at most a year. Keys can be created with or without scopes, but
// the user management API ([AccountsService]) accepts only keys without
// scopes. The key never appears in an error string, a log record, or the
// output of fmt on the client.
//
// Requests go to https://api.atlassian.com/admin ([DefaultBaseURL]); the user
// management API lives at the same URL without /admin. [WithBaseURL]
// overrides the base for tests; a loopback URL (a fake such as
// jira/jiratest) needs [WithLoopback] too, and any other host is refused so
// that the key cannot be sent elsewhere.
//
// # Finding the Jira site
//
// An organization has one workspace per product instance: the Jira
// Software, Jira Service Management and Jira Product Discovery products of
// one site are three workspaces sharing its host and cloud ID.
// [WorkspacesService.FindJiraSite] accepts the site URL in any form (scheme,
// case and trailing slashes do not matter), the gateway form
// https://api.atlassian.com/ex/jira/<cloudId>, a bare cloud ID or a site ARI,
// and returns every Jira workspace of that site; [ResourceIDs] turns them
// into the ResourceIDs filter of the user and group searches.
//
// # Pagination
//
// The Admin APIs page with cursors only. v1 answers links.next as a full
// URL on some endpoints (GET /v1/orgs/{orgId}/users) and as a bare cursor
// on others (the search endpoints); v2 uses cursor and limit with cursor
// strings. Page methods hide this behind the same opaque cursor as package
// jira: they take [ListOptions]{Cursor, PageSize} (or an options struct
// embedding it) and return ([]T, *Response, error), where
// [Response].NextCursor is "" after the last page. Each page method has an
// iterator twin (ListIter, UsersIter, MembersIter, …) that yields an error
// once and stops, and refuses a cursor that repeats.
//
// The v2 GET lists of users and groups stop working after June 30, 2027;
// [DirectoriesService.Users] and [GroupsService.Search] use the search
// endpoints that replace them, and the GET lists remain as deprecated
// methods. Group members are listed through the user search filtered on the
// group ([GroupsService.Members]), since the Admin API has no membership
// listing of its own.
//
// # Rate limits and retries
//
// Requests go through the same transport as package jira: a client-side
// limiter before every attempt, bounded retries, and reaction to
// Retry-After and X-RateLimit-* headers. Build a [Transport] once (it is
// jira.Transport; jira.NewTransport builds one) and pass it to both clients
// ([WithTransport] here, jira.WithTransport there) so that they share one
// limiter and one set of counters. The Admin API
// publishes no rate numbers; the default pacing is jira.DefaultRateLimits,
// and every 429 slows the endpoint down further. A 429 is retried for every
// method after the server's Retry-After (else X-RateLimit-Reset), up to the
// retry policy's MaxRetryAfter; 5xx and network errors are retried only for
// idempotent methods, so the lifecycle POSTs are never repeated after an
// unknown outcome. A longer wait, or one past the context deadline, is not
// slept: the call returns an [*Error] carrying RetryAfter. The endpoint
// stays paused until then: later calls wait if the pause ends within the
// limiter's MaxPause (a minute by default), and otherwise are not sent at
// all but fail at once with a 429 [*Error] whose RateLimitReason is
// "client-side pause" and whose RetryAfter is the time left, as in package
// jira. Every wait ends when the context does.
//
// # Errors
//
// Every non-2xx answer is an [*Error]. It decodes the Admin error body
// {"errors":[{"id","status","code","title","detail"}]} and the gateway's
// {"code","message"} body (sent with 429), and carries the status,
// RetryAfter, RateLimitReason, the request ID and the URL without its query
// string; the API key is cut out of any body that echoes it. errors.Is works
// with [ErrNotFound], [ErrUnauthorized], [ErrForbidden], [ErrRateLimited],
// [ErrConflict] and [ErrBadRequest], which are the same values as
// jira.ErrNotFound and friends; [Error.HasCode] tests an Admin code such as
// [CodeUserNotFound].
package atlassian
