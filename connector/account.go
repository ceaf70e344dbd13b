package connector

import (
	"context"
	"errors"
	"net/mail"
	"slices"
	"strings"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/connectorbuilder"
	"github.com/grpc-ecosystem/go-grpc-middleware/logging/zap/ctxzap"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
)

// Account provisioning: invites (CreateAccount) and deprovisioning (Delete
// of a user resource). See docs/PROVISIONING.md.

// AccountResult is what [Connector.CreateAccount] did.
type AccountResult struct {
	// AccountID is the account's ID.
	AccountID jira.AccountID
	// Existed reports that an account with the email address was already
	// on the site: no new account was invited (requested products were
	// still granted by Jira).
	Existed bool
	// User is the account as Jira returned it.
	User jira.User
	// Warnings lists what the caller should know although the call
	// succeeded, e.g. that Jira created the account inactive.
	Warnings []string
}

// accountSchema is the account-creation form: email (required) and products.
var accountSchema = v2.ConnectorAccountCreationSchema_builder{
	FieldMap: map[string]*v2.ConnectorAccountCreationSchema_Field{
		"email": v2.ConnectorAccountCreationSchema_Field_builder{
			DisplayName: "Email", Required: true, Order: 1,
			Description: "Email address of the person to invite to the Jira site",
			Placeholder: "user@example.com",
			StringField: v2.ConnectorAccountCreationSchema_StringField_builder{}.Build(),
		}.Build(),
		"products": v2.ConnectorAccountCreationSchema_Field_builder{
			DisplayName: "Products", Order: 2,
			Description: "Product keys to give access to (jira-software, jira-servicedesk, jira-product-discovery, jira-core); " +
				"empty means no product access",
			StringListField: v2.ConnectorAccountCreationSchema_StringListField_builder{}.Build(),
		}.Build(),
	},
}.Build()

