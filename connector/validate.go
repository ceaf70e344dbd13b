package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/conductorone/baton-sdk/pkg/annotations"
	"google.golang.org/grpc/codes"

	"github.com/batonkit/jiracloud/atlassian"
	"github.com/batonkit/jiracloud/jira"
)

// Validate checks, in order, that Jira accepts the credentials (GET
// /myself), that the account may browse users and groups (GET /group/bulk
// with one result) and holds Administer Jira (GET /mypermissions), which
// project roles, permission schemes and products need; and in organization
// mode that the organization exists for the Admin API key (GET
// /admin/v1/orgs/{id}) and has this Jira site among its workspaces; and
// that every key of sync-project-keys names a project the sync will include
// (a mistyped key would otherwise sync no project and, in ConductorOne,
// remove that project's access from the last sync). Every failure says what
// to change. The SDK calls it before each sync.
func (c *Connector) Validate(ctx context.Context) (annotations.Annotations, error) {
	email := strings.TrimSpace(c.cfg.JiraEmail)
	site := c.jira.Site().BaseURL
	me, resp, err := c.jira.Myself(ctx)
	if err != nil {
		var je *jira.Error
		if errors.As(err, &je) && je.StatusCode == http.StatusUnauthorized {
			hint := je.Hint
			if hint == "" {
				hint = "check jira-email and jira-api-token"
			}
			return nil, errorf(codes.Unauthenticated,
				"%s: Jira at %s refused the credentials of %s (401): %s", opValidate, site, email, hint)
		}
		return nil, wrapErr(opValidate, err)
	}
	annos := rateAnnotations(resp)
	who := email
	if me.DisplayName != "" {
		who = me.DisplayName + " <" + email + ">"
	}

	if _, _, err := c.jira.Groups.List(ctx, &jira.GroupListOptions{ListOptions: jira.ListOptions{PageSize: 1}}); err != nil {
		if isPermissionErr(err) {
			return nil, errorf(codes.PermissionDenied,
				`%s: the account %s may not browse users and groups: grant it the "Browse users and groups" global permission `+
					`(Jira settings → System → Global permissions), or use an account with "Administer Jira"`, opValidate, who)
		}
		return nil, wrapErr(opValidate, err)
	}

	perms, _, err := c.jira.Permissions.Mine(ctx, &jira.MyPermissionsOptions{
		Permissions: []string{jira.PermissionAdminister, jira.PermissionSystemAdmin}})
	if err != nil {
		return nil, wrapErr(opValidate, err)
	}
	if !perms[jira.PermissionAdminister].HavePermission && !perms[jira.PermissionSystemAdmin].HavePermission {
		return nil, errorf(codes.PermissionDenied,
			`%s: the account %s lacks the "Administer Jira" global permission, which reading project roles, permission schemes `+
				`and products needs: add it to a group with "Administer Jira" (Jira settings → System → Global permissions)`, opValidate, who)
	}

	if err := c.validateSyncProjects(ctx); err != nil {
		return nil, err
	}
	if c.admin != nil {
		if err := c.validateOrg(ctx); err != nil {
			return nil, err
		}
	}
	return annos, nil
}

// validateSyncProjects checks that each sync-project-keys key is the current
// key of a project the account can see, and not archived unless archived
// projects are synced (GET /project/search with keys, 50 keys a request).
func (c *Connector) validateSyncProjects(ctx context.Context) error {
	want := c.cfg.syncProjectKeys()
	if len(want) == 0 {
		return nil
	}
	current := map[jira.ProjectKey]jira.Project{}
	renamed := map[jira.ProjectKey]jira.ProjectKey{} // an earlier key → the current one
	for chunk := range slices.Chunk(want, 50) {
		o := &jira.ProjectSearchOptions{Keys: chunk, IncludeArchived: true, Expand: []string{jira.ProjectExpandProjectKeys}}
		for p, err := range c.jira.Projects.SearchIter(ctx, o) {
			if err != nil {
				return wrapErr(opValidate, err)
			}
			current[p.Key] = p
			for _, k := range p.ProjectKeys {
				if k != p.Key {
					renamed[k] = p.Key
				}
			}
		}
	}
	var problems []string
	for _, k := range want {
		p, ok := current[k]
		switch {
		case ok && p.Archived && !c.cfg.IncludeArchivedProjects:
			problems = append(problems, fmt.Sprintf("%s is archived (set include-archived-projects to sync it)", k))
		case ok:
		case renamed[k] != "":
			problems = append(problems, fmt.Sprintf("%s is now %s (use the current key)", k, renamed[k]))
		default:
			problems = append(problems, fmt.Sprintf("no project %s is visible to the account (check the key, and that the "+
				"account may browse the project)", k))
		}
	}
	if len(problems) > 0 {
		return errorf(codes.InvalidArgument, "%s: sync-project-keys: %s", opValidate, strings.Join(problems, "; "))
	}
	return nil
}

// validateOrg checks the organization ID and Admin API key, and finds the
// Jira site among the organization's workspaces.
func (c *Connector) validateOrg(ctx context.Context) error {
	org := atlassian.OrgID(strings.TrimSpace(c.cfg.AtlassianOrgID))
	if _, _, err := c.admin.Orgs.Get(ctx, org); err != nil {
		var ae *atlassian.Error
		if errors.As(err, &ae) {
			switch ae.StatusCode {
			case http.StatusUnauthorized:
				return errorf(codes.Unauthenticated,
					"%s: the Atlassian Admin API refused atlassian-api-token (401): create a new organization API key in "+
						"admin.atlassian.com → Settings → API keys (it may have expired)", opValidate)
			case http.StatusForbidden, http.StatusNotFound:
				return errorf(codes.FailedPrecondition,
					"%s: organization %s was not found for atlassian-api-token (%d): check atlassian-orgId, and that the API key "+
						"was created in that organization", opValidate, org, ae.StatusCode)
			}
		}
		return wrapErr(opValidate, err)
	}
	// Look the site up afresh: the SDK validates before each sync, and a
	// long-lived process must see workspaces added to or removed from the
	// organization since the last one.
	c.org.mu.Lock()
	c.org.resourceIDs, c.org.workspaces = nil, nil
	c.org.mu.Unlock()
	_, err := c.orgResources(ctx)
	return err
}

// isPermissionErr reports a 403, or a 401 after the credentials were
// accepted (some Jira endpoints answer 401 for missing rights).
func isPermissionErr(err error) bool {
	return errors.Is(err, jira.ErrForbidden) || errors.Is(err, jira.ErrUnauthorized)
}
