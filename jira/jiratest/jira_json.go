package jiratest

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Response shapes of the Jira REST API (atlassian-api.md §A.2).

type jAvatars struct {
	P48 string `json:"48x48"`
	P24 string `json:"24x24"`
	P16 string `json:"16x16"`
	P32 string `json:"32x32"`
}

type jList struct {
	Size  int `json:"size"`
	Items any `json:"items"`
}

type jUser struct {
	Self             string   `json:"self"`
	AccountID        string   `json:"accountId"`
	AccountType      string   `json:"accountType"`
	AppType          string   `json:"appType,omitempty"`
	EmailAddress     string   `json:"emailAddress,omitempty"`
	AvatarURLs       jAvatars `json:"avatarUrls"`
	DisplayName      string   `json:"displayName"`
	Active           bool     `json:"active"`
	TimeZone         string   `json:"timeZone,omitempty"`
	Locale           string   `json:"locale,omitempty"`
	Guest            bool     `json:"guest,omitempty"`
	Groups           *jList   `json:"groups,omitempty"`
	ApplicationRoles *jList   `json:"applicationRoles,omitempty"`
	Expand           string   `json:"expand,omitempty"`
}

type jGroupName struct {
	Name    string `json:"name"`
	GroupID string `json:"groupId"`
	Self    string `json:"self"`
}

type jGroupDetails struct {
	Name    string `json:"name"`
	GroupID string `json:"groupId"`
}

type jAppRoleRef struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

func avatars(id string) jAvatars {
	base := "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/" + url.PathEscape(id) + "/"
	return jAvatars{P48: base + "48", P24: base + "24", P16: base + "16", P32: base + "32"}
}

func (c *call) rest(path string) string { return c.base + "/rest/api/" + c.version() + path }

func (c *call) version() string {
	if c.ver == "" {
		return "3"
	}
	return c.ver
}

// userJSON renders u; withLocale adds the locale (User, not UserDetails).
func (c *call) userJSON(u *User, withLocale bool) jUser {
	j := jUser{Self: c.rest("/user?accountId=" + url.QueryEscape(u.AccountID)), AccountID: u.AccountID,
		AccountType: u.AccountType, AvatarURLs: avatars(u.AccountID), DisplayName: u.DisplayName, Active: u.Active}
	if u.AccountType == AccountTypeApp {
		j.AppType = u.AppType
	}
	if !u.Former {
		j.EmailAddress = u.VisibleEmail()
		j.TimeZone = u.TimeZone
		if withLocale {
			j.Locale = u.Locale
		}
		j.Guest = u.Guest
	}
	return j
}

// formerUserJSON renders an account ID that is no longer in the user base.
func (c *call) unknownUserJSON(id string) jUser {
	return jUser{Self: c.rest("/user?accountId=" + url.QueryEscape(id)), AccountID: id,
		AccountType: AccountTypeAtlassian, AvatarURLs: avatars(id), DisplayName: "Former user"}
}

// userByID renders a user reference, tolerating dangling IDs.
func (c *call) userRef(id string) *jUser {
	if id == "" {
		return nil
	}
	if u := c.x.users[id]; u != nil {
		j := c.userJSON(u, false)
		return &j
	}
	j := c.unknownUserJSON(id)
	return &j
}

// expandUser adds groups and applicationRoles when requested.
func (c *call) expandUser(j *jUser, u *User, expand string) {
	j.Expand = "groups,applicationRoles"
	if hasExpand(expand, "groups") {
		items := []jGroupName{}
		for _, g := range c.x.userGroupList(u.AccountID) {
			items = append(items, c.groupName(g))
		}
		j.Groups = &jList{Size: len(items), Items: items}
	}
	if hasExpand(expand, "applicationRoles") {
		items := []jAppRoleRef{}
		for _, a := range c.x.t.ApplicationRoles {
			if c.x.hasProduct(u.AccountID, a.Key) {
				items = append(items, jAppRoleRef{Key: a.Key, Name: a.Name})
			}
		}
		j.ApplicationRoles = &jList{Size: len(items), Items: items}
	}
}

func (c *call) groupName(g *Group) jGroupName {
	return jGroupName{Name: g.Name, GroupID: g.ID, Self: c.rest("/group?groupId=" + url.QueryEscape(g.ID))}
}

func hasExpand(expand, what string) bool {
	for _, e := range strings.Split(expand, ",") {
		e = strings.TrimSpace(e)
		if strings.EqualFold(e, what) || e == "*all" || e == "all" {
			return true
		}
	}
	return false
}

// jiraTime formats a time the way Jira does ("2026-06-01T09:00:00.000+0000").
func jiraTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

