package connector

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"

	"github.com/batonkit/jiracloud/internal/redact"
)

// DefaultConcurrency is the number of Jira requests one grants batch keeps in
// flight when [Config].Concurrency is 0. All of them still pass the shared
// client-side rate limiter.
const DefaultConcurrency = 16

// maxConcurrency bounds [Config].Concurrency: more parallel requests than this
// only queue in the limiter and hold memory.
const maxConcurrency = 256

// Config configures the Jira Cloud connector. The zero value is not valid:
// JiraURL, JiraEmail and JiraAPIToken are required. Call [Config.Validate]
// (New does) to get an error that says what to fix.
//
// Config holds secrets. Its String, GoString, Format, MarshalJSON and
// LogValue methods (on the value, so a copy is covered too) redact them, so
// printing, logging or marshalling a Config is safe.
type Config struct {
	// JiraURL is the site: https://<site>.atlassian.net (scheme and trailing
	// slash optional), or https://api.atlassian.com/ex/jira/<cloudId> for
	// scoped API tokens and service accounts.
	JiraURL string
	// JiraEmail is the email address of the account the API token belongs to.
	JiraEmail string
	// JiraAPIToken is a classic or scoped Atlassian API token. Secret.
	JiraAPIToken string
	// JiraProjectKeys keeps the reference connector's meaning: the projects
	// offered for ticketing. It does not limit the sync (see SyncProjectKeys).
	JiraProjectKeys []string
	// SkipProjectParticipants drops the project "participate" entitlement and
	// its grants.
	SkipProjectParticipants bool
	// SkipCustomerUser leaves Jira Service Management customer accounts out of
	// the sync: they are not listed as users and no grant names them.
	SkipCustomerUser bool
	// AtlassianOrgID is the Atlassian organization ID. With AtlassianAPIToken
	// it turns on organization mode: managed accounts and groups of this site
	// come from the Admin API, with account status and last-active traits.
	AtlassianOrgID string
	// AtlassianAPIToken is an organization Admin API key. Secret.
	AtlassianAPIToken string
	// SyncProjectKeys limits the sync to these projects (and their roles and
	// grants). Empty means every project.
	SyncProjectKeys []string
	// IncludeArchivedProjects also syncs archived projects. Live projects
	// are always synced; deleted (trashed) projects never are.
	IncludeArchivedProjects bool
	// RequestsPerSecond caps the connector's total request rate over all
	// endpoints. 0 means no total cap: only Jira's documented per-endpoint
	// burst limits (GET 100/s per endpoint, …) pace requests.
	RequestsPerSecond float64
	// Concurrency is the number of requests a grants batch keeps in flight;
	// 0 means DefaultConcurrency (16).
	Concurrency int
	// ExpandParticipants makes the project "participate" grants held by
	// groups, project roles and products expandable onto their members, so
	// that every user who can browse a project gets a derived grant. Without
	// it those grants name only the group, role or product. [DefaultConfig]
	// turns it on.
	ExpandParticipants bool
	// ReadAhead lets the connector read what a full sync will ask for
	// before the SDK asks: the project list, with each project's permission
	// scheme, from the sync's first call, and the group members as soon as
	// the groups are listed (otherwise every grants walk starts at the
	// SDK's first grants call). Set it only for syncs that list every
	// resource type and their grants: a targeted sync, or one that skips
	// grants, would read pages it never uses. embed.Sync sets it for its own
	// full syncs (no WithSyncOptions).
	ReadAhead bool

	// JiraOptions are extra options for the Jira client, applied after the
	// connector's own (tests: jira.WithLoopback, jira.WithRetryPolicy, …).
	JiraOptions []jira.Option
	// AtlassianOptions are extra options for the Admin API client, applied
	// after the connector's own (tests: atlassian.WithBaseURL, …).
	AtlassianOptions []atlassian.Option
}

// DefaultConfig returns a Config with the documented defaults set
// (ExpandParticipants on); fill in the site and credentials.
func DefaultConfig() Config {
	return Config{ExpandParticipants: true}
}

// OrgMode reports whether organization mode is configured (both the
// organization ID and the Admin API key are set).
func (c Config) OrgMode() bool {
	return strings.TrimSpace(c.AtlassianOrgID) != "" && strings.TrimSpace(c.AtlassianAPIToken) != ""
}

