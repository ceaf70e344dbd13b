package jira

import (
	"context"
	"errors"
	"net/http"
)

// SetLead makes the user with account ID lead the project lead (Administer
// Jira required) and returns the updated project. Jira refuses an unknown
// or inactive lead with a 400. It is a PUT that sets a value, so a repeated
// call has the same effect and the client retries it after a 5xx.
//
// Jira API docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-projectidorkey-put
//
//	PUT /rest/api/3/project/{projectIdOrKey}  {"leadAccountId": …}
func (s *ProjectsService) SetLead(ctx context.Context, idOrKey string, lead AccountID) (*Project, *Response, error) {
	seg, err := pathSegment("Projects.SetLead", "project ID or key", idOrKey)
	if err != nil {
		return nil, nil, err
	}
	if lead == "" {
		return nil, nil, errors.New("jira: Projects.SetLead needs an account ID")
	}
	body := struct {
		LeadAccountID AccountID `json:"leadAccountId"`
	}{lead}
	p := new(Project)
	resp, err := s.client.do(ctx, request{method: http.MethodPut, path: endpoint(apiPrefix+"/project/{}", seg), body: body}, p)
	if err != nil {
		return nil, resp, err
	}
	return p, resp, nil
}