type jCategory struct {
	Self        string `json:"self"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type jIssueType struct {
	Self             string `json:"self"`
	ID               string `json:"id"`
	Description      string `json:"description"`
	IconURL          string `json:"iconUrl"`
	Name             string `json:"name"`
	UntranslatedName string `json:"untranslatedName,omitempty"`
	Subtask          bool   `json:"subtask"`
	HierarchyLevel   int    `json:"hierarchyLevel"`
	AvatarID         int    `json:"avatarId,omitempty"`
}

type jInsight struct {
	TotalIssueCount     int    `json:"totalIssueCount"`
	LastIssueUpdateTime string `json:"lastIssueUpdateTime,omitempty"`
}

type jProject struct {
	Expand          string            `json:"expand"`
	Self            string            `json:"self"`
	ID              string            `json:"id"`
	Key             string            `json:"key"`
	Description     *string           `json:"description,omitempty"`
	Lead            *jUser            `json:"lead,omitempty"`
	Components      []any             `json:"components,omitempty"`
	IssueTypes      []jIssueType      `json:"issueTypes,omitempty"`
	AssigneeType    string            `json:"assigneeType,omitempty"`
	Versions        []any             `json:"versions,omitempty"`
	Name            string            `json:"name"`
	Roles           map[string]string `json:"roles,omitempty"`
	AvatarURLs      jAvatars          `json:"avatarUrls"`
	ProjectKeys     []string          `json:"projectKeys,omitempty"`
	ProjectCategory *jCategory        `json:"projectCategory,omitempty"`
	ProjectTypeKey  string            `json:"projectTypeKey"`
	Simplified      bool              `json:"simplified"`
	Style           string            `json:"style"`
	IsPrivate       bool              `json:"isPrivate"`
	Archived        bool              `json:"archived,omitempty"`
	Deleted         bool              `json:"deleted,omitempty"`
	URL             string            `json:"url,omitempty"`
	UUID            string            `json:"uuid,omitempty"`
	EntityID        string            `json:"entityId,omitempty"`
	Insight         *jInsight         `json:"insight,omitempty"`
	Properties      map[string]any    `json:"properties"`
}

func (c *call) issueTypeJSON(it *IssueType) jIssueType {
	return jIssueType{Self: c.rest("/issuetype/" + it.ID), ID: it.ID, Description: it.Description,
		IconURL: c.base + "/rest/api/2/universal_avatar/view/type/issuetype/avatar/10318?size=medium",
		Name:    it.Name, UntranslatedName: it.Name, Subtask: it.Subtask, HierarchyLevel: it.HierarchyLevel}
}

func (c *call) roleURL(p *Project, rid int64) string {
	return c.rest("/project/" + p.ID + "/role/" + strconv.FormatInt(rid, 10))
}

// projectJSON renders p. detail selects the GET project/{id} shape (description, lead, issue types and roles
// always present); otherwise expand decides.
func (c *call) projectJSON(p *Project, expand string, detail bool) jProject {
	j := jProject{Expand: "description,lead,issueTypes,url,projectKeys,permissions,insight",
		Self: c.rest("/project/" + p.ID), ID: p.ID, Key: p.Key, Name: p.Name, AvatarURLs: avatars("project-" + p.ID),
		ProjectTypeKey: p.TypeKey, Simplified: p.Simplified, Style: p.Style(), IsPrivate: p.Private,
		Archived: p.Archived, Deleted: p.Deleted, Properties: map[string]any{}}
	if p.Simplified {
		j.UUID = hashUUID("project-uuid", p.ID)
		j.EntityID = j.UUID
	}
	if cat := c.x.categories[p.CategoryID]; cat != nil {
		j.ProjectCategory = &jCategory{Self: c.rest("/projectCategory/" + cat.ID), ID: cat.ID, Name: cat.Name,
			Description: cat.Description}
	}
	if detail || hasExpand(expand, "description") {
		d := p.Description
		j.Description = &d
	}
	if detail || hasExpand(expand, "lead") {
		j.Lead = c.userRef(p.LeadAccountID)
	}
	if detail || hasExpand(expand, "issueTypes") {
		j.IssueTypes = []jIssueType{}
		for _, id := range p.IssueTypeIDs {
			if it := c.x.issueTypes[id]; it != nil {
				j.IssueTypes = append(j.IssueTypes, c.issueTypeJSON(it))
			}
		}
	}
	if hasExpand(expand, "url") {
		j.URL = "https://" + c.x.t.SiteHost + "/browse/" + p.Key
	}
	if hasExpand(expand, "projectKeys") {
		j.ProjectKeys = []string{p.Key}
	}
	if hasExpand(expand, "insight") {
		n, last := 0, time.Time{}
		for _, is := range c.x.t.Issues {
			if is.ProjectID == p.ID {
				n++
				if is.Updated.After(last) {
					last = is.Updated
				}
			}
		}
		j.Insight = &jInsight{TotalIssueCount: n}
		if n > 0 {
			j.Insight.LastIssueUpdateTime = jiraTime(last)
		}
	}
	if detail {
		j.Components, j.Versions = []any{}, []any{}
		j.AssigneeType = "UNASSIGNED"
		j.Roles = map[string]string{}
		for _, r := range c.x.projectRoles(p) {
			j.Roles[r.Name] = c.roleURL(p, r.ID)
		}
	}
	return j
}
