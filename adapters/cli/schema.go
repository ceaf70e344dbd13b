package cli

import (
	"fmt"

	"github.com/conductorone/baton-sdk/pkg/field"

	"github.com/batonkit/jiracloud/connector"
)

// Connector fields. The names, meanings and environment variables of the
// ones shared with ConductorOne's baton-jira are identical, so an existing
// deployment keeps its flags and BATON_* variables. The environment variable
// of a field is BATON_ followed by its name upper-cased with "-" turned into
// "_" (the SDK derives it).
var (
	// JiraURLField is the Jira Cloud site (BATON_JIRA_URL).
	JiraURLField = field.StringField("jira-url",
		field.WithRequired(true),
		field.WithDisplayName("Jira site URL"),
		field.WithDescription("The Jira Cloud site: https://<site>.atlassian.net, or https://api.atlassian.com/ex/jira/<cloudId> "+
			"for scoped API tokens"),
		field.WithPlaceholder("https://acme.atlassian.net"),
	)
	// JiraEmailField is the email of the account owning the API token
	// (BATON_JIRA_EMAIL).
	JiraEmailField = field.StringField("jira-email",
		field.WithRequired(true),
		field.WithDisplayName("Jira account email"),
		field.WithDescription("The email address of the Atlassian account or service account that owns the API token"),
		field.WithPlaceholder("baton@acme.com"),
	)
	// JiraAPITokenField is the classic or scoped API token
	// (BATON_JIRA_API_TOKEN).
	JiraAPITokenField = field.StringField("jira-api-token",
		field.WithRequired(true),
		field.WithIsSecret(true),
		field.WithDisplayName("Jira API token"),
		field.WithDescription("The API token of that account (classic, or scoped with the gateway URL)"),
	)
	// JiraProjectKeysField is baton-jira's project list for external
	// ticketing (BATON_JIRA_PROJECT_KEYS): with --ticketing, one ticket
	// schema per issue type of each of these projects (all projects when
	// empty). It keeps that meaning: it does not limit the sync
	// (SyncProjectKeysField does).
	JiraProjectKeysField = field.StringSliceField("jira-project-keys",
		field.WithDisplayName("Ticketing project keys"),
		field.WithDescription("Project keys offered for external ticketing (--ticketing), as in baton-jira; empty means "+
			"every project. It does not limit the sync (use sync-project-keys for that)"),
		field.WithPlaceholder("ENG,OPS"),
	)
	// SkipProjectParticipantsField drops the project participate entitlement
	// (BATON_SKIP_PROJECT_PARTICIPANTS).
	SkipProjectParticipantsField = field.BoolField("skip-project-participants",
		field.WithDisplayName("Skip project participants"),
		field.WithDescription("Do not sync the project 'participate' entitlement (holders of Browse Projects) or its grants"),
	)
	// SkipCustomerUserField drops Jira Service Management customer accounts
	// (BATON_SKIP_CUSTOMER_USER).
	SkipCustomerUserField = field.BoolField("skip-customer-user",
		field.WithDisplayName("Skip customer users"),
		field.WithDescription("Do not sync Jira Service Management customer accounts, nor grants naming them"),
	)
	// AtlassianOrgIDField is the Atlassian organization ID (BATON_ATLASSIAN_ORGID).
	// The flag keeps the reference's camel-case name.
	AtlassianOrgIDField = field.StringField("atlassian-orgId",
		field.WithDisplayName("Atlassian organization ID"),
		field.WithDescription("The Atlassian organization that owns the site: managed accounts and groups then come from "+
			"the Admin API (set together with atlassian-api-token)"),
	)
	// AtlassianAPITokenField is the organization API key
	// (BATON_ATLASSIAN_API_TOKEN).
	AtlassianAPITokenField = field.StringField("atlassian-api-token",
		field.WithIsSecret(true),
		field.WithDisplayName("Atlassian organization API key"),
		field.WithDescription("An API key of the organization, created under admin.atlassian.com > Settings > API keys "+
			"(set together with atlassian-orgId)"),
	)
	// SyncProjectKeysField limits the sync to some projects
	// (BATON_SYNC_PROJECT_KEYS).
	SyncProjectKeysField = field.StringSliceField("sync-project-keys",
		field.WithDisplayName("Sync only these projects"),
		field.WithDescription("Project keys to sync (with their roles and grants); empty syncs every project"),
		field.WithPlaceholder("ENG,OPS"),
	)
	// IncludeArchivedProjectsField adds archived projects
	// (BATON_INCLUDE_ARCHIVED_PROJECTS).
	IncludeArchivedProjectsField = field.BoolField("include-archived-projects",
		field.WithDisplayName("Include archived projects"),
		field.WithDescription("Also sync archived projects"),
	)
	// ExpandParticipantsField emits participate grants per user
	// (BATON_EXPAND_PARTICIPANTS).
	ExpandParticipantsField = field.BoolField("expand-participants",
		field.WithDisplayName("Expand project participants"),
		field.WithDescription("Make the project 'participate' grants held by groups, project roles and products expandable "+
			"onto their members, so every user who can browse a project gets a grant (default on; "+
			"--expand-participants=false keeps only the group, role and product grants)"),
		field.WithDefaultValue(true),
	)
	// RequestsPerSecondField caps the request rate to Jira
	// (BATON_JIRA_REQUESTS_PER_SECOND). The SDK has no float field: the
	// schema declares whole numbers (what the ConductorOne GUI offers), while
	// Config holds a float64 and the command line takes a float flag (see
	// floatFields).
	RequestsPerSecondField = field.IntField("jira-requests-per-second",
		field.WithDisplayName("Jira requests per second"),
		field.WithDescription("Cap on the total request rate to Jira over all endpoints, in requests per second; decimals "+
			"such as 0.5 are accepted on the command line, in the environment and in YAML; 0 paces requests only at "+
			"Jira's documented per-endpoint limits"),
		field.WithExportTarget(field.ExportTargetOps),
		field.WithInt(func(r *field.IntRuler) { r.Gte(0).Lte(1000) }),
	)
	// ConcurrencyField bounds the requests in flight to Jira
	// (BATON_JIRA_CONCURRENCY).
	ConcurrencyField = field.IntField("jira-concurrency",
		field.WithDisplayName("Jira concurrency"),
		field.WithDescription(fmt.Sprintf("Requests kept in flight while reading grants; 0 means %d (all requests still "+
			"pass the rate limiter)", connector.DefaultConcurrency)),
		field.WithExportTarget(field.ExportTargetOps),
		field.WithInt(func(r *field.IntRuler) { r.Gte(0).Lte(256) }),
	)
)

