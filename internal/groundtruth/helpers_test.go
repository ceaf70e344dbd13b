package groundtruth_test

import (
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// auth is how a raw request to the fake authenticates.
type auth = fakehttp.Auth

func classic(s *jiratest.Server) auth { return auth{User: s.Email, Pass: s.APIToken} }

type jUser struct {
	AccountID    string `json:"accountId"`
	AccountType  string `json:"accountType"`
	AppType      string `json:"appType"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
	Active       bool   `json:"active"`
}

type jGroup struct {
	Name    string `json:"name"`
	GroupID string `json:"groupId"`
}