// CreateAccount invites the person with this email address to the site
// (POST /rest/api/3/user) with access to products; no products (nil or
// empty) is sent as "products": [], an account without product access. An
// email that already has an account on the site returns that account with
// Existed set (Jira grants the requested products to it). A POST answered
// with a 5xx or cut off is checked by looking the email up before it is
// sent again.
//
// The email is looked up with Jira's user search, which sees active
// accounts whose email is visible; in organization mode the organization's
// directories are searched too (every status, hidden emails included), so
// a hidden-email account is reported as existing, and a suspended or
// deactivated one is refused (FailedPrecondition) with what to restore.
// Without organization mode a hidden-email account with Jira access comes
// back with Existed false (Jira answers 201 for a new and an existing
// account alike), and one without Jira access, invited without products,
// is refused with a message saying how to identify or invite it.
func (c *Connector) CreateAccount(ctx context.Context, email string, products ...jira.ProductKey) (AccountResult, error) {
	email = strings.TrimSpace(email)
	if !plainEmail(email) {
		return AccountResult{}, errorf(codes.InvalidArgument,
			"create account: %q is not an email address (write it as name@domain, without a display name)", email)
	}
	for _, p := range products {
		if strings.TrimSpace(string(p)) == "" {
			return AccountResult{}, errorf(codes.InvalidArgument, "create account: empty product key")
		}
	}
	existing, err := c.userByEmail(ctx, email)
	if err != nil {
		return AccountResult{}, err
	}
	if existing == nil && c.admin != nil {
		if existing, err = c.orgUserByEmail(ctx, email); err != nil {
			return AccountResult{}, err
		}
	}
	if existing != nil && len(products) == 0 {
		logWrite(ctx, "create account: the email already has an account, nothing written", zap.String("account_id", string(existing.AccountID)))
		return AccountResult{AccountID: existing.AccountID, Existed: true, User: *existing}, nil
	}
	var last error
	for attempt := 1; attempt <= writeAttempts; attempt++ {
		u, _, err := c.jira.Users.Invite(ctx, email, products)
		if err == nil {
			logWrite(ctx, opInvite, zap.String("account_id", string(u.AccountID)), zap.Strings("products", productStrings(products)),
				zap.Bool("existed", existing != nil), zap.Int("attempt", attempt))
			res := AccountResult{AccountID: u.AccountID, Existed: existing != nil, User: *u}
			if !u.Active {
				// Atlassian documents that an account invited by a product
				// admin (not a site admin) is created suspended.
				w := "Jira created account " + string(u.AccountID) + " inactive: invitations by an account that is not a site " +
					"administrator are suspended until an organization admin restores access (admin.atlassian.com → Directory → Users); " +
					"give the connector's account site administration to invite active accounts"
				res.Warnings = append(res.Warnings, w)
				ctxzap.Extract(ctx).Warn("baton-jira: create account: "+w, zap.String("account_id", string(u.AccountID)))
			}
			return res, nil
		}
		last = err
		var je *jira.Error
		if errors.As(err, &je) && je.StatusCode == 400 && len(products) == 0 {
			// Jira: the account exists without Jira access and no product
			// was asked for. The lookups above did not find it, so its
			// email is hidden (or it is outside the organization).
			how := "turn on organization mode (atlassian-orgId and atlassian-api-token) so the connector can look the email up " +
				"in the organization's directory and return the account"
			if c.admin != nil {
				how = "the account is not in a directory of organization " + strings.TrimSpace(c.cfg.AtlassianOrgID) +
					" (an account managed elsewhere), so look it up in admin.atlassian.com"
			}
			return AccountResult{}, errorf(codes.FailedPrecondition,
				"create account: an account with this email already exists but has no access to this Jira site, and Jira hides "+
					"its email address, so the connector cannot tell which account it is: request at least one product "+
					"(e.g. jira-software) to give it access (Jira then returns the account), or %s (%v)", how, err)
		}
		if ctx.Err() != nil || !unknownOutcome(err) {
			break
		}
		now, rerr := c.userByEmail(ctx, email)
		if rerr != nil {
			return AccountResult{}, rerr
		}
		if now != nil && existing == nil {
			logWrite(ctx, opInvite+" (confirmed by a read after an error)", zap.String("account_id", string(now.AccountID)),
				zap.Int("attempt", attempt))
			return AccountResult{AccountID: now.AccountID, User: *now}, nil
		}
		if existing != nil {
			// The account exists; only the product grant is in doubt, and
			// repeating it is harmless (Jira skips products already held).
			continue
		}
	}
	return AccountResult{}, wrapErr(opInvite, last)
}

// plainEmail reports whether s is a bare address local@domain (RFC 5322,
// no display name or angle brackets) with a dotted domain, the form Jira's
// invite accepts. Anything else would come back as Jira's 400, which for an
// invite without products is also its answer to an existing account.
func plainEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(strings.Trim(domain, "."), ".") && !strings.Contains(domain, "..")
}

// orgUserByEmail looks email up in the organization's directories
// (POST /admin/v2/orgs/{orgId}/directories/-/users/search with emails),
// which see every account status and hidden emails. It returns the Jira
// user of an active account, nil when the organization has no such
// account or Jira does not know it, and FailedPrecondition for a
// suspended, deactivated or closing account (inviting it would not give
// the person access).
func (c *Connector) orgUserByEmail(ctx context.Context, email string) (*jira.User, error) {
	org := atlassian.OrgID(strings.TrimSpace(c.cfg.AtlassianOrgID))
	us, _, err := c.admin.Directories.Users(ctx, org, atlassian.AllDirectories, &atlassian.UserSearchOptions{Emails: []string{email}})
	if err != nil {
		return nil, wrapErr(opOrgLookup, err)
	}
	for _, u := range us {
		if u.Email != "" && !strings.EqualFold(u.Email, email) {
			continue
		}
		switch {
		case u.Status == atlassian.UserStatusSuspended:
			return nil, errorf(codes.FailedPrecondition,
				"create account: the email belongs to account %s, whose access is suspended in organization %s: restore it "+
					"(admin.atlassian.com, or POST /admin/v2/orgs/{orgId}/directories/-/users/%s/restore) instead of inviting it", u.AccountID, org, u.AccountID)
		case u.Status == atlassian.UserStatusDeactivated || u.Status == atlassian.UserStatusForDeletion ||
			(u.AccountStatus != "" && u.AccountStatus != atlassian.AccountStatusActive):
			return nil, errorf(codes.FailedPrecondition,
				"create account: the email belongs to account %s, which is %s in organization %s: reactivate it in "+
					"admin.atlassian.com instead of inviting it", u.AccountID, firstNonEmpty(string(u.Status), string(u.AccountStatus)), org)
		}
		ju, _, err := c.jira.Users.Get(ctx, jira.AccountID(u.AccountID))
		if err != nil {
			if isNotFound(err) {
				return nil, nil // not on this site: the invite adds it
			}
			return nil, wrapErr(opReadForWrite, err)
		}
		return ju, nil
	}
	return nil, nil
}

