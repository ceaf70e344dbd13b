package groundtruth_test

import (
	"github.com/batonkit/jiracloud/internal/fakehttp"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// auth is how a raw request to the fake authenticates.
type auth = fakehttp.Auth

func classic(s *jiratest.Server) auth { return auth{User: s.Email, Pass: s.APIToken} }

// jUser and jGroup are a user and a group as the REST API answers them.
type (
	jUser  = fakehttp.User
	jGroup = fakehttp.Group
)
