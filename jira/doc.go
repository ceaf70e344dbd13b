// Package jira is a typed client for the Jira Cloud platform REST API v3,
// covering what identity governance needs: users, groups, projects, project
// roles, permission schemes, application roles (products), issues for
// ticketing, audit records, and the Jira Service Management service desks,
// customers and customer organizations. It is usable on its own and depends
// on no Baton, gRPC or protobuf package.
//
//	c, err := jira.NewClient("https://acme.atlassian.net",
//		jira.WithBasicAuth("me@acme.com", os.Getenv("JIRA_API_TOKEN")))
//	for u, err := range c.Users.ListIter(ctx, nil) { … }
//
// A [*Client] is immutable after [NewClient] and safe for concurrent use.
// Every I/O method takes a context first.
//
// # Authentication
//
// [NewClient] accepts https://<site>.atlassian.net (with or without scheme,
// with trailing slashes) and the gateway form
// https://api.atlassian.com/ex/jira/<cloudId>. Loopback URLs are accepted
// only with [WithLoopback], for tests against jira/jiratest; anything else is
// refused with an error that lists the accepted forms.
//
//   - Classic API tokens: [WithBasicAuth] with the site URL.
//   - Scoped API tokens: [WithBasicAuth] with the gateway URL. A scoped token
//     sent to the site URL gets 401; the client then checks once whether the
//     gateway accepts it, and the [*Error]'s Hint names the exact URL to use.
//   - Service accounts (…@serviceaccount.atlassian.com, see
//     [IsServiceAccount]): [WithBasicAuth] with either URL; a site URL is
//     resolved to the gateway through /_edge/tenant_info on first use.
//   - OAuth 2.0 access tokens: [WithBearerToken] or [WithTokenSource], gateway URL only.
//
// Credentials live only in the client: printing a [*Client] shows its site,
// never its token.
//
// # Pagination
//
// Jira uses several pagination styles (PageBean with isLast, bare arrays,
// createmeta pages, audit offset/limit, Service Management
// start/limit/isLastPage). Every page method hides them behind one opaque
// cursor: it takes [ListOptions]{Cursor, PageSize} (or an options struct
// embedding it; nil means the first page with the method's default size)
// and returns ([]T, *Response, error) where [Response].NextCursor is ""
// after the last page. Pages advance by what came back, never by what was
// asked for: the server may lower maxResults, totals may change and pages
// may be short, so only isLast (isLastPage), an empty page or reaching the
// reported total (for envelopes without isLast) ends the walk; a short page
// never does. Each page method has an iterator twin (ListIter, MembersIter,
// …) returning iter.Seq2[T, error]: it copies the options, checks the
// context between pages, and yields an error once and stops. Connectors
// that checkpoint should call the page methods and keep NextCursor.
//
// # Rate limits and retries
//
// All requests go through one [Transport] (share it between clients of one
// site, and with the Atlassian Admin client, with [WithTransport]; or share
// only the [Limiter] with [WithRateLimiter]). Before every attempt a
// per-endpoint token bucket paces requests at Jira's documented burst
// limits ([DefaultRateLimits]). Responses feed back into it: a quota 429
// (RateLimit-Reason jira-quota-*) pauses all requests until the reset; a
// burst 429 blocks and slows only that endpoint; a per-issue write 429
// spaces writes to that issue; X-RateLimit-NearLimit slows the endpoint.
//
// Retries follow [DefaultRetryPolicy]: Retry-After (else X-RateLimit-Reset)
// is the minimum wait, otherwise exponential backoff from 2 s to 30 s with
// jitter in [0.7, 1.3], at most 4 retries. 429 is retried for every method;
// 5xx and transport errors only for idempotent methods (GET, HEAD, PUT,
// DELETE), never for POST. A server wait longer than the policy's
// MaxRetryAfter (60 s by default), or one past the context deadline, is not
// slept: the call returns the 429 (or 503) as an [*Error] carrying
// RetryAfter. After such a 429 the endpoint (or, for a quota, every
// endpoint) stays paused until then: later calls wait if the pause ends
// within [RateLimits].MaxPause (a minute by default), and otherwise are not
// sent at all but fail at once with a 429 [*Error] whose RateLimitReason is
// "client-side pause" or "client-side quota pause" and whose RetryAfter is
// the time left. Every wait (limiter, backoff, pause, service-account
// resolution) ends when the context does. [Client.Stats] reports requests,
// retries, 429s and time spent waiting.
//
// # Errors
//
// Every non-2xx answer is an [*Error] with the status, the decoded
// errorMessages and field errors (and the Service Management errorMessage
// shape), RetryAfter and RateLimitReason, the request ID (Atl-Traceid), the
// method and the URL without its query string. Use errors.Is with
// [ErrNotFound], [ErrUnauthorized], [ErrForbidden], [ErrRateLimited],
// [ErrConflict] and [ErrBadRequest], or errors.As for the details. To make
// grants and revokes idempotent, read the state before writing (the user's
// groups, the role's actors) rather than matching error text: the
// deprecated [IsAlreadyMember], [IsNotMember], [IsAlreadyInRole] and
// [IsNotInRole] match Jira's English wording. Transport
// failures and context errors are returned wrapped (errors.Is works with
// context.Canceled and context.DeadlineExceeded). No error string or log
// record ever contains a token, password or Authorization header: URLs lose
// their query strings, and credentials that a server echoes in an error
// body are cut out.
package jira
