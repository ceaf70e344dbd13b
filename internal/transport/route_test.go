package transport

import "testing"

const routeCloudID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

func TestRouteTemplate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, want string
	}{
		// Jira, site form.
		{"/rest/api/3/myself", "/rest/api/3/myself"},
		{"/rest/api/3/users/search", "/rest/api/3/users/search"},
		{"/rest/api/3/user/search", "/rest/api/3/user/search"},
		{"/rest/api/3/user", "/rest/api/3/user"},
		{"/rest/api/3/project/search", "/rest/api/3/project/search"},
		{"/rest/api/3/project", "/rest/api/3/project"},
		{"/rest/api/3/project/PROJ", "/rest/api/3/project/{}"},
		{"/rest/api/3/project/PROJ/", "/rest/api/3/project/{}"},
		{"/rest/api/3/project/10001", "/rest/api/3/project/{}"},
		{"/rest/api/3/project/3", "/rest/api/3/project/{}"},
		{"/rest/api/3/project/ABC/role", "/rest/api/3/project/{}/role"},
		{"/rest/api/3/project/10001/role/10002", "/rest/api/3/project/{}/role/{}"},
		{"/rest/api/3/project/PROJ/role/10002", "/rest/api/3/project/{}/role/{}"},
		{"/rest/api/3/project/PROJ/permissionscheme", "/rest/api/3/project/{}/permissionscheme"},
		{"/rest/api/3/project/PROJ/properties/flags", "/rest/api/3/project/{}/properties/{}"},
		{"/rest/api/3/role/10002", "/rest/api/3/role/{}"},
		{"/rest/api/3/issue", "/rest/api/3/issue"},
		{"/rest/api/3/issue/bulk", "/rest/api/3/issue/bulk"},
		{"/rest/api/3/issue/picker", "/rest/api/3/issue/picker"},
		{"/rest/api/3/issue/createmeta", "/rest/api/3/issue/createmeta"},
		{"/rest/api/3/issue/createmeta/PROJ/issuetypes", "/rest/api/3/issue/createmeta/{}/issuetypes"},
		{"/rest/api/3/issue/createmeta/PROJ/issuetypes/10001", "/rest/api/3/issue/createmeta/{}/issuetypes/{}"},
		{"/rest/api/3/issue/PROJ-12", "/rest/api/3/issue/{}"},
		{"/rest/api/3/issue/PROJ-12/transitions", "/rest/api/3/issue/{}/transitions"},
		{"/rest/api/3/issue/10042/comment", "/rest/api/3/issue/{}/comment"},
		{"/rest/api/3/group/member", "/rest/api/3/group/member"},
		{"/rest/api/3/group/bulk", "/rest/api/3/group/bulk"},
		{"/rest/api/3/groups/picker", "/rest/api/3/groups/picker"},
		{"/rest/api/3/applicationrole", "/rest/api/3/applicationrole"},
		{"/rest/api/3/applicationrole/jira-software", "/rest/api/3/applicationrole/{}"},
		{"/rest/api/3/permissionscheme/10000/permission", "/rest/api/3/permissionscheme/{}/permission"},
		{"/rest/api/2/project/ABC", "/rest/api/2/project/{}"},
		{"/rest/servicedeskapi/servicedesk/4/customer", "/rest/servicedeskapi/servicedesk/{}/customer"},
		{"/_edge/tenant_info", "/_edge/tenant_info"},
		{"/", "/"},
		{"", "/"},

		// Jira, gateway form: the /ex/jira/<cloudId> prefix is dropped so
		// both forms count against the same endpoint.
		{"/ex/jira/" + routeCloudID + "/rest/api/3/users/search", "/rest/api/3/users/search"},
		{"/ex/jira/" + routeCloudID + "/rest/api/3/project/search", "/rest/api/3/project/search"},
		{"/ex/jira/" + routeCloudID + "/rest/api/3/project/PROJ/role/10002", "/rest/api/3/project/{}/role/{}"},
		{"/ex/jira/" + routeCloudID + "/rest/api/3/issue/ABC-1/transitions", "/rest/api/3/issue/{}/transitions"},
		{"/ex/jira/" + routeCloudID + "/rest/api/3/myself", "/rest/api/3/myself"},

		// Atlassian Admin (organizations and user management).
		{"/admin/v1/orgs", "/admin/v1/orgs"},
		{"/admin/v1/orgs/9a1b2c3d-aaaa-bbbb-cccc-0123456789ab/users", "/admin/v1/orgs/{}/users"},
		{"/admin/v1/orgs/abcdef/users/search", "/admin/v1/orgs/{}/users/search"},
		{"/admin/v2/orgs/9a1b2c3d-aaaa/directories/-/users", "/admin/v2/orgs/{}/directories/{}/users"},
		{"/admin/v2/orgs/abcdef/directories/-/users", "/admin/v2/orgs/{}/directories/{}/users"},
		{"/admin/v2/orgs/abc/directories/def/groups", "/admin/v2/orgs/{}/directories/{}/groups"},
		{"/admin/v2/orgs/abc/directories/def/groups/ghi/memberships", "/admin/v2/orgs/{}/directories/{}/groups/{}/memberships"},
		{"/admin/v2/orgs/abc/directories/def/groups/ghi/memberships/jkl", "/admin/v2/orgs/{}/directories/{}/groups/{}/memberships/{}"},
		{"/admin/v1/orgs/abc/directory/users/abc/suspend-access", "/admin/v1/orgs/{}/directory/users/{}/suspend-access"},
		{"/users/5b10ac8d82e05b22cc7d4ef5/manage/lifecycle/disable", "/users/{}/manage/lifecycle/disable"},
		{"/users/abcdef/manage/lifecycle/enable", "/users/{}/manage/lifecycle/enable"},
		{"/users/qm:abc:def/manage/lifecycle/disable", "/users/{}/manage/lifecycle/disable"},
		{"/users/5b10ac8d82e05b22cc7d4ef5/manage", "/users/{}/manage"},
	}
	for _, tt := range tests {
		if got := RouteTemplate(tt.path); got != tt.want {
			t.Errorf("RouteTemplate(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestRouteTemplateKeysDoNotSplitBuckets(t *testing.T) {
	t.Parallel()
	// Different IDs and keys of one endpoint must land in one bucket.
	groups := [][]string{
		{"/rest/api/3/project/PROJ", "/rest/api/3/project/ABC", "/rest/api/3/project/10001",
			"/ex/jira/" + routeCloudID + "/rest/api/3/project/XYZ"},
		{"/rest/api/3/issue/PROJ-1/transitions", "/rest/api/3/issue/ABC-999/transitions", "/rest/api/3/issue/10001/transitions"},
		{"/rest/api/3/issue/createmeta/PROJ/issuetypes", "/rest/api/3/issue/createmeta/ABC/issuetypes",
			"/rest/api/3/issue/createmeta/10001/issuetypes"},
	}
	for _, g := range groups {
		want := RouteTemplate(g[0])
		for _, p := range g[1:] {
			if got := RouteTemplate(p); got != want {
				t.Errorf("RouteTemplate(%q) = %q, want %q (same endpoint as %q)", p, got, want, g[0])
			}
		}
	}
}

func TestIssueKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"/rest/api/3/issue/PROJ-12", "PROJ-12"},
		{"/rest/api/3/issue/PROJ-12/transitions", "PROJ-12"},
		{"/rest/api/3/issue/proj_2-7/comment", "proj_2-7"},
		{"/rest/api/3/issue/10042", "10042"},
		{"/ex/jira/" + routeCloudID + "/rest/api/3/issue/ABC-1/comment", "ABC-1"},
		{"/rest/api/3/issue", ""},
		{"/rest/api/3/issue/", ""},
		{"/rest/api/3/issue/bulk", ""},
		{"/rest/api/3/issue/createmeta/PROJ/issuetypes", ""},
		{"/rest/api/3/issue/PROJ-", ""},
		{"/rest/api/3/issue/-12", ""},
		{"/rest/api/3/issue/12-PROJ", ""},
		{"/rest/api/3/project/PROJ-1", ""},
		{"/rest/api/3/myself", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := IssueKey(tt.path); got != tt.want {
			t.Errorf("IssueKey(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
