package jira

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
)

func TestProjectsSetLead(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/api/3/project/EX", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		testAuth(t, r)
		testJSONBody(t, r, `{"leadAccountId":"5b10ac8d82e05b22cc7d4ef5"}`)
		if calls.Add(1) == 1 {
			// A PUT that sets a value is idempotent: the client retries it.
			writeJSON(w, http.StatusBadGateway, `{"errorMessages":["bad gateway"],"errors":{}}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"id":"10000","key":"EX","name":"Example",`+
			`"lead":{"accountId":"5b10ac8d82e05b22cc7d4ef5","displayName":"Mia Krystof","active":true}}`)
	})
	p, _, err := c.Projects.SetLead(t.Context(), "EX", identAccountID)
	if err != nil {
		t.Fatalf("SetLead: %v", err)
	}
	if p.Lead == nil || p.Lead.AccountID != identAccountID || calls.Load() != 2 {
		t.Errorf("lead %+v after %d calls, want %s after 2", p.Lead, calls.Load(), identAccountID)
	}
	if _, _, err := c.Projects.SetLead(t.Context(), "EX", ""); err == nil {
		t.Error("SetLead accepted an empty account ID")
	}
	if _, _, err := c.Projects.SetLead(t.Context(), "", identAccountID); err == nil {
		t.Error("SetLead accepted an empty project")
	}
}

func TestProjectsSetLead_invalidLead(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/project/EX", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, `{"errorMessages":[],"errors":{"projectLead":"The project lead must be an active user."}}`)
	})
	_, _, err := c.Projects.SetLead(t.Context(), "EX", identAccountID)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest {
		t.Fatalf("SetLead: %v, want a 400 *Error", err)
	}
}