// userByEmail finds the account whose visible email address is email
// (GET /user/search), or nil. Jira's user search sees active accounts only,
// and cannot match an account that hides its email: orgUserByEmail covers
// both in organization mode; without it POST /user answers for them.
func (c *Connector) userByEmail(ctx context.Context, email string) (*jira.User, error) {
	users, _, err := c.jira.Users.Search(ctx, email, nil)
	if err != nil {
		return nil, wrapErr(opReadForWrite, err)
	}
	for i := range users {
		if strings.EqualFold(users[i].EmailAddress, email) {
			return &users[i], nil
		}
	}
	return nil, nil
}

func productStrings(ps []jira.ProductKey) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

// DeprovisionResult is what [Connector.Deprovision] did.
type DeprovisionResult struct {
	// AlreadyDone reports that the account was already suspended or
	// deactivated: nothing was written.
	AlreadyDone bool
	// Status is the account's directory status before the call (active,
	// suspended, deactivated, …).
	Status string
}

// Deprovision suspends the account's access in the organization's
// directory (POST /admin/v2/orgs/{orgId}/directories/-/users/{accountId}/suspend):
// the account can no longer use the organization's apps and is not
// billed, but keeps its groups and roles; restoring it in
// admin.atlassian.com (or POST …/restore) undoes it. It needs organization
// mode; without it the error (FailedPrecondition) says what to configure.
func (c *Connector) Deprovision(ctx context.Context, id jira.AccountID) (DeprovisionResult, error) {
	if c.admin == nil {
		return DeprovisionResult{}, errorf(codes.FailedPrecondition,
			"deprovision user %s: suspending an account needs organization mode: set atlassian-orgId and atlassian-api-token "+
				"(an organization Admin API key that may manage users); Jira's own API cannot suspend or deactivate accounts", id)
	}
	if id == "" {
		return DeprovisionResult{}, errorf(codes.InvalidArgument, "deprovision user: empty account ID")
	}
	org := atlassian.OrgID(strings.TrimSpace(c.cfg.AtlassianOrgID))
	aid := atlassian.AccountID(id)
	read := func(ctx context.Context) (*atlassian.DirectoryUser, error) {
		u, _, err := c.admin.Directories.GetUser(ctx, org, atlassian.AllDirectories, aid)
		if err != nil {
			if isNotFound(err) || errors.Is(err, atlassian.ErrNotFound) {
				return nil, errorf(codes.NotFound,
					"deprovision user %s: the account is not in a directory of organization %s (app accounts and accounts "+
						"of other organizations cannot be suspended from here)", id, org)
			}
			return nil, wrapErr(opSuspend, err)
		}
		return u, nil
	}
	u, err := read(ctx)
	if err != nil {
		return DeprovisionResult{}, err
	}
	res := DeprovisionResult{Status: string(u.Status)}
	suspended := func(s atlassian.UserStatus) bool {
		return slices.Contains([]atlassian.UserStatus{atlassian.UserStatusSuspended, atlassian.UserStatusDeactivated}, s)
	}
	held := func(ctx context.Context) (bool, error) {
		u, err := read(ctx)
		if err != nil {
			return false, err
		}
		return suspended(u.Status), nil
	}
	write := func(ctx context.Context) error {
		_, err := c.admin.Directories.SuspendUser(ctx, org, atlassian.AllDirectories, aid)
		return err
	}
	already, err := c.ensure(ctx, opSuspend, true, held, write, zap.String("account_id", string(id)), zap.String("org_id", string(org)))
	res.AlreadyDone = already
	return res, err
}

