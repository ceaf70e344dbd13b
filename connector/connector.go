// Package connector is the Baton connector for Jira Cloud: it turns a Jira
// Cloud site (and optionally its Atlassian organization) into Baton
// resources, entitlements and grants as described in docs/MODEL.md.
//
//	conn, err := connector.New(ctx, cfg)
//	srv, err := connectorbuilder.NewConnector(ctx, conn)
//
// # Speed
//
// The grants of groups, projects, project roles, products and the site are
// type-scoped (the SDK's TypeScopedGrants): each grants call handles a batch
// of resources and fetches their member pages, role actors or permission
// schemes concurrently (Config.Concurrency requests in flight, all paced by
// one shared rate limiter), so even the SDK's default sequential syncer keeps
// Jira busy. Nothing is fetched twice in one sync; see syncState for the
// small indexes that make this possible.
//
// While the SDK stores one page or batch, the connector already fetches the
// next one (see ahead): every List and grants call with a next token starts
// the fetch for that token in the background, at most one per walk, and the
// SDK's next call takes it. The first grants batch of each walk starts as
// soon as everything is listed, the roles of team-managed projects are read
// when their project page arrives, and a large group's chain of member
// pages goes ahead of other groups (its next page is known only from the
// previous one, so the longest chain, not the request count, bounds the
// group walk). A sync holds at most a few batches beyond the one the SDK is
// storing, whatever the size of the site.
//
// # Provisioning
//
// The group, project-role, product, site and project syncers implement the
// SDK's ResourceProvisionerV2 (Grant, Revoke); the user syncer implements
// AccountManager (CreateAccount: invitations) and ResourceDeleterV2 (Delete:
// suspension in organization mode). Each of them calls the exported
// [Connector.Grant], [Connector.Revoke], [Connector.CreateAccount] and
// [Connector.Deprovision], which read the state first and write only what
// is missing (docs/PROVISIONING.md).
package connector

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
)

// userAgent identifies the connector to Atlassian.
const userAgent = "baton-jira-cloud/" + jira.Version + " (+https://github.com/batonkit/jiracloud)"

// requestTimeout bounds one HTTP attempt unless Config.JiraOptions says otherwise.
const requestTimeout = 2 * time.Minute

// Connector is the Jira Cloud connector. It implements
// connectorbuilder.ConnectorBuilderV2; build it with [New]. It is safe for
// concurrent use by the SDK's parallel syncer.
type Connector struct {
	cfg   Config
	jira  *jira.Client
	admin *atlassian.Client // nil unless organization mode

	org orgSite // organization mode: the site's workspaces, found once per sync

	mu sync.Mutex
	st *syncState

	tk ticketing // external ticketing (ticket*.go)

	// siteAdminRefusedAt is when (Unix nanoseconds) Jira last refused to list
	// the groups with site-admin access; provisioning does not ask again for
	// siteAdminRefusalMemo (provision.go, adminGroups).
	siteAdminRefusedAt atomic.Int64
}

var _ connectorbuilder.ConnectorBuilderV2 = (*Connector)(nil)

// New validates cfg and builds the connector: one Jira client and, in
// organization mode, one Admin API client, both sending through the same
// transport (one rate limiter, one set of counters). It does no I/O; call
// Validate to check the credentials.
func New(ctx context.Context, cfg Config) (*Connector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	limits := jira.DefaultRateLimits()
	if cfg.RequestsPerSecond > 0 {
		limits.Global = cfg.RequestsPerSecond
	}
	// The Jira client builds the one transport (so test options such as
	// jira.WithRetryPolicy or jira.WithClock reach it); the Admin client
	// then shares it.
	jopts := []jira.Option{
		jira.WithBasicAuth(cfg.JiraEmail, cfg.JiraAPIToken),
		jira.WithRateLimits(limits),
		jira.WithTimeout(requestTimeout),
		jira.WithUserAgent(userAgent),
	}
	jopts = append(jopts, cfg.JiraOptions...)
	jc, err := jira.NewClient(cfg.JiraURL, jopts...)
	if err != nil {
		return nil, fmt.Errorf("%sinvalid configuration: jira-url: %w", errPrefix, err)
	}
	c := &Connector{cfg: cfg, jira: jc}
	if cfg.OrgMode() {
		aopts := []atlassian.Option{atlassian.WithTransport(jc.Transport()), atlassian.WithUserAgent(userAgent)}
		aopts = append(aopts, cfg.AtlassianOptions...)
		ac, err := atlassian.NewClient(strings.TrimSpace(cfg.AtlassianAPIToken), aopts...)
		if err != nil {
			return nil, fmt.Errorf("%sinvalid configuration: atlassian-api-token: %w", errPrefix, err)
		}
		c.admin = ac
	}
	return c, nil
}

// Stats returns the counters of the shared transport: requests, retries,
// 429s, 5xx and time spent waiting, per route.
func (c *Connector) Stats() jira.Stats { return c.jira.Stats() }

// Close stops the background fetches of the current sync (see ahead) and
// forgets its state. The transport's idle connections are pooled.
func (c *Connector) Close(context.Context) error {
	c.mu.Lock()
	st := c.st
	c.st = nil
	c.mu.Unlock()
	if st != nil {
		st.stop()
	}
	return nil
}

// Metadata describes the connector.
func (c *Connector) Metadata(context.Context) (*v2.ConnectorMetadata, error) {
	return v2.ConnectorMetadata_builder{
		DisplayName: "Jira Cloud",
		Description: "Syncs users, groups, projects, project roles, products (application roles) and site " +
			"administration of a Jira Cloud site, optionally with account details from its Atlassian organization.",
		HelpUrl:               "/docs/baton/jira-cloud",
		AccountCreationSchema: accountSchema,
	}.Build(), nil
}

// ResourceSyncers returns one syncer per resource type of docs/MODEL.md.
func (c *Connector) ResourceSyncers(context.Context) []connectorbuilder.ResourceSyncerV2 {
	return []connectorbuilder.ResourceSyncerV2{
		&userSyncer{c: c},
		&groupSyncer{provisioner{c}},
		&projectSyncer{provisioner{c}},
		&projectRoleSyncer{provisioner{c}},
		&productSyncer{provisioner{c}},
		&siteSyncer{provisioner{c}},
	}
}