// projectKeyRe is Jira's project key format: a letter, then letters, digits
// or underscores.
var projectKeyRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,254}$`)

// Validate checks the configuration without contacting Jira. Each problem
// is reported with what to change; all problems are joined in one error.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if strings.TrimSpace(c.JiraURL) == "" {
		add("jira-url is required: set it to https://<site>.atlassian.net, or https://api.atlassian.com/ex/jira/<cloudId> for a scoped API token")
	} else if _, err := jira.ParseSite(c.JiraURL, true); err != nil {
		add("jira-url is invalid: %v", err)
	}
	switch email := strings.TrimSpace(c.JiraEmail); {
	case email == "":
		add("jira-email is required: set it to the email address of the account that owns the API token")
	case !strings.Contains(email, "@") || strings.ContainsAny(email, " \t"):
		add("jira-email %q is not an email address: set it to the email address of the account that owns the API token", email)
	}
	if strings.TrimSpace(c.JiraAPIToken) == "" {
		add("jira-api-token is required: create one at https://id.atlassian.com/manage-profile/security/api-tokens")
	}
	orgID, orgKey := strings.TrimSpace(c.AtlassianOrgID), strings.TrimSpace(c.AtlassianAPIToken)
	switch {
	case orgID != "" && orgKey == "":
		add("atlassian-orgId is set but atlassian-api-token is not: organization mode needs both (or clear atlassian-orgId)")
	case orgID == "" && orgKey != "":
		add("atlassian-api-token is set but atlassian-orgId is not: organization mode needs both (find the ID in admin.atlassian.com → Settings → API keys)")
	case orgID != "" && strings.ContainsAny(orgID, "/?# \t"):
		add("atlassian-orgId %q is not an organization ID (a UUID-like string from admin.atlassian.com)", orgID)
	}
	for _, k := range c.SyncProjectKeys {
		if !projectKeyRe.MatchString(strings.TrimSpace(k)) {
			add("sync-project-keys: %q is not a project key (a letter followed by letters, digits or underscores, e.g. PROJ)", k)
		}
	}
	for _, k := range c.JiraProjectKeys {
		if !projectKeyRe.MatchString(strings.TrimSpace(k)) {
			add("jira-project-keys: %q is not a project key (a letter followed by letters, digits or underscores, e.g. PROJ)", k)
		}
	}
	if c.RequestsPerSecond < 0 {
		add("requests-per-second must be 0 (Jira's per-endpoint defaults) or positive, got %v", c.RequestsPerSecond)
	}
	if c.Concurrency < 0 || c.Concurrency > maxConcurrency {
		add("concurrency must be between 0 (default %d) and %d, got %d", DefaultConcurrency, maxConcurrency, c.Concurrency)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%sinvalid configuration: %w", errPrefix, errors.Join(errs...))
}

// concurrency returns Concurrency with its default applied.
func (c Config) concurrency() int {
	if c.Concurrency <= 0 {
		return DefaultConcurrency
	}
	return c.Concurrency
}

// syncProjectKeys returns the normalised (upper-case, deduplicated) sync filter.
func (c Config) syncProjectKeys() []jira.ProjectKey {
	var out []jira.ProjectKey
	seen := map[string]bool{}
	for _, k := range c.SyncProjectKeys {
		k = strings.ToUpper(strings.TrimSpace(k))
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, jira.ProjectKey(k))
	}
	return out
}

// String prints the configuration with the API token and Admin API key redacted.
func (c Config) String() string {
	return fmt.Sprintf("connector.Config{JiraURL:%q JiraEmail:%q JiraAPIToken:%q JiraProjectKeys:%q "+
		"SkipProjectParticipants:%t SkipCustomerUser:%t AtlassianOrgID:%q AtlassianAPIToken:%q "+
		"SyncProjectKeys:%q IncludeArchivedProjects:%t RequestsPerSecond:%v Concurrency:%d ExpandParticipants:%t ReadAhead:%t}",
		c.JiraURL, c.JiraEmail, redact.Secret(c.JiraAPIToken), c.JiraProjectKeys,
		c.SkipProjectParticipants, c.SkipCustomerUser, c.AtlassianOrgID, redact.Secret(c.AtlassianAPIToken),
		c.SyncProjectKeys, c.IncludeArchivedProjects, c.RequestsPerSecond, c.Concurrency, c.ExpandParticipants, c.ReadAhead)
}

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb (%v, %+v, %#v, %s, %q, %d, %x, …):
// without it a verb fmt does not map to String (%d, %x) prints the fields
// one by one, secrets included.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// MarshalJSON encodes the settings with the secrets redacted (and without
// the client options), so a Config marshalled into a log or a response
// never carries a token.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		JiraURL                 string   `json:"jira_url"`
		JiraEmail               string   `json:"jira_email"`
		JiraAPIToken            string   `json:"jira_api_token"`
		JiraProjectKeys         []string `json:"jira_project_keys,omitempty"`
		SkipProjectParticipants bool     `json:"skip_project_participants"`
		SkipCustomerUser        bool     `json:"skip_customer_user"`
		AtlassianOrgID          string   `json:"atlassian_org_id,omitempty"`
		AtlassianAPIToken       string   `json:"atlassian_api_token,omitempty"`
		SyncProjectKeys         []string `json:"sync_project_keys,omitempty"`
		IncludeArchivedProjects bool     `json:"include_archived_projects"`
		RequestsPerSecond       float64  `json:"requests_per_second"`
		Concurrency             int      `json:"concurrency"`
		ExpandParticipants      bool     `json:"expand_participants"`
	}{c.JiraURL, c.JiraEmail, redact.Secret(c.JiraAPIToken), c.JiraProjectKeys, c.SkipProjectParticipants, c.SkipCustomerUser,
		c.AtlassianOrgID, redact.Secret(c.AtlassianAPIToken), c.SyncProjectKeys, c.IncludeArchivedProjects, c.RequestsPerSecond,
		c.Concurrency, c.ExpandParticipants})
}

// LogValue implements slog.LogValuer with the secrets redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("jira_url", c.JiraURL),
		slog.String("jira_email", c.JiraEmail),
		slog.String("jira_api_token", redact.Secret(c.JiraAPIToken)),
		slog.Any("jira_project_keys", c.JiraProjectKeys),
		slog.Bool("skip_project_participants", c.SkipProjectParticipants),
		slog.Bool("skip_customer_user", c.SkipCustomerUser),
		slog.String("atlassian_org_id", c.AtlassianOrgID),
		slog.String("atlassian_api_token", redact.Secret(c.AtlassianAPIToken)),
		slog.Any("sync_project_keys", c.SyncProjectKeys),
		slog.Bool("include_archived_projects", c.IncludeArchivedProjects),
		slog.Float64("requests_per_second", c.RequestsPerSecond),
		slog.Int("concurrency", c.Concurrency),
		slog.Bool("expand_participants", c.ExpandParticipants),
	)
}
