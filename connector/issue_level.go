package connector

import (
	"context"
	"errors"
	"slices"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/batonkit/jiracloud/jira"
)

// issueLevelProfileKey is the project profile field listing the Browse
// Projects holders that reach single issues, not the project, and so grant
// nothing (docs/MODEL.md): "reporter", "assignee",
// "userCustomField:<field>", "groupCustomField:<field>", and any holder type
// this model does not know as "<type>" or "<type>:<parameter>".
const issueLevelProfileKey = "browse_issue_level_holders"

// issueLevelHolders returns the issue-level holders among Browse Projects
// holders, named as in the profile field, sorted, each once.
func issueLevelHolders(holders []jira.PermissionHolder) []string {
	var out []string
	for _, h := range holders {
		var name string
		switch h.Type {
		case jira.HolderGroup, jira.HolderProjectRole, jira.HolderApplicationRole, jira.HolderUser,
			jira.HolderProjectLead, jira.HolderAnyone, jira.HolderServiceDeskCustomer:
			continue // granted as participate (or portal)
		case jira.HolderReporter, jira.HolderAssignee:
			name = string(h.Type)
		default:
			name = string(h.Type)
			if p := firstNonEmpty(h.Parameter, h.Value); p != "" {
				name += ":" + p
			}
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// projectPageWithHolders is projectPage for the SDK's List walk: unless
// participants are skipped, it also reads each project's permission scheme
// (the requests the project grants would make later, made now and
// remembered on the project) so that the project's profile can name its
// issue-level Browse Projects holders. A project deleted since the search
// (404) is listed without them.
func (c *Connector) projectPageWithHolders(ctx context.Context, st *syncState, tok string) (projectPageResult, error) {
	page, err := c.projectPage(ctx, tok)
	if err != nil || c.cfg.SkipProjectParticipants {
		return page, err
	}
	var rt rateTracker
	errs := fanOut(ctx, c.cfg.concurrency(), len(page.infos), func(ctx context.Context, i int) error {
		p := page.infos[i]
		id, err := c.projectSchemeID(ctx, p, &rt)
		if err != nil {
			if isNotFound(err) {
				return nil
			}
			return err
		}
		// p is not shared yet: nothing else reads it until the page is returned.
		p.schemeID, p.schemeKnown = id, true
		holders, err := c.browseHolders(ctx, st, p, &rt)
		if err != nil {
			if isNotFound(err) {
				return nil
			}
			return err
		}
		setIssueLevelHolders(page.resources[i], issueLevelHolders(holders))
		return nil
	})
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, errSkipped)) {
			first = err
		}
	}
	if first != nil {
		return projectPageResult{}, first
	}
	return page, nil
}

// setIssueLevelHolders adds the issue-level holders to a project's profile
// (nothing when there are none).
func setIssueLevelHolders(r *v2.Resource, holders []string) {
	if len(holders) == 0 || r.GetProfile() == nil {
		return
	}
	vals := make([]*structpb.Value, len(holders))
	for i, h := range holders {
		vals[i] = structpb.NewStringValue(h)
	}
	r.GetProfile().GetFields()[issueLevelProfileKey] = structpb.NewListValue(&structpb.ListValue{Values: vals})
}