// CreateAccount implements the SDK's account manager on the user type:
// it invites AccountInfo's email (profile "email", then the primary email,
// then any email, then the login) with the products in profile "products"
// (a list or a comma-separated string).
func (s *userSyncer) CreateAccount(ctx context.Context, info *v2.AccountInfo, _ *v2.LocalCredentialOptions) (
	connectorbuilder.CreateAccountResponse, []*v2.PlaintextData, annotations.Annotations, error) {
	email := accountEmail(info)
	products, err := accountProducts(info)
	if err != nil {
		return nil, nil, nil, err
	}
	res, err := s.c.CreateAccount(ctx, email, products...)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := userResource(res.User)
	if err != nil {
		return nil, nil, nil, wrapErr("convert user", err)
	}
	if res.Existed {
		return v2.CreateAccountResponse_AlreadyExistsResult_builder{Resource: r, IsCreateAccountResult: true}.Build(), nil, nil, nil
	}
	return v2.CreateAccountResponse_SuccessResult_builder{Resource: r, IsCreateAccountResult: true}.Build(), nil, nil, nil
}

// CreateAccountCapabilityDetails: invitations carry no password.
func (s *userSyncer) CreateAccountCapabilityDetails(context.Context) (*v2.CredentialDetailsAccountProvisioning, annotations.Annotations, error) {
	return v2.CredentialDetailsAccountProvisioning_builder{
		SupportedCredentialOptions: []v2.CapabilityDetailCredentialOption{v2.CapabilityDetailCredentialOption_CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD},
		PreferredCredentialOption:  v2.CapabilityDetailCredentialOption_CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD,
	}.Build(), nil, nil
}

// Delete deprovisions a user resource: see [Connector.Deprovision].
func (s *userSyncer) Delete(ctx context.Context, id *v2.ResourceId, _ *v2.ResourceId) (annotations.Annotations, error) {
	if id.GetResourceType() != userResourceType.GetId() {
		return nil, errorf(codes.InvalidArgument, "delete: only user resources can be deleted (suspended), not %s", id.GetResourceType())
	}
	_, err := s.c.Deprovision(ctx, jira.AccountID(id.GetResource()))
	return nil, err
}

func accountEmail(info *v2.AccountInfo) string {
	if v, ok := info.GetProfile().GetFields()["email"]; ok && v.GetStringValue() != "" {
		return v.GetStringValue()
	}
	for _, e := range info.GetEmails() {
		if e.GetIsPrimary() && e.GetAddress() != "" {
			return e.GetAddress()
		}
	}
	for _, e := range info.GetEmails() {
		if e.GetAddress() != "" {
			return e.GetAddress()
		}
	}
	return info.GetLogin()
}

// accountProducts reads profile "products": a list of keys or a
// comma-separated string. Absent or empty means no product.
func accountProducts(info *v2.AccountInfo) ([]jira.ProductKey, error) {
	v, ok := info.GetProfile().GetFields()["products"]
	if !ok {
		return nil, nil
	}
	var raw []string
	switch {
	case v.GetListValue() != nil:
		for _, x := range v.GetListValue().GetValues() {
			s := x.GetStringValue()
			if s == "" {
				return nil, errorf(codes.InvalidArgument, "create account: profile products must be a list of product keys")
			}
			raw = append(raw, s)
		}
	case v.GetStringValue() != "":
		raw = strings.Split(v.GetStringValue(), ",")
	}
	var out []jira.ProductKey
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, jira.ProductKey(s))
		}
	}
	return out, nil
}
