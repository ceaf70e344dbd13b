package connector

import (
	"strings"
	"testing"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 21))
	conn, cs := newServerConn(t, ctx, testConfig(srv, false))

	// A new email without products: sent as "products": [] (the fake
	// refuses a missing list), created, and reported with its account ID.
	n := len(srv.MutationLog())
	res, err := conn.CreateAccount(ctx, "new.person@example.org")
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	if res.Existed || res.AccountID == "" {
		t.Fatalf("result %+v, want a new account", res)
	}
	got := mutationsSince(srv, n)
	if len(got) != 1 || !strings.Contains(got[0], "created user "+string(res.AccountID)) || !strings.HasSuffix(got[0], "products=") {
		t.Errorf("mutations %q, want one creation without products", got)
	}
	if u, _, err := conn.jira.Users.Get(ctx, res.AccountID); err != nil || !u.Active {
		t.Errorf("the new account cannot be read back: %v %+v", err, u)
	}

	// The same email again: the existing account, nothing written.
	n = len(srv.MutationLog())
	again, err := conn.CreateAccount(ctx, "New.Person@example.org")
	if err != nil || !again.Existed || again.AccountID != res.AccountID {
		t.Fatalf("second CreateAccount: %+v, %v; want the existing account %s", again, err, res.AccountID)
	}
	if got := mutationsSince(srv, n); len(got) != 0 {
		t.Errorf("second CreateAccount wrote %q", got)
	}

	// Existing account, product requested: Jira grants it, still the same account.
	n = len(srv.MutationLog())
	withProduct, err := conn.CreateAccount(ctx, "new.person@example.org", jira.ProductKey(jiratest.ProductJiraServiceDesk))
	if err != nil || !withProduct.Existed || withProduct.AccountID != res.AccountID {
		t.Fatalf("CreateAccount with a product: %+v, %v", withProduct, err)
	}
	if got := mutationsSince(srv, n); len(got) != 1 || !strings.Contains(got[0], "granted jira-servicedesk to existing user") {
		t.Errorf("mutations %q, want the product granted", got)
	}

	// Through the SDK: products from the profile, a success with the resource.
	profile, _ := structpb.NewStruct(map[string]any{"email": "sdk.person@example.org", "products": []any{"jira-software"}})
	resp, err := cs.CreateAccount(ctx, v2.CreateAccountRequest_builder{AccountInfo: v2.AccountInfo_builder{Profile: profile}.Build(),
		CredentialOptions: v2.CredentialOptions_builder{NoPassword: &v2.CredentialOptions_NoPassword{}}.Build()}.Build())
	if err != nil {
		t.Fatalf("SDK CreateAccount: %v", err)
	}
	r := resp.GetSuccess().GetResource()
	if r.GetId().GetResourceType() != "user" || r.GetId().GetResource() == "" {
		t.Errorf("SDK CreateAccount returned %v, want a user resource", resp)
	}
	last := srv.MutationLog()[len(srv.MutationLog())-1].Summary
	if !strings.Contains(last, "<sdk.person@example.org> products=jira-software") {
		t.Errorf("last mutation %q", last)
	}

	// Bad input: nothing written.
	n = len(srv.MutationLog())
	for _, bad := range []struct {
		email    string
		products []jira.ProductKey
		code     codes.Code
	}{
		{"not-an-email", nil, codes.InvalidArgument},
		{"x@example.org", []jira.ProductKey{"jira-nothing"}, codes.InvalidArgument},
	} {
		if _, err := conn.CreateAccount(ctx, bad.email, bad.products...); status.Code(err) != bad.code {
			t.Errorf("CreateAccount(%q, %v): %v, want %s", bad.email, bad.products, err, bad.code)
		}
	}
	if got := mutationsSince(srv, n); len(got) != 0 {
		t.Errorf("bad input changed the site: %q", got)
	}
}

// TestCreateAccountAnswerLost: the invite is applied but its answer is cut
// off; the connector finds the account by email instead of inviting twice.
func TestCreateAccountAnswerLost(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 21), jiratest.WithFaults(jiratest.Faults{Seed: 1, RateTruncated: 1,
		Routes: []string{"POST /rest/api/3/user"}}))
	conn := newConn(t, testConfig(srv, false))
	res, err := conn.CreateAccount(t.Context(), "lost.answer@example.org", jira.ProductKey(jiratest.ProductJiraSoftware))
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	var created int
	for _, m := range srv.MutationLog() {
		if strings.HasPrefix(m.Summary, "created user") {
			created++
		}
	}
	if created != 1 || res.AccountID == "" {
		t.Errorf("%d creations, result %+v; want exactly one", created, res)
	}
	if srv.Stats().Faults == 0 {
		t.Error("no answer was cut off; the test proves nothing")
	}
}