// Test-only fields. They are hidden from --help and, being CLI-only, never
// exported to the configuration schema (config_schema.json, the
// ConductorOne GUI). Without --jira-insecure-loopback the two URL overrides
// only accept the real Atlassian hosts, so production behaviour cannot be
// weakened through them.
var (
	// InsecureLoopbackField lets the site, gateway and Admin API URLs be
	// plain-http loopback addresses (BATON_JIRA_INSECURE_LOOPBACK), for tests
	// against jira/jiratest.
	InsecureLoopbackField = field.BoolField("jira-insecure-loopback",
		field.WithHidden(true),
		field.WithExportTarget(field.ExportTargetCLIOnly),
		field.WithDescription("For tests only: accept http:// loopback URLs (127.0.0.0/8, ::1, localhost) for the Jira site, "+
			"the API gateway and the Admin API"),
	)
	// GatewayURLField overrides the API gateway used to resolve service
	// accounts and to check scoped tokens (BATON_JIRA_GATEWAY_URL).
	GatewayURLField = field.StringField("jira-gateway-url",
		field.WithHidden(true),
		field.WithExportTarget(field.ExportTargetCLIOnly),
		field.WithDescription("For tests only: API gateway base URL (default https://api.atlassian.com); "+
			"anything else needs jira-insecure-loopback"),
	)
	// AdminURLField overrides the Atlassian Admin API base URL
	// (BATON_ATLASSIAN_ADMIN_URL).
	AdminURLField = field.StringField("atlassian-admin-url",
		field.WithHidden(true),
		field.WithExportTarget(field.ExportTargetCLIOnly),
		field.WithDescription("For tests only: Admin API base URL (default https://api.atlassian.com/admin); "+
			"anything else needs jira-insecure-loopback"),
	)
)

// Fields lists every connector field, in the order of the exported schema.
var Fields = []field.SchemaField{
	JiraURLField,
	JiraEmailField,
	JiraAPITokenField,
	AtlassianOrgIDField,
	AtlassianAPITokenField,
	JiraProjectKeysField,
	SkipProjectParticipantsField,
	SkipCustomerUserField,
	SyncProjectKeysField,
	IncludeArchivedProjectsField,
	ExpandParticipantsField,
	RequestsPerSecondField,
	ConcurrencyField,
	InsecureLoopbackField,
	GatewayURLField,
	AdminURLField,
}

// Constraints are the relationships between fields.
var Constraints = []field.SchemaFieldRelationship{
	field.FieldsRequiredTogether(AtlassianOrgIDField, AtlassianAPITokenField),
}

// Configuration is the connector's configuration schema, handed to the SDK
// runner. Its JSON export (the `config` subcommand) is committed as
// config_schema.json.
var Configuration = field.NewConfiguration(Fields,
	field.WithConnectorDisplayName("Jira Cloud"),
	field.WithHelpUrl("/docs/baton/jira-cloud"),
	field.WithConstraints(Constraints...),
)
