package embed_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestProvisionerLogsAndResults: the one-call functions and a shared
// Provisioner report typed results, log every write at info with IDs and
// never a secret, and suspend accounts in organization mode.
func TestProvisionerLogsAndResults(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tenant := jiratest.NewTenant()
	srv := jiratest.NewServer(tenant, jiratest.Unlimited())
	t.Cleanup(srv.Close)
	cfg := testConfig(srv, true)

	acct, err := embed.CreateAccount(ctx, cfg, "lin@acme.example") // no products: sent as []
	if err != nil || acct.AccountID == "" || acct.Existed {
		t.Fatalf("CreateAccount: %+v, %v", acct, err)
	}
	again, err := embed.CreateAccount(ctx, cfg, "lin@acme.example")
	if err != nil || !again.Existed || again.AccountID != acct.AccountID {
		t.Fatalf("second CreateAccount: %+v, %v; want the existing account", again, err)
	}

	var logs bytes.Buffer
	p, err := embed.NewProvisioner(ctx, cfg, embed.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var group string
	for _, g := range tenant.Groups {
		if g.Name == "jira-product-discovery-users-acme" {
			group = g.ID
		}
	}
	ent := "group:" + group + ":member"
	g, err := p.Grant(ctx, ent, embed.User(acct.AccountID))
	if err != nil || g.AlreadyDone || len(g.Changes) != 1 {
		t.Fatalf("Grant: %+v, %v", g, err)
	}
	if !strings.Contains(logs.String(), `"msg":"baton-jira: add user to group"`) ||
		!strings.Contains(logs.String(), `"group_id":"`+group+`"`) || !strings.Contains(logs.String(), `"account_id":"`+acct.AccountID+`"`) {
		t.Errorf("the write is not logged with its IDs:\n%s", logs.String())
	}
	r, err := embed.RevokeAccess(ctx, cfg, ent+":user:"+acct.AccountID)
	if err != nil || r.AlreadyDone || r.Principal != embed.User(acct.AccountID) {
		t.Fatalf("RevokeAccess: %+v, %v", r, err)
	}
	if r, err := p.RevokeEntitlement(ctx, ent, embed.User(acct.AccountID)); err != nil || !r.AlreadyDone {
		t.Fatalf("second revoke: %+v, %v; want already done", r, err)
	}
	if _, err := p.Revoke(ctx, "not-a-grant"); status.Code(err) != codes.InvalidArgument {
		t.Errorf("Revoke of a malformed grant ID: %v", err)
	}

	d, err := p.Deprovision(ctx, acct.AccountID)
	if err != nil || d.AlreadyDone || d.PreviousStatus != "active" {
		t.Fatalf("Deprovision: %+v, %v", d, err)
	}
	if d, err := embed.Deprovision(ctx, cfg, acct.AccountID); err != nil || !d.AlreadyDone {
		t.Fatalf("second Deprovision: %+v, %v; want already done", d, err)
	}
	for _, secret := range []string{srv.APIToken, srv.AdminKey} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds a secret (%.6s…)", secret)
		}
	}
	if _, err := embed.NewProvisioner(ctx, cfg, embed.WithWorkers(2)); err == nil {
		t.Error("NewProvisioner accepted a sync option")
	}
}

// TestCreateAccountWithOptions: the one-call invite takes options like the
// other one-call functions: the logger receives the write, and a Sync-only
// option is refused before anything is written.
func TestCreateAccountWithOptions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := jiratest.NewServer(jiratest.NewTenant(), jiratest.Unlimited())
	t.Cleanup(srv.Close)
	cfg := testConfig(srv, false)
	var logs bytes.Buffer
	acct, err := embed.CreateAccountWith(ctx, cfg, "opts@acme.example", []string{"jira-software"},
		embed.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil || acct.AccountID == "" || acct.Existed {
		t.Fatalf("CreateAccountWith: %+v, %v", acct, err)
	}
	if !strings.Contains(logs.String(), `"msg":"baton-jira: invite user"`) || !strings.Contains(logs.String(), acct.AccountID) {
		t.Errorf("the invite is not logged through the option's logger:\n%s", logs.String())
	}
	n := len(srv.MutationLog())
	if _, err := embed.CreateAccountWith(ctx, cfg, "refused@acme.example", nil, embed.WithWorkers(2)); err == nil {
		t.Error("a Sync option was accepted")
	}
	if len(srv.MutationLog()) != n {
		t.Errorf("the refused call wrote: %+v", srv.MutationLog()[n:])
	}
}