func TestDeprovision(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tenant := jiratest.Generate(jiratest.Small, 21)
	var victim string
	for _, a := range tenant.Org.Accounts {
		if a.Status == jiratest.StatusActive && a.AccountType == jiratest.AccountTypeAtlassian && a.AccountID != tenant.AdminAccountID {
			victim = a.AccountID
			break
		}
	}
	srv := newTestServer(t, tenant)

	// Without organization mode: a clear error, nothing written.
	plain := newConn(t, testConfig(srv, false))
	if _, err := plain.Deprovision(ctx, jira.AccountID(victim)); status.Code(err) != codes.FailedPrecondition ||
		!strings.Contains(err.Error(), "atlassian-orgId") {
		t.Errorf("Deprovision without org mode: %v", err)
	}

	conn, cs := newServerConn(t, ctx, testConfig(srv, true))
	n := len(srv.MutationLog())
	res, err := conn.Deprovision(ctx, jira.AccountID(victim))
	if err != nil || res.AlreadyDone || res.Status != "active" {
		t.Fatalf("Deprovision: %+v, %v", res, err)
	}
	if got := mutationsSince(srv, n); len(got) != 1 || !strings.Contains(got[0], "suspended "+victim) {
		t.Errorf("mutations %q, want one suspension", got)
	}
	for _, a := range srv.Snapshot().Org.Accounts {
		if a.AccountID == victim && a.Status != jiratest.StatusSuspended {
			t.Errorf("account status %q, want suspended", a.Status)
		}
	}
	// Again, through the SDK's DeleteResourceV2: nothing more to do.
	n = len(srv.MutationLog())
	if _, err := cs.DeleteResourceV2(ctx, v2.DeleteResourceV2Request_builder{
		ResourceId: v2.ResourceId_builder{ResourceType: "user", Resource: victim}.Build()}.Build()); err != nil {
		t.Fatalf("DeleteResourceV2: %v", err)
	}
	if got := mutationsSince(srv, n); len(got) != 0 {
		t.Errorf("second suspension wrote %q", got)
	}
	if _, err := conn.Deprovision(ctx, "557058:not-in-the-org"); status.Code(err) != codes.NotFound {
		t.Errorf("Deprovision of an unknown account: %v, want NotFound", err)
	}
}

// TestDeprovisionAnswerLost: the suspension is applied but its answer is
// cut off, or the Admin API fails before applying it; either way the
// account ends suspended by exactly one effective write.
func TestDeprovisionAnswerLost(t *testing.T) {
	t.Parallel()
	tenant := jiratest.Generate(jiratest.Small, 21)
	var victim string
	for _, a := range tenant.Org.Accounts {
		if a.Status == jiratest.StatusActive && a.AccountType == jiratest.AccountTypeAtlassian && a.AccountID != tenant.AdminAccountID {
			victim = a.AccountID
			break
		}
	}
	route := "POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/suspend"
	for name, f := range map[string]jiratest.Faults{
		"truncated": {Seed: 1, RateTruncated: 1, Routes: []string{route}},
		"5xx":       {Seed: 1, Rate5xx: 0.6, Routes: []string{route}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, tenant, jiratest.WithFaults(f))
			conn := newConn(t, testConfig(srv, true))
			var err error
			for range 10 { // the SDK retries Unavailable
				if _, err = conn.Deprovision(t.Context(), jira.AccountID(victim)); status.Code(err) != codes.Unavailable {
					break
				}
			}
			if err != nil {
				t.Fatalf("Deprovision: %v", err)
			}
			var suspensions int
			for _, m := range srv.MutationLog() {
				if strings.HasPrefix(m.Summary, "suspended ") {
					suspensions++
				}
			}
			if suspensions != 1 || srv.Stats().Faults == 0 {
				t.Errorf("%d suspensions with %d faults; want exactly one, under faults", suspensions, srv.Stats().Faults)
			}
		})
	}
}

