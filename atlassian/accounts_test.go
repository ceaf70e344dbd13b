package atlassian

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAccounts_Deactivate(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	calls := 0
	// The user management API is at the root, not under /admin.
	mux.HandleFunc("POST /users/{id}/manage/lifecycle/disable", func(w http.ResponseWriter, r *http.Request) {
		calls++
		testAuth(t, r)
		if r.PathValue("id") != "5b10ac8d82e05b22cc7d4ef5" {
			t.Errorf("id = %q", r.PathValue("id"))
		}
		if calls == 1 {
			testJSONBody(t, r, `{"message":"Left the company"}`)
		} else {
			testJSONBody(t, r, `{"message":""}`) // the body is required even without a reason
		}
		w.WriteHeader(http.StatusNoContent)
	})
	if _, err := c.Accounts.Deactivate(t.Context(), "5b10ac8d82e05b22cc7d4ef5", "Left the company"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Accounts.Deactivate(t.Context(), "5b10ac8d82e05b22cc7d4ef5", ""); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("calls = %d", calls)
	}
}

func TestAccounts_Reactivate(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	called := false
	mux.HandleFunc("POST /users/{id}/manage/lifecycle/enable", func(w http.ResponseWriter, r *http.Request) {
		called = true
		testAuth(t, r)
		testNoBody(t, r)
		w.WriteHeader(http.StatusNoContent)
	})
	if _, err := c.Accounts.Reactivate(t.Context(), "5b10ac8d82e05b22cc7d4ef5"); err != nil || !called {
		t.Fatalf("Reactivate = %v, called %v", err, called)
	}
}

func TestAccounts_Reactivate_notManaged(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /users/{id}/manage/lifecycle/enable", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, `{"code":403,"message":"The account is not managed by an organization you administer"}`)
	})
	_, err := c.Accounts.Reactivate(t.Context(), "a1")
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrForbidden) || e.URL != c.UserManagementURL()+"/users/a1/manage/lifecycle/enable" {
		t.Fatalf("err = %v", err)
	}
}

func TestAccounts_Profile(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /users/{id}/manage/profile", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"account":{"account_id":"5b10ac8d82e05b22cc7d4ef5","account_type":"atlassian","account_status":"inactive",
			"name":"Mia Krystof","nickname":"mia","email":"mia@acme.com","picture":"https://x/p.png","zoneinfo":"Europe/Paris",
			"locale":"fr-FR","extended_profile":{"job_title":"Engineering Manager","organization":"Acme","department":"Platform",
			"location":"Lyon","team_type":"Software Development"},"characteristics":{"not_mentionable":false}}}`)
	})
	p, _, err := c.Accounts.Profile(t.Context(), "5b10ac8d82e05b22cc7d4ef5")
	if err != nil {
		t.Fatal(err)
	}
	want := &AccountProfile{AccountID: "5b10ac8d82e05b22cc7d4ef5", AccountType: AccountTypeAtlassian, AccountStatus: AccountStatusInactive,
		Name: "Mia Krystof", Nickname: "mia", Email: "mia@acme.com", Picture: "https://x/p.png", ZoneInfo: "Europe/Paris", Locale: "fr-FR",
		ExtendedProfile: ExtendedProfile{JobTitle: "Engineering Manager", Organization: "Acme", Department: "Platform", Location: "Lyon"}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("profile (-want +got):\n%s", diff)
	}
}
