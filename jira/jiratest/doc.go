// Package jiratest runs a faithful, stateful, in-memory fake of a Jira Cloud site and its Atlassian organization
// on loopback, in the spirit of net/http/httptest. It serves the Jira platform REST API (v3 and v2) on the site URL
// and through the gateway path /ex/jira/{cloudId}, the Atlassian Admin API (/admin/v1, /admin/v2) and the
// user-management API (/users/{accountId}/manage), with the documented shapes and quirks of the real service
// rather than what a client expects. It imports only the standard library.
//
// # Tenants
//
// A [Tenant] is plain data: users, groups, projects, roles, application roles, permission schemes, issues and the
// organization (accounts, workspaces, directories, domains, managed groups). Build one by hand from [NewTenant] or
// generate one with [Generate] and a [Size] preset; generation is deterministic per seed and includes the edge cases
// real sites have (hidden emails, app and customer accounts, former users, team-managed projects, archived projects,
// duplicate Browse holders, a multi-site organization…).
//
// A tenant describes Jira, not what a connector makes of it: [Tenant.Summary] counts its contents,
// [Tenant.ProjectRoles] and [Tenant.ProjectPermissions] answer as the fake's endpoints do, so that a test can derive
// its expectations from the data it served.
//
// # Server
//
// [NewServer] starts a server over a deep copy of a tenant:
//
//	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.Unlimited())
//	defer srv.Close()
//	req, _ := http.NewRequest("GET", srv.URL+"/rest/api/3/myself", nil)
//	req.SetBasicAuth(srv.Email, srv.APIToken)
//
// Credentials work where the real ones do: classic API tokens on the site URL only, scoped and service-account
// tokens and OAuth bearer tokens on [Server.GatewayURL] only, the org API key on [Server.AdminURL] and
// [Server.APIRootURL]. [Server.AddAccount] adds a low-privilege account for 403 tests.
//
// Mutations (group membership, role actors, invites, user removal, issues, Admin suspend/restore/remove, lifecycle)
// change later reads, append Jira audit records and are listed by [Server.MutationLog]. [Server.Stats] counts
// requests per route template; both are also served without authentication at GET /_jiratest/stats and
// GET /_jiratest/mutations (POST /_jiratest/reset-stats clears them; GET /_jiratest/summary counts the current
// state).
//
// # Pagination
//
// Each endpoint pages the way the real one does: PageBean ({self,nextPage,maxResults,startAt,total,isLast,values})
// for /group/bulk, /group/member, /project/search, /user/bulk and /statuses/search; plain arrays for /users/search,
// /user/search, /user/viewissue/search and /user/permission/search; createmeta pages with a hard 200 limit; audit
// offset/limit; Admin cursors (v1 /users gives links.next as a full URL, the rest as bare cursors). Requested page
// sizes above the maximum are silently lowered. The user-search endpoints only ever reach the first 1000 users,
// and viewissue/permission search scan the window startAt..startAt+maxResults before filtering, so their pages are
// short. [WithMaxResultsCap], [WithTotalDrift] and [WithEmptyPages] add the liberties the docs allow.
//
// # Rate limits and faults
//
// Every endpoint has a token bucket per method and route template ([DefaultRateLimits]: GET 100/s, POST 100/s,
// PUT 50/s, DELETE 50/s, with the documented overrides). Responses carry X-RateLimit-Limit and
// X-RateLimit-Remaining (and X-RateLimit-NearLimit under 20 %); 429s add Retry-After, X-RateLimit-Reset and
// RateLimit-Reason. [Unlimited] turns limits off. [WithFaults] injects 5xx, 503 with Retry-After, connection
// resets, truncated bodies, lost answers (after the change was made), slow responses, 429 storms and 5xx
// answers to writes that were applied, reproducibly per seed, route and request number.
//
// # Known deviations
//
// Where the documentation is silent the fake makes a choice, listed here so tests do not mistake it for a fact:
//   - GET /project/search caps maxResults at 100 (default 50); the real cap may be 50.
//   - The user-search endpoints scan active users in site (creation) order; query matching is a prefix match on
//     the display name, its words or the visible email, and "", "." and "*" match everybody.
//   - Team-managed projects have a private permission scheme that /project/{p}/permissionscheme and
//     /permissionscheme/{id} serve. GET /role lists every project role of the site, the roles of team-managed
//     projects included with scope {type: PROJECT, project} (as ProjectRole.scope documents); GET /role/{id} serves
//     them too. The roles of a team-managed project in the trash lose their scope there (JRACLOUD-76117).
//   - GET /admin/v2/orgs/{orgId}/directories/{dir}/groups/{groupId}/memberships is not in the public spec snapshots
//     (members are also listed by the users endpoint's groupIds filter); adding an existing member answers 204;
//     v2 limits above 100 answer 400.
//   - 401 bodies follow observed behaviour: text/plain "Client must be authenticated to access this resource." on
//     the site, {"code":401,"message":"Unauthorized"} on the gateway and Admin API. Error texts are close to the
//     real ones; the documented ones are exact ("Field 'x' is required", the createmeta limit, the 410 of /search,
//     "is already a member of the project role.", "User is already a member of", "not a member of").
//   - POST/DELETE /user and /applicationrole have no OAuth scope, so OAuth bearer tokens get 401 there (scoped
//     API tokens are accepted).
//   - Credentials carry global rights ([Permissions]); project permissions come from permission schemes; Jira
//     administrators see every project. JSM customers get no project permission through "anyone" or products.
//   - X-RateLimit-Limit reports the bucket's rate in requests per second; the hourly quota counts requests, not
//     points. Admin API 429s carry no RateLimit-Reason.
//   - Workspace IDs are resource ARIs (ari:cloud:<product>::site/<cloudId>) and hostUrl is the site URL as the
//     organization stores it (https://<SiteHost>), never the loopback URL.
//   - DELETE /user removes the account from the site's user base (and from /users/search).
//   - /rest/api/2 is served by the same handlers (issue descriptions are plain text there). Of JSM
//     (/rest/servicedeskapi) only the reads of service desks, their customers and customer organizations are served
//     (a desk's customer list holds the customers added one by one, not its organizations' members; it and the
//     organization endpoints need Administer Jira). The removed /search answers 410. The enhanced search
//     (/search/jql) understands a subset of JQL (project, key, id, issuetype and labels with = or in, joined by AND).
//   - Injected faults happen before the handler runs (no state change), except truncation, lost answers
//     (Faults.RateLostAnswer) and Rate5xxAfterApply, which happen after it (the write is applied and logged).
//   - Workflows ([Workflow]) belong to issue types, the same in every project (as one company-managed workflow
//     scheme shared by all projects); each transition is available from every other status of its workflow.
//     An issue type's edit screen (IssueType.EditFields) is the same in every project.
package jiratest