// TestCreateAccountHiddenEmail: accounts Jira's user search cannot see (a
// hidden email, a suspended account) are found in the organization's
// directory in organization mode: an existing hidden-email account is
// returned as existing, with or without Jira access, and a suspended one is
// refused with what to restore; without organization mode the account
// without access gets a message that says how to identify or invite it.
func TestCreateAccountHiddenEmail(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newProvWorld(t, true)
	tn := w.tenant
	org := map[string]*jiratest.OrgAccount{}
	for _, a := range tn.Org.Accounts {
		org[a.AccountID] = a
	}
	// alice: no Jira access; bob: Service Management access; both hide
	// their email. carol: suspended in the organization.
	var carol *jiratest.User
	emails := map[string]string{}
	for _, u := range tn.Users {
		switch {
		case u.AccountID == w.alice || u.AccountID == w.bob:
			u.EmailHidden = true
			emails[u.AccountID] = u.Email
		case carol == nil && u.AccountType == jiratest.AccountTypeAtlassian && u.Active && !u.Former &&
			org[u.AccountID] != nil && u.AccountID != tn.AdminAccountID && u.Email != "":
			carol = u
		}
	}
	for _, id := range []string{w.alice, w.bob, carol.AccountID} {
		if org[id] == nil || emails[id] == "" && id != carol.AccountID {
			t.Fatalf("account %s has no organization account or email", id)
		}
	}
	org[carol.AccountID].Status = jiratest.StatusSuspended
	carol.Active = false
	for _, g := range tn.Groups {
		if g.ID == w.jsm.DefaultGroupIDs[0] {
			g.Members = append(g.Members, w.bob)
		}
	}
	srv := newTestServer(t, tn)
	orgConn := newConn(t, testConfig(srv, true))
	plain := newConn(t, testConfig(srv, false))

	// Organization mode: the hidden-email account without access is
	// returned, nothing written.
	n := len(srv.MutationLog())
	res, err := orgConn.CreateAccount(ctx, emails[w.alice])
	if err != nil || !res.Existed || string(res.AccountID) != w.alice {
		t.Errorf("hidden email, no access, org mode: %+v, %v; want the existing account %s", res, err, w.alice)
	}
	// The hidden-email account with access, a product requested: existing.
	res, err = orgConn.CreateAccount(ctx, emails[w.bob], jira.ProductKey(jiratest.ProductJiraServiceDesk))
	if err != nil || !res.Existed || string(res.AccountID) != w.bob {
		t.Errorf("hidden email with access, org mode: %+v, %v; want the existing account %s with Existed", res, err, w.bob)
	}
	// A suspended account: refused, naming it and what to do.
	_, err = orgConn.CreateAccount(ctx, carol.Email, jira.ProductKey(jiratest.ProductJiraSoftware))
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(fmt2(err), carol.AccountID) || !strings.Contains(fmt2(err), "restore") {
		t.Errorf("suspended account: %v, want FailedPrecondition naming %s and saying restore", err, carol.AccountID)
	}
	if got := mutationsSince(srv, n); len(got) != 0 {
		t.Errorf("org-mode lookups wrote %q", got)
	}

	// Without organization mode: the account without access cannot be
	// identified; the message says what to do.
	_, err = plain.CreateAccount(ctx, emails[w.alice])
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(fmt2(err), "request at least one product") ||
		!strings.Contains(fmt2(err), "organization mode") {
		t.Errorf("hidden email, no access, no org mode: %v", err)
	}
	if got := mutationsSince(srv, n); len(got) != 0 {
		t.Errorf("refused invites wrote %q", got)
	}
}

// TestCreateAccountByProductAdmin: Jira creates an account invited by a
// product admin (not a site admin) suspended, as Atlassian documents; the
// invite succeeds with a warning that says so and what to do.
func TestCreateAccountByProductAdmin(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, jiratest.Generate(jiratest.Small, 21))
	srv.AddAccount("jira-admin@acme.example", "jira-admin-token", jiratest.Permissions{BrowseUsersAndGroups: true, AdministerJira: true})
	cfg := testConfig(srv, false)
	cfg.JiraEmail, cfg.JiraAPIToken = "jira-admin@acme.example", "jira-admin-token"
	conn := newConn(t, cfg)
	res, err := conn.CreateAccount(t.Context(), "invited.by.product.admin@example.org", jira.ProductKey(jiratest.ProductJiraSoftware))
	if err != nil || res.AccountID == "" || res.User.Active {
		t.Fatalf("CreateAccount: %+v, %v; want an inactive new account", res, err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "inactive") || !strings.Contains(res.Warnings[0], "site administration") {
		t.Errorf("warnings %q, want one saying the account is inactive and what to do", res.Warnings)
	}
}
